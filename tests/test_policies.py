"""Every built-in policy against the exact reference and against textbook models.

Two kinds of check:
  * the same policy on the core queues and on the heap PIFO (HeapPIFO, an
    ideal PIFO) must give the identical departure order on random traces
    (hypothesis); on the approximate queue the inversions are counted;
  * for the policies with a classic definition, an independent event loop
    written here from the definition (FIFO, strict priority, EDF, LAS, SRPT,
    textbook DRR with an active list, STFQ tags) must agree too.
"""

import heapq
import random
from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eiffel.pifo import Node, Scheduler
from eiffel.policies import (
    DRR, EDF, FIFO, LAS, LQF, LSTF, SRPT, STFQ, DSCPPriority, HClock, PFabric,
    StrictPriority, build, hpfq, paced, token_bucket,
)  # fmt: skip
from eiffel.sim import Trace, make_packets, simulate, transmission_times

RATE = 1e9  # 1 Gbit/s: a 1500-byte packet takes 12 us

SETTINGS = settings(max_examples=30, deadline=None)


@st.composite
def traces(draw, max_packets=60):
    n = draw(st.integers(1, max_packets))
    gaps = draw(st.lists(st.integers(0, 30_000), min_size=n, max_size=n))
    time = np.cumsum(gaps)
    flows = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    sizes = draw(st.lists(st.sampled_from([64, 500, 1000, 1500]), min_size=n, max_size=n))
    cls = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    dscp = draw(st.lists(st.sampled_from([0, 1, 8, 10, 18, 34, 46, 48, 63]), min_size=n, max_size=n))
    slack = draw(st.lists(st.integers(0, 200_000), min_size=n, max_size=n))
    return Trace(make_packets(time, flows, sizes, cls=cls, dscp=dscp, deadline=time + np.asarray(slack)))


# name -> builder of a fresh root node (policies keep state, so one per run)
BUILDERS = {
    "fifo": lambda: Node(FIFO()),
    "strict": lambda: Node(StrictPriority()),
    "dscp": lambda: Node(DSCPPriority()),
    "drr": lambda: Node(DRR(quantum=1500)),
    "drr-small-quantum": lambda: Node(DRR(quantum=400)),
    "stfq": lambda: Node(STFQ({0: 1, 1: 2, 2: 4})),
    "srpt": lambda: Node(SRPT()),
    "pfabric": lambda: Node(PFabric()),
    "pfabric-trace-stamps": lambda: Node(PFabric(stamps="trace")),
    "lqf": lambda: Node(LQF()),
    "las": lambda: Node(LAS()),
    "edf": lambda: Node(EDF()),
    "lstf": lambda: Node(LSTF(RATE)),
    "pacing": lambda: paced(0.5 * RATE),
    "token-bucket": lambda: token_bucket(0.5 * RATE, 3000),
    "hpfq": lambda: hpfq([1, 2, 3]),
    "hclock": lambda: HClock({0: 0.3 * RATE}, {1: 0.1 * RATE}, {2: 3}),
}


def run(trace, build_root, queue, **options):
    return simulate(trace, Scheduler(build_root(), queue=queue, **options), RATE)


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("queue", ["exact", "cffs"])
@SETTINGS
@given(trace=traces())
def test_same_departures_as_the_heap_pifo(name, queue, trace):
    core = run(trace, BUILDERS[name], queue)
    reference = run(trace, BUILDERS[name], "heap")
    assert core.order.tolist() == reference.order.tolist()
    assert core.start.tolist() == reference.start.tolist()


@pytest.mark.parametrize("name", sorted(BUILDERS))
@settings(max_examples=10, deadline=None)
@given(trace=traces())
def test_approximate_queue_inversions_are_counted(name, trace):
    result = run(trace, BUILDERS[name], "approx", count_inversions=True)
    assert len(result.order) == len(trace)  # everything leaves, once
    assert sorted(result.order.tolist()) == list(range(len(trace)))
    for stats in result.queue_stats.values():
        assert 0 <= stats["inversions"] <= stats["pops"]
        if stats["inversions"] == 0:
            assert stats["max_error"] == 0


