/* Red-black trees: intrusive, optionally augmented, optionally caching the
 * leftmost node. The contract lives in <umka/rbtree.h>.
 *
 * Augmentation strategy: every structural change is followed immediately by
 * recomputing the cached values it invalidated, so the tree is fully
 * consistent before each rebalancing step. Rebalancing then only needs to
 * repair what each rotation disturbs. Insert and erase do at most three
 * rotations, so the total work stays O(log n) per operation. */
#include <umka/rbtree.h>

#define RB_RED		((uintptr_t)0)
#define RB_BLACK	((uintptr_t)1)

/* Indexes a node's children so each rebalancing case is written once rather
 * than once per mirror image. */
enum { RB_LEFT = 0, RB_RIGHT = 1 };

/* The colour bit shares a word with the parent pointer. */
_Static_assert(_Alignof(struct rb_node) >= 4, "rb_node must be 4-byte aligned");

static inline struct rb_node **rb_child(struct rb_node *n, int dir)
{
	return dir == RB_LEFT ? &n->left : &n->right;
}

/* NULL children count as black leaves, which keeps the cases below simple. */
static inline bool rb_is_black(const struct rb_node *n)
{
	return !n || (n->parent_color & RB_BLACK);
}

static inline bool rb_is_red(const struct rb_node *n)
{
	return !rb_is_black(n);
}

static inline uintptr_t rb_color(const struct rb_node *n)
{
	return n->parent_color & RB_BLACK;
}

static inline void rb_set_black(struct rb_node *n)
{
	n->parent_color |= RB_BLACK;
}

static inline void rb_set_red(struct rb_node *n)
{
	n->parent_color &= ~RB_BLACK;
}

static inline void rb_set_color(struct rb_node *n, uintptr_t color)
{
	n->parent_color = (n->parent_color & ~RB_BLACK) | color;
}

static inline void rb_set_parent(struct rb_node *n, struct rb_node *p)
{
	n->parent_color = (uintptr_t)p | rb_color(n);
}

/* Point whatever referred to old (parent's child slot or the root) at new. */
static void rb_change_child(struct rb_root *root, struct rb_node *parent,
			    struct rb_node *old, struct rb_node *new)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*
 * Recompute cached values from n towards the root, stopping before stop
 * (NULL: the root). update() derives a node's value only from the node and
 * its children, so once a node's value comes out unchanged nothing above it
 * can change either and the walk may end early.
 */
static void rb_aug_propagate(const struct rb_augment *aug, struct rb_node *n,
			     struct rb_node *stop)
{
	while (n && n != stop) {
		if (!aug->update(n))
			return;
		n = rb_parent(n);
	}
}

/*
 * Move x down to its dir side; its child y on the other side takes its place.
 * Only x and y change subtrees, x first since it is now below. For the usual
 * set aggregates (min, max, sum, count) y ends up with x's old value and the
 * walk above stops at once, but going on while values change keeps
 * shape-dependent aggregates (e.g. height) correct as well. y's own update()
 * result compares against y's old position, not x's, so it cannot tell
 * whether p is stale: p is always redone.
 */
static void rb_rotate(struct rb_root *root, struct rb_node *x, int dir,
		      const struct rb_augment *aug)
{
	struct rb_node *y = *rb_child(x, !dir);
	struct rb_node *mid = *rb_child(y, dir);
	struct rb_node *p = rb_parent(x);

	*rb_child(x, !dir) = mid;
	if (mid)
		rb_set_parent(mid, x);
	*rb_child(y, dir) = x;
	rb_set_parent(x, y);
	rb_set_parent(y, p);
	rb_change_child(root, p, x, y);

	if (aug) {
		aug->update(x);
		aug->update(y);
		rb_aug_propagate(aug, p, NULL);
	}
}

void rb_link_node(struct rb_node *node, struct rb_node *parent, struct rb_node **link)
{
	node->parent_color = (uintptr_t)parent | RB_RED;
	node->left = NULL;
	node->right = NULL;
	*link = node;
}

