/* Tracepoints and their per-CPU record rings (include/umka/trace.h).
 * The writer is the ring's own CPU with interrupts off, so it needs no lock;
 * readers on any CPU check a per-slot sequence before and after copying a
 * record (a seqcount per slot) and skip records that changed under them. */
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/trace.h>

/* Weak: a unit test program may link no tracepoint at all, and then the
 * section and these symbols do not exist (both read as NULL: no entries). */
extern struct tracepoint __start_tracepoints[] __attribute__((weak));
extern struct tracepoint __stop_tracepoints[] __attribute__((weak));

/* One record; 64 bytes, so a slot is one cache line. */
struct trace_record {
	u64 seq;		/* ring position + 1 once complete; 0 while written */
	u64 ts;
	u64 args[TRACE_MAX_ARGS];
	s32 tid;
	u16 cpu;
	u16 tp;			/* index in the tracepoints section */
	u64 unused;
};

/* Fields written only by the ring's CPU with interrupts off; read by
 * anyone: head and slots with the acquire loads below. recs, hits and mask
 * are set once by trace_init before other CPUs start. */
struct trace_ring {
	struct trace_record *recs;
	u64 *hits;		/* per tracepoint: emissions on this CPU */
	u64 head;		/* records ever written here */
	u64 mask;		/* records - 1 */
} __cacheline_aligned;

static struct trace_ring rings[NR_CPUS];
static unsigned ring_records;	/* set by trace_init */
static unsigned ring_order;	/* page order of one ring */
static u64 trace_epoch;		/* ktime at trace_init: time zero of the text */
static u64 trace_dropped;	/* emissions without a ring; atomic */

static unsigned nr_tracepoints(void)
{
	return (unsigned)(__stop_tracepoints - __start_tracepoints);
}

/* ---- Writing ----------------------------------------------------------------- */

void trace_emit(struct tracepoint *tp, u64 a, u64 b, u64 c, u64 d)
{
	unsigned long flags = irq_save();
	unsigned cpu = arch_cpu_id();
	struct trace_ring *r = &rings[cpu];
	struct task *cur = cpu_state_of(cpu)->running;
	unsigned idx = (unsigned)(tp - __start_tracepoints);
	struct trace_record *rec;
	u64 pos;

	if (unlikely(!r->recs)) {
		__atomic_fetch_add(&trace_dropped, 1, __ATOMIC_RELAXED);
		goto out;
	}
	pos = r->head;
	rec = &r->recs[pos & r->mask];
	/* Invalidate the slot before touching its contents: a reader that
	 * sees any new field also sees seq change (its second check). */
	WRITE_ONCE(rec->seq, 0);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	rec->ts = ktime_get_ns();
	rec->args[0] = a;
	rec->args[1] = b;
	rec->args[2] = c;
	rec->args[3] = d;
	rec->tid = cur ? cur->tid : 0;
	rec->cpu = (u16)cpu;
	rec->tp = (u16)idx;
	__atomic_store_n(&rec->seq, pos + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->head, pos + 1, __ATOMIC_RELEASE);
	WRITE_ONCE(r->hits[idx], r->hits[idx] + 1);
out:
	irq_restore(flags);
}

/* ---- Set-up and control -------------------------------------------------------- */

/* Formats must only consume u64s, as that is all a record has: anything
 * else (%s above all) would read an argument that is not there. */
bool trace_format_valid(const char *f)
{
	unsigned n = 0;

	for (; *f; f++) {
		if (*f != '%')
			continue;
		if (*++f == '%')
			continue;
		while (*f == '-' || *f == '0')
			f++;
		while (*f >= '0' && *f <= '9')
			f++;
		if (f[0] != 'l' || f[1] != 'l')
			return false;
		f += 2;
		if (*f != 'd' && *f != 'u' && *f != 'x' && *f != 'X')
			return false;
		n++;
	}
	return n <= TRACE_MAX_ARGS;
}

static void ring_alloc(unsigned cpu)
{
	struct trace_ring *r = &rings[cpu];
	unsigned n = nr_tracepoints();

	r->hits = kzalloc((n ? n : 1) * sizeof(u64), 0);
	r->recs = page_alloc_virt(ring_order, GFP_ZERO);
	if (!r->recs || !r->hits) {
		pr_warn("trace: no memory for CPU %u's ring: its records are dropped\n", cpu);
		page_free_virt(r->recs, ring_order);
		kfree(r->hits);
		r->recs = NULL;
		r->hits = NULL;
		return;
	}
	r->mask = ring_records - 1;
}

