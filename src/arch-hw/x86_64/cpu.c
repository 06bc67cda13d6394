/* x86-64 CPU: descriptor tables, traps, interrupt masking, idle and halt.
 * Each CPU has its own GDT, TSS and fault stack in struct x86_percpu, whose
 * address is the CPU's GS base: arch_cpu_id() is one load from %gs:0 (no
 * user space, so nothing else ever changes GS). The IDT is shared.
 * Exceptions and unexpected interrupts print the vector, error code and
 * registers straight to the console (no locks), then panic, whose
 * backtrace walks through the trap frame into the faulting code. */
#include <umka/arch.h>
#include <umka/irq.h>
#include <umka/panic.h>
#include <umka/percpu.h>
#include <umka/string.h>

#include "../common/diag.h"
#include "x86.h"

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __attribute__((packed));

struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

#define IST_FATAL 1	/* #DF, NMI, #MC: a stack of their own */

struct x86_percpu {
	u32 cpu;		/* first: arch_cpu_id() reads %gs:0 */
	u64 gdt[5] __aligned(16);
	struct tss tss __aligned(16);
	u8 ist_stack[IST_STACK_SIZE] __aligned(16);
};

static struct x86_percpu percpu[NR_CPUS] __aligned(64);
static struct idt_entry idt[256] __aligned(16);

static void load_gdt(struct x86_percpu *pc)
{
	u64 *gdt = pc->gdt;
	struct tss *tss = &pc->tss;
	uintptr_t base = (uintptr_t)tss;
	u64 limit = sizeof(*tss) - 1;
	struct desc_ptr p = { sizeof(pc->gdt) - 1, (u64)(uintptr_t)gdt };

	gdt[0] = 0;
	gdt[SEL_KCODE / 8] = 0x00af9a000000ffffULL;	/* 64-bit code, DPL 0 */
	gdt[SEL_KDATA / 8] = 0x00cf92000000ffffULL;	/* data, DPL 0 */
	/* 64-bit available TSS (type 9), present: a 16-byte descriptor. */
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((u64)(base & 0xffffff) << 16) | (0x89ULL << 40) |
			   (((limit >> 16) & 0xf) << 48) | ((u64)((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = (u64)base >> 32;
	tss->ist[IST_FATAL - 1] = (u64)(uintptr_t)(pc->ist_stack + sizeof(pc->ist_stack));
	tss->iomap_base = sizeof(*tss);

	__asm__ __volatile__(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movl %2, %%eax\n\t"
		"movl %%eax, %%ds\n\t"
		"movl %%eax, %%es\n\t"
		"movl %%eax, %%ss\n\t"
		"movl %%eax, %%fs\n\t"
		"movl %%eax, %%gs\n\t"
		"ltr %w3"
		:
		: "m"(p), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS)
		: "rax", "memory");
}

static void set_gate(unsigned vec, uintptr_t handler, unsigned ist)
{
	struct idt_entry *e = &idt[vec];

	e->offset_lo = (u16)handler;
	e->selector = SEL_KCODE;
	e->ist = (u8)ist;
	e->type_attr = 0x8e;	/* present, DPL 0, 64-bit interrupt gate (IF off) */
	e->offset_mid = (u16)(handler >> 16);
	e->offset_hi = (u32)(handler >> 32);
	e->reserved = 0;
}

static void load_idt(bool build)
{
	struct desc_ptr p = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	for (unsigned v = 0; build && v < 256; v++)
		set_gate(v, (uintptr_t)x86_trap_stubs + 16 * v,
			 v == 2 || v == 8 || v == 18 ? IST_FATAL : 0);
	__asm__ __volatile__("lidt %0" : : "m"(p) : "memory");
}

void x86_cpu_init(unsigned cpu)
{
	struct x86_percpu *pc = &percpu[cpu];

	pc->cpu = cpu;
	load_gdt(pc);
	/* After load_gdt: loading %gs zeroed the base. */
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)pc);
	load_idt(cpu == 0);
}

/* ---- Traps ---------------------------------------------------------------- */

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

