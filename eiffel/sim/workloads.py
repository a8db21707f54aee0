"""Generated workloads: Poisson flows from datacenter flow-size CDFs, and
constant-rate and on-off sources.  All return packet arrays (PACKET_DTYPE)
sorted by time; merge() combines them.

Flow sizes count bytes on the wire; a flow of S bytes is ceil(S / mtu)
packets of mtu bytes, the last one carrying the remainder.
"""

import numpy as np

from eiffel.units import NS_PER_S
from eiffel.sim.trace import NO_DEADLINE, PACKET_DTYPE

__all__ = ["CDFS", "FlowSizeCDF", "poisson_flows", "constant_rate", "on_off", "merge"]


class FlowSizeCDF:
    """A piecewise-linear flow-size CDF: sizes (bytes) against cumulative probability."""

    def __init__(self, name, points, source):
        sizes, probabilities = (np.asarray(column, dtype=float) for column in zip(*points))
        if probabilities[0] != 0 or probabilities[-1] != 1 or np.any(np.diff(probabilities) < 0):
            raise ValueError(f"{name}: probabilities must rise from 0 to 1")
        if np.any(np.diff(sizes) < 0):
            raise ValueError(f"{name}: sizes must not decrease")
        self.name, self.sizes, self.probabilities, self.source = name, sizes, probabilities, source

    def __repr__(self):
        return f"<FlowSizeCDF {self.name}: mean {self.mean:,.0f} B>"

    @property
    def mean(self):
        """Mean flow size in bytes (exact for the piecewise-linear CDF)."""
        widths = np.diff(self.probabilities)
        return float(np.sum(widths * (self.sizes[1:] + self.sizes[:-1]) / 2))

    def sample(self, n, rng):
        """n flow sizes in whole bytes (at least 1) by inverse-transform sampling."""
        sizes = np.interp(rng.random(n), self.probabilities, self.sizes)
        return np.maximum(np.ceil(sizes), 1).astype(np.int64)


# Web search: the DCTCP paper's measured distribution (Alizadeh et al.,
# SIGCOMM'10) as tabulated for the pFabric simulations and re-used by HPCC
# (traffic_gen/WebSearch_distribution.txt), NetBench, SP-PIFO and AIFO.
WEBSEARCH = FlowSizeCDF(
    "websearch",
    [(0, 0), (10e3, 0.15), (20e3, 0.2), (30e3, 0.3), (50e3, 0.4), (80e3, 0.53), (200e3, 0.6),
     (1e6, 0.7), (2e6, 0.8), (5e6, 0.9), (10e6, 0.97), (30e6, 1.0)],
    "DCTCP (SIGCOMM'10) web search, as tabulated for pFabric (SIGCOMM'13)",
)  # fmt: skip

# Data mining: VL2's measured distribution (Greenberg et al., SIGCOMM'09) as
# tabulated for the pFabric simulations (NetBench's pFabric data-mining
# table, the same points as pFabric's ns-2 CDF file).
DATAMINING = FlowSizeCDF(
    "datamining",
    [(0, 0), (180, 0.1), (216, 0.2), (560, 0.3), (900, 0.4), (1100, 0.5), (1870, 0.6),
     (3160, 0.7), (10e3, 0.8), (400e3, 0.9), (3.16e6, 0.95), (100e6, 0.98), (1e9, 1.0)],
    "VL2 (SIGCOMM'09) data mining, as tabulated for pFabric (SIGCOMM'13)",
)  # fmt: skip

CDFS = {cdf.name: cdf for cdf in (WEBSEARCH, DATAMINING)}


def _check_positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} {value!r} must be a positive number")


