/* ktest suites `trace` (tracepoints and their rings, read back through the
 * cursor and through /sys/umka) and `trace_boot` (explicit: run by
 * tests/trace-boot.sh with trace= on the command line). Every case tags its
 * records with a value no other case uses, so records from the scheduler's
 * tracepoints (on when booted with trace=all) never get in the way. */
#include <umka/cred.h>
#include <umka/errno.h>
#include <umka/kernel.h>
#include <umka/ktest.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/trace.h>
#include <umka/vfs.h>
#include <umka/wait.h>

/* Test-only (not ABI): args are a sequence number, the case's tag, the CPU. */
DEFINE_TRACEPOINT(ktest_trace, "seq=%llu tag=%llu cpu=%llu");
DECLARE_TRACEPOINT(sched_switch);
DECLARE_TRACEPOINT(sched_wakeup);
DECLARE_TRACEPOINT(kthread_create);
DECLARE_TRACEPOINT(hrtimer_expire);

static u64 next_tag = 1000;

static bool contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static u64 new_tag(void)
{
	return __atomic_add_fetch(&next_tag, 1, __ATOMIC_RELAXED);
}

/* Records of tp with args[argi] == val, oldest first, into v (up to max);
 * returns how many there were (maybe more than max). lost gets the
 * cursor's count. Also checks the whole stream is in timestamp order. */
static unsigned collect(struct ktest *t, const struct tracepoint *tp, unsigned argi, u64 val,
			struct trace_entry *v, unsigned max, u64 *lost)
{
	struct trace_cursor *c = kmalloc(sizeof(*c), 0);
	struct trace_entry e;
	unsigned n = 0;
	bool ordered = true;
	u64 last = 0;

	if (!KT_EXPECT(t, c != NULL))
		return 0;
	trace_cursor_init(c);
	while (trace_cursor_next(c, &e)) {
		ordered &= e.ts >= last;
		last = e.ts;
		if (e.tp != tp || e.args[argi] != val)
			continue;
		if (n < max)
			v[n] = e;
		n++;
	}
	KT_EXPECT(t, ordered);
	if (lost)
		*lost = c->lost;
	kfree(c);
	return n;
}

/* Cases run with only the tracepoints they turn on, so the rings hold
 * nothing else of theirs to lose (trace=all with a small trace_buf= must
 * not change what a case reads back); trace_restore puts back the
 * boot's choice. */
#define SAVED_MAX 64

struct tp_saved {
	unsigned n;
	bool on[SAVED_MAX];
};

static void save_one(const struct tracepoint *tp, void *arg)
{
	struct tp_saved *s = arg;

	if (s->n < SAVED_MAX)
		s->on[s->n] = READ_ONCE(tp->enabled) != 0;
	s->n++;
}

static void restore_one(const struct tracepoint *tp, void *arg)
{
	struct tp_saved *s = arg;

	if (s->n < SAVED_MAX)
		trace_enable(tp->name, s->on[s->n]);
	s->n++;
}

static void trace_only(struct ktest *t, struct tp_saved *s)
{
	s->n = 0;
	trace_for_each(save_one, s);
	KT_EXPECT(t, s->n <= SAVED_MAX);
	trace_enable("all", false);
}

static void trace_restore(struct tp_saved *s)
{
	s->n = 0;
	trace_for_each(restore_one, s);
}

static unsigned ring_size(void)
{
	struct trace_stats st;

	trace_get_stats(&st);
	return st.records_per_cpu;
}

/* ---- the mechanism --------------------------------------------------------------- */

enum { READBACK_N = 100 };

