/* arch-um's CPUs: each virtual CPU is a host thread (vCPU 0 the process's
 * main thread, the others made by arch_cpu_start). Interrupts are host
 * signals aimed at that thread: SIGALRM from its own POSIX timer, SIGUSR1
 * from the host I/O thread (vCPU 0 only), SIGUSR2 for IPIs. "Interrupts
 * disabled" is a per-vCPU flag, not a signal mask: a signal that arrives
 * while it is set only marks its line pending, and clearing the flag
 * delivers what is pending. Masking is then two plain stores, where
 * sigprocmask would be a system call on every spin_lock_irqsave.
 *
 * Signals are installed with SA_NODEFER: the handler may switch to another
 * kernel thread (preemption), and that thread must still get signals.
 *
 * Migration. A kernel thread preempted from the handler has a host signal
 * frame on its stack, which only the host thread that took the signal may
 * return through (rt_sigreturn restores that thread's registers and mask,
 * and Valgrind/ASan track signal state per thread). The core already
 * guarantees what makes this safe: a task moves to another CPU only when it
 * is woken after sleeping in schedule(), never while preempted (sched.c),
 * and interrupt handlers never sleep, so a stack holding a signal frame is
 * only ever resumed by the vCPU that pushed it. um_context_note_switch
 * checks that on every switch and panics if it is ever broken. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <umka/arch.h>
#include <umka/panic.h>

#include "config.h"
#include "um.h"

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(a, b) 0
#define RUNNING_ON_VALGRIND 0
#endif

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define UM_ASAN 1
#endif

#define SIG_TIMER SIGALRM
#define SIG_HOSTIO SIGUSR1
#define SIG_IPI SIGUSR2

/* The host thread's own stack only runs setup before it moves onto the
 * kernel's idle stack (and the sanitizers' thread start). */
#define VCPU_HOST_STACK (256u << 10)
#define VCPU_START_TIMEOUT_NS (10 * 1000000000ULL)	/* Valgrind is slow */
#define HALT_WAIT_NS (2 * 1000000000ULL)
/* How long an idle vCPU watches for work before it sleeps in the host
 * (see idle_poll). */
#define IDLE_POLL_NS 50000ULL

/* One virtual CPU's registers. Fields marked "own" are touched only by the
 * vCPU's thread; `pending` is or-ed by any thread. */
struct vcpu {
	volatile int irq_off;	/* own: interrupts disabled */
	unsigned pending;	/* atomic: bit per enum irq_line */
	unsigned id;		/* set before the thread starts */
	unsigned sig_depth;	/* own: handler frames on the running stack */
	timer_t timer;		/* own */
	pid_t tid;		/* written before `started`, then constant */
	pthread_t thread;	/* secondaries: for the start error path */
	int started;		/* atomic: 1 running, -errno setup failed */
	int parked;		/* atomic: stopped for good by arch_halt */
	int polling;		/* atomic: idle, watching `pending`: no kick needed */
	void *stack;		/* the kernel's idle stack for this CPU */
	size_t stack_size;
} __attribute__((aligned(64)));

static struct vcpu vcpus[UM_MAX_CPUS];
static unsigned nr_vcpus = 1;		/* boot vCPU only (started in order) */
static sigset_t irq_signals;		/* SIG_TIMER, SIG_HOSTIO, SIG_IPI */
static pid_t host_pid;
static int halting;			/* atomic: set once by the first arch_halt */
static unsigned long nr_handler_switches;	/* atomic: see um_cpu_stats */
static unsigned long nr_migrations;		/* atomic */
static unsigned long nr_ipis_signalled, nr_ipis_polled;	/* atomic */
static bool idle_polls;			/* atomic: 1 < smp <= host CPUs, no Valgrind */

static __thread struct vcpu *this_vcpu __attribute__((tls_model("initial-exec")));

