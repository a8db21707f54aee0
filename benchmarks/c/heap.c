// SPDX-License-Identifier: MIT
/*
 * Binary min-heap of (key, packet) pairs.  Sifts move a hole instead of
 * swapping, the usual way to make a heap fast; keys live in the array so
 * comparisons never chase the packet pointer.
 */
#include "baselines.h"

void heap_init(struct heap *h, struct heap_entry *mem)
{
	h->a = mem;
	h->n = 0;
}

void heap_push(struct heap *h, u64 key, struct pkt *p)
{
	struct heap_entry *a = h->a;
	u64 i = h->n++;

	while (i) {
		u64 parent = (i - 1) / 2;

		if (a[parent].key <= key)
			break;
		a[i] = a[parent];
		i = parent;
	}
	a[i].key = key;
	a[i].p = p;
}

struct pkt *heap_pop(struct heap *h)
{
	struct heap_entry *a = h->a, last;
	struct pkt *top;
	u64 i = 0, n;

	if (!h->n)
		return NULL;
	top = a[0].p;
	n = --h->n;
	last = a[n];
	for (;;) {
		u64 child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && a[child + 1].key < a[child].key)
			child++;
		if (last.key <= a[child].key)
			break;
		a[i] = a[child];
		i = child;
	}
	a[i] = last;
	return top;
}
