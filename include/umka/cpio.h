/* The "newc" cpio format (magic 070701/070702), as initramfs images use:
 * a parser that walks an archive held in memory and hands each member to a
 * callback, validating every field first. Archives may be concatenated,
 * with zero padding between them, as the Linux boot protocol allows. */
#ifndef UMKA_CPIO_H
#define UMKA_CPIO_H

#include <umka/types.h>

struct cpio_entry {
	const char *name;	/* NUL-terminated, normalised: no leading "/" or "./" */
	size_t name_len;
	u32 ino;
	u32 mode;		/* S_IF* type bits and permissions */
	u32 uid, gid;
	u32 nlink;
	u32 mtime;
	u32 dev_major, dev_minor;	/* of the archived filesystem */
	u32 rdev_major, rdev_minor;	/* for device nodes */
	const u8 *data;		/* file contents or symlink target */
	size_t size;
};

/* Called for each member except the trailer; a negative return stops the
 * walk and is passed back. */
typedef int (*cpio_fn)(void *ctx, const struct cpio_entry *e);

/* Walk buf[0..len). Returns 0, a callback's error, or -EINVAL for a
 * malformed or truncated archive, with a one-line reason in err (which may
 * be NULL) naming the member's offset. Members before the bad one have been
 * handed out already. */
int cpio_parse(const void *buf, size_t len, cpio_fn fn, void *ctx, char *err, size_t errlen);

#endif
