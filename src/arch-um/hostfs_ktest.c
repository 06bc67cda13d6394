/* ktest suite `hostfs`: a fresh host temp directory mounted through the
 * in-kernel mount API (what `mount -t hostfs` will call), every operation
 * done from the kernel and checked from the host side (and the other way
 * round), the errno mapping, and no host fd left open afterwards. The case
 * boot_mount does what tests/hostfs-boot.sh then checks on the host. */
#include <umka/cmdline.h>
#include <umka/errno.h>
#include <umka/kernel.h>
#include <umka/ktest.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/vfs.h>

#include "hostfs.h"
#include "um.h"

#define K vfs_kernel_ctx()
#define GUEST "/kt-hostfs"
#define HOSTFS_MAGIC 0x00c0ffee
#define GIB (1ULL << 30)

struct fix {
	char host[200];
	char h[3][300];		/* host paths (hp) */
	char g[3][300];		/* guest paths (gp) */
};

static const char *hp(struct fix *f, int slot, const char *rel)
{
	ksnprintf(f->h[slot], sizeof(f->h[slot]), "%s/%s", f->host, rel);
	return f->h[slot];
}

static const char *gp(struct fix *f, int slot, const char *rel)
{
	ksnprintf(f->g[slot], sizeof(f->g[slot]), GUEST "/%s", rel);
	return f->g[slot];
}

static struct file *kopen(const char *path, int flags, u32 mode)
{
	struct file *file;

	return vfs_openat(K, NULL, path, flags, mode, &file) ? NULL : file;
}

static int kstat(const char *path, struct statx *st)
{
	return vfs_statx(K, NULL, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, st);
}

/* A fresh host directory mounted at GUEST around body; the host fds open
 * before and after must be the same. */
static void with_mount(struct ktest *t, void (*body)(struct ktest *t, struct fix *f))
{
	struct fix *f = kzalloc(sizeof(*f), 0);
	int fds = hostfs_h_count_fds();

	KT_ASSERT(t, f && fds > 0);
	if (KT_EXPECT_EQ(t, hostfs_t_mkdtemp(f->host, sizeof(f->host)), 0)) {
		KT_EXPECT_EQ(t, kvfs_mkdir_p(GUEST, 0755), 0);
		if (KT_EXPECT_EQ(t, vfs_mount(K, f->host, GUEST, "hostfs", 0, NULL), 0)) {
			body(t, f);
			KT_EXPECT_EQ(t, vfs_umount(K, GUEST, 0), 0);
		}
		KT_EXPECT_EQ(t, kvfs_rmdir(GUEST), 0);
		KT_EXPECT_EQ(t, hostfs_t_rmtree(f->host), 0);
	}
	kfree(f);
	KT_EXPECT_EQ(t, hostfs_h_count_fds(), fds);
}

static bool host_exists(const char *path)
{
	struct hostfs_stat st;

	return hostfs_t_stat(path, &st) == 0;
}

/* ---- What the host made, seen by the kernel -------------------------------------- */

