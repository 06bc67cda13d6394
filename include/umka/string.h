/* Memory and string helpers. The mem and str functions keep their C names
 * so the compiler may inline them; the arch supplies them (libc on arch-um,
 * src/lib/string.c on hardware). Formatting is the kernel's own. */
#ifndef UMKA_STRING_H
#define UMKA_STRING_H

#include <umka/types.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);

/* C99 semantics: always NUL-terminates when size > 0 and returns the length
 * the full output would have had. Supports %d %i %u %o %x %X %p %s %c %% with
 * flags '-' '0', width, precision for %s, and l/ll/z length modifiers. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Parse an unsigned decimal (or 0x hex) number filling all of s[0..len).
 * Returns 0, -EINVAL on a bad digit or empty input, -ERANGE on overflow. */
int kstrtou64(const char *s, size_t len, u64 *out);

#endif
