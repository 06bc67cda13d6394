/* x86-64 boot: the PVH entry. QEMU (-kernel with an ELF that carries the
 * XEN_ELFNOTE_PHYS32_ENTRY note) and other PVH loaders enter pvh_entry in
 * 32-bit protected mode, paging off, flat segments, interrupts off, with
 * %ebx holding the physical address of struct hvm_start_info. We build
 * boot page tables, enter long mode, jump to the higher half and call
 * x86_boot_main(start_info) on the boot stack (later CPU 0's idle task).
 *
 * The image is linked at KERNEL_VMA + physical address; until paging is on
 * every absolute address must be the physical one, hence PHYS(). */
#include "x86.h"

#define PHYS(x) ((x) - KERNEL_VMA)
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* ---- The PVH note: where a PVH loader enters (a physical address) ------- */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4				/* name size: "Xen\0" */
	.long 8				/* descriptor size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad PHYS(pvh_entry)
	.balign 4

	.section .text.boot, "ax", @progbits
	.code32
	.globl pvh_entry
	.type pvh_entry, @function
pvh_entry:
	cli
	cld
	movl %ebx, %esi			/* start info: survives until the C call */

	/* Zero .bss (page tables, stacks, everything static). */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/* boot_pd maps the first GiB with 2 MiB pages. It serves three
	 * windows: identity (to survive turning paging on), the start of the
	 * direct map, and the kernel image at KERNEL_VMA. setup.c replaces
	 * the first two once it knows the memory map. */
	movl $PHYS(boot_pd), %edi
	movl $(PTE_P + PTE_W + PTE_PS), %eax
	xorl %ecx, %ecx
1:	movl %eax, (%edi,%ecx,8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $512, %ecx
	jb 1b
	movl $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_low)
	movl $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_high) + 510 * 8
	movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4)
	movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4) + 256 * 8
	movl $(PHYS(boot_pdpt_high) + PTE_P + PTE_W), PHYS(boot_pml4) + 511 * 8

	/* Long mode: PAE, page tables, EFER.LME, then paging (with WP). */
	movl %cr4, %eax
	orl $0x20, %eax			/* CR4.PAE */
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $0x100, %eax		/* EFER.LME */
	wrmsr
	movl %cr0, %eax
	andl $~0x60000000, %eax		/* caches on: clear CR0.CD and CR0.NW */
	orl $0x80010001, %eax		/* CR0.PG | CR0.WP | CR0.PE */
	movl %eax, %cr0
	lgdt PHYS(boot_gdt_desc)
	ljmp $SEL_KCODE, $PHYS(long_entry)

	.code64
long_entry:
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	movabsq $high_entry, %rax
	jmp *%rax
high_entry:
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp			/* outermost frame: unwinders stop */
	movl %esi, %edi
	call x86_boot_main
	ud2
	.size pvh_entry, .-pvh_entry

/* Early GDT: just enough for the far jump into 64-bit code. cpu.c loads
 * the real one (with the TSS) from the higher half. */
	.section .rodata
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* SEL_KCODE: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* SEL_KDATA: data, DPL 0 */
boot_gdt_end:
	.balign 8
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.section .bss
	.balign 4096
	.globl boot_pml4, boot_pdpt_low, boot_pdpt_high, boot_pd
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4096
	.globl boot_stack, boot_stack_top
boot_stack:	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
