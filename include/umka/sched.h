/* Tasks and the scheduler core. Each CPU has a runqueue with three classes
 * tried in order: real-time (SCHED_FIFO/SCHED_RR, priorities 1..99), fair
 * (EEVDF, nice -20..19) and idle. The timer tick and wakeups preempt. */
#ifndef UMKA_SCHED_H
#define UMKA_SCHED_H

#include <umka/arch.h>
#include <umka/atomic.h>
#include <umka/list.h>
#include <umka/percpu.h>
#include <umka/sched_fair.h>
#include <umka/types.h>

enum task_state {
	TASK_RUNNING = 0,
	TASK_INTERRUPTIBLE = 1,
	TASK_UNINTERRUPTIBLE = 2,
	TASK_DEAD = 4,
};

enum sched_policy {
	SCHED_NORMAL = 0,	/* Linux ABI numbers */
	SCHED_FIFO = 1,
	SCHED_RR = 2,
	SCHED_IDLE_TASK = 100,	/* internal: the per-CPU idle task */
};

#define RT_PRIO_MAX 99
#define RR_TIMESLICE_NS (100 * NSEC_PER_MSEC)
#define TASK_NAME_LEN 16
#define KTHREAD_STACK_ORDER 4		/* 64 KiB: room for host signal frames */
#define LOCKCHECK_DEPTH 24

struct held_lock {
	const void *lock;
	const char *name;
	unsigned level;
	uintptr_t ip;		/* where it was taken */
};

struct task {
	struct arch_context ctx;
	int state;			/* enum task_state; written under the rq lock
					 * or by the task itself before sleeping */
	int policy;			/* enum sched_policy */
	int rt_prio;			/* 1..99 for FIFO/RR */
	u64 rr_left;			/* SCHED_RR: ns left in this round */
	struct sched_entity se;		/* fair class state */
	struct list_head rt_node;	/* in the rt priority list while queued */
	bool on_rq;			/* queued or running on rq; under the rq lock */
	bool requeued;			/* running, but already back in its class's set */
	unsigned cpu;			/* runqueue it belongs to; changes only
					 * under that rq's lock, at wakeup */
	int bound_cpu;			/* -1: any online CPU, else only this one */
	int tid;
	char name[TASK_NAME_LEN];
	void (*fn)(void *);
	void *arg;
	struct list_head all_node;	/* all_tasks, under tasks_lock */
	struct atomic refs;		/* freed when it drops to zero */
	u64 nr_switches;		/* times switched in */
	void *wait_data;		/* scratch for the primitive it sleeps in */
	void *stack_base;		/* pages of its stack (kthreads; else NULL) */
	u64 *stack_end;			/* holds STACK_END_MAGIC while the stack
					 * has not been overrun (kthreads only) */
	bool stack_guarded;		/* lowest stack page is arch_stack_guard'ed */
	/* lock checker (UMKA_DEBUG): locks held, innermost last */
	unsigned nr_held;
	struct held_lock held[LOCKCHECK_DEPTH];
};

void sched_init(void);
/* Bring this CPU's scheduler up; the calling context becomes its idle task. */
void sched_start_cpu(void);
/* Idle loop of the calling CPU; never returns. */
__noreturn void sched_idle_loop(void);

/* Create a kernel thread running fn(arg); it starts runnable (wake it up is
 * not needed). Returns NULL on OOM. The thread exits when fn returns. */
struct task *kthread_create(void (*fn)(void *), void *arg, const char *name);
/* The same, bound to cpu for life (unless sched_bind changes it); cpu -1
 * is kthread_create. NULL also if cpu is not online. */
struct task *kthread_create_on(void (*fn)(void *), void *arg, const char *name, int cpu);
/* Wait until t has exited, then drop the caller's reference. */
void kthread_join(struct task *t);
__noreturn void kthread_exit(void);

void task_get(struct task *t);
void task_put(struct task *t);

/* Give up the CPU. The caller sets its state first to sleep (and must have
 * arranged a wakeup), or leaves TASK_RUNNING to yield. */
void schedule(void);
void yield(void);
/* Make t runnable; returns false if it was already running/runnable. */
bool wake_up_task(struct task *t);

static inline void set_current_state(int state)
{
	WRITE_ONCE(current->state, state);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* state before the condition check */
}

int sched_set_policy(struct task *t, int policy, int prio);	/* 0 or -EINVAL */
void sched_set_nice(struct task *t, int nice);
/* Run t only on cpu (-1: anywhere) from its next wakeup on; for the
 * calling task binding to the CPU it runs on holds at once (a running task
 * never moves). 0, -EINVAL (cpu not online) or -EPERM (an idle task). */
int sched_bind(struct task *t, int cpu);

/* Called from the tick timer (interrupt context). */
void sched_tick(void);

/* Call fn for every task (running, sleeping, or exited but not yet freed)
 * under the task list lock: fn must not sleep, allocate or take a lock
 * ordered before the wait queues. For procfs and umkafs. */
void sched_for_each_task(void (*fn)(struct task *t, void *arg), void *arg);

/* The lowest usable word of a kernel thread's stack; the switch code
 * panics if it changed ("kernel stack overflow"). */
#define STACK_END_MAGIC 0x57ac3e0d5a1ea5edULL

/* True if addr lies in the calling task's stack guard page: a fault there
 * is a stack overflow. For the arch's trap handlers. */
bool task_stack_guard_hit(uintptr_t addr);

/* Statistics for benchmarks and tests. */
u64 sched_nr_switches(void);

/* Reschedule IPIs sent to cpu so far (wakeups and preemptions from other
 * CPUs); other IPIs, such as RCU's, are not counted. */
unsigned long sched_resched_ipis(unsigned cpu);

#endif
