/* ktest suite smp: every online CPU runs tasks at the same time, remote
 * wakeups arrive by IPI on the CPU chosen, a spinlock keeps an exact count
 * under contention from all CPUs, timers fire on every CPU, and RCU grace
 * periods wait for readers on other CPUs yet finish with idle CPUs. On one
 * CPU the same cases run their one-CPU paths (no IPI may be sent, a thread
 * bound to CPU 0 runs there), so the suite passes honestly everywhere. */
#include <umka/atomic.h>
#include <umka/errno.h>
#include <umka/irq.h>
#include <umka/ktest.h>
#include <umka/rcu.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/spinlock.h>
#include <umka/time.h>
#include <umka/wait.h>

/* Deadlock guards for the spinning barriers, not expectations on speed. */
#define GIVE_UP_NS (20 * NSEC_PER_SEC)

/* Wait, spinning without yielding, until *count reaches n: only true
 * parallelism (or the tick, on a shared CPU) gets everyone here. */
static bool spin_barrier(struct atomic *count, int n)
{
	u64 end = ktime_get_ns() + GIVE_UP_NS;

	atomic_inc_return(count);
	while (atomic_read_acquire(count) < n)
		if (ktime_get_ns() > end)
			return false;
		else
			cpu_relax();
	return true;
}

/* ---- every CPU at once ---------------------------------------------------- */

struct at_once {
	struct atomic arrived;
	int n;
	unsigned ran_on[NR_CPUS];
	bool all_met[NR_CPUS];
	unsigned id;
};

struct at_once_arg {
	struct at_once *s;
	unsigned slot;
};

static void at_once_fn(void *p)
{
	struct at_once_arg *a = p;

	preempt_disable();
	a->s->ran_on[a->slot] = arch_cpu_id();
	preempt_enable();
	a->s->all_met[a->slot] = spin_barrier(&a->s->arrived, a->s->n);
}

/* Run at_once_fn in n threads, thread i bound to CPU i if bind, and join
 * them all (on a failed create too: none may outlive the stack of a[]). */
static bool run_at_once(struct at_once *s, unsigned n, bool bind)
{
	struct at_once_arg a[NR_CPUS];
	struct task *th[NR_CPUS];
	unsigned made;

	atomic_set(&s->arrived, 0);
	s->n = (int)n;
	for (unsigned c = 0; c < n; c++) {
		s->ran_on[c] = NR_CPUS;
		s->all_met[c] = false;
	}
	for (made = 0; made < n; made++) {
		a[made] = (struct at_once_arg){ s, made };
		th[made] = bind ? kthread_create_on(at_once_fn, &a[made], "at_once", (int)made)
				: kthread_create(at_once_fn, &a[made], "spread");
		if (!th[made])
			break;
	}
	for (unsigned c = 0; c < made; c++)
		kthread_join(th[c]);
	return made == n;
}

static void threads_run_on_every_cpu_at_once(struct ktest *t)
{
	static struct at_once s;
	unsigned n = online_cpus();

	KT_ASSERT(t, n >= 1 && n <= NR_CPUS);
	KT_ASSERT(t, run_at_once(&s, n, true));
	for (unsigned c = 0; c < n; c++) {
		KT_EXPECT_EQ(t, s.ran_on[c], c);
		KT_EXPECT(t, s.all_met[c]);
	}
	KT_EXPECT_EQ(t, atomic_read(&s.arrived), n);
}

/* Unbound threads that spin (never sleep) must spread over the CPUs:
 * placement puts each on an idle CPU while there is one. */
static void unbound_threads_spread(struct ktest *t)
{
	static struct at_once s;
	unsigned n = online_cpus(), distinct = 0;
	unsigned long seen = 0;

	KT_ASSERT(t, run_at_once(&s, n, false));
	for (unsigned c = 0; c < n; c++) {
		KT_EXPECT(t, s.ran_on[c] < n);
		KT_EXPECT(t, s.all_met[c]);
		if (s.ran_on[c] < n && !(seen >> s.ran_on[c] & 1)) {
			seen |= 1UL << s.ran_on[c];
			distinct++;
		}
	}
	/* n spinners and the test's own CPU: at least two CPUs in use. */
	KT_EXPECT(t, distinct >= (n > 1 ? 2u : 1u));
}

/* ---- remote wakeup --------------------------------------------------------- */

struct remote_arg {
	struct completion go, done;
	unsigned woke_on;
};

static void remote_sleeper(void *p)
{
	struct remote_arg *a = p;

	wait_for_completion(&a->go);
	preempt_disable();
	a->woke_on = arch_cpu_id();
	preempt_enable();
	complete(&a->done);
}

/* A real-time thread bound to another CPU sleeps; our wakeup must queue it
 * there and interrupt that CPU (it outranks anything fair running there),
 * so the IPI count rises. On one CPU the thread shares ours and no IPI may
 * be sent at all. */
