/* Namespace and attribute operations: mkdir, mknod, symlink, link, unlink,
 * rmdir, rename, readlink, stat, chmod, chown, utimens, truncate, access,
 * chdir, chroot, statfs. Each resolves its path(s), takes the directory
 * locks in the documented order, checks what Linux checks in the order
 * Linux checks it (so the first failing rule names the errno), and only
 * then lets the filesystem change anything. */
#include <umka/errno.h>
#include <umka/slab.h>
#include <umka/string.h>

#include "vfs_internal.h"

static u32 umask_of(const struct vfs_ctx *ctx)
{
	return READ_ONCE(ctx->fs->umask);
}

/* ---- Creating names ----------------------------------------------------------------------- */

struct create_op {
	struct nameidata nd;
	struct dentry *d;	/* negative, in the locked dir */
	struct inode *dir;
	bool locked;
};

static void create_end(struct create_op *op)
{
	if (op->locked)
		inode_unlock(op->dir);
	if (op->d && !IS_ERR(op->d))
		dput(op->d);
	nd_done(&op->nd);
}

/* Resolve the parent, lock it, and find the (negative) dentry to create.
 * want_dir: a trailing slash is fine (mkdir); otherwise "name/" is an
 * error (EEXIST if it exists, ENOENT if not). The caller checks
 * may_create() where Linux does. */
static int create_begin(struct create_op *op, const struct vfs_ctx *ctx, const struct path *dir,
			const char *name, bool want_dir)
{
	struct dentry *parent;
	int err;

	op->d = NULL;
	op->locked = false;
	err = path_parentat(&op->nd, ctx, dir, name);
	if (err)
		return err;
	if (op->nd.last_type != LAST_NORM)
		return -EEXIST;
	parent = op->nd.path.dentry;
	op->dir = parent->inode;
	inode_lock(op->dir);
	op->locked = true;
	op->d = lookup_locked(parent, op->nd.last.name, op->nd.last.len);
	if (IS_ERR(op->d))
		return (int)PTR_ERR(op->d);
	if (op->d->inode)
		return -EEXIST;
	if (op->nd.trailing_slash && !want_dir)
		return -ENOENT;
	if (mnt_is_readonly(op->nd.path.mnt))
		return -EROFS;
	return 0;
}

static void attrs_for(struct inode_attrs *a, const struct vfs_ctx *ctx, struct inode *dir,
		      u32 type, u32 perm)
{
	const struct cred *c = ctx->cred;

	a->mode = type | new_inode_mode(dir, type | perm, c);
	a->uid = c->fsuid;
	a->gid = new_inode_gid(c, dir);
	a->rdev = 0;
	a->link = NULL;
}

int vfs_mkdirat(const struct vfs_ctx *ctx, const struct path *dir, const char *name, u32 mode)
{
	struct create_op op;
	struct inode_attrs a;
	int err = create_begin(&op, ctx, dir, name, true);

	if (!err)
		err = may_create(ctx->cred, op.dir);
	if (!err) {
		attrs_for(&a, ctx, op.dir, S_IFDIR, mode & (0777 | S_ISVTX) & ~umask_of(ctx));
		err = op.dir->i_op->create(op.dir, op.d, &a);
	}
	create_end(&op);
	return err;
}

