/* RISC-V 64 CPU: traps, interrupt masking, idle and halt. The tp register
 * holds the CPU index on every hart (set at entry in head.S; nothing else
 * writes it: no user space, no TLS), so arch_cpu_id() is one move; a trap
 * saves and restores it like any register, which changes nothing since a
 * trapped task resumes on the hart it trapped on. Exceptions and
 * unexpected interrupts print scause (decoded), stval, sepc, sstatus and
 * every register straight to the console (no locks), then panic, whose
 * backtrace walks through the trap frame into the faulting code. */
#include <umka/arch.h>
#include <umka/irq.h>
#include <umka/panic.h>
#include <umka/string.h>

#include "../common/diag.h"
#include "rv.h"

#define TEST_PASS 0x5555	/* sifive,test: power off, QEMU exits 0 */
#define TEST_FAIL 0x3333	/* ... | status << 16: QEMU exits with status */

static uintptr_t test_dev;

void rv_set_test_device(u64 pa)
{
	test_dev = (uintptr_t)(DIRECT_MAP + pa);
}

/* SBI base extension, probe_extension: nonzero when present. */
bool rv_sbi_has(unsigned long ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE, ext, 0, 0);

	return r.error == 0 && r.value != 0;
}

/* ---- Traps ---------------------------------------------------------------- */

static const char *cause_name(u64 cause)
{
	if (cause & SCAUSE_IRQ) {
		switch (cause & ~SCAUSE_IRQ) {
		case 1: return "supervisor software interrupt";
		case 5: return "supervisor timer interrupt";
		case 9: return "supervisor external interrupt";
		default: return "interrupt";
		}
	}
	switch (cause) {
	case 0: return "instruction address misaligned";
	case 1: return "instruction access fault";
	case 2: return "illegal instruction";
	case 3: return "breakpoint";
	case 4: return "load address misaligned";
	case 5: return "load access fault";
	case 6: return "store/AMO address misaligned";
	case 7: return "store/AMO access fault";
	case 8: return "environment call from U-mode";
	case 9: return "environment call from S-mode";
	case 12: return "instruction page fault";
	case 13: return "load page fault";
	case 15: return "store/AMO page fault";
	default: return "reserved";
	}
}

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static void dump_frame(const struct trap_frame *f)
{
	hw_dump_printf("sepc %016llx sstatus %016llx\n", (unsigned long long)f->sepc,
		    (unsigned long long)f->sstatus);
	hw_dump_printf("scause %016llx stval %016llx\n", (unsigned long long)f->scause,
		    (unsigned long long)f->stval);
	for (unsigned i = 1; i < 32; i += 3) {
		char line[120];
		int n = 0;

		for (unsigned j = i; j < i + 3 && j < 32; j++)
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, "%-4s %016llx ",
				       reg_names[j], (unsigned long long)f->x[j - 1]);
		hw_dump_printf("%s\n", line);
	}
	hw_dump_printf("satp %016llx sie %016llx sip %016llx\n",
		    (unsigned long long)csr_read(satp), (unsigned long long)csr_read(sie),
		    (unsigned long long)csr_read(sip));
}

static __noreturn void fatal_trap(struct trap_frame *f)
{
	const char *name = cause_name(f->scause);

	hw_dump_printf("\nriscv64 trap: scause 0x%llx (%s)", (unsigned long long)f->scause, name);
	if (!(f->scause & SCAUSE_IRQ))
		hw_dump_printf(", stval 0x%llx", (unsigned long long)f->stval);
	hw_dump_printf(" at sepc 0x%llx\n", (unsigned long long)f->sepc);
	dump_frame(f);
	/* An instruction fetch that faults outside the kernel's text (a call
	 * into data, a jump through a bad pointer) happened before the callee
	 * ran: its caller's frame is still current and ra returns into it.
	 * The backtrace, which stops at a record whose pc is not text, goes
	 * on from there instead of ending at the trap. */
	if ((f->scause == 1 || f->scause == 12) &&
	    (f->sepc < (uintptr_t)_kernel_start || f->sepc >= (uintptr_t)_etext))
		f->frame[1] = f->x[0];	/* x1 = ra */
	if (f->scause & SCAUSE_IRQ)
		panic("unexpected interrupt: %s (scause 0x%llx)", name,
		      (unsigned long long)f->scause);
	panic("%s at 0x%llx (stval 0x%llx)", name, (unsigned long long)f->sepc,
	      (unsigned long long)f->stval);
}