static void trace_emit_readback(struct ktest *t)
{
	const struct tracepoint *tp = &__tracepoint_ktest_trace;
	unsigned want = MIN((unsigned)READBACK_N, ring_size()), cpu = arch_cpu_id(), n;
	struct trace_entry *v = kmalloc(want * sizeof(*v), 0);
	u64 tag = new_tag(), hits0 = trace_hits(tp);
	struct tp_saved saved;

	KT_ASSERT(t, v != NULL);
	trace_only(t, &saved);
	KT_EXPECT_EQ(t, trace_enable("ktest_trace", true), 0);
	KT_EXPECT_EQ(t, READ_ONCE(tp->enabled), 1);
	for (unsigned i = 0; i < want; i++)
		TRACE(ktest_trace, i, tag, cpu);
	trace_enable("ktest_trace", false);
	KT_EXPECT_EQ(t, trace_hits(tp) - hits0, want);
	n = collect(t, tp, 1, tag, v, want, NULL);
	trace_restore(&saved);
	KT_EXPECT_EQ(t, n, want);
	for (unsigned i = 0; i < MIN(n, want); i++) {
		KT_EXPECT_EQ(t, v[i].args[0], i);
		KT_EXPECT_EQ(t, v[i].args[2], cpu);
		KT_EXPECT_EQ(t, v[i].args[3], 0);	/* not passed: zero */
		KT_EXPECT_EQ(t, v[i].cpu, cpu);		/* the runner is bound */
		KT_EXPECT_EQ(t, v[i].tid, current->tid);
		KT_EXPECT(t, v[i].tp == tp);
		if (i)
			KT_EXPECT(t, v[i].ts >= v[i - 1].ts);
	}
	kfree(v);
}

static void trace_disabled_emits_nothing(struct ktest *t)
{
	const struct tracepoint *tp = &__tracepoint_ktest_trace;
	u64 tag = new_tag(), hits0 = trace_hits(tp);
	struct trace_stats st0, st1;
	struct tp_saved saved;
	int evaluated = 0;

	trace_only(t, &saved);
	trace_get_stats(&st0);
	for (unsigned i = 0; i < 50; i++)
		TRACE(ktest_trace, i, tag, evaluated++);
	trace_get_stats(&st1);
	trace_restore(&saved);
	KT_EXPECT_EQ(t, trace_hits(tp), hits0);
	KT_EXPECT_EQ(t, collect(t, tp, 1, tag, NULL, 0, NULL), 0);
	/* Off means the arguments are not even evaluated. */
	KT_EXPECT_EQ(t, evaluated, 0);
	KT_EXPECT_EQ(t, st1.dropped, st0.dropped);
}

/* Fill this CPU's ring past its end with interrupts off (nothing else can
 * write to it then) and read it back before they go on again: exactly
 * the newest ring-full of records survives. */
static void trace_ring_wrap(struct ktest *t)
{
	const struct tracepoint *tp = &__tracepoint_ktest_trace;
	struct trace_stats st0, st1;
	struct trace_entry *first = kmalloc(sizeof(*first), 0);
	unsigned size, n, extra = 100, cpu = arch_cpu_id();
	unsigned long flags;
	u64 tag = new_tag(), lost = 0, lost0 = 0;
	struct tp_saved saved;

	trace_only(t, &saved);
	trace_get_stats(&st0);
	size = st0.records_per_cpu;
	KT_ASSERT(t, first != NULL && size >= TRACE_RECORDS_MIN);
	KT_EXPECT(t, (size & (size - 1)) == 0);
	collect(t, tp, 1, tag, NULL, 0, &lost0);
	trace_enable("ktest_trace", true);
	flags = irq_save();
	for (unsigned i = 0; i < size + extra; i++)
		TRACE(ktest_trace, i, tag, cpu);
	n = collect(t, tp, 1, tag, first, 1, &lost);
	irq_restore(flags);
	trace_enable("ktest_trace", false);
	trace_get_stats(&st1);
	trace_restore(&saved);
	KT_EXPECT_EQ(t, n, size);
	KT_EXPECT_EQ(t, first->args[0], extra);	/* the oldest extra went */
	KT_EXPECT(t, lost >= lost0 + extra);
	KT_EXPECT(t, st1.overwritten >= st0.overwritten + extra);
	KT_EXPECT(t, st1.written >= st0.written + size + extra);
	kfree(first);
}

/* ---- several CPUs ---------------------------------------------------------------- */

enum { PER_CPU_N = 200 };

struct emitter {
	u64 tag;
	unsigned cpu;
	unsigned count;
};

static void emitter_fn(void *p)
{
	struct emitter *e = p;

	for (unsigned i = 0; i < e->count; i++) {
		TRACE(ktest_trace, i, e->tag, e->cpu);
		if (i % 50 == 49)
			yield();
	}
}

