// SPDX-License-Identifier: MIT
/*
 * One fill-then-drain loop per queue.  The loops are written out rather than
 * generated so each reads like the code a user of that queue would write;
 * every push and pop is an out-of-line call into its own object file, for
 * the core and the baselines alike.
 */
#include <string.h>

#include "baselines.h"
#include "contenders.h"

u32 bench_alpha = 16;

/* Batch pops take this many packets per call, like a NIC's transmit batch. */
#define POP_BATCH	64

static inline void consume(struct outcome *o, const struct pkt *p)
{
	u64 rank = p->en.rank;

	o->disorder += rank < o->last;
	o->last = rank;
	o->rank_sum += rank;
	o->popped++;
}

/* A circular queue covering [0, nbuckets) with two halves of half the buckets. */
static u32 half_of(u32 nbuckets)
{
	return (nbuckets + 1) / 2;
}

/* ---- plain FIFO ---- */

static u64 fifo_mem(u32 nbuckets, u64 n)
{
	(void)nbuckets, (void)n;
	return sizeof(struct fifo);
}

static void *fifo_setup(void *mem, const struct workload *w)
{
	(void)w;
	fifo_init(mem);
	return mem;
}

void measured_fifo(void *q, const struct workload *w, struct outcome *o)
{
	u64 i;

	for (i = 0; i < w->n; i++)
		fifo_push(q, &w->pkts[i]);
	for (i = 0; i < w->n; i++)
		consume(o, fifo_pop(q));
}

/*
 * ---- the ordered floor: no queue at all ----
 * Push records the packet pointer; pop hands out packets in (rank, arrival)
 * order from a list sorted before the clock starts.  What remains is the
 * cost every exact priority queue pays and a FIFO does not: reading the
 * packets in priority order, scattered over memory, rather than in arrival
 * order.
 */

struct oracle {
	struct pkt **ring;
	u64 head;
};

static u64 oracle_mem(u32 nbuckets, u64 n)
{
	(void)nbuckets;
	return sizeof(struct oracle) + n * sizeof(struct pkt *);
}

static void *oracle_setup(void *mem, const struct workload *w)
{
	struct oracle *o = mem;

	(void)w;
	o->ring = (struct pkt **)(o + 1);
	o->head = 0;
	return o;
}

void measured_oracle(void *q, const struct workload *w, struct outcome *o)
{
	struct oracle *ring = q;
	u64 i;

	for (i = 0; i < w->n; i++)
		ring->ring[ring->head++] = &w->pkts[i];
	for (i = 0; i < w->n; i++)
		consume(o, w->order[i]);
}

/* ---- binary heap of every packet ---- */

static u64 heap_mem(u32 nbuckets, u64 n)
{
	(void)nbuckets;
	return sizeof(struct heap) + n * sizeof(struct heap_entry);
}

static void *heap_setup(void *mem, const struct workload *w)
{
	struct heap *h = mem;

	(void)w;
	heap_init(h, (struct heap_entry *)(h + 1));
	return h;
}

void measured_heap(void *q, const struct workload *w, struct outcome *o)
{
	u64 i;

	for (i = 0; i < w->n; i++)
		heap_push(q, order_key(w->pkts[i].en.rank, i), &w->pkts[i]);
	for (i = 0; i < w->n; i++)
		consume(o, heap_pop(q));
}

/* ---- the paper's BH: buckets + heap of non-empty bucket indices ---- */

static u64 bh_mem(u32 nbuckets, u64 n)
{
	(void)n;
	return sizeof(struct bucket_heap) + bucket_heap_mem(nbuckets);
}

static void *bh_setup(void *mem, const struct workload *w)
{
	struct bucket_heap *b = mem;

	bucket_heap_init(b, b + 1, w->nbuckets);
	return b;
}

void measured_bucket_heap(void *q, const struct workload *w, struct outcome *o)
{
	u64 i;

	for (i = 0; i < w->n; i++)
		bucket_heap_push(q, &w->pkts[i]);
	for (i = 0; i < w->n; i++)
		consume(o, bucket_heap_pop(q));
}

/* ---- red-black tree ---- */

static u64 rbtree_mem(u32 nbuckets, u64 n)
{
	(void)nbuckets, (void)n;
	return sizeof(struct rbtree);
}

