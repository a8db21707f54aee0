"""Plots of simulation summaries (needs matplotlib: pip install 'eiffel[plot]')."""

from eiffel._extras import require

__all__ = ["plot_extra", "plot_summaries"]


def plot_extra():
    """matplotlib, or MissingExtra naming the plot extra."""
    return require("plot", "plotting (--plot)")


def _pyplot():
    matplotlib = plot_extra()
    matplotlib.use("Agg")  # files only; never open a window
    import matplotlib.pyplot as plt

    return plt


def _close(series, other, tolerance=0.05):
    """Equal within tolerance Gbit/s in every bin."""
    return series is not None and len(series) == len(other) and all(
        abs(a - b) <= tolerance for a, b in zip(series, other)
    )


def plot_summaries(summaries, path, title=None):
    """FCT slowdown by flow size (p50 and p99 per policy) and throughput per
    class over time, for one or more Summary objects, saved to path."""
    plt = _pyplot()
    fig, (sizes, rates) = plt.subplots(1, 2, figsize=(13, 4.8))
    buckets = [row["bucket"] for row in summaries[0].fct_by_size]
    count = len(summaries)
    width = 0.8 / count
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, summary in enumerate(summaries):
        colour = colours[i % len(colours)]
        xs = [b + (i - (count - 1) / 2) * width for b in range(len(buckets))]
        p50 = [row["p50"] for row in summary.fct_by_size]
        p99 = [row["p99"] for row in summary.fct_by_size]
        sizes.bar(xs, p99, width * 0.9, color=colour, alpha=0.35, label=f"{summary.policy} p99")
        sizes.bar(xs, p50, width * 0.9, color=colour, label=f"{summary.policy} p50")
        for cls, series in summary.throughput_by_class.items():
            # Work-conserving policies on one trace send the same bytes per
            # class per bin, up to which packet straddles a bin edge: draw
            # such a series once, naming every policy.
            same = [s.policy for s in summaries if _close(s.throughput_by_class.get(cls), series)]
            if same[0] != summary.policy:
                continue
            times = [(k + 0.5) * summary.throughput_bin_ns / 1e6 for k in range(len(series))]
            label = "=".join(same)
            if len(summary.throughput_by_class) > 1:
                label += f" class {cls}"
            rates.plot(times, series, color=colour, linewidth=1, alpha=0.9,
                       linestyle=("-", "--", ":", "-.")[cls % 4], label=label)
    sizes.set_yscale("log")
    sizes.set_xticks(range(len(buckets)), buckets)
    sizes.set_xlabel("flow size (bytes)")
    sizes.set_ylabel("FCT slowdown (FCT / FCT alone)")
    sizes.set_title("FCT slowdown by flow size: p50 (solid), p99 (light)")
    sizes.axhline(1, color="grey", linewidth=0.8)
    sizes.legend(fontsize=8, ncol=count)
    rates.set_xlabel("time (ms)")
    rates.set_ylabel("throughput (Gbit/s)")
    rates.set_title("throughput per class")
    rates.axhline(summaries[0].rate / 1e9, color="grey", linewidth=0.8, linestyle=":")
    rates.legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
