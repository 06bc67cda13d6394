/* The dentry cache: names in directories, hashed by (parent, name), with
 * negative entries for names that do not exist. A dentry nobody uses stays
 * hashed on an LRU list (most recently released first) until
 * dcache_shrink() reclaims it; freeing one releases its parent, which may
 * then join the LRU in turn.
 *
 * One spinlock, dcache_lock, covers the hash table, the LRU, every
 * dentry's refs, flags, name, parent and children, and the positive or
 * negative state. Memory is freed and inodes released only after it is
 * dropped (the "dispose" lists below), and dentries and long names only
 * after an RCU grace period: d_lookup_rcu walks the hash chains with no
 * lock at all, checking what it finds against each dentry's seq, which
 * every change of name, parent, inode or hashed state bumps (docs/vfs.md,
 * "RCU walk"). */
#include <umka/atomic.h>
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/percpu.h>
#include <umka/slab.h>
#include <umka/string.h>

#include "vfs_internal.h"

#define DCACHE_HASH_BITS 12
#define DCACHE_HASH_SIZE (1u << DCACHE_HASH_BITS)

static DEFINE_SPINLOCK(dcache_lock, VFS_LEVEL_DCACHE);
static struct hlist_head dcache_hash[DCACHE_HASH_SIZE];	/* writers under dcache_lock */
static LIST_HEAD(dcache_lru);				/* under dcache_lock */
static unsigned long nr_dentries, nr_unused, nr_negative;	/* under dcache_lock */
static unsigned long nr_reclaimed;				/* under dcache_lock */
/* Path walk statistics, one cache line per CPU so that counting lookups
 * costs no line bouncing between CPUs; summed when read. */
static struct walk_counts {
	u64 rcu;	/* lookups the RCU walk finished */
	u64 ref;	/* lookups it handed to the ref walk */
} __aligned(64) walk_counts[NR_CPUS];
static unsigned long unused_max;	/* set at init: unused dentries kept at most */
static struct kmem_cache *dentry_cache;
static struct shrinker dcache_shrinker;

void dcache_init(void)
{
	struct mm_stats st;

	for (unsigned i = 0; i < DCACHE_HASH_SIZE; i++)
		dcache_hash[i].first = NULL;
	list_init(&dcache_lru);
	nr_dentries = nr_unused = nr_negative = nr_reclaimed = 0;
	memset(walk_counts, 0, sizeof(walk_counts));
	dentry_cache = kmem_cache_create("dentry", sizeof(struct dentry), SLAB_ALIGN_DEFAULT,
					 NULL);
	if (!dentry_cache)
		panic("dcache: cannot create the dentry cache");
	/* The allocator asks dcache_shrinker under pressure; beyond that,
	 * keep unused dentries to about 1/16 of memory. */
	mm_get_stats(&st);
	unused_max = MAX(1024UL, (unsigned long)(st.total_pages * PAGE_SIZE / 16 /
						  sizeof(struct dentry)));
	register_shrinker(&dcache_shrinker);
}

/* FNV-1a: short names, good spread, no tables. */
u32 dname_hash(const char *name, u32 len)
{
	u32 h = 2166136261u;

	for (u32 i = 0; i < len; i++) {
		h ^= (u8)name[i];
		h *= 16777619u;
	}
	return h;
}

static struct hlist_head *d_bucket(const struct dentry *parent, u32 hash)
{
	u64 k = ((u64)(uintptr_t)parent >> 4) ^ ((u64)hash << 17) ^ hash;

	k *= 0x9e3779b97f4a7c15ULL;
	return &dcache_hash[k >> (64 - DCACHE_HASH_BITS)];
}

/* ---- Long names ---------------------------------------------------------------------
 * A name of DNAME_INLINE_LEN bytes or more lives in its own block, never
 * changed once made and freed a grace period after its dentry lets go of
 * it, so a lockless reader comparing it never reads freed memory. */
struct ext_name {
	struct rcu_head rcu;
	char name[];
};

static char *ext_name_alloc(u32 len)
{
	struct ext_name *e = kmalloc(sizeof(*e) + len + 1, 0);

	return e ? e->name : NULL;
}

static void ext_name_free_rcu(struct rcu_head *h)
{
	kfree(container_of(h, struct ext_name, rcu));
}

/* buf: an ext_name's bytes or NULL. */
static void ext_name_free(const char *buf)
{
	if (buf)
		call_rcu_lazy(&container_of(buf, struct ext_name, name[0])->rcu,
			      ext_name_free_rcu);
}

