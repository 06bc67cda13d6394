/* The buddy page allocator: owns every usable page frame of the boot memory
 * map. Free blocks of 2^order pages split on allocation and merge with their
 * buddy on free; order-0 pages pass through per-CPU lists, refilled from and
 * drained to the buddy lists in batches so the common case takes no shared lock. */
#include <umka/arch.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/percpu.h>
#include <umka/printk.h>
#include <umka/spinlock.h>
#include <umka/string.h>
#include <umka/trace.h>

/* Stable tracepoint (docs/tracing.md): page_alloc returns NULL after reclaim. */
DEFINE_TRACEPOINT(page_alloc_fail, "order=%llu");

/* Usable pieces of the memory map: merged usable regions, each cut at most
 * once more by every reserved region. */
#define MM_MAX_RANGES (2 * BOOT_MEM_MAX)
/* Slivers between firmware areas are not worth a hole in mem_map. */
#define MM_MIN_RANGE_PAGES 4
/* Below this there is nothing to run a kernel in. */
#define MM_MIN_PAGES 16

struct pfn_range {
	u64 start;	/* first page frame */
	u64 end;	/* one past the last */
};

/* Who owns a struct page: while free, page->flags/order/lru belong to
 * buddy_lock (PG_BUDDY heads and the pages inside their blocks) or to the
 * per-CPU list's lock (PG_PCP); while allocated (PG_ALLOC head), to the
 * owner, which may add PG_SLAB/PG_KMALLOC and must clear them before
 * page_free. page_free takes a block back with one atomic step on the
 * head's flags, so racing frees of one block cannot both succeed. */

/* Set by mm_init before anything else runs; read-only afterwards. */
static uintptr_t direct_map;
static struct page *mem_map;	/* a struct page for every pfn in [base_pfn, end_pfn) */
static u64 base_pfn, end_pfn;
static u64 managed_pages;

struct free_area {
	struct list_head blocks;	/* heads of free blocks of this order */
	u64 nr;
};

static struct spinlock buddy_lock;
static struct free_area free_areas[MAX_ORDER + 1];	/* buddy_lock */
static u64 buddy_free_pages;				/* buddy_lock */

/* A CPU's cache of free order-0 pages. Only its own CPU touches it in the
 * fast path, with interrupts off; the lock is there so mm_drain_pcp can empty
 * another CPU's list, and is uncontended otherwise. It is taken before
 * buddy_lock, never after (LOCK_LEVEL_PCP). */
struct pcp {
	struct spinlock lock;
	struct list_head pages;	/* lock; hottest first */
	unsigned count;		/* lock */
} __cacheline_aligned;

static struct pcp pcps[NR_CPUS];

/* ---- Frame numbers ------------------------------------------------------- */

static inline u64 page_pfn(const struct page *page)
{
	return base_pfn + (u64)(page - mem_map);
}

static inline struct page *pfn_page(u64 pfn)
{
	return &mem_map[pfn - base_pfn];
}

void *page_address(const struct page *page)
{
	return (void *)(direct_map + (uintptr_t)(page_pfn(page) << PAGE_SHIFT));
}

phys_addr_t page_to_phys(const struct page *page)
{
	return page_pfn(page) << PAGE_SHIFT;
}

void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(direct_map + (uintptr_t)pa);
}

phys_addr_t virt_to_phys(const void *addr)
{
	return (phys_addr_t)((uintptr_t)addr - direct_map);
}

struct page *virt_to_page(const void *addr)
{
	uintptr_t va = (uintptr_t)addr;
	struct page *page;
	u64 pfn;

	if (!mem_map || va < direct_map)
		return NULL;
	pfn = (u64)(va - direct_map) >> PAGE_SHIFT;
	if (pfn < base_pfn || pfn >= end_pfn)
		return NULL;
	page = pfn_page(pfn);
	if (READ_ONCE(page->flags) & PG_RESERVED)
		return NULL;
	return page;
}

/* ---- The buddy lists ------------------------------------------------------ */

