/* hostfs: a host directory mounted read-write in the kernel's VFS
 * (`umka hostfs=DIR[:/guest]`, or vfs_mount of type "hostfs" with the host
 * directory as source). This half is the filesystem the VFS sees; the host
 * calls are in hostfs_host.c (see hostfs.h).
 *
 * Each inode keeps an O_PATH fd on its host file and has the host's inode
 * number; open files keep a host fd of their own. The kernel checks
 * permissions with the host's mode bits and owners; what the host then
 * refuses (EACCES, EPERM) comes back as is.
 *
 * Coherence with changes made on the host behind the kernel's back:
 * attributes are read again from the host on every stat (->revalidate),
 * after every change the kernel makes, and for a directory whenever a name
 * in it is looked up on the host (path walk checks permissions with the
 * values read last); names are never cached as absent
 * (no negative dentries), so a name the host creates is found on the next
 * lookup; a name the kernel has cached stays bound to the host file it
 * found (like an open file) until the kernel removes or renames it or the
 * dentry is reclaimed. An inode's O_PATH fd keeps its host file alive, so
 * the host never gives a cached inode's number to another file.
 *
 * Locking: a cached inode's attributes are under its inode lock; the
 * find-or-make of inodes by number is under hostfs_sb.icache, taken inside
 * directory locks. */
#include <umka/cmdline.h>
#include <umka/errno.h>
#include <umka/kernel.h>
#include <umka/mutex.h>
#include <umka/panic.h>
#include <umka/printk.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/vfs.h>

#include "hostfs.h"
#include "um.h"

#define HOSTFS_MAGIC 0x00c0ffee	/* Linux's own hostfs number */
#define DIRBUF_SIZE 4096

#define KERNEL_VALUE(e) e,
const int hostfs_kernel_errnos[] = { HOSTFS_ERRNOS(KERNEL_VALUE) };

struct hostfs_sb {
	struct mutex icache;	/* inode_find + inode_init of one host number */
	int root_fd;		/* O_PATH on the mounted directory, for statfs */
	u32 dev_major, dev_minor;	/* the host filesystem of the root, constant */
};

struct hostfs_inode {
	struct inode vfs;
	int fd;				/* O_PATH on the host file, constant */
	u64 host_ino;			/* constant: which host file, with... */
	u32 dev_major, dev_minor;	/* ...the host filesystem holding it */
	char *target;			/* symlinks: constant */
};

struct hostfs_file {
	int fd;				/* -1: opened for neither reading nor writing */
};

static const struct inode_ops hostfs_dir_iops, hostfs_iops, hostfs_link_iops;
static const struct file_ops hostfs_dir_fops, hostfs_file_fops;

static struct hostfs_inode *HI(struct inode *inode)
{
	return container_of(inode, struct hostfs_inode, vfs);
}

static struct hostfs_sb *HSB(struct super_block *sb)
{
	return sb->fs_info;
}

static int hfd(struct inode *inode)
{
	return HI(inode)->fd;
}

/* d's name as a C string (names are at most NAME_MAX bytes). */
static void dname_copy(struct dentry *d, char name[NAME_MAX + 1])
{
	memcpy(name, d->name.name, d->name.len);
	name[d->name.len] = 0;
}

/* ---- Attributes ------------------------------------------------------------------- */

static struct timespec64 ts(s64 sec, u32 nsec)
{
	return (struct timespec64){ sec, (long)nsec };
}

/* Copy the host's view into inode (locked, or not yet visible). The type
 * bits never change: a host name whose type changed is a new inode. */
static void attrs_set(struct inode *inode, const struct hostfs_stat *st)
{
	inode_set_owner_mode(inode, st->uid, st->gid, st->mode);
	inode->size = st->size;
	inode->blocks = st->blocks;
	inode->atime = ts(st->atime_sec, st->atime_nsec);
	inode->mtime = ts(st->mtime_sec, st->mtime_nsec);
	inode->ctime = ts(st->ctime_sec, st->ctime_nsec);
	inode->btime = st->has_btime ? ts(st->btime_sec, st->btime_nsec) : inode->ctime;
	if (inode->nlink != st->nlink)
		inode_set_nlink(inode, st->nlink);
}

