/* hostfs, host half: the libc calls behind each hostfs operation, and the
 * one table that turns a host errno into the kernel's. Inodes are named by
 * O_PATH fds; an O_PATH fd is turned back into a usable file through its
 * /proc/self/fd link (the documented way to reopen, chmod, truncate or link
 * what an O_PATH fd names without its path or extra privileges). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <umka/arch.h>

#include "hostfs.h"

/* ---- errno ---------------------------------------------------------------- */

#define HOST_VALUE(e) e,
static const int host_errnos[] = { HOSTFS_ERRNOS(HOST_VALUE) };

int hostfs_errno(int host_errno)
{
	unsigned eio = 0;

	for (unsigned i = 0; i < sizeof(host_errnos) / sizeof(host_errnos[0]); i++) {
		if (host_errnos[i] == host_errno)
			return -hostfs_kernel_errnos[i];
		if (host_errnos[i] == EIO)
			eio = i;
	}
	return -hostfs_kernel_errnos[eio];
}

/* ---- Interrupts off around libc ---------------------------------------------
 * Nested use is fine: a caller that already runs with interrupts disabled
 * keeps them so. */

static bool host_enter(void)
{
	bool was = arch_irqs_disabled();

	if (!was)
		arch_irq_disable();
	return was;
}

static void host_leave(bool was)
{
	if (!was)
		arch_irq_enable();
}

/* r from a libc call that sets errno: 0 or the translated error. Called
 * before host_leave, so errno is still ours. */
static int host_ret(long r)
{
	return r < 0 ? hostfs_errno(errno) : 0;
}

static void fd_link(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* ---- Attributes ----------------------------------------------------------------- */

static void from_statx(const struct statx *sx, struct hostfs_stat *st)
{
	st->ino = sx->stx_ino;
	st->size = sx->stx_size;
	st->blocks = sx->stx_blocks;
	st->mode = sx->stx_mode;
	st->uid = sx->stx_uid;
	st->gid = sx->stx_gid;
	st->nlink = sx->stx_nlink;
	st->rdev_major = sx->stx_rdev_major;
	st->rdev_minor = sx->stx_rdev_minor;
	st->dev_major = sx->stx_dev_major;
	st->dev_minor = sx->stx_dev_minor;
	st->atime_sec = sx->stx_atime.tv_sec;
	st->atime_nsec = sx->stx_atime.tv_nsec;
	st->mtime_sec = sx->stx_mtime.tv_sec;
	st->mtime_nsec = sx->stx_mtime.tv_nsec;
	st->ctime_sec = sx->stx_ctime.tv_sec;
	st->ctime_nsec = sx->stx_ctime.tv_nsec;
	st->has_btime = (sx->stx_mask & STATX_BTIME) != 0;
	st->btime_sec = st->has_btime ? sx->stx_btime.tv_sec : 0;
	st->btime_nsec = st->has_btime ? sx->stx_btime.tv_nsec : 0;
}

static int fstat_locked(int fd, struct hostfs_stat *st)
{
	struct statx sx;
	int r = statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
		      STATX_BASIC_STATS | STATX_BTIME, &sx);

	if (r < 0)
		return hostfs_errno(errno);
	from_statx(&sx, st);
	return 0;
}

int hostfs_h_fstat(int fd, struct hostfs_stat *st)
{
	bool irq = host_enter();
	int r = fstat_locked(fd, st);

	host_leave(irq);
	return r;
}

int hostfs_h_stat_at(int dirfd, const char *name, struct hostfs_stat *st)
{
	struct statx sx;
	bool irq = host_enter();
	int r = host_ret(statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME,
			       &sx));

	if (!r)
		from_statx(&sx, st);
	host_leave(irq);
	return r;
}

int hostfs_h_check_dir(const char *path)
{
	struct stat st;
	bool irq;
	int r;

	if (path[0] != '/')
		return hostfs_errno(EINVAL);
	irq = host_enter();
	r = host_ret(stat(path, &st));
	if (!r && !S_ISDIR(st.st_mode))
		r = hostfs_errno(ENOTDIR);
	if (!r)
		r = host_ret(access(path, R_OK | X_OK));
	host_leave(irq);
	return r;
}

