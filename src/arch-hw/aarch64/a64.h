/* arch-hw AArch64 internals: memory layout, page-table and system-register
 * bits, the trap frame. Shared by the C files and (the constants part) by
 * the assembly. Only src/arch-hw/aarch64/ includes it. */
#ifndef A64_H
#define A64_H

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#endif

/* ---- Memory layout (see docs/hw.md) -------------------------------------- */

/* TTBR1 (48-bit VA): the image is linked at KERNEL_VMA (L0 slot 511, L1
 * slot 510) and mapped with 2 MiB blocks onto wherever the boot loader put
 * it (a 2 MiB-aligned physical address, per the arm64 Image protocol). */
#define KERNEL_VMA UL(0xffffffff80000000)
/* Direct map: physical p at DIRECT_MAP + p (L0 slot 0 of TTBR1). */
#define DIRECT_MAP UL(0xffff000000000000)
/* Physical space the direct map covers at most (one L2 table per GiB). */
#define DIRECT_MAP_MAX_GIB 64

#define BOOT_STACK_SIZE (64 * 1024)

/* Block descriptors (L1: 1 GiB, L2: 2 MiB). MAIR_EL1 attribute 0 is Normal
 * write-back, 1 is Device-nGnRE. */
#define PTE_VALID 0x1
#define PTE_TABLE 0x3
#define PTE_BLOCK 0x1
#define PTE_ATTR_NORMAL (0 << 2)
#define PTE_ATTR_DEVICE (1 << 2)
#define PTE_SH_INNER (3 << 8)
#define PTE_AF (1 << 10)
#define PTE_PXN (UL(1) << 53)
#define PTE_UXN (UL(1) << 54)
#define PTE_NORMAL_BLOCK (PTE_BLOCK | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF)
#define PTE_DEVICE_BLOCK (PTE_BLOCK | PTE_ATTR_DEVICE | PTE_AF | PTE_PXN | PTE_UXN)
/* Level 3 page descriptors (4 KiB): the image. AP[2] makes a page read-only
 * (AP[1] = 0: EL0 has no access at all). */
#define PTE_PAGE 0x3
#define PTE_AP_RO (1 << 7)
#define PTE_NORMAL_PAGE (PTE_PAGE | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF)
#define PTE_XN (PTE_PXN | PTE_UXN)
#define KERNEL_L3_MAX 8		/* level 3 tables for the image: 16 MiB */
#define MAIR_VALUE 0x04ff

/* TCR_EL1: 48-bit VA both halves, 4 KiB granules, write-back walks,
 * inner shareable; IPS filled in from ID_AA64MMFR0_EL1 at boot. */
#define TCR_VALUE 0xb5103510
#define TCR_EPD0 (1 << 7)
/* SCTLR_EL1: RES1 bits (ARMv8.0), then M (MMU), C, SA, I. */
#define SCTLR_RES1 0x30d00800
#define SCTLR_ON (SCTLR_RES1 | 0x100d)

/* struct trap_frame offsets, for the assembly. */
#define TF_SP 248
#define TF_ELR 256
#define TF_SPSR 264
#define TF_ESR 272
#define TF_FAR 280
#define TF_KIND 288
#define TF_FRAME 296	/* fake frame record: interrupted x29, elr */
#define TF_SIZE 320

/* Vector kinds: group * 4 + type. Groups: 0 current EL with SP_EL0,
 * 1 current EL with SP_ELx (the kernel), 2 lower EL AArch64, 3 lower EL
 * AArch32. Types: 0 sync, 1 IRQ, 2 FIQ, 3 SError. */
#define KIND_EL1_SYNC 4
#define KIND_EL1_IRQ 5

/* struct a64_ap_boot offsets, for head.S. */
#define AP_TCR 0
#define AP_TTBR0 8
#define AP_TTBR1 16
#define AP_STACK 24

#ifndef __ASSEMBLER__
#include <umka/arch.h>
#include <umka/types.h>

#define PA(va) ((u64)(uintptr_t)(va) - KERNEL_VMA + a64_load_pa)	/* image -> physical */

