/* AArch64 kernel contexts and diagnostics. A context is a saved stack
 * pointer; a64_switch (entry.S) saves and restores x19-x30 on the stacks.
 * Backtraces follow the x29 frame-record chain (the kernel is built with
 * -fno-omit-frame-pointer), checking every record before reading it. */
#include <umka/arch.h>
#include <umka/string.h>

#include "a64.h"

void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t *sp = (uintptr_t *)(((uintptr_t)stack + size) & ~(uintptr_t)15);

	memset(ctx, 0, sizeof(*ctx));
	ctx->stack = stack;
	ctx->stack_size = size;
	sp -= 12;			/* a64_switch's frame: x19..x30 */
	memset(sp, 0, 12 * sizeof(*sp));
	sp[0] = (uintptr_t)entry;	/* x19 */
	sp[1] = (uintptr_t)arg;		/* x20 */
	sp[10] = 0;			/* x29: no caller frame */
	sp[11] = (uintptr_t)a64_thread_start;	/* x30: a64_switch returns there */
	ctx->sp = (uintptr_t)sp;
}

void arch_context_switch(struct arch_context *from, struct arch_context *to)
{
	a64_switch(&from->sp, to->sp);
}

/* A frame record is [x29 of the caller, return address]; stacks grow
 * down, so each caller's record is above its callee's. A record that is
 * misaligned, unmapped or not above the last one ends the walk. */
unsigned arch_stack_trace(uintptr_t *pcs, unsigned max)
{
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	unsigned n = 0;

	while (n < max && fp && !(fp & 7) && a64_addr_mapped(fp, 16)) {
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
