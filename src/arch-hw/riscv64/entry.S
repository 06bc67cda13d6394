/* RISC-V 64 trap entry and kernel context switch.
 *
 * stvec points at rv_trap_entry (direct mode: every exception and
 * interrupt comes here). There is no user mode yet, so a trap always comes
 * from the kernel: the struct trap_frame goes on the interrupted context's
 * own stack, and rv_trap(frame) may switch tasks (the timer preempts) and
 * return here much later, on this same stack. sepc and sstatus come back
 * from the frame, so the sret resumes the interrupted code whenever it
 * happens (sstatus restored with SIE clear; SPIE and SPP as they were).
 *
 * The frame holds a fake frame record (interrupted s0, sepc) that s0
 * points just above during the call (RISC-V records sit below the frame
 * pointer: return address at fp - 8, caller's fp at fp - 16), so a
 * backtrace taken in the handler walks on into the interrupted code. */
#include "rv.h"

	.text
	.balign 4
	.globl rv_trap_entry
	.type rv_trap_entry, @function
rv_trap_entry:
	addi	sp, sp, -TF_SIZE
	sd	x1, 0(sp)
	sd	x3, 16(sp)
	sd	x4, 24(sp)
	sd	x5, 32(sp)
	sd	x6, 40(sp)
	sd	x7, 48(sp)
	sd	x8, 56(sp)
	sd	x9, 64(sp)
	sd	x10, 72(sp)
	sd	x11, 80(sp)
	sd	x12, 88(sp)
	sd	x13, 96(sp)
	sd	x14, 104(sp)
	sd	x15, 112(sp)
	sd	x16, 120(sp)
	sd	x17, 128(sp)
	sd	x18, 136(sp)
	sd	x19, 144(sp)
	sd	x20, 152(sp)
	sd	x21, 160(sp)
	sd	x22, 168(sp)
	sd	x23, 176(sp)
	sd	x24, 184(sp)
	sd	x25, 192(sp)
	sd	x26, 200(sp)
	sd	x27, 208(sp)
	sd	x28, 216(sp)
	sd	x29, 224(sp)
	sd	x30, 232(sp)
	sd	x31, 240(sp)
	addi	t0, sp, TF_SIZE
	sd	t0, 8(sp)		/* x2: sp at the trap */
	csrr	t0, sepc
	csrr	t1, sstatus
	csrr	t2, scause
	csrr	t3, stval
	sd	t0, TF_SEPC(sp)
	sd	t1, TF_SSTATUS(sp)
	sd	t2, TF_SCAUSE(sp)
	sd	t3, TF_STVAL(sp)
	sd	s0, TF_FRAME(sp)	/* record: caller's fp, then return address */
	sd	t0, TF_FRAME + 8(sp)
	addi	s0, sp, TF_FRAME + 16
	mv	a0, sp
	call	rv_trap
	ld	t0, TF_SEPC(sp)
	ld	t1, TF_SSTATUS(sp)
	csrw	sepc, t0
	csrw	sstatus, t1
	ld	x1, 0(sp)
	ld	x3, 16(sp)
	ld	x4, 24(sp)
	ld	x5, 32(sp)
	ld	x6, 40(sp)
	ld	x7, 48(sp)
	ld	x8, 56(sp)
	ld	x9, 64(sp)
	ld	x10, 72(sp)
	ld	x11, 80(sp)
	ld	x12, 88(sp)
	ld	x13, 96(sp)
	ld	x14, 104(sp)
	ld	x15, 112(sp)
	ld	x16, 120(sp)
	ld	x17, 128(sp)
	ld	x18, 136(sp)
	ld	x19, 144(sp)
	ld	x20, 152(sp)
	ld	x21, 160(sp)
	ld	x22, 168(sp)
	ld	x23, 176(sp)
	ld	x24, 184(sp)
	ld	x25, 192(sp)
	ld	x26, 200(sp)
	ld	x27, 208(sp)
	ld	x28, 216(sp)
	ld	x29, 224(sp)
	ld	x30, 232(sp)
	ld	x31, 240(sp)
	addi	sp, sp, TF_SIZE
	sret
	.size rv_trap_entry, .-rv_trap_entry

/* void rv_switch(uintptr_t *save_sp, uintptr_t new_sp): ra and s0-s11
 * onto this stack, store its pointer, load the other, restore. Everything
 * else is caller-saved: to the compiler a plain call. sstatus needs no
 * saving: every switch happens with interrupts disabled. */
	.globl rv_switch
	.type rv_switch, @function
rv_switch:
	addi	sp, sp, -112
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	sd	s6, 56(sp)
	sd	s7, 64(sp)
	sd	s8, 72(sp)
	sd	s9, 80(sp)
	sd	s10, 88(sp)
	sd	s11, 96(sp)
	sd	sp, 0(a0)
	mv	sp, a1
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	addi	sp, sp, 112
	ret
	.size rv_switch, .-rv_switch

/* First code of a new kernel thread: arch_context_init left entry in s1
 * and its argument in s2; s0 = 0 ends frame-pointer walks here. */
	.globl rv_thread_start
	.type rv_thread_start, @function
rv_thread_start:
	li	s0, 0
	li	ra, 0
	mv	a0, s2
	jalr	s1
	ebreak				/* entry must not return (contract) */
	.size rv_thread_start, .-rv_thread_start

	.section .note.GNU-stack, "", @progbits
