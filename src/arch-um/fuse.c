/* The FUSE window: `umka fuse=HOSTDIR` exports the kernel's whole VFS at a
 * host mount point through libfuse3's low-level API.
 *
 * One kernel thread ("fuse") serves the session. The /dev/fuse fd is a
 * host-I/O interrupt source (hostio.c): its handler completes `ready`, the
 * thread drains every queued request (the fd is non-blocking, so a request
 * withdrawn by the host kernel cannot stall the vCPU), polls briefly for
 * the client's next one, then re-arms the watch. Each request runs through the VFS with credentials built from the
 * host caller's uid, gid and groups, so the kernel's own permission checks
 * apply (the mount has allow_other and no default_permissions).
 *
 * libc state: kernel threads share one host thread, so a context switch in
 * the middle of malloc would leave libc locked for the next thread to call
 * into it. Every libfuse call therefore runs with interrupts disabled (no
 * preemption); the request handlers enable them around their VFS work only.
 *
 * Node ids: FUSE_ROOT_ID is the namespace root; every other id is the
 * address of a struct fnode holding a referenced struct path (one of the
 * inode's names), found again by (mount, inode) so every name of an inode
 * gets one id. The host's lookup count is kept in the node; forget drops
 * it. File handles are struct fhandle addresses holding a struct file
 * reference. */
#define FUSE_USE_VERSION 35
/* glibc and the kernel's uapi headers both define struct statx */
#define statx host_statx
#define statx_timestamp host_statx_timestamp
#include <fuse_lowlevel.h>
#undef statx
#undef statx_timestamp
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>

int sched_yield(void);	/* <sched.h> clashes with the kernel's SCHED_* names */

/* The kernel's uapi headers define the same Linux ABI numbers as glibc
 * (FUSE sends those); let the kernel's definitions stand. */
#undef O_ACCMODE
#undef O_RDONLY
#undef O_WRONLY
#undef O_RDWR
#undef O_CREAT
#undef O_EXCL
#undef O_NOCTTY
#undef O_TRUNC
#undef O_APPEND
#undef O_NONBLOCK
#undef O_DSYNC
#undef O_ASYNC
#undef O_DIRECT
#undef O_LARGEFILE
#undef O_DIRECTORY
#undef O_NOFOLLOW
#undef O_NOATIME
#undef O_CLOEXEC
#undef O_SYNC
#undef O_PATH
#undef __O_TMPFILE
#undef O_TMPFILE
#undef AT_FDCWD
#undef UTIME_NOW
#undef UTIME_OMIT
#undef S_IFMT
#undef S_IFSOCK
#undef S_IFLNK
#undef S_IFREG
#undef S_IFBLK
#undef S_IFDIR
#undef S_IFCHR
#undef S_IFIFO
#undef S_ISUID
#undef S_ISGID
#undef S_ISVTX
#undef S_IRWXU
#undef S_IRUSR
#undef S_IWUSR
#undef S_IXUSR
#undef S_IRWXG
#undef S_IRGRP
#undef S_IWGRP
#undef S_IXGRP
#undef S_IRWXO
#undef S_IROTH
#undef S_IWOTH
#undef S_IXOTH
#undef S_ISLNK
#undef S_ISREG
#undef S_ISDIR
#undef S_ISCHR
#undef S_ISBLK
#undef S_ISFIFO
#undef S_ISSOCK

#include <umka/arch.h>
#include <umka/cmdline.h>
#include <umka/cred.h>
#include <umka/kernel.h>
#include <umka/list.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/vfs.h>
#include <umka/wait.h>

#include "um.h"

#define ENTRY_TIMEOUT 1.0	/* seconds the host may cache names and attributes */
#define IOBUF_SIZE (1u << 20)	/* largest read or readdir reply */
#define NODE_HASH_BITS 12
#define MAX_GROUPS 256
#define POLL_NS 50000		/* how long to wait for a client's next request */

