/* The virtual filesystem: inodes, the dentry cache, super blocks and
 * filesystem types, the mount tree, path resolution with Linux semantics,
 * open file descriptions, and the file operations the syscall layer calls.
 * Filesystems (tmpfs, devfs, ...) plug in through the *_ops vtables below.
 * docs/vfs.md describes the design and the locking in full. */
#ifndef UMKA_VFS_H
#define UMKA_VFS_H

#include <umka/atomic.h>
#include <umka/cred.h>
#include <umka/list.h>
#include <umka/mutex.h>
#include <umka/rbtree.h>
#include <umka/rcu.h>
#include <umka/seqcount.h>
#include <umka/spinlock.h>
#include <umka/types.h>
#include <uapi/dirent.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>

/* ---- Lock levels (VFS_LEVEL_* in lockorder.h) -------------------------------
 * Sleeping locks, outermost first: the mount namespace, a file's position,
 * a super block's rename lock, a filesystem's own mutexes, then inode
 * locks. Inode locks nest by role:
 * a directory being changed (PARENT), a second directory in rename (PARENT2),
 * the inode named by an entry (CHILD) and the one it replaces (CHILD2).
 * Spinlocks sit between mutex internals and the runqueue; none of them is
 * held while calling into a filesystem or anything that can sleep. */

enum inode_subclass { I_PARENT = 0, I_PARENT2 = 1, I_CHILD = 2, I_CHILD2 = 3 };

/* ---- Device numbers --------------------------------------------------------
 * Kernel-internal dev_t is major << 20 | minor, as in Linux. */
#define MINORBITS 20
#define MKDEV(ma, mi) (((u32)(ma) << MINORBITS) | (u32)(mi))
#define MAJOR(dev) ((u32)(dev) >> MINORBITS)
#define MINOR(dev) ((u32)(dev) & ((1U << MINORBITS) - 1))
/* The encoding stat(2)'s st_rdev/st_dev carries to user space. */
static inline u64 dev_encode_user(u32 dev)
{
	u64 ma = MAJOR(dev), mi = MINOR(dev);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffULL) << 12);
}

struct timespec64 {
	s64 tv_sec;
	long tv_nsec;
};

/* File times. Until the kernel keeps a wall clock, they count from the
 * machine's monotonic clock epoch (arch_clock_ns). */
struct timespec64 vfs_now(void);

struct inode;
struct dentry;
struct file;
struct super_block;
struct mount;
struct dir_context;

/* ---- Inodes ----------------------------------------------------------------- */

/* A sleeping lock with FIFO hand-off whose lock-checker level is chosen at
 * each acquisition (base + subclass): the core mutex has one fixed level,
 * and rename must hold several inode locks at once. */
struct ilock {
	struct spinlock wait_lock;
	struct task *owner;		/* under wait_lock */
	struct list_head waiters;	/* under wait_lock */
};

struct inode_ops;
struct file_ops;
struct pipe;

struct inode {
	u64 ino;			/* constant */
	u32 mode;			/* S_IFMT bits constant; the rest under lock */
	u32 uid, gid;			/* under lock */
	u32 nlink;			/* under lock and sb->inode_lock (inode_set_nlink) */
	u32 rdev;			/* constant: device nodes only */
	u64 size;			/* under lock */
	u64 blocks;			/* 512-byte units, under lock */
	struct timespec64 atime, mtime, ctime, btime;	/* under lock */
	struct atomic refs;		/* see inode_get/inode_put */
	struct ilock lock;
	struct super_block *sb;		/* constant */
	const struct inode_ops *i_op;	/* constant */
	const struct file_ops *i_fop;	/* constant: opens of regular files and dirs */
	struct rb_node sb_node;		/* sb->inodes by ino, under sb->inode_lock */
	bool hashed;			/* in sb->inodes, under sb->inode_lock */
	u32 iflags;			/* VFS-private state (I_DEAD), under lock */
	/* Bumped around every change of mode, uid or gid (under lock, with
	 * preemption off), so permission checks read the three as one. */
	struct seqcount attr_seq;
	/* The struct is freed an RCU grace period after eviction, as the
	 * lockless path walk reads mode, uid and gid of inodes it passes. */
	struct rcu_head rcu;
	const struct super_ops *free_ops;	/* set at eviction: sb may be gone */
	struct pipe *i_pipe;		/* S_IFIFO: the pipe while open (pipe.c),
					 * under pipe_attach_lock */
};

