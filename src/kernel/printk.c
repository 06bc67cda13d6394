/* printk and the kernel log ring. Records (header + text) are packed into a
 * fixed byte ring; when it fills, the oldest records are dropped, so the
 * newest log always survives. Console echo is synchronous: a message is on
 * the console before printk returns, which is what you want when the next
 * line of code crashes. */
#include <umka/printk.h>
#include <umka/spinlock.h>
#include <umka/string.h>

#define LOG_BUF_SIZE (64 * 1024)
#define LOG_LINE_MAX 512

/* All fields under log_lock, except in panic (printk_panic_mode), when the
 * CPU that panicked writes without it so a held lock cannot silence it. */
static DEFINE_SPINLOCK(log_lock, LOCK_LEVEL_PRINTK);
static u8 log_buf[LOG_BUF_SIZE] __aligned(8);
static size_t log_head;		/* offset of the next record to write */
static size_t log_tail;		/* offset of the oldest record */
static u64 log_first_seq;	/* seq of the record at log_tail */
static u64 log_next_seq;	/* seq the next record gets */
static u64 log_dropped;
static enum log_level console_level = LOG_INFO;
static u64 boot_clock;		/* clock at the first printk: time zero */
static bool boot_clock_set;
bool printk_panic_mode;

static size_t rec_size(size_t len)
{
	return ALIGN_UP(sizeof(struct log_record) + len, 8);
}

static struct log_record *rec_at(size_t off)
{
	return (struct log_record *)(log_buf + off);
}

/* A record never wraps: a zero-length, seq-less marker at the end sends
 * readers back to offset 0. */
#define WRAP_MARK UINT64_MAX

static size_t rec_next(size_t off)
{
	struct log_record *r = rec_at(off);

	off += rec_size(r->len);
	if (off + sizeof(struct log_record) > LOG_BUF_SIZE || rec_at(off)->seq == WRAP_MARK)
		return 0;
	return off;
}

static void drop_oldest(void)
{
	log_tail = rec_next(log_tail);
	log_first_seq++;
	log_dropped++;
}

/* Free room for `need` bytes at log_head, wrapping and dropping as needed. */
static void make_room(size_t need)
{
	if (log_head + need > LOG_BUF_SIZE) {
		/* Drop everything between head and the end, then wrap. */
		while (log_first_seq < log_next_seq && log_tail >= log_head)
			drop_oldest();
		if (log_head + sizeof(struct log_record) <= LOG_BUF_SIZE)
			rec_at(log_head)->seq = WRAP_MARK;
		log_head = 0;
	}
	while (log_first_seq < log_next_seq && log_tail >= log_head && log_tail < log_head + need)
		drop_oldest();
	if (log_first_seq == log_next_seq)
		log_tail = log_head;
}

static void log_store(enum log_level level, u64 ts, const char *text, size_t len)
{
	size_t need = rec_size(len);
	struct log_record *r;

	make_room(need);
	r = rec_at(log_head);
	r->seq = log_next_seq++;
	r->ts_ns = ts;
	r->level = level;
	r->len = (u16)len;
	memcpy(r->text, text, len);
	log_head += need;
}

static size_t format_prefix(char *buf, size_t size, u64 ts)
{
	return (size_t)ksnprintf(buf, size, "[%5llu.%06llu] ", (unsigned long long)(ts / NSEC_PER_SEC),
				 (unsigned long long)(ts % NSEC_PER_SEC / 1000));
}

void vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	char prefix[32];
	unsigned long flags = 0;
	u64 ts = arch_clock_ns();
	int n;

	if (!boot_clock_set) {
		boot_clock = ts;
		boot_clock_set = true;
	}
	ts -= boot_clock;
	n = kvsnprintf(line, sizeof(line), fmt, ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	if (n > 0 && line[n - 1] == '\n')
		n--;

	if (!printk_panic_mode)
		flags = spin_lock_irqsave(&log_lock);
	log_store(level, ts, line, (size_t)n);
	if (level <= console_level) {
		arch_console_write(prefix, format_prefix(prefix, sizeof(prefix), ts));
		line[n] = '\n';
		arch_console_write(line, (size_t)n + 1);
	}
	if (!printk_panic_mode)
		spin_unlock_irqrestore(&log_lock, flags);
}

void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

/* Raw console output goes through log_lock too, so lines from several
 * CPUs do not interleave mid-line (not in panic: see log_lock). */
static void console_locked_write(const char *s, size_t len)
{
	unsigned long flags = 0;

	if (!printk_panic_mode)
		flags = spin_lock_irqsave(&log_lock);
	arch_console_write(s, len);
	if (!printk_panic_mode)
		spin_unlock_irqrestore(&log_lock, flags);
}

void console_puts(const char *s)
{
	console_locked_write(s, strlen(s));
}

void console_printf(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_locked_write(line, MIN((size_t)n, sizeof(line) - 1));
}

void printk_set_console_level(enum log_level level)
{
	console_level = level;
}

size_t printk_read(u64 *seq, char *buf, size_t size)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	size_t off, n = 0;
	u64 s;

	if (*seq < log_first_seq)
		*seq = log_first_seq;
	if (*seq >= log_next_seq || size == 0)
		goto out;
	off = log_tail;
	for (s = log_first_seq; s < *seq; s++)
		off = rec_next(off);
	{
		struct log_record *r = rec_at(off);
		char prefix[40];
		size_t plen, tlen;

		plen = (size_t)ksnprintf(prefix, sizeof(prefix), "<%d>", (int)r->level);
		plen += format_prefix(prefix + plen, sizeof(prefix) - plen, r->ts_ns);
		plen = MIN(plen, size);
		memcpy(buf, prefix, plen);
		tlen = MIN((size_t)r->len, size - plen);
		memcpy(buf + plen, r->text, tlen);
		n = plen + tlen;
		if (n < size)
			buf[n++] = '\n';
	}
	(*seq)++;
out:
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

u64 printk_dropped(void)
{
	return log_dropped;
}
