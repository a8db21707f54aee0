"""Scheduler: a tree of nodes, one shared shaper, enqueue and dequeue.

A packet enters at the leaf its classification leads to, then climbs: at
each node on the way up it leaves one element in the parent's queue (the
PIFO tree model).  A node with a rate limit stops the climb: the packet's
(next step) waits in the shaper until the limit's timestamp, then climbs on
-- the paper's decoupled shaping, where limits may sit on leaves, inner nodes
and the root alike (a limit on the root paces the whole output).  Dequeue
walks down from the root, each node popping its best element.
"""

from eiffel.pifo.node import Node
from eiffel.pifo.shaper import NEVER, Shaper

__all__ = ["Scheduler", "NEVER"]


class Scheduler:
    """A scheduling tree ready to run on a trace.

    queue is the default queue kind for nodes that do not choose one
    ("exact", "ffs", "cffs", "approx" or "heap"); "heap" also makes the
    shaper an exact heap, which turns the whole tree into the reference.
    """

    def __init__(self, root, *, queue="exact", shaper_unit=1000, shaper_buckets=1 << 16,
                 count_inversions=False):
        if not isinstance(root, Node):
            raise TypeError(f"root must be a Node, not {type(root).__name__}")
        if root.parent is not None:
            raise ValueError(f"node {root.name!r} is a child of another node; pass the root")
        self.root = root
        self.queue_kind = queue
        self.count_inversions = count_inversions
        self.shaper_unit = shaper_unit
        self.shaper_buckets = shaper_buckets
        self.nodes = list(root.walk())
        self.shaped = any(node.limit is not None for node in self.nodes)
        self.trace = None

    def __repr__(self):
        return f"<Scheduler root={self.root.name} nodes={len(self.nodes)} queue={self.queue_kind}>"

    def bind(self, trace):
        """Prepare every node (queues, policies) for a run over trace; return self."""
        for node in self.nodes:
            node.bind(trace, self.queue_kind, self.count_inversions)
        self.trace = trace
        self.backlog = 0
        self.shaper = None
        self.wire_tokens = 0
        if self.shaped:
            self.shaper = Shaper(self.shaper_unit, self.shaper_buckets, self.queue_kind == "heap")
        root = self.root
        for node in self.nodes:
            if not node.work_conserving and node is not root:
                raise ValueError(f"node {node.name!r} may hold packets back: it must be the root")
        self.single = not root.children and not self.shaped and root.work_conserving
        self.batchable = self.single and root.static_ranks is not None
        self._leaf_of = self._classifier()
        return self

    def _classifier(self):
        root = self.root
        if not root.children:
            return lambda pkt: root
        def leaf_of(pkt):
            node = root
            while node.children:
                node = node.children[node.key(pkt)]
            return node
        return leaf_of

    # -- the operations the simulator calls --------------------------------
    def enqueue(self, pkt, now):
        self.backlog += 1
        if self.single:
            self.root.insert(pkt, now)
            return
        leaf = self._leaf_of(pkt)
        leaf.insert(pkt, now)
        self._climb(leaf, pkt, now)

    def enqueue_batch(self, first, end):
        """Queue packets first..end-1 in one call (batchable schedulers only)."""
        self.backlog += end - first
        self.root.insert_batch(first, end)

    def _climb(self, node, pkt, now):
        while True:
            if node.limit is not None:
                self.shaper.push(node.limit.stamp(pkt, now), (pkt, node))
                return
            parent = node.parent
            if parent is None:
                return
            parent.insert_child(node.index, pkt, now)
            node = parent

    def next_release(self):
        """When the shaper next lets a packet move on (ns), or NEVER."""
        return self.shaper.next_release() if self.shaper is not None else NEVER

    def wakeup(self):
        """After dequeue found nothing eligible: when to try again (ns), or NEVER."""
        due = self.next_release()
        if not self.root.work_conserving:
            due = min(due, self.root.wakeup())
        return due

    def release(self, now):
        """Move every packet whose limit allows it by now one step up the tree."""
        if self.shaper is None:
            return
        for ts, (pkt, node) in self.shaper.release(now):
            parent = node.parent
            if parent is None:
                self.wire_tokens += 1
            else:
                parent.insert_child(node.index, pkt, ts)
                self._climb(parent, pkt, ts)

    def dequeue(self, now):
        """The next packet to transmit at time now, or -1 if none may leave."""
        root = self.root
        if not root.work_conserving:
            pkt = root.pop(now)
            if pkt >= 0:
                self.backlog -= 1
            return pkt
        if root.limit is not None:
            if not self.wire_tokens:
                return -1
            self.wire_tokens -= 1
        elif not root.queue:
            return -1
        node = root
        while node.children:
            node = node.children[node.pop(now)]
        self.backlog -= 1
        return node.pop(now)
