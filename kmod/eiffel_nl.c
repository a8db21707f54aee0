// SPDX-License-Identifier: GPL-2.0-only
/*
 * sch_eiffel netlink: options (init/change/dump) and extended statistics.
 *
 * change() is all or nothing: it copies the running configuration, applies
 * and checks every attribute on the copy, allocates whatever the new one
 * needs (a resized flow table, a cFFS for a new granularity or horizon),
 * and only then, under the qdisc lock, switches over, moving queued flows
 * and packets across.  Any error leaves the qdisc exactly as it was.
 */
#include <linux/jiffies.h>
#include <linux/stringify.h>
#include <linux/netlink.h>
#include <net/netlink.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>

#include "eiffel_compat.h"
#include "eiffel_sched.h"

static const struct nla_policy eiffel_policy[TCA_EIFFEL_MAX + 1] = {
	[TCA_EIFFEL_LIMIT]		= { .type = NLA_U32 },
	[TCA_EIFFEL_FLOW_LIMIT]		= { .type = NLA_U32 },
	[TCA_EIFFEL_QUANTUM]		= { .type = NLA_U32 },
	[TCA_EIFFEL_INITIAL_QUANTUM]	= { .type = NLA_U32 },
	[TCA_EIFFEL_RATE_ENABLE]	= { .type = NLA_U8 },
	[TCA_EIFFEL_MAXRATE]		= { .type = NLA_U64 },
	[TCA_EIFFEL_BUCKETS_LOG]	= { .type = NLA_U32 },
	[TCA_EIFFEL_REFILL_DELAY]	= { .type = NLA_U32 },
	[TCA_EIFFEL_ORPHAN_MASK]	= { .type = NLA_U32 },
	[TCA_EIFFEL_LOW_RATE_THRESHOLD]	= { .type = NLA_U64 },
	[TCA_EIFFEL_CE_THRESHOLD]	= { .type = NLA_U32 },
	[TCA_EIFFEL_TIMER_SLACK]	= { .type = NLA_U32 },
	[TCA_EIFFEL_HORIZON]		= { .type = NLA_U32 },
	[TCA_EIFFEL_HORIZON_DROP]	= { .type = NLA_U8 },
	[TCA_EIFFEL_GRANULARITY]	= { .type = NLA_U32 },
	[TCA_EIFFEL_BANDS]		= { .type = NLA_U32 },
	[TCA_EIFFEL_DSCP_MAP]		= NLA_POLICY_EXACT_LEN(TC_EIFFEL_DSCP_COUNT),
	[TCA_EIFFEL_DEFAULT_BAND]	= { .type = NLA_U32 },
	[TCA_EIFFEL_WEIGHTS]		= { .type = NLA_BINARY,
					    .len = TC_EIFFEL_BANDS_MAX * sizeof(u32) },
	[TCA_EIFFEL_RATE]		= { .type = NLA_U64 },
	[TCA_EIFFEL_BAND_LIMIT]		= { .type = NLA_U32 },
};

static const u8 eiffel_default_dscp_map[TC_EIFFEL_DSCP_COUNT] =
	TC_EIFFEL_DSCP_MAP_DIFFSERV4;

