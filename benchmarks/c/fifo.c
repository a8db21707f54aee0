// SPDX-License-Identifier: MIT
/* The floor: append at the tail, take from the head, nothing else. */
#include "baselines.h"

void fifo_init(struct fifo *f)
{
	eiffel_list_init(&f->head);
}

void fifo_push(struct fifo *f, struct pkt *p)
{
	eiffel_list_append(&f->head, &p->en.link);
}

struct pkt *fifo_pop(struct fifo *f)
{
	struct eiffel_link *link = f->head.next;

	if (link == &f->head)
		return NULL;
	eiffel_list_del(link);
	return (struct pkt *)eiffel_node_of(link);
}
