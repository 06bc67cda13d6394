/* ktest suites `procfs` and `umkafs`: the synthetic filesystems read
 * through the VFS inside the booted kernel, checked against the kernel's
 * own accounting (mm stats, slab caches, tasks, mounts, ktest suites). */
#include <umka/errno.h>
#include <umka/ktest.h>
#include <umka/mm.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/umkafs.h>
#include <umka/vfs.h>

#define K vfs_kernel_ctx()

/* The whole file as a NUL-terminated string; length or negative errno. */
static long read_str(const char *path, char *buf, size_t size)
{
	long n = kvfs_read_file(path, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = 0;
	return n;
}

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

/* Does the directory list name? -1 if it cannot be read; also counts. */
static int dir_has(const char *dir, const char *name, unsigned *count)
{
	struct file *d;
	char *buf;
	long n;
	int found = 0;

	if (count)
		*count = 0;
	if (vfs_openat(K, NULL, dir, O_RDONLY | O_DIRECTORY, 0, &d))
		return -1;
	buf = kmalloc(4096, 0);
	while (buf && (n = vfs_getdents(d, buf, 4096)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);

			if (!strcmp(de->d_name, name))
				found = 1;
			if (count && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				(*count)++;
			off += de->d_reclen;
		}
	}
	kfree(buf);
	file_put(d);
	return found;
}

static u64 parse_u64_at(const char *s)
{
	u64 v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (u64)(*s++ - '0');
	return v;
}

/* ---- procfs ------------------------------------------------------------------------------ */

static void procfs_meminfo(struct ktest *t)
{
	char *buf = kmalloc(4096, 0);
	struct mm_stats st;
	const char *p;

	KT_ASSERT(t, buf);
	KT_EXPECT(t, read_str("/proc/meminfo", buf, 4096) > 0);
	mm_get_stats(&st);
	KT_EXPECT(t, !strncmp(buf, "MemTotal:", 9));
	KT_EXPECT_EQ(t, parse_u64_at(buf + 9), st.total_pages * (PAGE_SIZE / 1024));
	KT_EXPECT(t, contains(buf, " kB\nMemFree:"));
	KT_EXPECT(t, contains(buf, "\nMemAvailable:"));
	/* Linux's layout: the key padded to 16 columns, the value to 8 */
	KT_EXPECT(t, contains(buf, "\nBuffers:               0 kB\n"));
	KT_EXPECT(t, contains(buf, "\nCached:                0 kB\n"));
	for (p = buf; *p && strncmp(p, "\nSlab:", 6); p++)
		;
	KT_EXPECT(t, *p && parse_u64_at(p + 6) > 0);
	kfree(buf);
}

static void procfs_self(struct ktest *t)
{
	char link[32], want[32], buf[512];
	long n = vfs_readlinkat(K, NULL, "/proc/self", link, sizeof(link) - 1);
	struct statx st;

	KT_ASSERT(t, n > 0);
	link[n] = 0;
	ksnprintf(want, sizeof(want), "%d", current->tid);
	KT_EXPECT(t, !strcmp(link, want));
	KT_EXPECT_EQ(t, kvfs_stat("/proc/self", &st), 0);
	KT_EXPECT(t, S_ISLNK(st.stx_mode));
	KT_EXPECT(t, read_str("/proc/self/status", buf, sizeof(buf)) > 0);
	ksnprintf(want, sizeof(want), "\nPid:\t%d\n", current->tid);
	KT_EXPECT(t, contains(buf, want));
	KT_EXPECT(t, contains(buf, "\nState:\tR (running)\n"));
	KT_EXPECT(t, contains(buf, "\nPPid:\t0\n"));
	KT_EXPECT(t, contains(buf, "\nThreads:\t1\n"));
	ksnprintf(want, sizeof(want), "Name:\t%s\n", current->name);
	KT_EXPECT(t, !strncmp(buf, want, strlen(want)));
	KT_EXPECT(t, read_str("/proc/self/comm", buf, sizeof(buf)) > 0);
	ksnprintf(want, sizeof(want), "%s\n", current->name);
	KT_EXPECT(t, !strcmp(buf, want));
	KT_EXPECT(t, read_str("/proc/self/stat", buf, sizeof(buf)) > 0);
	ksnprintf(want, sizeof(want), "%d (%s) R ", current->tid, current->name);
	KT_EXPECT(t, !strncmp(buf, want, strlen(want)));
}

static volatile bool sleeper_go;

static void sleeper(void *arg)
{
	while (!READ_ONCE(sleeper_go))
		msleep(1);
}

static void procfs_task_lifetime(struct ktest *t)
{
	char pid[16], path[64], buf[64];
	struct statx st;
	struct task *k;
	int tid;

	sleeper_go = false;
	k = kthread_create(sleeper, NULL, "kt-procfs");
	KT_ASSERT(t, k);
	tid = k->tid;
	ksnprintf(pid, sizeof(pid), "%d", tid);
	KT_EXPECT_EQ(t, dir_has("/proc", pid, NULL), 1);
	KT_EXPECT_EQ(t, dir_has("/sys/umka/tasks", pid, NULL), 1);
	ksnprintf(path, sizeof(path), "/proc/%d", tid);
	KT_EXPECT_EQ(t, kvfs_stat(path, &st), 0);
	KT_EXPECT(t, S_ISDIR(st.stx_mode));
	ksnprintf(path, sizeof(path), "/proc/%d/comm", tid);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "kt-procfs\n"));
	ksnprintf(path, sizeof(path), "/sys/umka/tasks/%d/name", tid);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "kt-procfs\n"));
	ksnprintf(path, sizeof(path), "/sys/umka/tasks/%d/policy", tid);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "normal\n"));

	WRITE_ONCE(sleeper_go, true);
	kthread_join(k);
	ksnprintf(path, sizeof(path), "/proc/%d", tid);
	KT_EXPECT(t, KT_WAIT_FOR(kvfs_stat(path, &st) == -ENOENT, 2000));
	KT_EXPECT_EQ(t, dir_has("/proc", pid, NULL), 0);
	KT_EXPECT_EQ(t, dir_has("/sys/umka/tasks", pid, NULL), 0);
	ksnprintf(path, sizeof(path), "/sys/umka/tasks/%d/name", tid);
	KT_EXPECT_EQ(t, read_str(path, buf, sizeof(buf)), -ENOENT);
	ksnprintf(path, sizeof(path), "/proc/%d/status", tid);
	KT_EXPECT_EQ(t, read_str(path, buf, sizeof(buf)), -ENOENT);
}

