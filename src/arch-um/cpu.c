/* arch-um's CPU: interrupts are host signals (SIGALRM from a POSIX timer,
 * SIGUSR1 from the host I/O thread),
 * and "interrupts disabled" is a flag, not a signal mask. A signal that
 * arrives while the flag is set only marks its line pending; clearing the
 * flag delivers what is pending. Masking is then two plain stores, where
 * sigprocmask would be a system call on every spin_lock_irqsave.
 *
 * Signals are installed with SA_NODEFER: the handler may switch to another
 * kernel thread (preemption), and that thread must still get signals. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <umka/arch.h>

#include "um.h"

/* One virtual CPU for now: these are its registers. */
static volatile int irq_off = 1;	/* boot starts with interrupts disabled */
static unsigned pending;		/* bit per enum irq_line, set from handlers */
static timer_t host_timer;
static sigset_t irq_signals;

/* Run every pending line. Called with irq_off clear; sets it while the
 * core's handlers run, as hardware masks interrupts on entry. A signal that
 * lands after the last exchange but before irq_off clears leaves its bit
 * pending: look again after clearing. */
static void deliver_pending(void)
{
	unsigned lines;

	do {
		irq_off = 1;
		__asm__ __volatile__("" ::: "memory");
		while ((lines = __atomic_exchange_n(&pending, 0, __ATOMIC_SEQ_CST)))
			for (unsigned line = 0; lines; line++, lines >>= 1)
				if (lines & 1)
					irq_handle((enum irq_line)line);
		__asm__ __volatile__("" ::: "memory");
		irq_off = 0;
		__asm__ __volatile__("" ::: "memory");
	} while (__atomic_load_n(&pending, __ATOMIC_SEQ_CST));
}

static void raise_line(enum irq_line line)
{
	__atomic_or_fetch(&pending, 1u << line, __ATOMIC_SEQ_CST);
	if (!irq_off)
		deliver_pending();
}

void um_irq_raise(enum irq_line line)
{
	raise_line(line);
}

/* SIGALRM is the timer; SIGUSR1 is sent by the host I/O thread (hostio.c). */
static void on_irq_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	(void)si, (void)uc;
	/* SA_NODEFER should leave SIGALRM unblocked in here, but Valgrind
	 * blocks it anyway; a handler that switches tasks must not leave the
	 * next task deaf to the tick, so unblock explicitly. */
	sigprocmask(SIG_UNBLOCK, &irq_signals, NULL);
	raise_line(sig == SIGALRM ? IRQ_TIMER : IRQ_HOST_IO);
	errno = saved;
}

void arch_irq_disable(void)
{
	irq_off = 1;
	__asm__ __volatile__("" ::: "memory");
}

void arch_irq_enable(void)
{
	__asm__ __volatile__("" ::: "memory");
	irq_off = 0;
	__asm__ __volatile__("" ::: "memory");
	if (__atomic_load_n(&pending, __ATOMIC_SEQ_CST))
		deliver_pending();
}

bool arch_irqs_disabled(void)
{
	return irq_off;
}

unsigned arch_cpu_id(void)
{
	return 0;
}

/* One CPU: nothing to start (main.c refuses smp= above 1 up front). */
int arch_cpu_start(unsigned cpu, void *stack, size_t size)
{
	(void)cpu, (void)stack, (void)size;
	return -ENOSYS;
}

/* The only CPU is the caller: the IPI is a pending line like any other. */
void arch_ipi_send(unsigned cpu)
{
	if (cpu == 0)
		raise_line(IRQ_IPI);
}

u64 arch_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

void arch_timer_arm(u64 deadline)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (deadline != UINT64_MAX) {
		/* it_value of zero would disarm: a deadline at 0 means "now". */
		if (deadline == 0)
			deadline = 1;
		its.it_value.tv_sec = (time_t)(deadline / 1000000000ULL);
		its.it_value.tv_nsec = (long)(deadline % 1000000000ULL);
	}
	if (timer_settime(host_timer, TIMER_ABSTIME, &its, NULL)) {
		perror("umka: timer_settime");
		abort();
	}
}

void arch_cpu_idle(void)
{
	sigset_t old;

	/* Block the signals, then clear the flag: a signal now stays pending
	 * in the host until sigsuspend atomically unblocks and waits, so a
	 * wakeup between the check and the wait cannot be lost. */
	sigprocmask(SIG_BLOCK, &irq_signals, &old);
	irq_off = 0;
	if (!__atomic_load_n(&pending, __ATOMIC_SEQ_CST))
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (__atomic_load_n(&pending, __ATOMIC_SEQ_CST))
		deliver_pending();
}

void um_cpu_init(void)
{
	struct sigaction sa;
	struct sigevent sev;

	/* Linux lets a normal process's timers fire up to 50 us late to batch
	 * wakeups; a kernel's timer interrupt wants none of that. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	sigemptyset(&irq_signals);
	sigaddset(&irq_signals, SIGALRM);
	sigaddset(&irq_signals, SIGUSR1);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_irq_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || sigaction(SIGUSR1, &sa, NULL)) {
		perror("umka: sigaction");
		exit(1);
	}
	/* Aimed at this thread, the virtual CPU's, not the whole process:
	 * each vCPU thread will own its timer. */
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &host_timer)) {
		perror("umka: timer_create");
		exit(1);
	}
}

void um_cpu_shutdown(void)
{
	sigprocmask(SIG_BLOCK, &irq_signals, NULL);
	timer_delete(host_timer);
}