static void trace_cpus_merge_in_order(struct ktest *t)
{
	const struct tracepoint *tp = &__tracepoint_ktest_trace;
	unsigned ncpu = online_cpus(), each = MIN((unsigned)PER_CPU_N, ring_size());
	unsigned total = ncpu * each, n, made = 0;
	struct emitter em = { new_tag(), 0, each }, ems[NR_CPUS];
	struct tp_saved saved;
	struct task *th[NR_CPUS];
	struct trace_entry *v = kmalloc(total * sizeof(*v), 0);
	unsigned next_seq[NR_CPUS] = { 0 };
	int tids[NR_CPUS];

	KT_ASSERT(t, v != NULL);
	trace_only(t, &saved);
	trace_enable("ktest_trace", true);
	for (unsigned cpu = 0; cpu < ncpu; cpu++) {
		ems[cpu] = (struct emitter){ em.tag, cpu, each };
		th[cpu] = kthread_create_on(emitter_fn, &ems[cpu], "trace_emit", (int)cpu);
		made += th[cpu] != NULL;
		tids[cpu] = th[cpu] ? th[cpu]->tid : -1;	/* th is gone after the join */
		KT_EXPECT(t, th[cpu] != NULL);
	}
	for (unsigned cpu = 0; cpu < ncpu; cpu++)
		if (th[cpu])
			kthread_join(th[cpu]);
	trace_enable("ktest_trace", false);
	/* collect checks the merged stream's timestamps never go back. */
	n = collect(t, tp, 1, em.tag, v, total, NULL);
	trace_restore(&saved);
	KT_EXPECT_EQ(t, n, made * each);
	for (unsigned i = 0; i < MIN(n, total); i++) {
		unsigned cpu = (unsigned)v[i].args[2];

		KT_ASSERT(t, cpu < ncpu);
		KT_EXPECT_EQ(t, v[i].cpu, cpu);	/* written on the thread's own CPU */
		KT_EXPECT_EQ(t, v[i].tid, tids[cpu]);
		KT_EXPECT_EQ(t, v[i].args[0], next_seq[cpu]);	/* each CPU in order */
		next_seq[cpu] = (unsigned)v[i].args[0] + 1;
	}
	kfree(v);
}

/* ---- interrupt context ----------------------------------------------------------- */

struct irq_emit {
	struct hrtimer timer;
	u64 tag;
	unsigned cpu;
	bool fired;
	bool in_irq;
};

static enum hrtimer_restart irq_emit_fn(struct hrtimer *timer)
{
	struct irq_emit *ie = container_of(timer, struct irq_emit, timer);

	ie->cpu = arch_cpu_id();
	ie->in_irq = in_interrupt();
	TRACE(ktest_trace, 7, ie->tag, ie->cpu);
	WRITE_ONCE(ie->fired, true);
	return HRTIMER_NORESTART;
}

static void trace_from_hrtimer(struct ktest *t)
{
	const struct tracepoint *tp = &__tracepoint_ktest_trace;
	struct irq_emit ie = { .tag = new_tag() };
	struct trace_entry e;
	struct tp_saved saved;

	trace_only(t, &saved);
	trace_enable("hrtimer_expire", true);
	trace_enable("ktest_trace", true);
	hrtimer_init(&ie.timer, irq_emit_fn);
	hrtimer_start(&ie.timer, ktime_get_ns() + 200 * NSEC_PER_USEC);
	KT_EXPECT(t, KT_WAIT_FOR(READ_ONCE(ie.fired), 2000));
	hrtimer_cancel(&ie.timer);
	trace_enable("all", false);
	KT_EXPECT(t, ie.in_irq);
	KT_EXPECT_EQ(t, collect(t, tp, 1, ie.tag, &e, 1, NULL), 1);
	KT_EXPECT_EQ(t, e.args[0], 7);
	KT_EXPECT_EQ(t, e.cpu, ie.cpu);
	/* The timer interrupt's own tracepoint named this callback (only this
	 * case uses it; a stack address may have been another timer's) and
	 * this timer. */
	KT_EXPECT_EQ(t, collect(t, &__tracepoint_hrtimer_expire, 1, (u64)(uintptr_t)irq_emit_fn,
				&e, 1, NULL), 1);
	KT_EXPECT_EQ(t, e.args[0], (u64)(uintptr_t)&ie.timer);
	trace_restore(&saved);
}

