/* Unit tests for the buddy page allocator on the fake machine: sanitizing
 * odd memory maps, randomized alloc/free against a bitmap of page frames,
 * per-CPU batching, exhaustion, and bad frees that must panic naming the
 * caller. Each test runs in its own process (libcheck's fork mode). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umka/mm.h>
#include <umka/percpu.h>

#include "ck_run.h"
#include "fake_arch.h"

static struct boot_info *bi;
static void *ram;
static size_t ram_size;

/* A machine with `bytes` of RAM in one usable region. Memory checkers keep
 * poison across munmap, so clear it on the old RAM before it goes. */
static struct boot_info *machine(size_t bytes)
{
	if (ram)
		arch_mem_unpoison(ram, ram_size);
	bi = fake_boot_info(bytes);
	ram = (void *)bi->direct_map;
	ram_size = bytes;
	return bi;
}

static void set_map(const struct mem_region *r, unsigned n)
{
	memcpy(bi->mem, r, n * sizeof(*r));
	bi->nr_mem = n;
}

static u64 map_pages_for(u64 span_pages)
{
	return (span_pages * sizeof(struct page) + PAGE_SIZE - 1) / PAGE_SIZE;
}

static u64 pfn_of(const struct page *p)
{
	return page_to_phys(p) >> PAGE_SHIFT;
}

static struct mm_stats stats(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st;
}

static void assert_stats_eq(const struct mm_stats *a, const struct mm_stats *b)
{
	ck_assert_uint_eq(a->total_pages, b->total_pages);
	ck_assert_uint_eq(a->free_pages, b->free_pages);
	ck_assert_uint_eq(a->pcp_pages, b->pcp_pages);
	for (unsigned o = 0; o <= MAX_ORDER; o++)
		ck_assert_msg(a->free_blocks[o] == b->free_blocks[o],
			      "order %u: %llu free blocks, expected %llu", o,
			      (unsigned long long)a->free_blocks[o],
			      (unsigned long long)b->free_blocks[o]);
}

/* Allocate every order-0 page, check each lies in [lo, hi) of one of the
 * allowed byte ranges and is handed out once, then free them all. */
struct range {
	u64 lo, hi;
};

static u64 alloc_all_pages(const struct range *ok, unsigned nr_ok)
{
	u64 npfn = ram_size / PAGE_SIZE, n = 0;
	struct page **pages = calloc(npfn, sizeof(*pages));
	unsigned char *seen = calloc(npfn, 1);
	struct page *p;

	ck_assert(pages && seen);
	while ((p = page_alloc(0, 0))) {
		u64 pa = page_to_phys(p);
		bool inside = false;

		for (unsigned i = 0; i < nr_ok; i++)
			inside |= pa >= ok[i].lo && pa + PAGE_SIZE <= ok[i].hi;
		if (!inside)
			ck_abort_msg("page at 0x%llx is outside usable memory",
				     (unsigned long long)pa);
		if (seen[pa / PAGE_SIZE])
			ck_abort_msg("page 0x%llx handed out twice", (unsigned long long)pa);
		seen[pa / PAGE_SIZE] = 1;
		if (virt_to_page(page_address(p)) != p)
			ck_abort_msg("virt_to_page(page_address(p)) != p");
		memset(page_address(p), 0x5a, PAGE_SIZE);
		pages[n++] = p;
	}
	ck_assert_uint_eq(stats().free_pages, 0);
	for (u64 i = 0; i < n; i++)
		page_free(pages[i], 0);
	free(pages);
	free(seen);
	return n;
}

/* ---- Memory maps ---------------------------------------------------------- */

