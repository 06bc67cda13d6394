/* The C string and memory functions for freestanding (arch-hw) builds;
 * arch-um uses the host libc's. The compiler emits calls to memcpy, memset,
 * memmove and memcmp on its own (struct copies, initialisers), so these
 * must exist and must not call themselves: the build compiles this file
 * with -fno-tree-loop-distribute-patterns, which stops GCC turning the
 * loops below back into calls. x86-64 uses the string instructions, which
 * are fast on modern CPUs and keep TCG's instruction count low. */
#include <umka/string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__)
	void *d = dst;
	size_t words = n / 8;

	__asm__ __volatile__("rep movsq" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	n &= 7;
	__asm__ __volatile__("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
#else
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
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
	while (n--)
		d[n] = s[n];
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
