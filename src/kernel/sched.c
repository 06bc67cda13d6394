/* The scheduler core: per-CPU runqueues, context switches, wakeups, the tick
 * and kernel threads. Policy lives in the classes (sched_rt.c, the EEVDF
 * sched_fair.c, idle below); this file only decides when to switch.
 *
 * Locking: rq->lock (irq-safe) protects the runqueue and the on_rq/state of
 * its tasks. It is held across arch_context_switch and released by the task
 * switched to, so no CPU ever sees a half-switched runqueue.
 *
 * SMP: a task belongs to one runqueue (t->cpu) and only moves when it
 * becomes runnable: a new thread or a wakeup of a sleeping task chooses a
 * CPU (select_cpu below), is queued there under that rq's lock, and the CPU
 * gets an IPI if the newcomer should preempt what it runs. A running or
 * preempted task never moves, so `current` and per-CPU data reached from a
 * task stay valid until it sleeps. t->cpu changes only with the old rq's
 * lock held, and holding that lock also proves t's last switch away from
 * the old CPU has finished (the switch holds it until the next task runs):
 * its context is saved before another CPU may resume it. Two runqueues are
 * locked in CPU order, the second at LOCK_LEVEL_RUNQUEUE + 1. */
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/printk.h>
#include <umka/rcu.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/trace.h>
#include <umka/wait.h>

#include "sched_internal.h"

extern struct task boot_tasks[NR_CPUS];

static struct rq runqueues[NR_CPUS];
static DEFINE_SPINLOCK(tasks_lock, LOCK_LEVEL_WAITQUEUE);
static LIST_HEAD(all_tasks);			/* under tasks_lock */
static int next_tid = 1;			/* under tasks_lock */
static struct wait_queue task_exit_wq = WAIT_QUEUE_INIT(task_exit_wq);

/* Stable tracepoints (docs/tracing.md); prev_state is enum task_state. */
DEFINE_TRACEPOINT(sched_switch, "prev=%llu next=%llu prev_state=%llu");
DEFINE_TRACEPOINT(sched_wakeup, "tid=%llu cpu=%llu");
DEFINE_TRACEPOINT(sched_migrate, "tid=%llu from=%llu to=%llu");
DEFINE_TRACEPOINT(kthread_create, "tid=%llu bound=%lld");

static struct rq *this_rq(void)
{
	return &runqueues[arch_cpu_id()];
}

static struct rq *task_rq(const struct task *t)
{
	return &runqueues[READ_ONCE(t->cpu)];
}

/* Lock the runqueue t belongs to; t->cpu cannot change while it is held.
 * Interrupts must already be off. */
static struct rq *task_rq_lock(struct task *t)
{
	for (;;) {
		struct rq *rq = task_rq(t);

		spin_lock(&rq->lock);
		if (likely(rq->cpu == t->cpu))
			return rq;
		spin_unlock(&rq->lock);
	}
}

/* Two runqueues, lower CPU first (the order every CPU uses). */
static void double_rq_lock(struct rq *a, struct rq *b)
{
	if (a->cpu > b->cpu) {
		struct rq *x = a;

		a = b;
		b = x;
	}
	spin_lock(&a->lock);
	spin_lock_nested(&b->lock, 1);
}

static const struct sched_class *task_class(const struct task *t)
{
	switch (t->policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		return &rt_class;
	case SCHED_IDLE_TASK:
		return &idle_class;
	default:
		return &fair_class;
	}
}

/* ---- fair class adapter ------------------------------------------------ */

static void fair_class_enqueue(struct rq *rq, struct task *t, bool initial)
{
	fair_enqueue(&rq->fair, &t->se, initial, rq->clock);
}

static void fair_class_dequeue(struct rq *rq, struct task *t, bool sleep)
{
	fair_dequeue(&rq->fair, &t->se, sleep, rq->clock);
}