START_TEST(test_single_region)
{
	struct mm_stats before, st;
	struct range all = { 0, MiB(8) };
	u64 map = map_pages_for(2048);

	machine(MiB(8));
	mm_init(bi);
	st = stats();
	ck_assert_uint_eq(st.total_pages, 2048 - map);
	ck_assert_uint_eq(st.free_pages, st.total_pages);
	ck_assert_uint_eq(st.pcp_pages, 0);
	/* The top 4 MiB must be one max-order block. */
	ck_assert_uint_ge(st.free_blocks[MAX_ORDER], 1);
	before = st;
	ck_assert_uint_eq(alloc_all_pages(&all, 1), st.total_pages);
	mm_drain_pcp();
	st = stats();
	assert_stats_eq(&st, &before);
}
END_TEST

START_TEST(test_holes)
{
	const struct mem_region map[] = {
		{ MiB(8), MiB(4), MEM_USABLE },
		{ 0, MiB(4), MEM_USABLE },
	};
	const struct range ok[] = { { 0, MiB(4) }, { MiB(8), MiB(12) } };
	u64 mp = map_pages_for(MiB(12) / PAGE_SIZE);

	machine(MiB(16));
	set_map(map, 2);
	mm_init(bi);
	ck_assert_uint_eq(stats().total_pages, 2048 - mp);
	ck_assert_ptr_null(virt_to_page((char *)ram + MiB(5)));
	ck_assert_ptr_null(virt_to_page((char *)ram + MiB(12)));
	ck_assert_ptr_null(virt_to_page((char *)ram));	/* holds mem_map */
	ck_assert_ptr_nonnull(virt_to_page((char *)ram + MiB(8)));
	ck_assert_uint_eq(alloc_all_pages(ok, 2), 2048 - mp);
}
END_TEST

START_TEST(test_overlaps)
{
	const struct mem_region map[] = {
		{ 0, MiB(4), MEM_USABLE },
		{ MiB(2), MiB(4), MEM_USABLE },
		{ MiB(1), MiB(2), MEM_USABLE },
		{ MiB(6), MiB(1), MEM_USABLE },		/* touches the end */
		{ MiB(3), 0, MEM_RESERVED },		/* empty: ignored */
	};
	const struct range ok = { 0, MiB(7) };
	u64 pages = MiB(7) / PAGE_SIZE;

	machine(MiB(8));
	set_map(map, ARRAY_SIZE(map));
	mm_init(bi);
	ck_assert_uint_eq(stats().total_pages, pages - map_pages_for(pages));
	ck_assert_uint_eq(alloc_all_pages(&ok, 1), pages - map_pages_for(pages));
}
END_TEST

START_TEST(test_reserved_wins)
{
	/* Reserved listed first, unaligned, overlapping usable memory. */
	const struct mem_region map[] = {
		{ MiB(1) + 100, MiB(1) - 150, MEM_RESERVED },
		{ 0, MiB(8), MEM_USABLE },
		{ MiB(7), MiB(2), MEM_RESERVED },
		{ MiB(3), PAGE_SIZE, 77 },		/* unknown type: treated as reserved */
	};
	const struct range ok[] = { { 0, MiB(1) }, { MiB(2), MiB(3) }, { MiB(3) + PAGE_SIZE, MiB(7) } };
	u64 span = MiB(7) / PAGE_SIZE;
	u64 expect = span - 256 - 1 - map_pages_for(span);

	machine(MiB(8));
	set_map(map, ARRAY_SIZE(map));
	mm_init(bi);
	ck_assert_uint_eq(stats().total_pages, expect);
	ck_assert_ptr_null(virt_to_page((char *)ram + MiB(1)));
	ck_assert_ptr_null(virt_to_page((char *)ram + MiB(2) - 1));
	ck_assert_ptr_null(virt_to_page((char *)ram + MiB(3)));
	ck_assert_ptr_null(virt_to_page((char *)ram + MiB(7)));
	ck_assert_ptr_nonnull(virt_to_page((char *)ram + MiB(1) - 1));
	ck_assert_ptr_nonnull(virt_to_page((char *)ram + MiB(2)));
	ck_assert_uint_eq(alloc_all_pages(ok, 3), expect);
}
END_TEST