/* What a new inode gets: the VFS decides mode (after umask), owner and
 * group (setgid directories), the filesystem makes it. */
struct inode_attrs {
	u32 mode;			/* with S_IFMT */
	u32 uid, gid;
	u32 rdev;			/* S_IFCHR/S_IFBLK */
	const char *link;		/* S_IFLNK: the target, NUL-terminated */
};

/* A change of attributes (setattr). valid says which fields mean anything. */
#define ATTR_MODE 0x1u
#define ATTR_UID 0x2u
#define ATTR_GID 0x4u
#define ATTR_SIZE 0x8u
#define ATTR_ATIME 0x10u
#define ATTR_MTIME 0x20u
#define ATTR_CTIME 0x40u
#define ATTR_ATIME_NOW 0x80u		/* with ATTR_ATIME: the caller asked for "now" */
#define ATTR_MTIME_NOW 0x100u		/* with ATTR_MTIME: likewise (a filesystem with
					 * its own clock, hostfs, uses that instead) */
struct iattr {
	unsigned valid;
	u32 mode, uid, gid;
	u64 size;
	struct timespec64 atime, mtime, ctime;
};

/* Directory and metadata operations. The VFS has checked permissions and
 * holds the locks named in each comment; the filesystem does the change and
 * returns 0 or a negative errno, leaving everything as it was on failure. */
struct inode_ops {
	/* Find name in dir; d_add(d, inode or NULL for "no such entry"). dir
	 * locked. -ENAMETOOLONG etc. for names the fs cannot hold. */
	int (*lookup)(struct inode *dir, struct dentry *d);
	/* Make an inode of any type from a and instantiate the negative
	 * dentry d with it. dir locked. */
	int (*create)(struct inode *dir, struct dentry *d, const struct inode_attrs *a);
	/* New name d in dir for old's inode (not a directory). dir and the
	 * inode locked. */
	int (*link)(struct dentry *old, struct inode *dir, struct dentry *d);
	/* Remove the entry d (a non-directory) from dir. dir and d's inode locked. */
	int (*unlink)(struct inode *dir, struct dentry *d);
	/* Remove the empty directory d (-ENOTEMPTY otherwise). Both locked. */
	int (*rmdir)(struct inode *dir, struct dentry *d);
	/* Move od in odir to nd in ndir (nd may be positive: replace it, or
	 * swap with RENAME_EXCHANGE). The VFS has checked types, emptiness is
	 * the fs's (-ENOTEMPTY). Rename lock, both dirs and both inodes locked. */
	int (*rename)(struct inode *odir, struct dentry *od, struct inode *ndir,
		      struct dentry *nd, unsigned flags);
	/* Apply a (already permission-checked); the inode is locked. */
	int (*setattr)(struct inode *inode, const struct iattr *a);
	/* A symlink's target; valid while the caller holds a reference. */
	const char *(*get_link)(struct inode *inode);
	/* Optional: refresh the inode's attributes from a backing store that
	 * can change behind the kernel's back (hostfs), before a stat reads
	 * them. Called unlocked; takes the inode lock itself. */
	int (*revalidate)(struct inode *inode);
};

/* Take a reference: the caller already holds one, or holds the lock of a
 * directory that names the inode (so nlink > 0 keeps it alive). */
void inode_get(struct inode *inode);
/* Drop a reference. The last reference to an inode with no links left
 * evicts it (frees its data) and frees it. */
void inode_put(struct inode *inode);
void inode_lock(struct inode *inode);			/* subclass I_PARENT */
void inode_lock_nested(struct inode *inode, enum inode_subclass sub);
void inode_unlock(struct inode *inode);
bool inode_is_locked_by_me(struct inode *inode);

/* For filesystems: set up a new inode (one reference, nlink 1, times now)
 * and enter it in the super block's table; change link counts. */
