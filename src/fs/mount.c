/* Filesystem types, super blocks and the mount tree. A mount attaches a
 * super block's tree (from some root dentry: the fs root, or any dentry for
 * a bind mount) at a dentry of a parent mount; path walk crosses mounts
 * downwards through a hash keyed by (parent mount, mountpoint) and upwards
 * through mount->parent.
 *
 * Locking: namespace_mutex serialises mount and umount; mount_lock (a
 * spinlock) covers the hash, the tree links, dentry->mounted and the list
 * of every mount, so walkers never need the mutex. Mount references are
 * atomics: the tree holds one, every struct path one. A mount is busy when
 * anything beyond the tree and the umount caller holds it.
 *
 * For the RCU path walk, mount_seq (written under mount_lock) moves on
 * every attach and detach, and struct mount is freed a grace period after
 * its last reference: a walker crosses mounts with no reference and
 * validates at the end that the tree did not change meanwhile. */
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/slab.h>
#include <umka/string.h>

#include "vfs_internal.h"

#define MOUNT_HASH_SIZE 64

static DEFINE_SPINLOCK(mount_lock, VFS_LEVEL_MOUNT);
static struct list_head mount_hash[MOUNT_HASH_SIZE];	/* under mount_lock */
static LIST_HEAD(all_mounts);				/* under mount_lock */
static u32 next_mnt_id;					/* under mount_lock */
static struct mount *root_mount;			/* set once at boot */
static struct seqcount mount_seq;			/* written under mount_lock */
static struct mutex namespace_mutex;

static DEFINE_SPINLOCK(fs_types_lock, VFS_LEVEL_FS_LEAF);
static LIST_HEAD(fs_types);				/* under fs_types_lock */
static struct atomic next_anon_minor;

void mount_init(void)
{
	for (unsigned i = 0; i < MOUNT_HASH_SIZE; i++)
		list_init(&mount_hash[i]);
	list_init(&all_mounts);
	list_init(&fs_types);
	next_mnt_id = 0;
	root_mount = NULL;
	seqcount_init(&mount_seq);
	atomic_set(&next_anon_minor, 0);
	mutex_init(&namespace_mutex, "namespace_mutex", VFS_LEVEL_NAMESPACE);
}

/* ---- Filesystem types ------------------------------------------------------------ */

static struct fs_type *find_fs_locked(const char *name)
{
	struct fs_type *t;

	list_for_each_entry(t, &fs_types, node)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

int register_filesystem(struct fs_type *t)
{
	int err = 0;

	spin_lock(&fs_types_lock);
	if (find_fs_locked(t->name))
		err = -EBUSY;
	else
		list_add_tail(&t->node, &fs_types);
	spin_unlock(&fs_types_lock);
	return err;
}

int unregister_filesystem(struct fs_type *t)
{
	int err = -EINVAL;

	spin_lock(&fs_types_lock);
	if (find_fs_locked(t->name) == t) {
		list_del_init(&t->node);
		err = 0;
	}
	spin_unlock(&fs_types_lock);
	return err;
}

struct fs_type *find_filesystem(const char *name)
{
	struct fs_type *t;

	spin_lock(&fs_types_lock);
	t = find_fs_locked(name);
	spin_unlock(&fs_types_lock);
	return t;
}

/* ---- Super blocks ------------------------------------------------------------------ */

struct super_block *sb_alloc(struct fs_type *t, const struct super_ops *ops)
{
	struct super_block *sb = kzalloc(sizeof(*sb), 0);

