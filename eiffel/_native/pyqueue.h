/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Glue between the core and the Python classes (eiffel/queues/bucketed.py): one C call
 * per Python operation, and batch loops in C so numpy batches never loop in
 * Python.  Unlike the core, the glue may allocate: it owns a pool of queue
 * elements, grown in fixed chunks so that element addresses never move.
 *
 * A handle names one element incarnation: (generation << 32) | slot.  The
 * generation is odd while the element is queued and bumped on every push and
 * every exit, so a handle of an element that already left is refused.
 */
#ifndef EIFFEL_PYQUEUE_H
#define EIFFEL_PYQUEUE_H

#include "eiffel_queue.h"

enum eiffel_py_kind { EIFFEL_PY_FFS, EIFFEL_PY_CFFS, EIFFEL_PY_APPROX };

/* Error returns (negative) of the handle-returning calls. */
#define EIFFEL_PY_REJECTED	(-1)	/* beyond the horizon / out of range */
#define EIFFEL_PY_NOMEM		(-2)
#define EIFFEL_PY_EMPTY		(-3)
#define EIFFEL_PY_STALE		(-4)	/* handle of an element that left */

struct eiffel_py_elem {
	struct eiffel_node node;
	u32 slot;
	u32 gen;
};

struct eiffel_pyq {
	u64 last_rank;		/* rank of the element the last pop/peek returned */
	int kind;
	void *q;		/* the core queue */
	struct eiffel_py_elem **chunks;
	u32 nchunks;
	u32 *free_slots;	/* stack of free slots */
	u32 nfree;
	u32 capacity;		/* slots in all chunks */
	u64 count;
	u64 big;		/* queued ranks above 2^63 - 1 */
};

struct eiffel_pyq *eiffel_pyq_create(int kind, u32 nbuckets, u64 granularity,
				     u64 start, u32 flags, u32 alpha);
void eiffel_pyq_destroy(struct eiffel_pyq *pq);

s64 eiffel_pyq_push(struct eiffel_pyq *pq, u64 rank);
s64 eiffel_pyq_pop(struct eiffel_pyq *pq, int max);
s64 eiffel_pyq_peek(struct eiffel_pyq *pq, int max);
int eiffel_pyq_remove(struct eiffel_pyq *pq, u64 handle);
int eiffel_pyq_update(struct eiffel_pyq *pq, u64 handle, u64 rank);
int eiffel_pyq_contains(const struct eiffel_pyq *pq, u64 handle);
void eiffel_pyq_advance(struct eiffel_pyq *pq, u64 now);
void eiffel_pyq_clear(struct eiffel_pyq *pq);

s64 eiffel_pyq_check_many(struct eiffel_pyq *pq, const u64 *ranks, u64 n);
int eiffel_pyq_push_many(struct eiffel_pyq *pq, const u64 *ranks, u64 n,
			 u64 *handles);
u64 eiffel_pyq_pop_many(struct eiffel_pyq *pq, u64 n, u64 *ranks, u64 *handles,
			int max);

void eiffel_pyq_stats(const struct eiffel_pyq *pq, struct eiffel_stats *out);
u64 eiffel_pyq_base(const struct eiffel_pyq *pq);
u64 eiffel_pyq_horizon(const struct eiffel_pyq *pq);
u32 eiffel_pyq_group_size(const struct eiffel_pyq *pq);

#endif /* EIFFEL_PYQUEUE_H */
