/* ktest suites for the core's synchronisation and deferred-work mechanisms:
 * timers, sleeping, wait queues, completions, mutexes, RCU, workqueues. They
 * run inside the booted kernel, on whatever machine it booted on. */
#include <umka/arch.h>
#include <umka/ktest.h>
#include <umka/mutex.h>
#include <umka/printk.h>
#include <umka/rcu.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/wait.h>
#include <umka/workqueue.h>

/* ---- timers ------------------------------------------------------------- */

struct fire_log {
	struct hrtimer t;
	int id;
	int *order;
	int *n;
	u64 fired_at;
};

static enum hrtimer_restart log_fire(struct hrtimer *t)
{
	struct fire_log *f = container_of(t, struct fire_log, t);

	f->order[(*f->n)++] = f->id;
	f->fired_at = ktime_get_ns();
	return HRTIMER_NORESTART;
}

static void timers_fire_in_expiry_order(struct ktest *t)
{
	struct fire_log f[5];
	int order[5], n = 0;
	static const int delay_us[5] = { 900, 300, 700, 100, 500 };
	unsigned long flags;
	u64 now;

	/* Arm all five with interrupts off: a host pause between two arms
	 * must not let an early timer fire before a later one is armed. */
	flags = irq_save();
	now = ktime_get_ns();
	for (int i = 0; i < 5; i++) {
		hrtimer_init(&f[i].t, log_fire);
		f[i].id = i;
		f[i].order = order;
		f[i].n = &n;
		hrtimer_start(&f[i].t, now + delay_us[i] * NSEC_PER_USEC);
	}
	irq_restore(flags);
	KT_ASSERT(t, KT_WAIT_FOR(READ_ONCE(n) == 5, 100));
	KT_EXPECT_EQ(t, order[0], 3);
	KT_EXPECT_EQ(t, order[1], 1);
	KT_EXPECT_EQ(t, order[2], 4);
	KT_EXPECT_EQ(t, order[3], 2);
	KT_EXPECT_EQ(t, order[4], 0);
	for (int i = 0; i < 5; i++)
		KT_EXPECT(t, f[i].fired_at >= now + delay_us[i] * NSEC_PER_USEC);
}

static void timer_cancel_prevents_fire(struct ktest *t)
{
	struct fire_log f;
	int order[1], n = 0;
	unsigned long flags;
	bool armed, cancelled;

	hrtimer_init(&f.t, log_fire);
	f.id = 7, f.order = order, f.n = &n;
	/* Interrupts off from arming to cancelling: however long a loaded
	 * TCG host stalls this vCPU, the timer cannot fire in between. */
	flags = irq_save();
	hrtimer_start(&f.t, ktime_get_ns() + 200 * NSEC_PER_USEC);
	armed = READ_ONCE(f.t.armed);
	cancelled = hrtimer_cancel(&f.t);
	irq_restore(flags);
	KT_EXPECT(t, armed);
	KT_EXPECT(t, cancelled && !READ_ONCE(f.t.armed));
	KT_EXPECT(t, !hrtimer_cancel(&f.t));
	/* nsleep's own timer expires later, and timers fire in expiry order. */
	nsleep(400 * NSEC_PER_USEC);
	KT_EXPECT_EQ(t, n, 0);
}

struct periodic {
	struct hrtimer t;
	int count;
};

static enum hrtimer_restart periodic_fn(struct hrtimer *h)
{
	struct periodic *p = container_of(h, struct periodic, t);

	if (++p->count == 5)
		return HRTIMER_NORESTART;
	hrtimer_forward(h, ktime_get_ns(), 200 * NSEC_PER_USEC);
	return HRTIMER_RESTART;
}

static void timer_restart_periodic(struct ktest *t)
{
	struct periodic p = { .count = 0 };

	hrtimer_init(&p.t, periodic_fn);
	hrtimer_start(&p.t, ktime_get_ns() + 200 * NSEC_PER_USEC);
	KT_EXPECT(t, KT_WAIT_FOR(READ_ONCE(p.count) == 5, 100));
	nsleep(400 * NSEC_PER_USEC);	/* and no sixth run */
	KT_EXPECT_EQ(t, READ_ONCE(p.count), 5);
	KT_EXPECT(t, !p.t.armed);
}