def _packetize(starts, flow_bytes, flow_ids, mtu, sender_rate, cls, dscp, deadlines):
    """Packets of each flow, from its start time, as one sorted array."""
    counts = -(-flow_bytes // mtu)
    total = int(counts.sum())
    flow_of = np.repeat(np.arange(len(counts)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    index = np.arange(total) - first  # packet number within its flow
    size = np.full(total, mtu, dtype=np.int64)
    last = np.cumsum(counts) - 1
    size[last] = flow_bytes - (counts - 1) * mtu
    time = starts[flow_of].copy()
    if sender_rate is not None:
        gap = mtu * 8 * NS_PER_S / sender_rate
        time += np.floor(index * gap).astype(np.int64)
    packets = np.zeros(total, dtype=PACKET_DTYPE)
    packets["time"], packets["flow"], packets["size"] = time, flow_ids[flow_of], size
    packets["cls"], packets["dscp"], packets["deadline"] = cls[flow_of], dscp[flow_of], deadlines[flow_of]
    if sender_rate is not None:
        packets = packets[np.argsort(time, kind="stable")]
    return packets


def poisson_flows(cdf, load, rate, flows, *, mtu=1500, sender_rate=None, classes=1,
                  class_dscp=None, deadline_factor=None, seed=0, first_flow=0):
    """Flows arriving as a Poisson process that offers load * rate bits/s.

    cdf: a FlowSizeCDF or the name of one in CDFS.  sender_rate: each
    flow's packets leave its sender at this rate (bits/s), or all at once
    when None (a message handed to the scheduler in one go).  Each flow gets
    a class drawn uniformly from range(classes), and the DSCP class_dscp[cls]
    (0 if not given).  deadline_factor: each flow's packets share the
    deadline start + factor * (its bytes at the link rate), or none.
    """
    if isinstance(cdf, str):
        if cdf not in CDFS:
            raise ValueError(f"unknown flow-size distribution {cdf!r}; choose one of {', '.join(CDFS)}")
        cdf = CDFS[cdf]
    _check_positive("load", load)
    _check_positive("rate", rate)
    if isinstance(flows, bool) or not isinstance(flows, int) or flows < 1:
        raise ValueError(f"flows {flows!r} must be a positive int")
    if isinstance(mtu, bool) or not isinstance(mtu, int) or not 64 <= mtu <= 65535:
        raise ValueError(f"mtu {mtu!r} must be an int in [64, 65535]")
    if sender_rate is not None:
        _check_positive("sender_rate", sender_rate)
    if isinstance(classes, bool) or not isinstance(classes, int) or not 1 <= classes <= 256:
        raise ValueError(f"classes {classes!r} must be an int in [1, 256]")
    class_dscp = np.zeros(classes, dtype=np.int64) if class_dscp is None else np.asarray(class_dscp)
    if len(class_dscp) != classes:
        raise ValueError(f"class_dscp has {len(class_dscp)} entries for {classes} classes")
    rng = np.random.default_rng(seed)
    mean_gap = cdf.mean * 8 * NS_PER_S / (load * rate)
    starts = np.cumsum(rng.exponential(mean_gap, flows)).astype(np.int64)
    flow_bytes = cdf.sample(flows, rng)
    cls = rng.integers(0, classes, flows)
    if deadline_factor is None:
        deadlines = np.full(flows, NO_DEADLINE, dtype=np.int64)
    else:
        _check_positive("deadline_factor", deadline_factor)
        deadlines = starts + (deadline_factor * flow_bytes * 8 * NS_PER_S / rate).astype(np.int64)
    ids = np.arange(first_flow, first_flow + flows, dtype=np.int64)
    return _packetize(starts, flow_bytes, ids, mtu, sender_rate, cls, class_dscp[cls], deadlines)


def constant_rate(rate, duration, *, size=1500, flow=0, start=0, cls=0, dscp=0):
    """One flow of size-byte packets at rate bits/s from start for duration ns."""
    _check_positive("rate", rate)
    _check_positive("duration", duration)
    gap = size * 8 * NS_PER_S / rate
    count = int(duration // gap)
    packets = np.zeros(count, dtype=PACKET_DTYPE)
    packets["time"] = start + np.floor(np.arange(count) * gap).astype(np.int64)
    packets["flow"], packets["size"], packets["cls"], packets["dscp"] = flow, size, cls, dscp
    packets["deadline"] = NO_DEADLINE
    return packets


def on_off(rate, on, off, duration, *, size=1500, flow=0, start=0, cls=0, dscp=0, seed=None):
    """A source sending at rate bits/s for on ns, silent for off ns, repeating
    for duration ns.  With a seed, on and off periods are exponential with
    those means instead of fixed."""
    _check_positive("on", on)
    _check_positive("off", off)
    _check_positive("duration", duration)
    rng = None if seed is None else np.random.default_rng(seed)
    bursts, t = [], start
    while t < start + duration:
        length = on if rng is None else rng.exponential(on)
        length = min(length, start + duration - t)
        if length * rate >= size * 8 * NS_PER_S:
            bursts.append(constant_rate(rate, length, size=size, flow=flow, start=int(t), cls=cls, dscp=dscp))
        t += length + (off if rng is None else rng.exponential(off))
    return np.concatenate(bursts) if bursts else np.zeros(0, dtype=PACKET_DTYPE)


def merge(*arrays):
    """Packet arrays combined into one, sorted by time (stable: ties keep argument order)."""
    packets = np.concatenate(arrays) if arrays else np.zeros(0, dtype=PACKET_DTYPE)
    return packets[np.argsort(packets["time"], kind="stable")]
