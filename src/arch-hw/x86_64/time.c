/* x86-64 time. The clock is the TSC, the timer the local APIC's in one-shot
 * mode; both are calibrated once at boot against the 8254 PIT (channel 0's
 * count, read back by polling, no interrupts). The
 * 8259 PICs are remapped out of the exception range and masked: the LAPIC
 * is the only interrupt source.
 *
 * The LAPIC counts in its own clock and the deadline is in TSC time; the
 * two calibrations can disagree by a little, so the timer interrupt checks
 * the clock and, if the deadline has not quite come, re-arms for the rest
 * instead of raising IRQ_TIMER early (arch.h promises "once
 * arch_clock_ns() >= deadline"). Counts too long for the 32-bit counter
 * are re-armed the same way.
 *
 * Every CPU has its own LAPIC (at the same address) and so its own timer;
 * the application processors reuse the boot CPU's calibration (one bus
 * clock drives them all) and the TSC epoch (QEMU keeps the TSCs in step).
 * `armed` is per CPU, touched only by its CPU with interrupts off. */
#include <umka/arch.h>
#include <umka/percpu.h>
#include <umka/printk.h>

#include "../common/bootmem.h"
#include "x86.h"

#define PIT_HZ 1193182ULL
#define PIT_CAL_COUNT 11932	/* 10 ms */
#define PIT_CH0 0x40
#define PIT_CMD 0x43

#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_ICR 0x380
#define LAPIC_TIMER_CCR 0x390
#define LAPIC_TIMER_DCR 0x3e0
#define LVT_MASKED 0x10000
#define DCR_DIV16 0x3

static volatile u32 *lapic;
static u64 tsc_base;	/* TSC at calibration: the clock's epoch */
static u64 tsc_mult;	/* ns = (tsc - tsc_base) * tsc_mult >> 32 */
static u64 tsc_hz, lapic_hz;
static u64 lapic_mult;	/* ticks = ns * lapic_mult >> 32 */
static u64 armed[NR_CPUS];	/* deadline this CPU's LAPIC counts to */
static bool announced;

static inline u32 lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

static inline void lapic_write(unsigned reg, u32 v)
{
	lapic[reg / 4] = v;
}

u32 x86_lapic_read(unsigned reg)
{
	return lapic_read(reg);
}

void x86_lapic_write(unsigned reg, u32 v)
{
	lapic_write(reg, v);
}

void x86_lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

u64 x86_tsc_hz(void)
{
	return tsc_hz;
}

u64 x86_lapic_hz(void)
{
	return lapic_hz;
}

static __noreturn void time_fail(const char *why)
{
	bootmem_cannot_boot(x86_early_puts, NULL, why);
}

static void pic_disable(void)
{
	/* Remap (ICW1..4) so a stray vector cannot pose as an exception,
	 * then mask every line. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, VEC_PIC_BASE);
	outb(0xa1, VEC_PIC_BASE + 8);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void lapic_init(void)
{
	u32 a, b, c, d;
	u64 base;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		time_fail("no local APIC");
	if (!(d & (1u << 4)))
		time_fail("no TSC");
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & (1u << 11)))
		wrmsr(MSR_APIC_BASE, base | (1u << 11));	/* global enable */
	if (!x86_addr_mapped(DIRECT_MAP + (base & 0xffffffffff000ULL), 4096))
		time_fail("local APIC outside the direct map");
	lapic = (volatile u32 *)(uintptr_t)(DIRECT_MAP + (base & 0xffffffffff000ULL));
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, VEC_LAPIC_ERROR);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);	/* software enable */
	lapic_write(LAPIC_TIMER_DCR, DCR_DIV16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
}

static u16 pit_read(void)
{
	u8 lo, hi;

	outb(PIT_CMD, 0x00);		/* latch channel 0's count */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (u16)(lo | hi << 8);
}

/* Count TSC and LAPIC ticks while PIT channel 0 counts down PIT_CAL_COUNT
 * periods, reading its latched count (no speaker gate at port 0x61 needed:
 * QEMU's microvm has none). Its interrupt goes nowhere: the PICs and the
 * LAPIC's LINT0 are masked. */
#define CAL_TRIES 5