void eiffel_config_default(struct eiffel_config *cfg, struct Qdisc *sch)
{
	u32 mtu = clamp_t(u32, psched_mtu(qdisc_dev(sch)), 1, TC_EIFFEL_QUANTUM_MAX);

	memset(cfg, 0, sizeof(*cfg));
	cfg->limit = TC_EIFFEL_DEF_LIMIT;
	cfg->flow_limit = TC_EIFFEL_DEF_FLOW_LIMIT;
	cfg->quantum = clamp_t(u32, TC_EIFFEL_DEF_QUANTUM_MTUS * mtu,
			       TC_EIFFEL_QUANTUM_MIN, TC_EIFFEL_QUANTUM_MAX);
	cfg->initial_quantum = min_t(u32, TC_EIFFEL_DEF_INITIAL_QUANTUM_MTUS * mtu,
				     TC_EIFFEL_QUANTUM_MAX);
	cfg->rate_enable = 1;
	cfg->maxrate = TC_EIFFEL_UNLIMITED;
	cfg->buckets_log = TC_EIFFEL_DEF_BUCKETS_LOG;
	cfg->refill_delay_us = TC_EIFFEL_DEF_REFILL_DELAY;
	cfg->refill_delay = usecs_to_jiffies(cfg->refill_delay_us);
	cfg->orphan_mask = TC_EIFFEL_DEF_ORPHAN_MASK;
	cfg->low_rate_threshold = TC_EIFFEL_DEF_LOW_RATE_THRESHOLD;
	cfg->ce_threshold_us = TC_EIFFEL_CE_THRESHOLD_OFF;
	cfg->ce_threshold = (u64)NSEC_PER_USEC * cfg->ce_threshold_us;
	cfg->timer_slack = TC_EIFFEL_DEF_TIMER_SLACK;
	cfg->horizon_us = TC_EIFFEL_DEF_HORIZON;
	cfg->horizon = (u64)NSEC_PER_USEC * cfg->horizon_us;
	cfg->horizon_drop = 1;
	cfg->granularity = TC_EIFFEL_DEF_GRANULARITY;
	cfg->bands = TC_EIFFEL_DEF_BANDS;
	cfg->default_band = TC_EIFFEL_DEF_DEFAULT_BAND;
	memcpy(cfg->dscp_map, eiffel_default_dscp_map, sizeof(cfg->dscp_map));
	cfg->band_limit = U32_MAX;
	cfg->rate = TC_EIFFEL_UNLIMITED;
}

#define EIFFEL_INVALID(extack, attr, msg) ({			\
	NL_SET_ERR_MSG_ATTR(extack, attr, msg);			\
	-EINVAL;						\
})

/* Bands, their map and weights, the root rate: checked against each other. */
static int eiffel_bands_parse(struct eiffel_config *cfg, struct nlattr **tb,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	u32 v, i, n;

	a = tb[TCA_EIFFEL_BANDS];
	if (a) {
		v = nla_get_u32(a);
		if (v < 1 || v > TC_EIFFEL_BANDS_MAX)
			return EIFFEL_INVALID(extack, a, "bands must be 1 to " __stringify(TC_EIFFEL_BANDS_MAX));
		cfg->bands = v;
	}
	a = tb[TCA_EIFFEL_DSCP_MAP];
	if (a)
		memcpy(cfg->dscp_map, nla_data(a), TC_EIFFEL_DSCP_COUNT);
	for (i = 0; i < TC_EIFFEL_DSCP_COUNT; i++) {
		if (cfg->dscp_map[i] >= cfg->bands) {
			EIFFEL_ERR_FMT(extack, "dscp_map sends a DSCP to a band not below bands",
				       "dscp_map sends DSCP %u to band %u, but bands is %u",
				       i, cfg->dscp_map[i], cfg->bands);
			return -EINVAL;
		}
	}
	a = tb[TCA_EIFFEL_DEFAULT_BAND];
	if (a) {
		v = nla_get_u32(a);
		if (v >= TC_EIFFEL_BANDS_MAX)
			return EIFFEL_INVALID(extack, a, "default_band must be below " __stringify(TC_EIFFEL_BANDS_MAX));
		cfg->default_band = v;
	}
	if (cfg->default_band >= cfg->bands) {
		EIFFEL_ERR_FMT(extack, "default_band is not below bands",
			       "default_band %u is not below bands %u",
			       cfg->default_band, cfg->bands);
		return -EINVAL;
	}
	a = tb[TCA_EIFFEL_WEIGHTS];
	if (a) {
		n = nla_len(a) / sizeof(u32);
		if (nla_len(a) % sizeof(u32))
			return EIFFEL_INVALID(extack, a, "weights must be an array of u32");
		for (i = 0; i < n; i++) {
			memcpy(&v, (u8 *)nla_data(a) + i * sizeof(u32), sizeof(v));
			if (v < TC_EIFFEL_WEIGHT_MIN || v > TC_EIFFEL_WEIGHT_MAX)
				return EIFFEL_INVALID(extack, a,
						     "each weight must be " __stringify(TC_EIFFEL_WEIGHT_MIN) " to "
							     __stringify(TC_EIFFEL_WEIGHT_MAX) " bytes");
			cfg->weights[i] = v;
		}
		for (; i < TC_EIFFEL_BANDS_MAX; i++)
			cfg->weights[i] = 0;
		cfg->weighted = n;
	}
	if (cfg->weighted && cfg->weighted != cfg->bands) {
		EIFFEL_ERR_FMT(extack,
			       "weights needs one entry per band (empty weights: strict priority)",
			       "weights has %u entries but bands is %u (empty weights: strict priority)",
			       cfg->weighted, cfg->bands);
		return -EINVAL;
	}
	a = tb[TCA_EIFFEL_BAND_LIMIT];
	if (a) {
		cfg->band_limit = nla_get_u32(a);
		if (!cfg->band_limit)
			return EIFFEL_INVALID(extack, a, "band_limit must be at least 1 packet");
	}
	a = tb[TCA_EIFFEL_RATE];
	if (a) {
		cfg->rate = nla_get_u64(a);
		if (!cfg->rate)
			return EIFFEL_INVALID(extack, a, "rate must be at least 1 byte/s (~0: no root shaper)");
	}
	cfg->rate_ns_per_byte = cfg->rate == TC_EIFFEL_UNLIMITED ? 0 :
		div64_u64((u64)NSEC_PER_SEC << EIFFEL_NPB_SHIFT, cfg->rate);
	return 0;
}

