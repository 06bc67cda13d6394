/* Intrusive red-black trees, optionally augmented (each node caches a value
 * computed from its subtree, kept true through rotations) and optionally
 * caching the leftmost node for O(1) minimum. Callers do their own locking. */
#ifndef UMKA_RBTREE_H
#define UMKA_RBTREE_H

#include <umka/types.h>

struct rb_node {
	uintptr_t parent_color;	/* parent pointer | colour in bit 0 (1 = black) */
	struct rb_node *left, *right;
};

struct rb_root {
	struct rb_node *node;
};

struct rb_root_cached {
	struct rb_root root;
	struct rb_node *leftmost;
};

/* Augmentation: update(n) recomputes n's cached subtree value from n and its
 * children and returns true if the value changed. The tree calls it on every
 * node whose subtree changed, children before parents. */
struct rb_augment {
	bool (*update)(struct rb_node *n);
};

#define RB_ROOT ((struct rb_root){ NULL })
#define RB_ROOT_CACHED ((struct rb_root_cached){ { NULL }, NULL })
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
#define rb_entry_safe(ptr, type, member) \
	((ptr) ? rb_entry(ptr, type, member) : NULL)

static inline struct rb_node *rb_parent(const struct rb_node *n)
{
	return (struct rb_node *)(n->parent_color & ~(uintptr_t)3);
}

static inline bool rb_empty(const struct rb_root *r)
{
	return r->node == NULL;
}

/* A node not in any tree points at itself; rb_clear_node marks it so. */
static inline void rb_clear_node(struct rb_node *n)
{
	n->parent_color = (uintptr_t)n;
}

static inline bool rb_node_linked(const struct rb_node *n)
{
	return n->parent_color != (uintptr_t)n;
}

/* Hang node (red, no children) at *link below parent; then call
 * rb_insert_fixup to rebalance. Split so callers can search with their own
 * comparison and keep the path. */
void rb_link_node(struct rb_node *node, struct rb_node *parent, struct rb_node **link);
void rb_insert_fixup(struct rb_root *root, struct rb_node *node, const struct rb_augment *aug);
void rb_erase(struct rb_root *root, struct rb_node *node, const struct rb_augment *aug);

struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/* Insert node ordered by less(); equal keys go to the right (FIFO among
 * equals). aug may be NULL. */
void rb_add(struct rb_node *node, struct rb_root *root,
	    bool (*less)(const struct rb_node *a, const struct rb_node *b),
	    const struct rb_augment *aug);

/* Cached-leftmost versions. */
void rb_add_cached(struct rb_node *node, struct rb_root_cached *root,
		   bool (*less)(const struct rb_node *a, const struct rb_node *b),
		   const struct rb_augment *aug);
void rb_erase_cached(struct rb_root_cached *root, struct rb_node *node,
		     const struct rb_augment *aug);

static inline struct rb_node *rb_first_cached(const struct rb_root_cached *r)
{
	return r->leftmost;
}

/* Debug/test helper: checks colour, black-height and parent links and that
 * in-order traversal is sorted by less() (if non-NULL). Returns the number of
 * nodes, or -1 if an invariant is broken. */
long rb_validate(const struct rb_root *root,
		 bool (*less)(const struct rb_node *a, const struct rb_node *b));

#endif
