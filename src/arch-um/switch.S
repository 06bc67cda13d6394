/* arch-um context switch (x86-64 SysV). Only callee-saved registers need
 * saving: the switch is an ordinary function call as far as the compiler
 * of its callers knows, so everything else is already caller-saved. */
	.text
	.globl um_switch
	.type um_switch, @function
/* void um_switch(uintptr_t *save_sp, uintptr_t new_sp) */
um_switch:
	.cfi_startproc
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
	.cfi_endproc
	.size um_switch, .-um_switch

/* First code of a new kernel thread: arch_context_init left the entry
 * function in r12, its argument in r13 and the context in r14. */
	.globl um_thread_start
	.type um_thread_start, @function
um_thread_start:
	.cfi_startproc
	.cfi_undefined %rip	/* outermost frame: unwinders stop here */
	xorl %ebp, %ebp
	andq $-16, %rsp
	movq %r12, %rdi
	movq %r13, %rsi
	movq %r14, %rdx
	call um_thread_entry
	ud2
	.cfi_endproc
	.size um_thread_start, .-um_thread_start

/* void um_call_on_stack(uintptr_t sp, void (*fn)(void *), void *arg):
 * a secondary vCPU's host thread moving onto the kernel's idle stack for
 * good. The outermost frame there, like um_thread_start. */
	.globl um_call_on_stack
	.type um_call_on_stack, @function
um_call_on_stack:
	.cfi_startproc
	.cfi_undefined %rip
	movq %rdi, %rsp
	andq $-16, %rsp
	xorl %ebp, %ebp
	movq %rdx, %rdi
	call *%rsi
	ud2
	.cfi_endproc
	.size um_call_on_stack, .-um_call_on_stack

	.section .note.GNU-stack,"",@progbits
