/* ktest suites for arch-um's own machinery: host fds as interrupts,
 * virtual CPUs as host threads, and (explicit, fatal) the guard page under
 * every kernel thread's stack. */
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <umka/atomic.h>
#include <umka/irq.h>
#include <umka/ktest.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/time.h>
#include <umka/wait.h>

#include "um.h"

struct pipe_watch {
	struct completion ready;
	int fds[2];
};

static void pipe_ready(void *arg)
{
	complete(&((struct pipe_watch *)arg)->ready);
}

static void hostio_pipe_interrupts(struct ktest *t)
{
	struct pipe_watch w;
	unsigned long irqs = irq_count(IRQ_HOST_IO);
	int slot, rounds = 0;
	char c;

	completion_init(&w.ready);
	KT_ASSERT(t, pipe(w.fds) == 0);
	slot = um_hostio_watch(w.fds[0], pipe_ready, &w);
	KT_ASSERT(t, slot >= 0);
	for (int i = 0; i < 50; i++) {
		KT_ASSERT(t, write(w.fds[1], "x", 1) == 1);
		if (!KT_EXPECT(t, wait_for_completion_timeout(&w.ready, NSEC_PER_SEC) > 0))
			break;
		KT_EXPECT(t, read(w.fds[0], &c, 1) == 1 && c == 'x');
		KT_EXPECT_EQ(t, um_hostio_rearm(slot), 0);
		rounds++;
	}
	/* one-shot: with nothing written, no interrupt comes */
	KT_EXPECT_EQ(t, wait_for_completion_timeout(&w.ready, NSEC_PER_MSEC), 0);
	um_hostio_unwatch(slot);
	close(w.fds[0]);
	close(w.fds[1]);
	KT_EXPECT_EQ(t, rounds, 50);
	KT_EXPECT(t, irq_count(IRQ_HOST_IO) >= irqs + 50);
}

KTEST_SUITE(um_hostio, KTEST_CASE(hostio_pipe_interrupts));

/* ---- vCPUs ------------------------------------------------------------------ */

#define GIVE_UP_NS (10 * NSEC_PER_SEC)	/* deadlock guard, not a speed check */

static long host_tid(void)
{
	unsigned long flags = irq_save();	/* libc with interrupts off */
	long tid = syscall(SYS_gettid);

	irq_restore(flags);
	return tid;
}

struct tid_probe {
	long tid;
	unsigned cpu;
};

static void probe_fn(void *p)
{
	struct tid_probe *pr = p;

	preempt_disable();
	pr->cpu = arch_cpu_id();
	pr->tid = host_tid();
	preempt_enable();
}

/* Each online CPU is its own host thread: a thread bound to CPU c runs on
 * vCPU c, and no two vCPUs share a host thread id. */
static void vcpus_are_host_threads(struct ktest *t)
{
	struct tid_probe pr[NR_CPUS];
	unsigned n = online_cpus();

	for (unsigned c = 0; c < n; c++) {
		struct task *th = kthread_create_on(probe_fn, &pr[c], "tid_probe", (int)c);

		KT_ASSERT(t, th != NULL);
		kthread_join(th);
		KT_EXPECT_EQ(t, pr[c].cpu, c);
		KT_EXPECT(t, pr[c].tid > 0);
		for (unsigned d = 0; d < c; d++)
			KT_EXPECT(t, pr[c].tid != pr[d].tid);
	}
	KT_EXPECT_EQ(t, pr[0].tid, (long)getpid());	/* vCPU 0 is the main thread */
}

/* A sleeping task moves where it is bound when it wakes, each move is a
 * resume on another host thread, and it then runs there. In a thread of
 * its own: the ktest runner's binding stays as it is. */
struct mover {
	unsigned rounds, landed;
	unsigned long migrations;
};

static void mover_fn(void *p)
{
	struct mover *m = p;
	unsigned n = online_cpus();
	struct um_cpu_stats st0, st1;
	struct tid_probe pr;

	um_cpu_stats(&st0);
	for (unsigned round = 0; round < m->rounds; round++) {
		if (sched_bind(current, (int)(round % n)))
			break;
		msleep(1);
		probe_fn(&pr);
		m->landed += pr.cpu == round % n;
	}
	um_cpu_stats(&st1);
	m->migrations = st1.migrations - st0.migrations;
}

static void sleeping_task_migrates(struct ktest *t)
{
	unsigned n = online_cpus();
	struct mover m = { 2 * n, 0, 0 };
	struct task *th = kthread_create(mover_fn, &m, "mover");

	KT_ASSERT(t, th != NULL);
	kthread_join(th);
	KT_EXPECT_EQ(t, m.landed, m.rounds);
	/* every round but the first changed CPU, when there are several */
	KT_EXPECT(t, m.migrations >= (n > 1 ? m.rounds - 1 : 0));
}

struct spinner {
	struct atomic *running;
	unsigned long *target;	/* spin until the handler-switch count passes it */
	long tid_before, tid_after;
	unsigned cpu_before, cpu_after;
	bool met;
};

static void spinner_fn(void *p)
{
	struct spinner *s = p;
	struct um_cpu_stats st;
	u64 end = ktime_get_ns() + GIVE_UP_NS;

	preempt_disable();
	s->cpu_before = arch_cpu_id();
	preempt_enable();
	s->tid_before = host_tid();
	atomic_inc_return(s->running);
	do {
		um_cpu_stats(&st);
		cpu_relax();
	} while (st.handler_switches <= *s->target && ktime_get_ns() < end);
	s->met = st.handler_switches > *s->target;
	preempt_disable();
	s->cpu_after = arch_cpu_id();
	preempt_enable();
	s->tid_after = host_tid();
}

