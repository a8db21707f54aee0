// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Circular FFS queue (paper section 3.1.1, figure 4) and, with gradient
 * metadata attached, the circular approximate queue.  The window rules are
 * spelled out in eiffel_queue.h.
 */
#include "eiffel_gq.h"

/* Buckets whose first node a batch pop loads ahead of time. */
#define POP_AHEAD	4

static bool cffs_size_ok(u32 nbuckets)
{
	return nbuckets >= 1 && nbuckets <= EIFFEL_MAX_BUCKETS;
}

u64 eiffel_cffs_size(u32 nbuckets)
{
	if (!cffs_size_ok(nbuckets))
		return 0;
	return sizeof(struct eiffel_cffs) + 2 * eiffel_bq_mem(nbuckets);
}

u32 eiffel_approx_group_size(u32 nbuckets, u32 alpha)
{
	/*
	 * Weights span 2^(16) .. 2^40 over a group: the sums fit in 64 bits and
	 * even the lightest weight is precise to 2^-16 after rounding.
	 */
	u32 group = 24 * alpha;

	return nbuckets < group ? nbuckets : group;
}

u64 eiffel_approx_size(u32 nbuckets, u32 alpha)
{
	u32 group;

	if (!cffs_size_ok(nbuckets) || alpha < EIFFEL_ALPHA_MIN ||
	    alpha > EIFFEL_ALPHA_MAX)
		return 0;
	group = eiffel_approx_group_size(nbuckets, alpha);
	return eiffel_cffs_size(nbuckets) + 2 * sizeof(struct eiffel_gq) +
	       2 * eiffel_gq_mem(nbuckets, group) + (u64)group * sizeof(u64);
}

static u32 log2_exact(u64 value)
{
	/* log2 of a power of two, or 64 to say "divide instead of shifting". */
	if (value & (value - 1))
		return 64;
	return eiffel_ffs64(value);
}

struct eiffel_cffs *eiffel_cffs_init(void *mem, u32 nbuckets, u64 granularity,
				     u64 start, u32 flags)
{
	struct eiffel_cffs *q = mem;
	struct eiffel_stats zero = { 0 };
	void *next = q + 1;

	if (!cffs_size_ok(nbuckets) || granularity < 1 || (flags & ~EIFFEL_REJECT))
		return NULL;
	/* The whole window, 2 * span, must be representable. */
	if (granularity > EIFFEL_U64_MAX / 2 / nbuckets)
		return NULL;
	next = eiffel_bq_init(&q->half[0], next, nbuckets);
	eiffel_bq_init(&q->half[1], next, nbuckets);
	q->gq[0] = NULL;
	q->gq[1] = NULL;
	q->primary = 0;
	q->front = EIFFEL_NONE;
	q->nbuckets = nbuckets;
	q->flags = flags;
	q->granularity = granularity;
	q->gran_shift = log2_exact(granularity);
	q->span = (u64)nbuckets * granularity;
	q->base = start;
	q->count = 0;
	q->stats = zero;
	return q;
}

struct eiffel_cffs *eiffel_approx_init(void *mem, u32 nbuckets, u64 granularity,
				       u64 start, u32 flags, u32 alpha)
{
	struct eiffel_cffs *q;
	struct eiffel_gq *gq;
	u32 group, shift, h;
	u64 *weight;
	void *next;

	if (!eiffel_approx_size(nbuckets, alpha))
		return NULL;
	q = eiffel_cffs_init(mem, nbuckets, granularity, start, flags);
	if (!q)
		return NULL;
	group = eiffel_approx_group_size(nbuckets, alpha);
	gq = (struct eiffel_gq *)((char *)mem + eiffel_cffs_size(nbuckets));
	weight = (u64 *)(gq + 2);
	shift = eiffel_gq_weights(weight, group, alpha);
	next = weight + group;
	for (h = 0; h < 2; h++) {
		q->gq[h] = &gq[h];
		next = eiffel_gq_init(&gq[h], next, nbuckets, group, weight, shift);
	}
	return q;
}

static u64 bucket_offset(const struct eiffel_cffs *q, u64 rank)
{
	u64 delta = rank - q->base;

	if (eiffel_likely(q->gran_shift < 64))
		return delta >> q->gran_shift;
	return eiffel_div64(delta, q->granularity);
}

static void rebase(struct eiffel_cffs *q, u64 rank)
{
	q->base += bucket_offset(q, rank) * q->granularity;
	q->stats.rebases++;
}

/* Recompute the front cache for a new primary half (see struct eiffel_cffs). */
static void refresh_front(struct eiffel_cffs *q)
{
	q->front = q->gq[0] ? EIFFEL_NONE : eiffel_hffs_first(&q->half[q->primary].map);
}

static void rotate(struct eiffel_cffs *q)
{
	q->primary ^= 1;
	q->base += q->span;
	refresh_front(q);
	q->stats.rotations++;
}

