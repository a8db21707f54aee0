"""Counting rank inversions: a queue wrapper with an exact shadow PIFO.

An inversion is a dequeue decision (pop, or the peek a per-flow node
serves from) that returned an element while one of a strictly smaller rank
was queued -- what an approximate queue trades for speed.  The shadow is a
HeapPIFO holding the same elements; it doubles the queue work, so the
scheduler only wraps its queues when asked to count.
"""

from eiffel.pifo.heap import HeapPIFO

__all__ = ["InversionCounter"]


class InversionCounter:
    """Wraps a queue; behaves like it and counts inversions in .stats."""

    def __init__(self, queue):
        self.queue = queue
        self.shadow = HeapPIFO()
        self._shadow_of = {}  # queue handle -> shadow handle
        self._handle_of = {}  # shadow handle -> queue handle
        self.decisions = self.inversions = self.error_sum = self.error_max = 0
        if hasattr(queue, "advance"):
            self.advance = queue.advance

    def __len__(self):
        return len(self.queue)

    def __bool__(self):
        return bool(self.queue)

    def push(self, rank, item=None):
        shadow = self.shadow.push(rank, None)
        handle = self.queue.push(rank, (item, shadow))
        self._shadow_of[handle] = shadow
        self._handle_of[shadow] = handle
        return handle

    def push_many(self, ranks, items=None):
        items = [None] * len(ranks) if items is None else list(items)
        return [self.push(int(rank), item) for rank, item in zip(ranks, items, strict=True)]

    def _judge(self, rank):
        best = self.shadow.peek()[0]
        self.decisions += 1
        if rank > best:
            self.inversions += 1
            self.error_sum += rank - best
            self.error_max = max(self.error_max, rank - best)

    def peek(self):
        rank, (item, _) = self.queue.peek()
        self._judge(rank)
        return rank, item

    def pop(self):
        rank, (item, shadow) = self.queue.pop()
        self._judge(rank)  # the shadow still holds what was queued before the pop
        self._forget(shadow)
        return rank, item

    def remove(self, handle):
        rank, (item, shadow) = self.queue.remove(handle)
        self._forget(shadow)
        return rank, item

    def _forget(self, shadow):
        self.shadow.remove(shadow)
        del self._shadow_of[self._handle_of.pop(shadow)]

    def update(self, handle, rank):
        self.queue.update(handle, rank)
        self.shadow.update(self._shadow_of[handle], rank)

    @property
    def horizon(self):
        return self.queue.horizon

    @property
    def start(self):
        return self.queue.start

    @property
    def stats(self):
        stats = dict(self.queue.stats)
        stats.update(
            pops=self.decisions,
            inversions=self.inversions,
            mean_error=self.error_sum / self.inversions if self.inversions else 0.0,
            max_error=self.error_max,
        )
        return stats
