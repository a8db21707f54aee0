"""Which queue a node gets: exact (FFS or cFFS), approximate, or the heap PIFO."""

from eiffel.pifo.heap import HeapPIFO
from eiffel.pifo.inversions import InversionCounter
from eiffel.queues import ApproxQueue, CFFSQueue, FFSQueue

__all__ = ["QUEUE_KINDS", "make_queue"]

# "exact": FFS for a fixed rank range, cFFS for moving ranks (the paper's advice)
QUEUE_KINDS = ("exact", "ffs", "cffs", "approx", "heap")

MAX_BUCKETS = 1 << 24  # 16 Mi buckets, about 256 MB: beyond that, coarsen the rank unit


def make_queue(kind, policy, name="node", count_inversions=False):
    """A queue for policy: kind is one of QUEUE_KINDS.  With count_inversions
    it is wrapped in an InversionCounter (an exact shadow beside it)."""
    queue = _make_queue(kind, policy, name)
    return InversionCounter(queue) if count_inversions else queue


def _make_queue(kind, policy, name):
    if kind not in QUEUE_KINDS:
        raise ValueError(f"queue kind {kind!r} is not one of {', '.join(QUEUE_KINDS)}")
    if kind == "heap":
        return HeapPIFO()
    if kind == "exact":
        kind = "cffs" if policy.window else "ffs"
    if kind == "ffs" and policy.window:
        raise ValueError(
            f"{name}: {type(policy).__name__} ranks move forward in time;"
            " an FFS queue holds a fixed range: use 'cffs', 'approx' or 'heap'"
        )
    bound = policy.rank_bound()
    if type(bound) is not int or bound < 1:
        raise ValueError(f"{type(policy).__name__}.rank_bound() = {bound!r} must be a positive int")
    if bound > MAX_BUCKETS:
        raise ValueError(
            f"{name}: {type(policy).__name__} needs {bound} buckets, more than the"
            f" {MAX_BUCKETS} allowed; give the policy a coarser rank unit"
        )
    if kind == "ffs":
        return FFSQueue(bound)
    # A circular queue of 2 * buckets buckets.  A window policy needs
    # buckets >= bound so that last dequeued + bound stays below the horizon.
    # A fixed range [0, bound) needs it too: the halves rotate when the front
    # one empties, and only a front half covering the whole range never does
    # while something is queued (otherwise low ranks would arrive "late").
    buckets = bound
    if kind == "cffs":
        return CFFSQueue(buckets)
    return ApproxQueue(buckets)
