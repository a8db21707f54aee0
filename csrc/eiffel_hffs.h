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
	u64 *leaf;				/* the last level: one bit per bucket */
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

/*
 * The operations on the queues' hot paths are inline: each is a few loads
 * and one bit instruction per level, less than the cost of a call.
 */

/* Set bit `bit` of level l's words, and its ancestors if its word was zero. */
static inline void eiffel_hffs_set_from(struct eiffel_hffs *h, u32 l, u32 bit)
{
	/* Bottom-up; stop at the first word that was already non-zero. */
	do {
		u64 *word = &h->words[h->offset[l] + (bit >> 6)];
		u64 old = *word;

		*word = old | ((u64)1 << (bit & 63));
		if (old)
			return;
		bit >>= 6;
	} while (l--);
}

/* Clear bit `bit` of level l's words, and its ancestors if its word became zero. */
static inline void eiffel_hffs_clear_from(struct eiffel_hffs *h, u32 l, u32 bit)
{
	/* Bottom-up; stop at the first word that stays non-zero. */
	do {
		u64 *word = &h->words[h->offset[l] + (bit >> 6)];
		u64 now = *word & ~((u64)1 << (bit & 63));

		*word = now;
		if (now)
			return;
		bit >>= 6;
	} while (l--);
}

/* The leaf word decides whether the levels above change: usually it does not. */
static inline void eiffel_hffs_set(struct eiffel_hffs *h, u32 bit)
{
	u64 *word = &h->leaf[bit >> 6];
	u64 old = *word;

	*word = old | ((u64)1 << (bit & 63));
	if (!old && h->levels > 1)
		eiffel_hffs_set_from(h, h->levels - 2, bit >> 6);
}

static inline void eiffel_hffs_clear(struct eiffel_hffs *h, u32 bit)
{
	u64 *word = &h->leaf[bit >> 6];
	u64 now = *word & ~((u64)1 << (bit & 63));

	*word = now;
	if (!now && h->levels > 1)
		eiffel_hffs_clear_from(h, h->levels - 2, bit >> 6);
}

static inline bool eiffel_hffs_test(const struct eiffel_hffs *h, u32 bit)
{
	return (h->leaf[bit >> 6] >> (bit & 63)) & 1;
}

static inline bool eiffel_hffs_empty(const struct eiffel_hffs *h)
{
	return h->words[0] == 0;
}

/* Follow lowest (highest) set bits from word `index` of level `l` to a leaf bit. */
static inline u32 eiffel_hffs_descend_first(const struct eiffel_hffs *h, u32 l,
					    u32 index)
{
	for (; l < h->levels; l++)
		index = index * 64 + eiffel_ffs64(h->words[h->offset[l] + index]);
	return index;
}

static inline u32 eiffel_hffs_descend_last(const struct eiffel_hffs *h, u32 l,
					   u32 index)
{
	for (; l < h->levels; l++)
		index = index * 64 + eiffel_fls64(h->words[h->offset[l] + index]);
	return index;
}

/* Lowest / highest set bit, or EIFFEL_NONE when no bit is set. */
static inline u32 eiffel_hffs_first(const struct eiffel_hffs *h)
{
	if (!h->words[0])
		return EIFFEL_NONE;
	return eiffel_hffs_descend_first(h, 0, 0);
}

static inline u32 eiffel_hffs_last(const struct eiffel_hffs *h)
{
	if (!h->words[0])
		return EIFFEL_NONE;
	return eiffel_hffs_descend_last(h, 0, 0);
}

/* Lowest set bit >= from / highest set bit <= from, or EIFFEL_NONE. */
u32 eiffel_hffs_next_climb(const struct eiffel_hffs *h, u32 from);
u32 eiffel_hffs_prev(const struct eiffel_hffs *h, u32 from);

static inline u32 eiffel_hffs_next(const struct eiffel_hffs *h, u32 from)
{
	/* Most searches end in from's own leaf word; climb only if they do not. */
	if (eiffel_likely(from < h->nbits)) {
		u64 word = h->leaf[from >> 6] & (~(u64)0 << (from & 63));

		if (word)
			return (from & ~(u32)63) + eiffel_ffs64(word);
	}
	return eiffel_hffs_next_climb(h, from);
}

/* Clear bit (which must be set) and return the lowest set bit above it, or EIFFEL_NONE. */
static inline u32 eiffel_hffs_clear_next(struct eiffel_hffs *h, u32 bit)
{
	u64 *word = &h->leaf[bit >> 6];
	u64 now = *word & ~((u64)1 << (bit & 63));
	u64 above = now & (~(u64)1 << (bit & 63));

	*word = now;
	if (above)
		return (bit & ~(u32)63) + eiffel_ffs64(above);
	if (!now && h->levels > 1)
		eiffel_hffs_clear_from(h, h->levels - 2, bit >> 6);
	return eiffel_hffs_next_climb(h, bit + 1);
}

#endif /* EIFFEL_HFFS_H */
