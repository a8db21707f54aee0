// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * C-level checks of the core, built with -fsanitize=address,undefined and run
 * from pytest (tests/test_core_c.py).  Exercises every queue directly: the
 * randomized self-test against its trivial reference over many seeds, plus
 * the hFFS searches against a plain bit array at the sizes where levels
 * change (1, 64, 65, 4096, 4097, 262144 + 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eiffel_hffs.h"
#include "eiffel_queue.h"
#include "eiffel_selftest.h"

static int failures;

#define EXPECT(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} \
} while (0)

static u64 rng = 88172645463325252ull;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static u32 ref_next(const unsigned char *bits, u32 n, u32 from)
{
	for (; from < n; from++)
		if (bits[from])
			return from;
	return EIFFEL_NONE;
}

static u32 ref_prev(const unsigned char *bits, u32 n, u32 from)
{
	if (from >= n)
		from = n - 1;
	for (;; from--) {
		if (bits[from])
			return from;
		if (!from)
			return EIFFEL_NONE;
	}
}

static void check_hffs(u32 n, u32 ops)
{
	struct eiffel_hffs h;
	u32 nwords = eiffel_hffs_words(n), i;
	/* Exact-size allocations so AddressSanitizer sees any overrun. */
	u64 *words = malloc(nwords * sizeof(u64));
	unsigned char *bits = calloc(n, 1);

	eiffel_hffs_init(&h, words, n);
	EXPECT(eiffel_hffs_first(&h) == EIFFEL_NONE, "n=%u empty first", n);
	EXPECT(eiffel_hffs_last(&h) == EIFFEL_NONE, "n=%u empty last", n);
	for (i = 0; i < ops; i++) {
		u32 bit = (u32)(rnd() % n), probe = (u32)(rnd() % n);

		/* Cluster bits near the ends now and then: that is where levels end. */
		if (i % 7 == 0)
			bit = n - 1 - (u32)(rnd() % (n < 3 ? n : 3));
		if (rnd() % 3) {
			eiffel_hffs_set(&h, bit);
			bits[bit] = 1;
		} else {
			eiffel_hffs_clear(&h, bit);
			bits[bit] = 0;
		}
		EXPECT(eiffel_hffs_test(&h, bit) == bits[bit], "n=%u test %u", n, bit);
		EXPECT(eiffel_hffs_first(&h) == ref_next(bits, n, 0), "n=%u first", n);
		EXPECT(eiffel_hffs_last(&h) == ref_prev(bits, n, n - 1), "n=%u last", n);
		EXPECT(eiffel_hffs_next(&h, probe) == ref_next(bits, n, probe),
		       "n=%u next(%u)", n, probe);
		EXPECT(eiffel_hffs_prev(&h, probe) == ref_prev(bits, n, probe),
		       "n=%u prev(%u)", n, probe);
		EXPECT(eiffel_hffs_empty(&h) == (ref_next(bits, n, 0) == EIFFEL_NONE),
		       "n=%u empty", n);
	}
	EXPECT(eiffel_hffs_next(&h, n) == EIFFEL_NONE, "n=%u next past end", n);
	free(words);
	free(bits);
}

