/* AArch64 boot, C half: read the device tree (memory, command line,
 * initrd, UART, GIC, timer, PSCI), build the direct map of physical
 * memory, then hand struct boot_info to kernel_main. Runs on the boot stack
 * with interrupts masked; head.S mapped the image, the device tree's two
 * GiBs (early direct map) and an identity map of the image's GiB. */
#include <umka/arch.h>
#include <umka/cmdline.h>
#include <umka/string.h>

#include "../common/bootmem.h"
#include "../common/fdt.h"
#include "a64.h"

#define GiB1 (1ULL << 30)
#define MiB2 (1ULL << 21)

static struct boot_info bi;
static char cmdline[CMDLINE_MAX];
static char machine[64];
static struct fdt fdt;
static u64 dm_l1[512] __aligned(4096);
static u64 dm_l2[DIRECT_MAP_MAX_GIB][512] __aligned(4096);
static u64 direct_map_end;	/* bytes of physical space mapped */

__noreturn void a64_boot_fail(const char *what, const char *why)
{
	bootmem_cannot_boot(a64_early_puts, what, why);
}

static const struct bootmem_ops bootmem = { a64_early_puts, a64_boot_fail };

static void add_region(u64 base, u64 size, enum mem_type type)
{
	bootmem_add(&bootmem, &bi, base, size, type);
}

/* Memory map: the kernel image first (so it survives truncation), the
 * device tree blob and its /memreserve/ entries, /reserved-memory, then
 * RAM from every node with device_type = "memory". RAM beyond what the
 * direct map can cover is cut off. */
static u64 read_memory(u64 dtb_pa)
{
	add_region(a64_load_pa, (u64)(_kernel_end - _kernel_start), MEM_RESERVED);
	add_region(dtb_pa, fdt.size, MEM_RESERVED);
	return bootmem_from_fdt(&bootmem, &bi, &fdt, (u64)DIRECT_MAP_MAX_GIB * GiB1);
}

/* Direct map with 2 MiB blocks over [0, max(4 GiB, top of RAM)): the first
 * 4 GiB always, for the GIC, the UART and other MMIO. Blocks holding RAM
 * are Normal write-back, the rest Device-nGnRE; none is executable (the
 * secondary CPUs run head.S through TTBR0's identity map instead). It
 * replaces head.S's early window (break-before-make: the old entry is
 * invalidated and flushed from the TLB before the new one is written),
 * then TTBR0 walks are turned off: NULL and low addresses fault. */
static void build_direct_map(u64 ram_top)
{
	u64 end = ALIGN_UP(MAX(ram_top, 4 * GiB1), GiB1);

	if (end > (u64)DIRECT_MAP_MAX_GIB * GiB1)
		end = (u64)DIRECT_MAP_MAX_GIB * GiB1;
	for (u64 gib = 0; gib < end / GiB1; gib++) {
		for (u64 i = 0; i < 512; i++) {
			u64 pa = gib * GiB1 + i * MiB2;

			dm_l2[gib][i] = pa | (bootmem_is_ram(&bi, pa, pa + MiB2)
						      ? PTE_NORMAL_BLOCK | PTE_XN
						      : PTE_DEVICE_BLOCK);
		}
		dm_l1[gib] = PA(dm_l2[gib]) | PTE_TABLE;
	}
	dsb(ishst);
	boot_ttbr1_l0[0] = 0;
	dsb(ishst);
	__asm__ __volatile__("tlbi vmalle1" ::: "memory");
	dsb(ish);
	isb();
	boot_ttbr1_l0[0] = PA(dm_l1) | PTE_TABLE;
	WRITE_SYSREG(tcr_el1, READ_SYSREG(tcr_el1) | TCR_EPD0);
	dsb(ishst);
	isb();
	__asm__ __volatile__("tlbi vmalle1" ::: "memory");
	dsb(ish);
	isb();
	direct_map_end = end;
}

/* Narrow head.S's read-write-execute pages of the image to each section's
 * rights: text read-only and executable, read-only data (.rodata, the
 * ktest suites, the symbol table) read-only, .data and .bss read-write;
 * only text is executable, and nothing at EL0. Permissions change, the
 * output addresses do not, so no break-before-make: update, then flush
 * the stale entries (only this CPU runs yet). */
static void protect_image(void)
{
	u64 *pte = &boot_kernel_l3[0][0];
	u64 pages = (u64)(_kernel_end - _kernel_start) / 4096;

	for (u64 i = 0; i < pages; i++) {
		uintptr_t va = (uintptr_t)_kernel_start + i * 4096;
		u64 e = pte[i] & ~(u64)(PTE_AP_RO | PTE_XN);

		if (va < (uintptr_t)_etext)
			e |= PTE_AP_RO | PTE_UXN;
		else if (va < (uintptr_t)_erodata)
			e |= PTE_AP_RO | PTE_XN;
		else
			e |= PTE_XN;
		pte[i] = e;
	}
	dsb(ishst);
	__asm__ __volatile__("tlbi vmalle1" ::: "memory");
	dsb(ish);
	isb();
}

bool a64_addr_mapped(uintptr_t va, size_t len)
{
	uintptr_t img = (uintptr_t)_kernel_start, img_end = (uintptr_t)_kernel_end;

	if (va + len < va)
		return false;
	if (va >= img && va + len <= img_end)
		return true;
	return va >= DIRECT_MAP && va + len <= DIRECT_MAP + direct_map_end;
}