static void msleep_sleeps_at_least(struct ktest *t)
{
	u64 t0 = ktime_get_ns();

	msleep(1);
	KT_EXPECT(t, ktime_get_ns() - t0 >= NSEC_PER_MSEC);
	t0 = ktime_get_ns();
	nsleep(0);
	KT_EXPECT(t, ktime_get_ns() >= t0);
}

static void clock_is_monotonic(struct ktest *t)
{
	u64 prev = ktime_get_ns();
	bool ok = true;

	for (int i = 0; i < 10000; i++) {
		u64 now = ktime_get_ns();

		ok &= now >= prev;
		prev = now;
	}
	KT_EXPECT(t, ok);
}

/* The wall clock moves with the monotonic one, and every machine this
 * kernel boots on here (arch-um, QEMU's PC, virt boards) has a real-time
 * clock, so a wall time before 2020 means the boot reading was lost. */
static void clock_realtime_tracks_monotonic(struct ktest *t)
{
	u64 before, after, real, lo1, hi1, lo2, hi2, r0, r1;

	/* Bracket a wall reading between two monotonic ones: the offset lies
	 * in [real - after, real - before] however long the vCPU stalls, and
	 * two such brackets a while apart must share it. */
	before = ktime_get_ns();
	real = ktime_get_real_ns();
	after = ktime_get_ns();
	lo1 = real - after, hi1 = real - before;
	nsleep(100 * NSEC_PER_USEC);
	before = ktime_get_ns();
	real = ktime_get_real_ns();
	after = ktime_get_ns();
	lo2 = real - after, hi2 = real - before;
	KT_EXPECT(t, lo1 <= hi2 && lo2 <= hi1);
	KT_EXPECT(t, ktime_get_real_ns() / NSEC_PER_SEC >= 1577836800u);	/* 2020-01-01 */

	r0 = ktime_get_real_ns();
	clock_set_real_ns(r0 + 3600 * NSEC_PER_SEC);
	r1 = ktime_get_real_ns();
	clock_set_real_ns(r1 - 3600 * NSEC_PER_SEC);
	KT_EXPECT(t, r1 - r0 >= 3600 * NSEC_PER_SEC && r1 - r0 < 3601 * NSEC_PER_SEC);
}

KTEST_SUITE(timer,
	    KTEST_CASE(clock_is_monotonic),
	    KTEST_CASE(clock_realtime_tracks_monotonic),
	    KTEST_CASE(timers_fire_in_expiry_order),
	    KTEST_CASE(timer_cancel_prevents_fire),
	    KTEST_CASE(timer_restart_periodic),
	    KTEST_CASE(msleep_sleeps_at_least));

/* ---- wait queues and completions --------------------------------------- */

struct waiter_arg {
	struct wait_queue *wq;
	struct completion *done;
	volatile int *flag;
	int woke;
};

static void waiter_thread(void *p)
{
	struct waiter_arg *a = p;

	wait_event(*a->wq, READ_ONCE(*a->flag) != 0);
	a->woke = 1;
	complete(a->done);
}

static void wait_event_wakes_all(struct ktest *t)
{
	struct wait_queue wq;
	struct completion done;
	volatile int flag = 0;
	struct waiter_arg a[3];
	struct task *th[3];

	wait_queue_init(&wq);
	completion_init(&done);
	for (int i = 0; i < 3; i++) {
		a[i] = (struct waiter_arg){ &wq, &done, &flag, 0 };
		th[i] = kthread_create(waiter_thread, &a[i], "waiter");
		KT_ASSERT(t, th[i] != NULL);
	}
	msleep(1);	/* let them block */
	for (int i = 0; i < 3; i++)
		KT_EXPECT_EQ(t, a[i].woke, 0);
	flag = 1;
	wake_up_all(&wq);
	for (int i = 0; i < 3; i++)
		KT_EXPECT(t, wait_for_completion_timeout(&done, NSEC_PER_SEC) > 0);
	for (int i = 0; i < 3; i++) {
		kthread_join(th[i]);
		KT_EXPECT_EQ(t, a[i].woke, 1);
	}
}