static void remote_wakeup_by_ipi(struct ktest *t)
{
	struct remote_arg a;
	unsigned n = online_cpus(), me, target;
	unsigned long ipis;
	struct task *th;
	bool fifo, asleep;

	preempt_disable();
	me = arch_cpu_id();
	preempt_enable();
	target = (me + 1) % n;
	completion_init(&a.go);
	completion_init(&a.done);
	a.woke_on = NR_CPUS;
	th = kthread_create_on(remote_sleeper, &a, "remote", (int)target);
	KT_ASSERT(t, th != NULL);
	fifo = sched_set_policy(th, SCHED_FIFO, 10) == 0;
	KT_EXPECT(t, fifo);
	/* Asleep in wait_for_completion (not just not yet started). */
	asleep = fifo &&
		 KT_WAIT_FOR(READ_ONCE(th->state) != TASK_RUNNING && !READ_ONCE(th->on_rq), 5000);
	KT_EXPECT(t, asleep);
	ipis = sched_resched_ipis(target);
	complete(&a.go);
	KT_EXPECT(t, wait_for_completion_timeout(&a.done, 10 * NSEC_PER_SEC) > 0);
	kthread_join(th);	/* before returning, whatever failed: a is ours */
	if (!asleep)
		return;
	KT_EXPECT_EQ(t, a.woke_on, target);
	/* The wakeup itself interrupted the target (RCU's IPIs do not count). */
	if (n > 1)
		KT_EXPECT(t, sched_resched_ipis(target) > ipis);
	else
		KT_EXPECT_EQ(t, sched_resched_ipis(target), ipis);
}

static void bind_rejects_offline_cpus(struct ktest *t)
{
	unsigned n = online_cpus();

	KT_EXPECT_EQ(t, sched_bind(current, (int)n), -EINVAL);
	KT_EXPECT_EQ(t, sched_bind(current, NR_CPUS + 5), -EINVAL);
	KT_EXPECT(t, kthread_create_on(at_once_fn, NULL, "never", (int)n) == NULL);
	KT_EXPECT(t, kthread_create_on(at_once_fn, NULL, "never", NR_CPUS) == NULL);
	/* and the test thread is still bound where the runner put it */
	KT_EXPECT(t, current->bound_cpu >= 0);
}

/* ---- a spinlock under fire from every CPU ------------------------------ */

enum { LOCK_ROUNDS = 20000 };

struct counter {
	struct spinlock lock;
	struct atomic ready;
	int n;
	u64 value;		/* under lock, updated non-atomically on purpose */
	int inside;		/* under lock: how many hold it (must stay 0/1) */
	int violations;
};

static void counter_fn(void *p)
{
	struct counter *c = p;

	/* Start together, so the rounds really overlap. */
	spin_barrier(&c->ready, c->n);
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		unsigned long flags = spin_lock_irqsave(&c->lock);
		u64 v = c->value;

		if (c->inside++)
			c->violations++;
		cpu_relax();	/* widen the window a broken lock would lose */
		WRITE_ONCE(c->value, v + 1);
		c->inside--;
		spin_unlock_irqrestore(&c->lock, flags);
	}
}

static void spinlock_counts_exactly_on_all_cpus(struct ktest *t)
{
	static struct counter c;
	struct task *th[NR_CPUS];
	unsigned n = online_cpus(), made;

	spin_lock_init(&c.lock, "ktest_counter", LOCK_LEVEL_TEST_SPIN);
	atomic_set(&c.ready, 0);
	c.n = (int)n;
	c.value = 0;
	c.inside = 0;
	c.violations = 0;
	for (made = 0; made < n; made++)
		if (!(th[made] = kthread_create_on(counter_fn, &c, "counter", (int)made)))
			break;
	for (unsigned cpu = 0; cpu < made; cpu++)
		kthread_join(th[cpu]);
	KT_ASSERT(t, made == n);
	KT_EXPECT_EQ(t, c.value, (u64)n * LOCK_ROUNDS);
	KT_EXPECT_EQ(t, c.violations, 0);
	KT_EXPECT(t, !spin_is_locked(&c.lock));
}

/* ---- timers on every CPU ------------------------------------------------- */

struct sleeper_arg {
	unsigned cpu;
	int stayed;		/* sleeps that woke on the bound CPU */
};

static void sleeper_fn(void *p)
{
	struct sleeper_arg *a = p;

	for (int i = 0; i < 5; i++) {
		msleep(1);	/* this CPU's timer base and timer interrupt */
		preempt_disable();
		a->stayed += arch_cpu_id() == a->cpu;
		preempt_enable();
	}
}

