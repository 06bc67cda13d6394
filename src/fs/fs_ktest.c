/* ktest suites `vfs`, `tmpfs` and `devfs`: the VFS inside the booted kernel,
 * with real kernel threads contending for inode locks, file positions and
 * fd tables. Each case works under its own directory and removes it, so the
 * suites can run in any order with the others. */
#include <umka/console.h>
#include <umka/errno.h>
#include <umka/fdtable.h>
#include <umka/ktest.h>
#include <umka/mm.h>
#include <umka/printk.h>
#include <umka/rcu.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/vfs.h>

#define K vfs_kernel_ctx()

static struct file *kopen(const char *path, int flags, u32 mode)
{
	struct file *f;

	return vfs_openat(K, NULL, path, flags, mode, &f) ? NULL : f;
}

/* rm -r of a directory holding only files (what these tests make). */
static int remove_flat_dir(const char *dir)
{
	struct file *d = kopen(dir, O_RDONLY | O_DIRECTORY, 0);
	char *buf, name[300];
	long n;
	int err = 0;

	if (!d)
		return -ENOENT;
	buf = kmalloc(4096, 0);
	while (buf && (n = vfs_getdents(d, buf, 4096)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);

			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				ksnprintf(name, sizeof(name), "%s/%s", dir, de->d_name);
				if (vfs_unlinkat(K, NULL, name, 0))
					err = -EIO;
			}
			off += de->d_reclen;
		}
	}
	kfree(buf);
	file_put(d);
	return err ? err : vfs_rmdir(K, NULL, dir);
}

/* ==== vfs ============================================================================ */

static void vfs_boot_tree(struct ktest *t)
{
	struct statx root, dev, null;

	KT_ASSERT(t, vfs_statx(K, NULL, "/", 0, 0, &root) == 0);
	KT_ASSERT(t, vfs_statx(K, NULL, "/dev", 0, 0, &dev) == 0);
	KT_ASSERT(t, vfs_statx(K, NULL, "/dev/null", 0, 0, &null) == 0);
	KT_EXPECT_EQ(t, root.stx_mode, S_IFDIR | 0755);
	KT_EXPECT(t, dev.stx_mnt_id != root.stx_mnt_id);
	KT_EXPECT(t, S_ISCHR(null.stx_mode));
	KT_EXPECT_EQ(t, null.stx_rdev_major, 1);
	KT_EXPECT_EQ(t, null.stx_rdev_minor, 3);
}

static void vfs_paths_and_symlinks(struct ktest *t)
{
	struct statx st;
	char buf[32];

	KT_ASSERT(t, kvfs_mkdir_p("/kt-walk/a/b/c", 0755) == 0);
	KT_EXPECT_EQ(t, kvfs_write_file("/kt-walk/a/b/c/f", 0644, "payload", 7), 0);
	KT_EXPECT_EQ(t, kvfs_symlink("a/b", "/kt-walk/lb"), 0);
	KT_EXPECT_EQ(t, kvfs_symlink("/kt-walk/lb/c/../c/f", "/kt-walk/lf"), 0);
	KT_EXPECT_EQ(t, kvfs_read_file("/kt-walk/lf", buf, sizeof(buf), 0), 7);
	KT_EXPECT(t, !memcmp(buf, "payload", 7));
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-walk/lb/c/f/", 0, 0, &st), -ENOTDIR);
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-walk/a/../../kt-walk/a/b/c/f", 0, 0, &st), 0);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-walk/lf"), 0);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-walk/lb"), 0);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-walk/a/b/c/f"), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-walk/a/b/c"), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-walk/a/b"), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-walk/a"), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-walk"), 0);
}

/* Threads creating, renaming and unlinking in two shared directories. */
struct churn_arg {
	int id;
	int errors;
};

#define CHURN_THREADS 4
#define CHURN_ROUNDS 150