void rb_insert_fixup(struct rb_root *root, struct rb_node *node, const struct rb_augment *aug)
{
	struct rb_node *p, *g, *uncle;
	int dir;

	if (aug) {
		/* node's cached value is uninitialised, so its parent must be
		 * recomputed whatever update(node) reports. */
		aug->update(node);
		rb_aug_propagate(aug, rb_parent(node), NULL);
	}

	/* Only a red node with a red parent breaks the rules; the root is
	 * black, so a red parent always has a parent of its own. */
	while ((p = rb_parent(node)) && rb_is_red(p)) {
		g = rb_parent(p);
		dir = p == g->left ? RB_LEFT : RB_RIGHT;
		uncle = *rb_child(g, !dir);

		if (rb_is_red(uncle)) {
			/* Push the conflict two levels up: black height of g's
			 * subtree is unchanged. */
			rb_set_black(p);
			rb_set_black(uncle);
			rb_set_red(g);
			node = g;
			continue;
		}

		if (node == *rb_child(p, !dir)) {
			/* Inner grandchild: turn it into the outer case so a
			 * single rotation at g finishes the job. */
			rb_rotate(root, p, dir, aug);
			node = p;
			p = rb_parent(node);
		}

		rb_rotate(root, g, !dir, aug);
		rb_set_black(p);
		rb_set_red(g);
		break;
	}
	rb_set_black(root->node);
}

/*
 * The subtree at node (possibly NULL) below parent is one black short of its
 * sibling. Either recolour away the deficit or move it up until it can be.
 */
static void rb_erase_fixup(struct rb_root *root, struct rb_node *node,
			   struct rb_node *parent, const struct rb_augment *aug)
{
	struct rb_node *sib, *near, *far;
	int dir;

	while (parent && rb_is_black(node)) {
		/* node may be NULL here, but then its sibling is not (it must
		 * hold at least one black), so this still finds node's side. */
		dir = node == parent->left ? RB_LEFT : RB_RIGHT;
		sib = *rb_child(parent, !dir);

		if (rb_is_red(sib)) {
			/* Get a black sibling so the cases below apply. */
			rb_set_black(sib);
			rb_set_red(parent);
			rb_rotate(root, parent, dir, aug);
			sib = *rb_child(parent, !dir);
		}

		near = *rb_child(sib, dir);
		far = *rb_child(sib, !dir);
		if (rb_is_black(near) && rb_is_black(far)) {
			/* Shorten the sibling too; the deficit moves up. */
			rb_set_red(sib);
			node = parent;
			parent = rb_parent(node);
			continue;
		}

		if (rb_is_black(far)) {
			/* Make the red nephew the far one. */
			rb_set_black(near);
			rb_set_red(sib);
			rb_rotate(root, sib, !dir, aug);
			far = sib;
			sib = near;
		}

		/* Rotating the sibling up adds a black on node's side while the
		 * far nephew, turned black, keeps the other side's count. */
		rb_set_color(sib, rb_color(parent));
		rb_set_black(parent);
		rb_set_black(far);
		rb_rotate(root, parent, dir, aug);
		return;
	}
	if (node)
		rb_set_black(node);
}

void rb_erase(struct rb_root *root, struct rb_node *node, const struct rb_augment *aug)
{
	struct rb_node *parent = rb_parent(node);
	struct rb_node *child, *fix_parent;
	bool removed_black;

	if (!node->left || !node->right) {
		child = node->left ? node->left : node->right;
		removed_black = rb_is_black(node);
		rb_change_child(root, parent, node, child);
		if (child)
			rb_set_parent(child, parent);
		fix_parent = parent;
		if (aug)
			rb_aug_propagate(aug, parent, NULL);
	} else {
		/* Two children: the successor, which has no left child, takes
		 * node's place and colour, so the tree effectively loses the
		 * successor's old position instead. */
		struct rb_node *succ = node->right, *sp;

		while (succ->left)
			succ = succ->left;
		child = succ->right;
		removed_black = rb_is_black(succ);

		if (succ == node->right) {
			sp = succ;
		} else {
			sp = rb_parent(succ);
			sp->left = child;
			if (child)
				rb_set_parent(child, sp);
			succ->right = node->right;
			rb_set_parent(succ->right, succ);
		}
		succ->left = node->left;
		rb_set_parent(succ->left, succ);
		succ->parent_color = node->parent_color;
		rb_change_child(root, parent, node, succ);
		fix_parent = sp;

		if (aug) {
			/* Between sp and succ the subtrees only lost succ, so the
			 * early stop holds there. succ's stored value belongs to
			 * its old position, so it tells nothing about whether
			 * node's old value changed: its parent is always redone. */
			if (sp != succ)
				rb_aug_propagate(aug, sp, succ);
			aug->update(succ);
			rb_aug_propagate(aug, parent, NULL);
		}
	}

	/* Removing a red node costs no black height. A black one with a child
	 * left a red child behind (a lone child is always red), which can
	 * simply absorb the lost black. */
	if (removed_black) {
		if (rb_is_red(child))
			rb_set_black(child);
		else
			rb_erase_fixup(root, child, fix_parent, aug);
	}
	rb_clear_node(node);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	if (!n)
		return NULL;
	while (n->left)
		n = n->left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	if (!n)
		return NULL;
	while (n->right)
		n = n->right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *node)
{
	struct rb_node *n, *p;

	if (!rb_node_linked(node))
		return NULL;
	if (node->right) {
		n = node->right;
		while (n->left)
			n = n->left;
		return n;
	}
	/* Climb until we arrive from a left subtree: that parent is next. */
	while ((p = rb_parent(node)) && node == p->right)
		node = p;
	return p;
}

