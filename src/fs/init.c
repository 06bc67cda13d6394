/* Bringing the VFS up at boot: tmpfs as the root filesystem, devfs on
 * /dev, and the kernel's own context for internal callers. */
#include <umka/errno.h>
#include <umka/panic.h>
#include <umka/printk.h>

#include "vfs_internal.h"

void vfs_init(void)
{
	int err;

	mount_init();
	dcache_init();
	register_filesystem(&tmpfs_fs_type);
	devfs_init();
	err = mount_root("tmpfs", "mode=0755");
	if (err)
		panic("vfs: cannot mount tmpfs as the root filesystem (%d)", err);
	fs_struct_init_kernel();
	err = vfs_mkdirat(vfs_kernel_ctx(), NULL, "/dev", 0755);
	if (!err)
		err = vfs_mount(vfs_kernel_ctx(), "devfs", "/dev", "devfs", 0, NULL);
	if (err)
		panic("vfs: cannot mount devfs on /dev (%d)", err);
	pr_info("vfs: tmpfs on /, devfs on /dev\n");
}
