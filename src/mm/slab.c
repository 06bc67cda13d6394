/* Object caches. A slab is a block of pages from the buddy allocator cut into
 * equal slots; above the slabs sits a Bonwick-style magazine layer (each CPU
 * has a loaded and a previous magazine of object pointers, exchanged whole
 * with a per-cache depot), and kmalloc's size classes are caches too. */
#include <umka/arch.h>
#include <umka/errno.h>
#include <umka/list.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/percpu.h>
#include <umka/printk.h>
#include <umka/slab.h>
#include <umka/spinlock.h>
#include <umka/string.h>

#define KMEM_NAME_LEN 32
#define MAG_MAX_ROUNDS 30
#define DEPOT_MAX_MAGS 8	/* full, and separately empty, magazines a depot keeps */
#define SLAB_KEEP_EMPTY 1	/* empty slabs kept for the next burst */
#define SLAB_MIN_OBJS 8		/* grow the slab order until this many fit... */
#define SLAB_PREF_MAX_ORDER 3	/* ...but no further than this unless one won't fit */
#define KMALLOC_MAX_CACHE 8192	/* larger kmallocs are whole page blocks */

#define CACHE_STATIC 0x1u	/* built in; never destroyed */
#define CACHE_NO_MAGS 0x2u	/* no magazine layer (the magazine cache itself) */

#define RET_IP ((uintptr_t)__builtin_return_address(0))

#ifdef UMKA_DEBUG
#define POISON_FREE 0x6b
#define REDZONE_BYTE 0xbb
#define REDZONE_MIN 16
#define OBJ_FREE 0x45455246u	/* "FREE" */
#define OBJ_ALLOC 0x434f4c41u	/* "ALOC" */

/* Starts every slot in debug builds, in front of the left redzone. */
struct obj_hdr {
	u32 state;		/* OBJ_FREE or OBJ_ALLOC; swapped atomically on free */
	u32 unused;
	uintptr_t caller;	/* who last allocated or freed the object */
	void *link;		/* next free object while on its slab's free list */
};
#endif

struct magazine {
	struct magazine *next;	/* in a depot list */
	unsigned rounds;	/* objs[0..rounds) are free objects */
	void *objs[MAG_MAX_ROUNDS];
};

/* A CPU's magazines. Only that CPU uses them in the fast path, with
 * interrupts off; the lock lets slab_shrink and kmem_cache_destroy empty them
 * from another CPU and, as in Bonwick's design, is almost never contended.
 * It is always taken before the cache lock, never after (LOCK_LEVEL_SLAB_CPU). */
struct kmem_cpu {
	struct spinlock lock;
	struct magazine *loaded;	/* lock; any fill */
	struct magazine *previous;	/* lock; full or empty, never in between */
} __cacheline_aligned;

struct kmem_cache {
	/* Set at creation, read-only afterwards. */
	char name[KMEM_NAME_LEN];
	size_t obj_size;
	size_t align;
	size_t slot_size;	/* stride between objects */
	size_t obj_offset;	/* object start within its slot */
	size_t link_offset;	/* free list link within a free slot */
	unsigned slab_order;
	unsigned objs_per_slab;
	unsigned mag_rounds;	/* objects per magazine; 0: no magazine layer */
	unsigned flags;		/* CACHE_* */
	void (*ctor)(void *obj);

	struct list_head node;		/* in cache_list, under cache_list_lock */

	struct spinlock lock;		/* the slab layer and the depot: */
	struct list_head partial;	/* lock: slabs with free and used objects */
	struct list_head full;		/* lock: no free objects */
	struct list_head empty;		/* lock: no used objects */
	u64 nr_slabs;			/* lock */
	u64 nr_empty;			/* lock */
	u64 slab_out;			/* lock: objects out of slabs (users + magazines) */
	struct magazine *depot_full;	/* lock */
	struct magazine *depot_empty;	/* lock */
	unsigned nr_depot_full;		/* lock */
	unsigned nr_depot_empty;	/* lock */

	struct kmem_cpu cpu[NR_CPUS];
};

/* Caches for struct kmem_cache and for magazines, and the kmalloc classes:
 * static, so the allocator needs nothing allocated to start. */
static struct kmem_cache cache_cache;
static struct kmem_cache mag_cache;

static const u16 kmalloc_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, KMALLOC_MAX_CACHE,
};
static const char *const kmalloc_names[] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
	"kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
};
#define NR_KMALLOC ARRAY_SIZE(kmalloc_sizes)
static struct kmem_cache kmalloc_caches[NR_KMALLOC];

/* Every cache, for slab_for_each_cache and slab_shrink. Taken before any
 * per-CPU magazine lock or cache lock (LOCK_LEVEL_SLAB_LIST). */
