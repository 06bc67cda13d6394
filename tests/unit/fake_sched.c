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

/* rcu_init's thread; never started here, so call_rcu runs callbacks at
 * once (rcu.h) and these are only for the link. */
struct task *kthread_create(void (*fn)(void *), void *arg, const char *name)
{
	(void)fn;
	(void)arg;
	(void)name;
	fprintf(stderr, "fake_sched: kthread_create() called without a scheduler\n");
	abort();
}

void task_put(struct task *t)
{
	(void)t;
}