static void churn(void *p)
{
	struct churn_arg *a = p;
	char x[64], y[64];

	for (int i = 0; i < CHURN_ROUNDS; i++) {
		ksnprintf(x, sizeof(x), "/kt-churn/d1/t%d-%d", a->id, i);
		ksnprintf(y, sizeof(y), "/kt-churn/d2/t%d-%d", a->id, i);
		if (kvfs_write_file(x, 0644, x, strlen(x)))
			a->errors++;
		if (vfs_renameat2(K, NULL, x, NULL, y, 0))
			a->errors++;
		if (i % 2 && vfs_renameat2(K, NULL, "/kt-churn/d1", NULL, "/kt-churn/d2",
					   RENAME_EXCHANGE))
			a->errors++;	/* swap the two dirs under everyone's feet */
		if (i % 7 == 0)
			dcache_shrink(32);
		if (i % 5 == 0)
			yield();
	}
}

static void vfs_concurrent_namespace_churn(struct ktest *t)
{
	struct churn_arg a[CHURN_THREADS];
	struct task *th[CHURN_THREADS];
	struct statx s1, s2;
	int files = 0;

	KT_ASSERT(t, kvfs_mkdir_p("/kt-churn/d1", 0755) == 0);
	KT_ASSERT(t, kvfs_mkdir_p("/kt-churn/d2", 0755) == 0);
	for (int i = 0; i < CHURN_THREADS; i++) {
		a[i] = (struct churn_arg){ i, 0 };
		th[i] = kthread_create(churn, &a[i], "churn");
	}
	for (int i = 0; i < CHURN_THREADS; i++) {
		if (th[i])
			kthread_join(th[i]);
		KT_EXPECT(t, th[i] != NULL);
	}
	/* a file may be renamed into whichever dir is "d2" at that moment, and
	 * the write of the next may fail when its "d1" was just swapped: only
	 * the totals are certain */
	KT_ASSERT(t, vfs_statx(K, NULL, "/kt-churn/d1", 0, 0, &s1) == 0);
	KT_ASSERT(t, vfs_statx(K, NULL, "/kt-churn/d2", 0, 0, &s2) == 0);
	KT_EXPECT_EQ(t, s1.stx_nlink, 2);
	KT_EXPECT_EQ(t, s2.stx_nlink, 2);
	for (int i = 0; i < CHURN_THREADS; i++)
		files += CHURN_ROUNDS - a[i].errors;
	KT_EXPECT(t, files > 0);
	KT_EXPECT_EQ(t, remove_flat_dir("/kt-churn/d1"), 0);
	KT_EXPECT_EQ(t, remove_flat_dir("/kt-churn/d2"), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-churn"), 0);
}

/* Several threads sharing one fd table and one open file description. */
struct fd_arg {
	struct fd_table *tab;
	struct file *f;
	int errors;
};

static void fd_worker(void *p)
{
	struct fd_arg *a = p;

	for (int i = 0; i < 200; i++) {
		int fd = fd_install(a->tab, file_get(a->f), 0), fd2;

		if (fd < 0) {
			a->errors++;
			continue;
		}
		fd2 = fd_dup(a->tab, fd);
		if (fd2 < 0 || fd_close(a->tab, fd) || fd_close(a->tab, fd2))
			a->errors++;
		if (i % 16 == 0)
			yield();
	}
}

static void vfs_fd_table_threads(struct ktest *t)
{
	struct fd_arg a[4];
	struct task *th[4];
	struct fd_table *tab = fd_table_create();
	struct file *f = kopen("/dev/null", O_RDWR, 0);

	KT_ASSERT(t, tab && f);
	for (int i = 0; i < 4; i++) {
		a[i] = (struct fd_arg){ tab, f, 0 };
		th[i] = kthread_create(fd_worker, &a[i], "fdw");
	}
	for (int i = 0; i < 4; i++) {
		if (th[i])
			kthread_join(th[i]);
		KT_EXPECT_EQ(t, a[i].errors, 0);
	}
	KT_EXPECT_EQ(t, fd_count(tab), 0);
	KT_EXPECT_EQ(t, atomic_read(&f->refs), 1);
	fd_table_put(tab);
	file_put(f);
}

static void vfs_mounts(struct ktest *t)
{
	struct file *f;

	KT_ASSERT(t, kvfs_mkdir_p("/kt-mnt", 0755) == 0);
	KT_ASSERT(t, vfs_mount(K, "tmpfs", "/kt-mnt", "tmpfs", 0, "size=1M") == 0);
	KT_EXPECT_EQ(t, kvfs_write_file("/kt-mnt/f", 0644, "m", 1), 0);
	f = kopen("/kt-mnt/f", O_RDONLY, 0);
	KT_EXPECT(t, f != NULL);
	KT_EXPECT_EQ(t, vfs_umount(K, "/kt-mnt", 0), -EBUSY);
	file_put(f);
	KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, "/kt-mnt/f", NULL, "/kt-f", 0), -EXDEV);
	KT_EXPECT_EQ(t, vfs_umount(K, "/kt-mnt", 0), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-mnt"), 0);
}

