/* AArch64 time and interrupts. The clock is the generic timer's virtual
 * count (CNTVCT_EL0, frequency from CNTFRQ_EL0), the timer the EL1 virtual
 * timer's compare value (CNTV_CVAL_EL0) on the same count, so the two can
 * never disagree: no calibration. Its interrupt is a PPI (27 on QEMU virt,
 * read from the device tree) routed through a GICv2; device interrupts
 * (SPIs) are enabled one by one as the core asks (a64_gic_route).
 *
 * ns = count * mult >> 32 and count = ns * tmult >> 32 (+1, rounded up),
 * in 128-bit arithmetic. Rounding can still make the compare fire a tick
 * before the deadline in clock terms; the interrupt then re-arms for the
 * rest instead of raising IRQ_TIMER early (arch.h promises "once
 * arch_clock_ns() >= deadline").
 *
 * Per CPU: the timer and its PPI (the distributor's first enable and
 * priority registers are banked per CPU), the GIC CPU interface, and SGI 0,
 * the IPI. GICv2 addresses SGIs by CPU interface number, which each CPU
 * learns from its banked GICD_ITARGETSR0. */
#include <umka/arch.h>
#include <umka/irq.h>
#include <umka/percpu.h>
#include <umka/printk.h>

#include "a64.h"

/* GICv2 distributor and CPU interface registers. */
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ICPENDR 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_SGIR 0xf00
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_BPR 0x008
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GIC_SPURIOUS 1020	/* 1020..1023: nothing to acknowledge */

#define CNTV_CTL_ENABLE 1

static uintptr_t gicd, gicc;
static unsigned timer_intid;
static u64 cnt_hz;
static u64 mult;	/* ns = count * mult >> 32 */
static u64 tmult;	/* count = ns * tmult >> 32 */
static u64 armed[NR_CPUS];	/* per CPU, touched by it with interrupts off */
static u8 gic_cpu_mask[NR_CPUS];	/* GIC CPU interface bit of each CPU */

#define SGI_IPI 0
static bool announced;

void a64_gic_init(u64 gicd_pa, u64 gicc_pa, unsigned intid)
{
	unsigned lines;

	gicd = (uintptr_t)(DIRECT_MAP + gicd_pa);
	gicc = (uintptr_t)(DIRECT_MAP + gicc_pa);
	timer_intid = intid;
	mmio_write32(gicd + GICD_CTLR, 0);
	lines = ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1) * 32;
	for (unsigned i = 0; i < lines / 32; i++) {
		mmio_write32(gicd + GICD_ICENABLER + 4 * i, 0xffffffff);
		mmio_write32(gicd + GICD_ICPENDR + 4 * i, 0xffffffff);
	}
	mmio_write32(gicd + GICD_CTLR, 1);
	for (unsigned i = 0; i < NR_CPUS; i++)
		armed[i] = UINT64_MAX;
	a64_gic_init_cpu();
}

static void set_priority(unsigned intid, u8 prio)
{
	uintptr_t reg = gicd + GICD_IPRIORITYR + (intid & ~3u);
	unsigned shift = (intid & 3) * 8;
	u32 v = mmio_read32(reg);

	mmio_write32(reg, (v & ~(0xffu << shift)) | ((u32)prio << shift));
}

void a64_gic_init_cpu(void)
{
	/* The timer PPI and the IPI SGI at a middle priority, enabled (this
	 * CPU's banked copies). */
	set_priority(timer_intid, 0x80);
	set_priority(SGI_IPI, 0x80);
	mmio_write32(gicd + GICD_ISENABLER + 4 * (timer_intid / 32), 1u << (timer_intid % 32));
	mmio_write32(gicd + GICD_ISENABLER, 1u << SGI_IPI);
	gic_cpu_mask[arch_cpu_id()] = (u8)mmio_read32(gicd + GICD_ITARGETSR);
	WRITE_SYSREG(cntv_ctl_el0, 0);
	mmio_write32(gicc + GICC_PMR, 0xff);
	mmio_write32(gicc + GICC_BPR, 0);
	mmio_write32(gicc + GICC_CTLR, 1);
}

/* Device interrupts (SPIs) the core asked for: INTID -> core line. */
#define GIC_MAX_ROUTES 8
static struct {
	unsigned intid;
	enum irq_line line;
} routes[GIC_MAX_ROUTES];	/* set up at boot, then read-only */
static unsigned nr_routes;

