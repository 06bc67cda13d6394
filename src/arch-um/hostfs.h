/* hostfs's two halves: hostfs_host.c makes the host calls (host headers
 * only), hostfs.c is the filesystem the VFS sees (kernel headers only).
 * Between them only fixed-width types pass, and every error is already a
 * negative *kernel* errno, translated once by hostfs_errno().
 *
 * Every function here runs its host calls with interrupts disabled: kernel
 * threads share one host thread, so a preemption between a libc call and
 * its errno, or inside a libc lock, would hand them to another thread. A
 * host call that blocks (a slow disk, a network mount) blocks the vCPU. */
#ifndef UM_HOSTFS_H
#define UM_HOSTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The errno values hostfs translates, by name: each half expands the list
 * with its own headers' numbers, so the table pairs host and kernel values
 * without either side knowing the other's. Anything else becomes EIO. */
#define HOSTFS_ERRNOS(X)                                                              \
	X(EPERM) X(ENOENT) X(EINTR) X(EIO) X(ENXIO) X(E2BIG) X(EBADF) X(EAGAIN)       \
	X(ENOMEM) X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST) X(EXDEV) X(ENODEV)           \
	X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) X(EMFILE) X(ETXTBSY) X(EFBIG)        \
	X(ENOSPC) X(ESPIPE) X(EROFS) X(EMLINK) X(EPIPE) X(ERANGE) X(ENAMETOOLONG)     \
	X(ENOSYS) X(ENOTEMPTY) X(ELOOP) X(ENODATA) X(EOVERFLOW) X(EOPNOTSUPP)        \
	X(ETIMEDOUT) X(ESTALE) X(EDQUOT)

/* hostfs.c: the kernel's value of each name, in HOSTFS_ERRNOS order. */
extern const int hostfs_kernel_errnos[];
/* hostfs_host.c: a host errno as a negative kernel errno (-EIO if unknown). */
int hostfs_errno(int host_errno);

/* What the host's statx says of a file. The type bits of mode are the
 * same S_IFMT numbers on both sides (both are the Linux ABI). */
struct hostfs_stat {
	uint64_t ino, size, blocks;
	uint32_t mode, uid, gid, nlink;
	uint32_t rdev_major, rdev_minor;
	uint32_t dev_major, dev_minor;	/* the host filesystem holding it */
	int64_t atime_sec, mtime_sec, ctime_sec, btime_sec;
	uint32_t atime_nsec, mtime_nsec, ctime_nsec, btime_nsec;
	bool has_btime;
};

struct hostfs_statfs {
	uint64_t magic, bsize, blocks, bfree, bavail, files, ffree, namelen;
};

/* How to open a file's data (the kernel's O_* are mapped by the caller). */
enum hostfs_access { HOSTFS_READ = 1, HOSTFS_WRITE = 2, HOSTFS_RDWR = 3 };

/* A host directory given by absolute path: 0, or -ENOENT/-ENOTDIR/
 * -EINVAL (relative)/-EACCES... for messages before anything is mounted. */
int hostfs_h_check_dir(const char *path);
/* An O_PATH fd on the directory path (the mount's root). */
int hostfs_h_open_root(const char *path, int *fd);
/* statx of the file an O_PATH fd names (never following a symlink). */
int hostfs_h_fstat(int fd, struct hostfs_stat *st);
/* name in the directory dirfd: an O_PATH fd on it (not following a
 * symlink) and its attributes. */
int hostfs_h_lookup(int dirfd, const char *name, int *fd, struct hostfs_stat *st);
/* What the host has at dirfd/name now, not following a final symlink. */
int hostfs_h_stat_at(int dirfd, const char *name, struct hostfs_stat *st);
/* Make name in dirfd: a regular file, directory, symlink (to link), FIFO or
 * socket of permission bits mode & 07777 (exact: the host umask is undone).
 * Then as hostfs_h_lookup. */
int hostfs_h_create(int dirfd, const char *name, uint32_t mode, const char *link, int *fd,
		    struct hostfs_stat *st);
int hostfs_h_unlink(int dirfd, const char *name, bool dir);
/* renameat2; noreplace: fail with EEXIST rather than replace. */
int hostfs_h_rename(int odirfd, const char *oname, int ndirfd, const char *nname,
		    bool noreplace, bool exchange);
/* A new name for the file fd names (not a directory). */
int hostfs_h_link(int fd, int ndirfd, const char *nname);
/* A symlink's target into buf (NUL-terminated); its length. */
long hostfs_h_readlink(int fd, char *buf, size_t size);
int hostfs_h_chmod(int fd, uint32_t mode);
int hostfs_h_chown(int fd, uint32_t uid, uint32_t gid);	/* (uint32_t)-1: keep */
/* Times: each either explicit, "now" or left alone (omit). */
struct hostfs_time {
	int64_t sec;
	uint32_t nsec;
	bool now, omit;
};
int hostfs_h_utimens(int fd, const struct hostfs_time *atime, const struct hostfs_time *mtime);
int hostfs_h_truncate(int fd, uint64_t size);
/* A new fd for I/O on the file (or directory) the O_PATH fd names. */
int hostfs_h_reopen(int fd, enum hostfs_access acc, bool dir, int *out);
long hostfs_h_pread(int fd, void *buf, size_t n, uint64_t off);
long hostfs_h_pwrite(int fd, const void *buf, size_t n, uint64_t off);
int hostfs_h_fsync(int fd, bool datasync);
/* getdents64 records from directory position pos on (the host's d_off
 * cookies); bytes read, 0 at the end. */
long hostfs_h_getdents(int fd, uint64_t pos, void *buf, size_t n);
int hostfs_h_statfs(int fd, struct hostfs_statfs *st);
void hostfs_h_close(int fd);
/* Open host fds of this process (for leak checks in tests). */
int hostfs_h_count_fds(void);

/* For the hostfs ktest: host-side operations on host paths, errors as
 * negative kernel errnos, to set up and check what the kernel did. */
int hostfs_t_mkdtemp(char *buf, size_t size);	/* $TMPDIR or /tmp */
int hostfs_t_rmtree(const char *path);
int hostfs_t_write(const char *path, const void *data, size_t len);
long hostfs_t_pread(const char *path, void *buf, size_t len, uint64_t off);
int hostfs_t_stat(const char *path, struct hostfs_stat *st);	/* no follow */
long hostfs_t_readlink(const char *path, char *buf, size_t size);
int hostfs_t_mkdir(const char *path, uint32_t mode);
int hostfs_t_chmod(const char *path, uint32_t mode);
int hostfs_t_symlink(const char *target, const char *path);
int hostfs_t_link(const char *old, const char *new);
int hostfs_t_unlink(const char *path);
int hostfs_t_rename(const char *old, const char *new);
uint32_t hostfs_t_euid(void);
uint32_t hostfs_t_egid(void);
int64_t hostfs_t_now_sec(void);
int hostfs_t_unknown_errno(void);	/* a host errno outside the table */

#endif