static void sees_host_files_body(struct ktest *t, struct fix *f)
{
	struct hostfs_stat hs;
	struct statx st, st2;
	struct vfs_statfs sfs;
	struct path p;
	char buf[64];

	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "a"), "hello host", 10) == 0);
	KT_ASSERT(t, hostfs_t_mkdir(hp(f, 0, "d"), 0750) == 0);
	KT_ASSERT(t, hostfs_t_mkdir(hp(f, 0, "d/e"), 0755) == 0);
	KT_ASSERT(t, hostfs_t_symlink("a", hp(f, 0, "l")) == 0);

	KT_ASSERT(t, hostfs_t_stat(hp(f, 0, "a"), &hs) == 0);
	KT_ASSERT(t, kstat(gp(f, 0, "a"), &st) == 0);
	KT_EXPECT_EQ(t, st.stx_size, 10);
	KT_EXPECT_EQ(t, st.stx_mode, S_IFREG | 0644);
	KT_EXPECT_EQ(t, st.stx_ino, hs.ino);
	KT_EXPECT_EQ(t, st.stx_nlink, hs.nlink);
	KT_EXPECT_EQ(t, st.stx_uid, hs.uid);
	KT_EXPECT_EQ(t, st.stx_gid, hs.gid);
	KT_EXPECT_EQ(t, st.stx_blocks, hs.blocks);
	KT_EXPECT_EQ(t, st.stx_mtime.tv_sec, hs.mtime_sec);
	KT_EXPECT_EQ(t, st.stx_mtime.tv_nsec, hs.mtime_nsec);
	KT_EXPECT_EQ(t, st.stx_ctime.tv_nsec, hs.ctime_nsec);
	KT_EXPECT_EQ(t, kvfs_read_file(gp(f, 0, "a"), buf, sizeof(buf), 0), 10);
	KT_EXPECT(t, !memcmp(buf, "hello host", 10));

	KT_ASSERT(t, hostfs_t_stat(hp(f, 0, "d"), &hs) == 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "d"), &st), 0);
	KT_EXPECT_EQ(t, st.stx_mode, S_IFDIR | 0750);
	KT_EXPECT_EQ(t, st.stx_nlink, hs.nlink);
	KT_EXPECT_EQ(t, st.stx_ino, hs.ino);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "d/e"), &st), 0);

	KT_EXPECT_EQ(t, kstat(gp(f, 0, "l"), &st), 0);
	KT_EXPECT(t, S_ISLNK(st.stx_mode));
	KT_EXPECT_EQ(t, vfs_readlinkat(K, NULL, gp(f, 0, "l"), buf, sizeof(buf)), 1);
	KT_EXPECT_EQ(t, buf[0], 'a');
	KT_EXPECT_EQ(t, vfs_statx(K, NULL, gp(f, 0, "l"), 0, STATX_BASIC_STATS, &st), 0);
	KT_EXPECT(t, S_ISREG(st.stx_mode));	/* followed */

	KT_ASSERT(t, vfs_lookup(K, NULL, GUEST, 0, &p) == 0);
	KT_EXPECT_EQ(t, vfs_statfs(&p, &sfs), 0);
	KT_EXPECT_EQ(t, sfs.magic, HOSTFS_MAGIC);
	KT_EXPECT(t, sfs.bsize > 0 && sfs.namelen > 0);
	path_put(&p);

	/* coherence: a name looked up and missed is found once the host makes
	 * it; attributes changed by the host show on the next stat */
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "late"), &st), -ENOENT);
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "late"), "xyz", 3) == 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "late"), &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, 3);
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "late"), "longer now", 10) == 0);
	KT_ASSERT(t, hostfs_t_chmod(hp(f, 0, "late"), 0604) == 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "late"), &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, 10);
	KT_EXPECT_EQ(t, st.stx_mode, S_IFREG | 0604);

	/* a host hard link to a file the kernel knows is the same inode */
	KT_ASSERT(t, hostfs_t_link(hp(f, 0, "late"), hp(f, 1, "late2")) == 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "late2"), &st2), 0);
	KT_EXPECT_EQ(t, st2.stx_ino, st.stx_ino);
	KT_EXPECT_EQ(t, st2.stx_nlink, 2);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "late"), &st), 0);
	KT_EXPECT_EQ(t, st.stx_nlink, 2);
}

static void sees_host_files(struct ktest *t)
{
	with_mount(t, sees_host_files_body);
}

/* The host changes names the kernel has cached: unlinks one, replaces
 * another the way editors save (write a new file, rename it over the old).
 * Every lookup asks the host whether the cached name still means the same
 * file (d_revalidate), so the kernel sees the change at once; a file the
 * kernel already has open keeps its old content, as on Linux. The old
 * file's number is not reused meanwhile: the kernel's O_PATH fd keeps it. */
