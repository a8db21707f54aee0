// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Glue between the core and eiffel/queues/bucketed.py.  See pyqueue.h. */
#include <stdlib.h>
#include <sys/mman.h>

#include "pyqueue.h"
#include "eiffel_gq.h"

/*
 * Chunk k holds FIRST_CHUNK << k elements, so small queues stay small and
 * large ones get few, large chunks; slot -> chunk is one find-last-set.
 */
#define FIRST_CHUNK_SHIFT	8
#define FIRST_CHUNK		(1u << FIRST_CHUNK_SHIFT)
#define MAX_CHUNKS		23	/* 256 * (2^23 - 1) slots: just under 2^31 */
#define INT64_LIMIT		((u64)1 << 63)
/* Batches prefetch this many elements ahead: enough to overlap cache misses. */
#define PREFETCH_AHEAD		8
/* Large arrays are aligned and marked for transparent huge pages: far fewer TLB misses. */
#define HUGE_PAGE		(2u << 20)

static void *alloc_big(u64 size)
{
	void *mem;

	if (size < HUGE_PAGE)
		return malloc(size);
	size = (size + HUGE_PAGE - 1) & ~(u64)(HUGE_PAGE - 1);
	if (posix_memalign(&mem, HUGE_PAGE, size))
		return NULL;
	madvise(mem, size, MADV_HUGEPAGE);
	return mem;
}

static struct eiffel_cffs *cffs(const struct eiffel_pyq *pq)
{
	return pq->q;
}

static struct eiffel_ffsq *ffsq(const struct eiffel_pyq *pq)
{
	return pq->q;
}

struct eiffel_pyq *eiffel_pyq_create(int kind, u32 nbuckets, u64 granularity,
				     u64 start, u32 flags, u32 alpha)
{
	struct eiffel_pyq *pq = calloc(1, sizeof(*pq));
	u64 size;

	if (!pq)
		return NULL;
	pq->chunks = calloc(MAX_CHUNKS, sizeof(*pq->chunks));
	if (!pq->chunks)
		goto fail;
	pq->kind = kind;
	if (kind == EIFFEL_PY_FFS)
		size = eiffel_ffsq_size(nbuckets);
	else if (kind == EIFFEL_PY_CFFS)
		size = eiffel_cffs_size(nbuckets);
	else
		size = eiffel_approx_size(nbuckets, alpha);
	pq->q = size ? alloc_big(size) : NULL;
	if (!pq->q)
		goto fail;
	if (kind == EIFFEL_PY_FFS) {
		if (!eiffel_ffsq_init(pq->q, nbuckets, granularity))
			goto fail;
	} else if (kind == EIFFEL_PY_CFFS) {
		if (!eiffel_cffs_init(pq->q, nbuckets, granularity, start, flags))
			goto fail;
	} else if (!eiffel_approx_init(pq->q, nbuckets, granularity, start, flags, alpha)) {
		goto fail;
	}
	return pq;
fail:
	free(pq->chunks);
	free(pq->q);
	free(pq);
	return NULL;
}

void eiffel_pyq_destroy(struct eiffel_pyq *pq)
{
	u32 i;

	if (!pq)
		return;
	for (i = 0; i < pq->nchunks; i++)
		free(pq->chunks[i]);
	free(pq->chunks);
	free(pq->free_slots);
	free(pq->q);
	free(pq);
}

static struct eiffel_py_elem *elem_at(const struct eiffel_pyq *pq, u32 slot)
{
	u32 k = eiffel_fls64((slot >> FIRST_CHUNK_SHIFT) + 1);

	return &pq->chunks[k][slot - FIRST_CHUNK * ((1u << k) - 1)];
}

/* Make sure `want` more slots are free; nothing changes on failure. */
static int reserve(struct eiffel_pyq *pq, u64 want)
{
	while (pq->nfree < want) {
		u32 slot = pq->capacity, size = FIRST_CHUNK << pq->nchunks, i;
		struct eiffel_py_elem *chunk;
		u32 *free_slots;

		if (pq->nchunks == MAX_CHUNKS)
			return EIFFEL_PY_NOMEM;
		free_slots = realloc(pq->free_slots, ((u64)slot + size) * sizeof(u32));
		if (!free_slots)
			return EIFFEL_PY_NOMEM;
		pq->free_slots = free_slots;
		chunk = alloc_big((u64)size * sizeof(*chunk));
		if (!chunk)
			return EIFFEL_PY_NOMEM;
		pq->chunks[pq->nchunks++] = chunk;
		pq->capacity += size;
		/* Push in reverse so the lowest new slot is handed out first. */
		for (i = size; i-- > 0;) {
			chunk[i].slot = slot + i;
			chunk[i].gen = 0;
			pq->free_slots[pq->nfree++] = slot + i;
		}
	}
	return 0;
}

static u64 handle_of(const struct eiffel_py_elem *e)
{
	return ((u64)e->gen << 32) | e->slot;
}

/* The queued element a handle names, or NULL if it left (or never was). */
static struct eiffel_py_elem *lookup(const struct eiffel_pyq *pq, u64 handle)
{
	u32 slot = (u32)handle, gen = (u32)(handle >> 32);
	struct eiffel_py_elem *e;

