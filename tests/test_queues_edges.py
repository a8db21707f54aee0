"""Edge cases of the Python queues, with expected values written out by hand."""

import random
import threading

import numpy as np
import pytest

import eiffel
from eiffel.queues import reference

U64_MAX = 2**64 - 1
ALL = [eiffel.FFSQueue, eiffel.CFFSQueue, eiffel.ApproxQueue]


@pytest.mark.parametrize("cls", ALL)
def test_empty_queue_raises_index_error(cls):
    q = cls(8)
    assert len(q) == 0 and not q
    with pytest.raises(IndexError):
        q.pop()
    with pytest.raises(IndexError):
        q.peek()
    ranks, items = q.pop_many(5)
    assert len(ranks) == 0 and len(items) == 0


def test_ffs_pop_max_on_empty_raises():
    with pytest.raises(IndexError):
        eiffel.FFSQueue(4).pop_max()
    with pytest.raises(IndexError):
        eiffel.FFSQueue(4).peek_max()


@pytest.mark.parametrize("buckets", [1, 63, 64, 65, 100, 4096, 4097])
@pytest.mark.parametrize("cls", [eiffel.FFSQueue, eiffel.CFFSQueue])
def test_every_bucket_pops_in_order(cls, buckets):
    # One element per bucket, pushed shuffled: pops come out sorted.
    ranks = list(range(buckets))
    random.Random(buckets).shuffle(ranks)
    q = cls(buckets)
    for r in ranks:
        q.push(r, -r)
    assert [q.pop() for _ in range(buckets)] == [(r, -r) for r in range(buckets)]


def test_ffs_pop_max_takes_the_oldest_of_the_top_bucket():
    q = eiffel.FFSQueue(10, granularity=10)
    for rank, item in [(95, "a"), (12, "b"), (99, "c"), (91, "d")]:
        q.push(rank, item)
    assert q.peek_max() == (95, "a")
    assert [q.pop_max() for _ in range(3)] == [(95, "a"), (99, "c"), (91, "d")]
    assert q.pop() == (12, "b")


def test_ties_within_a_bucket_leave_in_fifo_order_and_keep_their_rank():
    q = eiffel.CFFSQueue(16, granularity=5)
    for rank, item in [(14, "x"), (10, "y"), (12, "z"), (3, "w")]:
        q.push(rank, item)
    assert [q.pop() for _ in range(4)] == [(3, "w"), (14, "x"), (10, "y"), (12, "z")]


def test_extreme_ranks():
    q = eiffel.FFSQueue(2, granularity=2**63)  # the range is all of [0, 2**64)
    q.push(U64_MAX, "top")
    q.push(0, "bottom")
    assert q.pop() == (0, "bottom")
    assert q.pop() == (U64_MAX, "top")
    c = eiffel.CFFSQueue(4, start=U64_MAX - 3)
    c.push(U64_MAX, "max")
    c.push(0, "late")
    assert c.horizon == U64_MAX
    assert c.pop() == (0, "late")
    assert c.pop() == (U64_MAX, "max")
    assert c.stats["late"] == 1


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("bad", [1.0, "3", None, True, 2.5])
def test_non_integer_rank_is_a_type_error(cls, bad):
    q = cls(4)
    with pytest.raises(TypeError, match="integer"):
        q.push(bad)
    assert len(q) == 0


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("bad", [-1, 2**64, -(2**70)])
def test_rank_out_of_64_bits_is_a_value_error_naming_the_range(cls, bad):
    q = cls(4)
    with pytest.raises(ValueError, match=rf"{bad} .*\[0, 2\*\*64 - 1\]"):
        q.push(bad)


def test_numpy_integer_ranks_are_accepted():
    q = eiffel.CFFSQueue(8)
    q.push(np.int64(3), "a")
    q.push(np.uint64(2), "b")
    assert q.pop() == (2, "b")


def test_ffs_rank_outside_the_range_names_it():
    q = eiffel.FFSQueue(10, granularity=3)
    with pytest.raises(ValueError, match=r"30 is outside the valid range \[0, 29\]"):
        q.push(30)
    assert q.stats["rejected"] == 1


def test_horizon_cap_and_raise():
    cap = eiffel.CFFSQueue(4, granularity=10)  # window [0, 80)
    cap.push(5, "first")
    assert cap.horizon == 80
    cap.push(10**6, "far")
    cap.push(75, "last bucket")
    assert cap.stats["capped"] == 1
    # Capped into the last bucket, behind nothing older there: FIFO with 75.
    assert [cap.pop() for _ in range(3)] == [(5, "first"), (10**6, "far"), (75, "last bucket")]

    strict = eiffel.CFFSQueue(4, granularity=10, overflow="raise")
    strict.push(5)
    with pytest.raises(OverflowError, match="80"):
        strict.push(80)
    assert len(strict) == 1 and strict.stats["rejected"] == 1
    strict.push(79)


