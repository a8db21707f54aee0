// SPDX-License-Identifier: GPL-2.0-only
/*
 * sch_eiffel: fair queueing with pacing, like sch_fq, whose throttled flows
 * wait in Eiffel's circular find-first-set queue (cFFS) instead of an
 * rb-tree.
 *
 * Enqueue finds the packet's flow (its socket, or a hash of socketless and
 * unconnected traffic) in a hash table and appends the packet to the flow's
 * FIFO.  Dequeue serves eligible flows by DRR over a new and an old list,
 * as sch_fq does.  A flow whose head packet may not leave yet (its EDT
 * timestamp, or the pacing rate's next send time) is throttled: it goes
 * into the cFFS ranked by that time, an O(1) push.  Dequeue first releases
 * every throttled flow whose time has come, from the cFFS's front bucket:
 *
 *  - never early: a flow leaves the cFFS only when now >= its own time, or
 *    when the whole front bucket lies in the past; the cFFS window is kept
 *    moving with now;
 *  - late only by the timer: the front bucket is FIFO, not sorted, so when
 *    its first flow is not due yet, the flows behind it are looked at too
 *    and the due ones released; the watchdog is armed for the earliest
 *    time among the rest, never for a time when nothing is due.
 *
 * Per-flow packets are a plain FIFO paced by the head's time: a packet
 * whose EDT timestamp is earlier than its predecessor's leaves after it
 * (late, never early).  sch_fq sorts such packets in a per-flow rb-tree;
 * TCP's timestamps are monotonic per socket, so the FIFO costs nothing there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/dsfield.h>
#include <net/inet_ecn.h>
#include <net/pkt_sched.h>
#include <net/sch_generic.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "eiffel_compat.h"
#include "eiffel_sched.h"
#include "eiffel_selftest.h"

/* Idle flows older than this are freed, at most GC_MAX per lookup. */
#define EIFFEL_GC_AGE		(3 * HZ)
#define EIFFEL_GC_MAX		8
/* A pacing delay is never longer than this (sch_fq's clamp). */
#define EIFFEL_MAX_PACING_DELAY	NSEC_PER_SEC
/* Weight of a new unthrottle latency sample in the average: 1/8. */
#define EIFFEL_EWMA_SHIFT	3
#define EIFFEL_NO_TIME		U64_MAX

struct eiffel_skb_cb {
	u64 time_to_send;
};

static struct eiffel_skb_cb *eiffel_skb_cb(struct sk_buff *skb)
{
	qdisc_cb_private_validate(skb, sizeof(struct eiffel_skb_cb));
	return (struct eiffel_skb_cb *)qdisc_skb_cb(skb)->data;
}

static struct kmem_cache *eiffel_flow_cachep __read_mostly;

/*
 * A flow with no packet and on no list is "detached": its tail pointer is
 * then free, and holds the jiffies of detachment with the low bit set (an
 * skb pointer is even), so that the GC can tell its age.
 */
static void eiffel_flow_set_detached(struct eiffel_flow *f)
{
	f->age = jiffies | 1UL;
}

static bool eiffel_flow_is_detached(const struct eiffel_flow *f)
{
	return f->age & 1UL;
}

/* f->next points here while the flow waits in the cFFS. */
static struct eiffel_flow eiffel_throttled_marker;

static bool eiffel_flow_is_throttled(const struct eiffel_flow *f)
{
	return f->next == &eiffel_throttled_marker;
}

static bool eiffel_gc_candidate(const struct eiffel_flow *f, unsigned long now)
{
	return eiffel_flow_is_detached(f) &&
	       time_after(now, f->age + EIFFEL_GC_AGE);
}

static void eiffel_flow_add_tail(struct eiffel_flow_list *list,
				 struct eiffel_flow *f)
{
	if (list->first)
		list->last->next = f;
	else
		list->first = f;
	list->last = f;
	f->next = NULL;
}

/* Eligible flows: on their band's new or old list; the band is then active. */
static void eiffel_band_add_new(struct eiffel_sched_data *q, struct eiffel_flow *f)
{
	eiffel_flow_add_tail(&q->band[f->band].new_flows, f);
	eiffel_hffs_set(&q->active, f->band);
}

static void eiffel_band_add_old(struct eiffel_sched_data *q, struct eiffel_flow *f)
{
	eiffel_flow_add_tail(&q->band[f->band].old_flows, f);
	eiffel_hffs_set(&q->active, f->band);
}

static struct eiffel_flow *eiffel_flow_of(struct eiffel_node *node)
{
	return container_of(node, struct eiffel_flow, tnode);
}

/* ---- the cFFS of throttled flows ---- */

u32 eiffel_cffs_buckets(const struct eiffel_config *cfg)
{
	/*
	 * A throttled flow's time is at most max(horizon, the 1 s pacing
	 * clamp) ahead of now, and the window start lags now by less than a
	 * half (it rotates once now reaches the second half).  So a half
	 * covering that much, plus one bucket for rounding, keeps every push
	 * inside the window; capping is only a safety net.
	 */
	u64 reach = max_t(u64, cfg->horizon, EIFFEL_MAX_PACING_DELAY);
	u64 n = div_u64(reach + cfg->granularity - 1, cfg->granularity) + 1;

	return n > EIFFEL_CFFS_BUCKETS_MAX ? 0 : (u32)n;
}

