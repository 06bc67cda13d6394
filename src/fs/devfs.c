/* devfs: character devices by number, and a filesystem that shows them.
 * Drivers register a struct chrdev; opening any S_IFCHR inode (in devfs or
 * made by mknod anywhere) finds its driver by rdev. The filesystem is a
 * tmpfs instance named "devfs" holding one node per registered device;
 * every mount of devfs shares that one super block, and a device
 * registered later gets its node there too.
 *
 * The built-in devices use Linux's numbers: null 1:3, zero 1:5, full 1:7,
 * random 1:8, urandom 1:9, tty 5:0, console 5:1. */
#include <umka/console.h>
#include <umka/errno.h>
#include <umka/mutex.h>
#include <umka/string.h>

#include "vfs_internal.h"

static DEFINE_SPINLOCK(chrdev_lock, VFS_LEVEL_FS_LEAF);
static LIST_HEAD(chrdevs);			/* under chrdev_lock */

static struct mutex devfs_mutex;
static struct super_block *devfs_sb;		/* under devfs_mutex */

static struct chrdev *chrdev_find_locked(u32 dev)
{
	struct chrdev *cd;

	list_for_each_entry(cd, &chrdevs, node)
		if (cd->dev == dev)
			return cd;
	return NULL;
}

const struct file_ops *chrdev_fops(u32 dev)
{
	struct chrdev *cd;

	spin_lock(&chrdev_lock);
	cd = chrdev_find_locked(dev);
	spin_unlock(&chrdev_lock);
	return cd ? cd->fops : NULL;
}

static void devfs_add_node(struct super_block *sb, const struct chrdev *cd)
{
	struct inode_attrs a = { .mode = S_IFCHR | (cd->mode & 07777), .rdev = cd->dev };
	struct dentry *d = vfs_create_child(sb->root, cd->name, &a);

	if (!IS_ERR(d))
		dput(d);
}

int chrdev_register(struct chrdev *cd)
{
	int err = 0;

	spin_lock(&chrdev_lock);
	if (chrdev_find_locked(cd->dev))
		err = -EBUSY;
	else
		list_add_tail(&cd->node, &chrdevs);
	spin_unlock(&chrdev_lock);
	if (err)
		return err;
	mutex_lock(&devfs_mutex);
	if (devfs_sb)
		devfs_add_node(devfs_sb, cd);
	mutex_unlock(&devfs_mutex);
	return 0;
}

/* ---- The filesystem ------------------------------------------------------------------------- */

static bool sb_get_active(struct super_block *sb)
{
	int v = atomic_read(&sb->active);

	while (v > 0)
		if (atomic_cmpxchg(&sb->active, &v, v + 1))
			return true;
	return false;	/* dying: its kill_sb is on the way */
}

static int devfs_get_sb(struct fs_type *t, const char *source, unsigned long flags,
			const char *options, struct super_block **out)
{
	struct super_block *sb;
	struct chrdev *cd;
	int err = 0;

	mutex_lock(&devfs_mutex);
	if (devfs_sb && sb_get_active(devfs_sb)) {
		*out = devfs_sb;
		goto out;
	}
	err = tmpfs_make_sb(t, "mode=0755,size=64K", &sb);
	if (err)
		goto out;
	/* Nodes for every device so far; the list only grows, and we hold
	 * devfs_mutex, so a registration racing with us adds its own node
	 * after we publish devfs_sb. */
	spin_lock(&chrdev_lock);
	list_for_each_entry(cd, &chrdevs, node) {
		spin_unlock(&chrdev_lock);
		devfs_add_node(sb, cd);
		spin_lock(&chrdev_lock);
	}
	spin_unlock(&chrdev_lock);
	devfs_sb = sb;
	*out = sb;
out:
	mutex_unlock(&devfs_mutex);
	return err;
}

static void devfs_kill_sb(struct super_block *sb)
{
	mutex_lock(&devfs_mutex);
	if (devfs_sb == sb)
		devfs_sb = NULL;
	mutex_unlock(&devfs_mutex);
	sb_kill_generic(sb);
}

static struct fs_type devfs_fs_type = {
	.name = "devfs",
	.get_sb = devfs_get_sb,
	.kill_sb = devfs_kill_sb,
};

/* ---- The devices ---------------------------------------------------------------------------- */

static s64 dev_zero_llseek(struct file *f, s64 off, int whence)
{
	f->pos = 0;
	return 0;
}

static long null_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	return 0;
}

static long null_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	return (long)n;
}

static long zero_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	memset(buf, 0, n);
	return (long)n;
}

static long full_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	return -ENOSPC;
}

static long random_dev_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	return random_read(buf, n);
}

static long random_dev_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	random_mix(buf, n);	/* accepted into the state, credited no entropy */
	return (long)n;
}

/* Console and tty write through the arch console and read what it has
 * received (raw bytes: line editing and echo are the tty layer's, later). */
static long console_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	return console_input_read(buf, n, f->flags & O_NONBLOCK);
}

static long console_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	arch_console_write(buf, n);
	return (long)n;
}

static s64 no_llseek(struct file *f, s64 off, int whence)
{
	return -ESPIPE;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = null_write, .llseek = dev_zero_llseek,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = null_write, .llseek = dev_zero_llseek,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = dev_zero_llseek,
};
static const struct file_ops random_fops = {
	.read = random_dev_read, .write = random_dev_write, .llseek = dev_zero_llseek,
};
static const struct file_ops console_fops = {
	.read = console_read, .write = console_write, .llseek = no_llseek,
};

static struct chrdev builtin_devs[] = {
	{ MKDEV(1, 3), "null", 0666, &null_fops, { NULL, NULL } },
	{ MKDEV(1, 5), "zero", 0666, &zero_fops, { NULL, NULL } },
	{ MKDEV(1, 7), "full", 0666, &full_fops, { NULL, NULL } },
	{ MKDEV(1, 8), "random", 0666, &random_fops, { NULL, NULL } },
	{ MKDEV(1, 9), "urandom", 0666, &random_fops, { NULL, NULL } },
	{ MKDEV(5, 0), "tty", 0666, &console_fops, { NULL, NULL } },
	{ MKDEV(5, 1), "console", 0600, &console_fops, { NULL, NULL } },
};

void devfs_init(void)
{
	list_init(&chrdevs);
	devfs_sb = NULL;
	mutex_init(&devfs_mutex, "devfs_mutex", VFS_LEVEL_FS_MUTEX);
	random_init();
	for (unsigned i = 0; i < ARRAY_SIZE(builtin_devs); i++)
		chrdev_register(&builtin_devs[i]);
	register_filesystem(&devfs_fs_type);
}
