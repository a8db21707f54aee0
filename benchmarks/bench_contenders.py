"""The priority queues compared at the Python level, behind one small interface.

Each contender has ``fill(w)`` (push every element of workload w, return the
queue) and ``drain(q, n)`` (pop all n elements, return the last popped), in
two modes:

  item   one call per element: the loop a user writes around push/pop;
  batch  the contender's own bulk API where it has one (eiffel push_many /
         pop_many, heapq.heapify, SortedKeyList.update and slice deletion,
         pqdict's heapifying constructor, heapx bulk push and pop(n=)); bulk
         pops that do not exist are per-item loops (heapq, pqdict).

Each loop is written the way that contender is fastest in plain Python
(bound methods in locals, no per-call attribute lookups).
"""

import heapq
import itertools
from operator import itemgetter

import numpy as np

import eiffel
from bench_workloads import LEVELS

try:
    import heapx
except ImportError:  # heapx has wheels for few platforms
    heapx = None
try:
    from sortedcontainers import SortedKeyList
except ImportError:
    SortedKeyList = None
try:
    from pqdict import pqdict
except ImportError:
    pqdict = None


class Contender:
    name = ""
    stable = True        # equal ranks pop first-in first-out
    available = True

    def fill(self, w):
        raise NotImplementedError

    def drain(self, q, n):
        raise NotImplementedError


# ---- Eiffel ----

class _EiffelItem(Contender):
    def make(self, w):
        raise NotImplementedError

    def fill(self, w):
        q = self.make(w)
        push = q.push
        for rank, item in zip(w.rank_list, w.items):
            push(rank, item)
        return q

    def drain(self, q, n):
        pop = q.pop
        out = None
        for _ in range(n):
            out = pop()
        return out


class _EiffelBatch(_EiffelItem):
    def fill(self, w):
        q = self.make(w)
        q.push_many(w.ranks, w.item_array)
        return q

    def drain(self, q, n):
        ranks, items = q.pop_many(n)
        return ranks, items


class _FFS:
    def make(self, w):
        return eiffel.FFSQueue(LEVELS, w.granularity)


class _CFFS:
    def make(self, w):
        return eiffel.CFFSQueue(LEVELS // 2, w.granularity)


class _Approx:
    stable = False   # may pop a later bucket of the same group first

    def make(self, w):
        return eiffel.ApproxQueue(LEVELS // 2, w.granularity)


class FFSItem(_FFS, _EiffelItem):
    name = "eiffel.FFSQueue"


class CFFSItem(_CFFS, _EiffelItem):
    name = "eiffel.CFFSQueue"


class ApproxItem(_Approx, _EiffelItem):
    name = "eiffel.ApproxQueue"


class FFSBatch(_FFS, _EiffelBatch):
    name = "eiffel.FFSQueue"


class CFFSBatch(_CFFS, _EiffelBatch):
    name = "eiffel.CFFSQueue"


class ApproxBatch(_Approx, _EiffelBatch):
    name = "eiffel.ApproxQueue"


# ---- heapq: bare ints (the floor) and the (rank, seq, item) recipe ----

class HeapqIntsItem(Contender):
    name = "heapq ints"
    stable = False   # carries no item: nothing to keep in order

    def fill(self, w):
        h = []
        push = heapq.heappush
        for rank in w.rank_list:
            push(h, rank)
        return h

    def drain(self, h, n):
        pop = heapq.heappop
        out = None
        for _ in range(n):
            out = pop(h)
        return out


class HeapqIntsBatch(HeapqIntsItem):
    def fill(self, w):
        h = list(w.rank_list)
        heapq.heapify(h)
        return h


class HeapqRecipeItem(Contender):
    name = "heapq (rank, seq, item)"

    def fill(self, w):
        h = []
        push = heapq.heappush
        for entry in zip(w.rank_list, itertools.count(), w.items):
            push(h, entry)
        return h

    drain = HeapqIntsItem.drain


class HeapqRecipeBatch(HeapqRecipeItem):
    def fill(self, w):
        h = list(zip(w.rank_list, itertools.count(), w.items))
        heapq.heapify(h)
        return h


# ---- sortedcontainers.SortedKeyList: (rank, item) keyed on rank ----

class SortedItem(Contender):
    name = "SortedKeyList"
    available = SortedKeyList is not None

    def fill(self, w):
        # add() inserts with bisect_right on the key: equal ranks stay FIFO.
        sl = SortedKeyList(key=itemgetter(0))
        add = sl.add
        for entry in zip(w.rank_list, w.items):
            add(entry)
        return sl

    def drain(self, sl, n):
        pop = sl.pop
        out = None
        for _ in range(n):
            out = pop(0)
        return out


class SortedBatch(SortedItem):
    def fill(self, w):
        sl = SortedKeyList(key=itemgetter(0))
        sl.update(zip(w.rank_list, w.items))
        return sl

    def drain(self, sl, n):
        out = sl[:n]
        del sl[:n]
        return out


# ---- pqdict: item -> rank, an indexed heap ----

class PqdictItem(Contender):
    name = "pqdict"
    stable = False   # ties follow heap order
    available = pqdict is not None

    def fill(self, w):
        pq = pqdict()
        add = pq.additem
        for rank, item in zip(w.rank_list, w.items):
            add(item, rank)
        return pq

    def drain(self, pq, n):
        pop = pq.popitem
        out = None
        for _ in range(n):
            out = pop()
        return out


class PqdictBatch(PqdictItem):
    def fill(self, w):
        return pqdict(zip(w.items, w.rank_list))


# ---- heapx: a C heap, with the same (rank, seq, item) entries ----

class HeapxItem(Contender):
    name = "heapx (rank, seq, item)"
    available = heapx is not None

    def fill(self, w):
        h = []
        push = heapx.push
        for entry in zip(w.rank_list, itertools.count(), w.items):
            push(h, entry)
        return h

    def drain(self, h, n):
        pop = heapx.pop
        out = None
        for _ in range(n):
            out = pop(h)
        return out


class HeapxBatch(HeapxItem):
    def fill(self, w):
        h = []
        heapx.push(h, list(zip(w.rank_list, itertools.count(), w.items)))
        return h

    def drain(self, h, n):
        return heapx.pop(h, n=n)


# ---- numpy: no queue at all, the vectorized "sort everything" floor ----

class NumpySortBatch(Contender):
    name = "numpy stable argsort"

    def fill(self, w):
        return w.ranks, w.item_array

    def drain(self, q, n):
        ranks, items = q
        order = np.argsort(ranks, kind="stable")
        return ranks[order], items[order]


ITEM = [HeapqIntsItem(), HeapqRecipeItem(), SortedItem(), PqdictItem(), HeapxItem(),
        FFSItem(), CFFSItem(), ApproxItem()]
BATCH = [HeapqIntsBatch(), HeapqRecipeBatch(), SortedBatch(), PqdictBatch(), HeapxBatch(),
         NumpySortBatch(), FFSBatch(), CFFSBatch(), ApproxBatch()]
MODES = {"item": ITEM, "batch": BATCH}
# Pure-Python containers, 10-30x slower than heapq: above this size they
# would dominate the run's wall time without changing any conclusion.
SLOW = {"SortedKeyList", "pqdict"}