u64 eiffel_cffs_horizon(const struct eiffel_cffs *q)
{
	if (q->base > EIFFEL_U64_MAX - 2 * q->span)
		return EIFFEL_U64_MAX;
	return q->base + 2 * q->span;
}

bool eiffel_cffs_fits(const struct eiffel_cffs *q, u64 rank)
{
	if (!q->count || rank < q->base || !(q->flags & EIFFEL_REJECT))
		return true;
	return bucket_offset(q, rank) < 2 * (u64)q->nbuckets;
}

/*
 * Where a push of rank goes: the half and bucket, and the push status.  Does
 * not change the queue, except that a push into an empty queue beyond the
 * horizon is allowed to rebase (the caller says so with may_rebase).
 */
static eiffel_always_inline int locate(struct eiffel_cffs *q, u64 rank, bool may_rebase, u32 *half,
		  u32 *bucket)
{
	u64 slot, n = q->nbuckets;
	int status = EIFFEL_PUSH_OK;

	*half = q->primary;
	if (eiffel_unlikely(rank < q->base)) {
		*bucket = 0;
		return EIFFEL_PUSH_LATE;
	}
	slot = bucket_offset(q, rank);
	if (eiffel_unlikely(slot >= 2 * n)) {
		if (!q->count && may_rebase) {
			rebase(q, rank);
			slot = 0;
		} else if (q->flags & EIFFEL_REJECT) {
			return EIFFEL_PUSH_REJECTED;
		} else {
			slot = 2 * n - 1;
			status = EIFFEL_PUSH_CAPPED;
		}
	}
	if (slot >= n) {
		*half ^= 1;
		slot -= n;
	}
	*bucket = (u32)slot;
	return status;
}

/*
 * Half h's bucket slot is about to get its first node: set its bit, move the
 * front up.  Out of line, like bucket_emptied(): the bitmap walk needs
 * registers that the push and pop of a non-empty bucket should not save.
 */
static eiffel_noinline void bucket_filled(struct eiffel_cffs *q, u32 h, u32 slot)
{
	eiffel_hffs_set(&q->half[h].map, slot);
	if (q->gq[h])
		eiffel_gq_filled(q->gq[h], slot);
	else if ((h == q->primary) & (slot < q->front))	/* no branch on the half */
		q->front = slot;	/* EIFFEL_NONE (empty primary) is above any slot */
}

/* Append node to bucket slot of half h. */
static eiffel_always_inline void push_at(struct eiffel_cffs *q, u32 h, u32 slot,
					 struct eiffel_node *node)
{
	struct eiffel_link *bucket = &q->half[h].buckets[slot];
	bool was_empty = eiffel_list_empty(bucket);

	eiffel_list_append(bucket, &node->link);
	q->count++;
	q->stats.pushes++;
	/* Last, so that nothing but q, h and slot lives across the call. */
	if (was_empty)
		bucket_filled(q, h, slot);
}

/* A push outside the window: late, capped, rejected, or into an empty queue (rebase). */
static eiffel_noinline int push_outside(struct eiffel_cffs *q, struct eiffel_node *node)
{
	u32 h, slot;
	int status = locate(q, node->rank, true, &h, &slot);

	if (status == EIFFEL_PUSH_REJECTED) {
		q->stats.rejected++;
		return status;
	}
	push_at(q, h, slot, node);
	if (status == EIFFEL_PUSH_LATE)
		q->stats.late++;
	else if (status == EIFFEL_PUSH_CAPPED)
		q->stats.capped++;
	return status;
}

int eiffel_cffs_push(struct eiffel_cffs *q, struct eiffel_node *node)
{
	u64 rank = node->rank, slot, n = q->nbuckets;
	u32 second;

	/* The common case, a rank inside the window, without locate()'s cases. */
	if (eiffel_unlikely(rank < q->base))
		return push_outside(q, node);
	slot = bucket_offset(q, rank);
	if (eiffel_unlikely(slot >= 2 * n))
		return push_outside(q, node);
	/*
	 * Which half is as random as the ranks are: arithmetic, not a branch
	 * that mispredicts every other push.
	 */
	second = slot >= n;
	slot -= n & -(u64)second;
	push_at(q, q->primary ^ second, (u32)slot, node);
	return EIFFEL_PUSH_OK;
}

void eiffel_cffs_prefetch(struct eiffel_cffs *q, u64 rank)
{
	u32 h, slot;

	if (locate(q, rank, false, &h, &slot) != EIFFEL_PUSH_REJECTED)
		eiffel_prefetch(&q->half[h].buckets[slot]);
}

/* Front bucket of half h (which must not be empty); records approximation stats. */
static eiffel_always_inline u32 front_bucket(const struct eiffel_cffs *q, u32 h,
					     struct eiffel_stats *stats)
{
	u32 exact, chosen;
	bool searched;

