/* The device-tree half of the boot memory map (see bootmem.h), for the
 * ports that boot with a device tree. */
#include <umka/string.h>

#include "bootmem.h"
#include "fdt.h"

/* Every (base, size) pair of node's reg as a region of the given type. */
static void add_reg_regions(const struct bootmem_ops *ops, struct boot_info *bi,
			    struct fdt *fdt, int node, enum mem_type type, const char *what)
{
	u64 base, size;
	int r;

	for (unsigned i = 0; (r = fdt_reg(fdt, node, i, &base, &size)) > 0; i++) {
		if (base + size < base)
			ops->fail(what, "reg range wraps around");
		bootmem_add(ops, bi, base, size, type);
	}
	if (r < 0)
		ops->fail(what, fdt->err);
}

u64 bootmem_from_fdt(const struct bootmem_ops *ops, struct boot_info *bi, struct fdt *fdt,
		     u64 limit)
{
	u64 top = 0, base, size;
	int node, rsv;

	for (unsigned i = 0; fdt_rsv(fdt, i, &base, &size) > 0; i++)
		bootmem_add(ops, bi, base, size, MEM_RESERVED);
	rsv = fdt_path(fdt, "/reserved-memory");
	for (node = rsv >= 0 ? fdt_first_child(fdt, rsv) : -1; node >= 0;
	     node = fdt_next_sibling(fdt, node))
		add_reg_regions(ops, bi, fdt, node, MEM_RESERVED, "device tree /reserved-memory");

	for (node = fdt_first_child(fdt, fdt_root(fdt)); node >= 0;
	     node = fdt_next_sibling(fdt, node)) {
		const char *type = fdt_getprop_str(fdt, node, "device_type");
		unsigned first = bi->nr_mem;

		if (!type || strcmp(type, "memory"))
			continue;
		add_reg_regions(ops, bi, fdt, node, MEM_USABLE, "device tree /memory");
		for (unsigned i = first; i < bi->nr_mem; i++) {
			struct mem_region *r = &bi->mem[i];

			if (r->base >= limit) {
				r->size = 0;
				continue;
			}
			if (r->size > limit - r->base)
				r->size = limit - r->base;
			top = MAX(top, r->base + r->size);
		}
	}
	if (!top)
		ops->fail("device tree", "no RAM: no /memory node with a usable reg");
	return top;
}
