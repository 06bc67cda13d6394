/* ktest suites for arch-um's own machinery: host fds as interrupts, and
 * (explicit, fatal) the guard page under every kernel thread's stack. */
#include <limits.h>
#include <unistd.h>

#include <umka/irq.h>
#include <umka/ktest.h>
#include <umka/sched.h>
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
