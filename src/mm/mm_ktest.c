/* ktest suites `buddy` and `slab`: the real page and object allocators inside
 * the booted kernel. Counts are compared after draining per-CPU lists and
 * shrinking caches, which assumes the rest of the kernel is quiet meanwhile
 * (true while ktest runs at boot). */
#include <umka/errno.h>
#include <umka/ktest.h>
#include <umka/mm.h>
#include <umka/percpu.h>
#include <umka/rcu.h>
#include <umka/slab.h>
#include <umka/string.h>

static struct mm_stats mm_stats_now(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st;
}

/* ---- buddy ------------------------------------------------------------------- */

static void buddy_every_order(struct ktest *t)
{
	unsigned o;

	for (o = 0; o <= MAX_ORDER; o++) {
		struct page *p = page_alloc(o, 0);
		char *va;

		if (!KT_EXPECT(t, p != NULL))
			continue;
		va = page_address(p);
		KT_EXPECT_EQ(t, page_to_phys(p) % (PAGE_SIZE << o), 0);
		KT_EXPECT_EQ(t, p->order, o);
		KT_EXPECT(t, p->flags == PG_ALLOC);
		KT_EXPECT(t, virt_to_page(va) == p);
		KT_EXPECT(t, virt_to_phys(va) == page_to_phys(p));
		KT_EXPECT(t, phys_to_virt(page_to_phys(p)) == va);
		memset(va, 0x3c, PAGE_SIZE << o);
		page_free(p, o);
	}
	KT_EXPECT(t, page_alloc(MAX_ORDER + 1, 0) == NULL);
}

static void buddy_coalesce(struct ktest *t)
{
	struct page *small[64], *mid[8];
	struct mm_stats before, after;
	unsigned i, o;

	mm_drain_pcp();
	before = mm_stats_now();
	for (i = 0; i < ARRAY_SIZE(small); i++)
		small[i] = page_alloc(0, 0);
	for (i = 0; i < ARRAY_SIZE(mid); i++)
		mid[i] = page_alloc(1 + i % 4, 0);
	for (i = 0; i < ARRAY_SIZE(small); i++)
		if (KT_EXPECT(t, small[i] != NULL))
			page_free(small[i], 0);
	for (i = 0; i < ARRAY_SIZE(mid); i++)
		if (KT_EXPECT(t, mid[i] != NULL))
			page_free(mid[i], 1 + i % 4);
	mm_drain_pcp();
	after = mm_stats_now();
	KT_EXPECT_EQ(t, after.free_pages, before.free_pages);
	KT_EXPECT_EQ(t, after.pcp_pages, 0);
	/* Splits healed: the same blocks of every order as before. */
	for (o = 0; o <= MAX_ORDER; o++)
		KT_EXPECT_EQ(t, after.free_blocks[o], before.free_blocks[o]);
}

static void buddy_gfp_zero(struct ktest *t)
{
	struct page *p = page_alloc(1, 0);
	unsigned char *va;
	size_t i, nonzero = 0;

	KT_ASSERT(t, p != NULL);
	memset(page_address(p), 0xff, 2 * PAGE_SIZE);
	page_free(p, 1);
	p = page_alloc(1, GFP_ZERO);
	KT_ASSERT(t, p != NULL);
	va = page_address(p);
	for (i = 0; i < 2 * PAGE_SIZE; i++)
		nonzero += va[i] != 0;
	KT_EXPECT_EQ(t, nonzero, 0);
	page_free(p, 1);
}

/* Allocate everything, largest blocks first, chaining the blocks through
 * their own first bytes (nothing is left to hold a list elsewhere). The
 * smallest blocks end up at the head of the chain. */
struct held_block {
	struct held_block *next;
	unsigned order;
};

static struct held_block *hold_all_pages(u64 *pages)
{
	struct held_block *head = NULL, *b;
	int o;

	*pages = 0;
	for (o = MAX_ORDER; o >= 0; o--) {
		while ((b = page_alloc_virt((unsigned)o, 0))) {
			b->order = (unsigned)o;
			b->next = head;
			head = b;
			*pages += 1ULL << o;
		}
	}
	return head;
}

/* Free blocks from the head until at least `pages` pages went back. */
static struct held_block *release_held(struct held_block *head, u64 pages)
{
	struct held_block *b;
	u64 freed = 0;

	while ((b = head) && freed < pages) {
		head = b->next;
		freed += 1ULL << b->order;
		page_free_virt(b, b->order);
	}
	return head;
}

