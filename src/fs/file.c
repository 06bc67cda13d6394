/* Open file descriptions: open(2) with every O_* rule Linux applies, and
 * the I/O calls on an open file (read, write, positioned I/O, lseek,
 * getdents64, fsync, ftruncate, fstat). A file's position is guarded by
 * its pos_lock for regular files and directories, so threads sharing one
 * description see atomic position updates. */
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/slab.h>
#include <umka/string.h>

#include "vfs_internal.h"

#define MAX_RW_COUNT ((long)(INT32_MAX & ~(s32)(PAGE_SIZE - 1)))

bool mnt_is_readonly(const struct mount *m)
{
	return (m->flags & MNT_RDONLY) != 0;
}

unsigned dt_type(u32 mode)
{
	return (mode & S_IFMT) >> 12;	/* DT_* are the S_IFMT bits shifted */
}

/* ---- struct file ------------------------------------------------------------------- */

struct file *file_alloc(const struct path *p, const struct cred *c)
{
	struct file *f = kzalloc(sizeof(*f), 0);

	if (!f)
		return NULL;
	f->path = *p;
	path_get(&f->path);
	f->inode = p->dentry->inode;
	f->cred = cred_get(c);
	atomic_set(&f->refs, 1);
	mutex_init(&f->pos_lock, "file.pos_lock", VFS_LEVEL_FPOS);
	return f;
}

/* Free a file whose open never completed (no release). */
static void file_free(struct file *f)
{
	path_put(&f->path);
	cred_put(f->cred);
	kfree(f);
}

struct file *file_get(struct file *f)
{
	atomic_inc_return(&f->refs);
	return f;
}

void file_put(struct file *f)
{
	if (!f || atomic_dec_return(&f->refs))
		return;
	if (f->f_op && f->f_op->release)
		f->f_op->release(f->inode, f);
	file_free(f);
}

static void pos_lock(struct file *f)
{
	if (f->mode & FMODE_ATOMIC_POS)
		mutex_lock(&f->pos_lock);
}

static void pos_unlock(struct file *f)
{
	if (f->mode & FMODE_ATOMIC_POS)
		mutex_unlock(&f->pos_lock);
}

/* relatime: update atime if it is older than mtime/ctime or a day old. */
void touch_atime(struct file *f)
{
	struct inode *inode = f->inode;
	struct timespec64 now;

	if ((f->flags & O_NOATIME) || mnt_is_readonly(f->path.mnt))
		return;
	now = vfs_now();
	inode_lock(inode);
	if (inode->atime.tv_sec < inode->mtime.tv_sec ||
	    (inode->atime.tv_sec == inode->mtime.tv_sec &&
	     inode->atime.tv_nsec <= inode->mtime.tv_nsec) ||
	    inode->atime.tv_sec < inode->ctime.tv_sec ||
	    (inode->atime.tv_sec == inode->ctime.tv_sec &&
	     inode->atime.tv_nsec <= inode->ctime.tv_nsec) ||
	    now.tv_sec - inode->atime.tv_sec >= 24 * 3600)
		inode->atime = now;
	inode_unlock(inode);
}

/* ---- open ----------------------------------------------------------------------------- */

u32 new_inode_gid(const struct cred *c, struct inode *dir)
{
	return (dir->mode & S_ISGID) ? dir->gid : c->fsgid;
}

/* Permission bits of a new inode of type (mode & S_IFMT) in dir: setgid
 * directories pass S_ISGID to subdirectories, and a setgid bit nobody in
 * the group asked for is dropped. umask is already applied. */
u32 new_inode_mode(struct inode *dir, u32 mode, const struct cred *c)
{
	if (S_ISDIR(mode)) {
		if (dir->mode & S_ISGID)
			mode |= S_ISGID;
	} else if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) &&
		   !cred_in_group(c, new_inode_gid(c, dir)) && !cred_capable(c, CAP_FSETID)) {
		mode &= ~(u32)S_ISGID;
	}
	return mode;
}

int may_create(const struct cred *c, struct inode *dir)
{
	if (dir->iflags & I_DEAD)
		return -ENOENT;
	return inode_permission(c, dir, MAY_WRITE | MAY_EXEC);
}

static u32 current_umask(const struct vfs_ctx *ctx)
{
	return READ_ONCE(ctx->fs->umask);
}

/* Open the resolved path p. created: we just made it (no permission
 * check on the new file, no truncation). */
