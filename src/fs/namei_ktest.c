/* ktest suite `namei`: the lockless RCU path walk against kernel threads
 * that rename, unlink and recreate what it walks through, and the dentry
 * cache giving memory back when the page allocator runs out. Debug builds
 * poison freed dentries and inodes, so a walker that used one after its
 * grace period would read 0x6b garbage and fail the identity checks here
 * (or fault). */
#include <umka/errno.h>
#include <umka/ktest.h>
#include <umka/mm.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/vfs.h>

#define K vfs_kernel_ctx()

/* A number from /sys/umka (umkafs), or ~0 if unreadable. */
static u64 umka_value(const char *path)
{
	char buf[32];
	long n = kvfs_read_file(path, buf, sizeof(buf) - 1, 0);
	u64 v = 0;

	if (n <= 0)
		return ~0ULL;
	buf[n] = 0;
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (u64)(buf[i] - '0');
	return v;
}

static u64 ino_of(const char *path)
{
	struct statx st;

	return vfs_statx(K, NULL, path, AT_SYMLINK_NOFOLLOW, STATX_INO, &st) ? 0 : st.stx_ino;
}

/* ==== lookups racing with renames, unlinks and re-creations ======================== */

#define RACE_ROUNDS 120
#define RACE_READERS 2
#define RACE_LOOKUPS 1000

struct race {
	volatile bool stop;
	u64 leaf_a, leaf_b;	/* ino of the "leaf" in each of the two swapped dirs */
	u64 deep_file;		/* ino of /kt-rcu/m?/deep/file */
	int writer_errors;
};

struct reader_arg {
	struct race *r;
	unsigned bad;		/* results that were neither old nor new */
	unsigned found, missing;
};

/* Swap /kt-rcu/slot and /kt-rcu/spare: slot/leaf is always one of two. */
static void swapper(void *p)
{
	struct race *r = p;

	for (int i = 0; i < RACE_ROUNDS; i++) {
		if (vfs_renameat2(K, NULL, "/kt-rcu/slot", NULL, "/kt-rcu/spare", RENAME_EXCHANGE))
			r->writer_errors++;
		if (i % 3 == 0)
			yield();
	}
}

/* /kt-rcu/tmp/f: a file, nothing, a directory, nothing, ...; and the dcache
 * shrunk now and then so dentries are freed while readers walk. */
static void recreator(void *p)
{
	struct race *r = p;

	for (int i = 0; i < RACE_ROUNDS; i++) {
		int err = i % 2 ? kvfs_mkdir_p("/kt-rcu/tmp/f", 0755)
				: kvfs_write_file("/kt-rcu/tmp/f", 0644, "f", 1);

		if (err)
			r->writer_errors++;
		err = i % 2 ? kvfs_rmdir("/kt-rcu/tmp/f") : kvfs_unlink("/kt-rcu/tmp/f");
		if (err)
			r->writer_errors++;
		if (i % 16 == 0)
			dcache_shrink(64);
		if (i % 3 == 0)
			yield();
	}
}

/* /kt-rcu/m1 <-> /kt-rcu/m2 by plain renames: deep/file is found or not. */
static void mover(void *p)
{
	struct race *r = p;

	for (int i = 0; i < RACE_ROUNDS; i++) {
		const char *from = i % 2 ? "/kt-rcu/m2" : "/kt-rcu/m1";
		const char *to = i % 2 ? "/kt-rcu/m1" : "/kt-rcu/m2";

		if (vfs_renameat2(K, NULL, from, NULL, to, 0))
			r->writer_errors++;
		if (i % 3 == 0)
			yield();
	}
}

static bool sane_inode(const struct inode *inode)
{
	return inode && (S_ISREG(inode->mode) || S_ISDIR(inode->mode)) && inode->ino != 0 &&
	       inode->nlink < 1000;
}