	if (!q->gq[h])
		return h == q->primary ? q->front : eiffel_hffs_first(&q->half[h].map);
	chosen = eiffel_gq_find(q->gq[h], &q->half[h], &exact, &searched);
	if (stats) {
		stats->approx_pops++;
		stats->approx_searches += searched;
		if (chosen != exact) {
			u64 error = chosen - exact;

			stats->approx_inexact++;
			stats->approx_error_sum += error;
			if (error > stats->approx_error_max)
				stats->approx_error_max = error;
		}
	}
	return chosen;
}

struct eiffel_link *eiffel_cffs_front_bucket(const struct eiffel_cffs *q)
{
	u32 h = q->primary;

	if (!q->count)
		return NULL;
	if (eiffel_hffs_empty(&q->half[h].map))
		h ^= 1;
	return &q->half[h].buckets[front_bucket(q, h, NULL)];
}

struct eiffel_node *eiffel_cffs_peek(const struct eiffel_cffs *q)
{
	struct eiffel_link *bucket = eiffel_cffs_front_bucket(q);

	return bucket ? eiffel_node_of(bucket->next) : NULL;
}

u64 eiffel_cffs_front_end(const struct eiffel_cffs *q)
{
	u32 h = q->primary;
	u64 buckets = 1, base = q->base;

	if (!q->count)
		return 0;
	/* The same bucket eiffel_cffs_peek() looks at, counted from base. */
	if (eiffel_hffs_empty(&q->half[h].map)) {
		h ^= 1;
		buckets += q->nbuckets;
	}
	buckets += front_bucket(q, h, NULL);
	if (base > EIFFEL_U64_MAX - buckets * q->granularity)
		return EIFFEL_U64_MAX;
	return base + buckets * q->granularity;
}

/* Half h's bucket idx has just become empty: clear its bit, move the front on. */
static eiffel_noinline void bucket_emptied(struct eiffel_cffs *q, u32 h, u32 idx)
{
	struct eiffel_hffs *map = &q->half[h].map;

	if (q->gq[h]) {
		eiffel_hffs_clear(map, idx);
		eiffel_gq_emptied(q->gq[h], idx);
	} else if (h == q->primary && idx == q->front) {
		q->front = eiffel_hffs_clear_next(map, idx);
	} else {
		eiffel_hffs_clear(map, idx);
	}
}

/* Unlink node from half h's bucket idx, clearing the bucket's bit if it empties. */
static void take(struct eiffel_cffs *q, u32 h, u32 idx, struct eiffel_node *node)
{
	bool last = node->link.next == node->link.prev;

	eiffel_list_del(&node->link);
	if (last)
		bucket_emptied(q, h, idx);
	q->count--;
}

/* Half holding the front bucket, rotating first if the primary is empty. */
static u32 front_half(struct eiffel_cffs *q)
{
	if (eiffel_hffs_empty(&q->half[q->primary].map))
		rotate(q);
	return q->primary;
}

/* The front bucket (idx of primary half h) of an exact queue has just become empty. */
static eiffel_noinline void front_emptied(struct eiffel_cffs *q, u32 h, u32 idx)
{
	q->front = eiffel_hffs_clear_next(&q->half[h].map, idx);
}

/* Pop the front node of an exact queue whose primary half is not empty. */
static eiffel_always_inline struct eiffel_node *pop_front(struct eiffel_cffs *q)
{
	u32 h = q->primary, idx = q->front;
	struct eiffel_link *bucket = &q->half[h].buckets[idx], *next;
	struct eiffel_node *node = eiffel_node_of(bucket->next);

	/* The front node's predecessor is the bucket head. */
	next = node->link.next;
	bucket->next = next;
	next->prev = bucket;
	q->count--;
	q->stats.pops++;
	if (next == bucket)
		front_emptied(q, h, idx);
	return node;
}

/* A pop without a known front: an empty queue, an approximate queue, or a rotation. */
static eiffel_noinline struct eiffel_node *pop_slow(struct eiffel_cffs *q)
{
	struct eiffel_node *node;
	u32 h, idx;

	if (!q->count)
		return NULL;
	if (!q->gq[0]) {
		rotate(q);	/* exact queue: the primary half is empty */
		return pop_front(q);
	}
	/* Every approximate pop asks the gradient queue for its bucket. */
	h = front_half(q);
	idx = front_bucket(q, h, &q->stats);
	node = eiffel_node_of(q->half[h].buckets[idx].next);
	take(q, h, idx, node);
	q->stats.pops++;
	return node;
}

struct eiffel_node *eiffel_cffs_pop(struct eiffel_cffs *q)
{
	/* A known front implies an exact queue with a non-empty primary half. */
	if (eiffel_unlikely(q->front == EIFFEL_NONE))
		return pop_slow(q);
	return pop_front(q);
}