int hostfs_h_open_root(const char *path, int *fd)
{
	bool irq = host_enter();
	int r;

	*fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = host_ret(*fd);
	host_leave(irq);
	return r;
}

static int lookup_locked(int dirfd, const char *name, int *fd, struct hostfs_stat *st)
{
	int r;

	*fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return hostfs_errno(errno);
	r = fstat_locked(*fd, st);
	if (r) {
		close(*fd);
		*fd = -1;
	}
	return r;
}

int hostfs_h_lookup(int dirfd, const char *name, int *fd, struct hostfs_stat *st)
{
	bool irq = host_enter();
	int r = lookup_locked(dirfd, name, fd, st);

	host_leave(irq);
	return r;
}

/* ---- Namespace changes ------------------------------------------------------------ */

static int make_node(int dirfd, const char *name, mode_t mode, const char *link)
{
	mode_t perm = mode & 07777;
	int fd;

	switch (mode & S_IFMT) {
	case S_IFREG:
		fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, perm);
		if (fd < 0)
			return hostfs_errno(errno);
		close(fd);
		return 0;
	case S_IFDIR:
		return host_ret(mkdirat(dirfd, name, perm));
	case S_IFLNK:
		return host_ret(symlinkat(link, dirfd, name));
	case S_IFIFO:
	case S_IFSOCK:
		return host_ret(mknodat(dirfd, name, (mode & S_IFMT) | perm, 0));
	default:
		return hostfs_errno(EPERM);	/* device nodes need host privileges */
	}
}

int hostfs_h_create(int dirfd, const char *name, uint32_t mode, const char *link, int *fd,
		    struct hostfs_stat *st)
{
	char proc[32];
	bool irq = host_enter();
	int r = make_node(dirfd, name, mode, link);

	if (!r)
		r = lookup_locked(dirfd, name, fd, st);
	/* the host's umask may have cleared bits: set exactly what was asked */
	if (!r && !S_ISLNK(mode) && (st->mode & 07777) != (mode & 07777)) {
		fd_link(*fd, proc, sizeof(proc));
		r = host_ret(chmod(proc, mode & 07777));
		if (!r)
			r = fstat_locked(*fd, st);
		if (r) {
			close(*fd);
			*fd = -1;
			unlinkat(dirfd, name, S_ISDIR(mode) ? AT_REMOVEDIR : 0);
		}
	}
	host_leave(irq);
	return r;
}

int hostfs_h_unlink(int dirfd, const char *name, bool dir)
{
	bool irq = host_enter();
	int r = host_ret(unlinkat(dirfd, name, dir ? AT_REMOVEDIR : 0));

	host_leave(irq);
	return r;
}

int hostfs_h_rename(int odirfd, const char *oname, int ndirfd, const char *nname,
		    bool noreplace, bool exchange)
{
	unsigned flags = (noreplace ? RENAME_NOREPLACE : 0) | (exchange ? RENAME_EXCHANGE : 0);
	bool irq = host_enter();
	int r = host_ret(renameat2(odirfd, oname, ndirfd, nname, flags));

	host_leave(irq);
	return r;
}

int hostfs_h_link(int fd, int ndirfd, const char *nname)
{
	char proc[32];
	bool irq = host_enter();
	int r;

	fd_link(fd, proc, sizeof(proc));
	r = host_ret(linkat(AT_FDCWD, proc, ndirfd, nname, AT_SYMLINK_FOLLOW));
	host_leave(irq);
	return r;
}

/* readlinkat, NUL-terminated; "" names what an O_PATH dirfd names. */
static long readlink_nul(int dirfd, const char *path, char *buf, size_t size)
{
	bool irq = host_enter();
	long n = readlinkat(dirfd, path, buf, size - 1);

	if (n < 0)
		n = hostfs_errno(errno);
	else
		buf[n] = 0;
	host_leave(irq);
	return n;
}