struct fnode {
	struct list_head hash_node;	/* node_hash, fuse thread only */
	struct path path;		/* references held */
	u64 nlookup;			/* the host's lookup count */
};

struct fhandle {
	struct list_head node;		/* open_handles, fuse thread only */
	struct file *file;		/* reference held */
};

static struct fuse_session *se;
static char mountpoint[CMDLINE_VALUE_MAX];
static bool mounted;		/* the host mount is (as far as we know) in place */
static int watch_slot = -1;
static struct completion ready;
static struct fs_struct *fuse_fs;	/* root and cwd "/", umask 0 (the host applied it) */
static struct fnode root_node;
static u64 root_dev;		/* the root file system's MKDEV, as statx reports it */
static struct list_head node_hash[1u << NODE_HASH_BITS];
static LIST_HEAD(open_handles);
static char iobuf[IOBUF_SIZE];

/* The last caller's credentials, reused while uid, gid and pid match. */
static struct {
	struct cred *cred;
	u32 uid, gid, pid;
} cred_cache;

/* ---- Interrupts around libc ----------------------------------------------------------------------- */

/* Handlers enter with interrupts disabled (inside fuse_session_process_buf)
 * and must leave that way before replying. */
static void vfs_begin(void) { arch_irq_enable(); }
static void vfs_end(void) { arch_irq_disable(); }

/* ---- Nodes ----------------------------------------------------------------------------------------- */

/* Nodes are per (mount, inode): hard links share one node, as they share
 * one host inode (and its cached attributes); a bind mount gets its own. */
static bool node_is(const struct fnode *n, const struct path *p)
{
	return n->path.mnt == p->mnt && n->path.dentry->inode == p->dentry->inode;
}

static struct list_head *node_bucket(const struct path *p)
{
	uintptr_t h = (uintptr_t)p->mnt * 31 + (uintptr_t)p->dentry->inode;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	return &node_hash[h >> (64 - NODE_HASH_BITS)];
}

static struct fnode *node_of(fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? &root_node : (struct fnode *)(uintptr_t)ino;
}

static fuse_ino_t node_id(struct fnode *n)
{
	return n == &root_node ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
}

/* The node for p (whose references pass to the node or are dropped), with
 * one more lookup; NULL on OOM (p dropped). */
static struct fnode *node_get(struct path *p)
{
	struct list_head *b = node_bucket(p), *pos;
	struct fnode *n;

	list_for_each(pos, b) {
		n = list_entry(pos, struct fnode, hash_node);
		if (node_is(n, p)) {
			path_put(p);
			n->nlookup++;
			return n;
		}
	}
	n = kzalloc(sizeof(*n), 0);
	if (!n) {
		path_put(p);
		return NULL;
	}
	n->path = *p;
	n->nlookup = 1;
	list_add(&n->hash_node, b);
	return n;
}

static void node_forget(struct fnode *n, u64 nlookup)
{
	if (n == &root_node)
		return;
	n->nlookup = nlookup >= n->nlookup ? 0 : n->nlookup - nlookup;
	if (n->nlookup)
		return;
	list_del_init(&n->hash_node);
	path_put(&n->path);
	kfree(n);
}

/* ---- Conversions ----------------------------------------------------------------------------------- */

static void statx_to_stat(const struct statx *sx, struct stat *st)
{
	u64 dev = MKDEV(sx->stx_dev_major, sx->stx_dev_minor);

	memset(st, 0, sizeof(*st));
	/* One host st_dev for the whole export: keep inode numbers of the
	 * other super blocks apart from the root file system's (find, tar
	 * and cp -a match files by st_dev and st_ino). */
	st->st_ino = dev == root_dev ? sx->stx_ino : sx->stx_ino ^ (dev << 40);
	st->st_mode = sx->stx_mode;
	st->st_nlink = sx->stx_nlink;
	st->st_uid = sx->stx_uid;
	st->st_gid = sx->stx_gid;
	st->st_rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor);
	st->st_size = (off_t)sx->stx_size;
	st->st_blksize = sx->stx_blksize;
	st->st_blocks = (blkcnt_t)sx->stx_blocks;
	st->st_atim.tv_sec = sx->stx_atime.tv_sec;
	st->st_atim.tv_nsec = sx->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = sx->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = sx->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = sx->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = sx->stx_ctime.tv_nsec;
}