static int open_resolved(const struct vfs_ctx *ctx, const struct path *p, int flags,
			 bool created, struct file **out)
{
	struct inode *inode = p->dentry->inode;
	u32 mode = inode->mode, fmode = 0;
	const struct file_ops *fops = NULL;
	struct file *f;
	int acc = 0, err;

	if ((flags & O_DIRECTORY) && !S_ISDIR(mode))
		return -ENOTDIR;
	if (flags & O_PATH) {
		f = file_alloc(p, ctx->cred);
		if (!f)
			return -ENOMEM;
		f->mode = FMODE_PATH;
		f->flags = (u32)flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW);
		*out = f;
		return 0;
	}
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		acc = MAY_READ;
		fmode = FMODE_READ;
		break;
	case O_WRONLY:
		acc = MAY_WRITE;
		fmode = FMODE_WRITE;
		break;
	case O_RDWR:
		acc = MAY_READ | MAY_WRITE;
		fmode = FMODE_READ | FMODE_WRITE;
		break;
	default:	/* 3: no I/O, but both permissions (Linux's ioctl-only open) */
		acc = MAY_READ | MAY_WRITE;
		break;
	}
	if (flags & O_TRUNC)
		acc |= MAY_WRITE;
	switch (mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if (acc & MAY_WRITE)
			return -EISDIR;
		fops = inode->i_fop;
		break;
	case S_IFREG:
		fops = inode->i_fop;
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (p->mnt->flags & MNT_NODEV)
			return -EACCES;
		break;
	default:
		flags &= ~O_TRUNC;
		break;
	}
	if (!created) {
		err = inode_permission(ctx->cred, inode, acc);
		if (err)
			return err;
	}
	if ((flags & O_NOATIME) && !inode_owner_or_capable(ctx->cred, inode))
		return -EPERM;
	if (S_ISREG(mode) && (acc & MAY_WRITE) && mnt_is_readonly(p->mnt))
		return -EROFS;
	if (S_ISCHR(mode))
		fops = chrdev_fops(inode->rdev);
	if (S_ISFIFO(mode))
		fops = &pipe_fops;	/* its open meets the other end (pipe.c) */
	/* block devices and sockets get their drivers with later work */
	if (!fops)
		return -ENXIO;
	f = file_alloc(p, ctx->cred);
	if (!f)
		return -ENOMEM;
	f->flags = (u32)flags & ~(u32)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
	f->mode = fmode;
	if (!S_ISFIFO(mode))
		f->mode |= FMODE_LSEEK;	/* a FIFO is a stream: ESPIPE */
	if (S_ISREG(mode) || S_ISDIR(mode))
		f->mode |= FMODE_ATOMIC_POS;
	f->f_op = fops;
	if (fops->open) {
		err = fops->open(inode, f);
		if (err) {
			file_free(f);
			return err;
		}
	}
	if ((flags & O_TRUNC) && S_ISREG(mode) && !created) {
		err = vfs_do_truncate(p->dentry, 0, ctx->cred, true);
		if (err) {
			file_put(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

int vfs_open_path(const struct vfs_ctx *ctx, const struct path *p, int flags, struct file **out)
{
	if (flags & (O_CREAT | __O_TMPFILE))
		return -EINVAL;
	return open_resolved(ctx, p, flags, false, out);
}

/* The final component of an O_CREAT open: create it, or step onto what is
 * there. 1: a symlink was picked up, walk again. */
static int open_create_last(struct nameidata *nd, int flags, u32 mode, bool *created)
{
	struct dentry *parent = nd->path.dentry, *d;
	struct inode *dir = parent->inode;
	const struct cred *c = nd->ctx->cred;
	struct path child;
	int err = 0;

	if (nd->trailing_slash)
		return -EISDIR;
	inode_lock(dir);
	d = lookup_locked(parent, nd->last.name, nd->last.len);
	if (IS_ERR(d)) {
		inode_unlock(dir);
		return (int)PTR_ERR(d);
	}
	if (!d->inode) {
		struct inode_attrs a = { 0 };

		if (mnt_is_readonly(nd->path.mnt))
			err = -EROFS;
		else
			err = may_create(c, dir);
		if (!err) {
			a.mode = S_IFREG | new_inode_mode(dir, mode & S_IALLUGO &
							  ~current_umask(nd->ctx), c);
			a.uid = c->fsuid;
			a.gid = new_inode_gid(c, dir);
			err = dir->i_op->create(dir, d, &a);
		}
		inode_unlock(dir);
		if (err) {
			dput(d);
			return err;
		}
		*created = true;
		child = (struct path){ mnt_get(nd->path.mnt), d };
		path_put(&nd->path);
		nd->path = child;
		nd->last_type = LAST_NONE;
		return 0;
	}
	inode_unlock(dir);
	if (flags & O_EXCL) {
		dput(d);	/* O_EXCL never follows a final symlink */
		return -EEXIST;
	}
	child = (struct path){ mnt_get(nd->path.mnt), d };
	follow_mounts(&child);
	if (S_ISLNK(child.dentry->inode->mode)) {
		if (flags & O_NOFOLLOW) {
			path_put(&child);
			return -ELOOP;
		}
		err = pick_link(nd, &child);
		return err ? err : 1;
	}
	path_put(&nd->path);
	nd->path = child;
	nd->last_type = LAST_NONE;
	return 0;
}

int vfs_openat(const struct vfs_ctx *ctx, const struct path *dir, const char *name, int flags,
	       u32 mode, struct file **out)
{
	struct nameidata nd;
	bool created = false;
	unsigned lflags = 0;
	u32 imode;
	int err;

	if (flags & __O_TMPFILE)
		return -EOPNOTSUPP;	/* not yet */
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
		return -EINVAL;
	if (!(flags & O_NOFOLLOW))
		lflags |= LOOKUP_FOLLOW;
	if (flags & O_DIRECTORY)
		lflags |= LOOKUP_DIRECTORY;
	err = nd_start(&nd, ctx, dir, name, lflags);
	while (!err) {
		err = link_path_walk(&nd);
		if (err)
			break;
		if ((flags & O_CREAT) && nd.last_type == LAST_NORM) {
			err = open_create_last(&nd, flags, mode, &created);
		} else {
			if (nd.trailing_slash)
				nd.flags |= LOOKUP_DIRECTORY;
			err = lookup_last(&nd);
		}
		if (err == 1) {
			err = 0;
			continue;
		}
		break;
	}
	if (err)
		goto out;
	imode = nd.path.dentry->inode->mode;
	if ((flags & O_CREAT) && !created) {
		err = -EEXIST;
		if (flags & O_EXCL)
			goto out;
		err = -EISDIR;
		if (S_ISDIR(imode))
			goto out;
	}
	err = -ENOTDIR;
	if ((nd.flags & LOOKUP_DIRECTORY) && !S_ISDIR(imode))
		goto out;
	err = open_resolved(ctx, &nd.path, flags, created, out);
out:
	nd_done(&nd);
	return err;
}

/* ---- I/O -------------------------------------------------------------------------------- */

long vfs_read(struct file *f, void *buf, size_t n)
{
	u64 pos;
	long r;

	if (!(f->mode & FMODE_READ))
		return -EBADF;
	if (!f->f_op->read)
		return S_ISDIR(f->inode->mode) ? -EISDIR : -EINVAL;
	n = MIN(n, (size_t)MAX_RW_COUNT);
	pos_lock(f);
	pos = f->pos;
	r = f->f_op->read(f, buf, n, &pos);
	if (r >= 0)
		f->pos = pos;
	pos_unlock(f);
	if (r > 0)
		touch_atime(f);
	return r;
}

long vfs_write(struct file *f, const void *buf, size_t n)
{
	u64 pos;
	long r;

	if (!(f->mode & FMODE_WRITE))
		return -EBADF;
	if (!f->f_op->write)
		return -EINVAL;
	n = MIN(n, (size_t)MAX_RW_COUNT);
	pos_lock(f);
	pos = f->pos;
	r = f->f_op->write(f, buf, n, &pos);
	if (r >= 0)
		f->pos = pos;
	pos_unlock(f);
	return r;
}

/* pread's and pwrite's checks, in Linux's order: an O_PATH file, a
 * negative offset, a file without positions (pipes), the access mode. */
static int positional_io_check(const struct file *f, s64 off, unsigned fmode)
{
	if (f->mode & FMODE_PATH)
		return -EBADF;
	if (off < 0)
		return -EINVAL;
	if (!(f->mode & FMODE_LSEEK))
		return -ESPIPE;
	if (!(f->mode & fmode))
		return -EBADF;
	return 0;
}

long vfs_pread(struct file *f, void *buf, size_t n, s64 off)
{
	u64 pos = (u64)off;
	long r = positional_io_check(f, off, FMODE_READ);

	if (r)
		return r;
	if (!f->f_op->read)
		return S_ISDIR(f->inode->mode) ? -EISDIR : -EINVAL;
	r = f->f_op->read(f, buf, MIN(n, (size_t)MAX_RW_COUNT), &pos);
	if (r > 0)
		touch_atime(f);
	return r;
}

long vfs_pwrite(struct file *f, const void *buf, size_t n, s64 off)
{
	u64 pos = (u64)off;
	int err = positional_io_check(f, off, FMODE_WRITE);

	if (err)
		return err;
	if (!f->f_op->write)
		return -EINVAL;
	return f->f_op->write(f, buf, MIN(n, (size_t)MAX_RW_COUNT), &pos);
}

s64 vfs_llseek_generic(struct file *f, s64 off, int whence, s64 size)
{
	s64 np;

	switch (whence) {
	case SEEK_SET:
		np = off;
		break;
	case SEEK_CUR:
		if (__builtin_add_overflow((s64)f->pos, off, &np))
			return -EINVAL;
		break;
	case SEEK_END:
		if (__builtin_add_overflow(size, off, &np))
			return -EINVAL;
		break;
	case SEEK_DATA:		/* the whole file is one data extent */
		if (off < 0 || off >= size)
			return -ENXIO;
		np = off;
		break;
	case SEEK_HOLE:
		if (off < 0 || off >= size)
			return -ENXIO;
		np = size;
		break;
	default:
		return -EINVAL;
	}
	if (np < 0 || (u64)np > f->inode->sb->max_bytes)
		return -EINVAL;
	f->pos = (u64)np;
	return np;
}

s64 vfs_llseek_dir(struct file *f, s64 off, int whence)
{
	if (whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	return vfs_llseek_generic(f, off, whence, 0);
}

s64 vfs_lseek(struct file *f, s64 off, int whence)
{
	s64 r;

	if (f->mode & FMODE_PATH)
		return -EBADF;
	if (whence < SEEK_SET || whence > SEEK_HOLE)
		return -EINVAL;
	if (!(f->mode & FMODE_LSEEK))
		return -ESPIPE;		/* pipes and FIFOs */
	pos_lock(f);
	if (f->f_op->llseek) {
		r = f->f_op->llseek(f, off, whence);
	} else {
		s64 size;

		inode_lock(f->inode);
		size = (s64)f->inode->size;
		inode_unlock(f->inode);
		r = vfs_llseek_generic(f, off, whence, size);
	}
	pos_unlock(f);
	return r;
}

int vfs_fsync(struct file *f, bool datasync)
{
	if (f->mode & FMODE_PATH)
		return -EBADF;
	if (!f->f_op->fsync)
		return -EINVAL;
	return f->f_op->fsync(f, datasync);
}

/* ---- Directories ------------------------------------------------------------------------ */

bool dir_emit_dots(struct file *f, struct dir_context *ctx)
{
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, f->inode->ino, DT_DIR, 1))
			return false;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		struct dentry *p = dget_parent(f->path.dentry);
		u64 ino = p->inode->ino;

		dput(p);
		if (!ctx->emit(ctx, "..", 2, ino, DT_DIR, 2))
			return false;
		ctx->pos = 2;
	}
	return true;
}

int vfs_iterate_dir(struct file *f, struct dir_context *ctx)
{
	struct inode *inode = f->inode;
	int err = -ENOENT;

	if (f->mode & FMODE_PATH)
		return -EBADF;
	if (!f->f_op->iterate)
		return -ENOTDIR;
	inode_lock(inode);
	if (!(inode->iflags & I_DEAD))
		err = f->f_op->iterate(f, ctx);
	inode_unlock(inode);
	return err;
}

struct getdents_buf {
	struct dir_context ctx;
	char *buf;
	size_t size, used;
	int err;
};

static bool filldir64(struct dir_context *ctx, const char *name, u32 len, u64 ino,
		      unsigned type, u64 next_pos)
{
	struct getdents_buf *g = container_of(ctx, struct getdents_buf, ctx);
	size_t reclen = DIRENT64_RECLEN(len);
	struct linux_dirent64 hdr;
	char *rec;

	if (reclen > g->size - g->used) {
		if (!g->used)
			g->err = -EINVAL;	/* not even one entry fits */
		return false;
	}
	rec = g->buf + g->used;
	hdr.d_ino = ino;
	hdr.d_off = (s64)next_pos;
	hdr.d_reclen = (u16)reclen;
	hdr.d_type = (u8)type;
	/* the caller's buffer need not be aligned: copy bytes */
	memcpy(rec, &hdr, DIRENT64_NAME_OFFSET);
	memcpy(rec + DIRENT64_NAME_OFFSET, name, len);
	memset(rec + DIRENT64_NAME_OFFSET + len, 0, reclen - DIRENT64_NAME_OFFSET - len);
	g->used += reclen;
	return true;
}

long vfs_getdents(struct file *f, void *buf, size_t n)
{
	struct getdents_buf g = { { filldir64, 0 }, buf, n, 0, 0 };
	int err;

	if (f->mode & FMODE_PATH)
		return -EBADF;
	if (!f->f_op->iterate)
		return -ENOTDIR;
	pos_lock(f);
	g.ctx.pos = f->pos;
	err = vfs_iterate_dir(f, &g.ctx);
	f->pos = g.ctx.pos;
	pos_unlock(f);
	if (g.used) {
		touch_atime(f);
		return (long)g.used;
	}
	return err ? err : g.err;
}

/* ---- Attributes through a file ------------------------------------------------------------ */

int vfs_do_truncate(struct dentry *d, u64 len, const struct cred *c, bool always_times)
{
	struct inode *inode = d->inode;
	struct iattr a = { .valid = ATTR_SIZE, .size = len };
	int err;

	if (len > inode->sb->max_bytes)
		return -EFBIG;
	inode_lock(inode);
	if (always_times || len != inode->size) {
		a.valid |= ATTR_MTIME | ATTR_CTIME;
		a.mtime = a.ctime = vfs_now();
	}
	inode_kill_suid(inode, c);
	err = inode->i_op && inode->i_op->setattr ? inode->i_op->setattr(inode, &a) : -EPERM;
	inode_unlock(inode);
	return err;
}

int vfs_ftruncate(struct file *f, s64 len)
{
	if (f->mode & FMODE_PATH)
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	if (!S_ISREG(f->inode->mode) || !(f->mode & FMODE_WRITE))
		return -EINVAL;
	return vfs_do_truncate(f->path.dentry, (u64)len, f->cred, true);
}

int vfs_getattr(const struct path *p, u32 mask, struct statx *st)
{
	struct inode *inode = p->dentry->inode;

	(void)mask;	/* everything is cheap: always fill it all */
	if (inode->i_op && inode->i_op->revalidate) {
		int err = inode->i_op->revalidate(inode);

		if (err)
			return err;
	}
	memset(st, 0, sizeof(*st));
	inode_lock(inode);
	st->stx_mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;
	st->stx_blksize = PAGE_SIZE;
	st->stx_nlink = inode->nlink;
	st->stx_uid = inode->uid;
	st->stx_gid = inode->gid;
	st->stx_mode = (u16)inode->mode;
	st->stx_ino = inode->ino;
	st->stx_size = inode->size;
	st->stx_blocks = inode->blocks;
	st->stx_atime = (struct statx_timestamp){ inode->atime.tv_sec, (u32)inode->atime.tv_nsec, 0 };
	st->stx_btime = (struct statx_timestamp){ inode->btime.tv_sec, (u32)inode->btime.tv_nsec, 0 };
	st->stx_ctime = (struct statx_timestamp){ inode->ctime.tv_sec, (u32)inode->ctime.tv_nsec, 0 };
	st->stx_mtime = (struct statx_timestamp){ inode->mtime.tv_sec, (u32)inode->mtime.tv_nsec, 0 };
	st->stx_rdev_major = MAJOR(inode->rdev);
	st->stx_rdev_minor = MINOR(inode->rdev);
	inode_unlock(inode);
	st->stx_dev_major = MAJOR(inode->sb->dev);
	st->stx_dev_minor = MINOR(inode->sb->dev);
	st->stx_mnt_id = p->mnt->id;
	return 0;
}

int vfs_fstatx(struct file *f, u32 mask, struct statx *st)
{
	return vfs_getattr(&f->path, mask, st);
}

int vfs_setfl(struct file *f, u32 flags)
{
	const u32 changeable = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

	if (f->mode & FMODE_PATH)
		return -EBADF;
	if ((flags & O_NOATIME) && !(f->flags & O_NOATIME) &&
	    !inode_owner_or_capable(f->cred, f->inode))
		return -EPERM;
	mutex_lock(&f->pos_lock);
	f->flags = (f->flags & ~changeable) | (flags & changeable);
	mutex_unlock(&f->pos_lock);
	return 0;
}
