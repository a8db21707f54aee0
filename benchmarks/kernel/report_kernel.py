"""Tables and plot for the kernel level (written by `make -C benchmarks kernel`).

    python kernel/report_kernel.py --results results/kernel

reads kernel-<flavour>.json (from run_kernel_bench.py, one per kernel) and
writes table.md and kernel.png (CPU-seconds per GB and achieved rate against
the number of flows, per qdisc, one column per kernel).
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report_vm  # noqa: E402
from run_kernel_bench import table  # noqa: E402

QDISCS = ("eiffel", "fq", "pfifo")


def series(rows, qdisc, key):
    ns = sorted({r["flows"] for r in rows if r["qdisc"] == qdisc})
    return ns, [statistics.median(r[key] for r in rows if r["qdisc"] == qdisc and r["flows"] == n)
                for n in ns]


def plot(runs: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kernels = sorted(runs, key=lambda k: [int(x) for x in k.split(".") if x.isdigit()], reverse=True)
    fig, axes = plt.subplots(2, len(kernels), figsize=(max(6.5, 5 * len(kernels)), 7), squeeze=False,
                             sharex=True)
    for col, k in enumerate(kernels):
        rows = runs[k]["runs"]
        for q in QDISCS:
            if not any(r["qdisc"] == q for r in rows):
                continue
            ns, cost = series(rows, q, "cpu_s_per_gb")
            _, rate = series(rows, q, "mbit")
            _, busy = series(rows, q, "cpu_busy_fraction")
            line, = axes[0][col].plot(ns, cost, "-", label=f"sch_{q}" if q != "pfifo" else "pfifo")
            axes[1][col].plot(ns, rate, "-", color=line.get_color())
            for ax, ys in ((axes[0][col], cost), (axes[1][col], rate)):
                for n, y, b in zip(ns, ys, busy):  # hollow: the CPUs were saturated
                    ax.plot(n, y, "o", color=line.get_color(),
                            markerfacecolor="white" if b >= 0.95 else line.get_color())
        target = rows[0]["target_mbit"]
        axes[1][col].axhline(target, color="grey", ls=":", label="pacing total")
        axes[0][col].set_title(f"Linux {k} (QEMU/TCG, 2 vCPUs)")
        axes[0][col].set_ylabel("system + softirq CPU-s per GB")
        axes[1][col].set_ylabel("achieved Mbit/s")
        axes[1][col].set_xlabel("paced TCP flows")
        report_vm.finish_axes(axes[:, col])
        axes[0][col].legend()
    report_vm.save_figure(fig, path, "Paced TCP flows per qdisc, one boot per kernel "
                          "(emulated: compare ratios)\nmedian of repeats; hollow marks: "
                          "CPUs >= 95% busy")


def main(argv=None) -> int:
    return report_vm.main(argv, doc=__doc__, prefix="kernel",
                          title="Kernel level: paced TCP flows through sch_eiffel, fq and pfifo",
                          table=table, plot=plot, md_name="table.md", png_name="kernel.png")


if __name__ == "__main__":
    sys.exit(main())
