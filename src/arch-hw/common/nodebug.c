/* The arch.h hooks every hardware port answers the same way for now: no
 * memory checker to tell about poisoned memory, and nothing kept per stack
 * that a finished context would need to release. */
#include <umka/arch.h>

void arch_context_destroy(struct arch_context *ctx)
{
	(void)ctx;
}

void arch_mem_poison(const void *p, size_t len)
{
	(void)p, (void)len;
}

void arch_mem_unpoison(const void *p, size_t len)
{
	(void)p, (void)len;
}
