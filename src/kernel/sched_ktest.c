/* ktest suites for the scheduler: kernel threads, class order, FIFO/RR
 * yields, wakeup and tick preemption, and many threads at once. */
#include <umka/atomic.h>
#include <umka/ktest.h>
#include <umka/sched.h>
#include <umka/time.h>
#include <umka/wait.h>

static void set_flag(void *p)
{
	*(volatile int *)p = 1;
}

static void kthread_runs_and_joins(struct ktest *t)
{
	volatile int flag = 0;
	struct task *th = kthread_create(set_flag, (void *)&flag, "flagger");

	KT_ASSERT(t, th != NULL);
	KT_EXPECT(t, th->tid > 0);
	kthread_join(th);
	KT_EXPECT_EQ(t, flag, 1);
}

struct order_log {
	int ids[16];
	int n;
};

struct logger_arg {
	struct order_log *log;
	int id;
	int rounds;
};

static void log_and_yield(void *p)
{
	struct logger_arg *a = p;

	for (int i = 0; i < a->rounds; i++) {
		a->log->ids[a->log->n++] = a->id;
		yield();
	}
}

/* Create threads of one policy without letting any run until all exist.
 * They share the test's CPU (the runner binds it): the order checked is
 * one CPU's, not a race between CPUs. */
static bool start_loggers(struct logger_arg *a, struct task **th, int n, int policy,
			  const int *prio)
{
	bool ok = true;

	preempt_disable();
	for (int i = 0; i < n; i++) {
		th[i] = kthread_create_on(log_and_yield, &a[i], "logger", (int)arch_cpu_id());
		if (!th[i]) {
			ok = false;
			continue;
		}
		ok &= sched_set_policy(th[i], policy, prio[i]) == 0;
	}
	preempt_enable();
	return ok;
}

static void fifo_runs_by_priority(struct ktest *t)
{
	static const int prio[3] = { 10, 30, 20 };
	struct order_log log = { .n = 0 };
	struct logger_arg a[3];
	struct task *th[3];

	for (int i = 0; i < 3; i++)
		a[i] = (struct logger_arg){ &log, prio[i], 1 };
	KT_ASSERT(t, start_loggers(a, th, 3, SCHED_FIFO, prio));
	/* All three are real-time: they ran before we got the CPU back. */
	KT_EXPECT_EQ(t, log.n, 3);
	KT_EXPECT_EQ(t, log.ids[0], 30);
	KT_EXPECT_EQ(t, log.ids[1], 20);
	KT_EXPECT_EQ(t, log.ids[2], 10);
	for (int i = 0; i < 3; i++)
		kthread_join(th[i]);
}

static void rr_yield_alternates(struct ktest *t)
{
	static const int prio[2] = { 5, 5 };
	struct order_log log = { .n = 0 };
	struct logger_arg a[2] = { { &log, 1, 3 }, { &log, 2, 3 } };
	struct task *th[2];

	KT_ASSERT(t, start_loggers(a, th, 2, SCHED_RR, prio));
	KT_EXPECT_EQ(t, log.n, 6);
	for (int i = 0; i < 6; i++)
		KT_EXPECT_EQ(t, log.ids[i], i % 2 ? 2 : 1);
	for (int i = 0; i < 2; i++)
		kthread_join(th[i]);
}

static void set_policy_rejects_bad_input(struct ktest *t)
{
	struct task *th;

	KT_EXPECT(t, sched_set_policy(current, SCHED_FIFO, 0) < 0);
	KT_EXPECT(t, sched_set_policy(current, SCHED_FIFO, 100) < 0);
	KT_EXPECT(t, sched_set_policy(current, 42, 1) < 0);
	KT_EXPECT(t, sched_set_policy(current, SCHED_NORMAL, 3) < 0);
	/* and a good change on the running task, there and back */
	KT_EXPECT_EQ(t, sched_set_policy(current, SCHED_FIFO, 1), 0);
	KT_EXPECT_EQ(t, current->policy, SCHED_FIFO);
	KT_EXPECT_EQ(t, sched_set_policy(current, SCHED_NORMAL, 0), 0);
	th = kthread_create(set_flag, &(int){ 0 }, "nice");
	KT_ASSERT(t, th != NULL);
	sched_set_nice(th, 10);
	KT_EXPECT_EQ(t, th->se.nice, 10);
	sched_set_nice(th, 99);
	KT_EXPECT_EQ(t, th->se.nice, NICE_MAX);
	kthread_join(th);
}

struct sleeper_arg {
	struct completion go;
	volatile int ran;
};