static void wait_event_timeout_expires(struct ktest *t)
{
	struct wait_queue wq;
	u64 t0 = ktime_get_ns(), left;

	wait_queue_init(&wq);
	left = wait_event_timeout(wq, false, 500 * NSEC_PER_USEC);
	KT_EXPECT_EQ(t, left, 0);
	KT_EXPECT(t, ktime_get_ns() - t0 >= 500 * NSEC_PER_USEC);
	left = wait_event_timeout(wq, true, NSEC_PER_MSEC);
	KT_EXPECT(t, left > 0);
}

static void completer(void *p)
{
	msleep(1);
	complete(p);
}

static void completion_counts(struct ktest *t)
{
	struct completion c;
	struct task *th;

	completion_init(&c);
	KT_EXPECT(t, !completion_done(&c));
	complete(&c);
	complete(&c);
	wait_for_completion(&c);
	wait_for_completion(&c);
	KT_EXPECT_EQ(t, wait_for_completion_timeout(&c, 200 * NSEC_PER_USEC), 0);
	th = kthread_create(completer, &c, "completer");
	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, wait_for_completion_timeout(&c, NSEC_PER_SEC) > 0);
	kthread_join(th);
	complete_all(&c);
	wait_for_completion(&c);
	wait_for_completion(&c);
	KT_EXPECT(t, completion_done(&c));
}

/* A waiter frees the completion as soon as wait_for_completion returns
 * while complete() runs on another CPU: complete() must be done with it
 * by then. A late touch writes freed memory, which the slab's
 * write-after-free check reports at the next allocation of the object
 * (or the completer spins on a poisoned lock and the waiter gives up). */
#define HANDOFF_ROUNDS 3000

struct handoff {
	struct completion *slot;	/* atomic: next completion to complete */
	int stop;			/* atomic */
};

static void handoff_completer(void *p)
{
	struct handoff *h = p;
	struct completion *c;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		c = __atomic_exchange_n(&h->slot, NULL, __ATOMIC_ACQ_REL);
		if (c)
			complete(c);
		else
			cpu_relax();
	}
}

static void completion_freed_by_waiter(struct ktest *t)
{
	static struct handoff h;
	unsigned rounds = online_cpus() > 1 ? HANDOFF_ROUNDS : 20, done = 0;
	struct task *th;
	u64 end;

	h = (struct handoff){ NULL, 0 };
	th = kthread_create(handoff_completer, &h, "completer");
	KT_ASSERT(t, th != NULL);
	for (; done < rounds; done++) {
		struct completion *c = kmalloc(sizeof(*c), 0);

		if (!KT_EXPECT(t, c != NULL))
			break;
		completion_init(c);
		__atomic_store_n(&h.slot, c, __ATOMIC_RELEASE);
		/* Spin rather than sleep where another CPU completes: the
		 * waiter must be able to see `done` the moment it is set. */
		end = ktime_get_ns() + 5 * NSEC_PER_SEC;
		while (online_cpus() > 1 && !completion_done(c) && ktime_get_ns() < end)
			cpu_relax();
		if (!KT_EXPECT(t, wait_for_completion_timeout(c, 5 * NSEC_PER_SEC) > 0))
			break;	/* c stays: a stuck completer may still hold it */
		kfree(c);
	}
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	kthread_join(th);
	KT_EXPECT_EQ(t, done, rounds);
}

KTEST_SUITE(wait,
	    KTEST_CASE(wait_event_wakes_all),
	    KTEST_CASE(wait_event_timeout_expires),
	    KTEST_CASE(completion_counts),
	    KTEST_CASE(completion_freed_by_waiter));

/* ---- mutexes ----------------------------------------------------------- */

struct mutex_arg {
	struct mutex *m;
	int *counter;
	int *inside;
	int violations;
};

