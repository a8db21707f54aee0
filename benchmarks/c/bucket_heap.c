// SPDX-License-Identifier: MIT
/*
 * The paper's BH baseline: the same FIFO buckets as Eiffel, but the minimum
 * non-empty bucket is tracked by a binary heap of bucket indices instead of
 * find-first-set bitmaps.  A bucket index enters the heap when the bucket
 * turns non-empty and leaves when it empties.
 */
#include "baselines.h"

u64 bucket_heap_mem(u32 nbuckets)
{
	return (u64)nbuckets * (sizeof(struct eiffel_link) + sizeof(u32));
}

void bucket_heap_init(struct bucket_heap *b, void *mem, u32 nbuckets)
{
	u32 i;

	b->buckets = mem;
	b->idx = (u32 *)(b->buckets + nbuckets);
	b->n = 0;
	for (i = 0; i < nbuckets; i++)
		eiffel_list_init(&b->buckets[i]);
}

static void idx_push(struct bucket_heap *b, u32 v)
{
	u32 i = b->n++;

	while (i) {
		u32 parent = (i - 1) / 2;

		if (b->idx[parent] <= v)
			break;
		b->idx[i] = b->idx[parent];
		i = parent;
	}
	b->idx[i] = v;
}

static void idx_pop(struct bucket_heap *b)
{
	u32 i = 0, n = --b->n, last = b->idx[n];

	for (;;) {
		u32 child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && b->idx[child + 1] < b->idx[child])
			child++;
		if (last <= b->idx[child])
			break;
		b->idx[i] = b->idx[child];
		i = child;
	}
	b->idx[i] = last;
}

void bucket_heap_push(struct bucket_heap *b, struct pkt *p)
{
	u32 bucket = (u32)p->en.rank;
	struct eiffel_link *head = &b->buckets[bucket];

	if (eiffel_list_empty(head))
		idx_push(b, bucket);
	eiffel_list_append(head, &p->en.link);
}

struct pkt *bucket_heap_pop(struct bucket_heap *b)
{
	struct eiffel_link *head, *link;

	if (!b->n)
		return NULL;
	head = &b->buckets[b->idx[0]];
	link = head->next;
	eiffel_list_del(link);
	if (eiffel_list_empty(head))
		idx_pop(b);
	return (struct pkt *)eiffel_node_of(link);
}