struct eiffel_cffs *eiffel_cffs_alloc(const struct eiffel_config *cfg,
				      u64 *bytes)
{
	u32 n = eiffel_cffs_buckets(cfg);
	u64 size = n ? eiffel_cffs_size(n) : 0;
	struct eiffel_cffs *cffs;
	void *mem;

	if (!size)
		return NULL;
	mem = kvzalloc(size, GFP_KERNEL | __GFP_RETRY_MAYFAIL);
	if (!mem)
		return NULL;
	cffs = eiffel_cffs_init(mem, n, cfg->granularity, ktime_get_ns(), 0);
	if (!cffs) {
		kvfree(mem);
		return NULL;
	}
	*bytes = size;
	return cffs;
}

void eiffel_cffs_free(struct eiffel_cffs *cffs)
{
	kvfree(cffs);
}

static void eiffel_push_throttled(struct eiffel_sched_data *q,
				  struct eiffel_flow *f)
{
	u64 wake = f->time_next_packet;

	f->tnode.rank = f->time_next_packet;
	if (eiffel_cffs_push(q->cffs, &f->tnode) == EIFFEL_PUSH_CAPPED) {
		q->stat_cffs_capped++;
		wake = min(wake, eiffel_cffs_front_end(q->cffs));
		wake = min(wake, eiffel_cffs_horizon(q->cffs));
	}
	if (wake < q->time_next_delayed_flow)
		q->time_next_delayed_flow = wake;
}

/* The flow's head may not leave before f->time_next_packet: park it. */
static void eiffel_flow_set_throttled(struct eiffel_sched_data *q,
				      struct eiffel_flow *f)
{
	eiffel_push_throttled(q, f);
	f->next = &eiffel_throttled_marker;
	q->throttled_flows++;
	q->stat_throttled++;
}

static void eiffel_flow_unset_throttled(struct eiffel_sched_data *q,
					struct eiffel_flow *f, u64 now)
{
	u64 lateness = now - f->time_next_packet;

	if (lateness > q->unthrottle_latency_max_ns)
		q->unthrottle_latency_max_ns = lateness;
	q->throttled_flows--;
	q->stat_unthrottled++;
	f->waited = true;
	eiffel_band_add_old(q, f);
}

/*
 * End of the bucket a queued rank sits in (the front bucket's for a rank
 * below the window).  For a capped rank this is later than the end of the
 * bucket it really sits in; callers only use it to prove a bucket past.
 */
static u64 eiffel_bucket_end(const struct eiffel_cffs *cffs, u64 rank)
{
	u64 idx = 0;

	if (rank >= cffs->base)
		idx = cffs->gran_shift < 64 ? (rank - cffs->base) >> cffs->gran_shift :
					      div64_u64(rank - cffs->base, cffs->granularity);
	return cffs->base + (idx + 1) * cffs->granularity;
}

/* Release the whole front bucket; its flows not yet due go to parked. */
static void eiffel_release_bucket(struct eiffel_sched_data *q, u64 now,
				  struct eiffel_link *parked)
{
	struct eiffel_link due, *link, *next;
	struct eiffel_node *node;

	eiffel_list_init(&due);
	eiffel_cffs_pop_bucket(q->cffs, &due);
	q->stat_bucket_releases++;
	for (link = due.next; link != &due; link = next) {
		next = link->next;
		node = eiffel_node_of(link);
		if (node->rank <= now)
			eiffel_flow_unset_throttled(q, eiffel_flow_of(node), now);
		else
			eiffel_list_append(parked, link);
	}
}

/*
 * The front bucket is FIFO, not sorted by time: behind its first flow, not
 * due yet, others may be.  Release those, and return the earliest time of
 * the ones left (or wake, if earlier).  The first flow stays, so the bucket
 * stays the front one and the walk its own list.
 */
static u64 eiffel_release_due_behind_front(struct eiffel_sched_data *q,
					   u64 now, u64 wake)
{
	struct eiffel_link *head = eiffel_cffs_front_bucket(q->cffs);
	struct eiffel_link *link, *next;
	struct eiffel_node *node;

	for (link = head->next->next; link != head; link = next) {
		next = link->next;
		node = eiffel_node_of(link);
		if (node->rank <= now) {
			eiffel_cffs_remove(q->cffs, node);
			eiffel_flow_unset_throttled(q, eiffel_flow_of(node), now);
		} else if (node->rank < wake) {
			wake = node->rank;
		}
	}
	return wake;
}

/*
 * Release every throttled flow whose time has come (see the top of the
 * file for the guarantees).  A front bucket wholly in the past leaves at
 * once (one bitmap update for all its flows); otherwise a due front flow
 * leaves by itself (peek, then an O(1) remove), and once the front flow is
 * not due, the due ones behind it in its bucket leave the same way.  The
 * watchdog is then armed for the earliest flow left.  A bucket can be past
 * while its first flow is not due only if that flow was capped into it:
 * such flows are queued again afterwards.
 */
