"""Size-based policies: SRPT, pFabric, LAS, LQF.

Sizes are bytes; ``unit`` bytes make one rank step (chosen from the trace
when not given, so that the largest flow fits about a million buckets).
"""

from collections import deque

from eiffel.pifo.policy import Policy
from eiffel.policies._units import unit_for

__all__ = ["SRPT", "PFabric", "LAS", "LQF"]


class _BySize(Policy):
    def __init__(self, unit=None):
        self._unit = unit

    def bind(self, trace, key):
        super().bind(trace, key)
        largest = int(trace.flow_bytes.max()) if len(trace) else 0
        self.unit = unit_for(largest, self._unit)
        self._bound = largest // self.unit + 1

    def rank_bound(self):
        return self._bound


class SRPT(_BySize):
    """Shortest remaining processing time, per flow: a flow's rank is the bytes
    it still has to send, counted from its head packet, and it is re-ranked
    on every dequeue (Eiffel's on-dequeue ranking)."""

    per_flow = True

    def bind(self, trace, key):
        super().bind(trace, key)
        unit = self.unit
        self.remaining = [r // unit for r in trace.column("remaining")]

    def flow_enqueued(self, flow, pkt, now):
        if flow.rank is None:
            return self.remaining[pkt]
        return flow.rank  # the head, and so the rank, is unchanged

    def flow_dequeued(self, flow, pkt, now):
        return self.remaining[flow.packets[0]]


class PFabric(_BySize):
    """pFabric (Alizadeh et al., SIGCOMM'13) as Eiffel writes it: a packet's
    priority is the remaining flow size its sender stamped in it; a flow
    ranks as the best priority among its queued packets, on enqueue
    min(p.rank, f.rank) and on dequeue the minimum of what is left.  Packets
    of a flow leave in order (no starvation of a flow's own head).

    The minimum of a FIFO is kept in a monotone deque per flow, so both
    updates are O(1) amortised."""

    per_flow = True

    def bind(self, trace, key):
        super().bind(trace, key)
        unit = self.unit
        self.priority = [r // unit for r in trace.column("remaining")]

    def flow_enqueued(self, flow, pkt, now):
        rank = self.priority[pkt]
        minima = flow.state
        if minima is None:
            minima = flow.state = deque()
        while minima and minima[-1] > rank:
            minima.pop()
        minima.append(rank)
        return minima[0]

    def flow_dequeued(self, flow, pkt, now):
        minima = flow.state
        if minima[0] == self.priority[pkt]:
            minima.popleft()
        return minima[0]

    def flow_emptied(self, flow, pkt, now):
        flow.state.clear()


class LAS(_BySize):
    """Least attained service: rank = bytes the packet's flow sent before it."""

    def bind(self, trace, key):
        super().bind(trace, key)
        self._ranks = trace.attained // self.unit
        self._list = self._ranks.tolist()

    def rank(self, pkt, now):
        return self._list[pkt]

    def static_ranks(self):
        return self._ranks


class LQF(Policy):
    """Longest queue first, per flow: rank = (most packets any flow can
    queue) - (packets queued), recomputed on enqueue and dequeue."""

    per_flow = True

    def bind(self, trace, key):
        super().bind(trace, key)
        self._bound = int(trace.seq.max()) + 2 if len(trace) else 2

    def flow_enqueued(self, flow, pkt, now):
        return self._bound - 1 - len(flow.packets)

    def flow_dequeued(self, flow, pkt, now):
        return self._bound - 1 - len(flow.packets)

    def rank_bound(self):
        return self._bound
