/* Unit tests for the VFS core, tmpfs and devfs on the fake machine (no
 * scheduler: every lock is uncontended). Path walk, the dentry cache, every
 * operation's Linux errno cases, permissions with non-root credentials,
 * mounts, fd tables, and the kernel-internal API. Each test runs in its own
 * process with a fresh machine and a freshly booted VFS. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umka/console.h>
#include <umka/errno.h>
#include <umka/fdtable.h>
#include <umka/mm.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/vfs.h>

#include "ck_run.h"
#include "fake_arch.h"
#include "../../src/fs/vfs_internal.h"	/* path_parentat, white box */

/* ---- Fixture ---------------------------------------------------------------------------------- */

static struct boot_info *bi;
static struct vfs_ctx rctx, uctx, u2ctx;
static struct cred *ucred, *u2cred;

#define R (&rctx)	/* root, umask 0 */
#define U (&uctx)	/* uid 1000, gid 1000, groups {50, 1000}, umask 022 */
#define U2 (&u2ctx)	/* uid 2000, gid 2000, umask 022 */

#define OK(e) ck_assert_int_eq((long)(e), 0)
#define ERR(e, code) ck_assert_int_eq((long)(e), -(long)(code))

static void setup(void)
{
	static const u32 groups[] = { 50, 1000 };
	struct fs_struct *kfs;

	bi = fake_boot_info(MiB(64));
	mm_init(bi);
	slab_init();
	fake_clock = 1000 * NSEC_PER_SEC;
	console_input_init();
	vfs_init();
	kfs = vfs_kernel_ctx()->fs;
	rctx.cred = cred_kernel();
	rctx.fs = fs_struct_clone(kfs);
	ucred = cred_create(1000, 1000, groups, 2);
	uctx.cred = ucred;
	uctx.fs = fs_struct_clone(kfs);
	fs_set_umask(uctx.fs, 022);
	u2cred = cred_create(2000, 2000, NULL, 0);
	u2ctx.cred = u2cred;
	u2ctx.fs = fs_struct_clone(kfs);
	fs_set_umask(u2ctx.fs, 022);
	OK(vfs_mkdirat(R, NULL, "/tmp", 01777));
	OK(vfs_mkdirat(R, NULL, "/home", 0755));
	OK(vfs_mkdirat(R, NULL, "/home/u", 0755));
	OK(vfs_fchownat(R, NULL, "/home/u", 1000, 1000, 0));
}

static int touch(const struct vfs_ctx *c, const char *p, u32 mode)
{
	struct file *f;
	int e = vfs_openat(c, NULL, p, O_CREAT | O_WRONLY, mode, &f);

	if (!e)
		file_put(f);
	return e;
}

static int put_str(const struct vfs_ctx *c, const char *p, const char *s)
{
	struct file *f;
	long n;
	int e = vfs_openat(c, NULL, p, O_CREAT | O_WRONLY | O_TRUNC, 0644, &f);

	if (e)
		return e;
	n = vfs_write(f, s, strlen(s));
	file_put(f);
	return n < 0 ? (int)n : 0;
}

/* Contents of a file (static buffer), or "<errno N>". */
static const char *get_str(const struct vfs_ctx *c, const char *p)
{
	static char buf[8192];
	struct file *f;
	long n;
	int e = vfs_openat(c, NULL, p, O_RDONLY, 0, &f);

	if (e) {
		snprintf(buf, sizeof(buf), "<errno %d>", -e);
		return buf;
	}
	n = vfs_read(f, buf, sizeof(buf) - 1);
	file_put(f);
	if (n < 0) {
		snprintf(buf, sizeof(buf), "<errno %ld>", -n);
		return buf;
	}
	buf[n] = 0;
	return buf;
}

static struct statx st_of(const struct vfs_ctx *c, const char *p, unsigned flags)
{
	struct statx st;
	int e = vfs_statx(c, NULL, p, flags, STATX_BASIC_STATS, &st);

	ck_assert_msg(e == 0, "statx(%s) = %d", p, e);
	return st;
}

static int stat_err(const struct vfs_ctx *c, const char *p, unsigned flags)
{
	struct statx st;

	return vfs_statx(c, NULL, p, flags, STATX_BASIC_STATS, &st);
}

static u64 ino_of(const char *p)
{
	return st_of(R, p, 0).stx_ino;
}

static struct file *open_ok(const struct vfs_ctx *c, const char *p, int flags, u32 mode)
{
	struct file *f = NULL;
	int e = vfs_openat(c, NULL, p, flags, mode, &f);

	ck_assert_msg(e == 0, "open(%s) = %d", p, e);
	return f;
}

static int open_err(const struct vfs_ctx *c, const char *p, int flags, u32 mode)
{
	struct file *f;
	int e = vfs_openat(c, NULL, p, flags, mode, &f);

	if (!e)
		file_put(f);
	return e;
}

static u64 free_pages_now(void)
{
	struct mm_stats st;

	slab_shrink();
	mm_drain_pcp();
	mm_get_stats(&st);
	return st.free_pages;
}

/* ==== Path walk ========================================================================= */

START_TEST(test_walk_absolute_and_relative)
{
	struct path dir;

	OK(vfs_mkdirat(R, NULL, "/a", 0755));
	OK(vfs_mkdirat(R, NULL, "/a/b", 0755));
	OK(vfs_mkdirat(R, NULL, "a/b/c", 0755));	/* relative to cwd "/" */
	ck_assert(S_ISDIR(st_of(R, "/a/b/c", 0).stx_mode));
	OK(vfs_chdir(R, NULL, "/a"));
	ck_assert_uint_eq(st_of(R, "b/c", 0).stx_ino, ino_of("/a/b/c"));
	OK(vfs_lookup(R, NULL, "/a/b", 0, &dir));
	ck_assert_uint_eq(st_of(R, "/a/b/c", 0).stx_ino, ino_of("/a/b/c"));
	{
		struct statx st;

		OK(vfs_statx(R, &dir, "c", 0, 0, &st));
		ck_assert_uint_eq(st.stx_ino, ino_of("/a/b/c"));
		/* absolute names ignore the starting directory */
		OK(vfs_statx(R, &dir, "/a", 0, 0, &st));
		ck_assert_uint_eq(st.stx_ino, ino_of("/a"));
	}
	path_put(&dir);
	ck_assert_uint_eq(st_of(R, "//a///b//c//", 0).stx_ino, ino_of("/a/b/c"));
}
END_TEST

START_TEST(test_walk_dot_and_dotdot)
{
	OK(vfs_mkdirat(R, NULL, "/a", 0755));
	OK(vfs_mkdirat(R, NULL, "/a/b", 0755));
	ck_assert_uint_eq(ino_of("/a/./b/../b/."), ino_of("/a/b"));
	ck_assert_uint_eq(ino_of("/a/b/.."), ino_of("/a"));
	ck_assert_uint_eq(ino_of("/.."), ino_of("/"));
	ck_assert_uint_eq(ino_of("/a/b/../../../../.."), ino_of("/"));
	OK(vfs_chdir(R, NULL, "/a/b"));
	ck_assert_uint_eq(ino_of(".."), ino_of("/a"));
	ck_assert_uint_eq(ino_of("../.."), ino_of("/"));
	ck_assert_uint_eq(ino_of("."), ino_of("/a/b"));
}
END_TEST

START_TEST(test_walk_dotdot_stays_at_process_root)
{
	OK(vfs_mkdirat(R, NULL, "/jail", 0755));
	OK(vfs_mkdirat(R, NULL, "/jail/in", 0755));
	OK(put_str(R, "/outside", "x"));
	OK(vfs_chroot(R, NULL, "/jail"));
	ck_assert_uint_eq(st_of(R, "/..", 0).stx_ino, ino_of("/"));	/* "/" is now /jail */
	ck_assert_uint_eq(st_of(R, "/in/../../..", 0).stx_ino, st_of(R, "/", 0).stx_ino);
	ERR(stat_err(R, "/outside", 0), ENOENT);
	OK(stat_err(R, "../outside", 0));	/* chroot leaves the cwd outside, as Linux */
	OK(vfs_chdir(R, NULL, "/"));
	ERR(stat_err(R, "../outside", 0), ENOENT);
	/* only root may chroot */
	ERR(vfs_chroot(U, NULL, "/tmp"), EPERM);
}
END_TEST

START_TEST(test_walk_crosses_mounts_both_ways)
{
	struct statx root, mnt, up;

	OK(vfs_mkdirat(R, NULL, "/mnt", 0755));
	OK(vfs_mount(R, "tmpfs", "/mnt", "tmpfs", 0, NULL));
	OK(vfs_mkdirat(R, NULL, "/mnt/sub", 0755));
	root = st_of(R, "/", 0);
	mnt = st_of(R, "/mnt", 0);
	ck_assert(mnt.stx_dev_minor != root.stx_dev_minor);	/* the mounted root, not the dir */
	ck_assert(mnt.stx_mnt_id != root.stx_mnt_id);
	up = st_of(R, "/mnt/sub/../..", 0);
	ck_assert_uint_eq(up.stx_ino, root.stx_ino);
	ck_assert_uint_eq(up.stx_dev_minor, root.stx_dev_minor);
	OK(vfs_chdir(R, NULL, "/mnt/sub"));
	ck_assert_uint_eq(st_of(R, "..", 0).stx_ino, mnt.stx_ino);
	ck_assert_uint_eq(st_of(R, "../..", 0).stx_dev_minor, root.stx_dev_minor);
	ck_assert_uint_eq(st_of(R, "../../mnt", 0).stx_dev_minor, mnt.stx_dev_minor);
	/* /dev is devfs, crossed the same way */
	ck_assert(S_ISCHR(st_of(R, "/dev/null", 0).stx_mode));
	ck_assert_uint_eq(st_of(R, "/dev/..", 0).stx_ino, root.stx_ino);
}
END_TEST

START_TEST(test_symlink_relative_absolute_nested)
{
	OK(vfs_mkdirat(R, NULL, "/a", 0755));
	OK(vfs_mkdirat(R, NULL, "/a/b", 0755));
	OK(put_str(R, "/a/b/f", "data"));
	OK(vfs_symlinkat(R, "b/f", NULL, "/a/rel"));		/* relative to /a */
	OK(vfs_symlinkat(R, "/a/b/f", NULL, "/abs"));
	OK(vfs_symlinkat(R, "../rel", NULL, "/a/b/up"));	/* ../ from /a/b */
	OK(vfs_symlinkat(R, "/abs", NULL, "/chain"));
	OK(vfs_symlinkat(R, "b", NULL, "/a/dirlink"));
	ck_assert_str_eq(get_str(R, "/a/rel"), "data");
	ck_assert_str_eq(get_str(R, "/abs"), "data");
	ck_assert_str_eq(get_str(R, "/a/b/up"), "data");
	ck_assert_str_eq(get_str(R, "/chain"), "data");
	ck_assert_str_eq(get_str(R, "/a/dirlink/f"), "data");	/* a link in the middle */
	ck_assert_str_eq(get_str(R, "/a/dirlink/../dirlink/f"), "data");
	ck_assert(S_ISLNK(st_of(R, "/chain", AT_SYMLINK_NOFOLLOW).stx_mode));
	ck_assert(S_ISREG(st_of(R, "/chain", 0).stx_mode));
}
END_TEST

START_TEST(test_symlink_loop_eloop)
{
	OK(vfs_symlinkat(R, "/l2", NULL, "/l1"));
	OK(vfs_symlinkat(R, "l1", NULL, "/l2"));
	OK(vfs_symlinkat(R, "self", NULL, "/self"));
	ERR(stat_err(R, "/l1", 0), ELOOP);
	ERR(stat_err(R, "/self", 0), ELOOP);
	ERR(stat_err(R, "/self/x", 0), ELOOP);
	ERR(open_err(R, "/l1", O_RDONLY, 0), ELOOP);
	OK(stat_err(R, "/l1", AT_SYMLINK_NOFOLLOW));
}
END_TEST

START_TEST(test_symlink_limit_40)
{
	char name[32], target[32];

	OK(put_str(R, "/target", "end"));
	/* /s1 -> /s2 -> ... -> /s40 -> /target: 40 links is the most allowed */
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/s%d", i);
		if (i == 40)
			snprintf(target, sizeof(target), "/target");
		else if (i == 41)
			snprintf(target, sizeof(target), "/s1");
		else
			snprintf(target, sizeof(target), "s%d", i + 1);
		OK(vfs_symlinkat(R, target, NULL, name));
	}
	ck_assert_str_eq(get_str(R, "/s1"), "end");	/* 40 followed */
	ERR(stat_err(R, "/s41", 0), ELOOP);		/* 41 */
	ck_assert_str_eq(get_str(R, "/s2"), "end");
	/* the limit counts nested links in the middle too */
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	OK(put_str(R, "/d/f", "deep"));
	OK(vfs_unlinkat(R, NULL, "/s40", 0));
	OK(vfs_symlinkat(R, "/d", NULL, "/s40"));
	ck_assert_str_eq(get_str(R, "/s1/f"), "deep");
	ERR(stat_err(R, "/s41/f", 0), ELOOP);
}
END_TEST

START_TEST(test_symlink_dangling_enoent)
{
	OK(vfs_symlinkat(R, "/nowhere", NULL, "/dangle"));
	ERR(stat_err(R, "/dangle", 0), ENOENT);
	ck_assert(S_ISLNK(st_of(R, "/dangle", AT_SYMLINK_NOFOLLOW).stx_mode));
	ERR(open_err(R, "/dangle", O_RDONLY, 0), ENOENT);
	ERR(stat_err(R, "/dangle/x", 0), ENOENT);
}
END_TEST

START_TEST(test_trailing_slash)
{
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	OK(put_str(R, "/f", "x"));
	OK(vfs_symlinkat(R, "d", NULL, "/ld"));
	OK(vfs_symlinkat(R, "f", NULL, "/lf"));
	OK(stat_err(R, "/d/", 0));
	OK(stat_err(R, "/d//", 0));
	ERR(stat_err(R, "/f/", 0), ENOTDIR);
	ERR(stat_err(R, "/f/.", 0), ENOTDIR);
	ck_assert(S_ISDIR(st_of(R, "/ld/", AT_SYMLINK_NOFOLLOW).stx_mode));	/* "/" follows */
	ERR(stat_err(R, "/lf/", 0), ENOTDIR);
	ERR(stat_err(R, "/lf/", AT_SYMLINK_NOFOLLOW), ENOTDIR);
	ERR(open_err(R, "/f/", O_RDONLY, 0), ENOTDIR);
	OK(vfs_mkdirat(R, NULL, "/new/", 0755));	/* mkdir allows it */
	ERR(open_err(R, "/g/", O_CREAT | O_WRONLY, 0644), EISDIR);
	ERR(open_err(R, "/f/", O_CREAT | O_WRONLY, 0644), EISDIR);
	ERR(vfs_mknodat(R, NULL, "/h/", S_IFIFO | 0644, 0), ENOENT);
	ERR(vfs_symlinkat(R, "x", NULL, "/f/"), EEXIST);
	ERR(vfs_symlinkat(R, "x", NULL, "/s/"), ENOENT);
}
END_TEST

START_TEST(test_o_nofollow_and_o_path)
{
	struct file *f;
	char c;

	OK(put_str(R, "/f", "x"));
	OK(vfs_symlinkat(R, "f", NULL, "/l"));
	ERR(open_err(R, "/l", O_RDONLY | O_NOFOLLOW, 0), ELOOP);
	OK(open_err(R, "/f", O_RDONLY | O_NOFOLLOW, 0));
	f = open_ok(R, "/l", O_PATH | O_NOFOLLOW, 0);	/* the link itself */
	ck_assert(S_ISLNK(f->inode->mode));
	ERR(vfs_read(f, &c, 1), EBADF);
	ERR(vfs_write(f, &c, 1), EBADF);
	ERR(vfs_fsync(f, false), EBADF);
	{
		struct statx st;

		OK(vfs_fstatx(f, 0, &st));
		ck_assert(S_ISLNK(st.stx_mode));
		/* readlinkat(fd, "") on an O_PATH link */
		char buf[8];

		ck_assert_int_eq(vfs_readlinkat(R, &f->path, "", buf, sizeof(buf)), 1);
	}
	file_put(f);
	/* O_NOFOLLOW only concerns the last component */
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	OK(put_str(R, "/d/g", "y"));
	OK(vfs_symlinkat(R, "d", NULL, "/ld"));
	OK(open_err(R, "/ld/g", O_RDONLY | O_NOFOLLOW, 0));
}
END_TEST

START_TEST(test_o_directory)
{
	OK(put_str(R, "/f", "x"));
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	OK(vfs_symlinkat(R, "d", NULL, "/ld"));
	ERR(open_err(R, "/f", O_RDONLY | O_DIRECTORY, 0), ENOTDIR);
	OK(open_err(R, "/d", O_RDONLY | O_DIRECTORY, 0));
	OK(open_err(R, "/ld", O_RDONLY | O_DIRECTORY, 0));
	ERR(open_err(R, "/ld", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0), ENOTDIR);
	ERR(open_err(R, "/new", O_CREAT | O_DIRECTORY | O_RDWR, 0644), EINVAL);
}
END_TEST

