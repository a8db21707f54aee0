/*
 * cffi cdef of the glue (pyqueue.h) and what it hands out of the core.  It
 * restates pyqueue.h's declarations in cffi's C subset (uint64_t for the
 * core's u64, "..." where cffi takes a value or a layout from the compiler)
 * because cffi needs them as text; it compiles a call to each against
 * pyqueue.h with -Werror, so the two cannot drift apart unnoticed.
 */
#define EIFFEL_MAX_BUCKETS ...
#define EIFFEL_ALPHA_MIN ...
#define EIFFEL_ALPHA_MAX ...
#define EIFFEL_REJECT ...
#define EIFFEL_PY_REJECTED ...
#define EIFFEL_PY_NOMEM ...
#define EIFFEL_PY_EMPTY ...
#define EIFFEL_PY_STALE ...

enum eiffel_py_kind { EIFFEL_PY_FFS, EIFFEL_PY_CFFS, EIFFEL_PY_APPROX, ... };

struct eiffel_stats {
	uint64_t pushes;
	uint64_t pops;
	uint64_t removes;
	uint64_t late;
	uint64_t capped;
	uint64_t rejected;
	uint64_t rotations;
	uint64_t rebases;
	uint64_t approx_pops;
	uint64_t approx_inexact;
	uint64_t approx_error_sum;
	uint64_t approx_error_max;
	uint64_t approx_searches;
	...;
};

struct eiffel_pyq {
	uint64_t last_rank;
	uint32_t capacity;
	uint64_t count;
	uint64_t big;
	...;
};

struct eiffel_pyq *eiffel_pyq_create(int kind, uint32_t nbuckets, uint64_t granularity,
				     uint64_t start, uint32_t flags, uint32_t alpha);
void eiffel_pyq_destroy(struct eiffel_pyq *pq);
int64_t eiffel_pyq_push(struct eiffel_pyq *pq, uint64_t rank);
int64_t eiffel_pyq_pop(struct eiffel_pyq *pq, int max);
int64_t eiffel_pyq_peek(struct eiffel_pyq *pq, int max);
int eiffel_pyq_remove(struct eiffel_pyq *pq, uint64_t handle);
int eiffel_pyq_update(struct eiffel_pyq *pq, uint64_t handle, uint64_t rank);
int eiffel_pyq_contains(const struct eiffel_pyq *pq, uint64_t handle);
void eiffel_pyq_advance(struct eiffel_pyq *pq, uint64_t now);
void eiffel_pyq_clear(struct eiffel_pyq *pq);
int64_t eiffel_pyq_check_many(struct eiffel_pyq *pq, const uint64_t *ranks, uint64_t n);
int eiffel_pyq_push_many(struct eiffel_pyq *pq, const uint64_t *ranks, uint64_t n,
			 uint64_t *handles);
uint64_t eiffel_pyq_pop_many(struct eiffel_pyq *pq, uint64_t n, uint64_t *ranks,
			     uint64_t *handles, int max);
void eiffel_pyq_stats(const struct eiffel_pyq *pq, struct eiffel_stats *out);
uint64_t eiffel_pyq_base(const struct eiffel_pyq *pq);
uint64_t eiffel_pyq_horizon(const struct eiffel_pyq *pq);
uint32_t eiffel_pyq_group_size(const struct eiffel_pyq *pq);

/* Raw core sizes and the self-test, for callers who manage memory themselves. */
uint64_t eiffel_ffsq_size(uint32_t nbuckets);
uint64_t eiffel_cffs_size(uint32_t nbuckets);
uint64_t eiffel_approx_size(uint32_t nbuckets, uint32_t alpha);
uint32_t eiffel_approx_group_size(uint32_t nbuckets, uint32_t alpha);
uint64_t eiffel_selftest_mem(void);
int eiffel_selftest(void *mem, uint64_t seed, uint32_t rounds);

/* Sizes only (eiffel.queues.internals): what one queued element costs. */
struct eiffel_node { ...; };
struct eiffel_py_elem { ...; };
