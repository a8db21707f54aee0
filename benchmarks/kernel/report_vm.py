"""What the reports of the two VM levels share (report_kernel.py for the
TCP runs, report_qbench.py for the synthetic-skb runs): one JSON file per
kernel in, a markdown table and a PNG plot out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable


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
