/* The device-tree half of the boot memory map (see bootmem.h), for the
 * ports that boot with a device tree, and the CPUs the tree lists. */
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

static u64 chosen_addr(const struct bootmem_ops *ops, struct fdt *fdt, int chosen,
		       const char *name, bool *found)
{
	u32 len;
	const void *v = fdt_getprop(fdt, chosen, name, &len);

	*found = v && (len == 4 || len == 8);
	if (v && !*found)
		ops->fail("device tree /chosen", "initrd address is neither 4 nor 8 bytes");
	return !*found ? 0 : len == 4 ? fdt_be32(v) : fdt_be64(v);
}

void bootmem_fdt_chosen(const struct bootmem_ops *ops, struct boot_info *bi, struct fdt *fdt,
			char *cmdline, size_t size, u64 map_end)
{
	int chosen = fdt_path(fdt, "/chosen");
	const char *args;
	bool has_start, has_end;
	u64 start, end;

	if (chosen < 0)
		return;
	args = fdt_getprop_str(fdt, chosen, "bootargs");
	if (args) {
		size_t n = strlen(args);

		if (n >= size) {
			ops->puts("umka: command line too long: truncated\n");
			n = size - 1;
		}
		memcpy(cmdline, args, n);
		cmdline[n] = 0;
	}
	start = chosen_addr(ops, fdt, chosen, "linux,initrd-start", &has_start);
	end = chosen_addr(ops, fdt, chosen, "linux,initrd-end", &has_end);
	if (has_start != has_end || (has_start && end < start))
		ops->fail("device tree /chosen", "linux,initrd-start/end inconsistent");
	if (has_start && end > start) {
		if (!bootmem_is_ram(bi, start, end) || end > map_end)
			ops->fail("device tree /chosen", "initrd outside RAM");
		bi->initrd_base = start;
		bi->initrd_size = end - start;
		bootmem_add(ops, bi, start, end - start, MEM_RESERVED);
	}
}

unsigned bootmem_fdt_cpus(struct fdt *fdt, u64 *ids, unsigned max)
{
	int cpus = fdt_path(fdt, "/cpus");
	unsigned n = 0;

	for (int c = cpus >= 0 ? fdt_first_child(fdt, cpus) : -1; c >= 0;
	     c = fdt_next_sibling(fdt, c)) {
		const char *type = fdt_getprop_str(fdt, c, "device_type");
		const char *status = fdt_getprop_str(fdt, c, "status");
		u32 len;
		const void *reg = fdt_getprop(fdt, c, "reg", &len);

		if (!type || strcmp(type, "cpu") || !reg || len < 4)
			continue;
		if (status && strcmp(status, "okay") && strcmp(status, "ok"))
			continue;
		if (n < max)
			ids[n] = len >= 8 ? fdt_be64(reg) : fdt_be32(reg);
		n++;
	}
	return n;
}
