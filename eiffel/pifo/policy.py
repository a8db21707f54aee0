"""Policies: the rank functions a scheduler node runs.

A policy is a small object with a few methods; the built-in ones in
eiffel.policies are written exactly like a user's.  Packets are trace
indices (ints), never objects, so the hot path creates nothing per packet:
a policy reads the columns it needs from the trace once, in bind().

Two kinds of node use a policy:

* a *packet* policy ranks each packet (or, at an inner node, each element
  that stands for a packet of a child) when it is enqueued: ``rank(pkt,
  now)``; ``dequeued(item, rank, now)`` lets it update state such as a
  virtual time.  If the ranks depend on the packet alone, ``static_ranks()``
  returns them all at once as a numpy array and the node pushes in batches.
* a *flow* policy (``per_flow = True``) ranks flows: each flow keeps its
  packets in FIFO order and its rank is recomputed when a packet joins
  (``flow_enqueued``) and when one leaves (``flow_dequeued``) -- Eiffel's
  per-flow and on-dequeue ranking (NSDI'19, section 3.2.1).

Ranks are non-negative ints.  Each policy states its own rank unit and
which kind of queue it needs (``window``): a fixed range [0, rank_bound())
for an FFS queue, or ranks that move forward (virtual or real time) and stay
within ``rank_bound()`` of the last rank dequeued, for a circular queue.
Equal ranks leave in FIFO order, so a rank unit is also a tie rule.
"""

__all__ = ["Flow", "Policy", "packet_policy", "flow_policy"]


class Flow:
    """A flow at a per-flow node: its packets in FIFO order and its rank.

    ``state`` belongs to the policy (a deficit, a deque of minima, tags...).
    """

    __slots__ = ("key", "packets", "rank", "handle", "state")

    def __init__(self, key, packets):
        self.key = key
        self.packets = packets
        self.rank = None
        self.handle = None
        self.state = None

    def __repr__(self):
        return f"<Flow {self.key!r} rank={self.rank} packets={len(self.packets)}>"


class Policy:
    """Base class: override rank() (packet policy) or flow_enqueued() (flow policy)."""

    per_flow = False
    window = False  # True: ranks move forward (use a circular queue)

    def bind(self, trace, key):
        """Called once per run. trace: eiffel.sim.Trace; key(pkt): the packet's flow or class."""
        self.trace = trace
        self.key = key

    def rank_bound(self):
        """Fixed range: every rank is below this.  Window: the largest distance
        between a rank being pushed and the last rank dequeued."""
        raise NotImplementedError(f"{type(self).__name__} must say how large its ranks get")

    # -- packet policies --------------------------------------------------
    def rank(self, pkt, now):
        raise NotImplementedError(f"{type(self).__name__} ranks flows, not packets")

    def static_ranks(self):
        """All packets' ranks as an integer array, if they depend on the packet alone."""
        return None

    def dequeued(self, item, rank, now):
        """A packet (or an inner node's element) of this rank left at time now."""

    # -- flow policies ----------------------------------------------------
    def flow_enqueued(self, flow, pkt, now):
        """pkt joined flow (flow.rank is None if the flow was idle); return its rank."""
        raise NotImplementedError(f"{type(self).__name__} ranks packets, not flows")

    def flow_dequeued(self, flow, pkt, now):
        """pkt left a flow that still has packets; return its new rank."""
        return flow.rank

    def flow_emptied(self, flow, pkt, now):
        """pkt was the flow's last queued packet."""


class _Callables(Policy):
    """What the policies built from user callables share: bound, window, bind."""

    def __init__(self, bound, window, bind):
        self._bound, self.window, self._bind = bound, window, bind

    def bind(self, trace, key):
        super().bind(trace, key)
        if self._bind is not None:
            self._bind(trace, key)

    def rank_bound(self):
        return self._bound


class _PacketFunctions(_Callables):
    def __init__(self, rank, bound, window, dequeued, bind):
        super().__init__(bound, window, bind)
        self.rank = rank  # the node calls the user's functions directly
        if dequeued is not None:
            self.dequeued = dequeued


def packet_policy(rank, *, bound, window=False, dequeued=None, bind=None):
    """A packet policy from callables: rank(pkt, now) -> int, and optionally
    dequeued(item, rank, now) and bind(trace, key)."""
    if not callable(rank):
        raise TypeError(f"rank must be callable, not {type(rank).__name__}")
    return _PacketFunctions(rank, bound, window, dequeued, bind)


class _FlowFunctions(_Callables):
    per_flow = True

    def __init__(self, enqueued, dequeued, bound, window, bind):
        super().__init__(bound, window, bind)
        self.flow_enqueued = enqueued
        if dequeued is not None:
            self.flow_dequeued = dequeued


def flow_policy(enqueued, dequeued=None, *, bound, window=False, bind=None):
    """A flow policy from callables: enqueued(flow, pkt, now) -> rank and,
    for on-dequeue ranking, dequeued(flow, pkt, now) -> rank."""
    if not callable(enqueued):
        raise TypeError(f"enqueued must be callable, not {type(enqueued).__name__}")
    return _FlowFunctions(enqueued, dequeued, bound, window, bind)