START_TEST(test_o_creat_excl)
{
	OK(put_str(R, "/f", "x"));
	ERR(open_err(R, "/f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	OK(open_err(R, "/f", O_CREAT | O_WRONLY, 0644));
	OK(open_err(R, "/g", O_CREAT | O_EXCL | O_WRONLY, 0644));
	ERR(open_err(R, "/g", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	ERR(open_err(R, "/", O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST);
	ERR(open_err(R, "/tmp/.", O_CREAT | O_RDONLY, 0644), EISDIR);
	ERR(open_err(R, "/tmp", O_CREAT | O_RDONLY, 0644), EISDIR);
	ERR(open_err(R, "/missing/x", O_CREAT | O_RDONLY, 0644), ENOENT);
}
END_TEST

START_TEST(test_o_excl_does_not_follow_symlink)
{
	OK(vfs_symlinkat(R, "/target", NULL, "/dangle"));
	ERR(open_err(R, "/dangle", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	ERR(stat_err(R, "/target", 0), ENOENT);		/* nothing created */
	/* without O_EXCL, O_CREAT through a dangling link creates its target */
	OK(open_err(R, "/dangle", O_CREAT | O_WRONLY, 0600));
	ck_assert(S_ISREG(st_of(R, "/target", 0).stx_mode));
	ck_assert_uint_eq(st_of(R, "/target", 0).stx_mode & 07777, 0600);
	OK(vfs_symlinkat(R, "/target2", NULL, "/dangle2"));
	ERR(open_err(R, "/dangle2", O_CREAT | O_NOFOLLOW | O_WRONLY, 0600), ELOOP);
}
END_TEST

START_TEST(test_at_empty_path_and_nofollow)
{
	struct file *f;
	struct statx st;

	OK(put_str(R, "/f", "abc"));
	OK(vfs_symlinkat(R, "f", NULL, "/l"));
	f = open_ok(R, "/f", O_RDONLY, 0);
	OK(vfs_statx(R, &f->path, "", AT_EMPTY_PATH, 0, &st));
	ck_assert_uint_eq(st.stx_size, 3);
	ERR(vfs_statx(R, &f->path, "", 0, 0, &st), ENOENT);
	ERR(vfs_statx(R, &f->path, "x", 0, 0, &st), ENOTDIR);	/* a file as the start */
	file_put(f);
	ck_assert(S_ISLNK(st_of(R, "/l", AT_SYMLINK_NOFOLLOW).stx_mode));
	ck_assert_uint_eq(st_of(R, "/l", AT_SYMLINK_NOFOLLOW).stx_size, 1);
	ck_assert(S_ISREG(st_of(R, "/l", 0).stx_mode));
	ERR(vfs_statx(R, NULL, "/f", 0x80000, 0, &st), EINVAL);
	ERR(vfs_statx(R, NULL, "/f", AT_STATX_SYNC_TYPE, 0, &st), EINVAL);
}
END_TEST

START_TEST(test_name_max)
{
	char name[300] = "/";

	memset(name + 1, 'n', 255);
	OK(touch(R, name, 0644));			/* 255 bytes: fine */
	ck_assert(S_ISREG(st_of(R, name, 0).stx_mode));
	name[256] = 'n';				/* 256 */
	ERR(touch(R, name, 0644), ENAMETOOLONG);
	ERR(stat_err(R, name, 0), ENAMETOOLONG);
	ERR(vfs_mkdirat(R, NULL, name, 0755), ENAMETOOLONG);
	strcat(name, "/x");
	ERR(stat_err(R, name, 0), ENAMETOOLONG);
}
END_TEST

START_TEST(test_path_max)
{
	static char p[PATH_MAX + 8];

	/* "/./././..." of 4095 bytes: valid length, resolves to "/" */
	p[0] = '/';
	for (int i = 1; i < PATH_MAX - 1; i += 2) {
		p[i] = '.';
		p[i + 1] = '/';
	}
	p[PATH_MAX - 1] = 0;
	ck_assert_uint_eq(strlen(p), PATH_MAX - 1);
	OK(stat_err(R, p, 0));
	p[PATH_MAX - 1] = 'x';
	p[PATH_MAX] = 0;				/* 4096 bytes + NUL */
	ERR(stat_err(R, p, 0), ENAMETOOLONG);
	ERR(touch(R, p, 0644), ENAMETOOLONG);
	ERR(vfs_symlinkat(R, p, NULL, "/l"), ENAMETOOLONG);
}
END_TEST

START_TEST(test_empty_path_enoent)
{
	ERR(stat_err(R, "", 0), ENOENT);
	ERR(open_err(R, "", O_RDONLY, 0), ENOENT);
	ERR(vfs_mkdirat(R, NULL, "", 0755), ENOENT);
	ERR(vfs_unlinkat(R, NULL, "", 0), ENOENT);
	ERR(vfs_symlinkat(R, "", NULL, "/l"), ENOENT);
	ERR(vfs_renameat2(R, NULL, "", NULL, "/x", 0), ENOENT);
}
END_TEST

START_TEST(test_search_permission)
{
	OK(vfs_mkdirat(U, NULL, "/home/u/priv", 0700));
	OK(put_str(U, "/home/u/priv/f", "secret"));
	OK(vfs_mkdirat(U, NULL, "/home/u/nox", 0600));
	ERR(stat_err(U, "/home/u/nox/anything", 0), EACCES);	/* owner without x */
	ERR(stat_err(U2, "/home/u/priv/f", 0), EACCES);
	ERR(open_err(U2, "/home/u/priv/f", O_RDONLY, 0), EACCES);
	ERR(vfs_mkdirat(U2, NULL, "/home/u/priv/x", 0755), EACCES);
	ERR(vfs_chdir(U2, NULL, "/home/u/priv"), EACCES);
	OK(stat_err(U2, "/home/u/priv", 0));	/* the dir itself is visible */
	OK(stat_err(U, "/home/u/priv/f", 0));
	ck_assert_str_eq(get_str(R, "/home/u/priv/f"), "secret");	/* root bypasses */
	/* ".." needs search permission on the directory it starts from */
	ERR(stat_err(U, "/home/u/nox/..", 0), EACCES);
}
END_TEST

START_TEST(test_enotdir_in_the_middle)
{
	OK(put_str(R, "/f", "x"));
	ERR(stat_err(R, "/f/x", 0), ENOTDIR);
	ERR(stat_err(R, "/f/x/y", 0), ENOTDIR);
	ERR(vfs_mkdirat(R, NULL, "/f/d", 0755), ENOTDIR);
	ERR(touch(R, "/f/n", 0644), ENOTDIR);
	ERR(vfs_chdir(R, NULL, "/f"), ENOTDIR);
	ERR(stat_err(R, "/missing/x", 0), ENOENT);
}
END_TEST

/* ==== Dentry cache ======================================================================= */

START_TEST(test_dcache_negative_entries)
{
	struct dcache_stats a, b, c;

	dcache_get_stats(&a);
	ERR(stat_err(R, "/nothere", 0), ENOENT);
	dcache_get_stats(&b);
	ck_assert_uint_eq(b.nr_negative, a.nr_negative + 1);	/* remembered */
	ERR(stat_err(R, "/nothere", 0), ENOENT);
	dcache_get_stats(&c);
	ck_assert_uint_eq(c.nr_negative, b.nr_negative);	/* and reused */
	ck_assert_uint_eq(c.nr_dentries, b.nr_dentries);
	OK(touch(R, "/nothere", 0644));				/* turns positive */
	dcache_get_stats(&c);
	ck_assert_uint_eq(c.nr_negative, a.nr_negative);
	OK(vfs_unlinkat(R, NULL, "/nothere", 0));		/* negative again */
	dcache_get_stats(&c);
	ck_assert_uint_eq(c.nr_negative, a.nr_negative + 1);
	ERR(stat_err(R, "/nothere", 0), ENOENT);
}
END_TEST

START_TEST(test_dcache_shrink_reclaims_unused)
{
	struct dcache_stats a, b;
	char name[32];

	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "/d/f%d", i);
		OK(put_str(R, name, name));
		snprintf(name, sizeof(name), "/d/neg%d", i);
		ERR(stat_err(R, name, 0), ENOENT);
	}
	dcache_get_stats(&a);
	ck_assert_uint_ge(a.nr_unused, 400);
	ck_assert_uint_eq(dcache_shrink(10), 10);
	dcache_get_stats(&b);
	ck_assert_uint_eq(b.nr_dentries, a.nr_dentries - 10);
	dcache_shrink(~0UL);
	dcache_get_stats(&b);
	ck_assert_uint_eq(b.nr_unused, 0);
	ck_assert_uint_eq(b.nr_negative, 0);
	ck_assert_uint_lt(b.nr_dentries, 10);	/* roots, /dev and mountpoints stay */
	/* everything is still there, looked up afresh from tmpfs */
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "/d/f%d", i);
		ck_assert_str_eq(get_str(R, name), name);
	}
}
END_TEST

START_TEST(test_dcache_shrink_keeps_used)
{
	struct file *f;
	char buf[8];

	OK(vfs_mkdirat(R, NULL, "/a", 0755));
	OK(vfs_mkdirat(R, NULL, "/a/b", 0755));
	OK(put_str(R, "/a/b/f", "held"));
	f = open_ok(R, "/a/b/f", O_RDONLY, 0);
	OK(vfs_chdir(R, NULL, "/a"));
	dcache_shrink(~0UL);
	/* the open file's dentry and its ancestors survive */
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), 4);
	ck_assert_uint_eq(ino_of("b/f"), f->inode->ino);
	ck_assert(f->path.dentry->parent->parent->parent == f->path.mnt->root);
	file_put(f);
}
END_TEST

START_TEST(test_dcache_after_rename_and_unlink)
{
	u64 ino;

	OK(put_str(R, "/old", "x"));
	ino = ino_of("/old");
	OK(vfs_renameat2(R, NULL, "/old", NULL, "/new", 0));
	ERR(stat_err(R, "/old", 0), ENOENT);
	ck_assert_uint_eq(ino_of("/new"), ino);
	OK(put_str(R, "/old", "y"));
	ck_assert(ino_of("/old") != ino);
	ck_assert_str_eq(get_str(R, "/new"), "x");
	ck_assert_str_eq(get_str(R, "/old"), "y");
}
END_TEST

START_TEST(test_dcache_unused_is_capped)
{
	struct dcache_stats st;
	unsigned long peak = 0;
	char name[32];

	/* far more negative lookups than the cap (1/16 of 64 MiB of dentries) */
	for (int i = 0; i < 40000; i++) {
		snprintf(name, sizeof(name), "/n%d", i);
		ERR(stat_err(R, name, 0), ENOENT);
		if (i % 1000 == 0) {
			dcache_get_stats(&st);
			peak = st.nr_unused > peak ? st.nr_unused : peak;
		}
	}
	dcache_get_stats(&st);
	ck_assert_uint_lt(st.nr_unused, 40000);
	ck_assert_uint_lt(peak, 40000);
	ck_assert_uint_gt(st.nr_negative, 1000);	/* still caching the recent ones */
	ERR(stat_err(R, "/n39999", 0), ENOENT);
}
END_TEST

START_TEST(test_lookup_by_inode_number)
{
	struct inode *inode;
	struct path p;
	u64 ino;

	OK(put_str(R, "/f", "x"));
	ino = ino_of("/f");
	OK(vfs_lookup(R, NULL, "/f", 0, &p));
	dcache_shrink(~0UL);
	inode = inode_find(p.dentry->sb, ino);
	ck_assert_ptr_eq(inode, p.dentry->inode);
	inode_put(inode);
	ck_assert_ptr_null(inode_find(p.dentry->sb, 999999));
	path_put(&p);
	OK(vfs_unlinkat(R, NULL, "/f", 0));
	OK(vfs_lookup(R, NULL, "/", 0, &p));
	ck_assert_ptr_null(inode_find(p.dentry->sb, ino));	/* gone with its last link */
	path_put(&p);
}
END_TEST

/* ==== File I/O ============================================================================== */

START_TEST(test_read_write_seek)
{
	struct file *f = open_ok(R, "/f", O_CREAT | O_RDWR, 0644);
	char buf[64];

	ck_assert_int_eq(vfs_write(f, "hello world", 11), 11);
	ck_assert_int_eq(f->pos, 11);
	ck_assert_int_eq(vfs_lseek(f, 0, SEEK_SET), 0);
	ck_assert_int_eq(vfs_read(f, buf, 5), 5);
	ck_assert(!memcmp(buf, "hello", 5));
	ck_assert_int_eq(vfs_lseek(f, 1, SEEK_CUR), 6);
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), 5);
	ck_assert(!memcmp(buf, "world", 5));
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), 0);		/* EOF */
	ck_assert_int_eq(vfs_lseek(f, -5, SEEK_END), 6);
	ck_assert_int_eq(vfs_pwrite(f, "W", 1, 6), 1);
	ck_assert_int_eq(f->pos, 6);				/* pwrite leaves it */
	ck_assert_int_eq(vfs_pread(f, buf, 11, 0), 11);
	ck_assert(!memcmp(buf, "hello World", 11));
	ERR(vfs_lseek(f, -1, SEEK_SET), EINVAL);
	ERR(vfs_lseek(f, -100, SEEK_CUR), EINVAL);
	ERR(vfs_lseek(f, 0, 7), EINVAL);
	ERR(vfs_pread(f, buf, 1, -1), EINVAL);
	ERR(vfs_pwrite(f, buf, 1, -1), EINVAL);
	/* writing past the end leaves a hole of zeros */
	ck_assert_int_eq(vfs_pwrite(f, "!", 1, 20), 1);
	ck_assert_int_eq(vfs_pread(f, buf, sizeof(buf), 0), 21);
	for (int i = 11; i < 20; i++)
		ck_assert_int_eq(buf[i], 0);
	ck_assert_int_eq(vfs_read(f, buf, 0), 0);
	OK(vfs_fsync(f, false));
	OK(vfs_fsync(f, true));
	file_put(f);
}
END_TEST

START_TEST(test_o_append)
{
	struct file *f;

	OK(put_str(R, "/f", "abc"));
	f = open_ok(R, "/f", O_WRONLY | O_APPEND, 0);
	ck_assert_int_eq(vfs_write(f, "de", 2), 2);
	ck_assert_int_eq(vfs_pwrite(f, "f", 1, 0), 1);	/* Linux appends even so */
	file_put(f);
	ck_assert_str_eq(get_str(R, "/f"), "abcdef");
	f = open_ok(R, "/f", O_WRONLY, 0);
	OK(vfs_setfl(f, O_APPEND));
	ck_assert_int_eq(vfs_write(f, "g", 1), 1);
	file_put(f);
	ck_assert_str_eq(get_str(R, "/f"), "abcdefg");
}
END_TEST

START_TEST(test_o_trunc)
{
	OK(put_str(R, "/f", "abcdef"));
	OK(open_err(R, "/f", O_WRONLY | O_TRUNC, 0));
	ck_assert_uint_eq(st_of(R, "/f", 0).stx_size, 0);
	OK(put_str(R, "/f", "abcdef"));
	OK(vfs_fchmodat(R, NULL, "/f", 0444, 0));
	ERR(open_err(U, "/f", O_RDONLY | O_TRUNC, 0), EACCES);	/* needs write */
	ck_assert_uint_eq(st_of(R, "/f", 0).stx_size, 6);
}
END_TEST

START_TEST(test_access_mode_ebadf)
{
	struct file *f;
	char c;

	OK(put_str(R, "/f", "x"));
	f = open_ok(R, "/f", O_RDONLY, 0);
	ERR(vfs_write(f, "x", 1), EBADF);
	ERR(vfs_pwrite(f, "x", 1, 0), EBADF);
	ERR(vfs_ftruncate(f, 0), EINVAL);
	file_put(f);
	f = open_ok(R, "/f", O_WRONLY, 0);
	ERR(vfs_read(f, &c, 1), EBADF);
	ERR(vfs_pread(f, &c, 1, 0), EBADF);
	file_put(f);
}
END_TEST

START_TEST(test_directories_and_io)
{
	struct file *d;
	char c;

	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	ERR(open_err(R, "/d", O_WRONLY, 0), EISDIR);
	ERR(open_err(R, "/d", O_RDWR, 0), EISDIR);
	ERR(open_err(R, "/d", O_RDONLY | O_TRUNC, 0), EISDIR);
	d = open_ok(R, "/d", O_RDONLY, 0);
	ERR(vfs_read(d, &c, 1), EISDIR);
	ERR(vfs_lseek(d, 0, SEEK_END), EINVAL);
	file_put(d);
	OK(put_str(R, "/f", "x"));
	d = open_ok(R, "/f", O_RDONLY, 0);
	{
		char buf[64];

		ERR(vfs_getdents(d, buf, sizeof(buf)), ENOTDIR);
	}
	file_put(d);
}
END_TEST