static void eiffel_check_throttled(struct eiffel_sched_data *q, u64 now)
{
	struct eiffel_cffs *cffs = q->cffs;
	struct eiffel_link parked, *link, *next;
	struct eiffel_node *node;
	u64 sample, end = EIFFEL_NO_TIME;

	eiffel_cffs_advance(cffs, now);
	if (q->time_next_delayed_flow > now)
		return;

	sample = now - q->time_next_delayed_flow;
	q->unthrottle_latency_ns -= q->unthrottle_latency_ns >> EIFFEL_EWMA_SHIFT;
	q->unthrottle_latency_ns += sample >> EIFFEL_EWMA_SHIFT;

	eiffel_list_init(&parked);
	while ((node = eiffel_cffs_peek(cffs)) != NULL) {
		if (node->rank <= now) {
			if (eiffel_bucket_end(cffs, node->rank) <= now) {
				eiffel_release_bucket(q, now, &parked);
			} else {
				eiffel_cffs_remove(cffs, node);
				eiffel_flow_unset_throttled(q, eiffel_flow_of(node), now);
			}
			continue;
		}
		end = eiffel_cffs_front_end(cffs);
		if (end > now)
			break;
		eiffel_release_bucket(q, now, &parked);
	}

	/* A capped front flow's rank lies past its bucket: wake at its end. */
	q->time_next_delayed_flow = node ?
		eiffel_release_due_behind_front(q, now, min(node->rank, end)) :
		EIFFEL_NO_TIME;
	/* Releases may have emptied the first half: keep the window on now. */
	eiffel_cffs_advance(cffs, now);
	for (link = parked.next; link != &parked; link = next) {
		next = link->next;
		eiffel_push_throttled(q, eiffel_flow_of(eiffel_node_of(link)));
	}
}

void eiffel_cffs_replace(struct eiffel_sched_data *q,
			 struct eiffel_cffs *new_cffs, u64 new_bytes)
{
	struct eiffel_cffs *old = q->cffs;
	struct eiffel_link all, *link, *next;

	q->cffs = new_cffs;
	q->cffs_bytes = new_bytes;
	eiffel_cffs_advance(new_cffs, ktime_get_ns());
	q->time_next_delayed_flow = EIFFEL_NO_TIME;
	if (!old)
		return;
	eiffel_list_init(&all);
	while (old->count)
		eiffel_cffs_pop_bucket(old, &all);
	for (link = all.next; link != &all; link = next) {
		next = link->next;
		eiffel_push_throttled(q, eiffel_flow_of(eiffel_node_of(link)));
	}
	eiffel_cffs_free(old);
}

/* ---- bands ---- */

u8 eiffel_band_of(const struct eiffel_config *cfg, u8 dscp)
{
	return dscp == EIFFEL_DSCP_NONE ? cfg->default_band : cfg->dscp_map[dscp];
}

/*
 * DSCP of an IPv4 or IPv6 packet (VLAN tags skipped, as cake does), or
 * EIFFEL_DSCP_NONE.  Read through skb_header_pointer: nothing is pulled.
 */
static u8 eiffel_skb_dscp(struct sk_buff *skb)
{
	int offset = skb_network_offset(skb);
	u8 buf[2], *p;

	switch (skb_protocol(skb, true)) {
	case htons(ETH_P_IP):
		/* The DS field is the second byte of the IPv4 header. */
		p = skb_header_pointer(skb, offset, sizeof(buf), buf);
		return p ? p[1] >> 2 : EIFFEL_DSCP_NONE;
	case htons(ETH_P_IPV6):
		/* Traffic class: the low nibble of byte 0, high nibble of byte 1. */
		p = skb_header_pointer(skb, offset, sizeof(buf), buf);
		return p ? (((p[0] & 0x0f) << 4) | (p[1] >> 4)) >> 2 : EIFFEL_DSCP_NONE;
	default:
		return EIFFEL_DSCP_NONE;
	}
}

/* Move the band's flows lists out to the given lists, emptying them. */
static void eiffel_band_relink(struct eiffel_sched_data *q,
			       struct eiffel_flow_list *list, bool new)
{
	struct eiffel_flow *f, *next;

	for (f = list->first; f; f = next) {
		next = f->next;
		if (new)
			eiffel_band_add_new(q, f);
		else
			eiffel_band_add_old(q, f);
	}
}

/* Every band idle with empty lists; the flows themselves are untouched. */
static void eiffel_bands_clear(struct eiffel_sched_data *q)
{
	u32 b;

	for (b = 0; b < TC_EIFFEL_BANDS_MAX; b++) {
		q->band[b].new_flows.first = NULL;
		q->band[b].old_flows.first = NULL;
		q->band[b].qlen = 0;
		q->band[b].credit = 0;
	}
	eiffel_hffs_reset(&q->active);
	q->band_cur = 0;
}

