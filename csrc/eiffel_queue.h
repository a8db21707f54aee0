/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The three Eiffel queues over struct eiffel_node:
 *
 *   FFS queue     fixed rank range [0, nbuckets * granularity); exact min and max.
 *   cFFS          a moving window of 2 * nbuckets buckets (primary + secondary
 *                 half) that rotates by swapping the halves.
 *   approximate   the same window, but the minimum inside a group of buckets is
 *                 estimated by the gradient queue's one division (paper 3.1.2).
 *
 * Callers own all memory: *_size() says how many bytes, *_init() lays the
 * queue out in them.  Nodes belong to the caller, who sets node->rank before
 * pushing and may not touch the node while it is queued.
 *
 * Bucket of a rank: (rank - base) / granularity, where base is the window
 * start.  Equal bucket = equal priority, first in first out.
 *
 * Window rules (cFFS and approximate):
 *  - a rank below base is "late": it joins the front bucket (primary bucket 0);
 *  - a rank at or beyond base + 2 * nbuckets * granularity (the horizon) is
 *    capped into the last secondary bucket, or rejected with EIFFEL_REJECT;
 *  - a push into an empty queue whose rank is beyond the horizon first moves
 *    the window to start at that rank's bucket ("rebase");
 *  - pop rotates (swaps the halves, base += span) when the primary half is
 *    empty and the secondary is not; peek never rotates;
 *  - advance(now) moves the window forward for time-keyed use: an empty queue
 *    rebases to now's bucket, a queue whose primary half is empty rotates
 *    once now has reached the secondary half.  The window never moves back.
 *  base always stays congruent to the initial start modulo granularity.
 */
#ifndef EIFFEL_QUEUE_H
#define EIFFEL_QUEUE_H

#include "eiffel_bucket.h"

/* Largest bucket count per queue (per half for the circular queues). */
#define EIFFEL_MAX_BUCKETS	(1u << 30)
/* The gradient queue's alpha: weight of bucket i is 2^(i / alpha). */
#define EIFFEL_ALPHA_MIN	1
#define EIFFEL_ALPHA_MAX	64

/* Flags for the circular queues. */
#define EIFFEL_REJECT		0x1	/* refuse ranks beyond the horizon */

enum eiffel_push_status {
	EIFFEL_PUSH_REJECTED	= -1,	/* not queued */
	EIFFEL_PUSH_OK		= 0,
	EIFFEL_PUSH_LATE	= 1,	/* below the window: queued in the front bucket */
	EIFFEL_PUSH_CAPPED	= 2,	/* beyond the horizon: queued in the last bucket */
};

struct eiffel_stats {
	u64 pushes;		/* elements queued (late and capped included) */
	u64 pops;
	u64 removes;		/* elements taken out by eiffel_*_remove() */
	u64 late;
	u64 capped;
	u64 rejected;
	u64 rotations;
	u64 rebases;
	u64 approx_pops;	/* pops that used the gradient estimate */
	u64 approx_inexact;	/* ... and did not get the minimum bucket */
	u64 approx_error_sum;	/* buckets between chosen and true minimum, summed */
	u64 approx_error_max;
	u64 approx_searches;	/* estimates that hit an empty bucket */
};

/* ---- FFS queue: fixed range ---- */

struct eiffel_ffsq {
	struct eiffel_bq bq;
	u64 granularity;
	u32 gran_shift;			/* log2(granularity), or 64 if not a power of 2 */
	u32 front;			/* first non-empty bucket, EIFFEL_NONE if empty */
	u64 count;
	struct eiffel_stats stats;
};

/* Bytes for a queue of nbuckets; 0 if nbuckets is out of range. */
u64 eiffel_ffsq_size(u32 nbuckets);
/* NULL if nbuckets or granularity (>= 1) is out of range. */
struct eiffel_ffsq *eiffel_ffsq_init(void *mem, u32 nbuckets, u64 granularity);
/* EIFFEL_PUSH_OK, or EIFFEL_PUSH_REJECTED if rank is outside the range. */
int eiffel_ffsq_push(struct eiffel_ffsq *q, struct eiffel_node *node);
struct eiffel_node *eiffel_ffsq_peek_min(const struct eiffel_ffsq *q);
struct eiffel_node *eiffel_ffsq_peek_max(const struct eiffel_ffsq *q);
struct eiffel_node *eiffel_ffsq_pop_min(struct eiffel_ffsq *q);
struct eiffel_node *eiffel_ffsq_pop_max(struct eiffel_ffsq *q);
void eiffel_ffsq_remove(struct eiffel_ffsq *q, struct eiffel_node *node);
/* Forget every queued node. */
void eiffel_ffsq_reset(struct eiffel_ffsq *q);

