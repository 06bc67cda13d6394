/* The handshake between the boot CPU and a CPU it starts (arch_cpu_start):
 * one state per CPU, leaving AP_WAITING exactly once by compare-and-swap.
 * The new CPU claims AP_ALIVE when it runs C code; the boot CPU claims
 * AP_ABANDONED when it gives up waiting, after which arch_cpu_start fails
 * with -EIO -- so a CPU that turns up after that must park, and the core
 * leaves it the stack it may already have used. States start zeroed (AP_WAITING);
 * an abandoned CPU is never started again. */
#ifndef ARCH_HW_AP_START_H
#define ARCH_HW_AP_START_H

#include <umka/arch.h>
#include <umka/atomic.h>
#include <umka/errno.h>

enum ap_state { AP_WAITING, AP_ALIVE, AP_ABANDONED };

static inline bool ap_claim(int *state, int to)
{
	int expected = AP_WAITING;

	return __atomic_compare_exchange_n(state, &expected, to, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static inline bool ap_is_alive(int *state)
{
	return __atomic_load_n(state, __ATOMIC_ACQUIRE) == AP_ALIVE;
}

/* Boot CPU: true once the CPU is alive, false if it gave up after
 * timeout_ns (the CPU then parks should it come up later). */
static inline bool ap_wait_alive(int *state, u64 timeout_ns)
{
	u64 end = arch_clock_ns() + timeout_ns;

	while (!ap_is_alive(state))
		if (arch_clock_ns() > end && ap_claim(state, AP_ABANDONED))
			return false;
		else
			cpu_relax();
	return true;
}

/* Boot CPU, failing after a start was sent: give the CPU up, unless it
 * came alive meanwhile (then the start worked after all). */
static inline int ap_give_up(int *state)
{
	return ap_claim(state, AP_ABANDONED) ? -EIO : 0;
}

/* New CPU, its arch set up: into the core, or parked for good (interrupts
 * still off) if the boot CPU has given up on it. */
static inline __noreturn void ap_enter_core(int *state, unsigned cpu)
{
	if (!ap_claim(state, AP_ALIVE))
		for (;;)
			cpu_relax();
	kernel_secondary_main(cpu);
}

#endif
