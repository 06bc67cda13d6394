/* The arch.h hooks every hardware port answers the same way for now: no
 * memory checker to tell about poisoned memory, nothing kept per stack that
 * a finished context would need to release, no stack guard pages yet (the
 * core's end-of-stack word still catches an overrun at the next switch),
 * and no host to offer arch-um's host services (fuse=, hostfs=). */
#include <umka/arch.h>
#include <umka/cmdline.h>

const char *arch_cmdline_unsupported(const struct kernel_params *p)
{
	if (p->fuse[0])
		return "fuse";
	if (p->hostfs[0])
		return "hostfs";
	return NULL;
}

void arch_context_destroy(struct arch_context *ctx)
{
	(void)ctx;
}

bool arch_stack_guard(void *page)
{
	(void)page;
	return false;
}

void arch_stack_unguard(void *page)
{
	(void)page;
}

void arch_mem_poison(const void *p, size_t len)
{
	(void)p, (void)len;
}

void arch_mem_unpoison(const void *p, size_t len)
{
	(void)p, (void)len;
}
