/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Buckets: intrusive, circular, doubly-linked FIFO lists.
 *
 * A queued element is a struct eiffel_node embedded in the caller's object
 * (a flow, a packet, a Python slot): two links and the rank, 24 bytes on a
 * 64-bit machine.  A bucket is just a list head whose links point back to
 * itself when empty, so removing any node is O(1) without knowing its bucket;
 * the queue finds out whether the bucket became empty by checking whether the
 * node's neighbours are a bucket head (see eiffel_bq_unlink()).
 */
#ifndef EIFFEL_BUCKET_H
#define EIFFEL_BUCKET_H

#include "eiffel_hffs.h"

struct eiffel_link {
	struct eiffel_link *next, *prev;
};

struct eiffel_node {
	struct eiffel_link link;	/* first: a node pointer is a link pointer */
	u64 rank;
};

static inline struct eiffel_node *eiffel_node_of(struct eiffel_link *link)
{
	return eiffel_container_of(link, struct eiffel_node, link);
}

static inline void eiffel_list_init(struct eiffel_link *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool eiffel_list_empty(const struct eiffel_link *head)
{
	return head->next == head;
}

static inline void eiffel_list_append(struct eiffel_link *head,
				      struct eiffel_link *link)
{
	link->prev = head->prev;
	link->next = head;
	head->prev->next = link;
	head->prev = link;
}

static inline void eiffel_list_del(struct eiffel_link *link)
{
	link->prev->next = link->next;
	link->next->prev = link->prev;
}

/* Move every node of src, in order, to the tail of dst; src becomes empty. */
static inline void eiffel_list_splice_tail(struct eiffel_link *dst,
					   struct eiffel_link *src)
{
	if (eiffel_list_empty(src))
		return;
	src->next->prev = dst->prev;
	dst->prev->next = src->next;
	src->prev->next = dst;
	dst->prev = src->prev;
	eiffel_list_init(src);
}

/*
 * A bucketed queue: N FIFO buckets plus the hFFS bitmap of the non-empty
 * ones.  FFS queues are one of these; the circular queues own two.
 */
struct eiffel_bq {
	struct eiffel_hffs map;		/* bit i set <=> buckets[i] non-empty */
	struct eiffel_link *buckets;
	u32 nbuckets;
};

/* Bytes of caller memory for the buckets and bitmap of nbuckets (>= 1). */
static inline u64 eiffel_bq_mem(u32 nbuckets)
{
	return (u64)nbuckets * sizeof(struct eiffel_link) +
	       (u64)eiffel_hffs_words(nbuckets) * sizeof(u64);
}

/* Lay out a bq over mem (eiffel_bq_mem() bytes, 8-byte aligned); returns the end. */
void *eiffel_bq_init(struct eiffel_bq *bq, void *mem, u32 nbuckets);
/* Forget every node (they are the caller's) and empty all buckets. */
void eiffel_bq_reset(struct eiffel_bq *bq);

/* Append node to bucket idx; returns true if the bucket was empty before. */
static inline bool eiffel_bq_add(struct eiffel_bq *bq, u32 idx,
				 struct eiffel_node *node)
{
	struct eiffel_link *bucket = &bq->buckets[idx];
	bool was_empty = eiffel_list_empty(bucket);

	eiffel_list_append(bucket, &node->link);
	if (was_empty)
		eiffel_hffs_set(&bq->map, idx);
	return was_empty;
}

/* Index of the bucket whose head `link` is, or EIFFEL_NONE if it is a node. */
static inline u32 eiffel_bq_bucket_index(const struct eiffel_bq *bq,
					 const struct eiffel_link *link)
{
	/* Compare addresses as integers: a node lives outside the bucket array. */
	unsigned long off = (unsigned long)link - (unsigned long)bq->buckets;

	if (off >= (unsigned long)bq->nbuckets * sizeof(struct eiffel_link))
		return EIFFEL_NONE;
	return (u32)(off / sizeof(struct eiffel_link));
}

/*
 * If node is the only element of one of bq's buckets, return that bucket's
 * index (the caller is about to empty it), else EIFFEL_NONE.
 */
static inline u32 eiffel_bq_sole_bucket(const struct eiffel_bq *bq,
					const struct eiffel_node *node)
{
	if (node->link.next != node->link.prev)
		return EIFFEL_NONE;
	return eiffel_bq_bucket_index(bq, node->link.next);
}

#endif /* EIFFEL_BUCKET_H */
