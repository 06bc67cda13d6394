/* Host file descriptors as interrupt sources. One host thread waits in
 * epoll on every watched fd; when one is ready it marks the watch and sends
 * SIGUSR1 to vCPU 0's thread, which takes it as IRQ_HOST_IO and calls the
 * watch's handler in interrupt context (always on vCPU 0, like a device
 * interrupt routed to one CPU). Watches are one-shot: the handler (or the
 * kernel thread it wakes) calls um_hostio_rearm once it has drained the
 * fd, so a busy fd cannot flood the vCPU with signals.
 *
 * The I/O thread never runs kernel code and blocks every signal, so it is
 * no CPU of the kernel's. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <umka/atomic.h>
#include <umka/irq.h>
#include <umka/spinlock.h>

#include "um.h"

#define HOSTIO_MAX 64

struct watch {
	void (*ready)(void *arg);	/* set before the fd is added to epoll */
	void *arg;
	int fd;
};

/* Taken with interrupts off on any vCPU, and by the handler on vCPU 0. */
static DEFINE_SPINLOCK(watch_lock, LOCK_LEVEL_HOSTIO);
static struct watch watches[HOSTIO_MAX];	/* under watch_lock */
static u64 used_mask;				/* under watch_lock */
static unsigned irq_seq;			/* under watch_lock; odd while
						 * the handler calls out */
static u64 ready_mask;				/* I/O thread sets, IRQ handler takes */
static int epfd = -1;				/* set once, at the first watch */

static void *io_main(void *unused)
{
	sigset_t all;

	(void)unused;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct epoll_event ev[16];
		int n = epoll_wait(epfd, ev, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("umka: hostio epoll_wait");
			return NULL;
		}
		for (int i = 0; i < n; i++)
			__atomic_or_fetch(&ready_mask, 1ULL << ev[i].data.u32, __ATOMIC_SEQ_CST);
		um_hostio_kick();
	}
}

/* The handlers are called without watch_lock (they may re-arm or wake);
 * irq_seq lets um_hostio_unwatch on another vCPU wait them out. */
static void hostio_irq(void)
{
	struct watch w[HOSTIO_MAX];
	u64 ready;
	unsigned n = 0;

	spin_lock(&watch_lock);
	ready = __atomic_exchange_n(&ready_mask, 0, __ATOMIC_SEQ_CST) & used_mask;
	while (ready) {
		w[n++] = watches[__builtin_ctzll(ready)];
		ready &= ready - 1;
	}
	WRITE_ONCE(irq_seq, irq_seq + 1);
	spin_unlock(&watch_lock);
	for (unsigned i = 0; i < n; i++)
		w[i].ready(w[i].arg);
	__atomic_store_n(&irq_seq, irq_seq + 1, __ATOMIC_RELEASE);
}

static int hostio_start(void)
{
	pthread_t io;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	irq_register(IRQ_HOST_IO, hostio_irq);
	if (pthread_create(&io, NULL, io_main, NULL)) {
		close(epfd);
		epfd = -1;
		return -EAGAIN;
	}
	pthread_detach(io);
	return 0;
}

static int arm(int slot, int op)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u32 = (u32)slot };

	return epoll_ctl(epfd, op, watches[slot].fd, &ev) ? -errno : 0;
}

/* The first watch starts the I/O thread; watches come from process
 * context at boot (console, fuse=) and tests, never two at once. */
int um_hostio_watch(int fd, void (*ready)(void *arg), void *arg)
{
	unsigned long flags;
	int slot, err;

	if (__atomic_load_n(&epfd, __ATOMIC_ACQUIRE) < 0) {
		flags = irq_save();	/* libc: no preemption inside */
		err = epfd < 0 ? hostio_start() : 0;
		irq_restore(flags);
		if (err)
			return err;
	}
	flags = spin_lock_irqsave(&watch_lock);
	if (used_mask == ~0ULL) {
		spin_unlock_irqrestore(&watch_lock, flags);
		return -ENOSPC;
	}
	slot = __builtin_ctzll(~used_mask);
	watches[slot] = (struct watch){ ready, arg, fd };
	used_mask |= 1ULL << slot;
	err = arm(slot, EPOLL_CTL_ADD);
	if (err)
		used_mask &= ~(1ULL << slot);
	spin_unlock_irqrestore(&watch_lock, flags);
	return err ? err : slot;
}

int um_hostio_rearm(int slot)
{
	unsigned long flags = irq_save();
	int err = arm(slot, EPOLL_CTL_MOD);

	irq_restore(flags);
	return err;
}

/* Once this returns the handler is not running and will not run again,
 * so its argument may go: on vCPU 0 interrupts exclude it, elsewhere the
 * caller waits for a call in progress on vCPU 0 to end. */
void um_hostio_unwatch(int slot)
{
	unsigned long flags = spin_lock_irqsave(&watch_lock);
	unsigned seq;

	epoll_ctl(epfd, EPOLL_CTL_DEL, watches[slot].fd, NULL);
	used_mask &= ~(1ULL << slot);
	seq = irq_seq;
	spin_unlock_irqrestore(&watch_lock, flags);
	if (arch_cpu_id() != 0)
		while ((seq & 1) && __atomic_load_n(&irq_seq, __ATOMIC_ACQUIRE) == seq)
			cpu_relax();
}
