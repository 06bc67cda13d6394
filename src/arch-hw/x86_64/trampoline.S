/* x86-64 application processor start-up code. A CPU woken by INIT-SIPI-SIPI
 * starts in real mode at TRAMP_PHYS (the SIPI vector is its page number),
 * with CS = TRAMP_PHYS >> 4 and IP = 0. smp.c copies the bytes between
 * x86_tramp_start and x86_tramp_end there and fills in the parameter block
 * at its end; everything in here is addressed relative to x86_tramp_start,
 * so it runs wherever below 1 MiB it is copied (TRAMP_PHYS is fixed only so
 * the far jumps can be absolute).
 *
 * The path goes straight from real mode to long mode (setting CR0.PE and
 * CR0.PG together is allowed; no 32-bit stop is needed): PAE, the
 * parameter block's page tables (the kernel's plus an identity map of low
 * memory, so this page stays reachable once paging is on), EFER.LME, then
 * paging, and a far jump to 64-bit code. That code loads the stack and
 * jumps to x86_ap_entry in the higher half, which switches to the kernel's
 * own page tables and calls x86_ap_main(cpu). */
#include "x86.h"

#define OFF(x) ((x) - x86_tramp_start)
#define ABS(x) (TRAMP_PHYS + OFF(x))

	.section .rodata
	.balign 16
	.globl x86_tramp_start, x86_tramp_end
x86_tramp_start:
	.code16
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl OFF(tramp_gdt_desc)
	long_mode_on OFF(x86_tramp_cr3)
	ljmpl $SEL_KCODE, $ABS(tramp_long)

	.code64
tramp_long:
	data_segments
	movq ABS(x86_tramp_stack), %rsp
	movl ABS(x86_tramp_cpu), %edi
	movq ABS(x86_tramp_entry), %rax
	jmp *%rax

	.balign 16
tramp_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* SEL_KCODE: 64-bit code */
	.quad 0x00cf92000000ffff	/* SEL_KDATA */
tramp_gdt_end:
	.balign 8
tramp_gdt_desc:
	.word tramp_gdt_end - tramp_gdt - 1
	.long ABS(tramp_gdt)

/* Parameter block, filled in by smp.c in the copy (keep x86.h in step). */
	.balign 8
	.globl x86_tramp_cr3, x86_tramp_stack, x86_tramp_entry, x86_tramp_cpu
x86_tramp_cr3:	.quad 0		/* physical, below 4 GiB */
x86_tramp_stack:	.quad 0		/* initial rsp (higher half) */
x86_tramp_entry:	.quad 0		/* x86_ap_entry */
x86_tramp_cpu:	.quad 0		/* CPU index for x86_ap_main */
x86_tramp_end:

/* Higher half, still on the trampoline's page tables: switch to the
 * kernel's (the low identity map goes away) and enter C. %edi = cpu. */
	.text
	.globl x86_ap_entry
	.type x86_ap_entry, @function
x86_ap_entry:
	movabsq $boot_pml4, %rax
	movabsq $KERNEL_VMA, %rcx
	subq %rcx, %rax
	movq %rax, %cr3
	xorl %ebp, %ebp			/* outermost frame: unwinders stop */
	call x86_ap_main
	ud2
	.size x86_ap_entry, .-x86_ap_entry

	.section .note.GNU-stack, "", @progbits
