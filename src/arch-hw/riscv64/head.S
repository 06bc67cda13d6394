/* RISC-V 64 boot: the RISC-V Image entry. SBI firmware (OpenSBI, which
 * QEMU virt runs by default) loads the flat image at a 2 MiB-aligned
 * physical address (QEMU: 0x80200000, right after the firmware) and enters
 * its first byte in S-mode, satp = 0 (no paging), interrupts off, with
 * a0 = this hart's id and a1 = the device tree's physical address. We zero
 * .bss, build the boot Sv39 root table (an identity gigapage over the
 * image's GiB, the image at KERNEL_VMA in 2 MiB pages, an early direct map
 * of the device tree's two GiBs), turn paging on, jump to the higher half
 * and call rv_boot_main(hartid, dtb) on the boot stack (later CPU 0's idle
 * task).
 *
 * Until paging is on, code runs at its physical address: every symbol is
 * reached PC-relative (lla = auipc + addi); the one link-time (virtual)
 * address needed, rv_high, is read from a literal. */
#include "rv.h"

	.section .text.head, "ax"
	.option push
	.option norvc
	.globl _start
_start:
	/* The 64-byte RISC-V Image header (Linux Documentation/riscv/boot-image-header). */
	j	rv_entry		/* code0 */
	.word	0			/* code1 */
	.quad	0x200000		/* text_offset: load 2 MiB into RAM */
	.quad	_kernel_size		/* image_size, .bss included */
	.quad	0			/* flags: little endian */
	.word	2			/* version 0.2 */
	.word	0			/* res1 */
	.quad	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic (deprecated, still checked by some) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* res3: no PE/COFF header */
	.option pop

rv_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	li	t0, SSTATUS_FS		/* FP off: any F/D instruction traps */
	csrc	sstatus, t0
	lla	t0, hang
	csrw	stvec, t0
	mv	s2, a0			/* hart id */
	mv	s3, a1			/* device tree (physical) */
	lla	s4, _start		/* where we were loaded (physical) */
	/* The 2 MiB pages below need a 2 MiB-aligned image, and the
	 * identity gigapage a load address in the lower half (< 256 GiB). */
	li	t0, 0x1fffff
	and	t0, s4, t0
	bnez	t0, hang
	srli	t0, s4, 38
	bnez	t0, hang

	/* Zero .bss (page tables and the boot stack are in it). */
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	lla	t0, rv_load_pa
	sd	s4, 0(t0)

	lla	t0, boot_root
	/* Identity gigapage over the image's GiB, for the instant paging
	 * turns on (setup.c removes it). */
	srli	t1, s4, 30
	slli	t2, t1, 3
	add	t2, t0, t2
	slli	t3, t1, 28		/* PPN field of GiB t1: (t1 << 18) << 10 */
	ori	t3, t3, PTE_KERNEL
	sd	t3, 0(t2)

	/* Root slot 510 -> boot_kernel_l1: the image at KERNEL_VMA. */
	lla	t1, boot_kernel_l1
	srli	t2, t1, 12
	slli	t2, t2, PTE_PPN_SHIFT
	ori	t2, t2, PTE_V
	li	t4, KERNEL_SLOT * 8
	add	t4, t0, t4
	sd	t2, 0(t4)
	lla	t5, _kernel_end
	sub	t5, t5, s4
	li	t6, 0x1fffff
	add	t5, t5, t6
	srli	t5, t5, 21		/* 2 MiB pages to map */
	srli	t3, s4, 12
	slli	t3, t3, PTE_PPN_SHIFT
	ori	t3, t3, PTE_KERNEL
	li	t6, (0x200000 >> 12) << PTE_PPN_SHIFT
3:	sd	t3, 0(t1)
	addi	t1, t1, 8
	add	t3, t3, t6
	addi	t5, t5, -1
	bnez	t5, 3b

	/* Early direct map: gigapages over the device tree's GiB and the
	 * next (setup.c maps the rest once it knows RAM). */
	srli	t1, s3, 30
	li	t2, DIRECT_MAP_MAX_GIB - 2
	bgtu	t1, t2, 4f		/* too high: rv_boot_main says so */
	addi	t2, t1, DIRECT_MAP_SLOT
	slli	t2, t2, 3
	add	t2, t0, t2
	slli	t3, t1, 28
	ori	t3, t3, PTE_DATA
	sd	t3, 0(t2)
	li	t4, 1 << 28
	add	t3, t3, t4
	sd	t3, 8(t2)
4:
	/* And GiB 0, where virt's devices live (sifive,test, the UART), so
	 * that a boot failing before setup.c's direct map still reaches the
	 * test device with its halt status. */
	li	t2, DIRECT_MAP_SLOT << 3
	add	t2, t0, t2
	li	t3, PTE_DATA
	sd	t3, 0(t2)
	/* Paging on, then on to the higher half. */
	srli	t1, t0, 12
	li	t2, SATP_SV39
	or	t1, t1, t2
	sfence.vma
	csrw	satp, t1
	sfence.vma
	lla	t0, 5f
	ld	t0, 0(t0)
	jr	t0
	.balign 8
5:	.quad	rv_high

rv_high:
	lla	sp, boot_stack_top
	lla	t0, rv_trap_entry
	csrw	stvec, t0
	csrw	sscratch, zero
	li	tp, 0			/* CPU index (arch_cpu_id) */
	li	s0, 0			/* outermost frame: unwinders stop */
	li	ra, 0
	mv	a0, s2
	mv	a1, s3
	call	rv_boot_main
hang:
	wfi
	j	hang

/* A secondary hart, started by SBI HSM hart_start (smp.c): S-mode, paging
 * off, interrupts off, a0 = hart id, a1 = the opaque value = our CPU
 * index. Paging goes on with rv_ap_boot.tramp_satp (the kernel's root plus
 * the identity gigapage over the image, so this code stays mapped), then
 * in the higher half the kernel's own root and the idle stack smp.c gave. */
	.globl rv_secondary_entry
rv_secondary_entry:
	csrw	sie, zero
	csrci	sstatus, SSTATUS_SIE
	li	t0, SSTATUS_FS
	csrc	sstatus, t0
	lla	t0, hang
	csrw	stvec, t0
	mv	tp, a1			/* CPU index (arch_cpu_id) */
	lla	t0, rv_ap_boot
	ld	t1, AP_TRAMP_SATP(t0)
	sfence.vma
	csrw	satp, t1
	sfence.vma
	lla	t0, 6f
	ld	t0, 0(t0)
	jr	t0
	.balign 8
6:	.quad	rv_ap_high
rv_ap_high:
	lla	t0, rv_ap_boot		/* now its virtual address */
	ld	t1, AP_KERNEL_SATP(t0)
	csrw	satp, t1
	sfence.vma
	ld	sp, AP_STACK(t0)
	lla	t0, rv_trap_entry
	csrw	stvec, t0
	csrw	sscratch, zero
	li	s0, 0
	li	ra, 0
	mv	a0, tp
	call	rv_ap_main
	j	hang

	.data
	.balign 8
	.globl rv_load_pa
rv_load_pa:	.quad 0

	.section .bss
	.balign 4096
	.globl boot_root
boot_root:	.skip 4096
	.globl boot_kernel_l1
boot_kernel_l1:	.skip 4096
	.globl boot_stack, boot_stack_top
boot_stack:	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