def test_push_beyond_the_horizon_into_an_empty_queue_moves_the_window():
    q = eiffel.CFFSQueue(4, granularity=10, start=3, overflow="raise")
    q.push(1_000_007, "x")
    # The window moved to the rank's bucket, keeping start's phase (3 mod 10).
    assert q.start == 1_000_003 and q.stats["rebases"] == 1
    assert q.pop() == (1_000_007, "x")


def test_rank_below_the_window_joins_the_front_bucket():
    q = eiffel.CFFSQueue(4, granularity=10, start=100)
    q.push(105, "in window")
    q.push(7, "late")
    assert q.stats["late"] == 1
    # Both in the front bucket: FIFO, the late one second.
    assert q.pop() == (105, "in window")
    assert q.pop() == (7, "late")


def test_rotation_across_many_windows():
    q = eiffel.CFFSQueue(4, granularity=2)  # half span 8, window 16
    out = []
    for t in range(0, 800, 3):
        q.push(t + 5, t)
        out.append(q.pop())
    assert [rank for rank, _ in out] == [t + 5 for t in range(0, 800, 3)]
    assert q.stats["rotations"] >= 800 // 8 - 2
    assert q.start <= 800 + 5


def test_advance_rebases_an_empty_queue_and_rotates_an_empty_front_half():
    q = eiffel.CFFSQueue(4, granularity=10)  # halves [0, 40) and [40, 80)
    q.advance(57)
    assert q.start == 50 and q.stats["rebases"] == 1
    q.push(95, "second half")
    q.advance(60)  # front half [50, 90) empty, but 60 has not reached 90
    assert q.start == 50
    q.advance(91)
    assert q.start == 90 and q.stats["rotations"] == 1
    q.advance(10)  # never backwards
    assert q.start == 90
    assert q.pop() == (95, "second half")


def test_stale_handles_raise_key_error():
    q = eiffel.CFFSQueue(8)
    h = q.push(1, "a")
    assert h in q
    assert q.remove(h) == (1, "a")
    assert h not in q
    with pytest.raises(KeyError):
        q.remove(h)
    with pytest.raises(KeyError):
        q.update(h, 3)
    h2 = q.push(2, "b")  # reuses the slot: the old handle must still be refused
    assert h2 != h
    with pytest.raises(KeyError):
        q.remove(h)
    with pytest.raises(KeyError):
        q.remove(2**64 + 5)
    with pytest.raises(TypeError):
        q.remove("x")
    assert q.pop() == (2, "b")


def test_update_moves_an_element_and_a_refused_update_changes_nothing():
    q = eiffel.CFFSQueue(4, granularity=10, overflow="raise")
    a = q.push(5, "a")
    q.push(15, "b")
    q.update(a, 25)
    assert q.peek() == (15, "b")
    with pytest.raises(OverflowError):
        q.update(a, 1000)
    assert len(q) == 2 and a in q
    assert [q.pop(), q.pop()] == [(15, "b"), (25, "a")]


def test_clear_forgets_everything_and_retires_handles():
    q = eiffel.FFSQueue(16)
    handles = [q.push(r, r) for r in range(10)]
    q.clear()
    assert len(q) == 0
    assert all(h not in q for h in handles)
    q.push(3, "again")
    assert q.pop() == (3, "again")


def test_push_many_then_pop_many_round_trip():
    rng = np.random.default_rng(7)
    ranks = rng.integers(0, 10_000, 5_000)
    items = [f"p{i}" for i in range(5_000)]
    q = eiffel.CFFSQueue(10_000)
    handles = q.push_many(ranks, items)
    assert handles.dtype == np.int64 and len(set(handles.tolist())) == 5_000
    out_ranks, out_items = q.pop_many(10**9)
    order = np.argsort(ranks, kind="stable")
    assert out_ranks.dtype == np.int64
    assert out_ranks.tolist() == ranks[order].tolist()
    assert out_items.tolist() == [items[i] for i in order]


def test_pop_many_widens_to_uint64_for_ranks_above_int64():
    q = eiffel.FFSQueue(4, granularity=2**62)
    q.push(2**63 + 1, "big")
    q.push(1, "small")
    ranks, items = q.pop_many(2)
    assert ranks.dtype == np.uint64 and ranks.tolist() == [1, 2**63 + 1]
    q.push(4)
    assert q.pop_many(1)[0].dtype == np.int64


