// SPDX-License-Identifier: GPL-2.0-only
/*
 * eiffel_qbench: the qdisc's own cost, without the TCP stack.
 *
 * Drives the root qdisc of a device (meant for a `dummy` device whose root
 * is sch_eiffel, fq or pfifo, installed by the harness with its options)
 * through q->enqueue() and q->dequeue() directly, with synthetic skbs of N
 * flows whose EDT timestamps lie in the future, like paced TCP's:
 *
 *  - every skb is allocated and given its flow hash before the clock runs;
 *    flow f's k-th packet leaves at base + off[f] + k * gap, off[f] random
 *    in [0, gap) from a seeded PRNG, so every qdisc sees the same packets;
 *  - enqueue: all packets, round-robin over the flows, timed in chunks
 *    under the qdisc lock;
 *  - drain: from the first send time on, every poll_us the qdisc is asked
 *    for packets until it returns NULL; each call is timed, the NULL ones
 *    apart.  A NULL while some packet was already due counts as "held".
 *
 * RTNL is held only to find the qdisc and to let it go; meanwhile a
 * reference keeps it.  The stack must not dequeue meanwhile: the qdisc's
 * watchdog reschedules the device, and qdisc_run() would steal our
 * packets.  For a one-queue
 * device the root has TCQ_F_ONETXQUEUE, and dequeue_skb() in
 * net/sched/sch_generic.c returns nothing while the queue is stopped, so
 * the TX queue stays stopped for the run.  Every packet must come back,
 * none before its time unless the qdisc ignores time (pfifo): anything
 * missing fails the run with -EIO.
 *
 * Trigger: set the parameters under /sys/module/eiffel_qbench/parameters/,
 * write 1 to `run`; the write returns once done (or with the error), and
 * `result` (also logged) holds one line of key=value figures.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/ip.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/prandom.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/version.h>
#include <net/sch_generic.h>

/* 6.12 moved the unaligned accessors out of asm/. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.11 turned the skb's mono_delivery_time bit into a clock id. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define QBENCH_MONO	SKB_CLOCK_MONOTONIC
#else
#define QBENCH_MONO	true
#endif

/* Flow f's hash is f times an odd constant, modulo 2^QBENCH_HASH_BITS:
 * distinct for distinct flows, so an orphan_mask of QBENCH_HASH_MASK (or
 * wider) keeps N flows N flows. */
#define QBENCH_HASH_BITS	17
#define QBENCH_HASH_MASK	((1U << QBENCH_HASH_BITS) - 1)
#define QBENCH_MAX_FLOWS	(1U << QBENCH_HASH_BITS)
#define QBENCH_MAX_PKTS		2000000U
#define QBENCH_MARK		0x51be4c00U	/* skb->mark of our skbs */
#define QBENCH_CHUNK		64		/* enqueues per lock hold */
#define QBENCH_BURST		256		/* dequeues per lock hold */

static char dev_name_param[IFNAMSIZ] = "qbench0";
module_param_string(dev, dev_name_param, sizeof(dev_name_param), 0644);
MODULE_PARM_DESC(dev, "device whose root qdisc is driven (init netns)");

static unsigned int flows = 100;
module_param(flows, uint, 0644);
MODULE_PARM_DESC(flows, "number of flows, 1..131072");

static unsigned int pkts = 4;
module_param(pkts, uint, 0644);
MODULE_PARM_DESC(pkts, "packets per flow, 1..1024 (flows * pkts <= 2000000)");

static unsigned int pkt_len = 1514;
module_param(pkt_len, uint, 0644);
MODULE_PARM_DESC(pkt_len, "bytes the qdisc accounts per packet, 64..65535");

static unsigned int gap_us = 1000;
module_param(gap_us, uint, 0644);
MODULE_PARM_DESC(gap_us, "send-time gap between a flow's packets (us), 1..1000000");

static unsigned int lead_us = 10000;
module_param(lead_us, uint, 0644);
MODULE_PARM_DESC(lead_us, "first send times start this far after enqueue starts (us), 0..5000000");

static unsigned int poll_us = 10;
module_param(poll_us, uint, 0644);
MODULE_PARM_DESC(poll_us, "time between dequeue polls (us), 0..100000");

