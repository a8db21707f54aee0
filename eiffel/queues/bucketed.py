"""Pythonic queues over the C core: FFSQueue, CFFSQueue and ApproxQueue.

Every queue stores (rank, item) pairs.  Ranks are integers in [0, 2**64 - 1]
that fall into buckets of ``granularity`` rank units; equal bucket means equal
priority and first-in first-out.  ``pop`` returns the rank that was pushed,
not the bucket.  The window rules of the circular queues are in README.md and
csrc/eiffel_queue.h.
"""

import operator
import threading

import numpy as np

from eiffel.queues._core import ffi, lib

__all__ = ["FFSQueue", "CFFSQueue", "ApproxQueue"]

U64_MAX = 2**64 - 1
_SLOT_MASK = 0xFFFFFFFF
_INT64_MAX = 2**63 - 1

_STATS = ("pushes", "pops", "removes", "late", "capped", "rejected", "rotations", "rebases")
_APPROX_STATS = (
    "approx_pops",
    "approx_inexact",
    "approx_error_sum",
    "approx_error_max",
    "approx_searches",
)


def _check_rank(rank, what="rank"):
    """Return rank as an int in [0, 2**64 - 1] or raise TypeError/ValueError."""
    if type(rank) is not int:
        if isinstance(rank, bool) or not hasattr(type(rank), "__index__"):
            raise TypeError(f"{what} must be an integer, not {type(rank).__name__} ({rank!r})")
        rank = operator.index(rank)
    if not 0 <= rank <= U64_MAX:
        raise ValueError(f"{what} {rank} is outside the valid range [0, 2**64 - 1]")
    return rank


def _check_count(value, what, low, high):
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{what} must be an integer, not {type(value).__name__} ({value!r})")
    value = operator.index(value)
    if not low <= value <= high:
        raise ValueError(f"{what} {value} is outside the valid range [{low}, {high}]")
    return value


def _rank_array(ranks):
    """ranks as a contiguous uint64 array, validated without a Python loop."""
    array = np.asarray(ranks)
    if array.ndim != 1:
        raise ValueError(f"ranks must be one-dimensional, not of shape {array.shape}")
    if array.size == 0:
        return np.empty(0, dtype=np.uint64)
    if array.dtype == np.bool_ or array.dtype.kind not in "iu":
        raise TypeError(
            f"ranks must be an integer array, not dtype {array.dtype}"
            " (ranks above 2**63 - 1 need dtype uint64)"
        )
    if array.dtype.kind == "i":
        negative = np.flatnonzero(array < 0)
        if negative.size:
            index = int(negative[0])
            raise ValueError(
                f"ranks[{index}] = {int(array[index])} is outside the valid range [0, 2**64 - 1]"
            )
    return np.ascontiguousarray(array, dtype=np.uint64)


