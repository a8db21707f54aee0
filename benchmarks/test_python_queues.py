"""pytest-benchmark suite: fill a queue with n elements, then drain it.

One benchmark per (mode, distribution, size, contender); its time is one
fill + drain.  push and pop are also timed apart inside each round and kept
in extra_info (medians, ns per element), so the comparison table can show
push, pop and both.  Run through ``make -C benchmarks python`` which saves
the JSON and builds the table (compare.py); see benchmarks/README.md.
"""

import statistics
from functools import lru_cache
from time import perf_counter

from bench_workloads import make_workload


@lru_cache(maxsize=4)
def workload(dist, n):
    return make_workload(dist, n)


def rounds_for(n, smoke):
    # Ten rounds (after one warm-up) up to 10^4, five at 10^5 (pqdict takes
    # 2 s a round there); at 10^6, where one round of a heap takes seconds,
    # two rounds and no warm-up.  Keeps the suite near 5 minutes.
    if smoke:
        return 1, 0
    if n <= 10_000:
        return 10, 1
    return (5, 1) if n <= 100_000 else (2, 0)


def test_fill_then_drain(benchmark, case, request):
    mode, dist, n, contender = case
    w = workload(dist, n)
    rounds, warmup = rounds_for(n, request.config.getoption("--bench-smoke"))
    push_s, pop_s = [], []

    def cycle():
        t0 = perf_counter()
        q = contender.fill(w)
        t1 = perf_counter()
        contender.drain(q, n)
        t2 = perf_counter()
        push_s.append(t1 - t0)
        pop_s.append(t2 - t1)

    benchmark.group = f"{mode} {dist} n={n}"
    benchmark.name = contender.name
    benchmark.pedantic(cycle, rounds=rounds, iterations=1, warmup_rounds=warmup)
    push_s, pop_s = push_s[warmup:], pop_s[warmup:]
    benchmark.extra_info.update(
        mode=mode, dist=dist, n=n, contender=contender.name, stable=contender.stable,
        push_ns=statistics.median(push_s) / n * 1e9,
        pop_ns=statistics.median(pop_s) / n * 1e9,
    )
