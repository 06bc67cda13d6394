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

#endif