START_TEST(test_seek_data_hole)
{
	struct file *f = open_ok(R, "/sparse", O_CREAT | O_RDWR, 0644);

	ck_assert_int_eq(vfs_pwrite(f, "a", 1, 3 * PAGE_SIZE + 10), 1);
	ck_assert_int_eq(vfs_pwrite(f, "b", 1, 8 * PAGE_SIZE), 1);
	ck_assert_int_eq(vfs_lseek(f, 0, SEEK_DATA), 3 * PAGE_SIZE);
	ck_assert_int_eq(vfs_lseek(f, 0, SEEK_HOLE), 0);
	ck_assert_int_eq(vfs_lseek(f, 3 * PAGE_SIZE + 5, SEEK_HOLE), 4 * PAGE_SIZE);
	ck_assert_int_eq(vfs_lseek(f, 4 * PAGE_SIZE, SEEK_DATA), 8 * PAGE_SIZE);
	ck_assert_int_eq(vfs_lseek(f, 8 * PAGE_SIZE, SEEK_HOLE), 8 * PAGE_SIZE + 1);
	ERR(vfs_lseek(f, 8 * PAGE_SIZE + 1, SEEK_DATA), ENXIO);
	ERR(vfs_lseek(f, -1, SEEK_DATA), ENXIO);
	file_put(f);
}
END_TEST

/* ==== Creating and removing names ================================================================ */

START_TEST(test_mkdir_errors)
{
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	ERR(vfs_mkdirat(R, NULL, "/d", 0755), EEXIST);
	ERR(vfs_mkdirat(R, NULL, "/d/", 0755), EEXIST);
	ERR(vfs_mkdirat(R, NULL, "/x/y", 0755), ENOENT);
	ERR(vfs_mkdirat(R, NULL, "/", 0755), EEXIST);
	ERR(vfs_mkdirat(R, NULL, "/d/.", 0755), EEXIST);
	ERR(vfs_mkdirat(R, NULL, "/d/..", 0755), EEXIST);
	ERR(vfs_mkdirat(U, NULL, "/d/u", 0755), EACCES);
	ERR(vfs_mkdirat(U, NULL, "/d", 0755), EEXIST);	/* EEXIST before EACCES */
	ck_assert_uint_eq(st_of(R, "/d", 0).stx_nlink, 2);
	OK(vfs_mkdirat(R, NULL, "/d/s", 0755));
	ck_assert_uint_eq(st_of(R, "/d", 0).stx_nlink, 3);
}
END_TEST

START_TEST(test_umask_at_create)
{
	OK(touch(U, "/home/u/f", 0666));
	ck_assert_uint_eq(st_of(U, "/home/u/f", 0).stx_mode, S_IFREG | 0644);
	OK(vfs_mkdirat(U, NULL, "/home/u/d", 0777));
	ck_assert_uint_eq(st_of(U, "/home/u/d", 0).stx_mode, S_IFDIR | 0755);
	fs_set_umask(U->fs, 077);
	OK(touch(U, "/home/u/g", 0666));
	ck_assert_uint_eq(st_of(U, "/home/u/g", 0).stx_mode & 07777, 0600);
	ck_assert_uint_eq(fs_set_umask(U->fs, 0), 077);
	OK(vfs_mkdirat(U, NULL, "/home/u/e", 01777));
	ck_assert_uint_eq(st_of(U, "/home/u/e", 0).stx_mode, S_IFDIR | 01777);
	ck_assert_uint_eq(st_of(U, "/home/u/e", 0).stx_uid, 1000);
	ck_assert_uint_eq(st_of(U, "/home/u/e", 0).stx_gid, 1000);
}
END_TEST

START_TEST(test_setgid_directory)
{
	OK(vfs_mkdirat(R, NULL, "/shared", 0777));
	OK(vfs_fchownat(R, NULL, "/shared", 0, 50, 0));
	OK(vfs_fchmodat(R, NULL, "/shared", 02777, 0));
	OK(touch(U2, "/shared/f", 0644));
	ck_assert_uint_eq(st_of(R, "/shared/f", 0).stx_gid, 50);	/* from the dir */
	OK(vfs_mkdirat(U2, NULL, "/shared/sub", 0755));
	ck_assert_uint_eq(st_of(R, "/shared/sub", 0).stx_gid, 50);
	ck_assert(st_of(R, "/shared/sub", 0).stx_mode & S_ISGID);	/* inherited */
	/* a setgid file for a group the creator is not in loses the bit */
	OK(touch(U2, "/shared/g", 02755));
	ck_assert(!(st_of(R, "/shared/g", 0).stx_mode & S_ISGID));
}
END_TEST

START_TEST(test_mknod)
{
	struct statx st;

	OK(vfs_mknodat(R, NULL, "/fifo", S_IFIFO | 0644, 0));
	ck_assert(S_ISFIFO(st_of(R, "/fifo", 0).stx_mode));
	/* no reader for a non-blocking writer (FIFOs in full: test_pipe.c) */
	ERR(open_err(R, "/fifo", O_WRONLY | O_NONBLOCK, 0), ENXIO);
	OK(vfs_mknodat(R, NULL, "/reg", 0644, 0));
	ck_assert(S_ISREG(st_of(R, "/reg", 0).stx_mode));
	ERR(vfs_mknodat(U, NULL, "/home/u/null", S_IFCHR | 0666, MKDEV(1, 3)), EPERM);
	OK(vfs_mknodat(U, NULL, "/home/u/sock", S_IFSOCK | 0666, 0));
	ERR(vfs_mknodat(R, NULL, "/d", S_IFDIR | 0755, 0), EPERM);
	ERR(vfs_mknodat(R, NULL, "/bad", 0170000, 0), EINVAL);
	ERR(vfs_mknodat(R, NULL, "/fifo", S_IFIFO | 0644, 0), EEXIST);
	OK(vfs_mknodat(R, NULL, "/blk", S_IFBLK | 0600, MKDEV(8, 1)));
	st = st_of(R, "/blk", 0);
	ck_assert_uint_eq(st.stx_rdev_major, 8);
	ck_assert_uint_eq(st.stx_rdev_minor, 1);
	ERR(open_err(R, "/blk", O_RDONLY, 0), ENXIO);
}
END_TEST

START_TEST(test_char_device_dispatch_by_rdev)
{
	struct file *f;
	char buf[16];

	OK(vfs_mknodat(R, NULL, "/tmp/myzero", S_IFCHR | 0666, MKDEV(1, 5)));
	f = open_ok(U, "/tmp/myzero", O_RDWR, 0);
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), sizeof(buf));
	for (unsigned i = 0; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);
	file_put(f);
	OK(vfs_mknodat(R, NULL, "/tmp/nodrv", S_IFCHR | 0666, MKDEV(250, 0)));
	ERR(open_err(R, "/tmp/nodrv", O_RDONLY, 0), ENXIO);
}
END_TEST

START_TEST(test_unlink_errors)
{
	OK(put_str(R, "/f", "x"));
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	ERR(vfs_unlinkat(R, NULL, "/d", 0), EISDIR);
	ERR(vfs_unlinkat(R, NULL, "/missing", 0), ENOENT);
	ERR(vfs_unlinkat(R, NULL, "/f/", 0), ENOTDIR);
	ERR(vfs_unlinkat(R, NULL, "/d/", 0), EISDIR);
	ERR(vfs_unlinkat(R, NULL, "/missing/", 0), ENOENT);
	ERR(vfs_unlinkat(R, NULL, "/d/.", 0), EISDIR);
	ERR(vfs_unlinkat(R, NULL, "/", 0), EISDIR);
	ERR(vfs_unlinkat(R, NULL, "/f", 0x1), EINVAL);
	ERR(vfs_unlinkat(U, NULL, "/f", 0), EACCES);
	OK(vfs_unlinkat(R, NULL, "/f", 0));
	ERR(stat_err(R, "/f", 0), ENOENT);
	ERR(vfs_unlinkat(R, NULL, "/f", 0), ENOENT);
}
END_TEST

START_TEST(test_rmdir_errors)
{
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	OK(vfs_mkdirat(R, NULL, "/d/s", 0755));
	OK(put_str(R, "/f", "x"));
	ERR(vfs_rmdir(R, NULL, "/d"), ENOTEMPTY);
	ERR(vfs_rmdir(R, NULL, "/f"), ENOTDIR);
	ERR(vfs_rmdir(R, NULL, "/d/s/."), EINVAL);
	ERR(vfs_rmdir(R, NULL, "/d/s/.."), ENOTEMPTY);
	ERR(vfs_rmdir(R, NULL, "/"), EBUSY);
	ERR(vfs_rmdir(R, NULL, "/missing"), ENOENT);
	ERR(vfs_rmdir(R, NULL, "/dev"), EBUSY);		/* a mountpoint */
	OK(vfs_symlinkat(R, "d/s", NULL, "/ls"));
	ERR(vfs_rmdir(R, NULL, "/ls/"), ENOTDIR);	/* the link, not its target */
	ck_assert_uint_eq(st_of(R, "/d", 0).stx_nlink, 3);
	OK(vfs_unlinkat(R, NULL, "/d/s", AT_REMOVEDIR));
	ck_assert_uint_eq(st_of(R, "/d", 0).stx_nlink, 2);
	OK(vfs_rmdir(R, NULL, "/d/"));
	ERR(stat_err(R, "/d", 0), ENOENT);
}
END_TEST

START_TEST(test_removed_cwd)
{
	struct file *d;
	char buf[256];

	OK(vfs_mkdirat(R, NULL, "/gone", 0755));
	OK(vfs_chdir(R, NULL, "/gone"));
	d = open_ok(R, "/gone", O_RDONLY | O_DIRECTORY, 0);
	OK(vfs_rmdir(R, NULL, "/gone"));
	ERR(touch(R, "x", 0644), ENOENT);		/* no entries in a dead dir */
	ERR(vfs_mkdirat(R, NULL, "y", 0755), ENOENT);
	ERR(stat_err(R, "x", 0), ENOENT);
	OK(stat_err(R, ".", 0));
	ck_assert_uint_eq(st_of(R, ".", 0).stx_nlink, 0);
	ERR(vfs_getdents(d, buf, sizeof(buf)), ENOENT);
	{
		struct path cwd = { NULL, NULL };

		spin_lock(&R->fs->lock);
		cwd = R->fs->pwd;
		path_get(&cwd);
		spin_unlock(&R->fs->lock);
		ERR(vfs_path_name(&cwd, NULL, buf, sizeof(buf)), ENOENT);
		path_put(&cwd);
	}
	file_put(d);
}
END_TEST

START_TEST(test_symlink_and_readlink)
{
	char buf[64];

	OK(vfs_symlinkat(R, "some/target", NULL, "/l"));
	ck_assert_int_eq(vfs_readlinkat(R, NULL, "/l", buf, sizeof(buf)), 11);
	ck_assert(!memcmp(buf, "some/target", 11));
	ck_assert_int_eq(vfs_readlinkat(R, NULL, "/l", buf, 4), 4);	/* truncated, no NUL */
	ck_assert(!memcmp(buf, "some", 4));
	ERR(vfs_readlinkat(R, NULL, "/l", buf, 0), EINVAL);
	ERR(vfs_readlinkat(R, NULL, "/", buf, sizeof(buf)), EINVAL);	/* not a link */
	ERR(vfs_readlinkat(R, NULL, "/none", buf, sizeof(buf)), ENOENT);
	ERR(vfs_symlinkat(R, "x", NULL, "/l"), EEXIST);
	ERR(vfs_symlinkat(R, "", NULL, "/e"), ENOENT);
	ERR(vfs_symlinkat(U, "x", NULL, "/u"), EACCES);
	ck_assert_uint_eq(st_of(R, "/l", AT_SYMLINK_NOFOLLOW).stx_mode, S_IFLNK | 0777);
}
END_TEST

START_TEST(test_hard_links)
{
	struct statx st;

	OK(put_str(R, "/f", "shared"));
	OK(vfs_linkat(R, NULL, "/f", NULL, "/g", 0));
	st = st_of(R, "/f", 0);
	ck_assert_uint_eq(st.stx_nlink, 2);
	ck_assert_uint_eq(st.stx_ino, ino_of("/g"));
	OK(put_str(R, "/g", "changed"));
	ck_assert_str_eq(get_str(R, "/f"), "changed");
	OK(vfs_unlinkat(R, NULL, "/f", 0));
	ck_assert_uint_eq(st_of(R, "/g", 0).stx_nlink, 1);
	ck_assert_str_eq(get_str(R, "/g"), "changed");
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	ERR(vfs_linkat(R, NULL, "/d", NULL, "/d2", 0), EPERM);
	ERR(vfs_linkat(R, NULL, "/g", NULL, "/d", 0), EEXIST);
	ERR(vfs_linkat(R, NULL, "/none", NULL, "/x", 0), ENOENT);
	ERR(vfs_linkat(R, NULL, "/g", NULL, "/dev/g", 0), EXDEV);
	ERR(vfs_linkat(R, NULL, "/g", NULL, "/h", 0x1), EINVAL);
	ERR(vfs_linkat(U, NULL, "/g", NULL, "/h", 0), EACCES);
	/* links to a symlink: the link itself, or its target with FOLLOW */
	OK(vfs_symlinkat(R, "g", NULL, "/sl"));
	OK(vfs_linkat(R, NULL, "/sl", NULL, "/sl2", 0));
	ck_assert(S_ISLNK(st_of(R, "/sl2", AT_SYMLINK_NOFOLLOW).stx_mode));
	OK(vfs_linkat(R, NULL, "/sl", NULL, "/g2", AT_SYMLINK_FOLLOW));
	ck_assert_uint_eq(ino_of("/g2"), ino_of("/g"));
	ck_assert_uint_eq(st_of(R, "/g", 0).stx_nlink, 2);
}
END_TEST

START_TEST(test_link_to_unlinked_open_file)
{
	struct file *f = open_ok(R, "/f", O_CREAT | O_RDWR, 0644);

	OK(vfs_unlinkat(R, NULL, "/f", 0));
	ERR(vfs_linkat(R, &f->path, "", NULL, "/back", AT_EMPTY_PATH), ENOENT);
	ERR(vfs_linkat(U, &f->path, "", NULL, "/tmp/back", AT_EMPTY_PATH), ENOENT);
	ck_assert_int_eq(vfs_write(f, "still", 5), 5);
	file_put(f);
}
END_TEST

/* ==== Rename ================================================================================ */

START_TEST(test_rename_file)
{
	u64 ino;

	OK(put_str(R, "/a", "A"));
	OK(put_str(R, "/b", "B"));
	ino = ino_of("/a");
	OK(vfs_renameat2(R, NULL, "/a", NULL, "/c", 0));
	ERR(stat_err(R, "/a", 0), ENOENT);
	ck_assert_uint_eq(ino_of("/c"), ino);
	OK(vfs_renameat2(R, NULL, "/c", NULL, "/b", 0));	/* replaces /b */
	ck_assert_str_eq(get_str(R, "/b"), "A");
	ck_assert_uint_eq(st_of(R, "/b", 0).stx_nlink, 1);
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	OK(vfs_renameat2(R, NULL, "/b", NULL, "/d/b", 0));	/* to another dir */
	ck_assert_str_eq(get_str(R, "/d/b"), "A");
	ERR(vfs_renameat2(R, NULL, "/none", NULL, "/x", 0), ENOENT);
	ERR(vfs_renameat2(R, NULL, "/d/b", NULL, "/nodir/x", 0), ENOENT);
	ERR(vfs_renameat2(R, NULL, "/d/b/", NULL, "/x", 0), ENOTDIR);
	ERR(vfs_renameat2(R, NULL, "/d/b", NULL, "/x/", 0), ENOTDIR);
	ck_assert_str_eq(get_str(R, "/d/b"), "A");
}
END_TEST

START_TEST(test_rename_noreplace)
{
	OK(put_str(R, "/a", "A"));
	OK(put_str(R, "/b", "B"));
	ERR(vfs_renameat2(R, NULL, "/a", NULL, "/b", RENAME_NOREPLACE), EEXIST);
	ck_assert_str_eq(get_str(R, "/a"), "A");
	ck_assert_str_eq(get_str(R, "/b"), "B");
	OK(vfs_renameat2(R, NULL, "/a", NULL, "/c", RENAME_NOREPLACE));
	ERR(vfs_renameat2(R, NULL, "/c", NULL, "/.", RENAME_NOREPLACE), EEXIST);
}
END_TEST

