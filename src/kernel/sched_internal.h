/* Scheduler internals shared by the core and its classes. */
#ifndef SCHED_INTERNAL_H
#define SCHED_INTERNAL_H

#include <umka/sched.h>
#include <umka/spinlock.h>
#include <umka/time.h>

struct rq;

/* A scheduling class: one policy's runnable set. The core calls these with
 * the rq lock held and rq->clock fresh. */
struct sched_class {
	const char *name;
	void (*enqueue)(struct rq *rq, struct task *t, bool initial);
	void (*dequeue)(struct rq *rq, struct task *t, bool sleep);
	/* Take the best task out of the runnable set as the running one. */
	struct task *(*pick_next)(struct rq *rq);
	/* The running task stops running but stays runnable. */
	void (*put_prev)(struct rq *rq, struct task *t);
	/* Timer tick for the running task; true asks for a reschedule. */
	bool (*tick)(struct rq *rq, struct task *t);
	/* Should woken t (of this class) preempt the running task of this class? */
	bool (*wakeup_preempt)(struct rq *rq, struct task *t);
	/* The running task yields: move it behind its peers. */
	void (*yield)(struct rq *rq, struct task *t);
	int rank;	/* higher runs first */
};

struct rt_rq {
	struct list_head queue[RT_PRIO_MAX + 1];	/* by rt_prio, FIFO within */
	u64 bitmap[2];					/* non-empty queues */
	unsigned nr;
};

struct rq {
	struct spinlock lock;
	struct task *curr;		/* under lock, also this_cpu()->running */
	struct task *idle;
	struct fair_rq fair;
	struct rt_rq rt;
	unsigned nr_running;		/* queued + running, idle excluded */
	u64 clock;			/* ktime at the last update */
	u64 nr_switches;
	struct hrtimer tick;		/* runs while a non-idle task does */
	bool tick_armed;
	struct task *dead;		/* exited task to reap after the switch */
	unsigned cpu;
};

extern const struct sched_class rt_class, fair_class, idle_class;

void rt_rq_init(struct rt_rq *rt);

#endif