static void mutex_worker(void *p)
{
	struct mutex_arg *a = p;

	for (int i = 0; i < 200; i++) {
		mutex_lock(a->m);
		if ((*a->inside)++)
			a->violations++;
		int v = *a->counter;
		if (i % 16 == 0)
			yield();	/* let others try while we hold it */
		*a->counter = v + 1;
		(*a->inside)--;
		mutex_unlock(a->m);
	}
}

static void mutex_excludes(struct ktest *t)
{
	struct mutex m;
	int counter = 0, inside = 0;
	struct mutex_arg a[4];
	struct task *th[4];

	mutex_init(&m, "ktest_mutex", LOCK_LEVEL_TEST_OUTER);
	for (int i = 0; i < 4; i++) {
		a[i] = (struct mutex_arg){ &m, &counter, &inside, 0 };
		th[i] = kthread_create(mutex_worker, &a[i], "mutexer");
		KT_ASSERT(t, th[i] != NULL);
	}
	for (int i = 0; i < 4; i++) {
		kthread_join(th[i]);
		KT_EXPECT_EQ(t, a[i].violations, 0);
	}
	KT_EXPECT_EQ(t, counter, 800);
	KT_EXPECT(t, !mutex_is_locked(&m));
}

static void mutex_trylock_semantics(struct ktest *t)
{
	struct mutex m;

	mutex_init(&m, "ktest_try", LOCK_LEVEL_TEST_OUTER);
	KT_EXPECT(t, mutex_trylock(&m));
	KT_EXPECT(t, mutex_is_locked(&m));
	mutex_unlock(&m);
	KT_EXPECT(t, !mutex_is_locked(&m));
}

static void mutex_nested_levels(struct ktest *t)
{
	struct mutex outer, inner;

	mutex_init(&outer, "ktest_outer", LOCK_LEVEL_TEST_OUTER);
	mutex_init(&inner, "ktest_inner", LOCK_LEVEL_TEST_INNER);
	mutex_lock(&outer);
	mutex_lock(&inner);
	KT_EXPECT(t, mutex_is_locked(&inner));
	mutex_unlock(&inner);
	mutex_unlock(&outer);
#ifdef UMKA_DEBUG
	KT_EXPECT_EQ(t, current->nr_held, 0);
#endif
}

KTEST_SUITE(mutex,
	    KTEST_CASE(mutex_excludes),
	    KTEST_CASE(mutex_trylock_semantics),
	    KTEST_CASE(mutex_nested_levels));

/* ---- RCU --------------------------------------------------------------- */

struct rcu_box {
	struct rcu_head rcu;
	int value;
	int *freed;
};

static void box_free(struct rcu_head *h)
{
	struct rcu_box *b = container_of(h, struct rcu_box, rcu);

	(*b->freed)++;
	kfree(b);
}

static void rcu_callback_after_grace_period(struct ktest *t)
{
	struct rcu_box *b = kmalloc(sizeof(*b), 0);
	int freed = 0;
	u64 gps = rcu_completed_gps();

	KT_ASSERT(t, b != NULL);
	b->freed = &freed;
	call_rcu(&b->rcu, box_free);
	rcu_barrier();
	KT_EXPECT_EQ(t, freed, 1);
	KT_EXPECT(t, rcu_completed_gps() > gps);
}

/* Lazy callbacks: a full batch wakes the grace-period thread by itself, and
 * a partial one is covered by rcu_barrier like any other. */
static void rcu_lazy_batches(struct ktest *t)
{
	static volatile int freed;
	int *fp = (int *)&freed;

	freed = 0;
	for (int i = 0; i < RCU_LAZY_BATCH; i++) {
		struct rcu_box *b = kmalloc(sizeof(*b), 0);

		KT_ASSERT(t, b != NULL);
		b->freed = fp;
		call_rcu_lazy(&b->rcu, box_free);
	}
	KT_EXPECT(t, KT_WAIT_FOR(freed == RCU_LAZY_BATCH, 2000));
	for (int i = 0; i < 3; i++) {
		struct rcu_box *b = kmalloc(sizeof(*b), 0);

		KT_ASSERT(t, b != NULL);
		b->freed = fp;
		call_rcu_lazy(&b->rcu, box_free);
	}
	rcu_barrier();
	KT_EXPECT_EQ(t, freed, RCU_LAZY_BATCH + 3);
}