/* A directory held locked: a creator in it sleeps until the lock is
 * handed over, then finishes. */
struct blocked_arg {
	volatile int state;	/* 1 started, 2 done */
	int err;
};

static void blocked_creator(void *p)
{
	struct blocked_arg *a = p;

	a->state = 1;
	a->err = kvfs_write_file("/kt-lock/new", 0644, "n", 1);
	a->state = 2;
}

static void vfs_inode_lock_sleeps_and_hands_over(struct ktest *t)
{
	struct blocked_arg a = { 0, -1 };
	struct path dir;
	struct statx st;
	struct task *th;

	KT_ASSERT(t, kvfs_mkdir_p("/kt-lock", 0755) == 0);
	KT_ASSERT(t, vfs_lookup(K, NULL, "/kt-lock", 0, &dir) == 0);
	inode_lock(dir.dentry->inode);
	th = kthread_create(blocked_creator, &a, "blocked");
	KT_EXPECT(t, th != NULL);
	KT_EXPECT(t, KT_WAIT_FOR(a.state == 1, 100));
	msleep(2);
	KT_EXPECT_EQ(t, a.state, 1);		/* asleep on the directory */
	inode_unlock(dir.dentry->inode);
	if (th)
		kthread_join(th);
	KT_EXPECT_EQ(t, a.state, 2);
	KT_EXPECT_EQ(t, a.err, 0);
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-lock/new", 0, 0, &st), 0);
	path_put(&dir);
	KT_EXPECT_EQ(t, remove_flat_dir("/kt-lock"), 0);
}

KTEST_SUITE(vfs,
	    KTEST_CASE(vfs_boot_tree),
	    KTEST_CASE(vfs_paths_and_symlinks),
	    KTEST_CASE(vfs_concurrent_namespace_churn),
	    KTEST_CASE(vfs_fd_table_threads),
	    KTEST_CASE(vfs_inode_lock_sleeps_and_hands_over),
	    KTEST_CASE(vfs_mounts));

/* ==== tmpfs ========================================================================== */

#define WRITERS 4
#define RECORDS 100
#define RECLEN 64

struct writer_arg {
	struct file *shared;	/* one description, O_APPEND */
	int id;
	int errors;
};

static void appender(void *p)
{
	struct writer_arg *a = p;
	char rec[RECLEN];
	struct file *own = kopen("/kt-w/pw", O_WRONLY, 0);

	if (!own) {
		a->errors++;
		return;
	}
	for (int i = 0; i < RECORDS; i++) {
		memset(rec, 'A' + a->id, sizeof(rec));
		ksnprintf(rec, sizeof(rec), "%d:%03d:", a->id, i);
		rec[RECLEN - 1] = '\n';
		if (vfs_write(a->shared, rec, RECLEN) != RECLEN)
			a->errors++;
		/* and a region of its own in a second file through its own
		 * description */
		if (vfs_pwrite(own, rec, RECLEN, (s64)(a->id * RECORDS + i) * RECLEN) != RECLEN)
			a->errors++;
		if (i % 10 == 0)
			yield();
	}
	file_put(own);
}

