/* Flattened device tree reader: see fdt.h. Everything is read through
 * bounds-checked helpers; offsets are u32 inside the blob and all sums are
 * done in 64 bits so no addition can wrap. */
#include <umka/string.h>

#include "fdt.h"

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

#define HDR_SIZE 40	/* version 17 header; version 16 has the same fields */

u32 fdt_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

u64 fdt_be64(const void *p)
{
	return (u64)fdt_be32(p) << 32 | fdt_be32((const u8 *)p + 4);
}

static const u8 *sblock(const struct fdt *f)
{
	return f->blob + f->struct_off;
}

/* Length of the NUL-terminated string at p with at most max bytes
 * readable, or -1 when there is no NUL in them. */
static long bounded_strlen(const u8 *p, u64 max)
{
	for (u64 i = 0; i < max; i++)
		if (!p[i])
			return (long)i;
	return -1;
}

/* Decode the token at off of the structure block: its kind and where the
 * next token starts. Checks everything the token refers to. */
static int next_token(const struct fdt *f, u32 off, u32 *tok, u32 *next, const char **why)
{
	const u8 *s = sblock(f);
	u64 end;
	long n;

	if (off & 3) {
		*why = "structure block token not 4-byte aligned";
		return -1;
	}
	if ((u64)off + 4 > f->struct_size) {
		*why = "structure block ends without FDT_END";
		return -1;
	}
	*tok = fdt_be32(s + off);
	switch (*tok) {
	case FDT_BEGIN_NODE:
		n = bounded_strlen(s + off + 4, f->struct_size - (u64)off - 4);
		if (n < 0) {
			*why = "node name runs past the structure block";
			return -1;
		}
		end = (u64)off + 4 + (u64)n + 1;
		break;
	case FDT_PROP: {
		u32 len, nameoff;

		if ((u64)off + 12 > f->struct_size) {
			*why = "property header runs past the structure block";
			return -1;
		}
		len = fdt_be32(s + off + 4);
		nameoff = fdt_be32(s + off + 8);
		if (len > f->struct_size - ((u64)off + 12)) {
			*why = "property value runs past the structure block";
			return -1;
		}
		if (nameoff >= f->strings_size ||
		    bounded_strlen(f->blob + f->strings_off + nameoff,
				   f->strings_size - (u64)nameoff) < 0) {
			*why = "property name offset outside the strings block";
			return -1;
		}
		end = (u64)off + 12 + len;
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		end = (u64)off + 4;
		break;
	default:
		*why = "unknown token in the structure block";
		return -1;
	}
	end = (end + 3) & ~3ULL;
	if (end > f->struct_size && *tok != FDT_END) {
		*why = "structure block ends inside a token";
		return -1;
	}
	*next = (u32)MIN(end, (u64)f->struct_size);
	return 0;
}

int fdt_init(struct fdt *f, const void *blob, size_t avail)
{
	const u8 *b = blob;
	u32 total, version, last_comp, off, tok, next, depth = 0;
	bool root_done = false;
	const char *why;

	memset(f, 0, sizeof(*f));
	f->root = -1;
	f->blob = b;
	if (!b || avail < HDR_SIZE) {
		f->err = "blob shorter than the FDT header";
		return -1;
	}
	if (fdt_be32(b) != FDT_MAGIC) {
		f->err = "bad magic (not a device tree blob)";
		return -1;
	}
	total = fdt_be32(b + 4);
	version = fdt_be32(b + 20);
	last_comp = fdt_be32(b + 24);
	if (total < HDR_SIZE || total > avail) {
		f->err = "totalsize smaller than the header or larger than the blob";
		return -1;
	}
	if (version < 16 || last_comp > 17) {
		f->err = "unsupported version (need 16 or 17)";
		return -1;
	}
	f->size = total;
	f->struct_off = fdt_be32(b + 8);
	f->strings_off = fdt_be32(b + 12);
	f->rsvmap_off = fdt_be32(b + 16);
	f->strings_size = fdt_be32(b + 32);
	f->struct_size = fdt_be32(b + 36);
	if (f->struct_off < HDR_SIZE || (u64)f->struct_off + f->struct_size > total ||
	    (f->struct_off & 3)) {
		f->err = "structure block outside the blob or misaligned";
		return -1;
	}
	if (f->strings_off < HDR_SIZE || (u64)f->strings_off + f->strings_size > total) {
		f->err = "strings block outside the blob";
		return -1;
	}
	if (f->rsvmap_off < HDR_SIZE || (f->rsvmap_off & 7) || f->rsvmap_off > total) {
		f->err = "memory reservation map outside the blob or misaligned";
		return -1;
	}
	/* Reservation map: (address, size) pairs up to an all-zero one. */
	for (off = f->rsvmap_off;; off += 16) {
		if ((u64)off + 16 > total) {
			f->err = "memory reservation map has no terminator";
			return -1;
		}
		if (!fdt_be64(b + off) && !fdt_be64(b + off + 8))
			break;
		f->nr_rsv++;
	}

	/* One pass over the structure block: every token must decode, nodes
	 * must nest properly, exactly one root, FDT_END after it. */
	for (off = 0;; off = next) {
		if (next_token(f, off, &tok, &next, &why)) {
			f->err = why;
			return -1;
		}
		if (tok == FDT_END)
			break;
		if (tok == FDT_NOP)
			continue;
		if (root_done) {
			f->err = "tokens after the root node's end";
			return -1;
		}
		switch (tok) {
		case FDT_BEGIN_NODE:
			if (depth == 0) {
				if (sblock(f)[off + 4]) {
					f->err = "root node has a name";
					return -1;
				}
				f->root = (int)off;
			}
			if (++depth > FDT_MAX_DEPTH) {
				f->err = "nodes nested too deep";
				return -1;
			}
			break;
		case FDT_END_NODE:
			if (depth == 0) {
				f->err = "FDT_END_NODE without a node";
				return -1;
			}
			if (--depth == 0)
				root_done = true;
			break;
		case FDT_PROP:
			if (depth == 0) {
				f->err = "property outside any node";
				return -1;
			}
			break;
		}
	}
	if (!root_done) {
		f->err = depth ? "FDT_END inside an unfinished node" : "no root node";
		return -1;
	}
	return 0;
}

int fdt_root(const struct fdt *f)
{
	return f->root;
}

static bool is_node(const struct fdt *f, int node)
{
	return node >= 0 && (u64)node + 4 <= f->struct_size && !(node & 3) &&
	       fdt_be32(sblock(f) + node) == FDT_BEGIN_NODE;
}

const char *fdt_node_name(const struct fdt *f, int node)
{
	if (!is_node(f, node))
		return "";
	return (const char *)sblock(f) + node + 4;	/* NUL checked by fdt_init */
}

/* The first token after node's properties (and NOPs): a child's
 * FDT_BEGIN_NODE or the node's FDT_END_NODE. -1 on a broken blob. */
static int after_props(const struct fdt *f, int node)
{
	u32 off, tok, next;
	const char *why;

	if (!is_node(f, node) || next_token(f, (u32)node, &tok, &off, &why))
		return -1;
	for (;; off = next) {
		if (next_token(f, off, &tok, &next, &why))
			return -1;
		if (tok != FDT_PROP && tok != FDT_NOP)
			return (int)off;
	}
}

int fdt_first_child(const struct fdt *f, int node)
{
	int off = after_props(f, node);

	return off >= 0 && is_node(f, off) ? off : -1;
}

int fdt_next_sibling(const struct fdt *f, int node)
{
	u32 off, tok, next, depth = 0;
	const char *why;

	if (!is_node(f, node))
		return -1;
	/* Skip node's whole subtree, then any NOPs. */
	for (off = (u32)node;; off = next) {
		if (next_token(f, off, &tok, &next, &why) || tok == FDT_END)
			return -1;
		if (tok == FDT_BEGIN_NODE)
			depth++;
		else if (tok == FDT_END_NODE && --depth == 0)
			break;
	}
	for (off = next;; off = next) {
		if (next_token(f, off, &tok, &next, &why))
			return -1;
		if (tok == FDT_BEGIN_NODE)
			return (int)off;
		if (tok != FDT_NOP)
			return -1;
	}
}

int fdt_parent(const struct fdt *f, int node)
{
	int stack[FDT_MAX_DEPTH + 1];
	u32 off, tok, next, depth = 0;
	const char *why;

	if (f->root < 0)
		return -1;
	for (off = (u32)f->root;; off = next) {
		if (next_token(f, off, &tok, &next, &why) || tok == FDT_END)
			return -1;
		if (tok == FDT_BEGIN_NODE) {
			if ((int)off == node)
				return depth ? stack[depth - 1] : -1;
			if (depth > FDT_MAX_DEPTH)
				return -1;
			stack[depth++] = (int)off;
		} else if (tok == FDT_END_NODE) {
			if (depth == 0 || --depth == 0)
				return -1;
		}
	}
}

static bool has_unit_address(const char *comp, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (comp[i] == '@')
			return true;
	return false;
}

/* Does node name match path component comp[0..len)? "memory" matches
 * "memory@40000000"; "memory@0" matches only itself. */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	if (strncmp(name, comp, len))
		return false;
	if (!name[len])
		return true;
	return name[len] == '@' && !has_unit_address(comp, len);
}