def test_approximate_queue_inversions_match_an_independent_count():
    # A pattern the gradient estimate gets wrong: 70% of the buckets of one
    # group occupied at random (holes bias the estimate, paper App. B), all
    # queued at once.
    ranks = sorted(random.Random(0).sample(range(400), 280))
    n = len(ranks)
    trace = Trace(make_packets(np.zeros(n, dtype=np.int64), np.arange(n), 1500, cls=0))
    from eiffel.pifo import packet_policy

    def root():
        return Node(packet_policy(lambda pkt, now: ranks[pkt], bound=400))

    result = run(trace, root, "approx", count_inversions=True)
    stats = result.queue_stats[root().name]
    # Count by hand: a departure is an inversion if a smaller rank is still queued.
    order = result.order.tolist()
    expected = sum(1 for k, pkt in enumerate(order) if any(ranks[p] < ranks[pkt] for p in order[k + 1 :]))
    assert stats["inversions"] == expected > 0
    assert stats["approx_inexact"] == expected  # the queue's own count agrees


# -- independent models written from the definitions ------------------------


def reference_by_static_rank(trace, rank_of):
    """A work-conserving link serving a heapq of (rank, arrival index)."""
    packets = trace.packets
    tx = transmission_times(trace, RATE).tolist()
    times = packets["time"].tolist()
    heap, order, t, i, n = [], [], 0, 0, len(packets)
    while len(order) < n:
        if not heap and times[i] > t:
            t = times[i]
        while i < n and times[i] <= t:
            heapq.heappush(heap, (rank_of(i), i))
            i += 1
        _, pkt = heapq.heappop(heap)
        order.append(pkt)
        t += tx[pkt]
    return order


@SETTINGS
@given(trace=traces())
def test_fifo_strict_edf_las_follow_their_definitions(trace):
    p = trace.packets
    cases = {
        "fifo": lambda i: 0,
        "strict": lambda i: int(p["cls"][i]),
        # EDF's documented resolution: 1 us from the earliest deadline
        "edf": lambda i: int(p["deadline"][i] - p["deadline"].min()) // 1000,
        "las": lambda i: int(trace.attained[i]),
    }
    for name, rank_of in cases.items():
        assert run(trace, BUILDERS[name], "exact").order.tolist() == reference_by_static_rank(trace, rank_of), name


def test_dscp_priority_uses_the_diffserv4_groups():
    # EF (voice) before AF41 (video) before CS0 (best effort) before CS1 (bulk),
    # all queued at once, in the reverse order.
    dscps = [8, 0, 34, 46]
    trace = Trace(make_packets([0, 0, 0, 0], [0, 1, 2, 3], 100, dscp=dscps))
    assert run(trace, BUILDERS["dscp"], "exact").order.tolist() == [3, 2, 1, 0]


def textbook_drr(trace, quantum):
    """DRR as Shreedhar and Varghese wrote it: an active list of flows, each
    with a deficit counter.  A flow joins at the tail with no deficit; its
    turn adds a quantum and sends head packets while the deficit covers
    them; the turn ends (the flow to the tail) as soon as it cannot cover
    the next one, and a flow whose queue empties leaves with its deficit
    reset."""
    p = trace.packets
    tx = transmission_times(trace, RATE).tolist()
    times, flows, sizes = p["time"].tolist(), p["flow"].tolist(), p["size"].tolist()
    queues, deficit, active = {}, {}, deque()
    current = None  # the flow whose turn it is
    order, t, i, n = [], 0, 0, len(p)
    while len(order) < n:
        if current is None and not active and times[i] > t:
            t = times[i]
        while i < n and times[i] <= t:
            q = queues.setdefault(flows[i], deque())
            if not q and flows[i] != current:
                active.append(flows[i])
                deficit[flows[i]] = 0
            q.append(i)
            i += 1
        while current is None:
            current = active.popleft()
            deficit[current] += quantum
            if sizes[queues[current][0]] > deficit[current]:  # a packet above the quantum
                active.append(current)
                current = None
        q = queues[current]
        pkt = q.popleft()
        deficit[current] -= sizes[pkt]
        order.append(pkt)
        if not q:
            deficit[current] = 0
            current = None
        elif sizes[q[0]] > deficit[current]:
            active.append(current)
            current = None
        t += tx[pkt]
    return order


