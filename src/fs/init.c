/* Bringing the VFS up at boot: tmpfs as the root filesystem, devfs on
 * /dev, procfs on /proc, umkafs on /sys/umka, and the kernel's own context
 * for internal callers. */
#include <umka/errno.h>
#include <umka/panic.h>
#include <umka/printk.h>

#include "pseudo.h"

void vfs_init(void)
{
	int err;

	mount_init();
	dcache_init();
	pipefs_init();
	register_filesystem(&tmpfs_fs_type);
	devfs_init();
#ifndef UMKA_UNIT_TEST
	/* The unit-test machine fakes the scheduler and has no ktest section;
	 * procfs and umkafs are tested in the booted kernel (procfs_ktest.c). */
	register_filesystem(&procfs_fs_type);
	umkafs_init();
	register_filesystem(&umkafs_fs_type);
#endif
	err = mount_root("tmpfs", "mode=0755");
	if (err)
		panic("vfs: cannot mount tmpfs as the root filesystem (%d)", err);
	fs_struct_init_kernel();
	err = vfs_mkdirat(vfs_kernel_ctx(), NULL, "/dev", 0755);
	if (!err)
		err = vfs_mount(vfs_kernel_ctx(), "devfs", "/dev", "devfs", 0, NULL);
	if (err)
		panic("vfs: cannot mount devfs on /dev (%d)", err);
#ifdef UMKA_UNIT_TEST
	pr_info("vfs: tmpfs on /, devfs on /dev\n");
#else
	err = vfs_mkdirat(vfs_kernel_ctx(), NULL, "/proc", 0555);
	if (!err)
		err = vfs_mount(vfs_kernel_ctx(), "proc", "/proc", "proc", 0, NULL);
	if (err)
		panic("vfs: cannot mount proc on /proc (%d)", err);
	err = kvfs_mkdir_p("/sys/umka", 0755);
	if (!err)
		err = vfs_mount(vfs_kernel_ctx(), "umkafs", "/sys/umka", "umkafs", 0, NULL);
	if (err)
		panic("vfs: cannot mount umkafs on /sys/umka (%d)", err);
	pr_info("vfs: tmpfs on /, devfs on /dev, proc on /proc, umkafs on /sys/umka\n");
#endif
}