/* Read the attributes again; the inode is locked by the caller. */
static int attrs_refresh(struct inode *inode)
{
	struct hostfs_stat st;
	int err = hostfs_h_fstat(hfd(inode), &st);

	if (!err)
		attrs_set(inode, &st);
	return err;
}

static int hostfs_revalidate(struct inode *inode)
{
	struct hostfs_stat st;
	int err = hostfs_h_fstat(hfd(inode), &st);

	if (err)
		return err;
	inode_lock(inode);
	attrs_set(inode, &st);
	inode_unlock(inode);
	return 0;
}

/* ---- Inodes by host number ----------------------------------------------------------- */

static struct inode *hostfs_alloc_inode(struct super_block *sb)
{
	struct hostfs_inode *hi = kzalloc(sizeof(*hi), 0);

	if (!hi)
		return NULL;
	hi->fd = -1;
	return &hi->vfs;
}

static void hostfs_free_inode(struct inode *inode)
{
	kfree(HI(inode));
}

static void hostfs_evict_inode(struct inode *inode)
{
	struct hostfs_inode *hi = HI(inode);

	hostfs_h_close(hi->fd);
	hi->fd = -1;
	kfree(hi->target);
	hi->target = NULL;
}

static int read_target(struct hostfs_inode *hi, int fd)
{
	char *buf = kmalloc(PATH_MAX, 0);
	long n;

	if (!buf)
		return -ENOMEM;
	n = hostfs_h_readlink(fd, buf, PATH_MAX);
	if (n >= 0)
		hi->target = kmalloc((size_t)n + 1, 0);
	if (n >= 0 && hi->target)
		memcpy(hi->target, buf, (size_t)n + 1);
	kfree(buf);
	return n < 0 ? (int)n : hi->target ? 0 : -ENOMEM;
}

/* The kernel's inode number: the host's, but a host filesystem mounted
 * inside the directory numbers its files independently, so its numbers are
 * moved apart by its device number. */
static u64 kernel_ino(struct super_block *sb, const struct hostfs_stat *st)
{
	struct hostfs_sb *s = HSB(sb);

	if (st->dev_major == s->dev_major && st->dev_minor == s->dev_minor)
		return st->ino;
	return st->ino ^ ((u64)(st->dev_major * 1021u + st->dev_minor + 1) << 44);
}

static struct inode *make_inode(struct super_block *sb, int fd, const struct hostfs_stat *st)
{
	struct inode *inode = hostfs_alloc_inode(sb);
	u32 type = st->mode & S_IFMT;

	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (type == S_IFLNK) {
		int err = read_target(HI(inode), fd);

		if (err) {
			hostfs_free_inode(inode);
			return ERR_PTR(err);
		}
	}
	inode_init(inode, sb, kernel_ino(sb, st), st->mode & (S_IFMT | 07777));
	HI(inode)->fd = fd;
	HI(inode)->host_ino = st->ino;
	HI(inode)->dev_major = st->dev_major;
	HI(inode)->dev_minor = st->dev_minor;
	attrs_set(inode, st);
	inode->rdev = type == S_IFCHR || type == S_IFBLK ? MKDEV(st->rdev_major, st->rdev_minor)
							 : 0;
	if (type == S_IFDIR) {
		inode->i_op = &hostfs_dir_iops;
		inode->i_fop = &hostfs_dir_fops;
	} else if (type == S_IFLNK) {
		inode->i_op = &hostfs_link_iops;
	} else {
		inode->i_op = &hostfs_iops;
		inode->i_fop = type == S_IFREG ? &hostfs_file_fops : NULL;
	}
	return inode;
}

/* The inode for the host file fd names (fd's ownership passes here), with
 * a reference: the cached one for its number, or a new one. The cached
 * inode's own fd keeps the host file alive, so the host cannot have given
 * its number to another file meanwhile. */
static struct inode *hostfs_iget(struct super_block *sb, int fd, const struct hostfs_stat *st)
{
	struct hostfs_sb *s = HSB(sb);
	struct hostfs_inode *hi;
	struct inode *inode;

