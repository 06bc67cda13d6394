/* x86-64 boot, C half: read the boot data (the PVH start info or the
 * multiboot2 boot information: memory map, command line, initrd), build the
 * direct map of physical memory, then hand struct boot_info to kernel_main.
 * Runs on the boot stack with interrupts off; boot.S mapped the first 4 GiB
 * as identity and direct map, and the kernel image. */
#include <umka/arch.h>
#include <umka/cmdline.h>
#include <umka/string.h>

#include "../common/bootmem.h"
#include "multiboot2.h"
#include "x86.h"

/* PVH boot ABI (Xen's public arch-x86/hvm/start_info.h, version 1). */
#define HVM_START_MAGIC BOOT_PROTO_PVH
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
#define EARLY_LIMIT ((u64)EARLY_MAP_GIB * GiB1)	/* what boot.S's direct map reaches */

static struct boot_info bi;
static char cmdline[CMDLINE_MAX];
static u64 direct_pdpt[512] __aligned(4096);
static u64 direct_pd[DIRECT_MAP_MAX_GIB][512] __aligned(4096);
static u64 direct_map_end;	/* bytes of physical space mapped */
/* The image at KERNEL_VMA in 4 KiB pages: one page table per 2 MiB. */
#define IMAGE_PT_MAX 8
static u64 image_pd[512] __aligned(4096);
static u64 image_pt[IMAGE_PT_MAX][512] __aligned(4096);
static u64 rsdp_pa;		/* PVH: the ACPI RSDP's address, 0 if not given */
static const void *rsdp_copy;	/* multiboot2: its copy of the RSDP */

static __noreturn void boot_fail(const char *why)
{
	bootmem_cannot_boot(x86_early_puts, NULL, why);
}

static void *early_phys(u64 pa, u64 len, const char *what_fails)
{
	if (pa >= EARLY_LIMIT || len > EARLY_LIMIT - pa)
		boot_fail(what_fails);
	return (void *)(uintptr_t)(DIRECT_MAP + pa);
}

static __noreturn void early_fail(const char *what, const char *why)
{
	bootmem_cannot_boot(x86_early_puts, what, why);
}

static const struct bootmem_ops bootmem = { x86_early_puts, early_fail };

static void add_region(u64 base, u64 size, enum mem_type type)
{
	bootmem_add(&bootmem, &bi, base, size, type);
}

/* The firmware's map, one entry at a time, as it comes (holes, overlaps and
 * tiny regions are the buddy allocator's to sanitise). RAM beyond what the
 * direct map can cover is cut off. */
struct fw_map {
	u64 top;	/* end of the highest RAM seen */
	bool cut;
};

static void add_fw_region(struct fw_map *m, u64 base, u64 size, bool ram)
{
	u64 limit = (u64)DIRECT_MAP_MAX_GIB * GiB1;

	if (!ram) {
		add_region(base, size, MEM_RESERVED);
		return;
	}
	if (base >= limit) {
		m->cut = true;
		return;
	}
	if (size > limit - base) {
		size = limit - base;
		m->cut = true;
	}
	add_region(base, size, MEM_USABLE);
	if (size && base + size > m->top)
		m->top = base + size;
}

static u64 fw_map_done(const struct fw_map *m, const char *no_ram)
{
	if (m->cut)
		x86_early_puts("umka: RAM above 64 GiB ignored (direct map limit)\n");
	if (!m->top)
		boot_fail(no_ram);
	return m->top;
}

/* Memory map: the kernel image first (so it survives truncation), then
 * firmware's map. */
static u64 read_memory_map(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e;
	struct fw_map m = { 0 };

	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		boot_fail("the PVH start info has no memory map (need version 1)");
	add_region(PA(_kernel_start), (u64)(_kernel_end - _kernel_start), MEM_RESERVED);
	e = early_phys(si->memmap_paddr, (u64)si->memmap_entries * sizeof(*e),
		       "PVH boot data above the first 4 GiB");
	for (u32 i = 0; i < si->memmap_entries; i++)
		add_fw_region(&m, e[i].addr, e[i].size, e[i].type == E820_RAM);
	return fw_map_done(&m, "no RAM in the PVH memory map");
}

/* Direct map with 2 MiB pages over [0, max(4 GiB, top of RAM)): the first
 * 4 GiB always, for the LAPIC and other MMIO below 4 GiB. Pages without RAM
 * are uncached; none is executable (nothing runs from the direct map: the
 * APs' trampoline runs at its identity address, through smp.c's tables).
 * Then drop the identity map: NULL and low addresses fault. */