static void timers_fire_on_every_cpu(struct ktest *t)
{
	struct sleeper_arg a[NR_CPUS];
	struct task *th[NR_CPUS];
	unsigned n = online_cpus(), made;

	for (made = 0; made < n; made++) {
		a[made] = (struct sleeper_arg){ made, 0 };
		th[made] = kthread_create_on(sleeper_fn, &a[made], "sleeper", (int)made);
		if (!th[made])
			break;
	}
	for (unsigned cpu = 0; cpu < made; cpu++)	/* none may outlive a[] */
		kthread_join(th[cpu]);
	KT_ASSERT(t, made == n);
	for (unsigned cpu = 0; cpu < n; cpu++)
		KT_EXPECT_EQ(t, a[cpu].stayed, 5);
}

/* ---- RCU with every CPU ---------------------------------------------------- */

struct rcu_flag {
	struct rcu_head head;
	struct completion done;
	volatile bool ran;
};

static void flag_cb(struct rcu_head *h)
{
	struct rcu_flag *f = container_of(h, struct rcu_flag, head);

	f->ran = true;
	complete(&f->done);
}

struct holder_arg {
	volatile bool in, release;
};

/* Holds an RCU read-side section on its own CPU until told to leave. */
static void reader_holder(void *p)
{
	struct holder_arg *a = p;
	u64 end = ktime_get_ns() + GIVE_UP_NS;

	rcu_read_lock();
	a->in = true;
	while (!a->release && ktime_get_ns() < end)
		cpu_relax();
	rcu_read_unlock();
}

/* A grace period cannot end while a reader on any CPU (here: our own, then
 * another one) is inside its section, and must end once it leaves, even
 * with every other CPU idle and tickless. */
static void rcu_grace_period_waits_for_all_cpus(struct ktest *t)
{
	static struct rcu_flag f;	/* static: a stalled one stays valid */
	struct holder_arg h = { false, false };
	unsigned n = online_cpus(), me;
	u64 gps = rcu_completed_gps();
	struct task *th;

	completion_init(&f.done);
	f.ran = false;
	/* A reader on this CPU: nothing can complete while it holds. */
	rcu_read_lock();
	call_rcu(&f.head, flag_cb);
	for (u64 end = ktime_get_ns() + NSEC_PER_MSEC; ktime_get_ns() < end;)
		cpu_relax();
	KT_EXPECT(t, !f.ran);
	rcu_read_unlock();
	KT_EXPECT(t, wait_for_completion_timeout(&f.done, 10 * NSEC_PER_SEC) > 0);
	KT_EXPECT(t, rcu_completed_gps() > gps);
	if (n == 1)
		return;

	/* A reader on another CPU. */
	preempt_disable();
	me = arch_cpu_id();
	preempt_enable();
	completion_init(&f.done);
	f.ran = false;
	th = kthread_create_on(reader_holder, &h, "rcu_holder", (int)((me + 1) % n));
	KT_ASSERT(t, th != NULL);
	if (!KT_WAIT_FOR(h.in, 5000)) {
		KT_EXPECT(t, !"the reader thread never entered its read section");
		h.release = true;	/* h is on our stack: let it go first */
		kthread_join(th);
		return;
	}
	call_rcu(&f.head, flag_cb);
	msleep(5);		/* our CPU and the idle ones report meanwhile */
	KT_EXPECT(t, !f.ran);
	h.release = true;
	KT_EXPECT(t, wait_for_completion_timeout(&f.done, 10 * NSEC_PER_SEC) > 0);
	kthread_join(th);
}

/* Back-to-back grace periods with the other CPUs idle: each needs an
 * answer from CPUs that have nothing to run (the IPI path). */
static void rcu_grace_periods_with_idle_cpus(struct ktest *t)
{
	u64 gps = rcu_completed_gps();

	static struct rcu_flag f[20];	/* static: a stalled one stays valid */

	for (int i = 0; i < 20; i++) {
		completion_init(&f[i].done);
		f[i].ran = false;
		call_rcu(&f[i].head, flag_cb);
		KT_ASSERT(t, wait_for_completion_timeout(&f[i].done, 10 * NSEC_PER_SEC) > 0);
	}
	KT_EXPECT(t, rcu_completed_gps() >= gps + 20);
}

KTEST_SUITE(smp,
	    KTEST_CASE(threads_run_on_every_cpu_at_once),
	    KTEST_CASE(unbound_threads_spread),
	    KTEST_CASE(remote_wakeup_by_ipi),
	    KTEST_CASE(bind_rejects_offline_cpus),
	    KTEST_CASE(spinlock_counts_exactly_on_all_cpus),
	    KTEST_CASE(timers_fire_on_every_cpu),
	    KTEST_CASE(rcu_grace_periods_with_idle_cpus),
	    KTEST_CASE(rcu_grace_period_waits_for_all_cpus));
