"""The programming model: the heap PIFO, nodes, the shared shaper, rate limits."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiffel.pifo import (
    HeapPIFO, Node, Pacing, Policy, Scheduler, TokenBucket, flow_policy, make_queue, packet_policy,
)  # fmt: skip
from eiffel.pifo.shaper import Shaper
from eiffel.policies import FIFO, STFQ
from eiffel.sim import Trace, make_packets, simulate

# -- HeapPIFO against a sorted-list model ---------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("push"), st.integers(0, 20)),
        st.tuples(st.just("pop"), st.just(0)),
        st.tuples(st.just("remove"), st.integers(0, 50)),
        st.tuples(st.just("update"), st.tuples(st.integers(0, 50), st.integers(0, 20))),
    ),
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_heap_pifo_is_a_stable_priority_queue(ops):
    pifo, model, handles, seq = HeapPIFO(), [], [], 0  # model: [rank, seq, handle, item]
    for op, arg in ops:
        if op == "push":
            handle = pifo.push(arg, seq)
            model.append([arg, seq, handle, seq])
            handles.append(handle)
        elif op == "pop":
            if not model:
                with pytest.raises(IndexError):
                    pifo.pop()
                continue
            model.sort()
            rank, _, _, item = model.pop(0)
            assert pifo.pop() == (rank, item)
        elif op == "remove" and handles:
            handle = handles[arg % len(handles)]
            entry = next((e for e in model if e[2] == handle), None)
            if entry is None:
                with pytest.raises(KeyError):
                    pifo.remove(handle)
            else:
                model.remove(entry)
                assert pifo.remove(handle) == (entry[0], entry[3])
        elif op == "update" and handles:
            handle = handles[arg[0] % len(handles)]
            entry = next((e for e in model if e[2] == handle), None)
            if entry is not None:
                pifo.update(handle, arg[1])
                entry[0], entry[1] = arg[1], seq  # to the back of its new rank
        seq += 1
        assert len(pifo) == len(model)
    model.sort()
    assert [pifo.pop() for _ in range(len(model))] == [(e[0], e[3]) for e in model]


def test_heap_pifo_rejects_bad_ranks():
    with pytest.raises(ValueError, match="-1"):
        HeapPIFO().push(-1, "x")
    with pytest.raises(ValueError, match="1.5"):
        HeapPIFO().push(1.5, "x")


# -- nodes and schedulers ---------------------------------------------------


def trace_of(time, flow, size=1000, **columns):
    return Trace(make_packets(time, flow, size, **columns))


def test_user_policies_from_callables_rank_like_subclasses():
    trace = trace_of([0, 0, 0, 0], [0, 1, 2, 3], 1000, cls=[2, 0, 1, 0])
    cls = trace.column("cls")
    by_function = packet_policy(lambda pkt, now: cls[pkt], bound=3)

    class ByClass(Policy):
        def rank(self, pkt, now):
            return cls[pkt]

        def rank_bound(self):
            return 3

    orders = [simulate(trace, Scheduler(Node(policy)), 1e9).order.tolist() for policy in (by_function, ByClass())]
    assert orders[0] == orders[1] == [1, 3, 2, 0]


def test_a_user_flow_policy_reranks_on_dequeue():
    # Serve the flow with the fewest queued packets (the opposite of LQF).
    def fewest(flow, pkt, now):
        return len(flow.packets)

    policy = flow_policy(fewest, fewest, bound=10)
    trace = trace_of([0] * 5, [0, 0, 0, 1, 1])
    order = simulate(trace, Scheduler(Node(policy)), 1e9).order.tolist()
    assert order[0] == 3  # flow 1 (2 packets) before flow 0 (3 packets)


def test_bad_trees_and_queue_kinds_are_refused():
    with pytest.raises(TypeError, match="Policy"):
        Node(lambda pkt, now: 0)
    with pytest.raises(ValueError, match="classify"):
        Node(FIFO(), [Node(FIFO())])
    with pytest.raises(ValueError, match="inner node"):
        Node(FIFO(), classify="cls")
    with pytest.raises(ValueError, match="ranks flows"):
        Node(flow_policy(lambda f, p, n: 0, bound=1), [Node(FIFO())], classify="cls")
    child = Node(FIFO())
    Node(FIFO(), [child], classify="cls")
    with pytest.raises(ValueError, match="already has a parent"):
        Node(FIFO(), [child], classify="cls")
    with pytest.raises(ValueError, match="pass the root"):
        Scheduler(child)
    with pytest.raises(ValueError, match="'fast'"):
        make_queue("fast", FIFO())
    stfq = STFQ()
    stfq.window = True
    with pytest.raises(ValueError, match="cffs"):
        make_queue("ffs", stfq)


def test_classify_by_column_checks_the_child_range():
    tree = Node(FIFO(), [Node(FIFO()), Node(FIFO())], classify="cls")
    with pytest.raises(ValueError, match="value 2, outside the child indices \\[0, 1\\]"):
        simulate(trace_of([0, 1], [0, 1], cls=[0, 2]), Scheduler(tree), 1e9)


def test_rate_limits_refuse_bad_values():
    for bad in (0, -5, "10M", True):
        with pytest.raises(ValueError, match="rate"):
            Pacing(bad)
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(1e6, -1)


# -- shaping ------------------------------------------------------------------


def backlogged(n, classes, size=1000):
    return trace_of(np.zeros(n, dtype=np.int64), np.arange(n) % classes, size, cls=np.arange(n) % classes)


def rate_of(result, mask, until):
    sent = mask & (result.departure <= until)
    return result.trace.packets["size"][sent].sum() * 8e9 / until


@pytest.mark.parametrize("queue", ["exact", "heap"])
def test_the_papers_two_limit_example(queue):
    """NSDI'19 Fig. 6/7: a leaf limited to 7 Mbit/s under a parent limited to
    10 Mbit/s, beside an unlimited leaf, all paced at 15 Mbit/s on a 100
    Mbit/s link.  Shares 3:7 at the root and 1:3 under the parent."""
    n = 6000
    trace = backlogged(n, 3)
    cls = trace.column("cls")
    tree = Node(
        STFQ({0: 3, 1: 7}),
        [
            Node(FIFO(), name="A"),
            Node(STFQ({0: 1, 1: 3}), [Node(FIFO(), name="B"), Node(FIFO(), name="C", limit=7e6)],
                 classify=lambda pkt: cls[pkt] - 1, limit=10e6, name="P"),
        ],
        classify=lambda pkt: min(cls[pkt], 1),
        limit=15e6,
    )  # fmt: skip
    result = simulate(trace, Scheduler(tree, queue=queue), 100e6)
    until = int(np.sort(result.departure)[n // 2])
    rates = [rate_of(result, trace.packets["cls"] == c, until) / 1e6 for c in range(3)]
    # C is held to 7, so P's 10 leaves B 3; the root's 15 then leaves A 5.
    assert rates == pytest.approx([5, 3, 7], abs=0.1)


def test_pacing_spaces_packets_exactly():
    trace = trace_of(np.zeros(50, dtype=np.int64), np.zeros(50, dtype=np.int64), 1250)
    result = simulate(trace, Scheduler(Node(FIFO(), limit=Pacing(1e6)), shaper_unit=1), 1e9)
    # 1250 bytes at 1 Mbit/s = 10 ms apart
    assert np.diff(np.sort(result.start)).tolist() == [10_000_000] * 49


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.sampled_from([100, 700, 1500]), min_size=1, max_size=60),
    gaps=st.lists(st.integers(0, 200_000), min_size=60, max_size=60),
    burst=st.integers(1500, 20_000),
)
def test_token_bucket_output_conforms(sizes, gaps, burst):
    """In every interval [a, b] the bytes started are at most burst + rate (b - a)."""
    n = len(sizes)
    time = np.cumsum(gaps[:n])
    trace = trace_of(time, np.zeros(n, dtype=np.int64), sizes)
    rate = 50e6
    result = simulate(trace, Scheduler(Node(FIFO(), limit=TokenBucket(rate, burst)), shaper_unit=1), 1e9)
    start = result.start[result.order]
    size = trace.packets["size"][result.order]
    for a in range(n):
        sent = np.cumsum(size[a:])
        allowed = burst + rate * (start[a:] - start[a]) / 8e9
        assert np.all(sent <= allowed + 1e-6)
    # and it is not slower than needed: packets that fit the bucket at arrival leave at once
    assert result.start[0] == trace.packets["time"][0]


def test_the_shaper_keeps_far_entries_in_order():
    shaper = Shaper(unit=1, buckets=4)  # a window of 8 ns
    for ts, item in [(100, "c"), (3, "a"), (50, "b"), (100, "d")]:
        shaper.push(ts, item)
    assert shaper.far_entries == 3
    out = []
    for now in (0, 3, 49, 50, 99, 100):
        out += [item for _, item in shaper.release(now)]
    assert out == ["a", "b", "c", "d"]
    assert shaper.next_release() == 2**63 - 1


@settings(max_examples=100, deadline=None)
@given(
    pushes=st.lists(st.integers(0, 400), min_size=1, max_size=40),
    steps=st.lists(st.integers(1, 60), min_size=1, max_size=40),
    buckets=st.sampled_from([2, 8, 64]),
)
def test_the_shaper_releases_in_time_order_and_never_early(pushes, steps, buckets):
    """Against a sorted list: entries come out by (slot, push order), each at
    or after its release time, whatever the window size."""
    shaper = Shaper(unit=4, buckets=buckets)
    now, pending, released, seq = 0, [], [], 0
    for k, delay in enumerate(pushes):
        ts = now + delay
        shaper.push(ts, seq)
        pending.append((-(-ts // 4), seq, ts))
        seq += 1
        now += steps[k % len(steps)]
        for _, item in shaper.release(now):
            released.append((item, now))
    while len(shaper):
        now = shaper.next_release()
        released.extend((item, now) for _, item in shaper.release(now))
    assert [item for item, _ in released] == [entry[1] for entry in sorted(pending)]
    due = {entry[1]: entry[2] for entry in pending}
    assert all(at >= due[item] for item, at in released)