struct trap_frame {
	u64 x[31];	/* x0..x30 */
	u64 sp;		/* at the exception */
	u64 elr, spsr, esr, far, kind;
	u64 frame[2];
	u64 pad;
};
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap_frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, sp) == TF_SP, "trap_frame sp");
_Static_assert(__builtin_offsetof(struct trap_frame, kind) == TF_KIND, "trap_frame kind");
_Static_assert(__builtin_offsetof(struct trap_frame, frame) == TF_FRAME, "trap_frame frame");

#define READ_SYSREG(r)                                                   \
	({                                                               \
		u64 __v;                                                 \
		__asm__ __volatile__("mrs %0, " #r : "=r"(__v));         \
		__v;                                                     \
	})
#define WRITE_SYSREG(r, v) __asm__ __volatile__("msr " #r ", %0" : : "r"((u64)(v)) : "memory")
#define isb() __asm__ __volatile__("isb" ::: "memory")
#define dsb(opt) __asm__ __volatile__("dsb " #opt ::: "memory")

static inline u32 mmio_read32(uintptr_t a)
{
	return *(volatile u32 *)a;
}

static inline void mmio_write32(uintptr_t a, u32 v)
{
	*(volatile u32 *)a = v;
}

/* What a starting CPU needs before C (smp.c fills it, head.S reads it
 * with the MMU off). */
struct a64_ap_boot {
	u64 tcr;		/* the boot CPU's, TTBR0 walks enabled */
	u64 ttbr0;		/* head.S's identity map of the image's GiB */
	u64 ttbr1;		/* the kernel's tables */
	u64 stack;		/* initial sp */
};
_Static_assert(__builtin_offsetof(struct a64_ap_boot, stack) == AP_STACK, "a64_ap_boot");

/* head.S */
extern char a64_secondary_entry[];
extern u64 boot_ttbr0_l0[512];
extern u64 a64_load_pa;		/* physical address of _kernel_start */
extern u64 boot_ttbr1_l0[512];
extern u64 boot_kernel_l3[KERNEL_L3_MAX][512];	/* the image, 4 KiB pages */
extern char boot_stack[], boot_stack_top[];
extern char _kernel_start[], _kernel_end[];
extern char _etext[], _erodata[];	/* kernel.ld: page-aligned section ends */

/* entry.S */
extern char a64_vectors[];
void a64_switch(uintptr_t *save_sp, uintptr_t new_sp);
void a64_thread_start(void);
long a64_semihost(long op, const void *arg);
extern char a64_semihost_insn[];	/* the hlt #0xf000 (trap if disabled) */

/* setup.c */
__noreturn void a64_boot_main(u64 dtb_pa);
bool a64_addr_mapped(uintptr_t va, size_t len);
__noreturn void a64_boot_fail(const char *what, const char *why);

/* console.c */
void a64_console_init(u64 pl011_pa, unsigned intid);
void a64_console_flush(void);
void a64_early_puts(const char *s);

/* cpu.c */
void a64_trap(struct trap_frame *f);
void a64_set_psci(int method);	/* 0 none, 1 hvc, 2 smc */
long a64_psci(u64 fn, u64 a1, u64 a2, u64 a3);	/* -1 (NOT_SUPPORTED) without PSCI */

/* smp.c */
struct fdt;
extern struct a64_ap_boot a64_ap_boot;
unsigned a64_smp_probe(struct fdt *fdt);	/* CPUs to offer */
__noreturn void a64_ap_main(unsigned cpu);
__noreturn void a64_unexpected_irq(unsigned intid);

/* time.c and the GIC */
void a64_gic_init(u64 gicd_pa, u64 gicc_pa, unsigned timer_intid);
/* Enable SPI intid to CPU 0 and deliver it as the core's line. */
bool a64_gic_route(unsigned intid, enum irq_line line);
void a64_gic_init_cpu(void);	/* this CPU's interface, timer PPI and SGIs */
void a64_gic_send_sgi(unsigned cpu);
void a64_time_init(void);
void a64_irq(void);
#endif

#endif
