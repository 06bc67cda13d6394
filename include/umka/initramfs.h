/* The boot initramfs: unpacked into the root filesystem before init runs. */
#ifndef UMKA_INITRAMFS_H
#define UMKA_INITRAMFS_H

#include <umka/arch.h>

struct initramfs_stats {
	unsigned entries;	/* members created */
	unsigned failed;	/* members refused by the filesystem (warned) */
	u64 bytes;		/* file data written */
};

/* Unpack a newc cpio image (gzip-compressed or not) held in memory.
 * Returns 0 or -errno; a malformed archive is -EINVAL and what came before
 * the bad member stays unpacked. */
int initramfs_unpack_image(const void *img, size_t len, struct initramfs_stats *st);

/* Unpack the boot loader's initrd, if any (called once at boot). */
void initramfs_unpack_boot(const struct boot_info *bi);

#endif
