"""Policies whose rank is a packet field: FIFO, strict priority, DSCP priority."""

import numpy as np

from eiffel.dscp import DSCP_COUNT, default_priority_map
from eiffel.pifo.policy import Policy

__all__ = ["FIFO", "StrictPriority", "DSCPPriority"]


class FIFO(Policy):
    """First in, first out: every packet has rank 0 and ties leave in arrival order."""

    def rank(self, pkt, now):
        return 0

    def static_ranks(self):
        return np.zeros(len(self.trace), dtype=np.int64)

    def rank_bound(self):
        return 1


class StrictPriority(Policy):
    """Rank = a packet field (default ``cls``): 0 is served first, FIFO within a level."""

    def __init__(self, field="cls"):
        self.field = field

    def bind(self, trace, key):
        super().bind(trace, key)
        self.levels = trace.column(self.field)
        array = trace.array(self.field)
        if len(array) and array.min() < 0:
            raise ValueError(f"StrictPriority needs {self.field} >= 0, not {int(array.min())}")
        self._bound = int(array.max()) + 1 if len(array) else 1

    def rank(self, pkt, now):
        return self.levels[pkt]

    def static_ranks(self):
        return self.trace.array(self.field).astype(np.int64)

    def rank_bound(self):
        return self._bound


class DSCPPriority(Policy):
    """Strict priority by DSCP through a map (default: cake diffserv4 tins, eiffel.dscp)."""

    def __init__(self, priority_map=None):
        priority_map = list(default_priority_map() if priority_map is None else priority_map)
        if len(priority_map) != DSCP_COUNT:
            raise ValueError(
                f"a DSCP priority map has {DSCP_COUNT} entries, not {len(priority_map)}")
        # At most one level per codepoint: levels 0 .. DSCP_COUNT - 1.
        for dscp, level in enumerate(priority_map):
            if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level < DSCP_COUNT:
                raise ValueError(
                    f"priority {level!r} for DSCP {dscp} is outside [0, {DSCP_COUNT - 1}]")
        self.priority_map = priority_map

    def bind(self, trace, key):
        super().bind(trace, key)
        self.dscp = trace.column("dscp")

    def rank(self, pkt, now):
        return self.priority_map[self.dscp[pkt]]

    def static_ranks(self):
        return np.asarray(self.priority_map, dtype=np.int64)[self.trace.array("dscp")]

    def rank_bound(self):
        return max(self.priority_map) + 1