static struct task *fair_class_pick(struct rq *rq)
{
	struct sched_entity *se = fair_pick_next(&rq->fair, rq->clock);

	return se ? container_of(se, struct task, se) : NULL;
}

static void fair_class_put_prev(struct rq *rq, struct task *t)
{
	fair_put_prev(&rq->fair, &t->se, rq->clock);
}

static bool fair_class_tick(struct rq *rq, struct task *t)
{
	return fair_update_curr(&rq->fair, rq->clock) && rq->fair.nr_running > 1;
}

static bool fair_class_wakeup_preempt(struct rq *rq, struct task *t)
{
	return fair_wakeup_preempt(&rq->fair, &t->se, rq->clock);
}

static void fair_class_yield(struct rq *rq, struct task *t)
{
	fair_yield(&rq->fair, &t->se, rq->clock);
}

const struct sched_class fair_class = {
	.name = "fair",
	.enqueue = fair_class_enqueue,
	.dequeue = fair_class_dequeue,
	.pick_next = fair_class_pick,
	.put_prev = fair_class_put_prev,
	.tick = fair_class_tick,
	.wakeup_preempt = fair_class_wakeup_preempt,
	.yield = fair_class_yield,
	.rank = 1,
};

/* ---- idle class: the per-CPU idle task, picked when nothing else is ---- */

static void idle_noop(struct rq *rq, struct task *t) { }
static void idle_enqueue(struct rq *rq, struct task *t, bool initial) { }
static void idle_dequeue(struct rq *rq, struct task *t, bool sleep)
{
	panic("idle task %s tried to sleep", t->name);
}
static struct task *idle_pick(struct rq *rq) { return rq->idle; }
static bool idle_tick(struct rq *rq, struct task *t) { return false; }
static bool idle_wakeup_preempt(struct rq *rq, struct task *t) { return false; }

const struct sched_class idle_class = {
	.name = "idle",
	.enqueue = idle_enqueue,
	.dequeue = idle_dequeue,
	.pick_next = idle_pick,
	.put_prev = idle_noop,
	.tick = idle_tick,
	.wakeup_preempt = idle_wakeup_preempt,
	.yield = idle_noop,
	.rank = 0,
};

/* ---- core ------------------------------------------------------------------ */

/* Ask rq's CPU to reschedule at its next preemption point; another CPU
 * is interrupted (IPI) so that point comes now, also out of idle. */
static unsigned long resched_ipis[NR_CPUS];	/* sent to each CPU; atomic */

unsigned long sched_resched_ipis(unsigned cpu)
{
	return cpu < NR_CPUS ? __atomic_load_n(&resched_ipis[cpu], __ATOMIC_RELAXED) : 0;
}

static void resched_curr(struct rq *rq)
{
	WRITE_ONCE(cpu_state_of(rq->cpu)->need_resched, true);
	if (rq->cpu != arch_cpu_id()) {
		smp_mb();	/* the queued task and the flag before the IPI */
		__atomic_fetch_add(&resched_ipis[rq->cpu], 1, __ATOMIC_RELAXED);
		arch_ipi_send(rq->cpu);
	}
}

static void check_preempt(struct rq *rq, struct task *t)
{
	const struct sched_class *tc = task_class(t), *cc = task_class(rq->curr);

	if (tc->rank > cc->rank || (tc == cc && tc->wakeup_preempt(rq, t)))
		resched_curr(rq);
}

static enum hrtimer_restart tick_fn(struct hrtimer *timer)
{
	sched_tick();
	hrtimer_forward(timer, ktime_get_ns(), FAIR_TICK_NS);
	return HRTIMER_RESTART;
}

/* The tick only runs while a real task does: an idle CPU sleeps until its
 * next timer instead of waking every millisecond. */
static void tick_update(struct rq *rq, struct task *next)
{
	if (next == rq->idle && rq->tick_armed) {
		hrtimer_cancel(&rq->tick);
		rq->tick_armed = false;
	} else if (next != rq->idle && !rq->tick_armed) {
		hrtimer_start(&rq->tick, rq->clock + FAIR_TICK_NS);
		rq->tick_armed = true;
	}
}

