/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * sch_eiffel: netlink attributes and extended statistics.
 *
 * Shared by the kernel module (kmod/), user space tools and the Python
 * package (through cffi, see eiffel/_native/build.py), so every number exists
 * here only.  Both lists are append-only: new attributes and new counters go
 * at the end, never in between, so old binaries keep working.
 *
 * Units follow sch_fq where the option exists there (TCA_FQ_*), so a user
 * switching from fq keeps the values they know:
 *   packets: LIMIT, FLOW_LIMIT
 *   bytes:   QUANTUM, INITIAL_QUANTUM
 *   bytes per second (u64, like sk_pacing_rate): MAXRATE, LOW_RATE_THRESHOLD
 *   microseconds: REFILL_DELAY, CE_THRESHOLD, HORIZON
 *   nanoseconds:  TIMER_SLACK, GRANULARITY
 */
#ifndef _UAPI_PKT_SCHED_EIFFEL_H
#define _UAPI_PKT_SCHED_EIFFEL_H

#include <linux/types.h>

/* TCA_OPTIONS of a qdisc of kind "eiffel" (nested attributes). */
enum {
	TCA_EIFFEL_UNSPEC,
	TCA_EIFFEL_PAD,			/* alignment padding of u64 attributes */
	TCA_EIFFEL_LIMIT,		/* u32: packets queued in the qdisc */
	TCA_EIFFEL_FLOW_LIMIT,		/* u32: packets queued per flow */
	TCA_EIFFEL_QUANTUM,		/* u32: DRR quantum, bytes */
	TCA_EIFFEL_INITIAL_QUANTUM,	/* u32: credit of a new flow, bytes */
	TCA_EIFFEL_RATE_ENABLE,		/* u8: 1 = pace (default), 0 = do not */
	TCA_EIFFEL_MAXRATE,		/* u64: per-flow rate cap, bytes/s; ~0 = none */
	TCA_EIFFEL_BUCKETS_LOG,		/* u32: log2 of the flow hash table size */
	TCA_EIFFEL_REFILL_DELAY,	/* u32: idle time before credit refill, us */
	TCA_EIFFEL_ORPHAN_MASK,		/* u32: mask on skb hash of socketless flows */
	TCA_EIFFEL_LOW_RATE_THRESHOLD,	/* u64: below it pace every packet, bytes/s */
	TCA_EIFFEL_CE_THRESHOLD,	/* u32: mark CE when this late, us; ~0 = off */
	TCA_EIFFEL_TIMER_SLACK,		/* u32: watchdog hrtimer slack, ns */
	TCA_EIFFEL_HORIZON,		/* u32: furthest accepted send time, us */
	TCA_EIFFEL_HORIZON_DROP,	/* u8: beyond horizon 1 = drop, 0 = cap */
	TCA_EIFFEL_GRANULARITY,		/* u32: cFFS bucket width, ns */
	TCA_EIFFEL_BANDS,		/* u32: priority bands, 1..TC_EIFFEL_BANDS_MAX */
	TCA_EIFFEL_DSCP_MAP,		/* binary: TC_EIFFEL_DSCP_COUNT u8, DSCP -> band */
	TCA_EIFFEL_DEFAULT_BAND,	/* u32: band of non-IP packets */
	TCA_EIFFEL_WEIGHTS,		/* binary: one u32 per band, bytes per round; empty = strict */
	TCA_EIFFEL_RATE,		/* u64: root shaper, bytes/s; ~0 = none */
	TCA_EIFFEL_BAND_LIMIT,		/* u32: packets queued per band */
	__TCA_EIFFEL_MAX
};

#define TCA_EIFFEL_MAX	(__TCA_EIFFEL_MAX - 1)

#define TC_EIFFEL_BANDS_MAX	8	/* priority bands; band 0 is served first */
#define TC_EIFFEL_DSCP_COUNT	64	/* entries of TCA_EIFFEL_DSCP_MAP */

/*
 * Limits and defaults of the options above, in their attribute's unit.
 * The kernel checks and applies them, and user space (the Python package
 * through cffi, tc) reads them from here: they exist nowhere else.  Plain
 * decimal literals, so that C can __stringify() them into messages.
 */
#define TC_EIFFEL_UNLIMITED		(~0ULL)	/* MAXRATE, RATE: no limit */
#define TC_EIFFEL_CE_THRESHOLD_OFF	(~0U)	/* CE_THRESHOLD: never mark */

/* The defaults are sch_fq's, so that eiffel is a drop-in for it. */
#define TC_EIFFEL_DEF_LIMIT		10000
#define TC_EIFFEL_DEF_FLOW_LIMIT	100
#define TC_EIFFEL_DEF_QUANTUM_MTUS	2	/* quantum: 2 x (MTU + link header) */
#define TC_EIFFEL_DEF_INITIAL_QUANTUM_MTUS 10	/* initial_quantum: 10 x the same */
#define TC_EIFFEL_DEF_REFILL_DELAY	40000	/* us */
#define TC_EIFFEL_DEF_BUCKETS_LOG	10
#define TC_EIFFEL_DEF_ORPHAN_MASK	1023
#define TC_EIFFEL_DEF_LOW_RATE_THRESHOLD 68750	/* bytes/s: 550 kbit/s */
#define TC_EIFFEL_DEF_TIMER_SLACK	10000	/* ns */
#define TC_EIFFEL_DEF_HORIZON		10000000 /* us: 10 s */
#define TC_EIFFEL_DEF_HORIZON_DROP	1
/*
 * 2^16 ns (65.5 us): a power of two, so a flow's bucket is a shift of its
 * send time, and small enough that a flow late by one granularity stays
 * within sch_fq's observed timer lateness on real hardware (tens of us).
 */