void eiffel_rebands(struct eiffel_sched_data *q)
{
	struct eiffel_flow_list lists[TC_EIFFEL_BANDS_MAX][2];
	struct eiffel_flow *f;
	u32 i, b;

	for (b = 0; b < TC_EIFFEL_BANDS_MAX; b++) {
		lists[b][0] = q->band[b].new_flows;
		lists[b][1] = q->band[b].old_flows;
	}
	eiffel_bands_clear(q);
	for (i = 0; i < (1u << q->table_log); i++) {
		hlist_for_each_entry(f, &q->flow_table[i], hnode) {
			f->band = eiffel_band_of(&q->cfg, f->dscp);
			q->band[f->band].qlen += f->qlen;
		}
	}
	/* Lists keep their order; a band's flows come from every old band. */
	for (b = 0; b < TC_EIFFEL_BANDS_MAX; b++) {
		eiffel_band_relink(q, &lists[b][0], true);
		eiffel_band_relink(q, &lists[b][1], false);
	}
}

/*
 * The band to serve next: the first active one under strict priority; by
 * deficit round robin over the active bands when weighted (a band is served
 * while its credit is positive, then the next active one, refilled by its
 * weight as it is left), so that no band starves.  -1 when none is active.
 */
static int eiffel_band_pick(struct eiffel_sched_data *q)
{
	u32 b;

	if (eiffel_hffs_empty(&q->active))
		return -1;
	if (!q->cfg.weighted)
		return eiffel_hffs_first(&q->active);
	/* Terminates: every pass over the active bands adds to their credit. */
	for (b = q->band_cur;;) {
		if (eiffel_hffs_test(&q->active, b)) {
			if (q->band[b].credit > 0)
				return b;
			q->band[b].credit += q->cfg.weights[b];
		}
		b = eiffel_hffs_next(&q->active, b + 1);
		if (b == EIFFEL_NONE)
			b = eiffel_hffs_first(&q->active);
		q->band_cur = b;
	}
}

/* ---- flows ---- */

static bool eiffel_sk_listener_or_tw(const struct sock *sk)
{
	/* Request, listening and TIME_WAIT sockets are not full sockets. */
	return (1 << READ_ONCE(sk->sk_state)) &
	       (TCPF_LISTEN | TCPF_NEW_SYN_RECV | TCPF_TIME_WAIT);
}

static void eiffel_set_pacing_status(struct sock *sk)
{
	/* Tells TCP to stamp departure times and leave pacing to us. */
	if (READ_ONCE(sk->sk_pacing_status) != SK_PACING_FQ)
		smp_store_release(&sk->sk_pacing_status, SK_PACING_FQ);
}

struct hlist_head *eiffel_flow_table_alloc(u8 log)
{
	struct hlist_head *table;
	u32 i;

	table = kvmalloc_array(1u << log, sizeof(*table),
			       GFP_KERNEL | __GFP_RETRY_MAYFAIL);
	if (!table)
		return NULL;
	for (i = 0; i < (1u << log); i++)
		INIT_HLIST_HEAD(&table[i]);
	return table;
}

static void eiffel_gc_free(struct eiffel_sched_data *q, void **tofree,
			   unsigned int n)
{
	if (!n)
		return;
	kmem_cache_free_bulk(eiffel_flow_cachep, n, tofree);
	q->flows -= n;
	q->inactive_flows -= n;
	q->stat_gc_flows += n;
}

void eiffel_flow_table_replace(struct eiffel_sched_data *q,
			       struct hlist_head *table, u8 log)
{
	struct hlist_head *old = q->flow_table;
	u32 i, old_chains = 1u << q->table_log;
	unsigned long now = jiffies;
	void *tofree[EIFFEL_GC_MAX];
	struct eiffel_flow *f;
	struct hlist_node *tmp;
	unsigned int n = 0;

	q->flow_table = table;
	q->table_log = log;
	if (!old)
		return;
	for (i = 0; i < old_chains; i++) {
		hlist_for_each_entry_safe(f, tmp, &old[i], hnode) {
			hlist_del(&f->hnode);
			if (eiffel_gc_candidate(f, now)) {
				tofree[n++] = f;
				if (n == EIFFEL_GC_MAX) {
					eiffel_gc_free(q, tofree, n);
					n = 0;
				}
				continue;
			}
			hlist_add_head(&f->hnode, &table[hash_ptr(f->sk, log)]);
		}
	}
	eiffel_gc_free(q, tofree, n);
	kvfree(old);
}

/*
 * Grow the flow table 4x (see EIFFEL_FLOWS_PER_CHAIN): allocated here, in
 * process context, and swapped in under the tree lock as change() does.
 * Finding that lock takes RTNL; while someone else holds it (destroy()
 * may, waiting for this work), try again a jiffy later.
 */
static void eiffel_grow_work(struct work_struct *work)
{
	struct eiffel_sched_data *q = container_of(to_delayed_work(work),
						   struct eiffel_sched_data,
						   grow_work);
	struct Qdisc *sch = qdisc_from_priv(q);
	struct hlist_head *table;
	u8 log;

	if (!rtnl_trylock()) {
		schedule_delayed_work(&q->grow_work, 1);
		return;
	}
	/* Only this work and change() (under RTNL too) replace the table. */
	log = min_t(u8, q->table_log + 2, TC_EIFFEL_BUCKETS_LOG_MAX);
	table = eiffel_flow_table_alloc(log);
	sch_tree_lock(sch);
	if (!table) {
		q->stat_allocation_errors++;
	} else if (q->flow_table && log > q->table_log) {
		eiffel_flow_table_replace(q, table, log);
		q->stat_table_grows++;
		table = NULL;
	}
	sch_tree_unlock(sch);
	rtnl_unlock();
	kvfree(table);
}