/* Enable each name of the comma list spec; unknown ones are warned about. */
static void enable_spec(const char *spec)
{
	char name[64];

	while (*spec) {
		const char *end = strchr(spec, ',');
		size_t len = end ? (size_t)(end - spec) : strlen(spec);
		int err = -ENOENT;

		if (len && len < sizeof(name)) {
			memcpy(name, spec, len);
			name[len] = 0;
			err = trace_enable(name, true);
		}
		if (err)
			pr_warn("trace=: cannot enable \"%.*s\" (%s)\n", (int)len, spec,
				err == -EINVAL ? "bad format" : "no such tracepoint");
		spec += len + (end ? 1 : 0);
	}
}

void trace_init(unsigned nr_cpus, unsigned records_per_cpu, const char *spec)
{
	size_t bytes;
	unsigned ok = 0;

	if (!records_per_cpu)
		records_per_cpu = TRACE_RECORDS_DEFAULT;
	ring_records = records_per_cpu;
	bytes = (size_t)records_per_cpu * sizeof(struct trace_record);
	while ((PAGE_SIZE << ring_order) < bytes)
		ring_order++;
	trace_epoch = ktime_get_ns();
	for (struct tracepoint *tp = __start_tracepoints; tp < __stop_tracepoints; tp++)
		if (!trace_format_valid(tp->format)) {
			tp->bad_format = true;
			pr_warn("trace: tracepoint %s has a format it cannot print: \"%s\"\n",
				tp->name, tp->format);
		}
	for (unsigned cpu = 0; cpu < MIN(nr_cpus, (unsigned)NR_CPUS); cpu++) {
		ring_alloc(cpu);
		ok += rings[cpu].recs != NULL;
	}
	pr_info("trace: %u tracepoints, %u records per CPU on %u CPU(s) (%zu KiB each)\n",
		nr_tracepoints(), ring_records, ok, bytes / 1024);
	enable_spec(spec);
}

int trace_enable(const char *name, bool on)
{
	bool all = !strcmp(name, "all"), found = false;

	for (struct tracepoint *tp = __start_tracepoints; tp < __stop_tracepoints; tp++) {
		if (!all && strcmp(tp->name, name))
			continue;
		found = true;
		if (tp->bad_format) {
			if (!all)
				return -EINVAL;
			continue;
		}
		WRITE_ONCE(tp->enabled, on ? 1u : 0u);
	}
	return found ? 0 : -ENOENT;
}

void trace_for_each(void (*fn)(const struct tracepoint *tp, void *arg), void *arg)
{
	for (const struct tracepoint *tp = __start_tracepoints; tp < __stop_tracepoints; tp++)
		fn(tp, arg);
}

const struct tracepoint *trace_find(const char *name)
{
	for (const struct tracepoint *tp = __start_tracepoints; tp < __stop_tracepoints; tp++)
		if (!strcmp(tp->name, name))
			return tp;
	return NULL;
}

u64 trace_hits(const struct tracepoint *tp)
{
	unsigned idx = (unsigned)(tp - __start_tracepoints);
	u64 sum = 0;

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (rings[cpu].hits)
			sum += READ_ONCE(rings[cpu].hits[idx]);
	return sum;
}

void trace_get_stats(struct trace_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->records_per_cpu = ring_records;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		u64 head = __atomic_load_n(&rings[cpu].head, __ATOMIC_ACQUIRE);

		if (!rings[cpu].recs)
			continue;
		st->nr_rings++;
		st->written += head;
		st->overwritten += head > ring_records ? head - ring_records : 0;
	}
	st->dropped = __atomic_load_n(&trace_dropped, __ATOMIC_RELAXED);
}

/* ---- Reading ------------------------------------------------------------------- */

/* Copy the record at pos of ring r into e; false if it is no longer (or
 * not yet wholly) that record. */
static bool ring_copy(const struct trace_ring *r, u64 pos, struct trace_entry *e)
{
	const struct trace_record *rec = &r->recs[pos & r->mask];
	u64 seq = __atomic_load_n(&rec->seq, __ATOMIC_ACQUIRE);
	unsigned idx;

	if (seq != pos + 1)
		return false;
	e->ts = READ_ONCE(rec->ts);
	for (unsigned i = 0; i < TRACE_MAX_ARGS; i++)
		e->args[i] = READ_ONCE(rec->args[i]);
	e->tid = READ_ONCE(rec->tid);
	e->cpu = READ_ONCE(rec->cpu);
	idx = READ_ONCE(rec->tp);
	/* The copy before the second look at seq (the writer's invalidation
	 * is ordered before its new fields). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (READ_ONCE(rec->seq) != seq || idx >= nr_tracepoints())
		return false;
	e->tp = &__start_tracepoints[idx];
	return true;
}

/* Load ring cpu's next intact record into the cursor, skipping (and
 * counting) any that were overwritten. */
static void cursor_fill(struct trace_cursor *c, unsigned cpu)
{
	const struct trace_ring *r = &rings[cpu];

	c->have[cpu] = false;
	while (c->pos[cpu] < c->end[cpu]) {
		u64 head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		u64 oldest = head > ring_records ? head - ring_records : 0;

		if (c->pos[cpu] < oldest) {	/* lapped while we read */
			u64 skip = MIN(oldest, c->end[cpu]) - c->pos[cpu];

			c->lost += skip;
			c->pos[cpu] += skip;
			continue;
		}
		if (ring_copy(r, c->pos[cpu], &c->next[cpu])) {
			c->pos[cpu]++;
			c->have[cpu] = true;
			return;
		}
		c->lost++;
		c->pos[cpu]++;
	}
}

void trace_cursor_init(struct trace_cursor *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		u64 head;

		if (!rings[cpu].recs)
			continue;
		head = __atomic_load_n(&rings[cpu].head, __ATOMIC_ACQUIRE);
		c->end[cpu] = head;
		c->pos[cpu] = head > ring_records ? head - ring_records : 0;
		c->lost += c->pos[cpu];
		cursor_fill(c, cpu);
	}
}