/* ---- State changes, all under dcache_lock ------------------------------------------ */

static void __d_hash(struct dentry *d)
{
	hlist_add_head_rcu(&d->hash_node, d_bucket(d->parent, d->name.hash));
	d->flags |= DCACHE_HASHED;
	if (!d->inode)
		nr_negative++;
}

static void __d_unhash(struct dentry *d)
{
	if (!(d->flags & DCACHE_HASHED))
		return;
	write_seqcount_invalidate(&d->seq);
	hlist_del_rcu(&d->hash_node);
	d->flags &= ~DCACHE_HASHED;
	if (!d->inode)
		nr_negative--;
}

static void __d_lru_del(struct dentry *d)
{
	if (d->flags & DCACHE_LRU) {
		list_del_init(&d->lru);
		d->flags &= ~DCACHE_LRU;
		nr_unused--;
	}
}

static void __dget(struct dentry *d)
{
	if (d->refs++ == 0)
		__d_lru_del(d);
}

/* Take d out of everything and queue it for freeing; returns the parent
 * whose reference d held (NULL for a root). */
static struct dentry *__d_kill(struct dentry *d, struct list_head *dispose)
{
	struct dentry *parent = d->parent;

	__d_unhash(d);
	write_seqcount_invalidate(&d->seq);	/* roots are never hashed */
	__d_lru_del(d);
	list_del_init(&d->child_node);
	list_add(&d->lru, dispose);
	nr_dentries--;
	return parent == d ? NULL : parent;
}

/* Drop a reference; an unused hashed dentry goes on the LRU, an unused
 * unhashed one dies and releases its parent. */
static void __dput(struct dentry *d, struct list_head *dispose)
{
	while (d) {
		if (d->refs <= 0)
			panic("dput: dentry \"%s\" has %d references", d->name.name, d->refs);
		if (--d->refs > 0)
			return;
		if ((d->flags & DCACHE_HASHED)) {
			list_add(&d->lru, &dcache_lru);
			d->flags |= DCACHE_LRU;
			nr_unused++;
			return;
		}
		d = __d_kill(d, dispose);
	}
}

static void d_free_rcu(struct rcu_head *h)
{
	struct dentry *d = container_of(h, struct dentry, rcu);

	if (d->name.name != d->iname)
		kfree(container_of(d->name.name, struct ext_name, name[0]));
	kmem_cache_free(dentry_cache, d);
}

/* Outside the lock: release inodes now, memory after a grace period. */
static void d_dispose(struct list_head *dispose)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, dispose) {
		struct dentry *d = list_entry(pos, struct dentry, lru);

		list_del_init(&d->lru);
		inode_put(d->inode);
		call_rcu_lazy(&d->rcu, d_free_rcu);
	}
}

/* ---- Public operations --------------------------------------------------------------- */

struct dentry *dget(struct dentry *d)
{
	spin_lock(&dcache_lock);
	__dget(d);
	spin_unlock(&dcache_lock);
	return d;
}

void dput(struct dentry *d)
{
	LIST_HEAD(dispose);

	if (!d)
		return;
	spin_lock(&dcache_lock);
	__dput(d, &dispose);
	spin_unlock(&dcache_lock);
	d_dispose(&dispose);
}

struct dentry *dget_parent(struct dentry *d)
{
	struct dentry *p;

	spin_lock(&dcache_lock);
	p = d->parent;
	__dget(p);
	spin_unlock(&dcache_lock);
	return p;
}

static struct dentry *d_alloc_raw(const char *name, u32 len)
{
	struct dentry *d;
	char *buf;

	if (READ_ONCE(nr_unused) > unused_max)
		dcache_shrink(64);
	d = kmem_cache_alloc(dentry_cache, 0);
	if (!d) {
		/* memory pressure: give back unused names and try once more */
		dcache_shrink(256);
		d = kmem_cache_alloc(dentry_cache, 0);
		if (!d)
			return NULL;
	}
	buf = d->iname;
	if (len >= DNAME_INLINE_LEN) {
		buf = ext_name_alloc(len);
		if (!buf) {
			kmem_cache_free(dentry_cache, d);
			return NULL;
		}
	}
	memcpy(buf, name, len);
	buf[len] = 0;
	d->name = (struct dname){ buf, len, dname_hash(name, len) };
	hlist_node_init(&d->hash_node);
	seqcount_init(&d->seq);
	list_init(&d->lru);
	list_init(&d->children);
	list_init(&d->child_node);
	d->inode = NULL;
	d->refs = 1;
	d->flags = 0;
	d->mounted = 0;
	return d;
}

