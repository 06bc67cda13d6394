/* AArch64 boot: the arm64 Image entry. A boot loader that speaks the Linux
 * arm64 boot protocol (QEMU -kernel with an Image, U-Boot's booti) loads the
 * flat image at a 2 MiB-aligned physical address (+ text_offset, 0 here) and
 * enters at its first byte at EL2 or EL1, MMU off, interrupts masked, with
 * x0 = the device tree's physical address. We drop to EL1, zero .bss, build
 * boot page tables (identity map of the image's GiB, the image at
 * KERNEL_VMA in 4 KiB pages, an early direct map of the device tree's two
 * GiBs), turn the
 * MMU on, jump to the higher half and call a64_boot_main(dtb) on the boot
 * stack (later CPU 0's idle task).
 *
 * Until the MMU is on, code runs at its physical address: everything is
 * addressed PC-relative (adrp/adr); the literal pool holds only constants
 * and link-time (virtual) addresses used after the switch. */
#include "a64.h"

	.section .text.head, "ax"
	.globl _start
_start:
	/* The 64-byte arm64 Image header (Linux Documentation/arch/arm64/booting). */
	b	a64_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset from a 2 MiB boundary */
	.quad	_kernel_size		/* image_size, .bss included */
	.quad	0xa			/* flags: little endian, 4K pages, anywhere in RAM */
	.quad	0, 0, 0			/* res2-4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */

/* Continue at label in EL1h: straight on from EL1, or from EL2 with EL1
 * AArch64, its counter and timers untrapped, no virtual offset and no
 * FP/SIMD traps. EL3 is not supported (boot through firmware). */
.macro to_el1 label
	msr	daifset, #0xf
	mrs	x0, CurrentEL
	ubfx	x0, x0, #2, #2
	cmp	x0, #2
	b.lt	\label
	b.gt	hang
	mov	x0, #(1 << 31)		/* HCR_EL2.RW */
	msr	hcr_el2, x0
	mrs	x0, cnthctl_el2
	orr	x0, x0, #3		/* EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #0x33ff		/* CPTR_EL2: RES1 bits, nothing trapped */
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	ldr	x0, =SCTLR_RES1
	msr	sctlr_el1, x0
	mov	x0, #0x3c5		/* EL1h, D A I F masked */
	msr	spsr_el2, x0
	adr	x0, \label
	msr	elr_el2, x0
	eret
.endm

/* In the higher half: our exception vectors, FP/SIMD untrapped. */
.macro vectors_and_fp
	ldr	x0, =a64_vectors
	msr	vbar_el1, x0
	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x0
	isb
.endm

/* With MAIR, TCR and both TTBRs loaded: MMU and caches on. */
.macro mmu_on
	dsb	sy
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, =SCTLR_ON
	msr	sctlr_el1, x0
	isb
	ic	iallu
	dsb	nsh
	isb
.endm

a64_entry:
	mov	x19, x0			/* device tree (physical) */
	adrp	x20, _start		/* where we were loaded (physical) */
	to_el1	at_el1

