/* File descriptor tables: a process's map from small integers to open file
 * descriptions, with the close-on-exec bit per descriptor. New descriptors
 * are always the lowest free number; numbers at or above the table's limit
 * (RLIMIT_NOFILE) are refused. Shared by threads (CLONE_FILES), copied by
 * fork. All state is under the table's spinlock; files are referenced, so a
 * descriptor closed by another thread never frees a file still in use. */
#ifndef UMKA_FDTABLE_H
#define UMKA_FDTABLE_H

#include <umka/atomic.h>
#include <umka/spinlock.h>
#include <umka/types.h>

struct file;
struct path;
struct vfs_ctx;

#define FD_LIMIT_DEFAULT 1024		/* RLIMIT_NOFILE soft default */
#define FD_LIMIT_MAX (1U << 20)		/* fs.nr_open */

struct fd_table {
	struct spinlock lock;
	struct atomic refs;
	unsigned capacity;		/* slots in files/cloexec, under lock */
	unsigned limit;			/* descriptors must be < limit, under lock */
	unsigned next_free;		/* every fd below is in use, under lock */
	unsigned nr_open;		/* installed descriptors, under lock */
	struct file **files;		/* under lock */
	unsigned long *cloexec;		/* bitmap, under lock */
};

struct fd_table *fd_table_create(void);
/* fork: a new table with the same descriptors (each file referenced again). */
struct fd_table *fd_table_clone(struct fd_table *t);
void fd_table_get(struct fd_table *t);
void fd_table_put(struct fd_table *t);	/* the last put closes everything */

/* Install f at the lowest free descriptor >= min; the table takes over the
 * caller's reference only on success. flags: O_CLOEXEC. -EMFILE if none
 * below the limit, -EINVAL if min >= limit, -ENOMEM. */
int fd_install(struct fd_table *t, struct file *f, unsigned flags);
int fd_install_min(struct fd_table *t, struct file *f, unsigned min, unsigned flags);
/* The file at fd with a new reference, or NULL (-EBADF to the caller). */
struct file *fd_get(struct fd_table *t, int fd);
int fd_close(struct fd_table *t, int fd);		/* 0 or -EBADF */
int fd_dup(struct fd_table *t, int oldfd);		/* lowest free, cloexec clear */
int fd_dupfd(struct fd_table *t, int oldfd, unsigned min, bool cloexec);	/* F_DUPFD* */
int fd_dup2(struct fd_table *t, int oldfd, int newfd);
int fd_dup3(struct fd_table *t, int oldfd, int newfd, unsigned flags);
int fd_get_flags(struct fd_table *t, int fd);		/* F_GETFD: FD_CLOEXEC or 0 */
int fd_set_flags(struct fd_table *t, int fd, unsigned flags);	/* F_SETFD */
void fd_close_on_exec(struct fd_table *t);
int fd_set_limit(struct fd_table *t, unsigned limit);	/* -EINVAL above FD_LIMIT_MAX */
unsigned fd_count(struct fd_table *t);

/* The starting point of an *at() call: AT_FDCWD gives the ctx's working
 * directory, otherwise the open file's path (references taken; path_put
 * it). -EBADF for a bad dirfd. */
int fd_at_path(struct fd_table *t, const struct vfs_ctx *ctx, int dirfd, struct path *out);

#endif