/* The calling thread's vCPU. Not inlined and opaque to the optimizer
 * (volatile asm): a caller that switches tasks and comes back must fetch
 * the thread pointer again, never reuse one computed before the switch. */
static __attribute__((noinline)) struct vcpu *me(void)
{
	struct vcpu *v = this_vcpu;

	__asm__ __volatile__("" : "+r"(v));
	return v;
}

/* The same for the leaf functions below, which cannot switch tasks between
 * reading the thread pointer and their last use of it: inline, so the hot
 * paths (every irq_save, every per-CPU access) pay one TLS load and no
 * call. A caller of these is in another file, so it never keeps what they
 * return across a switch either. */
static inline struct vcpu *me_leaf(void)
{
	return this_vcpu;
}

static __attribute__((noinline)) void set_me(struct vcpu *v)
{
	this_vcpu = v;
	__asm__ __volatile__("" ::: "memory");
}

static void kick(const struct vcpu *v, int sig)
{
	/* tgkill, not pthread_kill: a bare system call, no libc lock, so it
	 * is safe from any context including the handlers. */
	syscall(SYS_tgkill, host_pid, v->tid, sig);
}

/* Stop this vCPU for good: arch_halt is ending the process. Only called
 * where interrupts were on, so this thread holds no libc lock (arch-um
 * calls libc with interrupts off) that exit() could then wait for. */
static __noreturn void park(struct vcpu *v)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	__atomic_store_n(&v->parked, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
}

/* Run every pending line. Called with irq_off clear; sets it while the
 * core's handlers run, as hardware masks interrupts on entry. A signal that
 * lands after the last exchange but before irq_off clears leaves its bit
 * pending: look again after clearing. irq_handle may switch tasks; the
 * vCPU is fetched again after it all the same. */
static void deliver_pending(void)
{
	struct vcpu *v = me();
	unsigned lines;

	do {
		if (__atomic_load_n(&halting, __ATOMIC_ACQUIRE))
			park(v);
		v->irq_off = 1;
		__asm__ __volatile__("" ::: "memory");
		while ((lines = __atomic_exchange_n(&v->pending, 0, __ATOMIC_SEQ_CST))) {
			for (unsigned line = 0; lines; line++, lines >>= 1)
				if (lines & 1)
					irq_handle((enum irq_line)line);
			v = me();
		}
		__asm__ __volatile__("" ::: "memory");
		v->irq_off = 0;
		__asm__ __volatile__("" ::: "memory");
	} while (__atomic_load_n(&v->pending, __ATOMIC_SEQ_CST));
}

void um_irq_raise(enum irq_line line)
{
	struct vcpu *v = me();

	__atomic_or_fetch(&v->pending, 1u << line, __ATOMIC_SEQ_CST);
	if (!v->irq_off)
		deliver_pending();
}

/* SIG_TIMER and SIG_HOSTIO mark their line; SIG_IPI's sender marked it. */
static void on_irq_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	struct vcpu *v = me();

	(void)si, (void)uc;
	if (!v)
		return;	/* not a vCPU: they all block these signals */
	/* SA_NODEFER should leave the signals unblocked in here, but
	 * Valgrind blocks them anyway; a handler that switches tasks must not
	 * leave the next task deaf to the tick, so unblock explicitly. */
	sigprocmask(SIG_UNBLOCK, &irq_signals, NULL);
	v->sig_depth++;
	if (sig == SIG_TIMER)
		__atomic_or_fetch(&v->pending, 1u << IRQ_TIMER, __ATOMIC_SEQ_CST);
	else if (sig == SIG_HOSTIO)
		__atomic_or_fetch(&v->pending, 1u << IRQ_HOST_IO, __ATOMIC_SEQ_CST);
	if (!v->irq_off)
		deliver_pending();
	/* Preempted and resumed in between, but on this vCPU (see the top). */
	v = me();
	v->sig_depth--;
	errno = saved;
}