static void check_levels(void)
{
	struct eiffel_hffs h;
	u64 *words;
	static const struct { u32 n, levels; } cases[] = {
		{ 1, 1 }, { 64, 1 }, { 65, 2 }, { 4096, 2 }, { 4097, 3 },
		{ 262144, 3 }, { 262145, 4 }, { 1u << 24, 4 }, { (1u << 24) + 1, 5 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		words = malloc(eiffel_hffs_words(cases[i].n) * sizeof(u64));
		eiffel_hffs_init(&h, words, cases[i].n);
		EXPECT(h.levels == cases[i].levels, "n=%u levels %u want %u",
		       cases[i].n, h.levels, cases[i].levels);
		eiffel_hffs_set(&h, cases[i].n - 1);
		EXPECT(eiffel_hffs_first(&h) == cases[i].n - 1, "n=%u last bit", cases[i].n);
		eiffel_hffs_set(&h, 0);
		EXPECT(eiffel_hffs_last(&h) == cases[i].n - 1, "n=%u last", cases[i].n);
		EXPECT(eiffel_hffs_first(&h) == 0, "n=%u first", cases[i].n);
		free(words);
	}
}

static void check_horizon_math(void)
{
	/* A window ending past 2^64 - 1 must neither wrap nor cap wrongly. */
	u64 size = eiffel_cffs_size(16);
	void *mem = malloc(size);
	struct eiffel_cffs *q = eiffel_cffs_init(mem, 16, 1ull << 40, ~0ull - (1ull << 44), EIFFEL_REJECT);
	struct eiffel_node a = { .rank = ~0ull }, b = { .rank = 5 };

	EXPECT(q != NULL, "init near 2^64");
	EXPECT(eiffel_cffs_horizon(q) == ~0ull, "horizon saturates");
	EXPECT(eiffel_cffs_push(q, &a) == EIFFEL_PUSH_OK, "rank 2^64-1 fits");
	EXPECT(eiffel_cffs_push(q, &b) == EIFFEL_PUSH_LATE, "rank 5 is late");
	EXPECT(eiffel_cffs_pop(q) == &b, "late first");
	EXPECT(eiffel_cffs_pop(q) == &a, "then 2^64-1");
	EXPECT(eiffel_cffs_init(mem, 16, ~0ull / 16, 0, 0) == NULL, "window too wide");
	free(mem);
}

static void check_front_end(void)
{
	/* 4 buckets of 10 per half, window [100, 180). */
	u64 size = eiffel_cffs_size(4);
	void *mem = malloc(size);
	struct eiffel_cffs *q = eiffel_cffs_init(mem, 4, 10, 100, 0);
	struct eiffel_node a = { .rank = 125 }, b = { .rank = 163 }, c = { .rank = 500 };

	EXPECT(eiffel_cffs_front_end(q) == 0, "empty front end");
	eiffel_cffs_push(q, &b);
	EXPECT(eiffel_cffs_front_end(q) == 170, "secondary front end %llu",
	       (unsigned long long)eiffel_cffs_front_end(q));
	eiffel_cffs_push(q, &a);
	EXPECT(eiffel_cffs_front_end(q) == 130, "primary front end");
	EXPECT(eiffel_cffs_pop(q) == &a, "pop a");
	EXPECT(eiffel_cffs_push(q, &c) == EIFFEL_PUSH_CAPPED, "c capped");
	EXPECT(eiffel_cffs_pop(q) == &b, "pop b (rotates)");
	/* c sits in the last bucket of the new primary, [170, 180). */
	EXPECT(eiffel_cffs_front_end(q) == 180, "capped front end %llu",
	       (unsigned long long)eiffel_cffs_front_end(q));
	free(mem);
}

/* The front bucket's list: every node of the bucket peek() takes from, in
 * push order, and nodes removed from it while walking (as sch_eiffel does). */
static void check_front_bucket(void)
{
	u64 size = eiffel_cffs_size(4);
	void *mem = malloc(size);
	struct eiffel_cffs *q = eiffel_cffs_init(mem, 4, 10, 100, 0);
	struct eiffel_node n[5] = { { .rank = 128 }, { .rank = 121 }, { .rank = 135 },
				    { .rank = 125 }, { .rank = 170 } };
	struct eiffel_link *head, *link, *next;
	u64 ranks[4];
	int i, k = 0;

	EXPECT(eiffel_cffs_front_bucket(q) == NULL, "empty: no front bucket");
	for (i = 0; i < 5; i++)
		eiffel_cffs_push(q, &n[i]);
	head = eiffel_cffs_front_bucket(q);
	for (link = head->next; link != head && k < 4; link = link->next)
		ranks[k++] = eiffel_node_of(link)->rank;
	EXPECT(k == 3 && ranks[0] == 128 && ranks[1] == 121 && ranks[2] == 125,
	       "front bucket [120, 130) in push order (%d nodes)", k);
	/* Remove the due ones (rank <= 126) behind the first, as the qdisc does. */
	for (link = head->next->next; link != head; link = next) {
		next = link->next;
		if (eiffel_node_of(link)->rank <= 126)
			eiffel_cffs_remove(q, eiffel_node_of(link));
	}
	EXPECT(eiffel_cffs_peek(q) == &n[0] && head->next == &n[0].link &&
	       head->prev == &n[0].link, "only the first node is left in the bucket");
	EXPECT(eiffel_cffs_pop(q) == &n[0], "pop the first");
	EXPECT(eiffel_cffs_front_bucket(q)->next == &n[2].link, "front moved on to [130, 140)");
	EXPECT(eiffel_cffs_pop(q) == &n[2] && eiffel_cffs_pop(q) == &n[4] &&
	       eiffel_cffs_pop(q) == NULL, "the rest in order");
	free(mem);
}

int main(int argc, char **argv)
{
	u32 seeds = argc > 1 ? (u32)atoi(argv[1]) : 200, seed;
	u64 size = eiffel_selftest_mem();
	void *mem = malloc(size);
	static const u32 sizes[] = { 1, 2, 63, 64, 65, 127, 4095, 4096, 4097, 262145 };
	size_t i;

	check_levels();
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_hffs(sizes[i], sizes[i] > 10000 ? 3000 : 20000);
	check_horizon_math();
	check_front_end();
	check_front_bucket();
	for (seed = 1; seed <= seeds; seed++) {
		int err = eiffel_selftest(mem, seed, 4000);

		EXPECT(err == 0, "selftest seed %u failed check %d", seed, err);
		if (err)
			break;
	}
	free(mem);
	if (failures) {
		printf("core_check: %d failures\n", failures);
		return 1;
	}
	printf("core_check: ok (%u selftest seeds)\n", seeds);
	return 0;
}
