/* x86-64 boot, C half: read the PVH start info (memory map, command line),
 * build the direct map of physical memory, then hand struct boot_info to
 * kernel_main. Runs on the boot stack with interrupts off; boot.S mapped the
 * first GiB three ways (identity, direct map, kernel image). */
#include <umka/arch.h>
#include <umka/cmdline.h>
#include <umka/string.h>

#include "x86.h"

/* PVH boot ABI (Xen's public arch-x86/hvm/start_info.h, version 1). */
#define HVM_START_MAGIC 0x336ec578
struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr;	/* version >= 1 */
	u32 memmap_entries;
	u32 reserved;
};
struct hvm_memmap_entry {
	u64 addr;
	u64 size;
	u32 type;		/* E820: 1 RAM, others not for us */
	u32 reserved;
};
#define E820_RAM 1

#define GiB1 (1ULL << 30)
#define MiB2 (1ULL << 21)
#define EARLY_LIMIT GiB1	/* what boot.S's direct map reaches */

static struct boot_info bi;
static char cmdline[CMDLINE_MAX];
static u64 direct_pdpt[512] __aligned(4096);
static u64 direct_pd[DIRECT_MAP_MAX_GIB][512] __aligned(4096);
static u64 direct_map_end;	/* bytes of physical space mapped */

static __noreturn void boot_fail(const char *why)
{
	x86_early_puts("umka: cannot boot: ");
	x86_early_puts(why);
	x86_early_puts("\n");
	arch_halt(HALT_PANIC);
}

static void *early_phys(u64 pa, u64 len)
{
	if (pa >= EARLY_LIMIT || len > EARLY_LIMIT - pa)
		boot_fail("PVH boot data above the first GiB");
	return (void *)(uintptr_t)(DIRECT_MAP + pa);
}

static void add_region(u64 base, u64 size, enum mem_type type)
{
	if (!size)
		return;
	if (bi.nr_mem == BOOT_MEM_MAX) {
		x86_early_puts("umka: memory map too long: later regions ignored\n");
		return;
	}
	bi.mem[bi.nr_mem++] = (struct mem_region){ .base = base, .size = size, .type = type };
}

/* Memory map: the kernel image first (so it survives truncation), then
 * firmware's map. RAM beyond what the direct map can cover is cut off. */
static u64 read_memory_map(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e;
	u64 top = 0, limit = (u64)DIRECT_MAP_MAX_GIB * GiB1;
	bool cut = false;

	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		boot_fail("the PVH start info has no memory map (need version 1)");
	add_region(PA(_kernel_start), (u64)(_kernel_end - _kernel_start), MEM_RESERVED);
	e = early_phys(si->memmap_paddr, (u64)si->memmap_entries * sizeof(*e));
	for (u32 i = 0; i < si->memmap_entries; i++) {
		u64 base = e[i].addr, size = e[i].size;

		if (e[i].type != E820_RAM) {
			add_region(base, size, MEM_RESERVED);
			continue;
		}
		if (base >= limit) {
			cut = true;
			continue;
		}
		if (size > limit - base) {
			size = limit - base;
			cut = true;
		}
		add_region(base, size, MEM_USABLE);
		if (base + size > top)
			top = base + size;
	}
	if (cut)
		x86_early_puts("umka: RAM above 64 GiB ignored (direct map limit)\n");
	if (!top)
		boot_fail("no RAM in the PVH memory map");
	return top;
}

static bool range_is_ram(u64 base, u64 end)
{
	for (unsigned i = 0; i < bi.nr_mem; i++) {
		const struct mem_region *r = &bi.mem[i];

		if (r->type == MEM_USABLE && r->base < end && base < r->base + r->size)
			return true;
	}
	return false;
}

/* Direct map with 2 MiB pages over [0, max(4 GiB, top of RAM)): the first
 * 4 GiB always, for the LAPIC and other MMIO below 4 GiB. Pages without RAM
 * are uncached. Then drop the identity map: NULL and low addresses fault. */
static void build_direct_map(u64 ram_top)
{
	u64 end = ALIGN_UP(MAX(ram_top, 4 * GiB1), GiB1);

	if (end > (u64)DIRECT_MAP_MAX_GIB * GiB1)
		end = (u64)DIRECT_MAP_MAX_GIB * GiB1;
	for (u64 gib = 0; gib < end / GiB1; gib++) {
		for (u64 i = 0; i < 512; i++) {
			u64 pa = gib * GiB1 + i * MiB2;
			u64 flags = PTE_P | PTE_W | PTE_PS | PTE_G;

			if (!range_is_ram(pa, pa + MiB2))
				flags |= PTE_PCD | PTE_PWT;
			direct_pd[gib][i] = pa | flags;
		}
		direct_pdpt[gib] = PA(direct_pd[gib]) | PTE_P | PTE_W;
	}
	direct_map_end = end;
	boot_pml4[256] = PA(direct_pdpt) | PTE_P | PTE_W;
	boot_pml4[0] = 0;
	write_cr3(PA(boot_pml4));
}

bool x86_addr_mapped(uintptr_t va, size_t len)
{
	uintptr_t img = (uintptr_t)_kernel_start, img_end = (uintptr_t)_kernel_end;

	if (va + len < va)
		return false;
	if (va >= img && va + len <= img_end)
		return true;
	return va >= DIRECT_MAP && va + len <= DIRECT_MAP + direct_map_end;
}

void x86_boot_main(u32 start_info_pa)
{
	const struct hvm_start_info *si;
	u64 ram_top;

	x86_serial_init();
	x86_cpu_init();
	si = early_phys(start_info_pa, sizeof(*si));
	if (si->magic != HVM_START_MAGIC)
		boot_fail("not started by a PVH loader (bad hvm_start_info magic)");
	ram_top = read_memory_map(si);
	build_direct_map(ram_top);

	if (si->cmdline_paddr) {
		const char *src = (const char *)(uintptr_t)(DIRECT_MAP + si->cmdline_paddr);
		size_t n = 0;

		if (!x86_addr_mapped((uintptr_t)src, 1))
			boot_fail("command line outside the direct map");
		while (n < sizeof(cmdline) - 1 && x86_addr_mapped((uintptr_t)src + n, 1) && src[n])
			n++;
		memcpy(cmdline, src, n);
		cmdline[n] = 0;
	}
	bi.cmdline = cmdline;
	bi.direct_map = DIRECT_MAP;
	bi.nr_cpus = 1;
	bi.machine = "x86-64 QEMU";

	x86_time_init();
	kernel_main(&bi);
}
