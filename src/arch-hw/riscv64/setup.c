/* RISC-V 64 boot, C half: read the device tree (memory, command line,
 * initrd, timebase, UART, test/poweroff device), finish the direct map of
 * physical memory and drop the identity map, then hand struct boot_info to
 * kernel_main. Runs on the boot stack with interrupts off; head.S mapped
 * the image, the device tree's two GiBs (early direct map) and an identity
 * gigapage over the image's GiB. */
#include <umka/arch.h>
#include <umka/cmdline.h>
#include <umka/string.h>

#include "../common/bootmem.h"
#include "../common/fdt.h"
#include "rv.h"

#define GiB1 (1ULL << 30)
#define MiB2 (1ULL << 21)

static struct boot_info bi;
static char cmdline[CMDLINE_MAX];
static char machine[64];
static struct fdt fdt;
static u64 direct_map_end;	/* bytes of physical space mapped */

__noreturn void rv_boot_fail(const char *what, const char *why)
{
	bootmem_cannot_boot(rv_early_puts, what, why);
}

static const struct bootmem_ops bootmem = { rv_early_puts, rv_boot_fail };

static void add_region(u64 base, u64 size, enum mem_type type)
{
	bootmem_add(&bootmem, &bi, base, size, type);
}

/* Memory map: the image first (so it survives truncation), the blob, its
 * /memreserve/ entries and /reserved-memory (where OpenSBI records the RAM
 * it keeps for itself), then RAM from every device_type = "memory" node,
 * cut at what the direct map covers. Returns the top of RAM. */
static u64 read_memory(u64 dtb_pa)
{
	add_region(rv_load_pa, (u64)(_kernel_end - _kernel_start), MEM_RESERVED);
	add_region(dtb_pa, fdt.size, MEM_RESERVED);
	return bootmem_from_fdt(&bootmem, &bi, &fdt, (u64)DIRECT_MAP_MAX_GIB * GiB1);
}

/* Direct map with 1 GiB pages straight in the root table over [0, max(4
 * GiB, top of RAM)): the first 4 GiB always, for MMIO. RISC-V page tables
 * carry no memory types (without Svpbmt the platform's PMAs decide), so
 * RAM and devices are mapped alike, never executable. head.S's early
 * entries are the same as the final ones, so only entries are added. Then
 * the identity gigapage goes: NULL and all low addresses fault. */
static void build_direct_map(u64 ram_top)
{
	u64 end = ALIGN_UP(MAX(ram_top, 4 * GiB1), GiB1);

	if (end > (u64)DIRECT_MAP_MAX_GIB * GiB1)
		end = (u64)DIRECT_MAP_MAX_GIB * GiB1;
	for (u64 gib = 0; gib < end / GiB1; gib++)
		boot_root[DIRECT_MAP_SLOT + gib] = (gib << 28) | PTE_DATA;
	for (unsigned i = 0; i < DIRECT_MAP_SLOT; i++)
		boot_root[i] = 0;
	sfence_vma();
	direct_map_end = end;
}

/* The image in 4 KiB pages, each with its section's rights, in place of
 * head.S's read-write-execute megapages: text read + execute, read-only
 * data (.rodata, the ktest suites, the symbol table) read only, .data and
 * .bss read + write. Sv39 allows a leaf to become a pointer to a table in
 * place; sfence.vma then drops the stale megapage translations. The APs'
 * tables (smp.c) share boot_kernel_l1, so they see the same. */
#define IMAGE_L0_MAX 8	/* 16 MiB of image */
static u64 image_l0[IMAGE_L0_MAX][512] __aligned(4096);

static void protect_image(void)
{
	uintptr_t text_end = ALIGN_UP((uintptr_t)_etext, 4096);
	u64 size = (u64)(_kernel_end - _kernel_start);
	u64 megas = ALIGN_UP(size, MiB2) / MiB2;

	if (megas > IMAGE_L0_MAX)
		rv_boot_fail("kernel image", "larger than its page tables (16 MiB)");
	for (u64 m = 0; m < megas; m++) {
		for (u64 i = 0; i < 512; i++) {
			u64 off = m * MiB2 + i * 4096;
			uintptr_t va = (uintptr_t)_kernel_start + off;
			u64 flags = PTE_DATA;

			if (off >= size)
				break;
			if (va < text_end)
				flags = PTE_TEXT;
			else if (va < (uintptr_t)_erodata)
				flags = PTE_RODATA;
			image_l0[m][i] = ((rv_load_pa + off) >> 12) << PTE_PPN_SHIFT | flags;
		}
		boot_kernel_l1[m] = (PA(image_l0[m]) >> 12) << PTE_PPN_SHIFT | PTE_V;
	}
	sfence_vma();
}

