"""The simulator: one link of a given rate drains a scheduler.

Event rules, in integer nanoseconds:
  * when the link is free at time t it takes the scheduler's best eligible
    packet and is busy for the packet's transmission time,
    ceil(size * 8e9 / rate);
  * every arrival and shaper release at or before t is applied before that
    choice, in time order, arrivals first on a tie;
  * with a buffer limit, a packet arriving to a full scheduler is dropped
    (tail drop) and never departs.

The loops keep per-packet work to a few list lookups and queue calls:
packets are trace indices, and a single node whose ranks depend on the
packet alone takes each burst of arrivals with one push_many.
"""

import time as _time
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from eiffel.pifo.scheduler import NEVER, Scheduler
from eiffel.units import check_rate, transmission_ns
from eiffel.sim.trace import Trace

__all__ = ["simulate", "Result", "transmission_times"]

PROGRESS_EVERY = 1 << 16  # packets between progress callbacks
BATCH_MIN = 16  # below this many arrivals, single pushes beat one push_many


def transmission_times(trace, rate):
    """Per-packet serialisation time at rate bits/s, in ns (rounded up)."""
    return transmission_ns(trace.array("size").astype(np.int64), rate)


@dataclass
class Result:
    """What a run produced.  Arrays are indexed by packet (trace row)."""

    trace: Trace
    rate: float
    start: np.ndarray  # ns the packet began transmission, -1 if dropped
    departure: np.ndarray  # ns its last bit left, -1 if dropped
    order: np.ndarray  # packet indices in departure order
    dropped: np.ndarray  # bool per packet: tail-dropped on arrival
    queue_stats: dict = field(default_factory=dict)  # node name -> queue stats
    shaper_far: int = 0  # shaper entries that waited beyond its window
    wall_seconds: float = 0.0  # the run's loop, wall clock
    cpu_seconds: float = 0.0  # the same, process CPU time (steady on a busy machine)

    @property
    def packets_per_second(self):
        """Simulated packets per second of CPU time spent in the run's loop."""
        return len(self.order) / self.cpu_seconds if self.cpu_seconds else float("inf")


def _check_rate(rate):
    check_rate(rate, "link rate")
    if rate > 8e12:
        raise ValueError(f"link rate {rate:g} bit/s is beyond the supported 8 Tbit/s")


def simulate(trace, scheduler, rate, *, buffer=None, progress=None):
    """Run trace through scheduler on a link of rate bits/s.

    trace: a Trace or a packet array (eiffel.sim.PACKET_DTYPE).  buffer: the
    most packets the scheduler may hold (tail drop beyond), or None.
    progress(done, total) is called every few tens of thousands of packets.
    """
    _check_rate(rate)
    if not isinstance(trace, Trace):
        trace = Trace(trace)
    if not isinstance(scheduler, Scheduler):
        raise TypeError(f"scheduler must be an eiffel.pifo.Scheduler, not {type(scheduler).__name__}")
    if buffer is not None and (isinstance(buffer, bool) or not isinstance(buffer, int) or buffer < 1):
        raise ValueError(f"buffer {buffer!r} must be a positive number of packets or None")
    scheduler.bind(trace)
    tx = transmission_times(trace, rate).tolist()
    limit = NEVER if buffer is None else buffer
    clock, cpu = _time.perf_counter(), _time.process_time()
    if scheduler.batchable:
        run = _run_batched
    elif scheduler.single:
        run = _run_single
    else:
        run = _run_tree
    order, starts, drops = run(trace, scheduler, tx, limit, progress)
    wall, cpu = _time.perf_counter() - clock, _time.process_time() - cpu
    if len(order) + len(drops) != len(trace):
        raise RuntimeError(
            f"the scheduler still holds {len(trace) - len(order) - len(drops)} packets"
            " that no event will release: a limit or policy never lets them leave"
        )
    dropped = np.zeros(len(trace), dtype=bool)
    dropped[np.asarray(drops, dtype=np.int64)] = True
    order = np.asarray(order, dtype=np.int64)
    start = np.full(len(trace), -1, dtype=np.int64)
    start[order] = starts
    departure = np.full(len(trace), -1, dtype=np.int64)
    departure[order] = start[order] + np.asarray(tx, dtype=np.int64)[order]
    stats = {node.name: dict(node.queue.stats) for node in scheduler.nodes}
    far = scheduler.shaper.far_entries if scheduler.shaper is not None else 0
    return Result(trace, rate, start, departure, order, dropped, stats, far, wall, cpu)


