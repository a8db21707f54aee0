"""The one shaper of a scheduler: a time-indexed circular queue (paper section 3.2.2).

Every rate limit of a tree stamps its packets with a release time; the
shaper holds (packet, node) pairs keyed by that time until it is reached.
Release times are rounded up to ``unit`` ns (the shaper's bucket width, like
a timing-wheel slot), so a packet may wait up to unit - 1 ns longer than its
limit asks, never less.  Entries beyond the circular queue's horizon wait in
a small heap and move into the queue as its window advances.
"""

import heapq
import itertools

from eiffel.pifo.heap import HeapPIFO
from eiffel.queues import CFFSQueue

__all__ = ["Shaper", "NEVER"]

NEVER = 2**63 - 1  # "no release pending"


class Shaper:
    def __init__(self, unit=1000, buckets=1 << 16, exact_heap=False):
        if isinstance(unit, bool) or not isinstance(unit, int) or unit < 1:
            raise ValueError(f"shaper unit {unit!r} must be a positive number of ns")
        self.unit = unit
        self._heap = exact_heap
        self.queue = HeapPIFO() if exact_heap else CFFSQueue(buckets)
        self._far = []  # (slot, seq, item) beyond the queue's horizon
        self._seq = itertools.count()
        self.far_entries = 0

    def __len__(self):
        return len(self.queue) + len(self._far)

    def push(self, ts, item):
        slot = -(-ts // self.unit)
        if self._far:
            self._admit_far()
        if not self._heap and slot >= self.queue.horizon:
            heapq.heappush(self._far, (slot, next(self._seq), item))
            self.far_entries += 1
        else:
            self.queue.push(slot, item)

    def next_release(self):
        """Earliest release time in ns, or NEVER."""
        best = NEVER
        if self.queue:
            best = self.queue.peek()[0] * self.unit
        if self._far and self._far[0][0] * self.unit < best:
            best = self._far[0][0] * self.unit
        return best

    def release(self, now):
        """Pop every entry due at or before now, in release-time order: [(ts, item)]."""
        due = []
        slot_now = now // self.unit
        queue = self.queue
        if not self._heap:
            # Keep the window at "now": every later push is at or after it.
            queue.advance(slot_now)
        while True:
            if self._far:
                self._admit_far()
            if not queue:
                break
            slot, item = queue.peek()
            if slot > slot_now:
                break
            queue.pop()
            due.append((slot * self.unit, item))
        return due

    def _admit_far(self):
        """Move far entries that the window now reaches into the queue, oldest first."""
        far, queue = self._far, self.queue
        horizon = queue.horizon
        while far and far[0][0] < horizon:
            slot, _, item = heapq.heappop(far)
            queue.push(slot, item)
