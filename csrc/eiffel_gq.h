/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Approximate gradient queue (paper section 3.1.2 and appendix A).
 *
 * The buckets of a half are cut into groups of G buckets.  Which group holds
 * the minimum is found exactly, by an hFFS over the groups; which bucket of
 * that group is estimated in one division.  A non-empty bucket at position k
 * of its group (k = 0 is the lowest rank) has exponent e = G - 1 - k and
 * weight w(e) ~ 2^(e / alpha); the group keeps a = sum w(e) and
 * b = sum e * w(e) over its non-empty buckets, updated only when a bucket
 * turns non-empty or empty.  The highest non-empty e is estimated as
 * ceil(b / a) + |u(alpha)|, u(alpha) = 1 / (1 - 2^(1/alpha)): exact when the
 * buckets from the group's start to the minimum are all non-empty, biased
 * toward dense regions otherwise.  An estimate that lands on an empty bucket
 * moves to the nearest non-empty bucket in front of it (toward the minimum),
 * or behind it if there is none in front, so a pop always returns a queued
 * element of the minimum's group.
 *
 * Weights are integers from 2^16 to 2^40 (G <= 24 * alpha), so with
 * alpha <= 64, a < 2^47 and b < 2^58: no overflow, no drift, and rounding
 * the weights moves b / a by far less than one bucket.
 */
#ifndef EIFFEL_GQ_H
#define EIFFEL_GQ_H

#include "eiffel_queue.h"

struct eiffel_gq {
	struct eiffel_hffs groups;	/* bit g set <=> group g has a non-empty bucket */
	u64 *sum_a, *sum_b;		/* per group */
	const u64 *weight;		/* weight[k] for position k in a group; shared */
	u32 group_size;
	u32 shift;			/* floor(|u(alpha)|) */
};

/* Bytes for one half's metadata (not counting the shared weight table). */
u64 eiffel_gq_mem(u32 nbuckets, u32 group_size);
/* Fill weight[0 .. group_size) for alpha; returns floor(|u(alpha)|). */
u32 eiffel_gq_weights(u64 *weight, u32 group_size, u32 alpha);
void *eiffel_gq_init(struct eiffel_gq *gq, void *mem, u32 nbuckets,
		     u32 group_size, const u64 *weight, u32 shift);
void eiffel_gq_reset(struct eiffel_gq *gq);

void eiffel_gq_filled(struct eiffel_gq *gq, u32 bucket);
void eiffel_gq_emptied(struct eiffel_gq *gq, u32 bucket);

/*
 * Estimated minimum non-empty bucket of bq (which must not be empty).
 * *exact receives the true minimum, for the error statistics.
 */
u32 eiffel_gq_find(const struct eiffel_gq *gq, const struct eiffel_bq *bq,
		   u32 *exact, bool *searched);

#endif /* EIFFEL_GQ_H */