static void procfs_mounts(struct ktest *t)
{
	char *buf = kmalloc(4096, 0);

	KT_ASSERT(t, buf);
	KT_EXPECT(t, read_str("/proc/mounts", buf, 4096) > 0);
	KT_EXPECT(t, contains(buf, " / tmpfs rw 0 0\n"));
	KT_EXPECT(t, contains(buf, "devfs /dev devfs rw 0 0\n"));
	KT_EXPECT(t, contains(buf, "proc /proc proc rw 0 0\n"));
	KT_EXPECT(t, contains(buf, "umkafs /sys/umka umkafs rw 0 0\n"));
	kfree(buf);
}

static void procfs_offsets(struct ktest *t)
{
	char whole[256], part[256];
	long n, m;
	struct file *f;
	struct statx st;

	n = read_str("/proc/version", whole, sizeof(whole));
	KT_ASSERT(t, n > 10);
	KT_EXPECT(t, !strncmp(whole, "UmkaOS version ", 15));
	KT_EXPECT_EQ(t, kvfs_read_file("/proc/version", part, 7, 5), 7);
	KT_EXPECT(t, !memcmp(part, whole + 5, 7));
	KT_EXPECT_EQ(t, kvfs_read_file("/proc/version", part, 100, n - 3), 3);
	KT_EXPECT(t, !memcmp(part, whole + n - 3, 3));
	KT_EXPECT_EQ(t, kvfs_read_file("/proc/version", part, 100, n), 0);
	KT_EXPECT_EQ(t, kvfs_read_file("/proc/version", part, 100, n + 1000), 0);
	KT_EXPECT_EQ(t, kvfs_stat("/proc/version", &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, 0);	/* as Linux */

	/* sequential small reads give the same bytes as one big one */
	KT_ASSERT(t, !vfs_openat(K, NULL, "/proc/cpuinfo", O_RDONLY, 0, &f));
	n = 0;
	while ((m = vfs_read(f, part + n, 3)) > 0 && n < 200)
		n += m;
	KT_EXPECT_EQ(t, vfs_lseek(f, 0, SEEK_SET), 0);
	KT_EXPECT_EQ(t, vfs_read(f, whole, (size_t)n), n);
	KT_EXPECT(t, !memcmp(whole, part, (size_t)n));
	KT_EXPECT(t, !strncmp(whole, "processor\t: 0\n", 14));
	file_put(f);

	n = read_str("/proc/uptime", whole, sizeof(whole));
	KT_ASSERT(t, n > 0);
	{	/* "secs.cs idle.cs\n" */
		const char *p = whole;

		while (*p >= '0' && *p <= '9')
			p++;
		KT_EXPECT(t, p > whole && p[0] == '.' && p[1] >= '0' && p[2] >= '0' && p[3] == ' ');
		KT_EXPECT(t, whole[n - 1] == '\n' && whole[n - 4] == '.');
	}
}

static void procfs_readonly(struct ktest *t)
{
	struct file *f;

	KT_EXPECT_EQ(t, vfs_openat(K, NULL, "/proc/meminfo", O_WRONLY, 0, &f), -EACCES);
	KT_EXPECT_EQ(t, vfs_openat(K, NULL, "/proc/meminfo", O_RDWR, 0, &f), -EACCES);
	/* new names do not exist, as in Linux (no negative entry is cached) */
	KT_EXPECT_EQ(t, kvfs_write_file("/proc/newfile", 0644, "x", 1), -ENOENT);
	KT_EXPECT_EQ(t, kvfs_unlink("/proc/meminfo"), -EACCES);
	KT_EXPECT_EQ(t, vfs_mkdirat(K, NULL, "/proc/d", 0755), -ENOENT);
	KT_EXPECT_EQ(t, vfs_mkdirat(K, NULL, "/sys/umka/d", 0755), -ENOENT);
	KT_EXPECT_EQ(t, kvfs_rmdir("/sys/umka/mm"), -EACCES);
	KT_EXPECT_EQ(t, kvfs_symlink("x", "/proc/meminfo"), -EEXIST);
	KT_EXPECT_EQ(t, kvfs_chmod("/proc/meminfo", 0666), -EPERM);
	KT_EXPECT_EQ(t, vfs_openat(K, NULL, "/sys/umka/mm/total_pages", O_WRONLY, 0, &f),
		     -EACCES);
	KT_EXPECT_EQ(t, kvfs_read_file("/proc/nonexistent", &f, 1, 0), -ENOENT);
}

KTEST_SUITE(procfs, KTEST_CASE(procfs_meminfo), KTEST_CASE(procfs_self),
	    KTEST_CASE(procfs_task_lifetime), KTEST_CASE(procfs_mounts),
	    KTEST_CASE(procfs_offsets), KTEST_CASE(procfs_readonly));

/* ---- umkafs ------------------------------------------------------------------------------ */

struct slab_check {
	struct ktest *t;
	unsigned n, checked;
	char names[8][64];
	u64 sizes[8];
};

static void note_cache(const struct kmem_cache_info *info, void *arg)
{
	struct slab_check *sc = arg;

	if (sc->n < 8 && strlen(info->name) < 64) {
		memcpy(sc->names[sc->n], info->name, strlen(info->name) + 1);
		sc->sizes[sc->n] = info->obj_size;
		sc->n++;
	}
}

static void count_cache(const struct kmem_cache_info *info, void *arg)
{
	(*(unsigned *)arg)++;
}

static void umkafs_slab(struct ktest *t)
{
	struct slab_check sc = { .t = t };
	unsigned caches = 0, listed = 0;
	char path[128], buf[32];

	slab_for_each_cache(note_cache, &sc);
	slab_for_each_cache(count_cache, &caches);
	KT_ASSERT(t, sc.n > 0);
	for (unsigned i = 0; i < sc.n; i++) {
		ksnprintf(path, sizeof(path), "/sys/umka/slab/%s/obj_size", sc.names[i]);
		KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0);
		KT_EXPECT_EQ(t, parse_u64_at(buf), sc.sizes[i]);
		ksnprintf(path, sizeof(path), "/sys/umka/slab/%s/total", sc.names[i]);
		KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0);
		KT_EXPECT_EQ(t, dir_has("/sys/umka/slab", sc.names[i], NULL), 1);
	}
	KT_EXPECT_EQ(t, dir_has("/sys/umka/slab", sc.names[0], &listed), 1);
	KT_EXPECT_EQ(t, listed, caches);
}

