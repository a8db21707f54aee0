"""`eiffel bench`: a quick side-by-side of the queues against heapq.

Each queue is filled with n ranks drawn uniformly from [0, n) and then
emptied (the paper's enqueue-then-dequeue-all), per item and in one numpy
batch.  The queues are sized so that every rank has its own bucket, so all
of them are exact priority queues except ApproxQueue.  Times are the best of
a few repeats, in nanoseconds per element (one push plus one pop); ratios are
measured in the same run, so they survive a noisy machine better than the
absolute numbers.  The full benchmark suite is under benchmarks/ (see
eiffel.bench.full).  `eiffel bench` (eiffel/cli/bench.py) prints these.
"""

import heapq
import itertools
import platform
import time

import numpy as np

import eiffel

DEFAULT_SIZES = (1_000, 10_000, 100_000)


def _best(run, repeats):
    best = float("inf")
    for _ in range(repeats):
        best = min(best, run())
    return best


def _heapq_ints(ranks):
    def run():
        heap, push, pop = [], heapq.heappush, heapq.heappop
        start = time.perf_counter()
        for r in ranks:
            push(heap, r)
        for _ in range(len(ranks)):
            pop(heap)
        return time.perf_counter() - start
    return run


def _heapq_tuples(ranks):
    def run():
        heap, push, pop, seq = [], heapq.heappush, heapq.heappop, itertools.count()
        start = time.perf_counter()
        for r in ranks:
            push(heap, (r, next(seq), None))
        for _ in range(len(ranks)):
            pop(heap)
        return time.perf_counter() - start
    return run


def _per_item(make, ranks):
    def run():
        q = make()
        push, pop = q.push, q.pop
        start = time.perf_counter()
        for r in ranks:
            push(r, None)
        for _ in range(len(ranks)):
            pop()
        return time.perf_counter() - start
    return run


def _batch(make, array, items):
    def run():
        q = make()
        start = time.perf_counter()
        q.push_many(array, items)
        q.pop_many(len(array))
        return time.perf_counter() - start
    return run


def _queues(n):
    half = max(n // 2, 1)
    return {
        "FFSQueue": lambda: eiffel.FFSQueue(n),
        "CFFSQueue": lambda: eiffel.CFFSQueue(half),
        "ApproxQueue": lambda: eiffel.ApproxQueue(half),
    }


def measure(sizes=DEFAULT_SIZES, repeats=3, seed=1):
    """Rows of {size, queue, mode, ns, vs_tuples}; vs_tuples > 1 means faster than heapq."""
    rows = []
    rng = np.random.default_rng(seed)
    for n in sizes:
        array = rng.integers(0, n, n)
        ranks = array.tolist()
        items = np.empty(n, dtype=object)
        tuples = _best(_heapq_tuples(ranks), repeats) / n * 1e9
        results = [
            ("heapq (rank, seq, item)", "per item", tuples),
            ("heapq ints", "per item", _best(_heapq_ints(ranks), repeats) / n * 1e9),
        ]
        for name, make in _queues(n).items():
            results.append((name, "per item", _best(_per_item(make, ranks), repeats) / n * 1e9))
            results.append((name, "batch", _best(_batch(make, array, items), repeats) / n * 1e9))
        for name, mode, ns in results:
            rows.append({"size": n, "queue": name, "mode": mode, "ns": ns, "vs_tuples": tuples / ns})
    return rows


def format_table(rows):
    lines = [
        f"{'size':>9}  {'queue':<24} {'mode':<9} {'ns/elem':>9}  {'vs heapq tuples':>15}",
    ]
    for row in rows:
        lines.append(
            f"{row['size']:>9,}  {row['queue']:<24} {row['mode']:<9} {row['ns']:>9.0f}"
            f"  {row['vs_tuples']:>14.1f}x"
        )
    return "\n".join(lines)


def describe_machine():
    return f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}"