static struct task *pick_next_task(struct rq *rq)
{
	struct task *t = rt_class.pick_next(rq);

	if (!t)
		t = fair_class.pick_next(rq);
	if (!t)
		t = idle_class.pick_next(rq);
	return t;
}

static void reap_task(struct task *t)
{
	arch_context_destroy(&t->ctx);
	if (t->stack_guarded)
		arch_stack_unguard(t->stack_base);
	page_free_virt(t->stack_base, KTHREAD_STACK_ORDER);
	t->ctx.stack = NULL;
	t->stack_base = NULL;
	t->stack_end = NULL;
	task_put(t);
}

/* Lay out a new kernel thread's stack: a guard page at the bottom where
 * the machine can make one, then the end-of-stack word. Returns the
 * lowest usable address; *size is cut by the guard. */
static void *stack_init(struct task *t, void *pages, size_t *size)
{
	size_t guard = arch_stack_guard(pages) ? PAGE_SIZE : 0;

	t->stack_base = pages;
	t->stack_guarded = guard != 0;
	t->stack_end = (u64 *)((char *)pages + guard);
	*t->stack_end = STACK_END_MAGIC;
	*size -= guard;
	return t->stack_end;
}

/* An overrun that skipped the guard page (or a machine without one) shows
 * as a changed end-of-stack word; say so before it does more harm. */
static void stack_check(const struct task *t)
{
	if (unlikely(t->stack_end && READ_ONCE(*t->stack_end) != STACK_END_MAGIC))
		panic("kernel stack overflow: %s (tid %d) wrote past the end of its stack",
		      t->name, t->tid);
}

bool task_stack_guard_hit(uintptr_t addr)
{
	const struct task *t = current;

	return t && t->stack_guarded && addr >= (uintptr_t)t->stack_base &&
	       addr < (uintptr_t)t->stack_base + PAGE_SIZE;
}

/* Second half of a switch, run by the task switched to: release the rq lock
 * the switching task took (lockcheck already dropped it from that task). */
static void finish_switch(struct rq *rq, unsigned long flags)
{
	struct task *dead = rq->dead;

	rq->dead = NULL;
	arch_spin_release(&rq->lock);
	preempt_enable_no_resched();
	irq_restore(flags);
	if (dead)
		reap_task(dead);
}

/* Switch to the best runnable task. A preempted task stays runnable
 * whatever its state: it may have set TASK_UNINTERRUPTIBLE on its way to
 * sleep and been preempted before checking its condition; dequeuing it then
 * would lose a wakeup that already happened. */
static void __schedule(bool preempt)
{
	unsigned long flags = irq_save();
	struct cpu_state *cpu = this_cpu();
	struct rq *rq = &runqueues[cpu->id];
	struct task *prev, *next;

	if (unlikely(cpu->preempt_count))
		panic("scheduling while atomic: %s, preempt_count %u",
		      cpu->running->name, cpu->preempt_count);
	stack_check(cpu->running);
	/* No RCU reader can span a voluntary or preempting switch. Reported
	 * before taking the rq lock: the report may wake the RCU thread. */
	rcu_note_qs();
	spin_lock(&rq->lock);
	prev = rq->curr;
	rq->clock = ktime_get_ns();
	if (!preempt && prev->state != TASK_RUNNING && prev->on_rq) {
		task_class(prev)->dequeue(rq, prev, true);
		prev->on_rq = false;
		WRITE_ONCE(rq->nr_running, rq->nr_running - 1);
	} else if (!prev->requeued) {
		task_class(prev)->put_prev(rq, prev);
	}
	prev->requeued = false;
	next = pick_next_task(rq);
	WRITE_ONCE(cpu->need_resched, false);
	tick_update(rq, next);
	lockcheck_release(&rq->lock);
	if (next != prev) {
		WRITE_ONCE(rq->curr, next);
		cpu->running = next;
		rq->nr_switches++;
		next->nr_switches++;
		if (prev->state == TASK_DEAD)
			rq->dead = prev;
		TRACE(sched_switch, prev->tid, next->tid, prev->state);
		arch_context_switch(&prev->ctx, &next->ctx);
		/* Running as prev again: whoever switched here holds our rq lock. */
		rq = this_rq();
	}
	finish_switch(rq, flags);
}

