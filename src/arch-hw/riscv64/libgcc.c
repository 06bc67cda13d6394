/* The libgcc helpers GCC calls for rv64imac (no Zbb bit-manipulation
 * instructions). Debian's cross libgcc.a is built for the lp64d ABI and
 * cannot be linked with this soft-float (lp64) kernel, so the few helpers
 * the kernel needs are here instead. The undefined-symbol errors at link
 * time say when another one is needed. */
#include <umka/types.h>

int __clzdi2(unsigned long x);
int __ctzdi2(unsigned long x);
int __popcountdi2(unsigned long x);

/* Leading zeros of a nonzero x (GCC leaves x == 0 undefined; 64 here). */
int __clzdi2(unsigned long x)
{
	int n = 0;

	if (!x)
		return 64;
	for (int shift = 32; shift; shift >>= 1) {
		if (!(x >> (64 - shift))) {
			n += shift;
			x <<= shift;
		}
	}
	return n;
}

int __ctzdi2(unsigned long x)
{
	int n = 0;

	if (!x)
		return 64;
	for (int shift = 32; shift; shift >>= 1) {
		if (!(x & ((1UL << shift) - 1))) {
			n += shift;
			x >>= shift;
		}
	}
	return n;
}

int __popcountdi2(unsigned long x)
{
	x = x - ((x >> 1) & 0x5555555555555555UL);
	x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (int)((x * 0x0101010101010101UL) >> 56);
}