const void *fdt_getprop(const struct fdt *f, int node, const char *name, u32 *len)
{
	u32 off, tok, next;
	const char *why;

	if (!is_node(f, node) || next_token(f, (u32)node, &tok, &off, &why))
		return NULL;
	for (;; off = next) {
		if (next_token(f, off, &tok, &next, &why))
			return NULL;
		if (tok == FDT_NOP)
			continue;
		if (tok != FDT_PROP)
			return NULL;
		if (!strcmp((const char *)f->blob + f->strings_off + fdt_be32(sblock(f) + off + 8),
			    name)) {
			if (len)
				*len = fdt_be32(sblock(f) + off + 4);
			return sblock(f) + off + 12;
		}
	}
}

const char *fdt_getprop_str(const struct fdt *f, int node, const char *name)
{
	u32 len;
	const char *v = fdt_getprop(f, node, name, &len);

	if (!v || !len || v[len - 1] || bounded_strlen((const u8 *)v, len) != (long)len - 1)
		return NULL;
	return v;
}

bool fdt_prop_has_string(const struct fdt *f, int node, const char *name, const char *str)
{
	u32 len, pos = 0;
	const char *v = fdt_getprop(f, node, name, &len);

	if (!v)
		return false;
	while (pos < len) {
		long n = bounded_strlen((const u8 *)v + pos, len - pos);

		if (n < 0)
			return false;	/* last string not terminated */
		if (!strcmp(v + pos, str))
			return true;
		pos += (u32)n + 1;
	}
	return false;
}