@pytest.mark.parametrize(
    "ranks, error, message",
    [
        (np.array([1.5, 2.0]), TypeError, "integer array"),
        (np.array([True, False]), TypeError, "integer array"),
        (np.array([3, -4]), ValueError, r"ranks\[1\] = -4"),
        (np.array([[1, 2]]), ValueError, "one-dimensional"),
    ],
)
def test_bad_batches_raise_and_insert_nothing(ranks, error, message):
    q = eiffel.CFFSQueue(8)
    q.push(1, "keep")
    with pytest.raises(error, match=message):
        q.push_many(ranks)
    assert len(q) == 1 and q.pop() == (1, "keep")


def test_a_refused_batch_inserts_nothing():
    ffs = eiffel.FFSQueue(10)
    with pytest.raises(ValueError, match=r"ranks\[2\] = 10"):
        ffs.push_many([1, 2, 10, 3], ["a", "b", "c", "d"])
    assert len(ffs) == 0
    cffs = eiffel.CFFSQueue(4, overflow="raise")
    cffs.push(1)
    with pytest.raises(OverflowError, match=r"ranks\[1\] = 8"):
        cffs.push_many(np.array([2, 8], dtype=np.uint64))
    assert len(cffs) == 1
    with pytest.raises(ValueError, match="3 ranks but 2 items"):
        cffs.push_many([1, 2, 3], ["a", "b"])
    assert len(cffs) == 1


def test_an_empty_batch_is_fine():
    q = eiffel.CFFSQueue(4)
    assert len(q.push_many([])) == 0


def test_constructor_arguments_are_validated():
    with pytest.raises(ValueError, match=r"buckets 0 is outside the valid range \[1, "):
        eiffel.FFSQueue(0)
    with pytest.raises(ValueError, match="granularity 0"):
        eiffel.CFFSQueue(4, granularity=0)
    with pytest.raises(ValueError, match="overflow must be 'cap' or 'raise'"):
        eiffel.CFFSQueue(4, overflow="drop")
    with pytest.raises(ValueError, match=r"alpha 0 is outside the valid range \[1, 64\]"):
        eiffel.ApproxQueue(4, alpha=0)
    with pytest.raises(ValueError, match="does not fit in 64 bits"):
        eiffel.CFFSQueue(2**20, granularity=2**50)
    with pytest.raises(TypeError):
        eiffel.FFSQueue(4.0)


def test_stats_names():
    assert set(eiffel.FFSQueue(4).stats) == {"pushes", "pops", "removes", "rejected"}
    assert set(eiffel.CFFSQueue(4).stats) == {
        "pushes", "pops", "removes", "late", "capped", "rejected", "rotations", "rebases"
    }
    assert {"approx_pops", "approx_inexact", "approx_error_sum", "approx_error_max",
            "approx_searches"} <= set(eiffel.ApproxQueue(4).stats)


def test_concurrent_use_is_refused_not_corrupting():
    q = eiffel.CFFSQueue(4)
    q._lock.acquire()  # another thread is inside a call
    try:
        with pytest.raises(RuntimeError, match="another thread"):
            q.push(1)
    finally:
        q._lock.release()
    q.push(1)
    net = []

    def worker():
        pushed = popped = 0
        for i in range(2000):
            try:
                q.push(i % 8, i)
                pushed += 1
            except RuntimeError:
                pass
            try:
                q.pop()
                popped += 1
            except (RuntimeError, IndexError):
                pass
        net.append(pushed - popped)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Every call either happened whole or was refused: the count adds up.
    assert len(q) == 1 + sum(net)
    ranks, _ = q.pop_many(len(q))
    assert ranks.tolist() == sorted(ranks.tolist())


def test_approx_is_exact_with_one_bucket_per_group_or_dense_occupancy():
    q = eiffel.ApproxQueue(2000, alpha=16)  # groups of 384 buckets
    for r in range(2000):  # every bucket of the front half non-empty
        q.push(r, r)
    assert [q.pop()[0] for _ in range(2000)] == list(range(2000))
    assert q.stats["approx_error_sum"] == 0


def test_approx_error_is_bounded_by_the_group_and_reported():
    rng = random.Random(3)
    q = eiffel.ApproxQueue(1000, alpha=2)  # groups of 48 buckets
    ref = reference.ReferenceApproxQueue(1000, alpha=2)
    ranks = rng.sample(range(1000), 300)
    for r in ranks:
        q.push(r, r)
        ref.push(r, r)
    errors = 0
    while q:
        rank, _ = q.pop()
        exact = min(e.rank for e in ref._entries.values())
        assert 0 <= rank - exact < q.group_size
        errors += rank - exact
        ref.remove([h for h, e in ref._entries.items() if e.rank == rank][0])
    assert q.stats["approx_error_sum"] == errors
    assert q.stats["approx_pops"] == 300