static int path_stat(const struct path *p, struct stat *st)
{
	struct statx sx;
	int err = vfs_getattr(p, STATX_BASIC_STATS, &sx);

	if (!err)
		statx_to_stat(&sx, st);
	return err;
}

/* How long the host may keep a name found in dir. Without
 * default_permissions the host checks search permission on a directory
 * only by asking us to look names up in it (its path walk skips a cached
 * name's parent): below a directory not every caller may search, names are
 * not cached, so every walk comes back here with the caller's credentials.
 * Interrupts enabled. */
static double entry_timeout(const struct path *dir)
{
	struct statx sx;

	if (vfs_getattr(dir, STATX_MODE, &sx) || (sx.stx_mode & 0111) != 0111)
		return 0;
	return ENTRY_TIMEOUT;
}

/* ---- Credentials ----------------------------------------------------------------------------------- */

/* The caller's context: call with interrupts disabled (reads the caller's
 * groups from the host's /proc); fills ctx and returns 0 or -ENOMEM. */
static int caller_ctx(fuse_req_t req, struct vfs_ctx *ctx)
{
	const struct fuse_ctx *fc = fuse_req_ctx(req);
	static gid_t groups[MAX_GROUPS];
	struct cred *c;
	int n;

	if (!cred_cache.cred || cred_cache.uid != fc->uid || cred_cache.gid != fc->gid ||
	    cred_cache.pid != (u32)fc->pid) {
		n = fuse_req_getgroups(req, MAX_GROUPS, groups);
		if (n < 0)
			n = 0;
		if (n > MAX_GROUPS)
			n = MAX_GROUPS;
		arch_irq_enable();
		c = cred_create(fc->uid, fc->gid, groups, (u32)n);
		arch_irq_disable();
		if (!c)
			return -ENOMEM;
		if (cred_cache.cred)
			cred_put(cred_cache.cred);
		cred_cache.cred = c;
		cred_cache.uid = fc->uid;
		cred_cache.gid = fc->gid;
		cred_cache.pid = (u32)fc->pid;
	}
	ctx->cred = cred_cache.cred;
	ctx->fs = fuse_fs;
	return 0;
}

/* ---- Replies (interrupts disabled) ----------------------------------------------------------------- */

static void reply_err(fuse_req_t req, int err)
{
	fuse_reply_err(req, err < 0 ? -err : err);
}

/* Reply with the entry for p, a name in dir (references consumed). */
static void reply_entry(fuse_req_t req, const struct path *dir, struct path *p)
{
	struct fuse_entry_param e;
	struct fnode *n;
	int err;

	memset(&e, 0, sizeof(e));
	vfs_begin();
	e.entry_timeout = entry_timeout(dir);
	err = path_stat(p, &e.attr);
	n = err ? NULL : node_get(p);
	if (err)
		path_put(p);
	else if (!n)
		err = -ENOMEM;
	vfs_end();
	if (err) {
		reply_err(req, err);
		return;
	}
	e.ino = node_id(n);
	e.attr_timeout = ENTRY_TIMEOUT;
	if (fuse_reply_entry(req, &e)) {
		/* the host will not send a forget for an entry it never got */
		vfs_begin();
		node_forget(n, 1);
		vfs_end();
	}
}

/* After a successful mkdir/mknod/symlink/link: look the new name up and
 * reply with it (interrupts enabled on entry). */
static void reply_new(fuse_req_t req, const struct vfs_ctx *ctx, struct fnode *dir,
		      const char *name)
{
	struct path p;
	int err = vfs_lookup_one(ctx, &dir->path, name, &p);

	vfs_end();
	if (err)
		reply_err(req, err);
	else
		reply_entry(req, &dir->path, &p);
}