/*
 * The flow of skb: its socket, or for socketless, listener, TIME_WAIT and
 * unconnected (TCP_CLOSE, e.g. UDP sendto) traffic a pseudo-socket made of
 * the skb hash under orphan_mask, with the low bit set so that it never
 * equals a real (aligned) socket pointer.  Idle flows met on the way are
 * freed.  NULL if a new flow cannot be allocated.
 */
static struct eiffel_flow *eiffel_classify(struct eiffel_sched_data *q,
					   struct sk_buff *skb)
{
	struct eiffel_flow *f, *found = NULL;
	unsigned long now = jiffies;
	struct sock *sk = skb->sk;
	void *tofree[EIFFEL_GC_MAX];
	struct hlist_head *chain;
	struct hlist_node *tmp;
	unsigned int n = 0;

	if (!sk || eiffel_sk_listener_or_tw(sk)) {
		unsigned long hash = skb_get_hash(skb) & q->cfg.orphan_mask;

		sk = (struct sock *)((hash << 1) | 1UL);
		/* Such sockets have no pacing rate for dequeue to read. */
		skb_orphan(skb);
	} else if (sk->sk_state == TCP_CLOSE) {
		unsigned long hash = skb_get_hash(skb) & q->cfg.orphan_mask;

		sk = (struct sock *)((hash << 1) | 1UL);
	}

	chain = &q->flow_table[hash_ptr(sk, q->table_log)];
	hlist_for_each_entry_safe(f, tmp, chain, hnode) {
		if (f->sk == sk) {
			found = f;
			break;
		}
		if (n < EIFFEL_GC_MAX && eiffel_gc_candidate(f, now)) {
			hlist_del(&f->hnode);
			tofree[n++] = f;
		}
	}
	eiffel_gc_free(q, tofree, n);

	if (found) {
		/* A socket freed and reallocated at the same address. */
		if (unlikely(skb->sk == sk && found->socket_hash != sk->sk_hash)) {
			found->credit = q->cfg.initial_quantum;
			found->socket_hash = sk->sk_hash;
			if (q->cfg.rate_enable)
				eiffel_set_pacing_status(sk);
			if (eiffel_flow_is_throttled(found)) {
				eiffel_cffs_remove(q->cffs, &found->tnode);
				eiffel_flow_unset_throttled(q, found,
							    found->time_next_packet);
			}
			found->time_next_packet = 0;
		}
		return found;
	}

	f = kmem_cache_zalloc(eiffel_flow_cachep, GFP_ATOMIC | __GFP_NOWARN);
	if (unlikely(!f)) {
		q->stat_allocation_errors++;
		return NULL;
	}
	eiffel_flow_set_detached(f);
	f->sk = sk;
	f->dscp = EIFFEL_DSCP_NONE;
	if (skb->sk == sk) {
		f->socket_hash = sk->sk_hash;
		if (q->cfg.rate_enable)
			eiffel_set_pacing_status(sk);
	}
	f->credit = q->cfg.initial_quantum;
	hlist_add_head(&f->hnode, chain);
	q->flows++;
	q->inactive_flows++;
	if (unlikely(q->flows > (EIFFEL_FLOWS_PER_CHAIN << q->table_log)) &&
	    q->table_log < TC_EIFFEL_BUCKETS_LOG_MAX && !q->cfg.buckets_fixed)
		schedule_delayed_work(&q->grow_work, 0);
	return f;
}

static void eiffel_flow_queue_add(struct eiffel_flow *f, struct sk_buff *skb)
{
	if (f->head)
		f->tail->next = skb;
	else
		f->head = skb;
	f->tail = skb;
	skb->next = NULL;
}

/* ---- enqueue ---- */

static bool eiffel_beyond_horizon(const struct sk_buff *skb,
				  const struct eiffel_sched_data *q, u64 now)
{
	return unlikely((s64)skb->tstamp > (s64)(now + q->cfg.horizon));
}

