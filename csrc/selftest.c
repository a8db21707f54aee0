// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Randomized self-test against a trivial reference.  See eiffel_selftest.h. */
#include "eiffel_selftest.h"

#define N_NODES		EIFFEL_SELFTEST_NODES
#define N_BUCKETS	EIFFEL_SELFTEST_BUCKETS
#define GRANULARITY	3
#define ALPHA		2

struct ref_node {
	struct eiffel_node node;
	u64 key;	/* absolute bucket number the reference expects */
	u64 seq;	/* arrival order */
	bool queued;
};

struct selftest {
	struct ref_node nodes[N_NODES];
	u64 rng;
	u64 seq;
	u64 base;	/* the reference's own window start */
	u64 count;
};

enum kind { KIND_FFS, KIND_CFFS, KIND_CFFS_REJECT, KIND_APPROX, KIND_COUNT };

static u64 queue_mem(void)
{
	u64 a = eiffel_ffsq_size(N_BUCKETS), b = eiffel_approx_size(N_BUCKETS, ALPHA);

	return a > b ? a : b;
}

u64 eiffel_selftest_mem(void)
{
	return sizeof(struct selftest) + queue_mem();
}

static u64 rnd(struct selftest *t)
{
	/* xorshift64: deterministic for a seed, no libc needed */
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return t->rng;
}

static u64 below(struct selftest *t, u64 n)
{
	/* n is tiny here; the modulo bias does not matter for a test */
	return (rnd(t) >> 11) % n;
}

static u64 saturating_add(u64 a, u64 b)
{
	return a > EIFFEL_U64_MAX - b ? EIFFEL_U64_MAX : a + b;
}

/* Queued reference element with the smallest (key, seq), or NULL. */
static struct ref_node *ref_min(struct selftest *t)
{
	struct ref_node *best = NULL;
	u32 i;

	for (i = 0; i < N_NODES; i++) {
		struct ref_node *r = &t->nodes[i];

		if (r->queued && (!best || r->key < best->key ||
				  (r->key == best->key && r->seq < best->seq)))
			best = r;
	}
	return best;
}

static struct ref_node *ref_max(struct selftest *t)
{
	struct ref_node *best = NULL;
	u32 i;

	for (i = 0; i < N_NODES; i++) {
		struct ref_node *r = &t->nodes[i];

		if (r->queued && (!best || r->key > best->key ||
				  (r->key == best->key && r->seq < best->seq)))
			best = r;
	}
	return best;
}

/* Reference window rules from eiffel_queue.h, in absolute bucket numbers. */
static u64 ref_bucket(struct selftest *t, u64 rank)
{
	return rank < t->base ? 0 : (rank - t->base) / GRANULARITY;
}

static bool ref_primary_empty(struct selftest *t)
{
	u64 front = t->base / GRANULARITY;
	u32 i;

	for (i = 0; i < N_NODES; i++)
		if (t->nodes[i].queued && t->nodes[i].key < front + N_BUCKETS)
			return false;
	return true;
}

#define CHECK(cond, code) do { if (!(cond)) return (code); } while (0)