START_TEST(test_tiny_and_unaligned)
{
	const struct mem_region map[] = {
		{ 0x1234, 3000, MEM_USABLE },			/* no whole page */
		{ 0x10100, 0x20000, MEM_USABLE },		/* -> 0x11000-0x30000 */
		{ 0x40000, 0x3000, MEM_USABLE },		/* 3 pages: a sliver */
		{ 0x100800, 0xff800, MEM_USABLE },		/* -> 0x101000-0x200000 */
		{ 0x50000, 0x2000, MEM_USABLE },		/* two slivers that touch */
		{ 0x52000, 0x2000, MEM_USABLE },		/* make one 4-page range */
		{ UINT64_MAX - 4095, 8192, MEM_USABLE },	/* wraps around */
		{ UINT64_MAX - 100, 1000, MEM_RESERVED },	/* wraps around */
	};
	const struct range ok[] = { { 0x11000, 0x30000 }, { 0x50000, 0x54000 },
				    { 0x101000, 0x200000 } };
	u64 span = (0x200000 - 0x11000) / PAGE_SIZE;
	u64 expect = 0x1f + 4 + 0xff - map_pages_for(span);

	machine(MiB(2));
	set_map(map, ARRAY_SIZE(map));
	mm_init(bi);
	ck_assert_uint_eq(stats().total_pages, expect);
	ck_assert_ptr_null(virt_to_page((char *)ram + 0x40000));
	ck_assert_ptr_nonnull(virt_to_page((char *)ram + 0x53000));
	ck_assert_uint_eq(alloc_all_pages(ok, 3), expect);
}
END_TEST

START_TEST(test_far_range_dropped)
{
	/* mem_map for a 60 MiB span fits in neither range: the top one goes. */
	const struct mem_region map[] = {
		{ 0, KiB(256), MEM_USABLE },
		{ MiB(60), KiB(64), MEM_USABLE },
	};

	machine(MiB(61));
	set_map(map, 2);
	fake_console_clear();
	mm_init(bi);
	ck_assert_uint_eq(stats().total_pages, 64 - map_pages_for(64));
	ck_assert_ptr_nonnull(strstr(fake_console(), "ignoring memory"));
	ck_assert_ptr_null(virt_to_page((char *)ram + MiB(60)));
}
END_TEST

static void run_mm_init(void *arg)
{
	mm_init(arg);
}

static void expect_init_panic(const char *needle)
{
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(run_mm_init, bi), HALT_PANIC);
	ck_assert_msg(strstr(fake_console(), needle), "no \"%s\" in:\n%s", needle,
		      fake_console());
}

START_TEST(test_all_reserved_panics)
{
	const struct mem_region map[] = {
		{ 0, MiB(4), MEM_USABLE },
		{ 0, MiB(8), MEM_RESERVED },
	};

	machine(MiB(8));
	set_map(map, 2);
	expect_init_panic("no usable memory");
}
END_TEST

START_TEST(test_empty_map_panics)
{
	machine(MiB(1));
	bi->nr_mem = 0;
	expect_init_panic("no usable memory");
}
END_TEST

START_TEST(test_too_small_panics)
{
	machine(KiB(32));
	expect_init_panic("too little usable memory");
}
END_TEST

/* ---- Allocation ------------------------------------------------------------ */

START_TEST(test_every_order)
{
	machine(MiB(16));
	mm_init(bi);
	for (unsigned o = 0; o <= MAX_ORDER; o++) {
		struct page *p = page_alloc(o, 0);
		char *va;

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(pfn_of(p) % (1u << o), 0);
		ck_assert_uint_eq(p->flags, PG_ALLOC);
		ck_assert_uint_eq(p->order, o);
		va = page_address(p);
		ck_assert_ptr_eq(phys_to_virt(page_to_phys(p)), va);
		ck_assert_uint_eq(virt_to_phys(va), page_to_phys(p));
		ck_assert_ptr_eq(virt_to_page(va + (PAGE_SIZE << o) - 1),
				 p + (1u << o) - 1);
		memset(va, 0xee, PAGE_SIZE << o);
		page_free(p, o);
	}
	ck_assert_ptr_null(page_alloc(MAX_ORDER + 1, 0));
	ck_assert_ptr_null(page_alloc(~0u, 0));
	page_free_virt(NULL, 3);	/* a no-op */
	{
		void *v = page_alloc_virt(2, 0);

		ck_assert_ptr_nonnull(v);
		page_free_virt(v, 2);
	}
}
END_TEST

