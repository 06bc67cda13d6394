/* Intrusive circular doubly linked lists, the kernel's basic container. */
#ifndef UMKA_LIST_H
#define UMKA_LIST_H

#include <umka/types.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void list_init(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline void list_insert_between(struct list_head *n, struct list_head *prev,
				       struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Insert after head: stack order. */
static inline void list_add(struct list_head *n, struct list_head *head)
{
	list_insert_between(n, head, head->next);
}

/* Insert before head: queue order. */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	list_insert_between(n, head->prev, head);
}

/* Unlink and leave the node self-linked, so list_empty(n) tells "not queued". */
static inline void list_del_init(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

/* Move all of src to the tail of dst, leaving src empty. */
static inline void list_splice_tail_init(struct list_head *src, struct list_head *dst)
{
	if (list_empty(src))
		return;
	src->next->prev = dst->prev;
	dst->prev->next = src->next;
	src->prev->next = dst;
	dst->prev = src->prev;
	list_init(src);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, tmp, head) \
	for (pos = (head)->next, tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)
#define list_for_each_entry(pos, head, member)                         \
	for (pos = list_entry((head)->next, __typeof__(*pos), member); \
	     &pos->member != (head);                                   \
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

/* ---- NULL-terminated hash chains that lockless readers may walk ----------
 * Writers hold the chain's lock. A reader (under rcu_read_lock, the nodes
 * being freed only after a grace period) follows next pointers: insertion
 * publishes a node with release, and removal leaves the removed node's next
 * alone so a reader standing on it can go on. A node removed and hashed
 * elsewhere may lead a reader to another chain's end; readers must treat a
 * miss as "not sure" and recheck under the lock. */
struct hlist_node {
	struct hlist_node *next, **pprev;	/* pprev NULL: not on a chain */
};

struct hlist_head {
	struct hlist_node *first;
};

static inline void hlist_node_init(struct hlist_node *n)
{
	n->next = NULL;
	n->pprev = NULL;
}

static inline bool hlist_unhashed(const struct hlist_node *n)
{
	return n->pprev == NULL;
}

static inline void hlist_add_head_rcu(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	n->next = first;
	n->pprev = &h->first;
	if (first)
		first->pprev = &n->next;
	/* n is complete before a reader can reach it */
	__atomic_store_n(&h->first, n, __ATOMIC_RELEASE);
}

/* Unlink n; n->next stays for readers standing on n. */
static inline void hlist_del_rcu(struct hlist_node *n)
{
	struct hlist_node *next = n->next;

	__atomic_store_n(n->pprev, next, __ATOMIC_RELAXED);
	if (next)
		next->pprev = n->pprev;
	n->pprev = NULL;
}

/* The next node for a lockless reader (dependency-ordered after the load
 * that found the current one). */
static inline struct hlist_node *hlist_next_rcu(struct hlist_node *const *slot)
{
	return __atomic_load_n(slot, __ATOMIC_CONSUME);
}

#endif