void inode_init(struct inode *inode, struct super_block *sb, u64 ino, u32 mode);
void inode_set_nlink(struct inode *inode, u32 nlink);
/* Owner and permission bits replaced as one, as lockless permission checks
 * must see them (a filesystem refreshing attributes from elsewhere). */
void inode_set_owner_mode(struct inode *inode, u32 uid, u32 gid, u32 perm);
void inode_inc_nlink(struct inode *inode);
void inode_dec_nlink(struct inode *inode);
/* The live inode numbered ino on sb, with a reference, or NULL. */
struct inode *inode_find(struct super_block *sb, u64 ino);

/* Access checks. mask is MAY_*; returns 0, -EACCES or -EROFS. */
#define MAY_EXEC 0x1
#define MAY_WRITE 0x2
#define MAY_READ 0x4
int inode_permission(const struct cred *c, struct inode *inode, int mask);
bool inode_owner_or_capable(const struct cred *c, const struct inode *inode);

/* ---- Dentries --------------------------------------------------------------- */

#define DNAME_INLINE_LEN 40

struct dname {
	const char *name;		/* not NUL-terminated in general */
	u32 len;
	u32 hash;
};

#define DCACHE_HASHED 0x1u		/* findable by d_lookup */
#define DCACHE_LRU 0x2u			/* on the unused list */
#define DCACHE_ROOT 0x4u		/* a super block's root */

/* A name in a directory, cached. Negative dentries (inode NULL) remember
 * that a name does not exist. Unused dentries (refs 0) stay hashed on an
 * LRU list until dcache_shrink reclaims them. Dentries, and long names, are
 * freed only after an RCU grace period: the lockless path walk (namei.c)
 * reads hash_node, parent, name, inode, flags and mounted without
 * dcache_lock and trusts what it read only if seq did not move. */
struct dentry {
	struct hlist_node hash_node;	/* hash chain, under dcache_lock */
	struct seqcount seq;		/* bumped under dcache_lock around every
					 * change of name, parent or inode, and when
					 * the dentry is unhashed or dies */
	struct list_head lru;		/* unused list, under dcache_lock */
	struct list_head children;	/* dentries whose parent this is, under dcache_lock */
	struct list_head child_node;	/* in parent->children, under dcache_lock */
	struct dentry *parent;		/* holds a reference (self for a root); changes
					 * only by rename, under dcache_lock */
	struct dname name;		/* under dcache_lock; changes only by rename */
	struct inode *inode;		/* NULL = negative; changes under dcache_lock
					 * with the parent directory locked */
	struct super_block *sb;		/* constant */
	int refs;			/* under dcache_lock */
	u32 flags;			/* DCACHE_*, under dcache_lock */
	u32 mounted;			/* mounts on this dentry, under mount_lock */
	struct rcu_head rcu;		/* deferred free */
	char iname[DNAME_INLINE_LEN];	/* short names live here */
};

struct dentry *dget(struct dentry *d);
void dput(struct dentry *d);
/* The hashed dentry for name in parent, with a reference, or NULL. */
struct dentry *d_lookup(struct dentry *parent, const char *name, u32 len);
/* For ->lookup: make d positive (inode's reference passes to d) or leave it
 * negative (inode NULL), and hash it. */
void d_add(struct dentry *d, struct inode *inode);
/* For ->create: a negative hashed dentry becomes positive. */
void d_instantiate(struct dentry *d, struct inode *inode);
/* Unhash d: later lookups ask the filesystem again (a filesystem whose
 * names can change behind the kernel's back keeps no negative entries). */
void d_drop(struct dentry *d);
/* d's parent with a reference (stable against a concurrent rename). */
struct dentry *dget_parent(struct dentry *d);
/* d's name into buf (NUL-terminated, cut to size), under the dcache lock. */
void d_name_copy(struct dentry *d, char *buf, size_t size);
/* A new root dentry for sb holding inode's reference. */
struct dentry *d_make_root(struct inode *inode);
u32 dname_hash(const char *name, u32 len);

