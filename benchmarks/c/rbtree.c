// SPDX-License-Identifier: MIT
/*
 * Red-black tree (CLRS, NULL leaves, parent pointers) used as a priority
 * queue: insert by key, remove the cached leftmost node.  Keys are unique
 * (order_key carries a sequence number), so ties never need a rule here.
 */
#include "baselines.h"

static struct pkt *pkt_of(struct rb_hook *h)
{
	return eiffel_container_of(h, struct pkt, rb);
}

static bool is_red(const struct rb_hook *h)
{
	return h && h->red;
}

void rbtree_init(struct rbtree *t)
{
	t->root = NULL;
	t->leftmost = NULL;
}

static void replace_child(struct rbtree *t, struct rb_hook *parent,
			  struct rb_hook *old, struct rb_hook *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static void rotate_left(struct rbtree *t, struct rb_hook *x)
{
	struct rb_hook *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
}

static void rotate_right(struct rbtree *t, struct rb_hook *x)
{
	struct rb_hook *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
}

void rbtree_push(struct rbtree *t, u64 key, struct pkt *p)
{
	struct rb_hook *z = &p->rb, *parent = NULL, **link = &t->root;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (key < parent->key) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	z->key = key;
	z->left = z->right = NULL;
	z->parent = parent;
	z->red = 1;
	*link = z;
	if (leftmost)
		t->leftmost = z;

	while (is_red(z->parent)) {
		struct rb_hook *gp = z->parent->parent, *uncle;

		if (z->parent == gp->left) {
			uncle = gp->right;
			if (is_red(uncle)) {
				z->parent->red = 0;
				uncle->red = 0;
				gp->red = 1;
				z = gp;
				continue;
			}
			if (z == z->parent->right) {
				z = z->parent;
				rotate_left(t, z);
			}
			z->parent->red = 0;
			gp->red = 1;
			rotate_right(t, gp);
		} else {
			uncle = gp->left;
			if (is_red(uncle)) {
				z->parent->red = 0;
				uncle->red = 0;
				gp->red = 1;
				z = gp;
				continue;
			}
			if (z == z->parent->left) {
				z = z->parent;
				rotate_right(t, z);
			}
			z->parent->red = 0;
			gp->red = 1;
			rotate_left(t, gp);
		}
	}
	t->root->red = 0;
}

/* Restore the black height after removing a black node; x (maybe NULL) took its place. */
static void delete_fixup(struct rbtree *t, struct rb_hook *x, struct rb_hook *parent)
{
	while (x != t->root && !is_red(x)) {
		struct rb_hook *w;

		if (x == parent->left) {
			w = parent->right;
			if (is_red(w)) {
				w->red = 0;
				parent->red = 1;
				rotate_left(t, parent);
				w = parent->right;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = 1;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->right)) {
				w->left->red = 0;
				w->red = 1;
				rotate_right(t, w);
				w = parent->right;
			}
			w->red = parent->red;
			parent->red = 0;
			w->right->red = 0;
			rotate_left(t, parent);
		} else {
			w = parent->left;
			if (is_red(w)) {
				w->red = 0;
				parent->red = 1;
				rotate_right(t, parent);
				w = parent->left;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = 1;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->left)) {
				w->right->red = 0;
				w->red = 1;
				rotate_left(t, w);
				w = parent->left;
			}
			w->red = parent->red;
			parent->red = 0;
			w->left->red = 0;
			rotate_right(t, parent);
		}
		x = t->root;
	}
	if (x)
		x->red = 0;
}

struct pkt *rbtree_pop(struct rbtree *t)
{
	struct rb_hook *z = t->leftmost, *x, *parent;

	if (!z)
		return NULL;
	/* The minimum has no left child: its right child (if any) takes its place. */
	x = z->right;
	parent = z->parent;
	if (x)
		x->parent = parent;
	replace_child(t, parent, z, x);
	/* Rotations keep in-order, so the successor is found before fixing up. */
	if (x) {
		t->leftmost = x;
		while (t->leftmost->left)
			t->leftmost = t->leftmost->left;
	} else {
		t->leftmost = parent;
	}
	if (!z->red)
		delete_fixup(t, x, parent);
	return pkt_of(z);
}
