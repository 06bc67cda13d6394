/* panic, warnings and backtraces. panic stops the machine with everything a
 * developer needs on the console: message, CPU, task and call chain. */
#include <umka/panic.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/smp.h>
#include <umka/string.h>
#include <umka/trace.h>

#define TRACE_DEPTH 24

extern bool printk_panic_mode;
unsigned long warn_count;
static int panic_cpu = -1;	/* the CPU that panicked first */

static void print_trace(enum log_level level)
{
	uintptr_t pcs[TRACE_DEPTH];
	char sym[128];
	unsigned n = arch_stack_trace(pcs, TRACE_DEPTH);

	printk(level, "Call trace:\n");
	/* Skip our own frame (print_trace) so the trace starts at the caller. */
	for (unsigned i = 1; i < n; i++) {
		arch_symbolize(pcs[i], sym, sizeof(sym));
		printk(level, "  %s\n", sym);
	}
}

/* The lock checker's record of what the task holds (debug builds). */
static void print_held_locks(const struct task *t)
{
	char sym[128];

	for (unsigned i = 0; t && i < t->nr_held; i++) {
		arch_symbolize(t->held[i].ip, sym, sizeof(sym));
		pr_emerg("  holds %s (level %u), taken at %s\n", t->held[i].name,
			 t->held[i].level, sym);
	}
}

void dump_stack(void)
{
	print_trace(LOG_ERR);
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	warn_count++;
	pr_warn("WARNING at %s:%d: %s\n", file, line, cond);
	print_trace(LOG_WARNING);
}

void panic(const char *fmt, ...)
{
	struct task *t = current;
	int me = (int)arch_cpu_id(), first = -1;
	unsigned deaf;
	char msg[256];
	va_list ap;

	arch_irq_disable();
	if (!__atomic_compare_exchange_n(&panic_cpu, &first, me, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST)) {
		if (first != me)
			smp_park();	/* another CPU reports its panic and halts */
		/* Panicked while panicking: say so raw and stop at once. */
		arch_console_write("\nKernel panic: recursive panic\n", 31);
		arch_halt(HALT_PANIC);
	}
	/* The others stop before we print: no interleaved output, and the
	 * log lock (ignored from here) is not in use by a live CPU. */
	deaf = smp_stop_others();
	printk_panic_mode = true;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_emerg("Kernel panic: %s\n", msg);
	pr_emerg("CPU %d, task %s (tid %d)\n", me, t ? t->name : "?", t ? t->tid : -1);
	if (deaf)
		pr_emerg("%u other CPU(s) did not stop (interrupts off?)\n", deaf);
	print_held_locks(t);
	print_trace(LOG_EMERG);
	trace_dump_tail();
	arch_halt(HALT_PANIC);
}
