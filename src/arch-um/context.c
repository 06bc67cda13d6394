/* arch-um kernel contexts: each kernel thread has its own stack from kernel
 * memory, switched by um_switch. Valgrind and ASan are told about every
 * stack and every switch, so both keep working across kernel threads. */
#include <pthread.h>
#include <string.h>

#include <umka/arch.h>

#include "config.h"
#include "um.h"

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(a, b) 0
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#endif

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define UM_ASAN 1
#endif

/* The boot thread's stack (the process's main stack), found once: vCPU 0's
 * idle task runs on it. Secondary vCPUs' idle tasks run on stacks the core
 * allocated (ctx.stack set), registered by arch_cpu_start. */
static void *boot_stack;
static size_t boot_stack_size;

void um_context_init_boot(void)
{
	pthread_attr_t attr;

	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstack(&attr, &boot_stack, &boot_stack_size);
		pthread_attr_destroy(&attr);
	}
}

void um_thread_entry(void (*entry)(void *), void *arg, struct arch_context *ctx);

void um_thread_entry(void (*entry)(void *), void *arg, struct arch_context *ctx)
{
#ifdef UM_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	(void)ctx;
	entry(arg);
	__builtin_trap();	/* entry must not return (contract) */
}

void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t *sp = (uintptr_t *)(((uintptr_t)stack + size) & ~(uintptr_t)15);

	memset(ctx, 0, sizeof(*ctx));
	ctx->stack = stack;
	ctx->stack_size = size;
	*--sp = 0;				/* fake return address of the trampoline */
	*--sp = (uintptr_t)um_thread_start;	/* um_switch returns here */
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = (uintptr_t)entry;		/* r12 */
	*--sp = (uintptr_t)arg;			/* r13 */
	*--sp = (uintptr_t)ctx;			/* r14 */
	*--sp = 0;				/* r15 */
	ctx->sp = (uintptr_t)sp;
	ctx->priv[0] = VALGRIND_STACK_REGISTER(stack, (char *)stack + size);
}

void arch_context_destroy(struct arch_context *ctx)
{
	if (ctx->stack)
		VALGRIND_STACK_DEREGISTER(ctx->priv[0]);
}

/* Valgrind and ASan see each switch; cpu.c checks that a stack holding a
 * host signal frame never moves to another vCPU's thread. */
void arch_context_switch(struct arch_context *from, struct arch_context *to)
{
	um_context_note_switch(from, to);
#ifdef UM_ASAN
	void *fake_stack = NULL;
	const void *to_bottom = to->stack ? to->stack : boot_stack;
	size_t to_size = to->stack ? to->stack_size : boot_stack_size;

	__sanitizer_start_switch_fiber(&fake_stack, to_bottom, to_size);
	um_switch(&from->sp, to->sp);
	__sanitizer_finish_switch_fiber(fake_stack, NULL, NULL);
#else
	um_switch(&from->sp, to->sp);
#endif
}
