/* SPDX-License-Identifier: MIT */
/*
 * The queues under test behind one interface.  setup() lays an empty queue
 * out in caller memory (not timed); measured() pushes every packet of the
 * workload, then pops them all, handing each popped packet to the consumer
 * (timed).  measured() functions are named measured_* so that callgrind can
 * count just them (--toggle-collect=measured_*).
 */
#ifndef BENCH_CONTENDERS_H
#define BENCH_CONTENDERS_H

#include "eiffel_queue.h"
#include "workload.h"

/* What the consumer saw: reading each popped packet keeps every contender honest. */
struct outcome {
	u64 popped;
	u64 rank_sum;
	u64 disorder;		/* pops whose rank was below the previous pop's */
	u64 last;
	struct eiffel_stats stats;	/* Eiffel's queues only */
};

struct contender {
	const char *name;
	bool exact;		/* pops in (bucket, arrival) order */
	u64 (*mem)(u32 nbuckets, u64 n);
	void *(*setup)(void *mem, const struct workload *w);
	void (*measured)(void *q, const struct workload *w, struct outcome *o);
};

extern const struct contender contenders[];
extern const unsigned ncontenders;
/* The approximate queue's alpha (default 16, the paper's worked example). */
extern u32 bench_alpha;

const struct contender *contender_named(const char *name);

#endif /* BENCH_CONTENDERS_H */