static struct spinlock cache_list_lock;
static struct list_head cache_list;	/* cache_list_lock */
static bool slab_ready;			/* slab_init has run (reclaim may come before) */

static void *cache_alloc(struct kmem_cache *c, unsigned gfp, const char *fn, uintptr_t caller);
static void cache_free(struct kmem_cache *c, void *obj, const char *fn, uintptr_t caller);

static __noreturn __printf(3, 4) void slab_report(const char *fn, uintptr_t caller,
						  const char *fmt, ...)
{
	char who[128], what[200];
	va_list ap;

	arch_symbolize(caller, who, sizeof(who));
	va_start(ap, fmt);
	kvsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* The caller first: a long message is cut at the end, never there. */
	panic("%s (called from %s): %s", fn, who, what);
}

/* ---- Slots, objects and their debug state -------------------------------- */

static inline char *obj_slot(const struct kmem_cache *c, const void *obj)
{
	return (char *)obj - c->obj_offset;
}

static inline void **obj_link(const struct kmem_cache *c, const void *obj)
{
	return (void **)(obj_slot(c, obj) + c->link_offset);
}

/* The link may share the first word of a free object, which is poisoned for
 * memory checkers; make just that word addressable again. */
static void obj_set_link(const struct kmem_cache *c, void *obj, void *next)
{
	void **link = obj_link(c, obj);

	arch_mem_unpoison(link, sizeof(*link));
	*link = next;
}

/* The first page of the slab that page belongs to. Slabs are buddy blocks,
 * so they are aligned to their own size in physical memory. */
static struct page *slab_head(const struct kmem_cache *c, struct page *page)
{
	phys_addr_t pa;

	if (!c->slab_order)
		return page;
	pa = ALIGN_DOWN(page_to_phys(page), (phys_addr_t)PAGE_SIZE << c->slab_order);
	return virt_to_page(phys_to_virt(pa));
}

#ifdef UMKA_DEBUG
static inline struct obj_hdr *obj_hdr(const struct kmem_cache *c, const void *obj)
{
	return (struct obj_hdr *)obj_slot(c, obj);
}

static const u8 *bytes_differ(const void *p, u8 byte, size_t len)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != byte)
			return &b[i];
	return NULL;
}

static void obj_redzones(const struct kmem_cache *c, const void *obj, u8 **left,
			 size_t *left_len, u8 **right, size_t *right_len)
{
	*left = (u8 *)obj_slot(c, obj) + sizeof(struct obj_hdr);
	*left_len = c->obj_offset - sizeof(struct obj_hdr);
	*right = (u8 *)obj + c->obj_size;
	*right_len = c->slot_size - c->obj_offset - c->obj_size;
}

/* Redzones stay poisoned for memory checkers except while we read them. */
static void obj_check_redzones(const struct kmem_cache *c, const void *obj, const char *fn,
			       uintptr_t caller)
{
	u8 *left, *right;
	size_t llen, rlen;
	const u8 *bad;
	long off = 0;
	unsigned val = 0;

	obj_redzones(c, obj, &left, &llen, &right, &rlen);
	arch_mem_unpoison(left, llen);
	arch_mem_unpoison(right, rlen);
	bad = bytes_differ(left, REDZONE_BYTE, llen);
	if (!bad)
		bad = bytes_differ(right, REDZONE_BYTE, rlen);
	if (bad) {
		off = (long)(bad - (const u8 *)obj);
		val = *bad;
	}
	arch_mem_poison(left, llen);
	arch_mem_poison(right, rlen);
	if (bad) {
		char who[96];

		arch_symbolize(obj_hdr(c, obj)->caller, who, sizeof(who));
		slab_report(fn, caller, "redzone %s object %p (cache %s) overwritten at offset "
			    "%ld (0x%x); last allocated by %s", off < 0 ? "before" : "after",
			    obj, c->name, off, val, who);
	}
}

/* A fresh slot: header, redzones, and a poisoned or constructed object. */
static void obj_init(const struct kmem_cache *c, void *obj)
{
	struct obj_hdr *h = obj_hdr(c, obj);
	u8 *left, *right;
	size_t llen, rlen;

	h->state = OBJ_FREE;
	h->unused = 0;
	h->caller = 0;
	obj_redzones(c, obj, &left, &llen, &right, &rlen);
	memset(left, REDZONE_BYTE, llen);
	memset(right, REDZONE_BYTE, rlen);
	arch_mem_poison(left, llen);
	arch_mem_poison(right, rlen);
	/* A constructed object must keep its state while free, so it cannot
	 * carry the poison pattern; its header and redzones are still checked. */
	if (c->ctor)
		c->ctor(obj);
	else
		memset(obj, POISON_FREE, c->obj_size);
	arch_mem_poison(obj, c->obj_size);
}