void um_context_note_switch(struct arch_context *from, struct arch_context *to)
{
	struct vcpu *v = me();

	/* priv[1]: handler frames on that stack; priv[2]: vCPU + 1 that last
	 * ran it (0: never ran). */
	from->priv[1] = v->sig_depth;
	from->priv[2] = v->id + 1;
	if (to->priv[2] && to->priv[2] != v->id + 1) {
		if (to->priv[1])
			panic("arch-um: a kernel thread with %lu host signal frame(s) "
			      "from vCPU %lu resumed on vCPU %u",
			      (unsigned long)to->priv[1], (unsigned long)to->priv[2] - 1, v->id);
		__atomic_fetch_add(&nr_migrations, 1, __ATOMIC_RELAXED);
	}
	if (v->sig_depth)
		__atomic_fetch_add(&nr_handler_switches, 1, __ATOMIC_RELAXED);
	v->sig_depth = (unsigned)to->priv[1];
}

void um_cpu_stats(struct um_cpu_stats *st)
{
	st->handler_switches = __atomic_load_n(&nr_handler_switches, __ATOMIC_RELAXED);
	st->migrations = __atomic_load_n(&nr_migrations, __ATOMIC_RELAXED);
	st->ipis_signalled = __atomic_load_n(&nr_ipis_signalled, __ATOMIC_RELAXED);
	st->ipis_polled = __atomic_load_n(&nr_ipis_polled, __ATOMIC_RELAXED);
}

bool um_cpu_idle_polls(void)
{
	return __atomic_load_n(&idle_polls, __ATOMIC_RELAXED);
}

void arch_irq_disable(void)
{
	me_leaf()->irq_off = 1;
	__asm__ __volatile__("" ::: "memory");
}

void arch_irq_enable(void)
{
	struct vcpu *v;

	__asm__ __volatile__("" ::: "memory");
	v = me_leaf();		/* not used after deliver_pending, which may switch */
	v->irq_off = 0;
	__asm__ __volatile__("" ::: "memory");
	if (__atomic_load_n(&v->pending, __ATOMIC_SEQ_CST))
		deliver_pending();
}

bool arch_irqs_disabled(void)
{
	return me_leaf()->irq_off;
}

unsigned arch_cpu_id(void)
{
	return me_leaf()->id;
}

/* Interrupt and kernel context: the IPI is a pending line on the target,
 * and a signal makes its thread look at it (also out of sigsuspend). */
void arch_ipi_send(unsigned cpu)
{
	struct vcpu *t = &vcpus[cpu], *v = me();

	__atomic_or_fetch(&t->pending, 1u << IRQ_IPI, __ATOMIC_SEQ_CST);
	if (t != v) {
		/* A polling idle vCPU sees the bit by itself (idle_poll). */
		if (__atomic_load_n(&t->polling, __ATOMIC_SEQ_CST)) {
			__atomic_fetch_add(&nr_ipis_polled, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_fetch_add(&nr_ipis_signalled, 1, __ATOMIC_RELAXED);
			kick(t, SIG_IPI);
		}
	}
	else if (!v->irq_off)
		deliver_pending();
}

void um_hostio_kick(void)
{
	kick(&vcpus[0], SIG_HOSTIO);
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
	if (timer_settime(me()->timer, TIMER_ABSTIME, &its, NULL)) {
		/* arch_halt deleted this vCPU's timer: the process is ending */
		if (__atomic_load_n(&halting, __ATOMIC_ACQUIRE))
			return;
		perror("umka: timer_settime");
		abort();
	}
}

/* Watch `pending` for up to IDLE_POLL_NS before sleeping in the host. A
 * wakeup from another vCPU then costs the sender one cache line instead of
 * a host signal, and the sleeper no host thread wakeup (50-100 us each on
 * a VM: docs/bench.md). While `polling` is set, arch_ipi_send sets the bit
 * and sends no signal. Both sides write their word, then read the other's
 * (sequentially consistent): either the sender sees `polling` clear and
 * signals, or this vCPU's last look sees the bit. Timer and host I/O
 * signals still arrive as signals and end the watch (irq_off is set, so
 * they only mark their lines). Only with several vCPUs: alone, nothing but
 * a signal can wake this one. Not with more vCPUs than host CPUs: spinning
 * idle vCPUs would take the host CPUs from busy ones. Not under Valgrind,
 * which runs one thread at a time: the spin would only hold the waker off. */
static bool idle_poll(struct vcpu *v)
{
	u64 end = arch_clock_ns() + IDLE_POLL_NS;

	__atomic_store_n(&v->polling, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&v->pending, __ATOMIC_SEQ_CST) && arch_clock_ns() < end)
		__builtin_ia32_pause();
	__atomic_store_n(&v->polling, 0, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&v->pending, __ATOMIC_SEQ_CST) != 0;
}

