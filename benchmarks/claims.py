"""CFFSQueue against the heapq recipe at 10^6 elements, side by side in one run.

At n = 10^6 elements, for uniform and time-like ranks:

  fill + drain   heapq's (rank, seq, item) recipe per element, against
                 CFFSQueue push()/pop() per element and against
                 CFFSQueue push_many() + pop_many() (target: >= 50x);
  hold           with n elements queued, pop one and push one (rank = popped
                 rank + a random increment), the classic steady-state test.

Repeats are interleaved (recipe, per-item, batch, recipe, ...) so that noise
from other tenants hits all three alike; the median is reported.  Also the
memory per queued element: the core's node, the Python glue's element, the
bucket arrays and bitmaps (eiffel_cffs_size), against the heapq recipe's
list slot + tuple + ints (tracemalloc).

    python claims.py --out results/claims            (about a minute)
    python claims.py --n 2000 --repeats 1 --out DIR  (smoke)
"""

import argparse
import heapq
import itertools
import json
import statistics
import sys
import tracemalloc
from pathlib import Path
from time import perf_counter

import numpy as np

import eiffel
from eiffel.queues import internals
from bench_workloads import LEVELS, make_workload

# Bytes per element, from the C declarations (through cffi) and numpy.
ELEMENT = internals.element_bytes()
ITEM_SLOT_BYTES = np.dtype(object).itemsize  # one object pointer in the queue's item array


def recipe_fill(w):
    h = []
    push = heapq.heappush
    for entry in zip(w.rank_list, itertools.count(), w.items):
        push(h, entry)
    return h


def recipe_drain(h, n):
    pop = heapq.heappop
    for _ in range(n):
        pop(h)


