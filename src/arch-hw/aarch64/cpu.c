/* AArch64 CPU: traps, interrupt masking, idle and halt. One CPU for now.
 * Exceptions and unexpected interrupts print ESR (decoded), FAR, ELR, SPSR
 * and every register straight to the console (no locks), then panic, whose
 * backtrace walks through the trap frame into the faulting code. */
#include <umka/arch.h>
#include <umka/panic.h>
#include <umka/string.h>

#include "../common/diag.h"
#include "a64.h"

#define PSCI_SYSTEM_OFF 0x84000008
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int psci_method;	/* 0 none, 1 hvc, 2 smc */

void a64_set_psci(int method)
{
	psci_method = method;
}

/* ---- Traps ---------------------------------------------------------------- */

static const char *const kind_names[16] = {
	"sync (EL1, SP_EL0)", "IRQ (EL1, SP_EL0)", "FIQ (EL1, SP_EL0)", "SError (EL1, SP_EL0)",
	"sync", "IRQ", "FIQ", "SError",
	"sync from EL0", "IRQ from EL0", "FIQ from EL0", "SError from EL0",
	"sync from AArch32 EL0", "IRQ from AArch32 EL0", "FIQ from AArch32 EL0",
	"SError from AArch32 EL0",
};

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "unknown reason (undefined instruction)";
	case 0x01: return "trapped WFI/WFE";
	case 0x07: return "FP/SIMD access trapped";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x17: return "SMC";
	case 0x18: return "trapped MSR/MRS/system instruction";
	case 0x20: return "instruction abort from a lower EL";
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from a lower EL";
	case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case 0x30: case 0x31: return "breakpoint";
	case 0x32: case 0x33: return "software step";
	case 0x34: case 0x35: return "watchpoint";
	case 0x3c: return "BRK instruction";
	default: return "other";
	}
}

static void dump_frame(const struct trap_frame *f)
{
	hw_dump_printf("ELR %016llx SPSR %08llx SP %016llx\n", (unsigned long long)f->elr,
		    (unsigned long long)f->spsr, (unsigned long long)f->sp);
	hw_dump_printf("ESR %08llx FAR %016llx\n", (unsigned long long)f->esr,
		    (unsigned long long)f->far);
	for (unsigned i = 0; i < 31; i += 3) {
		if (i + 2 < 31)
			hw_dump_printf("x%-2u %016llx x%-2u %016llx x%-2u %016llx\n", i,
				    (unsigned long long)f->x[i], i + 1,
				    (unsigned long long)f->x[i + 1], i + 2,
				    (unsigned long long)f->x[i + 2]);
		else
			hw_dump_printf("x%-2u %016llx\n", i, (unsigned long long)f->x[i]);
	}
	hw_dump_printf("SCTLR %016llx TCR %016llx TTBR1 %016llx\n",
		    (unsigned long long)READ_SYSREG(sctlr_el1),
		    (unsigned long long)READ_SYSREG(tcr_el1),
		    (unsigned long long)READ_SYSREG(ttbr1_el1));
}

static __noreturn void fatal_trap(struct trap_frame *f)
{
	unsigned ec = (unsigned)(f->esr >> 26) & 0x3f;
	const char *kind = kind_names[f->kind & 15];

	hw_dump_printf("\naarch64 exception: %s, ESR 0x%llx: EC 0x%x (%s), ISS 0x%llx\n", kind,
		    (unsigned long long)f->esr, ec, ec_name(ec),
		    (unsigned long long)(f->esr & 0x1ffffff));
	if (ec == 0x24 || ec == 0x25 || ec == 0x20 || ec == 0x21)
		hw_dump_printf("%s at 0x%llx (%s, fault status 0x%llx)\n",
			    ec >= 0x24 ? "data abort" : "instruction abort",
			    (unsigned long long)f->far,
			    ec >= 0x24 ? (f->esr & (1 << 6) ? "write" : "read") : "fetch",
			    (unsigned long long)(f->esr & 0x3f));
	dump_frame(f);
	panic("%s exception (%s) at 0x%llx", kind, ec_name(ec), (unsigned long long)f->elr);
}

