/* The dentry cache: names in directories, hashed by (parent, name), with
 * negative entries for names that do not exist. A dentry nobody uses stays
 * hashed on an LRU list (most recently released first) until
 * dcache_shrink() reclaims it; freeing one releases its parent, which may
 * then join the LRU in turn.
 *
 * One spinlock, dcache_lock, covers the hash table, the LRU, every
 * dentry's refs, flags, name, parent and children, and the positive or
 * negative state. Memory is freed and inodes released only after it is
 * dropped (the "dispose" lists below). Path walk takes it once per
 * component; an RCU walk can replace that when profiles ask for it. */
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/slab.h>
#include <umka/string.h>

#include "vfs_internal.h"

#define DCACHE_HASH_BITS 12
#define DCACHE_HASH_SIZE (1u << DCACHE_HASH_BITS)

static DEFINE_SPINLOCK(dcache_lock, VFS_LEVEL_DCACHE);
static struct list_head dcache_hash[DCACHE_HASH_SIZE];	/* under dcache_lock */
static LIST_HEAD(dcache_lru);				/* under dcache_lock */
static unsigned long nr_dentries, nr_unused, nr_negative;	/* under dcache_lock */
static unsigned long unused_max;	/* set at init: unused dentries kept at most */
static struct kmem_cache *dentry_cache;

void dcache_init(void)
{
	struct mm_stats st;

	for (unsigned i = 0; i < DCACHE_HASH_SIZE; i++)
		list_init(&dcache_hash[i]);
	list_init(&dcache_lru);
	nr_dentries = nr_unused = nr_negative = 0;
	dentry_cache = kmem_cache_create("dentry", sizeof(struct dentry), SLAB_ALIGN_DEFAULT,
					 NULL);
	if (!dentry_cache)
		panic("dcache: cannot create the dentry cache");
	/* Until the allocator can ask caches to shrink under pressure, keep
	 * unused dentries to about 1/16 of memory. */
	mm_get_stats(&st);
	unused_max = MAX(1024UL, (unsigned long)(st.total_pages * PAGE_SIZE / 16 /
						  sizeof(struct dentry)));
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

static struct list_head *d_bucket(const struct dentry *parent, u32 hash)
{
	u64 k = ((u64)(uintptr_t)parent >> 4) ^ ((u64)hash << 17) ^ hash;

	k *= 0x9e3779b97f4a7c15ULL;
	return &dcache_hash[k >> (64 - DCACHE_HASH_BITS)];
}

/* ---- State changes, all under dcache_lock ------------------------------------------ */

static void __d_hash(struct dentry *d)
{
	list_add(&d->hash_node, d_bucket(d->parent, d->name.hash));
	d->flags |= DCACHE_HASHED;
	if (!d->inode)
		nr_negative++;
}

static void __d_unhash(struct dentry *d)
{
	if (!(d->flags & DCACHE_HASHED))
		return;
	list_del_init(&d->hash_node);
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

/* Outside the lock: release inodes and memory of killed dentries. */
static void d_dispose(struct list_head *dispose)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, dispose) {
		struct dentry *d = list_entry(pos, struct dentry, lru);

		list_del_init(&d->lru);
		inode_put(d->inode);
		if (d->name.name != d->iname)
			kfree(d->name.name);
		kmem_cache_free(dentry_cache, d);
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
		buf = kmalloc(len + 1, 0);
		if (!buf) {
			kmem_cache_free(dentry_cache, d);
			return NULL;
		}
	}
	memcpy(buf, name, len);
	buf[len] = 0;
	d->name = (struct dname){ buf, len, dname_hash(name, len) };
	list_init(&d->hash_node);
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
	struct list_head *bucket = d_bucket(parent, hash), *pos;
	struct dentry *found = NULL;

	spin_lock(&dcache_lock);
	list_for_each(pos, bucket) {
		struct dentry *d = list_entry(pos, struct dentry, hash_node);

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

void d_add(struct dentry *d, struct inode *inode)
{
	spin_lock(&dcache_lock);
	BUG_ON(d->flags & DCACHE_HASHED);
	d->inode = inode;
	__d_hash(d);
	spin_unlock(&dcache_lock);
}

void d_instantiate(struct dentry *d, struct inode *inode)
{
	spin_lock(&dcache_lock);
	BUG_ON(d->inode);
	d->inode = inode;
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
		d->inode = NULL;
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
		p->name_for_src = kmalloc(tgt->name.len + 1, 0);
		if (!p->name_for_src)
			return -ENOMEM;
	}
	if (exchange && src->name.len >= DNAME_INLINE_LEN) {
		p->name_for_tgt = kmalloc(src->name.len + 1, 0);
		if (!p->name_for_tgt) {
			kfree(p->name_for_src);
			return -ENOMEM;
		}
	}
	return 0;
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
	__d_hash(src);
	if (exchange)
		__d_hash(tgt);
	spin_unlock(&dcache_lock);
	if (sn.name != src->iname)
		kfree(sn.name);		/* src's old long name */
	if (exchange && tn.name != tgt->iname)
		kfree(tn.name);		/* tgt's old long name */
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

unsigned long dcache_shrink(unsigned long n)
{
	unsigned long done = 0;
	LIST_HEAD(dispose);

	spin_lock(&dcache_lock);
	while (done < n && !list_empty(&dcache_lru)) {
		struct dentry *d = list_entry(dcache_lru.prev, struct dentry, lru);
		struct dentry *parent;

		BUG_ON(d->refs != 0);
		parent = __d_kill(d, &dispose);
		done++;
		if (parent)
			__dput(parent, &dispose);
	}
	spin_unlock(&dcache_lock);
	d_dispose(&dispose);
	return done;
}

void dcache_get_stats(struct dcache_stats *st)
{
	spin_lock(&dcache_lock);
	st->nr_dentries = nr_dentries;
	st->nr_unused = nr_unused;
	st->nr_negative = nr_negative;
	spin_unlock(&dcache_lock);
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
