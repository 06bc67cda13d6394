/* The C string and memory functions for freestanding (arch-hw) builds;
 * arch-um uses the host libc's. The compiler emits calls to memcpy, memset,
 * memmove and memcmp on its own (struct copies, initialisers), so these
 * must exist and must not call themselves: the build compiles this file
 * with -fno-tree-loop-distribute-patterns, which stops GCC turning the
 * loops below back into calls. x86-64 uses the string instructions, which
 * are fast on modern CPUs and keep TCG's instruction count low; the others
 * move aligned 8-byte words. */
#include <umka/string.h>

#if !defined(__x86_64__)
/* Elsewhere, 8-byte words once source and destination share an alignment
 * (misaligned word accesses trap or are emulated slowly on RISC-V), bytes
 * for the head and tail. A load through this type may alias anything. */
typedef u64 __attribute__((may_alias)) word_t;
#define WORD sizeof(word_t)

static bool co_aligned(const void *a, const void *b)
{
	return (((uintptr_t)a ^ (uintptr_t)b) & (WORD - 1)) == 0;
}

static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (n >= 2 * WORD && co_aligned(d, s)) {
		for (; (uintptr_t)d & (WORD - 1); n--)
			*d++ = *s++;
		for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD, s += 4 * WORD) {
			word_t a = ((const word_t *)s)[0], b = ((const word_t *)s)[1];
			word_t c = ((const word_t *)s)[2], e = ((const word_t *)s)[3];

			((word_t *)d)[0] = a;
			((word_t *)d)[1] = b;
			((word_t *)d)[2] = c;
			((word_t *)d)[3] = e;
		}
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
			*(word_t *)d = *(const word_t *)s;
	}
	while (n--)
		*d++ = *s++;
}

/* From the end down, for an overlap with the destination above. */
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (n >= 2 * WORD && co_aligned(d, s)) {
		for (; (uintptr_t)d & (WORD - 1); n--)
			*--d = *--s;
		for (; n >= WORD; n -= WORD) {
			d -= WORD;
			s -= WORD;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	while (n--)
		*--d = *--s;
}
#endif

void *memcpy(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__)
	void *d = dst;
	size_t words = n / 8;

	__asm__ __volatile__("rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	n &= 7;
	__asm__ __volatile__("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
#else
	copy_forward(dst, src, n);
#endif
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || !n)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlap with dst above src: copy from the end down. */
#if defined(__x86_64__)
	{
		void *de = d + n - 1;
		const void *se = s + n - 1;

		__asm__ __volatile__("std; rep movsb; cld"
				     : "+D"(de), "+S"(se), "+c"(n)
				     :
				     : "memory");
	}
#else
	copy_backward(d, s, n);
#endif
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
#if defined(__x86_64__)
	void *d = dst;
	size_t words = n / 8;
	u64 pattern = 0x0101010101010101ULL * (unsigned char)c;

	__asm__ __volatile__("rep stosq" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
	n &= 7;
	__asm__ __volatile__("rep stosb" : "+D"(d), "+c"(n) : "a"(pattern) : "memory");
#else
	unsigned char *d = dst;
	word_t pattern = 0x0101010101010101ULL * (unsigned char)c;

	if (n >= 2 * WORD) {
		for (; (uintptr_t)d & (WORD - 1); n--)
			*d++ = (unsigned char)c;
		for (; n >= 4 * WORD; n -= 4 * WORD, d += 4 * WORD) {
			((word_t *)d)[0] = pattern;
			((word_t *)d)[1] = pattern;
			((word_t *)d)[2] = pattern;
			((word_t *)d)[3] = pattern;
		}
		for (; n >= WORD; n -= WORD, d += WORD)
			*(word_t *)d = pattern;
	}
	while (n--)
		*d++ = (unsigned char)c;
#endif
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y)
		x++, y++;
	return *x < *y ? -1 : *x > *y;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
		if (!*x)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/* Plain search: the kernel looks for short needles in small texts. */
char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (;; hay++) {
		if (!strncmp(hay, needle, n))
			return (char *)hay;
		if (!*hay)
			return NULL;
	}
}
