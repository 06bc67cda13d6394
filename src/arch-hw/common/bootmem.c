/* Boot memory map building shared by the hardware ports (see bootmem.h).
 * The core's buddy allocator sanitises the result (sorting, overlaps,
 * reserved-wins), so this only has to record what the firmware said. */
#include <umka/string.h>

#include "bootmem.h"

void bootmem_cannot_boot(void (*puts)(const char *s), const char *what, const char *why)
{
	puts("umka: cannot boot: ");
	if (what) {
		puts(what);
		puts(": ");
	}
	puts(why);
	puts("\n");
	arch_halt(HALT_PANIC);
}

void bootmem_add(const struct bootmem_ops *ops, struct boot_info *bi, u64 base, u64 size,
		 enum mem_type type)
{
	if (!size)
		return;
	if (bi->nr_mem == BOOT_MEM_MAX) {
		ops->puts("umka: memory map too long: later regions ignored\n");
		return;
	}
	bi->mem[bi->nr_mem++] = (struct mem_region){ .base = base, .size = size, .type = type };
}

bool bootmem_is_ram(const struct boot_info *bi, u64 base, u64 end)
{
	for (unsigned i = 0; i < bi->nr_mem; i++) {
		const struct mem_region *r = &bi->mem[i];

		if (r->type == MEM_USABLE && r->base < end && base < r->base + r->size)
			return true;
	}
	return false;
}