struct dentry *d_alloc(struct dentry *parent, const char *name, u32 len)
{
	struct dentry *d = d_alloc_raw(name, len);

	if (!d)
		return NULL;
	d->sb = parent->sb;
	spin_lock(&dcache_lock);
	d->parent = parent;
	__dget(parent);
	list_add(&d->child_node, &parent->children);
	nr_dentries++;
	spin_unlock(&dcache_lock);
	return d;
}

struct dentry *d_make_root(struct inode *inode)
{
	struct dentry *d = d_alloc_raw("/", 1);

	if (!d)
		return NULL;
	d->sb = inode->sb;
	d->parent = d;
	d->inode = inode;
	d->flags = DCACHE_ROOT;
	spin_lock(&dcache_lock);
	nr_dentries++;
	spin_unlock(&dcache_lock);
	return d;
}

struct dentry *d_lookup(struct dentry *parent, const char *name, u32 len)
{
	u32 hash = dname_hash(name, len);
	struct hlist_node *n;
	struct dentry *found = NULL;

	spin_lock(&dcache_lock);
	for (n = d_bucket(parent, hash)->first; n; n = n->next) {
		struct dentry *d = container_of(n, struct dentry, hash_node);

		if (d->parent != parent || d->name.hash != hash || d->name.len != len ||
		    memcmp(d->name.name, name, len))
			continue;
		__dget(d);
		found = d;
		break;
	}
	spin_unlock(&dcache_lock);
	return found;
}

/* Does the (possibly changing) name of d equal name? Under rcu_read_lock;
 * the caller validates d->seq afterwards, so this must only never read
 * outside d's buffers: an inline name is compared within iname, a long one
 * is immutable and NUL-terminated, and the comparison stops at the first
 * difference (a NUL in the stored name differs from every byte of ours). */
static bool d_name_equal_rcu(const struct dentry *d, const char *name, u32 len)
{
	const char *s = READ_ONCE(d->name.name);

	if (s == d->iname && len >= DNAME_INLINE_LEN)
		return false;
	for (u32 i = 0; i < len; i++)
		if (READ_ONCE(s[i]) != name[i])
			return false;
	return READ_ONCE(s[len]) == 0;
}

#define D_LOOKUP_RCU_MAX_STEPS 256	/* chains are short; more means churn */

struct dentry *d_lookup_rcu(const struct dentry *parent, const char *name, u32 len, u32 hash,
			    u32 *seqp)
{
	struct hlist_node *n = hlist_next_rcu(&d_bucket(parent, hash)->first);

	for (unsigned steps = 0; n && steps < D_LOOKUP_RCU_MAX_STEPS; steps++) {
		struct dentry *d = container_of(n, struct dentry, hash_node);
		u32 seq = read_seqcount_begin(&d->seq);

		if (READ_ONCE(d->parent) == parent && READ_ONCE(d->name.hash) == hash &&
		    READ_ONCE(d->name.len) == len && d_name_equal_rcu(d, name, len)) {
			if (read_seqcount_retry(&d->seq, seq))
				return NULL;	/* changing: the ref walk decides */
			*seqp = seq;
			return d;
		}
		n = hlist_next_rcu(&n->next);
	}
	return NULL;
}

bool d_get_if_seq(struct dentry *d, u32 seq)
{
	bool ok;

	spin_lock(&dcache_lock);
	/* Unchanged seq: still hashed (or a live root), same name, parent and
	 * inode as the walk saw, so not dead and safe to take. */
	ok = !read_seqcount_retry(&d->seq, seq);
	if (ok)
		__dget(d);
	spin_unlock(&dcache_lock);
	return ok;
}

void dcache_count_walk(bool rcu_done)
{
	struct walk_counts *c = &walk_counts[arch_cpu_id()];

	/* Atomic only against a preempting task on the same CPU (the CPU may
	 * also be stale after a migration: still another CPU's own line). */
	__atomic_fetch_add(rcu_done ? &c->rcu : &c->ref, 1, __ATOMIC_RELAXED);
}

void d_add(struct dentry *d, struct inode *inode)
{
	spin_lock(&dcache_lock);
	BUG_ON(d->flags & DCACHE_HASHED);
	d->inode = inode;
	__d_hash(d);		/* publishes d (release) with its inode set */
	spin_unlock(&dcache_lock);
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	spin_lock(&dcache_lock);
	BUG_ON(d->inode);
	write_seqcount_begin(&d->seq);
	WRITE_ONCE(d->inode, inode);
	write_seqcount_end(&d->seq);
	if (d->flags & DCACHE_HASHED)
		nr_negative--;
	spin_unlock(&dcache_lock);
}