START_TEST(test_gfp_zero)
{
	struct page *p;
	unsigned char *va;

	machine(MiB(4));
	mm_init(bi);
	p = page_alloc(2, 0);
	memset(page_address(p), 0xa5, PAGE_SIZE << 2);
	page_free(p, 2);
	p = page_alloc(2, GFP_ZERO);
	va = page_address(p);
	for (size_t i = 0; i < PAGE_SIZE << 2; i++)
		if (va[i])
			ck_abort_msg("byte %zu is 0x%x", i, va[i]);
	page_free(p, 2);
}
END_TEST

static u64 rng_state;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct live {
	struct page *page;
	unsigned order;
};

/* Is there an aligned run of 2^order managed pages none of which is handed
 * out? Then a correct buddy allocator (which merges eagerly) must find it. */
static bool reference_has_block(const unsigned char *used, u64 first, u64 npfn, unsigned order)
{
	u64 n = 1ULL << order;

	for (u64 pfn = (first + n - 1) & ~(n - 1); pfn + n <= npfn; pfn += n) {
		u64 i;

		for (i = 0; i < n && !used[pfn + i]; i++)
			;
		if (i == n)
			return true;
	}
	return false;
}

START_TEST(test_random_against_bitmap)
{
	const u64 npfn = MiB(16) / PAGE_SIZE;
	const unsigned max_live = 3000, ops = 20000;
	struct live *live = calloc(max_live, sizeof(*live));
	unsigned char *used = calloc(npfn, 1);
	struct mm_stats before, st;
	unsigned nr_live = 0, fails = 0;
	u64 first, allocated = 0;

	ck_assert(live && used);
	machine(MiB(16));
	mm_init(bi);
	before = stats();
	first = npfn - before.total_pages;	/* mem_map sits at the bottom */
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (unsigned op = 0; op < ops; op++) {
		bool do_alloc = nr_live == 0 || (nr_live < max_live && rng() % 100 < 60);

		if (do_alloc) {
			unsigned order = rng() % 100 < 70 ? 0 : 1 + rng() % MAX_ORDER;
			struct page *p = page_alloc(order, 0);
			u64 pfn, *sig;

			if (!p) {
				if (reference_has_block(used, first, npfn, order))
					ck_abort_msg("op %u: order %u failed with a free block", op,
						     order);
				fails++;
				continue;
			}
			pfn = pfn_of(p);
			/* Plain ifs in the loops: every passing ck_assert costs a
			 * message to the parent process. */
			if (pfn % (1ULL << order) || pfn < first || pfn + (1ULL << order) > npfn)
				ck_abort_msg("op %u: bad block pfn %llu order %u", op,
					     (unsigned long long)pfn, order);
			for (u64 i = 0; i < (1ULL << order); i++) {
				if (used[pfn + i])
					ck_abort_msg("op %u: pfn %llu handed out twice", op,
						     (unsigned long long)(pfn + i));
				used[pfn + i] = 1;
			}
			sig = page_address(p);
			sig[0] = pfn * 7 + order;
			sig[(PAGE_SIZE << order) / 8 - 1] = ~(pfn * 7 + order);
			live[nr_live++] = (struct live){ p, order };
			allocated += 1ULL << order;
		} else {
			unsigned k = rng() % nr_live;
			struct live l = live[k];
			u64 pfn = pfn_of(l.page), *sig = page_address(l.page);

			if (sig[0] != pfn * 7 + l.order ||
			    sig[(PAGE_SIZE << l.order) / 8 - 1] != ~(pfn * 7 + l.order))
				ck_abort_msg("op %u: block at pfn %llu was overwritten", op,
					     (unsigned long long)pfn);
			for (u64 i = 0; i < (1ULL << l.order); i++)
				used[pfn + i] = 0;
			page_free(l.page, l.order);
			live[k] = live[--nr_live];
			allocated -= 1ULL << l.order;
		}
		if (op % 1000 == 0) {
			st = stats();
			ck_assert_uint_eq(st.free_pages, st.total_pages - allocated);
		}
	}
	ck_assert_uint_gt(fails, 0);	/* the run did reach exhaustion */
	while (nr_live) {
		nr_live--;
		page_free(live[nr_live].page, live[nr_live].order);
	}
	mm_drain_pcp();
	st = stats();
	assert_stats_eq(&st, &before);
	free(live);
	free(used);
}
END_TEST

