"""Where a per-element CFFSQueue push + pop spends its time (n = 1000, best of 7).

Compares, per push + pop pair: the public methods; the raw cffi calls into
the glue (eiffel_pyq_push / eiffel_pyq_pop: argument conversion, GIL release
and reacquire, the core); the item store the class does in a numpy object
array (and the same in a list); the non-blocking lock taken twice; and the
heapq (rank, seq, item) recipe for scale.  Small n keeps everything in cache:
this is interpreter and call overhead, not memory.

    python overhead.py --out results/claims
"""

import argparse
import heapq
import itertools
import sys
import threading
import timeit
from pathlib import Path

import numpy as np

import eiffel
from eiffel.queues import internals

N = 1000


def cases():
    q = eiffel.CFFSQueue(1024)
    raw_push, raw_pop, pq = internals.raw_calls(q)
    array = np.empty(1024, dtype=object)
    plain = [None] * 1024
    lock = threading.Lock()

    def methods():
        push, pop = q.push, q.pop
        for i in range(N):
            push(i, "x")
        for _ in range(N):
            pop()

    def raw_cffi():
        push, pop = raw_push, raw_pop
        for i in range(N):
            push(pq, i)
        for _ in range(N):
            pop(pq, 0)

    def numpy_items():
        for i in range(N):
            array[i] = "x"
        for i in range(N):
            array[i]
            array[i] = None

    def list_items():
        for i in range(N):
            plain[i] = "x"
        for i in range(N):
            plain[i]
            plain[i] = None

    def lock_twice():
        acquire, release = lock.acquire, lock.release
        for _ in range(2 * N):
            acquire(False)
            release()

    def heapq_recipe():
        h, count = [], itertools.count()
        for i in range(N):
            heapq.heappush(h, (i, next(count), "x"))
        for _ in range(N):
            heapq.heappop(h)

    return [
        ("CFFSQueue.push + pop (public methods)", methods),
        ("raw cffi calls into the glue (push + pop)", raw_cffi),
        ("item store in a numpy object array (what the class does)", numpy_items),
        ("item store in a list (for comparison)", list_items),
        ("threading.Lock acquire/release, twice", lock_twice),
        ("heapq (rank, seq, item) push + pop", heapq_recipe),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    lines = [f"#### Per-element overhead of CFFSQueue at n = {N} (best of {args.repeats})", "",
             "| what | ns per push + pop |", "|---|---:|"]
    for name, fn in cases():
        best = min(timeit.repeat(fn, number=20, repeat=args.repeats)) / 20 / N * 1e9
        lines.append(f"| {name} | {best:.0f} |")
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "overhead.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
