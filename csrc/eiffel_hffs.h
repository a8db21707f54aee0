/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * hFFS: a 64-ary tree of bitmaps over N bits (paper section 3.1.1).
 *
 * Level 0 is the root word; the last level holds one bit per bucket.  A bit
 * in an inner word says "the child word below me is non-zero", so the lowest
 * (highest) set bit is found with one find-first-set (find-last-set) per
 * level.  levels = max(1, ceil(log64 N)): the published code used floor()
 * and indexed past the end for some sizes.
 */
#ifndef EIFFEL_HFFS_H
#define EIFFEL_HFFS_H

#include "eiffel_shim.h"

/* 64^6 = 2^36 covers any u32 bucket count. */
#define EIFFEL_HFFS_MAX_LEVELS	6
/* Returned by the searches when no bit qualifies. */
#define EIFFEL_NONE		EIFFEL_U32_MAX

struct eiffel_hffs {
	u64 *words;				/* every level, root first */
	u32 nbits;
	u32 levels;
	u32 offset[EIFFEL_HFFS_MAX_LEVELS];	/* first word of each level */
};

/* Number of u64 words the caller must provide for nbits (nbits >= 1). */
u32 eiffel_hffs_words(u32 nbits);
/* Lay the tree over words[] (eiffel_hffs_words(nbits) of them), all clear. */
void eiffel_hffs_init(struct eiffel_hffs *h, u64 *words, u32 nbits);
/* Clear every bit. */
void eiffel_hffs_reset(struct eiffel_hffs *h);

void eiffel_hffs_set(struct eiffel_hffs *h, u32 bit);
void eiffel_hffs_clear(struct eiffel_hffs *h, u32 bit);

static inline bool eiffel_hffs_test(const struct eiffel_hffs *h, u32 bit)
{
	const u64 *leaf = h->words + h->offset[h->levels - 1];

	return (leaf[bit >> 6] >> (bit & 63)) & 1;
}

static inline bool eiffel_hffs_empty(const struct eiffel_hffs *h)
{
	return h->words[0] == 0;
}

/* Lowest / highest set bit, or EIFFEL_NONE when no bit is set. */
u32 eiffel_hffs_first(const struct eiffel_hffs *h);
u32 eiffel_hffs_last(const struct eiffel_hffs *h);
/* Lowest set bit >= from / highest set bit <= from, or EIFFEL_NONE. */
u32 eiffel_hffs_next(const struct eiffel_hffs *h, u32 from);
u32 eiffel_hffs_prev(const struct eiffel_hffs *h, u32 from);

#endif /* EIFFEL_HFFS_H */
