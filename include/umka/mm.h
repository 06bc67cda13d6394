/* Physical memory: the buddy page allocator. Memory comes from the arch's
 * memory map (struct boot_info); every page frame has a struct page. Orders
 * 0..MAX_ORDER; order-0 pages go through per-CPU free lists first.
 * Allocation never sleeps and returns NULL when memory is exhausted. */
#ifndef UMKA_MM_H
#define UMKA_MM_H

#include <umka/arch.h>
#include <umka/list.h>
#include <umka/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define MAX_ORDER 10

/* Allocation flags */
#define GFP_ZERO 0x1u		/* return zeroed memory */

struct kmem_cache;

struct page {
	struct list_head lru;		/* free list / per-CPU list / owner's list */
	u32 flags;			/* PG_* */
	u8 order;			/* order of a free block or allocation */
	u16 slab_inuse;			/* slab: objects handed out */
	struct kmem_cache *slab_cache;	/* slab: owning cache */
	void *slab_free;		/* slab: first free object */
};

#define PG_RESERVED 0x1u	/* not managed (hole, firmware, kernel image) */
#define PG_BUDDY 0x2u		/* head of a free block in the buddy lists */
#define PG_PCP 0x4u		/* on a per-CPU order-0 list */
#define PG_SLAB 0x8u		/* backs a slab */
#define PG_ALLOC 0x10u		/* head of an allocated block */
#define PG_KMALLOC 0x20u	/* with PG_ALLOC: a large kmalloc block (order in page->order) */

/* Per-CPU order-0 lists move pages to and from the buddy lists MM_PCP_BATCH
 * at a time and hold at most MM_PCP_HIGH pages. */
#define MM_PCP_BATCH 16
#define MM_PCP_HIGH 64

/* Take over usable memory from the boot memory map. Panics (naming the
 * problem) if there is not enough usable memory to run. */
void mm_init(const struct boot_info *bi);

struct page *page_alloc(unsigned order, unsigned gfp);
void page_free(struct page *page, unsigned order);

/* Convenience: kernel virtual addresses of whole page blocks. */
void *page_alloc_virt(unsigned order, unsigned gfp);
void page_free_virt(void *addr, unsigned order);	/* NULL is a no-op */

void *page_address(const struct page *page);
/* NULL if addr is not in managed physical memory. */
struct page *virt_to_page(const void *addr);
phys_addr_t page_to_phys(const struct page *page);
void *phys_to_virt(phys_addr_t pa);
phys_addr_t virt_to_phys(const void *addr);

struct mm_stats {
	u64 total_pages;	/* managed (usable) pages */
	u64 free_pages;		/* in buddy lists + per-CPU lists */
	u64 pcp_pages;		/* of which on per-CPU lists */
	u64 free_blocks[MAX_ORDER + 1];
};
void mm_get_stats(struct mm_stats *st);

/* Return every per-CPU cached page to the buddy lists (for exact
 * accounting in tests and under memory pressure). */
void mm_drain_pcp(void);

/* ---- Reclaim under memory pressure -------------------------------------------------
 * Caches of freeable objects register a shrinker. When an allocation would
 * fail, page_alloc and the slab allocator call mm_reclaim and try once more.
 *
 * The rule: reclaim runs only where the allocating context may sleep: no
 * spinlock held (preemption on), interrupts on, not in an interrupt. Such
 * a caller may hold sleeping locks up to VFS_LEVEL_INODE, so a shrinker may
 * take spinlocks only, never a mutex or an inode lock, must not allocate
 * memory, and may defer frees with call_rcu: mm_reclaim waits a grace period
 * after the shrinkers ran, then returns empty slabs and per-CPU pages to the
 * buddy lists. Allocations from atomic context never reclaim: they fail as
 * before. One reclaim runs at a time; an allocation that finds another in
 * progress (or comes from inside a shrinker) does not wait for it. */
struct shrinker {
	const char *name;
	/* Objects that scan could free now; a racy estimate is fine. */
	unsigned long (*count)(struct shrinker *s);
	/* Free up to n objects, oldest first; returns how many went. */
	unsigned long (*scan)(struct shrinker *s, unsigned long n);
	struct list_head node;		/* registry, under the shrinker mutex */
};

void register_shrinker(struct shrinker *s);
void unregister_shrinker(struct shrinker *s);
/* Ask every shrinker for about half of what it counts (at least
 * MM_SHRINK_MIN each); returns the objects freed, 0 if reclaim may not run
 * here (see the rule above) or nothing could be freed. */
unsigned long mm_reclaim(void);
#define MM_SHRINK_MIN 128UL
/* Whether the current context may reclaim (the rule above). */
bool mm_may_reclaim(void);
struct mm_reclaim_stats {
	u64 runs;		/* mm_reclaim calls that ran the shrinkers */
	u64 freed;		/* objects the shrinkers reported freed */
	u64 skipped;		/* calls refused: atomic context or a reclaim running */
};
void mm_get_reclaim_stats(struct mm_reclaim_stats *st);
/* Free pages once all that can be given back has been: frees deferred to
 * a grace period landed, slab caches and every shrinker emptied, per-CPU
 * lists drained. Sleeps. For leak checks in tests and diagnostics. */
u64 mm_free_pages_settled(void);
void shrinker_init(void);	/* from mm_init */

#endif