static void unlinked_behind_body(struct ktest *t, struct fix *f)
{
	struct hostfs_stat old, now;
	struct file *open_old;
	struct statx st;
	char buf[16];

	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "old"), "old!", 4) == 0);
	KT_ASSERT(t, hostfs_t_stat(hp(f, 0, "old"), &old) == 0);
	KT_ASSERT(t, kstat(gp(f, 0, "old"), &st) == 0);
	KT_ASSERT(t, hostfs_t_unlink(hp(f, 0, "old")) == 0);
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "new"), "fresh", 5) == 0);
	KT_ASSERT(t, hostfs_t_stat(hp(f, 0, "new"), &now) == 0);
	KT_EXPECT(t, now.ino != old.ino);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "new"), &st), 0);
	KT_EXPECT_EQ(t, st.stx_ino, now.ino);
	KT_EXPECT_EQ(t, kvfs_read_file(gp(f, 0, "new"), buf, sizeof(buf), 0), 5);
	KT_EXPECT(t, !memcmp(buf, "fresh", 5));
	/* the cached name of the unlinked file is gone */
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "old"), &st), -ENOENT);

	/* an editor's save: new content renamed over "doc" */
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "doc"), "v1", 2) == 0);
	KT_EXPECT_EQ(t, kvfs_read_file(gp(f, 0, "doc"), buf, sizeof(buf), 0), 2);
	open_old = kopen(gp(f, 0, "doc"), O_RDONLY, 0);
	KT_ASSERT(t, open_old != NULL);
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "doc.tmp"), "version 2", 9) == 0);
	KT_ASSERT(t, hostfs_t_rename(hp(f, 0, "doc.tmp"), hp(f, 1, "doc")) == 0);
	KT_EXPECT_EQ(t, kvfs_read_file(gp(f, 0, "doc"), buf, sizeof(buf), 0), 9);
	KT_EXPECT(t, !memcmp(buf, "version 2", 9));
	KT_EXPECT_EQ(t, vfs_pread(open_old, buf, sizeof(buf), 0), 2);
	KT_EXPECT(t, !memcmp(buf, "v1", 2));
	file_put(open_old);
	/* and a directory replaced by a file of the same name */
	KT_ASSERT(t, hostfs_t_mkdir(hp(f, 0, "dir"), 0755) == 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "dir"), &st), 0);
	KT_EXPECT(t, S_ISDIR(st.stx_mode));
	KT_ASSERT(t, hostfs_t_rmtree(hp(f, 0, "dir")) == 0);
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "dir"), "f", 1) == 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "dir"), &st), 0);
	KT_EXPECT(t, S_ISREG(st.stx_mode));
}

static void unlinked_behind(struct ktest *t)
{
	with_mount(t, unlinked_behind_body);
}

/* ---- The mount API ------------------------------------------------------------------ */

static void mount_api(struct ktest *t)
{
	char host[200], file[260];
	int fds = hostfs_h_count_fds();
	struct file *fl;

	KT_ASSERT(t, hostfs_t_mkdtemp(host, sizeof(host)) == 0);
	ksnprintf(file, sizeof(file), "%s/plain", host);
	KT_ASSERT(t, hostfs_t_write(file, "x", 1) == 0);
	KT_ASSERT(t, kvfs_mkdir_p(GUEST, 0755) == 0);
	KT_EXPECT_EQ(t, vfs_mount(K, "relative/dir", GUEST, "hostfs", 0, NULL), -EINVAL);
	KT_EXPECT_EQ(t, vfs_mount(K, "/nonexistent-umka-hostfs", GUEST, "hostfs", 0, NULL),
		     -ENOENT);
	KT_EXPECT_EQ(t, vfs_mount(K, file, GUEST, "hostfs", 0, NULL), -ENOTDIR);
	KT_EXPECT_EQ(t, vfs_mount(K, host, GUEST, "hostfs", 0, "size=1M"), -EINVAL);
	KT_ASSERT(t, vfs_mount(K, host, GUEST, "hostfs", 0, NULL) == 0);
	fl = kopen(GUEST "/plain", O_RDONLY, 0);
	KT_EXPECT(t, fl != NULL);
	KT_EXPECT_EQ(t, vfs_umount(K, GUEST, 0), -EBUSY);
	file_put(fl);
	/* two mounts of one directory are two super blocks */
	KT_EXPECT_EQ(t, kvfs_mkdir_p(GUEST "2", 0755), 0);
	KT_EXPECT_EQ(t, vfs_mount(K, host, GUEST "2", "hostfs", 0, NULL), 0);
	KT_EXPECT_EQ(t, kvfs_write_file(GUEST "2/via2", 0600, "2", 1), 0);
	KT_EXPECT_EQ(t, kvfs_read_file(GUEST "/via2", file, 1, 0), 1);
	KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, GUEST "/via2", NULL, GUEST "2/back", 0), -EXDEV);
	KT_EXPECT_EQ(t, vfs_umount(K, GUEST "2", 0), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir(GUEST "2"), 0);
	KT_EXPECT_EQ(t, vfs_umount(K, GUEST, 0), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir(GUEST), 0);
	KT_EXPECT_EQ(t, hostfs_t_rmtree(host), 0);
	KT_EXPECT_EQ(t, hostfs_h_count_fds(), fds);
}

