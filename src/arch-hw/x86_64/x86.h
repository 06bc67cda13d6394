/* arch-hw x86-64 internals: memory layout, descriptor and register numbers,
 * port and MSR access. Shared by the C files and (the constants part) by
 * the assembly. Only src/arch-hw/x86_64/ includes it. */
#ifndef X86_H
#define X86_H

/* ---- Memory layout (see docs/hw.md) -------------------------------------- */

/* The image is linked at KERNEL_VMA + its physical address (top 2 GiB, for
 * -mcmodel=kernel) and loaded at KERNEL_PHYS. */
#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_PHYS 0x200000
/* Direct map: physical address p is at DIRECT_MAP + p (PML4 slot 256). */
#define DIRECT_MAP 0xffff800000000000
/* How much physical address space the direct map covers at most (one
 * page-directory page per GiB, static in .bss). */
#define DIRECT_MAP_MAX_GIB 64

/* boot.S maps this much physical memory before setup.c runs (identity and
 * direct map): where the boot data may lie. Multiboot2 data is below 4 GiB. */
#define EARLY_MAP_GIB 4

/* Boot protocols: boot.S passes one of these to x86_boot_main. */
#define BOOT_PROTO_PVH 0x336ec578	/* entered at pvh_entry (the start info's magic) */
#define BOOT_PROTO_MB2 0x36d76289	/* %eax from a multiboot2 loader (mb2_entry) */

#define BOOT_STACK_SIZE (64 * 1024)
#define IST_STACK_SIZE (16 * 1024)

/* Segment selectors (GDT slots in cpu.c; the early GDT in boot.S agrees). */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS 0x18

/* Page-table entry bits. */
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_PS 0x80
#define PTE_G 0x100

/* Interrupt vectors. 0..31 are exceptions; the 8259s are remapped to
 * 0x20..0x2f and masked (only their spurious IRQ7/IRQ15 can still show). */
#define VEC_PIC_BASE 0x20
#define VEC_TIMER 0x30
#define VEC_IPI 0x40		/* IRQ_IPI */
#define VEC_COM1 0x41		/* IRQ_CONSOLE, through the I/O APIC */
#define VEC_LAPIC_ERROR 0xfe
#define VEC_SPURIOUS 0xff

#define MSR_APIC_BASE 0x1b
#define MSR_EFER 0xc0000080
#define MSR_GS_BASE 0xc0000101

/* The application processors' real-mode start-up code (trampoline.S) is
 * copied to this page, reserved in the memory map; the SIPI vector is its
 * page number. */
#define TRAMP_PHYS 0x8000

/* struct trap_frame offsets, for the assembly. */
#define TF_RBP 64
#define TF_VECTOR 120
#define TF_RIP 136
#define TF_SIZE 176

#ifdef __ASSEMBLER__
/* Paging off to long mode, from real or protected mode (boot.S and the AP
 * trampoline): PAE, CR3 from cr3 (a 32-bit operand), EFER.LME and EFER.NXE
 * (every CPU: the kernel's page tables use the NX bit), then caches
 * on and CR0.PG | WP | PE. The caller's far jump then enters 64-bit code. */
/* Flat kernel data segments everywhere (64-bit code, after the far jump). */
.macro data_segments
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
.endm

.macro long_mode_on cr3
	movl %cr4, %eax
	orl $0x20, %eax			/* CR4.PAE */
	movl %eax, %cr4
	movl \cr3, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $0x900, %eax		/* EFER.LME | EFER.NXE (PTE_NX is a reserved bit without NXE) */
	wrmsr
	movl %cr0, %eax
	andl $~0x60000000, %eax		/* caches on: clear CR0.CD and CR0.NW */
	orl $0x80010001, %eax		/* CR0.PG | CR0.WP | CR0.PE */
	movl %eax, %cr0
.endm
#else
#include <umka/types.h>

#define PA(va) ((u64)(uintptr_t)(va) - KERNEL_VMA)	/* image address -> physical */
#define PTE_NX (1ULL << 63)	/* no instruction fetch (needs EFER.NXE) */