bool rv_addr_mapped(uintptr_t va, size_t len)
{
	uintptr_t img = (uintptr_t)_kernel_start, img_end = (uintptr_t)_kernel_end;

	if (va + len < va)
		return false;
	if (va >= img && va + len <= img_end)
		return true;
	return va >= DIRECT_MAP && va + len <= DIRECT_MAP + direct_map_end;
}

static u64 device_reg(int node, const char *what)
{
	u64 base, size;
	int r = fdt_reg(&fdt, node, 0, &base, &size);

	if (r < 0)
		rv_boot_fail(what, fdt.err);
	if (r == 0)
		rv_boot_fail(what, "reg property missing or too short");
	if (base >= direct_map_end || size > direct_map_end - base)
		rv_boot_fail(what, "registers outside the direct map");
	return base;
}

/* /cpus/timebase-frequency (the rate of the time CSR), or the same
 * property on the first CPU node, where some trees put it. */
static u64 read_timebase(void)
{
	int cpus = fdt_path(&fdt, "/cpus");
	u32 hz;

	if (cpus < 0)
		rv_boot_fail("device tree", "no /cpus node");
	hz = fdt_getprop_u32(&fdt, cpus, "timebase-frequency", 0);
	for (int n = fdt_first_child(&fdt, cpus); !hz && n >= 0; n = fdt_next_sibling(&fdt, n)) {
		const char *type = fdt_getprop_str(&fdt, n, "device_type");

		if (type && !strcmp(type, "cpu"))
			hz = fdt_getprop_u32(&fdt, n, "timebase-frequency", 0);
	}
	if (hz < 1000)
		rv_boot_fail("device tree /cpus", "no usable timebase-frequency");
	return hz;
}

static const char *const test_devices[] = { "sifive,test1", "sifive,test0", NULL };
#define EARLY_DEVICE_END (1ull << 30)	/* head.S's early map of GiB 0 */

/* The test device (halt status to QEMU) as soon as the tree is readable:
 * head.S maps GiB 0 early for it, so boot failures report status 3. */
static void early_test_device(void)
{
	int node = fdt_find_device(&fdt, test_devices);
	u64 base, size;

	if (node >= 0 && fdt_reg(&fdt, node, 0, &base, &size) > 0 && base < EARLY_DEVICE_END &&
	    size >= 4 && size <= EARLY_DEVICE_END - base)
		rv_set_test_device(base);
}

/* The phandle of hart's local interrupt controller (the cpu node's
 * "interrupt-controller" child), 0 if the tree does not say. */
static u32 hart_intc_phandle(u64 hartid)
{
	int cpus = fdt_path(&fdt, "/cpus");

	for (int n = cpus >= 0 ? fdt_first_child(&fdt, cpus) : -1; n >= 0;
	     n = fdt_next_sibling(&fdt, n)) {
		const char *type = fdt_getprop_str(&fdt, n, "device_type");

		if (!type || strcmp(type, "cpu") || fdt_getprop_u32(&fdt, n, "reg", ~0u) != hartid)
			continue;
		for (int c = fdt_first_child(&fdt, n); c >= 0; c = fdt_next_sibling(&fdt, c))
			if (fdt_getprop(&fdt, c, "interrupt-controller", NULL))
				return fdt_getprop_u32(&fdt, c, "phandle", 0);
	}
	return 0;
}

/* The PLIC and this hart's supervisor context in it: the index of the
 * interrupts-extended entry that names the hart's controller with the
 * supervisor external interrupt. Optional: without it, no device
 * interrupts (the timer does not need them). */