	if (!sb)
		return NULL;
	sb->type = t;
	sb->s_op = ops;
	sb->dev = MKDEV(0, (u32)atomic_inc_return(&next_anon_minor));
	sb->max_bytes = INT64_MAX;
	atomic_set(&sb->active, 1);
	spin_lock_init(&sb->inode_lock, "sb.inode_lock", VFS_LEVEL_INODES);
	sb->inodes = RB_ROOT;
	mutex_init(&sb->rename_lock, "sb.rename_lock", VFS_LEVEL_RENAME);
	return sb;
}

void sb_kill_generic(struct super_block *sb)
{
	d_prune_sb(sb);
	sb_evict_all_inodes(sb);
	if (sb->s_op->put_super)
		sb->s_op->put_super(sb);
	kfree(sb);
}

void sb_put(struct super_block *sb)
{
	if (atomic_dec_return(&sb->active) == 0)
		sb->type->kill_sb(sb);
}

/* ---- Mount references and paths -------------------------------------------------------- */

struct mount *mnt_get(struct mount *m)
{
	atomic_inc_return(&m->refs);
	return m;
}

static void mnt_free_rcu(struct rcu_head *h)
{
	kfree(container_of(h, struct mount, rcu));
}

void mnt_put(struct mount *m)
{
	int left = atomic_dec_return(&m->refs);

	BUG_ON(left < 0);
	if (left)
		return;
	/* detached (the tree's reference is gone) and unused; RCU walkers
	 * may still read it until a grace period has passed */
	dput(m->root);
	sb_put(m->sb);
	call_rcu(&m->rcu, mnt_free_rcu);
}

/* ---- For the RCU walk --------------------------------------------------------------------- */

static struct mount *lookup_mnt_locked(const struct mount *parent, const struct dentry *d);

u32 mount_seq_begin(void)
{
	return read_seqcount_begin(&mount_seq);
}

bool mount_seq_retry(u32 seq)
{
	return read_seqcount_retry(&mount_seq, seq);
}

struct mount *lookup_mnt_rcu(struct mount *parent, const struct dentry *d)
{
	struct mount *m;

	spin_lock(&mount_lock);
	m = lookup_mnt_locked(parent, d);
	spin_unlock(&mount_lock);
	return m;
}

bool mnt_get_not_zero(struct mount *m)
{
	int old = atomic_read(&m->refs);

	do {
		if (old == 0)
			return false;	/* being freed */
	} while (!atomic_cmpxchg(&m->refs, &old, old + 1));
	/* Our reference is visible before the caller looks at mount_seq
	 * again; umount bumps mount_seq before it counts references (the
	 * mirror image), so one of the two sees the other. */
	smp_mb();
	return true;
}

void path_get(const struct path *p)
{
	mnt_get(p->mnt);
	dget(p->dentry);
}

void path_put(struct path *p)
{
	if (p->dentry)
		dput(p->dentry);
	if (p->mnt)
		mnt_put(p->mnt);
	p->dentry = NULL;
	p->mnt = NULL;
}

static struct list_head *mount_bucket(const struct mount *parent, const struct dentry *d)
{
	u64 k = ((u64)(uintptr_t)parent >> 4) ^ ((u64)(uintptr_t)d >> 4) * 31;

	k *= 0x9e3779b97f4a7c15ULL;
	return &mount_hash[k >> 58];
}

static struct mount *lookup_mnt_locked(const struct mount *parent, const struct dentry *d)
{
	struct mount *m;

	list_for_each_entry(m, mount_bucket(parent, d), hash_node)
		if (m->parent == parent && m->mountpoint == d)
			return m;
	return NULL;
}

bool follow_mount_once(struct path *p)
{
	struct mount *m;

	if (!READ_ONCE(p->dentry->mounted))
		return false;
	spin_lock(&mount_lock);
	m = lookup_mnt_locked(p->mnt, p->dentry);
	if (m)
		mnt_get(m);
	spin_unlock(&mount_lock);
	if (!m)
		return false;
	/* m pins its root while we hold m */
	dget(m->root);
	path_put(p);
	p->mnt = m;
	p->dentry = m->root;
	return true;
}

void follow_mounts(struct path *p)
{
	while (follow_mount_once(p))
		;
}

bool follow_up(struct path *p)
{
	struct mount *parent;
	struct dentry *mp;

	spin_lock(&mount_lock);
	parent = p->mnt->parent;
	if (!parent) {
		spin_unlock(&mount_lock);
		return false;
	}
	mp = p->mnt->mountpoint;
	mnt_get(parent);
	dget(mp);	/* under mount_lock: umount cannot drop it meanwhile */
	spin_unlock(&mount_lock);
	path_put(p);
	p->mnt = parent;
	p->dentry = mp;
	return true;
}

struct mount *vfs_root_mount(void)
{
	return root_mount;
}

void mount_for_each(void (*fn)(const struct mount *m, void *arg), void *arg)
{
	struct mount *m;

	spin_lock(&mount_lock);
	list_for_each_entry(m, &all_mounts, all_node)
		fn(m, arg);
	spin_unlock(&mount_lock);
}

/* ---- Mounting -------------------------------------------------------------------------- */

static struct mount *mnt_alloc(struct super_block *sb, struct dentry *root, u32 flags,
			       const char *source)
{
	struct mount *m = kzalloc(sizeof(*m), 0);
	size_t n;

	if (!m)
		return NULL;
	atomic_set(&m->refs, 1);	/* the tree's */
	m->sb = sb;
	m->root = root;
	m->flags = flags;
	list_init(&m->hash_node);
	list_init(&m->children);
	list_init(&m->child_node);
	list_init(&m->all_node);
	n = source ? MIN(strlen(source), sizeof(m->source) - 1) : 0;
	if (n)
		memcpy(m->source, source, n);
	m->source[n] = 0;
	return m;
}

static u32 mnt_flags_from(unsigned long ms)
{
	u32 f = 0;

	if (ms & MS_RDONLY)
		f |= MNT_RDONLY;
	if (ms & MS_NOSUID)
		f |= MNT_NOSUID;
	if (ms & MS_NODEV)
		f |= MNT_NODEV;
	if (ms & MS_NOEXEC)
		f |= MNT_NOEXEC;
	return f;
}

int mount_root(const char *fstype, const char *options)
{
	struct fs_type *t = find_filesystem(fstype);
	struct super_block *sb;
	struct mount *m;
	int err;

	if (!t)
		return -ENODEV;
	err = t->get_sb(t, fstype, 0, options, &sb);
	if (err)
		return err;
	m = mnt_alloc(sb, dget(sb->root), 0, "rootfs");
	if (!m) {
		dput(sb->root);
		sb_put(sb);
		return -ENOMEM;
	}
	spin_lock(&mount_lock);
	m->id = ++next_mnt_id;
	list_add_tail(&m->all_node, &all_mounts);
	root_mount = m;
	spin_unlock(&mount_lock);
	return 0;
}

struct mount *mount_internal(struct super_block *sb, const char *source)
{
	struct mount *m = mnt_alloc(sb, dget(sb->root), 0, source);

