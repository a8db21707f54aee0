"""Summaries of a run: flow completion times, slowdown by flow size,
throughput per class over time, queueing delay, drops, rank inversions.

Slowdown is a flow's completion time (first arrival to last bit out) over
its completion time alone on the same link: the time its own packets would
take with no other traffic, so an isolated flow has slowdown 1 whatever its
sender's rate.  Flows that lost a packet have no completion time.
"""

from dataclasses import dataclass

import numpy as np

from eiffel.sim.simulator import transmission_times

__all__ = ["SIZE_BUCKETS", "Summary", "flow_table", "summarize"]

# Flow-size buckets (bytes): pFabric's (0, 100 KB] and (10 MB, inf) plus the two between.
SIZE_BUCKETS = (100_000, 1_000_000, 10_000_000)

FLOW_DTYPE = np.dtype(
    [("flow", "<i8"), ("bytes", "<i8"), ("packets", "<i8"), ("start", "<i8"),
     ("finish", "<i8"), ("fct", "<i8"), ("ideal", "<i8"), ("slowdown", "<f8"), ("complete", "?")]
)  # fmt: skip


def _bucket_label(low, high):
    def fmt(b):
        for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
            if b >= scale:
                return f"{b / scale:g}{unit}"
        return f"{b}B"

    return f"({fmt(low)}, {fmt(high)}]" if high is not None else f"> {fmt(low)}"


def flow_table(result):
    """One row per flow: bytes, packets, start, finish, fct, ideal, slowdown."""
    trace = result.trace
    packets = trace.packets
    n = len(packets)
    if n == 0:
        return np.zeros(0, dtype=FLOW_DTYPE)
    order = np.argsort(packets["flow"], kind="stable")
    flow = packets["flow"][order]
    starts = np.flatnonzero(np.r_[True, flow[1:] != flow[:-1]])
    arrival = packets["time"][order]
    tx = transmission_times(trace, result.rate)[order]  # the run's own rounding
    # Alone, packet k of a flow leaves at max over j <= k of (a_j + tx_j + ... + tx_k):
    # the flow finishes at max_j (a_j - tx before j) + all its tx.
    tx_before = np.cumsum(tx) - tx
    tx_before -= tx_before[starts].repeat(np.diff(np.r_[starts, n]))
    total_tx = np.add.reduceat(tx, starts)
    alone = np.maximum.reduceat(arrival - tx_before, starts) + total_tx
    table = np.zeros(len(starts), dtype=FLOW_DTYPE)
    table["flow"] = flow[starts]
    table["bytes"] = np.add.reduceat(packets["size"][order].astype(np.int64), starts)
    table["packets"] = np.diff(np.r_[starts, n])
    table["start"] = arrival[starts]
    dropped = np.add.reduceat(result.dropped[order].astype(np.int64), starts)
    table["complete"] = dropped == 0
    table["finish"] = np.maximum.reduceat(result.departure[order], starts)
    table["fct"] = np.where(table["complete"], table["finish"] - table["start"], -1)
    table["ideal"] = alone - table["start"]
    table["slowdown"] = np.where(table["complete"], table["fct"] / table["ideal"], np.nan)
    return table


@dataclass
class Summary:
    policy: str
    queue: str
    packets: int
    flows: int
    incomplete_flows: int
    drops: int
    rate: float
    duration_ns: int
    utilisation: float
    fct_by_size: list  # dicts: bucket, flows, mean, p50, p99 (slowdown)
    delay_by_class: list  # dicts: cls, packets, mean_us, p50_us, p99_us, drops
    throughput_bin_ns: int
    throughput_by_class: dict  # cls -> list of Gbit/s per bin
    inversions: dict  # node -> {"pops", "inversions", "mean_error", "max_error"}
    wall_seconds: float
    cpu_seconds: float
    packets_per_second: float  # per CPU second
    reference: dict = None  # set by ``eiffel simulate --check``: the heap PIFO comparison

    def to_dict(self):
        """Plain data for JSON: an empty bucket's NaN statistics become None."""
        return _without_nan(dict(self.__dict__))

    def format(self):
        """The summary as text tables."""
        lines = [
            f"policy {self.policy}, queue {self.queue}: {self.packets:,} packets in"
            f" {self.flows:,} flows over {self.duration_ns / 1e6:,.1f} ms at"
            f" {self.rate / 1e9:g} Gbit/s (utilisation {self.utilisation:.1%})",
            f"drops {self.drops:,}, incomplete flows {self.incomplete_flows:,};"
            f" simulated {self.packets_per_second:,.0f} packets per CPU second"
            f" ({self.cpu_seconds:.2f} s CPU, {self.wall_seconds:.2f} s wall)",
            "",
            "FCT slowdown by flow size",
            f"  {'size':<18}{'flows':>8}{'mean':>10}{'p50':>10}{'p99':>10}",
        ]
        for row in self.fct_by_size:
            lines.append(
                f"  {row['bucket']:<18}{row['flows']:>8,}{row['mean']:>10.2f}{row['p50']:>10.2f}{row['p99']:>10.2f}"
            )
        lines += ["", "Queueing delay by class (us)",
                  f"  {'class':<8}{'packets':>10}{'mean':>10}{'p50':>10}{'p99':>10}{'drops':>8}"]
        for row in self.delay_by_class:
            lines.append(
                f"  {row['cls']:<8}{row['packets']:>10,}{row['mean_us']:>10.1f}{row['p50_us']:>10.1f}"
                f"{row['p99_us']:>10.1f}{row['drops']:>8,}"
            )
        if self.inversions:
            lines += ["", "Rank inversions (pops that left a smaller rank queued)"]
            for node, row in self.inversions.items():
                lines.append(
                    f"  {node}: {row['inversions']:,} of {row['pops']:,} pops,"
                    f" mean error {row['mean_error']:.2f}, max {row['max_error']}"
                )
        return "\n".join(lines)