START_TEST(test_rename_exchange)
{
	OK(vfs_mkdirat(R, NULL, "/d1", 0755));
	OK(vfs_mkdirat(R, NULL, "/d2", 0755));
	OK(vfs_mkdirat(R, NULL, "/d1/sub", 0755));
	OK(put_str(R, "/d2/file", "F"));
	OK(put_str(R, "/a", "A"));
	OK(put_str(R, "/b", "B"));
	OK(vfs_renameat2(R, NULL, "/a", NULL, "/b", RENAME_EXCHANGE));
	ck_assert_str_eq(get_str(R, "/a"), "B");
	ck_assert_str_eq(get_str(R, "/b"), "A");
	ERR(vfs_renameat2(R, NULL, "/a", NULL, "/none", RENAME_EXCHANGE), ENOENT);
	ck_assert_str_eq(get_str(R, "/a"), "B");
	/* a directory and a file swap across directories: link counts follow */
	ck_assert_uint_eq(st_of(R, "/d1", 0).stx_nlink, 3);
	ck_assert_uint_eq(st_of(R, "/d2", 0).stx_nlink, 2);
	OK(vfs_renameat2(R, NULL, "/d1/sub", NULL, "/d2/file", RENAME_EXCHANGE));
	ck_assert(S_ISDIR(st_of(R, "/d2/file", 0).stx_mode));
	ck_assert_str_eq(get_str(R, "/d1/sub"), "F");
	ck_assert_uint_eq(st_of(R, "/d1", 0).stx_nlink, 2);
	ck_assert_uint_eq(st_of(R, "/d2", 0).stx_nlink, 3);
	ck_assert_uint_eq(ino_of("/d2/file/.."), ino_of("/d2"));
	ERR(vfs_renameat2(R, NULL, "/a", NULL, "/b", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
	ERR(vfs_renameat2(R, NULL, "/a", NULL, "/b", 0x100), EINVAL);
	ERR(vfs_renameat2(R, NULL, "/a", NULL, "/b", RENAME_WHITEOUT), EINVAL);
	/* exchanging an ancestor with its descendant is refused */
	ERR(vfs_renameat2(R, NULL, "/d2", NULL, "/d2/file", RENAME_EXCHANGE), EINVAL);
	ERR(vfs_renameat2(R, NULL, "/d2/file", NULL, "/d2", RENAME_EXCHANGE), EINVAL);
}
END_TEST

START_TEST(test_rename_into_own_descendant)
{
	OK(vfs_mkdirat(R, NULL, "/a", 0755));
	OK(vfs_mkdirat(R, NULL, "/a/b", 0755));
	OK(vfs_mkdirat(R, NULL, "/a/b/c", 0755));
	ERR(vfs_renameat2(R, NULL, "/a", NULL, "/a/b/c/a", 0), EINVAL);
	ERR(vfs_renameat2(R, NULL, "/a", NULL, "/a/x", 0), EINVAL);
	ERR(vfs_renameat2(R, NULL, "/a/b", NULL, "/a/b/c/d", 0), EINVAL);
	ck_assert(S_ISDIR(st_of(R, "/a/b/c", 0).stx_mode));	/* tree intact */
	ck_assert_uint_eq(ino_of("/a/b/c/../.."), ino_of("/a"));
	/* the target an ancestor of the source: it cannot be empty */
	ERR(vfs_renameat2(R, NULL, "/a/b/c", NULL, "/a", 0), ENOTEMPTY);
	ERR(vfs_renameat2(R, NULL, "/a/b/c", NULL, "/a/b", 0), ENOTEMPTY);
	ck_assert(S_ISDIR(st_of(R, "/a/b/c", 0).stx_mode));
}
END_TEST

START_TEST(test_rename_over_dirs)
{
	OK(vfs_mkdirat(R, NULL, "/src", 0755));
	OK(put_str(R, "/src/f", "kept"));
	OK(vfs_mkdirat(R, NULL, "/full", 0755));
	OK(put_str(R, "/full/g", "also kept"));
	OK(vfs_mkdirat(R, NULL, "/empty", 0755));
	OK(put_str(R, "/file", "file"));
	ERR(vfs_renameat2(R, NULL, "/src", NULL, "/full", 0), ENOTEMPTY);
	ck_assert_str_eq(get_str(R, "/src/f"), "kept");
	ck_assert_str_eq(get_str(R, "/full/g"), "also kept");
	ERR(vfs_renameat2(R, NULL, "/src", NULL, "/file", 0), ENOTDIR);
	ERR(vfs_renameat2(R, NULL, "/file", NULL, "/empty", 0), EISDIR);
	ck_assert_str_eq(get_str(R, "/file"), "file");
	ck_assert_uint_eq(st_of(R, "/", 0).stx_nlink, 2 + 6);	/* dev tmp home src full empty */
	OK(vfs_renameat2(R, NULL, "/src", NULL, "/empty", 0));	/* over an empty dir */
	ck_assert_str_eq(get_str(R, "/empty/f"), "kept");
	ERR(stat_err(R, "/src", 0), ENOENT);
	ck_assert_uint_eq(st_of(R, "/", 0).stx_nlink, 2 + 5);
	OK(vfs_renameat2(R, NULL, "/empty", NULL, "/full/moved", 0));
	ck_assert_uint_eq(st_of(R, "/full", 0).stx_nlink, 3);
	ck_assert_uint_eq(ino_of("/full/moved/.."), ino_of("/full"));
	ck_assert_str_eq(get_str(R, "/full/moved/f"), "kept");
}
END_TEST

START_TEST(test_rename_cross_mount_exdev)
{
	OK(vfs_mkdirat(R, NULL, "/mnt", 0755));
	OK(vfs_mount(R, "tmpfs", "/mnt", "tmpfs", 0, NULL));
	OK(put_str(R, "/f", "x"));
	ERR(vfs_renameat2(R, NULL, "/f", NULL, "/mnt/f", 0), EXDEV);
	ck_assert_str_eq(get_str(R, "/f"), "x");
	ERR(vfs_renameat2(R, NULL, "/mnt", NULL, "/mnt2", 0), EBUSY);	/* a mountpoint */
	/* a bind mount of the same fs is still another mount */
	OK(vfs_mkdirat(R, NULL, "/b", 0755));
	OK(vfs_mkdirat(R, NULL, "/src", 0755));
	OK(vfs_mount(R, "/src", "/b", NULL, MS_BIND, NULL));
	ERR(vfs_renameat2(R, NULL, "/f", NULL, "/b/f", 0), EXDEV);
}
END_TEST

START_TEST(test_rename_hard_links_same_inode)
{
	OK(put_str(R, "/a", "x"));
	OK(vfs_linkat(R, NULL, "/a", NULL, "/b", 0));
	OK(vfs_renameat2(R, NULL, "/a", NULL, "/b", 0));	/* does nothing */
	ck_assert_str_eq(get_str(R, "/a"), "x");
	ck_assert_str_eq(get_str(R, "/b"), "x");
	ck_assert_uint_eq(st_of(R, "/a", 0).stx_nlink, 2);
	OK(vfs_renameat2(R, NULL, "/a", NULL, "/a", 0));
	ck_assert_str_eq(get_str(R, "/a"), "x");
}
END_TEST

START_TEST(test_rename_dots_ebusy)
{
	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	ERR(vfs_renameat2(R, NULL, "/d/.", NULL, "/e", 0), EBUSY);
	ERR(vfs_renameat2(R, NULL, "/d/..", NULL, "/e", 0), EBUSY);
	ERR(vfs_renameat2(R, NULL, "/d", NULL, "/tmp/.", 0), EBUSY);
	ERR(vfs_renameat2(R, NULL, "/", NULL, "/e", 0), EBUSY);
}
END_TEST

START_TEST(test_rename_long_names)
{
	char a[200], b[200];

	memset(a, 'a', sizeof(a));
	memcpy(a, "/", 1);
	a[150] = 0;
	memset(b, 'b', sizeof(b));
	memcpy(b, "/", 1);
	b[120] = 0;
	OK(put_str(R, a, "long"));
	OK(vfs_renameat2(R, NULL, a, NULL, "/short", 0));
	ck_assert_str_eq(get_str(R, "/short"), "long");
	OK(vfs_renameat2(R, NULL, "/short", NULL, b, 0));
	ck_assert_str_eq(get_str(R, b), "long");
	OK(put_str(R, a, "other"));
	OK(vfs_renameat2(R, NULL, a, NULL, b, RENAME_EXCHANGE));
	ck_assert_str_eq(get_str(R, a), "long");
	ck_assert_str_eq(get_str(R, b), "other");
	OK(put_str(R, "/s", "s"));
	OK(vfs_renameat2(R, NULL, "/s", NULL, a, RENAME_EXCHANGE));
	ck_assert_str_eq(get_str(R, a), "s");
	ck_assert_str_eq(get_str(R, "/s"), "long");
	dcache_shrink(~0UL);
	ck_assert_str_eq(get_str(R, b), "other");
}
END_TEST

START_TEST(test_rename_permissions)
{
	OK(vfs_mkdirat(U, NULL, "/home/u/d", 0755));
	OK(vfs_mkdirat(U, NULL, "/home/u/e", 0755));
	OK(vfs_mkdirat(U, NULL, "/home/u/d/ro", 0555));
	OK(put_str(U, "/home/u/f", "f"));
	ERR(vfs_renameat2(U2, NULL, "/home/u/f", NULL, "/tmp/f", 0), EACCES);
	ERR(vfs_renameat2(U, NULL, "/home/u/f", NULL, "/f", 0), EACCES);
	/* a directory moving to another parent needs write on itself ("..") */
	ERR(vfs_renameat2(U, NULL, "/home/u/d/ro", NULL, "/home/u/e/ro", 0), EACCES);
	OK(vfs_renameat2(U, NULL, "/home/u/d/ro", NULL, "/home/u/d/ro2", 0));
	OK(vfs_renameat2(U, NULL, "/home/u/f", NULL, "/home/u/d/f", 0));
}
END_TEST

/* ==== Attributes ============================================================================== */

START_TEST(test_statx_times_with_ns)
{
	struct file *f;
	struct statx st;
	char c;

	fake_clock = 5 * NSEC_PER_SEC + 123456789;
	OK(put_str(R, "/f", "abc"));
	st = st_of(R, "/f", 0);
	ck_assert_int_eq(st.stx_btime.tv_sec, 5);
	ck_assert_uint_eq(st.stx_btime.tv_nsec, 123456789);
	ck_assert_int_eq(st.stx_mtime.tv_sec, 5);
	ck_assert_uint_eq(st.stx_mtime.tv_nsec, 123456789);
	ck_assert(st.stx_mask & STATX_BTIME);
	ck_assert_uint_eq(st.stx_size, 3);
	ck_assert_uint_eq(st.stx_blocks, PAGE_SIZE / 512);
	ck_assert_uint_eq(st.stx_blksize, PAGE_SIZE);
	ck_assert_uint_eq(st.stx_nlink, 1);
	fake_clock = 7 * NSEC_PER_SEC + 1;
	f = open_ok(R, "/f", O_WRONLY, 0);
	ck_assert_int_eq(vfs_write(f, "x", 1), 1);
	file_put(f);
	st = st_of(R, "/f", 0);
	ck_assert_int_eq(st.stx_mtime.tv_sec, 7);
	ck_assert_uint_eq(st.stx_mtime.tv_nsec, 1);
	ck_assert_int_eq(st.stx_ctime.tv_sec, 7);
	ck_assert_int_eq(st.stx_btime.tv_sec, 5);		/* birth stays */
	ck_assert_int_eq(st.stx_atime.tv_sec, 5);
	fake_clock = 9 * NSEC_PER_SEC;
	f = open_ok(R, "/f", O_RDONLY, 0);
	ck_assert_int_eq(vfs_read(f, &c, 1), 1);		/* relatime: atime < mtime */
	file_put(f);
	ck_assert_int_eq(st_of(R, "/f", 0).stx_atime.tv_sec, 9);
	fake_clock = 10 * NSEC_PER_SEC;
	f = open_ok(R, "/f", O_RDONLY, 0);
	ck_assert_int_eq(vfs_read(f, &c, 1), 1);		/* atime already newer */
	file_put(f);
	ck_assert_int_eq(st_of(R, "/f", 0).stx_atime.tv_sec, 9);
	/* directories: mtime/ctime move when entries change */
	fake_clock = 11 * NSEC_PER_SEC;
	OK(touch(R, "/g", 0644));
	ck_assert_int_eq(st_of(R, "/", 0).stx_mtime.tv_sec, 11);
	ck_assert(st_of(R, "/", 0).stx_mnt_id > 0);
}
END_TEST

START_TEST(test_chmod)
{
	OK(put_str(U, "/home/u/f", "x"));
	OK(vfs_fchmodat(U, NULL, "/home/u/f", 0600, 0));
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_mode, S_IFREG | 0600);
	ERR(vfs_fchmodat(U2, NULL, "/home/u/f", 0666, 0), EPERM);
	OK(vfs_fchmodat(R, NULL, "/home/u/f", 04755, 0));
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_mode, S_IFREG | 04755);
	/* setgid for a group the owner is not in is dropped */
	OK(vfs_fchownat(R, NULL, "/home/u/f", 1000, 7, 0));
	OK(vfs_fchmodat(U, NULL, "/home/u/f", 02755, 0));
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_mode & 07777, 0755);
	OK(vfs_fchownat(R, NULL, "/home/u/f", 1000, 50, 0));
	OK(vfs_fchmodat(U, NULL, "/home/u/f", 02755, 0));
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_mode & 07777, 02755);
	OK(vfs_symlinkat(U, "f", NULL, "/home/u/l"));
	ERR(vfs_fchmodat(U, NULL, "/home/u/l", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	ERR(vfs_fchmodat(U, NULL, "/home/u/f", 0600, 0x1), EINVAL);
	ERR(vfs_fchmodat(U, NULL, "/home/u/none", 0600, 0), ENOENT);
	{
		struct file *f = open_ok(U, "/home/u/f", O_RDONLY, 0);

		OK(vfs_fchmod(U, f, 0640));
		ERR(vfs_fchmod(U2, f, 0600), EPERM);
		file_put(f);
		ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_mode & 07777, 0640);
	}
}
END_TEST

START_TEST(test_chown)
{
	OK(put_str(U, "/home/u/f", "x"));
	OK(vfs_fchmodat(U, NULL, "/home/u/f", 06755, 0));
	ERR(vfs_fchownat(U, NULL, "/home/u/f", 2000, (u32)-1, 0), EPERM);	/* give away */
	ERR(vfs_fchownat(U, NULL, "/home/u/f", (u32)-1, 2000, 0), EPERM);	/* not its group */
	ERR(vfs_fchownat(U2, NULL, "/home/u/f", (u32)-1, 2000, 0), EPERM);	/* not owner */
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_mode & 07777, 06755);
	OK(vfs_fchownat(U, NULL, "/home/u/f", 1000, 50, 0));	/* own group: fine */
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_gid, 50);
	/* chown clears set-user-ID, and set-group-ID when group-executable */
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_mode & 07777, 0755);
	OK(vfs_fchownat(R, NULL, "/home/u/f", 2000, 2000, 0));
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_uid, 2000);
	OK(vfs_fchownat(R, NULL, "/home/u/f", (u32)-1, (u32)-1, 0));
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_gid, 2000);
	/* a symlink itself, not its target */
	OK(vfs_symlinkat(R, "f", NULL, "/home/u/l"));
	OK(vfs_fchownat(R, NULL, "/home/u/l", 1000, 1000, AT_SYMLINK_NOFOLLOW));
	ck_assert_uint_eq(st_of(R, "/home/u/l", AT_SYMLINK_NOFOLLOW).stx_uid, 1000);
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_uid, 2000);
	ERR(vfs_fchownat(R, NULL, "/home/u/f", 0, 0, 0x2), EINVAL);
}
END_TEST