START_TEST(test_pcp_batching)
{
	struct page *pages[200], *p;
	struct mm_stats before, st;

	machine(MiB(8));
	mm_init(bi);
	before = stats();
	p = page_alloc(0, 0);
	st = stats();
	ck_assert_uint_eq(st.pcp_pages, MM_PCP_BATCH - 1);
	ck_assert_uint_eq(st.free_pages, before.free_pages - 1);
	page_free(p, 0);
	ck_assert_uint_eq(stats().pcp_pages, MM_PCP_BATCH);
	/* Hot reuse: the page just freed comes back first. */
	ck_assert_ptr_eq(page_alloc(0, 0), p);
	page_free(p, 0);

	for (unsigned i = 0; i < 200; i++) {
		pages[i] = page_alloc(0, 0);
		if (!pages[i] || stats().pcp_pages >= MM_PCP_BATCH)
			ck_abort_msg("alloc %u: %p, %llu pages on the pcp list", i, (void *)pages[i],
				     (unsigned long long)stats().pcp_pages);
	}
	for (unsigned i = 0; i < 200; i++) {
		page_free(pages[i], 0);
		if (stats().pcp_pages > MM_PCP_HIGH)
			ck_abort_msg("free %u: pcp list above its high mark", i);
	}
	st = stats();
	ck_assert_uint_ge(st.pcp_pages, MM_PCP_HIGH - MM_PCP_BATCH);
	ck_assert_uint_eq(st.free_pages, before.free_pages);
	mm_drain_pcp();
	st = stats();
	assert_stats_eq(&st, &before);
}
END_TEST

START_TEST(test_exhaustion)
{
	struct page **held = malloc(4096 * sizeof(*held));
	unsigned *orders = malloc(4096 * sizeof(*orders));
	struct mm_stats before, st;
	unsigned n = 0;

	machine(MiB(8));
	mm_init(bi);
	before = stats();
	for (int o = MAX_ORDER; o >= 0; o--) {
		struct page *p;

		while ((p = page_alloc((unsigned)o, 0))) {
			held[n] = p;
			orders[n++] = (unsigned)o;
		}
	}
	st = stats();
	ck_assert_uint_eq(st.free_pages, 0);
	ck_assert_ptr_null(page_alloc(0, 0));
	ck_assert_ptr_null(page_alloc(3, GFP_ZERO));
	ck_assert_ptr_null(page_alloc_virt(0, 0));
	while (n--)
		page_free(held[n], orders[n]);
	mm_drain_pcp();
	st = stats();
	assert_stats_eq(&st, &before);
	ck_assert_ptr_nonnull(page_alloc(MAX_ORDER, 0));
	free(held);
	free(orders);
}
END_TEST

/* A cache of pages for the shrinker tests: scan gives back the oldest. */
struct page_hoard {
	struct shrinker s;
	struct page *held[64];
	unsigned n, first;
	unsigned counts, scans;
	unsigned long asked;
};

static unsigned long hoard_count(struct shrinker *s)
{
	struct page_hoard *h = container_of(s, struct page_hoard, s);

	h->counts++;
	return h->n - h->first;
}

