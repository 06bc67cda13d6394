/* Interrupt dispatch: the arch delivers a line, the core runs its handler
 * and, on the way out of the outermost interrupt, preempts the interrupted
 * task if a wakeup or the tick asked for it and preemption is allowed. */
#include <umka/arch.h>
#include <umka/irq.h>
#include <umka/panic.h>
#include <umka/percpu.h>
#include <umka/sched.h>
#include <umka/trace.h>

/* Stable tracepoint (docs/tracing.md): line is enum irq_line. */
DEFINE_TRACEPOINT(irq_entry, "line=%llu");

static void (*irq_handlers[NR_IRQ_LINES])(void);
static unsigned long irq_counts[NR_IRQ_LINES];
static unsigned long irq_spurious;

void irq_register(enum irq_line line, void (*fn)(void))
{
	BUG_ON(line >= NR_IRQ_LINES);
	irq_handlers[line] = fn;
}

void irq_handle(enum irq_line line)
{
	struct cpu_state *c = this_cpu();

	c->irq_depth++;
	TRACE(irq_entry, line);
	if (line < NR_IRQ_LINES && irq_handlers[line]) {
		__atomic_fetch_add(&irq_counts[line], 1, __ATOMIC_RELAXED);
		irq_handlers[line]();
	} else {
		__atomic_fetch_add(&irq_spurious, 1, __ATOMIC_RELAXED);
	}
	c->irq_depth--;
	if (c->irq_depth == 0 && READ_ONCE(c->need_resched) && c->preempt_count == 0)
		preempt_schedule();
}

unsigned long irq_count(enum irq_line line)
{
	return __atomic_load_n(line < NR_IRQ_LINES ? &irq_counts[line] : &irq_spurious,
			       __ATOMIC_RELAXED);
}
