// SPDX-License-Identifier: MIT
/*
 * The paper's microbenchmarks (NSDI'19 section 5.2) on the core itself, plus
 * the baselines of baselines.h.  Each point: build the workload, then for
 * every contender time "push every packet, pop them all" (Fig. 12/13 report
 * this as Mpps).  Samples are interleaved across contenders so that noise
 * from other tenants of the machine lands on all of them alike; the first
 * round is a warm-up and the median of the rest is reported.
 *
 *   bench [options] fig12|fig13|fig14|scaling   CSV on stdout
 *   bench once CONTENDER BUCKETS PPB           one run (for callgrind): name,buckets,packets,ns/pkt
 *
 * Options: --smoke (tiny sizes, one sample: checks, not timing),
 *          --repeats N (default 15), --min-ms MS (minimum time per sample,
 *          default 5: short samples, so that the contenders of one round
 *          run under nearly the same load), --alpha A.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contenders.h"

static unsigned repeats = 15;
static double min_ms = 5;
static bool smoke;

#define SEED	0x9e3779b97f4a7c15ull

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000u + (u64)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(1);
}

static void *alloc_queue(u64 bytes)
{
	/* aligned_alloc wants a multiple of the alignment. */
	void *mem = aligned_alloc(64, (bytes + 63) & ~(u64)63);

	if (!mem)
		die("out of memory");
	return mem;
}

static u64 max_mem(const struct workload *w)
{
	u64 most = 0, m;
	unsigned i;

	for (i = 0; i < ncontenders; i++) {
		m = contenders[i].mem(w->nbuckets, w->n);
		if (m > most)
			most = m;
	}
	return most;
}

/* Run c once on w; every run is checked, so a broken queue never gets a number. */
static u64 run_once(const struct contender *c, void *mem, const struct workload *w,
		    struct outcome *o)
{
	void *q = c->setup(mem, w);
	u64 t0, t1, expect = 0, i;

	if (!q)
		die("queue setup failed");
	memset(o, 0, sizeof(*o));
	t0 = now_ns();
	c->measured(q, w, o);
	t1 = now_ns();
	for (i = 0; i < w->n; i++)
		expect += w->pkts[i].en.rank;
	if (o->popped != w->n || o->rank_sum != expect || (c->exact && o->disorder)) {
		fprintf(stderr, "bench: %s popped %llu of %llu, %llu out of order\n", c->name,
			(unsigned long long)o->popped, (unsigned long long)w->n,
			(unsigned long long)o->disorder);
		exit(1);
	}
	return t1 - t0;
}

/* ns per packet over enough back-to-back runs to last min_ms. */
static double sample(const struct contender *c, void *mem, const struct workload *w,
		     struct outcome *o)
{
	u64 total = 0, packets = 0;

