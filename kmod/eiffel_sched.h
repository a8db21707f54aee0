/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sch_eiffel private definitions, shared by the data path (eiffel_sched.c)
 * and the netlink side (eiffel_nl.c).
 */
#ifndef EIFFEL_SCHED_H
#define EIFFEL_SCHED_H

#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/pkt_sched.h>

#include "eiffel_hffs.h"
#include "eiffel_queue.h"
#include "uapi/pkt_sched_eiffel.h"

/*
 * Option defaults and limits are in the uapi header (TC_EIFFEL_DEF_* and
 * the like), shared with user space.  What follows is the module's own.
 */

/*
 * The flow table's chains are unsorted lists (sch_fq has an rb-tree per
 * chain): unless the user fixed its size (buckets), past this many flows
 * per chain it grows 4x, up to 1 << TC_EIFFEL_BUCKETS_LOG_MAX chains, so
 * that a lookup stays short.
 */
#define EIFFEL_FLOWS_PER_CHAIN		2
/* cFFS buckets per half: 2^22 buckets cost 128 MB per qdisc, enough. */
#define EIFFEL_CFFS_BUCKETS_MAX		(1u << 22)

/*
 * Root shaper: a dequeue late by timer lateness may catch up at most this
 * much (a bucket of 10 ms at the rate, also the burst after idle), so that
 * the rate is met under coarse timers (QEMU's fire milliseconds late).
 */
#define EIFFEL_ROOT_CATCHUP_NS		(10 * NSEC_PER_MSEC)

/* Every option, in kernel units; built whole and validated before use. */
struct eiffel_config {
	u32 limit;
	u32 flow_limit;
	u32 quantum;
	u32 initial_quantum;
	u64 maxrate;			/* bytes/s, TC_EIFFEL_UNLIMITED = none */
	u64 low_rate_threshold;		/* bytes/s */
	u32 refill_delay_us;		/* as given, for dump */
	unsigned long refill_delay;	/* the same in jiffies */
	u32 orphan_mask;
	u32 ce_threshold_us;		/* TC_EIFFEL_CE_THRESHOLD_OFF = never mark */
	u64 ce_threshold;		/* ns */
	u32 timer_slack;		/* ns */
	u32 horizon_us;
	u64 horizon;			/* ns */
	u32 granularity;		/* ns */
	u8 buckets_log;
	u8 buckets_fixed;		/* buckets was given: the table never grows */
	u8 rate_enable;
	u8 horizon_drop;
	u8 bands;			/* 1..TC_EIFFEL_BANDS_MAX */
	u8 default_band;		/* band of non-IP packets */
	u8 weighted;			/* 1: WRR by weights; 0: strict priority */
	u8 dscp_map[TC_EIFFEL_DSCP_COUNT];
	u32 weights[TC_EIFFEL_BANDS_MAX];	/* bytes per round, if weighted */
	u32 band_limit;			/* packets per band */
	u64 rate;			/* root shaper, bytes/s; unlimited = none */
	u64 rate_ns_per_byte;		/* its reciprocal, fixed point */
};

/* A flow's band: from the DSCP of its first packet (EIFFEL_DSCP_NONE: non-IP). */
#define EIFFEL_DSCP_NONE		0xff
/* Fixed-point shift of the nanoseconds-per-byte reciprocals. */
#define EIFFEL_NPB_SHIFT		24

/*
 * Per flow: a socket, or a hash of socketless/unconnected traffic.
 * Packets queue FIFO; the flow's send time paces the head.  While the flow
 * waits for that time it sits in the cFFS through tnode, ranked by it.
 */
struct eiffel_flow {
	struct sk_buff *head;		/* FIFO of packets */
	union {
		struct sk_buff *tail;
		unsigned long age;	/* (jiffies | 1) once detached */
	};
	struct hlist_node hnode;	/* in the flow hash table */
	struct sock *sk;		/* key: socket, or (hash << 1) | 1 */
	struct eiffel_flow *next;	/* new/old list link, or the throttled marker */
	u32 socket_hash;		/* sk_hash when created: detects reuse */
	u32 qlen;
	int credit;			/* DRR deficit, bytes */
	bool waited;			/* left the cFFS; its next packet is timed */
	u8 dscp;			/* of the packet that chose the band */
	u8 band;
	u64 time_next_packet;		/* ns: earliest send time of the next packet */
	u64 rate;			/* last pacing rate, bytes/s, and ... */
	u64 ns_per_byte;		/* ... its reciprocal, fixed point */
	struct eiffel_node tnode;	/* rank = time_next_packet while throttled */
};

