/* Fatal errors and assertions. panic prints the message, the CPU and task,
 * and a backtrace, then halts the machine with HALT_PANIC. */
#ifndef UMKA_PANIC_H
#define UMKA_PANIC_H

#include <umka/types.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Print a backtrace of the calling context at LOG_ERR. */
void dump_stack(void);

/* Number of WARN_ON hits since boot (tests read it). */
extern unsigned long warn_count;
void warn_slowpath(const char *file, int line, const char *cond);

#define BUG_ON(cond)                                                               \
	do {                                                                       \
		if (unlikely(cond))                                                \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);      \
	} while (0)
#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)

/* Warn with a backtrace and carry on; evaluates to the condition. */
#define WARN_ON(cond)                                                   \
	({                                                              \
		bool __w = !!(cond);                                    \
		if (unlikely(__w))                                      \
			warn_slowpath(__FILE__, __LINE__, #cond);       \
		__w;                                                    \
	})

#endif