static void tmpfs_concurrent_writers(struct ktest *t)
{
	struct writer_arg a[WRITERS];
	struct task *th[WRITERS];
	int count[WRITERS] = { 0 };
	char *buf = kmalloc(WRITERS * RECORDS * RECLEN, 0);
	struct file *shared;
	struct statx st;
	long n;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, kvfs_mkdir_p("/kt-w", 0755) == 0);
	KT_ASSERT(t, kvfs_write_file("/kt-w/pw", 0644, "", 0) == 0);
	shared = kopen("/kt-w/log", O_CREAT | O_WRONLY | O_APPEND, 0644);
	KT_ASSERT(t, shared != NULL);
	for (int i = 0; i < WRITERS; i++) {
		a[i] = (struct writer_arg){ shared, i, 0 };
		th[i] = kthread_create(appender, &a[i], "writer");
	}
	for (int i = 0; i < WRITERS; i++) {
		if (th[i])
			kthread_join(th[i]);
		KT_EXPECT(t, th[i] != NULL);
		KT_EXPECT_EQ(t, a[i].errors, 0);
	}
	file_put(shared);
	/* the appended log: every record whole, each writer's in order */
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-w/log", 0, 0, &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, WRITERS * RECORDS * RECLEN);
	n = kvfs_read_file("/kt-w/log", buf, WRITERS * RECORDS * RECLEN, 0);
	KT_EXPECT_EQ(t, n, WRITERS * RECORDS * RECLEN);
	for (long r = 0; n > 0 && r < WRITERS * RECORDS; r++) {
		char *rec = buf + r * RECLEN;
		int id = rec[0] - '0';
		bool whole = id >= 0 && id < WRITERS && rec[RECLEN - 1] == '\n' &&
			     rec[RECLEN - 2] == 'A' + id;

		if (!KT_EXPECT(t, whole))
			break;
		KT_EXPECT_EQ(t, (rec[2] - '0') * 100 + (rec[3] - '0') * 10 + (rec[4] - '0'),
			     count[id]);
		count[id]++;
	}
	/* the positional file: every region where its writer put it */
	n = kvfs_read_file("/kt-w/pw", buf, WRITERS * RECORDS * RECLEN, 0);
	KT_EXPECT_EQ(t, n, WRITERS * RECORDS * RECLEN);
	for (int id = 0; n > 0 && id < WRITERS; id++)
		for (int i = 0; i < RECORDS; i++)
			if (!KT_EXPECT_EQ(t, buf[(id * RECORDS + i) * RECLEN + RECLEN - 2], 'A' + id))
				break;
	kfree(buf);
	KT_EXPECT_EQ(t, remove_flat_dir("/kt-w"), 0);
}

#define BIG_DIR 10000

static void tmpfs_ten_thousand_entries(struct ktest *t)
{
	u8 *seen = kzalloc(BIG_DIR, 0);
	char name[48], *buf = kmalloc(8192, 0);
	struct statx st;
	struct file *d;
	long n, entries = 0, dups = 0, errors = 0;

	KT_ASSERT(t, seen && buf);
	KT_ASSERT(t, kvfs_mkdir_p("/kt-big", 0755) == 0);
	/* its own mount, without an inode cap, whatever mem= says */
	KT_ASSERT(t, vfs_mount(K, "tmpfs", "/kt-big", "tmpfs", 0, "nr_inodes=0,mode=755") == 0);
	for (int i = 0; i < BIG_DIR; i++) {
		struct file *f;

		ksnprintf(name, sizeof(name), "/kt-big/entry-%05d", i);
		if (vfs_openat(K, NULL, name, O_CREAT | O_EXCL | O_WRONLY, 0644, &f)) {
			errors++;
			continue;
		}
		file_put(f);
	}
	KT_EXPECT_EQ(t, errors, 0);
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-big", 0, 0, &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, (BIG_DIR + 2) * 20);
	d = kopen("/kt-big", O_RDONLY | O_DIRECTORY, 0);
	KT_ASSERT(t, d != NULL);
	while ((n = vfs_getdents(d, buf, 8192)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			u64 idx;

			off += de->d_reclen;
			entries++;
			if (de->d_name[0] == '.')
				continue;
			if (kstrtou64(de->d_name + 6, 5, &idx) || idx >= BIG_DIR ||
			    de->d_type != DT_REG) {
				errors++;
				continue;
			}
			dups += seen[idx]++ != 0;
		}
	}
	file_put(d);
	KT_EXPECT_EQ(t, n, 0);
	KT_EXPECT_EQ(t, entries, BIG_DIR + 2);
	KT_EXPECT_EQ(t, dups, 0);
	KT_EXPECT_EQ(t, errors, 0);
	for (int i = 0; i < BIG_DIR; i++) {
		ksnprintf(name, sizeof(name), "/kt-big/entry-%05d", i);
		errors += vfs_unlinkat(K, NULL, name, 0) != 0;
	}
	KT_EXPECT_EQ(t, errors, 0);
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, "/kt-big", 0, 0, &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, 2 * 20);
	KT_EXPECT_EQ(t, vfs_umount(K, "/kt-big", 0), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-big"), 0);
	kfree(seen);
	kfree(buf);
}