/* Run body with the caller's ctx and interrupts enabled; body sets err. */
#define WITH_CTX(req, ctx)                                      \
	struct vfs_ctx ctx;                                     \
	int __cerr = caller_ctx(req, &ctx);                     \
	if (__cerr) {                                           \
		reply_err(req, __cerr);                         \
		return;                                         \
	}                                                       \
	vfs_begin()

/* ---- Operations ------------------------------------------------------------------------------------ */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	conn->want &= ~(unsigned)(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
				  FUSE_CAP_SPLICE_MOVE);
	if (conn->max_write > IOBUF_SIZE)
		conn->max_write = IOBUF_SIZE;
	if (conn->max_readahead > IOBUF_SIZE)
		conn->max_readahead = IOBUF_SIZE;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct path p;
	int err;

	WITH_CTX(req, ctx);
	err = vfs_lookup_one(&ctx, &node_of(parent)->path, name, &p);
	vfs_end();
	if (err)
		reply_err(req, err);
	else
		reply_entry(req, &node_of(parent)->path, &p);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	vfs_begin();
	node_forget(node_of(ino), nlookup);
	vfs_end();
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	vfs_begin();
	for (size_t i = 0; i < count; i++)
		node_forget(node_of(forgets[i].ino), forgets[i].nlookup);
	vfs_end();
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	int err;

	vfs_begin();
	err = path_stat(&node_of(ino)->path, &st);
	vfs_end();
	if (err)
		reply_err(req, err);
	else
		fuse_reply_attr(req, &st, ENTRY_TIMEOUT);
}

static struct file *fh_file(struct fuse_file_info *fi)
{
	return ((struct fhandle *)(uintptr_t)fi->fh)->file;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct fnode *n = node_of(ino);
	struct iattr ia;
	struct stat st;
	int err = 0;