/* Reclaim up to n unused dentries, oldest first; returns how many. */
unsigned long dcache_shrink(unsigned long n);
struct dcache_stats {
	unsigned long nr_dentries;	/* allocated */
	unsigned long nr_unused;	/* on the LRU */
	unsigned long nr_negative;	/* hashed negative dentries */
	unsigned long nr_reclaimed;	/* freed by the memory-pressure shrinker */
	unsigned long rcu_walks;	/* lookups the lockless walk finished */
	unsigned long rcu_fallbacks;	/* lookups it handed to the ref walk */
};
void dcache_get_stats(struct dcache_stats *st);
/* Switch vfs_lookup's lockless RCU walk on or off (tests and benchmarks
 * compare the two); returns the previous setting. On by default. */
bool vfs_rcu_walk_enable(bool on);

/* ---- Super blocks, filesystem types, mounts --------------------------------- */

struct vfs_statfs {
	u64 magic;
	u64 bsize;
	u64 blocks, bfree, bavail;	/* in bsize units */
	u64 files, ffree;
	u64 namelen;
};

struct super_ops {
	struct inode *(*alloc_inode)(struct super_block *sb);
	/* Free what the inode holds (data pages, entries). Last reference gone
	 * and no links, or the super block is being killed. */
	void (*evict_inode)(struct inode *inode);
	void (*free_inode)(struct inode *inode);
	int (*statfs)(struct super_block *sb, struct vfs_statfs *st);
	/* Free the fs's own state; every inode has been evicted. */
	void (*put_super)(struct super_block *sb);
	/* Optional, for filesystems changed behind the kernel's back (hostfs):
	 * is cached child d of locked-or-not parent still what its name means?
	 * 1 yes, 0 no (the VFS unhashes it and asks ->lookup again), or a
	 * negative errno. Called on every lookup that finds d in the dcache,
	 * so the RCU walk hands such filesystems to the ref walk. May sleep. */
	int (*d_revalidate)(struct dentry *d);
};

struct fs_type;

struct super_block {
	struct fs_type *type;		/* constant */
	const struct super_ops *s_op;	/* constant */
	struct dentry *root;		/* constant after mount, reference held */
	u32 dev;			/* st_dev: anonymous 0:n */
	u32 flags;			/* SB_* */
	u64 magic;
	u64 max_bytes;			/* largest file size */
	struct atomic active;		/* mounts (and fs-internal holders) */
	struct spinlock inode_lock;	/* inodes, nr_inodes, nlink, final inode_put */
	struct rb_root inodes;		/* by ino, under inode_lock */
	u64 nr_inodes;			/* under inode_lock */
	struct mutex rename_lock;	/* serialises renames on this fs */
	void *fs_info;			/* the filesystem's */
};

struct fs_type {
	const char *name;
	/* A super block for a new mount, with one active reference for the
	 * caller (a filesystem may share one super block between mounts). */
	int (*get_sb)(struct fs_type *t, const char *source, unsigned long flags,
		      const char *options, struct super_block **out);
	/* The last active reference is gone; free everything. */
	void (*kill_sb)(struct super_block *sb);
	struct list_head node;		/* registered types, under fs_types_lock */
};

int register_filesystem(struct fs_type *t);	/* -EBUSY if the name is taken */
int unregister_filesystem(struct fs_type *t);
struct fs_type *find_filesystem(const char *name);

/* For get_sb: a fresh super block (active 1, anonymous dev); and the
 * generic teardown for kill_sb, also right for a get_sb failing half way
 * (prunes dentries, evicts every inode, calls put_super, frees the sb). */
struct super_block *sb_alloc(struct fs_type *t, const struct super_ops *ops);
void sb_kill_generic(struct super_block *sb);
void sb_put(struct super_block *sb);		/* drop an active reference */

#define MNT_RDONLY 0x1u
#define MNT_NOSUID 0x2u
#define MNT_NODEV 0x4u
#define MNT_NOEXEC 0x8u

/* One mounted instance: sb's tree from root, attached at mountpoint in the
 * parent mount. A bind mount is another struct mount on the same sb. */