static void read_plic(u64 hartid)
{
	static const char *const plics[] = { "sifive,plic-1.0.0", "riscv,plic0", NULL };
	int node = fdt_find_device(&fdt, plics);
	u32 len, phandle, ndev;
	const u8 *ext;

	if (node < 0) {
		rv_early_puts("umka: no PLIC in the device tree: no device interrupts\n");
		return;
	}
	phandle = hart_intc_phandle(hartid);
	ext = fdt_getprop(&fdt, node, "interrupts-extended", &len);
	ndev = fdt_getprop_u32(&fdt, node, "riscv,ndev", 0);
	if (!phandle || !ext || len % 8 || !ndev || ndev > 1023) {
		rv_early_puts("umka: PLIC: no usable interrupts-extended, riscv,ndev or hart "
			      "interrupt controller: no device interrupts\n");
		return;
	}
	for (u32 i = 0; i < len / 8; i++) {
		u64 base, size;

		if (fdt_be32(ext + 8 * i) != phandle || fdt_be32(ext + 8 * i + 4) != IRQ_S_EXT)
			continue;
		/* The registers, this context's claim register among them. */
		if (fdt_reg(&fdt, node, 0, &base, &size) <= 0 || base >= direct_map_end ||
		    size > direct_map_end - base || size < PLIC_CONTEXT_END(i)) {
			rv_early_puts("umka: PLIC: reg missing, outside the direct map or "
				      "short of this hart's context: no device interrupts\n");
			return;
		}
		rv_plic_init(base, i, ndev);
		return;
	}
	rv_early_puts("umka: PLIC has no supervisor context for this hart: no device interrupts\n");
}

static void read_devices(u64 hartid)
{
	static const char *const uarts[] = { "ns16550a", "ns16550", "ns16450", NULL };
	static const char *const rtcs[] = { "google,goldfish-rtc", NULL };
	int node = fdt_find_device(&fdt, uarts);

	if (node >= 0) {
		u32 shift = fdt_getprop_u32(&fdt, node, "reg-shift", 0);
		u32 width = fdt_getprop_u32(&fdt, node, "reg-io-width", 1);

		if (shift > 4 || (width != 1 && width != 4))
			rv_boot_fail("device tree UART", "unsupported reg-shift or reg-io-width");
		rv_console_init(device_reg(node, "device tree UART"), shift, width,
				fdt_getprop_u32(&fdt, node, "interrupts", 0));
	} else {
		rv_early_puts("umka: no ns16550 UART in the device tree: console through SBI\n");
	}
	read_plic(hartid);
	node = fdt_find_device(&fdt, test_devices);
	if (node >= 0)
		rv_set_test_device(device_reg(node, "device tree sifive,test"));
	/* Goldfish RTC: nanoseconds since 1970; reading TIME_LOW latches
	 * TIME_HIGH. Optional: no RTC, no wall clock. */
	node = fdt_find_device(&fdt, rtcs);
	if (node >= 0) {
		u64 base, size;

		if (fdt_reg(&fdt, node, 0, &base, &size) > 0 && base < direct_map_end &&
		    size >= 8 && size <= direct_map_end - base) {
			uintptr_t rtc = (uintptr_t)(DIRECT_MAP + base);
			u64 lo = mmio_read32(rtc);

			bi.wallclock_ns = (u64)mmio_read32(rtc + 4) << 32 | lo;
		}
	}
}

void rv_boot_main(u64 hartid, u64 dtb_pa)
{
	u64 ram_top, window_end, tb;
	const char *model;

	if (!dtb_pa)
		rv_boot_fail("no device tree", "a1 was 0 at entry");
	if (dtb_pa & 7)
		rv_boot_fail("device tree", "blob not 8-byte aligned");
	if ((dtb_pa >> 30) > DIRECT_MAP_MAX_GIB - 2)
		rv_boot_fail("device tree", "blob above the direct map's 62 GiB");
	/* head.S mapped [GiB of the blob, +2 GiB) of the early direct map. */
	window_end = ALIGN_DOWN(dtb_pa, GiB1) + 2 * GiB1;
	if (fdt_init(&fdt, (const void *)(uintptr_t)(DIRECT_MAP + dtb_pa), window_end - dtb_pa))
		rv_boot_fail("bad device tree", fdt.err);
	early_test_device();

	ram_top = read_memory(dtb_pa);
	build_direct_map(ram_top);
	protect_image();
	read_devices(hartid);	/* the console is up from here on */
	bootmem_fdt_chosen(&bootmem, &bi, &fdt, cmdline, sizeof(cmdline), direct_map_end);
	tb = read_timebase();
	rv_time_init(tb);

	model = fdt_getprop_str(&fdt, fdt_root(&fdt), "model");
	ksnprintf(machine, sizeof(machine), "RISC-V 64 %s, hart %llu",
		  model ? model : "(unknown board)", (unsigned long long)hartid);
	bi.cmdline = cmdline;
	bi.direct_map = DIRECT_MAP;
	bi.nr_cpus = rv_smp_probe(&fdt, hartid);
	bi.machine = machine;
	kernel_main(&bi);
}
