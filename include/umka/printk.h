/* Kernel log: printk formats a record with a level and timestamp into the log
 * ring (read later as dmesg) and echoes it to the console when its level is
 * at or below the console loglevel. Callable from any context. */
#ifndef UMKA_PRINTK_H
#define UMKA_PRINTK_H

#include <umka/types.h>

enum log_level {
	LOG_EMERG = 0, LOG_ALERT, LOG_CRIT, LOG_ERR,
	LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG,
};

void printk(enum log_level level, const char *fmt, ...) __printf(2, 3);
void vprintk(enum log_level level, const char *fmt, va_list ap);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Write raw text to the console, bypassing level and timestamp (TAP output,
 * banners). Not logged. */
void console_puts(const char *s);
void console_printf(const char *fmt, ...) __printf(1, 2);

/* Console loglevel: records with level <= this reach the console. */
void printk_set_console_level(enum log_level level);

/* The log ring. Records are kept until overwritten by newer ones. */
struct log_record {
	u64 seq;
	u64 ts_ns;
	enum log_level level;
	u16 len;
	char text[];	/* not NUL-terminated */
};

/* Copy the record with the lowest sequence number >= *seq into buf as
 * "<level>[seconds.micros] text\n"; advance *seq past it. Returns the bytes
 * written (truncated to size), 0 when no such record remains. */
size_t printk_read(u64 *seq, char *buf, size_t size);

/* Records lost to overwriting since boot (a reader that fell behind). */
u64 printk_dropped(void);

#endif