/* The slab holding obj, after checking that obj is an object of c. */
static struct page *obj_slab_checked(struct kmem_cache *c, const void *obj, const char *fn,
				     uintptr_t caller)
{
	struct page *page = virt_to_page(obj);
	struct page *head;
	size_t off;

	if (!page)
		slab_report(fn, caller, "%p is not in managed memory", obj);
	if (!(page->flags & PG_SLAB))
		slab_report(fn, caller, "%p is not a slab object (page flags 0x%x)", obj,
			    page->flags);
	if (page->slab_cache != c)
		slab_report(fn, caller, "%p belongs to cache %s, not %s", obj,
			    page->slab_cache->name, c->name);
	head = slab_head(c, page);
	off = (size_t)((const char *)obj - (const char *)page_address(head));
	if (off % c->slot_size != c->obj_offset || off / c->slot_size >= c->objs_per_slab)
		slab_report(fn, caller, "%p is not the start of an object of cache %s", obj,
			    c->name);
	return head;
}

static void obj_on_alloc(const struct kmem_cache *c, void *obj, const char *fn,
			 uintptr_t caller)
{
	struct obj_hdr *h = obj_hdr(c, obj);
	const u8 *bad;

	if (h->state != OBJ_FREE)
		slab_report(fn, caller, "free object %p of cache %s has a corrupted header "
			    "(state 0x%x)", obj, c->name, h->state);
	arch_mem_unpoison(obj, c->obj_size);
	obj_check_redzones(c, obj, fn, caller);
	if (!c->ctor && (bad = bytes_differ(obj, POISON_FREE, c->obj_size))) {
		char who[96];

		arch_symbolize(h->caller, who, sizeof(who));
		slab_report(fn, caller, "object %p (cache %s) was written after free at offset "
			    "%ld (0x%x); last freed by %s", obj, c->name,
			    (long)(bad - (const u8 *)obj), *bad, who);
	}
	h->state = OBJ_ALLOC;
	h->caller = caller;
}

static void obj_on_free(struct kmem_cache *c, void *obj, const char *fn, uintptr_t caller)
{
	struct obj_hdr *h;
	u32 old;

	obj_slab_checked(c, obj, fn, caller);
	h = obj_hdr(c, obj);
	obj_check_redzones(c, obj, fn, caller);
	old = __atomic_exchange_n(&h->state, OBJ_FREE, __ATOMIC_ACQ_REL);
	if (old != OBJ_ALLOC) {
		char who[96];

		if (old != OBJ_FREE)
			slab_report(fn, caller, "object %p of cache %s has a corrupted header "
				    "(state 0x%x)", obj, c->name, old);
		arch_symbolize(h->caller, who, sizeof(who));
		slab_report(fn, caller, "double free of %p (cache %s); first freed by %s", obj,
			    c->name, who);
	}
	h->caller = caller;
	if (!c->ctor)
		memset(obj, POISON_FREE, c->obj_size);
	arch_mem_poison(obj, c->obj_size);
}
#else
static void obj_init(const struct kmem_cache *c, void *obj)
{
	if (c->ctor)
		c->ctor(obj);
	arch_mem_poison(obj, c->obj_size);
}

static void obj_on_alloc(const struct kmem_cache *c, void *obj, const char *fn,
			 uintptr_t caller)
{
	(void)fn, (void)caller;
	arch_mem_unpoison(obj, c->obj_size);
}

static void obj_on_free(struct kmem_cache *c, void *obj, const char *fn, uintptr_t caller)
{
	(void)fn, (void)caller;
	arch_mem_poison(obj, c->obj_size);
}
#endif

/* ---- The slab layer (all under c->lock) ---------------------------------- */

/* A slab's first page holds its list link (lru), free list (slab_free) and
 * count of objects out (slab_inuse), all under c->lock. Every page of a slab
 * carries PG_SLAB and slab_cache, fixed while the slab exists, so kfree can
 * find the cache from any object without a lock. */

static void slab_move(struct page *slab, struct list_head *to)
{
	list_del_init(&slab->lru);
	list_add(&slab->lru, to);
}

/* A new slab on the empty list, every slot free. */
static struct page *slab_grow(struct kmem_cache *c)
{
	struct page *head = page_alloc(c->slab_order, 0);
	char *base;
	unsigned i;

	if (!head)
		return NULL;
	base = page_address(head);
	for (i = 0; i < 1u << c->slab_order; i++) {
		struct page *pg = virt_to_page(base + (size_t)i * PAGE_SIZE);

		pg->flags |= PG_SLAB;
		pg->slab_cache = c;
	}
	head->slab_inuse = 0;
	head->slab_free = NULL;
	for (i = c->objs_per_slab; i-- > 0;) {
		void *obj = base + (size_t)i * c->slot_size + c->obj_offset;

		obj_init(c, obj);
		obj_set_link(c, obj, head->slab_free);
		head->slab_free = obj;
	}
	list_add(&head->lru, &c->empty);
	c->nr_empty++;
	c->nr_slabs++;
	return head;
}

