/* procfs: the Linux /proc layout for what the kernel has so far.
 * /proc/{meminfo,uptime,mounts,cpuinfo,version,cmdline,dmesg}, /proc/self
 * (a symlink to the reader's tid), and /proc/<tid>/{status,comm,stat} for
 * every task. Contents are generated when a file is opened (pseudo.c), so
 * a reader sees one consistent snapshot at any offset; sizes are 0 as in
 * Linux; everything is read-only. */
#include <umka/errno.h>
#include <umka/kernel.h>
#include <umka/mm.h>
#include <umka/percpu.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>

#include "pseudo.h"

#define PROC_SUPER_MAGIC 0x9fa0

#ifndef UMKA_VERSION
#define UMKA_VERSION "unknown"
#endif

/* ---- Tasks -------------------------------------------------------------------------------- */

_Static_assert(sizeof(((struct task_snap *)0)->name) == TASK_NAME_LEN, "task_snap name");

static void snap_one(struct task *t, void *arg)
{
	struct task_snap *s = arg;

	if (t->tid != s->tid)
		return;
	s->found = true;
	memcpy(s->name, t->name, TASK_NAME_LEN);
	s->name[TASK_NAME_LEN - 1] = 0;
	s->state = READ_ONCE(t->state);
	s->policy = t->policy;
	s->rt_prio = t->rt_prio;
	s->nice = t->se.nice;
	s->cpu = READ_ONCE(t->cpu);
	s->switches = READ_ONCE(t->nr_switches);
	s->runtime_ns = READ_ONCE(t->se.sum_exec_runtime);
}

bool procfs_task_snap(int tid, struct task_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->tid = tid;
	sched_for_each_task(snap_one, s);
	return s->found;
}

static char state_letter(int state)
{
	switch (state) {
	case TASK_RUNNING: return 'R';
	case TASK_INTERRUPTIBLE: return 'S';
	case TASK_UNINTERRUPTIBLE: return 'D';
	default: return 'Z';	/* exited, not yet reaped */
	}
}

static const char *state_word(int state)
{
	switch (state) {
	case TASK_RUNNING: return "running";
	case TASK_INTERRUPTIBLE: return "sleeping";
	case TASK_UNINTERRUPTIBLE: return "disk sleep";
	default: return "zombie";
	}
}