static struct rcu_box *rcu_shared;

struct reader_arg {
	volatile bool stop;
	int bad;
	unsigned long reads;
};

/* A reader sees either the old or the new box, always intact. */
static void rcu_reader(void *p)
{
	struct reader_arg *a = p;

	while (!a->stop) {
		rcu_read_lock();
		struct rcu_box *b = rcu_dereference(rcu_shared);
		if (b->value < 0 || b->value > 1000)
			a->bad++;
		a->reads++;
		rcu_read_unlock();
		if (a->reads % 64 == 0)
			yield();
	}
}

static void rcu_readers_never_see_freed(struct ktest *t)
{
	struct reader_arg a = { false, 0, 0 };
	struct task *r;
	int freed = 0;

	rcu_shared = kmalloc(sizeof(*rcu_shared), 0);
	KT_ASSERT(t, rcu_shared != NULL);
	rcu_shared->value = 0;
	rcu_shared->freed = &freed;
	r = kthread_create(rcu_reader, &a, "rcu_reader");
	KT_ASSERT(t, r != NULL);
	for (int i = 1; i <= 50; i++) {
		struct rcu_box *nb = kmalloc(sizeof(*nb), 0), *old;

		KT_ASSERT(t, nb != NULL);
		nb->value = i;
		nb->freed = &freed;
		old = rcu_shared;
		rcu_assign_pointer(rcu_shared, nb);
		if (i % 2) {
			synchronize_rcu();
			/* poison what a late reader would see */
			old->value = -1;
			(*old->freed)++;
			kfree(old);
		} else {
			call_rcu(&old->rcu, box_free);
		}
		yield();
	}
	a.stop = true;
	kthread_join(r);
	rcu_barrier();
	KT_EXPECT_EQ(t, a.bad, 0);
	KT_EXPECT(t, a.reads > 0);
	KT_EXPECT_EQ(t, freed, 50);
	kfree(rcu_shared);
}

KTEST_SUITE(rcu,
	    KTEST_CASE(rcu_callback_after_grace_period),
	    KTEST_CASE(rcu_lazy_batches),
	    KTEST_CASE(rcu_readers_never_see_freed));

/* ---- workqueues ---------------------------------------------------------- */

struct counted_work {
	struct work w;
	int runs;
	int requeue;
	struct workqueue *wq;
};

static void counted_fn(struct work *w)
{
	struct counted_work *c = container_of(w, struct counted_work, w);

	c->runs++;
	if (c->requeue-- > 0)
		queue_work(c->wq, w);
}

struct gate_work {
	struct work w;
	struct completion open;
};

static void gate_fn(struct work *w)
{
	wait_for_completion(&container_of(w, struct gate_work, w)->open);
}

static void workqueue_runs_and_flushes(struct ktest *t)
{
	struct workqueue *wq = workqueue_create("ktest_wq");
	struct counted_work c[8];
	struct gate_work gate;

	KT_ASSERT(t, wq != NULL);
	/* The worker (maybe on another CPU) must not start on the items
	 * before we are done queueing: a first item holds it until then. */
	work_init(&gate.w, gate_fn);
	completion_init(&gate.open);
	KT_EXPECT(t, queue_work(wq, &gate.w));
	for (int i = 0; i < 8; i++) {
		work_init(&c[i].w, counted_fn);
		c[i].runs = 0;
		c[i].requeue = i == 3 ? 4 : 0;
		c[i].wq = wq;
		KT_EXPECT(t, queue_work(wq, &c[i].w));
	}
	/* Already pending: a second queue is refused. */
	KT_EXPECT(t, !queue_work(wq, &c[7].w));
	complete(&gate.open);
	flush_work(&c[3].w);
	flush_workqueue(wq);
	for (int i = 0; i < 8; i++)
		KT_EXPECT_EQ(t, c[i].runs, i == 3 ? 5 : 1);
	workqueue_destroy(wq);
}

static int delayed_runs;