/* Apply the attributes in tb to cfg, checking each; cfg is scratch on error. */
static int eiffel_config_parse(struct eiffel_config *cfg, struct nlattr **tb,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int err;
	u32 v;

	a = tb[TCA_EIFFEL_LIMIT];
	if (a) {
		cfg->limit = nla_get_u32(a);
		if (!cfg->limit)
			return EIFFEL_INVALID(extack, a, "limit must be at least 1 packet");
	}
	a = tb[TCA_EIFFEL_FLOW_LIMIT];
	if (a) {
		cfg->flow_limit = nla_get_u32(a);
		if (!cfg->flow_limit)
			return EIFFEL_INVALID(extack, a, "flow_limit must be at least 1 packet");
	}
	a = tb[TCA_EIFFEL_QUANTUM];
	if (a) {
		cfg->quantum = nla_get_u32(a);
		if (cfg->quantum < TC_EIFFEL_QUANTUM_MIN || cfg->quantum > TC_EIFFEL_QUANTUM_MAX)
			return EIFFEL_INVALID(extack, a, "quantum must be " __stringify(TC_EIFFEL_QUANTUM_MIN) " to "
					     __stringify(TC_EIFFEL_QUANTUM_MAX) " bytes");
	}
	a = tb[TCA_EIFFEL_INITIAL_QUANTUM];
	if (a) {
		cfg->initial_quantum = nla_get_u32(a);
		if (cfg->initial_quantum > TC_EIFFEL_QUANTUM_MAX)
			return EIFFEL_INVALID(extack, a, "initial_quantum must be at most "
					     __stringify(TC_EIFFEL_QUANTUM_MAX) " bytes");
	}
	a = tb[TCA_EIFFEL_RATE_ENABLE];
	if (a) {
		cfg->rate_enable = nla_get_u8(a);
		if (cfg->rate_enable > 1)
			return EIFFEL_INVALID(extack, a, "rate_enable must be 0 or 1");
	}
	a = tb[TCA_EIFFEL_MAXRATE];
	if (a)
		cfg->maxrate = nla_get_u64(a);
	a = tb[TCA_EIFFEL_BUCKETS_LOG];
	if (a) {
		v = nla_get_u32(a);
		if (v < TC_EIFFEL_BUCKETS_LOG_MIN || v > TC_EIFFEL_BUCKETS_LOG_MAX)
			return EIFFEL_INVALID(extack, a, "buckets_log must be " __stringify(TC_EIFFEL_BUCKETS_LOG_MIN) " to "
					     __stringify(TC_EIFFEL_BUCKETS_LOG_MAX));
		cfg->buckets_log = v;
		cfg->buckets_fixed = 1;
	}
	a = tb[TCA_EIFFEL_REFILL_DELAY];
	if (a) {
		cfg->refill_delay_us = nla_get_u32(a);
		cfg->refill_delay = usecs_to_jiffies(cfg->refill_delay_us);
	}
	a = tb[TCA_EIFFEL_ORPHAN_MASK];
	if (a)
		cfg->orphan_mask = nla_get_u32(a);
	a = tb[TCA_EIFFEL_LOW_RATE_THRESHOLD];
	if (a)
		cfg->low_rate_threshold = nla_get_u64(a);
	a = tb[TCA_EIFFEL_CE_THRESHOLD];
	if (a) {
		cfg->ce_threshold_us = nla_get_u32(a);
		cfg->ce_threshold = (u64)NSEC_PER_USEC * cfg->ce_threshold_us;
	}
	a = tb[TCA_EIFFEL_TIMER_SLACK];
	if (a) {
		cfg->timer_slack = nla_get_u32(a);
		if (cfg->timer_slack > TC_EIFFEL_TIMER_SLACK_MAX)
			return EIFFEL_INVALID(extack, a, "timer_slack must be at most "
					     __stringify(TC_EIFFEL_TIMER_SLACK_MAX) " ns");
	}
	a = tb[TCA_EIFFEL_HORIZON];
	if (a) {
		cfg->horizon_us = nla_get_u32(a);
		cfg->horizon = (u64)NSEC_PER_USEC * cfg->horizon_us;
	}
	a = tb[TCA_EIFFEL_HORIZON_DROP];
	if (a) {
		cfg->horizon_drop = nla_get_u8(a);
		if (cfg->horizon_drop > 1)
			return EIFFEL_INVALID(extack, a, "horizon_drop must be 0 or 1");
	}
	a = tb[TCA_EIFFEL_GRANULARITY];
	if (a) {
		cfg->granularity = nla_get_u32(a);
		if (cfg->granularity < TC_EIFFEL_GRANULARITY_MIN ||
		    cfg->granularity > TC_EIFFEL_GRANULARITY_MAX)
			return EIFFEL_INVALID(extack, a, "granularity must be " __stringify(TC_EIFFEL_GRANULARITY_MIN) " to "
					     __stringify(TC_EIFFEL_GRANULARITY_MAX) " ns");
	}
	err = eiffel_bands_parse(cfg, tb, extack);
	if (err)
		return err;
	/* Checked last: it depends on both horizon and granularity. */
	if (!eiffel_cffs_buckets(cfg)) {
		a = tb[TCA_EIFFEL_GRANULARITY] ? : tb[TCA_EIFFEL_HORIZON];
		return EIFFEL_INVALID(extack, a,
				     "horizon / granularity needs more than 4194304 cFFS buckets: raise granularity");
	}
	return 0;
}

