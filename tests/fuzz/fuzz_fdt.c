/* Fuzz the flattened device tree reader (src/arch-hw/common/fdt.c): any
 * bytes must be accepted or refused with a reason, never read outside the
 * buffer; on an accepted blob every lookup the ports make must stay in
 * bounds and agree with the tree's structure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/arch-hw/common/fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

static void touch(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		sink += b[i];
}

static void visit(struct fdt *f, int node, unsigned depth, unsigned *budget)
{
	u64 base, size;
	u32 len;
	const void *v;

	if (depth > FDT_MAX_DEPTH || !*budget)
		abort();	/* fdt_init bounds the depth; children must end */
	(*budget)--;
	touch(fdt_node_name(f, node), strlen(fdt_node_name(f, node)));
	if ((v = fdt_getprop(f, node, "compatible", &len)))
		touch(v, len);
	if ((v = fdt_getprop_str(f, node, "device_type")))
		touch(v, strlen(v));
	for (unsigned i = 0; i < 64 && fdt_reg(f, node, i, &base, &size) > 0; i++)
		sink += (unsigned)(base + size);
	if ((v = fdt_getprop(f, node, "interrupts", &len)))
		touch(v, len);
	for (int c = fdt_first_child(f, node); c >= 0 && *budget; c = fdt_next_sibling(f, c)) {
		if (fdt_parent(f, c) != node)
			abort();
		visit(f, c, depth + 1, budget);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so reads past the end hit ASan's redzone. */
	uint8_t *copy = malloc(size ? size : 1);
	static const char *const compats[] = {
		"arm,pl011", "arm,cortex-a15-gic", "arm,gic-400", "arm,gic-v3",
		"arm,armv8-timer", "arm,psci-0.2", "riscv,plic0", NULL,
	};
	unsigned budget = 100000;
	struct fdt f;
	u64 base, sz;
	int n;

	memcpy(copy, data, size);
	if (fdt_init(&f, copy, size) == 0) {
		if (f.err || fdt_root(&f) < 0)
			abort();
		visit(&f, fdt_root(&f), 0, &budget);
		for (unsigned i = 0; fdt_rsv(&f, i, &base, &sz) > 0; i++)
			sink += (unsigned)(base + sz);
		n = fdt_path(&f, "/chosen");
		if (n >= 0) {
			const char *s = fdt_getprop_str(&f, n, "bootargs");

			if (s)
				touch(s, strlen(s));
			sink += fdt_getprop_u32(&f, n, "linux,initrd-start", 0);
		}
		n = fdt_path(&f, "/memory");
		if (n >= 0 && fdt_reg(&f, n, 0, &base, &sz) < 0 && !f.err)
			abort();
		for (size_t c = 0; compats[c]; c++)
			for (n = fdt_find_compatible(&f, -1, compats[c]); n >= 0;
			     n = fdt_find_compatible(&f, n, compats[c]))
				if (!fdt_prop_has_string(&f, n, "compatible", compats[c]))
					abort();
		n = fdt_find_device(&f, compats);
		if (n >= 0) {
			const char *st = fdt_getprop_str(&f, n, "status");

			if (st && strcmp(st, "okay") && strcmp(st, "ok"))
				abort();	/* a disabled device was offered */
		}
		sink += fdt_path(&f, "/cpus/cpu@0") >= 0;
		sink += fdt_path(&f, "/psci/") >= 0;
	} else if (!f.err) {
		abort();	/* a refusal must say why */
	}
	free(copy);
	return 0;
}