/* ---- Data -------------------------------------------------------------------------- */

static void file_io_body(struct ktest *t, struct fix *f)
{
	const size_t chunk = 64 * 1024;
	const u64 far = 5 * GIB + 1;	/* past 32 bits, unaligned */
	char *buf = kmalloc(chunk, 0), *back = kmalloc(chunk, 0);
	struct hostfs_stat hs;
	struct statx st;
	struct file *fl;

	KT_ASSERT(t, buf && back);
	for (size_t i = 0; i < chunk; i++)
		buf[i] = (char)(i * 7 + 3);
	fl = kopen(gp(f, 0, "big"), O_CREAT | O_RDWR | O_EXCL, 0640);
	if (!KT_EXPECT(t, fl != NULL))
		goto out;
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "big"), &hs), 0);
	KT_EXPECT_EQ(t, hs.mode, S_IFREG | 0640);	/* exactly, whatever the host umask */
	KT_EXPECT_EQ(t, vfs_write(fl, "abc", 3), 3);
	KT_EXPECT_EQ(t, vfs_pwrite(fl, buf, chunk, (s64)far), (long)chunk);
	KT_EXPECT_EQ(t, vfs_fsync(fl, false), 0);
	KT_EXPECT_EQ(t, vfs_fsync(fl, true), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "big"), &hs), 0);
	KT_EXPECT_EQ(t, hs.size, far + chunk);
	KT_EXPECT_EQ(t, vfs_fstatx(fl, STATX_BASIC_STATS, &st), 0);
	KT_EXPECT_EQ(t, st.stx_size, far + chunk);
	memset(back, 0, chunk);
	KT_EXPECT_EQ(t, hostfs_t_pread(hp(f, 0, "big"), back, chunk, far), (long)chunk);
	KT_EXPECT(t, !memcmp(back, buf, chunk));
	memset(back, 0, chunk);
	KT_EXPECT_EQ(t, vfs_pread(fl, back, chunk, (s64)far), (long)chunk);
	KT_EXPECT(t, !memcmp(back, buf, chunk));
	KT_EXPECT_EQ(t, vfs_pread(fl, back, 4, 0), 4);
	KT_EXPECT(t, !memcmp(back, "abc", 4));	/* a hole reads as zero */
	KT_EXPECT_EQ(t, vfs_pread(fl, back, 8, (s64)(far + chunk)), 0);	/* EOF */
	KT_EXPECT_EQ(t, vfs_lseek(fl, 0, SEEK_END), (s64)(far + chunk));
	KT_EXPECT_EQ(t, vfs_ftruncate(fl, 2), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "big"), &hs), 0);
	KT_EXPECT_EQ(t, hs.size, 2);
	file_put(fl);
	KT_EXPECT_EQ(t, vfs_truncate(K, NULL, gp(f, 0, "big"), 0), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "big"), &hs), 0);
	KT_EXPECT_EQ(t, hs.size, 0);

	/* O_APPEND appends at the host's end, even one the host just moved */
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "log"), "base", 4) == 0);
	fl = kopen(gp(f, 0, "log"), O_WRONLY | O_APPEND, 0);
	if (!KT_EXPECT(t, fl != NULL))
		goto out;
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "log"), "base+host", 9) == 0);
	KT_EXPECT_EQ(t, vfs_write(fl, "|k", 2), 2);
	file_put(fl);
	KT_EXPECT_EQ(t, hostfs_t_pread(hp(f, 0, "log"), back, 32, 0), 11);
	KT_EXPECT(t, !memcmp(back, "base+host|k", 11));
	/* O_TRUNC on open */
	fl = kopen(gp(f, 0, "log"), O_WRONLY | O_TRUNC, 0);
	KT_EXPECT(t, fl != NULL);
	file_put(fl);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "log"), &hs), 0);
	KT_EXPECT_EQ(t, hs.size, 0);
