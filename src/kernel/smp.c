/* SMP bring-up and stop. The boot CPU starts the others one at a time:
 * each gets an idle stack from the page allocator, the arch starts it in
 * kernel_secondary_main, and it brings up its own scheduler side (idle
 * task, runqueue, timer base, all initialised for NR_CPUS by the boot CPU)
 * before setting its online bit. Starting them in order keeps the online
 * CPUs numbered 0..n-1 without gaps (see percpu.h).
 *
 * IPIs carry no message: the core's only uses are "reschedule" (the sender
 * set need_resched first; irq_handle's exit path acts on it), "report an
 * RCU quiescent state" (an idle CPU leaves arch_cpu_idle and its idle loop
 * reports), and "stop" (panic), which the handler checks below. */
#include <umka/errno.h>
#include <umka/irq.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/smp.h>
#include <umka/time.h>

extern struct task boot_tasks[NR_CPUS];

#define CPU_ONLINE_TIMEOUT_NS (5 * NSEC_PER_SEC)	/* TCG boots are slow */
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

void kernel_secondary_main(unsigned cpu)
{
	cpu_early_init(cpu);
	sched_start_cpu();
	/* Online: others may now queue tasks here and send IPIs. */
	__atomic_fetch_or(&cpu_online_mask, 1UL << cpu, __ATOMIC_RELEASE);
	__atomic_fetch_add(&nr_cpus_online, 1, __ATOMIC_RELEASE);
	arch_irq_enable();
	sched_idle_loop();
}

unsigned smp_boot(unsigned want)
{
	size_t size = PAGE_SIZE << KTHREAD_STACK_ORDER;

	want = MIN(want, (unsigned)NR_CPUS);
	for (unsigned cpu = 1; cpu < want; cpu++) {
		void *stack = page_alloc_virt(KTHREAD_STACK_ORDER, 0);
		u64 end;
		int r;

		if (!stack) {
			pr_warn("smp: no memory for CPU %u's idle stack\n", cpu);
			break;
		}
		boot_tasks[cpu].ctx.stack = stack;
		boot_tasks[cpu].ctx.stack_size = size;
		r = arch_cpu_start(cpu, stack, size);
		if (r) {
			if (r != -ENOSYS)
				pr_warn("smp: CPU %u did not start (error %d)\n", cpu, r);
			boot_tasks[cpu].ctx.stack = NULL;
			page_free_virt(stack, KTHREAD_STACK_ORDER);
			break;
		}
		/* It runs our code now: it cannot be given up on. */
		end = arch_clock_ns() + CPU_ONLINE_TIMEOUT_NS;
		while (!cpu_online(cpu))
			if (arch_clock_ns() > end)
				panic("smp: CPU %u started but never came online", cpu);
			else
				cpu_relax();
	}
	return online_cpus();
}