void d_drop(struct dentry *d)
{
	spin_lock(&dcache_lock);
	__d_unhash(d);
	spin_unlock(&dcache_lock);
}

void d_delete(struct dentry *d)
{
	struct inode *put = NULL;

	spin_lock(&dcache_lock);
	if (d->refs == 1 && (d->flags & DCACHE_HASHED)) {
		/* nobody else sees it: keep it as a negative entry */
		put = d->inode;
		write_seqcount_begin(&d->seq);
		WRITE_ONCE(d->inode, NULL);
		write_seqcount_end(&d->seq);
		nr_negative++;
	} else {
		/* users keep their positive dentry; lookups stop finding it */
		__d_unhash(d);
	}
	spin_unlock(&dcache_lock);
	inode_put(put);
}

void d_prune_children(struct dentry *dir)
{
	LIST_HEAD(dispose);
	struct list_head *pos, *tmp;

	spin_lock(&dcache_lock);
	list_for_each_safe(pos, tmp, &dir->children) {
		struct dentry *c = list_entry(pos, struct dentry, child_node);

		__d_unhash(c);
		if (c->refs == 0) {
			__d_kill(c, &dispose);
			dir->refs--;	/* the caller holds dir, so this is not the last */
		}
	}
	spin_unlock(&dcache_lock);
	d_dispose(&dispose);
}

bool d_is_ancestor(const struct dentry *anc, const struct dentry *d)
{
	bool found = false;

	spin_lock(&dcache_lock);
	for (;;) {
		if (d == anc) {
			found = true;
			break;
		}
		if (d->parent == d)
			break;
		d = d->parent;
	}
	spin_unlock(&dcache_lock);
	return found;
}

int d_move_prepare(struct dentry *src, struct dentry *tgt, bool exchange, struct d_move_prep *p)
{
	p->name_for_src = p->name_for_tgt = NULL;
	if (tgt->name.len >= DNAME_INLINE_LEN) {
		p->name_for_src = ext_name_alloc(tgt->name.len);
		if (!p->name_for_src)
			return -ENOMEM;
	}
	if (exchange && src->name.len >= DNAME_INLINE_LEN) {
		p->name_for_tgt = ext_name_alloc(src->name.len);
		if (!p->name_for_tgt) {
			d_move_abort(p);
			return -ENOMEM;
		}
	}
	return 0;
}

void d_move_abort(struct d_move_prep *p)
{
	/* never published: no reader can hold them, but one path frees all */
	ext_name_free(p->name_for_src);
	ext_name_free(p->name_for_tgt);
	p->name_for_src = p->name_for_tgt = NULL;
}

/* Give d the name (name, len, hash) using its inline buffer or buf. */
static void d_set_name(struct dentry *d, const char *name, u32 len, u32 hash, char *buf)
{
	char *dst = len < DNAME_INLINE_LEN ? d->iname : buf;

	memmove(dst, name, len);
	dst[len] = 0;
	d->name = (struct dname){ dst, len, hash };
}

void d_move(struct dentry *src, struct dentry *tgt, bool exchange, struct d_move_prep *p)
{
	struct dname sn = src->name, tn = tgt->name;
	char saved[DNAME_INLINE_LEN];
	const char *sbytes = sn.name;
	struct dentry *sp = src->parent, *tp = tgt->parent;
	LIST_HEAD(dispose);

	spin_lock(&dcache_lock);
	__d_unhash(src);
	__d_unhash(tgt);
	/* Readers that found either before the unhash see the names, parents
	 * and hashed state move under an odd count. */
	write_seqcount_begin(&src->seq);
	write_seqcount_begin(&tgt->seq);
	if (sn.name == src->iname) {
		/* about to be overwritten, and the target may need it */
		memcpy(saved, sn.name, sn.len + 1);
		sbytes = saved;
	}
	d_set_name(src, tn.name, tn.len, tn.hash, p->name_for_src);
	if (exchange)
		d_set_name(tgt, sbytes, sn.len, sn.hash, p->name_for_tgt);
	if (sp != tp) {
		src->parent = tp;
		list_del_init(&src->child_node);
		list_add(&src->child_node, &tp->children);
		if (exchange) {
			tgt->parent = sp;
			list_del_init(&tgt->child_node);
			list_add(&tgt->child_node, &sp->children);
		} else {
			/* src now holds tp; its old reference on sp goes */
			__dget(tp);
			__dput(sp, &dispose);
		}
	}
	write_seqcount_end(&tgt->seq);
	write_seqcount_end(&src->seq);
	__d_hash(src);
	if (exchange)
		__d_hash(tgt);
	spin_unlock(&dcache_lock);
	/* Old long names go after a grace period: readers may be comparing. */
	if (sn.name != src->iname)
		ext_name_free(sn.name);		/* src's old long name */
	if (exchange && tn.name != tgt->iname)
		ext_name_free(tn.name);		/* tgt's old long name */
	d_dispose(&dispose);
}

