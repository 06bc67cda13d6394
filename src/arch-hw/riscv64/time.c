/* RISC-V 64 time. The clock is the time CSR (rdtime), which counts at the
 * device tree's /cpus/timebase-frequency (10 MHz on QEMU virt); the timer
 * is the SBI TIME extension's set_timer on the same count (legacy SBI
 * set_timer if the firmware lacks TIME), so the two can never disagree: no
 * calibration. The interrupt is the supervisor timer interrupt (sie.STIE);
 * a new set_timer clears it, so the handler first pushes the compare value
 * to "never".
 *
 * ns = count * mult >> 32 and count = ns * tmult >> 32 (+1, rounded up),
 * in 128-bit arithmetic. Rounding can still make the timer fire a tick
 * before the deadline in clock terms; the interrupt then re-arms for the
 * rest instead of raising IRQ_TIMER early (arch.h promises "once
 * arch_clock_ns() >= deadline"). */
#include <umka/arch.h>
#include <umka/percpu.h>
#include <umka/printk.h>

#include "rv.h"

#define SBI_LEGACY_SET_TIMER 0x00

static u64 tb_hz;
static u64 mult;	/* ns = count * mult >> 32 */
static u64 tmult;	/* count = ns * tmult >> 32 */
static u64 armed[NR_CPUS];	/* per hart, touched by it with interrupts off */
static bool has_time_ext, announced;

static inline u64 rdtime(void)
{
	u64 t;

	__asm__ __volatile__("rdtime %0" : "=r"(t) : : "memory");
	return t;
}

static void set_timer(u64 count)
{
	if (has_time_ext)
		sbi_call(SBI_EXT_TIME, 0, count, 0, 0);
	else
		sbi_legacy(SBI_LEGACY_SET_TIMER, count);
}

void rv_time_init(u64 timebase_hz)
{
	tb_hz = timebase_hz;
	has_time_ext = rv_sbi_has(SBI_EXT_TIME);
	tmult = (tb_hz << 32) / NSEC_PER_SEC + 1;
	mult = (NSEC_PER_SEC << 32) / tb_hz;
	for (unsigned i = 0; i < NR_CPUS; i++)
		armed[i] = UINT64_MAX;
	rv_time_init_ap();
}

/* Each hart has its own timer compare (set_timer acts on the caller) and
 * its own software interrupt (the IPI). */
void rv_time_init_ap(void)
{
	set_timer(UINT64_MAX);
	csr_set(sie, SIE_STIE | SIE_SSIE);
}

u64 arch_clock_ns(void)
{
	if (!mult)
		return 0;	/* before rv_time_init */
	return (u64)(((unsigned __int128)rdtime() * mult) >> 32);
}

static void timer_program(u64 deadline)
{
	unsigned __int128 t = (((unsigned __int128)deadline * tmult) >> 32) + 1;

	set_timer(t > UINT64_MAX ? UINT64_MAX : (u64)t);
}

void arch_timer_arm(u64 deadline)
{
	if (unlikely(!announced)) {
		announced = true;
		pr_info("riscv64: time CSR at %llu kHz, timer through SBI %s\n",
			(unsigned long long)(tb_hz / 1000),
			has_time_ext ? "TIME set_timer" : "legacy set_timer");
	}
	armed[arch_cpu_id()] = deadline;
	if (deadline == UINT64_MAX) {
		set_timer(UINT64_MAX);
		return;
	}
	timer_program(deadline);
}

/* Supervisor timer interrupt, interrupts off. The pending bit stays set
 * until the compare value moves past the time: do that first, since the
 * handler may switch tasks and come back much later. */
void rv_timer_interrupt(void)
{
	u64 *a = &armed[arch_cpu_id()];

	set_timer(UINT64_MAX);
	if (*a == UINT64_MAX)
		return;		/* disarmed after it had fired */
	if (arch_clock_ns() < *a) {
		timer_program(*a);	/* a tick early by rounding */
		return;
	}
	*a = UINT64_MAX;
	irq_handle(IRQ_TIMER);
}
