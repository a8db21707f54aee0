"""Rank sequences for the Python benchmarks: uniform, time-like and skewed.

Every queue sees the same ranks, generated from a fixed seed.  Eiffel's
queues are configured for LEVELS priority levels over the workload's rank
range (granularity = range / LEVELS): equal level means FIFO order, which is
the bucketed queue's contract; the comparison queues order exactly.  For
uniform and skewed ranks the range is LEVELS, so both orders agree.
"""

from dataclasses import dataclass

import numpy as np

LEVELS = 1 << 16
SEED = 20190226  # NSDI 2019's first day
DISTRIBUTIONS = ("uniform", "timelike", "skewed")


@dataclass
class Workload:
    dist: str
    ranks: np.ndarray        # int64, in push order
    rank_list: list          # the same ranks as Python ints, for per-item loops
    items: list              # one distinct object per element
    item_array: np.ndarray   # the same items as a numpy object array (batch APIs)
    granularity: int         # rank units per Eiffel bucket

    @property
    def n(self):
        return len(self.ranks)


def ranks_for(dist, n, seed=SEED):
    rng = np.random.default_rng(seed)
    if dist == "uniform":
        return rng.integers(0, LEVELS, n, dtype=np.int64)
    if dist == "timelike":
        # Timestamps: one arrival every ~1000 units (ns at 1 Mpps) with jitter
        # of a few arrivals, so the sequence is monotone except locally.
        return np.arange(n, dtype=np.int64) * 1000 + rng.integers(0, 4000, n, dtype=np.int64)
    if dist == "skewed":
        # Most elements near the front: level = LEVELS * u^4 (a quarter of all
        # elements land in the first 1/256 of the levels).
        return (LEVELS * rng.random(n) ** 4).astype(np.int64)
    raise ValueError(f"unknown distribution {dist!r}")


def make_workload(dist, n, seed=SEED):
    ranks = ranks_for(dist, n, seed)
    span = int(ranks.max()) + 1
    granularity = max(1, -(-span // LEVELS))
    items = [f"item{i}" for i in range(n)]
    item_array = np.empty(n, dtype=object)
    item_array[:] = items
    return Workload(dist, ranks, ranks.tolist(), items, item_array, granularity)