void a64_trap(struct trap_frame *f)
{
	switch (f->kind) {
	case KIND_EL1_IRQ:
		a64_irq();
		return;
	case KIND_EL1_SYNC:
		/* Semihosting off: the hlt is undefined. Skip it, return -1. */
		if (f->elr == (uintptr_t)a64_semihost_insn && ((f->esr >> 26) & 0x3f) == 0) {
			f->elr += 4;
			f->x[0] = (u64)-1;
			return;
		}
		fatal_trap(f);
	default:
		fatal_trap(f);
	}
}

__noreturn void a64_unexpected_irq(unsigned intid)
{
	hw_dump_printf("\naarch64: unexpected interrupt %u from the GIC\n", intid);
	panic("unexpected interrupt %u", intid);
}

/* ---- Interrupt masking, idle, CPU identity, halt -------------------------- */

void arch_irq_disable(void)
{
	__asm__ __volatile__("msr daifset, #2" ::: "memory");
}

void arch_irq_enable(void)
{
	/* The isb makes a pending interrupt be taken here, before returning. */
	__asm__ __volatile__("msr daifclr, #2\n\tisb" ::: "memory");
}

bool arch_irqs_disabled(void)
{
	return (READ_SYSREG(daif) & (1 << 7)) != 0;
}

void arch_cpu_idle(void)
{
	/* Called with IRQs masked. wfi wakes on a pending interrupt even
	 * while PSTATE.I masks it, so one that arrived since the caller
	 * checked for work ends the wfi at once; then it is taken on unmask.
	 * No wakeup can be lost between the check and the sleep. */
	__asm__ __volatile__("dsb sy\n\twfi\n\tmsr daifclr, #2\n\tisb" ::: "memory");
}

/* TPIDR_EL1 holds the CPU index on every CPU (head.S sets it; nothing
 * else writes it: no user space, no TLS). */
unsigned arch_cpu_id(void)
{
	u64 id;

	/* volatile: the answer changes when the task moves. */
	__asm__ __volatile__("mrs %0, tpidr_el1" : "=r"(id));
	return (unsigned)id;
}

long a64_psci(u64 fn, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fn;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;

	if (psci_method == 1)
		__asm__ __volatile__("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				     : : "memory");
	else if (psci_method == 2)
		__asm__ __volatile__("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				     : : "memory");
	else
		return -1;	/* PSCI NOT_SUPPORTED */
	return (long)x0;
}

static void psci_call(u64 fn)
{
	a64_psci(fn, 0, 0, 0);
}

/* Semihosting SYS_EXIT_EXTENDED carries any status to QEMU's exit status
 * (QEMU with -semihosting-config enable=on). Without semihosting, PSCI
 * SYSTEM_OFF powers off, but QEMU then always exits 0: the status is only
 * on the console. Failing both, sleep forever. */
void arch_halt(enum halt_status status)
{
	u64 block[2] = { ADP_STOPPED_APPLICATION_EXIT, (u64)status };

	__asm__ __volatile__("msr daifset, #0xf" ::: "memory");
	a64_console_flush();
	a64_semihost(SYS_EXIT_EXTENDED, block);
	if (status != HALT_POWEROFF) {
		char msg[96];
		int n = ksnprintf(msg, sizeof(msg),
				  "umka: halt status %d (no semihosting: power off reports 0)\n",
				  (int)status);

		arch_console_write(msg, (size_t)MIN(n, (int)sizeof(msg) - 1));
		a64_console_flush();
	}
	psci_call(PSCI_SYSTEM_OFF);
	for (;;)
		__asm__ __volatile__("wfi" ::: "memory");
}

/* No machine services of its own yet. */
bool arch_late_init(void)
{
	return false;
}