static unsigned long hoard_scan(struct shrinker *s, unsigned long nr)
{
	struct page_hoard *h = container_of(s, struct page_hoard, s);
	unsigned long done = 0;

	h->scans++;
	h->asked += nr;
	while (done < nr && h->first < h->n) {
		page_free(h->held[h->first++], 0);
		done++;
	}
	return done;
}

static void hoard_fill(struct page_hoard *h, unsigned n)
{
	h->s = (struct shrinker){ .name = "hoard", .count = hoard_count, .scan = hoard_scan };
	for (h->n = 0; h->n < n; h->n++) {
		h->held[h->n] = page_alloc(0, 0);
		ck_assert_ptr_nonnull(h->held[h->n]);
	}
}

/* Every page in use; returns them in a malloc'd array for release. */
static struct page **take_all(unsigned *n)
{
	struct page **held = malloc(8192 * sizeof(*held));
	struct page *p;

	*n = 0;
	while ((p = page_alloc(0, 0)))
		held[(*n)++] = p;
	return held;
}

START_TEST(test_shrinker_frees_before_oom)
{
	struct page_hoard h = { 0 }, idle = { 0 };
	struct mm_reclaim_stats a, b;
	struct page **held, *p;
	unsigned n;

	machine(MiB(8));
	mm_init(bi);
	hoard_fill(&h, 40);
	hoard_fill(&idle, 0);
	register_shrinker(&h.s);
	register_shrinker(&idle.s);
	held = take_all(&n);
	mm_get_reclaim_stats(&a);
	/* out of pages: the allocator asked the hoard, took what it gave */
	ck_assert_uint_ge(h.scans, 1);
	ck_assert_uint_ge(h.first, MM_SHRINK_MIN < 40 ? MM_SHRINK_MIN : 40);
	ck_assert_uint_eq(h.first, 40);		/* everything went, in the end */
	ck_assert_uint_ge(idle.counts, 1);
	ck_assert_uint_eq(idle.scans, 0);		/* nothing to free: not scanned */
	ck_assert_uint_ge(a.runs, 1);
	ck_assert_uint_eq(a.freed, 40);
	/* nothing left to free: the allocation fails as before */
	ck_assert_ptr_null(page_alloc(0, 0));
	mm_get_reclaim_stats(&b);
	ck_assert_uint_eq(b.freed, a.freed);
	/* unregistered: never asked again */
	unregister_shrinker(&h.s);
	unregister_shrinker(&idle.s);
	p = held[--n];
	page_free(p, 0);
	h.counts = idle.counts = 0;
	ck_assert_ptr_nonnull(page_alloc(0, 0));	/* the freed one */
	ck_assert_ptr_null(page_alloc(0, 0));
	ck_assert_uint_eq(h.counts, 0);
	ck_assert_uint_eq(idle.counts, 0);
	free(held);
}
END_TEST

START_TEST(test_shrinker_not_from_atomic_context)
{
	struct page_hoard h = { 0 };
	struct mm_reclaim_stats a, b;
	struct page **held;
	unsigned n;

	machine(MiB(8));
	mm_init(bi);
	hoard_fill(&h, 8);
	register_shrinker(&h.s);
	preempt_disable();	/* as a spinlock holder */
	held = take_all(&n);
	mm_get_reclaim_stats(&a);
	ck_assert_uint_eq(h.scans, 0);
	ck_assert_uint_eq(h.counts, 0);
	ck_assert_uint_ge(a.skipped, 1);
	ck_assert_uint_eq(a.runs, 0);
	preempt_enable();
	/* the same allocation may reclaim once preemptible again */
	ck_assert_ptr_nonnull(page_alloc(0, 0));
	mm_get_reclaim_stats(&b);
	ck_assert_uint_eq(b.runs, 1);
	ck_assert_uint_eq(h.scans, 1);
	free(held);
}
END_TEST

