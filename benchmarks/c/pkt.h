/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's packet: one cache line carrying a hook for every queue, so
 * that every contender walks the same memory (like sk_buff, which carries
 * both a list and an rbtree hook).  Eiffel's queues use `en`; the red-black
 * tree uses `rb`; the heaps keep their own arrays of (key, packet) and only
 * touch the packet when the consumer reads it.
 */
#ifndef BENCH_PKT_H
#define BENCH_PKT_H

#include "eiffel_bucket.h"

struct rb_hook {
	struct rb_hook *left, *right, *parent;
	u64 key;
	u64 red;
};

struct pkt {
	struct eiffel_node en;	/* link + rank: 24 bytes */
	struct rb_hook rb;	/* 40 bytes */
};

_Static_assert(sizeof(struct pkt) == 64, "one packet per cache line");

/*
 * Total order used by the comparison-based baselines: bucket first, then
 * arrival, which is exactly the order of Eiffel's FIFO buckets.  Buckets
 * below 2^24 and sequence numbers below 2^40 fit one u64 compare.
 */
#define SEQ_BITS	40
static inline u64 order_key(u64 bucket, u64 seq)
{
	return (bucket << SEQ_BITS) | (seq & (((u64)1 << SEQ_BITS) - 1));
}

#endif /* BENCH_PKT_H */
