// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Bucketed queue building block: buckets plus their hFFS bitmap. */
#include "eiffel_bucket.h"

void *eiffel_bq_init(struct eiffel_bq *bq, void *mem, u32 nbuckets)
{
	u64 *words = mem;
	u32 nwords = eiffel_hffs_words(nbuckets), i;

	/* Bitmap words first: they are 8-byte aligned like the buckets. */
	eiffel_hffs_init(&bq->map, words, nbuckets);
	bq->buckets = (struct eiffel_link *)(words + nwords);
	bq->nbuckets = nbuckets;
	for (i = 0; i < nbuckets; i++)
		eiffel_list_init(&bq->buckets[i]);
	return bq->buckets + nbuckets;
}

void eiffel_bq_reset(struct eiffel_bq *bq)
{
	u32 idx;

	/* Only non-empty buckets need work: walk the bitmap, not the array. */
	while ((idx = eiffel_hffs_first(&bq->map)) != EIFFEL_NONE) {
		eiffel_list_init(&bq->buckets[idx]);
		eiffel_hffs_clear(&bq->map, idx);
	}
}