START_TEST(test_oom_with_pages_on_pcp)
{
	/* Pages parked on the per-CPU list must not make a high-order
	 * allocation fail: page_alloc drains the lists and retries. */
	struct page **pages = malloc(2048 * sizeof(*pages));
	struct mm_stats st;
	struct page *p;
	unsigned n = 0;

	machine(MiB(8));
	mm_init(bi);
	while ((p = page_alloc(0, 0)))
		pages[n++] = p;
	for (unsigned i = 0; i < n; i++)
		page_free(pages[i], 0);
	st = stats();
	ck_assert_uint_gt(st.pcp_pages, 0);
	ck_assert_uint_eq(st.free_blocks[MAX_ORDER], 0);
	ck_assert_ptr_nonnull(page_alloc(MAX_ORDER, 0));
	free(pages);
}
END_TEST

/* ---- Bad frees --------------------------------------------------------------- */

struct bad_free {
	struct page *page;
	unsigned order;
	void *addr;
};

/* The free happens here so the panic must name this function; the empty asm
 * after the call keeps the compiler from turning it into a tail call. */
static __attribute__((noinline)) void do_page_free(void *arg)
{
	struct bad_free *b = arg;

	page_free(b->page, b->order);
	__asm__ __volatile__("" ::: "memory");
}

static __attribute__((noinline)) void do_page_free_virt(void *arg)
{
	struct bad_free *b = arg;

	page_free_virt(b->addr, b->order);
	__asm__ __volatile__("" ::: "memory");
}

/* The panic line names the caller as "(called from 0x<pc>)": the pc must
 * lie in fn. */
static void check_caller(void (*fn)(void *))
{
	uintptr_t pc = fake_panic_caller();

	ck_assert_msg(pc, "no caller in:\n%s", fake_console());
	ck_assert_msg(pc > (uintptr_t)fn && pc < (uintptr_t)fn + 0x1000,
		      "caller 0x%lx is not in the function that made the call (0x%lx)",
		      (unsigned long)pc, (unsigned long)(uintptr_t)fn);
}

static void expect_free_panic(void (*fn)(void *), struct bad_free *b, const char *needle)
{
	struct mm_stats before = stats(), after;

	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(fn, b), HALT_PANIC);
	ck_assert_msg(strstr(fake_console(), needle), "no \"%s\" in:\n%s", needle,
		      fake_console());
	check_caller(fn);
	/* A refused free changes nothing: the allocator carries on. */
	after = stats();
	assert_stats_eq(&after, &before);
	ck_assert_ptr_nonnull(page_alloc(1, 0));
}

START_TEST(test_double_free_order0)
{
	struct bad_free b = { .order = 0 };

	machine(MiB(4));
	mm_init(bi);
	b.page = page_alloc(0, 0);
	page_free(b.page, 0);
	expect_free_panic(do_page_free, &b, "double free");
}
END_TEST

START_TEST(test_double_free_merged)
{
	struct bad_free b = { .order = 3 };

	machine(MiB(4));
	mm_init(bi);
	b.page = page_alloc(3, 0);
	page_free(b.page, 3);	/* merges back into a larger block */
	expect_free_panic(do_page_free, &b, "double free");
}
END_TEST

START_TEST(test_wrong_order)
{
	struct bad_free b = { .order = 1 };

	machine(MiB(4));
	mm_init(bi);
	b.page = page_alloc(2, 0);
	expect_free_panic(do_page_free, &b, "freed with order 1, allocated with order 2");
}
END_TEST

START_TEST(test_tail_page)
{
	struct bad_free b = { .order = 0 };
	struct page *p;

	machine(MiB(4));
	mm_init(bi);
	p = page_alloc(2, 0);
	b.page = virt_to_page((char *)page_address(p) + PAGE_SIZE);
	expect_free_panic(do_page_free, &b, "not the head of an allocated block");
}
END_TEST

