/* The arch.h hooks every hardware port answers the same way for now: no
 * symbol table in the image (addr2line on the ELF names raw addresses), no
 * memory checker to tell about poisoned memory, nothing kept per stack
 * that a finished context would need to release, and no host to offer
 * arch-um's host services (fuse=, hostfs=). */
#include <umka/arch.h>
#include <umka/cmdline.h>
#include <umka/string.h>

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

void arch_symbolize(uintptr_t pc, char *buf, size_t len)
{
	ksnprintf(buf, len, "0x%lx", (unsigned long)pc);
}

void arch_mem_poison(const void *p, size_t len)
{
	(void)p, (void)len;
}

void arch_mem_unpoison(const void *p, size_t len)
{
	(void)p, (void)len;
}