static bool eiffel_cffs_geometry_changed(const struct eiffel_config *a,
					 const struct eiffel_config *b)
{
	return a->granularity != b->granularity ||
	       eiffel_cffs_buckets(a) != eiffel_cffs_buckets(b);
}

int eiffel_change(struct Qdisc *sch, struct nlattr *opt,
		  struct netlink_ext_ack *extack)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);
	struct hlist_head *table = NULL;
	struct eiffel_cffs *cffs = NULL;
	struct nlattr *tb[TCA_EIFFEL_MAX + 1];
	unsigned int dropped, bytes;
	struct eiffel_config cfg;
	u64 cffs_bytes = 0;
	bool reband;
	int err;

	cfg = q->cfg;
	if (opt) {
		/*
		 * Strict validation (exact lengths, no unknown attributes),
		 * without insisting on NLA_F_NESTED, which tc does not set.
		 */
		err = __nla_parse(tb, TCA_EIFFEL_MAX, nla_data(opt), nla_len(opt),
				  eiffel_policy, NL_VALIDATE_STRICT, extack);
		if (err < 0)
			return err;
		err = eiffel_config_parse(&cfg, tb, extack);
		if (err)
			return err;
	}

	if (!q->flow_table || cfg.buckets_log != q->cfg.buckets_log) {
		table = eiffel_flow_table_alloc(cfg.buckets_log);
		if (!table) {
			NL_SET_ERR_MSG_MOD(extack, "cannot allocate the flow hash table");
			return -ENOMEM;
		}
	}
	if (!q->cffs || eiffel_cffs_geometry_changed(&cfg, &q->cfg)) {
		cffs = eiffel_cffs_alloc(&cfg, &cffs_bytes);
		if (!cffs) {
			kvfree(table);
			NL_SET_ERR_MSG_MOD(extack, "cannot allocate the cFFS");
			return -ENOMEM;
		}
	}

	sch_tree_lock(sch);
	if (table)
		eiffel_flow_table_replace(q, table, cfg.buckets_log);
	if (cffs)
		eiffel_cffs_replace(q, cffs, cffs_bytes);
	reband = cfg.bands != q->cfg.bands ||
		 cfg.default_band != q->cfg.default_band ||
		 memcmp(cfg.dscp_map, q->cfg.dscp_map, sizeof(cfg.dscp_map));
	/* A new rate starts from now, not from the old rate's schedule. */
	if (cfg.rate != q->cfg.rate)
		q->root_time_next = 0;
	q->cfg = cfg;
	if (reband)
		eiffel_rebands(q);
	dropped = eiffel_trim(sch, &bytes);
	qdisc_tree_reduce_backlog(sch, dropped, bytes);
	sch_tree_unlock(sch);
	return 0;
}

