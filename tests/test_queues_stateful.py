"""Model-based tests: each C-backed queue against its heapq reference.

A hypothesis state machine drives the real queue and the model of
eiffel.queues.reference with the same push/pop/peek/remove/update/advance/clear and
batch operations, and compares every result, every exception, the length, the
window and the counters.
"""

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

import eiffel
from eiffel.queues import reference

U64_MAX = 2**64 - 1
SETTINGS = settings(
    max_examples=60,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

sizes = st.sampled_from([1, 2, 3, 7, 64, 65, 130])
granularities = st.sampled_from([1, 2, 5])


def outcome(call, *args):
    """Result of call(*args), or the type of the exception it raised."""
    try:
        return "ok", call(*args)
    except (IndexError, KeyError, ValueError, OverflowError, TypeError) as error:
        return "raised", type(error)


class QueueMachine(RuleBasedStateMachine):
    handles = Bundle("handles")

    def __init__(self):
        super().__init__()
        self.items = itertools.count()
        self.ref_of_item = {}

    # -- set-up, per queue kind (subclasses) -------------------------------

    def make(self, buckets, granularity, start, overflow):
        raise NotImplementedError

    def window(self):
        """[start, end) of ranks the model's queue takes in order right now."""
        return self.ref.start, self.ref.start + 2 * self.ref.span

    # -- rank strategies relative to the current window ---------------------

    def draw_rank(self, data):
        start, end = self.window()
        choice = data.draw(st.integers(0, 9))
        if choice == 0:
            return data.draw(st.sampled_from([0, U64_MAX, max(start - 1, 0)]))
        low = max(start - 3 * self.granularity, 0)
        high = min(end + 3 * self.granularity, U64_MAX)
        if choice == 1:
            return data.draw(st.integers(low, high))
        return data.draw(st.integers(start, min(end - 1, U64_MAX)))

    # -- operations ----------------------------------------------------------

    @rule(target=handles, data=st.data())
    def push(self, data):
        rank = self.draw_rank(data)
        item = next(self.items)
        got, ref = outcome(self.queue.push, rank, item), outcome(self.ref.push, rank, item)
        assert got[0] == ref[0], (rank, got, ref)
        if got[0] == "raised":
            assert got[1] is ref[1]
            return multiple()
        self.ref_of_item[item] = ref[1]
        return (got[1], ref[1])

    @rule(target=handles, data=st.data())
    def push_many(self, data):
        n = data.draw(st.integers(0, 6))
        ranks = [self.draw_rank(data) for _ in range(n)]
        items = [next(self.items) for _ in range(n)]
        array = np.array(ranks, dtype=np.uint64)
        got = outcome(self.queue.push_many, array, items)
        ref = outcome(self.ref.push_many, ranks, items)
        assert got[0] == ref[0], (ranks, got, ref)
        if got[0] == "raised":
            assert got[1] is ref[1]
            return multiple()
        assert got[1].dtype == np.int64 and len(got[1]) == n
        self.ref_of_item.update(zip(items, ref[1]))
        return multiple(*zip(got[1].tolist(), ref[1]))

    def check_pop(self, got, ref):
        assert got == ref

    @rule()
    def pop(self):
        got, ref = outcome(self.queue.pop), outcome(self.ref_pop)
        assert got[0] == ref[0]
        self.check_pop(got, ref)

    def ref_pop(self):
        return self.ref.pop()

    @rule(n=st.integers(0, 8))
    def pop_many(self, n):
        ranks, items = self.queue.pop_many(n)
        assert ranks.dtype in (np.int64, np.uint64) and items.dtype == object
        expected = [self.ref_pop() for _ in range(min(n, len(self.ref)))]
        assert len(ranks) == len(expected)
        for rank, item, want in zip(ranks.tolist(), items.tolist(), expected):
            self.check_pop(("ok", (rank, item)), ("ok", want))

    @rule()
    def peek(self):
        got, ref = outcome(self.queue.peek), outcome(self.ref.peek)
        assert got[0] == ref[0]
        self.check_peek(got, ref)

    def check_peek(self, got, ref):
        assert got == ref

    @rule(pair=handles)
    def remove(self, pair):
        real, model = pair
        got, ref = outcome(self.queue.remove, real), outcome(self.ref.remove, model)
        assert got == ref
        assert (real in self.queue) == (model in self.ref) == False  # noqa: E712

    @rule(pair=handles, data=st.data())
    def update(self, pair, data):
        real, model = pair
        rank = self.draw_rank(data)
        got, ref = outcome(self.queue.update, real, rank), outcome(self.ref.update, model, rank)
        assert got == ref, (rank, got, ref)

    @rule()
    def clear(self):
        self.queue.clear()
        self.ref.clear()

    @rule(pair=consumes(handles))
    def forget(self, pair):
        """Keep the bundle small; handles of departed elements stay around otherwise."""

    @invariant()
    def same_size_and_counters(self):
        if not hasattr(self, "queue"):
            return
        assert len(self.queue) == len(self.ref)
        assert bool(self.queue) == bool(self.ref)
        stats = self.queue.stats
        for name, value in self.ref.stats.items():
            assert stats[name] == value, (name, stats, self.ref.stats)


class FFSMachine(QueueMachine):
    @initialize(buckets=sizes, granularity=granularities)
    def setup(self, buckets, granularity):
        self.granularity = granularity
        self.queue = eiffel.FFSQueue(buckets, granularity)
        self.ref = reference.ReferenceFFSQueue(buckets, granularity)

    def window(self):
        return 0, self.ref.buckets * self.granularity

    @rule()
    def pop_max(self):
        got, ref = outcome(self.queue.pop_max), outcome(self.ref.pop_max)
        assert got == ref

    @rule()
    def peek_max(self):
        assert outcome(self.queue.peek_max) == outcome(self.ref.peek_max)


class CFFSMachine(QueueMachine):
    @initialize(
        buckets=sizes,
        granularity=granularities,
        start=st.one_of(st.integers(0, 50), st.integers(U64_MAX - 1000, U64_MAX)),
        overflow=st.sampled_from(["cap", "raise"]),
    )
    def setup(self, buckets, granularity, start, overflow):
        self.granularity = granularity
        self.queue = self.real_class(buckets, granularity, start=start, overflow=overflow)
        self.ref = self.ref_class(buckets, granularity, start=start, overflow=overflow)

    real_class = eiffel.CFFSQueue
    ref_class = reference.ReferenceCFFSQueue

    @rule(data=st.data())
    def advance(self, data):
        start, span = self.ref.start, self.ref.span
        now = data.draw(st.integers(max(start - 5, 0), min(start + 3 * span, U64_MAX)))
        self.queue.advance(now)
        self.ref.advance(now)

    @invariant()
    def same_window(self):
        if hasattr(self, "queue"):
            assert self.queue.start == self.ref.start
            assert self.queue.horizon == self.ref.horizon


class ApproxMachine(CFFSMachine):
    real_class = eiffel.ApproxQueue
    ref_class = reference.ReferenceApproxQueue

    @initialize(
        buckets=st.sampled_from([1, 7, 40, 100]),
        granularity=granularities,
        start=st.integers(0, 50),
        overflow=st.sampled_from(["cap", "raise"]),
        alpha=st.sampled_from([1, 2, 16]),
    )
    def setup(self, buckets, granularity, start, overflow, alpha):
        self.granularity = granularity
        self.queue = eiffel.ApproxQueue(
            buckets, granularity, alpha=alpha, start=start, overflow=overflow
        )
        self.ref = reference.ReferenceApproxQueue(
            buckets, granularity, alpha=alpha, start=start, overflow=overflow
        )
        assert self.queue.group_size == self.ref.group_size

    def ref_pop(self):
        # The approximate choice is checked when the real pop is compared.
        if not self.ref:
            raise IndexError("pop from an empty queue")
        return ("approx",)

    def check_pop(self, got, ref):
        if got[0] == "raised":
            assert ref[0] == "raised"
            return
        rank, item = got[1]
        handle = self.ref_of_item[item]
        assert handle in self.ref.candidates(), (rank, item, self.ref.candidates())
        assert self.ref.take(handle) == (rank, item)

    def check_peek(self, got, ref):
        assert got[0] == ref[0]
        if got[0] == "ok":
            assert self.ref_of_item[got[1][1]] in self.ref.candidates(peek=True)

    @invariant()
    def error_is_reported(self):
        if hasattr(self, "queue"):
            assert self.queue.stats["approx_error_sum"] == self.ref.error_sum


TestFFSQueue = FFSMachine.TestCase
TestFFSQueue.settings = SETTINGS
TestCFFSQueue = CFFSMachine.TestCase
TestCFFSQueue.settings = SETTINGS
TestApproxQueue = ApproxMachine.TestCase
TestApproxQueue.settings = SETTINGS


class LifoTies(eiffel.CFFSQueue):
    """A wrong queue: ties leave newest first.  The machine must notice."""

    def pop(self):
        rank, item = self.peek()
        ranks, items = self.pop_many(len(self))
        same = [i for i, r in enumerate(ranks.tolist())
                if r // self.granularity == rank // self.granularity]
        chosen = same[-1]
        for i, (r, it) in enumerate(zip(ranks.tolist(), items.tolist())):
            if i != chosen:
                super().push(r, it)
        return int(ranks[chosen]), items[chosen]


def test_machine_catches_a_queue_that_breaks_fifo_ties():
    class Machine(CFFSMachine):
        real_class = LifoTies

    with pytest.raises(Exception) as failure:
        run_state_machine_as_test(Machine, settings=settings(SETTINGS, max_examples=200))
    errors = getattr(failure.value, "exceptions", [failure.value])
    assert any(isinstance(error, AssertionError) for error in errors)
