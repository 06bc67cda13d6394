/* Kernel-internal conveniences over the VFS for code that builds a tree
 * (the initramfs unpacker) and for tests: root credentials, umask 0, paths
 * from the kernel's root. Each is a thin composition of vfs_* calls. */
#include <umka/errno.h>
#include <umka/slab.h>
#include <umka/string.h>

#include "vfs_internal.h"

static const struct vfs_ctx *k(void)
{
	return vfs_kernel_ctx();
}

int kvfs_mkdir_p(const char *path, u32 mode)
{
	size_t len = strlen(path), i;
	struct statx st;
	char *buf;
	int err = 0;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	buf = kmalloc(len + 1, 0);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, path, len + 1);
	/* each prefix ending before a '/' (and the whole path) in turn */
	for (i = 1; i <= len && !err; i++) {
		if (i < len && buf[i] != '/')
			continue;
		if (i < len && buf[i - 1] == '/')
			continue;	/* repeated slashes */
		buf[i] = 0;
		err = vfs_mkdirat(k(), NULL, buf, mode);
		if (err == -EEXIST) {
			err = vfs_statx(k(), NULL, buf, 0, STATX_TYPE, &st);
			if (!err && !S_ISDIR(st.stx_mode))
				err = -ENOTDIR;
		}
		if (i < len)
			buf[i] = '/';
	}
	kfree(buf);
	return err;
}

int kvfs_write_file(const char *path, u32 mode, const void *data, size_t len)
{
	struct file *f;
	size_t done = 0;
	int err;

	/* never through a final symlink: an archive cannot aim a write */
	err = vfs_openat(k(), NULL, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode, &f);
	if (err)
		return err;
	while (done < len) {
		long n = vfs_write(f, (const char *)data + done, len - done);

		if (n < 0) {
			err = (int)n;
			break;
		}
		done += (size_t)n;
	}
	/* an existing file keeps its mode through O_CREAT: set it exactly */
	if (!err)
		err = vfs_fchmod(k(), f, mode);
	file_put(f);
	return err;
}

long kvfs_read_file(const char *path, void *buf, size_t len, s64 off)
{
	struct file *f;
	long n;
	int err = vfs_openat(k(), NULL, path, O_RDONLY, 0, &f);

	if (err)
		return err;
	n = vfs_pread(f, buf, len, off);
	file_put(f);
	return n;
}

int kvfs_symlink(const char *target, const char *path)
{
	return vfs_symlinkat(k(), target, NULL, path);
}

int kvfs_mknod(const char *path, u32 mode, u32 dev)
{
	return vfs_mknodat(k(), NULL, path, mode, dev);
}

int kvfs_link(const char *oldpath, const char *newpath)
{
	return vfs_linkat(k(), NULL, oldpath, NULL, newpath, 0);
}

int kvfs_unlink(const char *path)
{
	return vfs_unlinkat(k(), NULL, path, 0);
}

int kvfs_rmdir(const char *path)
{
	return vfs_rmdir(k(), NULL, path);
}

int kvfs_chmod(const char *path, u32 mode)
{
	return vfs_fchmodat(k(), NULL, path, mode, 0);
}

int kvfs_lchown(const char *path, u32 uid, u32 gid)
{
	return vfs_fchownat(k(), NULL, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

int kvfs_set_times(const char *path, s64 sec, long nsec)
{
	struct timespec64 t[2] = { { sec, nsec }, { sec, nsec } };

	return vfs_utimensat(k(), NULL, path, t, AT_SYMLINK_NOFOLLOW);
}

int kvfs_stat(const char *path, struct statx *st)
{
	return vfs_statx(k(), NULL, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, st);
}

int kvfs_set_attrs(const char *path, u32 uid, u32 gid, u32 mode, s64 mtime_sec, long mtime_nsec)
{
	struct statx st;
	int err;

	/* chown first: it clears set-user-ID, which the mode then restores */
	err = vfs_fchownat(k(), NULL, path, uid, gid, AT_SYMLINK_NOFOLLOW);
	if (!err)
		err = kvfs_stat(path, &st);
	if (!err && !S_ISLNK(st.stx_mode))
		err = vfs_fchmodat(k(), NULL, path, mode, AT_SYMLINK_NOFOLLOW);
	if (!err)
		err = kvfs_set_times(path, mtime_sec, mtime_nsec);
	return err;
}
