/* Per-CPU state. Each CPU owns one struct cpu_state; code reaches its own
 * with this_cpu() while preemption or interrupts are off (otherwise the task
 * may migrate and the pointer go stale). */
#ifndef UMKA_PERCPU_H
#define UMKA_PERCPU_H

#include <umka/arch.h>
#include <umka/types.h>

#define NR_CPUS 8

struct task;

struct cpu_state {
	struct task *running;	/* running task; written only by this CPU */
	unsigned preempt_count;	/* preemption off while non-zero */
	unsigned irq_depth;	/* nesting of irq_handle on this CPU */
	bool need_resched;	/* set by wakeups/ticks (other CPUs too, under
				 * this CPU's rq lock, then an IPI), read at
				 * preemption points */
	unsigned id;
} __cacheline_aligned;

extern struct cpu_state cpu_states[NR_CPUS];
/* Online CPUs are numbered 0..nr_cpus_online-1 without gaps: a CPU that
 * fails to start ends bring-up. Both only grow, each CPU setting its own
 * bit (release) once its scheduler and timers work; read them with
 * acquire (cpu_online, online_cpus) before touching that CPU's state. */
extern unsigned nr_cpus_online;
extern unsigned long cpu_online_mask;

static inline unsigned online_cpus(void)
{
	return __atomic_load_n(&nr_cpus_online, __ATOMIC_ACQUIRE);
}

static inline bool cpu_online(unsigned cpu)
{
	return cpu < NR_CPUS &&
	       (__atomic_load_n(&cpu_online_mask, __ATOMIC_ACQUIRE) >> cpu & 1);
}

/* Make cpu's boot task current; the first thing a CPU does in the core. */
void cpu_early_init(unsigned cpu);

static inline struct cpu_state *this_cpu(void)
{
	return &cpu_states[arch_cpu_id()];
}

static inline struct cpu_state *cpu_state_of(unsigned cpu)
{
	return &cpu_states[cpu];
}

static inline struct task *current_task(void)
{
	return this_cpu()->running;
}
#define current current_task()

/* Preemption control. preempt_enable reschedules if a wakeup asked for it
 * while preemption was off. */
void preempt_schedule(void);

static inline void preempt_disable(void)
{
	this_cpu()->preempt_count++;
	barrier();
}

static inline void preempt_enable_no_resched(void)
{
	barrier();
	this_cpu()->preempt_count--;
}

static inline void preempt_enable(void)
{
	struct cpu_state *c;

	barrier();
	c = this_cpu();
	if (--c->preempt_count == 0 && unlikely(READ_ONCE(c->need_resched)) &&
	    !arch_irqs_disabled())
		preempt_schedule();
}

static inline bool in_interrupt(void)
{
	return this_cpu()->irq_depth != 0;
}

/* Interrupt save/restore built on the arch's enable/disable. */
static inline unsigned long irq_save(void)
{
	unsigned long was_disabled = arch_irqs_disabled();

	arch_irq_disable();
	return was_disabled;
}

static inline void irq_restore(unsigned long flags)
{
	if (!flags)
		arch_irq_enable();
}

#endif