class _Queue:
    """What the three queues share: storage of items by slot, batches, stats."""

    _kind = None

    def __init__(self, pq, describe):
        if pq == ffi.NULL:
            raise MemoryError(f"cannot allocate {describe}")
        self._pq = ffi.gc(pq, lib.eiffel_pyq_destroy)
        self._items = np.empty(0, dtype=object)
        # cffi releases the GIL around C calls, so two threads could race in
        # the core: refuse concurrent use instead of corrupting the queue.
        self._lock = threading.Lock()
        self._describe = describe

    def __repr__(self):
        return f"<{self._describe} len={len(self)}>"

    def __len__(self):
        return self._pq.count

    def __bool__(self):
        return self._pq.count != 0

    def __contains__(self, handle):
        return type(handle) is int and 0 <= handle <= U64_MAX and bool(
            lib.eiffel_pyq_contains(self._pq, handle)
        )

    def _enter(self):
        if not self._lock.acquire(False):
            raise RuntimeError(f"{self._describe} is being used by another thread")

    def _grow(self):
        capacity = self._pq.capacity
        if capacity > len(self._items):
            items = np.empty(capacity, dtype=object)
            items[: len(self._items)] = self._items
            self._items = items

    def _rejected(self, rank):
        raise NotImplementedError

    def push(self, rank, item=None):
        """Queue item with rank; return a handle for remove() and update()."""
        if type(rank) is not int or rank < 0 or rank > U64_MAX:
            rank = _check_rank(rank)
        self._enter()
        try:
            handle = lib.eiffel_pyq_push(self._pq, rank)
            if handle < 0:
                if handle == lib.EIFFEL_PY_NOMEM:
                    raise MemoryError(f"{self._describe} cannot grow")
                self._rejected(rank)
            slot = handle & _SLOT_MASK
            if slot >= len(self._items):
                self._grow()
            self._items[slot] = item
            return handle
        finally:
            self._lock.release()

    def _take(self, handle):
        slot = handle & _SLOT_MASK
        item = self._items[slot]
        self._items[slot] = None
        return self._pq.last_rank, item

    def _pop(self, at_max, what):
        self._enter()
        try:
            handle = lib.eiffel_pyq_pop(self._pq, at_max)
            if handle < 0:
                raise IndexError(f"{what} from an empty {type(self).__name__}")
            return self._take(handle)
        finally:
            self._lock.release()

    def _peek(self, at_max, what):
        self._enter()
        try:
            handle = lib.eiffel_pyq_peek(self._pq, at_max)
            if handle < 0:
                raise IndexError(f"{what} into an empty {type(self).__name__}")
            return self._pq.last_rank, self._items[handle & _SLOT_MASK]
        finally:
            self._lock.release()

    def pop(self):
        """Remove and return (rank, item) of the front element."""
        return self._pop(0, "pop")

    def peek(self):
        """Return (rank, item) of the element pop() would return, leaving it queued."""
        return self._peek(0, "peek")

    def _check_handle(self, handle):
        if isinstance(handle, bool) or not hasattr(type(handle), "__index__"):
            raise TypeError(f"handle must be an integer, not {type(handle).__name__}")
        handle = operator.index(handle)
        if not 0 <= handle <= U64_MAX:
            raise KeyError(handle)
        return handle

    def remove(self, handle):
        """Take the element named by handle out of the queue; return (rank, item)."""
        handle = self._check_handle(handle)
        self._enter()
        try:
            if lib.eiffel_pyq_remove(self._pq, handle) < 0:
                raise KeyError(handle)
            return self._take(handle)
        finally:
            self._lock.release()

    def update(self, handle, rank):
        """Give a queued element a new rank (it goes to the back of its new bucket)."""
        handle = self._check_handle(handle)
        rank = _check_rank(rank)
        self._enter()
        try:
            status = lib.eiffel_pyq_update(self._pq, handle, rank)
        finally:
            self._lock.release()
        if status == lib.EIFFEL_PY_STALE:
            raise KeyError(handle)
        if status == lib.EIFFEL_PY_REJECTED:
            self._rejected(rank)

    def clear(self):
        """Drop every element; handles of dropped elements become invalid."""
        self._enter()
        try:
            lib.eiffel_pyq_clear(self._pq)
            self._items[:] = None
        finally:
            self._lock.release()

    def push_many(self, ranks, items=None):
        """Queue a batch; return the handles as an int64 array.

        ranks is any integer array-like (values above 2**63 - 1 need dtype
        uint64); items is a sequence of the same length, or None.  The batch
        is validated first: a rejected batch queues nothing.
        """
        ranks = _rank_array(ranks)
        n = len(ranks)
        if items is not None:
            if not (isinstance(items, np.ndarray) and items.dtype == object and items.ndim == 1):
                items = np.fromiter(items, dtype=object, count=-1)
            if len(items) != n:
                raise ValueError(f"{n} ranks but {len(items)} items")
        handles = np.empty(n, dtype=np.uint64)
        self._enter()
        try:
            bad = lib.eiffel_pyq_check_many(
                self._pq, ffi.from_buffer("uint64_t[]", ranks), n
            )
            if bad >= 0:
                self._rejected(int(ranks[bad]), index=bad)
            status = lib.eiffel_pyq_push_many(
                self._pq,
                ffi.from_buffer("uint64_t[]", ranks),
                n,
                ffi.from_buffer("uint64_t[]", handles, require_writable=True),
            )
            if status == lib.EIFFEL_PY_NOMEM:
                raise MemoryError(f"{self._describe} cannot grow by {n}")
            self._grow()
            if items is not None:
                self._items[(handles & _SLOT_MASK).astype(np.intp)] = items
        finally:
            self._lock.release()
        return handles.view(np.int64)

    def pop_many(self, n):
        """Pop up to n elements in order; return (ranks, items) arrays.

        ranks is int64 unless the queue held ranks above 2**63 - 1, in which
        case it is uint64 so that nothing is truncated.
        """
        n = _check_count(n, "n", 0, U64_MAX)
        self._enter()
        try:
            n = min(n, self._pq.count)
            wide = self._pq.big != 0
            ranks = np.empty(n, dtype=np.uint64)
            handles = np.empty(n, dtype=np.uint64)
            got = lib.eiffel_pyq_pop_many(
                self._pq,
                n,
                ffi.from_buffer("uint64_t[]", ranks, require_writable=True),
                ffi.from_buffer("uint64_t[]", handles, require_writable=True),
                0,
            )
            slots = (handles[:got] & _SLOT_MASK).astype(np.intp)
            items = self._items[slots]
            self._items[slots] = None
        finally:
            self._lock.release()
        ranks = ranks[:got]
        return (ranks if wide else ranks.view(np.int64)), items

    @property
    def stats(self):
        """Counters since creation, as a dict (a snapshot)."""
        out = ffi.new("struct eiffel_stats *")
        lib.eiffel_pyq_stats(self._pq, out)
        names = _STATS + (_APPROX_STATS if self._kind == lib.EIFFEL_PY_APPROX else ())
        return {name: getattr(out, name) for name in names}