/* ---- the scheduler's tracepoints ------------------------------------------------- */

/* Sleeps until the test wakes it. A timed sleep would not do: a sleeper
 * preempted past its deadline before it slept is never woken. */
static void trace_sleeper(void *p)
{
	wait_for_completion(p);
}

static void trace_sched_points(struct ktest *t)
{
	struct trace_entry e;
	struct tp_saved saved;
	struct completion go;
	struct task *th;
	int tid;

	trace_only(t, &saved);
	trace_enable("sched_switch", true);
	trace_enable("sched_wakeup", true);
	trace_enable("kthread_create", true);
	completion_init(&go);
	th = kthread_create(trace_sleeper, &go, "trace_sleeper");
	if (!KT_EXPECT(t, th != NULL)) {
		trace_restore(&saved);
		return;
	}
	tid = th->tid;
	/* asleep (or on its way): complete() must then wake it */
	KT_EXPECT(t, KT_WAIT_FOR(READ_ONCE(th->state) != TASK_RUNNING, 2000));
	complete(&go);
	kthread_join(th);
	trace_enable("all", false);
	KT_EXPECT_EQ(t, collect(t, &__tracepoint_kthread_create, 0, (u64)tid, &e, 1, NULL), 1);
	KT_EXPECT_EQ(t, (s64)e.args[1], -1);	/* not bound */
	KT_EXPECT_EQ(t, e.tid, current->tid);	/* emitted by its creator */
	/* It was switched to and away from (at its exit at least), and the
	 * completion woke it, even when that came before it was off the CPU. */
	KT_EXPECT(t, collect(t, &__tracepoint_sched_switch, 1, (u64)tid, NULL, 0, NULL) >= 1);
	KT_EXPECT(t, collect(t, &__tracepoint_sched_switch, 0, (u64)tid, NULL, 0, NULL) >= 1);
	KT_EXPECT(t, collect(t, &__tracepoint_sched_wakeup, 0, (u64)tid, NULL, 0, NULL) >= 1);
	trace_restore(&saved);
}

/* ---- control and formats --------------------------------------------------------- */

static void trace_enable_and_formats(struct ktest *t)
{
	static const char *const good[] = { "", "x=%llu", "%llx %lld %llu %llX", "%%llu %llu",
					    "a=%08llx b=%-4llu", "100%% %llu" };
	static const char *const bad[] = { "%s", "%d", "%lu", "%llu %llu %llu %llu %llu",
					   "%p", "%llz", "%*llu", "%" };
	static const char *const placed[] = { "sched_switch", "sched_wakeup", "sched_migrate",
					      "irq_entry", "hrtimer_expire", "page_alloc_fail",
					      "kthread_create" };
	struct trace_entry e = { .ts = 0, .args = { 42, 7, 3, 0 }, .tid = 5, .cpu = 1 };
	char line[128];
	unsigned count = 0;
	int n;

	for (unsigned i = 0; i < ARRAY_SIZE(good); i++)
		KT_EXPECT(t, trace_format_valid(good[i]));
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		KT_EXPECT(t, !trace_format_valid(bad[i]));
	KT_EXPECT_EQ(t, trace_enable("no_such_tracepoint", true), -ENOENT);
	KT_EXPECT_EQ(t, trace_enable("", true), -ENOENT);
	KT_EXPECT(t, trace_find("no_such_tracepoint") == NULL);
	/* Every tracepoint placed in the kernel has a format it can print. */
	for (unsigned i = 0; i < ARRAY_SIZE(placed); i++) {
		const struct tracepoint *tp = trace_find(placed[i]);

		KT_EXPECT(t, tp != NULL);
		if (tp) {
			KT_EXPECT(t, trace_format_valid(tp->format));
			KT_EXPECT(t, !tp->bad_format);
			count++;
		}
	}
	KT_EXPECT_EQ(t, count, ARRAY_SIZE(placed));
	/* The text of one record. */
	e.tp = &__tracepoint_ktest_trace;
	n = trace_format(&e, line, sizeof(line));
	KT_EXPECT_EQ(t, n, (int)strlen(line));
	KT_EXPECT(t, contains(line, "] 1 5 ktest_trace: seq=42 tag=7 cpu=3\n"));
	KT_EXPECT(t, line[0] == '[');
	/* Too small a buffer: cut, NUL-terminated, and the length it needs. */
	KT_EXPECT_EQ(t, trace_format(&e, line, 10), n);
	KT_EXPECT_EQ(t, strlen(line), 9);
}