#define TC_EIFFEL_DEF_GRANULARITY	65536	/* ns */
/* Bands: DSCP grouped like cake's diffserv4 (the map below); non-IP: best effort. */
#define TC_EIFFEL_DEF_BANDS		4
#define TC_EIFFEL_DEF_DEFAULT_BAND	2

#define TC_EIFFEL_QUANTUM_MIN		256	/* bytes */
#define TC_EIFFEL_QUANTUM_MAX		1048576	/* bytes, also initial_quantum's */
#define TC_EIFFEL_BUCKETS_LOG_MIN	1
#define TC_EIFFEL_BUCKETS_LOG_MAX	18
#define TC_EIFFEL_TIMER_SLACK_MAX	1000000000 /* ns */
#define TC_EIFFEL_GRANULARITY_MIN	1	/* ns */
#define TC_EIFFEL_GRANULARITY_MAX	1000000000 /* ns */
#define TC_EIFFEL_WEIGHT_MIN		1	/* bytes per round */
#define TC_EIFFEL_WEIGHT_MAX		16777216 /* bytes per round */

/*
 * The default DSCP -> band map, "diffserv4": RFC 4594's service classes in
 * four bands, like cake's diffserv4 tins.
 *   0 voice:       CS4, CS5, CS6, CS7, EF, VA (44)
 *   1 video:       CS2 (OAM), CS3, AF2x, AF3x, AF4x, TOS low delay (4)
 *   2 best effort: CS0 (default), AF1x, and every unlisted codepoint
 *   3 bulk:        CS1 (lower effort), LE (1)
 * One entry per DSCP, 0 to 63, eight to a line.
 */
#define TC_EIFFEL_DSCP_MAP_DIFFSERV4 {					\
	2, 3, 2, 2, 1, 2, 2, 2,  3, 2, 2, 2, 2, 2, 2, 2,		\
	1, 2, 1, 2, 1, 2, 1, 2,  1, 2, 1, 2, 1, 2, 1, 2,		\
	0, 2, 1, 2, 1, 2, 1, 2,  0, 2, 2, 2, 0, 2, 0, 2,		\
	0, 2, 2, 2, 2, 2, 2, 2,  0, 2, 2, 2, 2, 2, 2, 2,		\
}

/*
 * Extended statistics (TCA_STATS_APP, "tc -s" xstats).  Only fixed-width
 * fields, no implicit padding.  Times are nanoseconds.  Packet counts here
 * count skbs (a GSO skb is one), as qlen and drops do; the standard "Sent
 * N pkt" counts segments.  So at any time
 *   dequeued + drops + qlen == enqueued.
 */
struct tc_eiffel_xstats {
	/* flows now */
	__u32	flows;			/* flows in the hash table */
	__u32	inactive_flows;		/* ... with no packet queued */
	__u32	throttled_flows;	/* ... waiting in the cFFS for their send time */
	__u32	cffs_buckets;		/* cFFS buckets per half (horizon / granularity) */
	__u64	gc_flows;		/* idle flows freed */
	__u64	allocation_errors;	/* flows that could not be allocated */
	/* packets */
	__u64	enqueued;		/* packets offered to enqueue, drops included */
	__u64	dequeued;		/* packets handed on (each GSO skb once) */
	__u64	limit_drops;		/* dropped: qdisc limit (incl. limit shrunk by change) */
	__u64	flow_limit_drops;	/* dropped: flow_limit */
	__u64	horizon_drops;		/* dropped: send time beyond horizon */
	__u64	horizon_caps;		/* send time beyond horizon, capped to it */
	__u64	pkts_too_long;		/* pacing delay clamped to one second */
	__u64	ce_mark;		/* packets CE-marked for lateness */
	__u64	early_packets;		/* left before their send time: always 0 */
	__u64	late_packets;		/* waited in the cFFS, left > granularity + timer_slack late */
	/* pacing and the cFFS */
	__u64	throttled;		/* times a flow was put in the cFFS */
	__u64	unthrottled;		/* times a flow left the cFFS */
	__u64	bucket_releases;	/* whole cFFS buckets released at once */
	__u64	unthrottle_latency_ns;	/* EWMA (1/8) of timer lateness */
	__u64	unthrottle_latency_max_ns; /* worst timer lateness seen */
	__s64	time_next_delayed_flow;	/* ns from now to the next send time; 0 if none */
	__u64	cffs_rotations;		/* window halves swapped */
	__u64	cffs_rebases;		/* window moved while empty */
	__u64	cffs_late;		/* flows pushed below the window */
	__u64	cffs_capped;		/* flows beyond the window: parked, re-queued later */
	__u64	memory_bytes;		/* cFFS + flow hash table */
	/* per band (entries past the band count are 0) */
	__u64	band_packets[TC_EIFFEL_BANDS_MAX];	/* packets dequeued */
	__u64	band_bytes[TC_EIFFEL_BANDS_MAX];	/* bytes dequeued */
	__u64	band_drops[TC_EIFFEL_BANDS_MAX];	/* packets dropped, every cause */
	__u32	band_qlen[TC_EIFFEL_BANDS_MAX];		/* packets queued now */
	__u64	rate_delays;		/* dequeues held back by the root rate */
	__u32	flow_buckets;		/* flow hash chains now (buckets, grown) */
	__u32	flow_table_grows;	/* times the flow table grew */
};

#endif /* _UAPI_PKT_SCHED_EIFFEL_H */