static void slab_release(struct kmem_cache *c, struct page *slab)
{
	char *base = page_address(slab);
	unsigned i;

	list_del_init(&slab->lru);
	c->nr_empty--;
	c->nr_slabs--;
	for (i = 0; i < 1u << c->slab_order; i++) {
		struct page *pg = virt_to_page(base + (size_t)i * PAGE_SIZE);

		pg->flags &= ~PG_SLAB;
		pg->slab_cache = NULL;
	}
	slab->slab_free = NULL;
	page_free(slab, c->slab_order);
}

static void *slab_take(struct kmem_cache *c)
{
	struct page *slab;
	void *obj;

	if (!list_empty(&c->partial)) {
		slab = list_first_entry(&c->partial, struct page, lru);
	} else {
		if (list_empty(&c->empty) && !slab_grow(c))
			return NULL;
		slab = list_first_entry(&c->empty, struct page, lru);
		slab_move(slab, &c->partial);
		c->nr_empty--;
	}
	obj = slab->slab_free;
	slab->slab_free = *obj_link(c, obj);
	if (++slab->slab_inuse == c->objs_per_slab)
		slab_move(slab, &c->full);
	c->slab_out++;
	return obj;
}

static void slab_put(struct kmem_cache *c, void *obj)
{
	struct page *slab = slab_head(c, virt_to_page(obj));

	obj_set_link(c, obj, slab->slab_free);
	slab->slab_free = obj;
	c->slab_out--;
	if (slab->slab_inuse-- == c->objs_per_slab)
		slab_move(slab, &c->partial);
	if (!slab->slab_inuse) {
		slab_move(slab, &c->empty);
		c->nr_empty++;
		if (c->nr_empty > SLAB_KEEP_EMPTY)
			slab_release(c, slab);
	}
}

static void slab_release_empty(struct kmem_cache *c)
{
	while (!list_empty(&c->empty))
		slab_release(c, list_first_entry(&c->empty, struct page, lru));
}

/* ---- Magazines and the depot ---------------------------------------------- */

static struct magazine *mag_alloc(void)
{
	struct magazine *m = cache_alloc(&mag_cache, 0, "slab", RET_IP);

	if (m) {
		m->next = NULL;
		m->rounds = 0;
	}
	return m;
}

static void mags_free(struct magazine *m)
{
	while (m) {
		struct magazine *next = m->next;

		cache_free(&mag_cache, m, "slab", RET_IP);
		m = next;
	}
}

static struct magazine *depot_pop(struct magazine **list, unsigned *nr)
{
	struct magazine *m = *list;

	if (m) {
		*list = m->next;
		m->next = NULL;
		(*nr)--;
	}
	return m;
}

static void mag_chain(struct magazine **list, struct magazine *m)
{
	m->next = *list;
	*list = m;
}

static void depot_push(struct magazine **list, unsigned *nr, struct magazine *m)
{
	mag_chain(list, m);
	(*nr)++;
}

/* Return a magazine's objects to their slabs. c->lock held. */
static void mag_flush(struct kmem_cache *c, struct magazine *m)
{
	while (m->rounds)
		slab_put(c, m->objs[--m->rounds]);
}

/* Park an empty magazine in the depot. When the depot has enough, hand it
 * back to be freed once no cache lock is held. c->lock held. */
static struct magazine *depot_put_empty(struct kmem_cache *c, struct magazine *m)
{
	if (c->nr_depot_empty >= DEPOT_MAX_MAGS)
		return m;
	depot_push(&c->depot_empty, &c->nr_depot_empty, m);
	return NULL;
}

/* Park a full magazine; past the limit its objects go back to the slabs. */
static struct magazine *depot_put_full(struct kmem_cache *c, struct magazine *m)
{
	if (c->nr_depot_full < DEPOT_MAX_MAGS) {
		depot_push(&c->depot_full, &c->nr_depot_full, m);
		return NULL;
	}
	mag_flush(c, m);
	return depot_put_empty(c, m);
}

static struct kmem_cpu *cpu_lock_local(struct kmem_cache *c)
{
	struct kmem_cpu *cc = &c->cpu[arch_cpu_id()];

	spin_lock(&cc->lock);
	return cc;
}

static void swap_mags(struct kmem_cpu *cc)
{
	struct magazine *m = cc->loaded;

	cc->loaded = cc->previous;
	cc->previous = m;
}

/* An object for this CPU: from the loaded magazine, the previous one (full),
 * a full magazine from the depot, and only then the slab layer. A magazine
 * the depot has no room for comes back in *spare. cc->lock held, irqs off. */