/* trace_read: whole lines, the newest kept by skipping the oldest bytes. */
static void trace_read_text(struct ktest *t)
{
	char *buf = kmalloc(4096, 0), want[64];
	u64 tag = new_tag();
	struct tp_saved saved;
	size_t need, len, n;

	KT_ASSERT(t, buf != NULL);
	trace_only(t, &saved);
	trace_enable("ktest_trace", true);
	for (unsigned i = 0; i < 10; i++)
		TRACE(ktest_trace, i, tag, 0);
	trace_enable("ktest_trace", false);
	/* Nothing else is on: these ten are the newest records. */
	need = trace_read(NULL, 0, 0, NULL);
	KT_ASSERT(t, need > 200);
	n = trace_read(buf, 4096, need - 200, NULL);
	len = strlen(buf);
	KT_EXPECT_EQ(t, n, len);
	KT_EXPECT(t, len > 0 && len <= 200 && buf[len - 1] == '\n');
	ksnprintf(want, sizeof(want), "ktest_trace: seq=9 tag=%llu cpu=0\n", (unsigned long long)tag);
	KT_EXPECT(t, contains(buf, want));
	ksnprintf(want, sizeof(want), "ktest_trace: seq=0 tag=%llu ", (unsigned long long)tag);
	KT_EXPECT(t, !contains(buf, want));
	/* A buffer too small for the rest: the oldest whole lines that fit. */
	n = trace_read(buf, 100, need - 200, NULL);
	len = strlen(buf);
	KT_EXPECT(t, n > 99);
	KT_EXPECT(t, len < 100 && (len == 0 || buf[len - 1] == '\n'));
	KT_EXPECT_EQ(t, trace_read(buf, 1, 0, NULL), need);
	KT_EXPECT_EQ(t, buf[0], 0);
	trace_restore(&saved);
	kfree(buf);
}

/* ---- umkafs ---------------------------------------------------------------------- */