START_TEST(test_reserved_page)
{
	const struct mem_region map[] = {
		{ 0, MiB(8), MEM_USABLE },
		{ MiB(4), PAGE_SIZE, MEM_RESERVED },
	};
	struct bad_free b = { .order = 0 };
	struct page *p;

	machine(MiB(8));
	set_map(map, 2);
	mm_init(bi);
	p = page_alloc(0, 0);
	/* mem_map is one array, so the reserved frame's struct page is here. */
	b.page = p + (MiB(4) / PAGE_SIZE - pfn_of(p));
	expect_free_panic(do_page_free, &b, "reserved page");
}
END_TEST

START_TEST(test_foreign_struct_page)
{
	struct page fake;
	struct bad_free b = { .page = &fake, .order = 0 };

	machine(MiB(4));
	mm_init(bi);
	memset(&fake, 0, sizeof(fake));
	fake.flags = PG_ALLOC;
	expect_free_panic(do_page_free, &b, "not a struct page of managed memory");
}
END_TEST

START_TEST(test_misaligned_struct_page)
{
	struct bad_free b = { .order = 0 };

	machine(MiB(4));
	mm_init(bi);
	b.page = (struct page *)((char *)page_alloc(0, 0) + 8);
	expect_free_panic(do_page_free, &b, "not a struct page of managed memory");
}
END_TEST

START_TEST(test_free_virt_bad_address)
{
	struct bad_free b = { .order = 0 };
	char *va;

	machine(MiB(4));
	mm_init(bi);
	va = page_alloc_virt(0, 0);
	b.addr = va + 100;
	expect_free_panic(do_page_free_virt, &b, "not a page in managed memory");
}
END_TEST

#ifdef UMKA_DEBUG
START_TEST(test_overlapping_block)
{
	/* A forged "allocated head" over pages that are still free. */
	struct bad_free b = { .order = 2 };
	struct page *p;

	machine(MiB(4));
	mm_init(bi);
	p = page_alloc(0, 0);
	b.page = p;
	p->order = 2;	/* pretend it was an order-2 allocation: p[1] is on the pcp list */
	expect_free_panic(do_page_free, &b, "overlaps free or foreign pages");
}
END_TEST
#endif

static Suite *buddy_suite(void)
{
	Suite *s = suite_create("buddy");
	TCase *maps = tcase_create("memory_map");
	TCase *alloc = tcase_create("alloc");
	TCase *bad = tcase_create("bad_free");

	tcase_add_test(maps, test_single_region);
	tcase_add_test(maps, test_holes);
	tcase_add_test(maps, test_overlaps);
	tcase_add_test(maps, test_reserved_wins);
	tcase_add_test(maps, test_tiny_and_unaligned);
	tcase_add_test(maps, test_far_range_dropped);
	tcase_add_test(maps, test_all_reserved_panics);
	tcase_add_test(maps, test_empty_map_panics);
	tcase_add_test(maps, test_too_small_panics);
	suite_add_tcase(s, maps);

	tcase_set_timeout(alloc, 60);
	tcase_add_test(alloc, test_every_order);
	tcase_add_test(alloc, test_gfp_zero);
	tcase_add_test(alloc, test_random_against_bitmap);
	tcase_add_test(alloc, test_pcp_batching);
	tcase_add_test(alloc, test_exhaustion);
	tcase_add_test(alloc, test_oom_with_pages_on_pcp);
	tcase_add_test(alloc, test_shrinker_frees_before_oom);
	tcase_add_test(alloc, test_shrinker_not_from_atomic_context);
	suite_add_tcase(s, alloc);

	tcase_add_test(bad, test_double_free_order0);
	tcase_add_test(bad, test_double_free_merged);
	tcase_add_test(bad, test_wrong_order);
	tcase_add_test(bad, test_tail_page);
	tcase_add_test(bad, test_reserved_page);
	tcase_add_test(bad, test_foreign_struct_page);
	tcase_add_test(bad, test_misaligned_struct_page);
	tcase_add_test(bad, test_free_virt_bad_address);
#ifdef UMKA_DEBUG
	tcase_add_test(bad, test_overlapping_block);
#endif
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	return ck_run(buddy_suite(), false);
}