int eiffel_dump(struct Qdisc *sch, struct sk_buff *skb)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);
	const struct eiffel_config *cfg = &q->cfg;
	struct nlattr *opts;

	opts = nla_nest_start(skb, TCA_OPTIONS);
	if (!opts)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TCA_EIFFEL_LIMIT, cfg->limit) ||
	    nla_put_u32(skb, TCA_EIFFEL_FLOW_LIMIT, cfg->flow_limit) ||
	    nla_put_u32(skb, TCA_EIFFEL_QUANTUM, cfg->quantum) ||
	    nla_put_u32(skb, TCA_EIFFEL_INITIAL_QUANTUM, cfg->initial_quantum) ||
	    nla_put_u8(skb, TCA_EIFFEL_RATE_ENABLE, cfg->rate_enable) ||
	    nla_put_u64_64bit(skb, TCA_EIFFEL_MAXRATE, cfg->maxrate,
			      TCA_EIFFEL_PAD) ||
	    nla_put_u32(skb, TCA_EIFFEL_BUCKETS_LOG, cfg->buckets_log) ||
	    nla_put_u32(skb, TCA_EIFFEL_REFILL_DELAY, cfg->refill_delay_us) ||
	    nla_put_u32(skb, TCA_EIFFEL_ORPHAN_MASK, cfg->orphan_mask) ||
	    nla_put_u64_64bit(skb, TCA_EIFFEL_LOW_RATE_THRESHOLD,
			      cfg->low_rate_threshold, TCA_EIFFEL_PAD) ||
	    nla_put_u32(skb, TCA_EIFFEL_CE_THRESHOLD, cfg->ce_threshold_us) ||
	    nla_put_u32(skb, TCA_EIFFEL_TIMER_SLACK, cfg->timer_slack) ||
	    nla_put_u32(skb, TCA_EIFFEL_HORIZON, cfg->horizon_us) ||
	    nla_put_u8(skb, TCA_EIFFEL_HORIZON_DROP, cfg->horizon_drop) ||
	    nla_put_u32(skb, TCA_EIFFEL_GRANULARITY, cfg->granularity) ||
	    nla_put_u32(skb, TCA_EIFFEL_BANDS, cfg->bands) ||
	    nla_put(skb, TCA_EIFFEL_DSCP_MAP, TC_EIFFEL_DSCP_COUNT, cfg->dscp_map) ||
	    nla_put_u32(skb, TCA_EIFFEL_DEFAULT_BAND, cfg->default_band) ||
	    nla_put(skb, TCA_EIFFEL_WEIGHTS, cfg->weighted * sizeof(u32), cfg->weights) ||
	    nla_put_u64_64bit(skb, TCA_EIFFEL_RATE, cfg->rate, TCA_EIFFEL_PAD) ||
	    nla_put_u32(skb, TCA_EIFFEL_BAND_LIMIT, cfg->band_limit))
		goto nla_put_failure;
	return nla_nest_end(skb, opts);

