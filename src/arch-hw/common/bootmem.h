/* The memory map a hardware port builds for the core (struct boot_info):
 * regions from firmware tables, and the device-tree reading shared by the
 * ports that boot with one. Runs before the core, with an early console. */
#ifndef ARCH_HW_BOOTMEM_H
#define ARCH_HW_BOOTMEM_H

#include <umka/arch.h>

struct fdt;

struct bootmem_ops {
	void (*puts)(const char *s);	/* early console */
	/* Stop booting: "umka: cannot boot: what: why". */
	__noreturn void (*fail)(const char *what, const char *why);
};

/* "umka: cannot boot: what: why" (without "what: " when what is NULL) on
 * the early console, then halt with HALT_PANIC. */
__noreturn void bootmem_cannot_boot(void (*puts)(const char *s), const char *what,
				    const char *why);

/* Append a region; zero sizes are ignored. Once BOOT_MEM_MAX regions are
 * in, later ones are dropped with a console warning. */
void bootmem_add(const struct bootmem_ops *ops, struct boot_info *bi, u64 base, u64 size,
		 enum mem_type type);

/* Does any usable region overlap [base, end)? */
bool bootmem_is_ram(const struct boot_info *bi, u64 base, u64 end);

/* From the device tree: the blob's /memreserve/ entries and /reserved-memory
 * children as reserved, then RAM from every device_type = "memory" node,
 * cut at limit. Returns the top of RAM; fails on a malformed reg or when
 * there is no RAM at all. */
u64 bootmem_from_fdt(const struct bootmem_ops *ops, struct boot_info *bi, struct fdt *fdt,
		     u64 limit);

/* /chosen: bootargs into cmdline[size] (truncated with a warning), and
 * the initrd from linux,initrd-start/end, which must lie in RAM below
 * map_end; it is recorded in bi and reserved. */
void bootmem_fdt_chosen(const struct bootmem_ops *ops, struct boot_info *bi, struct fdt *fdt,
			char *cmdline, size_t size, u64 map_end);

/* The reg (RISC-V hart id, AArch64 MPIDR affinity) of every /cpus child
 * with device_type "cpu" whose status is okay (or absent), in tree order,
 * into ids[0..max); returns how many there are, which may exceed max. */
unsigned bootmem_fdt_cpus(struct fdt *fdt, u64 *ids, unsigned max);

#endif