def _run_batched(trace, scheduler, tx, limit, progress):
    """One node, ranks known per packet: bursts go in with push_many."""
    times = trace.column("time")
    n = len(times)
    root = scheduler.root
    pop, push, ranks = root.queue.pop, root.queue.push, root.static_rank_list
    insert_batch = root.insert_batch
    order, starts, drops = [], [], []
    append_order, append_start = order.append, starts.append
    i = backlog = 0
    t = times[0] if n else 0
    next_report = PROGRESS_EVERY
    while True:
        if i < n and times[i] <= t:
            if i + 1 < n and times[i + 1] <= t:
                # A burst: one push_many (room permitting; the rest is dropped).
                j = bisect_right(times, t, i)
                end = min(j, i + limit - backlog)
                if end - i >= BATCH_MIN:
                    insert_batch(i, end)
                else:
                    for pkt in range(i, end):
                        push(ranks[pkt], pkt)
                backlog += end - i
                drops.extend(range(end, j))
                i = j
            elif backlog < limit:
                push(ranks[i], i)
                backlog += 1
                i += 1
            else:
                drops.append(i)
                i += 1
        if not backlog:
            if i >= n:
                break
            t = times[i]
            continue
        pkt = pop()[1]
        backlog -= 1
        append_order(pkt)
        append_start(t)
        t += tx[pkt]
        if progress is not None and len(order) >= next_report:
            progress(i, n)
            next_report += PROGRESS_EVERY
    return order, starts, drops


def _run_single(trace, scheduler, tx, limit, progress):
    """One node, ranks computed per packet (or per flow) as packets arrive."""
    times = trace.column("time")
    n = len(times)
    root = scheduler.root
    insert, pop = root.insert, root.pop
    order, starts, drops = [], [], []
    append_order, append_start = order.append, starts.append
    i = backlog = 0
    t = times[0] if n else 0
    next_report = PROGRESS_EVERY
    while True:
        while i < n and times[i] <= t:
            if backlog < limit:
                insert(i, times[i])
                backlog += 1
            else:
                drops.append(i)
            i += 1
        if not backlog:
            if i >= n:
                break
            t = times[i]
            continue
        pkt = pop(t)
        backlog -= 1
        append_order(pkt)
        append_start(t)
        t += tx[pkt]
        if progress is not None and len(order) >= next_report:
            progress(i, n)
            next_report += PROGRESS_EVERY
    scheduler.backlog = backlog
    return order, starts, drops


def _run_tree(trace, scheduler, tx, limit, progress):
    """Any tree, with shaping: arrivals and shaper releases in time order."""
    times = trace.column("time")
    n = len(times)
    enqueue, dequeue = scheduler.enqueue, scheduler.dequeue
    next_release, release, wakeup = scheduler.next_release, scheduler.release, scheduler.wakeup
    order, starts, drops = [], [], []
    append_order, append_start = order.append, starts.append
    i = 0
    t = times[0] if n else 0
    next_report = PROGRESS_EVERY
    while True:
        while True:
            arrival = times[i] if i < n else NEVER
            due = next_release()
            if arrival <= due:
                if arrival > t:
                    break
                if scheduler.backlog < limit:
                    enqueue(i, arrival)
                else:
                    drops.append(i)
                i += 1
            else:
                if due > t:
                    break
                release(min(t, arrival - 1))
        pkt = dequeue(t) if scheduler.backlog else -1
        if pkt < 0:
            later = min(times[i] if i < n else NEVER, wakeup())
            if later == NEVER:
                break
            t = max(later, t + 1)
            continue
        append_order(pkt)
        append_start(t)
        t += tx[pkt]
        if progress is not None and len(order) >= next_report:
            progress(i, n)
            next_report += PROGRESS_EVERY
    return order, starts, drops
