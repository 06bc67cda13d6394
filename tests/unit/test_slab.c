/* Unit tests for the slab allocator and kmalloc on the fake machine: every
 * size class, named caches with constructors, magazines and depot, random
 * stress with content checks, exhaustion, and (in UMKA_DEBUG builds) the
 * detections that must panic naming the caller. Each test runs in its own
 * process (libcheck's fork mode). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/percpu.h>
#include <umka/slab.h>

#include "ck_run.h"
#include "fake_arch.h"

static struct boot_info *bi;
static void *ram;
static size_t ram_size;
static u64 baseline_free;

/* A fresh machine with mm and slab up. Memory checkers keep poison across
 * munmap, so clear it on the old RAM before it goes. */
static void machine(size_t bytes)
{
	struct mm_stats st;

	if (ram)
		arch_mem_unpoison(ram, ram_size);
	bi = fake_boot_info(bytes);
	ram = (void *)bi->direct_map;
	ram_size = bytes;
	mm_init(bi);
	slab_init();
	mm_get_stats(&st);
	baseline_free = st.free_pages;
}

static void setup(void)
{
	machine(MiB(32));
}

static u64 free_pages(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st.free_pages;
}

/* Everything freed and shrunk: every page must be back in the buddy lists. */
static void assert_all_memory_back(void)
{
	slab_shrink();
	mm_drain_pcp();
	ck_assert_uint_eq(free_pages(), baseline_free);
}

static size_t class_of(size_t size)
{
	static const size_t classes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048,
					  4096, 8192 };
	size_t i;

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (size <= classes[i])
			return classes[i];
	for (i = PAGE_SIZE; i < size; i <<= 1)
		;
	return i;
}

struct cache_query {
	const char *name;
	struct kmem_cache_info info;
	int found;
};

static void find_cache(const struct kmem_cache_info *info, void *arg)
{
	struct cache_query *q = arg;

	if (!strcmp(info->name, q->name)) {
		q->info = *info;
		q->found++;
	}
}

static struct kmem_cache_info cache_info(const char *name)
{
	struct cache_query q = { .name = name };

	slab_for_each_cache(find_cache, &q);
	ck_assert_msg(q.found == 1, "cache %s found %d times", name, q.found);
	return q.info;
}

/* Objects in use in all caches but the magazine cache, whose objects the
 * allocator itself holds. */
static void count_active(const struct kmem_cache_info *info, void *arg)
{
	if (strcmp(info->name, "magazine"))
		*(u64 *)arg += info->active_objs;
}

static u64 all_active(void)
{
	u64 n = 0;

	slab_for_each_cache(count_active, &n);
	return n;
}

/* ---- kmalloc ------------------------------------------------------------------ */

static void kmalloc_one(size_t size)
{
	unsigned char *p = kmalloc(size, 0);
	size_t usable;

	if (!p)
		ck_abort_msg("kmalloc(%zu) failed", size);
	usable = ksize(p);
	if (usable != class_of(size))
		ck_abort_msg("ksize of kmalloc(%zu) is %zu, expected %zu", size, usable,
			     class_of(size));
	if ((uintptr_t)p % (size <= 8 ? 8 : 16))
		ck_abort_msg("kmalloc(%zu) = %p is misaligned", size, (void *)p);
	memset(p, 0xcd, usable);
	kfree(p);
}

START_TEST(test_kmalloc_every_class)
{
	for (size_t size = 1; size <= 512; size++)
		kmalloc_one(size);
	for (size_t size = 513; size <= 20000; size += 97)
		kmalloc_one(size);
	kmalloc_one(KiB(8));
	kmalloc_one(KiB(8) + 1);
	kmalloc_one(MiB(1));
	kmalloc_one(PAGE_SIZE << MAX_ORDER);
	ck_assert_ptr_null(kmalloc((PAGE_SIZE << MAX_ORDER) + 1, 0));
	ck_assert_ptr_null(kmalloc(SIZE_MAX, 0));
	ck_assert_uint_eq(all_active(), 0);
	assert_all_memory_back();
}
END_TEST

