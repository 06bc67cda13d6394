/* umkafs: kernel objects by kind under /sys/umka (see include/umka/umkafs.h).
 * Built in: tasks, mounts, slab, ktest, mm. Kinds are kept in a fixed
 * table filled in order and never removed, so readers walk it without a
 * lock once they have read the published count. */
#include <umka/arch.h>
#include <umka/errno.h>
#include <umka/ktest.h>
#include <umka/mm.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/umkafs.h>

#include "pseudo.h"

#define UMKAFS_MAGIC 0x554d4b41	/* "UMKA" */
#define UMKAFS_MAX_KINDS 32

struct umkafs_kind {
	char name[UMKAFS_NAME_MAX + 1];
	const struct umkafs_kind_ops *ops;
};

static DEFINE_SPINLOCK(kinds_lock, VFS_LEVEL_FS_LEAF);
static struct umkafs_kind kinds[UMKAFS_MAX_KINDS];
static unsigned nr_kinds;		/* written under kinds_lock, published with release */

static unsigned kinds_count(void)
{
	return __atomic_load_n(&nr_kinds, __ATOMIC_ACQUIRE);
}

int umkafs_register_kind(const char *name, const struct umkafs_kind_ops *ops)
{
	size_t len = strlen(name);
	int err = 0;
	unsigned n;

	if (!len || len > UMKAFS_NAME_MAX || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || !ops || !ops->attrs || !ops->read ||
	    !ops->writable != !ops->write)
		return -EINVAL;
	spin_lock(&kinds_lock);
	n = nr_kinds;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(kinds[i].name, name))
			err = -EEXIST;
	if (!err && n == UMKAFS_MAX_KINDS)
		err = -ENOMEM;
	if (!err) {
		memcpy(kinds[n].name, name, len + 1);
		kinds[n].ops = ops;
		__atomic_store_n(&nr_kinds, n + 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&kinds_lock);
	return err;
}

/* ---- The tree: root -> kinds -> objects -> attribute files ------------------------------- */

static const struct pseudo_type attr_type, attr_rw_type, object_type, kind_type;

static int show_attr(const struct pseudo_node *n, struct pbuf *b)
{
	const struct umkafs_kind *k = n->ptr;
	size_t room = b->cap - b->len;
	long r = k->ops->read(k->ops->list ? n->obj : NULL, n->name, b->data + b->len, room + 1);

	if (r < 0)
		return (int)r;
	if ((size_t)r > room) {
		b->overflow = true;
		return 0;
	}
	b->len += (size_t)r;
	pbuf_write(b, "\n", 1);
	return 0;
}

static int store_attr(const struct pseudo_node *n, const char *val)
{
	const struct umkafs_kind *k = n->ptr;

	return k->ops->write(k->ops->list ? n->obj : NULL, n->name, val);
}

static bool attr_writable(const struct umkafs_kind *k, const char *attr)
{
	for (const char *const *w = k->ops->writable; w && *w; w++)
		if (!strcmp(*w, attr))
			return true;
	return false;
}

static void fill_attrs(const struct pseudo_node *dir, struct pseudo_fill *pf)
{
	const struct umkafs_kind *k = dir->ptr;

	for (const char *const *a = k->ops->attrs; *a; a++)
		pseudo_fill_simple(pf, dir, attr_writable(k, *a) ? &attr_rw_type : &attr_type, *a);
}

struct obj_fill {
	struct pseudo_fill *pf;
	const struct pseudo_node *dir;
};