static void *mag_pop(struct kmem_cache *c, struct kmem_cpu *cc, struct magazine **spare)
{
	struct magazine *full;
	void *obj;

	if (cc->loaded && cc->loaded->rounds)
		return cc->loaded->objs[--cc->loaded->rounds];
	if (cc->previous && cc->previous->rounds) {
		swap_mags(cc);
		return cc->loaded->objs[--cc->loaded->rounds];
	}
	spin_lock(&c->lock);
	full = depot_pop(&c->depot_full, &c->nr_depot_full);
	if (full) {
		if (cc->previous)
			*spare = depot_put_empty(c, cc->previous);
		cc->previous = cc->loaded;
		cc->loaded = full;
		obj = full->objs[--full->rounds];
	} else {
		obj = slab_take(c);
	}
	spin_unlock(&c->lock);
	return obj;
}

/* Keep a freed object on this CPU: in the loaded magazine, the previous one
 * (empty), or an empty magazine from the depot or a new one. Without any
 * magazine it goes straight back to its slab. cc->lock held, irqs off. */
static void mag_push(struct kmem_cache *c, struct kmem_cpu *cc, void *obj,
		     struct magazine **spare)
{
	struct magazine *empty;

	if (cc->loaded && cc->loaded->rounds < c->mag_rounds) {
		cc->loaded->objs[cc->loaded->rounds++] = obj;
		return;
	}
	if (cc->previous && !cc->previous->rounds) {
		swap_mags(cc);
		cc->loaded->objs[cc->loaded->rounds++] = obj;
		return;
	}
	spin_lock(&c->lock);
	empty = depot_pop(&c->depot_empty, &c->nr_depot_empty);
	spin_unlock(&c->lock);
	/* The magazine cache has a lock of the same level: not under c->lock. */
	if (!empty)
		empty = mag_alloc();
	spin_lock(&c->lock);
	if (!empty) {
		slab_put(c, obj);
		spin_unlock(&c->lock);
		return;
	}
	if (cc->previous)
		*spare = depot_put_full(c, cc->previous);
	spin_unlock(&c->lock);
	cc->previous = cc->loaded;
	cc->loaded = empty;
	empty->objs[empty->rounds++] = obj;
}

/* ---- Allocation and free -------------------------------------------------- */

static void *cache_alloc_once(struct kmem_cache *c, unsigned gfp, const char *fn,
			      uintptr_t caller)
{
	struct magazine *spare = NULL;
	unsigned long flags;
	void *obj;

	if (c->mag_rounds) {
		struct kmem_cpu *cc;

		flags = irq_save();
		cc = cpu_lock_local(c);
		obj = mag_pop(c, cc, &spare);
		spin_unlock(&cc->lock);
		irq_restore(flags);
		if (spare)
			mags_free(spare);
	} else {
		flags = spin_lock_irqsave(&c->lock);
		obj = slab_take(c);
		spin_unlock_irqrestore(&c->lock, flags);
	}
	if (!obj)
		return NULL;
	obj_on_alloc(c, obj, fn, caller);
	if (gfp & GFP_ZERO)
		memset(obj, 0, c->obj_size);
	return obj;
}

/* The slab grows under the cache lock, where page_alloc may not reclaim;
 * out here, with no lock held, a failed allocation may (mm.h). */
static void *cache_alloc(struct kmem_cache *c, unsigned gfp, const char *fn, uintptr_t caller)
{
	void *obj = cache_alloc_once(c, gfp, fn, caller);

	if (!obj && mm_reclaim())
		obj = cache_alloc_once(c, gfp, fn, caller);
	return obj;
}

static void cache_free(struct kmem_cache *c, void *obj, const char *fn, uintptr_t caller)
{
	struct magazine *spare = NULL, *m;
	struct kmem_cpu *cc;
	unsigned long flags;

	obj_on_free(c, obj, fn, caller);
	if (!c->mag_rounds) {
		flags = spin_lock_irqsave(&c->lock);
		slab_put(c, obj);
		spin_unlock_irqrestore(&c->lock, flags);
		return;
	}
	flags = irq_save();
	cc = cpu_lock_local(c);
	/* Cheap enough for every build: the most common double free is the
	 * same object twice in a row, which lands on top of the magazine. */
	m = cc->loaded;
	if (m && m->rounds && m->objs[m->rounds - 1] == obj) {
		spin_unlock(&cc->lock);
		irq_restore(flags);
		slab_report(fn, caller, "double free of %p (cache %s)", obj, c->name);
	}
	mag_push(c, cc, obj, &spare);
	spin_unlock(&cc->lock);
	irq_restore(flags);
	if (spare)
		mags_free(spare);
}

void *kmem_cache_alloc(struct kmem_cache *c, unsigned gfp)
{
	return cache_alloc(c, gfp, "kmem_cache_alloc", RET_IP);
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	if (obj)
		cache_free(c, obj, "kmem_cache_free", RET_IP);
}

