/* See diag.h. */
#include <umka/arch.h>
#include <umka/string.h>

#include "diag.h"

void hw_dump_printf(const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	arch_console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}
