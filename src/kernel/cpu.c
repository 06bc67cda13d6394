/* Per-CPU state and the boot tasks: each CPU starts life running on the
 * stack the arch booted it on, described by its boot task (later its idle
 * task), so `current` is valid from the first instruction of the core. */
#include <umka/percpu.h>
#include <umka/sched.h>

struct task boot_tasks[NR_CPUS];
struct cpu_state cpu_states[NR_CPUS];
unsigned nr_cpus_online = 1;
unsigned long cpu_online_mask = 1;

void cpu_early_init(unsigned cpu)
{
	struct task *t = &boot_tasks[cpu];

	t->state = TASK_RUNNING;
	t->policy = SCHED_IDLE_TASK;
	t->cpu = cpu;
	t->bound_cpu = (int)cpu;
	t->name[0] = 'i', t->name[1] = 'd', t->name[2] = 'l', t->name[3] = 'e';
	atomic_set(&t->refs, 1);
	cpu_states[cpu].id = cpu;
	cpu_states[cpu].running = t;
}