static int eiffel_enqueue(struct sk_buff *skb, struct Qdisc *sch,
			  struct sk_buff **to_free)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);
	struct eiffel_flow *f;
	u8 band;

	q->stat_enqueued++;
	if (unlikely(sch->q.qlen >= q->cfg.limit)) {
		q->stat_limit_drops++;
		goto drop;
	}

	/*
	 * A packet without a send time may leave now.  One with a send time
	 * (TCP's are all EDT) is checked against the horizon with a recent
	 * clock reading, from the last dequeue; a fresh one confirms a packet
	 * that looks beyond it.  (sch_fq in 6.1 does the same.)
	 */
	if (!skb->tstamp) {
		eiffel_skb_cb(skb)->time_to_send = q->ktime_cache = ktime_get_ns();
	} else {
		if (eiffel_beyond_horizon(skb, q, q->ktime_cache)) {
			q->ktime_cache = ktime_get_ns();
			if (eiffel_beyond_horizon(skb, q, q->ktime_cache)) {
				if (q->cfg.horizon_drop) {
					q->stat_horizon_drops++;
					goto drop;
				}
				q->stat_horizon_caps++;
				skb->tstamp = q->ktime_cache + q->cfg.horizon;
			}
		}
		eiffel_skb_cb(skb)->time_to_send = skb->tstamp;
	}

	f = eiffel_classify(q, skb);
	if (unlikely(!f))
		goto drop;
	/*
	 * An idle flow takes the band of its new first packet; the DSCP is
	 * read only then, as the flow's other packets follow it.
	 */
	if (eiffel_flow_is_detached(f)) {
		f->dscp = eiffel_skb_dscp(skb);
		f->band = eiffel_band_of(&q->cfg, f->dscp);
	}
	band = f->band;
	if (unlikely(f->qlen >= q->cfg.flow_limit)) {
		q->stat_flow_limit_drops++;
		goto drop_banded;
	}
	if (unlikely(q->band[band].qlen >= q->cfg.band_limit)) {
		q->stat_limit_drops++;
		goto drop_banded;
	}
	if (eiffel_flow_is_detached(f)) {
		eiffel_band_add_new(q, f);
		if (time_after(jiffies, f->age + q->cfg.refill_delay))
			f->credit = max_t(int, f->credit, q->cfg.quantum);
	}
	if (f->qlen == 0)
		q->inactive_flows--;
	f->qlen++;
	q->band[band].qlen++;
	/* Overwrites f->age: the flow is attached from here on. */
	eiffel_flow_queue_add(f, skb);

	qdisc_qstats_backlog_inc(sch, skb);
	sch->q.qlen++;
	return NET_XMIT_SUCCESS;

drop:
	/* Not classified: the band its DSCP maps to takes the drop. */
	band = eiffel_band_of(&q->cfg, eiffel_skb_dscp(skb));
drop_banded:
	q->band[band].drops++;
	return qdisc_drop(skb, sch, to_free);
}

/* ---- dequeue ---- */

/* Nanoseconds to send plen bytes at rate, clamped to one second. */
static u64 eiffel_pacing_delay(struct eiffel_sched_data *q,
			       struct eiffel_flow *f, u32 plen, u64 rate)
{
	u64 len;

	if (unlikely(!rate)) {
		len = EIFFEL_MAX_PACING_DELAY + 1;
	} else {
		/* One division per rate change, not per packet. */
		if (unlikely(f->rate != rate)) {
			f->rate = rate;
			f->ns_per_byte = div64_u64((u64)NSEC_PER_SEC << EIFFEL_NPB_SHIFT,
						   rate);
		}
		len = mul_u64_u32_shr(f->ns_per_byte, plen, EIFFEL_NPB_SHIFT);
	}
	/* The socket's rate may change later: do not wait on it forever. */
	if (unlikely(len > EIFFEL_MAX_PACING_DELAY)) {
		len = EIFFEL_MAX_PACING_DELAY;
		q->stat_pkts_too_long++;
	}
	return len;
}

/* sch_fq's pacing: when may f send its next packet after skb? */
static void eiffel_pace(struct eiffel_sched_data *q, struct eiffel_flow *f,
			struct sk_buff *skb, u32 plen, u64 now)
{
	u64 rate = q->cfg.maxrate;
	u64 len;

	/* An EDT packet is paced by its timestamp; only maxrate adds to it. */
	if (!skb->tstamp) {
		if (skb->sk) {
			unsigned long sk_rate = READ_ONCE(skb->sk->sk_pacing_rate);

			if (sk_rate != ~0UL)
				rate = min_t(u64, rate, sk_rate);
		}
		if (rate <= q->cfg.low_rate_threshold) {
			/* Slow flows are paced packet by packet. */
			f->credit = 0;
		} else {
			/* Fast ones send a quantum's worth in a burst. */
			plen = max(plen, q->cfg.quantum);
			if (f->credit > 0)
				return;
		}
	}
	if (rate == TC_EIFFEL_UNLIMITED)
		return;

	len = eiffel_pacing_delay(q, f, plen, rate);
	/* Timers fire late: take the lateness of this packet off the next gap. */
	if (f->time_next_packet) {
		s64 drift = now - f->time_next_packet;

		if (drift > 0)
			len -= min_t(u64, len >> 1, drift);
	}
	f->time_next_packet = now + len;
}

/*
 * Early is a bug (never happens by construction; counted to prove it).
 * Late counts packets that waited in the cFFS and left more than one
 * granularity plus the timer slack after their send time: the lateness the
 * scheduler adds, not queueing behind other flows' packets.
 */
static void eiffel_account_timing(struct eiffel_sched_data *q,
				  struct eiffel_flow *f, struct sk_buff *skb,
				  u64 send_time, u64 now)
{
	u64 tolerance = (u64)q->cfg.granularity + q->cfg.timer_slack;

	if (unlikely(now < send_time))
		q->stat_early++;
	if (f->waited) {
		f->waited = false;
		if (now - send_time > tolerance)
			q->stat_late++;
	}
	if (unlikely((s64)(now - send_time - q->cfg.ce_threshold) > 0)) {
		INET_ECN_set_ce(skb);
		q->stat_ce_mark++;
	}
}

