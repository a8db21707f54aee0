"""Table and plot of the synthetic-skb microbenchmark (run_qbench.py).

    python kernel/report_qbench.py --results results/kernel

reads qbench-<flavour>.json (one per kernel, e.g. qbench-6.12.json) and
writes qbench.md and qbench.png (ns per packet for enqueue and for dequeue,
and the pacing qdiscs' mean lateness, against the number of flows; one line
per qdisc, one column per kernel).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import report_vm

QDISCS = ("eiffel", "fq", "pfifo")


def medians(rows: list[dict]) -> dict:
    """(N, qdisc) -> median of each figure over the rounds."""
    by: dict = {}
    for r in rows:
        by.setdefault((r["flows"], r["qdisc"]), []).append(r)
    keys = ("enq_ns_per_pkt", "deq_ns_per_pkt", "null_per_pkt", "null_ns_per_call",
            "late_us_mean", "held")
    out = {}
    for k, rs in by.items():
        m = {key: statistics.median(r[key] for r in rs) for key in keys}
        m["both"] = statistics.median(r["enq_ns_per_pkt"] + r["deq_ns_per_pkt"] for r in rs)
        m["held_per_pkt"] = statistics.median(r["held"] / r["packets"] for r in rs)
        m["rounds"] = len(rs)
        m["early"] = sum(r["early"] for r in rs)
        m["dropped"] = sum(r["dropped"] for r in rs)
        m["due_at_start"] = max(r["due_at_start"] for r in rs)
        m["packets"] = rs[0]["packets"]
        out[k] = m
    return out


def _ratio(x: float, base: float | None) -> str:
    return f"{x / base:.2f}" if base else ""


def table(rows: list[dict], kernel: str) -> str:
    med = medians(rows)
    lines = [f"Kernel {kernel}: ns of emulated time per packet (QEMU/TCG), median of "
             f"{max(m['rounds'] for m in med.values())} rounds; dequeue = successful calls; "
             "NULL = calls that returned nothing, per packet dequeued, and their cost; "
             "held = NULLs while a packet was already due (median per run).", "",
             "| N | qdisc | enqueue ns | vs fq | dequeue ns | vs fq | enq + deq ns | vs fq "
             "| NULL / pkt | NULL ns | held | late us | early | drops |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n in sorted({k[0] for k in med}):
        fq = med.get((n, "fq"))
        for q in QDISCS:
            m = med.get((n, q))
            if not m:
                continue
            lines.append(
                f"| {n} | {q} | {m['enq_ns_per_pkt']:.0f} | "
                f"{_ratio(m['enq_ns_per_pkt'], fq and fq['enq_ns_per_pkt'])} | "
                f"{m['deq_ns_per_pkt']:.0f} | {_ratio(m['deq_ns_per_pkt'], fq and fq['deq_ns_per_pkt'])} | "
                f"{m['both']:.0f} | {_ratio(m['both'], fq and fq['both'])} | "
                f"{m['null_per_pkt']:.2f} | {m['null_ns_per_call']:.0f} | {m['held']:.0f} | "
                f"{m['late_us_mean']:.0f} | {m['early']} | {m['dropped']} |")
    return "\n".join(lines) + "\n"


def plot(runs: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kernels = sorted(runs, key=lambda k: [int(x) for x in k.split(".") if x.isdigit()], reverse=True)
    # pfifo ignores send times: its lateness is not a pacing qdisc's.
    panels = (("enq_ns_per_pkt", "enqueue: ns per packet", QDISCS),
              ("deq_ns_per_pkt", "dequeue: ns per packet", QDISCS),
              ("late_us_mean", "mean lateness: us from\nsend time to dequeue", ("eiffel", "fq")))
    fig, axes = plt.subplots(len(panels), len(kernels), figsize=(max(6.5, 5 * len(kernels)), 9),
                             squeeze=False, sharex=True)
    for col, k in enumerate(kernels):
        med = medians(runs[k]["runs"])
        for q in QDISCS:
            ns = sorted(n for (n, qq) in med if qq == q)
            if not ns:
                continue
            for row, (key, label, shown) in enumerate(panels):
                if q not in shown:
                    continue
                ax = axes[row][col]
                ax.plot(ns, [med[(n, q)][key] for n in ns], "o-",
                        label=q if q == "pfifo" else f"sch_{q}")
                ax.set_ylabel(label)
        axes[0][col].set_title(f"Linux {runs[k]['meta']['uname']}\n(QEMU/TCG, 2 vCPUs)")
        axes[-1][col].set_xlabel("flows (N), 4 packets each")
        report_vm.finish_axes(axes[:, col])
        axes[0][col].legend()
    report_vm.save_figure(fig, path, "The qdisc's own cost: synthetic EDT skbs driven through "
                          "enqueue/dequeue\n(emulated ns; median of rounds; compare the "
                          "qdiscs, not the absolute values)")


def main(argv=None) -> int:
    return report_vm.main(
        argv, doc=__doc__, prefix="qbench",
        title="The qdisc's own cost: synthetic skbs through sch_eiffel, fq and pfifo",
        table=table, plot=plot, md_name="qbench.md", png_name="qbench.png",
        machine_note=lambda m: (f"; one clock read (`ktime_get_ns`, taken off each timed "
                                f"dequeue call) costs {m['clock_ns']:.0f} ns here"))


if __name__ == "__main__":
    sys.exit(main())
