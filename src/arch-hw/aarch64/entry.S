/* AArch64 exception vectors, kernel context switch, semihosting call.
 *
 * VBAR_EL1 points at a64_vectors: 16 entries of 0x80 bytes (current EL
 * with SP_EL0, current EL with SP_ELx, lower EL AArch64, lower EL AArch32;
 * each sync, IRQ, FIQ, SError). Every entry saves a struct trap_frame on
 * the interrupted context's own stack and calls a64_trap(frame), which
 * may switch tasks (the timer preempts) and return here much later, on
 * this same stack; ELR/SPSR come back from the frame, so the eret resumes
 * the interrupted code as if nothing happened.
 *
 * The frame holds a fake frame record (interrupted x29, ELR) that x29
 * points at during the call, so a backtrace taken in the handler walks on
 * into the interrupted code. */
#include "a64.h"

	.macro ventry kind
	.balign 0x80
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp]
	mov	x0, #\kind
	b	trap_common
	.endm

	.text
	.balign 2048
	.globl a64_vectors
a64_vectors:
	.irp k, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	ventry \k
	.endr

	.type trap_common, @function
trap_common:
	str	x0, [sp, #TF_KIND]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	add	x0, sp, #TF_SIZE
	str	x0, [sp, #TF_SP]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x0, x1, [sp, #TF_ELR]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #TF_ESR]
	stp	x29, x0, [sp, #TF_FRAME]
	add	x29, sp, #TF_FRAME
	mov	x0, sp
	bl	a64_trap
	ldp	x0, x1, [sp, #TF_ELR]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp]
	add	sp, sp, #TF_SIZE
	eret
	.size trap_common, .-trap_common

/* void a64_switch(uintptr_t *save_sp, uintptr_t new_sp): callee-saved
 * registers (x19-x30) onto this stack, store its pointer, load the other,
 * restore. Everything else is caller-saved: to the compiler a plain call.
 * DAIF needs no saving: every switch happens with interrupts masked. */
	.globl a64_switch
	.type a64_switch, @function
a64_switch:
	sub	sp, sp, #96
	stp	x19, x20, [sp]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	mov	x2, sp
	str	x2, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	add	sp, sp, #96
	ret
	.size a64_switch, .-a64_switch

/* First code of a new kernel thread: arch_context_init left entry in x19
 * and its argument in x20; x29 = 0 ends frame-pointer walks here. */
	.globl a64_thread_start
	.type a64_thread_start, @function
a64_thread_start:
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x20
	blr	x19
	brk	#0x1			/* entry must not return (contract) */
	.size a64_thread_start, .-a64_thread_start

/* long a64_semihost(long op, const void *arg): an Arm semihosting call.
 * With semihosting off the hlt is an undefined instruction; a64_trap
 * recognises this address, skips it and returns -1. */
	.globl a64_semihost, a64_semihost_insn
	.type a64_semihost, @function
a64_semihost:
a64_semihost_insn:
	hlt	#0xf000
	ret
	.size a64_semihost, .-a64_semihost

	.section .note.GNU-stack, "", @progbits