	mutex_lock(&s->icache);
	inode = inode_find(sb, kernel_ino(sb, st));
	if (!inode) {
		inode = make_inode(sb, fd, st);
		mutex_unlock(&s->icache);
		if (IS_ERR(inode))
			hostfs_h_close(fd);
		return inode;
	}
	mutex_unlock(&s->icache);
	hostfs_h_close(fd);
	hi = HI(inode);
	if (hi->host_ino != st->ino || hi->dev_major != st->dev_major ||
	    hi->dev_minor != st->dev_minor) {
		/* two host filesystems' numbers met in kernel_ino */
		pr_warn("hostfs: inode number %llu names two host files\n",
			(unsigned long long)inode->ino);
		inode_put(inode);
		return ERR_PTR(-EIO);
	}
	/* directories are refreshed by stat and lookup only: one may be an
	 * ancestor of the directory the caller has locked */
	if (!S_ISDIR(inode->mode) && !inode_is_locked_by_me(inode)) {
		inode_lock_nested(inode, I_CHILD);
		attrs_set(inode, st);
		inode_unlock(inode);
	}
	return inode;
}

/* Make a new or looked-up dentry positive. Hostfs never leaves negative
 * dentries hashed, but d_delete may have turned a positive one negative
 * in place. */
static void instantiate(struct dentry *d, struct inode *inode)
{
	if (READ_ONCE(d->flags) & DCACHE_HASHED)
		d_instantiate(d, inode);
	else
		d_add(d, inode);
}

/* ---- Directory operations ------------------------------------------------------------- */

static int hostfs_lookup(struct inode *dir, struct dentry *d)
{
	char name[NAME_MAX + 1];
	struct hostfs_stat st;
	struct inode *inode;
	int fd, err;

	if (d->name.len > NAME_MAX)
		return -ENAMETOOLONG;
	dname_copy(d, name);
	/* the directory is locked: a cheap moment to catch up with host
	 * changes to its own mode and owner, which the next walk checks */
	attrs_refresh(dir);
	err = hostfs_h_lookup(hfd(dir), name, &fd, &st);
	if (err == -ENOENT)
		return 0;	/* negative and unhashed: the host may create it any time */
	if (err)
		return err;
	inode = hostfs_iget(dir->sb, fd, &st);
	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	d_add(d, inode);
	return 0;
}

static int hostfs_create(struct inode *dir, struct dentry *d, const struct inode_attrs *a)
{
	char name[NAME_MAX + 1];
	struct hostfs_stat st;
	struct inode *inode;
	int fd, err;

	dname_copy(d, name);
	/* the new file belongs to the host user running umka, whatever
	 * a->uid says: an unprivileged host process cannot give it away */
	err = hostfs_h_create(hfd(dir), name, a->mode, a->link, &fd, &st);
	if (err)
		return err;
	inode = hostfs_iget(dir->sb, fd, &st);
	if (IS_ERR(inode)) {
		hostfs_h_unlink(hfd(dir), name, S_ISDIR(a->mode));
		return (int)PTR_ERR(inode);
	}
	instantiate(d, inode);
	attrs_refresh(dir);
	return 0;
}

static int hostfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct inode *inode = old->inode;
	char name[NAME_MAX + 1];
	int err;

	dname_copy(d, name);
	err = hostfs_h_link(hfd(inode), hfd(dir), name);
	if (err)
		return err;
	attrs_refresh(inode);
	attrs_refresh(dir);
	inode_get(inode);
	instantiate(d, inode);
	return 0;
}

static int remove_common(struct inode *dir, struct dentry *d, bool isdir)
{
	char name[NAME_MAX + 1];
	int err;

	dname_copy(d, name);
	err = hostfs_h_unlink(hfd(dir), name, isdir);
	if (err)
		return err;
	attrs_refresh(d->inode);	/* its host link count, 0 if that was the last */
	attrs_refresh(dir);
	d_drop(d);	/* no negative entry stays behind */
	return 0;
}

static int hostfs_unlink(struct inode *dir, struct dentry *d)
{
	return remove_common(dir, d, false);
}

static int hostfs_rmdir(struct inode *dir, struct dentry *d)
{
	return remove_common(dir, d, true);
}

static int hostfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
			 struct dentry *nd, unsigned flags)
{
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	bool exchange = flags & RENAME_EXCHANGE;
	struct inode *victim = nd->inode;
	int err;