	if (slot >= pq->capacity || !(gen & 1))
		return NULL;
	e = elem_at(pq, slot);
	return e->gen == gen ? e : NULL;
}

static int core_push(struct eiffel_pyq *pq, struct eiffel_node *node)
{
	if (pq->kind == EIFFEL_PY_FFS)
		return eiffel_ffsq_push(ffsq(pq), node);
	return eiffel_cffs_push(cffs(pq), node);
}

static void core_remove(struct eiffel_pyq *pq, struct eiffel_node *node)
{
	if (pq->kind == EIFFEL_PY_FFS)
		eiffel_ffsq_remove(ffsq(pq), node);
	else
		eiffel_cffs_remove(cffs(pq), node);
}

static bool core_fits(const struct eiffel_pyq *pq, u64 rank)
{
	if (pq->kind == EIFFEL_PY_FFS)
		return eiffel_div64(rank, ffsq(pq)->granularity) < ffsq(pq)->bq.nbuckets;
	return eiffel_cffs_fits(cffs(pq), rank);
}

/* A refused update or batch counts as one rejected push. */
static void note_rejected(struct eiffel_pyq *pq)
{
	if (pq->kind == EIFFEL_PY_FFS)
		ffsq(pq)->stats.rejected++;
	else
		cffs(pq)->stats.rejected++;
}

static void account(struct eiffel_pyq *pq, u64 rank, int delta)
{
	pq->count += delta;
	if (rank >= INT64_LIMIT)
		pq->big += delta;
}

/* Queue rank in a fresh slot; the caller reserved one. */
static s64 push_reserved(struct eiffel_pyq *pq, u64 rank)
{
	struct eiffel_py_elem *e = elem_at(pq, pq->free_slots[pq->nfree - 1]);

	e->node.rank = rank;
	if (core_push(pq, &e->node) < 0)
		return EIFFEL_PY_REJECTED;
	pq->nfree--;
	e->gen++;
	account(pq, rank, 1);
	return (s64)handle_of(e);
}

s64 eiffel_pyq_push(struct eiffel_pyq *pq, u64 rank)
{
	if (reserve(pq, 1))
		return EIFFEL_PY_NOMEM;
	return push_reserved(pq, rank);
}

/* An element left the queue: retire its handle and free its slot. */
static s64 release(struct eiffel_pyq *pq, struct eiffel_py_elem *e)
{
	u64 handle = handle_of(e);

	e->gen++;
	pq->free_slots[pq->nfree++] = e->slot;
	account(pq, e->node.rank, -1);
	pq->last_rank = e->node.rank;
	return (s64)handle;
}

static struct eiffel_node *core_pop(struct eiffel_pyq *pq, int max)
{
	if (pq->kind != EIFFEL_PY_FFS)
		return eiffel_cffs_pop(cffs(pq));
	return max ? eiffel_ffsq_pop_max(ffsq(pq)) : eiffel_ffsq_pop_min(ffsq(pq));
}

s64 eiffel_pyq_pop(struct eiffel_pyq *pq, int max)
{
	struct eiffel_node *node = core_pop(pq, max);

	if (!node)
		return EIFFEL_PY_EMPTY;
	return release(pq, eiffel_container_of(node, struct eiffel_py_elem, node));
}

s64 eiffel_pyq_peek(struct eiffel_pyq *pq, int max)
{
	struct eiffel_node *node;

	if (pq->kind != EIFFEL_PY_FFS)
		node = eiffel_cffs_peek(cffs(pq));
	else
		node = max ? eiffel_ffsq_peek_max(ffsq(pq)) : eiffel_ffsq_peek_min(ffsq(pq));
	if (!node)
		return EIFFEL_PY_EMPTY;
	pq->last_rank = node->rank;
	return (s64)handle_of(eiffel_container_of(node, struct eiffel_py_elem, node));
}

int eiffel_pyq_remove(struct eiffel_pyq *pq, u64 handle)
{
	struct eiffel_py_elem *e = lookup(pq, handle);

	if (!e)
		return EIFFEL_PY_STALE;
	core_remove(pq, &e->node);
	release(pq, e);
	return 0;
}

int eiffel_pyq_update(struct eiffel_pyq *pq, u64 handle, u64 rank)
{
	struct eiffel_py_elem *e = lookup(pq, handle);
	bool alone;

	if (!e)
		return EIFFEL_PY_STALE;
	/*
	 * Decide before touching anything.  The sole element of a circular
	 * queue always fits: its queue is empty once it is out, and moves.
	 */
	alone = pq->kind != EIFFEL_PY_FFS && pq->count == 1;
	if (!alone && !core_fits(pq, rank)) {
		note_rejected(pq);
		return EIFFEL_PY_REJECTED;
	}
	core_remove(pq, &e->node);
	account(pq, e->node.rank, -1);
	e->node.rank = rank;
	core_push(pq, &e->node);
	account(pq, rank, 1);
	return 0;
}

int eiffel_pyq_contains(const struct eiffel_pyq *pq, u64 handle)
{
	return lookup(pq, handle) != NULL;
}