u32 fdt_getprop_u32(const struct fdt *f, int node, const char *name, u32 dflt)
{
	u32 len;
	const void *v = fdt_getprop(f, node, name, &len);

	return v && len == 4 ? fdt_be32(v) : dflt;
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = f->root;

	if (!path || path[0] != '/')
		return -1;
	while (node >= 0) {
		const char *comp, *end;
		int child;

		while (*path == '/')
			path++;
		if (!*path)
			return node;
		comp = path;
		for (end = comp; *end && *end != '/'; end++)
			;
		for (child = fdt_first_child(f, node); child >= 0;
		     child = fdt_next_sibling(f, child))
			if (name_matches(fdt_node_name(f, child), comp, (size_t)(end - comp)))
				break;
		node = child;
		path = end;
	}
	return -1;
}

int fdt_find_compatible(const struct fdt *f, int after, const char *compat)
{
	u32 off, tok, next;
	const char *why;

	if (f->root < 0)
		return -1;
	off = (u32)f->root;
	if (after >= 0) {
		if (!is_node(f, after) || next_token(f, (u32)after, &tok, &off, &why))
			return -1;
	}
	for (;; off = next) {
		if (next_token(f, off, &tok, &next, &why) || tok == FDT_END)
			return -1;
		if (tok == FDT_BEGIN_NODE && fdt_prop_has_string(f, (int)off, "compatible", compat))
			return (int)off;
	}
}

int fdt_reg(struct fdt *f, int node, unsigned index, u64 *base, u64 *size)
{
	int parent = fdt_parent(f, node);
	u32 ac = 2, sc = 1, len, entry;
	const u8 *v;

	if (parent >= 0) {
		ac = fdt_getprop_u32(f, parent, "#address-cells", 2);
		sc = fdt_getprop_u32(f, parent, "#size-cells", 1);
	}
	if (ac < 1 || ac > 2 || sc > 2) {
		f->err = "#address-cells must be 1 or 2 and #size-cells 0 to 2";
		return -1;
	}
	v = fdt_getprop(f, node, "reg", &len);
	if (!v)
		return 0;
	entry = (ac + sc) * 4;
	if (len % entry) {
		f->err = "reg length is not a whole number of (address, size) pairs";
		return -1;
	}
	if ((u64)index * entry >= len)
		return 0;
	v += (u64)index * entry;
	*base = ac == 2 ? fdt_be64(v) : fdt_be32(v);
	v += ac * 4;
	*size = sc == 2 ? fdt_be64(v) : sc == 1 ? fdt_be32(v) : 0;
	return 1;
}

int fdt_rsv(const struct fdt *f, unsigned index, u64 *base, u64 *size)
{
	const u8 *e;

	if (index >= f->nr_rsv)
		return 0;
	e = f->blob + f->rsvmap_off + (u64)index * 16;	/* checked by fdt_init */
	*base = fdt_be64(e);
	*size = fdt_be64(e + 8);
	return 1;
}

int fdt_find_device(const struct fdt *f, const char *const *compats)
{
	for (; *compats; compats++)
		for (int n = fdt_find_compatible(f, -1, *compats); n >= 0;
		     n = fdt_find_compatible(f, n, *compats)) {
			const char *status = fdt_getprop_str(f, n, "status");

			if (!status || !strcmp(status, "okay") || !strcmp(status, "ok"))
				return n;
		}
	return -1;
}