START_TEST(test_utimens)
{
	struct timespec64 t[2] = { { 100, 5 }, { 200, 6 } };
	struct statx st;

	OK(put_str(U, "/home/u/f", "x"));
	OK(vfs_fchmodat(U, NULL, "/home/u/f", 0666, 0));
	OK(vfs_utimensat(U, NULL, "/home/u/f", t, 0));
	st = st_of(R, "/home/u/f", 0);
	ck_assert_int_eq(st.stx_atime.tv_sec, 100);
	ck_assert_uint_eq(st.stx_atime.tv_nsec, 5);
	ck_assert_int_eq(st.stx_mtime.tv_sec, 200);
	ck_assert_uint_eq(st.stx_mtime.tv_nsec, 6);
	ERR(vfs_utimensat(U2, NULL, "/home/u/f", t, 0), EPERM);	/* explicit: owner only */
	fake_clock = 3000 * NSEC_PER_SEC;
	OK(vfs_utimensat(U2, NULL, "/home/u/f", NULL, 0));	/* now: write access is enough */
	ck_assert_int_eq(st_of(R, "/home/u/f", 0).stx_mtime.tv_sec, 3000);
	OK(vfs_fchmodat(U, NULL, "/home/u/f", 0644, 0));
	ERR(vfs_utimensat(U2, NULL, "/home/u/f", NULL, 0), EACCES);
	t[0].tv_nsec = UTIME_OMIT;
	t[1].tv_nsec = UTIME_NOW;
	fake_clock = 4000 * NSEC_PER_SEC;
	OK(vfs_utimensat(U, NULL, "/home/u/f", t, 0));
	st = st_of(R, "/home/u/f", 0);
	ck_assert_int_eq(st.stx_atime.tv_sec, 3000);		/* omitted */
	ck_assert_int_eq(st.stx_mtime.tv_sec, 4000);
	t[1].tv_nsec = UTIME_OMIT;
	fake_clock = 5000 * NSEC_PER_SEC;
	OK(vfs_utimensat(U2, NULL, "/home/u/f", t, 0));		/* both omitted: nothing */
	ck_assert_int_eq(st_of(R, "/home/u/f", 0).stx_ctime.tv_sec, 4000);
	t[0].tv_nsec = 1000000000;
	ERR(vfs_utimensat(U, NULL, "/home/u/f", t, 0), EINVAL);
	t[0].tv_nsec = -1;
	ERR(vfs_utimensat(U, NULL, "/home/u/f", t, 0), EINVAL);
	/* on a symlink itself */
	OK(vfs_symlinkat(U, "f", NULL, "/home/u/l"));
	t[0] = (struct timespec64){ 7, 7 };
	t[1] = (struct timespec64){ 8, 8 };
	OK(vfs_utimensat(U, NULL, "/home/u/l", t, AT_SYMLINK_NOFOLLOW));
	ck_assert_int_eq(st_of(R, "/home/u/l", AT_SYMLINK_NOFOLLOW).stx_mtime.tv_sec, 8);
	ck_assert_int_eq(st_of(R, "/home/u/f", 0).stx_mtime.tv_sec, 4000);
}
END_TEST

START_TEST(test_truncate)
{
	struct file *f;
	char buf[16];

	OK(put_str(U, "/home/u/f", "0123456789"));
	OK(vfs_truncate(U, NULL, "/home/u/f", 4));
	ck_assert_str_eq(get_str(U, "/home/u/f"), "0123");
	OK(vfs_truncate(U, NULL, "/home/u/f", 8));		/* grows with zeros */
	f = open_ok(U, "/home/u/f", O_RDWR, 0);
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), 8);
	ck_assert(!memcmp(buf, "0123\0\0\0\0", 8));
	OK(vfs_ftruncate(f, 2));
	ck_assert_uint_eq(st_of(U, "/home/u/f", 0).stx_size, 2);
	ERR(vfs_ftruncate(f, -1), EINVAL);
	file_put(f);
	ERR(vfs_truncate(U, NULL, "/home/u/f", -1), EINVAL);
	ERR(vfs_truncate(U, NULL, "/home/u", 0), EISDIR);
	ERR(vfs_truncate(U2, NULL, "/home/u/f", 0), EACCES);
	ERR(vfs_truncate(U, NULL, "/dev/null", 0), EINVAL);
	ERR(vfs_truncate(U, NULL, "/home/u/none", 0), ENOENT);
	/* truncating to a page boundary and below frees pages */
	f = open_ok(U, "/home/u/big", O_CREAT | O_RDWR, 0644);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(vfs_pwrite(f, "z", 1, i * PAGE_SIZE + 100), 1);
	ck_assert_uint_eq(st_of(U, "/home/u/big", 0).stx_blocks, 4 * PAGE_SIZE / 512);
	OK(vfs_ftruncate(f, PAGE_SIZE + 50));
	ck_assert_uint_eq(st_of(U, "/home/u/big", 0).stx_blocks, 2 * PAGE_SIZE / 512);
	OK(vfs_ftruncate(f, 3 * PAGE_SIZE));
	ck_assert_int_eq(vfs_pread(f, buf, 1, PAGE_SIZE + 100), 1);
	ck_assert_int_eq(buf[0], 0);		/* the tail past the cut reads zero */
	file_put(f);
}
END_TEST

START_TEST(test_write_kills_suid)
{
	struct file *f;

	OK(put_str(U, "/home/u/f", "x"));
	OK(vfs_fchmodat(U, NULL, "/home/u/f", 06777, 0));
	OK(vfs_fchownat(R, NULL, "/home/u/f", 1000, 50, 0));
	OK(vfs_fchmodat(U, NULL, "/home/u/f", 06777, 0));
	f = open_ok(U2, "/home/u/f", O_WRONLY, 0);
	ck_assert_int_eq(vfs_write(f, "y", 1), 1);
	file_put(f);
	ck_assert_uint_eq(st_of(R, "/home/u/f", 0).stx_mode & 07777, 0777);
}
END_TEST

START_TEST(test_statfs)
{
	struct vfs_statfs st;
	struct path p;

	OK(vfs_mkdirat(R, NULL, "/m", 0755));
	OK(vfs_mount(R, "tmpfs", "/m", "tmpfs", 0, "size=1M,nr_inodes=100"));
	OK(vfs_lookup(R, NULL, "/m", 0, &p));
	OK(vfs_statfs(&p, &st));
	ck_assert_uint_eq(st.magic, 0x01021994);
	ck_assert_uint_eq(st.blocks, MiB(1) / PAGE_SIZE);
	ck_assert_uint_eq(st.bfree, MiB(1) / PAGE_SIZE);
	ck_assert_uint_eq(st.files, 100);
	ck_assert_uint_eq(st.ffree, 99);
	ck_assert_uint_eq(st.namelen, 255);
	path_put(&p);
}
END_TEST

/* ==== Permissions ============================================================================ */

START_TEST(test_permission_mode_bits)
{
	OK(put_str(R, "/tmp/rootonly", "x"));
	OK(vfs_fchmodat(R, NULL, "/tmp/rootonly", 0600, 0));
	ERR(open_err(U, "/tmp/rootonly", O_RDONLY, 0), EACCES);
	ERR(open_err(U, "/tmp/rootonly", O_WRONLY, 0), EACCES);
	OK(vfs_fchmodat(R, NULL, "/tmp/rootonly", 0604, 0));
	OK(open_err(U, "/tmp/rootonly", O_RDONLY, 0));
	ERR(open_err(U, "/tmp/rootonly", O_RDWR, 0), EACCES);
	/* root reads and writes anything, executes only what someone may */
	OK(vfs_fchmodat(R, NULL, "/tmp/rootonly", 0, 0));
	OK(open_err(R, "/tmp/rootonly", O_RDWR, 0));
	ERR(vfs_faccessat(R, NULL, "/tmp/rootonly", X_OK, 0), EACCES);
	OK(vfs_fchmodat(R, NULL, "/tmp/rootonly", 0001, 0));
	OK(vfs_faccessat(R, NULL, "/tmp/rootonly", X_OK, 0));
	OK(vfs_faccessat(U, NULL, "/tmp/rootonly", X_OK, 0));
	ERR(vfs_faccessat(U, NULL, "/tmp/rootonly", R_OK, 0), EACCES);
	OK(vfs_faccessat(U, NULL, "/tmp/rootonly", F_OK, 0));
	ERR(vfs_faccessat(U, NULL, "/tmp/none", F_OK, 0), ENOENT);
	ERR(vfs_faccessat(U, NULL, "/tmp/rootonly", 8, 0), EINVAL);
	ERR(vfs_faccessat(U, NULL, "/tmp/rootonly", R_OK, 0x1), EINVAL);
}
END_TEST

START_TEST(test_permission_classes)
{
	/* group 50 is one of U's supplementary groups */
	OK(put_str(R, "/tmp/g", "x"));
	OK(vfs_fchownat(R, NULL, "/tmp/g", 0, 50, 0));
	OK(vfs_fchmodat(R, NULL, "/tmp/g", 0060, 0));
	OK(open_err(U, "/tmp/g", O_RDWR, 0));
	ERR(open_err(U2, "/tmp/g", O_RDONLY, 0), EACCES);
	/* only the first matching class counts: an owner is not "other" */
	OK(put_str(U, "/home/u/mine", "x"));
	OK(vfs_fchmodat(U, NULL, "/home/u/mine", 0077, 0));
	ERR(open_err(U, "/home/u/mine", O_RDONLY, 0), EACCES);
	OK(open_err(U2, "/home/u/mine", O_RDONLY, 0));
	/* a non-root caller has no capability overrides at all */
	ERR(vfs_mkdirat(U, NULL, "/dev/x", 0755), EACCES);
}
END_TEST

START_TEST(test_sticky_directory)
{
	OK(touch(U, "/tmp/ufile", 0666));
	OK(touch(U2, "/tmp/u2file", 0666));
	ERR(vfs_unlinkat(U2, NULL, "/tmp/ufile", 0), EPERM);
	ERR(vfs_renameat2(U2, NULL, "/tmp/ufile", NULL, "/tmp/stolen", 0), EPERM);
	ERR(vfs_renameat2(U2, NULL, "/tmp/u2file", NULL, "/tmp/ufile", 0), EPERM);	/* replace */
	ck_assert_uint_eq(st_of(R, "/tmp/ufile", 0).stx_uid, 1000);
	OK(vfs_renameat2(U, NULL, "/tmp/ufile", NULL, "/tmp/ufile2", 0));	/* the owner may */
	OK(vfs_unlinkat(U, NULL, "/tmp/ufile2", 0));
	OK(vfs_unlinkat(R, NULL, "/tmp/u2file", 0));				/* and root */
	/* the directory's owner may too */
	OK(vfs_mkdirat(U, NULL, "/home/u/st", 01777));
	OK(vfs_fchmodat(U, NULL, "/home/u/st", 01777, 0));
	OK(touch(U2, "/home/u/st/x", 0644));
	OK(vfs_unlinkat(U, NULL, "/home/u/st/x", 0));
	/* without the sticky bit, write permission on the dir is enough */
	OK(vfs_mkdirat(U, NULL, "/home/u/open", 0777));
	OK(vfs_fchmodat(U, NULL, "/home/u/open", 0777, 0));
	OK(touch(U, "/home/u/open/y", 0644));
	OK(vfs_unlinkat(U2, NULL, "/home/u/open/y", 0));
}
END_TEST

/* ==== Directory reading ======================================================================== */

struct seen {
	char names[64][32];
	u64 offs[64];
	unsigned types[64];
	int n;
};

/* Read entries with a buffer of bufsize until the end or max entries. */
static long read_dir(struct file *d, size_t bufsize, struct seen *s, int max)
{
	char buf[4096];
	long total = 0;

	ck_assert_uint_le(bufsize, sizeof(buf));
	while (s->n < max) {
		long n = vfs_getdents(d, buf, bufsize), off = 0;

		if (n <= 0)
			return n < 0 ? n : total;
		while (off < n) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);

			ck_assert_uint_eq(de->d_reclen % 8, 0);
			ck_assert_uint_lt(s->n, 64);
			snprintf(s->names[s->n], sizeof(s->names[0]), "%s", de->d_name);
			s->offs[s->n] = (u64)de->d_off;
			s->types[s->n] = de->d_type;
			s->n++;
			off += de->d_reclen;
		}
		total += n;
	}
	return total;
}

static int seen_index(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			return i;
	return -1;
}

START_TEST(test_getdents_basic)
{
	struct seen s = { .n = 0 };
	struct file *d;
	char tiny[16];

	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	OK(put_str(R, "/d/file", "x"));
	OK(vfs_mkdirat(R, NULL, "/d/sub", 0755));
	OK(vfs_symlinkat(R, "file", NULL, "/d/link"));
	OK(vfs_mknodat(R, NULL, "/d/fifo", S_IFIFO | 0644, 0));
	d = open_ok(R, "/d", O_RDONLY | O_DIRECTORY, 0);
	ERR(vfs_getdents(d, tiny, sizeof(tiny)), EINVAL);	/* no room for one */
	ck_assert_int_gt(read_dir(d, 4096, &s, 64), 0);
	ck_assert_int_eq(s.n, 6);
	ck_assert_str_eq(s.names[0], ".");
	ck_assert_str_eq(s.names[1], "..");
	ck_assert_uint_eq(s.types[0], DT_DIR);
	ck_assert_uint_eq(s.types[seen_index(&s, "file")], DT_REG);
	ck_assert_uint_eq(s.types[seen_index(&s, "sub")], DT_DIR);
	ck_assert_uint_eq(s.types[seen_index(&s, "link")], DT_LNK);
	ck_assert_uint_eq(s.types[seen_index(&s, "fifo")], DT_FIFO);
	ck_assert_int_eq(vfs_getdents(d, tiny, sizeof(tiny)), 0);	/* at the end */
	/* rewind; small buffers give the same entries a few at a time */
	ck_assert_int_eq(vfs_lseek(d, 0, SEEK_SET), 0);
	s.n = 0;
	ck_assert_int_gt(read_dir(d, 32, &s, 64), 0);
	ck_assert_int_eq(s.n, 6);
	/* resume from a d_off */
	ck_assert_int_eq(vfs_lseek(d, (s64)s.offs[2], SEEK_SET), (s64)s.offs[2]);
	{
		struct seen t = { .n = 0 };

		read_dir(d, 4096, &t, 64);
		ck_assert_int_eq(t.n, 3);
		ck_assert_str_eq(t.names[0], s.names[3]);
	}
	file_put(d);
}
END_TEST

START_TEST(test_getdents_offsets_survive_unlink)
{
	struct seen s = { .n = 0 }, rest = { .n = 0 };
	char name[32];
	struct file *d;
	int seen_count[40] = { 0 };

	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "/d/e%02d", i);
		OK(touch(R, name, 0644));
	}
	d = open_ok(R, "/d", O_RDONLY | O_DIRECTORY, 0);
	/* 20 entries (with . and ..), one small buffer at a time */
	read_dir(d, 64, &s, 20);
	ck_assert_int_ge(s.n, 20);
	/* unlink some already returned, the next ones, and some later */
	for (int i = 0; i < 40; i += 3) {
		snprintf(name, sizeof(name), "/d/e%02d", i);
		OK(vfs_unlinkat(R, NULL, name, 0));
	}
	read_dir(d, 64, &rest, 64);
	for (int i = 2; i < s.n; i++)
		seen_count[atoi(s.names[i] + 1)]++;
	for (int i = 0; i < rest.n; i++)
		seen_count[atoi(rest.names[i] + 1)]++;
	for (int i = 0; i < 40; i++) {
		bool was_before = false;

		for (int j = 2; j < s.n; j++)
			if (atoi(s.names[j] + 1) == i)
				was_before = true;
		ck_assert_int_le(seen_count[i], 1);		/* never twice */
		if (i % 3 && !was_before)
			ck_assert_int_eq(seen_count[i], 1);	/* survivors all seen */
		if (i % 3 == 0 && !was_before)
			ck_assert_int_eq(seen_count[i], 0);	/* the removed not */
	}
	file_put(d);
}
END_TEST

/* ==== File descriptor tables ======================================================================= */

START_TEST(test_fd_lowest_free_and_close)
{
	struct fd_table *t = fd_table_create();
	struct file *f = open_ok(R, "/dev/null", O_RDWR, 0);
	struct file *g;

	ck_assert_int_eq(fd_install(t, file_get(f), 0), 0);
	ck_assert_int_eq(fd_install(t, file_get(f), 0), 1);
	ck_assert_int_eq(fd_install(t, file_get(f), 0), 2);
	OK(fd_close(t, 1));
	ck_assert_int_eq(fd_install(t, file_get(f), 0), 1);
	ERR(fd_close(t, 7), EBADF);
	ERR(fd_close(t, -1), EBADF);
	OK(fd_close(t, 0));
	ERR(fd_close(t, 0), EBADF);
	ck_assert_ptr_null(fd_get(t, 0));
	g = fd_get(t, 2);
	ck_assert_ptr_eq(g, f);
	file_put(g);
	ck_assert_uint_eq(fd_count(t), 2);
	/* hundreds of descriptors: the table grows */
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(fd_install(t, file_get(f), 0), i == 0 ? 0 : i + 2);
	ck_assert_uint_eq(fd_count(t), 302);
	fd_table_put(t);
	ck_assert_int_eq(atomic_read(&f->refs), 1);	/* every copy released */
	file_put(f);
}
END_TEST