/* Put the free block at pfn on the lists, merging it upward while its buddy
 * is a whole free block of the same order. A buddy outside mem_map, reserved
 * or only partly free never carries PG_BUDDY with that order, so holes and
 * firmware areas can never be swallowed. Caller holds buddy_lock. */
static void buddy_insert(u64 pfn, unsigned order)
{
	struct page *head;

	while (order < MAX_ORDER) {
		u64 bpfn = pfn ^ (1ULL << order);
		struct page *b;

		if (bpfn < base_pfn || bpfn >= end_pfn)
			break;
		b = pfn_page(bpfn);
		if (b->flags != PG_BUDDY || b->order != order)
			break;
		list_del_init(&b->lru);
		free_areas[order].nr--;
		b->flags = 0;
		pfn &= ~(1ULL << order);
		order++;
	}
	head = pfn_page(pfn);
	head->flags = PG_BUDDY;
	head->order = (u8)order;
	list_add(&head->lru, &free_areas[order].blocks);
	free_areas[order].nr++;
}

/* Take a block of exactly 2^order pages, splitting a larger one if needed;
 * the unused halves go back on the lower lists. Caller holds buddy_lock. */
static struct page *buddy_remove(unsigned order)
{
	struct page *page;
	unsigned o;
	u64 pfn;

	for (o = order; o <= MAX_ORDER; o++)
		if (!list_empty(&free_areas[o].blocks))
			break;
	if (o > MAX_ORDER)
		return NULL;
	page = list_first_entry(&free_areas[o].blocks, struct page, lru);
	if (page->flags != PG_BUDDY || page->order != o)
		panic("buddy: free list of order %u corrupted at page %p (flags 0x%x, order %u)",
		      o, (void *)page, page->flags, page->order);
	list_del_init(&page->lru);
	free_areas[o].nr--;
	pfn = page_pfn(page);
	while (o > order) {
		struct page *half;

		o--;
		half = pfn_page(pfn + (1ULL << o));
		half->flags = PG_BUDDY;
		half->order = (u8)o;
		list_add(&half->lru, &free_areas[o].blocks);
		free_areas[o].nr++;
	}
	page->flags = 0;
	page->order = (u8)order;
	buddy_free_pages -= 1ULL << order;
	return page;
}

static struct page *buddy_alloc(unsigned order)
{
	unsigned long flags = spin_lock_irqsave(&buddy_lock);
	struct page *page = buddy_remove(order);

	spin_unlock_irqrestore(&buddy_lock, flags);
	return page;
}

static void buddy_free(struct page *page, unsigned order)
{
	unsigned long flags = spin_lock_irqsave(&buddy_lock);

	buddy_insert(page_pfn(page), order);
	buddy_free_pages += 1ULL << order;
	spin_unlock_irqrestore(&buddy_lock, flags);
}

/* ---- Per-CPU order-0 lists ------------------------------------------------ */

/* Interrupts must be off: that is what keeps the CPU from changing under us
 * and an interrupt handler on this CPU from finding the list half-updated. */
static struct pcp *pcp_lock_local(void)
{
	struct pcp *p = &pcps[arch_cpu_id()];

	spin_lock(&p->lock);
	return p;
}

static void pcp_unlock(struct pcp *p)
{
	spin_unlock(&p->lock);
}

/* Move up to n of the coldest pages back to the buddy lists. Caller holds
 * p->lock with interrupts off. */
static void pcp_drain(struct pcp *p, unsigned n)
{
	if (!p->count)
		return;
	spin_lock(&buddy_lock);
	while (n-- && p->count) {
		struct page *page = list_entry(p->pages.prev, struct page, lru);

		list_del_init(&page->lru);
		p->count--;
		page->flags = 0;
		buddy_insert(page_pfn(page), 0);
		buddy_free_pages++;
	}
	spin_unlock(&buddy_lock);
}

static void pcp_refill(struct pcp *p)
{
	unsigned i;

	spin_lock(&buddy_lock);
	for (i = 0; i < MM_PCP_BATCH; i++) {
		struct page *page = buddy_remove(0);

		if (!page)
			break;
		page->flags = PG_PCP;
		list_add_tail(&page->lru, &p->pages);
		p->count++;
	}
	spin_unlock(&buddy_lock);
}