static int show_status(const struct pseudo_node *n, struct pbuf *b)
{
	struct task_snap s;

	if (!procfs_task_snap((int)n->key, &s))
		return -ENOENT;
	pbuf_printf(b, "Name:\t%s\n", s.name);
	pbuf_printf(b, "State:\t%c (%s)\n", state_letter(s.state), state_word(s.state));
	pbuf_printf(b, "Tgid:\t%d\nPid:\t%d\nPPid:\t0\n", s.tid, s.tid);
	pbuf_printf(b, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	pbuf_printf(b, "Threads:\t1\n");
	pbuf_printf(b, "voluntary_ctxt_switches:\t%llu\n", (unsigned long long)s.switches);
	pbuf_printf(b, "nonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

static int show_comm(const struct pseudo_node *n, struct pbuf *b)
{
	struct task_snap s;

	if (!procfs_task_snap((int)n->key, &s))
		return -ENOENT;
	pbuf_printf(b, "%s\n", s.name);
	return 0;
}

/* Clock ticks at Linux's USER_HZ of 100. */
static unsigned long long to_ticks(u64 ns)
{
	return (unsigned long long)(ns / (NSEC_PER_SEC / 100));
}

static int show_stat(const struct pseudo_node *n, struct pbuf *b)
{
	struct task_snap s;
	int prio;

	if (!procfs_task_snap((int)n->key, &s))
		return -ENOENT;
	prio = s.policy == SCHED_FIFO || s.policy == SCHED_RR ? -1 - s.rt_prio : 20 + s.nice;
	/* pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime priority nice threads
	 * itrealvalue starttime vsize rss ... processor rt_priority policy */
	pbuf_printf(b, "%d (%s) %c 0 0 0 0 -1 %u 0 0 0 0 0 %llu 0 0 %d %d 1 0 0 0 0 ", s.tid,
		    s.name, state_letter(s.state), 0x00200040u /* PF_KTHREAD */,
		    to_ticks(s.runtime_ns), prio, s.nice);
	pbuf_printf(b, "0 0 0 0 0 0 0 0 0 0 0 0 0 17 %u %d %d 0 0 0\n", s.cpu, s.rt_prio,
		    s.policy == SCHED_IDLE_TASK ? 5 : s.policy);
	return 0;
}

static const struct pseudo_type status_type = { .mode = S_IFREG | 0444, .show = show_status };
static const struct pseudo_type comm_type = { .mode = S_IFREG | 0444, .show = show_comm };
static const struct pseudo_type stat_type = { .mode = S_IFREG | 0444, .show = show_stat };

static void list_pid_dir(const struct pseudo_node *dir, struct pseudo_fill *pf)
{
	pseudo_fill_simple(pf, dir, &comm_type, "comm");
	pseudo_fill_simple(pf, dir, &stat_type, "stat");
	pseudo_fill_simple(pf, dir, &status_type, "status");
}

static const struct pseudo_type pid_dir_type = { .mode = S_IFDIR | 0555, .list = list_pid_dir };

/* ---- Files at the top --------------------------------------------------------------------- */

static u64 slab_bytes(void);

static int show_meminfo(const struct pseudo_node *n, struct pbuf *b)
{
	struct mm_stats st;
	unsigned long long kb = PAGE_SIZE / 1024;

	mm_get_stats(&st);
	pbuf_printf(b, "MemTotal:       %8llu kB\n", (unsigned long long)st.total_pages * kb);
	pbuf_printf(b, "MemFree:        %8llu kB\n", (unsigned long long)st.free_pages * kb);
	pbuf_printf(b, "MemAvailable:   %8llu kB\n", (unsigned long long)st.free_pages * kb);
	pbuf_printf(b, "Buffers:        %8llu kB\n", 0ULL);
	pbuf_printf(b, "Cached:         %8llu kB\n", 0ULL);
	pbuf_printf(b, "Slab:           %8llu kB\n", (unsigned long long)(slab_bytes() / 1024));
	return 0;
}

static void add_slab(const struct kmem_cache_info *info, void *arg)
{
	u64 *sum = arg;

	*sum += info->total_objs * info->slot_size;
}

static u64 slab_bytes(void)
{
	u64 sum = 0;

	slab_for_each_cache(add_slab, &sum);
	return sum;
}

static void add_idle(struct task *t, void *arg)
{
	u64 *sum = arg;

	if (t->policy == SCHED_IDLE_TASK)
		*sum += READ_ONCE(t->se.sum_exec_runtime);
}

static int show_uptime(const struct pseudo_node *n, struct pbuf *b)
{
	u64 up = ktime_since_boot(), idle = 0;

	sched_for_each_task(add_idle, &idle);
	pbuf_printf(b, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / NSEC_PER_SEC),
		    (unsigned long long)(up % NSEC_PER_SEC / (NSEC_PER_SEC / 100)),
		    (unsigned long long)(idle / NSEC_PER_SEC),
		    (unsigned long long)(idle % NSEC_PER_SEC / (NSEC_PER_SEC / 100)));
	return 0;
}

/* Mounts are collected with a reference under the mount lock, then named
 * without it (naming takes that lock itself). */
struct mount_list {
	struct mount **v;
	unsigned n, cap;
};

static void collect_mount(const struct mount *m, void *arg)
{
	struct mount_list *ml = arg;

	if (ml->n < ml->cap)
		ml->v[ml->n] = mnt_get((struct mount *)m);
	ml->n++;
}

long procfs_collect_mounts(struct mount ***out)
{
	struct mount_list ml = { NULL, 0, 16 };

	for (;;) {
		ml.v = kmalloc(ml.cap * sizeof(*ml.v), 0);
		if (!ml.v)
			return -ENOMEM;
		ml.n = 0;
		mount_for_each(collect_mount, &ml);
		if (ml.n <= ml.cap)
			break;
		for (unsigned i = 0; i < ml.cap; i++)
			mnt_put(ml.v[i]);
		kfree(ml.v);
		ml.cap = ml.n * 2;
	}
	*out = ml.v;
	return ml.n;
}

void procfs_put_mounts(struct mount **v, long n)
{
	for (long i = 0; i < n; i++)
		mnt_put(v[i]);
	kfree(v);
}

/* /proc/mounts escapes space, tab, newline and backslash as octal. */
static void put_escaped(struct pbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			pbuf_printf(b, "\\%03o", (unsigned char)*s);
		else
			pbuf_write(b, s, 1);
	}
}

static int show_mounts(const struct pseudo_node *n, struct pbuf *b)
{
	struct mount **v;
	long nr = procfs_collect_mounts(&v);
	char *path;

	if (nr < 0)
		return (int)nr;
	path = kmalloc(PATH_MAX, 0);
	if (!path) {
		procfs_put_mounts(v, nr);
		return -ENOMEM;
	}
	for (long i = 0; i < nr; i++) {
		struct mount *m = v[i];
		struct path p = { m, m->root };

		if (vfs_path_name(&p, NULL, path, PATH_MAX) < 0)
			continue;	/* unmounted meanwhile */
		put_escaped(b, m->source[0] ? m->source : "none");
		pbuf_write(b, " ", 1);
		put_escaped(b, path);
		pbuf_printf(b, " %s %s%s%s%s 0 0\n", m->sb->type->name,
			    m->flags & MNT_RDONLY ? "ro" : "rw", m->flags & MNT_NOSUID ? ",nosuid" : "",
			    m->flags & MNT_NODEV ? ",nodev" : "", m->flags & MNT_NOEXEC ? ",noexec" : "");
	}
	kfree(path);
	procfs_put_mounts(v, nr);
	return 0;
}

static int show_cpuinfo(const struct pseudo_node *n, struct pbuf *b)
{
	for (unsigned cpu = 0; cpu < nr_cpus_online; cpu++) {
		pbuf_printf(b, "processor\t: %u\n", cpu);
		pbuf_printf(b, "vendor_id\t: UmkaOS\n");
		pbuf_printf(b, "model name\t: UmkaOS virtual CPU\n");
		pbuf_printf(b, "physical id\t: 0\nsiblings\t: %u\n", nr_cpus_online);
		pbuf_printf(b, "core id\t\t: %u\ncpu cores\t: %u\n", cpu, nr_cpus_online);
		pbuf_printf(b, "apicid\t\t: %u\nflags\t\t:\n\n", cpu);
	}
	return 0;
}

static int show_version(const struct pseudo_node *n, struct pbuf *b)
{
	pbuf_printf(b, "UmkaOS version %s (umka@umka) #1 SMP\n", UMKA_VERSION);
	return 0;
}

static int show_cmdline(const struct pseudo_node *n, struct pbuf *b)
{
	pbuf_printf(b, "%s\n", kernel_cmdline);
	return 0;
}

static int show_dmesg(const struct pseudo_node *n, struct pbuf *b)
{
	char line[256];
	u64 seq = 0;
	size_t len;

	while ((len = printk_read(&seq, line, sizeof(line))) > 0) {
		pbuf_write(b, line, len);
		if (len == sizeof(line) && line[len - 1] != '\n')
			pbuf_write(b, "\n", 1);
	}
	return 0;
}

static void link_self(const struct pseudo_node *n, char *buf, size_t size)
{
	ksnprintf(buf, size, "%d", current->tid);
}

static const struct pseudo_type meminfo_type = { .mode = S_IFREG | 0444, .show = show_meminfo };
static const struct pseudo_type uptime_type = { .mode = S_IFREG | 0444, .show = show_uptime };
static const struct pseudo_type mounts_type = { .mode = S_IFREG | 0444, .show = show_mounts };
static const struct pseudo_type cpuinfo_type = { .mode = S_IFREG | 0444, .show = show_cpuinfo };
static const struct pseudo_type version_type = { .mode = S_IFREG | 0444, .show = show_version };
static const struct pseudo_type cmdline_type = { .mode = S_IFREG | 0444, .show = show_cmdline };
static const struct pseudo_type dmesg_type = { .mode = S_IFREG | 0400, .show = show_dmesg };
static const struct pseudo_type self_type = { .mode = S_IFLNK | 0777, .link = link_self };

struct pid_fill {
	struct pseudo_fill *pf;
};

static void fill_pid(struct task *t, void *arg)
{
	struct pseudo_node c = { .type = &pid_dir_type, .key = (u64)t->tid };

	ksnprintf(c.name, sizeof(c.name), "%d", t->tid);
	pseudo_fill(arg, &c);
}

static void list_root(const struct pseudo_node *dir, struct pseudo_fill *pf)
{
	static const struct {
		const char *name;
		const struct pseudo_type *type;
	} top[] = {
		{ "cmdline", &cmdline_type }, { "cpuinfo", &cpuinfo_type },
		{ "dmesg", &dmesg_type },     { "meminfo", &meminfo_type },
		{ "mounts", &mounts_type },   { "self", &self_type },
		{ "uptime", &uptime_type },   { "version", &version_type },
	};
	struct pseudo_node root = { 0 };

	for (unsigned i = 0; i < ARRAY_SIZE(top); i++)
		pseudo_fill_simple(pf, &root, top[i].type, top[i].name);
	sched_for_each_task(fill_pid, pf);
}

static const struct pseudo_type root_type = { .mode = S_IFDIR | 0555, .list = list_root };

static int procfs_get_sb(struct fs_type *t, const char *source, unsigned long flags,
			 const char *options, struct super_block **out)
{
	struct pseudo_node root = { .type = &root_type };

	return pseudo_make_sb(t, &root, PROC_SUPER_MAGIC, out);
}

struct fs_type procfs_fs_type = {
	.name = "proc",
	.get_sb = procfs_get_sb,
	.kill_sb = sb_kill_generic,
};