static void buddy_exhaust_and_recover(struct ktest *t)
{
	u64 before = mm_free_pages_settled(), got;
	struct held_block *head = hold_all_pages(&got);
	void *p;

	KT_EXPECT(t, page_alloc(0, 0) == NULL);
	KT_EXPECT(t, page_alloc(MAX_ORDER, GFP_ZERO) == NULL);
	KT_EXPECT_EQ(t, mm_stats_now().free_pages, 0);
	release_held(head, UINT64_MAX);
	KT_EXPECT_EQ(t, got, before);
	KT_EXPECT_EQ(t, mm_free_pages_settled(), before);
	p = page_alloc_virt(0, 0);
	KT_EXPECT(t, p != NULL);
	page_free_virt(p, 0);
}

static void buddy_pcp_batch(struct ktest *t)
{
	struct page *p;
	struct mm_stats st;

	mm_drain_pcp();
	p = page_alloc(0, 0);
	KT_ASSERT(t, p != NULL);
	st = mm_stats_now();
	/* One batch came over; this CPU holds the rest of it. */
	KT_EXPECT(t, st.pcp_pages >= MM_PCP_BATCH - 1);
	KT_EXPECT(t, st.pcp_pages <= (u64)NR_CPUS * MM_PCP_HIGH);
	page_free(p, 0);
	mm_drain_pcp();
	KT_EXPECT_EQ(t, mm_stats_now().pcp_pages, 0);
}

KTEST_SUITE(buddy,
	KTEST_CASE(buddy_every_order),
	KTEST_CASE(buddy_coalesce),
	KTEST_CASE(buddy_gfp_zero),
	KTEST_CASE(buddy_exhaust_and_recover),
	KTEST_CASE(buddy_pcp_batch));

/* ---- slab ------------------------------------------------------------------------ */

static void slab_kmalloc_classes(struct ktest *t)
{
	static const size_t sizes[] = { 1, 8, 9, 16, 31, 64, 65, 96, 100, 128, 150, 192,
					200, 256, 300, 512, 1000, 1024, 2000, 2048, 4000,
					4096, 5000, 8192, 8193, 3 * PAGE_SIZE, 100000 };
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned char *p = kmalloc(sizes[i], 0);
		size_t n;

		if (!KT_EXPECT(t, p != NULL))
			continue;
		n = ksize(p);
		KT_EXPECT(t, n >= sizes[i]);
		KT_EXPECT(t, n < 2 * sizes[i] + 16);
		KT_EXPECT_EQ(t, (uintptr_t)p % (sizes[i] <= 8 ? 8 : 16), 0);
		memset(p, 0x77, n);
		kfree(p);
	}
	KT_EXPECT(t, kmalloc((PAGE_SIZE << MAX_ORDER) + 1, 0) == NULL);
	kfree(NULL);
	KT_EXPECT_EQ(t, ksize(NULL), 0);
}

static void slab_kzalloc(struct ktest *t)
{
	unsigned char *p = kmalloc(300, 0);
	size_t i, n, nonzero = 0;

	KT_ASSERT(t, p != NULL);
	memset(p, 0xee, ksize(p));
	kfree(p);
	p = kzalloc(300, 0);
	KT_ASSERT(t, p != NULL);
	n = ksize(p);
	for (i = 0; i < n; i++)
		nonzero += p[i] != 0;
	KT_EXPECT_EQ(t, nonzero, 0);
	kfree(p);
}

#define KT_OBJ_MAGIC 0x6b7465u

struct kt_obj {
	u32 magic;
	u32 serial;
	u64 payload[5];
};

static unsigned kt_ctor_calls;

static void kt_obj_ctor(void *p)
{
	struct kt_obj *o = p;

	o->magic = KT_OBJ_MAGIC;
	o->serial = 0;
	kt_ctor_calls++;
}