static struct page *pcp_alloc(void)
{
	unsigned long flags = irq_save();
	struct pcp *p = pcp_lock_local();
	struct page *page = NULL;

	if (!p->count)
		pcp_refill(p);
	if (p->count) {
		page = list_first_entry(&p->pages, struct page, lru);
		list_del_init(&page->lru);
		p->count--;
		page->flags = 0;
	}
	pcp_unlock(p);
	irq_restore(flags);
	return page;
}

static void pcp_free(struct page *page)
{
	unsigned long flags = irq_save();
	struct pcp *p = pcp_lock_local();

	page->flags = PG_PCP;
	page->order = 0;
	list_add(&page->lru, &p->pages);
	if (++p->count > MM_PCP_HIGH)
		pcp_drain(p, MM_PCP_BATCH);
	pcp_unlock(p);
	irq_restore(flags);
}

void mm_drain_pcp(void)
{
	unsigned cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		unsigned long flags = irq_save();
		struct pcp *p = &pcps[cpu];

		spin_lock(&p->lock);
		pcp_drain(p, p->count);
		spin_unlock(&p->lock);
		irq_restore(flags);
	}
}

/* ---- Allocation and free -------------------------------------------------- */

static struct page *page_alloc_once(unsigned order)
{
	return order == 0 ? pcp_alloc() : buddy_alloc(order);
}

struct page *page_alloc(unsigned order, unsigned gfp)
{
	struct page *page;
	void *addr;

	if (order > MAX_ORDER)
		return NULL;
	page = page_alloc_once(order);
	if (!page) {
		/* Free pages may be parked on other CPUs' lists, or keep two
		 * halves from merging; give them back and try once more. */
		mm_drain_pcp();
		page = page_alloc_once(order);
		/* Then ask the caches to give memory back (mm.h: only where
		 * the caller may sleep), and try a last time. */
		if (!page && mm_reclaim())
			page = page_alloc_once(order);
		if (!page) {
			TRACE(page_alloc_fail, order);
			return NULL;
		}
	}
	page->order = (u8)order;
	__atomic_store_n(&page->flags, PG_ALLOC, __ATOMIC_RELEASE);
	addr = page_address(page);
	arch_mem_unpoison(addr, PAGE_SIZE << order);
	if (gfp & GFP_ZERO)
		memset(addr, 0, PAGE_SIZE << order);
	return page;
}

void *page_alloc_virt(unsigned order, unsigned gfp)
{
	struct page *page = page_alloc(order, gfp);

	return page ? page_address(page) : NULL;
}

static bool page_in_mem_map(const struct page *page)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)mem_map;

	return mem_map && (uintptr_t)page >= (uintptr_t)mem_map &&
	       off < (end_pfn - base_pfn) * sizeof(struct page) &&
	       off % sizeof(struct page) == 0;
}

static __noreturn void page_free_report(const struct page *page, unsigned order,
					const char *problem, uintptr_t caller)
{
	char who[128];

	arch_symbolize(caller, who, sizeof(who));
	/* The caller first: a long message is cut at the end, never there. */
	if (page_in_mem_map(page))
		panic("page_free (called from %s): %s: page %p (pfn 0x%llx), order %u", who,
		      problem, (const void *)page, (unsigned long long)page_pfn(page), order);
	panic("page_free (called from %s): %s: %p, order %u", who, problem, (const void *)page,
	      order);
}

#ifdef UMKA_DEBUG
/* The rest of an allocated block carries no state; anything else means the
 * block overlaps another one or an owner forgot to clear its flags. */
static const char *page_check_tails(const struct page *page, unsigned order)
{
	u64 i;

	for (i = 1; i < (1ULL << order); i++)
		if (READ_ONCE(page[i].flags))
			return "block overlaps free or foreign pages (corrupted struct page)";
	return NULL;
}
#endif

/* Take a block back from its owner. The head's flags go PG_ALLOC -> 0 in
 * one atomic step, so of two racing frees of one block only one succeeds;
 * nothing changes when the free is refused. Returns the problem, or NULL. */
