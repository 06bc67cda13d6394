/* arch-hw RISC-V 64 internals: memory layout, Sv39 page-table and CSR
 * bits, SBI ids, the trap frame. Shared by the C files and (the constants
 * part) by the assembly. Only src/arch-hw/riscv64/ includes it. */
#ifndef RV_H
#define RV_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#endif

/* ---- Memory layout (see docs/hw.md) -------------------------------------- */

/* Sv39: 39-bit virtual addresses, the upper half is 0xffffffc000000000 up.
 * The image is linked at KERNEL_VMA (root slot 510) and mapped with 2 MiB
 * pages onto wherever the boot loader put it (2 MiB-aligned). */
#define KERNEL_VMA UL(0xffffffff80000000)
#define KERNEL_SLOT 510
/* Direct map: physical p at DIRECT_MAP + p, 1 GiB pages from root slot 256. */
#define DIRECT_MAP UL(0xffffffc000000000)
#define DIRECT_MAP_SLOT 256
#define DIRECT_MAP_MAX_GIB 64

#define BOOT_STACK_SIZE (64 * 1024)

/* Sv39 PTE bits. A and D are set up front: hardware need not manage them. */
#define PTE_V (1 << 0)
#define PTE_R (1 << 1)
#define PTE_W (1 << 2)
#define PTE_X (1 << 3)
#define PTE_G (1 << 5)
#define PTE_A (1 << 6)
#define PTE_D (1 << 7)
#define PTE_KERNEL (PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)
#define PTE_DATA (PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)
#define PTE_TEXT (PTE_V | PTE_R | PTE_X | PTE_G | PTE_A)
#define PTE_RODATA (PTE_V | PTE_R | PTE_G | PTE_A)
#define PTE_PPN_SHIFT 10
#define SATP_SV39 (UL(8) << 60)

/* CSR bits. */
#define SSTATUS_SIE (1 << 1)
#define SSTATUS_SPIE (1 << 5)
#define SSTATUS_SPP (1 << 8)
#define SSTATUS_FS (3 << 13)
#define SIE_SSIE (1 << 1)
#define SIE_STIE (1 << 5)
#define SIE_SEIE (1 << 9)
#define SCAUSE_IRQ (UL(1) << 63)
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

/* SBI extension ids (SBI specification) and the few function ids used. */
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_BASE_PROBE 3
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e
#define SBI_EXT_HSM 0x48534d		/* hart_start = 0 */
#define SBI_EXT_IPI 0x735049		/* send_ipi = 0 */
#define IRQ_S_SOFT 1

/* struct rv_ap_boot offsets, for head.S. */
#define AP_TRAMP_SATP 0
#define AP_KERNEL_SATP 8
#define AP_STACK 16

/* struct trap_frame offsets, for the assembly: x1..x31 at 8*(n-1). */
#define TF_SEPC 248
#define TF_SSTATUS 256
#define TF_SCAUSE 264
#define TF_STVAL 272
#define TF_FRAME 280	/* fake frame record: interrupted s0, sepc */
#define TF_SIZE 304	/* record at 280..295, s0 points at 296 */

#ifndef __ASSEMBLER__
#include <umka/arch.h>
#include <umka/types.h>

struct fdt;

#define PA(va) ((u64)(uintptr_t)(va) - KERNEL_VMA + rv_load_pa)	/* image -> physical */

struct trap_frame {
	u64 x[31];	/* x1..x31: x[n - 1] is register xn; x[1] is sp at the trap */
	u64 sepc, sstatus, scause, stval;
	u64 frame[2];	/* s0 of the interrupted code, sepc */
	u64 pad;
};
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap_frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, sepc) == TF_SEPC, "trap_frame sepc");
_Static_assert(__builtin_offsetof(struct trap_frame, stval) == TF_STVAL, "trap_frame stval");
_Static_assert(__builtin_offsetof(struct trap_frame, frame) == TF_FRAME, "trap_frame frame");