long hostfs_h_readlink(int fd, char *buf, size_t size)
{
	return readlink_nul(fd, "", buf, size);
}

/* ---- Attributes changes ---------------------------------------------------------- */

int hostfs_h_chmod(int fd, uint32_t mode)
{
	char proc[32];
	bool irq = host_enter();
	int r;

	fd_link(fd, proc, sizeof(proc));
	r = host_ret(chmod(proc, mode & 07777));
	host_leave(irq);
	return r;
}

int hostfs_h_chown(int fd, uint32_t uid, uint32_t gid)
{
	bool irq = host_enter();
	int r = host_ret(fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));

	host_leave(irq);
	return r;
}

static struct timespec host_time(const struct hostfs_time *t)
{
	if (t->omit)
		return (struct timespec){ 0, UTIME_OMIT };
	if (t->now)
		return (struct timespec){ 0, UTIME_NOW };
	return (struct timespec){ t->sec, t->nsec };
}

int hostfs_h_utimens(int fd, const struct hostfs_time *atime, const struct hostfs_time *mtime)
{
	struct timespec ts[2] = { host_time(atime), host_time(mtime) };
	bool irq = host_enter();
	int r = host_ret(utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));

	host_leave(irq);
	return r;
}

int hostfs_h_truncate(int fd, uint64_t size)
{
	char proc[32];
	bool irq;
	int r;

	if (size > INT64_MAX)
		return hostfs_errno(EFBIG);
	irq = host_enter();
	fd_link(fd, proc, sizeof(proc));
	r = host_ret(truncate(proc, (off_t)size));
	host_leave(irq);
	return r;
}

/* ---- Data --------------------------------------------------------------------------- */

int hostfs_h_reopen(int fd, enum hostfs_access acc, bool dir, int *out)
{
	int flags = acc == HOSTFS_RDWR ? O_RDWR : acc == HOSTFS_WRITE ? O_WRONLY : O_RDONLY;
	char proc[32];
	bool irq = host_enter();
	int r;

	fd_link(fd, proc, sizeof(proc));
	do
		*out = open(proc, flags | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	while (*out < 0 && errno == EINTR);
	r = host_ret(*out);
	host_leave(irq);
	return r;
}

static long host_rw(int fd, void *buf, size_t n, uint64_t off, bool write)
{
	bool irq = host_enter();
	ssize_t r;

	do
		r = write ? pwrite(fd, buf, n, (off_t)off) : pread(fd, buf, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		r = hostfs_errno(errno);
	host_leave(irq);
	return (long)r;
}

long hostfs_h_pread(int fd, void *buf, size_t n, uint64_t off)
{
	return host_rw(fd, buf, n, off, false);
}

long hostfs_h_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
	return host_rw(fd, (void *)buf, n, off, true);	/* pwrite only reads it */
}

int hostfs_h_fsync(int fd, bool datasync)
{
	bool irq = host_enter();
	int r = host_ret(datasync ? fdatasync(fd) : fsync(fd));

	host_leave(irq);
	return r;
}

long hostfs_h_getdents(int fd, uint64_t pos, void *buf, size_t n)
{
	bool irq = host_enter();
	long r = host_ret(lseek(fd, (off_t)pos, SEEK_SET));

	if (!r) {
		r = syscall(SYS_getdents64, fd, buf, n);
		if (r < 0)
			r = hostfs_errno(errno);
	}
	host_leave(irq);
	return r;
}

int hostfs_h_statfs(int fd, struct hostfs_statfs *st)
{
	struct statfs s;
	bool irq = host_enter();
	int r = host_ret(fstatfs(fd, &s));

	host_leave(irq);
	if (r)
		return r;
	st->magic = (uint64_t)s.f_type;
	st->bsize = (uint64_t)s.f_bsize;
	st->blocks = s.f_blocks;
	st->bfree = s.f_bfree;
	st->bavail = s.f_bavail;
	st->files = s.f_files;
	st->ffree = s.f_ffree;
	st->namelen = (uint64_t)s.f_namelen;
	return 0;
}

void hostfs_h_close(int fd)
{
	bool irq;

	if (fd < 0)
		return;
	irq = host_enter();
	close(fd);
	host_leave(irq);
}

int hostfs_h_count_fds(void)
{
	bool irq = host_enter();
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d) {
		n = hostfs_errno(errno);
	} else {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
		n--;	/* the directory's own fd */
	}
	host_leave(irq);
	return n;
}