START_TEST(test_kmalloc_zero_and_null)
{
	void *p = kmalloc(0, 0);

	ck_assert_ptr_nonnull(p);	/* a real, unique object */
	ck_assert_uint_ge(ksize(p), 1);
	kfree(p);
	kfree(NULL);
	ck_assert_uint_eq(ksize(NULL), 0);
}
END_TEST

START_TEST(test_kzalloc_zeroes)
{
	static const size_t sizes[] = { 8, 24, 100, 256, 1000, 4096, 8192, 20000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = kmalloc(sizes[i], 0);
		size_t n = ksize(p);

		memset(p, 0xff, n);
		kfree(p);
		p = kzalloc(sizes[i], 0);	/* most likely the same memory */
		n = ksize(p);
		for (size_t j = 0; j < n; j++)
			if (p[j])
				ck_abort_msg("kzalloc(%zu): byte %zu is 0x%x", sizes[i], j, p[j]);
		p[0] = 1;
		kfree(p);
		p = kmalloc(sizes[i], GFP_ZERO);
		if (p[0])
			ck_abort_msg("kmalloc(GFP_ZERO) did not zero");
		kfree(p);
	}
	assert_all_memory_back();
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

struct live_obj {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static void check_fill(const struct live_obj *o, unsigned op)
{
	for (size_t j = 0; j < o->size; j++)
		if (o->p[j] != o->fill)
			ck_abort_msg("op %u: %p (size %zu) byte %zu is 0x%x, not 0x%x", op,
				     (void *)o->p, o->size, j, o->p[j], o->fill);
}

START_TEST(test_random_stress)
{
	const unsigned max_live = 1500, ops = 30000;
	struct live_obj *live = calloc(max_live, sizeof(*live));
	unsigned nr_live = 0;

	rng_state = 0x2545f4914f6cdd1dULL;
	for (unsigned op = 0; op < ops; op++) {
		if (nr_live < max_live && (nr_live == 0 || rng() % 100 < 55)) {
			unsigned r = (unsigned)(rng() % 100);
			size_t size = r < 80 ? 1 + rng() % 256 : r < 97 ? 1 + rng() % 8192
								    : 8193 + rng() % KiB(56);
			struct live_obj o = { .size = size, .fill = (unsigned char)rng() };

			o.p = kmalloc(size, 0);
			if (!o.p)
				ck_abort_msg("op %u: kmalloc(%zu) failed", op, size);
			memset(o.p, o.fill, size);
			live[nr_live++] = o;
		} else {
			unsigned k = (unsigned)(rng() % nr_live);

			check_fill(&live[k], op);
			kfree(live[k].p);
			live[k] = live[--nr_live];
		}
		if (op % 10000 == 0)
			for (unsigned k = 0; k < nr_live; k++)
				check_fill(&live[k], op);
	}
	while (nr_live) {
		nr_live--;
		check_fill(&live[nr_live], ops);
		kfree(live[nr_live].p);
	}
	free(live);
	ck_assert_uint_eq(all_active(), 0);
	assert_all_memory_back();
}
END_TEST

START_TEST(test_exhaustion)
{
	void *head = NULL, *p;
	unsigned n4k = 0, n64 = 0;

	machine(MiB(4));
	/* Chain the objects through themselves: nothing else is left to
	 * allocate bookkeeping from. */
	while ((p = kmalloc(4096, 0))) {
		*(void **)p = head;
		head = p;
		n4k++;
	}
	while ((p = kmalloc(64, 0))) {
		*(void **)p = head;
		head = p;
		n64++;
	}
	ck_assert_uint_gt(n4k, 100);
	ck_assert_ptr_null(kmalloc(4096, 0));
	ck_assert_ptr_null(kmalloc(20000, 0));
	ck_assert_ptr_null(kmem_cache_create("too_late", 64, 0, NULL));
	while (head) {
		p = head;
		head = *(void **)p;
		kfree(p);
	}
	ck_assert_uint_eq(all_active(), 0);
	assert_all_memory_back();
	p = kmalloc(4096, 0);
	ck_assert_ptr_nonnull(p);
	kfree(p);
}
END_TEST

/* ---- Named caches ------------------------------------------------------------- */

#define OBJ_MAGIC 0x51ab51abu

struct thing {
	u32 magic;
	u32 uses;
	char data[40];
};

static unsigned ctor_calls;

static void thing_ctor(void *obj)
{
	struct thing *t = obj;

	t->magic = OBJ_MAGIC;
	t->uses = 0;
	ctor_calls++;
}

START_TEST(test_cache_with_ctor)
{
	struct kmem_cache *c = kmem_cache_create("thing", sizeof(struct thing), 0, thing_ctor);
	struct thing *objs[500];
	struct kmem_cache_info info;

	ck_assert_ptr_nonnull(c);
	ctor_calls = 0;
	for (unsigned i = 0; i < 500; i++) {
		objs[i] = kmem_cache_alloc(c, 0);
		if (!objs[i] || objs[i]->magic != OBJ_MAGIC)
			ck_abort_msg("object %u not constructed", i);
		objs[i]->uses++;
	}
	info = cache_info("thing");
	ck_assert_uint_eq(info.active_objs, 500);
	ck_assert_uint_eq(info.obj_size, sizeof(struct thing));
	ck_assert_uint_ge(info.slot_size, sizeof(struct thing));
	/* Constructed once per slot, when its slab was made. */
	ck_assert_uint_eq(ctor_calls, info.total_objs);
	for (unsigned i = 0; i < 500; i++)
		kmem_cache_free(c, objs[i]);	/* freed in constructed state */
	ck_assert_uint_eq(cache_info("thing").active_objs, 0);
	/* Objects come back constructed; those that were used keep their
	 * state, like the one freed last, which comes back first. */
	for (unsigned i = 0; i < 500; i++) {
		objs[i] = kmem_cache_alloc(c, 0);
		if (objs[i]->magic != OBJ_MAGIC || objs[i]->uses > 1)
			ck_abort_msg("object %u lost its state across free", i);
	}
	ck_assert_uint_eq(objs[0]->uses, 1);
	for (unsigned i = 0; i < 500; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_free(c, NULL);
	ck_assert_int_eq(kmem_cache_destroy(c), 0);
	assert_all_memory_back();
}
END_TEST

START_TEST(test_cache_destroy_with_leak)
{
	struct kmem_cache *c = kmem_cache_create("leaky", 100, 0, NULL);
	void *a = kmem_cache_alloc(c, 0), *b = kmem_cache_alloc(c, 0);

	kmem_cache_free(c, b);
	fake_console_clear();
	ck_assert_int_eq(kmem_cache_destroy(c), -EBUSY);
	ck_assert_ptr_nonnull(strstr(fake_console(), "leaky"));
	ck_assert_ptr_nonnull(strstr(fake_console(), "1 objects still in use"));
#ifdef UMKA_DEBUG
	{
		char want[64];

		snprintf(want, sizeof(want), "leaked %p", a);
		ck_assert_msg(strstr(fake_console(), want), "no \"%s\" in:\n%s", want,
			      fake_console());
	}
#endif
	/* The cache survives the refused destroy and still works. */
	b = kmem_cache_alloc(c, 0);
	ck_assert_ptr_nonnull(b);
	kmem_cache_free(c, b);
	kmem_cache_free(c, a);
	ck_assert_int_eq(kmem_cache_destroy(c), 0);
	ck_assert_int_eq(kmem_cache_destroy(NULL), -EINVAL);
	assert_all_memory_back();
}
END_TEST

START_TEST(test_cache_create_validation)
{
	struct kmem_cache *c;
	void *objs[64];

	ck_assert_ptr_null(kmem_cache_create("bad", 0, 0, NULL));
	ck_assert_ptr_null(kmem_cache_create("bad", 64, 3, NULL));
	ck_assert_ptr_null(kmem_cache_create("bad", 64, PAGE_SIZE * 2, NULL));
	ck_assert_ptr_null(kmem_cache_create(NULL, 64, 0, NULL));
	ck_assert_ptr_null(kmem_cache_create("bad", (PAGE_SIZE << MAX_ORDER) + 1, 0, NULL));

	c = kmem_cache_create("a_rather_long_cache_name_that_gets_cut", 200, 256, NULL);
	ck_assert_ptr_nonnull(c);
	for (unsigned i = 0; i < 64; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_ZERO);
		ck_assert_uint_eq((uintptr_t)objs[i] % 256, 0);
		ck_assert_uint_eq(((unsigned char *)objs[i])[199], 0);
	}
	for (unsigned i = 0; i < 64; i++)
		kmem_cache_free(c, objs[i]);
	ck_assert_int_eq(kmem_cache_destroy(c), 0);

	/* Odd sizes and a big object. */
	c = kmem_cache_create("odd", 13, 1, NULL);
	objs[0] = kmem_cache_alloc(c, 0);
	memset(objs[0], 1, 13);
	kmem_cache_free(c, objs[0]);
	ck_assert_int_eq(kmem_cache_destroy(c), 0);
	c = kmem_cache_create("big", 70000, 0, NULL);
	ck_assert_ptr_nonnull(c);
	objs[0] = kmem_cache_alloc(c, 0);
	memset(objs[0], 2, 70000);
	kmem_cache_free(c, objs[0]);
	ck_assert_int_eq(kmem_cache_destroy(c), 0);
	assert_all_memory_back();
}
END_TEST

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

START_TEST(test_magazines_and_depot)
{
	enum { N = 3000 };
	struct kmem_cache *c = kmem_cache_create("mag_test", 48, 0, NULL);
	void **objs = malloc(N * sizeof(*objs)), **sorted = malloc(N * sizeof(*objs));
	struct kmem_cache_info info;
	u64 peak_slabs, peak_objs;
	void *last;

	for (unsigned i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(c, 0);
		if (!objs[i])
			ck_abort_msg("alloc %u failed", i);
		memset(objs[i], (int)i, 48);
	}
	memcpy(sorted, objs, N * sizeof(*objs));
	qsort(sorted, N, sizeof(*sorted), cmp_ptr);
	for (unsigned i = 1; i < N; i++)
		if ((char *)sorted[i] - (char *)sorted[i - 1] < 48)
			ck_abort_msg("objects %p and %p overlap", sorted[i - 1], sorted[i]);
	info = cache_info("mag_test");
	ck_assert_uint_eq(info.active_objs, N);
	ck_assert_uint_ge(info.total_objs, N);
	peak_slabs = info.slabs;
	peak_objs = info.total_objs;

	/* Freeing fills magazines, then the depot, then spills to the slabs,
	 * which go back to the page allocator as they empty. */
	for (unsigned i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);
	last = objs[N - 1];
	info = cache_info("mag_test");
	ck_assert_uint_eq(info.active_objs, 0);
	ck_assert_uint_gt(info.slabs, 0);
	ck_assert_uint_lt(info.slabs * 2, peak_slabs);

	/* LIFO: the object freed last is the hottest, handed out first. */
	objs[0] = kmem_cache_alloc(c, 0);
	ck_assert_ptr_eq(objs[0], last);
	for (unsigned i = 1; i < N; i++)
		objs[i] = kmem_cache_alloc(c, 0);
	/* The objects parked in magazines and the depot were all reused. */
	ck_assert_uint_le(cache_info("mag_test").total_objs, peak_objs);
	memcpy(sorted, objs, N * sizeof(*objs));
	qsort(sorted, N, sizeof(*sorted), cmp_ptr);
	for (unsigned i = 1; i < N; i++)
		if (sorted[i] == sorted[i - 1])
			ck_abort_msg("object %p handed out twice", sorted[i]);
	for (unsigned i = 0; i < N; i++)
		kmem_cache_free(c, objs[i]);

	slab_shrink();
	info = cache_info("mag_test");
	ck_assert_uint_eq(info.slabs, 0);
	ck_assert_uint_eq(info.active_objs, 0);
	ck_assert_int_eq(kmem_cache_destroy(c), 0);
	free(objs);
	free(sorted);
	assert_all_memory_back();
}
END_TEST

static void count_caches(const struct kmem_cache_info *info, void *arg)
{
	(void)info;
	++*(unsigned *)arg;
}

START_TEST(test_for_each_cache)
{
	unsigned before = 0, after = 0;
	struct kmem_cache *c;

	slab_for_each_cache(count_caches, &before);
	ck_assert_uint_ge(before, 15);	/* 13 kmalloc classes, caches, magazines */
	cache_info("kmalloc-8");
	cache_info("kmalloc-96");
	cache_info("kmalloc-8k");
	cache_info("kmem_cache");
	cache_info("magazine");
	c = kmem_cache_create("listed", 32, 0, NULL);
	slab_for_each_cache(count_caches, &after);
	ck_assert_uint_eq(after, before + 1);
	ck_assert_uint_eq(cache_info("listed").obj_size, 32);
	kmem_cache_destroy(c);
	after = 0;
	slab_for_each_cache(count_caches, &after);
	ck_assert_uint_eq(after, before);
}
END_TEST

/* ---- Detections ---------------------------------------------------------------- */

struct bad_op {
	struct kmem_cache *cache;
	void *obj;
	size_t size;
};

/* The bad call happens in these functions, so the panic must name them; the
 * empty asm after the call keeps the compiler from making it a tail call. */
static __attribute__((noinline)) void do_kfree(void *arg)
{
	struct bad_op *b = arg;

	kfree(b->obj);
	__asm__ __volatile__("" ::: "memory");
}

static __attribute__((noinline)) void do_cache_free(void *arg)
{
	struct bad_op *b = arg;

	kmem_cache_free(b->cache, b->obj);
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

static void expect_panic(void (*fn)(void *), struct bad_op *b, const char *needle)
{
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(fn, b), HALT_PANIC);
	ck_assert_msg(strstr(fake_console(), needle), "no \"%s\" in:\n%s", needle,
		      fake_console());
	check_caller(fn);
}

START_TEST(test_double_free_kmalloc)
{
	struct bad_op b = { .obj = kmalloc(64, 0) };

	kfree(b.obj);
	expect_panic(do_kfree, &b, "double free of");
}
END_TEST

START_TEST(test_double_free_cache)
{
	struct bad_op b;

	b.cache = kmem_cache_create("df", 40, 0, NULL);
	b.obj = kmem_cache_alloc(b.cache, 0);
	kmem_cache_free(b.cache, b.obj);
	expect_panic(do_cache_free, &b, "double free of");
}
END_TEST

START_TEST(test_double_free_large)
{
	struct bad_op b = { .obj = kmalloc(20000, 0) };

	kfree(b.obj);
	expect_panic(do_kfree, &b, "double free of a large kmalloc");
}
END_TEST

START_TEST(test_kfree_stack_pointer)
{
	int local;
	struct bad_op b = { .obj = &local };

	expect_panic(do_kfree, &b, "is not in managed memory");
}
END_TEST

START_TEST(test_kfree_page)
{
	struct bad_op b = { .obj = page_alloc_virt(0, 0) };

	expect_panic(do_kfree, &b, "is not a kmalloc object");
}
END_TEST

static __attribute__((noinline)) void do_page_free(void *arg)
{
	struct bad_op *b = arg;

	page_free(virt_to_page(b->obj), (unsigned)b->size);
	__asm__ __volatile__("" ::: "memory");
}

START_TEST(test_page_free_of_slab_page)
{
	struct bad_op b = { .obj = kmalloc(100, 0), .size = 0 };

	expect_panic(do_page_free, &b, "page backs a slab");
}
END_TEST

START_TEST(test_page_free_of_large_kmalloc)
{
	struct bad_op b = { .obj = kmalloc(3 * PAGE_SIZE, 0), .size = 2 };

	expect_panic(do_page_free, &b, "page is a kmalloc block; use kfree");
}
END_TEST

#ifdef UMKA_DEBUG
static __attribute__((noinline)) void do_cache_alloc(void *arg)
{
	struct bad_op *b = arg;

	b->obj = kmem_cache_alloc(b->cache, 0);
	__asm__ __volatile__("" ::: "memory");
}

static __attribute__((noinline)) void do_kmalloc(void *arg)
{
	struct bad_op *b = arg;

	b->obj = kmalloc(b->size, 0);
	__asm__ __volatile__("" ::: "memory");
}

/* Writes the allocator must catch, done behind the memory checker's back. */
static __attribute__((noinline, no_sanitize_address)) void raw_write(void *p, unsigned char v)
{
	*(volatile unsigned char *)p = v;
}

START_TEST(test_kfree_interior_pointer)
{
	struct bad_op b = { .obj = (char *)kmalloc(64, 0) + 8 };

	expect_panic(do_kfree, &b, "is not the start of an object of cache kmalloc-64");
}
END_TEST

START_TEST(test_free_to_wrong_cache)
{
	struct kmem_cache *a = kmem_cache_create("cache_a", 64, 0, NULL);
	struct bad_op b = { .cache = kmem_cache_create("cache_b", 64, 0, NULL) };

	b.obj = kmem_cache_alloc(a, 0);
	expect_panic(do_cache_free, &b, "belongs to cache cache_a, not cache_b");
}
END_TEST

START_TEST(test_redzone_after)
{
	struct bad_op b = { .obj = kmalloc(64, 0) };

	raw_write((char *)b.obj + 64, 'x');
	expect_panic(do_kfree, &b, "redzone after object");
	ck_assert_ptr_nonnull(strstr(fake_console(), "offset 64 (0x78)"));
}
END_TEST

START_TEST(test_redzone_before)
{
	struct bad_op b = { .obj = kmalloc(200, 0) };

	raw_write((char *)b.obj - 1, 0);
	expect_panic(do_kfree, &b, "redzone before object");
}
END_TEST

START_TEST(test_write_after_free)
{
	struct bad_op b = { .size = 32 };
	char *p = kmalloc(32, 0);

	kfree(p);
	raw_write(p + 5, 0x42);
	/* The next kmalloc-32 allocation gets p back (LIFO) and checks it. */
	expect_panic(do_kmalloc, &b, "was written after free at offset 5 (0x42)");
}
END_TEST

START_TEST(test_write_after_free_in_slab)
{
	/* Same for an object that went back to its slab's free list: a
	 * neighbour keeps the slab from being released by the shrink. */
	struct bad_op b = { .cache = kmem_cache_create("uaf", 100, 0, NULL) };
	void *neighbour = kmem_cache_alloc(b.cache, 0);
	char *p = kmem_cache_alloc(b.cache, 0);

	ck_assert_ptr_nonnull(neighbour);
	kmem_cache_free(b.cache, p);
	slab_shrink();
	raw_write(p + 99, 0);
	expect_panic(do_cache_alloc, &b, "was written after free at offset 99 (0x0)");
}
END_TEST
#endif

static Suite *slab_suite(void)
{
	Suite *s = suite_create("slab");
	TCase *km = tcase_create("kmalloc");
	TCase *caches = tcase_create("caches");
	TCase *bad = tcase_create("detections");

	tcase_add_checked_fixture(km, setup, NULL);
	tcase_set_timeout(km, 60);
	tcase_add_test(km, test_kmalloc_every_class);
	tcase_add_test(km, test_kmalloc_zero_and_null);
	tcase_add_test(km, test_kzalloc_zeroes);
	tcase_add_test(km, test_random_stress);
	tcase_add_test(km, test_exhaustion);
	suite_add_tcase(s, km);

	tcase_add_checked_fixture(caches, setup, NULL);
	tcase_set_timeout(caches, 60);
	tcase_add_test(caches, test_cache_with_ctor);
	tcase_add_test(caches, test_cache_destroy_with_leak);
	tcase_add_test(caches, test_cache_create_validation);
	tcase_add_test(caches, test_magazines_and_depot);
	tcase_add_test(caches, test_for_each_cache);
	suite_add_tcase(s, caches);

	tcase_add_checked_fixture(bad, setup, NULL);
	tcase_add_test(bad, test_double_free_kmalloc);
	tcase_add_test(bad, test_double_free_cache);
	tcase_add_test(bad, test_double_free_large);
	tcase_add_test(bad, test_kfree_stack_pointer);
	tcase_add_test(bad, test_kfree_page);
	tcase_add_test(bad, test_page_free_of_slab_page);
	tcase_add_test(bad, test_page_free_of_large_kmalloc);
#ifdef UMKA_DEBUG
	tcase_add_test(bad, test_kfree_interior_pointer);
	tcase_add_test(bad, test_free_to_wrong_cache);
	tcase_add_test(bad, test_redzone_after);
	tcase_add_test(bad, test_redzone_before);
	tcase_add_test(bad, test_write_after_free);
	tcase_add_test(bad, test_write_after_free_in_slab);
#endif
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	return ck_run(slab_suite(), false);
}
