/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The one place that knows whether the core is built into the kernel or
 * into user space.  Everything else in csrc/ includes this header and reads
 * the same in both homes: fixed-width types, 64-bit find-first/last-set,
 * 64-bit division, branch hints and debug assertions.
 */
#ifndef EIFFEL_SHIM_H
#define EIFFEL_SHIM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/math64.h>
#include <linux/prefetch.h>
#include <linux/stddef.h>

#define eiffel_likely(x)	likely(x)
#define eiffel_unlikely(x)	unlikely(x)
#define eiffel_always_inline	__always_inline
#define eiffel_noinline		noinline
/* Debug assertions become one-shot warnings; the caller still handles the case. */
#define EIFFEL_WARN_ON(cond)	WARN_ON_ONCE(cond)

static inline unsigned int eiffel_ffs64(u64 word)
{
	return __ffs64(word);
}

static inline unsigned int eiffel_fls64(u64 word)
{
	return fls64(word) - 1;
}

static inline u64 eiffel_div64(u64 dividend, u64 divisor)
{
	return div64_u64(dividend, divisor);
}

static inline void eiffel_prefetch(const void *addr)
{
	prefetchw(addr);
}

#else /* user space */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define eiffel_likely(x)	__builtin_expect(!!(x), 1)
#define eiffel_unlikely(x)	__builtin_expect(!!(x), 0)
#define eiffel_always_inline	inline __attribute__((always_inline))
#define eiffel_noinline		__attribute__((noinline))

/* Like the kernel's WARN_ON(): evaluates to cond, usable as a statement. */
static inline bool eiffel_warn_on(bool cond)
{
#ifdef EIFFEL_DEBUG
	/* Sanitizer and test builds stop at the first broken invariant. */
	if (cond)
		__builtin_trap();
#endif
	return cond;
}
#define EIFFEL_WARN_ON(cond)	eiffel_warn_on(!!(cond))

static inline unsigned int eiffel_ffs64(u64 word)
{
	return (unsigned int)__builtin_ctzll(word);
}

static inline unsigned int eiffel_fls64(u64 word)
{
	return 63u - (unsigned int)__builtin_clzll(word);
}

static inline u64 eiffel_div64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

static inline void eiffel_prefetch(const void *addr)
{
	__builtin_prefetch(addr, 1);
}

#endif /* __KERNEL__ */

#define EIFFEL_U64_MAX		(~(u64)0)
#define EIFFEL_U32_MAX		(~(u32)0)

#define eiffel_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* EIFFEL_SHIM_H */