struct eiffel_flow_list {
	struct eiffel_flow *first;
	struct eiffel_flow *last;
};

struct eiffel_sched_data {
	struct eiffel_config cfg;

	/* Per band: DRR lists of eligible flows, and accounting. */
	struct eiffel_band {
		struct eiffel_flow_list new_flows;
		struct eiffel_flow_list old_flows;
		s64 credit;		/* WRR deficit, bytes */
		u32 qlen;
		u64 packets;
		u64 bytes;
		u64 drops;
	} band[TC_EIFFEL_BANDS_MAX];
	/* Bit b set <=> band b has a flow on its lists: next band is one ffs. */
	struct eiffel_hffs active;
	u64 active_words[1];
	u32 band_cur;			/* WRR: band being served */
	/* Root shaper: nothing leaves before this. */
	u64 root_time_next;
	u64 stat_rate_delays;
	/* 1 << table_log chains: cfg.buckets_log at first, grown by grow_work. */
	struct hlist_head *flow_table;
	u8 table_log;
	struct delayed_work grow_work;
	u32 stat_table_grows;
	/* A recent clock reading (enqueue reads the clock only at the horizon). */
	u64 ktime_cache;

	/* Throttled flows, keyed by time_next_packet: the shared cFFS. */
	struct eiffel_cffs *cffs;
	u64 cffs_bytes;
	/* No throttled flow is due before this (lower bound); ~0 if none. */
	u64 time_next_delayed_flow;

	u32 flows;
	u32 inactive_flows;
	u32 throttled_flows;

	struct qdisc_watchdog watchdog;

	/* Counters exported as struct tc_eiffel_xstats. */
	u64 stat_gc_flows;
	u64 stat_allocation_errors;
	u64 stat_enqueued;
	u64 stat_dequeued;
	u64 stat_limit_drops;
	u64 stat_flow_limit_drops;
	u64 stat_horizon_drops;
	u64 stat_horizon_caps;
	u64 stat_pkts_too_long;
	u64 stat_ce_mark;
	u64 stat_early;
	u64 stat_late;
	u64 stat_throttled;
	u64 stat_unthrottled;
	u64 stat_bucket_releases;
	u64 stat_cffs_capped;
	u64 unthrottle_latency_ns;
	u64 unthrottle_latency_max_ns;
};

/* eiffel_sched.c: the data path, for the netlink side. */
u32 eiffel_cffs_buckets(const struct eiffel_config *cfg);
struct eiffel_cffs *eiffel_cffs_alloc(const struct eiffel_config *cfg,
				      u64 *bytes);
void eiffel_cffs_free(struct eiffel_cffs *cffs);
/* Move every throttled flow into new_cffs and free the old one. */
void eiffel_cffs_replace(struct eiffel_sched_data *q,
			 struct eiffel_cffs *new_cffs, u64 new_bytes);
struct hlist_head *eiffel_flow_table_alloc(u8 log);
/*
 * Move every flow into table (of 1 << log chains), which becomes the flow
 * table, and free the old one; idle flows are freed on the way.
 */
void eiffel_flow_table_replace(struct eiffel_sched_data *q,
			       struct hlist_head *table, u8 log);
/* Re-band every flow after a new map or band count (under the lock). */
void eiffel_rebands(struct eiffel_sched_data *q);
u8 eiffel_band_of(const struct eiffel_config *cfg, u8 dscp);
/* Drop packets until qlen <= limit; returns the count, adds the bytes. */
unsigned int eiffel_trim(struct Qdisc *sch, unsigned int *bytes);

/* eiffel_nl.c */
void eiffel_config_default(struct eiffel_config *cfg, struct Qdisc *sch);
int eiffel_change(struct Qdisc *sch, struct nlattr *opt,
		  struct netlink_ext_ack *extack);
int eiffel_dump(struct Qdisc *sch, struct sk_buff *skb);
int eiffel_dump_stats(struct Qdisc *sch, struct gnet_dump *d);

#endif /* EIFFEL_SCHED_H */