out:
	kfree(buf);
	kfree(back);
}

static void file_io(struct ktest *t)
{
	with_mount(t, file_io_body);
}

/* ---- Names and attributes ------------------------------------------------------------ */

static void namespace_ops_body(struct ktest *t, struct fix *f)
{
	struct hostfs_stat hs, hs2;
	struct timespec64 tm[2] = { { 1000000000, 123456789 }, { 1100000000, 987654321 } };
	struct statx st, st2;
	char buf[300];
	s64 start = hostfs_t_now_sec();

	/* mkdir / rmdir */
	KT_EXPECT_EQ(t, vfs_mkdirat(K, NULL, gp(f, 0, "d"), 0700), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "d"), &hs), 0);
	KT_EXPECT_EQ(t, hs.mode, S_IFDIR | 0700);
	KT_EXPECT_EQ(t, kvfs_write_file(gp(f, 0, "d/f"), 0600, "in d", 4), 0);
	KT_EXPECT(t, host_exists(hp(f, 0, "d/f")));
	KT_EXPECT_EQ(t, kvfs_rmdir(gp(f, 0, "d")), -ENOTEMPTY);
	KT_EXPECT_EQ(t, kvfs_unlink(gp(f, 0, "d/f")), 0);
	KT_EXPECT(t, !host_exists(hp(f, 0, "d/f")));
	KT_EXPECT_EQ(t, kvfs_rmdir(gp(f, 0, "d")), 0);
	KT_EXPECT(t, !host_exists(hp(f, 0, "d")));
	/* the name is free again, for the kernel and for the host */
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "d"), &st), -ENOENT);
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "d"), "now a file", 10) == 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "d"), &st), 0);
	KT_EXPECT(t, S_ISREG(st.stx_mode));

	/* rename: plain, replacing, RENAME_NOREPLACE, RENAME_EXCHANGE */
	KT_ASSERT(t, kvfs_write_file(gp(f, 0, "a"), 0644, "AAA", 3) == 0);
	KT_ASSERT(t, kvfs_write_file(gp(f, 0, "c"), 0644, "C", 1) == 0);
	KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, gp(f, 0, "a"), NULL, gp(f, 1, "b"), 0), 0);
	KT_EXPECT(t, !host_exists(hp(f, 0, "a")) && host_exists(hp(f, 1, "b")));
	KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, gp(f, 0, "b"), NULL, gp(f, 1, "c"),
				      RENAME_NOREPLACE), -EEXIST);
	KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, gp(f, 0, "b"), NULL, gp(f, 1, "c"), 0), 0);
	KT_EXPECT_EQ(t, hostfs_t_pread(hp(f, 0, "c"), buf, 8, 0), 3);
	KT_EXPECT(t, !host_exists(hp(f, 0, "b")));
	KT_ASSERT(t, kvfs_write_file(gp(f, 0, "x"), 0644, "X", 1) == 0);
	KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, gp(f, 0, "x"), NULL, gp(f, 1, "c"),
				      RENAME_EXCHANGE), 0);
	KT_EXPECT_EQ(t, hostfs_t_pread(hp(f, 0, "c"), buf, 8, 0), 1);
	KT_EXPECT_EQ(t, hostfs_t_pread(hp(f, 0, "x"), buf, 8, 0), 3);
	KT_EXPECT_EQ(t, kvfs_read_file(gp(f, 0, "x"), buf, 8, 0), 3);
	/* a directory moves with what is in it */
	KT_ASSERT(t, kvfs_mkdir_p(gp(f, 0, "p/q"), 0755) == 0);
	KT_ASSERT(t, kvfs_mkdir_p(gp(f, 0, "r"), 0755) == 0);
	KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, gp(f, 0, "p/q"), NULL, gp(f, 1, "r/q2"), 0), 0);
	KT_EXPECT(t, host_exists(hp(f, 0, "r/q2")) && !host_exists(hp(f, 1, "p/q")));
	KT_EXPECT_EQ(t, kvfs_write_file(gp(f, 0, "r/q2/in"), 0644, "1", 1), 0);
	KT_EXPECT(t, host_exists(hp(f, 0, "r/q2/in")));

	/* hard link: one inode, two names */
	KT_EXPECT_EQ(t, kvfs_link(gp(f, 0, "x"), gp(f, 1, "x2")), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "x"), &hs), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "x2"), &hs2), 0);
	KT_EXPECT_EQ(t, hs.ino, hs2.ino);
	KT_EXPECT_EQ(t, hs.nlink, 2);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "x"), &st), 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "x2"), &st2), 0);
	KT_EXPECT_EQ(t, st.stx_ino, st2.stx_ino);
	KT_EXPECT_EQ(t, st.stx_nlink, 2);
	KT_EXPECT_EQ(t, kvfs_unlink(gp(f, 0, "x2")), 0);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "x"), &st), 0);
	KT_EXPECT_EQ(t, st.stx_nlink, 1);

	/* symlink, FIFO */
	KT_EXPECT_EQ(t, kvfs_symlink("some/where", gp(f, 0, "s")), 0);
	KT_EXPECT_EQ(t, hostfs_t_readlink(hp(f, 0, "s"), buf, sizeof(buf)), 10);
	KT_EXPECT(t, !strcmp(buf, "some/where"));
	KT_EXPECT_EQ(t, vfs_readlinkat(K, NULL, gp(f, 0, "s"), buf, sizeof(buf)), 10);
	KT_EXPECT_EQ(t, kvfs_mknod(gp(f, 0, "fifo"), S_IFIFO | 0620, 0), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "fifo"), &hs), 0);
	KT_EXPECT_EQ(t, hs.mode, S_IFIFO | 0620);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "fifo"), &st), 0);
	KT_EXPECT_EQ(t, st.stx_mode, S_IFIFO | 0620);

	/* chmod, chown, utimens */
	KT_EXPECT_EQ(t, kvfs_chmod(gp(f, 0, "x"), 04711), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "x"), &hs), 0);
	KT_EXPECT_EQ(t, hs.mode, S_IFREG | 04711);
	KT_EXPECT_EQ(t, kvfs_lchown(gp(f, 0, "x"), hostfs_t_euid(), hostfs_t_egid()), 0);
	if (hostfs_t_euid() != 0) {
		/* the host refuses a give-away; its EPERM comes back as is */
		KT_EXPECT_EQ(t, kvfs_lchown(gp(f, 0, "x"), 4242, (u32)-1), -EPERM);
	} else {
		KT_EXPECT_EQ(t, kvfs_lchown(gp(f, 0, "x"), 4242, 4343), 0);
		KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "x"), &hs), 0);
		KT_EXPECT_EQ(t, hs.uid, 4242);
		KT_EXPECT_EQ(t, hs.gid, 4343);
		KT_EXPECT_EQ(t, kstat(gp(f, 0, "x"), &st), 0);
		KT_EXPECT_EQ(t, st.stx_uid, 4242);
	}
	KT_EXPECT_EQ(t, vfs_utimensat(K, NULL, gp(f, 0, "x"), tm, 0), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "x"), &hs), 0);
	KT_EXPECT_EQ(t, hs.atime_sec, 1000000000);
	KT_EXPECT_EQ(t, hs.atime_nsec, 123456789);
	KT_EXPECT_EQ(t, hs.mtime_sec, 1100000000);
	KT_EXPECT_EQ(t, hs.mtime_nsec, 987654321);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "x"), &st), 0);
	KT_EXPECT_EQ(t, st.stx_mtime.tv_nsec, 987654321);
	/* "now" is the host's wall clock, not the kernel's boot-relative one */
	KT_EXPECT_EQ(t, vfs_utimensat(K, NULL, gp(f, 0, "x"), NULL, 0), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "x"), &hs), 0);
	KT_EXPECT(t, hs.mtime_sec >= start && hs.atime_sec >= start);
	/* symlinks get times and owners, not modes */
	KT_EXPECT_EQ(t, kvfs_set_times(gp(f, 0, "s"), 1200000000, 5), 0);
	KT_EXPECT_EQ(t, hostfs_t_stat(hp(f, 0, "s"), &hs), 0);
	KT_EXPECT_EQ(t, hs.mtime_sec, 1200000000);
	KT_EXPECT_EQ(t, vfs_fchmodat(K, NULL, gp(f, 0, "s"), 0600, AT_SYMLINK_NOFOLLOW),
		     -EOPNOTSUPP);
}