static void reader(void *p)
{
	struct reader_arg *a = p;
	struct race *r = a->r;

	for (int i = 0; i < RACE_LOOKUPS && !r->stop; i++) {
		struct path pa;
		int err;

		err = vfs_lookup(K, NULL, "/kt-rcu/slot/leaf", 0, &pa);
		if (err) {
			a->bad++;	/* exchange is atomic: never missing */
		} else {
			u64 ino = pa.dentry->inode->ino;

			if (ino != r->leaf_a && ino != r->leaf_b)
				a->bad++;
			path_put(&pa);
		}
		err = vfs_lookup(K, NULL, i % 2 ? "/kt-rcu/m1/deep/file" : "/kt-rcu/m2/deep/file",
				 0, &pa);
		if (!err) {
			if (pa.dentry->inode->ino != r->deep_file)
				a->bad++;
			path_put(&pa);
		} else if (err != -ENOENT) {
			a->bad++;
		}
		err = vfs_lookup(K, NULL, "/kt-rcu/tmp/f", AT_SYMLINK_NOFOLLOW, &pa);
		if (!err) {
			if (!sane_inode(pa.dentry->inode))
				a->bad++;
			a->found++;
			path_put(&pa);
		} else if (err == -ENOENT) {
			a->missing++;
		} else {
			a->bad++;
		}
		if (i % 8 == 0)
			yield();
	}
}

static const char *const race_files[] = {
	"/kt-rcu/slot/leaf", "/kt-rcu/spare/leaf", "/kt-rcu/m1/deep/file",
};
static const char *const race_dirs[] = {	/* children first */
	"/kt-rcu/m1/deep", "/kt-rcu/m1", "/kt-rcu/slot", "/kt-rcu/spare", "/kt-rcu/tmp", "/kt-rcu",
};

static void namei_rcu_walk_races(struct ktest *t)
{
	struct race r = { 0 };
	struct reader_arg ra[RACE_READERS];
	struct task *rd[RACE_READERS], *w[3];
	struct dcache_stats before, after;
	void (*writers[3])(void *) = { swapper, recreator, mover };
	u64 walks_before, walks_after;

	KT_ASSERT(t, kvfs_mkdir_p("/kt-rcu/slot", 0755) == 0);
	KT_ASSERT(t, kvfs_mkdir_p("/kt-rcu/spare", 0755) == 0);
	KT_ASSERT(t, kvfs_mkdir_p("/kt-rcu/tmp", 0755) == 0);
	KT_ASSERT(t, kvfs_mkdir_p("/kt-rcu/m1/deep", 0755) == 0);
	KT_ASSERT(t, kvfs_write_file("/kt-rcu/slot/leaf", 0644, "a", 1) == 0);
	KT_ASSERT(t, kvfs_write_file("/kt-rcu/spare/leaf", 0644, "b", 1) == 0);
	KT_ASSERT(t, kvfs_write_file("/kt-rcu/m1/deep/file", 0644, "d", 1) == 0);
	r.leaf_a = ino_of("/kt-rcu/slot/leaf");
	r.leaf_b = ino_of("/kt-rcu/spare/leaf");
	r.deep_file = ino_of("/kt-rcu/m1/deep/file");
	KT_ASSERT(t, r.leaf_a && r.leaf_b && r.deep_file && r.leaf_a != r.leaf_b);
	dcache_get_stats(&before);
	walks_before = umka_value("/sys/umka/dcache/rcu_walks");
	for (int i = 0; i < RACE_READERS; i++) {
		ra[i] = (struct reader_arg){ &r, 0, 0, 0 };
		rd[i] = kthread_create(reader, &ra[i], "rcu-reader");
	}
	for (int i = 0; i < 3; i++)
		w[i] = kthread_create(writers[i], &r, "rcu-writer");
	for (int i = 0; i < 3; i++) {
		KT_EXPECT(t, w[i] != NULL);
		if (w[i])
			kthread_join(w[i]);
	}
	r.stop = true;
	for (int i = 0; i < RACE_READERS; i++) {
		KT_EXPECT(t, rd[i] != NULL);
		if (!rd[i])
			continue;
		kthread_join(rd[i]);
		KT_EXPECT_EQ(t, ra[i].bad, 0);
	}
	dcache_get_stats(&after);
	walks_after = umka_value("/sys/umka/dcache/rcu_walks");
	/* umkafs shows the same counter */
	KT_EXPECT(t, walks_before != ~0ULL && walks_after > walks_before);
	KT_EXPECT_EQ(t, r.writer_errors, 0);
	/* the lockless walk did take part (and fell back now and then) */
	KT_EXPECT(t, after.rcu_walks > before.rcu_walks);
	KT_EXPECT(t, after.rcu_fallbacks > before.rcu_fallbacks);
	/* after the dust settles: exactly one of each */
	KT_EXPECT_EQ(t, ino_of("/kt-rcu/tmp/f"), 0);
	KT_EXPECT_EQ(t, ino_of("/kt-rcu/m1/deep/file"), r.deep_file);	/* even rounds */
	KT_EXPECT(t, ino_of("/kt-rcu/slot/leaf") == r.leaf_a ||
		     ino_of("/kt-rcu/slot/leaf") == r.leaf_b);
	for (unsigned i = 0; i < ARRAY_SIZE(race_files); i++)
		KT_EXPECT_EQ(t, kvfs_unlink(race_files[i]), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(race_dirs); i++)
		KT_EXPECT_EQ(t, kvfs_rmdir(race_dirs[i]), 0);
}