	dname_copy(od, oname);
	dname_copy(nd, nname);
	/* The VFS saw no target: if the host made one meanwhile, refuse
	 * rather than replace something the caller never looked at. */
	err = hostfs_h_rename(hfd(odir), oname, hfd(ndir), nname, !victim && !exchange, exchange);
	if (err)
		return err;
	attrs_refresh(od->inode);
	if (victim)
		attrs_refresh(victim);
	attrs_refresh(odir);
	if (ndir != odir)
		attrs_refresh(ndir);
	return 0;
}

static int hostfs_setattr(struct inode *inode, const struct iattr *a)
{
	int err = 0;

	if (a->valid & ATTR_SIZE) {
		if (!S_ISREG(inode->mode))
			return -EINVAL;
		err = hostfs_h_truncate(hfd(inode), a->size);	/* the host stamps the times */
	}
	if (!err && (a->valid & ATTR_MODE))
		err = hostfs_h_chmod(hfd(inode), a->mode);
	if (!err && (a->valid & (ATTR_UID | ATTR_GID)))
		err = hostfs_h_chown(hfd(inode), (a->valid & ATTR_UID) ? a->uid : (u32)-1,
				     (a->valid & ATTR_GID) ? a->gid : (u32)-1);
	if (!err && !(a->valid & ATTR_SIZE) && (a->valid & (ATTR_ATIME | ATTR_MTIME))) {
		/* "now" is the host's clock: the kernel's is not wall time yet */
		struct hostfs_time at = { a->atime.tv_sec, (u32)a->atime.tv_nsec,
					  (a->valid & ATTR_ATIME_NOW) != 0,
					  !(a->valid & ATTR_ATIME) };
		struct hostfs_time mt = { a->mtime.tv_sec, (u32)a->mtime.tv_nsec,
					  (a->valid & ATTR_MTIME_NOW) != 0,
					  !(a->valid & ATTR_MTIME) };

		err = hostfs_h_utimens(hfd(inode), &at, &mt);
	}
	attrs_refresh(inode);
	return err;
}

static const char *hostfs_get_link(struct inode *inode)
{
	return HI(inode)->target;
}

static const struct inode_ops hostfs_dir_iops = {
	.lookup = hostfs_lookup,
	.create = hostfs_create,
	.link = hostfs_link,
	.unlink = hostfs_unlink,
	.rmdir = hostfs_rmdir,
	.rename = hostfs_rename,
	.setattr = hostfs_setattr,
	.revalidate = hostfs_revalidate,
};

static const struct inode_ops hostfs_iops = {
	.setattr = hostfs_setattr,
	.revalidate = hostfs_revalidate,
};

static const struct inode_ops hostfs_link_iops = {
	.setattr = hostfs_setattr,
	.get_link = hostfs_get_link,
	.revalidate = hostfs_revalidate,
};

/* ---- Open files ------------------------------------------------------------------------ */

static int hostfs_open(struct inode *inode, struct file *f)
{
	struct hostfs_file *hf = kmalloc(sizeof(*hf), 0);
	bool rd = f->mode & FMODE_READ, wr = f->mode & FMODE_WRITE;
	int err = 0;

	if (!hf)
		return -ENOMEM;
	hf->fd = -1;
	/* directories are read by getdents even when opened for nothing */
	if (rd || wr || S_ISDIR(inode->mode))
		err = hostfs_h_reopen(hfd(inode),
				      rd && wr ? HOSTFS_RDWR : wr ? HOSTFS_WRITE : HOSTFS_READ,
				      S_ISDIR(inode->mode), &hf->fd);
	if (err) {
		kfree(hf);
		return err;
	}
	f->private = hf;
	return 0;
}

static void hostfs_release(struct inode *inode, struct file *f)
{
	struct hostfs_file *hf = f->private;

	hostfs_h_close(hf->fd);
	kfree(hf);
}

static int ffd(struct file *f)
{
	return ((struct hostfs_file *)f->private)->fd;
}

static long hostfs_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	long r = hostfs_h_pread(ffd(f), buf, n, *pos);

	if (r > 0)
		*pos += (u64)r;
	return r;
}

