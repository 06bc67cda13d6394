/* AArch64 SMP: CPUs from the device tree, started through PSCI CPU_ON,
 * interrupted with GICv2 software-generated interrupts.
 *
 * CPU indices are ours, MPIDR affinities the machine's: index 0 is the CPU
 * we booted on, the others are the /cpus nodes (device_type "cpu", their
 * reg = MPIDR affinity bits) in tree order. CPU_ON(mpidr, physical address
 * of a64_secondary_entry, index) starts one with the MMU off; head.S takes
 * the boot CPU's translation settings from a64_ap_boot, turns the MMU on
 * (TTBR0 still holds head.S's identity map of the image), and calls
 * a64_ap_main on the idle stack. One CPU starts at a time (the core waits
 * for each), so one a64_ap_boot serves all. */
#include <umka/arch.h>
#include <umka/errno.h>
#include <umka/percpu.h>
#include <umka/string.h>

#include "../common/ap_start.h"
#include "../common/bootmem.h"
#include "a64.h"

#define PSCI_VERSION 0x84000000
#define PSCI_CPU_ON 0xc4000003		/* SMC64 */
#define FDT_CPUS_MAX 64
#define MPIDR_AFF_MASK 0xff00ffffffULL
#define AP_ALIVE_TIMEOUT_NS (2 * NSEC_PER_SEC)

struct a64_ap_boot a64_ap_boot;
static u64 mpidrs[NR_CPUS];		/* by CPU index; set at boot */
static unsigned nr_cpus = 1;
static int ap_state[NR_CPUS];		/* enum ap_state (common/ap_start.h) */

unsigned a64_smp_probe(struct fdt *fdt)
{
	u64 self = READ_SYSREG(mpidr_el1) & MPIDR_AFF_MASK, ids[FDT_CPUS_MAX];
	unsigned seen = bootmem_fdt_cpus(fdt, ids, FDT_CPUS_MAX);

	mpidrs[0] = self;
	if (a64_psci(PSCI_VERSION, 0, 0, 0) < 0) {
		a64_early_puts("umka: no PSCI: starting only the boot CPU\n");
		return 1;
	}
	for (unsigned i = 0; i < MIN(seen, FDT_CPUS_MAX); i++) {
		if ((ids[i] & MPIDR_AFF_MASK) == self)
			continue;
		if (nr_cpus == NR_CPUS) {
			a64_early_puts("umka: SMP: more CPUs than NR_CPUS: the rest stay off\n");
			break;
		}
		mpidrs[nr_cpus++] = ids[i] & MPIDR_AFF_MASK;
	}
	return nr_cpus;
}

/* Clean [p, p+len) to the point of coherency: the new CPU reads it with
 * its MMU (and so its caches) off. */
static void clean_dcache(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, end = (uintptr_t)p + len;

	for (; a < end; a += 64)
		__asm__ __volatile__("dc civac, %0" : : "r"(a) : "memory");
	dsb(sy);
}

int arch_cpu_start(unsigned cpu, void *stack, size_t size)
{
	long r;

	if (cpu == 0 || cpu >= nr_cpus)
		return -EINVAL;
	a64_ap_boot.tcr = READ_SYSREG(tcr_el1) & ~(u64)TCR_EPD0;
	a64_ap_boot.ttbr0 = PA(boot_ttbr0_l0);
	a64_ap_boot.ttbr1 = PA(boot_ttbr1_l0);
	a64_ap_boot.stack = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	clean_dcache(&a64_ap_boot, sizeof(a64_ap_boot));
	r = a64_psci(PSCI_CPU_ON, mpidrs[cpu], PA(a64_secondary_entry), cpu);
	if (r) {
		char msg[64];

		ksnprintf(msg, sizeof(msg), "umka: PSCI CPU_ON failed with %ld\n", r);
		a64_early_puts(msg);
		return -EIO;
	}
	return ap_wait_alive(&ap_state[cpu], AP_ALIVE_TIMEOUT_NS) ? 0 : -EIO;
}

void a64_ap_main(unsigned cpu)
{
	a64_gic_init_cpu();
	ap_enter_core(&ap_state[cpu], cpu);
}

void arch_ipi_send(unsigned cpu)
{
	if (cpu < nr_cpus)
		a64_gic_send_sgi(cpu);
}