static void dump_frame(const struct trap_frame *f)
{
	hw_dump_printf("RIP %016llx CS %04llx RFLAGS %016llx\n", (unsigned long long)f->rip,
		    (unsigned long long)f->cs, (unsigned long long)f->rflags);
	hw_dump_printf("RSP %016llx SS %04llx error %llx\n", (unsigned long long)f->rsp,
		    (unsigned long long)f->ss, (unsigned long long)f->error);
	hw_dump_printf("RAX %016llx RBX %016llx RCX %016llx\n", (unsigned long long)f->rax,
		    (unsigned long long)f->rbx, (unsigned long long)f->rcx);
	hw_dump_printf("RDX %016llx RSI %016llx RDI %016llx\n", (unsigned long long)f->rdx,
		    (unsigned long long)f->rsi, (unsigned long long)f->rdi);
	hw_dump_printf("RBP %016llx R8  %016llx R9  %016llx\n", (unsigned long long)f->rbp,
		    (unsigned long long)f->r8, (unsigned long long)f->r9);
	hw_dump_printf("R10 %016llx R11 %016llx R12 %016llx\n", (unsigned long long)f->r10,
		    (unsigned long long)f->r11, (unsigned long long)f->r12);
	hw_dump_printf("R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)f->r13,
		    (unsigned long long)f->r14, (unsigned long long)f->r15);
	hw_dump_printf("CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx\n",
		    (unsigned long long)READ_CR(0), (unsigned long long)READ_CR(2),
		    (unsigned long long)READ_CR(3), (unsigned long long)READ_CR(4));
}

static __noreturn void fatal_trap(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;
	const char *name = v < 32 ? exception_names[v] : "unexpected interrupt";

	hw_dump_printf("\nx86-64 trap: vector %u (%s), error code 0x%llx\n", v, name,
		    (unsigned long long)f->error);
	if (v == 14)
		hw_dump_printf("page fault at 0x%llx: %s, %s, %s\n", (unsigned long long)READ_CR(2),
			    f->error & 1 ? "protection violation" : "page not present",
			    f->error & 2 ? "write" : f->error & 16 ? "instruction fetch" : "read",
			    f->error & 4 ? "user mode" : "kernel mode");
	dump_frame(f);
	panic("%s (vector %u) at 0x%llx", name, v, (unsigned long long)f->rip);
}

void x86_trap(struct trap_frame *f)
{
	switch (f->vector) {
	case VEC_TIMER:
		x86_lapic_eoi();	/* first: the handler may switch tasks */
		x86_timer_interrupt();
		return;
	case VEC_IPI:
		x86_lapic_eoi();
		irq_handle(IRQ_IPI);
		return;
	case VEC_COM1:
		x86_lapic_eoi();	/* edge-triggered: the handler drains the FIFO */
		irq_handle(IRQ_CONSOLE);
		return;
	case VEC_SPURIOUS:
	case VEC_PIC_BASE + 7:		/* spurious IRQ7/IRQ15 of the masked 8259s */
	case VEC_PIC_BASE + 15:
		return;
	default:
		fatal_trap(f);
	}
}

/* ---- Interrupt masking, idle, CPU identity, halt -------------------------- */

void arch_irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

void arch_irq_enable(void)
{
	/* A pending interrupt is taken right after sti's one-instruction
	 * shadow: the nop, so before this function returns. */
	__asm__ __volatile__("sti; nop" ::: "memory");
}

bool arch_irqs_disabled(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags) : : "memory");
	return !(flags & 0x200);
}

void arch_cpu_idle(void)
{
	/* sti's shadow covers hlt: an interrupt pending since the caller
	 * checked for work wakes the hlt instead of slipping in before it. */
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

unsigned arch_cpu_id(void)
{
	u32 id;

	/* volatile: the answer changes when the task moves, so it must not
	 * be reused across a call that may switch tasks. */
	__asm__ __volatile__("movl %%gs:0, %0" : "=r"(id));
	return id;
}

/* QEMU's isa-debug-exit (-device isa-debug-exit,iobase=0xf4,iosize=0x04)
 * ends QEMU with exit status (value << 1) | 1. Elsewhere, halt forever. */
#define DEBUG_EXIT_PORT 0xf4

void arch_halt(enum halt_status status)
{
	__asm__ __volatile__("cli" ::: "memory");
	x86_serial_flush();
	outb(DEBUG_EXIT_PORT, (u8)status);
	for (;;)
		__asm__ __volatile__("cli; hlt" ::: "memory");
}

/* No machine services of its own yet. */
bool arch_late_init(void)
{
	return false;
}