/* ---- kmalloc ---------------------------------------------------------------- */

static struct kmem_cache *kmalloc_cache_for(size_t size)
{
	unsigned i = 0;

	if (size > KMALLOC_MAX_CACHE)
		return NULL;
	while (kmalloc_sizes[i] < size)
		i++;
	return &kmalloc_caches[i];
}

/* Beyond the largest class: a page block, marked so kfree knows it. */
static void *kmalloc_large(size_t size, unsigned gfp)
{
	struct page *page;
	unsigned order = 0;

	if (size > (PAGE_SIZE << MAX_ORDER))
		return NULL;
	while ((PAGE_SIZE << order) < size)
		order++;
	page = page_alloc(order, gfp);
	if (!page)
		return NULL;
	page->flags |= PG_KMALLOC;
	return page_address(page);
}

static void *kmalloc_from(size_t size, unsigned gfp, uintptr_t caller)
{
	struct kmem_cache *c = kmalloc_cache_for(size);

	if (c)
		return cache_alloc(c, gfp, "kmalloc", caller);
	return kmalloc_large(size, gfp);
}

void *kmalloc(size_t size, unsigned gfp)
{
	return kmalloc_from(size, gfp, RET_IP);
}

void *kzalloc(size_t size, unsigned gfp)
{
	return kmalloc_from(size, gfp | GFP_ZERO, RET_IP);
}

static bool is_large_kmalloc(const struct page *page, const void *p)
{
	return (page->flags & (PG_ALLOC | PG_KMALLOC)) == (PG_ALLOC | PG_KMALLOC) &&
	       page_address(page) == p;
}

static __noreturn void kfree_report(const char *fn, const struct page *page, const void *p,
				    uintptr_t caller)
{
	if (page->flags & (PG_BUDDY | PG_PCP) || !page->flags)
		slab_report(fn, caller, "%p is in a free page (double free of a large kmalloc?)",
			    p);
	slab_report(fn, caller, "%p is not a kmalloc object (page flags 0x%x)", p, page->flags);
}

void kfree(const void *p)
{
	uintptr_t caller = RET_IP;
	struct page *page;

	if (!p)
		return;
	page = virt_to_page(p);
	if (!page)
		slab_report("kfree", caller, "%p is not in managed memory", p);
	if (page->flags & PG_SLAB) {
		cache_free(page->slab_cache, (void *)p, "kfree", caller);
	} else if (is_large_kmalloc(page, p)) {
		page->flags &= ~PG_KMALLOC;
		page_free(page, page->order);
	} else {
		kfree_report("kfree", page, p, caller);
	}
}

size_t ksize(const void *p)
{
	struct page *page;

	if (!p)
		return 0;
	page = virt_to_page(p);
	if (!page)
		slab_report("ksize", RET_IP, "%p is not in managed memory", p);
	if (page->flags & PG_SLAB)
		return page->slab_cache->obj_size;
	if (is_large_kmalloc(page, p))
		return PAGE_SIZE << page->order;
	kfree_report("ksize", page, p, RET_IP);
}

/* ---- Caches ----------------------------------------------------------------- */

static unsigned mag_rounds_for(size_t size)
{
	/* Fewer big objects per magazine: a magazine of 8 KiB objects already
	 * parks a lot of memory on one CPU. */
	if (size <= 256)
		return MAG_MAX_ROUNDS;
	if (size <= 1024)
		return 15;
	return 7;
}

/* Slot layout and slab order. The smallest order that fits SLAB_MIN_OBJS
 * objects wasting at most 1/8 of the slab, capped at SLAB_PREF_MAX_ORDER
 * unless not even one object fits there. */
static int cache_layout(struct kmem_cache *c)
{
	size_t size = c->obj_size, align = c->align;
	unsigned order;

#ifdef UMKA_DEBUG
	c->obj_offset = ALIGN_UP(sizeof(struct obj_hdr) + REDZONE_MIN, align);
	c->link_offset = offsetof(struct obj_hdr, link);
	c->slot_size = ALIGN_UP(c->obj_offset + size + REDZONE_MIN, align);
#else
	c->obj_offset = 0;
	if (c->ctor) {
		/* The link must not clobber constructed state: put it past the object. */
		c->link_offset = ALIGN_UP(size, sizeof(void *));
		c->slot_size = ALIGN_UP(c->link_offset + sizeof(void *), align);
	} else {
		c->link_offset = 0;
		c->slot_size = ALIGN_UP(MAX(size, sizeof(void *)), align);
	}
#endif
	for (order = 0; order <= MAX_ORDER; order++) {
		size_t bytes = PAGE_SIZE << order;
		size_t n = bytes / c->slot_size;

		if (!n)
			continue;
		n = MIN(n, (size_t)UINT16_MAX);	/* page->slab_inuse is a u16 */
		if (order >= SLAB_PREF_MAX_ORDER ||
		    (n >= SLAB_MIN_OBJS && (bytes - n * c->slot_size) * 8 <= bytes)) {
			c->slab_order = order;
			c->objs_per_slab = (unsigned)n;
			return 0;
		}
	}
	return -EINVAL;
}

