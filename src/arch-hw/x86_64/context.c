/* x86-64 kernel contexts and diagnostics. A context is a saved stack
 * pointer; x86_switch (entry.S) pushes and pops the callee-saved registers.
 * Backtraces follow frame pointers (the kernel is built with
 * -fno-omit-frame-pointer), checking every frame before reading it. */
#include <umka/arch.h>
#include <umka/string.h>

#include "x86.h"

void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t *sp = (uintptr_t *)(((uintptr_t)stack + size) & ~(uintptr_t)15);

	memset(ctx, 0, sizeof(*ctx));
	ctx->stack = stack;
	ctx->stack_size = size;
	*--sp = 0;				/* fake return address of the trampoline */
	*--sp = (uintptr_t)x86_thread_start;	/* x86_switch returns here */
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (uintptr_t)entry;		/* r12 */
	*--sp = (uintptr_t)arg;			/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	ctx->sp = (uintptr_t)sp;
}

void arch_context_switch(struct arch_context *from, struct arch_context *to)
{
	x86_switch(&from->sp, to->sp);
}

/* Frames live on the stack, which only grows down: each caller's frame is
 * above its callee's. A frame pointer that is misaligned, unmapped, or not
 * above the last one ends the walk instead of faulting. */
unsigned arch_stack_trace(uintptr_t *pcs, unsigned max)
{
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	unsigned n = 0;

	while (n < max && fp && !(fp & 7) && x86_addr_mapped(fp, 16)) {
		uintptr_t next = ((uintptr_t *)fp)[0];
		uintptr_t pc = ((uintptr_t *)fp)[1];

		if (!pc)
			break;
		pcs[n++] = pc;
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}
