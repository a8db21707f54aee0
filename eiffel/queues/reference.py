"""Plain-Python models of the three queues, on heapq.

Written from the documented semantics (README.md, "Semantics"), not from the
C code, so that the tests can hold the C-backed queues to the documentation.
Each element gets a key: its absolute bucket number, counted in granularity
steps from the queue's initial start.  The queue pops the smallest
(key, arrival) pair; removal is lazy (dead heap entries are skipped).

The models are slow on purpose: clarity first.  They raise the same
exceptions as the real queues, but with shorter messages.
"""

import heapq
import itertools

U64_MAX = 2**64 - 1

__all__ = ["ReferenceFFSQueue", "ReferenceCFFSQueue", "ReferenceApproxQueue"]


def _rank(rank):
    if type(rank) is not int:
        raise TypeError(f"rank must be an int, not {type(rank).__name__}")
    if not 0 <= rank <= U64_MAX:
        raise ValueError(f"rank {rank} is outside [0, 2**64 - 1]")
    return rank


class _Entry:
    __slots__ = ("rank", "item", "key", "seq", "handle")


class _Model:
    """Elements by handle, a min-heap of (key, seq, handle), and the counters."""

    def __init__(self):
        self._entries = {}
        self._heap = []
        self._seq = itertools.count()
        self._handles = itertools.count(1)
        self.stats = dict.fromkeys(
            ("pushes", "pops", "removes", "late", "capped", "rejected", "rotations", "rebases"), 0
        )

    def __len__(self):
        return len(self._entries)

    def __bool__(self):
        return bool(self._entries)

    def __contains__(self, handle):
        return handle in self._entries

    def _insert(self, rank, item, key, handle=None):
        entry = _Entry()
        entry.rank, entry.item, entry.key = rank, item, key
        entry.seq = next(self._seq)
        entry.handle = next(self._handles) if handle is None else handle
        self._entries[entry.handle] = entry
        heapq.heappush(self._heap, (key, entry.seq, entry.handle))
        self.stats["pushes"] += 1
        return entry.handle

    def _live(self, heap):
        """Drop dead entries from the top of heap; return the live top or None."""
        while heap:
            key, seq, handle = heap[0]
            entry = self._entries.get(handle)
            if entry is not None and entry.seq == seq:
                return entry
            heapq.heappop(heap)
        return None

    def _front(self):
        return self._live(self._heap)

    def _delete(self, entry):
        del self._entries[entry.handle]
        return entry.rank, entry.item

    def pop(self):
        entry = self._front()
        if entry is None:
            raise IndexError("pop from an empty queue")
        self.stats["pops"] += 1
        return self._delete(entry)

    def peek(self):
        entry = self._front()
        if entry is None:
            raise IndexError("peek into an empty queue")
        return entry.rank, entry.item

    def remove(self, handle):
        entry = self._entries.get(handle)
        if entry is None:
            raise KeyError(handle)
        self.stats["removes"] += 1
        return self._delete(entry)

    def clear(self):
        self._entries.clear()
        self._heap.clear()

    def push_many(self, ranks, items=None):
        ranks = [_rank(r) for r in ranks]
        items = [None] * len(ranks) if items is None else list(items)
        if len(items) != len(ranks):
            raise ValueError(f"{len(ranks)} ranks but {len(items)} items")
        self._check_batch(ranks)
        return [self.push(r, i) for r, i in zip(ranks, items)]

    def pop_many(self, n):
        out = []
        while self and len(out) < n:
            out.append(self.pop())
        return out


