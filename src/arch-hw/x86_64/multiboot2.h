/* Multiboot2 boot information parser (multiboot2.c). Only setup.c uses it. */
#ifndef X86_MULTIBOOT2_H
#define X86_MULTIBOOT2_H

#include <umka/types.h>

#define MB2_MMAP_ENTRY_MIN 24	/* u64 base_addr, u64 length, u32 type, u32 reserved */
#define MB2_MMAP_RAM 1		/* available RAM; every other type is reserved */

struct mb2_boot {
	const char *cmdline;	/* the command line tag's string, NULL without one */
	u32 cmdline_len;	/* bytes available at cmdline (NUL not guaranteed) */
	const u8 *mmap;		/* the memory map tag's first entry (never NULL on success) */
	u32 mmap_entry_size;	/* >= 24, a multiple of 8 */
	u32 mmap_entries;
	u32 nr_modules;		/* module tags seen */
	u32 mod_start, mod_end;	/* the first module (the initrd): [start, end) */
	const void *rsdp;	/* the ACPI RSDP copy (tag 15, else 14), or NULL */
	u32 rsdp_len;		/* its bytes: 36 (tag 15) or 20 (tag 14) */
};

/* Check and index the boot information at info (len bytes readable from
 * there, at least the structure's total_size). NULL on success, else a
 * fixed string naming the defect. A missing memory map is a defect. */
const char *mb2_parse(const void *info, u32 len, struct mb2_boot *out);

/* Memory map entry i (< mmap_entries) of a parsed boot information. */
void mb2_mmap_entry(const struct mb2_boot *mb, u32 i, u64 *base, u64 *size, u32 *type);

#endif