START_TEST(test_fd_dup_semantics)
{
	struct fd_table *t = fd_table_create();
	struct file *a = open_ok(R, "/dev/null", O_RDWR, 0);
	struct file *b = open_ok(R, "/dev/zero", O_RDWR, 0);
	struct file *x;

	ck_assert_int_eq(fd_install(t, a, O_CLOEXEC), 0);
	ck_assert_int_eq(fd_install(t, b, 0), 1);
	ck_assert_int_eq(fd_get_flags(t, 0), FD_CLOEXEC);
	ck_assert_int_eq(fd_dup(t, 0), 2);
	ck_assert_int_eq(fd_get_flags(t, 2), 0);		/* dup clears FD_CLOEXEC */
	ERR(fd_dup(t, 9), EBADF);
	/* dup2 onto an open descriptor closes it silently */
	ck_assert_int_eq(fd_dup2(t, 0, 1), 1);
	x = fd_get(t, 1);
	ck_assert_ptr_eq(x, a);
	file_put(x);
	ck_assert_int_eq(fd_dup2(t, 1, 1), 1);			/* same fd: a no-op */
	ERR(fd_dup2(t, 9, 9), EBADF);
	ERR(fd_dup2(t, 0, -1), EBADF);
	ERR(fd_dup2(t, 0, FD_LIMIT_DEFAULT), EBADF);
	ck_assert_int_eq(fd_dup2(t, 0, 100), 100);		/* far away: grows */
	ERR(fd_dup3(t, 0, 0, 0), EINVAL);
	ERR(fd_dup3(t, 0, 5, O_RDWR), EINVAL);
	ck_assert_int_eq(fd_dup3(t, 0, 5, O_CLOEXEC), 5);
	ck_assert_int_eq(fd_get_flags(t, 5), FD_CLOEXEC);
	ck_assert_int_eq(fd_dupfd(t, 0, 50, false), 50);	/* F_DUPFD: lowest >= 50 */
	ck_assert_int_eq(fd_dupfd(t, 0, 50, true), 51);
	ck_assert_int_eq(fd_get_flags(t, 51), FD_CLOEXEC);
	ERR(fd_dupfd(t, 0, FD_LIMIT_DEFAULT, false), EINVAL);
	OK(fd_set_flags(t, 2, FD_CLOEXEC));
	ERR(fd_set_flags(t, 3, FD_CLOEXEC), EBADF);
	ERR(fd_get_flags(t, 3), EBADF);
	/* exec closes the close-on-exec ones */
	fd_close_on_exec(t);
	ck_assert_ptr_null(fd_get(t, 0));
	ck_assert_ptr_null(fd_get(t, 2));
	ck_assert_ptr_null(fd_get(t, 5));
	ck_assert_ptr_null(fd_get(t, 51));
	x = fd_get(t, 1);
	ck_assert_ptr_nonnull(x);
	file_put(x);
	ck_assert_int_eq(fd_install(t, file_get(a), 0), 0);	/* lowest again */
	fd_table_put(t);
}
END_TEST

START_TEST(test_fd_limit_emfile_and_clone)
{
	struct fd_table *t = fd_table_create(), *c;
	struct file *f = open_ok(R, "/dev/null", O_RDWR, 0), *x;

	OK(fd_set_limit(t, 3));
	ERR(fd_set_limit(t, FD_LIMIT_MAX + 1), EINVAL);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(fd_install(t, file_get(f), 0), i);
	ERR(fd_install(t, f, 0), EMFILE);
	ERR(fd_dup(t, 0), EMFILE);
	ERR(fd_dupfd(t, 0, 3, false), EINVAL);
	ERR(fd_dup2(t, 0, 3), EBADF);
	OK(fd_set_flags(t, 1, FD_CLOEXEC));
	c = fd_table_clone(t);
	ck_assert_uint_eq(fd_count(c), 3);
	ck_assert_int_eq(fd_get_flags(c, 1), FD_CLOEXEC);
	OK(fd_close(t, 0));
	x = fd_get(c, 0);
	ck_assert_ptr_eq(x, f);		/* the copy still has it */
	file_put(x);
	ck_assert_int_eq(fd_install(t, file_get(f), 0), 0);
	fd_table_put(c);
	fd_table_put(t);
	ck_assert_int_eq(atomic_read(&f->refs), 1);
	file_put(f);
}
END_TEST

START_TEST(test_fd_at_path)
{
	struct fd_table *t = fd_table_create();
	struct path p;
	struct statx st;

	OK(vfs_mkdirat(R, NULL, "/d", 0755));
	OK(put_str(R, "/d/f", "x"));
	ck_assert_int_eq(fd_install(t, open_ok(R, "/d", O_RDONLY | O_DIRECTORY, 0), 0), 0);
	OK(fd_at_path(t, R, 0, &p));
	OK(vfs_statx(R, &p, "f", 0, 0, &st));
	path_put(&p);
	OK(fd_at_path(t, R, AT_FDCWD, &p));
	OK(vfs_statx(R, &p, "d/f", 0, 0, &st));
	path_put(&p);
	ERR(fd_at_path(t, R, 4, &p), EBADF);
	fd_table_put(t);
}
END_TEST

/* ==== Mounts =================================================================================== */

START_TEST(test_mount_and_umount)
{
	struct file *f;

	OK(vfs_mkdirat(R, NULL, "/mnt", 0755));
	OK(put_str(R, "/mnt/under", "hidden"));
	OK(vfs_mount(R, "tmpfs", "/mnt", "tmpfs", 0, "size=1M"));
	ERR(stat_err(R, "/mnt/under", 0), ENOENT);		/* covered */
	OK(put_str(R, "/mnt/over", "visible"));
	f = open_ok(R, "/mnt/over", O_RDONLY, 0);
	ERR(vfs_umount(R, "/mnt", 0), EBUSY);			/* an open file */
	file_put(f);
	OK(vfs_chdir(R, NULL, "/mnt"));
	ERR(vfs_umount(R, "/mnt", 0), EBUSY);			/* a cwd */
	OK(vfs_chdir(R, NULL, "/"));
	OK(vfs_mkdirat(R, NULL, "/mnt/inner", 0755));
	OK(vfs_mount(R, "tmpfs", "/mnt/inner", "tmpfs", 0, NULL));
	ERR(vfs_umount(R, "/mnt", 0), EBUSY);			/* a mount below */
	ERR(vfs_umount(R, "/mnt/over", 0), EINVAL);		/* not a mount */
	ERR(vfs_umount(R, "/mnt", MNT_DETACH), EINVAL);
	ERR(vfs_umount(U, "/mnt/inner", 0), EPERM);
	OK(vfs_umount(R, "/mnt/inner", 0));
	OK(vfs_umount(R, "/mnt", 0));
	ck_assert_str_eq(get_str(R, "/mnt/under"), "hidden");	/* uncovered */
	ERR(vfs_umount(R, "/", 0), EBUSY);
	ERR(vfs_umount(R, "/none", 0), ENOENT);
}
END_TEST

START_TEST(test_mount_errors)
{
	OK(put_str(R, "/f", "x"));
	OK(vfs_mkdirat(R, NULL, "/m", 0755));
	ERR(vfs_mount(R, "x", "/m", "nosuchfs", 0, NULL), ENODEV);
	ERR(vfs_mount(R, "x", "/f", "tmpfs", 0, NULL), ENOTDIR);
	ERR(vfs_mount(R, "x", "/none", "tmpfs", 0, NULL), ENOENT);
	ERR(vfs_mount(U, "x", "/m", "tmpfs", 0, NULL), EPERM);
	ERR(vfs_mount(R, "x", "/m", "tmpfs", 0, "bogus=1"), EINVAL);
	ERR(vfs_mount(R, "x", "/m", "tmpfs", 0, "size=12Q"), EINVAL);
	ERR(vfs_mount(R, "x", "/m", "tmpfs", MS_REMOUNT, NULL), EINVAL);
	ERR(vfs_mount(R, "/f", "/m", NULL, MS_BIND, NULL), ENOTDIR);
	/* stacking: a second mount on the same place hides the first */
	OK(vfs_mount(R, "one", "/m", "tmpfs", 0, NULL));
	OK(put_str(R, "/m/one", "1"));
	OK(vfs_mount(R, "two", "/m", "tmpfs", 0, NULL));
	ERR(stat_err(R, "/m/one", 0), ENOENT);
	OK(vfs_umount(R, "/m", 0));
	ck_assert_str_eq(get_str(R, "/m/one"), "1");
	OK(vfs_umount(R, "/m", 0));
}
END_TEST

START_TEST(test_bind_mount)
{
	struct file *f;

	OK(vfs_mkdirat(R, NULL, "/src", 0755));
	OK(vfs_mkdirat(R, NULL, "/src/sub", 0755));
	OK(put_str(R, "/src/sub/f", "bound"));
	OK(vfs_mkdirat(R, NULL, "/b", 0755));
	OK(vfs_mount(R, "/src/sub", "/b", NULL, MS_BIND, NULL));
	ck_assert_str_eq(get_str(R, "/b/f"), "bound");
	ck_assert_uint_eq(ino_of("/b/f"), ino_of("/src/sub/f"));
	OK(put_str(R, "/b/g", "both"));
	ck_assert_str_eq(get_str(R, "/src/sub/g"), "both");
	/* ".." from a bind mount's root goes to where it is mounted */
	ck_assert_uint_eq(ino_of("/b/.."), ino_of("/"));
	f = open_ok(R, "/b/f", O_RDONLY, 0);
	ERR(vfs_umount(R, "/b", 0), EBUSY);
	file_put(f);
	OK(vfs_umount(R, "/b", 0));
	ck_assert_str_eq(get_str(R, "/src/sub/f"), "bound");	/* the fs is still mounted */
	/* binding a file over a file */
	OK(put_str(R, "/file1", "one"));
	OK(put_str(R, "/file2", "two"));
	OK(vfs_mount(R, "/file1", "/file2", NULL, MS_BIND, NULL));
	ck_assert_str_eq(get_str(R, "/file2"), "one");
	ERR(vfs_unlinkat(R, NULL, "/file2", 0), EBUSY);
	OK(vfs_umount(R, "/file2", 0));
	ck_assert_str_eq(get_str(R, "/file2"), "two");
}
END_TEST

START_TEST(test_readonly_mount)
{
	OK(vfs_mkdirat(R, NULL, "/ro", 0755));
	OK(vfs_mount(R, "tmpfs", "/ro", "tmpfs", MS_RDONLY, NULL));
	ERR(touch(R, "/ro/f", 0644), EROFS);
	ERR(vfs_mkdirat(R, NULL, "/ro/d", 0755), EROFS);
	ERR(vfs_symlinkat(R, "x", NULL, "/ro/l"), EROFS);
	ERR(vfs_fchmodat(R, NULL, "/ro", 0700, 0), EROFS);
	ERR(vfs_faccessat(R, NULL, "/ro", W_OK, 0), EROFS);
	ERR(vfs_unlinkat(R, NULL, "/ro/none", 0), EROFS);
	ERR(vfs_mkdirat(R, NULL, "/ro", 0755), EEXIST);
	OK(vfs_umount(R, "/ro", 0));
}
END_TEST

START_TEST(test_path_name)
{
	char buf[64];
	struct path p;

	OK(vfs_mkdirat(R, NULL, "/a", 0755));
	OK(vfs_mkdirat(R, NULL, "/a/b", 0755));
	OK(vfs_lookup(R, NULL, "/a/b", 0, &p));
	ck_assert_int_eq(vfs_path_name(&p, NULL, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "/a/b");
	ERR(vfs_path_name(&p, NULL, buf, 4), ENAMETOOLONG);
	path_put(&p);
	OK(vfs_lookup(R, NULL, "/dev/null", 0, &p));
	vfs_path_name(&p, NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/dev/null");
	path_put(&p);
	OK(vfs_lookup(R, NULL, "/", 0, &p));
	vfs_path_name(&p, NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/");
	path_put(&p);
}
END_TEST

/* ==== tmpfs =================================================================================== */

START_TEST(test_tmpfs_enospc_and_space_back)
{
	static char page[PAGE_SIZE];
	struct file *f, *held;
	long n;

	memset(page, 'p', sizeof(page));
	OK(vfs_mkdirat(R, NULL, "/small", 0755));
	OK(vfs_mount(R, "tmpfs", "/small", "tmpfs", 0, "size=16K"));
	f = open_ok(R, "/small/a", O_CREAT | O_WRONLY, 0644);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(vfs_write(f, page, PAGE_SIZE), PAGE_SIZE);
	file_put(f);
	f = open_ok(R, "/small/b", O_CREAT | O_WRONLY, 0644);
	n = vfs_write(f, page, 100);
	ck_assert_int_eq(n, 100);			/* the fourth page */
	n = vfs_write(f, page, PAGE_SIZE);		/* fills it, then no room */
	ck_assert_int_eq(n, PAGE_SIZE - 100);
	ERR(vfs_write(f, page, 1), ENOSPC);
	ERR(vfs_pwrite(f, page, 1, 5 * PAGE_SIZE), ENOSPC);
	/* a hole costs nothing: truncating up works */
	OK(vfs_ftruncate(f, MiB(1)));
	/* unlink of a file still open keeps its pages */
	held = open_ok(R, "/small/a", O_RDONLY, 0);
	OK(vfs_unlinkat(R, NULL, "/small/a", 0));
	ERR(vfs_pwrite(f, page, 1, 6 * PAGE_SIZE), ENOSPC);
	file_put(held);				/* now they come back */
	ck_assert_int_eq(vfs_pwrite(f, page, PAGE_SIZE, 6 * PAGE_SIZE), PAGE_SIZE);
	OK(vfs_ftruncate(f, 0));			/* and truncation frees */
	ck_assert_int_eq(vfs_pwrite(f, page, 1, 0), 1);
	file_put(f);
	OK(vfs_umount(R, "/small", 0));
}
END_TEST

START_TEST(test_tmpfs_nr_inodes)
{
	OK(vfs_mkdirat(R, NULL, "/few", 0755));
	OK(vfs_mount(R, "tmpfs", "/few", "tmpfs", 0, "nr_inodes=3"));
	OK(touch(R, "/few/a", 0644));
	OK(vfs_mkdirat(R, NULL, "/few/b", 0755));
	ERR(touch(R, "/few/c", 0644), ENOSPC);
	ERR(vfs_symlinkat(R, "x", NULL, "/few/l"), ENOSPC);
	OK(vfs_unlinkat(R, NULL, "/few/a", 0));
	OK(touch(R, "/few/c", 0644));
}
END_TEST

START_TEST(test_tmpfs_sparse_file)
{
	u64 before = free_pages_now(), after;
	struct file *f = open_ok(R, "/sparse", O_CREAT | O_RDWR, 0644);
	struct statx st;
	char buf[64];

	ck_assert_int_eq(vfs_pwrite(f, "end", 3, (s64)GiB(1)), 3);
	OK(vfs_fstatx(f, 0, &st));
	ck_assert_uint_eq(st.stx_size, GiB(1) + 3);
	ck_assert_uint_eq(st.stx_blocks, PAGE_SIZE / 512);
	after = free_pages_now();
	ck_assert_uint_lt(before - after, 16);		/* one page and a few nodes */
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(vfs_pread(f, buf, sizeof(buf), (s64)MiB(512)), sizeof(buf));
	for (unsigned i = 0; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);
	ck_assert_int_eq(vfs_pread(f, buf, sizeof(buf), (s64)GiB(1)), 3);
	ck_assert(!memcmp(buf, "end", 3));
	file_put(f);
	OK(vfs_unlinkat(R, NULL, "/sparse", 0));
	ck_assert_uint_eq(free_pages_now(), before);
}
END_TEST

START_TEST(test_tmpfs_unmount_frees_everything)
{
	u64 before, after;
	char name[64];

	OK(vfs_mkdirat(R, NULL, "/scratch", 0755));
	dcache_shrink(~0UL);
	before = free_pages_now();
	OK(vfs_mount(R, "tmpfs", "/scratch", "tmpfs", 0, NULL));
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "/scratch/d%d", i % 5);
		vfs_mkdirat(R, NULL, name, 0755);
		snprintf(name, sizeof(name), "/scratch/d%d/file-with-a-rather-long-name-%d", i % 5, i);
		OK(put_str(R, name, name));
		snprintf(name, sizeof(name), "/scratch/d%d/l%d", i % 5, i);
		OK(vfs_symlinkat(R, "target", NULL, name));
		ERR(stat_err(R, "/scratch/missing", 0), ENOENT);
	}
	OK(vfs_linkat(R, NULL, "/scratch/d0/l0", NULL, "/scratch/hard", 0));
	OK(vfs_unlinkat(R, NULL, "/scratch/d1/l1", 0));
	OK(vfs_umount(R, "/scratch", 0));
	dcache_shrink(~0UL);
	after = free_pages_now();
	ck_assert_uint_eq(after, before);
}
END_TEST

/* ==== devfs =================================================================================== */

START_TEST(test_devfs_nodes)
{
	static const struct { const char *name; u32 major, minor, mode; } devs[] = {
		{ "null", 1, 3, 0666 }, { "zero", 1, 5, 0666 }, { "full", 1, 7, 0666 },
		{ "random", 1, 8, 0666 }, { "urandom", 1, 9, 0666 }, { "tty", 5, 0, 0666 },
		{ "console", 5, 1, 0600 },
	};
	char path[32];

	for (unsigned i = 0; i < ARRAY_SIZE(devs); i++) {
		struct statx st;

		snprintf(path, sizeof(path), "/dev/%s", devs[i].name);
		st = st_of(R, path, 0);
		ck_assert_uint_eq(st.stx_mode, S_IFCHR | devs[i].mode);
		ck_assert_uint_eq(st.stx_rdev_major, devs[i].major);
		ck_assert_uint_eq(st.stx_rdev_minor, devs[i].minor);
	}
	ck_assert_uint_eq(st_of(R, "/dev", 0).stx_mode, S_IFDIR | 0755);
}
END_TEST

START_TEST(test_devfs_devices)
{
	char buf[64], buf2[64];
	struct file *f;
	int same = 0;

	f = open_ok(U, "/dev/null", O_RDWR, 0);
	ck_assert_int_eq(vfs_write(f, "gone", 4), 4);
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), 0);
	ck_assert_int_eq(vfs_lseek(f, 100, SEEK_SET), 0);
	file_put(f);
	f = open_ok(U, "/dev/zero", O_RDWR, 0);
	memset(buf, 1, sizeof(buf));
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), sizeof(buf));
	for (unsigned i = 0; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 0);
	ck_assert_int_eq(vfs_write(f, "x", 1), 1);
	file_put(f);
	f = open_ok(U, "/dev/full", O_RDWR, 0);
	ERR(vfs_write(f, "x", 1), ENOSPC);
	ck_assert_int_eq(vfs_read(f, buf, 8), 8);
	file_put(f);
	f = open_ok(U, "/dev/urandom", O_RDONLY, 0);
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), sizeof(buf));
	ck_assert_int_eq(vfs_read(f, buf2, sizeof(buf2)), sizeof(buf2));
	for (unsigned i = 0; i < sizeof(buf); i++)
		same += buf[i] == buf2[i];
	ck_assert_int_lt(same, 16);
	file_put(f);
	f = open_ok(U, "/dev/random", O_RDWR, 0);
	ck_assert_int_eq(vfs_read(f, buf, 1000 > sizeof(buf) ? sizeof(buf) : 1000), sizeof(buf));
	ck_assert_int_eq(vfs_write(f, "seed", 4), 4);
	file_put(f);
	ERR(open_err(U, "/dev/console", O_WRONLY, 0), EACCES);	/* 0600 root */
	fake_console_clear();
	f = open_ok(R, "/dev/console", O_RDWR | O_NONBLOCK, 0);
	ck_assert_int_eq(vfs_write(f, "hello console\n", 14), 14);
	ERR(vfs_read(f, buf, sizeof(buf)), EAGAIN);	/* nothing typed yet */
	fake_console_type("ls\n", 3);
	ck_assert_int_eq(vfs_read(f, buf, sizeof(buf)), 3);
	ck_assert(!memcmp(buf, "ls\n", 3));
	ERR(vfs_lseek(f, 0, SEEK_SET), ESPIPE);
	file_put(f);
	ck_assert_ptr_nonnull(strstr(fake_console(), "hello console"));
	f = open_ok(U, "/dev/tty", O_WRONLY, 0);
	ck_assert_int_eq(vfs_write(f, "tty\n", 4), 4);
	file_put(f);
}
END_TEST