static const char *page_claim(struct page *page, unsigned order, char *buf, size_t len)
{
	u32 flags;

	if (!page_in_mem_map(page))
		return "not a struct page of managed memory";
	if (order > MAX_ORDER)
		return "order out of range";
	flags = __atomic_load_n(&page->flags, __ATOMIC_ACQUIRE);
	if (flags == PG_ALLOC && page->order != order) {
		ksnprintf(buf, len, "freed with order %u, allocated with order %u", order,
			  page->order);
		return buf;
	}
#ifdef UMKA_DEBUG
	if (flags == PG_ALLOC) {
		const char *bad = page_check_tails(page, order);

		if (bad)
			return bad;
	}
#endif
	flags = PG_ALLOC;
	if (__atomic_compare_exchange_n(&page->flags, &flags, 0, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return NULL;
	if (flags & PG_RESERVED)
		return "reserved page";
	if (flags & (PG_BUDDY | PG_PCP))
		return "double free: page is already free";
	if (flags & PG_SLAB)
		return "page backs a slab; its cache frees it";
	if (flags & PG_KMALLOC)
		return "page is a kmalloc block; use kfree";
	return "not the head of an allocated block (tail page, or double free)";
}

static void page_free_from(struct page *page, unsigned order, uintptr_t caller)
{
	char buf[80];
	const char *bad = page_claim(page, order, buf, sizeof(buf));

	if (bad)
		page_free_report(page, order, bad, caller);
	arch_mem_poison(page_address(page), PAGE_SIZE << order);
	if (order == 0)
		pcp_free(page);
	else
		buddy_free(page, order);
}

void page_free(struct page *page, unsigned order)
{
	page_free_from(page, order, (uintptr_t)__builtin_return_address(0));
}

void page_free_virt(void *addr, unsigned order)
{
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);
	struct page *page;

	if (!addr)
		return;
	page = virt_to_page(addr);
	if (!page || page_address(page) != addr)
		page_free_report((const struct page *)addr, order,
				 "address is not a page in managed memory", caller);
	page_free_from(page, order, caller);
}

/* ---- Statistics ----------------------------------------------------------- */

void mm_get_stats(struct mm_stats *st)
{
	unsigned long flags = irq_save();
	unsigned cpu, o;

	/* Every list at once, so a page moving between a per-CPU list and the
	 * buddy lists is counted exactly once. The pcp locks nest in CPU order
	 * (subclass = CPU) and only ever below buddy_lock: no deadlock. */
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		spin_lock_nested(&pcps[cpu].lock, cpu);
	spin_lock(&buddy_lock);
	memset(st, 0, sizeof(*st));
	st->total_pages = managed_pages;
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		st->pcp_pages += pcps[cpu].count;
	for (o = 0; o <= MAX_ORDER; o++)
		st->free_blocks[o] = free_areas[o].nr;
	st->free_pages = buddy_free_pages + st->pcp_pages;
	spin_unlock(&buddy_lock);
	for (cpu = NR_CPUS; cpu-- > 0;)
		spin_unlock(&pcps[cpu].lock);
	irq_restore(flags);
}

/* ---- Taking over the memory map ------------------------------------------- */

static u64 pfn_down(u64 addr)
{
	return addr >> PAGE_SHIFT;
}

static u64 pfn_up(u64 addr)
{
	return (addr >> PAGE_SHIFT) + ((addr & (PAGE_SIZE - 1)) != 0);
}

static void ranges_remove(struct pfn_range *r, unsigned *nr, unsigned i)
{
	memmove(&r[i], &r[i + 1], (*nr - i - 1) * sizeof(*r));
	(*nr)--;
}

/* Sort by start (insertion sort: at most BOOT_MEM_MAX entries) and merge
 * ranges that overlap or touch. */
static void ranges_sort_merge(struct pfn_range *r, unsigned *nr)
{
	unsigned i, j;

	for (i = 1; i < *nr; i++) {
		struct pfn_range key = r[i];

		for (j = i; j > 0 && r[j - 1].start > key.start; j--)
			r[j] = r[j - 1];
		r[j] = key;
	}
	for (i = 1; i < *nr;) {
		if (r[i].start <= r[i - 1].end) {
			r[i - 1].end = MAX(r[i - 1].end, r[i].end);
			ranges_remove(r, nr, i);
		} else {
			i++;
		}
	}
}

/* Cut a reserved range out of sorted, disjoint usable ranges. A range split
 * in two keeps the order, since the second half goes right after the first. */
static void ranges_subtract(struct pfn_range *r, unsigned *nr, const struct pfn_range *cut)
{
	unsigned i;

	for (i = 0; i < *nr; i++) {
		struct pfn_range *u = &r[i];

		if (cut->end <= u->start || cut->start >= u->end)
			continue;
		if (cut->start <= u->start && cut->end >= u->end) {
			ranges_remove(r, nr, i--);
		} else if (cut->start > u->start && cut->end < u->end) {
			memmove(&r[i + 2], &r[i + 1], (*nr - i - 1) * sizeof(*r));
			r[i + 1] = (struct pfn_range){ cut->end, u->end };
			u->end = cut->start;
			(*nr)++;
			i++;
		} else if (cut->start <= u->start) {
			u->start = cut->end;
		} else {
			u->end = cut->start;
		}
	}
}

/* Usable memory of the boot map as sorted, disjoint page ranges: usable
 * regions shrink to whole pages, reserved ones (and types we do not know)
 * grow to whole pages and win wherever they overlap usable memory. */
static unsigned mm_usable_ranges(const struct boot_info *bi, struct pfn_range *out)
{
	struct pfn_range resv[BOOT_MEM_MAX];
	unsigned i, nr = 0, nr_resv = 0, n = bi->nr_mem;

	if (n > BOOT_MEM_MAX) {
		pr_warn("mm: boot memory map has %u regions; using the first %u\n", n,
			BOOT_MEM_MAX);
		n = BOOT_MEM_MAX;
	}
	for (i = 0; i < n; i++) {
		const struct mem_region *m = &bi->mem[i];
		u64 end = m->base + m->size;

		if (!m->size)
			continue;
		if (end < m->base)
			end = UINT64_MAX;	/* wraps: clamp to the top */
		if (m->type == MEM_USABLE) {
			struct pfn_range u = { pfn_up(m->base), pfn_down(end) };

			if (u.start < u.end)
				out[nr++] = u;
		} else {
			resv[nr_resv++] = (struct pfn_range){ pfn_down(m->base), pfn_up(end) };
		}
	}
	ranges_sort_merge(out, &nr);
	for (i = 0; i < nr_resv; i++)
		ranges_subtract(out, &nr, &resv[i]);
	/* With an identity direct map, frame 0 would have the kernel address
	 * NULL, which no allocator can hand out. */
	if (!bi->direct_map)
		ranges_subtract(out, &nr, &(struct pfn_range){ 0, 1 });
	for (i = 0; i < nr;) {
		if (out[i].end - out[i].start < MM_MIN_RANGE_PAGES)
			ranges_remove(out, &nr, i);
		else
			i++;
	}
	return nr;
}

static u64 mem_map_pages(const struct pfn_range *r, unsigned nr)
{
	return pfn_up((r[nr - 1].end - r[0].start) * sizeof(struct page));
}

/* Find a range to hold mem_map, which covers every pfn from the lowest
 * usable one to the highest. A lone range far above the rest could make the
 * array larger than any range; such ranges are given up, topmost first. */
static unsigned mm_place_mem_map(struct pfn_range *r, unsigned *nr)
{
	for (;;) {
		u64 need = mem_map_pages(r, *nr);
		unsigned i;

		for (i = 0; i < *nr; i++)
			if (r[i].end - r[i].start >= need)
				return i;
		if (*nr == 1)
			panic("mm: usable memory (%llu pages) is too small to hold its own "
			      "struct page array (%llu pages)",
			      (unsigned long long)(r[0].end - r[0].start),
			      (unsigned long long)need);
		pr_warn("mm: ignoring memory 0x%llx-0x%llx: its struct page array would not fit\n",
			(unsigned long long)(r[*nr - 1].start << PAGE_SHIFT),
			(unsigned long long)(r[*nr - 1].end << PAGE_SHIFT));
		(*nr)--;
	}
}

/* Hand [start, end) to the buddy lists in the largest aligned blocks. */
static void mm_free_range(u64 start, u64 end)
{
	u64 pfn;

	for (pfn = start; pfn < end; pfn++)
		pfn_page(pfn)->flags = 0;
	for (pfn = start; pfn < end;) {
		unsigned order = MAX_ORDER;

		while (order && ((pfn & ((1ULL << order) - 1)) || pfn + (1ULL << order) > end))
			order--;
		arch_mem_poison(page_address(pfn_page(pfn)), PAGE_SIZE << order);
		buddy_insert(pfn, order);
		buddy_free_pages += 1ULL << order;
		pfn += 1ULL << order;
	}
}

static void mm_reset(void)
{
	unsigned i;

	spin_lock_init(&buddy_lock, "buddy", LOCK_LEVEL_BUDDY);
	for (i = 0; i <= MAX_ORDER; i++) {
		list_init(&free_areas[i].blocks);
		free_areas[i].nr = 0;
	}
	buddy_free_pages = 0;
	for (i = 0; i < NR_CPUS; i++) {
		spin_lock_init(&pcps[i].lock, "pcp", LOCK_LEVEL_PCP);
		list_init(&pcps[i].pages);
		pcps[i].count = 0;
	}
	mem_map = NULL;
	base_pfn = end_pfn = managed_pages = 0;
}

void mm_init(const struct boot_info *bi)
{
	struct pfn_range r[MM_MAX_RANGES];
	unsigned nr, i, m;
	u64 map_pfn, map_pages, pfn;

	mm_reset();
	shrinker_init();
	direct_map = bi->direct_map;
	nr = mm_usable_ranges(bi, r);
	if (!nr)
		panic("mm: no usable memory in the boot memory map (%u regions: all reserved, "
		      "empty or smaller than %u pages)", bi->nr_mem, MM_MIN_RANGE_PAGES);
	m = mm_place_mem_map(r, &nr);
	base_pfn = r[0].start;
	end_pfn = r[nr - 1].end;
	map_pages = mem_map_pages(r, nr);
	map_pfn = r[m].start;
	r[m].start += map_pages;

	for (i = 0; i < nr; i++)
		managed_pages += r[i].end - r[i].start;
	if (managed_pages < MM_MIN_PAGES)
		panic("mm: too little usable memory: %llu pages left after the %llu-page struct "
		      "page array, need at least %u", (unsigned long long)managed_pages,
		      (unsigned long long)map_pages, MM_MIN_PAGES);

	mem_map = (struct page *)(direct_map + (uintptr_t)(map_pfn << PAGE_SHIFT));
	arch_mem_unpoison(mem_map, map_pages << PAGE_SHIFT);
	memset(mem_map, 0, (end_pfn - base_pfn) * sizeof(struct page));
	for (pfn = base_pfn; pfn < end_pfn; pfn++) {
		struct page *page = pfn_page(pfn);

		list_init(&page->lru);
		page->flags = PG_RESERVED;
	}
	for (i = 0; i < nr; i++) {
		if (r[i].start == r[i].end)
			continue;	/* all of it went to mem_map */
		mm_free_range(r[i].start, r[i].end);
		pr_info("mm: usable 0x%llx-0x%llx\n", (unsigned long long)(r[i].start << PAGE_SHIFT),
			(unsigned long long)(r[i].end << PAGE_SHIFT));
	}
	pr_info("mm: %llu KiB in %llu pages managed; struct page array %llu KiB at 0x%llx\n",
		(unsigned long long)(managed_pages << (PAGE_SHIFT - 10)),
		(unsigned long long)managed_pages,
		(unsigned long long)(map_pages << (PAGE_SHIFT - 10)),
		(unsigned long long)(map_pfn << PAGE_SHIFT));
}
