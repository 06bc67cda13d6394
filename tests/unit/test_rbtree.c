/* Unit tests for the red-black tree library (src/lib/rbtree.c).
 *
 * Trees are checked against a reference built independently of the tree:
 * the set of items believed to be in the tree, sorted by (key, insertion
 * sequence). Since the tree promises FIFO order among equal keys, its
 * in-order walk must match that reference exactly. All randomness comes from
 * a fixed-seed xorshift generator, so every run is reproducible. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <umka/rbtree.h>

#include "ck_run.h"

/* ck_assert() records a "mark point" through the fork pipe even when the
 * assertion holds, which is far too slow in loops that run millions of
 * times. REQUIRE only involves Check when something is wrong. */
#define REQUIRE(cond)                                                        \
	do {                                                                 \
		if (!(cond))                                                 \
			ck_abort_msg("requirement failed: %s", #cond);       \
	} while (0)

struct item {
	struct rb_node node;
	u32 key;
	u64 seq;		/* insertion order, to check FIFO among equals */
	u64 deadline;		/* augmented: subtree minimum is cached */
	u64 min_deadline;
	unsigned long size;	/* augmented: subtree node count */
	unsigned long height;	/* augmented: subtree height */
	bool in;		/* what the test believes; checked against tree */
};

#define ITEM(n) rb_entry(n, struct item, node)
#define CITEM(n) rb_entry(n, const struct item, node)

/* ---- PRNG: xorshift64* ------------------------------------------------- */

static u64 rng_state;

static void rng_seed(u64 seed)
{
	/* Spread small seeds out; xorshift must never hold zero. */
	rng_state = (seed + 1) * 0x9e3779b97f4a7c15ULL;
	if (!rng_state)
		rng_state = 1;
}

static u64 rng_next(void)
{
	u64 x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static u32 rng_below(u32 n)
{
	return (u32)((rng_next() >> 11) % n);
}

static void shuffle(size_t *v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_below((u32)i);
		size_t t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* ---- comparisons and augment callbacks --------------------------------- */

static bool key_less(const struct rb_node *a, const struct rb_node *b)
{
	return CITEM(a)->key < CITEM(b)->key;
}

/* The full order the tree should exhibit: keys, then insertion order. */
static bool key_seq_less(const struct rb_node *a, const struct rb_node *b)
{
	const struct item *x = CITEM(a), *y = CITEM(b);

	return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

static int ref_cmp(const void *pa, const void *pb)
{
	const struct item *a = *(struct item *const *)pa;
	const struct item *b = *(struct item *const *)pb;

	if (key_seq_less(&a->node, &b->node))
		return -1;
	return key_seq_less(&b->node, &a->node);
}

static unsigned long aug_calls;

static bool min_update(struct rb_node *n)
{
	struct item *it = ITEM(n);
	u64 m = it->deadline;

	aug_calls++;
	if (n->left && ITEM(n->left)->min_deadline < m)
		m = ITEM(n->left)->min_deadline;
	if (n->right && ITEM(n->right)->min_deadline < m)
		m = ITEM(n->right)->min_deadline;
	if (it->min_deadline == m)
		return false;
	it->min_deadline = m;
	return true;
}

/* Unlike the minimum, a count changes at every ancestor, so this one also
 * exercises propagation that never stops early. */
static bool size_update(struct rb_node *n)
{
	struct item *it = ITEM(n);
	unsigned long s = 1;

	aug_calls++;
	if (n->left)
		s += ITEM(n->left)->size;
	if (n->right)
		s += ITEM(n->right)->size;
	if (it->size == s)
		return false;
	it->size = s;
	return true;
}

/* Height depends on the shape, not just on which nodes are below, so a
 * rotation can change it at every ancestor: checks that the tree keeps
 * propagating after rotations while values still change. */
static bool height_update(struct rb_node *n)
{
	struct item *it = ITEM(n);
	unsigned long h = 0;

	aug_calls++;
	if (n->left && ITEM(n->left)->height > h)
		h = ITEM(n->left)->height;
	if (n->right && ITEM(n->right)->height > h)
		h = ITEM(n->right)->height;
	h++;
	if (it->height == h)
		return false;
	it->height = h;
	return true;
}

static const struct rb_augment aug_min = { min_update };
static const struct rb_augment aug_size = { size_update };
static const struct rb_augment aug_height = { height_update };

/* Brute-force recomputation, compared at every node. */
static u64 check_min(const struct rb_node *n)
{
	u64 m, c;

	if (!n)
		return UINT64_MAX;
	m = CITEM(n)->deadline;
	c = check_min(n->left);
	if (c < m)
		m = c;
	c = check_min(n->right);
	if (c < m)
		m = c;
	REQUIRE(CITEM(n)->min_deadline == m);
	return m;
}

static unsigned long check_size(const struct rb_node *n)
{
	unsigned long s;

	if (!n)
		return 0;
	s = 1 + check_size(n->left) + check_size(n->right);
	REQUIRE(CITEM(n)->size == s);
	return s;
}

static unsigned long check_height(const struct rb_node *n)
{
	unsigned long l, r;

	if (!n)
		return 0;
	l = check_height(n->left);
	r = check_height(n->right);
	REQUIRE(CITEM(n)->height == 1 + (l > r ? l : r));
	return 1 + (l > r ? l : r);
}

static unsigned int ceil_log2(unsigned long x)
{
	unsigned int l = 0;

	while ((1UL << l) < x)
		l++;
	return l;
}

/* A red-black tree of n nodes is at most 2*log2(n+1) nodes high; insert and
 * erase walk one path and rotate at most three times, each rotation costing
 * a handful of updates. Anything beyond this means work is not O(log n). */
static unsigned long aug_bound(const struct rb_augment *aug, unsigned long n)
{
	unsigned long height = 2UL * ceil_log2(n + 2);

	/* A shape-dependent value may have to be carried to the root after
	 * each of the (at most three) rotations too. */
	if (aug == &aug_height)
		return 4 * height + 12;
	return height + 12;
}

/* ---- a tree plus everything needed to check it ------------------------- */

struct world {
	struct item *items;
	size_t nitems;
	struct item **ref;	/* scratch for the sorted reference */
	struct rb_root_cached root;
	bool cached;		/* use the _cached API and check leftmost */
	const struct rb_augment *aug;
	unsigned long count;
	u64 seq;
	u32 keyspace, dlspace;
	unsigned long max_aug_calls;
};

static void world_init(struct world *w, size_t n, bool cached,
		       const struct rb_augment *aug, u32 keyspace, u32 dlspace)
{
	memset(w, 0, sizeof(*w));
	w->items = calloc(n, sizeof(*w->items));
	w->ref = calloc(n, sizeof(*w->ref));
	ck_assert_ptr_nonnull(w->items);
	ck_assert_ptr_nonnull(w->ref);
	w->nitems = n;
	w->root = RB_ROOT_CACHED;
	w->cached = cached;
	w->aug = aug;
	w->keyspace = keyspace;
	w->dlspace = dlspace;
	for (size_t i = 0; i < n; i++)
		rb_clear_node(&w->items[i].node);
}

static void world_free(struct world *w)
{
	free(w->items);
	free(w->ref);
}

static void w_insert(struct world *w, struct item *it)
{
	REQUIRE(!it->in && !rb_node_linked(&it->node));
	it->key = rng_below(w->keyspace);
	it->deadline = rng_below(w->dlspace);
	it->seq = w->seq++;
	aug_calls = 0;
	if (w->cached)
		rb_add_cached(&it->node, &w->root, key_less, w->aug);
	else
		rb_add(&it->node, &w->root.root, key_less, w->aug);
	it->in = true;
	w->count++;
	REQUIRE(rb_node_linked(&it->node));
	if (w->aug) {
		REQUIRE(aug_calls <= aug_bound(w->aug, w->count));
		if (aug_calls > w->max_aug_calls)
			w->max_aug_calls = aug_calls;
	}
	if (w->cached)
		REQUIRE(w->root.leftmost == rb_first(&w->root.root));
}

static void w_erase(struct world *w, struct item *it)
{
	REQUIRE(it->in && rb_node_linked(&it->node));
	aug_calls = 0;
	if (w->cached)
		rb_erase_cached(&w->root, &it->node, w->aug);
	else
		rb_erase(&w->root.root, &it->node, w->aug);
	it->in = false;
	REQUIRE(!rb_node_linked(&it->node));
	if (w->aug) {
		REQUIRE(aug_calls <= aug_bound(w->aug, w->count));
		if (aug_calls > w->max_aug_calls)
			w->max_aug_calls = aug_calls;
	}
	w->count--;
	if (w->cached)
		REQUIRE(w->root.leftmost == rb_first(&w->root.root));
}

/* Everything: invariants, exact order both ways, leftmost, augmentation. */
static void w_check(struct world *w)
{
	const struct rb_root *root = &w->root.root;
	struct rb_node *n;
	size_t nref = 0, i;

	REQUIRE(rb_validate(root, key_seq_less) == (long)w->count);

	for (i = 0; i < w->nitems; i++)
		if (w->items[i].in)
			w->ref[nref++] = &w->items[i];
	REQUIRE(nref == w->count);
	qsort(w->ref, nref, sizeof(*w->ref), ref_cmp);

	i = 0;
	for (n = rb_first(root); n; n = rb_next(n)) {
		REQUIRE(i < nref);
		REQUIRE(ITEM(n) == w->ref[i]);
		i++;
	}
	REQUIRE(i == nref);
	for (n = rb_last(root); n; n = rb_prev(n)) {
		REQUIRE(i > 0);
		REQUIRE(ITEM(n) == w->ref[--i]);
	}
	REQUIRE(i == 0);

	if (w->cached)
		REQUIRE(rb_first_cached(&w->root) == rb_first(root));
	if (w->aug == &aug_min)
		check_min(root->node);
	else if (w->aug == &aug_size)
		REQUIRE(check_size(root->node) == w->count);
	else if (w->aug == &aug_height)
		check_height(root->node);
}

/*
 * Fill the tree in random order, churn it (random toggles plus the
 * pop-first/pop-last patterns queues use), then drain it, running the full
 * check every check_every operations.
 */
static void run_random(u64 seed, size_t pool, u32 keyspace, u32 dlspace,
		       long churn, long check_every, bool cached,
		       const struct rb_augment *aug)
{
	struct world w;
	size_t *perm = calloc(pool, sizeof(*perm));
	long op = 0;
	size_t i;

	ck_assert_ptr_nonnull(perm);
	world_init(&w, pool, cached, aug, keyspace, dlspace);
	rng_seed(seed);

	for (i = 0; i < pool; i++)
		perm[i] = i;
	shuffle(perm, pool);
	for (i = 0; i < pool; i++) {
		w_insert(&w, &w.items[perm[i]]);
		if (++op % check_every == 0)
			w_check(&w);
	}
	w_check(&w);

	for (long c = 0; c < churn; c++) {
		u32 r = rng_below(16);
		struct item *it;

		if (r == 0 && w.count)
			it = ITEM(rb_first(&w.root.root));
		else if (r == 1 && w.count)
			it = ITEM(rb_last(&w.root.root));
		else
			it = &w.items[rng_below((u32)pool)];
		if (it->in)
			w_erase(&w, it);
		else
			w_insert(&w, it);
		if (++op % check_every == 0)
			w_check(&w);
	}
	w_check(&w);

	shuffle(perm, pool);
	for (i = 0; i < pool; i++) {
		struct item *it = &w.items[perm[i]];

		if (!it->in)
			continue;
		w_erase(&w, it);
		if (++op % check_every == 0)
			w_check(&w);
	}
	w_check(&w);
	REQUIRE(rb_empty(&w.root.root));
	REQUIRE(w.root.leftmost == NULL);
	for (i = 0; i < pool; i++)
		REQUIRE(!rb_node_linked(&w.items[i].node));

	world_free(&w);
	free(perm);
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_empty)
{
	struct rb_root root = RB_ROOT;
	struct rb_root_cached croot = RB_ROOT_CACHED;

	ck_assert(rb_empty(&root));
	ck_assert_ptr_null(rb_first(&root));
	ck_assert_ptr_null(rb_last(&root));
	ck_assert_int_eq(rb_validate(&root, key_less), 0);
	ck_assert_ptr_null(rb_first_cached(&croot));
	ck_assert(rb_empty(&croot.root));
}
END_TEST

START_TEST(test_single)
{
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct item a = { .key = 7, .deadline = 3 };

	rb_clear_node(&a.node);
	ck_assert(!rb_node_linked(&a.node));
	/* Iterating from a node outside any tree finds nothing. */
	ck_assert_ptr_null(rb_next(&a.node));
	ck_assert_ptr_null(rb_prev(&a.node));

	rb_add_cached(&a.node, &root, key_less, &aug_min);
	ck_assert(rb_node_linked(&a.node));
	ck_assert_ptr_eq(rb_first_cached(&root), &a.node);
	ck_assert_ptr_eq(rb_first(&root.root), &a.node);
	ck_assert_ptr_eq(rb_last(&root.root), &a.node);
	ck_assert_ptr_null(rb_next(&a.node));
	ck_assert_ptr_null(rb_prev(&a.node));
	ck_assert_int_eq(rb_validate(&root.root, key_less), 1);
	ck_assert_uint_eq(a.min_deadline, 3);

	rb_erase_cached(&root, &a.node, &aug_min);
	ck_assert(!rb_node_linked(&a.node));
	ck_assert(rb_empty(&root.root));
	ck_assert_ptr_null(rb_first_cached(&root));
	ck_assert_int_eq(rb_validate(&root.root, key_less), 0);

	/* An erased node can go straight back in, uncached API this time. */
	rb_add(&a.node, &root.root, key_less, NULL);
	ck_assert(rb_node_linked(&a.node));
	ck_assert_int_eq(rb_validate(&root.root, key_less), 1);
	rb_erase(&root.root, &a.node, NULL);
	ck_assert(!rb_node_linked(&a.node));
	ck_assert(rb_empty(&root.root));
}
END_TEST

/* Small trees, full check after every single operation, several seeds. */
START_TEST(test_random_small_plain)
{
	run_random(100 + _i, 64, 16, 1, 3000, 1, false, NULL);
}
END_TEST

START_TEST(test_random_small_cached)
{
	run_random(200 + _i, 150, 40, 1, 3000, 1, true, NULL);
}
END_TEST

/* Few distinct deadlines: many ties, so update() often reports "unchanged"
 * and the early-stop paths get exercised. */
START_TEST(test_random_small_aug_min)
{
	run_random(300 + _i, 200, 50, 8, 4000, 1, _i & 1, &aug_min);
}
END_TEST

START_TEST(test_random_small_aug_min_wide)
{
	run_random(400 + _i, 200, 1000, 1u << 30, 4000, 1, _i & 1, &aug_min);
}
END_TEST

START_TEST(test_random_small_aug_size)
{
	run_random(500 + _i, 200, 50, 1, 4000, 1, _i & 1, &aug_size);
}
END_TEST

START_TEST(test_random_small_aug_height)
{
	run_random(550 + _i, 200, 50, 1, 4000, 1, _i & 1, &aug_height);
}
END_TEST

/* 100k nodes, checked every 10k operations. */
START_TEST(test_random_large_plain)
{
	run_random(600, 100000, 50000, 1, 200000, 10000, false, NULL);
}
END_TEST

START_TEST(test_random_large_cached_aug)
{
	run_random(700, 100000, 1u << 31, 1u << 20, 200000, 10000, true, &aug_min);
}
END_TEST

/* Monotonic insertion is the classic worst case for naive trees, and
 * popping the minimum is how a run queue uses the cached tree. */
START_TEST(test_sequential)
{
	const size_t n = 10000;
	struct item *items = calloc(n, sizeof(*items));
	struct rb_root_cached root = RB_ROOT_CACHED;
	int pass;

	ck_assert_ptr_nonnull(items);
	for (pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			size_t idx = pass ? n - 1 - i : i;
			struct item *it = &items[idx];

			it->key = (u32)idx;
			it->seq = i;
			aug_calls = 0;
			rb_add_cached(&it->node, &root, key_less, &aug_size);
			REQUIRE(aug_calls <= aug_bound(&aug_size, i + 1));
			REQUIRE(root.leftmost == &items[pass ? idx : 0].node);
			if (i % 100 == 0)
				REQUIRE(rb_validate(&root.root, key_less) == (long)i + 1);
		}
		REQUIRE(rb_validate(&root.root, key_less) == (long)n);
		REQUIRE(check_size(root.root.node) == n);
		/* A tree this size must be shallow: 2*log2(n+1) at most. */
		for (size_t i = 0; i < n; i++) {
			unsigned int depth = 0;
			const struct rb_node *p = &items[i].node;

			while ((p = rb_parent(p)))
				depth++;
			REQUIRE(depth < 2 * ceil_log2(n + 1));
		}
		for (size_t i = 0; i < n; i++) {
			struct rb_node *first = rb_first_cached(&root);

			REQUIRE(first == &items[i].node);
			aug_calls = 0;
			rb_erase_cached(&root, first, &aug_size);
			REQUIRE(aug_calls <= aug_bound(&aug_size, n - i));
			REQUIRE(!rb_node_linked(first));
			REQUIRE(root.leftmost == rb_first(&root.root));
			if (i % 100 == 0) {
				REQUIRE(rb_validate(&root.root, key_less) ==
					(long)(n - i - 1));
				REQUIRE(check_size(root.root.node) == n - i - 1);
			}
		}
		REQUIRE(rb_empty(&root.root));
		REQUIRE(root.leftmost == NULL);
	}
	free(items);
}
END_TEST

/* Equal keys come out in insertion order, also after removals and after
 * re-inserting, which puts an item at the back of its group. */
START_TEST(test_duplicates_fifo)
{
	enum { N = 1000, KEYS = 5 };
	struct item items[N];
	struct rb_root_cached root = RB_ROOT_CACHED;
	struct rb_node *n;
	size_t expect[N], ne = 0, i;

	memset(items, 0, sizeof(items));
	for (i = 0; i < N; i++) {
		items[i].key = i % KEYS;
		rb_add_cached(&items[i].node, &root, key_less, NULL);
	}
	ck_assert_int_eq(rb_validate(&root.root, key_less), N);
	ck_assert_ptr_eq(rb_first_cached(&root), &items[0].node);

	i = 0;
	for (n = rb_first(&root.root); n; n = rb_next(n), i++) {
		size_t key = i / (N / KEYS), nth = i % (N / KEYS);

		REQUIRE(ITEM(n) == &items[key + KEYS * nth]);
	}
	ck_assert_uint_eq(i, N);

	/* Drop every third item; the survivors keep their relative order. */
	for (i = 0; i < N; i += 3)
		rb_erase_cached(&root, &items[i].node, NULL);
	ck_assert_ptr_eq(rb_first_cached(&root), &items[5].node);
	for (size_t k = 0; k < KEYS; k++)
		for (i = k; i < N; i += KEYS)
			if (i % 3)
				expect[ne++] = i;
	ck_assert_int_eq(rb_validate(&root.root, key_less), (long)ne);
	i = 0;
	for (n = rb_first(&root.root); n; n = rb_next(n), i++)
		REQUIRE(i < ne && ITEM(n) == &items[expect[i]]);
	ck_assert_uint_eq(i, ne);

	/* Re-added items join the back of their key's group, in the order
	 * they are re-added. */
	for (i = 0; i < N; i += 3)
		rb_add_cached(&items[i].node, &root, key_less, NULL);
	ne = 0;
	for (size_t k = 0; k < KEYS; k++) {
		for (i = k; i < N; i += KEYS)
			if (i % 3)
				expect[ne++] = i;
		for (i = 0; i < N; i += 3)
			if (i % KEYS == k)
				expect[ne++] = i;
	}
	ck_assert_uint_eq(ne, N);
	ck_assert_int_eq(rb_validate(&root.root, key_less), N);
	ck_assert_ptr_eq(rb_first_cached(&root), &items[5].node);

	i = 0;
	for (n = rb_first(&root.root); n; n = rb_next(n), i++)
		REQUIRE(ITEM(n) == &items[expect[i]]);
	ck_assert_uint_eq(i, N);
	for (n = rb_last(&root.root); n; n = rb_prev(n))
		REQUIRE(ITEM(n) == &items[expect[--i]]);
	ck_assert_uint_eq(i, 0);
}
END_TEST

START_TEST(test_iteration)
{
	enum { N = 2000 };
	struct item *items = calloc(N, sizeof(*items));
	struct rb_root root = RB_ROOT;
	struct rb_node *n, *first, *last;
	size_t count;

	ck_assert_ptr_nonnull(items);
	rng_seed(42);
	for (size_t i = 0; i < N; i++) {
		items[i].key = rng_below(500);
		items[i].seq = i;
		rb_add(&items[i].node, &root, key_less, NULL);
	}
	ck_assert_int_eq(rb_validate(&root, key_seq_less), N);

	first = rb_first(&root);
	last = rb_last(&root);
	ck_assert_ptr_null(rb_prev(first));
	ck_assert_ptr_null(rb_next(last));

	count = 0;
	for (n = first; n; n = rb_next(n)) {
		struct rb_node *next = rb_next(n);

		count++;
		if (next) {
			REQUIRE(key_seq_less(n, next));
			REQUIRE(rb_prev(next) == n);
		} else {
			REQUIRE(n == last);
		}
	}
	ck_assert_uint_eq(count, N);

	count = 0;
	for (n = last; n; n = rb_prev(n)) {
		struct rb_node *prev = rb_prev(n);

		count++;
		if (prev) {
			REQUIRE(key_seq_less(prev, n));
			REQUIRE(rb_next(prev) == n);
		} else {
			REQUIRE(n == first);
		}
	}
	ck_assert_uint_eq(count, N);
	free(items);
}
END_TEST

/* Callers doing their own search (here: set semantics, duplicates refused)
 * through rb_link_node + rb_insert_fixup. */
START_TEST(test_manual_link)
{
	enum { N = 5000, KEYS = 2000 };
	struct item *items = calloc(N, sizeof(*items));
	struct rb_root root = RB_ROOT;
	bool seen[KEYS] = { false };
	long distinct = 0;

	ck_assert_ptr_nonnull(items);
	rng_seed(7);
	for (size_t i = 0; i < N; i++) {
		struct item *it = &items[i];
		struct rb_node **link = &root.node, *parent = NULL;
		bool dup = false;

		it->key = rng_below(KEYS);
		rb_clear_node(&it->node);
		while (*link) {
			parent = *link;
			if (it->key < ITEM(parent)->key) {
				link = &parent->left;
			} else if (it->key > ITEM(parent)->key) {
				link = &parent->right;
			} else {
				dup = true;
				break;
			}
		}
		REQUIRE(dup == seen[it->key]);
		if (dup)
			continue;
		seen[it->key] = true;
		distinct++;
		rb_link_node(&it->node, parent, link);
		rb_insert_fixup(&root, &it->node, &aug_size);
		if (i % 50 == 0)
			REQUIRE(rb_validate(&root, key_less) == distinct);
	}
	ck_assert_int_eq(rb_validate(&root, key_less), distinct);
	ck_assert_uint_eq(check_size(root.node), (unsigned long)distinct);

	/* Strictly increasing: no duplicate made it in. */
	for (struct rb_node *n = rb_first(&root); n && rb_next(n); n = rb_next(n))
		REQUIRE(ITEM(n)->key < ITEM(rb_next(n))->key);

	for (size_t i = 0; i < N; i++) {
		if (!rb_node_linked(&items[i].node))
			continue;
		rb_erase(&root, &items[i].node, &aug_size);
		REQUIRE(!rb_node_linked(&items[i].node));
		distinct--;
		if (i % 50 == 0) {
			REQUIRE(rb_validate(&root, key_less) == distinct);
			REQUIRE(check_size(root.node) == (unsigned long)distinct);
		}
	}
	ck_assert_int_eq(distinct, 0);
	ck_assert(rb_empty(&root));
	free(items);
}
END_TEST

/* The validator must itself catch broken trees, or the other tests prove
 * little. Each corruption is undone before the next. */
START_TEST(test_validate_detects_corruption)
{
	enum { N = 127 };
	struct item items[N];
	struct rb_root root = RB_ROOT;
	struct rb_node *n, *red = NULL, *leaf = NULL;
	uintptr_t saved;
	u32 k;

	memset(items, 0, sizeof(items));
	for (size_t i = 0; i < N; i++) {
		items[i].key = (u32)i;
		rb_add(&items[i].node, &root, key_less, NULL);
	}
	ck_assert_int_eq(rb_validate(&root, key_less), N);

	/* Out-of-order keys: only detectable with a comparison. */
	k = items[0].key;
	items[0].key = items[N - 1].key;
	items[N - 1].key = k;
	ck_assert_int_eq(rb_validate(&root, key_less), -1);
	ck_assert_int_eq(rb_validate(&root, NULL), N);
	items[N - 1].key = items[0].key;
	items[0].key = k;
	ck_assert_int_eq(rb_validate(&root, key_less), N);

	/* Red root. */
	root.node->parent_color &= ~(uintptr_t)1;
	ck_assert_int_eq(rb_validate(&root, key_less), -1);
	root.node->parent_color |= 1;
	ck_assert_int_eq(rb_validate(&root, key_less), N);

	for (n = rb_first(&root); n; n = rb_next(n)) {
		if (!(n->parent_color & 1) && !red)
			red = n;
		if (!n->left && !n->right && rb_parent(n) != root.node && !leaf)
			leaf = n;
	}

	/* Blackening a red node adds a black to some paths only. */
	if (red) {
		red->parent_color |= 1;
		ck_assert_int_eq(rb_validate(&root, NULL), -1);
		red->parent_color &= ~(uintptr_t)1;
		ck_assert_int_eq(rb_validate(&root, key_less), N);
	}

	/* Reddening a black non-root node: black heights differ, or a red
	 * node gets a red neighbour. */
	for (n = rb_first(&root); n; n = rb_next(n)) {
		if (n == root.node || !(n->parent_color & 1))
			continue;
		n->parent_color &= ~(uintptr_t)1;
		REQUIRE(rb_validate(&root, NULL) == -1);
		n->parent_color |= 1;
	}
	ck_assert_int_eq(rb_validate(&root, key_less), N);

	/* A parent pointer that disagrees with the child link. */
	ck_assert_ptr_nonnull(leaf);
	saved = leaf->parent_color;
	leaf->parent_color = (uintptr_t)root.node | (saved & 1);
	ck_assert_int_eq(rb_validate(&root, NULL), -1);
	leaf->parent_color = saved;

	/* Stray low bit in the parent word. */
	leaf->parent_color |= 2;
	ck_assert_int_eq(rb_validate(&root, NULL), -1);
	leaf->parent_color = saved;
	ck_assert_int_eq(rb_validate(&root, key_less), N);
}
END_TEST

/* Hand-built three-node chains: equal black heights everywhere, so only the
 * no-red-child-of-red rule separates the broken one from the valid one. */
START_TEST(test_validate_red_red)
{
	struct item it[3];
	struct rb_root root;

	memset(it, 0, sizeof(it));
	for (int i = 0; i < 3; i++)
		it[i].key = i;
	/* 2 (black) -> left 1 (red) -> left 0 (red) */
	root.node = &it[2].node;
	it[2].node.parent_color = 1;
	it[2].node.left = &it[1].node;
	it[1].node.parent_color = (uintptr_t)&it[2].node;
	it[1].node.left = &it[0].node;
	it[0].node.parent_color = (uintptr_t)&it[1].node;
	ck_assert_int_eq(rb_validate(&root, key_less), -1);

	/* Same shape rebalanced by hand: 1 (black) with red 0 and 2. */
	root.node = &it[1].node;
	it[1].node = (struct rb_node){ 1, &it[0].node, &it[2].node };
	it[0].node = (struct rb_node){ (uintptr_t)&it[1].node, NULL, NULL };
	it[2].node = (struct rb_node){ (uintptr_t)&it[1].node, NULL, NULL };
	ck_assert_int_eq(rb_validate(&root, key_less), 3);
	ck_assert_ptr_eq(rb_first(&root), &it[0].node);
	ck_assert_ptr_eq(rb_next(&it[0].node), &it[1].node);
	ck_assert_ptr_eq(rb_next(&it[1].node), &it[2].node);
}
END_TEST

static Suite *rbtree_suite(void)
{
	Suite *s = suite_create("rbtree");
	TCase *basic = tcase_create("basic");
	TCase *random = tcase_create("random");
	TCase *large = tcase_create("large");

	tcase_add_test(basic, test_empty);
	tcase_add_test(basic, test_single);
	tcase_add_test(basic, test_duplicates_fifo);
	tcase_add_test(basic, test_iteration);
	tcase_add_test(basic, test_manual_link);
	tcase_add_test(basic, test_validate_detects_corruption);
	tcase_add_test(basic, test_validate_red_red);
	tcase_set_timeout(basic, 60);
	suite_add_tcase(s, basic);

	tcase_add_loop_test(random, test_random_small_plain, 0, 4);
	tcase_add_loop_test(random, test_random_small_cached, 0, 4);
	tcase_add_loop_test(random, test_random_small_aug_min, 0, 4);
	tcase_add_loop_test(random, test_random_small_aug_min_wide, 0, 2);
	tcase_add_loop_test(random, test_random_small_aug_size, 0, 2);
	tcase_add_loop_test(random, test_random_small_aug_height, 0, 2);
	tcase_set_timeout(random, 300);
	suite_add_tcase(s, random);

	/* Generous: these also have to finish under valgrind. */
	tcase_add_test(large, test_sequential);
	tcase_add_test(large, test_random_large_plain);
	tcase_add_test(large, test_random_large_cached_aug);
	tcase_set_timeout(large, 900);
	suite_add_tcase(s, large);

	return s;
}

int main(void)
{
	return ck_run(rbtree_suite(), false);
}
