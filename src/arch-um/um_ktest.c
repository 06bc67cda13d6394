/* ktest suite for arch-um's own machinery: host fds as interrupts. */
#include <unistd.h>

#include <umka/irq.h>
#include <umka/ktest.h>
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