START_TEST(test_devfs_register_later_and_shared)
{
	static const struct file_ops fops = { 0 };
	static struct chrdev extra = { MKDEV(42, 1), "extra", 0640, &fops, { NULL, NULL } };
	static struct chrdev dup = { MKDEV(1, 3), "dupnull", 0666, &fops, { NULL, NULL } };

	OK(chrdev_register(&extra));
	ck_assert_uint_eq(st_of(R, "/dev/extra", 0).stx_mode, S_IFCHR | 0640);
	ERR(chrdev_register(&dup), EBUSY);
	/* a second devfs mount shows the same nodes */
	OK(vfs_mkdirat(R, NULL, "/dev2", 0755));
	OK(vfs_mount(R, "devfs", "/dev2", "devfs", 0, NULL));
	ck_assert_uint_eq(ino_of("/dev2/extra"), ino_of("/dev/extra"));
	OK(touch(R, "/dev2/shared", 0644));
	OK(stat_err(R, "/dev/shared", 0));
	OK(vfs_umount(R, "/dev2", 0));
	OK(stat_err(R, "/dev/shared", 0));
}
END_TEST

/* ==== Kernel-internal API ================================================================== */

struct names_ctx {
	struct dir_context ctx;
	int n;
	bool saw_child;
};

static bool collect_name(struct dir_context *ctx, const char *name, u32 len, u64 ino,
			 unsigned type, u64 next)
{
	struct names_ctx *c = container_of(ctx, struct names_ctx, ctx);

	if (len == 5 && !memcmp(name, "child", 5) && type == DT_REG)
		c->saw_child = true;
	c->n++;
	return true;
}

/* The calls a FUSE bridge makes: node ids as held paths, one name at a time. */
START_TEST(test_bridge_style_api)
{
	struct path root, dir, child;
	struct iattr a = { 0 };
	struct names_ctx nc = { { collect_name, 0 }, 0, false };
	struct file *f;
	struct statx st;
	char buf[8];

	OK(vfs_lookup(U, NULL, "/home/u", 0, &root));
	OK(vfs_mkdirat(U, &root, "d", 0755));
	OK(vfs_lookup_one(U, &root, "d", &dir));
	ERR(vfs_lookup_one(U, &root, "d/x", &child), EINVAL);
	ERR(vfs_lookup_one(U, &root, "none", &child), ENOENT);
	OK(vfs_openat(U, &dir, "child", O_CREAT | O_RDWR, 0600, &f));
	ck_assert_int_eq(vfs_pwrite(f, "abc", 3, 0), 3);
	file_put(f);
	OK(vfs_lookup_one(U, &dir, "child", &child));
	OK(vfs_getattr(&child, STATX_BASIC_STATS, &st));
	ck_assert_uint_eq(st.stx_size, 3);
	OK(vfs_open_path(U, &child, O_RDONLY, &f));
	ck_assert_int_eq(vfs_pread(f, buf, sizeof(buf), 1), 2);
	file_put(f);
	ERR(vfs_open_path(U2, &child, O_RDONLY, &f), EACCES);
	ERR(vfs_open_path(U, &child, O_RDONLY | O_CREAT, &f), EINVAL);
	a.valid = ATTR_SIZE | ATTR_MODE | ATTR_MTIME;
	a.size = 10;
	a.mode = 0640;
	a.mtime = (struct timespec64){ 42, 0 };
	OK(vfs_setattr_path(U, &child, &a));
	OK(vfs_getattr(&child, 0, &st));
	ck_assert_uint_eq(st.stx_size, 10);
	ck_assert_uint_eq(st.stx_mode, S_IFREG | 0640);
	ck_assert_int_eq(st.stx_mtime.tv_sec, 42);
	ERR(vfs_setattr_path(U2, &child, &a), EPERM);
	OK(vfs_faccessat(U, &child, "", R_OK | W_OK, AT_EMPTY_PATH));
	ERR(vfs_faccessat(U2, &child, "", R_OK, AT_EMPTY_PATH), EACCES);
	OK(vfs_open_path(U, &dir, O_RDONLY | O_DIRECTORY, &f));
	OK(vfs_iterate_dir(f, &nc.ctx));
	ck_assert_int_eq(nc.n, 3);
	ck_assert(nc.saw_child);
	file_put(f);
	OK(vfs_renameat2(U, &dir, "child", &root, "moved", 0));
	OK(vfs_unlinkat(U, &root, "moved", 0));
	path_put(&child);
	OK(vfs_unlinkat(U, &root, "d", AT_REMOVEDIR));
	path_put(&dir);
	path_put(&root);
}
END_TEST

START_TEST(test_kvfs_api)
{
	struct statx st;
	char buf[16];

	OK(kvfs_mkdir_p("/usr/local/bin", 0755));
	OK(kvfs_mkdir_p("/usr/local/bin", 0755));		/* existing: fine */
	OK(kvfs_mkdir_p("usr//share/", 0700));
	ck_assert_uint_eq(st_of(R, "/usr/share", 0).stx_mode, S_IFDIR | 0700);
	OK(kvfs_write_file("/usr/local/bin/tool", 04755, "#!bin", 5));
	OK(kvfs_stat("/usr/local/bin/tool", &st));
	ck_assert_uint_eq(st.stx_mode, S_IFREG | 04755);	/* exact, no umask */
	ck_assert_uint_eq(st.stx_size, 5);
	ck_assert_int_eq(kvfs_read_file("/usr/local/bin/tool", buf, sizeof(buf), 2), 3);
	ck_assert(!memcmp(buf, "bin", 3));
	OK(kvfs_write_file("/usr/local/bin/tool", 0600, "x", 1));	/* overwrite */
	OK(kvfs_stat("/usr/local/bin/tool", &st));
	ck_assert_uint_eq(st.stx_mode, S_IFREG | 0600);
	ck_assert_uint_eq(st.stx_size, 1);
	ERR(kvfs_mkdir_p("/usr/local/bin/tool/x", 0755), ENOTDIR);
	OK(kvfs_symlink("local/bin/tool", "/usr/tool"));
	OK(kvfs_mknod("/usr/null", S_IFCHR | 0666, MKDEV(1, 3)));
	OK(kvfs_mknod("/usr/pipe", S_IFIFO | 0600, 0));
	OK(kvfs_link("/usr/local/bin/tool", "/usr/hard"));
	OK(kvfs_chmod("/usr/tool", 0640));			/* through the link */
	OK(kvfs_stat("/usr/local/bin/tool", &st));
	ck_assert_uint_eq(st.stx_mode & 07777, 0640);
	ck_assert_uint_eq(st.stx_nlink, 2);
	OK(kvfs_lchown("/usr/tool", 5, 6));
	OK(kvfs_stat("/usr/tool", &st));
	ck_assert_uint_eq(st.stx_uid, 5);
	ck_assert_uint_eq(st.stx_gid, 6);
	OK(kvfs_set_times("/usr/tool", 1234567890, 42));
	OK(kvfs_stat("/usr/tool", &st));
	ck_assert_int_eq(st.stx_mtime.tv_sec, 1234567890);
	ck_assert_uint_eq(st.stx_mtime.tv_nsec, 42);
	OK(kvfs_stat("/usr/null", &st));
	ck_assert_uint_eq(st.stx_rdev_major, 1);
	OK(kvfs_unlink("/usr/hard"));
	OK(kvfs_rmdir("/usr/share"));
	ERR(kvfs_rmdir("/usr/local"), ENOTEMPTY);
	/* writes never go through a final symlink */
	OK(kvfs_symlink("/dev/null", "/usr/trap"));
	ERR(kvfs_write_file("/usr/trap", 0644, "x", 1), ELOOP);
	/* owner, mode and time in the order that keeps set-user-ID */
	OK(kvfs_write_file("/usr/suid", 0644, "x", 1));
	OK(kvfs_set_attrs("/usr/suid", 7, 8, 04711, 99, 9));
	OK(kvfs_stat("/usr/suid", &st));
	ck_assert_uint_eq(st.stx_mode, S_IFREG | 04711);
	ck_assert_uint_eq(st.stx_uid, 7);
	ck_assert_uint_eq(st.stx_gid, 8);
	ck_assert_int_eq(st.stx_mtime.tv_sec, 99);
	ck_assert_int_eq(st.stx_atime.tv_sec, 99);
	OK(kvfs_set_attrs("/usr/trap", 3, 4, 0600, 5, 0));	/* a symlink: no mode */
	OK(kvfs_stat("/usr/trap", &st));
	ck_assert_uint_eq(st.stx_mode, S_IFLNK | 0777);
	ck_assert_uint_eq(st.stx_uid, 3);
	ck_assert_uint_eq(st_of(R, "/dev/null", 0).stx_uid, 0);
	ERR(kvfs_set_attrs("/usr/none", 0, 0, 0644, 0, 0), ENOENT);
}
END_TEST

/* ==== RCU walk (lockless lookup of cached paths) ========================================== */

/* One lookup's outcome, and which walk finished it. */
struct walk_result {
	int err;
	struct mount *mnt;
	struct dentry *dentry;
	bool by_rcu;		/* the RCU walk finished it */
	bool fell_back;		/* the RCU walk handed it to the ref walk */
};

static struct walk_result walk(const struct vfs_ctx *c, const char *p, unsigned at_flags)
{
	struct dcache_stats a, b;
	struct walk_result r;
	struct path out;

	dcache_get_stats(&a);
	r.err = vfs_lookup(c, NULL, p, at_flags, &out);
	dcache_get_stats(&b);
	r.mnt = r.err ? NULL : out.mnt;
	r.dentry = r.err ? NULL : out.dentry;
	r.by_rcu = b.rcu_walks == a.rcu_walks + 1;
	r.fell_back = b.rcu_fallbacks == a.rcu_fallbacks + 1;
	ck_assert_msg(r.by_rcu != r.fell_back, "%s: counted %lu walks, %lu fallbacks", p,
		      b.rcu_walks - a.rcu_walks, b.rcu_fallbacks - a.rcu_fallbacks);
	if (!r.err)
		path_put(&out);
	return r;
}

/* The same lookup with the RCU walk off gives the same answer. */
static void same_as_ref_walk(const struct vfs_ctx *c, const char *p, unsigned at_flags,
			     struct walk_result r)
{
	struct path out;
	bool was = vfs_rcu_walk_enable(false);
	int err = vfs_lookup(c, NULL, p, at_flags, &out);

	vfs_rcu_walk_enable(was);
	ck_assert_msg(err == r.err, "%s: ref walk %d, rcu walk %d", p, err, r.err);
	if (!err) {
		ck_assert_msg(out.dentry == r.dentry && out.mnt == r.mnt, "%s: other object", p);
		path_put(&out);
	}
}

START_TEST(test_rcu_walk_takes_cached_paths)
{
	static const char *const paths[] = {
		"/a/b/c/d/e", "/a/b/c/d/e/", "a/b/c/d/e", "/a/./b/c/./d", "//a//b///c",
		"/", "/a/b/c/d/e/.", "/a/b/c/d/f"
	};
	struct walk_result r;

	OK(kvfs_mkdir_p("/a/b/c/d/e", 0755));
	OK(touch(R, "/a/b/c/d/f", 0644));
	OK(vfs_chdir(R, NULL, "/"));
	ERR(walk(R, "/a/b/c/d/f/", 0).err, ENOTDIR);	/* not for the RCU walk */
	for (unsigned i = 0; i < ARRAY_SIZE(paths); i++) {
		walk(R, paths[i], 0);			/* caches every component */
		r = walk(R, paths[i], 0);
		ck_assert_msg(r.by_rcu, "%s not taken by the RCU walk", paths[i]);
		OK(r.err);
		same_as_ref_walk(R, paths[i], 0, r);
	}
	/* a user with search permission walks the same way */
	walk(U, "/home/u", 0);
	r = walk(U, "/home/u", 0);
	ck_assert(r.by_rcu);
	OK(r.err);
	/* switched off, it is never taken */
	vfs_rcu_walk_enable(false);
	r = walk(R, "/a/b/c/d/e", 0);
	ck_assert(r.fell_back);
	OK(r.err);
	vfs_rcu_walk_enable(true);
}
END_TEST

START_TEST(test_rcu_walk_falls_back)
{
	static const struct {
		const char *path;
		unsigned at_flags;
		int err;
	} cases[] = {
		{ "/x/missing", 0, -ENOENT },		/* a negative entry */
		{ "/x/l", 0, 0 },			/* a final symlink to follow */
		{ "/x/l/f", 0, 0 },			/* a symlink in the middle */
		{ "/x/l/", AT_SYMLINK_NOFOLLOW, 0 },	/* a trailing slash follows it */
		{ "/x/y/..", 0, 0 },			/* ".." */
		{ "/x/f/", 0, -ENOTDIR },		/* a file with a slash */
		{ "/x/f/g", 0, -ENOTDIR },
		{ "/x/secret/f", 0, -EACCES },		/* no search permission (user) */
		{ "", AT_EMPTY_PATH, 0 },		/* the start itself */
	};
	struct walk_result r;

	OK(kvfs_mkdir_p("/x/y", 0777));
	OK(kvfs_mkdir_p("/x/secret", 0700));
	OK(touch(R, "/x/secret/f", 0644));
	OK(touch(R, "/x/y/f", 0644));
	OK(touch(R, "/x/f", 0644));
	OK(vfs_symlinkat(R, "y", NULL, "/x/l"));
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		walk(U, cases[i].path, cases[i].at_flags);	/* warm */
		r = walk(U, cases[i].path, cases[i].at_flags);
		ck_assert_msg(r.fell_back, "%s taken by the RCU walk", cases[i].path);
		ck_assert_msg(r.err == cases[i].err, "%s: %d, want %d", cases[i].path, r.err,
			      cases[i].err);
		same_as_ref_walk(U, cases[i].path, cases[i].at_flags, r);
	}
	/* the symlink itself, not followed, is the RCU walk's */
	r = walk(U, "/x/l", AT_SYMLINK_NOFOLLOW);
	ck_assert(r.by_rcu);
	ck_assert(S_ISLNK(r.dentry->inode->mode));
	/* an uncached component falls back once, then is cached */
	OK(kvfs_mkdir_p("/x/y/new", 0755));
	OK(dcache_shrink(1UL << 20) > 0 ? 0 : -1);
	ck_assert(walk(R, "/x/y/new", 0).fell_back);
	ck_assert(walk(R, "/x/y/new", 0).by_rcu);
}
END_TEST

