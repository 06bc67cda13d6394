/* x86-64 SMP: which CPUs there are (ACPI MADT), starting them, and IPIs.
 *
 * CPU indices are ours, APIC IDs the hardware's: index 0 is the boot CPU,
 * the others follow in MADT order. An application processor (AP) is woken
 * by the INIT-SIPI-SIPI sequence (Intel SDM vol. 3, 8.4.4) aimed at its
 * APIC ID; the SIPI sends it to the real-mode trampoline (trampoline.S)
 * copied to TRAMP_PHYS, which enters long mode on a copy of the kernel's
 * page tables that also maps low memory 1:1, then x86_ap_main here: its own
 * GDT/TSS/GS base, its LAPIC and timer, then the core. The boot CPU starts
 * one AP at a time (the core waits for each), so one trampoline page and
 * parameter block serve them all.
 *
 * IPIs are fixed-delivery interrupts on VEC_IPI sent through the sender's
 * LAPIC ICR (xAPIC, physical destination = the target's APIC ID). */
#include <umka/arch.h>
#include <umka/atomic.h>
#include <umka/errno.h>
#include <umka/percpu.h>
#include <umka/string.h>

#include "../common/ap_start.h"
#include "x86.h"

#define LAPIC_ID 0x020
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_BUSY (1u << 12)		/* delivery status: send pending */
#define ICR_INIT 0x00004500		/* INIT, level assert */
#define ICR_STARTUP 0x00004600		/* STARTUP, vector = start page */
#define ICR_FIXED 0x00004000		/* fixed delivery, assert */
#define XAPIC_MAX_ID 0xff		/* the ICR's destination field */

#define MADT_MAX 64			/* CPUs read from the MADT at most */
#define AP_ALIVE_TIMEOUT_NS (2 * NSEC_PER_SEC)

static u32 apic_ids[NR_CPUS];		/* by CPU index; set at boot */
static unsigned nr_cpus = 1;
static u64 tramp_pml4[512] __aligned(4096);
static int ap_state[NR_CPUS];		/* enum ap_state (common/ap_start.h) */

static void smp_puts_num(const char *a, unsigned n, const char *b)
{
	char buf[16];

	ksnprintf(buf, sizeof(buf), "%u", n);
	x86_early_puts(a);
	x86_early_puts(buf);
	x86_early_puts(b);
}

unsigned x86_smp_probe(u64 rsdp_pa, const void *rsdp_copy)
{
	u32 ids[MADT_MAX];
	u32 bsp = x86_lapic_read(LAPIC_ID) >> 24;
	unsigned seen, n = x86_acpi_cpus(rsdp_pa, rsdp_copy, ids, MADT_MAX, &seen);

	apic_ids[0] = bsp;
	for (unsigned i = 0; i < n; i++) {
		bool dup = false;

		/* Firmware may list a CPU twice (xAPIC and x2APIC entries): an
		 * INIT to one already running would reset it mid-kernel. */
		for (unsigned j = 0; j < nr_cpus; j++)
			dup |= apic_ids[j] == ids[i];
		if (dup)
			continue;
		if (ids[i] > XAPIC_MAX_ID) {
			smp_puts_num("umka: SMP: skipping a CPU with x2APIC ID ", ids[i],
				     " (xAPIC mode only)\n");
			continue;
		}
		if (nr_cpus == NR_CPUS) {
			smp_puts_num("umka: SMP: the MADT lists ", seen, " CPUs; ");
			smp_puts_num("NR_CPUS is ", NR_CPUS, ", the rest stay off\n");
			break;
		}
		apic_ids[nr_cpus++] = ids[i];
	}
	return nr_cpus;
}

static bool icr_wait(void)
{
	u64 end = arch_clock_ns() + 10 * NSEC_PER_MSEC;

	while (x86_lapic_read(LAPIC_ICR_LO) & ICR_BUSY)
		if (arch_clock_ns() > end)
			return false;
		else
			cpu_relax();
	return true;
}

static void icr_send(u32 apic_id, u32 cmd)
{
	x86_lapic_write(LAPIC_ICR_HI, apic_id << 24);
	x86_lapic_write(LAPIC_ICR_LO, cmd);	/* this write sends */
}

static void delay_ns(u64 ns)
{
	u64 end = arch_clock_ns() + ns;

	while (arch_clock_ns() < end)
		cpu_relax();
}

/* One command, interrupts off: an interrupt handler sending its own IPI
 * between the two ICR writes would change the destination under us.
 * False if the previous command never left. */
static bool icr_send_irqoff(u32 apic_id, u32 cmd)
{
	unsigned long flags;
	bool ok;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	ok = icr_wait();
	if (ok)
		icr_send(apic_id, cmd);
	if (flags & 0x200)
		arch_irq_enable();
	return ok;
}

void arch_ipi_send(unsigned cpu)
{
	if (cpu < nr_cpus)
		icr_send_irqoff(apic_ids[cpu], ICR_FIXED | VEC_IPI);
}

/* The trampoline's page tables: the kernel's, plus low memory 1:1 so the
 * trampoline page stays mapped when paging comes on (boot.S's identity
 * map, which setup.c unhooked from boot_pml4 but left intact). */
static void tramp_tables(void)
{
	memcpy(tramp_pml4, boot_pml4, sizeof(tramp_pml4));
	tramp_pml4[0] = PA(boot_pdpt_low) | PTE_P | PTE_W;
}

static void tramp_set(const char *field, u64 v)
{
	u8 *page = (u8 *)(uintptr_t)(DIRECT_MAP + TRAMP_PHYS);

	memcpy(page + (field - x86_tramp_start), &v, sizeof(v));
}

int arch_cpu_start(unsigned cpu, void *stack, size_t size)
{
	u32 id;

	if (cpu == 0 || cpu >= nr_cpus)
		return -EINVAL;
	id = apic_ids[cpu];
	tramp_tables();
	memcpy((void *)(uintptr_t)(DIRECT_MAP + TRAMP_PHYS), x86_tramp_start,
	       (size_t)(x86_tramp_end - x86_tramp_start));
	tramp_set(x86_tramp_cr3, PA(tramp_pml4));
	tramp_set(x86_tramp_stack, ((uintptr_t)stack + size) & ~(uintptr_t)15);
	tramp_set(x86_tramp_entry, (uintptr_t)x86_ap_entry);
	tramp_set(x86_tramp_cpu, cpu);
	smp_mb();

	/* INIT, 10 ms, STARTUP, 200 us, STARTUP (a running CPU ignores the
	 * second one). */
	if (!icr_send_irqoff(id, ICR_INIT))
		return -EIO;
	delay_ns(10 * NSEC_PER_MSEC);
	for (int i = 0; i < 2 && !ap_is_alive(&ap_state[cpu]); i++) {
		if (!icr_send_irqoff(id, ICR_STARTUP | (TRAMP_PHYS >> 12)))
			return ap_give_up(&ap_state[cpu]);
		delay_ns(200 * NSEC_PER_USEC);
	}
	return ap_wait_alive(&ap_state[cpu], AP_ALIVE_TIMEOUT_NS) ? 0 : -EIO;
}

void x86_ap_main(unsigned cpu)
{
	x86_cpu_init(cpu);
	x86_time_init_ap();
	ap_enter_core(&ap_state[cpu], cpu);
}