static long hostfs_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	struct inode *inode = f->inode;
	long r;

	inode_lock(inode);
	if (f->flags & O_APPEND) {
		/* the host file may have grown behind our back: its size now */
		r = attrs_refresh(inode);
		if (r) {
			inode_unlock(inode);
			return r;
		}
		*pos = inode->size;
	}
	r = hostfs_h_pwrite(ffd(f), buf, n, *pos);
	if (r > 0)
		*pos += (u64)r;
	attrs_refresh(inode);
	inode_unlock(inode);
	return r;
}

static s64 hostfs_llseek(struct file *f, s64 off, int whence)
{
	struct inode *inode = f->inode;
	s64 size;

	inode_lock(inode);
	attrs_refresh(inode);	/* SEEK_END is the host's end */
	size = (s64)inode->size;
	inode_unlock(inode);
	return vfs_llseek_generic(f, off, whence, size);
}

static int hostfs_fsync(struct file *f, bool datasync)
{
	return hostfs_h_fsync(ffd(f), datasync);
}

static const struct file_ops hostfs_file_fops = {
	.open = hostfs_open,
	.release = hostfs_release,
	.read = hostfs_read,
	.write = hostfs_write,
	.llseek = hostfs_llseek,
	.fsync = hostfs_fsync,
};

/* The host's records, positions and all: its d_off cookies are the
 * directory positions, so a later call resumes where the host says. */
static int hostfs_iterate(struct file *f, struct dir_context *ctx)
{
	char *buf = kmalloc(DIRBUF_SIZE, 0);
	long n;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = hostfs_h_getdents(ffd(f), ctx->pos, buf, DIRBUF_SIZE);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		for (long off = 0; off < n;) {
			struct linux_dirent64 de;
			const char *name = buf + off + DIRENT64_NAME_OFFSET;

			memcpy(&de, buf + off, DIRENT64_NAME_OFFSET);
			if (!ctx->emit(ctx, name, (u32)strlen(name), de.d_ino, de.d_type,
				       (u64)de.d_off))
				goto out;
			ctx->pos = (u64)de.d_off;
			off += de.d_reclen;
		}
	}
out:
	kfree(buf);
	return err;
}

static const struct file_ops hostfs_dir_fops = {
	.open = hostfs_open,
	.release = hostfs_release,
	.iterate = hostfs_iterate,
	.llseek = vfs_llseek_dir,
	.fsync = hostfs_fsync,
};

/* ---- Mounting ---------------------------------------------------------------------------- */

static int hostfs_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	struct hostfs_statfs h;
	int err = hostfs_h_statfs(HSB(sb)->root_fd, &h);

	if (err)
		return err;
	st->magic = HOSTFS_MAGIC;
	st->bsize = h.bsize;
	st->blocks = h.blocks;
	st->bfree = h.bfree;
	st->bavail = h.bavail;
	st->files = h.files;
	st->ffree = h.ffree;
	st->namelen = h.namelen;
	return 0;
}

static void hostfs_put_super(struct super_block *sb)
{
	struct hostfs_sb *s = HSB(sb);

	if (!s)
		return;
	hostfs_h_close(s->root_fd);
	kfree(s);
	sb->fs_info = NULL;
}

/* Does a cached name still mean the same host file? The host may have
 * removed, renamed or replaced it behind the kernel's back (an editor
 * writes a new file and renames it over the old). One host statx per
 * cached component: hostfs pays it for coherence. */
static int hostfs_d_revalidate(struct dentry *d)
{
	struct inode *inode = READ_ONCE(d->inode);
	char name[NAME_MAX + 1];
	struct hostfs_stat st;
	struct dentry *parent;
	int err;

	if (!inode)
		return 0;	/* hostfs keeps no negative names: ask the host */
	parent = dget_parent(d);
	d_name_copy(d, name, sizeof(name));
	err = hostfs_h_stat_at(hfd(parent->inode), name, &st);
	dput(parent);
	if (err == -ENOENT || err == -ENOTDIR)
		return 0;
	if (err)
		return err;
	return st.ino == HI(inode)->host_ino && st.dev_major == HI(inode)->dev_major &&
	       st.dev_minor == HI(inode)->dev_minor && (st.mode & S_IFMT) == (inode->mode & S_IFMT);
}

