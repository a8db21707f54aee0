"""Fair queueing: DRR, STFQ (WFQ) and two-level HPFQ."""

from eiffel.pifo.node import Node
from eiffel.pifo.policy import Policy
from eiffel.policies._rank_unit import unit_for

__all__ = ["DRR", "STFQ", "WFQ", "hpfq"]


class DRR(Policy):
    """Deficit round robin (Shreedhar & Varghese, SIGCOMM'95) as per-flow ranks.

    A flow's rank is the round in which it is served next; flows of one
    round leave in the order they joined it, which is DRR's active list.
    A flow joining, or ending its turn, moves to a later round with quantum
    bytes of credit per round.  As in the paper, a turn ends as soon as the
    deficit cannot cover the flow's next packet (Linux's sch_drr checks at
    the next dequeue instead, so a flow arriving meanwhile goes ahead).
    This is exactly DRR when quantum is at least the largest packet (the
    usual rule); with smaller quanta a flow that must skip rounds waits at
    the front of its later round, not the back.
    """

    per_flow = True
    window = True

    def __init__(self, quantum=1500):
        if isinstance(quantum, bool) or not isinstance(quantum, int) or quantum < 1:
            raise ValueError(f"DRR quantum {quantum!r} must be a positive number of bytes")
        self.quantum = quantum

    def bind(self, trace, key):
        super().bind(trace, key)
        self.size = trace.column("size")
        self.round = 0  # the round of the flow served last
        largest = int(trace.array("size").max()) if len(trace) else 1
        self._bound = -(-largest // self.quantum) + 2

    def rank_bound(self):
        return self._bound

    def _credit(self, rank, deficit, size):
        quantum = self.quantum
        while deficit < size:
            rank += 1
            deficit += quantum
        return rank, deficit

    def flow_enqueued(self, flow, pkt, now):
        if flow.rank is not None:
            return flow.rank
        rank, flow.state = self._credit(self.round, 0, self.size[pkt])
        return rank

    def flow_dequeued(self, flow, pkt, now):
        self.round = flow.rank
        rank, flow.state = self._credit(flow.rank, flow.state - self.size[pkt], self.size[flow.packets[0]])
        return rank

    def flow_emptied(self, flow, pkt, now):
        self.round = flow.rank
        flow.state = 0


class STFQ(Policy):
    """Start-time fair queueing (Goyal et al.), as pifo-machine's wfq.dot:
    rank = start tag = max(virtual time, the key's last finish tag), and
    finish = start + size / weight; the virtual time is the start tag of the
    element last dequeued.

    Keys are flows at a leaf and children at an inner node.  Virtual time
    is counted in 1/1024 byte per unit weight, and ranks are start tags in
    ``unit`` of those; the virtual time is kept in whole units too.  When
    not given, unit is the smallest that fits the trace's largest per-key
    byte total into 65,536 buckets -- sub-byte for flows, but coarse for
    classes of a long trace (HPFQ's root over 11.5 million web-search
    packets in two classes: about 128 KB per step, so the classes alternate
    in chunks of that size); pass a finer unit, and the queue grows to match.  weights maps a key to a positive
    weight (default 1).
    """

    window = True
    SCALE = 1024

    def __init__(self, weights=None, unit=None):
        self.weights = dict(weights or {})
        for key, weight in self.weights.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not weight > 0:
                raise ValueError(f"weight {weight!r} of {key!r} must be a positive number")
        self._unit = unit

    def bind(self, trace, key):
        super().bind(trace, key)
        self.size = trace.column("size")
        self.finish = {}
        self.vtime = 0
        # The furthest a start tag can run ahead of the virtual time is the
        # backlog of one key, at most the bytes the trace sends for it.
        totals = {}
        for pkt, size in enumerate(self.size):
            k = key(pkt)
            totals[k] = totals.get(k, 0) + size
        lightest = min((self.weights.get(k, 1) for k in totals), default=1)
        span = max(totals.values(), default=0) * self.SCALE / lightest
        self.unit = unit_for(span, self._unit)
        self._bound = int(span // self.unit) + 2
        self._cost = {k: self.SCALE / self.weights.get(k, 1) for k in totals}

    def rank_bound(self):
        return self._bound

    def rank(self, pkt, now):
        k = self.key(pkt)
        start = self.finish.get(k, 0)
        if start < self.vtime:
            start = self.vtime
        self.finish[k] = start + int(self.size[pkt] * self._cost[k])
        return start // self.unit

    def dequeued(self, item, rank, now):
        self.vtime = rank * self.unit


WFQ = STFQ  # pifo-machine's wfq.dot is start-time fair queueing


def hpfq(class_weights, *, field="cls", flow_weights=None, queue=None, class_unit=None):
    """Two-level hierarchical fair queueing (PIFO's HPFQ): STFQ among classes
    (the ``field`` column: 0, 1, ...) by class_weights, STFQ among the flows
    of each class.  class_weights is a sequence, one weight per class;
    class_unit is the root's rank unit (see STFQ)."""
    class_weights = list(class_weights)
    if not class_weights:
        raise ValueError("hpfq needs at least one class weight")
    leaves = [
        Node(STFQ(flow_weights), name=f"class {c}", queue=queue) for c in range(len(class_weights))
    ]
    weights = dict(enumerate(class_weights))
    return Node(STFQ(weights, class_unit), leaves, classify=field, name="hpfq root", queue=queue)