static void slab_cache_ctor(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("ktest_ctor", sizeof(struct kt_obj), 0,
						 kt_obj_ctor);
	struct kt_obj *objs[200];
	unsigned i, bad = 0;

	KT_ASSERT(t, c != NULL);
	kt_ctor_calls = 0;
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = kmem_cache_alloc(c, 0);
		if (!objs[i] || objs[i]->magic != KT_OBJ_MAGIC)
			bad++;
		else
			objs[i]->serial = i;
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT(t, kt_ctor_calls >= ARRAY_SIZE(objs));
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		kmem_cache_free(c, objs[i]);
	KT_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void slab_destroy_reports_leak(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("ktest_leak", 72, 0, NULL);
	void *obj;

	KT_ASSERT(t, c != NULL);
	obj = kmem_cache_alloc(c, 0);
	KT_ASSERT(t, obj != NULL);
	KT_EXPECT_EQ(t, kmem_cache_destroy(c), -EBUSY);
	kmem_cache_free(c, obj);
	KT_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

struct kt_cache_query {
	const char *name;
	struct kmem_cache_info info;
	unsigned found;
};

static void kt_find_cache(const struct kmem_cache_info *info, void *arg)
{
	struct kt_cache_query *q = arg;

	if (!strcmp(info->name, q->name)) {
		q->info = *info;
		q->found++;
	}
}

/* Enough objects to cycle through magazines, fill the depot and spill into
 * the slabs, each object tagged with its index to catch any aliasing. */
static void slab_magazines_and_depot(struct ktest *t)
{
	enum { N = 2000 };
	struct kmem_cache *c = kmem_cache_create("ktest_mag", 40, 0, NULL);
	struct kt_cache_query q = { .name = "ktest_mag" };
	u64 **objs = kmalloc(N * sizeof(*objs), 0);
	unsigned i, bad = 0, round;

	KT_ASSERT(t, c != NULL && objs != NULL);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < N; i++) {
			objs[i] = kmem_cache_alloc(c, 0);
			if (!objs[i]) {
				bad++;
				break;
			}
			objs[i][0] = i;
			objs[i][4] = ~(u64)i;
		}
		KT_EXPECT_EQ(t, bad, 0);
		if (bad)
			break;
		for (i = 0; i < N; i++)
			bad += objs[i][0] != i || objs[i][4] != ~(u64)i;
		KT_EXPECT_EQ(t, bad, 0);
		/* Free in a different order each round. */
		for (i = 0; i < N; i++)
			kmem_cache_free(c, objs[round == 1 ? N - 1 - i : i]);
	}
	slab_for_each_cache(kt_find_cache, &q);
	KT_EXPECT_EQ(t, q.found, 1);
	KT_EXPECT_EQ(t, q.info.active_objs, 0);
	KT_EXPECT_EQ(t, q.info.obj_size, 40);
	slab_shrink();
	q.found = 0;
	slab_for_each_cache(kt_find_cache, &q);
	KT_EXPECT_EQ(t, q.info.slabs, 0);
	KT_EXPECT_EQ(t, kmem_cache_destroy(c), 0);
	kfree(objs);
}

static void slab_memory_comes_back(struct ktest *t)
{
	u64 before = mm_free_pages_settled();
	void *ptrs[256];
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(ptrs); i++)
		ptrs[i] = kmalloc(16u << (i % 10), 0);
	for (i = 0; i < ARRAY_SIZE(ptrs); i++)
		kfree(ptrs[i]);
	KT_EXPECT_EQ(t, mm_free_pages_settled(), before);
}

/* Leave the slab layer a few hundred pages, then fill them: it must fail
 * cleanly (also for its own magazines) and give everything back. */
static void slab_exhaust_and_recover(struct ktest *t)
{
	u64 before = mm_free_pages_settled(), got;
	struct held_block *held = hold_all_pages(&got);
	void *head = NULL, *p;
	unsigned n = 0;

	held = release_held(held, 256);
	while ((p = kmalloc(2048, 0))) {
		*(void **)p = head;
		head = p;
		n++;
	}
	KT_EXPECT(t, n > 0);
	KT_EXPECT(t, kmalloc(2048, 0) == NULL);
	KT_EXPECT(t, kmalloc(20000, 0) == NULL);
	while ((p = head)) {
		head = *(void **)p;
		kfree(p);
	}
	release_held(held, UINT64_MAX);
	KT_EXPECT_EQ(t, mm_free_pages_settled(), before);
	p = kmalloc(2048, 0);
	KT_EXPECT(t, p != NULL);
	kfree(p);
}

KTEST_SUITE(slab,
	KTEST_CASE(slab_kmalloc_classes),
	KTEST_CASE(slab_kzalloc),
	KTEST_CASE(slab_cache_ctor),
	KTEST_CASE(slab_destroy_reports_leak),
	KTEST_CASE(slab_magazines_and_depot),
	KTEST_CASE(slab_memory_comes_back),
	KTEST_CASE(slab_exhaust_and_recover));