	memset(&ia, 0, sizeof(ia));
	WITH_CTX(req, ctx);
	if ((to_set & FUSE_SET_ATTR_SIZE) && fi) {
		/* ftruncate: the open file's write access is what counts */
		err = vfs_ftruncate(fh_file(fi), attr->st_size);
		to_set &= ~FUSE_SET_ATTR_SIZE;
	}
	if (to_set & FUSE_SET_ATTR_MODE) {
		ia.valid |= ATTR_MODE;
		ia.mode = attr->st_mode & 07777;
	}
	if (to_set & FUSE_SET_ATTR_UID) {
		ia.valid |= ATTR_UID;
		ia.uid = attr->st_uid;
	}
	if (to_set & FUSE_SET_ATTR_GID) {
		ia.valid |= ATTR_GID;
		ia.gid = attr->st_gid;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		ia.valid |= ATTR_SIZE;
		ia.size = (u64)attr->st_size;
	}
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW)) {
		ia.valid |= ATTR_ATIME;
		ia.atime.tv_sec = attr->st_atim.tv_sec;
		ia.atime.tv_nsec = (to_set & FUSE_SET_ATTR_ATIME_NOW) ? UTIME_NOW
								       : attr->st_atim.tv_nsec;
	}
	if (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW)) {
		ia.valid |= ATTR_MTIME;
		ia.mtime.tv_sec = attr->st_mtim.tv_sec;
		ia.mtime.tv_nsec = (to_set & FUSE_SET_ATTR_MTIME_NOW) ? UTIME_NOW
								       : attr->st_mtim.tv_nsec;
	}
	if (!err && ia.valid)
		err = vfs_setattr_path(&ctx, &n->path, &ia);
	if (!err)
		err = path_stat(&n->path, &st);
	vfs_end();
	if (err)
		reply_err(req, err);
	else
		fuse_reply_attr(req, &st, ENTRY_TIMEOUT);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	static char target[PATH_MAX + 1];
	long len;

	WITH_CTX(req, ctx);
	len = vfs_readlinkat(&ctx, &node_of(ino)->path, "", target, PATH_MAX);
	vfs_end();
	if (len < 0) {
		reply_err(req, (int)len);
		return;
	}
	target[len] = 0;
	fuse_reply_readlink(req, target);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	struct fnode *dir = node_of(parent);
	int err;

	WITH_CTX(req, ctx);
	err = vfs_mknodat(&ctx, &dir->path, name, mode, MKDEV(major(rdev), minor(rdev)));
	if (err) {
		vfs_end();
		reply_err(req, err);
		return;
	}
	reply_new(req, &ctx, dir, name);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct fnode *dir = node_of(parent);
	int err;

	WITH_CTX(req, ctx);
	err = vfs_mkdirat(&ctx, &dir->path, name, mode);
	if (err) {
		vfs_end();
		reply_err(req, err);
		return;
	}
	reply_new(req, &ctx, dir, name);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct fnode *dir = node_of(parent);
	int err;

	WITH_CTX(req, ctx);
	err = vfs_symlinkat(&ctx, link, &dir->path, name);
	if (err) {
		vfs_end();
		reply_err(req, err);
		return;
	}
	reply_new(req, &ctx, dir, name);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	int err;

	WITH_CTX(req, ctx);
	err = vfs_unlinkat(&ctx, &node_of(parent)->path, name, 0);
	vfs_end();
	reply_err(req, err);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	int err;

	WITH_CTX(req, ctx);
	err = vfs_unlinkat(&ctx, &node_of(parent)->path, name, AT_REMOVEDIR);
	vfs_end();
	reply_err(req, err);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		      const char *newname, unsigned int flags)
{
	int err;

	WITH_CTX(req, ctx);
	err = vfs_renameat2(&ctx, &node_of(parent)->path, name, &node_of(newparent)->path,
			    newname, flags);
	vfs_end();
	reply_err(req, err);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct fnode *dir = node_of(newparent);
	struct vfs_ctx lctx;
	struct cred *c;
	int err;

	WITH_CTX(req, ctx);
	/* Linking by node needs AT_EMPTY_PATH, which asks for
	 * CAP_DAC_READ_SEARCH; the host already resolved the old name with
	 * the caller's own rights, so grant just that for this call. */
	c = cred_create(ctx.cred->uid, ctx.cred->gid, ctx.cred->groups, ctx.cred->ngroups);
	if (!c) {
		vfs_end();
		reply_err(req, -ENOMEM);
		return;
	}
	c->cap_effective |= 1ULL << CAP_DAC_READ_SEARCH;
	lctx = (struct vfs_ctx){ .cred = c, .fs = ctx.fs };
	err = vfs_linkat(&lctx, &node_of(ino)->path, "", &dir->path, newname, AT_EMPTY_PATH);
	cred_put(c);
	if (err) {
		vfs_end();
		reply_err(req, err);
		return;
	}
	reply_new(req, &ctx, dir, newname);
}

/* A handle for f (reference passes to it); NULL on OOM (f put). */
static struct fhandle *handle_new(struct file *f)
{
	struct fhandle *h = kzalloc(sizeof(*h), 0);

	if (!h) {
		file_put(f);
		return NULL;
	}
	h->file = f;
	list_add(&h->node, &open_handles);
	return h;
}

static void handle_free(struct fhandle *h)
{
	list_del_init(&h->node);
	file_put(h->file);
	kfree(h);
}

/* Pseudo filesystems (procfs, devfs, ...) do not know their files' sizes
 * up front: bypass the host's page cache there. */