/* What trap_common (entry.S) saves, lowest address first. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap_frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, rbp) == TF_RBP, "trap_frame rbp");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == TF_VECTOR, "trap_frame vector");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == TF_RIP, "trap_frame rip");

static inline void outb(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#define READ_CR(n)                                                          \
	({                                                                  \
		u64 __v;                                                    \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(__v));     \
		__v;                                                        \
	})

static inline void write_cr3(u64 v)
{
	__asm__ __volatile__("mov %0, %%cr3" : : "r"(v) : "memory");
}

/* boot.S */
extern u64 boot_pml4[512];
extern u64 boot_pdpt_low[512];	/* identity map of the first 4 GiB, kept */
extern u64 boot_pdpt_high[512];	/* slot 510: the image at KERNEL_VMA */
extern char boot_stack[], boot_stack_top[];
extern char _kernel_start[], _kernel_end[], __bss_start[], __bss_end[];
extern char _etext[], _erodata[];	/* kernel.ld: page-aligned section ends */

/* entry.S */
extern char x86_trap_stubs[];	/* 256 stubs, 16 bytes apart */
void x86_switch(uintptr_t *save_sp, uintptr_t new_sp);
void x86_thread_start(void);

/* setup.c */
__noreturn void x86_boot_main(u32 proto, u32 info_pa);
bool x86_addr_mapped(uintptr_t va, size_t len);	/* safe to read? (unwinder) */

/* console.c */
void x86_serial_init(void);
void x86_serial_flush(void);
void x86_early_puts(const char *s);	/* console, no printk */

/* cpu.c */
void x86_cpu_init(unsigned cpu);	/* GDT, TSS, IDT, GS base: arch_cpu_id() works */
void x86_trap(struct trap_frame *f);

/* acpi.c: the local APIC IDs of the enabled processors in the MADT, up to
 * max of them (seen: how many there are); 0 when there is no usable MADT.
 * rsdp_copy (multiboot2's, checked by x86_acpi_rsdp_copy) or rsdp_pa (PVH)
 * if known, else a search. */
unsigned x86_acpi_cpus(u64 rsdp_pa, const void *rsdp_copy, u32 *apic_ids, unsigned max,
		       unsigned *seen);
/* A boot loader's RSDP copy of len bytes if it is whole and its checksums
 * hold (the extended one too for ACPI 2.0+), else NULL. */
const void *x86_acpi_rsdp_copy(const void *copy, u32 len);
/* After x86_acpi_cpus: the I/O APIC with the lowest GSI base (false if the
 * MADT has none), and the GSI and MPS flags (polarity bits 0-1, trigger
 * bits 2-3; 0 = the bus's default) of ISA interrupt irq. */
bool x86_acpi_ioapic(u64 *pa, u32 *gsi_base);
void x86_acpi_isa_irq(unsigned irq, u32 *gsi, u16 *flags);

/* ioapic.c: route ISA interrupt irq to vector on the boot CPU. */
bool x86_ioapic_route_isa(unsigned irq, u8 vector);

/* smp.c */
unsigned x86_smp_probe(u64 rsdp_pa, const void *rsdp_copy);	/* CPUs to offer */
__noreturn void x86_ap_main(unsigned cpu);

/* trampoline.S */
extern const char x86_tramp_start[], x86_tramp_end[];
extern const char x86_tramp_cr3[], x86_tramp_stack[], x86_tramp_entry[], x86_tramp_cpu[];
void x86_ap_entry(void);

/* time.c */
void x86_time_init(void);	/* PIC off, LAPIC on, TSC and LAPIC timer calibrated */
void x86_time_init_ap(void);	/* this AP's LAPIC on, with the boot CPU's calibration */
u32 x86_lapic_read(unsigned reg);
void x86_lapic_write(unsigned reg, u32 v);
void x86_timer_interrupt(void);
void x86_lapic_eoi(void);
u64 x86_tsc_hz(void);
u64 x86_lapic_hz(void);
u64 x86_rtc_read_ns(void);	/* CMOS clock: UTC ns since 1970, 0 if unreadable */
#endif

#endif