static void build_direct_map(u64 ram_top)
{
	u64 end = ALIGN_UP(MAX(ram_top, 4 * GiB1), GiB1);

	if (end > (u64)DIRECT_MAP_MAX_GIB * GiB1)
		end = (u64)DIRECT_MAP_MAX_GIB * GiB1;
	for (u64 gib = 0; gib < end / GiB1; gib++) {
		for (u64 i = 0; i < 512; i++) {
			u64 pa = gib * GiB1 + i * MiB2;
			u64 flags = PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;

			if (!bootmem_is_ram(&bi, pa, pa + MiB2))
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

/* What one page of the image may do: text read + execute, read-only data
 * (.rodata, the ktest suites, the symbol table) read only, .data and .bss
 * read + write. Never both write and execute. */
static u64 image_page_flags(uintptr_t va)
{
	if (va < (uintptr_t)_etext)
		return PTE_P | PTE_G;
	if (va < (uintptr_t)_erodata)
		return PTE_P | PTE_G | PTE_NX;
	return PTE_P | PTE_W | PTE_G | PTE_NX;
}

/* Replace boot.S's 2 MiB read-write-execute window over the image's GiB
 * with 4 KiB pages over the image alone, each with its section's rights
 * (CR0.WP, set by long_mode_on, makes read-only pages binding in ring 0
 * too).
 * boot_pd itself stays as it is: smp.c's trampoline tables still use its
 * identity half for the APs' first instructions. */
static void map_image_strict(void)
{
	u64 first = PA(_kernel_start) / MiB2;
	u64 last = ALIGN_UP(PA(_kernel_end), MiB2) / MiB2;

	if (last - first > IMAGE_PT_MAX)
		boot_fail("kernel image larger than its page tables (16 MiB)");
	for (u64 i = first; i < last; i++) {
		u64 *pt = image_pt[i - first];

		for (u64 j = 0; j < 512; j++) {
			u64 pa = i * MiB2 + j * 4096;
			uintptr_t va = (uintptr_t)(KERNEL_VMA + pa);

			if (va >= (uintptr_t)_kernel_start && va < (uintptr_t)_kernel_end)
				pt[j] = pa | image_page_flags(va);
		}
		image_pd[i] = PA(pt) | PTE_P | PTE_W;
	}
	boot_pdpt_high[510] = PA(image_pd) | PTE_P | PTE_W;
	write_cr3(PA(boot_pml4));	/* the old entries were not global */
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

static void copy_cmdline(const char *src, size_t max)
{
	size_t n = 0;

	while (n < max && n < sizeof(cmdline) - 1 && src[n])
		n++;
	if (n == sizeof(cmdline) - 1 && n < max && src[n])
		x86_early_puts("umka: command line too long: truncated\n");
	memcpy(cmdline, src, n);
	cmdline[n] = 0;
}

/* PVH: QEMU -kernel (SeaBIOS's pvh.bin or QEMU's own PVH setup). */
static void boot_pvh(u32 start_info_pa)
{
	const struct hvm_start_info *si;
	u64 ram_top;

	si = early_phys(start_info_pa, sizeof(*si), "PVH boot data above the first 4 GiB");
	if (si->magic != HVM_START_MAGIC)
		boot_fail("not started by a PVH loader (bad hvm_start_info magic)");
	ram_top = read_memory_map(si);
	build_direct_map(ram_top);
	rsdp_pa = si->rsdp_paddr;

	if (si->cmdline_paddr) {
		const char *src = (const char *)(uintptr_t)(DIRECT_MAP + si->cmdline_paddr);
		size_t max = 0;

		if (!x86_addr_mapped((uintptr_t)src, 1))
			boot_fail("command line outside the direct map");
		while (max < sizeof(cmdline) && x86_addr_mapped((uintptr_t)src + max, 1))
			max++;
		copy_cmdline(src, max);
	}
	bi.machine = "x86-64 QEMU";
}

/* Multiboot2: GRUB (the ISO) or any other multiboot2 loader. Everything it
 * hands over lies below 4 GiB, inside boot.S's early map and the final
 * direct map alike. */
static void boot_multiboot2(u32 info_pa)
{
	const u32 *hdr;
	struct mb2_boot mb;
	struct fw_map m = { 0 };
	const char *err;
	u64 ram_top;

	if (!IS_ALIGNED(info_pa, 8))
		boot_fail("multiboot2 boot information not 8-byte aligned");
	hdr = early_phys(info_pa, 8, "multiboot2 boot information above 4 GiB");
	early_phys(info_pa, hdr[0], "multiboot2 boot information runs past 4 GiB");
	err = mb2_parse(hdr, hdr[0], &mb);
	if (err)
		boot_fail(err);

	add_region(PA(_kernel_start), (u64)(_kernel_end - _kernel_start), MEM_RESERVED);
	if (mb.nr_modules > 1)
		x86_early_puts("umka: multiboot2: more than one module, only the first is the initrd\n");
	if (mb.mod_end > mb.mod_start) {
		bi.initrd_base = mb.mod_start;
		bi.initrd_size = mb.mod_end - mb.mod_start;
		add_region(bi.initrd_base, bi.initrd_size, MEM_RESERVED);
	}
	for (u32 i = 0; i < mb.mmap_entries; i++) {
		u64 base, size;
		u32 type;

		mb2_mmap_entry(&mb, i, &base, &size, &type);
		add_fw_region(&m, base, size, type == MB2_MMAP_RAM);
	}
	ram_top = fw_map_done(&m, "no RAM (type 1) in the multiboot2 memory map");
	if (bi.initrd_size && !bootmem_is_ram(&bi, bi.initrd_base, bi.initrd_base + bi.initrd_size))
		boot_fail("multiboot2 module (initrd) outside RAM");
	build_direct_map(ram_top);

	if (mb.cmdline)		/* a direct-map pointer, still valid */
		copy_cmdline(mb.cmdline, mb.cmdline_len);
	rsdp_copy = x86_acpi_rsdp_copy(mb.rsdp, mb.rsdp_len);	/* read before anything reuses it */
	bi.machine = "x86-64 multiboot2";
}

void x86_boot_main(u32 proto, u32 info_pa)
{
	x86_serial_init();
	x86_cpu_init(0);
	if (proto == BOOT_PROTO_PVH)
		boot_pvh(info_pa);
	else if (proto == BOOT_PROTO_MB2)
		boot_multiboot2(info_pa);
	else
		boot_fail("entered at the multiboot2 entry without the multiboot2 magic in %eax");
	map_image_strict();
	bi.cmdline = cmdline;
	bi.direct_map = DIRECT_MAP;
	bi.wallclock_ns = x86_rtc_read_ns();
	/* The APs' start-up page: below 1 MiB, and never handed out. */
	add_region(TRAMP_PHYS, 4096, MEM_RESERVED);

	x86_time_init();
	bi.nr_cpus = x86_smp_probe(rsdp_pa, rsdp_copy);
	kernel_main(&bi);
}
