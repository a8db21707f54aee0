/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernels sch_eiffel supports (Debian 12's 6.1 and
 * bookworm-backports' 6.12).  Everything version-dependent lives here.
 */
#ifndef EIFFEL_COMPAT_H
#define EIFFEL_COMPAT_H

#include <linux/module.h>
#include <linux/version.h>
#include <net/pkt_sched.h>

/*
 * 6.9 made qdisc autoloading ask for "net-sch-<kind>" and added this
 * macro; older kernels ask for "sch_<kind>", which is the module's name.
 */
#ifndef MODULE_ALIAS_NET_SCH
#define MODULE_ALIAS_NET_SCH(id)	MODULE_ALIAS("net-sch-" id)
#endif

/*
 * extack messages with values (6.3+); before that, the same words without
 * the numbers.
 */
#ifdef NL_SET_ERR_MSG_FMT_MOD
#define EIFFEL_ERR_FMT(extack, plain, fmt, args...)	\
	NL_SET_ERR_MSG_FMT_MOD(extack, fmt, ##args)
#else
#define EIFFEL_ERR_FMT(extack, plain, fmt, args...)	\
	NL_SET_ERR_MSG_MOD(extack, plain)
#endif

#endif /* EIFFEL_COMPAT_H */