static void namespace_ops(struct ktest *t)
{
	with_mount(t, namespace_ops_body);
}

/* ---- Errors ------------------------------------------------------------------------------ */

static void errno_mapping_body(struct ktest *t, struct fix *f)
{
	struct cred *user = cred_create(4321, 4321, NULL, 0);
	struct vfs_ctx uctx = { user, K->fs };
	char longname[300];
	struct statx st;

	KT_ASSERT(t, user != NULL);
	KT_ASSERT(t, hostfs_t_chmod(f->host, 0755) == 0);	/* mkdtemp made it 0700 */
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "file"), "f", 1) == 0);
	KT_ASSERT(t, hostfs_t_mkdir(hp(f, 0, "full"), 0755) == 0);
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "full/x"), "x", 1) == 0);
	KT_ASSERT(t, hostfs_t_mkdir(hp(f, 0, "priv"), 0700) == 0);
	KT_ASSERT(t, hostfs_t_write(hp(f, 0, "priv/secret"), "s", 1) == 0);

	KT_EXPECT_EQ(t, kstat(gp(f, 0, "missing"), &st), -ENOENT);
	KT_EXPECT_EQ(t, kvfs_unlink(gp(f, 0, "missing")), -ENOENT);
	KT_EXPECT_EQ(t, kstat(gp(f, 0, "file/x"), &st), -ENOTDIR);
	KT_EXPECT_EQ(t, vfs_mkdirat(K, NULL, gp(f, 0, "full"), 0755), -EEXIST);
	KT_EXPECT_EQ(t, kvfs_rmdir(gp(f, 0, "full")), -ENOTEMPTY);
	KT_EXPECT_EQ(t, kvfs_rmdir(gp(f, 0, "file")), -ENOTDIR);
	KT_EXPECT(t, kopen(gp(f, 0, "full"), O_WRONLY, 0) == NULL);
	{
		struct file *fl;

		KT_EXPECT_EQ(t, vfs_openat(K, NULL, gp(f, 0, "full"), O_RDWR, 0, &fl), -EISDIR);
		KT_EXPECT_EQ(t, vfs_openat(K, NULL, gp(f, 0, "file"), O_CREAT | O_EXCL, 0644,
					   &fl), -EEXIST);
	}
	KT_EXPECT_EQ(t, kvfs_unlink(gp(f, 0, "full")), -EISDIR);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	KT_EXPECT_EQ(t, kstat(gp(f, 0, longname), &st), -ENAMETOOLONG);

	/* the kernel's own check, on the host's mode bits */
	KT_EXPECT_EQ(t, vfs_statx(&uctx, NULL, gp(f, 0, "priv/secret"), 0, 0, &st), -EACCES);
	KT_EXPECT_EQ(t, vfs_mkdirat(&uctx, NULL, gp(f, 0, "mine"), 0755), -EACCES);
	KT_EXPECT_EQ(t, vfs_statx(&uctx, NULL, gp(f, 0, "file"), 0, 0, &st), 0);
	/* the host's check: only an unprivileged host user meets it */
	if (hostfs_t_euid() != 0) {
		KT_ASSERT(t, hostfs_t_mkdir(hp(f, 0, "ro"), 0555) == 0);
		KT_EXPECT_EQ(t, kvfs_write_file(gp(f, 0, "ro/new"), 0644, "n", 1), -EACCES);
	}
	/* across mounts */
	KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, gp(f, 0, "file"), NULL, "/kt-hostfs-xdev", 0),
		     -EXDEV);
	KT_EXPECT_EQ(t, kvfs_link(gp(f, 0, "file"), "/kt-hostfs-xdev"), -EXDEV);
	/* a host errno outside the table */
	KT_EXPECT_EQ(t, hostfs_t_unknown_errno(), -EIO);
	cred_put(user);
}