static void gic_set_byte(uintptr_t base, unsigned intid, u8 v)
{
	uintptr_t reg = base + (intid & ~3u);
	unsigned shift = (intid & 3) * 8;

	mmio_write32(reg, (mmio_read32(reg) & ~(0xffu << shift)) | (u32)v << shift);
}

bool a64_gic_route(unsigned intid, enum irq_line line)
{
	if (!gicd || intid < 32 || intid >= GIC_SPURIOUS || nr_routes == GIC_MAX_ROUTES)
		return false;
	routes[nr_routes].intid = intid;
	routes[nr_routes].line = line;
	nr_routes++;
	gic_set_byte(gicd + GICD_IPRIORITYR, intid, 0x80);
	gic_set_byte(gicd + GICD_ITARGETSR, intid, gic_cpu_mask[0]);	/* the boot CPU */
	mmio_write32(gicd + GICD_ISENABLER + 4 * (intid / 32), 1u << (intid % 32));
	return true;
}

void a64_gic_send_sgi(unsigned cpu)
{
	dsb(ishst);	/* our stores before the interrupt (arch.h) */
	mmio_write32(gicd + GICD_SGIR, (u32)gic_cpu_mask[cpu] << 16 | SGI_IPI);
}

void a64_time_init(void)
{
	cnt_hz = READ_SYSREG(cntfrq_el0) & 0xffffffff;
	if (cnt_hz < 1000)
		a64_boot_fail("generic timer", "CNTFRQ_EL0 is not set (firmware must set it)");
	WRITE_SYSREG(cntv_ctl_el0, 0);
	tmult = (cnt_hz << 32) / NSEC_PER_SEC + 1;
	mult = (NSEC_PER_SEC << 32) / cnt_hz;
}

u64 arch_clock_ns(void)
{
	u64 cnt;

	if (!mult)
		return 0;	/* before a64_time_init */
	isb();	/* no reading the count ahead of earlier instructions */
	cnt = READ_SYSREG(cntvct_el0);
	return (u64)(((unsigned __int128)cnt * mult) >> 32);
}

static void timer_program(u64 deadline)
{
	unsigned __int128 t = (((unsigned __int128)deadline * tmult) >> 32) + 1;

	WRITE_SYSREG(cntv_cval_el0, t > UINT64_MAX ? UINT64_MAX : (u64)t);
	WRITE_SYSREG(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
}

void arch_timer_arm(u64 deadline)
{
	if (unlikely(!announced)) {
		announced = true;
		pr_info("aarch64: generic timer %llu kHz, virtual timer on GICv2 PPI %u\n",
			(unsigned long long)(cnt_hz / 1000), timer_intid);
	}
	armed[arch_cpu_id()] = deadline;
	if (deadline == UINT64_MAX) {
		WRITE_SYSREG(cntv_ctl_el0, 0);
		isb();
		return;
	}
	timer_program(deadline);
}

static void timer_interrupt(void)
{
	u64 *a = &armed[arch_cpu_id()];

	if (*a == UINT64_MAX)
		return;		/* disarmed after it had fired */
	if (arch_clock_ns() < *a) {
		timer_program(*a);	/* a tick early by rounding */
		return;
	}
	*a = UINT64_MAX;
	irq_handle(IRQ_TIMER);
}

/* IRQ exception, interrupts masked. Acknowledge, then for the timer: turn
 * its (level) output off and EOI before handling, since the handler may
 * switch tasks and come back much later. */
void a64_irq(void)
{
	u32 iar = mmio_read32(gicc + GICC_IAR);
	unsigned id = iar & 0x3ff;

	if (id >= GIC_SPURIOUS)
		return;
	if (id == timer_intid) {
		WRITE_SYSREG(cntv_ctl_el0, 0);
		isb();
		mmio_write32(gicc + GICC_EOIR, iar);
		timer_interrupt();
		return;
	}
	if (id == SGI_IPI) {
		mmio_write32(gicc + GICC_EOIR, iar);	/* iar keeps the source CPU */
		irq_handle(IRQ_IPI);
		return;
	}
	/* A device line: EOI first as well (the handler drains the device,
	 * and a line still asserted is simply taken again). */
	mmio_write32(gicc + GICC_EOIR, iar);
	for (unsigned i = 0; i < nr_routes; i++) {
		if (routes[i].intid == id) {
			irq_handle(routes[i].line);
			return;
		}
	}
	a64_unexpected_irq(id);
}