static void umkafs_ktest(struct ktest *t)
{
	char buf[32], want[32];
	const struct ktest_suite *s;

	KT_EXPECT_EQ(t, dir_has("/sys/umka/ktest", "umkafs", NULL), 1);
	KT_EXPECT_EQ(t, dir_has("/sys/umka/ktest", "procfs", NULL), 1);
	for (s = ktest_suites_begin(); s < ktest_suites_end() && strcmp(s->name, "umkafs"); s++)
		;
	KT_ASSERT(t, s < ktest_suites_end());
	ksnprintf(want, sizeof(want), "%u\n", s->nr_cases);
	KT_EXPECT(t, read_str("/sys/umka/ktest/umkafs/cases", buf, sizeof(buf)) > 0);
	KT_EXPECT(t, !strcmp(buf, want));
	/* this case runs second: the first one is recorded already */
	KT_EXPECT(t, read_str("/sys/umka/ktest/umkafs/run", buf, sizeof(buf)) > 0);
	KT_EXPECT_EQ(t, parse_u64_at(buf), 1);
	KT_EXPECT(t, read_str("/sys/umka/ktest/umkafs/passed", buf, sizeof(buf)) > 0);
	KT_EXPECT(t, read_str("/sys/umka/ktest/umkafs/failed", buf, sizeof(buf)) > 0);
}

