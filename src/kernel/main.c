/* kernel_main: the core's boot sequence, from the arch's boot_info to the
 * first kernel thread. Order matters: memory before anything allocates, the
 * scheduler before anything sleeps, timers before anything waits. */
#include <umka/console.h>
#include <umka/errno.h>
#include <umka/initramfs.h>
#include <umka/irq.h>
#include <umka/kernel.h>
#include <umka/ktest.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/printk.h>
#include <umka/rcu.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/smp.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/trace.h>
#include <umka/vfs.h>
#include <umka/workqueue.h>

#ifndef UMKA_VERSION
#define UMKA_VERSION "unknown"
#endif

struct kernel_params kernel_params;
const char *kernel_cmdline = "";
static u64 boot_ns;
static bool arch_holds;		/* arch_late_init: a service keeps the machine up */

u64 ktime_since_boot(void)
{
	return ktime_get_ns() - boot_ns;
}

void kernel_poweroff(enum halt_status status)
{
	pr_notice("Power down (status %d) after %llu us.\n", (int)status,
		  (unsigned long long)(ktime_since_boot() / 1000));
	arch_halt(status);
}

static void warn_unknown(const char *key, size_t len)
{
	pr_warn("Unknown kernel command line parameter \"%.*s\" ignored\n", (int)len, key);
}

/* mem= caps usable memory even where the machine reports more. */
static void limit_memory(struct boot_info *bi, u64 limit)
{
	u64 seen = 0;

	if (!limit)
		return;
	for (unsigned i = 0; i < bi->nr_mem; i++) {
		struct mem_region *r = &bi->mem[i];

		if (r->type != MEM_USABLE)
			continue;
		if (seen >= limit)
			r->size = 0;
		else if (r->size > limit - seen)
			r->size = limit - seen;
		seen += r->size;
	}
}

static void kernel_init(void *unused)
{
	struct kernel_params *p = &kernel_params;
	int r;

	if (p->ktest[0]) {
		r = ktest_run(p->ktest);
		pr_info("ktest: finished %llu us after boot\n",
			(unsigned long long)(ktime_since_boot() / 1000));
		kernel_poweroff(r == 0 ? HALT_POWEROFF : r < 0 ? HALT_BAD_CMDLINE
							  : HALT_TEST_FAILED);
	}
	if (p->bench[0]) {
		r = kbench_run(p->bench);
		kernel_poweroff(r < 0 ? HALT_BAD_CMDLINE : HALT_POWEROFF);
	}
	if (arch_holds) {
		pr_notice("init=%s: no user space yet; the machine stays up for its services\n",
			  p->init);
		return;
	}
	pr_notice("init=%s: no user space yet (process support is a later issue)\n", p->init);
	kernel_poweroff(HALT_POWEROFF);
}

/* ---- the other CPUs -------------------------------------------------------
 * The boot CPU starts them one at a time: each gets an idle stack from the
 * page allocator and the arch starts it in kernel_secondary_main. In order,
 * and waiting for each, so online CPUs are numbered 0..n-1 without gaps
 * (percpu.h) and a CPU that fails to start ends bring-up. */

extern struct task boot_tasks[NR_CPUS];

#define CPU_ONLINE_TIMEOUT_NS (5 * NSEC_PER_SEC)	/* TCG boots are slow */

/* A secondary CPU's first core code (arch.h). Its runqueue and timer base
 * were set up for all NR_CPUS by the boot CPU; it makes the stack it runs
 * on its idle task, then marks itself online. */
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

/* Start CPUs 1..want-1 one at a time (see kernel_secondary_main); returns
 * how many CPUs are online. */
static unsigned smp_boot(unsigned want)
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
			/* A CPU that was sent a start (-EIO) may still wake up and
			 * use the stack before it parks: leave it to it. */
			if (r != -EIO)
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

void kernel_main(struct boot_info *bi)
{
	char err[200];
	struct task *init;

	cpu_early_init(0);
	boot_ns = ktime_get_ns();
	kernel_cmdline = bi->cmdline;
	if (cmdline_parse(bi->cmdline, &kernel_params, err, sizeof(err))) {
		console_printf("umka: bad command line: %s\n", err);
		arch_halt(HALT_BAD_CMDLINE);
	}
	if (arch_cmdline_unsupported(&kernel_params)) {
		console_printf("umka: bad command line: %s= is not available on %s\n",
			       arch_cmdline_unsupported(&kernel_params), bi->machine);
		arch_halt(HALT_BAD_CMDLINE);
	}
	if (kernel_params.smp > bi->nr_cpus) {
		console_printf("umka: bad command line: smp=%u: this machine has %u CPU(s)\n",
			       kernel_params.smp, bi->nr_cpus);
		arch_halt(HALT_BAD_CMDLINE);
	}
	printk_set_console_level((enum log_level)kernel_params.loglevel);
	pr_notice("UmkaOS %s on %s\n", UMKA_VERSION, bi->machine);
	pr_info("Command line: %s\n", bi->cmdline);
	cmdline_for_each_unknown(bi->cmdline, warn_unknown);

	limit_memory(bi, kernel_params.mem_bytes);
	mm_init(bi);
	slab_init();
	trace_init(kernel_params.smp ? kernel_params.smp : bi->nr_cpus, kernel_params.trace_buf,
		   kernel_params.trace);
	timers_init();
	if (bi->wallclock_ns) {
		clock_set_real_ns(bi->wallclock_ns);
		pr_info("Real-time clock: %llu s since 1970 UTC\n",
			(unsigned long long)(bi->wallclock_ns / NSEC_PER_SEC));
	} else
		pr_info("No real-time clock: wall time counts from 1970 at boot\n");
	sched_init();
	sched_start_cpu();
	timers_start();
	smp_init();
	arch_irq_enable();
	pr_notice("SMP: %u of %u CPU(s) online\n",
		  smp_boot(kernel_params.smp ? kernel_params.smp : bi->nr_cpus), bi->nr_cpus);
	console_input_init();
	rcu_init();
	workqueue_init();
	vfs_init();
	initramfs_unpack_boot(bi);
	arch_holds = arch_late_init();

	init = kthread_create(kernel_init, NULL, "init");
	if (!init)
		panic("cannot start the init thread");
	task_put(init);
	pr_info("Boot took %llu us; entering the idle loop\n",
		(unsigned long long)(ktime_since_boot() / 1000));
	sched_idle_loop();
}