class FFSQueue(_Queue):
    """Bucketed priority queue over the fixed rank range [0, buckets * granularity).

    pop() takes the minimum, pop_max() the maximum; both leave ties (equal
    bucket) in FIFO order.  A rank outside the range raises ValueError.
    """

    _kind = lib.EIFFEL_PY_FFS

    def __init__(self, buckets, granularity=1):
        buckets = _check_count(buckets, "buckets", 1, lib.EIFFEL_MAX_BUCKETS)
        granularity = _check_count(granularity, "granularity", 1, U64_MAX)
        if buckets * granularity > U64_MAX + 1:
            raise ValueError(
                f"buckets * granularity = {buckets * granularity} exceeds 2**64"
            )
        self.buckets = buckets
        self.granularity = granularity
        self._limit = buckets * granularity
        describe = f"FFSQueue(buckets={buckets}, granularity={granularity})"
        super().__init__(lib.eiffel_pyq_create(self._kind, buckets, granularity, 0, 0, 0), describe)

    def _rejected(self, rank, index=None):
        where = "rank" if index is None else f"ranks[{index}] ="
        raise ValueError(
            f"{where} {rank} is outside the valid range [0, {self._limit - 1}] of {self._describe}"
        )

    def pop_max(self):
        """Remove and return (rank, item) of the maximum element."""
        return self._pop(1, "pop_max")

    def peek_max(self):
        """Return (rank, item) of the element pop_max() would return."""
        return self._peek(1, "peek_max")

    @property
    def stats(self):
        stats = super().stats
        for name in ("late", "capped", "rotations", "rebases"):
            del stats[name]
        return stats


_OVERFLOW = {"cap": 0, "raise": lib.EIFFEL_REJECT}