void rv_trap(struct trap_frame *f)
{
	if (f->scause == (SCAUSE_IRQ | IRQ_S_TIMER)) {
		rv_timer_interrupt();
		return;
	}
	if (f->scause == (SCAUSE_IRQ | IRQ_S_EXT)) {
		rv_plic_interrupt();
		return;
	}
	if (f->scause == (SCAUSE_IRQ | IRQ_S_SOFT)) {
		/* An SBI IPI: its pending bit is ours to clear, before the
		 * handler (which may switch tasks) so a new one is not lost. */
		csr_clear(sip, SIE_SSIE);
		irq_handle(IRQ_IPI);
		return;
	}
	fatal_trap(f);
}

/* ---- Interrupt masking, idle, CPU identity, halt -------------------------- */

void arch_irq_disable(void)
{
	__asm__ __volatile__("csrci sstatus, %0" : : "i"(SSTATUS_SIE) : "memory");
}

void arch_irq_enable(void)
{
	/* A pending interrupt is taken right after the csrsi, before return. */
	__asm__ __volatile__("csrsi sstatus, %0" : : "i"(SSTATUS_SIE) : "memory");
}

bool arch_irqs_disabled(void)
{
	return !(csr_read(sstatus) & SSTATUS_SIE);
}

void arch_cpu_idle(void)
{
	/* Called with SIE clear. wfi ends when an interrupt enabled in sie
	 * is pending, whatever sstatus.SIE says, so one that arrived since
	 * the caller checked for work ends it at once; it is then taken on
	 * the csrsi. No wakeup is lost between the check and the sleep. */
	__asm__ __volatile__("wfi\n\tcsrsi sstatus, %0" : : "i"(SSTATUS_SIE) : "memory");
}

unsigned arch_cpu_id(void)
{
	unsigned long id;

	/* volatile: the answer changes when the task moves. */
	__asm__ __volatile__("mv %0, tp" : "=r"(id));
	return (unsigned)id;
}

/* The sifive,test device (QEMU virt: 0x100000) carries any status to
 * QEMU's exit status. Without it, SBI system reset (SRST, shutdown, with
 * "system failure" as the reason for a nonzero status), then the legacy
 * SBI shutdown; QEMU then always exits 0, so the status is printed first.
 * Failing all, sleep forever. */
void arch_halt(enum halt_status status)
{
	__asm__ __volatile__("csrci sstatus, %0" : : "i"(SSTATUS_SIE) : "memory");
	rv_console_flush();
	if (test_dev) {
		mmio_write32(test_dev, status == HALT_POWEROFF ? TEST_PASS
							       : TEST_FAIL | (u32)status << 16);
		for (unsigned i = 0; i < 1000; i++)
			__asm__ __volatile__("nop");
	}
	if (status != HALT_POWEROFF) {
		char msg[96];
		int n = ksnprintf(msg, sizeof(msg),
				  "umka: halt status %d (SBI power off reports 0)\n", (int)status);

		arch_console_write(msg, (size_t)MIN(n, (int)sizeof(msg) - 1));
		rv_console_flush();
	}
	sbi_call(SBI_EXT_SRST, 0, 0, status == HALT_POWEROFF ? 0 : 1, 0);
	sbi_legacy(SBI_EXT_LEGACY_SHUTDOWN, 0);
	for (;;)
		__asm__ __volatile__("wfi" ::: "memory");
}

/* No machine services of its own yet. */
bool arch_late_init(void)
{
	return false;
}
