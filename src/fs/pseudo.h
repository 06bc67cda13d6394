/* The shared engine of the synthetic filesystems (procfs, umkafs): trees
 * whose directories are listed by callbacks and whose files are generated
 * when opened. Nothing is stored: a lookup asks the directory's lister for
 * the name and makes a fresh inode for it, and the dentry is dropped from
 * the cache at once, so an object that goes away (a task that exits)
 * disappears from the next walk. Private to src/fs/. */
#ifndef FS_PSEUDO_H
#define FS_PSEUDO_H

#include "vfs_internal.h"

#define PSEUDO_NAME_LEN 64

struct pseudo_type;

/* What one inode of a synthetic tree stands for. */
struct pseudo_node {
	const struct pseudo_type *type;
	const void *ptr;		/* the type's own (umkafs: the kind) */
	u64 key;			/* a number (tid, mount id) */
	char obj[PSEUDO_NAME_LEN];	/* the object a file belongs to (umkafs) */
	char name[PSEUDO_NAME_LEN];	/* the entry's name in its directory */
};

/* A growing text buffer for file contents; printing past its end marks
 * it overflowed and the generator is run again with a bigger one. */
struct pbuf {
	char *data;
	size_t len, cap;
	bool overflow;
};
void pbuf_printf(struct pbuf *b, const char *fmt, ...) __printf(2, 3);
void pbuf_write(struct pbuf *b, const char *s, size_t n);

/* A directory listing under way: fill() adds one child. fill never sleeps
 * or allocates, so listers may call it under spinlocks. */
struct pseudo_fill;
void pseudo_fill(struct pseudo_fill *pf, const struct pseudo_node *child);
/* Shorthand: a child of type t named name, with ptr/key/obj from parent. */
void pseudo_fill_simple(struct pseudo_fill *pf, const struct pseudo_node *parent,
			const struct pseudo_type *t, const char *name);

struct pseudo_type {
	u32 mode;			/* S_IFDIR | 0555, S_IFREG | 0444 (0644 with
					 * store), S_IFLNK | 0777 */
	/* Directories: fill every child of dir. */
	void (*list)(const struct pseudo_node *dir, struct pseudo_fill *pf);
	/* Regular files: the contents; a negative errno fails the open
	 * (-ENOENT: the object has gone). */
	int (*show)(const struct pseudo_node *n, struct pbuf *b);
	/* Writable regular files (mode with a write bit): apply val, the
	 * whole value written in one write(2) at offset 0, NUL-terminated,
	 * one trailing newline removed. 0 or a negative errno for the write
	 * to return. May sleep. */
	int (*store)(const struct pseudo_node *n, const char *val);
	/* Symlinks: the target, NUL-terminated. */
	void (*link)(const struct pseudo_node *n, char *buf, size_t size);
};

/* A super block whose root directory is root (mode from root->type). */
int pseudo_make_sb(struct fs_type *t, const struct pseudo_node *root, u64 magic,
		   struct super_block **out);

/* ---- Shared by procfs and umkafs (procfs.c) ---- */

/* What the files of one task show, copied under the task list lock. */
struct task_snap {
	int tid;
	bool found;
	char name[16];
	int state, policy, rt_prio, nice;
	unsigned cpu;
	u64 switches, runtime_ns;
};
/* The task numbered tid, or false if it is gone. */
bool procfs_task_snap(int tid, struct task_snap *s);
/* Every mount, each with a reference: an array for procfs_put_mounts. */
long procfs_collect_mounts(struct mount ***out);
void procfs_put_mounts(struct mount **v, long n);

/* What a kind's list callback passes to the walker it calls: the fill
 * function and argument umkafs gave it (umkafs.c, umkafs_trace.c). */
struct name_fill {
	void (*fill)(void *arg, const char *name);
	void *arg;
};

extern struct fs_type procfs_fs_type, umkafs_fs_type;
void umkafs_init(void);
void umkafs_trace_init(void);	/* tracepoints/ and trace/ (umkafs_trace.c) */

#endif