static u64 device_reg(int node, unsigned index, const char *what)
{
	u64 base, size;
	int r = fdt_reg(&fdt, node, index, &base, &size);

	if (r < 0)
		a64_boot_fail(what, fdt.err);
	if (r == 0)
		a64_boot_fail(what, "reg property missing or too short");
	if (base >= direct_map_end || size > direct_map_end - base)
		a64_boot_fail(what, "registers outside the direct map");
	return base;
}

static void read_devices(void)
{
	static const char *const uarts[] = { "arm,pl011", NULL };
	static const char *const gic2[] = { "arm,cortex-a15-gic", "arm,gic-400",
					     "arm,cortex-a9-gic", "arm,arm11mp-gic", NULL };
	static const char *const gic3[] = { "arm,gic-v3", NULL };
	static const char *const timers[] = { "arm,armv8-timer", "arm,armv7-timer", NULL };
	static const char *const psci[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci", NULL };
	static const char *const rtcs[] = { "arm,pl031", NULL };
	const u8 *irqs;
	u32 len;
	int node;

	node = fdt_find_device(&fdt, uarts);
	if (node < 0)
		a64_boot_fail("device tree", "no PL011 UART (compatible \"arm,pl011\")");
	{
		/* One GIC specifier: <type number flags>; type 0 is an SPI, INTID 32 + number. */
		u32 ilen;
		const u8 *spec = fdt_getprop(&fdt, node, "interrupts", &ilen);
		unsigned intid = spec && ilen == 12 && fdt_be32(spec) == 0 && fdt_be32(spec + 4) < 988
					 ? 32 + fdt_be32(spec + 4) : 0;

		a64_console_init(device_reg(node, 0, "device tree PL011 UART"), intid);
	}

	node = fdt_find_device(&fdt, psci);
	if (node < 0)
		node = fdt_path(&fdt, "/psci");
	if (node >= 0) {
		const char *method = fdt_getprop_str(&fdt, node, "method");

		if (method && !strcmp(method, "hvc"))
			a64_set_psci(1);
		else if (method && !strcmp(method, "smc"))
			a64_set_psci(2);
		else
			a64_early_puts("umka: /psci has no method \"hvc\" or \"smc\": no PSCI\n");
	}

	/* The PL031 RTC's data register counts seconds since 1970 (QEMU
	 * starts it at the host's time). Optional: no RTC, no wall clock. */
	node = fdt_find_device(&fdt, rtcs);
	if (node >= 0) {
		u64 base, size;

		if (fdt_reg(&fdt, node, 0, &base, &size) > 0 && base < direct_map_end &&
		    size >= 4 && size <= direct_map_end - base)
			bi.wallclock_ns = mmio_read32((uintptr_t)(DIRECT_MAP + base)) * NSEC_PER_SEC;
	}

	node = fdt_find_device(&fdt, timers);
	if (node < 0)
		a64_boot_fail("device tree", "no generic timer node (\"arm,armv8-timer\")");
	irqs = fdt_getprop(&fdt, node, "interrupts", &len);
	/* Four GIC specifiers of 3 cells: secure, non-secure, virtual, hyp;
	 * the third is ours. Cell 0 must say PPI (1); INTID = 16 + cell 1. */
	if (!irqs || len < 36 || len % 12)
		a64_boot_fail("device tree timer", "interrupts is not 4 three-cell GIC specifiers");
	if (fdt_be32(irqs + 24) != 1 || fdt_be32(irqs + 28) > 15)
		a64_boot_fail("device tree timer", "the virtual timer interrupt is not a PPI");
	{
		unsigned intid = 16 + fdt_be32(irqs + 28);

		node = fdt_find_device(&fdt, gic2);
		if (node < 0) {
			if (fdt_find_device(&fdt, gic3) >= 0)
				a64_boot_fail("device tree", "GICv3 is not supported yet "
					      "(QEMU: -M virt,gic-version=2)");
			a64_boot_fail("device tree", "no GICv2 interrupt controller");
		}
		a64_gic_init(device_reg(node, 0, "device tree GIC distributor"),
			     device_reg(node, 1, "device tree GIC CPU interface"), intid);
	}
}

void a64_boot_main(u64 dtb_pa)
{
	u64 ram_top, window_end;
	const char *model;

	if (!dtb_pa)
		a64_boot_fail("no device tree", "x0 was 0 at entry (boot the Image, not the ELF)");
	if (dtb_pa & 7)
		a64_boot_fail("device tree", "blob not 8-byte aligned");
	if (dtb_pa >> 39)
		a64_boot_fail("device tree", "blob above 512 GiB");
	/* head.S mapped [GiB of the blob, +2 GiB) of the early direct map. */
	window_end = MIN(ALIGN_DOWN(dtb_pa, GiB1) + 2 * GiB1, 512 * GiB1);
	if (fdt_init(&fdt, (const void *)(uintptr_t)(DIRECT_MAP + dtb_pa), window_end - dtb_pa))
		a64_boot_fail("bad device tree", fdt.err);

	ram_top = read_memory(dtb_pa);
	build_direct_map(ram_top);
	protect_image();
	read_devices();		/* the console is up from here on */
	bootmem_fdt_chosen(&bootmem, &bi, &fdt, cmdline, sizeof(cmdline), direct_map_end);
	a64_time_init();

	model = fdt_getprop_str(&fdt, fdt_root(&fdt), "model");
	ksnprintf(machine, sizeof(machine), "AArch64 %s", model ? model : "(unknown board)");
	bi.cmdline = cmdline;
	bi.direct_map = DIRECT_MAP;
	bi.nr_cpus = a64_smp_probe(&fdt);
	bi.machine = machine;
	kernel_main(&bi);
}