#define csr_read(csr)                                                    \
	({                                                               \
		u64 __v;                                                 \
		__asm__ __volatile__("csrr %0, " #csr : "=r"(__v) : : "memory"); \
		__v;                                                     \
	})
#define csr_write(csr, v) __asm__ __volatile__("csrw " #csr ", %0" : : "r"((u64)(v)) : "memory")
#define csr_set(csr, v) __asm__ __volatile__("csrs " #csr ", %0" : : "r"((u64)(v)) : "memory")
#define csr_clear(csr, v) __asm__ __volatile__("csrc " #csr ", %0" : : "r"((u64)(v)) : "memory")
#define sfence_vma() __asm__ __volatile__("sfence.vma" ::: "memory")

static inline u8 mmio_read8(uintptr_t a)
{
	return *(volatile u8 *)a;
}

static inline void mmio_write8(uintptr_t a, u8 v)
{
	*(volatile u8 *)a = v;
}

static inline u32 mmio_read32(uintptr_t a)
{
	return *(volatile u32 *)a;
}

static inline void mmio_write32(uintptr_t a, u32 v)
{
	*(volatile u32 *)a = v;
}

struct sbiret {
	long error;
	long value;
};

static inline struct sbiret sbi_call(unsigned long ext, unsigned long fn, unsigned long arg0,
				     unsigned long arg1, unsigned long arg2)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a6 __asm__("a6") = fn;
	register unsigned long a7 __asm__("a7") = ext;

	__asm__ __volatile__("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a6), "r"(a7) : "memory");
	return (struct sbiret){ .error = (long)a0, .value = (long)a1 };
}

/* Legacy (SBI v0.1) calls: a7 = extension, a0 = argument, a0 = result. */
static inline long sbi_legacy(unsigned long ext, unsigned long arg0)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a7 __asm__("a7") = ext;

	__asm__ __volatile__("ecall" : "+r"(a0) : "r"(a7) : "a1", "memory");
	return (long)a0;
}

/* What a starting hart needs before C (smp.c fills it, head.S reads it). */
struct rv_ap_boot {
	u64 tramp_satp;		/* root with the identity gigapage over the image */
	u64 kernel_satp;	/* boot_root */
	u64 stack;		/* initial sp */
};
_Static_assert(__builtin_offsetof(struct rv_ap_boot, stack) == AP_STACK, "rv_ap_boot");

/* head.S */
extern char rv_secondary_entry[];
extern u64 rv_load_pa;		/* physical address of _kernel_start */
extern u64 boot_root[512];	/* the Sv39 root table (satp) */
extern char boot_stack[], boot_stack_top[];
extern u64 boot_kernel_l1[512];	/* root slot 510: the image at KERNEL_VMA */
extern char _kernel_start[], _etext[], _erodata[], _kernel_end[];

/* entry.S */
extern char rv_trap_entry[];
void rv_switch(uintptr_t *save_sp, uintptr_t new_sp);
void rv_thread_start(void);

/* setup.c */
__noreturn void rv_boot_main(u64 hartid, u64 dtb_pa);
bool rv_addr_mapped(uintptr_t va, size_t len);
__noreturn void rv_boot_fail(const char *what, const char *why);

/* console.c */
void rv_console_init(u64 uart_pa, unsigned reg_shift, unsigned io_width, u32 irq);
/* plic.c: ctx is this hart's supervisor context, ndev the source count.
 * rv_plic_route enables source and maps it to a core interrupt line. */
void rv_plic_init(u64 pa, u32 ctx, u32 ndev);
#define PLIC_CONTEXT_END(ctx) (0x200000 + 0x1000 * (u64)(ctx) + 8)	/* bytes used */
bool rv_plic_route(u32 source, enum irq_line line);
void rv_plic_interrupt(void);
void rv_console_flush(void);
void rv_early_puts(const char *s);

/* cpu.c */
void rv_trap(struct trap_frame *f);
void rv_set_test_device(u64 pa);
bool rv_sbi_has(unsigned long ext);

/* smp.c */
extern struct rv_ap_boot rv_ap_boot;
unsigned rv_smp_probe(struct fdt *fdt, u64 boot_hartid);	/* CPUs to offer */
__noreturn void rv_ap_main(unsigned cpu);

/* time.c */
void rv_time_init(u64 timebase_hz);
void rv_time_init_ap(void);	/* this hart's timer and software interrupt on */
void rv_timer_interrupt(void);
#endif

#endif
