/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * sch_eiffel: netlink attributes and extended statistics.
 *
 * Shared by the kernel module (kmod/), user space tools and the Python
 * package (through cffi, see eiffel/cdef/uapi.h), so every number exists
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