	do {
		total += run_once(c, mem, w, o);
		packets += w->n;
	} while (!smoke && total < min_ms * 1e6);
	return (double)total / (double)packets;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_header(void)
{
	printf("experiment,buckets,param,contender,packets,ns_per_pkt,mpps,ns_min,ns_max,"
	       "samples,approx_err_avg,approx_inexact_frac\n");
}

/*
 * One point of a figure: every contender (but `skip`, if not NULL),
 * interleaved, median of `reps` samples.
 */
static void measure_point(const char *experiment, const struct workload *w, double param,
			  unsigned reps, const char *skip)
{
	double (*ns)[64] = calloc(ncontenders, sizeof(*ns));
	struct outcome o[16];
	void *mem = alloc_queue(max_mem(w));
	unsigned r, i;

	if (!ns || reps > 64 || ncontenders > 16)
		die("bad repeat count");
	/* Round 0 warms caches, page tables and branch predictors; it is dropped. */
	for (r = 0; r <= reps; r++)
		for (i = 0; i < ncontenders; i++) {
			double v;

			if (skip && !strcmp(contenders[i].name, skip))
				continue;
			v = sample(&contenders[i], mem, w, &o[i]);

			if (r)
				ns[i][r - 1] = v;
		}
	for (i = 0; i < ncontenders; i++) {
		const struct eiffel_stats *s = &o[i].stats;
		double med, err = 0, inexact = 0;

		if (skip && !strcmp(contenders[i].name, skip))
			continue;
		qsort(ns[i], reps, sizeof(double), cmp_double);
		med = reps % 2 ? ns[i][reps / 2] : (ns[i][reps / 2 - 1] + ns[i][reps / 2]) / 2;
		if (s->approx_pops) {
			err = (double)s->approx_error_sum / (double)s->approx_pops;
			inexact = (double)s->approx_inexact / (double)s->approx_pops;
		}
		printf("%s,%u,%g,%s,%llu,%.3f,%.3f,%.3f,%.3f,%u,%.4f,%.4f\n", experiment,
		       w->nbuckets, param, contenders[i].name, (unsigned long long)w->n, med,
		       1e3 / med, ns[i][0], ns[i][reps - 1], reps, err, inexact);
	}
	fflush(stdout);
	free(mem);
	free(ns);
}

static void fig12(void)
{
	static const u32 buckets[] = { 5000, 10000 }, ppb[] = { 1, 2, 3, 4, 8 };
	unsigned b, p;

	for (b = 0; b < 2; b++)
		for (p = 0; p < 5; p++) {
			struct workload w;

			if (workload_per_bucket(&w, buckets[b], ppb[p], SEED))
				die("out of memory");
			if (!smoke)
				fprintf(stderr, "fig12: %u buckets, %u per bucket\n", buckets[b], ppb[p]);
			measure_point("fig12", &w, ppb[p], smoke ? 1 : repeats, NULL);
			workload_free(&w);
		}
}

static void fig13(void)
{
	static const u32 buckets[] = { 5000, 10000 };
	static const double occ[] = { 0.7, 0.8, 0.9, 0.95, 0.99 };
	unsigned b, k;

	for (b = 0; b < 2; b++)
		for (k = 0; k < 5; k++) {
			struct workload w;

			if (workload_occupancy(&w, buckets[b], occ[k], SEED))
				die("out of memory");
			if (!smoke)
				fprintf(stderr, "fig13: %u buckets, occupancy %g\n", buckets[b], occ[k]);
			measure_point("fig13", &w, occ[k], smoke ? 1 : repeats, NULL);
			workload_free(&w);
		}
}

/* Fig. 14: the approximate queue's error; counted, not timed. */
static void fig14(void)
{
	static const u32 buckets[] = { 5000, 10000 }, alphas[] = { 4, 8, 16, 32 };
	static const double occ[] = { 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0 };
	const struct contender *approx = contender_named("approx");
	u32 saved = bench_alpha;
	unsigned b, a, k;

	printf("buckets,occupancy,alpha,group_size,pops,err_avg,err_max,inexact_frac,"
	       "searched_frac\n");
	for (b = 0; b < 2; b++)
		for (a = 0; a < 4; a++)
			for (k = 0; k < 8; k++) {
				struct workload w;
				struct outcome o;
				const struct eiffel_stats *s = &o.stats;
				void *mem;

				bench_alpha = alphas[a];
				if (workload_occupancy(&w, buckets[b], occ[k], SEED))
					die("out of memory");
				mem = alloc_queue(approx->mem(w.nbuckets, w.n));
				run_once(approx, mem, &w, &o);
				printf("%u,%g,%u,%u,%llu,%.4f,%llu,%.4f,%.4f\n", buckets[b], occ[k],
				       alphas[a],
				       eiffel_approx_group_size((buckets[b] + 1) / 2, alphas[a]),
				       (unsigned long long)s->approx_pops,
				       (double)s->approx_error_sum / (double)s->approx_pops,
				       (unsigned long long)s->approx_error_max,
				       (double)s->approx_inexact / (double)s->approx_pops,
				       (double)s->approx_searches / (double)s->approx_pops);
				free(mem);
				workload_free(&w);
			}
	bench_alpha = saved;
}

/* Cost against size: one packet per bucket, 10^3 .. 10^7 buckets. */
static void scaling(void)
{
	u32 n;

	for (n = 1000; n <= (smoke ? 10000u : 10000000u); n *= 10) {
		struct workload w;
		/*
		 * From 10^6 on one run takes a second or more per contender (a
		 * minute for the red-black tree at 10^7 on a shared machine):
		 * 5 samples at 10^6, one after the warm-up at 10^7, where the
		 * tree, far behind from 10^5 on, sits out.
		 */
		bool huge = n >= 10000000;
		unsigned reps = smoke || huge ? 1 : n >= 1000000 ? 5 : repeats;

		if (workload_per_bucket(&w, n, 1, SEED))
			die("out of memory");
		if (!smoke)
			fprintf(stderr, "scaling: %u buckets\n", n);
		measure_point("scaling", &w, 1, reps, huge ? "rbtree" : NULL);
		workload_free(&w);
	}
}

/* One run of one contender, for callgrind: bench once cffs 10000 1 */
static int once(int argc, char **argv)
{
	const struct contender *c;
	struct workload w;
	struct outcome o;
	void *mem;
	u64 ns;

	if (argc < 3 || !(c = contender_named(argv[0])))
		die("usage: bench once CONTENDER BUCKETS PPB");
	if (workload_per_bucket(&w, (u32)atol(argv[1]), (u32)atol(argv[2]), SEED))
		die("out of memory");
	mem = alloc_queue(c->mem(w.nbuckets, w.n));
	ns = run_once(c, mem, &w, &o);
	/* One cold run: a rough time, for A/B checks; the figures use medians. */
	printf("%s,%u,%llu,%.1f\n", c->name, w.nbuckets, (unsigned long long)w.n,
	       (double)ns / (double)w.n);
	free(mem);
	workload_free(&w);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strcmp(argv[i], "--smoke"))
			smoke = true;
		else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
			repeats = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--min-ms") && i + 1 < argc)
			min_ms = atof(argv[++i]);
		else if (!strcmp(argv[i], "--alpha") && i + 1 < argc)
			bench_alpha = (u32)atoi(argv[++i]);
		else
			die("unknown option (see the comment at the top of bench.c)");
	}
	if (repeats < 1 || repeats > 64)
		die("--repeats must be 1..64");
	if (i >= argc)
		die("usage: bench [--smoke] [--repeats N] [--min-ms MS] fig12|fig13|fig14|scaling");
	if (!strcmp(argv[i], "once"))
		return once(argc - i - 1, argv + i + 1);
	if (strcmp(argv[i], "fig14"))
		print_header();
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "fig12"))
			fig12();
		else if (!strcmp(argv[i], "fig13"))
			fig13();
		else if (!strcmp(argv[i], "fig14"))
			fig14();
		else if (!strcmp(argv[i], "scaling"))
			scaling();
		else
			die("unknown experiment");
	}
	return 0;
}