bool trace_cursor_next(struct trace_cursor *c, struct trace_entry *e)
{
	int best = -1;

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if (c->have[cpu] && (best < 0 || c->next[cpu].ts < c->next[best].ts))
			best = (int)cpu;
	if (best < 0)
		return false;
	*e = c->next[best];
	cursor_fill(c, (unsigned)best);
	return true;
}

int trace_format(const struct trace_entry *e, char *buf, size_t size)
{
	u64 t = e->ts > trace_epoch ? e->ts - trace_epoch : 0;
	int n, m;

	n = ksnprintf(buf, size, "[%5llu.%06llu] %u %d %s: ",
		      (unsigned long long)(t / NSEC_PER_SEC),
		      (unsigned long long)(t % NSEC_PER_SEC / NSEC_PER_USEC), e->cpu, e->tid,
		      e->tp->name);
	/* The format was checked by trace_init: four u64s are all it reads. */
	m = ksnprintf((size_t)n < size ? buf + n : NULL, (size_t)n < size ? size - (size_t)n : 0,
		      e->tp->format, e->args[0], e->args[1], e->args[2], e->args[3]);
	if ((size_t)(n + m) < size) {
		buf[n + m] = '\n';
		if ((size_t)(n + m + 1) < size)
			buf[n + m + 1] = 0;
	}
	return n + m + 1;
}

size_t trace_read(char *buf, size_t size, size_t skip, u64 *lost)
{
	struct trace_cursor *c = kmalloc(sizeof(*c), 0);
	struct trace_entry e;
	char line[TRACE_LINE_MAX];
	size_t len = 0, used = 0, at = 0;
	bool full = false;

	if (lost)
		*lost = 0;
	if (size)
		buf[0] = 0;
	if (!c)
		return 0;
	trace_cursor_init(c);
	while (trace_cursor_next(c, &e)) {
		size_t n = (size_t)trace_format(&e, line, sizeof(line));

		if (n >= sizeof(line)) {	/* cut, but still one line */
			n = sizeof(line) - 1;
			line[n - 1] = '\n';
		}
		at += n;
		if (at - n < skip)
			continue;
		/* Whole lines only: the first that does not fit ends the text. */
		full |= used + n >= size;
		if (!full) {
			memcpy(buf + used, line, n);
			used += n;
		}
		len += n;
	}
	if (size)
		buf[used] = 0;
	if (lost)
		*lost = c->lost;
	kfree(c);
	return len;
}

/* What ran just before a panic, when anything was being traced: the newest
 * records go to the console with the panic report. Called once, by the CPU
 * that panicked, with the others stopped: no lock, no allocation (static
 * cursor and tail). */
#define TRACE_PANIC_TAIL 16

void trace_dump_tail(void)
{
	static struct trace_cursor c;
	static struct trace_entry tail[TRACE_PANIC_TAIL];
	char line[TRACE_LINE_MAX];
	struct trace_entry e;
	struct trace_stats st;
	unsigned n = 0;

	trace_get_stats(&st);
	if (!st.written)
		return;
	trace_cursor_init(&c);
	while (trace_cursor_next(&c, &e))
		tail[n++ % TRACE_PANIC_TAIL] = e;
	if (!n)
		return;
	pr_emerg("Last %u trace records (of %llu written):\n", MIN(n, TRACE_PANIC_TAIL),
		 (unsigned long long)st.written);
	for (unsigned i = n > TRACE_PANIC_TAIL ? n - TRACE_PANIC_TAIL : 0; i < n; i++) {
		trace_format(&tail[i % TRACE_PANIC_TAIL], line, sizeof(line));
		line[sizeof(line) - 1] = 0;
		pr_emerg("  %s", line);
	}
}
