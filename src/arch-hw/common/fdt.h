/* A small reader for flattened device trees (the DTB format of the
 * Devicetree Specification, versions 16 and 17), shared by the AArch64 and
 * RISC-V ports and built on the host for its fuzz harness.
 *
 * The blob is input from the boot loader: fdt_init checks the header and
 * walks the whole structure block once (every token, name, property length
 * and string offset in bounds, nodes balanced, FDT_END last), so a malformed
 * blob is refused up front with a message naming what was wrong. The
 * lookups after it still check every bound, since they must never read
 * outside the blob whatever it contains.
 *
 * A node is named by the offset of its FDT_BEGIN_NODE token inside the
 * structure block (an int >= 0); -1 means "none". */
#ifndef UMKA_FDT_H
#define UMKA_FDT_H

#include <umka/types.h>

#define FDT_MAGIC 0xd00dfeed
#define FDT_MAX_DEPTH 32	/* deeper trees are refused */

struct fdt {
	const u8 *blob;
	u32 size;		/* totalsize from the header */
	u32 struct_off, struct_size;
	u32 strings_off, strings_size;
	u32 rsvmap_off;
	u32 nr_rsv;		/* memory reservation entries before the terminator */
	int root;		/* the root node (after any leading FDT_NOPs) */
	const char *err;	/* why the last call failed (static text) */
};

/* Check the header and the whole structure block of blob, of which at most
 * avail bytes are readable. Returns 0 or -1 with f->err set. */
int fdt_init(struct fdt *f, const void *blob, size_t avail);

/* Big-endian cell access, unaligned-safe. */
u32 fdt_be32(const void *p);
u64 fdt_be64(const void *p);

/* The root node. */
int fdt_root(const struct fdt *f);

/* The node's name ("" for the root, "memory@40000000" ...). */
const char *fdt_node_name(const struct fdt *f, int node);

/* The first child of node, or the next sibling of node; -1 when none. */
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);

/* The parent of node (-1 for the root). O(size of the tree). */
int fdt_parent(const struct fdt *f, int node);

/* Look a node up by absolute path ("/chosen", "/cpus/cpu@0"). A component
 * without a unit address also matches a name with one ("memory" matches
 * "memory@40000000"), the first such child winning. */
int fdt_path(const struct fdt *f, const char *path);

/* The next node after `after` (-1: from the start) in document order whose
 * "compatible" string list contains compat; -1 when none. */
int fdt_find_compatible(const struct fdt *f, int after, const char *compat);

/* The first node compatible with any of compats[] (NULL-terminated, in
 * order of preference) whose status is not "disabled"; -1 if none. */
int fdt_find_device(const struct fdt *f, const char *const *compats);

/* Property value of node, or NULL (missing). *len gets its length. */
const void *fdt_getprop(const struct fdt *f, int node, const char *name, u32 *len);

/* A property that must be one NUL-terminated string; NULL otherwise. */
const char *fdt_getprop_str(const struct fdt *f, int node, const char *name);

/* Does the string-list property name of node contain str? */
bool fdt_prop_has_string(const struct fdt *f, int node, const char *name, const char *str);

/* A one-cell (u32) property, or dflt when missing or not 4 bytes. */
u32 fdt_getprop_u32(const struct fdt *f, int node, const char *name, u32 dflt);

/* The index'th (base, size) pair of node's "reg", decoded with its parent's
 * #address-cells and #size-cells (default 2 and 1; each must be 1 or 2, or
 * size 0). Returns 1 when found, 0 past the last pair, -1 with f->err set
 * when reg is malformed. */
int fdt_reg(struct fdt *f, int node, unsigned index, u64 *base, u64 *size);

/* The index'th /memreserve/ entry of the header's reservation map: 1 when
 * found, 0 past the end. */
int fdt_rsv(const struct fdt *f, unsigned index, u64 *base, u64 *size);

#endif