void eiffel_pyq_advance(struct eiffel_pyq *pq, u64 now)
{
	if (pq->kind != EIFFEL_PY_FFS)
		eiffel_cffs_advance(cffs(pq), now);
}

void eiffel_pyq_clear(struct eiffel_pyq *pq)
{
	u32 slot;

	if (pq->kind == EIFFEL_PY_FFS)
		eiffel_ffsq_reset(ffsq(pq));
	else
		eiffel_cffs_reset(cffs(pq));
	/* Retire every queued handle and rebuild the free stack. */
	pq->nfree = 0;
	for (slot = pq->capacity; slot-- > 0;) {
		struct eiffel_py_elem *e = elem_at(pq, slot);

		if (e->gen & 1)
			e->gen++;
		pq->free_slots[pq->nfree++] = slot;
	}
	pq->count = 0;
	pq->big = 0;
}

/* Would rank be queued by a REJECT window starting at base? */
static bool fits_window(const struct eiffel_cffs *q, u64 base, u64 rank)
{
	return rank < base ||
	       eiffel_div64(rank - base, q->granularity) < 2 * (u64)q->nbuckets;
}

/* Index of the first rank a batch push would refuse, or -1 for none. */
static s64 first_refused(const struct eiffel_pyq *pq, const u64 *ranks, u64 n)
{
	const struct eiffel_cffs *q = cffs(pq);
	u64 i = 0, base;

	if (pq->kind == EIFFEL_PY_FFS) {
		for (; i < n; i++)
			if (!core_fits(pq, ranks[i]))
				return (s64)i;
		return -1;
	}
	if (!n || !(q->flags & EIFFEL_REJECT))
		return -1;
	base = q->base;
	if (!q->count) {
		/* The first push into an empty queue always fits: it may move the window. */
		if (!fits_window(q, base, ranks[0]))
			base += eiffel_div64(ranks[0] - base, q->granularity) * q->granularity;
		i = 1;
	}
	for (; i < n; i++)
		if (!fits_window(q, base, ranks[i]))
			return (s64)i;
	return -1;
}

s64 eiffel_pyq_check_many(struct eiffel_pyq *pq, const u64 *ranks, u64 n)
{
	s64 bad = first_refused(pq, ranks, n);

	if (bad >= 0)
		note_rejected(pq);
	return bad;
}

int eiffel_pyq_push_many(struct eiffel_pyq *pq, const u64 *ranks, u64 n,
			 u64 *handles)
{
	u64 i;

	/* Reserve first: a batch is queued whole or not at all. */
	if (reserve(pq, n))
		return EIFFEL_PY_NOMEM;
	for (i = 0; i < n; i++) {
		s64 h;

		if (pq->kind != EIFFEL_PY_FFS && i + PREFETCH_AHEAD < n)
			eiffel_cffs_prefetch(cffs(pq), ranks[i + PREFETCH_AHEAD]);
		h = push_reserved(pq, ranks[i]);

		if (h < 0)	/* the caller validated with eiffel_pyq_check_many() */
			return EIFFEL_PY_REJECTED;
		handles[i] = (u64)h;
	}
	return 0;
}

/* Nodes popped per core batch call: small enough to stay in cache. */
#define POP_BLOCK	256

u64 eiffel_pyq_pop_many(struct eiffel_pyq *pq, u64 n, u64 *ranks, u64 *handles,
			int max)
{
	struct eiffel_node *block[POP_BLOCK];
	u64 done = 0, got, i;

	while (done < n) {
		u64 want = n - done < POP_BLOCK ? n - done : POP_BLOCK;

		if (pq->kind == EIFFEL_PY_FFS) {
			for (got = 0; got < want; got++) {
				block[got] = core_pop(pq, max);
				if (!block[got])
					break;
			}
		} else {
			got = eiffel_cffs_pop_many(cffs(pq), block, want);
		}
		for (i = 0; i < got; i++, done++) {
			ranks[done] = block[i]->rank;
			handles[done] = (u64)release(pq, eiffel_container_of(block[i],
						struct eiffel_py_elem, node));
		}
		if (got < want)
			break;
	}
	return done;
}

void eiffel_pyq_stats(const struct eiffel_pyq *pq, struct eiffel_stats *out)
{
	*out = pq->kind == EIFFEL_PY_FFS ? ffsq(pq)->stats : cffs(pq)->stats;
}

u64 eiffel_pyq_base(const struct eiffel_pyq *pq)
{
	return pq->kind == EIFFEL_PY_FFS ? 0 : cffs(pq)->base;
}

u64 eiffel_pyq_horizon(const struct eiffel_pyq *pq)
{
	if (pq->kind == EIFFEL_PY_FFS)
		return ffsq(pq)->granularity * ffsq(pq)->bq.nbuckets;
	return eiffel_cffs_horizon(cffs(pq));
}

u32 eiffel_pyq_group_size(const struct eiffel_pyq *pq)
{
	if (pq->kind != EIFFEL_PY_APPROX)
		return 0;
	return cffs(pq)->gq[0]->group_size;
}