struct mount {
	struct mount *parent;		/* NULL for the namespace root; under mount_lock */
	struct dentry *mountpoint;	/* in parent, reference held; under mount_lock */
	struct dentry *root;		/* constant, reference held */
	struct super_block *sb;		/* constant, active reference held */
	struct atomic refs;		/* one for the tree, one per struct path */
	u32 flags;			/* MNT_*, constant */
	u32 id;				/* constant, stx_mnt_id */
	struct list_head hash_node;	/* by (parent, mountpoint), under mount_lock */
	struct list_head children;	/* under mount_lock */
	struct list_head child_node;	/* in parent->children, under mount_lock */
	struct list_head all_node;	/* every mount, under mount_lock */
	char source[64];		/* constant: what was mounted ("tmpfs", a path) */
	struct rcu_head rcu;		/* deferred free (RCU walk) */
};

struct path {
	struct mount *mnt;
	struct dentry *dentry;
};

void path_get(const struct path *p);
void path_put(struct path *p);		/* and clears it */
static inline bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}
struct mount *mnt_get(struct mount *m);
void mnt_put(struct mount *m);

/* The name of p as seen from root (NULL: the namespace root) into buf:
 * "/a/b", NUL-terminated; returns its length, -ENAMETOOLONG if it does not
 * fit, -ENOENT if p has been removed (getcwd). */
long vfs_path_name(const struct path *p, const struct path *root, char *buf, size_t size);
/* Call fn for each mount, parents before children (for /proc/mounts). */
void mount_for_each(void (*fn)(const struct mount *m, void *arg), void *arg);

/* ---- Who is asking ----------------------------------------------------------- */

/* A process's root, working directory and umask (CLONE_FS shares one). */
struct fs_struct {
	struct spinlock lock;
	struct atomic refs;
	struct path root;		/* under lock */
	struct path pwd;		/* under lock */
	u32 umask;			/* under lock */
};

/* The caller of a VFS operation: credentials plus root/cwd/umask. The
 * syscall layer builds one from the current task; kernel code uses
 * vfs_kernel_ctx(). */
struct vfs_ctx {
	const struct cred *cred;
	struct fs_struct *fs;
};

const struct vfs_ctx *vfs_kernel_ctx(void);	/* root creds, root "/", umask 0 */
struct fs_struct *fs_struct_create(const struct path *root, const struct path *pwd, u32 umask);
struct fs_struct *fs_struct_clone(struct fs_struct *fs);
void fs_struct_put(struct fs_struct *fs);
u32 fs_set_umask(struct fs_struct *fs, u32 mask);	/* returns the old one */

/* ---- Open files ---------------------------------------------------------------- */

#define FMODE_READ 0x1u
#define FMODE_WRITE 0x2u
#define FMODE_LSEEK 0x4u
#define FMODE_PATH 0x8u		/* O_PATH: no I/O */
#define FMODE_ATOMIC_POS 0x10u	/* pos_lock serialises position updates */

struct file {
	struct path path;		/* constant, references held */
	struct inode *inode;		/* constant (path.dentry's inode at open) */
	const struct file_ops *f_op;	/* constant after open */
	u32 flags;			/* O_* status flags; F_SETFL under pos_lock */
	u32 mode;			/* FMODE_*, constant */
	u64 pos;			/* under pos_lock when FMODE_ATOMIC_POS */
	struct mutex pos_lock;
	struct atomic refs;
	const struct cred *cred;	/* the opener's, reference held */
	void *private;			/* the f_op implementation's */
};

/* Directory reading: iterate emits entries from ctx->pos on; emit returns
 * false when the caller's buffer is full (that entry was not taken).
 * next_pos is where to resume after this entry. emit runs with the
 * directory's inode locked: it must not call back into the VFS on it. */
struct dir_context {
	bool (*emit)(struct dir_context *ctx, const char *name, u32 len, u64 ino,
		     unsigned type, u64 next_pos);
	u64 pos;
};

struct file_ops {
	int (*open)(struct inode *inode, struct file *f);
	void (*release)(struct inode *inode, struct file *f);
	long (*read)(struct file *f, void *buf, size_t n, u64 *pos);
	long (*write)(struct file *f, const void *buf, size_t n, u64 *pos);
	/* NULL: the generic one (SET/CUR/END, DATA/HOLE as one data extent) */
	s64 (*llseek)(struct file *f, s64 off, int whence);
	/* Directories: emit entries from ctx->pos, update ctx->pos. */
	int (*iterate)(struct file *f, struct dir_context *ctx);
	int (*fsync)(struct file *f, bool datasync);
};

