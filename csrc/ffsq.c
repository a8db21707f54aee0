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
	/* A power of two divides by shifting. */
	q->gran_shift = granularity & (granularity - 1) ? 64 : eiffel_ffs64(granularity);
	q->front = EIFFEL_NONE;
	q->count = 0;
	q->stats = zero;
	return q;
}

/* Bucket idx is about to get its first node.  Out of line: see cffs.c. */
static eiffel_noinline void bucket_filled(struct eiffel_ffsq *q, u32 idx)
{
	eiffel_hffs_set(&q->bq.map, idx);
	if (idx < q->front)
		q->front = idx;
}

/* Bucket idx has just become empty. */
static eiffel_noinline void bucket_emptied(struct eiffel_ffsq *q, u32 idx)
{
	if (idx == q->front)
		q->front = eiffel_hffs_clear_next(&q->bq.map, idx);
	else
		eiffel_hffs_clear(&q->bq.map, idx);
}

int eiffel_ffsq_push(struct eiffel_ffsq *q, struct eiffel_node *node)
{
	u64 rank = node->rank, idx;
	struct eiffel_link *bucket;
	bool was_empty;

	if (eiffel_likely(q->gran_shift < 64))
		idx = rank >> q->gran_shift;
	else
		idx = eiffel_div64(rank, q->granularity);
	if (eiffel_unlikely(idx >= q->bq.nbuckets)) {
		q->stats.rejected++;
		return EIFFEL_PUSH_REJECTED;
	}
	bucket = &q->bq.buckets[idx];
	was_empty = eiffel_list_empty(bucket);
	eiffel_list_append(bucket, &node->link);
	q->count++;
	q->stats.pushes++;
	if (was_empty)
		bucket_filled(q, (u32)idx);
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
	return bucket_head(&q->bq, q->front);
}

struct eiffel_node *eiffel_ffsq_peek_max(const struct eiffel_ffsq *q)
{
	return bucket_head(&q->bq, eiffel_hffs_last(&q->bq.map));
}

/* Pop the head of bucket idx, if idx is a bucket (the min or max one). */
static eiffel_always_inline struct eiffel_node *ffsq_pop(struct eiffel_ffsq *q, u32 idx)
{
	struct eiffel_link *bucket, *next;
	struct eiffel_node *node;

	if (idx == EIFFEL_NONE)
		return NULL;
	bucket = &q->bq.buckets[idx];
	node = eiffel_node_of(bucket->next);
	/* The head node's predecessor is the bucket head. */
	next = node->link.next;
	bucket->next = next;
	next->prev = bucket;
	q->count--;
	q->stats.pops++;
	if (next == bucket)
		bucket_emptied(q, idx);
	return node;
}

struct eiffel_node *eiffel_ffsq_pop_min(struct eiffel_ffsq *q)
{
	return ffsq_pop(q, q->front);
}

struct eiffel_node *eiffel_ffsq_pop_max(struct eiffel_ffsq *q)
{
	return ffsq_pop(q, eiffel_hffs_last(&q->bq.map));
}

void eiffel_ffsq_remove(struct eiffel_ffsq *q, struct eiffel_node *node)
{
	/* Only a bucket's last node needs to know its bucket: its neighbour is the head. */
	u32 idx = eiffel_bq_sole_bucket(&q->bq, node);

	eiffel_list_del(&node->link);
	if (idx != EIFFEL_NONE)
		bucket_emptied(q, idx);
	q->count--;
	q->stats.removes++;
}

void eiffel_ffsq_reset(struct eiffel_ffsq *q)
{
	eiffel_bq_reset(&q->bq);
	q->front = EIFFEL_NONE;
	q->count = 0;
}