/* Objects are aligned only within their slab, whose virtual address is
 * merely page aligned: larger alignments cannot be honoured. */
static int cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align,
		       void (*ctor)(void *), unsigned flags)
{
	size_t n;
	unsigned i;

	memset(c, 0, sizeof(*c));
	if (!align)
		align = SLAB_ALIGN_DEFAULT;
	if (!name || !size || (align & (align - 1)) || align > PAGE_SIZE ||
	    size > (PAGE_SIZE << MAX_ORDER))
		return -EINVAL;
	for (n = 0; n < KMEM_NAME_LEN - 1 && name[n]; n++)
		c->name[n] = name[n];
	c->obj_size = size;
	c->align = MAX(align, sizeof(void *));
	c->ctor = ctor;
	c->flags = flags;
	c->mag_rounds = (flags & CACHE_NO_MAGS) ? 0 : mag_rounds_for(size);
	if (cache_layout(c))
		return -EINVAL;
	spin_lock_init(&c->lock, c->name, LOCK_LEVEL_SLAB);
	list_init(&c->node);
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	for (i = 0; i < NR_CPUS; i++)
		spin_lock_init(&c->cpu[i].lock, "kmem_cpu", LOCK_LEVEL_SLAB_CPU);
	return 0;
}

/* Empty every magazine of c, on all CPUs and in the depot, into the slabs
 * and give every empty slab back to the page allocator. The magazines are
 * chained on *to_free, to be freed once the caller holds no slab lock.
 * Interrupts off; subclass says how deep c->lock nests. */
static void cache_drain(struct kmem_cache *c, unsigned subclass, struct magazine **to_free)
{
	struct magazine *mags = NULL, *m;
	unsigned cpu;

	for (cpu = 0; c->mag_rounds && cpu < NR_CPUS; cpu++) {
		struct kmem_cpu *cc = &c->cpu[cpu];

		spin_lock(&cc->lock);
		if (cc->loaded)
			mag_chain(&mags, cc->loaded);
		if (cc->previous)
			mag_chain(&mags, cc->previous);
		cc->loaded = cc->previous = NULL;
		spin_unlock(&cc->lock);
	}
	spin_lock_nested(&c->lock, subclass);
	while ((m = depot_pop(&c->depot_full, &c->nr_depot_full)))
		mag_chain(&mags, m);
	while ((m = depot_pop(&c->depot_empty, &c->nr_depot_empty)))
		mag_chain(&mags, m);
	for (m = mags; m; m = m->next)
		mag_flush(c, m);
	slab_release_empty(c);
	spin_unlock(&c->lock);
	while ((m = mags)) {
		mags = m->next;
		mag_chain(to_free, m);
	}
}

static void cache_report_leaks(struct kmem_cache *c, u64 leaked)
{
	pr_err("slab: kmem_cache_destroy(%s): %llu objects still in use; cache kept\n", c->name,
	       (unsigned long long)leaked);
#ifdef UMKA_DEBUG
	{
		unsigned long flags = spin_lock_irqsave(&c->lock);
		struct list_head *lists[] = { &c->partial, &c->full };
		unsigned shown = 0, l, i;
		struct page *slab;

		for (l = 0; l < ARRAY_SIZE(lists); l++) {
			list_for_each_entry(slab, lists[l], lru) {
				char *base = page_address(slab);

				for (i = 0; i < c->objs_per_slab && shown < 8; i++) {
					char *obj = base + (size_t)i * c->slot_size + c->obj_offset;
					char who[96];

					if (obj_hdr(c, obj)->state != OBJ_ALLOC)
						continue;
					arch_symbolize(obj_hdr(c, obj)->caller, who, sizeof(who));
					pr_err("slab:   leaked %p, allocated by %s\n", obj, who);
					shown++;
				}
			}
		}
		spin_unlock_irqrestore(&c->lock, flags);
	}
#endif
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *obj))
{
	struct kmem_cache *c = cache_alloc(&cache_cache, 0, "kmem_cache_create", RET_IP);
	unsigned long flags;

	if (!c)
		return NULL;
	if (cache_setup(c, name, size, align, ctor, 0)) {
		cache_free(&cache_cache, c, "kmem_cache_create", RET_IP);
		return NULL;
	}
	flags = spin_lock_irqsave(&cache_list_lock);
	list_add_tail(&c->node, &cache_list);
	spin_unlock_irqrestore(&cache_list_lock, flags);
	return c;
}

