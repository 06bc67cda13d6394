/* Unpacking the initramfs into the root filesystem. Members go in as the
 * archive lists them, through the same VFS calls any caller would use, so
 * every name and mode gets the VFS's own checks; a member the filesystem
 * refuses is warned about and skipped, while a malformed archive stops the
 * walk (what came before stays). Hard links follow newc's convention: all
 * names of one inode share (dev, ino), and the data comes with the last. */
#include <umka/cpio.h>
#include <umka/errno.h>
#include <umka/inflate.h>
#include <umka/initramfs.h>
#include <umka/mm.h>
#include <umka/printk.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/vfs.h>

#define LINK_SLOTS 64

struct link_seen {
	u32 ino, dev_major, dev_minor;
	char *path;		/* kmalloc'd first name */
};

/* Directory times are set after everything is in: creating a child would
 * otherwise move its parent's mtime again. */
struct dir_time {
	struct dir_time *next;
	s64 mtime;
	char path[];
};

struct unpack {
	struct initramfs_stats *st;
	struct dir_time *dirs;
	struct link_seen links[LINK_SLOTS];
	unsigned nr_links;
	char path[PATH_MAX];
};

static const char *first_link(struct unpack *u, const struct cpio_entry *e)
{
	for (unsigned i = 0; i < u->nr_links; i++) {
		struct link_seen *l = &u->links[i];

		if (l->ino == e->ino && l->dev_major == e->dev_major && l->dev_minor == e->dev_minor)
			return l->path;
	}
	return NULL;
}

static void remember_link(struct unpack *u, const struct cpio_entry *e, const char *path)
{
	size_t n = strlen(path) + 1;
	struct link_seen *l;

	if (u->nr_links == LINK_SLOTS)
		return;	/* later names become copies, not links: still correct data */
	l = &u->links[u->nr_links];
	l->path = kmalloc(n, 0);
	if (!l->path)
		return;
	memcpy(l->path, path, n);
	l->ino = e->ino;
	l->dev_major = e->dev_major;
	l->dev_minor = e->dev_minor;
	u->nr_links++;
}

static int make_regular(struct unpack *u, const struct cpio_entry *e)
{
	const char *first = e->nlink > 1 ? first_link(u, e) : NULL;
	int err;

	if (first) {
		err = kvfs_link(first, u->path);
		if (!err && e->size)
			err = kvfs_write_file(u->path, e->mode & 07777, e->data, e->size);
		return err;
	}
	err = kvfs_write_file(u->path, e->mode & 07777, e->data, e->size);
	if (!err && e->nlink > 1)
		remember_link(u, e, u->path);
	return err;
}

static int make_symlink(struct unpack *u, const struct cpio_entry *e)
{
	char *target;
	int err;

	if (e->size == 0 || e->size >= PATH_MAX)
		return -EINVAL;
	target = kmalloc(e->size + 1, 0);
	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->size);
	target[e->size] = 0;
	err = strlen(target) == e->size ? kvfs_symlink(target, u->path) : -EINVAL;
	kfree(target);
	return err;
}

static void defer_dir_time(struct unpack *u, s64 mtime)
{
	size_t n = strlen(u->path) + 1;
	struct dir_time *d = kmalloc(sizeof(*d) + n, 0);

	if (!d)
		return;	/* the time stays "now": harmless */
	memcpy(d->path, u->path, n);
	d->mtime = mtime;
	d->next = u->dirs;
	u->dirs = d;
}

static void apply_dir_times(struct unpack *u)
{
	struct dir_time *d;

	while ((d = u->dirs)) {
		u->dirs = d->next;
		kvfs_set_times(d->path, d->mtime, 0);
		kfree(d);
	}
}

/* Archives usually list directories before their contents, but need not. */
static int make_parents(struct unpack *u)
{
	char *slash = u->path + strlen(u->path);
	int err;

	while (slash > u->path && *slash != '/')
		slash--;
	if (slash == u->path)
		return 0;
	*slash = 0;
	err = kvfs_mkdir_p(u->path, 0755);
	*slash = '/';
	return err;
}

/* A later member replaces an earlier one of the same name (concatenated
 * archives overlay each other), except that directories merge. */
