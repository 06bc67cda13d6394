/* ktest suite `initramfs`: unpack archives built here (and one gzipped
 * image made by Python's gzip module) into the live root filesystem. */
#include <umka/errno.h>
#include <umka/initramfs.h>
#include <umka/ktest.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/vfs.h>

struct img {
	char *buf;
	size_t len, cap;
};

static void put(struct img *im, const char *name, u32 mode, const char *data, size_t size,
		u32 ino, u32 nlink, u32 rmaj, u32 rmin)
{
	size_t namesize = strlen(name) + 1;

	im->len += (size_t)ksnprintf(im->buf + im->len, im->cap - im->len,
				     "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
				     ino, mode, 0, 0, nlink, 1600000000, (u32)size, 8, 1, rmaj, rmin,
				     (u32)namesize, 0);
	memcpy(im->buf + im->len, name, namesize);
	im->len = ALIGN_UP(im->len + namesize, 4);
	memcpy(im->buf + im->len, data, size);
	im->len = ALIGN_UP(im->len + size, 4);
}

static void put_trailer(struct img *im)
{
	put(im, "TRAILER!!!", 0, "", 0, 0, 1, 0, 0);
}

static struct img new_img(void)
{
	struct img im = { kzalloc(8192, 0), 0, 8192 };

	return im;
}

static void unpack_tree(struct ktest *t)
{
	struct img im = new_img();
	struct initramfs_stats st;
	struct statx a, b;
	char buf[32];

	KT_ASSERT(t, im.buf != NULL);
	put(&im, "kt-init", 040755, "", 0, 1, 3, 0, 0);
	put(&im, "kt-init/bin", 040711, "", 0, 2, 2, 0, 0);
	put(&im, "kt-init/bin/tool", 0100755, "#!tool\n", 7, 3, 1, 0, 0);
	put(&im, "kt-init/bin/alias", 0120777, "tool", 4, 4, 1, 0, 0);
	put(&im, "kt-init/null", 020666, "", 0, 5, 1, 1, 3);
	/* two names of inode 6; the data comes with the last one */
	put(&im, "kt-init/h1", 0100600, "", 0, 6, 2, 0, 0);
	put(&im, "kt-init/h2", 0100600, "shared", 6, 6, 2, 0, 0);
	put(&im, "kt-init/deep/er/file", 0100644, "x", 1, 7, 1, 0, 0);	/* parents implied */
	put_trailer(&im);

	KT_EXPECT_EQ(t, initramfs_unpack_image(im.buf, im.len, &st), 0);
	KT_EXPECT_EQ(t, st.entries, 8);
	KT_EXPECT_EQ(t, st.failed, 0);
	KT_EXPECT_EQ(t, kvfs_read_file("/kt-init/bin/tool", buf, sizeof(buf), 0), 7);
	KT_EXPECT(t, !memcmp(buf, "#!tool\n", 7));
	KT_EXPECT_EQ(t, kvfs_stat("/kt-init/bin", &a), 0);
	KT_EXPECT_EQ(t, a.stx_mode, 040711);
	KT_EXPECT_EQ(t, a.stx_mtime.tv_sec, 1600000000);
	KT_EXPECT_EQ(t, kvfs_stat("/kt-init/bin/alias", &a), 0);
	KT_EXPECT(t, S_ISLNK(a.stx_mode));
	KT_EXPECT_EQ(t, kvfs_stat("/kt-init/null", &a), 0);
	KT_EXPECT_EQ(t, a.stx_mode, 020666);
	KT_EXPECT_EQ(t, a.stx_rdev_major, 1);
	KT_EXPECT_EQ(t, a.stx_rdev_minor, 3);
	KT_EXPECT_EQ(t, kvfs_stat("/kt-init/h1", &a), 0);
	KT_EXPECT_EQ(t, kvfs_stat("/kt-init/h2", &b), 0);
	KT_EXPECT_EQ(t, a.stx_ino, b.stx_ino);
	KT_EXPECT_EQ(t, a.stx_nlink, 2);
	KT_EXPECT_EQ(t, kvfs_read_file("/kt-init/h1", buf, sizeof(buf), 0), 6);
	KT_EXPECT_EQ(t, kvfs_read_file("/kt-init/deep/er/file", buf, sizeof(buf), 0), 1);
	kfree(im.buf);
}

