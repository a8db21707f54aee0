"""hClock (Billaud and Gulati, EuroSys'13) in Eiffel's form: three ranks per flow.

Eiffel's dissertation (Fig. 4.11) writes hClock with three per-flow ranks,
each kept in its own queue:

  r  reservation tag, real time (ns): advances by size / reservation when
     the flow is served to meet its reservation;
  l  limit tag, real time (ns): advances by size / limit on every service;
     a flow is eligible for its share only once l <= now;
  s  share tag, virtual time: advances by size / share on every service,
     start-time fair queueing among eligible flows.

Dequeue at time now serves the flow with the smallest r if r <= now (the
reservation phase); otherwise the eligible flow with the smallest s; if
neither exists nothing may leave and the node says when to look again.
Tags are the head packet's start tags; r and l ranks are ``unit`` ns (1 us
by default); s tags count 1/1024 byte per unit of share, and s ranks a unit
of those chosen from the trace.

Like any non-work-conserving node, an HClock node is a scheduler's root.
"""

from collections import deque

from eiffel.pifo.node import Node
from eiffel.pifo.policy import Flow, Policy
from eiffel.pifo.queue_kinds import QUEUE_KINDS, make_queue
from eiffel.pifo.shaper import NEVER
from eiffel.units import check_rate, transmission_ns
from eiffel.policies._rank_unit import unit_for

__all__ = ["HClock"]

SHARE_SCALE = 1024


def _rates(name, rates):
    rates = dict(rates or {})
    for key, rate in rates.items():
        check_rate(rate, f"flow {key!r}'s {name}")
    return rates


def _weights(shares):
    shares = dict(shares or {})
    for key, share in shares.items():
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not share > 0:
            raise ValueError(f"share {share!r} of flow {key!r} must be a positive number")
    return shares


class _Tags(Policy):
    """Sizing for one of the three queues (the node does the ranking)."""

    def __init__(self, bound, window=True):
        self._bound, self.window = bound, window

    def rank_bound(self):
        return self._bound


class _FlowTags:
    __slots__ = ("r", "l", "s", "r_handle", "l_handle", "s_handle")

    def __init__(self):
        self.r = self.l = self.s = 0
        self.r_handle = self.l_handle = self.s_handle = None