class CFFSQueue(_Queue):
    """Circular FFS queue: a moving window of 2 * buckets buckets.

    The window starts at ``start`` and covers ranks up to the horizon,
    start + 2 * buckets * granularity.  A rank below the window goes to the
    front bucket (counted as ``late``); a rank beyond the horizon is capped
    into the last bucket (``overflow="cap"``, counted as ``capped``) or refused
    with OverflowError (``overflow="raise"``, counted as ``rejected``).  A push
    into an empty queue beyond the horizon moves the window there instead.
    pop() rotates the halves when the front half is empty; advance(rank)
    moves the window forward for time-keyed use.
    """

    _kind = lib.EIFFEL_PY_CFFS

    def __init__(self, buckets, granularity=1, *, start=0, overflow="cap"):
        self._setup(buckets, granularity, start, overflow, 0)

    def _setup(self, buckets, granularity, start, overflow, alpha):
        buckets = _check_count(buckets, "buckets", 1, lib.EIFFEL_MAX_BUCKETS)
        granularity = _check_count(granularity, "granularity", 1, U64_MAX)
        start = _check_rank(start, "start")
        if overflow not in _OVERFLOW:
            raise ValueError(f"overflow must be 'cap' or 'raise', not {overflow!r}")
        if 2 * buckets * granularity > U64_MAX:
            raise ValueError(
                f"the window 2 * buckets * granularity = {2 * buckets * granularity}"
                " does not fit in 64 bits"
            )
        self.buckets = buckets
        self.granularity = granularity
        self.overflow = overflow
        args = f"buckets={buckets}, granularity={granularity}"
        if alpha:
            args += f", alpha={alpha}"
        describe = f"{type(self).__name__}({args}, start={start}, overflow={overflow!r})"
        pq = lib.eiffel_pyq_create(
            self._kind, buckets, granularity, start, _OVERFLOW[overflow], alpha
        )
        super().__init__(pq, describe)

    def _rejected(self, rank, index=None):
        where = "rank" if index is None else f"ranks[{index}] ="
        raise OverflowError(
            f"{where} {rank} is beyond the horizon: {self._describe} now holds ranks"
            f" below {self.horizon} (window start {self.start})"
        )

    @property
    def start(self):
        """Rank at which the window (its front bucket) starts now."""
        return lib.eiffel_pyq_base(self._pq)

    @property
    def horizon(self):
        """First rank beyond the window (saturates at 2**64 - 1)."""
        return lib.eiffel_pyq_horizon(self._pq)

    def advance(self, rank):
        """Declare that ranks below `rank` are in the past; move the window forward.

        An empty queue moves its window to rank's bucket; otherwise the halves
        rotate if the front half is empty and rank has reached the second half.
        The window never moves back.
        """
        rank = _check_rank(rank)
        self._enter()
        try:
            lib.eiffel_pyq_advance(self._pq, rank)
        finally:
            self._lock.release()


class ApproxQueue(CFFSQueue):
    """Approximate gradient queue over a moving window, with CFFSQueue's interface.

    Buckets are grouped by ``group_size`` (24 * alpha, at most ``buckets``);
    the group holding the minimum is found exactly and the bucket inside it is
    estimated with one division (paper section 3.1.2), so pop() may return an
    element of a later bucket of the same group.  It always returns a queued
    element, the oldest of its bucket, and it is exact when that group holds
    one non-empty bucket.  stats reports the error (approx_error_sum, in
    buckets between the chosen and the true minimum).
    """

    _kind = lib.EIFFEL_PY_APPROX

    def __init__(self, buckets, granularity=1, *, alpha=16, start=0, overflow="cap"):
        alpha = _check_count(alpha, "alpha", lib.EIFFEL_ALPHA_MIN, lib.EIFFEL_ALPHA_MAX)
        self.alpha = alpha
        self._setup(buckets, granularity, start, overflow, alpha)

    @property
    def group_size(self):
        """Buckets per gradient group: the scope of the approximation."""
        return lib.eiffel_pyq_group_size(self._pq)