void schedule(void)
{
	__schedule(false);
}

void preempt_schedule(void)
{
	__schedule(true);
}

void yield(void)
{
	unsigned long flags = irq_save();
	struct rq *rq = this_rq();

	spin_lock(&rq->lock);
	rq->clock = ktime_get_ns();
	task_class(rq->curr)->yield(rq, rq->curr);
	spin_unlock(&rq->lock);
	irq_restore(flags);
	schedule();
}

/* ---- placement --------------------------------------------------------- */

static bool rq_is_idle(const struct rq *rq)
{
	return READ_ONCE(rq->curr) == rq->idle && READ_ONCE(rq->nr_running) == 0;
}

/* Where a task that becomes runnable should run. A bound task goes to its
 * CPU. Otherwise, in order: `prev` (its last CPU, or the creator's) if
 * idle, for a warm cache; the first idle online CPU; the online CPU with
 * the fewest runnable tasks, ties going to prev. The loads are read
 * without locks: a stale answer costs balance, never correctness. */
static unsigned select_cpu(const struct task *t, unsigned prev)
{
	unsigned n = online_cpus(), best = prev;

	if (t->bound_cpu >= 0)
		return (unsigned)t->bound_cpu;
	if (n == 1 || rq_is_idle(&runqueues[prev]))
		return prev;
	for (unsigned i = 0; i < n; i++)
		if (rq_is_idle(&runqueues[i]))
			return i;
	for (unsigned i = 0; i < n; i++)
		if (READ_ONCE(runqueues[i].nr_running) < READ_ONCE(runqueues[best].nr_running))
			best = i;
	return best;
}

/* Queue runnable t on rq (locked) and preempt rq's CPU if t should run
 * before what it runs now. */
static void activate_task(struct rq *rq, struct task *t, bool initial)
{
	rq->clock = ktime_get_ns();
	task_class(t)->enqueue(rq, t, initial);
	t->on_rq = true;
	WRITE_ONCE(rq->nr_running, rq->nr_running + 1);
	check_preempt(rq, t);
}

bool wake_up_task(struct task *t)
{
	unsigned long flags = irq_save();
	struct rq *rq = task_rq_lock(t), *dst;

	if (t->state == TASK_RUNNING || t->state == TASK_DEAD) {
		spin_unlock(&rq->lock);
		irq_restore(flags);
		return false;
	}
	t->state = TASK_RUNNING;
	if (t->on_rq) {		/* still on its way to sleep: it stays */
		TRACE(sched_wakeup, t->tid, rq->cpu);
		spin_unlock(&rq->lock);
		irq_restore(flags);
		return true;
	}
	dst = &runqueues[select_cpu(t, rq->cpu)];
	TRACE(sched_wakeup, t->tid, dst->cpu);
	if (dst != rq) {
		/* RUNNING but not queued: this wakeup has claimed t, no other
		 * path queues or moves it, so the lock can be dropped to take
		 * both in CPU order. */
		spin_unlock(&rq->lock);
		double_rq_lock(rq, dst);
		TRACE(sched_migrate, t->tid, rq->cpu, dst->cpu);
		WRITE_ONCE(t->cpu, dst->cpu);
		activate_task(dst, t, false);
		spin_unlock(&rq->lock);
	} else {
		activate_task(rq, t, false);
	}
	spin_unlock(&dst->lock);
	irq_restore(flags);
	return true;
}