static void umkafs_mm_mounts_tasks(struct ktest *t)
{
	struct mm_stats st;
	char buf[64], want[64], path[96];
	unsigned n = 0;
	bool dev_found = false;

	mm_get_stats(&st);
	KT_EXPECT(t, read_str("/sys/umka/mm/total_pages", buf, sizeof(buf)) > 0);
	KT_EXPECT_EQ(t, parse_u64_at(buf), st.total_pages);
	KT_EXPECT(t, read_str("/sys/umka/mm/pcp_pages", buf, sizeof(buf)) > 0);
	KT_EXPECT_EQ(t, dir_has("/sys/umka", "mm", NULL), 1);
	KT_EXPECT_EQ(t, dir_has("/sys/umka", "tasks", &n), 1);
	KT_EXPECT(t, n >= 5);

	for (unsigned id = 0; id < 64 && !dev_found; id++) {
		ksnprintf(path, sizeof(path), "/sys/umka/mounts/%u/target", id);
		if (read_str(path, buf, sizeof(buf)) <= 0 || strcmp(buf, "/dev\n"))
			continue;
		dev_found = true;
		ksnprintf(path, sizeof(path), "/sys/umka/mounts/%u/fstype", id);
		KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "devfs\n"));
		ksnprintf(path, sizeof(path), "/sys/umka/mounts/%u/source", id);
		KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "devfs\n"));
	}
	KT_EXPECT(t, dev_found);

	ksnprintf(path, sizeof(path), "/sys/umka/tasks/%d/state", current->tid);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0 && !strcmp(buf, "running\n"));
	ksnprintf(path, sizeof(path), "/sys/umka/tasks/%d/cpu", current->tid);
	ksnprintf(want, sizeof(want), "%u\n", current->cpu);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0);
	ksnprintf(path, sizeof(path), "/sys/umka/tasks/%d/switches", current->tid);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0 && parse_u64_at(buf) > 0);
}

/* A kind registered from outside umkafs.c, as drivers will. */
static void demo_list(void (*fill)(void *arg, const char *name), void *arg)
{
	fill(arg, "alpha");
	fill(arg, "beta");
	fill(arg, "bad/name");	/* skipped: cannot be an entry */
}

