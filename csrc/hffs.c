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
	h->leaf = words + h->offset[levels - 1];
	eiffel_hffs_reset(h);
}

void eiffel_hffs_reset(struct eiffel_hffs *h)
{
	u32 i, n = h->offset[h->levels - 1] + words_below(h->nbits);

	for (i = 0; i < n; i++)
		h->words[i] = 0;
}

/* eiffel_hffs_next() without its leaf-word shortcut. */
u32 eiffel_hffs_next_climb(const struct eiffel_hffs *h, u32 from)
{
	u32 l, pos = from;

	if (from >= h->nbits)
		return EIFFEL_NONE;
	/* Climb until a word has a set bit at or after our position in it. */
	for (l = h->levels - 1;; l--) {
		u64 word = h->words[h->offset[l] + (pos >> 6)];

		word &= ~(u64)0 << (pos & 63);
		if (word)
			return eiffel_hffs_descend_first(h, l + 1,
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
			return eiffel_hffs_descend_last(h, l + 1,
					    (pos & ~(u32)63) + eiffel_fls64(word));
		/* Resume one level up, just before the word we exhausted. */
		if (!l || !(pos >> 6))
			return EIFFEL_NONE;
		pos = (pos >> 6) - 1;
	}
}
