/* A process's filesystem context (root, working directory, umask) and the
 * kernel's own, which kernel-internal callers (initramfs, tests) use. */
#include <umka/errno.h>
#include <umka/panic.h>
#include <umka/slab.h>

#include "vfs_internal.h"

static struct fs_struct *kernel_fs;
static struct vfs_ctx kernel_ctx;

struct fs_struct *fs_struct_create(const struct path *root, const struct path *pwd, u32 umask)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs), 0);

	if (!fs)
		return NULL;
	spin_lock_init(&fs->lock, "fs_struct.lock", VFS_LEVEL_FDTABLE);
	atomic_set(&fs->refs, 1);
	fs->root = *root;
	fs->pwd = *pwd;
	path_get(&fs->root);
	path_get(&fs->pwd);
	fs->umask = umask & 0777;
	return fs;
}

struct fs_struct *fs_struct_clone(struct fs_struct *old)
{
	struct path root, pwd;
	struct fs_struct *fs;
	u32 umask;

	spin_lock(&old->lock);
	root = old->root;
	pwd = old->pwd;
	path_get(&root);
	path_get(&pwd);
	umask = old->umask;
	spin_unlock(&old->lock);
	fs = fs_struct_create(&root, &pwd, umask);
	path_put(&root);
	path_put(&pwd);
	return fs;
}

void fs_struct_put(struct fs_struct *fs)
{
	if (!fs || atomic_dec_return(&fs->refs))
		return;
	path_put(&fs->root);
	path_put(&fs->pwd);
	kfree(fs);
}

u32 fs_set_umask(struct fs_struct *fs, u32 mask)
{
	u32 old;

	spin_lock(&fs->lock);
	old = fs->umask;
	fs->umask = mask & 0777;
	spin_unlock(&fs->lock);
	return old;
}

const struct vfs_ctx *vfs_kernel_ctx(void)
{
	return &kernel_ctx;
}

/* After the root mount exists: "/" is the kernel's root and cwd. */
void fs_struct_init_kernel(void)
{
	struct mount *m = vfs_root_mount();
	struct path root = { m, m->root };

	kernel_fs = fs_struct_create(&root, &root, 0);
	if (!kernel_fs)
		panic("vfs: no memory for the kernel's fs_struct");
	kernel_ctx.cred = cred_kernel();
	kernel_ctx.fs = kernel_fs;
}
