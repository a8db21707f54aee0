// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* hFFS: the 64-ary bitmap tree.  See eiffel_hffs.h. */
#include "eiffel_hffs.h"

static u32 words_below(u32 nbits)
{
	return (nbits + 63) / 64;
}

u32 eiffel_hffs_words(u32 nbits)
{
	u32 total = 0;
	u32 n = words_below(nbits);

	for (;;) {
		total += n;
		if (n == 1)
			return total;
		n = words_below(n);
	}
}

void eiffel_hffs_init(struct eiffel_hffs *h, u64 *words, u32 nbits)
{
	u32 count[EIFFEL_HFFS_MAX_LEVELS];
	u32 levels = 0, n = words_below(nbits), l, off = 0;

	/* Count words per level from the leaves up, then lay them out root first. */
	for (;;) {
		count[levels++] = n;
		if (n == 1)
			break;
		n = words_below(n);
	}
	h->words = words;
	h->nbits = nbits;
	h->levels = levels;
	for (l = 0; l < levels; l++) {
		h->offset[l] = off;
		off += count[levels - 1 - l];
	}
	eiffel_hffs_reset(h);
}

void eiffel_hffs_reset(struct eiffel_hffs *h)
{
	u32 i, n = h->offset[h->levels - 1] + words_below(h->nbits);

	for (i = 0; i < n; i++)
		h->words[i] = 0;
}

void eiffel_hffs_set(struct eiffel_hffs *h, u32 bit)
{
	u32 l = h->levels;

	/* Bottom-up; stop at the first word that was already non-zero. */
	while (l--) {
		u64 *word = &h->words[h->offset[l] + (bit >> 6)];
		u64 old = *word;

		*word = old | ((u64)1 << (bit & 63));
		if (old)
			return;
		bit >>= 6;
	}
}

void eiffel_hffs_clear(struct eiffel_hffs *h, u32 bit)
{
	u32 l = h->levels;

	/* Bottom-up; stop at the first word that stays non-zero. */
	while (l--) {
		u64 *word = &h->words[h->offset[l] + (bit >> 6)];

		*word &= ~((u64)1 << (bit & 63));
		if (*word)
			return;
		bit >>= 6;
	}
}

/* Follow lowest set bits from word `index` of level `l` down to a leaf bit. */
static u32 descend_first(const struct eiffel_hffs *h, u32 l, u32 index)
{
	for (; l < h->levels; l++)
		index = index * 64 + eiffel_ffs64(h->words[h->offset[l] + index]);
	return index;
}

static u32 descend_last(const struct eiffel_hffs *h, u32 l, u32 index)
{
	for (; l < h->levels; l++)
		index = index * 64 + eiffel_fls64(h->words[h->offset[l] + index]);
	return index;
}

u32 eiffel_hffs_first(const struct eiffel_hffs *h)
{
	if (!h->words[0])
		return EIFFEL_NONE;
	return descend_first(h, 0, 0);
}

u32 eiffel_hffs_last(const struct eiffel_hffs *h)
{
	if (!h->words[0])
		return EIFFEL_NONE;
	return descend_last(h, 0, 0);
}

u32 eiffel_hffs_next(const struct eiffel_hffs *h, u32 from)
{
	u32 l, pos = from;

	if (from >= h->nbits)
		return EIFFEL_NONE;
	/* Climb until a word has a set bit at or after our position in it. */
	for (l = h->levels - 1;; l--) {
		u64 word = h->words[h->offset[l] + (pos >> 6)];

		word &= ~(u64)0 << (pos & 63);
		if (word)
			return descend_first(h, l + 1,
					     (pos & ~(u32)63) + eiffel_ffs64(word));
		/* Resume one level up, just after the word we exhausted. */
		if (!l)
			return EIFFEL_NONE;
		pos = (pos >> 6) + 1;
		if ((pos >> 6) >= h->offset[l] - h->offset[l - 1])
			return EIFFEL_NONE;
	}
}

u32 eiffel_hffs_prev(const struct eiffel_hffs *h, u32 from)
{
	u32 l, pos = from < h->nbits ? from : h->nbits - 1;

	for (l = h->levels - 1;; l--) {
		u64 word = h->words[h->offset[l] + (pos >> 6)];

		if ((pos & 63) != 63)
			word &= ((u64)1 << ((pos & 63) + 1)) - 1;
		if (word)
			return descend_last(h, l + 1,
					    (pos & ~(u32)63) + eiffel_fls64(word));
		/* Resume one level up, just before the word we exhausted. */
		if (!l || !(pos >> 6))
			return EIFFEL_NONE;
		pos = (pos >> 6) - 1;
	}
}