static const struct super_ops hostfs_sops = {
	.alloc_inode = hostfs_alloc_inode,
	.evict_inode = hostfs_evict_inode,
	.free_inode = hostfs_free_inode,
	.statfs = hostfs_statfs,
	.put_super = hostfs_put_super,
	.d_revalidate = hostfs_d_revalidate,
};

/* source: an absolute host directory. No options yet. */
static int hostfs_get_sb(struct fs_type *t, const char *source, unsigned long flags,
			 const char *options, struct super_block **out)
{
	struct super_block *sb;
	struct hostfs_stat st;
	struct hostfs_sb *s;
	struct inode *root;
	int err, fd;

	if (!source || (options && *options))
		return -EINVAL;
	err = hostfs_h_check_dir(source);
	if (err)
		return err;
	sb = sb_alloc(t, &hostfs_sops);
	if (!sb)
		return -ENOMEM;
	s = kzalloc(sizeof(*s), 0);
	if (!s) {
		kfree(sb);
		return -ENOMEM;
	}
	mutex_init(&s->icache, "hostfs_sb.icache", VFS_LEVEL_FS_INNER);
	s->root_fd = -1;
	sb->fs_info = s;
	sb->magic = HOSTFS_MAGIC;
	sb->max_bytes = INT64_MAX;	/* the host says EFBIG where its limit is */
	err = hostfs_h_open_root(source, &s->root_fd);
	if (!err)
		err = hostfs_h_open_root(source, &fd);
	if (err)
		goto fail;
	err = hostfs_h_fstat(fd, &st);
	if (err) {
		hostfs_h_close(fd);
		goto fail;
	}
	s->dev_major = st.dev_major;
	s->dev_minor = st.dev_minor;
	root = hostfs_iget(sb, fd, &st);
	if (IS_ERR(root)) {
		err = (int)PTR_ERR(root);
		goto fail;
	}
	sb->root = d_make_root(root);
	if (!sb->root) {
		/* linked on the host: teardown below evicts it */
		inode_put(root);
		err = -ENOMEM;
		goto fail;
	}
	*out = sb;
	return 0;
fail:
	sb_kill_generic(sb);
	return err;
}

static struct fs_type hostfs_fs_type = {
	.name = "hostfs",
	.get_sb = hostfs_get_sb,
	.kill_sb = sb_kill_generic,
};

/* ---- Boot: hostfs=HOSTDIR[:/guest/path] ------------------------------------------------ */

int um_hostfs_split(const char *arg, char *host, char *guest, size_t size)
{
	const char *sep = NULL;
	size_t hlen;

	/* the last ":/" splits, so a host path may hold a ':' */
	for (const char *p = arg; *p; p++)
		if (p[0] == ':' && p[1] == '/')
			sep = p;
	hlen = sep ? (size_t)(sep - arg) : strlen(arg);
	if (!hlen || hlen >= size || (sep && strlen(sep + 1) >= size))
		return -ENAMETOOLONG;
	memcpy(host, arg, hlen);
	host[hlen] = 0;
	ksnprintf(guest, size, "%s", sep ? sep + 1 : "/host");
	return 0;
}

void um_hostfs_start(void)
{
	static char host[CMDLINE_VALUE_MAX], guest[CMDLINE_VALUE_MAX];
	int err = register_filesystem(&hostfs_fs_type);

	if (err)
		panic("hostfs: cannot register (%d)", err);
	if (!kernel_params.hostfs[0])
		return;
	err = um_hostfs_split(kernel_params.hostfs, host, guest, sizeof(host));
	if (!err)
		err = kvfs_mkdir_p(guest, 0755);
	if (err) {
		pr_err("umka: bad command line: hostfs=%s: cannot make %s (%d)\n",
		       kernel_params.hostfs, guest, err);
		kernel_poweroff(HALT_BAD_CMDLINE);
	}
	err = vfs_mount(vfs_kernel_ctx(), host, guest, "hostfs", 0, NULL);
	if (err) {
		pr_err("umka: bad command line: hostfs=%s: cannot mount %s at %s (%d)\n",
		       kernel_params.hostfs, host, guest, err);
		kernel_poweroff(HALT_BAD_CMDLINE);
	}
	pr_notice("hostfs: host directory %s is at %s\n", host, guest);
}
