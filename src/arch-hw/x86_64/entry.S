/* x86-64 trap entry and kernel context switch.
 *
 * Every IDT vector has a 16-byte stub that makes the frame uniform (a zero
 * error code where the CPU pushes none, then the vector number) and jumps to
 * trap_common, which saves the general registers as a struct trap_frame and
 * calls x86_trap(frame) on the interrupted context's own stack (only #DF,
 * NMI and #MC use IST stacks). x86_trap may switch tasks (the timer
 * preempts): it then returns here much later, on this same stack, and the
 * iretq resumes the interrupted code as if nothing happened.
 *
 * trap_common also pushes a fake frame-pointer record (interrupted rip and
 * rbp), so a backtrace taken in the handler walks on into the interrupted
 * code. */
#include "x86.h"

	.text
	.balign 16
	.globl x86_trap_stubs
x86_trap_stubs:
	vector = 0
	.rept 256
	.balign 16
	.if !(vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30)
	pushq $0			/* no CPU error code: keep the frame uniform */
	.endif
	pushq $vector
	jmp trap_common
	vector = vector + 1
	.endr

	.type trap_common, @function
trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	/* Fake frame record [rbp, rip] of the interrupted code. The CPU
	 * aligned rsp to 16 before its 5 words; with error, vector, 15
	 * registers and these 2 we are 16-byte aligned again for the call. */
	pushq TF_RIP(%rsp)
	pushq (TF_RBP + 8)(%rsp)
	movq %rsp, %rbp
	leaq 16(%rsp), %rdi
	call x86_trap
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector, error code */
	iretq
	.size trap_common, .-trap_common

/* void x86_switch(uintptr_t *save_sp, uintptr_t new_sp): save callee-saved
 * registers on this stack, store its pointer, load the other, restore. The
 * rest is caller-saved: to the compiler this is a plain call. RFLAGS need
 * no saving: every switch happens with interrupts disabled. */
	.globl x86_switch
	.type x86_switch, @function
x86_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size x86_switch, .-x86_switch

/* First code of a new kernel thread: arch_context_init left entry in r12
 * and its argument in r13. rbp = 0 ends frame-pointer walks here. */
	.globl x86_thread_start
	.type x86_thread_start, @function
x86_thread_start:
	xorl %ebp, %ebp
	andq $-16, %rsp
	movq %r13, %rdi
	call *%r12
	ud2				/* entry must not return (contract) */
	.size x86_thread_start, .-x86_thread_start

	.section .note.GNU-stack, "", @progbits
