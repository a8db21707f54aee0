"""Deadline policies: EDF and LSTF.

Ranks are times in units of ``unit`` ns (by default 1 us, coarser if the
trace's deadlines span more than 2**16 of them), counted from the trace's
earliest deadline so that the range fits a fixed FFS queue.  Packets without a
deadline (-1) rank after every packet that has one, FIFO among themselves.
"""

import numpy as np

from eiffel.pifo.policy import Policy
from eiffel.units import check_rate, transmission_ns
from eiffel.policies._rank_unit import unit_for

__all__ = ["EDF", "LSTF"]


class _TimeRank(Policy):
    def __init__(self, unit=None):
        self._unit = unit

    def _times(self):
        raise NotImplementedError

    def bind(self, trace, key):
        super().bind(trace, key)
        times = self._times()
        has = trace.array("deadline") >= 0
        base = int(times[has].min()) if has.any() else 0
        span = int(times[has].max()) - base if has.any() else 0
        self.unit = unit_for(span, self._unit, finest=1000)
        self._last = span // self.unit + 1  # the rank of "no deadline"
        ranks = np.full(len(trace), self._last, dtype=np.int64)
        ranks[has] = (times[has] - base) // self.unit
        self._ranks = ranks
        self._list = ranks.tolist()

    def rank(self, pkt, now):
        return self._list[pkt]

    def static_ranks(self):
        return self._ranks

    def rank_bound(self):
        return self._last + 1


class EDF(_TimeRank):
    """Earliest deadline first: rank = deadline."""

    def _times(self):
        return self.trace.array("deadline")


class LSTF(_TimeRank):
    """Least slack time first at one hop: rank = the latest time the packet
    can start and still meet its deadline, deadline - size * 8 / rate (the
    PIFO paper's slack + arrival time, with the slack carried in the packet)."""

    def __init__(self, rate, unit=None):
        super().__init__(unit)
        self.rate = check_rate(rate, "LSTF rate")

    def _times(self):
        tx = transmission_ns(self.trace.array("size").astype(np.int64), self.rate)
        return np.maximum(self.trace.array("deadline") - tx, 0)
