/* umkafs: every kind of kernel object, listed and readable as files under
 * /sys/umka. A kind is a directory (/sys/umka/<kind>) holding one
 * directory per object (/sys/umka/<kind>/<object>) with one file per
 * attribute, each holding one value and a newline. A kind without objects
 * (list NULL) has its attribute files directly in its directory.
 * Subsystems register kinds at init; umkafs.c need not know them. */
#ifndef UMKA_UMKAFS_H
#define UMKA_UMKAFS_H

#include <umka/types.h>

#define UMKAFS_NAME_MAX 63

struct umkafs_kind_ops {
	/* Call fill(fill_arg, name) for each object now alive. fill never
	 * sleeps or allocates, so list may call it under a spinlock. Names
	 * longer than UMKAFS_NAME_MAX are cut; they must not contain '/'. */
	void (*list)(void (*fill)(void *fill_arg, const char *name), void *fill_arg);
	/* The attribute file names, ending with NULL. */
	const char *const *attrs;
	/* Write attr of object (NULL for a kind without objects) into buf as
	 * text without the newline (umkafs adds it); return its length, or
	 * -ENOENT if the object has gone. May sleep. */
	long (*read)(const char *object, const char *attr, char *buf, size_t size);
	/* Optional: the attributes that can be written (mode 0644, root
	 * only), ending with NULL, and how. write gets the value without its
	 * trailing newline and returns 0, -EINVAL for a value it refuses, or
	 * -ENOENT if the object has gone. May sleep. */
	const char *const *writable;
	int (*write)(const char *object, const char *attr, const char *val);
};

/* Add /sys/umka/<name>. ops must stay valid for ever. -EEXIST if the
 * name is taken, -EINVAL for a bad name, -ENOMEM. */
int umkafs_register_kind(const char *name, const struct umkafs_kind_ops *ops);

#endif