def cffs_of(w):
    return eiffel.CFFSQueue(LEVELS // 2, w.granularity)


def cffs_fill(w):
    q = cffs_of(w)
    push = q.push
    for rank, item in zip(w.rank_list, w.items):
        push(rank, item)
    return q


def cffs_drain(q, n):
    pop = q.pop
    for _ in range(n):
        pop()


def batch_fill(w):
    q = cffs_of(w)
    q.push_many(w.ranks, w.item_array)
    return q


def batch_drain(q, n):
    q.pop_many(n)


def ranks_only_fill(w):
    # Where the batch time goes: without items, pop_many never touches
    # Python objects, so this is the core plus the glue alone.
    q = cffs_of(w)
    q.push_many(w.ranks)
    return q


FILL_DRAIN = {
    "heapq (rank, seq, item)": (recipe_fill, recipe_drain),
    "CFFSQueue push/pop": (cffs_fill, cffs_drain),
    "CFFSQueue push_many/pop_many": (batch_fill, batch_drain),
    "CFFSQueue push_many/pop_many, no items": (ranks_only_fill, batch_drain),
}


def hold_increments(w, k):
    # Increments below the workload's span keep every rank inside cFFS's window.
    span = LEVELS * w.granularity
    return np.random.default_rng(7).integers(0, span, k).tolist()


def recipe_hold(h, incs, items):
    push, pop = heapq.heappush, heapq.heappop
    seq = itertools.count(len(h))
    t0 = perf_counter()
    for inc, item in zip(incs, items):
        rank = pop(h)[0]
        push(h, (rank + inc, next(seq), item))
    return perf_counter() - t0


def cffs_hold(q, incs, items):
    push, pop = q.push, q.pop
    t0 = perf_counter()
    for inc, item in zip(incs, items):
        rank = pop()[0]
        push(rank + inc, item)
    return perf_counter() - t0


def fill_drain(w, repeats):
    times = {name: {"push": [], "pop": []} for name in FILL_DRAIN}
    for _ in range(repeats):
        for name, (fill, drain) in FILL_DRAIN.items():
            t0 = perf_counter()
            q = fill(w)
            t1 = perf_counter()
            drain(q, w.n)
            t2 = perf_counter()
            times[name]["push"].append(t1 - t0)
            times[name]["pop"].append(t2 - t1)
            del q
    out = {}
    for name, t in times.items():
        total = [a + b for a, b in zip(t["push"], t["pop"])]
        out[name] = {
            "ns_per_element": statistics.median(total) / w.n * 1e9,
            "push_ns": statistics.median(t["push"]) / w.n * 1e9,
            "pop_ns": statistics.median(t["pop"]) / w.n * 1e9,
        }
    return out


def hold(w, repeats, k):
    incs = hold_increments(w, k)
    items = w.items[:k]
    recipe = recipe_fill(w)
    q = cffs_fill(w)
    rt, ct = [], []
    for _ in range(repeats + 1):   # the first round warms up
        rt.append(recipe_hold(recipe, incs, items))
        ct.append(cffs_hold(q, incs, items))
    return {
        "heapq (rank, seq, item)": statistics.median(rt[1:]) / k * 1e9,
        "CFFSQueue push/pop": statistics.median(ct[1:]) / k * 1e9,
    }


def memory(w):
    # The recipe: what the heap allocates beyond the ranks and items, which
    # both queues receive ready-made (so neither side counts them).
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    h = recipe_fill(w)
    recipe = (tracemalloc.get_traced_memory()[0] - before) / w.n
    tracemalloc.stop()
    del h
    q = cffs_fill(w)
    capacity = internals.glue_capacity(q)
    buckets = internals.cffs_bytes(LEVELS // 2)
    del q
    glue = (ELEMENT["glue_element"] + ELEMENT["free_slot"]) * capacity / w.n
    return {
        "core_node_bytes": ELEMENT["core_node"],
        "core_buckets_and_bitmaps_bytes": buckets,
        "core_bytes_per_element": ELEMENT["core_node"] + buckets / w.n,
        "python_queue_bytes_per_element": glue + ITEM_SLOT_BYTES * capacity / w.n + buckets / w.n,
        "glue_capacity": capacity,
        "heapq_recipe_bytes_per_element": recipe,
    }


def markdown(result):
    n = result["n"]
    lines = [f"#### CFFSQueue against the heapq recipe at n = {n:,} (median of {result['repeats']} interleaved repeats)", "",
             "| ranks | heapq (rank, seq, item) | CFFSQueue push/pop | speed-up | "
             "push_many + pop_many | speed-up (target ≥ 50x) | same, ranks only (no items) | speed-up |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for dist, r in result["fill_drain"].items():
        base = r["heapq (rank, seq, item)"]["ns_per_element"]
        item = r["CFFSQueue push/pop"]["ns_per_element"]
        batch = r["CFFSQueue push_many/pop_many"]["ns_per_element"]
        bare = r["CFFSQueue push_many/pop_many, no items"]["ns_per_element"]
        lines.append(f"| {dist} | {base:.0f} ns | {item:.0f} ns | {base / item:.2f}x | "
                     f"{batch:.1f} ns | {base / batch:.1f}x | {bare:.1f} ns | {base / bare:.1f}x |")
    lines += ["", "ns per element for push + pop (fill with n, then drain). Push and pop apart:", "",
              "| ranks | queue | push | pop |", "|---|---|---:|---:|"]
    for dist, r in result["fill_drain"].items():
        for name, v in r.items():
            lines.append(f"| {dist} | {name} | {v['push_ns']:.0f} ns | {v['pop_ns']:.0f} ns |")
    lines += ["", f"Hold: {n:,} queued, then {result['hold_ops']:,} times pop one + push one"
              " (ns per pair):", "", "| ranks | heapq (rank, seq, item) | CFFSQueue | speed-up |",
              "|---|---:|---:|---:|"]
    for dist, r in result["hold"].items():
        base, cffs = r["heapq (rank, seq, item)"], r["CFFSQueue push/pop"]
        lines.append(f"| {dist} | {base:.0f} ns | {cffs:.0f} ns | {base / cffs:.2f}x |")
    m = result["memory"]
    lines += ["", "Memory per queued element:", "",
              "| what | bytes |", "|---|---:|",
              f"| core node (two links + rank) | {m['core_node_bytes']} |",
              f"| core bucket arrays + bitmaps, {LEVELS // 2:,} buckets per half "
              f"({m['core_buckets_and_bitmaps_bytes']:,} B in all), per element | "
              f"{m['core_buckets_and_bitmaps_bytes'] / n:.2f} |",
              f"| **core total** | **{m['core_bytes_per_element']:.2f}** |",
              f"| CFFSQueue total (glue element 32 + free slot 4 + item pointer 8, at capacity "
              f"{m['glue_capacity']:,}; + buckets) | {m['python_queue_bytes_per_element']:.1f} |",
              f"| heapq recipe: list slot + tuple + seq int (tracemalloc; ranks and items exist already) | "
              f"{m['heapq_recipe_bytes_per_element']:.1f} |", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--hold-ops", type=int, default=200_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = {"n": args.n, "repeats": args.repeats, "hold_ops": min(args.hold_ops, args.n),
              "fill_drain": {}, "hold": {}}
    for dist in ("uniform", "timelike"):
        w = make_workload(dist, args.n)
        print(f"claims: {dist}, n={args.n}", file=sys.stderr)
        result["fill_drain"][dist] = fill_drain(w, args.repeats)
        result["hold"][dist] = hold(w, args.repeats, result["hold_ops"])
    result["memory"] = memory(make_workload("uniform", args.n))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "claims.json").write_text(json.dumps(result, indent=1))
    (args.out / "claims.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
