"""Scheduler tree nodes.

A node orders its elements with one queue (core FFS/cFFS/approximate, or the
heap PIFO) by the rank its policy computes:

* a leaf with a packet policy queues packets;
* a leaf with a flow policy queues flows, each a FIFO of packets;
* an inner node queues one element per packet that passed up from a child,
  standing for "serve that child next" (the PIFO tree model: the child then
  serves its own best element, not necessarily the same packet).

A node may carry a rate limit (eiffel.pifo.limits); the scheduler's one
shaper enforces it between this node and its parent.
"""

from collections import deque
from numbers import Real

from eiffel.pifo.heap import HeapPIFO
from eiffel.pifo.limits import Pacing
from eiffel.pifo.policy import Flow, Policy
from eiffel.pifo.queue_kinds import make_queue
from eiffel.queues import CFFSQueue, FFSQueue

__all__ = ["Node"]


class Node:
    """One scheduling transaction: a policy, a queue and, for inner nodes, children."""

    work_conserving = True  # False: pop() may return -1 and wakeup() says when to retry

    def __init__(self, policy, children=(), *, classify=None, limit=None, queue=None, name=None):
        if not isinstance(policy, Policy):
            raise TypeError(f"policy must be an eiffel.pifo.Policy, not {type(policy).__name__}")
        self.policy = policy
        self.children = list(children)
        for child in self.children:
            if not isinstance(child, Node):
                raise TypeError(f"children must be Nodes, not {type(child).__name__}")
        if self.children and classify is None:
            raise ValueError("an inner node needs classify: a column name or a function pkt -> child index")
        if self.children and policy.per_flow:
            raise ValueError(
                f"{type(policy).__name__} ranks flows; an inner node ranks its children's packets"
            )
        if not self.children and classify is not None:
            raise ValueError("classify only applies to an inner node (one with children)")
        self.classify = classify
        if isinstance(limit, Real) and not isinstance(limit, bool):
            limit = Pacing(limit)
        self.limit = limit
        self.queue_kind = queue
        self.name = name or type(policy).__name__
        self.parent = None
        self.index = 0  # position among the parent's children
        for index, child in enumerate(self.children):
            if child.parent is not None:
                raise ValueError(f"node {child.name!r} already has a parent")
            child.parent, child.index = self, index
        self.queue = None

    def __repr__(self):
        return f"<Node {self.name} children={len(self.children)}>"

    def walk(self):
        """This node and every node below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()

    # -- set-up for one run ----------------------------------------------
    def bind(self, trace, default_queue, count_inversions=False):
        if self.children:
            key = self._classifier(trace)
        else:
            key = trace.column("flow").__getitem__
        self.key = key
        self.policy.bind(trace, key)
        kind = self.queue_kind or default_queue
        self.queue = make_queue(kind, self.policy, self.name, count_inversions)
        if self.limit is not None:
            self.limit.bind(trace)
        self.static_ranks = None
        if not self.children and not self.policy.per_flow:
            static = self.policy.static_ranks()
            if static is not None:
                self.static_ranks = static
                self.static_rank_list = static.tolist()
        self._choose_paths()

    def _classifier(self, trace):
        n = len(self.children)
        if isinstance(self.classify, str):
            values = trace.column(self.classify)
            bad = [v for v in set(values) if not 0 <= v < n]
            if bad:
                raise ValueError(
                    f"node {self.name!r}: column {self.classify!r} has value {min(bad)},"
                    f" outside the child indices [0, {n - 1}]"
                )
            return values.__getitem__
        if not callable(self.classify):
            raise TypeError(f"classify must be a column name or callable, not {self.classify!r}")
        return self.classify

    def _choose_paths(self):
        policy, queue = self.policy, self.queue
        hooked = type(policy).dequeued is not Policy.dequeued or "dequeued" in vars(policy)
        self.hooked = hooked  # the policy wants to hear of each dequeue
        if policy.per_flow:
            self.flows = {}
            # Flows leave through peek + update/remove, which never rotate a
            # circular queue: tell it the served rank is now in the past.
            self._advance = queue.advance if policy.window and hasattr(queue, "advance") else None
            self.insert, self.pop = self._flow_paths()
        elif self.static_ranks is not None:
            ranks, push = self.static_rank_list, queue.push
            self.insert = lambda pkt, now: push(ranks[pkt], pkt)
            self.pop = self._pop_hooked if hooked else self._pop_plain
        else:
            rank, push = policy.rank, queue.push
            self.insert = lambda pkt, now: push(rank(pkt, now), pkt)
            self.pop = self._pop_hooked if hooked else self._pop_plain

    # -- packets and elements --------------------------------------------
    def insert_child(self, child_index, pkt, now):
        """An element for child_index, ranked by this node's policy on pkt."""
        self.queue.push(self.policy.rank(pkt, now), child_index)

    def insert_batch(self, first, end):
        """Queue packets first..end-1, whose ranks are static, in one call."""
        self.queue.push_many(self.static_ranks[first:end], range(first, end))

    def _pop_plain(self, now):
        return self.queue.pop()[1]

    def _pop_hooked(self, now):
        rank, item = self.queue.pop()
        self.policy.dequeued(item, rank, now)
        return item

    def _flow_paths(self):
        """insert and pop for a flow policy, as closures over locals: they run
        once per packet, and local lookups are the cheapest Python has.

        They remember the queue's front flow so that most dequeues need no
        peek: the front stays the front until a flow is pushed or re-ranked
        strictly below it (ties queue behind it), or it is re-ranked upward
        or removed -- only then does the next dequeue peek again.
        """
        flows, key = self.flows, self.key
        queue, policy = self.queue, self.policy
        push, update, peek, remove = queue.push, queue.update, queue.peek, queue.remove
        enqueued, dequeued, emptied = policy.flow_enqueued, policy.flow_dequeued, policy.flow_emptied
        advance = self._advance
        state = [None, None]  # [front flow or None if unknown, last rank advanced to]

        def insert(pkt, now):
            k = key(pkt)
            flow = flows.get(k)
            if flow is None:
                flow = flows[k] = Flow(k, deque())
            flow.packets.append(pkt)
            rank = enqueued(flow, pkt, now)
            front = state[0]
            if flow.handle is None:
                flow.rank = rank
                flow.handle = push(rank, flow)
                if front is not None and rank < front.rank:
                    state[0] = flow
            elif rank != flow.rank:
                if flow is front:
                    if rank > flow.rank:
                        state[0] = None
                elif front is not None and rank < front.rank:
                    state[0] = flow
                flow.rank = rank
                update(flow.handle, rank)

        def pop(now):
            flow = state[0]
            if flow is None or approximate:
                served, flow = peek()
                state[0] = flow
            else:
                served = flow.rank
            if advance is not None and served != state[1]:
                # Before any update: the served rank is the front, and the
                # flow's next rank must fit the window that starts near it.
                state[1] = served
                advance(served)
            packets = flow.packets
            pkt = packets.popleft()
            if packets:
                rank = dequeued(flow, pkt, now)
                if rank != flow.rank:
                    if rank > flow.rank:
                        state[0] = None
                    flow.rank = rank
                    update(flow.handle, rank)
            else:
                remove(flow.handle)
                emptied(flow, pkt, now)
                flow.handle = None
                flow.rank = None
                state[0] = None
            return pkt

        # An approximate queue decides its own front (and a counting wrapper
        # must see every decision): always ask those.
        approximate = type(queue) not in (FFSQueue, CFFSQueue, HeapPIFO)
        return insert, pop