void arch_cpu_idle(void)
{
	struct vcpu *v = me();
	sigset_t old;

	if (__atomic_load_n(&idle_polls, __ATOMIC_RELAXED) && idle_poll(v)) {
		v->irq_off = 0;
		deliver_pending();
		return;
	}

	/* Block the signals, then clear the flag: a signal now stays pending
	 * in the host until sigsuspend atomically unblocks and waits, so a
	 * wakeup (or IPI) between the check and the wait cannot be lost. */
	sigprocmask(SIG_BLOCK, &irq_signals, &old);
	v->irq_off = 0;
	if (!__atomic_load_n(&v->pending, __ATOMIC_SEQ_CST))
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	v = me();
	if (__atomic_load_n(&v->pending, __ATOMIC_SEQ_CST) ||
	    __atomic_load_n(&halting, __ATOMIC_ACQUIRE))
		deliver_pending();
}

/* This thread becomes v: its timer fires at itself (SIGEV_THREAD_ID). */
static int vcpu_bind_thread(struct vcpu *v)
{
	struct sigevent sev;

	/* Linux lets a normal thread's timers fire up to 50 us late to batch
	 * wakeups; a kernel's timer interrupt wants none of that. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	v->tid = (pid_t)syscall(SYS_gettid);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIG_TIMER;
	sev._sigev_un._tid = v->tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &v->timer))
		return -errno;
	v->irq_off = 1;
	set_me(v);
	return 0;
}

/* First code on the kernel's idle stack (um_call_on_stack). */
static void vcpu_enter_kernel(void *arg)
{
	struct vcpu *v = arg;

#ifdef UM_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	kernel_secondary_main(v->id);
}

/* A secondary vCPU's host thread, started with every signal blocked. */
static void *vcpu_main(void *arg)
{
	struct vcpu *v = arg;
	int err = vcpu_bind_thread(v);

	if (err) {
		__atomic_store_n(&v->started, err, __ATOMIC_RELEASE);
		return NULL;
	}
	um_trap_init_thread();	/* its faults are traps too */
	pthread_sigmask(SIG_UNBLOCK, &irq_signals, NULL);	/* irq_off is set */
	__atomic_store_n(&v->started, 1, __ATOMIC_RELEASE);
#ifdef UM_ASAN
	/* NULL: this thread's own stack is left for good. */
	__sanitizer_start_switch_fiber(NULL, v->stack, v->stack_size);
#endif
	um_call_on_stack((uintptr_t)v->stack + v->stack_size, vcpu_enter_kernel, v);
}

/* Host CPUs this process may run on. */
static unsigned host_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return (unsigned)CPU_COUNT(&set);
}

