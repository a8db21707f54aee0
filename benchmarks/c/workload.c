// SPDX-License-Identifier: MIT
/* Rank sequences for the figures; see workload.h. */
#include <stdlib.h>
#include <string.h>

#include "workload.h"

static u64 next_random(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

/* Fisher-Yates; the modulo bias is irrelevant for a benchmark's order. */
static void shuffle(u64 *a, u64 n, u64 *state)
{
	u64 i;

	for (i = n; i > 1; i--) {
		u64 j = next_random(state) % i, t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

/* Counting sort by rank, stable: the order every exact queue must pop in. */
static int sort_order(struct workload *w)
{
	u64 *start = calloc((u64)w->nbuckets + 1, sizeof(u64)), i;

	w->order = malloc((w->n ? w->n : 1) * sizeof(*w->order));
	if (!start || !w->order) {
		free(start);
		return -1;
	}
	for (i = 0; i < w->n; i++)
		start[w->pkts[i].en.rank + 1]++;
	for (i = 0; i < w->nbuckets; i++)
		start[i + 1] += start[i];
	for (i = 0; i < w->n; i++)
		w->order[start[w->pkts[i].en.rank]++] = &w->pkts[i];
	free(start);
	return 0;
}

static int fill(struct workload *w, u32 nbuckets, const u64 *ranks, u64 n)
{
	u64 i;

	w->nbuckets = nbuckets;
	w->n = n;
	/* Cache-line aligned, one packet per line. */
	w->pkts = aligned_alloc(64, (n ? n : 1) * sizeof(struct pkt));
	if (!w->pkts)
		return -1;
	memset(w->pkts, 0, n * sizeof(struct pkt));
	for (i = 0; i < n; i++)
		w->pkts[i].en.rank = ranks[i];
	return sort_order(w);
}

int workload_per_bucket(struct workload *w, u32 nbuckets, u32 ppb, u64 seed)
{
	u64 n = (u64)nbuckets * ppb, i, state = seed | 1;
	u64 *ranks = malloc(n * sizeof(u64));
	int err;

	if (!ranks)
		return -1;
	for (i = 0; i < n; i++)
		ranks[i] = i / ppb;
	shuffle(ranks, n, &state);
	err = fill(w, nbuckets, ranks, n);
	free(ranks);
	return err;
}

int workload_occupancy(struct workload *w, u32 nbuckets, double occupancy, u64 seed)
{
	u64 n = (u64)(occupancy * nbuckets + 0.5), i, state = seed | 1;
	u64 *ranks = malloc((u64)nbuckets * sizeof(u64));
	int err;

	if (!ranks)
		return -1;
	if (n > nbuckets)
		n = nbuckets;
	/* A shuffled permutation of all buckets: its first n are distinct and random. */
	for (i = 0; i < nbuckets; i++)
		ranks[i] = i;
	shuffle(ranks, nbuckets, &state);
	err = fill(w, nbuckets, ranks, n);
	free(ranks);
	return err;
}

void workload_free(struct workload *w)
{
	free(w->pkts);
	free(w->order);
	w->pkts = NULL;
	w->order = NULL;
}