/* One calibration run; false if the PIT count wrapped under us (the host
 * stopped this vCPU for more than the PIT's 55 ms period: a loaded TCG
 * host does that), and the caller tries again. */
static bool calibrate_once(void)
{
	u64 t0, t1, spins = 0;
	u32 c0, c1;
	u16 p0, p1;

	outb(PIT_CMD, 0x30);			/* channel 0, lo/hi byte, mode 0 */
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
	/* The count loads on the next PIT clock: wait until it moves. */
	p0 = pit_read();
	while ((p1 = pit_read()) == p0)
		if (++spins > 10000000ULL)
			time_fail("the PIT does not count (no 8254?)");
	lapic_write(LAPIC_TIMER_ICR, 0xffffffff);
	p0 = pit_read();
	t0 = rdtsc();
	c0 = lapic_read(LAPIC_TIMER_CCR);
	do {
		p1 = pit_read();
		if (p1 > p0) {
			lapic_write(LAPIC_TIMER_ICR, 0);
			return false;
		}
	} while ((u16)(p0 - p1) < PIT_CAL_COUNT);
	t1 = rdtsc();
	c1 = lapic_read(LAPIC_TIMER_CCR);
	lapic_write(LAPIC_TIMER_ICR, 0);

	tsc_hz = (t1 - t0) * PIT_HZ / (u16)(p0 - p1);
	lapic_hz = (u64)(c0 - c1) * PIT_HZ / (u16)(p0 - p1);
	if (tsc_hz < 1000000 || lapic_hz < 10000 || lapic_hz >= (1ULL << 32))
		time_fail("TSC or LAPIC timer calibration out of range");
	tsc_base = t0;
	tsc_mult = (NSEC_PER_SEC << 32) / tsc_hz;
	lapic_mult = (lapic_hz << 32) / NSEC_PER_SEC;
	if (!lapic_mult)
		lapic_mult = 1;
	return true;
}

static void calibrate(void)
{
	for (int i = 0; i < CAL_TRIES; i++)
		if (calibrate_once())
			return;
	time_fail("the PIT count went up during calibration, every time");
}

void x86_time_init(void)
{
	for (unsigned i = 0; i < NR_CPUS; i++)
		armed[i] = UINT64_MAX;
	pic_disable();
	lapic_init();
	calibrate();
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);	/* one-shot, unmasked */
}

void x86_time_init_ap(void)
{
	lapic_init();
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);
}

u64 arch_clock_ns(void)
{
	u64 t = rdtsc();

	if (!tsc_mult)
		return 0;	/* before calibration */
	return (u64)(((unsigned __int128)(t - tsc_base) * tsc_mult) >> 32);
}

static void lapic_program(u64 deadline, u64 now)
{
	u64 ticks = 1;

	if (deadline > now)
		ticks = (u64)(((unsigned __int128)(deadline - now) * lapic_mult) >> 32) + 1;
	if (ticks > 0xffffffffULL)
		ticks = 0xffffffffULL;	/* fires early; the interrupt re-arms */
	lapic_write(LAPIC_TIMER_ICR, (u32)ticks);
}

void arch_timer_arm(u64 deadline)
{
	if (unlikely(!announced)) {
		announced = true;
		pr_info("x86: TSC %llu kHz, LAPIC timer %llu kHz (calibrated against the PIT)\n",
			(unsigned long long)(tsc_hz / 1000), (unsigned long long)(lapic_hz / 1000));
	}
	armed[arch_cpu_id()] = deadline;
	if (deadline == UINT64_MAX) {
		lapic_write(LAPIC_TIMER_ICR, 0);	/* stops the count */
		return;
	}
	lapic_program(deadline, arch_clock_ns());
}

/* VEC_TIMER, after EOI, interrupts off. */
void x86_timer_interrupt(void)
{
	u64 *a = &armed[arch_cpu_id()], now;

	if (*a == UINT64_MAX)
		return;		/* disarmed after it had fired */
	now = arch_clock_ns();
	if (now < *a) {
		lapic_program(*a, now);	/* early by calibration error or clamping */
		return;
	}
	*a = UINT64_MAX;
	irq_handle(IRQ_TIMER);
}