static void *rbtree_setup(void *mem, const struct workload *w)
{
	(void)w;
	rbtree_init(mem);
	return mem;
}

void measured_rbtree(void *q, const struct workload *w, struct outcome *o)
{
	u64 i;

	for (i = 0; i < w->n; i++)
		rbtree_push(q, order_key(w->pkts[i].en.rank, i), &w->pkts[i]);
	for (i = 0; i < w->n; i++)
		consume(o, rbtree_pop(q));
}

/* ---- Eiffel: FFS queue ---- */

static u64 ffs_mem(u32 nbuckets, u64 n)
{
	(void)n;
	return eiffel_ffsq_size(nbuckets);
}

static void *ffs_setup(void *mem, const struct workload *w)
{
	return eiffel_ffsq_init(mem, w->nbuckets, 1);
}

void measured_ffs(void *q, const struct workload *w, struct outcome *o)
{
	u64 i;

	for (i = 0; i < w->n; i++)
		eiffel_ffsq_push(q, &w->pkts[i].en);
	for (i = 0; i < w->n; i++)
		consume(o, (struct pkt *)eiffel_ffsq_pop_min(q));
	o->stats = ((struct eiffel_ffsq *)q)->stats;
}

/* ---- Eiffel: cFFS, per-packet pops and batch pops ---- */

static u64 cffs_mem(u32 nbuckets, u64 n)
{
	(void)n;
	return eiffel_cffs_size(half_of(nbuckets));
}

static void *cffs_setup(void *mem, const struct workload *w)
{
	return eiffel_cffs_init(mem, half_of(w->nbuckets), 1, 0, 0);
}

void measured_cffs(void *q, const struct workload *w, struct outcome *o)
{
	u64 i;

	for (i = 0; i < w->n; i++)
		eiffel_cffs_push(q, &w->pkts[i].en);
	for (i = 0; i < w->n; i++)
		consume(o, (struct pkt *)eiffel_cffs_pop(q));
	o->stats = ((struct eiffel_cffs *)q)->stats;
}

void measured_cffs_batch(void *q, const struct workload *w, struct outcome *o)
{
	struct eiffel_node *out[POP_BATCH];
	u64 i, got;

	for (i = 0; i < w->n; i++)
		eiffel_cffs_push(q, &w->pkts[i].en);
	while ((got = eiffel_cffs_pop_many(q, out, POP_BATCH)))
		for (i = 0; i < got; i++)
			consume(o, (struct pkt *)out[i]);
	o->stats = ((struct eiffel_cffs *)q)->stats;
}

/* ---- Eiffel: approximate gradient queue ---- */

static u64 approx_mem(u32 nbuckets, u64 n)
{
	(void)n;
	return eiffel_approx_size(half_of(nbuckets), bench_alpha);
}

static void *approx_setup(void *mem, const struct workload *w)
{
	return eiffel_approx_init(mem, half_of(w->nbuckets), 1, 0, 0, bench_alpha);
}

/* ---- the list ---- */

const struct contender contenders[] = {
	{ "fifo", false, fifo_mem, fifo_setup, measured_fifo },
	{ "oracle", true, oracle_mem, oracle_setup, measured_oracle },
	{ "heap", true, heap_mem, heap_setup, measured_heap },
	{ "rbtree", true, rbtree_mem, rbtree_setup, measured_rbtree },
	{ "bucket_heap", true, bh_mem, bh_setup, measured_bucket_heap },
	{ "ffs", true, ffs_mem, ffs_setup, measured_ffs },
	{ "cffs", true, cffs_mem, cffs_setup, measured_cffs },
	{ "cffs_batch", true, cffs_mem, cffs_setup, measured_cffs_batch },
	/* Same loop as cFFS: the approximation lives behind eiffel_cffs_pop(). */
	{ "approx", false, approx_mem, approx_setup, measured_cffs },
};
const unsigned ncontenders = sizeof(contenders) / sizeof(contenders[0]);

const struct contender *contender_named(const char *name)
{
	unsigned i;

	for (i = 0; i < ncontenders; i++)
		if (!strcmp(contenders[i].name, name))
			return &contenders[i];
	return NULL;
}
