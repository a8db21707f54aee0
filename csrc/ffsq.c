// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* FFS queue: one bucketed queue over a fixed rank range. */
#include "eiffel_queue.h"

u64 eiffel_ffsq_size(u32 nbuckets)
{
	if (nbuckets < 1 || nbuckets > EIFFEL_MAX_BUCKETS)
		return 0;
	return sizeof(struct eiffel_ffsq) + eiffel_bq_mem(nbuckets);
}

struct eiffel_ffsq *eiffel_ffsq_init(void *mem, u32 nbuckets, u64 granularity)
{
	struct eiffel_ffsq *q = mem;
	struct eiffel_stats zero = { 0 };

	if (!eiffel_ffsq_size(nbuckets) || granularity < 1)
		return NULL;
	eiffel_bq_init(&q->bq, q + 1, nbuckets);
	q->granularity = granularity;
	q->count = 0;
	q->stats = zero;
	return q;
}

int eiffel_ffsq_push(struct eiffel_ffsq *q, struct eiffel_node *node)
{
	u64 idx = eiffel_div64(node->rank, q->granularity);

	if (eiffel_unlikely(idx >= q->bq.nbuckets)) {
		q->stats.rejected++;
		return EIFFEL_PUSH_REJECTED;
	}
	eiffel_bq_add(&q->bq, (u32)idx, node);
	q->count++;
	q->stats.pushes++;
	return EIFFEL_PUSH_OK;
}

static struct eiffel_node *bucket_head(const struct eiffel_bq *bq, u32 idx)
{
	if (idx == EIFFEL_NONE)
		return NULL;
	return eiffel_node_of(bq->buckets[idx].next);
}

struct eiffel_node *eiffel_ffsq_peek_min(const struct eiffel_ffsq *q)
{
	return bucket_head(&q->bq, eiffel_hffs_first(&q->bq.map));
}

struct eiffel_node *eiffel_ffsq_peek_max(const struct eiffel_ffsq *q)
{
	return bucket_head(&q->bq, eiffel_hffs_last(&q->bq.map));
}

/* Unlink node, clearing its bucket's bit if it was the bucket's last node. */
static void ffsq_unlink(struct eiffel_ffsq *q, struct eiffel_node *node)
{
	u32 idx = eiffel_bq_sole_bucket(&q->bq, node);

	eiffel_list_del(&node->link);
	if (idx != EIFFEL_NONE)
		eiffel_hffs_clear(&q->bq.map, idx);
	q->count--;
}

/* Pop node (the head of the min or max bucket) if there is one. */
static struct eiffel_node *ffsq_pop(struct eiffel_ffsq *q, struct eiffel_node *node)
{
	if (node) {
		ffsq_unlink(q, node);
		q->stats.pops++;
	}
	return node;
}

struct eiffel_node *eiffel_ffsq_pop_min(struct eiffel_ffsq *q)
{
	return ffsq_pop(q, eiffel_ffsq_peek_min(q));
}

struct eiffel_node *eiffel_ffsq_pop_max(struct eiffel_ffsq *q)
{
	return ffsq_pop(q, eiffel_ffsq_peek_max(q));
}

void eiffel_ffsq_remove(struct eiffel_ffsq *q, struct eiffel_node *node)
{
	ffsq_unlink(q, node);
	q->stats.removes++;
}

void eiffel_ffsq_reset(struct eiffel_ffsq *q)
{
	eiffel_bq_reset(&q->bq);
	q->count = 0;
}