static unsigned int seed = 1;
module_param(seed, uint, 0644);
MODULE_PARM_DESC(seed, "PRNG seed of the flows' first send times");

static unsigned int timeout_s = 60;
module_param(timeout_s, uint, 0644);
MODULE_PARM_DESC(timeout_s, "give up draining this long after the last send time (s), 1..600");

static char result[768];
module_param_string(result, result, sizeof(result), 0444);
MODULE_PARM_DESC(result, "figures of the last run (key=value ...)");

static bool qbench_loaded;

enum qbench_state { QB_QUEUED, QB_BACK, QB_DROPPED };

struct qbench_flow {
	u64 off;	/* first send time after base */
	u32 id;
};

struct qbench {
	struct sk_buff **skb;
	u64 *when;		/* send time (ktime ns) of each packet */
	u8 *state;
	struct qbench_flow *by_time;	/* flows ordered by off */
	u32 n, total;		/* flows, packets */
	u32 cursor;		/* in send-time order: all before it are back */

	/* figures */
	u64 enq_ns, deq_ns, null_ns, late_sum_ns, late_max_ns, clock_ns;
	u64 start_late_ns;	/* drain start after the first send time */
	u32 dropped, dequeued, null_calls, held, early, foreign, due_at_start;
	u32 qlen_end, backlog_end;
};

/* Packet p is flow p % n's (p / n)-th: enqueue order is round-robin. */
static u32 qbench_by_rank(const struct qbench *b, u32 rank)
{
	return (rank / b->n) * b->n + b->by_time[rank % b->n].id;
}