/* ---- For the hostfs ktest: the host side of what it checks ------------------------ */

int hostfs_t_mkdtemp(char *buf, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	bool irq = host_enter();
	int r = 0;

	snprintf(buf, size, "%s/umka-hostfs-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (!mkdtemp(buf))
		r = hostfs_errno(errno);
	host_leave(irq);
	return r;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (type == FTW_DP)
		chmod(path, 0700);	/* a test may have left it read-only */
	return remove(path) ? -1 : 0;
}

int hostfs_t_rmtree(const char *path)
{
	bool irq = host_enter();
	int r = host_ret(nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS));

	host_leave(irq);
	return r;
}

int hostfs_t_write(const char *path, const void *data, size_t len)
{
	bool irq = host_enter();
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r;

	r = host_ret(fd);
	if (!r && write(fd, data, len) != (ssize_t)len)
		r = hostfs_errno(EIO);
	if (fd >= 0)
		close(fd);
	host_leave(irq);
	return r;
}

long hostfs_t_pread(const char *path, void *buf, size_t len, uint64_t off)
{
	bool irq = host_enter();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long r = host_ret(fd);

	if (!r) {
		r = pread(fd, buf, len, (off_t)off);
		if (r < 0)
			r = hostfs_errno(errno);
		close(fd);
	}
	host_leave(irq);
	return r;
}

int hostfs_t_stat(const char *path, struct hostfs_stat *st)
{
	struct statx sx;
	bool irq = host_enter();
	int r = host_ret(statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW,
			       STATX_BASIC_STATS | STATX_BTIME, &sx));

	if (!r)
		from_statx(&sx, st);
	host_leave(irq);
	return r;
}

long hostfs_t_readlink(const char *path, char *buf, size_t size)
{
	return readlink_nul(AT_FDCWD, path, buf, size);
}

int hostfs_t_mkdir(const char *path, uint32_t mode)
{
	bool irq = host_enter();
	int r = host_ret(mkdir(path, mode));

	if (!r)
		r = host_ret(chmod(path, mode));	/* past the umask */
	host_leave(irq);
	return r;
}

int hostfs_t_chmod(const char *path, uint32_t mode)
{
	bool irq = host_enter();
	int r = host_ret(chmod(path, mode));

	host_leave(irq);
	return r;
}

int hostfs_t_symlink(const char *target, const char *path)
{
	bool irq = host_enter();
	int r = host_ret(symlink(target, path));

	host_leave(irq);
	return r;
}

int hostfs_t_link(const char *old, const char *new)
{
	bool irq = host_enter();
	int r = host_ret(link(old, new));

	host_leave(irq);
	return r;
}

int hostfs_t_unlink(const char *path)
{
	bool irq = host_enter();
	int r = host_ret(unlink(path));

	host_leave(irq);
	return r;
}

int hostfs_t_rename(const char *old, const char *new)
{
	bool irq = host_enter();
	int r = host_ret(rename(old, new));

	host_leave(irq);
	return r;
}

uint32_t hostfs_t_euid(void)
{
	return geteuid();
}

uint32_t hostfs_t_egid(void)
{
	return getegid();
}

int64_t hostfs_t_now_sec(void)
{
	struct timespec t;
	bool irq = host_enter();

	clock_gettime(CLOCK_REALTIME, &t);
	host_leave(irq);
	return t.tv_sec;
}

int hostfs_t_unknown_errno(void)
{
	return hostfs_errno(EHWPOISON);	/* not in the table */
}
