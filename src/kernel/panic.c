/* panic, warnings and backtraces. panic stops the machine with everything a
 * developer needs on the console: message, CPU, task and call chain. */
#include <umka/panic.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/string.h>

#define TRACE_DEPTH 24

extern bool printk_panic_mode;
unsigned long warn_count;
static bool in_panic;

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
	char msg[256];
	va_list ap;

	arch_irq_disable();
	if (in_panic) {
		/* Panicked while panicking: say so raw and stop at once. */
		console_puts("\nKernel panic: recursive panic\n");
		arch_halt(HALT_PANIC);
	}
	in_panic = true;
	printk_panic_mode = true;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_emerg("Kernel panic: %s\n", msg);
	pr_emerg("CPU %u, task %s (tid %d)\n", arch_cpu_id(), t ? t->name : "?", t ? t->tid : -1);
	print_held_locks(t);
	print_trace(LOG_EMERG);
	arch_halt(HALT_PANIC);
}