@SETTINGS
@given(trace=traces())
def test_drr_is_textbook_drr(trace):
    assert run(trace, BUILDERS["drr"], "exact").order.tolist() == textbook_drr(trace, 1500)


def textbook_srpt(trace):
    """Serve the flow with the fewest bytes left to send, in flow order within it."""
    p = trace.packets
    tx = transmission_times(trace, RATE).tolist()
    times, flows = p["time"].tolist(), p["flow"].tolist()
    remaining = trace.remaining.tolist()
    queues, order, t, i, n, seq = {}, [], 0, 0, len(p), 0
    became = {}  # flow -> when its current rank was set (ties: earlier first)
    while len(order) < n:
        if not any(queues.values()) and times[i] > t:
            t = times[i]
        while i < n and times[i] <= t:
            q = queues.setdefault(flows[i], deque())
            if not q:
                became[flows[i]] = seq = seq + 1
            q.append(i)
            i += 1
        f = min((f for f, q in queues.items() if q), key=lambda f: (remaining[queues[f][0]], became[f]))
        pkt = queues[f].popleft()
        order.append(pkt)
        if queues[f]:
            became[f] = seq = seq + 1
        t += tx[pkt]
    return order


@SETTINGS
@given(trace=traces())
def test_srpt_serves_the_least_remaining_flow(trace):
    assert run(trace, BUILDERS["srpt"], "exact").order.tolist() == textbook_srpt(trace)


def test_pfabric_with_link_stamps_lets_a_short_flow_overtake():
    # A 20-packet flow is queued; a 2-packet flow arrives: it has fewer bytes
    # left, so both of its packets go before the long flow's next ones.
    time = [0] * 20 + [30_000, 30_000]
    flows = [0] * 20 + [1, 1]
    trace = Trace(make_packets(time, flows, 1500))
    order = run(trace, BUILDERS["pfabric"], "exact").order.tolist()
    assert order.index(20) < order.index(4) and order.index(21) < order.index(4)
    assert [pkt for pkt in order if pkt < 20] == list(range(20))  # in order within the flow


def test_lqf_serves_the_longest_queue():
    time = [0, 0, 0, 0, 0, 0]
    flows = [0, 1, 1, 1, 2, 2]
    trace = Trace(make_packets(time, flows, 1500))
    order = run(trace, BUILDERS["lqf"], "exact").order.tolist()
    assert order[0] == 1  # flow 1 (3 packets) first
    assert order[1] in (2, 4)  # then flows 1 and 2 tie at 2 packets


def test_stfq_shares_by_weight():
    # Three backlogged flows, weights 1:2:4, equal packets: over any long
    # prefix of the departures they get 1/7, 2/7, 4/7 of the packets.
    n = 700
    trace = Trace(make_packets(np.zeros(n, dtype=np.int64), np.arange(n) % 3, 1000))
    order = run(trace, BUILDERS["stfq"], "exact").order
    served = np.bincount(order[:350] % 3, minlength=3)
    assert np.allclose(served / 350, [1 / 7, 2 / 7, 4 / 7], atol=0.01)


def test_builtin_registry_builds_every_policy():
    trace = Trace(make_packets([0, 10, 20], [0, 1, 0], 1000, cls=[0, 1, 0]))
    for name in ("fifo", "strict", "dscp", "drr", "wfq", "stfq", "pfabric", "srpt", "lqf", "las",
                 "edf", "lstf", "hpfq", "pacing", "tbf", "hclock"):  # fmt: skip
        assert len(simulate(trace, Scheduler(build(name, RATE)), RATE).order) == 3
    with pytest.raises(ValueError, match="unknown policy 'nope'"):
        build("nope", RATE)