static int step_circular(struct selftest *t, struct eiffel_cffs *q, enum kind kind)
{
	u64 op = below(t, 10), window = 2 * N_BUCKETS * GRANULARITY;
	struct ref_node *r = &t->nodes[below(t, N_NODES)];
	struct eiffel_node *got;

	if (op < 5 && !r->queued) {			/* push */
		u64 rank = saturating_add(t->base, below(t, window + window / 4));
		u64 slot;
		int status;

		if (below(t, 8) == 0)
			rank = t->base > 5 ? t->base - below(t, 5) - 1 : 0;
		slot = ref_bucket(t, rank);
		if (slot >= 2 * N_BUCKETS && !t->count) {
			t->base += slot * GRANULARITY;
			slot = 0;
		}
		r->node.rank = rank;
		status = eiffel_cffs_push(q, &r->node);
		if (slot >= 2 * N_BUCKETS && kind == KIND_CFFS_REJECT) {
			CHECK(status == EIFFEL_PUSH_REJECTED, 1);
			return 0;
		}
		CHECK(status >= 0, 2);
		CHECK((status == EIFFEL_PUSH_LATE) == (rank < t->base), 3);
		CHECK((status == EIFFEL_PUSH_CAPPED) == (slot >= 2 * N_BUCKETS), 4);
		if (slot >= 2 * N_BUCKETS)
			slot = 2 * N_BUCKETS - 1;
		r->key = t->base / GRANULARITY + slot;
		r->seq = t->seq++;
		r->queued = true;
		t->count++;
	} else if (op < 8) {				/* pop */
		struct ref_node *want = ref_min(t);
		struct ref_node *popped;

		if (want && ref_primary_empty(t))
			t->base += N_BUCKETS * GRANULARITY;
		got = eiffel_cffs_pop(q);
		CHECK(!got == !want, 5);
		if (!got)
			return 0;
		popped = eiffel_container_of(got, struct ref_node, node);
		CHECK(popped->queued, 6);
		if (kind == KIND_APPROX) {
			/* Any bucket of the minimum's group, FIFO within it. */
			u32 group = eiffel_approx_group_size(N_BUCKETS, ALPHA);
			u64 front = t->base / GRANULARITY;

			CHECK((popped->key - front) / group == (want->key - front) / group, 7);
			want = popped;
		}
		CHECK(popped == want, 8);
		popped->queued = false;
		t->count--;
	} else if (op < 9) {				/* remove */
		if (r->queued) {
			eiffel_cffs_remove(q, &r->node);
			r->queued = false;
			t->count--;
		}
	} else {					/* advance */
		u64 now = saturating_add(t->base, below(t, window));

		if (!t->count) {
			t->base += (now - t->base) / GRANULARITY * GRANULARITY;
		} else if (ref_primary_empty(t) &&
			   now - t->base >= N_BUCKETS * GRANULARITY) {
			t->base += N_BUCKETS * GRANULARITY;
		}
		eiffel_cffs_advance(q, now);
	}
	CHECK(q->base == t->base, 9);
	CHECK(q->count == t->count, 10);
	got = eiffel_cffs_peek(q);
	CHECK(!got == !t->count, 11);
	return 0;
}

static int step_ffs(struct selftest *t, struct eiffel_ffsq *q)
{
	u64 op = below(t, 10);
	struct ref_node *r = &t->nodes[below(t, N_NODES)];
	struct ref_node *want;
	struct eiffel_node *got;

	if (op < 5 && !r->queued) {
		u64 rank = below(t, N_BUCKETS * GRANULARITY + 4);
		int status;

		r->node.rank = rank;
		status = eiffel_ffsq_push(q, &r->node);
		if (rank >= N_BUCKETS * GRANULARITY) {
			CHECK(status == EIFFEL_PUSH_REJECTED, 21);
			return 0;
		}
		CHECK(status == EIFFEL_PUSH_OK, 22);
		r->key = rank / GRANULARITY;
		r->seq = t->seq++;
		r->queued = true;
		t->count++;
	} else if (op < 8) {
		bool max = op == 7;

		want = max ? ref_max(t) : ref_min(t);
		got = max ? eiffel_ffsq_pop_max(q) : eiffel_ffsq_pop_min(q);
		CHECK(!got == !want, 23);
		if (got) {
			CHECK(got == &want->node, 24);
			want->queued = false;
			t->count--;
		}
	} else if (r->queued) {
		eiffel_ffsq_remove(q, &r->node);
		r->queued = false;
		t->count--;
	}
	CHECK(q->count == t->count, 25);
	return 0;
}

static void *init_queue(enum kind kind, void *mem, u64 start)
{
	switch (kind) {
	case KIND_FFS:
		return eiffel_ffsq_init(mem, N_BUCKETS, GRANULARITY);
	case KIND_CFFS:
		return eiffel_cffs_init(mem, N_BUCKETS, GRANULARITY, start, 0);
	case KIND_CFFS_REJECT:
		return eiffel_cffs_init(mem, N_BUCKETS, GRANULARITY, start, EIFFEL_REJECT);
	default:
		return eiffel_approx_init(mem, N_BUCKETS, GRANULARITY, start, 0, ALPHA);
	}
}

int eiffel_selftest(void *mem, u64 seed, u32 rounds)
{
	struct selftest *t = mem;
	void *qmem = t + 1;
	u32 kind, i;

	for (kind = 0; kind < KIND_COUNT; kind++) {
		void *q;

		for (i = 0; i < N_NODES; i++)
			t->nodes[i].queued = false;
		t->rng = seed * 2 + 1;
		t->seq = 0;
		t->count = 0;
		/* Start near 2^64 now and then to exercise overflow-safe index math. */
		t->base = (seed & 1) ? EIFFEL_U64_MAX - 4 * N_BUCKETS * GRANULARITY * 8 : GRANULARITY;
		q = init_queue(kind, qmem, t->base);
		if (!q)
			return 30;
		for (i = 0; i < rounds; i++) {
			int err = kind == KIND_FFS ? step_ffs(t, q) : step_circular(t, q, kind);

			if (err)
				return err + 100 * (int)kind;
		}
	}
	return 0;
}