/* ---- circular queues: cFFS and approximate ---- */

struct eiffel_gq;

struct eiffel_cffs {
	struct eiffel_bq half[2];
	struct eiffel_gq *gq[2];	/* gradient metadata; NULL for exact cFFS */
	u32 primary;			/* half[] index covering [base, base + span) */
	u32 front;			/* exact queues: primary's first non-empty
					 * bucket, EIFFEL_NONE iff primary is empty;
					 * approximate: always EIFFEL_NONE */
	u32 nbuckets;			/* per half */
	u32 flags;
	u32 gran_shift;			/* log2(granularity), or 64 if not a power of 2 */
	u64 granularity;
	u64 span;			/* nbuckets * granularity */
	u64 base;			/* window start: rank of primary bucket 0 */
	u64 count;
	struct eiffel_stats stats;
};

/* Bytes for a cFFS of nbuckets per half; 0 if out of range. */
u64 eiffel_cffs_size(u32 nbuckets);
/*
 * NULL if nbuckets, granularity (>= 1) or flags are out of range, or if
 * 2 * nbuckets * granularity does not fit in 64 bits.
 */
struct eiffel_cffs *eiffel_cffs_init(void *mem, u32 nbuckets, u64 granularity,
				     u64 start, u32 flags);
/* Bytes for an approximate queue; 0 if out of range. */
u64 eiffel_approx_size(u32 nbuckets, u32 alpha);
struct eiffel_cffs *eiffel_approx_init(void *mem, u32 nbuckets, u64 granularity,
				       u64 start, u32 flags, u32 alpha);

/* Buckets per gradient group (the approximate queue's search scope). */
u32 eiffel_approx_group_size(u32 nbuckets, u32 alpha);

/* One of enum eiffel_push_status. */
int eiffel_cffs_push(struct eiffel_cffs *q, struct eiffel_node *node);
/* Would a push of rank be queued (not rejected) right now? */
bool eiffel_cffs_fits(const struct eiffel_cffs *q, u64 rank);
/* First rank beyond the window, saturating at 2^64 - 1. */
u64 eiffel_cffs_horizon(const struct eiffel_cffs *q);
/* Start loading the bucket a push of rank would touch (batch pushes). */
void eiffel_cffs_prefetch(struct eiffel_cffs *q, u64 rank);
struct eiffel_node *eiffel_cffs_peek(const struct eiffel_cffs *q);
/*
 * First rank past the front bucket, the one peek/pop/pop_bucket take from
 * (saturating at 2^64 - 1); 0 if the queue is empty.  Every node in that
 * bucket was pushed with a rank below it, except capped ones: a time-keyed
 * caller may release the whole bucket once now reaches this value.
 */
u64 eiffel_cffs_front_end(const struct eiffel_cffs *q);
/*
 * List head of that same bucket (NULL if the queue is empty), to look at
 * every node in it, oldest first: the bucket is FIFO, not sorted by rank.
 * Nodes may be removed with eiffel_cffs_remove() while walking it (keep
 * the next link first); removing the last one invalidates the walk's end.
 */
struct eiffel_link *eiffel_cffs_front_bucket(const struct eiffel_cffs *q);
struct eiffel_node *eiffel_cffs_pop(struct eiffel_cffs *q);
/* Pop up to n nodes in order into out[]; returns how many. */
u64 eiffel_cffs_pop_many(struct eiffel_cffs *q, struct eiffel_node **out, u64 n);
/* Pop the whole front bucket onto the tail of dst; returns how many nodes. */
u64 eiffel_cffs_pop_bucket(struct eiffel_cffs *q, struct eiffel_link *dst);
void eiffel_cffs_remove(struct eiffel_cffs *q, struct eiffel_node *node);
void eiffel_cffs_advance(struct eiffel_cffs *q, u64 now);
/* Forget every queued node; the window stays where it is. */
void eiffel_cffs_reset(struct eiffel_cffs *q);

#endif /* EIFFEL_QUEUE_H */
