/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Randomized self-test of the queues against a trivial reference: an array
 * of queued elements searched linearly for the smallest (bucket, arrival).
 * Built into the kernel module (run at load time on request) and into the
 * user-space sanitizer test driver.
 */
#ifndef EIFFEL_SELFTEST_H
#define EIFFEL_SELFTEST_H

#include "eiffel_queue.h"

/* Elements and buckets per half used by the test. */
#define EIFFEL_SELFTEST_NODES	96
#define EIFFEL_SELFTEST_BUCKETS	70	/* > 64: two bitmap levels */

/* Bytes of scratch memory eiffel_selftest() needs (8-byte aligned). */
u64 eiffel_selftest_mem(void);
/*
 * Run `rounds` random operations per queue kind from `seed`.  Returns 0, or
 * the (positive) number of the check that failed.
 */
int eiffel_selftest(void *mem, u64 seed, u32 rounds);

#endif /* EIFFEL_SELFTEST_H */
