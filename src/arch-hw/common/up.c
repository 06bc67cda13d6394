/* The SMP hooks of a port that runs one CPU (AArch64 for now: PSCI CPU_ON
 * and GIC SGIs are not wired up). setup.c reports nr_cpus = 1, so the core
 * never starts a CPU here, and with no other CPU the core sends no IPI
 * either (it only interrupts other CPUs); an IPI to the caller is the one
 * case left, and a pending need_resched is acted on at the next preemption
 * point anyway. */
#include <umka/arch.h>
#include <umka/errno.h>

int arch_cpu_start(unsigned cpu, void *stack, size_t size)
{
	(void)cpu, (void)stack, (void)size;
	return -ENOSYS;
}

void arch_ipi_send(unsigned cpu)
{
	(void)cpu;
}
