/* Declarations shared by the VFS core files (src/fs/), not part of its
 * public face (include/umka/vfs.h). */
#ifndef FS_VFS_INTERNAL_H
#define FS_VFS_INTERNAL_H

#include <umka/vfs.h>

/* inode flags kept outside struct inode's public fields */
#define I_DEAD 0x1u		/* directory removed: no new entries */

/* ---- dcache.c ---- */
void dcache_init(void);
/* A new unhashed negative dentry for name under parent (one reference). */
struct dentry *d_alloc(struct dentry *parent, const char *name, u32 len);
/* After a successful unlink/rmdir of d (whose name is gone from the fs):
 * the only user turns it negative in place, otherwise it is unhashed. */
void d_delete(struct dentry *d);
/* Unhash and free the unused children of a removed directory. */
void d_prune_children(struct dentry *dir);
/* True if anc is d or one of its ancestors. Stable under the rename lock. */
bool d_is_ancestor(const struct dentry *anc, const struct dentry *d);
/* For a rename: names are allocated up front so the move cannot fail
 * after the filesystem has done its part. */
struct d_move_prep {
	char *name_for_src;		/* a copy of the target's name if long */
	char *name_for_tgt;		/* exchange: a copy of the source's name if long */
};
int d_move_prepare(struct dentry *src, struct dentry *tgt, bool exchange,
		   struct d_move_prep *p);
/* Source takes target's name and parent; target is unhashed (or, with
 * exchange, takes the source's). */
void d_move(struct dentry *src, struct dentry *tgt, bool exchange, struct d_move_prep *p);
/* A rename that failed after d_move_prepare: free the prepared names. */
void d_move_abort(struct d_move_prep *p);
/* Free every dentry of a super block being killed (all must be unused). */
void d_prune_sb(struct super_block *sb);
/* Lockless lookup for the RCU walk, under rcu_read_lock: the hashed child
 * name of parent (hash = dname_hash(name, len)) and its seq, sampled before
 * the match was made and checked after; NULL when absent or changing. The
 * result has no reference and stays valid only while seq does not move. */
struct dentry *d_lookup_rcu(const struct dentry *parent, const char *name, u32 len, u32 hash,
			    u32 *seqp);
/* Take a reference on d if its seq is still seq (it did not change or die
 * since the RCU walk saw it); false otherwise. */
bool d_get_if_seq(struct dentry *d, u32 seq);
/* Count a lookup the RCU walk finished (true) or handed back (false). */
void dcache_count_walk(bool rcu_done);
/* The dcache lock, for walks over parents and names (path naming). */
void dcache_lock_acquire(void);
void dcache_lock_release(void);

/* ---- inode.c ---- */
/* Evict and free every inode of a dying super block. */
void sb_evict_all_inodes(struct super_block *sb);
/* Copy the generic attributes of a into inode (mode, ids, times). */
void setattr_copy(struct inode *inode, const struct iattr *a);
/* Kill set-user-ID (and set-group-ID if group-executable) as a write or
 * truncate by someone without CAP_FSETID must; inode locked. */
void inode_kill_suid(struct inode *inode, const struct cred *c);

/* ---- mount.c ---- */
void mount_init(void);
/* The mount on (mnt, d) with references on it and its root, or false. */
bool follow_mount_once(struct path *p);
/* Step over every mount stacked on p. */
void follow_mounts(struct path *p);
/* p is a mount root: move to the mountpoint in the parent; false at the top. */
bool follow_up(struct path *p);
/* For the RCU walk: a sample of the mount tree's seqcount and its check;
 * the mount on (parent, d) with no reference (NULL if none); and a
 * reference on m unless its count already reached zero (full barrier after:
 * check mount_seq_retry next). */
u32 mount_seq_begin(void);
bool mount_seq_retry(u32 seq);
struct mount *lookup_mnt_rcu(struct mount *parent, const struct dentry *d);
bool mnt_get_not_zero(struct mount *m);
/* The namespace root mount (referenced by the kernel fs_struct). */
struct mount *vfs_root_mount(void);
/* Mount a new filesystem as the namespace root (vfs_init). */
int mount_root(const char *fstype, const char *options);