/* path_parentat (create, unlink, rename, open) walks its directories under
 * RCU when they are cached and gives the ref walk the final component:
 * every path must end in the same directory, final component and error as
 * with the RCU walk off. */
struct parent_result {
	int err;
	struct path path;
	const char *last;
	u32 last_len;
	enum last_type type;
	bool slash;
	bool by_rcu;
};

static struct parent_result parent_walk(const struct vfs_ctx *c, const char *p)
{
	struct dcache_stats a, b;
	struct parent_result r = { 0 };
	struct nameidata nd;

	dcache_get_stats(&a);
	r.err = path_parentat(&nd, c, NULL, p);
	dcache_get_stats(&b);
	r.by_rcu = b.rcu_walks == a.rcu_walks + 1;
	if (!r.err) {
		r.path = nd.path;
		r.last = nd.last.name;
		r.last_len = nd.last.len;
		r.type = nd.last_type;
		r.slash = nd.trailing_slash;
	}
	nd_done(&nd);	/* r.path is compared by address only */
	return r;
}

START_TEST(test_rcu_walk_parents)
{
	static const struct {
		const char *path;
		bool rcu;	/* the directories are the RCU walk's */
	} cases[] = {
		{ "/p/q/r/new", true }, { "/p/q/r/new/", true }, { "p/q//r/new", true },
		{ "/p/./q/r/..", true }, { "/p/q/r/.", true }, { "/new", true },
		{ "/p/q/../q/new", false },	/* ".." among the directories */
		{ "/p/l/new", false },		/* a symlink among them */
		{ "/p/f/new", false },		/* a file: ENOTDIR */
		{ "/p/none/new", false },	/* missing: ENOENT */
		{ "/p/locked/new", true },	/* reached; the final step says EACCES */
		{ "new", false },		/* one component: nothing to walk */
		{ "///", false }, { "", false },
	};
	bool was;

	OK(kvfs_mkdir_p("/p/q/r", 0755));
	OK(kvfs_mkdir_p("/p/locked", 0700));
	OK(touch(R, "/p/f", 0644));
	OK(vfs_symlinkat(R, "q", NULL, "/p/l"));
	OK(vfs_chdir(U, NULL, "/"));
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct parent_result r, ref;

		parent_walk(U, cases[i].path);	/* warm the cache */
		r = parent_walk(U, cases[i].path);
		ck_assert_msg(r.by_rcu == cases[i].rcu, "%s: by RCU %d", cases[i].path, r.by_rcu);
		was = vfs_rcu_walk_enable(false);
		ref = parent_walk(U, cases[i].path);
		vfs_rcu_walk_enable(was);
		ck_assert_msg(!ref.by_rcu, "%s", cases[i].path);
		ck_assert_msg(r.err == ref.err, "%s: %d, ref walk %d", cases[i].path, r.err,
			      ref.err);
		if (r.err)
			continue;
		ck_assert_msg(path_equal(&r.path, &ref.path), "%s: other directory", cases[i].path);
		ck_assert_msg(r.last == ref.last && r.last_len == ref.last_len && r.type == ref.type &&
			      r.slash == ref.slash, "%s: other final component", cases[i].path);
	}
	/* and what uses it behaves the same: create, unlink, rename under RCU */
	OK(touch(R, "/p/q/r/made", 0644));
	OK(vfs_renameat2(R, NULL, "/p/q/r/made", NULL, "/p/q/r/moved", 0));
	OK(vfs_unlinkat(R, NULL, "/p/q/r/moved", 0));
	ERR(vfs_unlinkat(R, NULL, "/p/q/r/moved", 0), ENOENT);
	ERR(touch(U, "/p/q/r/mine", 0644), EACCES);
	ERR(vfs_mkdirat(U, NULL, "/p/locked/x", 0755), EACCES);
}
END_TEST

/* super_ops->d_revalidate, on a tmpfs whose ops are copied with a test
 * verdict: asked for every cached name a lookup finds; 1 keeps the name,
 * an errno fails the lookup, 0 unhashes it and asks ->lookup again, except
 * on a mountpoint; the RCU walk hands such a filesystem to the ref walk. */
static int reval_verdict = 1;
static unsigned reval_calls;

static int test_d_revalidate(struct dentry *d)
{
	(void)d;
	reval_calls++;
	return reval_verdict;
}

START_TEST(test_d_revalidate_hook)
{
	static struct super_ops ops;
	struct walk_result r;
	struct file *f;
	struct path p, p2;
	char buf[4];

	OK(vfs_mkdirat(R, NULL, "/rv", 0755));
	OK(vfs_mount(R, "tmpfs", "/rv", "tmpfs", 0, NULL));
	OK(vfs_lookup(R, NULL, "/rv", 0, &p));
	ops = *p.dentry->sb->s_op;
	ops.d_revalidate = test_d_revalidate;
	p.dentry->sb->s_op = &ops;
	path_put(&p);
	OK(vfs_mkdirat(R, NULL, "/rv/d", 0755));
	OK(kvfs_write_file("/rv/f", 0644, "abc", 3));

	reval_verdict = 1;
	reval_calls = 0;
	r = walk(R, "/rv/f", 0);
	ck_assert_int_eq(r.err, 0);
	ck_assert(r.fell_back);		/* the fs must be asked: no RCU walk */
	ck_assert_uint_gt(reval_calls, 0);

	reval_verdict = -EIO;
	ERR(walk(R, "/rv/f", 0).err, EIO);

	/* stale: the name is unhashed and ->lookup asked again; tmpfs finds
	 * the same file, under a new dentry. Holders of the old one keep it. */
	reval_verdict = 1;
	OK(vfs_lookup(R, NULL, "/rv/f", 0, &p));
	f = open_ok(R, "/rv/f", O_RDONLY, 0);
	reval_verdict = 0;
	OK(vfs_lookup(R, NULL, "/rv/f", 0, &p2));
	ck_assert_ptr_ne(p2.dentry, p.dentry);
	ck_assert_ptr_eq(p2.dentry->inode, p.dentry->inode);
	ck_assert_int_eq(vfs_pread(f, buf, sizeof(buf), 0), 3);
	file_put(f);
	path_put(&p2);
	path_put(&p);

	/* a mountpoint keeps its name: its mount is still reached */
	OK(vfs_mount(R, "tmpfs", "/rv/d", "tmpfs", 0, NULL));
	OK(kvfs_write_file("/rv/d/inner", 0644, "x", 1));
	r = walk(R, "/rv/d/inner", 0);
	ck_assert_int_eq(r.err, 0);
	OK(vfs_umount(R, "/rv/d", 0));
	reval_verdict = 1;
}
END_TEST

START_TEST(test_rcu_walk_sees_changes)
{
	static const char long1[] = "/r/a-name-long-enough-to-live-outside-the-dentry-itself-1";
	static const char long2[] = "/r/a-name-long-enough-to-live-outside-the-dentry-itself-2";
	struct walk_result r, r2;

	OK(kvfs_mkdir_p("/r/old/sub", 0755));
	walk(R, "/r/old/sub", 0);
	r = walk(R, "/r/old/sub", 0);
	ck_assert(r.by_rcu);
	/* rename: the old name is gone, the new one finds the same dentry */
	OK(vfs_renameat2(R, NULL, "/r/old", NULL, "/r/new", 0));
	ERR(walk(R, "/r/old/sub", 0).err, ENOENT);
	r2 = walk(R, "/r/new/sub", 0);
	OK(r2.err);
	ck_assert_ptr_eq(r2.dentry, r.dentry);
	ck_assert(walk(R, "/r/new/sub", 0).by_rcu);
	/* long names, renamed back and forth */
	OK(touch(R, long1, 0644));
	walk(R, long1, 0);
	ck_assert(walk(R, long1, 0).by_rcu);
	OK(vfs_renameat2(R, NULL, long1, NULL, long2, 0));
	ERR(walk(R, long1, 0).err, ENOENT);
	OK(walk(R, long2, 0).err);
	ck_assert(walk(R, long2, 0).by_rcu);
	OK(vfs_renameat2(R, NULL, "/r/new/sub", NULL, "/r/s", 0));
	OK(vfs_renameat2(R, NULL, long2, NULL, "/r/new/sub", 0));
	ck_assert(S_ISREG(walk(R, "/r/new/sub", 0).dentry->inode->mode));
	/* unlink and recreate: the new object, never the old one */
	r = walk(R, "/r/new/sub", 0);
	OK(vfs_unlinkat(R, NULL, "/r/new/sub", 0));
	ERR(walk(R, "/r/new/sub", 0).err, ENOENT);
	OK(vfs_mkdirat(R, NULL, "/r/new/sub", 0755));
	r2 = walk(R, "/r/new/sub", 0);
	ck_assert(S_ISDIR(r2.dentry->inode->mode));
	ck_assert_ptr_ne(r2.dentry->inode, NULL);
	/* permissions changed on the way: chmod is seen at once */
	OK(vfs_fchmodat(R, NULL, "/r/new", 0700, 0));
	walk(U, "/r/new/sub", 0);
	r = walk(U, "/r/new/sub", 0);
	ck_assert(r.fell_back);
	ERR(r.err, EACCES);
	OK(vfs_fchmodat(R, NULL, "/r/new", 0755, 0));
	ck_assert(walk(U, "/r/new/sub", 0).by_rcu);
}
END_TEST

START_TEST(test_rcu_walk_crosses_mounts)
{
	struct walk_result r, top;

	OK(vfs_mkdirat(R, NULL, "/m", 0755));
	top = walk(R, "/m", 0);
	OK(vfs_mount(R, "tmpfs", "/m", "tmpfs", 0, NULL));
	OK(kvfs_mkdir_p("/m/in/deep", 0755));
	walk(R, "/m/in/deep", 0);
	r = walk(R, "/m/in/deep", 0);
	ck_assert(r.by_rcu);
	ck_assert_ptr_ne(r.mnt, top.mnt);
	same_as_ref_walk(R, "/m/in/deep", 0, r);
	r = walk(R, "/m", 0);				/* the mount's root */
	ck_assert(r.by_rcu);
	ck_assert_ptr_ne(r.dentry, top.dentry);
	same_as_ref_walk(R, "/m", 0, r);
	OK(vfs_umount(R, "/m", 0));
	r = walk(R, "/m", 0);
	OK(r.err);
	ck_assert_ptr_eq(r.dentry, top.dentry);	/* the mountpoint again */
	ck_assert_ptr_eq(r.mnt, top.mnt);
	ERR(walk(R, "/m/in/deep", 0).err, ENOENT);
}
END_TEST

START_TEST(test_dcache_shrinker_under_pressure)
{
	struct dcache_stats a, b;
	struct mm_reclaim_stats ra, rb;
	struct walk_result r;
	char name[48];
	void **pages = NULL;
	size_t n = 0, cap = 0;

	OK(kvfs_mkdir_p("/p/q", 0755));
	OK(touch(R, "/p/q/f", 0644));
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "/p/none-%d", i);
		ERR(stat_err(R, name, 0), ENOENT);	/* negative, unused */
	}
	walk(R, "/p/q/f", 0);
	dcache_get_stats(&a);
	mm_get_reclaim_stats(&ra);
	ck_assert_uint_ge(a.nr_unused, 2000);
	/* take every page: the allocator must ask the dcache for memory */
	for (;;) {
		void *p = page_alloc_virt(0, 0);

		if (!p)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			pages = realloc(pages, cap * sizeof(*pages));
			ck_assert_ptr_nonnull(pages);
		}
		pages[n++] = p;
	}
	dcache_get_stats(&b);
	mm_get_reclaim_stats(&rb);
	ck_assert_uint_gt(rb.runs, ra.runs);
	ck_assert_uint_gt(rb.freed, ra.freed);
	ck_assert_uint_gt(b.nr_reclaimed, a.nr_reclaimed);
	ck_assert_uint_lt(b.nr_unused, a.nr_unused);
	ck_assert_uint_lt(b.nr_dentries, a.nr_dentries);
	while (n)
		page_free_virt(pages[--n], 0);
	free(pages);
	/* the names are still right: found again through the filesystem */
	r = walk(R, "/p/q/f", 0);
	OK(r.err);
	ck_assert(S_ISREG(r.dentry->inode->mode));
	ERR(stat_err(R, "/p/none-7", 0), ENOENT);
	ERR(stat_err(R, "/p/none-1999", 0), ENOENT);
}
END_TEST

START_TEST(test_reclaim_only_where_it_may_sleep)
{
	struct mm_reclaim_stats a, b;

	ERR(stat_err(R, "/none", 0), ENOENT);
	mm_get_reclaim_stats(&a);
	preempt_disable();		/* as under a spinlock */
	ck_assert(!mm_may_reclaim());
	ck_assert_uint_eq(mm_reclaim(), 0);
	preempt_enable();
	mm_get_reclaim_stats(&b);
	ck_assert_uint_eq(b.skipped, a.skipped + 1);
	ck_assert_uint_eq(b.runs, a.runs);
	ck_assert(mm_may_reclaim());
	ck_assert_uint_gt(mm_reclaim(), 0);		/* the negative entry at least */
}
END_TEST

/* ================================================================================================ */

static Suite *vfs_suite(void)
{
	Suite *s = suite_create("vfs");
	struct {
		const char *name;
		const TTest *tests[40];
	} groups[] = {
		{ "walk",
		  { test_walk_absolute_and_relative, test_walk_dot_and_dotdot,
		    test_walk_dotdot_stays_at_process_root, test_walk_crosses_mounts_both_ways,
		    test_symlink_relative_absolute_nested, test_symlink_loop_eloop,
		    test_symlink_limit_40, test_symlink_dangling_enoent, test_trailing_slash,
		    test_o_nofollow_and_o_path, test_o_directory, test_o_creat_excl,
		    test_o_excl_does_not_follow_symlink, test_at_empty_path_and_nofollow,
		    test_name_max, test_path_max, test_empty_path_enoent, test_search_permission,
		    test_enotdir_in_the_middle } },
		{ "dcache",
		  { test_dcache_negative_entries, test_dcache_shrink_reclaims_unused,
		    test_dcache_shrink_keeps_used, test_dcache_after_rename_and_unlink,
		    test_dcache_unused_is_capped, test_lookup_by_inode_number } },
		{ "io",
		  { test_read_write_seek, test_o_append, test_o_trunc, test_access_mode_ebadf,
		    test_directories_and_io, test_seek_data_hole, test_getdents_basic,
		    test_getdents_offsets_survive_unlink } },
		{ "names",
		  { test_mkdir_errors, test_umask_at_create, test_setgid_directory, test_mknod,
		    test_char_device_dispatch_by_rdev, test_unlink_errors, test_rmdir_errors,
		    test_removed_cwd, test_symlink_and_readlink, test_hard_links,
		    test_link_to_unlinked_open_file } },
		{ "rename",
		  { test_rename_file, test_rename_noreplace, test_rename_exchange,
		    test_rename_into_own_descendant, test_rename_over_dirs,
		    test_rename_cross_mount_exdev, test_rename_hard_links_same_inode,
		    test_rename_dots_ebusy, test_rename_long_names, test_rename_permissions } },
		{ "attrs",
		  { test_statx_times_with_ns, test_chmod, test_chown, test_utimens, test_truncate,
		    test_write_kills_suid, test_statfs, test_permission_mode_bits,
		    test_permission_classes, test_sticky_directory } },
		{ "fdtable",
		  { test_fd_lowest_free_and_close, test_fd_dup_semantics,
		    test_fd_limit_emfile_and_clone, test_fd_at_path } },
		{ "mount",
		  { test_mount_and_umount, test_mount_errors, test_bind_mount, test_readonly_mount,
		    test_path_name } },
		{ "rcuwalk",
		  { test_rcu_walk_takes_cached_paths, test_rcu_walk_falls_back,
		    test_rcu_walk_parents, test_rcu_walk_sees_changes, test_rcu_walk_crosses_mounts, test_d_revalidate_hook,
		    test_dcache_shrinker_under_pressure, test_reclaim_only_where_it_may_sleep } },
		{ "tmpfs",
		  { test_tmpfs_enospc_and_space_back, test_tmpfs_nr_inodes, test_tmpfs_sparse_file,
		    test_tmpfs_unmount_frees_everything } },
		{ "devfs",
		  { test_devfs_nodes, test_devfs_devices, test_devfs_register_later_and_shared,
		    test_kvfs_api, test_bridge_style_api } },
	};

	for (unsigned g = 0; g < ARRAY_SIZE(groups); g++)
		ck_add_group(s, groups[g].name, setup, groups[g].tests);
	return s;
}

int main(void)
{
	return ck_run(vfs_suite(), true);
}