static void overlay_replaces(struct ktest *t)
{
	struct img im = new_img();
	struct initramfs_stats st;
	struct statx a;
	char buf[16];

	KT_ASSERT(t, im.buf != NULL);
	put(&im, "kt-ovl", 040755, "", 0, 1, 2, 0, 0);
	put(&im, "kt-ovl/f", 0100644, "old", 3, 2, 1, 0, 0);
	put_trailer(&im);
	im.len += 512;		/* a boot loader's zero padding */
	put(&im, "kt-ovl/f", 0120777, "target", 6, 3, 1, 0, 0);	/* now a symlink */
	put_trailer(&im);
	KT_EXPECT_EQ(t, initramfs_unpack_image(im.buf, im.len, &st), 0);
	KT_EXPECT_EQ(t, st.entries, 3);
	KT_EXPECT_EQ(t, kvfs_stat("/kt-ovl/f", &a), 0);
	KT_EXPECT(t, S_ISLNK(a.stx_mode));
	KT_EXPECT(t, kvfs_read_file("/kt-ovl/f", buf, sizeof(buf), 0) < 0);	/* dangling */
	kfree(im.buf);
}

static void damaged_archive_keeps_prefix(struct ktest *t)
{
	struct img im = new_img();
	struct initramfs_stats st;
	struct statx a;

	KT_ASSERT(t, im.buf != NULL);
	put(&im, "kt-bad-ok", 0100644, "fine", 4, 1, 1, 0, 0);
	put(&im, "kt-bad-cut", 0100644, "0123456789", 10, 2, 1, 0, 0);
	im.len -= 8;		/* truncate inside the last member; no trailer */
	KT_EXPECT_EQ(t, initramfs_unpack_image(im.buf, im.len, &st), -EINVAL);
	KT_EXPECT_EQ(t, kvfs_stat("/kt-bad-ok", &a), 0);
	KT_EXPECT(t, kvfs_stat("/kt-bad-cut", &a) == -ENOENT);
	kfree(im.buf);
}

static void refused_member_is_skipped(struct ktest *t)
{
	struct img im = new_img();
	struct initramfs_stats st;
	struct statx a;

	KT_ASSERT(t, im.buf != NULL);
	put(&im, "kt-ref-file", 0100644, "x", 1, 1, 1, 0, 0);
	put(&im, "kt-ref-file/child", 0100644, "y", 1, 2, 1, 0, 0);	/* parent is a file */
	put(&im, "kt-ref-after", 0100644, "z", 1, 3, 1, 0, 0);
	put_trailer(&im);
	KT_EXPECT_EQ(t, initramfs_unpack_image(im.buf, im.len, &st), 0);
	KT_EXPECT_EQ(t, st.failed, 1);
	KT_EXPECT_EQ(t, st.entries, 2);
	KT_EXPECT_EQ(t, kvfs_stat("/kt-ref-after", &a), 0);
}

/* A gzip member made by Python's gzip module (so not by our own code):
 * kt-gz/ (0750, uid 1000), kt-gz/hello, kt-gz/link -> hello. */
static const u8 gz_image[] = {
#include "initramfs_ktest_gz.inc"
};

static void gzip_image(struct ktest *t)
{
	struct initramfs_stats st;
	struct statx a;
	char buf[32];
	u8 *bad;

	KT_EXPECT_EQ(t, initramfs_unpack_image(gz_image, sizeof(gz_image), &st), 0);
	KT_EXPECT_EQ(t, st.entries, 3);
	KT_EXPECT_EQ(t, kvfs_read_file("/kt-gz/hello", buf, sizeof(buf), 0), 16);
	KT_EXPECT(t, !memcmp(buf, "hello from gzip\n", 16));
	KT_EXPECT_EQ(t, kvfs_stat("/kt-gz", &a), 0);
	KT_EXPECT_EQ(t, a.stx_mode, 040750);
	KT_EXPECT_EQ(t, a.stx_uid, 1000);
	KT_EXPECT_EQ(t, a.stx_gid, 100);
	/* a flipped byte in the compressed data is caught by the CRC */
	bad = kmalloc(sizeof(gz_image), 0);
	KT_ASSERT(t, bad != NULL);
	memcpy(bad, gz_image, sizeof(gz_image));
	bad[sizeof(gz_image) / 2] ^= 0x10;
	KT_EXPECT(t, initramfs_unpack_image(bad, sizeof(gz_image), &st) < 0);
	kfree(bad);
}

KTEST_SUITE(initramfs,
	    KTEST_CASE(unpack_tree),
	    KTEST_CASE(overlay_replaces),
	    KTEST_CASE(damaged_archive_keeps_prefix),
	    KTEST_CASE(refused_member_is_skipped),
	    KTEST_CASE(gzip_image));