at_el1:
	msr	spsel, #1
	ldr	x0, =SCTLR_RES1		/* MMU and caches off */
	msr	sctlr_el1, x0
	isb
	/* The 2 MiB block maps below need a 2 MiB-aligned image. */
	tst	x20, #0x1fffff
	b.ne	hang

	/* Zero .bss (page tables and the boot stack are in it). */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:	adrp	x0, a64_load_pa
	str	x20, [x0, :lo12:a64_load_pa]

	mov	x4, #PTE_NORMAL_BLOCK
	/* TTBR0: the GiB holding the image, identity-mapped for the switch. */
	adrp	x0, boot_ttbr0_l0
	adrp	x1, boot_ttbr0_l1
	ubfx	x2, x20, #39, #9
	orr	x3, x1, #PTE_TABLE
	str	x3, [x0, x2, lsl #3]
	ubfx	x2, x20, #30, #9
	lsr	x3, x20, #30
	orr	x3, x4, x3, lsl #30
	str	x3, [x1, x2, lsl #3]

	/* TTBR1 slot 511 -> L1 slot 510 -> L2 -> L3: the image at KERNEL_VMA
	 * in 4 KiB pages, read-write-execute for now. setup.c then narrows
	 * each page to its section's rights, a change of permissions only
	 * (splitting a live block would need break-before-make). */
	adrp	x0, boot_ttbr1_l0
	adrp	x1, boot_kernel_l1
	adrp	x2, boot_kernel_l2
	orr	x3, x1, #PTE_TABLE
	str	x3, [x0, #(511 * 8)]
	orr	x3, x2, #PTE_TABLE
	str	x3, [x1, #(510 * 8)]
	ldr	x5, =_kernel_size
	ldr	x6, =0x1fffff
	add	x5, x5, x6
	lsr	x5, x5, #21		/* level 3 tables, 2 MiB each */
	cmp	x5, #KERNEL_L3_MAX
	b.hi	hang			/* image too big for boot_kernel_l3 */
	adrp	x6, boot_kernel_l3
	orr	x3, x6, #PTE_TABLE
3:	str	x3, [x2], #8
	add	x3, x3, #4096
	subs	x5, x5, #1
	b.ne	3b
	ldr	x5, =_kernel_size
	lsr	x5, x5, #12		/* pages (kernel.ld ends the image on one) */
	mov	x3, #PTE_NORMAL_PAGE
	orr	x3, x3, x20
3:	str	x3, [x6], #8
	add	x3, x3, #4096
	subs	x5, x5, #1
	b.ne	3b

	/* TTBR1 slot 0: the early direct map, 1 GiB blocks over the device
	 * tree's GiB and the next (setup.c replaces it once it knows RAM),
	 * never executable. */
	ldr	x4, =(PTE_NORMAL_BLOCK | PTE_XN)
	lsr	x5, x19, #39
	cbnz	x5, 4f			/* beyond 512 GiB: a64_boot_main says so */
	adrp	x1, boot_dm_l1
	orr	x3, x1, #PTE_TABLE
	str	x3, [x0]
	ubfx	x2, x19, #30, #9
	lsr	x3, x19, #30
	orr	x3, x4, x3, lsl #30
	str	x3, [x1, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #512
	b.hs	4f
	mov	x6, #(1 << 30)
	add	x3, x3, x6
	str	x3, [x1, x2, lsl #3]
4:
	/* MMU on: attributes, translation control (IPS = the CPU's PA size,
	 * at most 48 bits), both tables, then SCTLR. */
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #7
	cmp	x1, #5
	mov	x2, #5
	csel	x1, x2, x1, hi
	orr	x0, x0, x1, lsl #32
	msr	tcr_el1, x0
	adrp	x0, boot_ttbr0_l0
	msr	ttbr0_el1, x0
	adrp	x0, boot_ttbr1_l0
	msr	ttbr1_el1, x0
	mmu_on
	ldr	x0, =a64_high
	br	x0

a64_high:
	ldr	x0, =boot_stack_top
	mov	sp, x0
	msr	tpidr_el1, xzr		/* CPU index (arch_cpu_id) */
	vectors_and_fp
	mov	x29, xzr		/* outermost frame: unwinders stop */
	mov	x30, xzr
	mov	x0, x19
	bl	a64_boot_main
hang:
	wfe
	b	hang
	.ltorg

/* A secondary CPU, started by PSCI CPU_ON (smp.c) at EL1 or EL2 with the
 * MMU off and x0 = the context id = our CPU index. It takes the boot CPU's
 * MMU settings from a64_ap_boot (TTBR0 still holds head.S's identity map
 * of the image's GiB, which keeps this code mapped as the MMU comes on),
 * moves to the higher half, closes TTBR0 walks as setup.c did, and calls
 * a64_ap_main(cpu) on the idle stack. */
	.globl a64_secondary_entry
a64_secondary_entry:
	mov	x19, x0
	to_el1	ap_el1
ap_el1:
	msr	spsel, #1
	ldr	x0, =SCTLR_RES1
	msr	sctlr_el1, x0
	isb
	adrp	x1, a64_ap_boot		/* physical: the MMU is off */
	add	x1, x1, :lo12:a64_ap_boot
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, [x1, #AP_TCR]
	msr	tcr_el1, x0
	ldr	x0, [x1, #AP_TTBR0]
	msr	ttbr0_el1, x0
	ldr	x0, [x1, #AP_TTBR1]
	msr	ttbr1_el1, x0
	mmu_on
	ldr	x0, =ap_high
	br	x0
ap_high:
	ldr	x1, =a64_ap_boot
	ldr	x0, [x1, #AP_STACK]
	mov	sp, x0
	mrs	x0, tcr_el1
	orr	x0, x0, #TCR_EPD0	/* no more TTBR0 walks: low addresses fault */
	msr	tcr_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	tpidr_el1, x19		/* CPU index (arch_cpu_id) */
	vectors_and_fp
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x19
	bl	a64_ap_main
	b	hang
	.ltorg

	.data
	.balign 8
	.globl a64_load_pa
a64_load_pa:	.quad 0

	.section .bss
	.balign 4096
	.globl boot_ttbr0_l0, boot_ttbr1_l0
boot_ttbr0_l0:	.skip 4096
boot_ttbr0_l1:	.skip 4096
boot_ttbr1_l0:	.skip 4096
boot_kernel_l1:	.skip 4096
boot_kernel_l2:	.skip 4096
	.globl boot_kernel_l3
boot_kernel_l3:	.skip 4096 * KERNEL_L3_MAX
boot_dm_l1:	.skip 4096
	.globl boot_stack, boot_stack_top
boot_stack:	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