static bool wants_direct_io(const struct file *f)
{
	return strcmp(f->path.mnt->sb->type->name, "tmpfs") != 0;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fhandle *h = NULL;
	struct file *f;
	int err;

	WITH_CTX(req, ctx);
	err = vfs_open_path(&ctx, &node_of(ino)->path,
			    fi->flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC), &f);
	if (!err && !(h = handle_new(f)))
		err = -ENOMEM;
	vfs_end();
	if (err) {
		reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)h;
	fi->direct_io = wants_direct_io(f);
	if (fuse_reply_open(req, fi)) {
		vfs_begin();
		handle_free(h);
		vfs_end();
	}
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	struct fhandle *h = NULL;
	struct fnode *n = NULL;
	struct file *f;
	struct path p;
	int err;

	memset(&e, 0, sizeof(e));
	WITH_CTX(req, ctx);
	err = vfs_openat(&ctx, &node_of(parent)->path, name,
			 (fi->flags & ~(O_NOCTTY | O_CLOEXEC)) | O_CREAT, mode, &f);
	if (!err) {
		e.entry_timeout = entry_timeout(&node_of(parent)->path);
		err = path_stat(&f->path, &e.attr);
		if (err)
			file_put(f);
	}
	if (!err) {
		p = f->path;
		path_get(&p);
		n = node_get(&p);
		h = handle_new(f);
		if (!n || !h) {
			if (n)
				node_forget(n, 1);
			if (h)
				handle_free(h);
			err = -ENOMEM;
		}
	}
	vfs_end();
	if (err) {
		reply_err(req, err);
		return;
	}
	e.ino = node_id(n);
	e.attr_timeout = ENTRY_TIMEOUT;
	fi->fh = (uintptr_t)h;
	fi->direct_io = wants_direct_io(f);
	if (fuse_reply_create(req, &e, fi)) {
		vfs_begin();
		handle_free(h);
		node_forget(n, 1);
		vfs_end();
	}
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	long n;

	if (size > IOBUF_SIZE)
		size = IOBUF_SIZE;
	vfs_begin();
	n = vfs_pread(fh_file(fi), iobuf, size, off);
	vfs_end();
	if (n < 0)
		reply_err(req, (int)n);
	else
		fuse_reply_buf(req, iobuf, (size_t)n);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	long n;

	vfs_begin();
	n = vfs_pwrite(fh_file(fi), buf, size, off);
	vfs_end();
	if (n < 0)
		reply_err(req, (int)n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	vfs_begin();
	handle_free((struct fhandle *)(uintptr_t)fi->fh);
	vfs_end();
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	int err;

	vfs_begin();
	err = vfs_fsync(fh_file(fi), datasync != 0);
	vfs_end();
	reply_err(req, err);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fhandle *h = NULL;
	struct file *f;
	int err;

	WITH_CTX(req, ctx);
	err = vfs_open_path(&ctx, &node_of(ino)->path, O_RDONLY | O_DIRECTORY, &f);
	if (!err && !(h = handle_new(f)))
		err = -ENOMEM;
	vfs_end();
	if (err) {
		reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)h;
	if (fuse_reply_open(req, fi)) {
		vfs_begin();
		handle_free(h);
		vfs_end();
	}
}

struct fill_ctx {
	struct dir_context dc;
	fuse_req_t req;
	size_t size, used;
	u64 dev;			/* the directory's super block */
};

