/* RISC-V 64 kernel contexts and diagnostics. A context is a saved stack
 * pointer; rv_switch (entry.S) saves and restores ra and s0-s11 on the
 * stacks. Backtraces follow the frame-pointer chain (the kernel is built
 * with -fno-omit-frame-pointer): s0 is the frame's top, the return address
 * sits at s0 - 8 and the caller's s0 at s0 - 16. Every record is checked
 * before it is read. */
#include <umka/arch.h>
#include <umka/string.h>

#include "rv.h"

#define SWITCH_WORDS 14	/* rv_switch's frame: ra, s0..s11, padding */

void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t *sp = (uintptr_t *)(((uintptr_t)stack + size) & ~(uintptr_t)15);

	memset(ctx, 0, sizeof(*ctx));
	ctx->stack = stack;
	ctx->stack_size = size;
	sp -= SWITCH_WORDS;
	memset(sp, 0, SWITCH_WORDS * sizeof(*sp));
	sp[0] = (uintptr_t)rv_thread_start;	/* ra: rv_switch returns there */
	sp[1] = 0;				/* s0: no caller frame */
	sp[2] = (uintptr_t)entry;		/* s1 */
	sp[3] = (uintptr_t)arg;			/* s2 */
	ctx->sp = (uintptr_t)sp;
}

void arch_context_switch(struct arch_context *from, struct arch_context *to)
{
	rv_switch(&from->sp, to->sp);
}

/* Stacks grow down, so each caller's frame is above its callee's. A
 * record that is misaligned, unmapped or not above the last one ends the
 * walk. This function calls rv_addr_mapped, so it is not a leaf: GCC
 * saves its ra, and the first record read is its own (the return address
 * into the caller, which skips this function as arch.h asks). Leaf
 * functions save no ra; they can only be the innermost frame, which a
 * walk reaches through a trap frame (its record is sepc and s0); such a
 * leaf keeps only the caller's s0, at s0 - 8, so a "return address" outside
 * the kernel's text ends the walk rather than printing junk. */
unsigned arch_stack_trace(uintptr_t *pcs, unsigned max)
{
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	unsigned n = 0;

	while (n < max && fp >= 16 && !(fp & 7) && rv_addr_mapped(fp - 16, 16)) {
		uintptr_t next = ((uintptr_t *)fp)[-2];
		uintptr_t pc = ((uintptr_t *)fp)[-1];

		if (pc < (uintptr_t)_kernel_start || pc >= (uintptr_t)_etext)
			break;	/* not a return address: a leaf's record, or junk */
		pcs[n++] = pc;
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}