static void errno_mapping(struct ktest *t)
{
	with_mount(t, errno_mapping_body);
}

/* ---- Directories ------------------------------------------------------------------------- */

#define NR_ENTRIES 100	/* five 512-byte getdents batches or so */

static void readdir_body(struct ktest *t, struct fix *f)
{
	u8 *seen = kzalloc(NR_ENTRIES, 0);
	char *buf = kmalloc(512, 0), name[32];
	unsigned dots = 0, others = 0;
	struct file *d;
	long n;

	KT_ASSERT(t, seen && buf);
	for (int i = 0; i < NR_ENTRIES; i++) {
		ksnprintf(name, sizeof(name), "e%03d", i);
		if (i % 2)	/* half made by the host, half by the kernel */
			KT_ASSERT(t, hostfs_t_write(hp(f, 0, name), "", 0) == 0);
		else
			KT_ASSERT(t, kvfs_write_file(gp(f, 0, name), 0644, "", 0) == 0);
	}
	d = kopen(GUEST, O_RDONLY | O_DIRECTORY, 0);
	KT_ASSERT(t, d != NULL);
	/* a small buffer: many calls, each resuming at the host's cookie */
	while ((n = vfs_getdents(d, buf, 512)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			u64 v;

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
				dots++;
			} else if (de->d_name[0] == 'e' &&
				   !kstrtou64(de->d_name + 1, strlen(de->d_name) - 1, &v)) {
				if (KT_EXPECT(t, v < NR_ENTRIES && de->d_type == DT_REG))
					seen[v]++;
			} else {
				others++;
			}
			off += de->d_reclen;
		}
	}
	KT_EXPECT_EQ(t, n, 0);
	KT_EXPECT_EQ(t, dots, 2);
	KT_EXPECT_EQ(t, others, 0);
	for (int i = 0; i < NR_ENTRIES; i++)
		if (!KT_EXPECT_EQ(t, seen[i], 1))
			break;
	/* rewinding starts over */
	KT_EXPECT_EQ(t, vfs_lseek(d, 0, SEEK_SET), 0);
	KT_EXPECT(t, vfs_getdents(d, buf, 512) > 0);
	file_put(d);
	kfree(seen);
	kfree(buf);
}

