/* RCU grace periods from quiescent states (see rcu.h). A kernel thread
 * drives grace periods: it starts one when callbacks are waiting, each
 * online CPU reports a quiescent state once (context switch, idle, or a tick
 * that interrupted preemptible code), and when the last CPU has reported,
 * the callbacks queued before the grace period started are run. A CPU that
 * comes online during a grace period owes it nothing: it held no reader
 * when the grace period began. Idle CPUs are sent an IPI (see the thread).
 *
 * Numbering: gp_started counts grace periods begun, gp_done those ended.
 * A callback queued while gp_started == s needs grace period s+1: one that
 * begins after it was queued, so every reader it could race with is covered. */
#include <umka/panic.h>
#include <umka/printk.h>
#include <umka/rcu.h>
#include <umka/sched.h>
#include <umka/spinlock.h>
#include <umka/wait.h>

static DEFINE_SPINLOCK(rcu_lock, LOCK_LEVEL_RCU);
static u64 gp_started;			/* under rcu_lock */
static u64 gp_done;			/* under rcu_lock */
static bool qs_needed[NR_CPUS];		/* this CPU owes the current GP a QS; under rcu_lock */
static unsigned qs_pending;		/* CPUs that still owe one; under rcu_lock */
static struct rcu_head *cb_head;	/* queued callbacks in gp order; under rcu_lock */
static struct rcu_head **cb_tail = &cb_head;
static unsigned nr_lazy;		/* queued by call_rcu_lazy, no wakeup yet; rcu_lock */
static struct wait_queue rcu_wq = WAIT_QUEUE_INIT(rcu_wq);
static struct task *rcu_task;

static void report_qs(unsigned cpu)
{
	unsigned long flags;

	/* Racy peek first: most calls find nothing owed and stay lock-free. */
	if (!READ_ONCE(qs_needed[cpu]))
		return;
	flags = spin_lock_irqsave(&rcu_lock);
	if (qs_needed[cpu]) {
		qs_needed[cpu] = false;
		if (--qs_pending == 0) {
			spin_unlock_irqrestore(&rcu_lock, flags);
			wake_up_all(&rcu_wq);
			return;
		}
	}
	spin_unlock_irqrestore(&rcu_lock, flags);
}

void rcu_note_qs(void)
{
	report_qs(arch_cpu_id());
}

/* Hand queued lazy callbacks to the grace-period thread now. */
static void flush_lazy(void)
{
	unsigned long flags;

	if (!READ_ONCE(nr_lazy))
		return;
	flags = spin_lock_irqsave(&rcu_lock);
	nr_lazy = 0;
	spin_unlock_irqrestore(&rcu_lock, flags);
	wake_up_all(&rcu_wq);
}

void rcu_tick(bool quiescent)
{
	if (!quiescent)
		return;	/* the interrupted code may hold any lock: take none */
	report_qs(arch_cpu_id());
	/* Lazy callbacks wait for the next tick that finds the CPU out of
	 * any lock and reader... */
	flush_lazy();
}

void rcu_idle_enter(void)
{
	/* ...or for the CPU to go idle: an idle CPU has no tick, and lazy
	 * callbacks left behind would wait for the next unrelated wakeup. */
	flush_lazy();
}

static void rcu_queue(struct rcu_head *h, void (*fn)(struct rcu_head *h), bool lazy)
{
	unsigned long flags;
	bool wake;

	if (!READ_ONCE(rcu_task)) {
		/* Before rcu_init (host test harnesses): nothing runs
		 * beside the caller, so no reader can hold h. */
		fn(h);
		return;
	}
	flags = spin_lock_irqsave(&rcu_lock);
	if (lazy && ++nr_lazy < RCU_LAZY_BATCH) {
		wake = false;
	} else {
		/* the thread takes every queued callback, lazy ones too */
		wake = cb_head == NULL || nr_lazy != 0;
		nr_lazy = 0;
	}

	h->fn = fn;
	h->next = NULL;
	h->gp = gp_started + 1;
	*cb_tail = h;
	cb_tail = &h->next;
	spin_unlock_irqrestore(&rcu_lock, flags);
	if (wake)
		wake_up_all(&rcu_wq);
}

void call_rcu(struct rcu_head *h, void (*fn)(struct rcu_head *h))
{
	rcu_queue(h, fn, false);
}

void call_rcu_lazy(struct rcu_head *h, void (*fn)(struct rcu_head *h))
{
	rcu_queue(h, fn, true);
}

static bool gp_wanted(void)
{
	return READ_ONCE(cb_head) != NULL;
}

static bool gp_finished(void)
{
	return READ_ONCE(qs_pending) == 0;
}

static void run_ready_callbacks(void)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&rcu_lock);
		struct rcu_head *h = cb_head;

		if (!h || h->gp > gp_done) {
			spin_unlock_irqrestore(&rcu_lock, flags);
			return;
		}
		cb_head = h->next;
		if (!cb_head)
			cb_tail = &cb_head;
		spin_unlock_irqrestore(&rcu_lock, flags);
		h->fn(h);
	}
}

static void rcu_gp_thread(void *unused)
{
	for (;;) {
		unsigned long flags;
		unsigned n;

		wait_event(rcu_wq, gp_wanted());
		flags = spin_lock_irqsave(&rcu_lock);
		gp_started++;
		n = online_cpus();
		qs_pending = n;
		for (unsigned i = 0; i < n; i++)
			qs_needed[i] = true;
		spin_unlock_irqrestore(&rcu_lock, flags);
		/* An idle CPU sleeps without a tick and would never report:
		 * the IPI sends it round its idle loop, which reports. A busy
		 * CPU reports at its next switch or preemptible tick anyway. */
		for (unsigned i = 0; i < n; i++)
			if (i != arch_cpu_id())
				arch_ipi_send(i);
		/* Sleeping here is itself this CPU's quiescent state. */
		wait_event(rcu_wq, gp_finished());
		flags = spin_lock_irqsave(&rcu_lock);
		gp_done = gp_started;
		spin_unlock_irqrestore(&rcu_lock, flags);
		run_ready_callbacks();
	}
}

void rcu_init(void)
{
	rcu_task = kthread_create(rcu_gp_thread, NULL, "rcu_gp");
	if (!rcu_task)
		panic("rcu: cannot start the grace-period thread");
	task_put(rcu_task);	/* it never exits */
}

struct rcu_sync {
	struct rcu_head head;
	struct completion done;
};

static void rcu_sync_fn(struct rcu_head *h)
{
	complete(&container_of(h, struct rcu_sync, head)->done);
}

void synchronize_rcu(void)
{
	struct rcu_sync s;

	if (!READ_ONCE(rcu_task))
		return;		/* no readers but the caller yet: see call_rcu */
	completion_init(&s.done);
	call_rcu(&s.head, rcu_sync_fn);
	wait_for_completion(&s.done);
}

void rcu_barrier(void)
{
	/* Callbacks run in queue order, so one queued now runs after all. */
	synchronize_rcu();
}

u64 rcu_completed_gps(void)
{
	return READ_ONCE(gp_done);
}
