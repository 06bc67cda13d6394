/* arch_symbolize for the hardware images: a sorted table of the image's
 * text symbols, written into .rodata by link-syms.sh at the second link.
 * The first link sees these weak empty definitions instead (the strong
 * ones replace them; their bytes stay put, so nothing before the table
 * moves). Lookup is a binary search: panic-safe, no locks, no allocation. */
#include <umka/arch.h>
#include <umka/string.h>

/* A pc this far past the nearest symbol is not in any function we know. */
#define SYM_MAX_OFFSET 0x10000

__attribute__((weak)) const u64 umka_sym_count;
__attribute__((weak)) const u64 umka_sym_addr[1];
__attribute__((weak)) const u32 umka_sym_name[1];
__attribute__((weak)) const char umka_sym_names[1];

void arch_symbolize(uintptr_t pc, char *buf, size_t len)
{
	const u64 *count = &umka_sym_count, *addr = umka_sym_addr;
	const u32 *name = umka_sym_name;
	const char *names = umka_sym_names;
	u64 lo = 0, hi;

	/* Hide the weak definitions from the compiler: their sizes and zero
	 * contents are the first link's, not the image's. */
	__asm__("" : "+r"(count), "+r"(addr), "+r"(name), "+r"(names));
	hi = *count;

	while (lo < hi) {	/* first entry above pc */
		u64 mid = lo + (hi - lo) / 2;

		if (addr[mid] <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || pc - addr[lo - 1] >= SYM_MAX_OFFSET) {
		ksnprintf(buf, len, "0x%lx", (unsigned long)pc);
		return;
	}
	ksnprintf(buf, len, "%s+0x%lx (0x%lx)", names + name[lo - 1],
		  (unsigned long)(pc - addr[lo - 1]), (unsigned long)pc);
}
