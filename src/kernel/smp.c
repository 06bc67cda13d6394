/* Interrupting and stopping other CPUs (bring-up is in main.c, next to
 * kernel_main). Kept apart from the scheduler: panic needs it, and host
 * programs that link panic.c without a scheduler must not pull one in.
 *
 * IPIs carry no message: the core's only uses are "reschedule" (the sender
 * set need_resched first; irq_handle's exit path acts on it), "report an
 * RCU quiescent state" (an idle CPU leaves arch_cpu_idle and its idle loop
 * reports), and "stop" (panic), which the handler checks below. */
#include <umka/atomic.h>
#include <umka/irq.h>
#include <umka/percpu.h>
#include <umka/smp.h>
#include <umka/time.h>

#define STOP_TIMEOUT_NS (100 * NSEC_PER_MSEC)

static bool stopping;			/* set once, by the panicking CPU */
static unsigned nr_stopped;		/* CPUs that answered the stop IPI */

__noreturn void smp_park(void)
{
	for (;;) {
		arch_irq_disable();
		cpu_relax();
	}
}

static void ipi_handler(void)
{
	if (__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		__atomic_fetch_add(&nr_stopped, 1, __ATOMIC_RELEASE);
		smp_park();
	}
}

void smp_init(void)
{
	irq_register(IRQ_IPI, ipi_handler);
}

unsigned smp_stop_others(void)
{
	unsigned me = arch_cpu_id(), n = online_cpus(), want = n - 1;
	u64 end;

	if (n == 1)
		return 0;
	__atomic_store_n(&stopping, true, __ATOMIC_RELEASE);
	for (unsigned cpu = 0; cpu < n; cpu++)
		if (cpu != me)
			arch_ipi_send(cpu);
	/* A CPU spinning with interrupts off never answers: do not wait for
	 * it forever, the panic message matters more. */
	end = arch_clock_ns() + STOP_TIMEOUT_NS;
	while (__atomic_load_n(&nr_stopped, __ATOMIC_ACQUIRE) < want && arch_clock_ns() < end)
		cpu_relax();
	return want - __atomic_load_n(&nr_stopped, __ATOMIC_ACQUIRE);
}