int kmem_cache_destroy(struct kmem_cache *c)
{
	struct magazine *to_free = NULL;
	unsigned long flags;
	u64 leaked;

	if (!c || (c->flags & CACHE_STATIC))
		return -EINVAL;
	flags = spin_lock_irqsave(&cache_list_lock);
	cache_drain(c, 1, &to_free);
	spin_lock_nested(&c->lock, 1);
	leaked = c->slab_out;
	spin_unlock(&c->lock);
	if (!leaked)
		list_del_init(&c->node);
	spin_unlock_irqrestore(&cache_list_lock, flags);
	mags_free(to_free);
	if (leaked) {
		cache_report_leaks(c, leaked);
		return -EBUSY;
	}
	cache_free(&cache_cache, c, "kmem_cache_destroy", RET_IP);
	return 0;
}

void slab_shrink(void)
{
	struct magazine *to_free = NULL;
	struct list_head *pos;
	unsigned long flags;

	if (!READ_ONCE(slab_ready))
		return;		/* page allocator users only: nothing cached */
	flags = spin_lock_irqsave(&cache_list_lock);
	list_for_each(pos, &cache_list) {
		struct kmem_cache *c = list_entry(pos, struct kmem_cache, node);

		if (c != &mag_cache)
			cache_drain(c, 1, &to_free);
	}
	spin_unlock_irqrestore(&cache_list_lock, flags);
	/* Only now are the magazines free, and their slabs empty. */
	mags_free(to_free);
	flags = irq_save();
	cache_drain(&mag_cache, 0, &to_free);
	irq_restore(flags);
}

/* Counters of one cache; a snapshot that may be off by a few objects moving
 * between magazines on other CPUs meanwhile. Interrupts off. */
static void cache_get_info(struct kmem_cache *c, struct kmem_cache_info *info, char *name)
{
	u64 in_mags = 0;
	unsigned cpu;

	for (cpu = 0; c->mag_rounds && cpu < NR_CPUS; cpu++) {
		struct kmem_cpu *cc = &c->cpu[cpu];

		spin_lock(&cc->lock);
		in_mags += cc->loaded ? cc->loaded->rounds : 0;
		in_mags += cc->previous ? cc->previous->rounds : 0;
		spin_unlock(&cc->lock);
	}
	spin_lock_nested(&c->lock, 1);
	in_mags += (u64)c->nr_depot_full * c->mag_rounds;	/* depot magazines are full */
	info->active_objs = c->slab_out > in_mags ? c->slab_out - in_mags : 0;
	info->total_objs = c->nr_slabs * c->objs_per_slab;
	info->slabs = c->nr_slabs;
	spin_unlock(&c->lock);
	memcpy(name, c->name, KMEM_NAME_LEN);
	info->name = name;
	info->obj_size = c->obj_size;
	info->slot_size = c->slot_size;
}

void slab_for_each_cache(void (*fn)(const struct kmem_cache_info *info, void *arg), void *arg)
{
	unsigned idx;

	/* fn may allocate, so it runs with no lock held; the walk restarts
	 * from the head each time (there are only a few dozen caches). */
	for (idx = 0;; idx++) {
		struct kmem_cache_info info;
		char name[KMEM_NAME_LEN];
		struct list_head *pos;
		unsigned long flags;
		unsigned i = 0;
		bool found = false;

		flags = spin_lock_irqsave(&cache_list_lock);
		list_for_each(pos, &cache_list) {
			if (i++ == idx) {
				cache_get_info(list_entry(pos, struct kmem_cache, node), &info, name);
				found = true;
				break;
			}
		}
		spin_unlock_irqrestore(&cache_list_lock, flags);
		if (!found)
			return;
		fn(&info, arg);
	}
}

static void slab_init_static(struct kmem_cache *c, const char *name, size_t size, size_t align,
			     unsigned flags)
{
	if (cache_setup(c, name, size, align, NULL, flags | CACHE_STATIC))
		panic("slab: cannot lay out built-in cache %s (size %zu)", name, size);
	list_add_tail(&c->node, &cache_list);
}

void slab_init(void)
{
	unsigned i;

	spin_lock_init(&cache_list_lock, "slab_caches", LOCK_LEVEL_SLAB_LIST);
	list_init(&cache_list);
	slab_ready = true;
	slab_init_static(&cache_cache, "kmem_cache", sizeof(struct kmem_cache),
			 __alignof__(struct kmem_cache), CACHE_NO_MAGS);
	slab_init_static(&mag_cache, "magazine", sizeof(struct magazine), 0, CACHE_NO_MAGS);
	for (i = 0; i < NR_KMALLOC; i++)
		slab_init_static(&kmalloc_caches[i], kmalloc_names[i], kmalloc_sizes[i],
				 kmalloc_sizes[i] < SLAB_ALIGN_DEFAULT ? kmalloc_sizes[i] : 0, 0);
}
