"""Size-based policies: SRPT, pFabric, LAS, LQF.

Sizes are bytes; ``unit`` bytes make one rank step (chosen from the trace
when not given, so that the largest flow fits about a million buckets).
"""

from collections import deque

from eiffel.pifo.policy import Policy
from eiffel.policies._rank_unit import unit_for

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
    """pFabric (Alizadeh et al., SIGCOMM'13) as Eiffel writes it: a packet
    carries a priority, its flow's remaining size; a flow ranks as the best
    priority among its queued packets -- on enqueue min(p.rank, f.rank), on
    dequeue the minimum of what is left -- and its packets leave in order.
    The minimum of a FIFO is kept in a monotone deque per flow, so both
    updates are O(1) amortised.

    What a packet's priority is depends on the sender.  pFabric's senders
    are window-limited, so a flow's queued packets are within a window of
    the bytes this link has yet to carry for it; ``stamps="link"`` (the
    default) stamps each packet on arrival with exactly that: the flow's
    bytes not yet transmitted here.  ``stamps="trace"`` uses the trace's
    ``remaining`` column, the bytes of the flow from this packet on, as an
    open-loop sender would stamp them: behind a deep backlog the minimum is
    then the newest packet, which favours flows whose sender has finished.
    """

    per_flow = True

    def __init__(self, unit=None, stamps="link"):
        if stamps not in ("link", "trace"):
            raise ValueError(f"stamps must be 'link' or 'trace', not {stamps!r}")
        super().__init__(unit)
        self.stamps = stamps

    def bind(self, trace, key):
        super().bind(trace, key)
        unit = self.unit
        self.size = trace.column("size")
        self.flow_bytes = trace.column("flow_bytes")
        self.priority = [r // unit for r in trace.column("remaining")] if self.stamps == "trace" else None

    def flow_enqueued(self, flow, pkt, now):
        # flow.state: [bytes transmitted so far, deque of (rank, pkt) minima]
        state = flow.state
        if state is None:
            state = flow.state = [0, deque()]
        if self.priority is None:
            rank = (self.flow_bytes[pkt] - state[0]) // self.unit
        else:
            rank = self.priority[pkt]
        minima = state[1]
        while minima and minima[-1][0] > rank:
            minima.pop()
        minima.append((rank, pkt))
        return minima[0][0]

    def flow_dequeued(self, flow, pkt, now):
        state = flow.state
        state[0] += self.size[pkt]
        minima = state[1]
        if minima[0][1] == pkt:
            minima.popleft()
        return minima[0][0]

    def flow_emptied(self, flow, pkt, now):
        state = flow.state
        state[0] += self.size[pkt]
        state[1].clear()


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
