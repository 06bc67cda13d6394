/* Tracepoints: named static events compiled into the kernel, off by default.
 * Enabled ones write a record (time, CPU, tid, up to 4 u64 arguments) into
 * the emitting CPU's ring; readers merge the rings by time (docs/tracing.md).
 *
 * Stability: a tracepoint's name, the order and meaning of its arguments and
 * its format are ABI (tools match on them, /sys/umka/tracepoints lists
 * them). A tracepoint may be added; one that exists is never renamed, nor
 * are its arguments reordered or given new meanings. New arguments go at
 * the end (up to 4); a changed meaning is a new tracepoint. */
#ifndef UMKA_TRACE_H
#define UMKA_TRACE_H

#include <umka/percpu.h>
#include <umka/types.h>

#define TRACE_MAX_ARGS 4
/* Records per CPU ring: the default, and the bounds trace_buf= accepts
 * (powers of two; the upper bound is the largest page block, 4 MiB). */
#define TRACE_RECORDS_DEFAULT 4096u
#define TRACE_RECORDS_MIN 64u
#define TRACE_RECORDS_MAX 65536u

/* One tracepoint. Lives in the "tracepoints" linker section, so the set of
 * them is known at link time (an index into the section names it in a
 * record) and no registration can fail. The alignment makes every object
 * the same stride apart, as the section is walked as an array. */
struct tracepoint {
	const char *name;	/* stable ABI, [a-z0-9_] */
	const char *format;	/* printf over the args: only %llu %lld %llx (ABI) */
	/* Tested by every TRACE() at the call site: the only cost when off.
	 * Written by trace_enable (WRITE_ONCE), read with READ_ONCE. */
	unsigned enabled;
	bool bad_format;	/* trace_init found a conversion it cannot print */
} __aligned(32);

/* Define a tracepoint in the file that owns the event. fmt formats its
 * arguments, each a u64: "prev=%llu next=%llu". */
#define DEFINE_TRACEPOINT(tname, fmt)                                             \
	struct tracepoint __tracepoint_##tname                                    \
		__attribute__((used, section("tracepoints"))) = { #tname, fmt, 0, false }

/* Use, in another file, a tracepoint defined elsewhere. */
#define DECLARE_TRACEPOINT(tname) extern struct tracepoint __tracepoint_##tname

/* Emit tname with 0..4 arguments (each converted to u64; pointers are fine).
 * When the tracepoint is off this is one load and a not-taken branch; the
 * arguments are not even evaluated. Any context: interrupts, spinlocks held,
 * early boot (before trace_init the rings do not exist and records are
 * dropped, counted). Never sleeps or allocates. */
#define TRACE(tname, ...)                                                         \
	do {                                                                      \
		_Static_assert(__TRACE_COUNT(__VA_ARGS__) <= TRACE_MAX_ARGS,      \
			       "a tracepoint takes at most 4 arguments");          \
		if (unlikely(READ_ONCE(__tracepoint_##tname.enabled)))            \
			__TRACE_EMIT(&__tracepoint_##tname, ##__VA_ARGS__, 0, 0, 0, 0, 0); \
	} while (0)

/* Argument counting for TRACE: more than 4 names an undeclared identifier,
 * which stops the build at the call site. */
#define __TRACE_COUNT(...) __TRACE_NTH(_, ##__VA_ARGS__, __trace_too_many_args, 4, 3, 2, 1, 0)
#define __TRACE_NTH(_0, _1, _2, _3, _4, _5, n, ...) n
#define __TRACE_EMIT(tp, a, b, c, d, ...) \
	trace_emit(tp, (u64)(a), (u64)(b), (u64)(c), (u64)(d))

/* The out-of-line half of TRACE: write one record on this CPU. */
void trace_emit(struct tracepoint *tp, u64 a, u64 b, u64 c, u64 d);

/* Allocate a ring of records_per_cpu (0: the default) for each of the
 * machine's nr_cpus CPUs, check every format, then enable the tracepoints
 * named in spec ("all", or a comma list; "" for none). Unknown names are
 * warned about, not fatal. After mm_init and slab_init, before other CPUs
 * start. A CPU whose ring cannot be allocated drops its records. */
void trace_init(unsigned nr_cpus, unsigned records_per_cpu, const char *spec);

/* Turn the named tracepoint ("all": every one) on or off. 0, -ENOENT for an
 * unknown name, -EINVAL for a tracepoint whose format trace_init refused. */
int trace_enable(const char *name, bool on);

/* Can fmt print a record? Each conversion must be %[-0][width]ll{d,u,x,X}
 * (%% prints a percent sign), at most TRACE_MAX_ARGS of them. */
bool trace_format_valid(const char *fmt);

/* Every tracepoint, in link order. */
void trace_for_each(void (*fn)(const struct tracepoint *tp, void *arg), void *arg);
const struct tracepoint *trace_find(const char *name);
/* Records emitted by tp while on, summed over the CPUs. */
u64 trace_hits(const struct tracepoint *tp);

struct trace_stats {
	unsigned records_per_cpu;	/* ring size (0 before trace_init) */
	unsigned nr_rings;		/* CPUs with a ring */
	u64 written;			/* records written, all CPUs */
	u64 overwritten;		/* of which the rings no longer hold */
	u64 dropped;			/* emitted where there was no ring */
};
void trace_get_stats(struct trace_stats *st);

/* ---- Reading ----------------------------------------------------------------
 * A cursor walks every CPU's ring from its oldest record to where its head
 * was at trace_cursor_init, handing out records in timestamp order (a merge
 * of the per-CPU rings). Nothing is consumed; readers run alongside writers
 * on any CPU. A record overwritten before the cursor copied it intact is
 * skipped and counted in lost. */
struct trace_entry {
	u64 ts;				/* ktime_get_ns() when emitted */
	u64 args[TRACE_MAX_ARGS];
	const struct tracepoint *tp;
	int tid;			/* current task's; 0 for an idle task / early boot */
	unsigned cpu;
};

struct trace_cursor {
	u64 pos[NR_CPUS];		/* next position to read in each ring */
	u64 end[NR_CPUS];		/* each ring's head at init */
	struct trace_entry next[NR_CPUS];	/* the ring's next record, if have */
	bool have[NR_CPUS];
	u64 lost;			/* records gone before they could be read */
};

void trace_cursor_init(struct trace_cursor *c);
/* The oldest record not yet handed out; false when every ring is done. */
bool trace_cursor_next(struct trace_cursor *c, struct trace_entry *e);

/* One record as a text line "[sec.usec] cpu tid name: args\n" (seconds
 * since trace_init); returns the length it needs, as ksnprintf does. */
int trace_format(const struct trace_entry *e, char *buf, size_t size);

/* The trace as text lines into buf, NUL-terminated when size > 0, leaving
 * out the lines that start in the first skip bytes of the whole text (to
 * keep the newest when the whole does not fit). Returns the length the text
 * after skip needs: more than size - 1 when it did not all fit, and then
 * buf holds the oldest whole lines that did. A line longer than
 * TRACE_LINE_MAX - 1 bytes is cut. */
#define TRACE_LINE_MAX 256
size_t trace_read(char *buf, size_t size, size_t skip, u64 *lost);

/* For panic: print the newest records (up to 16) to the console, if any
 * tracepoint ever wrote one. Only with every other CPU stopped; no lock,
 * no allocation. */
void trace_dump_tail(void);

#endif