static int qbench_cmp_off(const void *a, const void *b)
{
	const struct qbench_flow *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int qbench_check_params(void)
{
#define QB_RANGE(name, lo, hi)						\
	do {								\
		if ((name) < (lo) || (name) > (hi)) {			\
			pr_err(#name "=%u out of range %u..%u\n",	\
			       (name), (lo), (hi));			\
			return -EINVAL;					\
		}							\
	} while (0)
	QB_RANGE(flows, 1U, QBENCH_MAX_FLOWS);
	QB_RANGE(pkts, 1U, 1024U);
	QB_RANGE(pkt_len, 64U, 65535U);
	QB_RANGE(gap_us, 1U, 1000000U);
	QB_RANGE(lead_us, 0U, 5000000U);
	QB_RANGE(poll_us, 0U, 100000U);
	QB_RANGE(timeout_s, 1U, 600U);
#undef QB_RANGE
	if ((u64)flows * pkts > QBENCH_MAX_PKTS) {
		pr_err("flows * pkts = %llu packets, more than %u\n",
		       (u64)flows * pkts, QBENCH_MAX_PKTS);
		return -EINVAL;
	}
	return 0;
}

static void qbench_free(struct qbench *b)
{
	u32 p;

	if (b->skb) {
		for (p = 0; p < b->total; p++) {
			/* Queued ones belong to the qdisc (or the stack) now. */
			if (b->skb[p] && b->state[p] != QB_DROPPED &&
			    b->state[p] != QB_QUEUED)
				consume_skb(b->skb[p]);
		}
	}
	kvfree(b->skb);
	kvfree(b->when);
	kvfree(b->state);
	kvfree(b->by_time);
}

/* The skbs: a 20-byte IPv4 header (DSCP 0, for qdiscs that read it) and
 * the packet's index, which dequeue reads back. */
static int qbench_alloc(struct qbench *b)
{
	struct rnd_state rnd;
	u32 f, p;

	b->n = flows;
	b->total = flows * pkts;
	b->skb = kvcalloc(b->total, sizeof(*b->skb), GFP_KERNEL);
	b->when = kvcalloc(b->total, sizeof(*b->when), GFP_KERNEL);
	b->state = kvcalloc(b->total, sizeof(*b->state), GFP_KERNEL);
	b->by_time = kvcalloc(b->n, sizeof(*b->by_time), GFP_KERNEL);
	if (!b->skb || !b->when || !b->state || !b->by_time)
		return -ENOMEM;

	prandom_seed_state(&rnd, seed);
	for (f = 0; f < b->n; f++) {
		b->by_time[f].id = f;
		b->by_time[f].off = (u64)(prandom_u32_state(&rnd) % (gap_us * 1000U));
	}
	sort(b->by_time, b->n, sizeof(*b->by_time), qbench_cmp_off, NULL);

	for (p = 0; p < b->total; p++) {
		struct sk_buff *skb = alloc_skb(sizeof(struct iphdr) + sizeof(u32),
						GFP_KERNEL);
		struct iphdr *iph;

		if (!skb)
			return -ENOMEM;
		b->skb[p] = skb;
		b->state[p] = QB_BACK;	/* nothing to hand back yet */
		skb_reset_network_header(skb);
		iph = skb_put_zero(skb, sizeof(*iph));
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(pkt_len);
		iph->ttl = 64;
		iph->protocol = IPPROTO_TCP;
		put_unaligned(p, (u32 *)skb_put(skb, sizeof(u32)));
		skb->protocol = htons(ETH_P_IP);
		skb->mark = QBENCH_MARK;
		/* An L4 hash, as a connected TCP socket's skbs carry; without
		 * a socket fq and eiffel classify by it under orphan_mask. */
		skb_set_hash(skb, ((p % b->n) * 2654435761U) & QBENCH_HASH_MASK,
			     PKT_HASH_TYPE_L4);
		/* What __dev_xmit_skb() sets before enqueue. */
		qdisc_skb_cb(skb)->pkt_len = pkt_len;
		cond_resched();
	}
	return 0;
}

/* Index of one of our skbs, or -1 for anything else. */
static s64 qbench_index(const struct qbench *b, const struct sk_buff *skb)
{
	u32 p;

	if (skb->mark != QBENCH_MARK ||
	    skb->len != sizeof(struct iphdr) + sizeof(u32))
		return -1;
	p = get_unaligned((const u32 *)(skb->data + sizeof(struct iphdr)));
	if (p >= b->total || b->skb[p] != skb || b->state[p] != QB_QUEUED)
		return -1;
	return p;
}

/* Send time of the earliest packet not yet back (U64_MAX if none). */
static u64 qbench_earliest(struct qbench *b)
{
	while (b->cursor < b->total &&
	       b->state[qbench_by_rank(b, b->cursor)] != QB_QUEUED)
		b->cursor++;
	return b->cursor < b->total ? b->when[qbench_by_rank(b, b->cursor)] : U64_MAX;
}

static u64 qbench_clock_cost(void)
{
	u64 t0, t1, sink = 0;
	int i;

	t0 = ktime_get_ns();
	for (i = 0; i < 1000; i++)
		sink += ktime_get_ns();
	t1 = ktime_get_ns();
	barrier_data(&sink);
	return (t1 - t0) / 1000;
}

static void qbench_stamp(struct qbench *b, struct net_device *dev, u64 base)
{
	u64 gap = (u64)gap_us * NSEC_PER_USEC;
	u32 f, k;

	for (f = 0; f < b->n; f++) {
		const struct qbench_flow *fl = &b->by_time[f];

		for (k = 0; k < pkts; k++) {
			u32 p = k * b->n + fl->id;

			b->when[p] = base + fl->off + k * gap;
			skb_set_delivery_time(b->skb[p], ns_to_ktime(b->when[p]), QBENCH_MONO);
			b->skb[p]->dev = dev;
			b->state[p] = QB_QUEUED;
		}
	}
}

static void qbench_enqueue_all(struct qbench *b, struct Qdisc *q)
{
	spinlock_t *lock = qdisc_lock(q);
	struct sk_buff *to_free = NULL;
	u32 p = 0, end;
	u64 t0;

	while (p < b->total) {
		end = min(p + QBENCH_CHUNK, b->total);
		spin_lock_bh(lock);
		t0 = ktime_get_ns();
		for (; p < end; p++)
			q->enqueue(b->skb[p], q, &to_free);
		b->enq_ns += ktime_get_ns() - t0;
		spin_unlock_bh(lock);
		/* Dropped skbs come back on to_free, for the caller to free. */
		while (to_free) {
			struct sk_buff *skb = to_free;
			s64 i = qbench_index(b, skb);

			to_free = skb->next;
			skb_mark_not_on_list(skb);
			if (i >= 0)
				b->state[i] = QB_DROPPED;
			b->dropped++;
			kfree_skb(skb);
		}
		cond_resched();
	}
}

/* One poll: dequeue until NULL (or a burst's worth).  True if it ended on
 * NULL. */
static bool qbench_poll(struct qbench *b, struct Qdisc *q)
{
	spinlock_t *lock = qdisc_lock(q);
	struct sk_buff *foreign = NULL, *skb;
	bool empty = false;
	u32 got = 0;
	u64 t, t2;

	spin_lock_bh(lock);
	t = ktime_get_ns();
	while (got < QBENCH_BURST) {
		skb = q->dequeue(q);
		t2 = ktime_get_ns();
		if (!skb) {
			b->null_calls++;
			b->null_ns += t2 - t;
			/* Nothing changed in the call: what was due at t still is. */
			if (qbench_earliest(b) <= t)
				b->held++;
			empty = true;
			break;
		}
		b->deq_ns += t2 - t;
		b->dequeued++;
		got++;
		{
			s64 i = qbench_index(b, skb);

			if (i < 0) {
				b->foreign++;
				skb->next = foreign;
				foreign = skb;
			} else {
				b->state[i] = QB_BACK;
				if (t2 < b->when[i]) {
					b->early++;
				} else {
					b->late_sum_ns += t2 - b->when[i];
					b->late_max_ns = max(b->late_max_ns, t2 - b->when[i]);
				}
			}
		}
		t = t2;
	}
	spin_unlock_bh(lock);
	kfree_skb_list(foreign);
	return empty;
}

/* Sleep while far from when, then spin: msleep(1) can oversleep by
 * several ms (a jiffy or two, more under emulation), which would start the
 * drain with a backlog of due packets.  Returns how late it woke. */
static u64 qbench_wait_until(u64 when)
{
	u64 now;

	while ((now = ktime_get_ns()) < when) {
		if (when - now > 20 * NSEC_PER_MSEC)
			msleep(1);
		else
			cond_resched();
	}
	return now - when;
}

/* Drain until every packet enqueued is back; -EIO if some never come. */
static int qbench_drain(struct qbench *b, struct Qdisc *q)
{
	u64 last = 0, deadline, next;
	u32 p, want = b->total - b->dropped;

	for (p = 0; p < b->total; p++)
		last = max(last, b->when[p]);
	deadline = last + (u64)timeout_s * NSEC_PER_SEC;

	if (want)
		b->start_late_ns = qbench_wait_until(qbench_earliest(b));
	while (b->dequeued - b->foreign < want) {
		next = ktime_get_ns() + (u64)poll_us * NSEC_PER_USEC;
		if (qbench_poll(b, q)) {
			if (ktime_get_ns() > deadline)
				break;
			cond_resched();
			while (ktime_get_ns() < next)
				cpu_relax();
		} else {
			cond_resched();
		}
	}
	if (b->dequeued - b->foreign < want) {
		pr_err("%u of %u packets never came back from the qdisc of %s\n",
		       want - (b->dequeued - b->foreign), want, dev_name_param);
		return -EIO;
	}
	return 0;
}

static int qbench_drive(struct qbench *b, struct net_device *dev, struct Qdisc *q)
{
	u64 now;
	u32 p;
	int err;

	b->clock_ns = qbench_clock_cost();
	qbench_stamp(b, dev, ktime_get_ns() + (u64)lead_us * NSEC_PER_USEC);
	qbench_enqueue_all(b, q);
	now = ktime_get_ns();
	for (p = 0; p < b->total; p++)
		if (b->state[p] == QB_QUEUED && b->when[p] <= now)
			b->due_at_start++;

	err = qbench_drain(b, q);

	spin_lock_bh(qdisc_lock(q));
	b->qlen_end = q->q.qlen;
	b->backlog_end = q->qstats.backlog;
	spin_unlock_bh(qdisc_lock(q));
	return err;
}

static int qbench_run(void)
{
	struct qbench b = {};
	struct netdev_queue *txq;
	struct net_device *dev;
	struct Qdisc *q;
	int err;

	err = qbench_check_params();
	if (err)
		return err;
	err = qbench_alloc(&b);
	if (err) {
		pr_err("cannot allocate %u packets\n", flows * pkts);
		goto out;
	}

	rtnl_lock();
	dev = __dev_get_by_name(&init_net, dev_name_param);
	if (!dev) {
		pr_err("dev=%s: no such device in the initial netns\n", dev_name_param);
		err = -ENODEV;
		goto unlock;
	}
	q = rtnl_dereference(dev->qdisc);
	if (!(dev->flags & IFF_UP) || !q || !q->enqueue) {
		pr_err("dev=%s: down or without a queueing root qdisc\n", dev_name_param);
		err = -ENETDOWN;
		goto unlock;
	}
	if ((q->flags & TCQ_F_NOLOCK) || !(q->flags & TCQ_F_ONETXQUEUE)) {
		pr_err("dev=%s: root qdisc %s is lockless or not on one TX queue (flags %#x)\n",
		       dev_name_param, q->ops->id, q->flags);
		err = -EOPNOTSUPP;
		goto unlock;
	}
	if (q->q.qlen) {
		pr_err("dev=%s: root qdisc %s already holds %u packets\n",
		       dev_name_param, q->ops->id, q->q.qlen);
		err = -EBUSY;
		goto unlock;
	}
	/*
	 * Hold the device and the qdisc, not RTNL, while driving it: sch_eiffel
	 * grows its flow table from a work item that needs RTNL, which the
	 * stack's traffic never holds either.  (So the harness must leave the
	 * qdisc alone during a run.)
	 */
	dev_hold(dev);
	qdisc_refcount_inc(q);
	txq = netdev_get_tx_queue(dev, 0);
	__netif_tx_lock_bh(txq);
	netif_tx_stop_queue(txq);
	__netif_tx_unlock_bh(txq);
	rtnl_unlock();

	err = qbench_drive(&b, dev, q);

	rtnl_lock();
	netif_tx_wake_queue(txq);
	snprintf(result, sizeof(result),
		 "qdisc=%s flows=%u pkts=%u pkt_len=%u gap_us=%u lead_us=%u poll_us=%u "
		 "seed=%u packets=%u enq_ns=%llu dropped=%u dequeued=%u deq_ns=%llu "
		 "null_calls=%u null_ns=%llu held=%u early=%u late_sum_ns=%llu "
		 "late_max_ns=%llu foreign=%u due_at_start=%u start_late_ns=%llu "
		 "clock_ns=%llu qlen_end=%u backlog_end=%u status=%d",
		 q->ops->id, flows, pkts, pkt_len, gap_us, lead_us, poll_us, seed,
		 b.total, b.enq_ns, b.dropped, b.dequeued, b.deq_ns, b.null_calls,
		 b.null_ns, b.held, b.early, b.late_sum_ns, b.late_max_ns, b.foreign,
		 b.due_at_start, b.start_late_ns, b.clock_ns, b.qlen_end,
		 b.backlog_end, err);
	pr_info("%s\n", result);
	qdisc_put(q);
	dev_put(dev);
unlock:
	rtnl_unlock();
out:
	qbench_free(&b);
	return err;
}

static int qbench_run_set(const char *val, const struct kernel_param *kp)
{
	bool go;
	int err = kstrtobool(val, &go);

	if (err) {
		pr_err("run=%s: write 1 to run\n", val);
		return -EINVAL;
	}
	if (!go)
		return 0;
	/* At insmod the parameters are parsed before the module is up. */
	if (!qbench_loaded) {
		pr_err("run=1 at load time: write it to /sys/module/%s/parameters/run\n",
		       KBUILD_MODNAME);
		return -EINVAL;
	}
	return qbench_run();
}

static const struct kernel_param_ops qbench_run_ops = {
	.set = qbench_run_set,
};
module_param_cb(run, &qbench_run_ops, NULL, 0200);
MODULE_PARM_DESC(run, "write 1: run the benchmark with the parameters set");

static int __init qbench_init(void)
{
	qbench_loaded = true;
	return 0;
}

static void __exit qbench_exit(void)
{
}

module_init(qbench_init);
module_exit(qbench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Drive a root qdisc with synthetic EDT skbs and time it");