static void readdir(struct ktest *t)
{
	with_mount(t, readdir_body);
}

/* ---- hostfs= at boot (tests/hostfs-boot.sh prepares and checks the host side) ----------- */

static void boot_mount(struct ktest *t)
{
	char host[CMDLINE_VALUE_MAX], guest[CMDLINE_VALUE_MAX], path[300], buf[128];
	struct statx st;
	long n;

	if (!kernel_params.hostfs[0]) {
		/* nothing was asked: nothing is mounted */
		KT_EXPECT_EQ(t, kstat("/host", &st), -ENOENT);
		return;
	}
	KT_ASSERT(t, um_hostfs_split(kernel_params.hostfs, host, guest, sizeof(host)) == 0);
	ksnprintf(path, sizeof(path), "%s/boot-input", guest);
	n = kvfs_read_file(path, buf, sizeof(buf) - 16, 0);
	KT_ASSERT(t, n > 0);
	memcpy(buf + n, " (seen by umka)", 15);
	ksnprintf(path, sizeof(path), "%s/boot-output", guest);
	KT_EXPECT_EQ(t, kvfs_write_file(path, 0640, buf, (size_t)n + 15), 0);
	ksnprintf(path, sizeof(path), "%s/boot-made/sub", guest);
	KT_EXPECT_EQ(t, kvfs_mkdir_p(path, 0750), 0);
	ksnprintf(path, sizeof(path), "%s/boot-link", guest);
	KT_EXPECT_EQ(t, kvfs_symlink("boot-input", path), 0);
	ksnprintf(path, sizeof(path), "%s/boot-delete-me", guest);
	KT_EXPECT_EQ(t, kvfs_unlink(path), 0);
	{
		char to[300];

		ksnprintf(path, sizeof(path), "%s/boot-rename-me", guest);
		ksnprintf(to, sizeof(to), "%s/boot-made/renamed", guest);
		KT_EXPECT_EQ(t, vfs_renameat2(K, NULL, path, NULL, to, 0), 0);
	}
}

KTEST_SUITE(hostfs, KTEST_CASE(sees_host_files), KTEST_CASE(unlinked_behind),
	    KTEST_CASE(mount_api), KTEST_CASE(file_io),
	    KTEST_CASE(namespace_ops), KTEST_CASE(errno_mapping), KTEST_CASE(readdir),
	    KTEST_CASE(boot_mount));
