/* No scheduler: for host programs that run core code single-threaded with
 * every lock uncontended (unit tests, fuzz harnesses). Nothing may sleep or
 * wake anyone; these stand in for the scheduler and keep sched.o, whose
 * preemption hook the fake machine replaces, out of the link. */
#include <stdio.h>
#include <stdlib.h>

#include <umka/sched.h>

void schedule(void)
{
	fprintf(stderr, "fake_sched: schedule() called: a lock was contended\n");
	abort();
}

bool wake_up_task(struct task *t)
{
	(void)t;
	fprintf(stderr, "fake_sched: wake_up_task() called without a scheduler\n");
	abort();
}
