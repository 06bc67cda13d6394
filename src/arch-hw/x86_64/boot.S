/* x86-64 boot: the 32-bit entries. Two boot protocols lead here, both in
 * 32-bit protected mode with paging off, flat segments and interrupts off:
 *
 * - PVH: QEMU (-kernel with an ELF that carries the XEN_ELFNOTE_PHYS32_ENTRY
 *   note) and other PVH loaders enter pvh_entry with %ebx holding the
 *   physical address of struct hvm_start_info.
 * - Multiboot2: GRUB (multiboot2 /boot/umka-x86_64.elf) finds the header
 *   below in the first 32 KiB of the file and enters mb2_entry (the entry
 *   address tag) with %eax = 0x36d76289 and %ebx = the physical address of
 *   the boot information.
 *
 * Both converge on boot_common with %ebp = which protocol (BOOT_PROTO_PVH or
 * the multiboot2 magic as found in %eax) and %esi = the boot data's physical
 * address. No stack is used before ours is loaded: multiboot2 leaves %esp
 * undefined. We build boot page tables, enter long mode, jump to the higher
 * half and call x86_boot_main(proto, info) on the boot stack (later CPU 0's
 * idle task); setup.c checks the magic and reads the boot data.
 *
 * The image is linked at KERNEL_VMA + physical address; until paging is on
 * every absolute address must be the physical one, hence PHYS(). */
#include "x86.h"

#define PHYS(x) ((x) - KERNEL_VMA)
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* Multiboot2 header (the multiboot2 specification, section 3.1). */
#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0			/* 32-bit protected mode entry */
#define MB2_TAG_END 0
#define MB2_TAG_ENTRY 3			/* entry address */
#define MB2_TAG_MODULE_ALIGN 6		/* modules page-aligned */

/* ---- The multiboot2 header: first in .text, 8-aligned, < 32 KiB in ------ */
	.section .multiboot2, "a", @progbits
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	/* checksum: the four fields sum to 0 mod 2^32 */
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Entry address tag: where GRUB jumps, physical. Without it GRUB would
	 * translate e_entry (pvh_entry, which does not look at %eax). */
	.balign 8
	.short MB2_TAG_ENTRY
	.short 0			/* flags: required */
	.long 12
	.long PHYS(mb2_entry)
	/* Module alignment tag: modules (the initrd) start on a page. */
	.balign 8
	.short MB2_TAG_MODULE_ALIGN
	.short 0
	.long 8
	.balign 8
	.short MB2_TAG_END
	.short 0
	.long 8
mb2_header_end:

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
	movl $BOOT_PROTO_PVH, %ebp
	jmp boot_common
	.size pvh_entry, .-pvh_entry

	.globl mb2_entry
	.type mb2_entry, @function
mb2_entry:
	movl %eax, %ebp			/* 0x36d76289 if it really is multiboot2 */
	.size mb2_entry, .-mb2_entry
	/* fall through */

	.type boot_common, @function
boot_common:
	cli
	cld
	movl %ebx, %esi			/* boot data: survives until the C call */

	/* Zero .bss (page tables, stacks, everything static). */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/* boot_pd (four pages, one per GiB) maps the first 4 GiB with 2 MiB
	 * pages: identity (to survive turning paging on) and the start of the
	 * direct map, where setup.c reads the boot data (a multiboot2 loader
	 * may put it anywhere below 4 GiB). Its first GiB also maps the kernel
	 * image at KERNEL_VMA. setup.c replaces the identity and direct-map
	 * windows once it knows the memory map. */
	movl $PHYS(boot_pd), %edi
	movl $(PTE_P + PTE_W + PTE_PS), %eax
	xorl %ecx, %ecx
1:	movl %eax, (%edi,%ecx,8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $(EARLY_MAP_GIB * 512), %ecx
	jb 1b
	movl $PHYS(boot_pdpt_low), %edi
	movl $(PHYS(boot_pd) + PTE_P + PTE_W), %eax
	xorl %ecx, %ecx
2:	movl %eax, (%edi,%ecx,8)
	addl $4096, %eax
	incl %ecx
	cmpl $EARLY_MAP_GIB, %ecx
	jb 2b
	movl $(PHYS(boot_pd) + PTE_P + PTE_W), PHYS(boot_pdpt_high) + 510 * 8
	movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4)
	movl $(PHYS(boot_pdpt_low) + PTE_P + PTE_W), PHYS(boot_pml4) + 256 * 8
	movl $(PHYS(boot_pdpt_high) + PTE_P + PTE_W), PHYS(boot_pml4) + 511 * 8

	/* Long mode: PAE, page tables, EFER.LME + NXE, then paging (with WP). */
	long_mode_on $PHYS(boot_pml4)
	lgdt PHYS(boot_gdt_desc)
	ljmp $SEL_KCODE, $PHYS(long_entry)

	.code64
long_entry:
	data_segments
	movabsq $high_entry, %rax
	jmp *%rax
high_entry:
	leaq boot_stack_top(%rip), %rsp
	movl %ebp, %edi			/* proto: PVH or the multiboot2 magic */
	movl %esi, %esi			/* boot data address, zero-extended */
	xorl %ebp, %ebp			/* outermost frame: unwinders stop */
	call x86_boot_main
	ud2
	.size boot_common, .-boot_common

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
boot_pd:	.skip 4096 * EARLY_MAP_GIB
	.globl boot_stack, boot_stack_top
boot_stack:	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