int arch_cpu_start(unsigned cpu, void *stack, size_t size)
{
	struct vcpu *v = &vcpus[cpu];
	pthread_attr_t attr;
	sigset_t all, old;
	bool was_off = arch_irqs_disabled();
	u64 end;
	int err, started;

	if (cpu == 0 || cpu >= UM_MAX_CPUS || cpu != nr_vcpus)
		return -EINVAL;
	v->id = cpu;
	v->stack = stack;
	v->stack_size = size;
	(void)VALGRIND_STACK_REGISTER(stack, (char *)stack + size);
	/* libc with interrupts off (no preemption inside pthread_create's
	 * locks); the thread starts with every signal blocked until it is a
	 * vCPU, and never takes the process's other signals. */
	arch_irq_disable();
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_attr_init(&attr);
	if (!err) {
		pthread_attr_setstacksize(&attr, VCPU_HOST_STACK);
		err = pthread_create(&v->thread, &attr, vcpu_main, v);
		pthread_attr_destroy(&attr);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto out;
	end = arch_clock_ns() + VCPU_START_TIMEOUT_NS;
	while (!(started = __atomic_load_n(&v->started, __ATOMIC_ACQUIRE)) &&
	       arch_clock_ns() < end)
		sched_yield();
	if (started < 0) {
		pthread_join(v->thread, NULL);
		err = -started;
	} else if (!started) {
		err = EIO;	/* may still run: the core keeps its stack */
	} else {
		__atomic_store_n(&nr_vcpus, cpu + 1, __ATOMIC_RELEASE);
		__atomic_store_n(&idle_polls, !RUNNING_ON_VALGRIND && cpu + 1 <= host_cpus(),
				 __ATOMIC_RELAXED);
	}
out:
	if (!was_off)
		arch_irq_enable();
	return -err;
}

void um_cpu_init(void)
{
	struct sigaction sa;
	int err;

	host_pid = getpid();
	sigemptyset(&irq_signals);
	sigaddset(&irq_signals, SIG_TIMER);
	sigaddset(&irq_signals, SIG_HOSTIO);
	sigaddset(&irq_signals, SIG_IPI);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_irq_signal;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIG_TIMER, &sa, NULL) || sigaction(SIG_HOSTIO, &sa, NULL) ||
	    sigaction(SIG_IPI, &sa, NULL)) {
		perror("umka: sigaction");
		exit(1);
	}
	vcpus[0].id = 0;
	err = vcpu_bind_thread(&vcpus[0]);
	if (err) {
		fprintf(stderr, "umka: timer_create: %s\n", strerror(-err));
		exit(1);
	}
}

/* Called by arch_halt, on any vCPU, before exit(). The first caller stops
 * every other vCPU (they park at their next interrupt-enabled point, or
 * at once if idle) so none runs kernel code or holds a libc lock while
 * the process exits; a later caller parks itself and leaves the exit to
 * the first. wait is false on panic: the core has stopped the others and
 * they spin with interrupts off, never reaching a parking point. */
void um_cpu_shutdown(bool wait)
{
	struct vcpu *v = me();
	unsigned n = __atomic_load_n(&nr_vcpus, __ATOMIC_ACQUIRE);
	u64 end = arch_clock_ns() + HALT_WAIT_NS;

	sigprocmask(SIG_BLOCK, &irq_signals, NULL);
	if (__atomic_exchange_n(&halting, 1, __ATOMIC_ACQ_REL))
		park(v);
	timer_delete(v->timer);
	/* A pending line, so a vCPU that has interrupts off parks as soon as
	 * it enables them (deliver_pending checks `halting` first). */
	for (unsigned i = 0; i < n; i++)
		if (&vcpus[i] != v) {
			__atomic_or_fetch(&vcpus[i].pending, 1u << IRQ_IPI, __ATOMIC_SEQ_CST);
			kick(&vcpus[i], SIG_IPI);
		}
	for (unsigned i = 0; wait && i < n; i++)
		while (&vcpus[i] != v && !__atomic_load_n(&vcpus[i].parked, __ATOMIC_ACQUIRE) &&
		       arch_clock_ns() < end)
			sched_yield();
}