void sched_tick(void)
{
	struct rq *rq = this_rq();
	struct cpu_state *cpu = this_cpu();
	bool resched;

	spin_lock(&rq->lock);
	rq->clock = ktime_get_ns();
	resched = task_class(rq->curr)->tick(rq, rq->curr);
	if (resched)
		WRITE_ONCE(cpu->need_resched, true);
	spin_unlock(&rq->lock);
	/* Interrupted code that could be preempted holds no RCU reader. */
	rcu_tick(cpu->preempt_count == 0 && cpu->irq_depth <= 1);
}

/* ---- tasks ------------------------------------------------------------ */

void task_get(struct task *t)
{
	atomic_inc_return(&t->refs);
}

void task_put(struct task *t)
{
	unsigned long flags;

	if (atomic_dec_return(&t->refs) != 0)
		return;
	BUG_ON(t->policy == SCHED_IDLE_TASK);
	flags = spin_lock_irqsave(&tasks_lock);
	list_del_init(&t->all_node);
	spin_unlock_irqrestore(&tasks_lock, flags);
	kfree(t);
}

static void kthread_trampoline(void *arg)
{
	struct task *t = arg;

	finish_switch(this_rq(), 0);
	t->fn(t->arg);
	kthread_exit();
}

static void task_set_name(struct task *t, const char *name)
{
	size_t n = strlen(name);

	n = MIN(n, (size_t)TASK_NAME_LEN - 1);
	memcpy(t->name, name, n);
	t->name[n] = 0;
}

void sched_for_each_task(void (*fn)(struct task *t, void *arg), void *arg)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node)
		fn(t, arg);
	spin_unlock_irqrestore(&tasks_lock, flags);
}

static void task_register(struct task *t)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);

	t->tid = next_tid++;
	list_add_tail(&t->all_node, &all_tasks);
	spin_unlock_irqrestore(&tasks_lock, flags);
}

struct task *kthread_create(void (*fn)(void *), void *arg, const char *name)
{
	return kthread_create_on(fn, arg, name, -1);
}

struct task *kthread_create_on(void (*fn)(void *), void *arg, const char *name, int cpu)
{
	struct task *t;
	struct rq *rq;
	unsigned long flags;
	void *pages, *stack;
	size_t size = PAGE_SIZE << KTHREAD_STACK_ORDER;

	if (cpu >= 0 && !cpu_online((unsigned)cpu))
		return NULL;
	t = kzalloc(sizeof(*t), 0);

	if (!t)
		return NULL;
	pages = page_alloc_virt(KTHREAD_STACK_ORDER, 0);
	if (!pages) {
		kfree(t);
		return NULL;
	}
	stack = stack_init(t, pages, &size);
	task_set_name(t, name);
	t->fn = fn;
	t->arg = arg;
	t->policy = SCHED_NORMAL;
	t->state = TASK_RUNNING;
	t->bound_cpu = cpu;
	atomic_set(&t->refs, 2);	/* one for running, one for the caller */
	list_init(&t->rt_node);
	list_init(&t->all_node);
	fair_entity_init(&t->se, 0);
	arch_context_init(&t->ctx, stack, size, kthread_trampoline, t);
	task_register(t);
	TRACE(kthread_create, t->tid, (s64)cpu);

	flags = irq_save();
	t->cpu = select_cpu(t, arch_cpu_id());
	rq = task_rq(t);
	spin_lock(&rq->lock);
	activate_task(rq, t, true);
	spin_unlock(&rq->lock);
	irq_restore(flags);
	return t;
}

void kthread_exit(void)
{
	struct task *t = current;

	BUG_ON(t->policy == SCHED_IDLE_TASK);
	arch_irq_disable();
	/* The joiner's wait checks state; publish it before waking. */
	t->state = TASK_DEAD;
	wake_up_all(&task_exit_wq);
	schedule();
	panic("dead task %s was scheduled again", t->name);
}