void d_prune_sb(struct super_block *sb)
{
	struct dentry *root = sb->root, *d = root;
	LIST_HEAD(dispose);

	if (!root)
		return;
	spin_lock(&dcache_lock);
	for (;;) {
		struct dentry *parent;

		if (!list_empty(&d->children)) {
			d = list_first_entry(&d->children, struct dentry, child_node);
			continue;
		}
		if (d == root)
			break;
		if (d->refs != 0)
			panic("%s: dentry \"%s\" still in use at unmount (%d references)",
			      sb->type->name, d->name.name, d->refs);
		parent = __d_kill(d, &dispose);
		parent->refs--;
		d = parent;
	}
	if (root->refs != 1)
		panic("%s: root dentry has %d references at unmount", sb->type->name, root->refs);
	__d_kill(root, &dispose);
	sb->root = NULL;
	spin_unlock(&dcache_lock);
	d_dispose(&dispose);
}

static unsigned long dcache_shrink_locked(unsigned long n, struct list_head *dispose)
{
	unsigned long done = 0;

	while (done < n && !list_empty(&dcache_lru)) {
		struct dentry *d = list_entry(dcache_lru.prev, struct dentry, lru);
		struct dentry *parent;

		BUG_ON(d->refs != 0);
		parent = __d_kill(d, dispose);
		done++;
		if (parent)
			__dput(parent, dispose);
	}
	return done;
}

unsigned long dcache_shrink(unsigned long n)
{
	unsigned long done;
	LIST_HEAD(dispose);

	spin_lock(&dcache_lock);
	done = dcache_shrink_locked(n, &dispose);
	spin_unlock(&dcache_lock);
	d_dispose(&dispose);
	return done;
}

/* ---- Memory pressure ------------------------------------------------------------------
 * The allocator calls these only from a context that may sleep and holds no
 * spinlock (include/umka/mm.h), so dcache_lock cannot be held by the caller
 * and sb->inode_lock, taken by inode_put, sits above it. Unused dentries go
 * oldest first; their inodes go with them when nothing else holds them and
 * the filesystem has no links left to keep (inode_put decides). */
static unsigned long dcache_shrink_count(struct shrinker *s)
{
	return READ_ONCE(nr_unused);
}

static unsigned long dcache_shrink_scan(struct shrinker *s, unsigned long n)
{
	unsigned long done;
	LIST_HEAD(dispose);

	spin_lock(&dcache_lock);
	done = dcache_shrink_locked(n, &dispose);
	nr_reclaimed += done;
	spin_unlock(&dcache_lock);
	d_dispose(&dispose);
	return done;
}

static struct shrinker dcache_shrinker = {
	.name = "dcache",
	.count = dcache_shrink_count,
	.scan = dcache_shrink_scan,
};

void dcache_get_stats(struct dcache_stats *st)
{
	spin_lock(&dcache_lock);
	st->nr_dentries = nr_dentries;
	st->nr_unused = nr_unused;
	st->nr_negative = nr_negative;
	st->nr_reclaimed = nr_reclaimed;
	spin_unlock(&dcache_lock);
	st->rcu_walks = st->rcu_fallbacks = 0;
	for (unsigned i = 0; i < NR_CPUS; i++) {
		st->rcu_walks += (unsigned long)__atomic_load_n(&walk_counts[i].rcu, __ATOMIC_RELAXED);
		st->rcu_fallbacks += (unsigned long)__atomic_load_n(&walk_counts[i].ref,
								    __ATOMIC_RELAXED);
	}
}

void d_name_copy(struct dentry *d, char *buf, size_t size)
{
	size_t n;

	if (!size)
		return;
	spin_lock(&dcache_lock);
	n = MIN((size_t)d->name.len, size - 1);
	memcpy(buf, d->name.name, n);
	buf[n] = 0;
	spin_unlock(&dcache_lock);
}

void dcache_lock_acquire(void)
{
	spin_lock(&dcache_lock);
}

void dcache_lock_release(void)
{
	spin_unlock(&dcache_lock);
}