static long demo_read(const char *obj, const char *attr, char *buf, size_t size)
{
	if (strcmp(obj, "alpha") && strcmp(obj, "beta"))
		return -ENOENT;
	return ksnprintf(buf, size, "%s-%s", obj, attr);
}

static const char *const demo_attrs[] = { "value", NULL };
static const struct umkafs_kind_ops demo_ops = {
	.list = demo_list, .attrs = demo_attrs, .read = demo_read
};

static void umkafs_register(struct ktest *t)
{
	char buf[64];
	unsigned n;
	int err = umkafs_register_kind("ktest-demo", &demo_ops);

	KT_EXPECT(t, err == 0 || err == -EEXIST);	/* a second run finds it */
	KT_EXPECT_EQ(t, umkafs_register_kind("ktest-demo", &demo_ops), -EEXIST);
	KT_EXPECT_EQ(t, umkafs_register_kind("a/b", &demo_ops), -EINVAL);
	KT_EXPECT_EQ(t, dir_has("/sys/umka/ktest-demo", "beta", &n), 1);
	KT_EXPECT_EQ(t, n, 2);
	KT_EXPECT(t, read_str("/sys/umka/ktest-demo/alpha/value", buf, sizeof(buf)) > 0);
	KT_EXPECT(t, !strcmp(buf, "alpha-value\n"));
	KT_EXPECT_EQ(t, read_str("/sys/umka/ktest-demo/gamma/value", buf, sizeof(buf)), -ENOENT);
	KT_EXPECT_EQ(t, read_str("/sys/umka/ktest-demo/alpha/other", buf, sizeof(buf)), -ENOENT);
}

/* Not static: arch-um names only exported functions. */
enum hrtimer_restart umkafs_probe_timer_fn(struct hrtimer *h);
enum hrtimer_restart umkafs_probe_timer_fn(struct hrtimer *h)
{
	return HRTIMER_NORESTART;
}

/* An armed timer is listed with its CPU, expiry and callback, and its
 * directory goes away (reads give ENOENT) once it is cancelled. */
static void umkafs_timers(struct ktest *t)
{
	struct hrtimer h;
	char name[24], path[96], buf[128];
	u64 expires = ktime_get_ns() + 3600 * NSEC_PER_SEC;

	hrtimer_init(&h, umkafs_probe_timer_fn);
	hrtimer_start(&h, expires);
	ksnprintf(name, sizeof(name), "0x%lx", (unsigned long)(uintptr_t)&h);
	KT_EXPECT_EQ(t, dir_has("/sys/umka/timers", name, NULL), 1);
	ksnprintf(path, sizeof(path), "/sys/umka/timers/%s/expires_ns", name);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0);
	KT_EXPECT_EQ(t, parse_u64_at(buf), expires);
	ksnprintf(path, sizeof(path), "/sys/umka/timers/%s/remaining_ns", name);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0);
	KT_EXPECT(t, parse_u64_at(buf) > 3500 * NSEC_PER_SEC && parse_u64_at(buf) <= 3600 * NSEC_PER_SEC);
	ksnprintf(path, sizeof(path), "/sys/umka/timers/%s/cpu", name);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0);
	KT_EXPECT_EQ(t, parse_u64_at(buf), h.cpu);
	ksnprintf(path, sizeof(path), "/sys/umka/timers/%s/function", name);
	KT_EXPECT(t, read_str(path, buf, sizeof(buf)) > 0);
	KT_EXPECT(t, !strncmp(buf, "umkafs_probe_timer_fn+0x0", 25));
	KT_EXPECT(t, hrtimer_cancel(&h));
	KT_EXPECT_EQ(t, dir_has("/sys/umka/timers", name, NULL), 0);
	KT_EXPECT_EQ(t, read_str(path, buf, sizeof(buf)), -ENOENT);
}

KTEST_SUITE(umkafs, KTEST_CASE(umkafs_slab), KTEST_CASE(umkafs_ktest),
	    KTEST_CASE(umkafs_mm_mounts_tasks), KTEST_CASE(umkafs_register),
	    KTEST_CASE(umkafs_timers));