/*
 * The root shaper: after a packet of plen bytes nothing leaves for
 * plen / rate.  A dequeue late by the timer's lateness keeps the schedule
 * (up to EIFFEL_ROOT_CATCHUP_NS), so that the rate is met, not undercut.
 */
static void eiffel_root_charge(struct eiffel_sched_data *q, u32 plen, u64 now)
{
	u64 start = q->root_time_next;

	if (start + EIFFEL_ROOT_CATCHUP_NS < now)
		start = now - EIFFEL_ROOT_CATCHUP_NS;
	q->root_time_next = start +
		mul_u64_u32_shr(q->cfg.rate_ns_per_byte, plen, EIFFEL_NPB_SHIFT);
}

static struct sk_buff *eiffel_dequeue(struct Qdisc *sch)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);
	struct eiffel_flow_list *list;
	struct eiffel_band *bd;
	struct eiffel_flow *f;
	struct sk_buff *skb;
	u64 now, send_time;
	int band;
	u32 plen;

	if (!sch->q.qlen)
		return NULL;

	now = ktime_get_ns();
	q->ktime_cache = now;
	if (q->cfg.rate != TC_EIFFEL_UNLIMITED && now < q->root_time_next) {
		/* Nothing may leave before then, whichever flow is due. */
		q->stat_rate_delays++;
		qdisc_watchdog_schedule_range_ns(&q->watchdog, q->root_time_next,
						 q->cfg.timer_slack);
		return NULL;
	}
	eiffel_check_throttled(q, now);
begin:
	band = eiffel_band_pick(q);
	if (band < 0) {
		if (q->time_next_delayed_flow != EIFFEL_NO_TIME)
			qdisc_watchdog_schedule_range_ns(&q->watchdog,
							 q->time_next_delayed_flow,
							 q->cfg.timer_slack);
		return NULL;
	}
	bd = &q->band[band];
	list = bd->new_flows.first ? &bd->new_flows :
	       bd->old_flows.first ? &bd->old_flows : NULL;
	if (!list) {
		/* Its flows were throttled or emptied: the band is idle. */
		eiffel_hffs_clear(&q->active, band);
		goto begin;
	}
	f = list->first;
	if (f->credit <= 0) {
		f->credit += q->cfg.quantum;
		list->first = f->next;
		eiffel_flow_add_tail(&bd->old_flows, f);
		goto begin;
	}

	skb = f->head;
	if (unlikely(!skb)) {
		list->first = f->next;
		/* A new flow passes through the old list: no starving old flows. */
		if (list == &bd->new_flows)
			eiffel_flow_add_tail(&bd->old_flows, f);
		else
			eiffel_flow_set_detached(f);
		goto begin;
	}

	send_time = max(eiffel_skb_cb(skb)->time_to_send, f->time_next_packet);
	if (now < send_time) {
		list->first = f->next;
		f->time_next_packet = send_time;
		eiffel_flow_set_throttled(q, f);
		goto begin;
	}

	f->head = skb->next;
	skb_mark_not_on_list(skb);
	if (--f->qlen == 0)
		q->inactive_flows++;
	qdisc_qstats_backlog_dec(sch, skb);
	sch->q.qlen--;
	qdisc_bstats_update(sch, skb);
	q->stat_dequeued++;
	eiffel_account_timing(q, f, skb, send_time, now);

	plen = qdisc_pkt_len(skb);
	f->credit -= plen;
	bd->qlen--;
	bd->packets++;
	bd->bytes += plen;
	bd->credit -= plen;
	if (q->cfg.rate != TC_EIFFEL_UNLIMITED)
		eiffel_root_charge(q, plen, now);
	if (q->cfg.rate_enable)
		eiffel_pace(q, f, skb, plen, now);
	return skb;
}

/* ---- reset, limits, init, destroy ---- */

static void eiffel_flow_purge(struct eiffel_flow *f)
{
	rtnl_kfree_skbs(f->head, f->tail);
	f->head = NULL;
	f->qlen = 0;
}

static void eiffel_reset(struct Qdisc *sch)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);
	struct eiffel_flow *f;
	struct hlist_node *tmp;
	u32 i;

	sch->q.qlen = 0;
	sch->qstats.backlog = 0;
	if (q->flow_table) {
		for (i = 0; i < (1u << q->table_log); i++) {
			hlist_for_each_entry_safe(f, tmp, &q->flow_table[i], hnode) {
				hlist_del(&f->hnode);
				eiffel_flow_purge(f);
				kmem_cache_free(eiffel_flow_cachep, f);
			}
		}
	}
	if (q->cffs)
		eiffel_cffs_reset(q->cffs);
	eiffel_bands_clear(q);
	q->flows = 0;
	q->inactive_flows = 0;
	q->throttled_flows = 0;
	q->time_next_delayed_flow = EIFFEL_NO_TIME;
}

/*
 * Drop from the heads of flows until the qdisc is within its limit again
 * (after change() lowered it), through the normal drop accounting.
 */