void kthread_join(struct task *t)
{
	wait_event(task_exit_wq, READ_ONCE(t->state) == TASK_DEAD);
	/* The dead task may still be switching away; its last reference is
	 * dropped by the CPU that switched from it. Ours goes now. */
	task_put(t);
}

int sched_set_policy(struct task *t, int policy, int prio)
{
	struct rq *rq;
	unsigned long flags;
	bool running, queued;

	if (policy == SCHED_NORMAL ? prio != 0
	    : (policy != SCHED_FIFO && policy != SCHED_RR) || prio < 1 || prio > RT_PRIO_MAX)
		return -EINVAL;
	if (t->policy == SCHED_IDLE_TASK)
		return -EPERM;
	flags = irq_save();
	rq = task_rq_lock(t);
	rq->clock = ktime_get_ns();
	running = rq->curr == t;
	queued = t->on_rq;
	/* Move it between classes as a dequeue and an enqueue. A running task
	 * lands in its new class's runnable set, so the next schedule() must
	 * not put it back a second time: `requeued` tells it so. */
	if (queued) {
		if (running && !t->requeued)
			task_class(t)->put_prev(rq, t);
		task_class(t)->dequeue(rq, t, false);
	}
	t->policy = policy;
	t->rt_prio = prio;
	if (queued) {
		task_class(t)->enqueue(rq, t, false);
		t->requeued = running;
		resched_curr(rq);
	}
	spin_unlock(&rq->lock);
	irq_restore(flags);
	return 0;
}

void sched_set_nice(struct task *t, int nice)
{
	unsigned long flags = irq_save();
	struct rq *rq = task_rq_lock(t);

	rq->clock = ktime_get_ns();
	nice = CLAMP(nice, NICE_MIN, NICE_MAX);
	/* Charge the time already run at the old weight. */
	if (rq->fair.curr == &t->se)
		fair_update_curr(&rq->fair, rq->clock);
	fair_set_nice(t->se.on_rq ? &rq->fair : NULL, &t->se, nice);
	resched_curr(rq);
	spin_unlock(&rq->lock);
	irq_restore(flags);
}

int sched_bind(struct task *t, int cpu)
{
	unsigned long flags;
	struct rq *rq;

	if (cpu >= 0 && !cpu_online((unsigned)cpu))
		return -EINVAL;
	if (t->policy == SCHED_IDLE_TASK)
		return -EPERM;
	flags = irq_save();
	rq = task_rq_lock(t);
	t->bound_cpu = cpu;
	spin_unlock(&rq->lock);
	irq_restore(flags);
	return 0;
}

u64 sched_nr_switches(void)
{
	u64 n = 0;

	for (unsigned i = 0; i < online_cpus(); i++)
		n += READ_ONCE(runqueues[i].nr_switches);
	return n;
}

/* ---- bring-up ---------------------------------------------------------- */

void sched_init(void)
{
	for (unsigned i = 0; i < NR_CPUS; i++) {
		struct rq *rq = &runqueues[i];

		spin_lock_init(&rq->lock, "runqueue", LOCK_LEVEL_RUNQUEUE);
		fair_rq_init(&rq->fair);
		rt_rq_init(&rq->rt);
		hrtimer_init(&rq->tick, tick_fn);
		rq->cpu = i;
		rq->idle = &boot_tasks[i];
		rq->curr = rq->idle;
	}
}

void sched_start_cpu(void)
{
	struct rq *rq = this_rq();
	struct task *idle = rq->idle;

	list_init(&idle->rt_node);
	list_init(&idle->all_node);
	task_register(idle);
	idle->on_rq = true;
}

void sched_idle_loop(void)
{
	for (;;) {
		arch_irq_disable();
		rcu_note_qs();
		rcu_idle_enter();	/* may wake the grace-period thread: before the check */
		if (READ_ONCE(this_cpu()->need_resched)) {
			arch_irq_enable();
			schedule();
			continue;
		}
		arch_cpu_idle();
	}
}
