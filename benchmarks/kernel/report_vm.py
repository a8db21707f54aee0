"""What the two VM levels share (run_kernel_bench.py and report_kernel.py
for the TCP runs, run_qbench.py and report_qbench.py for the synthetic-skb
runs): one JSON file per kernel, written in the guest and read back on the
host, then a markdown table and a PNG plot."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Callable


def save(out: Path, prefix: str, kernel: str, rows: list[dict], table: Callable,
         args: dict, **meta) -> None:
    """Write <prefix>-<kernel>.json (what load() reads: the guest's kernel,
    CPUs and QEMU accel, args, extra meta, every run) and .md (table), and
    print the table."""
    out.mkdir(parents=True, exist_ok=True)
    meta = {"kernel": kernel, "uname": os.uname().release, "cpus": os.cpu_count(),
            "accel": os.environ.get("EIFFEL_VM_ACCEL", "tcg,thread=single"), **meta,
            "args": args}
    (out / f"{prefix}-{kernel}.json").write_text(json.dumps({"meta": meta, "runs": rows},
                                                           indent=1))
    md = table(rows, kernel)
    (out / f"{prefix}-{kernel}.md").write_text(md)
    print(md)


def finish_axes(column) -> None:
    """The flow counts on a log scale, costs from zero, a light grid."""
    for ax in column:
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)


def save_figure(fig, path: Path, title: str) -> None:
    import matplotlib.pyplot as plt

    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def load(results: Path, prefix: str) -> dict:
    """Kernel flavour -> the data of <prefix>-<flavour>.json."""
    runs = {}
    for p in sorted(results.glob(f"{prefix}-[0-9]*.json")):
        data = json.loads(p.read_text())
        runs[data["meta"]["kernel"]] = data
    return runs


def main(argv, *, doc: str, prefix: str, title: str, table: Callable, plot: Callable,
         md_name: str, png_name: str, machine_note: Callable[[dict], str] = lambda m: "") -> int:
    """Parse --results/--no-plots, then write md_name (title, then per kernel
    its arguments and table(rows, kernel)) and png_name (plot(runs, path))."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--results", type=Path, default=Path("results/kernel"))
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args(argv)
    runs = load(args.results, prefix)
    if not runs:
        print(f"no {prefix}-*.json in {args.results}", file=sys.stderr)
        return 1
    md = [f"# {title}", ""]
    for kernel, data in runs.items():
        m = data["meta"]
        md += [f"## Linux {m['uname']}", "",
               f"Arguments: `{json.dumps(m['args'])}`; {m['cpus']} vCPUs, QEMU accel "
               f"`{m['accel']}`{machine_note(m)}.", "", table(data["runs"], kernel)]
    (args.results / md_name).write_text("\n".join(md))
    if not args.no_plots:
        plot(runs, args.results / png_name)
    print("\n".join(md))
    return 0