/* ==== the dcache under memory pressure ========================================== */

#define PRESSURE_NAMES 2000

static void namei_dcache_reclaim_under_pressure(struct ktest *t)
{
	struct dcache_stats before, after;
	struct mm_reclaim_stats rb, ra;
	void *held = NULL;	/* the pages taken, chained through their first word */
	struct statx st;
	char name[48];
	u64 pages = 0;
	int misses = 0;

	KT_ASSERT(t, kvfs_mkdir_p("/kt-press/keep", 0755) == 0);
	KT_ASSERT(t, kvfs_write_file("/kt-press/keep/file", 0644, "kept", 4) == 0);
	for (int i = 0; i < PRESSURE_NAMES; i++) {
		ksnprintf(name, sizeof(name), "/kt-press/none-%d", i);
		if (vfs_statx(K, NULL, name, 0, STATX_INO, &st) != -ENOENT)
			misses++;
	}
	KT_EXPECT_EQ(t, misses, 0);
	dcache_get_stats(&before);
	mm_get_reclaim_stats(&rb);
	KT_EXPECT(t, before.nr_negative >= PRESSURE_NAMES / 2);
	/* Take every page there is (big blocks first, for speed): the
	 * allocator must reclaim to go on. */
	for (int o = MAX_ORDER; o >= 0; o--) {
		void **p;

		while ((p = page_alloc_virt((unsigned)o, 0))) {
			p[0] = held;
			p[1] = (void *)(uintptr_t)o;
			held = p;
			pages += 1ULL << o;
		}
	}
	dcache_get_stats(&after);
	mm_get_reclaim_stats(&ra);
	while (held) {
		void **p = held;

		held = p[0];
		page_free_virt(p, (unsigned)(uintptr_t)p[1]);
	}
	KT_EXPECT(t, pages > 0);
	KT_EXPECT(t, ra.runs > rb.runs);
	KT_EXPECT(t, ra.freed > rb.freed);
	KT_EXPECT(t, after.nr_reclaimed > before.nr_reclaimed);
	KT_EXPECT(t, after.nr_unused < before.nr_unused);
	KT_EXPECT(t, after.nr_dentries < before.nr_dentries);
	KT_EXPECT(t, umka_value("/sys/umka/mm/reclaim_runs") >= ra.runs);
	/* and every name still resolves as before */
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-press/none-7", 0, STATX_INO, &st), -ENOENT);
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-press/none-1999", 0, STATX_INO, &st), -ENOENT);
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-press/keep/file", 0, STATX_SIZE, &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, 4);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-press/keep/file"), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-press/keep"), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-press"), 0);
}

KTEST_SUITE(namei,
	    KTEST_CASE(namei_rcu_walk_races),
	    KTEST_CASE(namei_dcache_reclaim_under_pressure));