static void delayed_fn(struct work *w)
{
	delayed_runs++;
}

static void workqueue_delayed_and_cancel(struct ktest *t)
{
	struct delayed_work d1, d2;
	u64 t0 = ktime_get_ns();

	delayed_runs = 0;
	delayed_work_init(&d1, delayed_fn);
	delayed_work_init(&d2, delayed_fn);
	KT_EXPECT(t, queue_delayed_work(system_wq, &d2, 50 * NSEC_PER_MSEC));
	KT_EXPECT(t, queue_delayed_work(system_wq, &d1, NSEC_PER_MSEC));
	KT_EXPECT(t, !queue_delayed_work(system_wq, &d1, NSEC_PER_MSEC));
	KT_EXPECT(t, cancel_delayed_work_sync(&d2));
	KT_EXPECT(t, KT_WAIT_FOR(READ_ONCE(delayed_runs) == 1, 100));
	flush_work(&d1.work);
	KT_EXPECT(t, ktime_get_ns() - t0 >= NSEC_PER_MSEC);
	KT_EXPECT_EQ(t, delayed_runs, 1);
	KT_EXPECT(t, !d1.work.pending && !d1.timer.armed);
	KT_EXPECT(t, !d2.work.pending && !d2.timer.armed);
	KT_EXPECT(t, !cancel_delayed_work_sync(&d2));
}

KTEST_SUITE(workqueue,
	    KTEST_CASE(workqueue_runs_and_flushes),
	    KTEST_CASE(workqueue_delayed_and_cancel));

/* ---- printk ---------------------------------------------------------------- */

static void printk_ring_keeps_records(struct ktest *t)
{
	static const char want[] = "ktest marker 4242\n";
	size_t wlen = sizeof(want) - 1, n;
	char buf[160];
	u64 seq = 0;
	bool found = false;

	printk(LOG_DEBUG, "ktest marker %d\n", 4242);
	while ((n = printk_read(&seq, buf, sizeof(buf)))) {
		if (n > wlen && !memcmp(buf, "<7>", 3) && !memcmp(buf + n - wlen, want, wlen))
			found = true;
	}
	KT_EXPECT(t, found);
}

/* Backtraces are only as useful as the names in them: every machine maps
 * a pc inside a kernel function back to that function. */
static void symbolize_names_kernel_functions(struct ktest *t)
{
	char buf[160];

	arch_symbolize((uintptr_t)&kernel_main + 4, buf, sizeof(buf));
	pr_info("ktest: kernel_main+4 is %s\n", buf);
	KT_EXPECT(t, !strncmp(buf, "kernel_main+0x4 ", 16));
	arch_symbolize((uintptr_t)&msleep, buf, sizeof(buf));
	KT_EXPECT(t, !strncmp(buf, "msleep+0x0 ", 11));
}

KTEST_SUITE(printk, KTEST_CASE(printk_ring_keeps_records),
	    KTEST_CASE(symbolize_names_kernel_functions));

/* ---- deliberate faults ------------------------------------------------------ */

/* Fatal on purpose (ktest=fault, never part of ktest=all): a read through
 * a NULL pointer must stop the machine with the trap named, the registers
 * and a symbolized backtrace through this function, never hang or carry on
 * (tests/fault-boot.tap). Not static, so every machine can name it. On
 * arch-um the host's SIGSEGV is the trap (src/arch-um/trap.c). */
void fault_null_read(struct ktest *t);
/* UBSan would stop the read first; the trap is what is under test. */
__attribute__((no_sanitize("null"))) void fault_null_read(struct ktest *t)
{
	const volatile int *p = NULL;

	__asm__ __volatile__("" : "+r"(p));	/* the compiler must not know it is NULL */
	KT_EXPECT(t, *p == 0);
	KT_EXPECT(t, !"the read through NULL returned");
}

KTEST_SUITE_EXPLICIT(fault, KTEST_CASE(fault_null_read));

/* Fatal on purpose (ktest=fault_stack_smash): a kernel thread whose
 * end-of-stack word is overwritten, as by an overrun no guard page caught,
 * must stop the machine at its next switch with "kernel stack overflow"
 * naming it (tests/fault-boot.tap). */