static void fill_object(void *arg, const char *name)
{
	struct obj_fill *of = arg;
	struct pseudo_node c = { .type = &object_type, .ptr = of->dir->ptr };
	size_t len = strlen(name);

	len = MIN(len, (size_t)UMKAFS_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/')
			return;		/* cannot be a directory entry */
	if (!len)
		return;
	memcpy(c.obj, name, len);
	memcpy(c.name, name, len);
	pseudo_fill(of->pf, &c);
}

static void list_kind(const struct pseudo_node *dir, struct pseudo_fill *pf)
{
	const struct umkafs_kind *k = dir->ptr;
	struct obj_fill of = { pf, dir };

	if (k->ops->list)
		k->ops->list(fill_object, &of);
	else
		fill_attrs(dir, pf);
}

static void list_root(const struct pseudo_node *dir, struct pseudo_fill *pf)
{
	unsigned n = kinds_count();

	for (unsigned i = 0; i < n; i++) {
		struct pseudo_node c = { .type = &kind_type, .ptr = &kinds[i] };

		memcpy(c.name, kinds[i].name, sizeof(kinds[i].name));
		pseudo_fill(pf, &c);
	}
}

static const struct pseudo_type attr_type = { .mode = S_IFREG | 0444, .show = show_attr };
static const struct pseudo_type attr_rw_type = {
	.mode = S_IFREG | 0644, .show = show_attr, .store = store_attr
};
static const struct pseudo_type object_type = { .mode = S_IFDIR | 0555, .list = fill_attrs };
static const struct pseudo_type kind_type = { .mode = S_IFDIR | 0555, .list = list_kind };
static const struct pseudo_type root_type = { .mode = S_IFDIR | 0555, .list = list_root };

static int umkafs_get_sb(struct fs_type *t, const char *source, unsigned long flags,
			 const char *options, struct super_block **out)
{
	struct pseudo_node root = { .type = &root_type };

	return pseudo_make_sb(t, &root, UMKAFS_MAGIC, out);
}

struct fs_type umkafs_fs_type = {
	.name = "umkafs",
	.get_sb = umkafs_get_sb,
	.kill_sb = sb_kill_generic,
};

/* ---- Built-in kinds ---------------------------------------------------------------------- */

static bool parse_num(const char *s, u64 *out)
{
	return s && !kstrtou64(s, strlen(s), out);
}

static long put_u64(char *buf, size_t size, u64 v)
{
	return ksnprintf(buf, size, "%llu", (unsigned long long)v);
}

/* tasks/<tid>/ */
static void list_task(struct task *t, void *arg)
{
	struct name_fill *nf = arg;
	char name[16];

	ksnprintf(name, sizeof(name), "%d", t->tid);
	nf->fill(nf->arg, name);
}

static void tasks_list(void (*fill)(void *arg, const char *name), void *arg)
{
	struct name_fill nf = { fill, arg };

	sched_for_each_task(list_task, &nf);
}

static const char *policy_name(int policy)
{
	switch (policy) {
	case SCHED_NORMAL: return "normal";
	case SCHED_FIFO: return "fifo";
	case SCHED_RR: return "rr";
	case SCHED_IDLE_TASK: return "idle";
	default: return "unknown";
	}
}

static const char *task_state_name(int state)
{
	switch (state) {
	case TASK_RUNNING: return "running";
	case TASK_INTERRUPTIBLE: return "sleeping";
	case TASK_UNINTERRUPTIBLE: return "uninterruptible";
	default: return "dead";
	}
}

static long tasks_read(const char *obj, const char *attr, char *buf, size_t size)
{
	struct task_snap s;
	u64 tid;

	if (!parse_num(obj, &tid) || tid > 0x7fffffff || !procfs_task_snap((int)tid, &s))
		return -ENOENT;
	if (!strcmp(attr, "name"))
		return ksnprintf(buf, size, "%s", s.name);
	if (!strcmp(attr, "state"))
		return ksnprintf(buf, size, "%s", task_state_name(s.state));
	if (!strcmp(attr, "policy"))
		return ksnprintf(buf, size, "%s", policy_name(s.policy));
	if (!strcmp(attr, "nice"))
		return ksnprintf(buf, size, "%d", s.nice);
	if (!strcmp(attr, "cpu"))
		return ksnprintf(buf, size, "%u", s.cpu);
	if (!strcmp(attr, "switches"))
		return put_u64(buf, size, s.switches);
	return -ENOENT;
}

static const char *const tasks_attrs[] = { "name", "state", "policy", "nice", "cpu",
					   "switches", NULL };
static const struct umkafs_kind_ops tasks_ops = {
	.list = tasks_list, .attrs = tasks_attrs, .read = tasks_read
};

/* timers/<address>/: armed hrtimers, named by the address of their
 * struct hrtimer (0x...), gone from the listing once they fire or are
 * cancelled. Reads look the address up among the armed timers again, so
 * a stale name is -ENOENT, never a dereference of freed memory. */
static void list_timer(const struct hrtimer *t, void *arg)
{
	struct name_fill *nf = arg;
	char name[24];

	ksnprintf(name, sizeof(name), "0x%lx", (unsigned long)(uintptr_t)t);
	nf->fill(nf->arg, name);
}

static void timers_list(void (*fill)(void *arg, const char *name), void *arg)
{
	struct name_fill nf = { fill, arg };

	hrtimer_for_each(list_timer, &nf);
}

struct timer_snap {
	uintptr_t addr;		/* the timer looked for */
	bool found;
	unsigned cpu;
	u64 expires;
	enum hrtimer_restart (*fn)(struct hrtimer *t);
};

static void snap_timer(const struct hrtimer *t, void *arg)
{
	struct timer_snap *s = arg;

	if ((uintptr_t)t == s->addr) {
		s->found = true;
		s->cpu = t->cpu;
		s->expires = t->expires;
		s->fn = t->fn;
	}
}

static long timers_read(const char *obj, const char *attr, char *buf, size_t size)
{
	struct timer_snap s = { 0 };
	u64 addr, now;

	if (!parse_num(obj, &addr))
		return -ENOENT;
	s.addr = (uintptr_t)addr;
	hrtimer_for_each(snap_timer, &s);
	if (!s.found)
		return -ENOENT;
	if (!strcmp(attr, "cpu"))
		return ksnprintf(buf, size, "%u", s.cpu);
	if (!strcmp(attr, "expires_ns"))
		return put_u64(buf, size, s.expires);
	if (!strcmp(attr, "remaining_ns")) {
		now = ktime_get_ns();
		return put_u64(buf, size, s.expires > now ? s.expires - now : 0);
	}
	if (!strcmp(attr, "function")) {
		char sym[96];

		arch_symbolize((uintptr_t)s.fn, sym, sizeof(sym));
		return ksnprintf(buf, size, "%s", sym);
	}
	return -ENOENT;
}

static const char *const timers_attrs[] = { "cpu", "expires_ns", "remaining_ns", "function",
					    NULL };
static const struct umkafs_kind_ops timers_ops = {
	.list = timers_list, .attrs = timers_attrs, .read = timers_read
};

/* mounts/<id>/ */
static void list_mount(const struct mount *m, void *arg)
{
	struct name_fill *nf = arg;
	char name[16];

	ksnprintf(name, sizeof(name), "%u", m->id);
	nf->fill(nf->arg, name);
}

static void mounts_list(void (*fill)(void *arg, const char *name), void *arg)
{
	struct name_fill nf = { fill, arg };

	mount_for_each(list_mount, &nf);
}

static long mounts_read(const char *obj, const char *attr, char *buf, size_t size)
{
	struct mount **v;
	long nr, r = -ENOENT;
	u64 id;

	if (!parse_num(obj, &id))
		return -ENOENT;
	nr = procfs_collect_mounts(&v);
	if (nr < 0)
		return nr;
	for (long i = 0; i < nr; i++) {
		struct mount *m = v[i];

		if (m->id != id)
			continue;
		if (!strcmp(attr, "source")) {
			r = ksnprintf(buf, size, "%s", m->source);
		} else if (!strcmp(attr, "fstype")) {
			r = ksnprintf(buf, size, "%s", m->sb->type->name);
		} else if (!strcmp(attr, "target")) {
			struct path p = { m, m->root };

			r = vfs_path_name(&p, NULL, buf, size);
			if (r == -ENAMETOOLONG)
				r = (long)size;	/* ask for a bigger buffer */
		}
		break;
	}
	procfs_put_mounts(v, nr);
	return r;
}

static const char *const mounts_attrs[] = { "source", "target", "fstype", NULL };
static const struct umkafs_kind_ops mounts_ops = {
	.list = mounts_list, .attrs = mounts_attrs, .read = mounts_read
};

/* slab/<cache>/ */
static void list_cache(const struct kmem_cache_info *info, void *arg)
{
	struct name_fill *nf = arg;

	nf->fill(nf->arg, info->name);
}

static void slab_list(void (*fill)(void *arg, const char *name), void *arg)
{
	struct name_fill nf = { fill, arg };

	slab_for_each_cache(list_cache, &nf);
}

struct cache_find {
	const char *name;
	bool found;
	struct kmem_cache_info info;
};

static void find_cache(const struct kmem_cache_info *info, void *arg)
{
	struct cache_find *cf = arg;
	size_t len = strlen(info->name);

	/* listed names are cut to UMKAFS_NAME_MAX: match the same way */
	len = MIN(len, (size_t)UMKAFS_NAME_MAX);
	if (cf->found || strlen(cf->name) != len || memcmp(cf->name, info->name, len))
		return;
	cf->found = true;
	cf->info = *info;
}

static long slab_read(const char *obj, const char *attr, char *buf, size_t size)
{
	struct cache_find cf = { obj, false, { 0 } };

	slab_for_each_cache(find_cache, &cf);
	if (!cf.found)
		return -ENOENT;
	if (!strcmp(attr, "obj_size"))
		return put_u64(buf, size, cf.info.obj_size);
	if (!strcmp(attr, "active"))
		return put_u64(buf, size, cf.info.active_objs);
	if (!strcmp(attr, "total"))
		return put_u64(buf, size, cf.info.total_objs);
	if (!strcmp(attr, "slabs"))
		return put_u64(buf, size, cf.info.slabs);
	return -ENOENT;
}

static const char *const slab_attrs[] = { "obj_size", "active", "total", "slabs", NULL };
static const struct umkafs_kind_ops slab_ops = {
	.list = slab_list, .attrs = slab_attrs, .read = slab_read
};

/* ktest/<suite>/ */
static void ktest_list(void (*fill)(void *arg, const char *name), void *arg)
{
	for (const struct ktest_suite *s = ktest_suites_begin(); s < ktest_suites_end(); s++)
		fill(arg, s->name);
}

static long ktest_read(const char *obj, const char *attr, char *buf, size_t size)
{
	for (const struct ktest_suite *s = ktest_suites_begin(); s < ktest_suites_end(); s++) {
		struct ktest_result r;

		if (strcmp(s->name, obj))
			continue;
		ktest_suite_result(s, &r);
		if (!strcmp(attr, "cases"))
			return ksnprintf(buf, size, "%u", s->nr_cases);
		if (!strcmp(attr, "run"))
			return ksnprintf(buf, size, "%u", r.run);
		if (!strcmp(attr, "passed"))
			return ksnprintf(buf, size, "%u", r.passed);
		if (!strcmp(attr, "failed"))
			return ksnprintf(buf, size, "%u", r.failed);
		return -ENOENT;
	}
	return -ENOENT;
}

static const char *const ktest_attrs[] = { "cases", "run", "passed", "failed", NULL };
static const struct umkafs_kind_ops ktest_ops = {
	.list = ktest_list, .attrs = ktest_attrs, .read = ktest_read
};

/* mm/ */
static long mm_read(const char *obj, const char *attr, char *buf, size_t size)
{
	struct mm_reclaim_stats rs;
	struct mm_stats st;

	mm_get_stats(&st);
	if (!strcmp(attr, "total_pages"))
		return put_u64(buf, size, st.total_pages);
	if (!strcmp(attr, "free_pages"))
		return put_u64(buf, size, st.free_pages);
	if (!strcmp(attr, "pcp_pages"))
		return put_u64(buf, size, st.pcp_pages);
	mm_get_reclaim_stats(&rs);
	if (!strcmp(attr, "reclaim_runs"))
		return put_u64(buf, size, rs.runs);
	if (!strcmp(attr, "reclaim_freed"))
		return put_u64(buf, size, rs.freed);
	if (!strcmp(attr, "reclaim_skipped"))
		return put_u64(buf, size, rs.skipped);
	return -ENOENT;
}

static const char *const mm_attrs[] = { "total_pages", "free_pages", "pcp_pages", "reclaim_runs",
					"reclaim_freed", "reclaim_skipped", NULL };
static const struct umkafs_kind_ops mm_ops = { .attrs = mm_attrs, .read = mm_read };

/* dcache/ */
static long dcache_read(const char *obj, const char *attr, char *buf, size_t size)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "dentries", offsetof(struct dcache_stats, nr_dentries) },
		{ "unused", offsetof(struct dcache_stats, nr_unused) },
		{ "negative", offsetof(struct dcache_stats, nr_negative) },
		{ "reclaimed", offsetof(struct dcache_stats, nr_reclaimed) },
		{ "rcu_walks", offsetof(struct dcache_stats, rcu_walks) },
		{ "rcu_fallbacks", offsetof(struct dcache_stats, rcu_fallbacks) },
	};
	struct dcache_stats st;

	dcache_get_stats(&st);
	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(attr, fields[i].name))
			return put_u64(buf, size, *(unsigned long *)((char *)&st + fields[i].off));
	return -ENOENT;
}

static const char *const dcache_attrs[] = { "dentries", "unused", "negative", "reclaimed",
					    "rcu_walks", "rcu_fallbacks", NULL };
static const struct umkafs_kind_ops dcache_ops = { .attrs = dcache_attrs, .read = dcache_read };

void umkafs_init(void)
{
	/* a second call (unit tests boot the VFS more than once) finds them there */
	umkafs_register_kind("tasks", &tasks_ops);
	umkafs_register_kind("mounts", &mounts_ops);
	umkafs_register_kind("timers", &timers_ops);
	umkafs_register_kind("slab", &slab_ops);
	umkafs_register_kind("ktest", &ktest_ops);
	umkafs_register_kind("mm", &mm_ops);
	umkafs_register_kind("dcache", &dcache_ops);
	umkafs_trace_init();
}