int vfs_mknodat(const struct vfs_ctx *ctx, const struct path *dir, const char *name, u32 mode,
		u32 dev)
{
	u32 type = mode & S_IFMT;
	struct create_op op;
	struct inode_attrs a;
	int err;

	switch (type) {
	case 0:
		type = S_IFREG;
		break;
	case S_IFREG:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	err = create_begin(&op, ctx, dir, name, false);
	if (!err)
		err = may_create(ctx->cred, op.dir);
	if (!err && (type == S_IFCHR || type == S_IFBLK) && !cred_capable(ctx->cred, CAP_MKNOD))
		err = -EPERM;
	if (!err) {
		attrs_for(&a, ctx, op.dir, type, mode & S_IALLUGO & ~umask_of(ctx));
		if (type == S_IFCHR || type == S_IFBLK)
			a.rdev = dev;
		err = op.dir->i_op->create(op.dir, op.d, &a);
	}
	create_end(&op);
	return err;
}

int vfs_symlinkat(const struct vfs_ctx *ctx, const char *target, const struct path *dir,
		  const char *name)
{
	struct create_op op;
	struct inode_attrs a;
	size_t len;
	int err;

	if (!target || !target[0])
		return -ENOENT;
	for (len = 0; len < PATH_MAX && target[len]; len++)
		;
	if (len == PATH_MAX)
		return -ENAMETOOLONG;
	err = create_begin(&op, ctx, dir, name, false);
	if (!err)
		err = may_create(ctx->cred, op.dir);
	if (!err) {
		attrs_for(&a, ctx, op.dir, S_IFLNK, 0777);
		a.mode = S_IFLNK | 0777;
		a.link = target;
		err = op.dir->i_op->create(op.dir, op.d, &a);
	}
	create_end(&op);
	return err;
}

int vfs_linkat(const struct vfs_ctx *ctx, const struct path *odir, const char *oldname,
	       const struct path *ndir, const char *newname, unsigned at_flags)
{
	struct path old;
	struct create_op op;
	struct inode *inode;
	int err;

	if (at_flags & ~(unsigned)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((at_flags & AT_EMPTY_PATH) && !cred_capable(ctx->cred, CAP_DAC_READ_SEARCH))
		return -ENOENT;
	err = vfs_lookup(ctx, odir, oldname,
			 ((at_flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) |
				 (at_flags & AT_EMPTY_PATH), &old);
	if (err)
		return err;
	inode = old.dentry->inode;
	err = create_begin(&op, ctx, ndir, newname, false);
	if (!err && op.nd.path.mnt != old.mnt)
		err = -EXDEV;
	if (!err)
		err = may_create(ctx->cred, op.dir);
	if (!err && S_ISDIR(inode->mode))
		err = -EPERM;
	if (!err && !op.dir->i_op->link)
		err = -EPERM;
	if (!err) {
		inode_lock_nested(inode, I_CHILD);
		if (inode->nlink == 0)
			err = -ENOENT;	/* an unlinked (open) file cannot come back */
		else
			err = op.dir->i_op->link(old.dentry, op.dir, op.d);
		inode_unlock(inode);
	}
	create_end(&op);
	path_put(&old);
	return err;
}

struct dentry *vfs_create_child(struct dentry *parent, const char *name,
				const struct inode_attrs *a)
{
	struct inode *dir = parent->inode;
	struct dentry *d;
	int err;

	inode_lock(dir);
	d = lookup_locked(parent, name, (u32)strlen(name));
	if (!IS_ERR(d)) {
		err = d->inode ? -EEXIST : dir->i_op->create(dir, d, a);
		if (err) {
			dput(d);
			d = ERR_PTR(err);
		}
	}
	inode_unlock(dir);
	return d;
}

/* ---- Removing names ------------------------------------------------------------------------ */

int may_delete(const struct cred *c, struct inode *dir, struct dentry *victim, bool isdir)
{
	struct inode *inode = victim->inode;
	int err;

	if (!inode)
		return -ENOENT;
	err = inode_permission(c, dir, MAY_WRITE | MAY_EXEC);
	if (err)
		return err;
	/* sticky directory: only the owner of the file or of the directory */
	if ((dir->mode & S_ISVTX) && c->fsuid != READ_ONCE(inode->uid) && c->fsuid != dir->uid &&
	    !cred_capable(c, CAP_FOWNER))
		return -EPERM;
	if (isdir) {
		if (!S_ISDIR(inode->mode))
			return -ENOTDIR;
		if (victim->flags & DCACHE_ROOT)
			return -EBUSY;
	} else if (S_ISDIR(inode->mode)) {
		return -EISDIR;
	}
	if (dir->iflags & I_DEAD)
		return -ENOENT;
	return 0;
}

static int do_unlink(const struct vfs_ctx *ctx, const struct path *dirp, const char *name,
		     bool isdir)
{
	struct inode *dir, *victim = NULL;
	struct nameidata nd;
	struct dentry *d = NULL;
	int err;

	err = path_parentat(&nd, ctx, dirp, name);
	if (err)
		goto out;
	if (isdir && nd.last_type != LAST_NORM) {
		err = nd.last_type == LAST_DOTDOT ? -ENOTEMPTY :
		      nd.last_type == LAST_DOT	  ? -EINVAL :
						    -EBUSY;
		goto out;
	}
	err = -EISDIR;
	if (!isdir && nd.last_type != LAST_NORM)
		goto out;
	err = -EROFS;
	if (mnt_is_readonly(nd.path.mnt))
		goto out;
	dir = nd.path.dentry->inode;
	inode_lock(dir);
	d = lookup_locked(nd.path.dentry, nd.last.name, nd.last.len);
	if (IS_ERR(d)) {
		err = (int)PTR_ERR(d);
		d = NULL;
		goto unlock_dir;
	}
	err = -ENOENT;
	if (!d->inode)
		goto unlock_dir;
	if (!isdir && nd.trailing_slash) {
		err = S_ISDIR(d->inode->mode) ? -EISDIR : -ENOTDIR;
		goto unlock_dir;
	}
	victim = d->inode;
	inode_get(victim);
	inode_lock_nested(victim, I_CHILD);
	err = may_delete(ctx->cred, dir, d, isdir);
	if (!err && READ_ONCE(d->mounted))
		err = -EBUSY;
	if (!err)
		err = isdir ? dir->i_op->rmdir(dir, d) : dir->i_op->unlink(dir, d);
	if (!err && isdir)
		victim->iflags |= I_DEAD;
	inode_unlock(victim);
	if (!err) {
		if (isdir)
			d_prune_children(d);
		d_delete(d);
	}
unlock_dir:
	inode_unlock(dir);
out:
	dput(d);
	inode_put(victim);
	nd_done(&nd);
	return err;
}

int vfs_unlinkat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		 unsigned at_flags)
{
	if (at_flags & ~(unsigned)AT_REMOVEDIR)
		return -EINVAL;
	return do_unlink(ctx, dir, name, at_flags & AT_REMOVEDIR);
}

int vfs_rmdir(const struct vfs_ctx *ctx, const struct path *dir, const char *name)
{
	return do_unlink(ctx, dir, name, true);
}

/* ---- Rename ------------------------------------------------------------------------------- */

struct rename_op {
	struct nameidata ond, nnd;
	struct dentry *od, *nd;
	struct inode *odir, *ndir;
	struct super_block *sb;
	bool locked;
};

static void lock_rename_dirs(struct rename_op *r)
{
	mutex_lock(&r->sb->rename_lock);
	if (r->odir == r->ndir) {
		inode_lock(r->odir);
	} else if (d_is_ancestor(r->nnd.path.dentry, r->ond.path.dentry)) {
		inode_lock_nested(r->ndir, I_PARENT);
		inode_lock_nested(r->odir, I_PARENT2);
	} else {
		/* old parent is an ancestor of the new one, or they are unrelated
		 * (only renames, serialised by rename_lock, lock two dirs) */
		inode_lock_nested(r->odir, I_PARENT);
		inode_lock_nested(r->ndir, I_PARENT2);
	}
	r->locked = true;
}

static void unlock_rename_dirs(struct rename_op *r)
{
	if (!r->locked)
		return;
	inode_unlock(r->odir);
	if (r->ndir != r->odir)
		inode_unlock(r->ndir);
	mutex_unlock(&r->sb->rename_lock);
	r->locked = false;
}

/* The checks of vfs_rename in Linux order, then the fs, then the dcache. */
static int rename_locked(const struct vfs_ctx *ctx, struct rename_op *r, unsigned flags)
{
	bool exchange = flags & RENAME_EXCHANGE;
	struct inode *src = r->od->inode, *tgt = r->nd->inode;
	bool isdir = S_ISDIR(src->mode), tgt_isdir = tgt && S_ISDIR(tgt->mode);
	const struct cred *c = ctx->cred;
	struct d_move_prep prep;
	int err;

	if (src == tgt)
		return 0;	/* two names of one inode: nothing to do */
	err = may_delete(c, r->odir, r->od, isdir);
	if (err)
		return err;
	if (!tgt)
		err = may_create(c, r->ndir);
	else
		err = may_delete(c, r->ndir, r->nd, exchange ? tgt_isdir : isdir);
	if (err)
		return err;
	if (r->odir != r->ndir) {
		/* a directory changing parent rewrites its ".." */
		if (isdir && (err = inode_permission(c, src, MAY_WRITE)))
			return err;
		if (exchange && tgt_isdir && (err = inode_permission(c, tgt, MAY_WRITE)))
			return err;
	}
	if (READ_ONCE(r->od->mounted) || READ_ONCE(r->nd->mounted))
		return -EBUSY;
	err = d_move_prepare(r->od, r->nd, exchange, &prep);
	if (err)
		return err;
	inode_lock_nested(src, I_CHILD);
	if (tgt)
		inode_lock_nested(tgt, I_CHILD2);
	err = r->odir->i_op->rename(r->odir, r->od, r->ndir, r->nd, flags & RENAME_EXCHANGE);
	if (!err && !exchange && tgt_isdir)
		tgt->iflags |= I_DEAD;
	if (tgt)
		inode_unlock(tgt);
	inode_unlock(src);
	if (err) {
		d_move_abort(&prep);
		return err;
	}
	if (!exchange && tgt_isdir)
		d_prune_children(r->nd);
	d_move(r->od, r->nd, exchange, &prep);
	return 0;
}

int vfs_renameat2(const struct vfs_ctx *ctx, const struct path *odir, const char *oldname,
		  const struct path *ndir, const char *newname, unsigned flags)
{
	struct rename_op r = { 0 };
	int err, err2;

	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL;		/* whiteouts are for overlay filesystems */
	err = path_parentat(&r.ond, ctx, odir, oldname);
	err2 = path_parentat(&r.nnd, ctx, ndir, newname);
	if (err || (err = err2))
		goto out;
	err = -EXDEV;
	if (r.ond.path.mnt != r.nnd.path.mnt)
		goto out;
	err = -EBUSY;
	if (r.ond.last_type != LAST_NORM)
		goto out;
	if (r.nnd.last_type != LAST_NORM) {
		err = (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out;
	}
	err = -EROFS;
	if (mnt_is_readonly(r.ond.path.mnt))
		goto out;
	r.odir = r.ond.path.dentry->inode;
	r.ndir = r.nnd.path.dentry->inode;
	r.sb = r.odir->sb;
	lock_rename_dirs(&r);
	r.od = lookup_locked(r.ond.path.dentry, r.ond.last.name, r.ond.last.len);
	if (IS_ERR(r.od)) {
		err = (int)PTR_ERR(r.od);
		r.od = NULL;
		goto out;
	}
	err = -ENOENT;
	if (!r.od->inode)
		goto out;
	r.nd = lookup_locked(r.nnd.path.dentry, r.nnd.last.name, r.nnd.last.len);
	if (IS_ERR(r.nd)) {
		err = (int)PTR_ERR(r.nd);
		r.nd = NULL;
		goto out;
	}
	err = -EEXIST;
	if ((flags & RENAME_NOREPLACE) && r.nd->inode)
		goto out;
	if (flags & RENAME_EXCHANGE) {
		err = -ENOENT;
		if (!r.nd->inode)
			goto out;
		err = -ENOTDIR;
		if (!S_ISDIR(r.nd->inode->mode) && r.nnd.trailing_slash)
			goto out;
	}
	if (!S_ISDIR(r.od->inode->mode)) {
		err = -ENOTDIR;
		if (r.ond.trailing_slash)
			goto out;
		if (!(flags & RENAME_EXCHANGE) && r.nnd.trailing_slash)
			goto out;
	}
	if (r.ond.path.dentry != r.nnd.path.dentry) {
		/* source must not be an ancestor of the target, nor the target
		 * an ancestor of the source */
		err = -EINVAL;
		if (d_is_ancestor(r.od, r.nnd.path.dentry))
			goto out;
		err = (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
		if (r.nd->inode && d_is_ancestor(r.nd, r.ond.path.dentry))
			goto out;
	}
	err = rename_locked(ctx, &r, flags);
out:
	unlock_rename_dirs(&r);
	dput(r.od);
	dput(r.nd);
	nd_done(&r.ond);
	nd_done(&r.nnd);
	return err;
}

/* ---- Reading names and attributes ----------------------------------------------------------- */

long vfs_readlinkat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		    char *buf, size_t size)
{
	struct path p;
	const char *body;
	long n;
	int err;

	if (size == 0 || size > (size_t)INT32_MAX)
		return -EINVAL;
	err = vfs_lookup(ctx, dir, name, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p);
	if (err)
		return err;
	n = -EINVAL;
	if (S_ISLNK(p.dentry->inode->mode) && p.dentry->inode->i_op->get_link) {
		body = p.dentry->inode->i_op->get_link(p.dentry->inode);
		n = (long)MIN(strlen(body), size);
		memcpy(buf, body, (size_t)n);
	}
	path_put(&p);
	return n;
}

int vfs_statx(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
	      unsigned at_flags, u32 mask, struct statx *st)
{
	struct path p;
	int err;

	if (at_flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
				   AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((at_flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	err = vfs_lookup(ctx, dir, name, at_flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), &p);
	if (err)
		return err;
	err = vfs_getattr(&p, mask, st);
	path_put(&p);
	return err;
}

int vfs_statfs(const struct path *p, struct vfs_statfs *st)
{
	struct super_block *sb = p->dentry->sb;

	memset(st, 0, sizeof(*st));
	if (!sb->s_op->statfs)
		return -ENOSYS;
	return sb->s_op->statfs(sb, st);
}

/* ---- Changing attributes -------------------------------------------------------------------- */

static int notify_change(struct inode *inode, struct iattr *a)
{
	if (inode->i_op && inode->i_op->setattr)
		return inode->i_op->setattr(inode, a);
	if (a->valid & ATTR_SIZE)
		return -EPERM;
	setattr_copy(inode, a);
	return 0;
}

static int chmod_common(const struct vfs_ctx *ctx, const struct path *p, u32 mode)
{
	struct inode *inode = p->dentry->inode;
	const struct cred *c = ctx->cred;
	struct iattr a = { .valid = ATTR_MODE | ATTR_CTIME };
	int err = -EPERM;

	if (mnt_is_readonly(p->mnt))
		return -EROFS;
	inode_lock(inode);
	if (inode_owner_or_capable(c, inode)) {
		a.mode = mode & S_IALLUGO;
		if (!cred_in_group(c, inode->gid) && !cred_capable(c, CAP_FSETID))
			a.mode &= ~(u32)S_ISGID;
		a.ctime = vfs_now();
		err = notify_change(inode, &a);
	}
	inode_unlock(inode);
	return err;
}

static int chown_common(const struct vfs_ctx *ctx, const struct path *p, u32 uid, u32 gid)
{
	struct inode *inode = p->dentry->inode;
	const struct cred *c = ctx->cred;
	struct iattr a = { .valid = ATTR_CTIME };
	bool owner;
	int err = 0;

	if (mnt_is_readonly(p->mnt))
		return -EROFS;
	inode_lock(inode);
	owner = c->fsuid == inode->uid;
	if (uid != (u32)-1) {
		/* only CAP_CHOWN gives a file away */
		if (!(owner && uid == inode->uid) && !cred_capable(c, CAP_CHOWN))
			err = -EPERM;
		a.valid |= ATTR_UID;
		a.uid = uid;
	}
	if (gid != (u32)-1) {
		/* the owner may pick one of its own groups */
		if (!(owner && (gid == inode->gid || cred_in_group(c, gid))) &&
		    !cred_capable(c, CAP_CHOWN))
			err = -EPERM;
		a.valid |= ATTR_GID;
		a.gid = gid;
	}
	if (!err) {
		if (!S_ISDIR(inode->mode)) {
			u32 mode = inode->mode & ~(u32)S_ISUID;

			if (mode & S_IXGRP)
				mode &= ~(u32)S_ISGID;
			if (mode != inode->mode) {
				a.valid |= ATTR_MODE;
				a.mode = mode;
			}
		}
		a.ctime = vfs_now();
		err = notify_change(inode, &a);
	}
	inode_unlock(inode);
	return err;
}

static bool nsec_valid(long ns)
{
	return ns == UTIME_NOW || ns == UTIME_OMIT || (ns >= 0 && ns < (long)NSEC_PER_SEC);
}

static int utimes_common(const struct vfs_ctx *ctx, const struct path *p,
			 const struct timespec64 times[2])
{
	struct inode *inode = p->dentry->inode;
	const struct cred *c = ctx->cred;
	struct iattr a = { .valid = ATTR_CTIME };
	struct timespec64 now = vfs_now();
	bool explicit = false;
	int err = 0;

	if (times && times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT)
		return 0;
	if (mnt_is_readonly(p->mnt))
		return -EROFS;
	for (int i = 0; times && i < 2; i++)
		if (times[i].tv_nsec != UTIME_NOW && times[i].tv_nsec != UTIME_OMIT)
			explicit = true;
	inode_lock(inode);
	if (explicit) {
		if (!inode_owner_or_capable(c, inode))
			err = -EPERM;
	} else if (!inode_owner_or_capable(c, inode)) {
		/* "now" needs only write access */
		err = inode_permission(c, inode, MAY_WRITE);
	}
	if (!err) {
		a.ctime = now;
		if (!times || times[0].tv_nsec != UTIME_OMIT) {
			a.valid |= ATTR_ATIME;
			a.atime = (!times || times[0].tv_nsec == UTIME_NOW) ? now : times[0];
			if (!times || times[0].tv_nsec == UTIME_NOW)
				a.valid |= ATTR_ATIME_NOW;
		}
		if (!times || times[1].tv_nsec != UTIME_OMIT) {
			a.valid |= ATTR_MTIME;
			a.mtime = (!times || times[1].tv_nsec == UTIME_NOW) ? now : times[1];
			if (!times || times[1].tv_nsec == UTIME_NOW)
				a.valid |= ATTR_MTIME_NOW;
		}
		err = notify_change(inode, &a);
	}
	inode_unlock(inode);
	return err;
}

static int truncate_common(const struct vfs_ctx *ctx, const struct path *p, s64 len)
{
	struct inode *inode = p->dentry->inode;
	int err;

	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -EINVAL;
	if (mnt_is_readonly(p->mnt))
		return -EROFS;
	err = inode_permission(ctx->cred, inode, MAY_WRITE);
	if (err)
		return err;
	return vfs_do_truncate(p->dentry, (u64)len, ctx->cred, false);
}

int vfs_fchmodat(const struct vfs_ctx *ctx, const struct path *dir, const char *name, u32 mode,
		 unsigned at_flags)
{
	struct path p;
	int err;

	if (at_flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = vfs_lookup(ctx, dir, name, at_flags, &p);
	if (err)
		return err;
	if (S_ISLNK(p.dentry->inode->mode))
		err = -EOPNOTSUPP;	/* symlink modes cannot change */
	else
		err = chmod_common(ctx, &p, mode);
	path_put(&p);
	return err;
}

int vfs_fchownat(const struct vfs_ctx *ctx, const struct path *dir, const char *name, u32 uid,
		 u32 gid, unsigned at_flags)
{
	struct path p;
	int err;

	if (at_flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = vfs_lookup(ctx, dir, name, at_flags, &p);
	if (err)
		return err;
	err = chown_common(ctx, &p, uid, gid);
	path_put(&p);
	return err;
}

int vfs_utimensat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		  const struct timespec64 times[2], unsigned at_flags)
{
	struct path p;
	int err;

	if (times && (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec)))
		return -EINVAL;
	if (at_flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = vfs_lookup(ctx, dir, name, at_flags, &p);
	if (err)
		return err;
	err = utimes_common(ctx, &p, times);
	path_put(&p);
	return err;
}

int vfs_truncate(const struct vfs_ctx *ctx, const struct path *dir, const char *name, s64 len)
{
	struct path p;
	int err;

	if (len < 0)
		return -EINVAL;
	err = vfs_lookup(ctx, dir, name, 0, &p);
	if (err)
		return err;
	err = truncate_common(ctx, &p, len);
	path_put(&p);
	return err;
}

int vfs_fchmod(const struct vfs_ctx *ctx, struct file *f, u32 mode)
{
	if (f->mode & FMODE_PATH)
		return -EBADF;
	return chmod_common(ctx, &f->path, mode);
}

int vfs_fchown(const struct vfs_ctx *ctx, struct file *f, u32 uid, u32 gid)
{
	if (f->mode & FMODE_PATH)
		return -EBADF;
	return chown_common(ctx, &f->path, uid, gid);
}

int vfs_futimens(const struct vfs_ctx *ctx, struct file *f, const struct timespec64 times[2])
{
	if (times && (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec)))
		return -EINVAL;
	if (f->mode & FMODE_PATH)
		return -EBADF;
	return utimes_common(ctx, &f->path, times);
}

int vfs_setattr_path(const struct vfs_ctx *ctx, const struct path *p, const struct iattr *a)
{
	int err = 0;

	if (a->valid & ATTR_MODE)
		err = chmod_common(ctx, p, a->mode);
	if (!err && (a->valid & (ATTR_UID | ATTR_GID)))
		err = chown_common(ctx, p, (a->valid & ATTR_UID) ? a->uid : (u32)-1,
				   (a->valid & ATTR_GID) ? a->gid : (u32)-1);
	if (!err && (a->valid & ATTR_SIZE))
		err = truncate_common(ctx, p, (s64)a->size);
	if (!err && (a->valid & (ATTR_ATIME | ATTR_MTIME))) {
		struct timespec64 t[2] = { a->atime, a->mtime };

		if (!(a->valid & ATTR_ATIME))
			t[0].tv_nsec = UTIME_OMIT;
		if (!(a->valid & ATTR_MTIME))
			t[1].tv_nsec = UTIME_OMIT;
		err = utimes_common(ctx, p, t);
	}
	return err;
}

/* ---- Access, working directory, root ---------------------------------------------------------- */

int vfs_faccessat(const struct vfs_ctx *ctx, const struct path *dir, const char *name, int mode,
		  unsigned at_flags)
{
	struct vfs_ctx real = *ctx;
	struct cred *tmp = NULL;
	struct inode *inode;
	struct path p;
	int err;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (at_flags & ~(unsigned)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!(at_flags & AT_EACCESS)) {
		/* access(2) asks with the real ids */
		tmp = cred_for_access(ctx->cred);
		if (!tmp)
			return -ENOMEM;
		real.cred = tmp;
	}
	err = vfs_lookup(&real, dir, name, at_flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), &p);
	if (err)
		goto out;
	inode = p.dentry->inode;
	/* R_OK/W_OK/X_OK are MAY_READ/MAY_WRITE/MAY_EXEC */
	if (mode)
		err = inode_permission(real.cred, inode, mode);
	if (!err && (mode & W_OK) && mnt_is_readonly(p.mnt) &&
	    (S_ISREG(inode->mode) || S_ISDIR(inode->mode) || S_ISLNK(inode->mode)))
		err = -EROFS;
	path_put(&p);
out:
	cred_put(tmp);
	return err;
}

static int set_fs_path(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		       bool root)
{
	struct fs_struct *fs = ctx->fs;
	struct path p, old;
	int err;

	err = vfs_lookup(ctx, dir, name, 0, &p);
	if (err)
		return err;
	err = -ENOTDIR;
	if (!S_ISDIR(p.dentry->inode->mode))
		goto out;
	err = inode_permission(ctx->cred, p.dentry->inode, MAY_EXEC);
	if (err)
		goto out;
	err = -EPERM;
	if (root && !cred_capable(ctx->cred, CAP_SYS_CHROOT))
		goto out;
	spin_lock(&fs->lock);
	if (root) {
		old = fs->root;
		fs->root = p;
	} else {
		old = fs->pwd;
		fs->pwd = p;
	}
	spin_unlock(&fs->lock);
	p = old;	/* drop the old one below */
	err = 0;
out:
	path_put(&p);
	return err;
}

int vfs_chdir(const struct vfs_ctx *ctx, const struct path *dir, const char *name)
{
	return set_fs_path(ctx, dir, name, false);
}

int vfs_chroot(const struct vfs_ctx *ctx, const struct path *dir, const char *name)
{
	return set_fs_path(ctx, dir, name, true);
}