static u32 next_after(const struct eiffel_bq *bq, u32 idx)
{
	return idx == EIFFEL_NONE ? EIFFEL_NONE : eiffel_hffs_next(&bq->map, idx + 1);
}

/* Start loading the first node of bucket idx of bq, if there is one. */
static void prefetch_front(const struct eiffel_bq *bq, u32 idx)
{
	if (idx != EIFFEL_NONE)
		eiffel_prefetch(bq->buckets[idx].next);
}

/*
 * Pop up to n nodes of the primary half of an exact queue, in order.  Nodes
 * are scattered in memory and each would be a cache miss, so the first nodes
 * of the next POP_AHEAD non-empty buckets are loaded while the current bucket
 * drains.  A bucket's nodes are handed out by walking its list and unlinked
 * all at once; the front cache moves to where the batch stopped.
 */
static u64 drain_primary(struct eiffel_cffs *q, struct eiffel_node **out, u64 n)
{
	struct eiffel_bq *bq = &q->half[q->primary];
	u32 ahead[POP_AHEAD], slot, i;
	u64 done = 0;

	ahead[0] = q->front;
	for (i = 1; i < POP_AHEAD; i++) {
		ahead[i] = next_after(bq, ahead[i - 1]);
		prefetch_front(bq, ahead[i]);
	}
	for (slot = 0;; slot = (slot + 1) % POP_AHEAD) {
		u32 idx = ahead[slot];
		struct eiffel_link *bucket = &bq->buckets[idx], *link = bucket->next;

		/* This slot of the ring now holds the bucket after the furthest one. */
		ahead[slot] = next_after(bq, ahead[(slot + POP_AHEAD - 1) % POP_AHEAD]);
		prefetch_front(bq, ahead[slot]);
		do {
			out[done++] = eiffel_node_of(link);
			link = link->next;
		} while (done < n && link != bucket);
		bucket->next = link;
		link->prev = bucket;
		if (link != bucket) {
			q->front = idx;		/* the batch ended inside this bucket */
			break;
		}
		eiffel_hffs_clear(&bq->map, idx);
		idx = ahead[(slot + 1) % POP_AHEAD];
		if (done == n || idx == EIFFEL_NONE) {
			q->front = idx;
			break;
		}
	}
	q->count -= done;
	return done;
}

u64 eiffel_cffs_pop_many(struct eiffel_cffs *q, struct eiffel_node **out, u64 n)
{
	u64 done = 0;

	if (q->gq[0]) {
		/* Each approximate pop needs its own estimate. */
		for (; done < n && q->count; done++)
			out[done] = eiffel_cffs_pop(q);
		return done;
	}
	while (done < n && q->count) {
		if (q->front == EIFFEL_NONE)
			rotate(q);	/* the primary half is empty */
		done += drain_primary(q, out + done, n - done);
	}
	q->stats.pops += done;
	return done;
}

u64 eiffel_cffs_pop_bucket(struct eiffel_cffs *q, struct eiffel_link *dst)
{
	struct eiffel_link *bucket, *link;
	u64 n = 0;
	u32 h, idx;

	if (!q->count)
		return 0;
	h = front_half(q);
	idx = front_bucket(q, h, &q->stats);
	bucket = &q->half[h].buckets[idx];
	for (link = bucket->next; link != bucket; link = link->next)
		n++;
	eiffel_list_splice_tail(dst, bucket);
	bucket_emptied(q, h, idx);
	q->count -= n;
	q->stats.pops += n;
	return n;
}

void eiffel_cffs_remove(struct eiffel_cffs *q, struct eiffel_node *node)
{
	u32 h, idx = EIFFEL_NONE;

	/* Only a bucket's last node needs to know its bucket: its neighbour is the head. */
	for (h = 0; h < 2 && idx == EIFFEL_NONE; h++)
		idx = eiffel_bq_sole_bucket(&q->half[h], node);
	if (idx == EIFFEL_NONE) {
		eiffel_list_del(&node->link);
		q->count--;
	} else {
		take(q, h - 1, idx, node);
	}
	q->stats.removes++;
}

void eiffel_cffs_advance(struct eiffel_cffs *q, u64 now)
{
	if (now <= q->base)
		return;
	if (!q->count) {
		if (bucket_offset(q, now))
			rebase(q, now);
		return;
	}
	if (eiffel_hffs_empty(&q->half[q->primary].map) && now - q->base >= q->span)
		rotate(q);
}

void eiffel_cffs_reset(struct eiffel_cffs *q)
{
	u32 h;

	for (h = 0; h < 2; h++) {
		eiffel_bq_reset(&q->half[h]);
		if (q->gq[h])
			eiffel_gq_reset(q->gq[h]);
	}
	q->front = EIFFEL_NONE;
	q->count = 0;
}