unsigned int eiffel_trim(struct Qdisc *sch, unsigned int *bytes)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);
	unsigned int dropped = 0;
	struct eiffel_flow *f;
	struct sk_buff *skb;
	u32 i;

	*bytes = 0;
	for (i = 0; i < (1u << q->table_log); i++) {
		hlist_for_each_entry(f, &q->flow_table[i], hnode) {
			while (sch->q.qlen > q->cfg.limit && f->head) {
				skb = f->head;
				f->head = skb->next;
				skb_mark_not_on_list(skb);
				/* An empty flow leaves its list or the cFFS lazily. */
				if (--f->qlen == 0)
					q->inactive_flows++;
				*bytes += qdisc_pkt_len(skb);
				dropped++;
				q->stat_limit_drops++;
				q->band[f->band].qlen--;
				q->band[f->band].drops++;
				qdisc_qstats_backlog_dec(sch, skb);
				qdisc_qstats_drop(sch);
				sch->q.qlen--;
				rtnl_kfree_skbs(skb, skb);
			}
			if (sch->q.qlen <= q->cfg.limit)
				return dropped;
		}
	}
	return dropped;
}

static void eiffel_destroy(struct Qdisc *sch)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);

	cancel_delayed_work_sync(&q->grow_work);
	qdisc_watchdog_cancel(&q->watchdog);
	eiffel_reset(sch);
	kvfree(q->flow_table);
	q->flow_table = NULL;
	eiffel_cffs_free(q->cffs);
	q->cffs = NULL;
}

static int eiffel_init(struct Qdisc *sch, struct nlattr *opt,
		       struct netlink_ext_ack *extack)
{
	struct eiffel_sched_data *q = qdisc_priv(sch);

	/* First: destroy() runs, and cancels them, if init fails. */
	qdisc_watchdog_init_clockid(&q->watchdog, sch, CLOCK_MONOTONIC);
	INIT_DELAYED_WORK(&q->grow_work, eiffel_grow_work);
	/* TC_EIFFEL_BANDS_MAX (8) bits fit the one root word. */
	eiffel_hffs_init(&q->active, q->active_words, TC_EIFFEL_BANDS_MAX);
	eiffel_config_default(&q->cfg, sch);
	q->time_next_delayed_flow = EIFFEL_NO_TIME;
	return eiffel_change(sch, opt, extack);
}

static struct Qdisc_ops eiffel_qdisc_ops __read_mostly = {
	.id		= "eiffel",
	.priv_size	= sizeof(struct eiffel_sched_data),
	.enqueue	= eiffel_enqueue,
	.dequeue	= eiffel_dequeue,
	.peek		= qdisc_peek_dequeued,
	.init		= eiffel_init,
	.reset		= eiffel_reset,
	.destroy	= eiffel_destroy,
	.change		= eiffel_change,
	.dump		= eiffel_dump,
	.dump_stats	= eiffel_dump_stats,
	.owner		= THIS_MODULE,
};
MODULE_ALIAS_NET_SCH("eiffel");

/* ---- module ---- */

static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest,
		 "Check the cFFS core against a trivial reference at load time; refuse to load on a mismatch");

#define EIFFEL_SELFTEST_SEEDS	16
#define EIFFEL_SELFTEST_ROUNDS	4000

static int __init eiffel_selftest_run(void)
{
	void *mem = kvmalloc(eiffel_selftest_mem(), GFP_KERNEL);
	int seed, err = 0;

	if (!mem)
		return -ENOMEM;
	for (seed = 1; seed <= EIFFEL_SELFTEST_SEEDS && !err; seed++) {
		err = eiffel_selftest(mem, seed, EIFFEL_SELFTEST_ROUNDS);
		cond_resched();
	}
	kvfree(mem);
	if (err) {
		pr_err("self-test FAILED: seed %d, check %d\n", seed - 1, err);
		return -EINVAL;
	}
	pr_info("self-test passed: %d seeds x %d rounds per queue kind\n",
		EIFFEL_SELFTEST_SEEDS, EIFFEL_SELFTEST_ROUNDS);
	return 0;
}

static int __init eiffel_module_init(void)
{
	int err;

	if (selftest) {
		err = eiffel_selftest_run();
		if (err)
			return err;
	}
	eiffel_flow_cachep = kmem_cache_create("eiffel_flow_cache",
					       sizeof(struct eiffel_flow),
					       0, 0, NULL);
	if (!eiffel_flow_cachep)
		return -ENOMEM;
	err = register_qdisc(&eiffel_qdisc_ops);
	if (err)
		kmem_cache_destroy(eiffel_flow_cachep);
	return err;
}

static void __exit eiffel_module_exit(void)
{
	unregister_qdisc(&eiffel_qdisc_ops);
	kmem_cache_destroy(eiffel_flow_cachep);
}

module_init(eiffel_module_init);
module_exit(eiffel_module_exit);
MODULE_AUTHOR("The eiffel authors");
MODULE_DESCRIPTION("Fair queue packet scheduler with pacing on Eiffel's circular FFS queue");
MODULE_LICENSE("GPL");