/* Two spinners on one CPU are preempted by the tick, that is from inside
 * the host signal handler with its frame on their stacks; each comes back
 * on the same vCPU and host thread (arch-um panics on any other). */
static void preempted_in_handler_stays(struct ktest *t)
{
	struct spinner s[2];
	struct task *th[2];
	struct atomic running;
	struct um_cpu_stats st;
	unsigned long target;
	unsigned cpu = online_cpus() - 1;

	atomic_set(&running, 0);
	um_cpu_stats(&st);
	target = st.handler_switches + 20;
	for (int i = 0; i < 2; i++) {
		s[i] = (struct spinner){ &running, &target, 0, 0, 0, 0, false };
		th[i] = kthread_create_on(spinner_fn, &s[i], "spinner", (int)cpu);
		KT_ASSERT(t, th[i] != NULL);
	}
	for (int i = 0; i < 2; i++) {
		kthread_join(th[i]);
		KT_EXPECT(t, s[i].met);
		KT_EXPECT_EQ(t, s[i].cpu_before, cpu);
		KT_EXPECT_EQ(t, s[i].cpu_after, cpu);
		KT_EXPECT_EQ(t, s[i].tid_before, s[i].tid_after);
	}
}

/* Ping-pong between threads bound to CPUs 0 and 1: every wakeup crosses
 * vCPUs, and the sleeper is usually still watching in idle_poll when its
 * IPI comes. None may be lost (the polling flag and the pending bit make a
 * Dekker pair). With polling off (one vCPU per host CPU exceeded, or
 * Valgrind) every IPI must be a signal. How many skip the signal when it
 * is on depends on the host keeping the waker on a core within the watch:
 * logged, not asserted (the bench shows the effect). */
struct pingpong {
	struct completion go[2];
	unsigned rounds, done[2];
};

static void pong_fn(void *p)
{
	struct pingpong *pp = p;
	unsigned me = arch_cpu_id() != 0;

	for (unsigned i = 0; i < pp->rounds; i++) {
		if (me == 0)
			complete(&pp->go[1]);
		if (!wait_for_completion_timeout(&pp->go[me], GIVE_UP_NS))
			return;
		pp->done[me]++;
		if (me == 1)
			complete(&pp->go[0]);
	}
}

/* 200 round trips; true if none was lost. */
static bool pingpong_run(struct ktest *t)
{
	struct pingpong pp = { .rounds = 200 };
	struct task *th[2] = { NULL, NULL };

	completion_init(&pp.go[0]);
	completion_init(&pp.go[1]);
	for (int c = 0; c < 2; c++) {
		th[c] = kthread_create_on(pong_fn, &pp, "pingpong", c);
		KT_EXPECT(t, th[c] != NULL);
	}
	for (int c = 0; c < 2; c++)
		if (th[c])
			kthread_join(th[c]);	/* a lone one gives up after GIVE_UP_NS */
	KT_EXPECT_EQ(t, pp.done[0], pp.rounds);
	KT_EXPECT_EQ(t, pp.done[1], pp.rounds);
	return pp.done[0] == pp.rounds && pp.done[1] == pp.rounds;
}

static void cross_vcpu_wakeups_with_idle_polling(struct ktest *t)
{
	struct um_cpu_stats a, b;

	if (online_cpus() < 2) {
		KT_EXPECT(t, !um_cpu_idle_polls());
		return;
	}
	um_cpu_stats(&a);
	if (!pingpong_run(t))
		return;
	um_cpu_stats(&b);
	if (!um_cpu_idle_polls())
		KT_EXPECT(t, b.ipis_polled == a.ipis_polled && b.ipis_signalled > a.ipis_signalled);
	else
		pr_info("um_vcpu: %lu IPIs to a polling vCPU, %lu by signal\n",
			b.ipis_polled - a.ipis_polled, b.ipis_signalled - a.ipis_signalled);
}

KTEST_SUITE(um_vcpu, KTEST_CASE(vcpus_are_host_threads), KTEST_CASE(sleeping_task_migrates),
	    KTEST_CASE(preempted_in_handler_stays),
	    KTEST_CASE(cross_vcpu_wakeups_with_idle_polling));

/* Fatal on purpose (ktest=fault_stack_overflow): unbounded recursion in a
 * kernel thread must fault on the guard page below its stack and stop the
 * machine with "kernel stack overflow" naming the thread, with the frames
 * of the recursion (tests/fault-boot.tap). Not static: the report names
 * it. */
unsigned fault_stack_recurse(unsigned depth);
unsigned fault_stack_recurse(unsigned depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	if (depth == UINT_MAX)	/* never: keeps the compiler from calling it infinite */
		return 0;
	return fault_stack_recurse(depth + 1) + (unsigned)frame[0];
}

static void stack_overflow_thread(void *arg)
{
	*(unsigned *)arg = fault_stack_recurse(0);
}

static void fault_stack_overflow(struct ktest *t)
{
	unsigned result = 0;
	struct task *k = kthread_create(stack_overflow_thread, &result, "stack_overflow");

	KT_ASSERT(t, k != NULL);
	kthread_join(k);
	KT_EXPECT(t, !"recursion without end returned");
}

KTEST_SUITE_EXPLICIT(fault_stack_overflow, KTEST_CASE(fault_stack_overflow));