nla_put_failure:
	nla_nest_cancel(skb, opts);
	return -EMSGSIZE;
}

int eiffel_dump_stats(struct Qdisc *sch, struct gnet_dump *d)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);
	struct tc_eiffel_xstats st;
	u64 now = ktime_get_ns();
	u32 i;

	/* Zeroed whole, padding included: nothing uninitialised leaves. */
	memset(&st, 0, sizeof(st));

	sch_tree_lock(sch);
	st.flows = q->flows;
	st.inactive_flows = q->inactive_flows;
	st.throttled_flows = q->throttled_flows;
	st.cffs_buckets = q->cffs ? q->cffs->nbuckets : 0;
	st.gc_flows = q->stat_gc_flows;
	st.allocation_errors = q->stat_allocation_errors;
	st.enqueued = q->stat_enqueued;
	st.dequeued = q->stat_dequeued;
	st.limit_drops = q->stat_limit_drops;
	st.flow_limit_drops = q->stat_flow_limit_drops;
	st.horizon_drops = q->stat_horizon_drops;
	st.horizon_caps = q->stat_horizon_caps;
	st.pkts_too_long = q->stat_pkts_too_long;
	st.ce_mark = q->stat_ce_mark;
	st.early_packets = q->stat_early;
	st.late_packets = q->stat_late;
	st.throttled = q->stat_throttled;
	st.unthrottled = q->stat_unthrottled;
	st.bucket_releases = q->stat_bucket_releases;
	st.unthrottle_latency_ns = q->unthrottle_latency_ns;
	st.unthrottle_latency_max_ns = q->unthrottle_latency_max_ns;
	if (q->throttled_flows && q->time_next_delayed_flow > now)
		st.time_next_delayed_flow = q->time_next_delayed_flow - now;
	if (q->cffs) {
		st.cffs_rotations = q->cffs->stats.rotations;
		st.cffs_rebases = q->cffs->stats.rebases;
		st.cffs_late = q->cffs->stats.late;
	}
	st.cffs_capped = q->stat_cffs_capped;
	st.memory_bytes = q->cffs_bytes +
			  (sizeof(struct hlist_head) << q->table_log);
	for (i = 0; i < q->cfg.bands; i++) {
		st.band_packets[i] = q->band[i].packets;
		st.band_bytes[i] = q->band[i].bytes;
		st.band_drops[i] = q->band[i].drops;
		st.band_qlen[i] = q->band[i].qlen;
	}
	st.rate_delays = q->stat_rate_delays;
	st.flow_buckets = 1u << q->table_log;
	st.flow_table_grows = q->stat_table_grows;
	sch_tree_unlock(sch);

	return gnet_stats_copy_app(d, &st, sizeof(st));
}
