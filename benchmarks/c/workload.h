/* SPDX-License-Identifier: MIT */
/*
 * What a run enqueues: n packets with ranks over [0, nbuckets), generated
 * from a fixed seed (xorshift64) so every contender and every run sees the
 * same sequence.
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include "pkt.h"

struct workload {
	u32 nbuckets;		/* rank range [0, nbuckets), granularity 1 */
	u64 n;			/* packets */
	struct pkt *pkts;	/* n packets, ranks set, in push order */
	struct pkt **order;	/* the same packets in (rank, push) order */
};

/* Every bucket gets exactly ppb packets, pushed in a shuffled order (Fig. 12). */
int workload_per_bucket(struct workload *w, u32 nbuckets, u32 ppb, u64 seed);
/* round(occupancy * nbuckets) distinct buckets get one packet each (Fig. 13/14). */
int workload_occupancy(struct workload *w, u32 nbuckets, double occupancy, u64 seed);
void workload_free(struct workload *w);

#endif /* BENCH_WORKLOAD_H */