void fault_stack_smash_thread(void *arg);
void fault_stack_smash_thread(void *arg)
{
	/* Interrupts off from the overwrite to the check: a tick in between
	 * would find it from the interrupt path, whose frames need not reach
	 * this function on every machine (seen on RISC-V). */
	unsigned long flags = irq_save();

	(void)arg;
	WRITE_ONCE(*current->stack_end, 0);
	yield();
	irq_restore(flags);
	barrier();	/* not a tail call: the report names this frame */
}

static void fault_stack_smash(struct ktest *t)
{
	struct task *k = kthread_create(fault_stack_smash_thread, NULL, "stack_smasher");

	KT_ASSERT(t, k != NULL);
	kthread_join(k);
	KT_EXPECT(t, !"the overwritten end-of-stack word went unnoticed");
}

KTEST_SUITE_EXPLICIT(fault_stack_smash, KTEST_CASE(fault_stack_smash));

/* W^X of the kernel image (hardware machines; docs/hw.md "Memory layout"):
 * text is read + execute, read-only data read only, data never executable.
 * Each case is fatal on purpose and has its own explicit suite, so that
 * tests/fault-boot.tap can boot them one at a time; each must stop the
 * machine with a page fault (data/instruction abort) whose backtrace names
 * the case. Returning means the mapping let the access through. The
 * accesses write back what they read, so an image that wrongly allows them
 * carries on unharmed to report the failure. */
void fault_wrtext(struct ktest *t);
void fault_wrtext(struct ktest *t)
{
	volatile u8 *p = (volatile u8 *)(uintptr_t)fault_wrtext;
	u8 old;

	__asm__ __volatile__("" : "+r"(p));
	old = *p;		/* reading text is allowed */
	*p = old;		/* writing it is not */
	KT_EXPECT(t, !"the write to kernel text returned");
}

static const u32 fault_rodata_word __attribute__((used)) = 0x600df00du;

void fault_wrrodata(struct ktest *t);
void fault_wrrodata(struct ktest *t)
{
	volatile u32 *p = (volatile u32 *)(uintptr_t)&fault_rodata_word;

	__asm__ __volatile__("" : "+r"(p));
	KT_EXPECT(t, *p == 0x600df00du);	/* reading read-only data is allowed */
	*p = 0x600df00du;
	KT_EXPECT(t, !"the write to a const object returned");
}

KTEST_SUITE_EXPLICIT(fault_wrtext, KTEST_CASE(fault_wrtext));
KTEST_SUITE_EXPLICIT(fault_wrrodata, KTEST_CASE(fault_wrrodata));

/* One return instruction, in .data (initialised, so it is in the image from
 * the start and no instruction cache maintenance is needed). */
#if defined(__x86_64__)
#define FAULT_RET_INSN 0xc3u		/* ret */
#elif defined(__aarch64__)
#define FAULT_RET_INSN 0xd65f03c0u	/* ret (x30) */
#elif defined(__riscv)
#define FAULT_RET_INSN 0x00008067u	/* jalr x0, 0(ra) */
#endif

#ifdef FAULT_RET_INSN
static u32 fault_data_code[4] __aligned(16) = { FAULT_RET_INSN };

/* Not inlined and not a tail call: its frame record holds the return
 * address into fault_exec_data, so the backtrace of the instruction fetch
 * fault (which happens before the data "function" builds a frame) names
 * the case. */
static __attribute__((noinline)) void fault_call_data(void (*fn)(void))
{
	fn();
	__asm__ __volatile__("" ::: "memory");
}

void fault_exec_data(struct ktest *t);
void fault_exec_data(struct ktest *t)
{
	void (*fn)(void) = (void (*)(void))(uintptr_t)fault_data_code;

	__asm__ __volatile__("" : "+r"(fn));
	fault_call_data(fn);
	KT_EXPECT(t, !"the call into a data buffer returned");
}

KTEST_SUITE_EXPLICIT(fault_exec_data, KTEST_CASE(fault_exec_data));
#endif