struct file *file_get(struct file *f);
void file_put(struct file *f);		/* the last put releases it */
/* Generic llseek bounded by max, for f_op->llseek implementations. */
s64 vfs_llseek_generic(struct file *f, s64 off, int whence, s64 size);
/* llseek for directories whose positions are cookies: SEEK_SET/SEEK_CUR
 * only (-EINVAL otherwise). */
s64 vfs_llseek_dir(struct file *f, s64 off, int whence);

/* ---- Operations (what the syscalls call) ----------------------------------------
 * Paths are resolved from dir (NULL: the ctx's working directory; the
 * syscall layer turns a dirfd into the path of its open file). Absolute
 * paths start at the ctx's root. Every error is the Linux errno; on error
 * nothing has changed. Buffers are kernel memory. */

/* Resolve name (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH honoured) to a path
 * with references; the caller path_put()s it. */
int vfs_lookup(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
	       unsigned at_flags, struct path *out);
/* One component (no '/') in the directory dir, with search permission. */
int vfs_lookup_one(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		   struct path *out);

int vfs_openat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
	       int flags, u32 mode, struct file **out);
/* Open an already-resolved path (FUSE bridge, O_PATH upgrades); no O_CREAT. */
int vfs_open_path(const struct vfs_ctx *ctx, const struct path *p, int flags,
		  struct file **out);
long vfs_read(struct file *f, void *buf, size_t n);
long vfs_write(struct file *f, const void *buf, size_t n);
long vfs_pread(struct file *f, void *buf, size_t n, s64 off);
long vfs_pwrite(struct file *f, const void *buf, size_t n, s64 off);
s64 vfs_lseek(struct file *f, s64 off, int whence);
int vfs_fsync(struct file *f, bool datasync);
/* getdents64: linux_dirent64 records into buf; bytes, 0 at the end. */
long vfs_getdents(struct file *f, void *buf, size_t n);
/* Directory reading with the caller's own emit (FUSE readdir). */
int vfs_iterate_dir(struct file *f, struct dir_context *ctx);
int vfs_ftruncate(struct file *f, s64 len);
int vfs_fstatx(struct file *f, u32 mask, struct statx *st);
int vfs_fchmod(const struct vfs_ctx *ctx, struct file *f, u32 mode);
int vfs_fchown(const struct vfs_ctx *ctx, struct file *f, u32 uid, u32 gid);
int vfs_futimens(const struct vfs_ctx *ctx, struct file *f, const struct timespec64 times[2]);
int vfs_setfl(struct file *f, u32 flags);	/* F_SETFL: O_APPEND, O_NONBLOCK, ... */

int vfs_statx(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
	      unsigned at_flags, u32 mask, struct statx *st);
int vfs_getattr(const struct path *p, u32 mask, struct statx *st);
int vfs_mkdirat(const struct vfs_ctx *ctx, const struct path *dir, const char *name, u32 mode);
int vfs_mknodat(const struct vfs_ctx *ctx, const struct path *dir, const char *name, u32 mode,
		u32 dev);
/* at_flags: 0 (unlink) or AT_REMOVEDIR (rmdir). */
int vfs_unlinkat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		 unsigned at_flags);
int vfs_rmdir(const struct vfs_ctx *ctx, const struct path *dir, const char *name);
int vfs_renameat2(const struct vfs_ctx *ctx, const struct path *odir, const char *oldname,
		  const struct path *ndir, const char *newname, unsigned flags);
/* at_flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH (for the old name). */
int vfs_linkat(const struct vfs_ctx *ctx, const struct path *odir, const char *oldname,
	       const struct path *ndir, const char *newname, unsigned at_flags);
int vfs_symlinkat(const struct vfs_ctx *ctx, const char *target, const struct path *dir,
		  const char *name);