	if (!m) {
		dput(sb->root);
		return NULL;
	}
	spin_lock(&mount_lock);
	m->id = ++next_mnt_id;
	spin_unlock(&mount_lock);
	return m;
}

static bool dentry_is_live(struct dentry *d)
{
	bool live;

	dcache_lock_acquire();
	live = (d->flags & (DCACHE_HASHED | DCACHE_ROOT)) != 0;
	dcache_lock_release();
	return live;
}

/* Hang m at tp. The mountpoint's inode lock keeps unlink/rmdir/rename of
 * tp (which check ->mounted under it) from racing with us. */
static int attach_mount(struct mount *m, struct path *tp)
{
	struct inode *inode;
	int err = 0;

	mutex_lock(&namespace_mutex);
	follow_mounts(tp);	/* something may have been mounted there meanwhile */
	inode = tp->dentry->inode;
	inode_lock_nested(inode, I_CHILD);
	if ((inode->iflags & I_DEAD) || !dentry_is_live(tp->dentry)) {
		err = -ENOENT;
	} else {
		m->parent = mnt_get(tp->mnt);
		m->mountpoint = dget(tp->dentry);
		spin_lock(&mount_lock);
		write_seqcount_begin(&mount_seq);
		WRITE_ONCE(tp->dentry->mounted, tp->dentry->mounted + 1);
		list_add(&m->hash_node, mount_bucket(m->parent, m->mountpoint));
		list_add_tail(&m->child_node, &m->parent->children);
		list_add_tail(&m->all_node, &all_mounts);
		m->id = ++next_mnt_id;
		write_seqcount_end(&mount_seq);
		spin_unlock(&mount_lock);
	}
	inode_unlock(inode);
	mutex_unlock(&namespace_mutex);
	return err;
}

int vfs_mount(const struct vfs_ctx *ctx, const char *source, const char *target,
	      const char *fstype, unsigned long flags, const char *options)
{
	struct path tp, sp;
	struct super_block *sb;
	struct dentry *root;
	struct mount *m;
	u32 mflags;
	int err;

	if (!cred_capable(ctx->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & MS_REMOUNT)
		return -EINVAL;		/* not yet */
	err = vfs_lookup(ctx, NULL, target, 0, &tp);
	if (err)
		return err;
	if (flags & MS_BIND) {
		err = vfs_lookup(ctx, NULL, source ? source : "", 0, &sp);
		if (err)
			goto out;
		if (S_ISDIR(tp.dentry->inode->mode) != S_ISDIR(sp.dentry->inode->mode)) {
			path_put(&sp);
			err = -ENOTDIR;
			goto out;
		}
		sb = sp.mnt->sb;
		atomic_inc_return(&sb->active);
		root = dget(sp.dentry);
		mflags = sp.mnt->flags;
		path_put(&sp);
	} else {
		struct fs_type *t = fstype ? find_filesystem(fstype) : NULL;

		err = -ENOTDIR;
		if (!S_ISDIR(tp.dentry->inode->mode))
			goto out;
		err = -ENODEV;
		if (!t)
			goto out;
		err = t->get_sb(t, source, flags, options, &sb);
		if (err)
			goto out;
		root = dget(sb->root);
		mflags = mnt_flags_from(flags);
	}
	m = mnt_alloc(sb, root, mflags, source ? source : fstype);
	err = -ENOMEM;
	if (!m) {
		dput(root);
		sb_put(sb);
		goto out;
	}
	err = attach_mount(m, &tp);
	if (err)
		mnt_put(m);
out:
	path_put(&tp);
	return err;
}

int vfs_umount(const struct vfs_ctx *ctx, const char *target, unsigned flags)
{
	struct mount *m, *parent = NULL;
	struct dentry *mp = NULL;
	struct path tp;
	int err;

	if (!cred_capable(ctx->cred, CAP_SYS_ADMIN))
		return -EPERM;
	if (flags & ~(unsigned)(MNT_FORCE | UMOUNT_NOFOLLOW))
		return -EINVAL;		/* lazy and expiring unmounts: not yet */
	err = vfs_lookup(ctx, NULL, target, (flags & UMOUNT_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0,
			 &tp);
	if (err)
		return err;
	m = tp.mnt;
	if (tp.dentry != m->root) {
		path_put(&tp);
		return -EINVAL;		/* not a mount point */
	}
	mutex_lock(&namespace_mutex);
	spin_lock(&mount_lock);
	/* RCU walkers that took a reference on m before this see the count
	 * below; those after it see mount_seq moved and let go (mnt_get_not_zero). */
	write_seqcount_begin(&mount_seq);
	smp_mb();
	/* busy: mounts below, or references beyond the tree's and ours */
	if (!m->parent || !list_empty(&m->children) || atomic_read(&m->refs) > 2) {
		err = -EBUSY;
	} else {
		list_del_init(&m->hash_node);
		list_del_init(&m->child_node);
		list_del_init(&m->all_node);
		WRITE_ONCE(m->mountpoint->mounted, m->mountpoint->mounted - 1);
		parent = m->parent;
		mp = m->mountpoint;
		m->parent = NULL;
		m->mountpoint = NULL;
	}
	write_seqcount_end(&mount_seq);
	spin_unlock(&mount_lock);
	mutex_unlock(&namespace_mutex);
	if (!err) {
		dput(mp);
		mnt_put(parent);
		mnt_put(m);	/* the tree's reference; ours (tp) is the last */
	}
	path_put(&tp);
	return err;
}

/* ---- Naming ----------------------------------------------------------------------------- */

/* Prepend len bytes of s before *pos in buf; false if it does not fit. */
static bool prepend(char *buf, size_t *pos, const char *s, size_t len)
{
	if (len > *pos)
		return false;
	*pos -= len;
	memcpy(buf + *pos, s, len);
	return true;
}

long vfs_path_name(const struct path *p, const struct path *root, char *buf, size_t size)
{
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;
	size_t pos = size;
	long err = 0;

	if (size < 2)
		return -ENAMETOOLONG;
	pos--;
	buf[pos] = 0;
	spin_lock(&mount_lock);
	dcache_lock_acquire();
	if (!(d->flags & (DCACHE_HASHED | DCACHE_ROOT)))
		err = -ENOENT;		/* removed */
	while (!err) {
		if (root && m == root->mnt && d == root->dentry)
			break;
		if (d == m->root) {
			if (!m->parent)
				break;
			d = m->mountpoint;
			m = m->parent;
			continue;
		}
		if (!prepend(buf, &pos, d->name.name, d->name.len) || !prepend(buf, &pos, "/", 1))
			err = -ENAMETOOLONG;
		d = d->parent;
	}
	dcache_lock_release();
	spin_unlock(&mount_lock);
	if (err)
		return err;
	if (pos == size - 1 && !prepend(buf, &pos, "/", 1))
		return -ENAMETOOLONG;
	memmove(buf, buf + pos, size - pos);
	return (long)(size - pos - 1);
}