def _without_nan(value):
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nan(item) for item in value]
    return value


def _percentiles(values):
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    p50, p99 = np.percentile(values, [50, 99])
    return float(np.mean(values)), float(p50), float(p99)


def _inversions(result):
    out = {}
    for node, stats in result.queue_stats.items():
        if "inversions" in stats:  # counted against an exact shadow
            out[node] = {key: stats[key] for key in ("pops", "inversions", "mean_error", "max_error")}
        elif "approx_pops" in stats:  # the approximate queue's own count
            pops = stats["approx_pops"]
            inexact = stats["approx_inexact"]
            out[node] = {
                "pops": pops,
                "inversions": inexact,
                "mean_error": stats["approx_error_sum"] / inexact if inexact else 0.0,
                "max_error": stats["approx_error_max"],
            }
    return out


def summarize(result, *, policy="", queue="", size_buckets=SIZE_BUCKETS, bins=100):
    """Summarise a Result (eiffel.sim.simulate)."""
    packets = result.trace.packets
    flows = flow_table(result)
    sent = ~result.dropped
    first = int(packets["time"].min()) if len(packets) else 0
    last = int(result.departure.max()) if sent.any() else first
    duration = max(last - first, 1)
    sent_bytes = int(packets["size"][sent].sum())
    fct_rows = []
    edges = (0,) + tuple(size_buckets) + (None,)
    complete = flows[flows["complete"]]
    for low, high in zip(edges[:-1], edges[1:]):
        mask = complete["bytes"] > low
        if high is not None:
            mask &= complete["bytes"] <= high
        mean, p50, p99 = _percentiles(complete["slowdown"][mask])
        fct_rows.append({"bucket": _bucket_label(low, high), "flows": int(mask.sum()),
                         "mean": mean, "p50": p50, "p99": p99})
    delay_rows = []
    classes = np.unique(packets["cls"]) if len(packets) else []
    delay = (result.start - packets["time"]) / 1e3
    bin_ns = max(duration // bins, 1)
    throughput = {}
    for cls in classes:
        in_cls = packets["cls"] == cls
        mask = in_cls & sent
        mean, p50, p99 = _percentiles(delay[mask])
        delay_rows.append({"cls": int(cls), "packets": int(mask.sum()), "mean_us": mean,
                           "p50_us": p50, "p99_us": p99, "drops": int((in_cls & result.dropped).sum())})
        which = np.minimum((result.departure[mask] - first) // bin_ns, bins - 1)
        per_bin = np.bincount(which, weights=packets["size"][mask], minlength=bins)
        throughput[int(cls)] = (per_bin * 8 / bin_ns).tolist()  # bytes per ns -> Gbit/s
    return Summary(
        policy=policy, queue=queue, packets=len(packets), flows=len(flows),
        incomplete_flows=int((~flows["complete"]).sum()), drops=int(result.dropped.sum()),
        rate=result.rate, duration_ns=duration,
        utilisation=sent_bytes * 8e9 / result.rate / duration,
        fct_by_size=fct_rows, delay_by_class=delay_rows, throughput_bin_ns=int(bin_ns),
        throughput_by_class=throughput, inversions=_inversions(result),
        wall_seconds=result.wall_seconds, cpu_seconds=result.cpu_seconds,
        packets_per_second=result.packets_per_second,
    )  # fmt: skip