static bool fill_emit(struct dir_context *dc, const char *name, u32 len, u64 ino, unsigned type,
		      u64 next_pos)
{
	struct fill_ctx *fc = (struct fill_ctx *)dc;
	char nm[NAME_MAX + 1];
	struct stat st;
	size_t need;

	if (len > NAME_MAX)
		return true;	/* cannot happen: the VFS limits names */
	memcpy(nm, name, len);
	nm[len] = 0;
	memset(&st, 0, sizeof(st));
	st.st_ino = fc->dev == root_dev ? ino : ino ^ (fc->dev << 40);	/* as statx_to_stat */
	st.st_mode = type << 12;	/* DT_* to S_IF* */
	need = fuse_add_direntry(fc->req, NULL, 0, nm, NULL, 0);
	if (fc->used + need > fc->size)
		return false;
	fuse_add_direntry(fc->req, iobuf + fc->used, fc->size - fc->used, nm, &st,
			  (off_t)next_pos);
	fc->used += need;
	return true;
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fill_ctx fc = { .dc = { .emit = fill_emit, .pos = (u64)off }, .req = req };
	int err;

	fc.size = size > IOBUF_SIZE ? IOBUF_SIZE : size;
	fc.dev = fh_file(fi)->inode->sb->dev;
	vfs_begin();
	err = vfs_iterate_dir(fh_file(fi), &fc.dc);
	vfs_end();
	if (err && !fc.used)
		reply_err(req, err);
	else
		fuse_reply_buf(req, iobuf, fc.used);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	op_release(req, ino, fi);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	op_fsync(req, ino, datasync, fi);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct vfs_statfs vs;
	struct statvfs sv;
	int err;

	vfs_begin();
	err = vfs_statfs(&node_of(ino)->path, &vs);
	vfs_end();
	if (err) {
		reply_err(req, err);
		return;
	}
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = vs.bsize;
	sv.f_frsize = vs.bsize;
	sv.f_blocks = vs.blocks;
	sv.f_bfree = vs.bfree;
	sv.f_bavail = vs.bavail;
	sv.f_files = vs.files;
	sv.f_ffree = vs.ffree;
	sv.f_favail = vs.ffree;
	sv.f_namemax = vs.namelen;
	fuse_reply_statfs(req, &sv);
}

static void op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	int err;

	WITH_CTX(req, ctx);
	err = vfs_faccessat(&ctx, &node_of(ino)->path, "", mask, AT_EMPTY_PATH);
	vfs_end();
	reply_err(req, err);
}

static const struct fuse_lowlevel_ops umka_fuse_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.open = op_open,
	.read = op_read,
	.write = op_write,
	/* no .flush: there is nothing to do at close, and without it the
	 * host stops sending FLUSH after the first ENOSYS -- one round trip
	 * fewer per close(2) */
	.release = op_release,
	.fsync = op_fsync,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
	.statfs = op_statfs,
	.access = op_access,
	.create = op_create,
};

/* ---- The session ----------------------------------------------------------------------------------- */

static void fuse_ready(void *arg)
{
	complete(&ready);	/* interrupt context */
}

/* Everything the session held, once the host mount is gone. */
static void teardown(void)
{
	struct list_head *pos, *tmp;

	um_hostio_unwatch(watch_slot);
	watch_slot = -1;
	arch_irq_disable();
	/* Unmount even though the host already did: libfuse sees the dead fd,
	 * skips fusermount, and frees the mount point it keeps. */
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	se = NULL;
	arch_irq_enable();
	list_for_each_safe(pos, tmp, &open_handles)
		handle_free(list_entry(pos, struct fhandle, node));
	for (unsigned i = 0; i < ARRAY_SIZE(node_hash); i++) {
		list_for_each_safe(pos, tmp, &node_hash[i]) {
			struct fnode *n = list_entry(pos, struct fnode, hash_node);

			if (n == &root_node)
				continue;
			n->nlookup = 1;
			node_forget(n, 1);
		}
	}
	if (cred_cache.cred)
		cred_put(cred_cache.cred);
	cred_cache.cred = NULL;
}

static u64 host_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000u + (u64)ts.tv_nsec;
}

/* One request, if the host has one queued: > 0 served, -EAGAIN none, 0 or
 * another negative errno when the session is over. */
static int serve_one(struct fuse_buf *buf)
{
	int r;

	do {
		arch_irq_disable();
		r = fuse_session_receive_buf(se, buf);
		if (r > 0)
			fuse_session_process_buf(se, buf);
		arch_irq_enable();
	} while (r == -EINTR);
	if (r == -EAGAIN && fuse_session_exited(se))
		r = 0;
	return r;
}

