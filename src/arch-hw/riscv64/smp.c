/* RISC-V 64 SMP: harts from the device tree, started through the SBI HSM
 * extension, interrupted through the SBI IPI extension.
 *
 * CPU indices are ours, hart ids the platform's: index 0 is the hart we
 * booted on (a0 at entry; OpenSBI picks any), the others follow in /cpus
 * order. hart_start(hartid, rv_secondary_entry's physical address, index)
 * starts a hart in S-mode with paging off; head.S turns paging on with a
 * copy of the kernel's root table that also maps the image's GiB 1:1 (the
 * identity map setup.c removed from boot_root), moves to the higher half,
 * switches to boot_root and the idle stack from rv_ap_boot, and calls
 * rv_ap_main. One hart starts at a time (the core waits for each), so one
 * rv_ap_boot serves all.
 *
 * An IPI is SBI send_ipi to one hart: a supervisor software interrupt
 * there (cpu.c clears its pending bit and raises IRQ_IPI). */
#include <umka/arch.h>
#include <umka/errno.h>
#include <umka/percpu.h>
#include <umka/string.h>

#include "../common/ap_start.h"
#include "../common/bootmem.h"
#include "rv.h"

#define AP_ALIVE_TIMEOUT_NS (2 * NSEC_PER_SEC)
#define FDT_CPUS_MAX 64

struct rv_ap_boot rv_ap_boot;
static u64 hart_ids[NR_CPUS];		/* by CPU index; set at boot */
static unsigned nr_cpus = 1;
static bool has_ipi;
static int ap_state[NR_CPUS];		/* enum ap_state (common/ap_start.h) */
static u64 tramp_root[512] __aligned(4096);

static void puts_num(const char *a, unsigned long long n, const char *b)
{
	char buf[24];

	ksnprintf(buf, sizeof(buf), "%llu", n);
	rv_early_puts(a);
	rv_early_puts(buf);
	rv_early_puts(b);
}

unsigned rv_smp_probe(struct fdt *fdt, u64 boot_hartid)
{
	u64 ids[FDT_CPUS_MAX];
	unsigned seen = bootmem_fdt_cpus(fdt, ids, FDT_CPUS_MAX);

	hart_ids[0] = boot_hartid;
	if (!rv_sbi_has(SBI_EXT_HSM) || !rv_sbi_has(SBI_EXT_IPI)) {
		rv_early_puts("umka: SBI without HSM or IPI: starting only the boot hart\n");
		return 1;
	}
	has_ipi = true;
	for (unsigned i = 0; i < MIN(seen, FDT_CPUS_MAX); i++) {
		if (ids[i] == boot_hartid)
			continue;
		if (nr_cpus == NR_CPUS) {
			puts_num("umka: SMP: more harts than NR_CPUS (", NR_CPUS,
				 "): the rest stay off\n");
			break;
		}
		hart_ids[nr_cpus++] = ids[i];
	}
	return nr_cpus;
}

int arch_cpu_start(unsigned cpu, void *stack, size_t size)
{
	u64 gib = rv_load_pa >> 30;
	struct sbiret r;

	if (cpu == 0 || cpu >= nr_cpus)
		return -EINVAL;
	memcpy(tramp_root, boot_root, sizeof(tramp_root));
	tramp_root[gib] = (gib << 28) | PTE_KERNEL;
	rv_ap_boot.tramp_satp = SATP_SV39 | (PA(tramp_root) >> 12);
	rv_ap_boot.kernel_satp = SATP_SV39 | (PA(boot_root) >> 12);
	rv_ap_boot.stack = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	/* The hart reads rv_ap_boot with paging off: through memory, not
	 * this hart's store buffer; fence before it starts. */
	__asm__ __volatile__("fence rw, rw" ::: "memory");
	r = sbi_call(SBI_EXT_HSM, 0, hart_ids[cpu], PA(rv_secondary_entry), cpu);
	if (r.error) {
		puts_num("umka: SBI hart_start failed with error ", (unsigned long long)-r.error,
			 "\n");
		return -EIO;
	}
	return ap_wait_alive(&ap_state[cpu], AP_ALIVE_TIMEOUT_NS) ? 0 : -EIO;
}

void rv_ap_main(unsigned cpu)
{
	rv_time_init_ap();
	ap_enter_core(&ap_state[cpu], cpu);
}

void arch_ipi_send(unsigned cpu)
{
	if (cpu >= nr_cpus || !has_ipi)
		return;
	/* hart_mask bit 0 relative to hart_mask_base = the hart itself. */
	sbi_call(SBI_EXT_IPI, 0, 1, hart_ids[cpu], 0);
}