class ReferenceFFSQueue(_Model):
    """Fixed range [0, buckets * granularity): bucket = rank // granularity."""

    def __init__(self, buckets, granularity=1):
        super().__init__()
        self.buckets, self.granularity = buckets, granularity
        self._max_heap = []  # (-key, seq, handle): the oldest of the top bucket first
        for name in ("late", "capped", "rotations", "rebases"):
            del self.stats[name]

    def _fits(self, rank):
        return rank // self.granularity < self.buckets

    def _check_batch(self, ranks):
        if not all(self._fits(r) for r in ranks):
            self.stats["rejected"] += 1
            raise ValueError("rank out of range")

    def push(self, rank, item=None):
        rank = _rank(rank)
        if not self._fits(rank):
            self.stats["rejected"] += 1
            raise ValueError(f"rank {rank} is outside [0, {self.buckets * self.granularity - 1}]")
        handle = self._insert(rank, item, rank // self.granularity)
        entry = self._entries[handle]
        heapq.heappush(self._max_heap, (-entry.key, entry.seq, handle))
        return handle

    def pop_max(self):
        entry = self._live(self._max_heap)
        if entry is None:
            raise IndexError("pop_max from an empty queue")
        self.stats["pops"] += 1
        return self._delete(entry)

    def peek_max(self):
        entry = self._live(self._max_heap)
        if entry is None:
            raise IndexError("peek_max into an empty queue")
        return entry.rank, entry.item

    def update(self, handle, rank):
        rank = _rank(rank)
        if handle not in self._entries:
            raise KeyError(handle)
        if not self._fits(rank):
            self.stats["rejected"] += 1
            raise ValueError(f"rank {rank} out of range")
        entry = self._entries[handle]
        self.remove(handle)
        self._insert(rank, entry.item, rank // self.granularity, handle)
        new = self._entries[handle]
        heapq.heappush(self._max_heap, (-new.key, new.seq, handle))

    def clear(self):
        super().clear()
        self._max_heap.clear()


class ReferenceCFFSQueue(_Model):
    """Moving window of 2 * buckets buckets (two halves), as documented.

    base is the window start.  A rank below base is late and joins the front
    bucket; at or beyond the horizon (base + 2 * buckets * granularity) it is
    capped into the last bucket or rejected; a push into an empty queue beyond
    the horizon moves base to that rank's bucket instead.  pop rotates
    (base += buckets * granularity) when the front half is empty; advance(now)
    rebases an empty queue to now's bucket or rotates once now reaches the
    second half.  base stays congruent to start modulo granularity.
    """

    def __init__(self, buckets, granularity=1, *, start=0, overflow="cap"):
        super().__init__()
        self.buckets, self.granularity, self.overflow = buckets, granularity, overflow
        self.span = buckets * granularity
        self.origin = start
        self.start = start

    @property
    def horizon(self):
        return min(self.start + 2 * self.span, U64_MAX)

    def _front_key(self):
        return (self.start - self.origin) // self.granularity

    def _front_half_empty(self):
        entry = self._front()
        return entry is None or entry.key >= self._front_key() + self.buckets

    def _rotate(self):
        self.start += self.span
        self.stats["rotations"] += 1

    def _offset(self, rank):
        return (rank - self.start) // self.granularity

    def _fits(self, rank, start):
        return rank < start or (rank - start) // self.granularity < 2 * self.buckets

    def _check_batch(self, ranks):
        if self.overflow != "raise" or not ranks:
            return
        start = self.start
        if not self and not self._fits(ranks[0], start):
            start += (ranks[0] - start) // self.granularity * self.granularity
        if not all(self._fits(r, start) for r in ranks):
            self.stats["rejected"] += 1
            raise OverflowError("rank beyond the horizon")

    def push(self, rank, item=None, handle=None):
        rank = _rank(rank)
        if rank < self.start:
            self.stats["late"] += 1
            offset = 0
        else:
            offset = self._offset(rank)
            if offset >= 2 * self.buckets:
                if not self:
                    self.start += offset * self.granularity
                    self.stats["rebases"] += 1
                    offset = 0
                elif self.overflow == "raise":
                    self.stats["rejected"] += 1
                    raise OverflowError(f"rank {rank} is beyond the horizon {self.horizon}")
                else:
                    self.stats["capped"] += 1
                    offset = 2 * self.buckets - 1
        return self._insert(rank, item, self._front_key() + offset, handle)

    def pop(self):
        if self and self._front_half_empty():
            self._rotate()
        return super().pop()

    def update(self, handle, rank):
        rank = _rank(rank)
        if handle not in self._entries:
            raise KeyError(handle)
        alone = len(self) == 1
        if self.overflow == "raise" and not alone and not self._fits(rank, self.start):
            self.stats["rejected"] += 1
            raise OverflowError(f"rank {rank} is beyond the horizon {self.horizon}")
        item = self._entries[handle].item
        self.remove(handle)
        self.push(rank, item, handle)

    def advance(self, now):
        now = _rank(now)
        if now <= self.start:
            return
        if not self:
            offset = self._offset(now)
            if offset:
                self.start += offset * self.granularity
                self.stats["rebases"] += 1
        elif self._front_half_empty() and now - self.start >= self.span:
            self._rotate()


class ReferenceApproxQueue(ReferenceCFFSQueue):
    """The approximate queue's documented guarantee, on top of the cFFS model.

    An approximate pop may return the oldest element of any non-empty bucket
    in the group of group_size buckets that holds the true minimum (groups
    are counted from the front of the half being popped); it is exact when
    that group has a single non-empty bucket.  Since the choice is not
    determined by the documentation, a pop is done in two steps:
    candidates() rotates if needed and lists the handles allowed next, and
    take(handle) pops one of them; candidates(peek=True) is what peek may show.  pop() itself is the exact pop.
    """

    def __init__(self, buckets, granularity=1, *, alpha=16, start=0, overflow="cap"):
        super().__init__(buckets, granularity, start=start, overflow=overflow)
        self.alpha = alpha
        self.group_size = min(buckets, 24 * alpha)
        self.error_sum = 0

    def candidates(self, peek=False):
        """Handles the next approximate pop may return (rotating first, as pop does).

        With peek=True nothing changes: peek never rotates, it looks into the
        second half when the first is empty.
        """
        if not self:
            return []
        front = self._front_key()
        if self._front_half_empty():
            if peek:
                front += self.buckets
            else:
                self._rotate()
                front = self._front_key()
        group = (self._front().key - front) // self.group_size
        oldest = {}
        for entry in self._entries.values():
            if (entry.key - front) // self.group_size == group:
                best = oldest.get(entry.key)
                if best is None or entry.seq < best.seq:
                    oldest[entry.key] = entry
        if len(oldest) == 1:
            return [next(iter(oldest.values())).handle]
        return sorted(e.handle for e in oldest.values())

    def take(self, handle):
        """Pop the element handle names (one of candidates()); record the error."""
        if handle not in self.candidates():
            raise KeyError(handle)
        self.error_sum += self._entries[handle].key - self._front().key
        self.stats["pops"] += 1
        return self._delete(self._entries[handle])