static void clear_path(struct unpack *u, u32 mode)
{
	struct statx st;

	if (kvfs_stat(u->path, &st))
		return;
	if (S_ISDIR(st.stx_mode)) {
		if (!S_ISDIR(mode))
			kvfs_rmdir(u->path);
	} else {
		kvfs_unlink(u->path);
	}
}

static int unpack_member(void *ctx, const struct cpio_entry *e)
{
	struct unpack *u = ctx;
	u32 type = e->mode & S_IFMT;
	int err;

	if (e->name_len + 2 > sizeof(u->path))
		return -ENAMETOOLONG;
	u->path[0] = '/';
	memcpy(u->path + 1, e->name, e->name_len + 1);
	if (e->name_len == 0) {
		err = 0;	/* the root itself: attributes only */
		goto attrs;
	}
	clear_path(u, e->mode);
	err = make_parents(u);
	if (err)
		goto done;
	switch (type) {
	case S_IFDIR:
		err = kvfs_mkdir_p(u->path, e->mode & 07777);
		break;
	case S_IFREG:
		err = make_regular(u, e);
		if (!err)
			u->st->bytes += e->size;
		break;
	case S_IFLNK:
		err = make_symlink(u, e);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		err = kvfs_mknod(u->path, e->mode, MKDEV(e->rdev_major, e->rdev_minor));
		break;
	default:
		err = -EINVAL;
		break;
	}
attrs:
	/* Owner, then mode (chown clears set-user-ID), then times. */
	if (!err)
		err = kvfs_set_attrs(u->path, e->uid, e->gid, e->mode & 07777, e->mtime, 0);
	if (!err && type == S_IFDIR)
		defer_dir_time(u, e->mtime);
done:
	if (err) {
		pr_warn("initramfs: %s (mode 0%o): error %d, skipped\n", u->path, e->mode, err);
		u->st->failed++;
	} else {
		u->st->entries++;
	}
	return 0;	/* one refused member does not stop the rest */
}

static int unpack_cpio(const void *img, size_t len, struct initramfs_stats *st)
{
	struct unpack *u = kzalloc(sizeof(*u), 0);
	char err[120];
	int r;

	if (!u)
		return -ENOMEM;
	u->st = st;
	r = cpio_parse(img, len, unpack_member, u, err, sizeof(err));
	if (r == -EINVAL)
		pr_err("initramfs: %s\n", err);
	apply_dir_times(u);
	for (unsigned i = 0; i < u->nr_links; i++)
		kfree(u->links[i].path);
	kfree(u);
	return r;
}

int initramfs_unpack_image(const void *img, size_t len, struct initramfs_stats *st)
{
	unsigned order = 0;
	size_t outlen;
	u32 size;
	void *out;
	int r;

	memset(st, 0, sizeof(*st));
	if (!gzip_detect(img, len))
		return unpack_cpio(img, len, st);
	if (gzip_size(img, len, &size))
		return -EINVAL;
	while ((PAGE_SIZE << order) < size && order < MAX_ORDER)
		order++;
	if ((PAGE_SIZE << order) < size) {
		pr_err("initramfs: %u KiB uncompressed; the decompressor holds at most %lu KiB\n",
		       size >> 10, (PAGE_SIZE << MAX_ORDER) >> 10);
		return -EFBIG;
	}
	out = page_alloc_virt(order, 0);
	if (!out)
		return -ENOMEM;
	r = gunzip(img, len, out, PAGE_SIZE << order, &outlen);
	if (r)
		pr_err("initramfs: gzip stream is corrupt (%d)\n", r);
	else
		r = unpack_cpio(out, outlen, st);
	page_free_virt(out, order);
	return r;
}

void initramfs_unpack_boot(const struct boot_info *bi)
{
	struct initramfs_stats st;
	int r;

	if (!bi->initrd_size)
		return;
	r = initramfs_unpack_image(phys_to_virt(bi->initrd_base), bi->initrd_size, &st);
	pr_info("initramfs: %u entries, %llu KiB of files unpacked, %u refused%s\n",
		st.entries, (unsigned long long)(st.bytes >> 10), st.failed,
		r ? " (archive damaged; stopped there)" : "");
}