/* An internal mount of sb (pipefs): in no tree and not in /proc/mounts,
 * never unmounted. Takes over the caller's active reference on sb; NULL
 * if out of memory. */
struct mount *mount_internal(struct super_block *sb, const char *source);

/* ---- fs_struct.c ---- */
void fs_struct_init_kernel(void);

/* ---- namei.c ---- */
#define LOOKUP_FOLLOW 0x1u		/* follow a final symlink */
#define LOOKUP_DIRECTORY 0x2u		/* the result must be a directory */
#define LOOKUP_EMPTY 0x4u		/* "" means the start itself */

enum last_type { LAST_NONE, LAST_NORM, LAST_DOT, LAST_DOTDOT };

struct walk_frame {
	const char *name;
	struct inode *link;
};

struct nameidata {
	const struct vfs_ctx *ctx;
	struct path root;		/* the caller's root, referenced */
	struct path path;		/* where the walk is, referenced */
	unsigned flags;			/* LOOKUP_* */
	unsigned nr_links;		/* symlinks followed so far */
	unsigned depth;			/* frames in use */
	const char *name;		/* rest of the string being walked */
	struct inode *link;		/* pins the body name points into, or NULL */
	struct walk_frame stack[MAXSYMLINKS];
	struct dname last;		/* final component (in nd->name's string) */
	enum last_type last_type;
	bool trailing_slash;		/* the final component had a '/' after it */
};

/* Start a walk of name from dir (NULL: cwd); checks PATH_MAX and emptiness. */
int nd_start(struct nameidata *nd, const struct vfs_ctx *ctx, const struct path *dir,
	     const char *name, unsigned flags);
void nd_done(struct nameidata *nd);
/* Walk everything but the final component. */
int link_path_walk(struct nameidata *nd);
/* Resolve the final component into nd->path; 1 means a symlink was picked
 * up and link_path_walk must run again. */
int lookup_last(struct nameidata *nd);
/* The whole resolution: walk, final component, symlinks, directory check. */
int path_lookupat(struct nameidata *nd);
/* child (a symlink) is to be followed: push its body; child is consumed. */
int pick_link(struct nameidata *nd, struct path *child);
/* Look name up in the locked directory parent (allocating a dentry). */
struct dentry *lookup_locked(struct dentry *parent, const char *name, u32 len);
int may_lookup(struct nameidata *nd);
/* Walk to the parent of the final component (for create/delete/rename). */
int path_parentat(struct nameidata *nd, const struct vfs_ctx *ctx, const struct path *dir,
		  const char *name);
int follow_dotdot(struct nameidata *nd);

/* ---- file.c / ops.c ---- */
bool mnt_is_readonly(const struct mount *m);
int may_create(const struct cred *c, struct inode *dir);
int may_delete(const struct cred *c, struct inode *dir, struct dentry *victim, bool isdir);
struct file *file_alloc(const struct path *p, const struct cred *c);
void touch_atime(struct file *f);
int vfs_do_truncate(struct dentry *d, u64 len, const struct cred *c, bool always_times);
u32 new_inode_gid(const struct cred *c, struct inode *dir);
u32 new_inode_mode(struct inode *dir, u32 mode, const struct cred *c);
/* Create name (a single component) in the directory dentry parent as a
 * kernel-internal operation (devfs nodes); the new dentry with a
 * reference, or an ERR_PTR. */
struct dentry *vfs_create_child(struct dentry *parent, const char *name,
				const struct inode_attrs *a);
/* For iterate implementations: "." and "..", positions 0 and 1. */
bool dir_emit_dots(struct file *f, struct dir_context *ctx);
unsigned dt_type(u32 mode);

/* ---- fs types ---- */
extern struct fs_type tmpfs_fs_type;
/* A tmpfs super block of type t (devfs is a tmpfs with its own name). */
int tmpfs_make_sb(struct fs_type *t, const char *options, struct super_block **out);
void devfs_init(void);
/* pipe.c: the internal filesystem of anonymous pipes, and the file
 * operations of every pipe and FIFO (open_resolved picks them for S_IFIFO). */
void pipefs_init(void);
extern const struct file_ops pipe_fops;
void random_init(void);
long random_read(void *buf, size_t n);
void random_mix(const void *buf, size_t n);

#endif
