"""Turn the pytest-benchmark JSON of test_python_queues.py into a table and plots.

    python compare.py results/python/python.json --out results/python

writes table.md (ns per element for fill + drain, and the ratio to the heapq
(rank, seq, item) recipe measured in the same run), results.csv (every row,
push and pop apart) and python_item.png / python_batch.png.
"""

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

BASELINE = "heapq (rank, seq, item)"
ORDER = ["heapq ints", BASELINE, "heapx (rank, seq, item)", "SortedKeyList", "pqdict",
         "numpy stable argsort", "eiffel.FFSQueue", "eiffel.CFFSQueue", "eiffel.ApproxQueue"]
# One colour per queue in every plot.
COLORS = {name: f"C{i}" for i, name in enumerate(ORDER)}
MODE_TITLES = {
    "item": "Per element: push(rank, item) n times, then pop() n times",
    "batch": "Batch: each library's bulk push and bulk pop (heapq, pqdict: pop loop)",
}


def load(path):
    rows = []
    for bench in json.loads(Path(path).read_text())["benchmarks"]:
        info = bench["extra_info"]
        n = info["n"]
        rows.append({
            "mode": info["mode"], "dist": info["dist"], "n": n, "contender": info["contender"],
            "fifo_ties": info["stable"],
            "total_ns": bench["stats"]["median"] / n * 1e9,
            "push_ns": info["push_ns"], "pop_ns": info["pop_ns"],
            "rounds": bench["stats"]["rounds"],
        })
    return rows


def fmt_ns(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def table(rows, modes, dists):
    by = {(r["mode"], r["dist"], r["n"], r["contender"]): r for r in rows}
    sizes = sorted({r["n"] for r in rows})
    lines = []
    for mode in modes:
        for dist in dists:
            names = [c for c in ORDER if any(k[0] == mode and k[3] == c for k in by)]
            if not names:
                continue
            lines += [f"#### {mode}, {dist} ranks", "",
                      f"{MODE_TITLES[mode]}. Median ns per element for fill + drain;"
                      f" in brackets, the speed-up over `{BASELINE}` in the same run.", "",
                      "| queue | " + " | ".join(f"n = {n:,}" for n in sizes) + " |",
                      "|---|" + "---:|" * len(sizes)]
            for name in names:
                cells = []
                for n in sizes:
                    row = by.get((mode, dist, n, name))
                    base = by.get((mode, dist, n, BASELINE))
                    if row is None:
                        cells.append("–")
                    elif base is None:
                        cells.append(fmt_ns(row["total_ns"]))
                    else:
                        cells.append(f"{fmt_ns(row['total_ns'])} ({base['total_ns'] / row['total_ns']:.2f}x)")
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines)


def plot(rows, mode, dists, target):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(dists), figsize=(5 * len(dists), 4.2), sharey=True)
    axes = list(axes) if len(dists) > 1 else [axes]
    for ax, dist in zip(axes, dists):
        series = defaultdict(list)
        for r in rows:
            if r["mode"] == mode and r["dist"] == dist:
                series[r["contender"]].append((r["n"], r["total_ns"]))
        for name in ORDER:
            if name not in series:
                continue
            points = sorted(series[name])
            eiffel = name.startswith("eiffel")
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                    color=COLORS[name], linewidth=2.2 if eiffel else 1.2, linestyle="-" if eiffel else "--",
                    label=name)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{dist} ranks")
        ax.set_xlabel("elements (n)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ns per element (push + pop)")
    axes[-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.suptitle(MODE_TITLES[mode] + " (lower is better)", fontsize=11)
    fig.tight_layout()
    fig.savefig(target, dpi=90)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)
    rows = load(args.json)
    modes = [m for m in ("item", "batch") if any(r["mode"] == m for r in rows)]
    dists = [d for d in ("uniform", "timelike", "skewed") if any(r["dist"] == d for r in rows)]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "table.md").write_text(table(rows, modes, dists))
    with open(args.out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()})
    if not args.no_plots:
        for mode in modes:
            plot(rows, mode, dists, args.out / f"python_{mode}.png")
    print(f"compare: wrote {args.out}/table.md, results.csv" + ("" if args.no_plots else ", plots"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