/* Copies at most size bytes of the target (no NUL); returns the count. */
long vfs_readlinkat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		    char *buf, size_t size);
/* AT_SYMLINK_NOFOLLOW on a symlink gives -EOPNOTSUPP, as Linux. */
int vfs_fchmodat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		 u32 mode, unsigned at_flags);
/* uid/gid (u32)-1 mean "leave alone". */
int vfs_fchownat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		 u32 uid, u32 gid, unsigned at_flags);
/* times NULL: both now; tv_nsec UTIME_NOW/UTIME_OMIT as utimensat. */
int vfs_utimensat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		  const struct timespec64 times[2], unsigned at_flags);
int vfs_truncate(const struct vfs_ctx *ctx, const struct path *dir, const char *name, s64 len);
/* access(2)/faccessat2: mode is F_OK or R_OK|W_OK|X_OK. */
int vfs_faccessat(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		  int mode, unsigned at_flags);
int vfs_chdir(const struct vfs_ctx *ctx, const struct path *dir, const char *name);
int vfs_chroot(const struct vfs_ctx *ctx, const struct path *dir, const char *name);
int vfs_statfs(const struct path *p, struct vfs_statfs *st);
/* Setattr on a resolved path with the permission checks of chmod/chown/
 * utimens/truncate (FUSE setattr). */
int vfs_setattr_path(const struct vfs_ctx *ctx, const struct path *p, const struct iattr *a);

/* mount(2): MS_BIND binds source (a path) at target; otherwise fstype is
 * mounted with options ("size=16M,mode=755"). umount2(2): 0 or MNT_FORCE
 * (treated as 0); -EBUSY while the mount is in use or has mounts below. */
int vfs_mount(const struct vfs_ctx *ctx, const char *source, const char *target,
	      const char *fstype, unsigned long flags, const char *options);
int vfs_umount(const struct vfs_ctx *ctx, const char *target, unsigned flags);

/* Mount tmpfs at / and devfs at /dev, and set up the kernel context. */
void vfs_init(void);

/* ---- Kernel-internal conveniences (initramfs unpacker, tests) -------------------
 * Paths are absolute (or relative to /), resolved as root with umask 0, so
 * modes are exactly what is asked. The final component is never followed
 * if it is a symlink, except by kvfs_chmod and kvfs_read_file. To replace
 * an entry of another type, remove it first (kvfs_unlink / kvfs_rmdir). */
int kvfs_mkdir_p(const char *path, u32 mode);	/* missing parents too; existing dirs OK */
/* Create (or truncate) a regular file with exactly mode and write len
 * bytes; -ELOOP if path is a symlink. */
int kvfs_write_file(const char *path, u32 mode, const void *data, size_t len);
/* Owner, then mode (skipped for symlinks), then atime = mtime, in the order
 * that keeps set-user-ID bits (chown clears them). No follow. */
int kvfs_set_attrs(const char *path, u32 uid, u32 gid, u32 mode, s64 mtime_sec,
		   long mtime_nsec);
long kvfs_read_file(const char *path, void *buf, size_t len, s64 off);
int kvfs_symlink(const char *target, const char *path);
int kvfs_mknod(const char *path, u32 mode, u32 dev);
int kvfs_link(const char *oldpath, const char *newpath);
int kvfs_unlink(const char *path);
int kvfs_rmdir(const char *path);
int kvfs_chmod(const char *path, u32 mode);		/* follows a final symlink */
int kvfs_lchown(const char *path, u32 uid, u32 gid);	/* does not follow */
/* Set atime and mtime (no follow; works on symlinks). */
int kvfs_set_times(const char *path, s64 sec, long nsec);
int kvfs_stat(const char *path, struct statx *st);	/* does not follow */

/* ---- Character devices ---------------------------------------------------------- */

/* A driver for one device number; open gets the f_op for the file. */
struct chrdev {
	u32 dev;			/* MKDEV(major, minor) */
	const char *name;		/* node name in devfs ("null") */
	u32 mode;			/* node permissions in devfs */
	const struct file_ops *fops;
	struct list_head node;		/* under chrdev_lock */
};
int chrdev_register(struct chrdev *cd);		/* -EBUSY if dev is taken */
const struct file_ops *chrdev_fops(u32 dev);	/* NULL if no driver */

#endif