static void fuse_thread(void *unused)
{
	struct fuse_buf buf;
	u64 until;
	int r;

	memset(&buf, 0, sizeof(buf));
	for (;;) {
		wait_for_completion(&ready);
		while ((r = serve_one(&buf)) > 0) {
			/* A host client's next request usually follows our reply
			 * within microseconds: poll for it a little while before
			 * paying the round trip through the hostio thread and a
			 * signal that a re-armed watch costs (about half of each
			 * request's time, bench/fuse-compare). Each try gives
			 * the host CPU to the client and ours to other threads. */
			until = host_now_ns() + POLL_NS;
			do {
				sched_yield();
				yield();
				r = serve_one(&buf);
				if (r > 0)
					until = host_now_ns() + POLL_NS;
			} while ((r > 0 || r == -EAGAIN) && host_now_ns() < until);
			if (r != -EAGAIN && r <= 0)
				break;
		}
		if (r != -EAGAIN)
			goto gone;
		um_hostio_rearm(watch_slot);
	}
gone:
	mounted = false;
	pr_notice("fuse: %s was unmounted by the host (%d); stopped serving\n", mountpoint, r);
	arch_irq_disable();
	free(buf.mem);
	arch_irq_enable();
	teardown();
	if (!kernel_params.ktest[0] && !kernel_params.bench[0])
		kernel_poweroff(HALT_POWEROFF);
}

static struct fuse_session *session_mount(bool allow_other)
{
	char *argv[] = { (char *)"umka", (char *)"-o",
			 allow_other ? (char *)"allow_other,fsname=umka,subtype=umka"
				     : (char *)"fsname=umka,subtype=umka",
			 NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse_session *s = fuse_session_new(&args, &umka_fuse_ops,
						  sizeof(umka_fuse_ops), NULL);

	if (s && fuse_session_mount(s, mountpoint)) {
		fuse_session_destroy(s);
		s = NULL;
	}
	fuse_opt_free_args(&args);
	return s;
}

bool um_fuse_start(void)
{
	const char *dir = kernel_params.fuse;
	struct task *t;
	int fd = -1, slot;

	if (!dir[0])
		return false;
	memcpy(mountpoint, dir, strlen(dir) + 1);	/* both CMDLINE_VALUE_MAX */
	for (unsigned i = 0; i < ARRAY_SIZE(node_hash); i++)
		list_init(&node_hash[i]);
	root_node.path = vfs_kernel_ctx()->fs->root;
	path_get(&root_node.path);
	root_node.nlookup = 1;
	list_add(&root_node.hash_node, node_bucket(&root_node.path));
	root_dev = root_node.path.mnt->sb->dev;
	fuse_fs = fs_struct_create(&root_node.path, &root_node.path, 0);
	completion_init(&ready);

	arch_irq_disable();
	se = session_mount(true);
	if (!se) {
		pr_warn("fuse: mounting %s with allow_other failed; trying without "
			"(other host users will be refused)\n", mountpoint);
		se = session_mount(false);
	}
	if (se) {
		fd = fuse_session_fd(se);
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	arch_irq_enable();
	if (!se || !fuse_fs) {
		pr_err("fuse=%s: cannot mount the FUSE window\n", mountpoint);
		kernel_poweroff(HALT_BAD_CMDLINE);
	}
	mounted = true;
	/* a request landing before the thread runs just completes `ready` */
	slot = um_hostio_watch(fd, fuse_ready, NULL);
	watch_slot = slot;
	/* On vCPU 0, where host I/O interrupts arrive, and only there: libfuse
	 * calls back into the VFS, which may sleep, and a thread that moved
	 * to another vCPU (host thread) in between would return into libfuse
	 * on a thread other than the one that entered it. */
	t = slot >= 0 ? kthread_create_on(fuse_thread, NULL, "fuse", 0) : NULL;
	if (!t) {
		pr_err("fuse=%s: cannot start serving (%d)\n", mountpoint, slot);
		kernel_poweroff(HALT_BAD_CMDLINE);
	}
	task_put(t);
	pr_notice("fuse: the VFS is at %s on the host\n", mountpoint);
	return true;
}

void um_fuse_shutdown(void)
{
	if (!mounted || !se)
		return;
	mounted = false;
	arch_irq_disable();
	fuse_session_unmount(se);
}