static void rt_sleeper(void *p)
{
	struct sleeper_arg *a = p;

	wait_for_completion(&a->go);
	a->ran = 1;
}

static void rt_wakeup_preempts_fair(struct ktest *t)
{
	struct sleeper_arg a = { .ran = 0 };
	struct task *th;

	completion_init(&a.go);
	/* On our CPU: "preempts us" needs one CPU to preempt on. */
	th = kthread_create_on(rt_sleeper, &a, "rt_sleeper", (int)arch_cpu_id());
	KT_ASSERT(t, th != NULL);
	KT_ASSERT(t, sched_set_policy(th, SCHED_FIFO, 50) == 0);
	msleep(1);		/* it runs and blocks on the completion */
	KT_EXPECT_EQ(t, a.ran, 0);
	complete(&a.go);	/* the wakeup preempts us right here */
	KT_EXPECT_EQ(t, a.ran, 1);
	kthread_join(th);
}

struct spin_arg {
	volatile int *flag;
	int saw;
};

static void spin_until_flag(void *p)
{
	struct spin_arg *a = p;
	u64 give_up = ktime_get_ns() + 2 * NSEC_PER_SEC;

	/* Never yields: only the tick can take the CPU away. */
	while (!*a->flag && ktime_get_ns() < give_up)
		;
	a->saw = *a->flag;
}

static void tick_preempts_spinner(struct ktest *t)
{
	volatile int flag = 0;
	struct spin_arg a = { &flag, 0 };
	struct task *spinner, *setter;
	u64 switches = sched_nr_switches();

	/* Both on one CPU: the setter gets it only if the tick preempts. */
	spinner = kthread_create_on(spin_until_flag, &a, "spinner", (int)arch_cpu_id());
	KT_ASSERT(t, spinner != NULL);
	msleep(1);		/* the spinner is now on the CPU */
	setter = kthread_create_on(set_flag, (void *)&flag, "setter", (int)arch_cpu_id());
	KT_ASSERT(t, setter != NULL);
	kthread_join(spinner);
	kthread_join(setter);
	KT_EXPECT_EQ(t, a.saw, 1);
	KT_EXPECT(t, sched_nr_switches() > switches);
}

struct rescue_arg {
	struct task *victim;
	struct completion back;
	int rescued;
};

static void rescuer(void *p)
{
	struct rescue_arg *a = p;

	if (!wait_for_completion_timeout(&a->back, 20 * NSEC_PER_MSEC)) {
		a->rescued = 1;
		wake_up_task(a->victim);
		wait_for_completion(&a->back);
	}
}

/* Regression: a task preempted between setting TASK_UNINTERRUPTIBLE and
 * checking its wait condition was dequeued as if asleep, so a wakeup that
 * had already happened was lost and the task slept forever. */
static void preempted_sleeper_stays_runnable(struct ktest *t)
{
	struct rescue_arg a = { .victim = current, .rescued = 0 };
	struct task *r;

	completion_init(&a.back);
	r = kthread_create(rescuer, &a, "rescuer");
	KT_ASSERT(t, r != NULL);
	preempt_disable();
	set_current_state(TASK_UNINTERRUPTIBLE);
	this_cpu()->need_resched = true;
	preempt_enable();	/* preempted here, must come back unwoken */
	set_current_state(TASK_RUNNING);
	complete(&a.back);
	kthread_join(r);
	KT_EXPECT_EQ(t, a.rescued, 0);
}

static struct atomic many_count;

static void count_one(void *p)
{
	atomic_inc_return(&many_count);
	if ((uintptr_t)p % 3 == 0)
		msleep(1);
	else
		yield();
}

static void many_threads(struct ktest *t)
{
	enum { N = 200 };
	static struct task *th[N];

	atomic_set(&many_count, 0);
	for (uintptr_t i = 0; i < N; i++) {
		th[i] = kthread_create(count_one, (void *)i, "many");
		KT_ASSERT(t, th[i] != NULL);
	}
	for (int i = 0; i < N; i++)
		kthread_join(th[i]);
	KT_EXPECT_EQ(t, atomic_read(&many_count), N);
}

KTEST_SUITE(sched,
	    KTEST_CASE(kthread_runs_and_joins),
	    KTEST_CASE(fifo_runs_by_priority),
	    KTEST_CASE(rr_yield_alternates),
	    KTEST_CASE(set_policy_rejects_bad_input),
	    KTEST_CASE(rt_wakeup_preempts_fair),
	    KTEST_CASE(tick_preempts_spinner),
	    KTEST_CASE(preempted_sleeper_stays_runnable),
	    KTEST_CASE(many_threads));