static long read_str(const char *path, char *buf, size_t size)
{
	long n = kvfs_read_file(path, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* How many of the n needles (each under 256 bytes) does the file contain?
 * Read through one open (each open of trace/log formats the whole trace)
 * in chunks, as the log may be megabytes. -1 if it cannot be read. */
static int file_has_all(const char *path, const char *const *needles, unsigned n)
{
	enum { CHUNK = 16384, KEEP = 255, MAXN = 8 };
	char *buf = kmalloc(CHUNK + KEEP + 1, 0);
	bool seen[MAXN] = { false };
	size_t have = 0;
	struct file *f;
	int found = 0;
	long r;

	if (!buf || n > MAXN || vfs_openat(vfs_kernel_ctx(), NULL, path, O_RDONLY, 0, &f)) {
		kfree(buf);
		return -1;
	}
	while ((r = vfs_read(f, buf + have, CHUNK)) > 0) {
		have += (size_t)r;
		buf[have] = 0;
		for (unsigned i = 0; i < n; i++)
			if (!seen[i] && contains(buf, needles[i])) {
				seen[i] = true;
				found++;
			}
		/* Keep a tail, so a needle across two chunks is still seen. */
		if (have > KEEP) {
			memmove(buf, buf + have - KEEP, KEEP);
			have = KEEP;
		}
	}
	file_put(f);
	kfree(buf);
	return found;
}

static int file_has(const char *path, const char *needle)
{
	return file_has_all(path, &needle, 1);
}

static void trace_umkafs_files(struct ktest *t)
{
	char small[128], want[96], lines[3][64];
	const char *const needles[3] = { lines[0], lines[1], lines[2] };
	u64 tag = new_tag(), hits;
	struct tp_saved saved;

	trace_only(t, &saved);
	KT_EXPECT(t, read_str("/sys/umka/tracepoints/ktest_trace/format", small,
			      sizeof(small)) > 0);
	KT_EXPECT(t, !strcmp(small, "seq=%llu tag=%llu cpu=%llu\n"));
	KT_EXPECT(t, read_str("/sys/umka/tracepoints/sched_switch/format", small,
			      sizeof(small)) > 0);
	KT_EXPECT(t, !strcmp(small, "prev=%llu next=%llu prev_state=%llu\n"));
	KT_EXPECT(t, read_str("/sys/umka/tracepoints/ktest_trace/enabled", small,
			      sizeof(small)) > 0);
	KT_EXPECT(t, !strcmp(small, "0\n"));
	KT_EXPECT_EQ(t, read_str("/sys/umka/tracepoints/no_such/enabled", small, sizeof(small)),
		     -ENOENT);

	trace_enable("ktest_trace", true);
	KT_EXPECT(t, read_str("/sys/umka/tracepoints/ktest_trace/enabled", small,
			      sizeof(small)) > 0);
	KT_EXPECT(t, !strcmp(small, "1\n"));
	for (unsigned i = 0; i < 3; i++)
		TRACE(ktest_trace, i, tag, arch_cpu_id());
	trace_enable("ktest_trace", false);
	hits = trace_hits(&__tracepoint_ktest_trace);
	KT_EXPECT(t, read_str("/sys/umka/tracepoints/ktest_trace/hits", small,
			      sizeof(small)) > 0);
	ksnprintf(want, sizeof(want), "%llu\n", (unsigned long long)hits);
	KT_EXPECT(t, !strcmp(small, want));

	for (unsigned i = 0; i < 3; i++)
		ksnprintf(lines[i], sizeof(lines[i]), " ktest_trace: seq=%u tag=%llu cpu=", i,
			  (unsigned long long)tag);
	KT_EXPECT_EQ(t, file_has_all("/sys/umka/trace/log", needles, 3), 3);
	KT_EXPECT(t, read_str("/sys/umka/trace/records_per_cpu", small, sizeof(small)) > 0);
	ksnprintf(want, sizeof(want), "%u\n",
		  kernel_params.trace_buf ? kernel_params.trace_buf : TRACE_RECORDS_DEFAULT);
	KT_EXPECT(t, !strcmp(small, want));
	KT_EXPECT(t, read_str("/sys/umka/trace/written", small, sizeof(small)) > 1);
	trace_restore(&saved);
}

/* What a shell's `echo VAL > path` does: open O_WRONLY|O_TRUNC, one
 * write. 0, or the errno of the open or the write. */
static int echo_to(const struct vfs_ctx *ctx, const char *path, const char *val)
{
	struct file *f;
	long n;
	int err = vfs_openat(ctx, NULL, path, O_WRONLY | O_TRUNC, 0, &f);

	if (err)
		return err;
	n = vfs_write(f, val, strlen(val));
	file_put(f);
	return n < 0 ? (int)n : 0;
}

/* tracepoints/<name>/enabled is the runtime switch (docs/tracing.md):
 * "1" turns the tracepoint on and "0" off, with or without a newline;
 * other values, a write past offset 0, the read-only attributes and a
 * caller other than root are refused, and the switch changes nothing
 * then. */
static void trace_umkafs_switch(struct ktest *t)
{
	static const char path[] = "/sys/umka/tracepoints/ktest_trace/enabled";
	static const u32 groups[] = { 100 };
	struct tracepoint *tp = &__tracepoint_ktest_trace;
	struct vfs_ctx user = { .fs = vfs_kernel_ctx()->fs };
	struct tp_saved saved;
	struct statx st;
	struct file *f;
	char small[8];

	trace_only(t, &saved);
	KT_EXPECT_EQ(t, echo_to(vfs_kernel_ctx(), path, "1\n"), 0);
	KT_EXPECT(t, READ_ONCE(tp->enabled));
	KT_EXPECT(t, read_str(path, small, sizeof(small)) > 0 && !strcmp(small, "1\n"));
	KT_EXPECT_EQ(t, echo_to(vfs_kernel_ctx(), path, "0"), 0);
	KT_EXPECT(t, !READ_ONCE(tp->enabled));
	KT_EXPECT_EQ(t, echo_to(vfs_kernel_ctx(), path, "2\n"), -EINVAL);
	KT_EXPECT_EQ(t, echo_to(vfs_kernel_ctx(), path, "1 "), -EINVAL);
	KT_EXPECT_EQ(t, echo_to(vfs_kernel_ctx(), "/sys/umka/tracepoints/ktest_trace/hits", "1"),
		     -EACCES);
	KT_EXPECT_EQ(t, echo_to(vfs_kernel_ctx(), "/sys/umka/tracepoints/no_such/enabled", "1"),
		     -ENOENT);
	KT_EXPECT(t, !READ_ONCE(tp->enabled));
	/* one value per write, at offset 0 */
	if (KT_EXPECT_EQ(t, vfs_openat(vfs_kernel_ctx(), NULL, path, O_WRONLY, 0, &f), 0)) {
		KT_EXPECT_EQ(t, vfs_pwrite(f, "1", 1, 1), -EINVAL);
		KT_EXPECT_EQ(t, vfs_read(f, small, sizeof(small)), -EBADF);
		file_put(f);
	}
	KT_EXPECT(t, !READ_ONCE(tp->enabled));
	/* the mode says who may: root only */
	KT_EXPECT_EQ(t, vfs_statx(vfs_kernel_ctx(), NULL, path, 0, STATX_BASIC_STATS, &st), 0);
	KT_EXPECT_EQ(t, st.stx_mode, S_IFREG | 0644);
	KT_EXPECT_EQ(t, vfs_statx(vfs_kernel_ctx(), NULL, "/sys/umka/tracepoints/ktest_trace/hits",
				  0, STATX_BASIC_STATS, &st), 0);
	KT_EXPECT_EQ(t, st.stx_mode, S_IFREG | 0444);
	user.cred = cred_create(1000, 1000, groups, 1);
	if (KT_EXPECT(t, user.cred != NULL)) {
		KT_EXPECT_EQ(t, echo_to(&user, path, "1"), -EACCES);
		cred_put(user.cred);
	}
	KT_EXPECT(t, !READ_ONCE(tp->enabled));
	trace_restore(&saved);
}

KTEST_SUITE(trace, KTEST_CASE(trace_emit_readback), KTEST_CASE(trace_disabled_emits_nothing),
	    KTEST_CASE(trace_ring_wrap), KTEST_CASE(trace_cpus_merge_in_order),
	    KTEST_CASE(trace_from_hrtimer), KTEST_CASE(trace_sched_points),
	    KTEST_CASE(trace_enable_and_formats), KTEST_CASE(trace_read_text),
	    KTEST_CASE(trace_umkafs_files), KTEST_CASE(trace_umkafs_switch));

/* ---- booted with trace=sched_switch (tests/trace-boot.sh) ------------------------- */

/* The boot key turned sched_switch on, the rings filled while the kernel
 * came up, and the kernel's own reader shows the switches. */
static void trace_boot_sched_switch(struct ktest *t)
{
	char small[32];

	yield();	/* at least one switch, whatever ran before */
	KT_EXPECT(t, READ_ONCE(__tracepoint_sched_switch.enabled));
	KT_EXPECT(t, read_str("/sys/umka/tracepoints/sched_switch/enabled", small,
			      sizeof(small)) > 0);
	KT_EXPECT(t, !strcmp(small, "1\n"));
	KT_EXPECT(t, trace_hits(&__tracepoint_sched_switch) > 0);
	KT_EXPECT_EQ(t, file_has("/sys/umka/trace/log", " sched_switch: prev="), 1);
	/* Only what was asked for. */
	KT_EXPECT_EQ(t, file_has("/sys/umka/trace/log", " irq_entry: "), 0);
	KT_EXPECT(t, !READ_ONCE(__tracepoint_sched_wakeup.enabled));
}

KTEST_SUITE_EXPLICIT(trace_boot, KTEST_CASE(trace_boot_sched_switch));