struct rb_node *rb_prev(const struct rb_node *node)
{
	struct rb_node *n, *p;

	if (!rb_node_linked(node))
		return NULL;
	if (node->left) {
		n = node->left;
		while (n->right)
			n = n->right;
		return n;
	}
	while ((p = rb_parent(node)) && node == p->left)
		node = p;
	return p;
}

void rb_add(struct rb_node *node, struct rb_root *root,
	    bool (*less)(const struct rb_node *a, const struct rb_node *b),
	    const struct rb_augment *aug)
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		/* Ties go right so equal keys keep insertion order. */
		link = less(node, parent) ? &parent->left : &parent->right;
	}
	rb_link_node(node, parent, link);
	rb_insert_fixup(root, node, aug);
}

void rb_add_cached(struct rb_node *node, struct rb_root_cached *root,
		   bool (*less)(const struct rb_node *a, const struct rb_node *b),
		   const struct rb_augment *aug)
{
	struct rb_node **link = &root->root.node, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (less(node, parent)) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	rb_link_node(node, parent, link);
	if (leftmost)
		root->leftmost = node;
	rb_insert_fixup(&root->root, node, aug);
}

void rb_erase_cached(struct rb_root_cached *root, struct rb_node *node,
		     const struct rb_augment *aug)
{
	/* Must look up the successor while node is still linked. */
	if (root->leftmost == node)
		root->leftmost = rb_next(node);
	rb_erase(&root->root, node, aug);
}

/*
 * Walk the tree without recursion (the debug helper should not need a deep
 * stack) and without trusting parent pointers before checking them: every
 * child link is verified against the child's parent pointer on the way down,
 * so the climbs back up only follow links already proven consistent.
 */
long rb_validate(const struct rb_root *root,
		 bool (*less)(const struct rb_node *a, const struct rb_node *b))
{
	const struct rb_node *n = root->node, *prev = NULL, *from;
	long count = 0, black = 1, leaf_black = -1;
	bool down = true;

	if (!n)
		return 0;
	if (rb_parent(n) || rb_is_red(n))
		return -1;

	for (;;) {
		if (down) {
			/* Bit 1 is not ours to use; set means a stray pointer. */
			if (n->parent_color & 2)
				return -1;
			if (rb_is_red(n) && (rb_is_red(n->left) || rb_is_red(n->right)))
				return -1;
			if (n->left && rb_parent(n->left) != n)
				return -1;
			if (n->right && rb_parent(n->right) != n)
				return -1;
			if (n->left && n->left == n->right)
				return -1;
			/* Every path to a NULL leaf must see the same number
			 * of black nodes. */
			if (!n->left || !n->right) {
				if (leaf_black < 0)
					leaf_black = black;
				else if (leaf_black != black)
					return -1;
			}
			if (n->left) {
				n = n->left;
				black += rb_is_black(n);
				continue;
			}
		}

		/* Left subtree done: n is next in order. */
		if (prev && less && less(n, prev))
			return -1;
		prev = n;
		count++;
		if (n->right) {
			n = n->right;
			black += rb_is_black(n);
			down = true;
			continue;
		}

		/* Climb out of every right subtree we are finishing; the first
		 * ancestor reached from its left side is the next to visit. */
		do {
			black -= rb_is_black(n);
			from = n;
			n = rb_parent(n);
			if (!n)
				return count;
		} while (from == n->right);
		down = false;
	}
}
