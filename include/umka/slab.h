/* Object allocation: named slab caches with per-CPU magazines, and kmalloc
 * size classes built on them. Debug builds (UMKA_DEBUG) poison free objects,
 * surround each object with redzones, and panic with the caller on double
 * free, foreign pointers and redzone overwrites. Never sleeps; NULL on OOM. */
#ifndef UMKA_SLAB_H
#define UMKA_SLAB_H

#include <umka/types.h>

#define SLAB_ALIGN_DEFAULT 16

struct kmem_cache;

/* ctor runs once per slot when its slab is made, under the cache lock, so it
 * must not allocate; objects must be freed back in their constructed state. */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *obj));
/* All objects must have been freed; leaks are reported and the cache kept. */
int kmem_cache_destroy(struct kmem_cache *c);
void *kmem_cache_alloc(struct kmem_cache *c, unsigned gfp);
void kmem_cache_free(struct kmem_cache *c, void *obj);

void slab_init(void);

void *kmalloc(size_t size, unsigned gfp);
void *kzalloc(size_t size, unsigned gfp);
void kfree(const void *p);
/* Usable size of a kmalloc'd block (>= the size asked for). */
size_t ksize(const void *p);

struct kmem_cache_info {
	const char *name;
	size_t obj_size;	/* as created */
	size_t slot_size;	/* with alignment and debug redzones */
	u64 active_objs;	/* handed out */
	u64 total_objs;		/* in all slabs of the cache */
	u64 slabs;
};
/* Call fn for each cache (umkafs and /proc/slabinfo use it). */
void slab_for_each_cache(void (*fn)(const struct kmem_cache_info *info, void *arg), void *arg);

/* Give back to the page allocator every empty slab and magazine. */
void slab_shrink(void);

#endif