static void tmpfs_sparse_gigabyte(struct ktest *t)
{
	u64 before = mm_free_pages_settled(), during;
	struct file *f = kopen("/kt-sparse", O_CREAT | O_RDWR, 0644);
	struct statx st;
	char buf[8] = "xxxxxxx";

	KT_ASSERT(t, f != NULL);
	KT_EXPECT_EQ(t, vfs_pwrite(f, "tail", 4, (s64)GiB(1)), 4);
	KT_EXPECT_EQ(t, vfs_fstatx(f, 0, &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, GiB(1) + 4);
	KT_EXPECT_EQ(t, st.stx_blocks, PAGE_SIZE / 512);
	during = mm_free_pages_settled();
	KT_EXPECT(t, before - during < 16);	/* one data page, a few tree nodes */
	KT_EXPECT_EQ(t, vfs_pread(f, buf, 4, (s64)GiB(1) - 2), 4);
	KT_EXPECT(t, !memcmp(buf, "\0\0ta", 4));
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_DATA), (s64)GiB(1));
	file_put(f);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-sparse"), 0);
	dcache_shrink(~0UL);
	KT_EXPECT(t, mm_free_pages_settled() + 2 >= before);
}

static void tmpfs_enospc_small_mount(struct ktest *t)
{
	char *page = kzalloc(PAGE_SIZE, 0);
	struct file *f;
	long n, total = 0;

	KT_ASSERT(t, page != NULL);
	KT_ASSERT(t, kvfs_mkdir_p("/kt-small", 0755) == 0);
	KT_ASSERT(t, vfs_mount(K, "tmpfs", "/kt-small", "tmpfs", 0, "size=64K") == 0);
	f = kopen("/kt-small/fill", O_CREAT | O_WRONLY, 0644);
	KT_ASSERT(t, f != NULL);
	while ((n = vfs_write(f, page, PAGE_SIZE)) > 0)
		total += n;
	KT_EXPECT_EQ(t, n, -ENOSPC);
	KT_EXPECT_EQ(t, total, KiB(64));
	KT_EXPECT_EQ(t, kvfs_write_file("/kt-small/more", 0644, "x", 1), -ENOSPC);
	file_put(f);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-small/fill"), 0);	/* space comes back */
	KT_EXPECT_EQ(t, kvfs_write_file("/kt-small/more", 0644, "x", 1), 0);
	KT_EXPECT_EQ(t, vfs_umount(K, "/kt-small", 0), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-small"), 0);
	kfree(page);
}

KTEST_SUITE(tmpfs,
	    KTEST_CASE(tmpfs_concurrent_writers),
	    KTEST_CASE(tmpfs_ten_thousand_entries),
	    KTEST_CASE(tmpfs_sparse_gigabyte),
	    KTEST_CASE(tmpfs_enospc_small_mount));

/* ==== devfs ========================================================================== */

static void devfs_device_numbers(struct ktest *t)
{
	static const struct { const char *path; u32 ma, mi; } devs[] = {
		{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
		{ "/dev/console", 5, 1 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(devs); i++) {
		struct statx st;

		if (!KT_EXPECT_EQ(t, vfs_statx(K, NULL, devs[i].path, 0, 0, &st), 0))
			continue;
		KT_EXPECT(t, S_ISCHR(st.stx_mode));
		KT_EXPECT_EQ(t, st.stx_rdev_major, devs[i].ma);
		KT_EXPECT_EQ(t, st.stx_rdev_minor, devs[i].mi);
	}
}

static void devfs_null_zero_full(struct ktest *t)
{
	char buf[32];
	struct file *f;
	bool zero = true;

	f = kopen("/dev/null", O_RDWR, 0);
	KT_ASSERT(t, f != NULL);
	KT_EXPECT_EQ(t, vfs_write(f, "abc", 3), 3);
	KT_EXPECT_EQ(t, vfs_read(f, buf, sizeof(buf)), 0);
	file_put(f);
	f = kopen("/dev/zero", O_RDONLY, 0);
	KT_ASSERT(t, f != NULL);
	memset(buf, 0x5a, sizeof(buf));
	KT_EXPECT_EQ(t, vfs_read(f, buf, sizeof(buf)), sizeof(buf));
	for (unsigned i = 0; i < sizeof(buf); i++)
		zero &= buf[i] == 0;
	KT_EXPECT(t, zero);
	file_put(f);
	f = kopen("/dev/full", O_WRONLY, 0);
	KT_ASSERT(t, f != NULL);
	KT_EXPECT_EQ(t, vfs_write(f, "abc", 3), -ENOSPC);
	file_put(f);
}

static void devfs_random(struct ktest *t)
{
	u8 a[64], b[64];
	struct file *f = kopen("/dev/urandom", O_RDONLY, 0);
	int same = 0, ones = 0;

	KT_ASSERT(t, f != NULL);
	KT_EXPECT_EQ(t, vfs_read(f, a, sizeof(a)), sizeof(a));
	KT_EXPECT_EQ(t, vfs_read(f, b, sizeof(b)), sizeof(b));
	for (unsigned i = 0; i < sizeof(a); i++) {
		same += a[i] == b[i];
		ones += __builtin_popcount(a[i]);
	}
	KT_EXPECT(t, same < 8);
	KT_EXPECT(t, ones > 160 && ones < 352);	/* about half of 512 bits */
	file_put(f);
}

static void devfs_console_write(struct ktest *t)
{
	static const char msg[] = "# devfs: written through /dev/console\n";
	struct file *f = kopen("/dev/console", O_RDWR | O_NONBLOCK, 0);
	size_t waiting;
	long r;
	char c;

	KT_ASSERT(t, f != NULL);
	KT_EXPECT_EQ(t, vfs_write(f, msg, sizeof(msg) - 1), sizeof(msg) - 1);
	/* Input is whatever the machine's console received (usually nothing
	 * here; tests/console-input.sh types some): a byte if one waits,
	 * else EAGAIN, never end of file. */
	waiting = console_input_pending();
	r = vfs_read(f, &c, 1);
	KT_EXPECT(t, waiting ? r == 1 : r == -EAGAIN || r == 1);
	file_put(f);
}

/* Typed input end to end (machine's UART or stdin, interrupt, ring,
 * /dev/console): the harness (tests/console-input.sh, and the same with
 * the QEMU launchers) waits for the prompt below, then types the line. */
#define CONSOLE_TEST_LINE "umka-console-test\n"

static void console_reads_typed_line(struct ktest *t)
{
	struct file *f = kopen("/dev/console", O_RDONLY | O_NONBLOCK, 0);
	struct console_input_stats st;
	char line[64];
	size_t got = 0;
	u64 deadline = ktime_get_ns() + 30 * NSEC_PER_SEC;

	KT_ASSERT(t, f != NULL);
	console_printf("# console_input: type a line\n");
	while (got < sizeof(line) - 1 && (!got || line[got - 1] != '\n') &&
	       ktime_get_ns() < deadline) {
		long r = vfs_read(f, line + got, sizeof(line) - 1 - got);

		if (r > 0)
			got += (size_t)r;
		else
			msleep(5);
	}
	line[got] = '\0';
	file_put(f);
	KT_EXPECT_EQ(t, (long)got, (long)sizeof(CONSOLE_TEST_LINE) - 1);
	KT_EXPECT(t, !strcmp(line, CONSOLE_TEST_LINE));
	console_input_get_stats(&st);
	KT_EXPECT(t, st.interrupts > 0 && st.received >= got && st.dropped == 0);
}

KTEST_SUITE_EXPLICIT(console_input, KTEST_CASE(console_reads_typed_line));

KTEST_SUITE(devfs,
	    KTEST_CASE(devfs_device_numbers),
	    KTEST_CASE(devfs_null_zero_full),
	    KTEST_CASE(devfs_random),
	    KTEST_CASE(devfs_console_write));