class HClock(Node):
    """Reservations, limits and shares per flow (dicts flow id -> bits/s,
    bits/s, weight).  Flows without a reservation get none, without a limit
    are unlimited, without a share weigh 1."""

    def __init__(self, reservations=None, limits=None, shares=None, *, unit=1000, queue=None, name="hclock"):
        self.reservations = _rates("reservation", reservations)
        self.limits = _rates("limit", limits)
        self.shares = _weights(shares)
        if isinstance(unit, bool) or not isinstance(unit, int) or unit < 1:
            raise ValueError(f"unit {unit!r} must be a positive number of ns")
        self.unit = unit
        super().__init__(_Tags(1), queue=queue, name=name)

    work_conserving = False

    def bind(self, trace, default_queue, count_inversions=False):
        kind = self.queue_kind or default_queue
        if kind not in QUEUE_KINDS:
            raise ValueError(f"queue kind {kind!r} is not one of {', '.join(QUEUE_KINDS)}")
        self.key = trace.column("flow").__getitem__
        self.size = trace.column("size")
        self.arrival = trace.column("time")
        largest = int(trace.array("size").max()) if len(trace) else 1
        # (with neither reservations nor limits the time queues stay empty)
        slowest = min(list(self.reservations.values()) + list(self.limits.values()), default=1e9)
        lightest = min(self.shares.values(), default=1)
        # Time tags stay within one packet's cost of now (plus lag, hence 4x).
        # Share tags run ahead of the virtual time by one packet's cost, or,
        # for a flow also served for its reservation, by up to all its bytes.
        time_bound = 4 * (transmission_ns(largest, slowest) // self.unit) + 4
        ahead = int(trace.flow_bytes.max()) if self.reservations and len(trace) else largest
        lead = (ahead + largest) * SHARE_SCALE / lightest
        self.s_unit = unit_for(lead)
        share_bound = int(lead // self.s_unit) + 2
        self.r_queue = make_queue(kind, _Tags(max(time_bound, 64)), self.name, count_inversions)
        self.l_queue = make_queue(kind, _Tags(max(time_bound, 64)), self.name)
        self.s_queue = make_queue(kind, _Tags(max(share_bound, 64)), self.name, count_inversions)
        self.queue = self.s_queue  # what summaries read stats from
        self.flows = {}
        self.vtime = 0
        self.backlogged = 0
        self.static_ranks = None
        self.insert = self._insert
        self.pop = self._pop

    def _cost(self, rate, pkt):
        return transmission_ns(self.size[pkt], rate)

    def _queue_flow(self, flow, now):
        """Put a backlogged flow into its queues by its head's tags."""
        tags, unit = flow.state, self.unit
        if flow.key in self.reservations:
            tags.r_handle = self.r_queue.push(tags.r // unit, flow)
        if tags.l > now:
            tags.l_handle = self.l_queue.push(tags.l // unit, flow)
        else:
            self._share_push(flow)

    def _share_push(self, flow):
        s_queue = self.s_queue
        if not s_queue and hasattr(s_queue, "advance"):
            # Anchor an empty window at the virtual time: every share tag
            # pushed from now on is at or after it.
            s_queue.advance(self.vtime // self.s_unit)
        flow.state.s_handle = s_queue.push(flow.state.s // self.s_unit, flow)

    def _unqueue_flow(self, flow):
        tags = flow.state
        if tags.r_handle is not None:
            self.r_queue.remove(tags.r_handle)
            tags.r_handle = None
        if tags.l_handle is not None:
            self.l_queue.remove(tags.l_handle)
            tags.l_handle = None
        if tags.s_handle is not None:
            self.s_queue.remove(tags.s_handle)
            tags.s_handle = None

    def _insert(self, pkt, now):
        key = self.key(pkt)
        flow = self.flows.get(key)
        if flow is None:
            flow = self.flows[key] = Flow(key, deque())
            flow.state = _FlowTags()
        flow.packets.append(pkt)
        self.backlogged += 1
        if len(flow.packets) == 1:
            tags = flow.state
            tags.r = max(tags.r, now)
            tags.l = max(tags.l, now)
            tags.s = max(tags.s, self.vtime)
            self._queue_flow(flow, now)

    def _release_limited(self, now):
        """Flows whose limit tag has come due become eligible for their share."""
        l_queue, slot = self.l_queue, now // self.unit
        while l_queue:
            rank, flow = l_queue.peek()
            if rank > slot:
                break
            tags = flow.state
            l_queue.remove(tags.l_handle)
            tags.l_handle = None
            # Like a flow that just became backlogged, a flow its limit held
            # back banks no share credit: its share tag starts at vtime.
            tags.s = max(tags.s, self.vtime)
            self._share_push(flow)

    def _pop(self, now):
        slot = now // self.unit
        for queue in (self.r_queue, self.l_queue):
            if hasattr(queue, "advance"):
                queue.advance(slot)
        self._release_limited(now)
        flow = None
        if self.r_queue:
            rank, candidate = self.r_queue.peek()
            if rank <= slot:
                flow, reserved = candidate, True
        if flow is None:
            if not self.s_queue:
                return -1
            rank, flow = self.s_queue.peek()
            reserved = False
            self.vtime = rank * self.s_unit
            if hasattr(self.s_queue, "advance"):
                self.s_queue.advance(rank)
        self._unqueue_flow(flow)
        pkt = flow.packets.popleft()
        self.backlogged -= 1
        tags, key = flow.state, flow.key
        if reserved:
            tags.r += self._cost(self.reservations[key], pkt)
        if key in self.limits:
            tags.l += self._cost(self.limits[key], pkt)
        tags.s += int(self.size[pkt] * SHARE_SCALE / self.shares.get(key, 1))
        if flow.packets:
            head_arrival = self.arrival[flow.packets[0]]
            tags.r = max(tags.r, head_arrival)
            tags.l = max(tags.l, head_arrival)
            self._queue_flow(flow, now)
        return pkt

    def wakeup(self):
        """When a held flow may next become eligible (ns), or NEVER."""
        best = NEVER
        for queue in (self.r_queue, self.l_queue):
            if queue:
                best = min(best, queue.peek()[0] * self.unit)
        return best

    @property
    def queues(self):
        return {"reservation": self.r_queue, "limit": self.l_queue, "share": self.s_queue}
