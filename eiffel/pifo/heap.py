"""HeapPIFO: the ideal push-in first-out queue, on heapq.

This is the exact reference every scheduler is checked against: no buckets,
no window, no range.  It offers the subset of the core queues' interface
that the scheduler model uses (push, pop, peek, remove, update, push_many,
len, bool, in, stats), with the same tie rule: equal ranks leave in the
order they were pushed, and update() moves an element behind the others of
its new rank.  Removal is lazy: a dead heap entry is skipped when it
surfaces.
"""

import heapq
import itertools

__all__ = ["HeapPIFO"]


class HeapPIFO:
    """An unbounded exact PIFO over non-negative integer ranks."""

    def __init__(self):
        self._heap = []  # (rank, seq, handle)
        self._live = {}  # handle -> [rank, seq, item]
        self._seq = itertools.count()
        self._handles = itertools.count()
        self.stats = {"pushes": 0, "pops": 0, "removes": 0}

    def __repr__(self):
        return f"<HeapPIFO len={len(self)}>"

    def __len__(self):
        return len(self._live)

    def __bool__(self):
        return bool(self._live)

    def __contains__(self, handle):
        return handle in self._live

    def push(self, rank, item=None):
        if type(rank) is not int or rank < 0:
            raise ValueError(f"rank {rank!r} is outside the valid range [0, 2**64 - 1]")
        handle = next(self._handles)
        seq = next(self._seq)
        self._live[handle] = [rank, seq, item]
        heapq.heappush(self._heap, (rank, seq, handle))
        self.stats["pushes"] += 1
        return handle

    def push_many(self, ranks, items=None):
        if items is None:
            items = [None] * len(ranks)
        return [self.push(int(rank), item) for rank, item in zip(ranks, items, strict=True)]

    def _front(self):
        heap, live = self._heap, self._live
        while heap:
            rank, seq, handle = heap[0]
            entry = live.get(handle)
            if entry is not None and entry[1] == seq:
                return handle, entry
            heapq.heappop(heap)
        raise IndexError("pop from an empty HeapPIFO")

    def peek(self):
        _, entry = self._front()
        return entry[0], entry[2]

    def pop(self):
        handle, entry = self._front()
        heapq.heappop(self._heap)
        del self._live[handle]
        self.stats["pops"] += 1
        return entry[0], entry[2]

    def remove(self, handle):
        entry = self._live.pop(handle)  # KeyError for a stale handle, like the core
        self.stats["removes"] += 1
        return entry[0], entry[2]

    def update(self, handle, rank):
        entry = self._live[handle]
        entry[0] = rank
        entry[1] = next(self._seq)
        heapq.heappush(self._heap, (rank, entry[1], handle))

    def clear(self):
        self._heap.clear()
        self._live.clear()
