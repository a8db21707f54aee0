/* SPDX-License-Identifier: MIT */
/*
 * The queues Eiffel is measured against, written for this benchmark:
 *
 *   fifo         one intrusive list: the floor no priority queue can beat.
 *   heap         binary min-heap of (order_key, packet) over every packet.
 *   bucket_heap  the paper's "BH": FIFO buckets plus a binary min-heap of the
 *                indices of the non-empty buckets.
 *   rbtree       red-black tree of packets keyed by order_key, with the
 *                leftmost node cached (like the kernel's rb_root_cached).
 *
 * Like the core, each lives in its own file and is called out of line, and
 * the caller provides the memory.
 */
#ifndef BENCH_BASELINES_H
#define BENCH_BASELINES_H

#include "pkt.h"

struct fifo {
	struct eiffel_link head;
};
void fifo_init(struct fifo *f);
void fifo_push(struct fifo *f, struct pkt *p);
struct pkt *fifo_pop(struct fifo *f);

struct heap_entry {
	u64 key;
	struct pkt *p;
};
struct heap {
	struct heap_entry *a;
	u64 n;
};
void heap_init(struct heap *h, struct heap_entry *mem);
void heap_push(struct heap *h, u64 key, struct pkt *p);
struct pkt *heap_pop(struct heap *h);

struct bucket_heap {
	struct eiffel_link *buckets;	/* nbuckets list heads */
	u32 *idx;			/* min-heap of non-empty bucket indices */
	u32 n;
};
u64 bucket_heap_mem(u32 nbuckets);
void bucket_heap_init(struct bucket_heap *b, void *mem, u32 nbuckets);
void bucket_heap_push(struct bucket_heap *b, struct pkt *p);	/* bucket = rank */
struct pkt *bucket_heap_pop(struct bucket_heap *b);

struct rbtree {
	struct rb_hook *root, *leftmost;
};
void rbtree_init(struct rbtree *t);
void rbtree_push(struct rbtree *t, u64 key, struct pkt *p);
struct pkt *rbtree_pop(struct rbtree *t);

#endif /* BENCH_BASELINES_H */
