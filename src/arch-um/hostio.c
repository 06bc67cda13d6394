/* Host file descriptors as interrupt sources. One host thread waits in
 * epoll on every watched fd; when one is ready it marks the watch and sends
 * SIGUSR1 to the vCPU thread, which takes it as IRQ_HOST_IO and calls the
 * watch's handler in interrupt context. Watches are one-shot: the handler
 * (or the kernel thread it wakes) calls um_hostio_rearm once it has drained
 * the fd, so a busy fd cannot flood the vCPU with signals.
 *
 * The I/O thread never runs kernel code and blocks every signal, so the
 * kernel still sees exactly one CPU. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <umka/irq.h>

#include "um.h"

#define HOSTIO_MAX 64

struct watch {
	void (*ready)(void *arg);	/* set before the fd is added to epoll */
	void *arg;
	int fd;
};

static struct watch watches[HOSTIO_MAX];	/* slots: vCPU only */
static u64 used_mask;				/* vCPU only */
static u64 ready_mask;				/* I/O thread sets, IRQ handler takes */
static int epfd = -1;
static pthread_t vcpu_thread;

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
		pthread_kill(vcpu_thread, SIGUSR1);
	}
}

static void hostio_irq(void)
{
	u64 ready = __atomic_exchange_n(&ready_mask, 0, __ATOMIC_SEQ_CST) & used_mask;

	while (ready) {
		unsigned slot = (unsigned)__builtin_ctzll(ready);

		ready &= ready - 1;
		watches[slot].ready(watches[slot].arg);
	}
}

static int hostio_start(void)
{
	pthread_t io;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	vcpu_thread = pthread_self();
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

int um_hostio_watch(int fd, void (*ready)(void *arg), void *arg)
{
	int slot, err;

	if (epfd < 0 && (err = hostio_start()))
		return err;
	if (used_mask == ~0ULL)
		return -ENOSPC;
	slot = __builtin_ctzll(~used_mask);
	watches[slot] = (struct watch){ ready, arg, fd };
	used_mask |= 1ULL << slot;
	err = arm(slot, EPOLL_CTL_ADD);
	if (err)
		used_mask &= ~(1ULL << slot);
	return err ? err : slot;
}

int um_hostio_rearm(int slot)
{
	return arm(slot, EPOLL_CTL_MOD);
}

void um_hostio_unwatch(int slot)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, watches[slot].fd, NULL);
	used_mask &= ~(1ULL << slot);
}
