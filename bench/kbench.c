/* In-kernel micro-benchmarks, run at boot with bench=all (or a comma list)
 * and printed as "name value unit" lines for bench/run to collect. Each one
 * times many iterations of one operation with the kernel's own clock. */
#include <umka/errno.h>
#include <umka/irq.h>
#include <umka/kernel.h>
#include <umka/mm.h>
#include <umka/pipe.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/trace.h>
#include <umka/vfs.h>
#include <umka/wait.h>

static void result(const char *name, u64 total_ns, u64 iters)
{
	u64 x100 = total_ns * 100 / iters;

	console_printf("%s %llu.%02llu ns\n", name, (unsigned long long)(x100 / 100),
		       (unsigned long long)(x100 % 100));
}

/* ---- context switch: two SCHED_FIFO threads yielding to each other ---- */

enum { SWITCH_ROUNDS = 200000 };

static void yielder(void *p)
{
	for (int i = 0; i < SWITCH_ROUNDS; i++)
		yield();
}

static void bench_ctxsw(void)
{
	struct task *a, *b;
	u64 sw0, t0, t1;

	int cpu;

	/* All three on one CPU: the figure is a switch, not an IPI. */
	preempt_disable();
	cpu = (int)arch_cpu_id();
	sched_bind(current, cpu);
	a = kthread_create_on(yielder, NULL, "yield_a", cpu);
	b = kthread_create_on(yielder, NULL, "yield_b", cpu);
	if (!a || !b)
		return;
	sched_set_policy(a, SCHED_FIFO, 10);
	sched_set_policy(b, SCHED_FIFO, 10);
	sw0 = sched_nr_switches();
	t0 = ktime_get_ns();
	preempt_enable();	/* both run to completion before we return */
	t1 = ktime_get_ns();
	kthread_join(a);
	kthread_join(b);
	sched_bind(current, -1);
	result("sched.context_switch", t1 - t0, sched_nr_switches() - sw0);
}

/* ---- remote wakeup: two threads on two CPUs waking each other ----------- */

enum { PINGPONG_ROUNDS = 5000 };

struct pingpong {
	struct task *th[2];
	struct completion go;
	int turn;		/* whose move it is; the other one sleeps */
};

struct pingpong_arg {
	struct pingpong *pp;
	int me;
};

static void pingpong_fn(void *p)
{
	struct pingpong_arg *a = p;
	struct pingpong *pp = a->pp;

	wait_for_completion(&pp->go);
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		for (;;) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			if (READ_ONCE(pp->turn) == a->me)
				break;
			schedule();
		}
		set_current_state(TASK_RUNNING);
		WRITE_ONCE(pp->turn, !a->me);
		wake_up_task(pp->th[!a->me]);
	}
}

/* A round trip is two wakeups of a sleeping task on the other CPU, each
 * with its IPI (the woken CPU is idle), so it is what a cross-CPU
 * request/response costs. Needs two CPUs (QEMU -smp 2 or more). */
static void bench_ipi(void)
{
	struct pingpong pp = { .turn = 0 };
	struct pingpong_arg a[2] = { { &pp, 0 }, { &pp, 1 } };
	unsigned long ipis;
	u64 t0;

	if (online_cpus() < 2) {
		/* The log, not the result lines bench/run collects. */
		pr_notice("bench ipi: needs 2 CPUs, %u online: skipped\n", online_cpus());
		return;
	}
	completion_init(&pp.go);
	pp.th[0] = kthread_create_on(pingpong_fn, &a[0], "ping", 0);
	pp.th[1] = kthread_create_on(pingpong_fn, &a[1], "pong", 1);
	if (!pp.th[0] || !pp.th[1])
		return;
	/* The last wakeup may reach a thread that has exited: keep both
	 * allocated until both are joined. */
	task_get(pp.th[0]);
	task_get(pp.th[1]);
	ipis = irq_count(IRQ_IPI);
	t0 = ktime_get_ns();
	complete_all(&pp.go);
	kthread_join(pp.th[0]);
	kthread_join(pp.th[1]);
	result("sched.remote_wakeup_roundtrip", ktime_get_ns() - t0, PINGPONG_ROUNDS);
	task_put(pp.th[0]);
	task_put(pp.th[1]);
	console_printf("sched.remote_wakeup_ipis_per_roundtrip %llu.%02llu\n",
		       (unsigned long long)((irq_count(IRQ_IPI) - ipis) / PINGPONG_ROUNDS),
		       (unsigned long long)((irq_count(IRQ_IPI) - ipis) * 100 / PINGPONG_ROUNDS %
					    100));
}

/* ---- allocators ---------------------------------------------------------- */

static void bench_kmalloc64(void)
{
	enum { N = 2000000 };
	u64 t0 = ktime_get_ns();

	for (int i = 0; i < N; i++) {
		void *p = kmalloc(64, 0);

		__asm__ __volatile__("" : : "r"(p) : "memory");
		kfree(p);
	}
	result("mm.kmalloc_kfree_64", ktime_get_ns() - t0, N);
}

static void bench_page0(void)
{
	enum { N = 2000000 };
	u64 t0 = ktime_get_ns();

	for (int i = 0; i < N; i++) {
		struct page *p = page_alloc(0, 0);

		__asm__ __volatile__("" : : "r"(p) : "memory");
		page_free(p, 0);
	}
	result("mm.page_alloc_free_order0", ktime_get_ns() - t0, N);
}

/* ---- timer: arm for 50 us ahead, measure how late the callback runs ---- */

struct lat_timer {
	struct hrtimer t;
	u64 late;
	struct task *waiter;
	volatile bool fired;
};

static enum hrtimer_restart lat_fire(struct hrtimer *t)
{
	struct lat_timer *l = container_of(t, struct lat_timer, t);

	l->late = ktime_get_ns() - t->expires;
	l->fired = true;
	wake_up_task(l->waiter);
	return HRTIMER_NORESTART;
}

static void bench_timer(void)
{
	enum { N = 2000 };
	struct lat_timer l;
	u64 sum = 0, worst = 0;

	hrtimer_init(&l.t, lat_fire);
	l.waiter = current;
	for (int i = 0; i < N; i++) {
		l.fired = false;
		hrtimer_start(&l.t, ktime_get_ns() + 50 * NSEC_PER_USEC);
		for (;;) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			if (l.fired)
				break;
			schedule();
		}
		set_current_state(TASK_RUNNING);
		sum += l.late;
		worst = MAX(worst, l.late);
	}
	result("time.timer_fire_latency_avg", sum, N);
	result("time.timer_fire_latency_max", worst, 1);
}

/* ---- VFS: cached path walk, and a small-file life cycle on tmpfs ------- */

/* n times: create path, write 4 KiB, close, unlink; the mean as name */
static void file_cycles(const char *name, const char *path, int n)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	static char block[4096];
	struct file *f;
	u64 t0 = ktime_get_ns();

	for (int i = 0; i < n; i++) {
		if (vfs_openat(k, NULL, path, O_CREAT | O_WRONLY, 0644, &f))
			return;
		vfs_write(f, block, sizeof(block));
		file_put(f);
		kvfs_unlink(path);
	}
	result(name, ktime_get_ns() - t0, n);
}

/* n times mkdir of /b1/b2/b3/b4 (it exists): the parent walk of
 * create-like calls over four cached directories, then one cached lookup
 * and EEXIST; nothing is allocated, so the walk is most of it. */
static void parent_walks(const char *name, int n)
{
	const struct vfs_ctx *k = vfs_kernel_ctx();
	u64 t0 = ktime_get_ns();

	for (int i = 0; i < n; i++)
		if (vfs_mkdirat(k, NULL, "/b1/b2/b3/b4", 0755) != -EEXIST)
			return;
	result(name, ktime_get_ns() - t0, n);
}

static void bench_vfs(void)
{
	enum { N = 200000, M = 50000 };
	const struct vfs_ctx *k = vfs_kernel_ctx();
	struct path p;
	u64 t0;

	if (kvfs_mkdir_p("/b1/b2/b3/b4", 0755) || kvfs_write_file("/b1/b2/b3/b4/b5", 0644, "x", 1))
		return;
	vfs_lookup(k, NULL, "/b1/b2/b3/b4/b5", 0, &p);	/* warm the dcache */
	path_put(&p);
	t0 = ktime_get_ns();
	for (int i = 0; i < N; i++) {
		if (vfs_lookup(k, NULL, "/b1/b2/b3/b4/b5", 0, &p))
			return;
		path_put(&p);
	}
	result("vfs.lookup_cached_5_components", ktime_get_ns() - t0, N);

	/* the same with the RCU walk off: every component through the ref walk */
	vfs_rcu_walk_enable(false);
	t0 = ktime_get_ns();
	for (int i = 0; i < N; i++) {
		if (vfs_lookup(k, NULL, "/b1/b2/b3/b4/b5", 0, &p)) {
			vfs_rcu_walk_enable(true);
			return;
		}
		path_put(&p);
	}
	result("vfs.lookup_cached_5_components_refwalk", ktime_get_ns() - t0, N);
	vfs_rcu_walk_enable(true);

	file_cycles("vfs.tmpfs_create_write4k_close_unlink", "/b1/f", M);
	/* create, unlink, rename, mkdir walk their directories like lookups */
	parent_walks("vfs.mkdir_eexist_5_components", N);
	vfs_rcu_walk_enable(false);
	parent_walks("vfs.mkdir_eexist_5_components_refwalk", N);
	vfs_rcu_walk_enable(true);
}

/* ---- hostfs against tmpfs: stat and a 4 KiB pread of one file -------------
 * Needs a hostfs mount at /host (boot with hostfs=DIR bench=hostfs). */

static void stat_and_read(const char *path, const char *label)
{
	enum { N = 20000 };
	const struct vfs_ctx *k = vfs_kernel_ctx();
	static char block[4096];
	char name[64];
	struct statx st;
	struct file *f;
	u64 t0;

	if (kvfs_write_file(path, 0644, block, sizeof(block)))
		return;
	t0 = ktime_get_ns();
	for (int i = 0; i < N; i++)
		if (vfs_statx(k, NULL, path, 0, STATX_BASIC_STATS, &st))
			goto out;
	ksnprintf(name, sizeof(name), "%s.stat", label);
	result(name, ktime_get_ns() - t0, N);
	if (vfs_openat(k, NULL, path, O_RDONLY, 0, &f))
		goto out;
	t0 = ktime_get_ns();
	for (int i = 0; i < N; i++)
		if (vfs_pread(f, block, sizeof(block), 0) != (long)sizeof(block))
			break;
	ksnprintf(name, sizeof(name), "%s.pread_4k", label);
	result(name, ktime_get_ns() - t0, N);
	file_put(f);
out:
	kvfs_unlink(path);
}

static void bench_hostfs(void)
{
	struct statx st;

	if (kvfs_stat("/host", &st)) {
		pr_info("bench hostfs: no /host (boot with hostfs=DIR); skipped\n");
		return;
	}
	stat_and_read("/host/umka-bench-file", "hostfs");
	stat_and_read("/umka-bench-file", "tmpfs");
}

/* ---- pipes: 4 KiB writes streamed to a reader thread, 1-byte ping-pong --- */

enum { PIPE_STREAM_BLOCKS = 32768, PIPE_PINGS = 50000 };	/* 128 MiB; round trips */

struct pipe_bench {
	struct file *r, *w;	/* the stream; or ping (main -> echo) */
	struct file *r2, *w2;	/* pong (echo -> main) */
	long errors;
};

static void pipe_streamer(void *p)
{
	struct pipe_bench *b = p;
	static char block[4096];

	for (int i = 0; i < PIPE_STREAM_BLOCKS; i++)
		if (vfs_write(b->w, block, sizeof(block)) != (long)sizeof(block))
			b->errors++;
	file_put(b->w);		/* the reader sees end of file */
}

static void pipe_echo(void *p)
{
	struct pipe_bench *b = p;
	char c;

	for (int i = 0; i < PIPE_PINGS; i++)
		if (vfs_read(b->r, &c, 1) != 1 || vfs_write(b->w2, &c, 1) != 1)
			b->errors++;
}

static void bench_pipe(void)
{
	const struct cred *k = cred_kernel();
	static char buf[4096];
	struct pipe_bench b = { 0 };
	u64 bytes = 0, t0, ns, mbs_x100;
	struct task *th;
	long n;
	char c = 'p';

	if (pipe_create(k, 0, &b.r, &b.w))
		return;
	t0 = ktime_get_ns();
	th = kthread_create(pipe_streamer, &b, "pipe_writer");
	if (!th) {
		file_put(b.r);
		file_put(b.w);
		return;
	}
	while ((n = vfs_read(b.r, buf, sizeof(buf))) > 0)
		bytes += (u64)n;
	ns = ktime_get_ns() - t0;
	kthread_join(th);
	file_put(b.r);
	if (b.errors || bytes != (u64)PIPE_STREAM_BLOCKS * sizeof(buf) || !ns)
		return;
	mbs_x100 = bytes * 100000 / ns;		/* bytes/ns is GB/s: x1000 for MB/s */
	console_printf("pipe.throughput_4k_writes %llu.%02llu MB/s\n",
		       (unsigned long long)(mbs_x100 / 100), (unsigned long long)(mbs_x100 % 100));

	b = (struct pipe_bench){ 0 };
	if (pipe_create(k, 0, &b.r, &b.w))
		return;
	if (pipe_create(k, 0, &b.r2, &b.w2))
		goto out;
	th = kthread_create(pipe_echo, &b, "pipe_echo");
	if (!th)
		goto out;
	t0 = ktime_get_ns();
	for (int i = 0; i < PIPE_PINGS; i++)
		if (vfs_write(b.w, &c, 1) != 1 || vfs_read(b.r2, &c, 1) != 1)
			b.errors++;
	ns = ktime_get_ns() - t0;
	kthread_join(th);
	if (!b.errors)
		result("pipe.pingpong_1byte_round_trip", ns, PIPE_PINGS);
out:
	file_put(b.r);
	file_put(b.w);
	file_put(b.r2);
	file_put(b.w2);
}

struct kbench {
	const char *name;
	void (*fn)(void);
};

/* ---- tracepoints: the cost at a call site, off and on ---------------------- */

/* Bench-only (not ABI). */
DEFINE_TRACEPOINT(kbench_trace, "i=%llu");

static void bench_trace(void)
{
	enum { N_OFF = 20000000, N_ON = 2000000 };
	u64 t0, t1;

	trace_enable("kbench_trace", false);
	t0 = ktime_get_ns();
	for (int i = 0; i < N_OFF; i++) {
		TRACE(kbench_trace, i);
		barrier();	/* one call site per iteration, not hoisted */
	}
	t1 = ktime_get_ns();
	result("trace.tracepoint_disabled", t1 - t0, N_OFF);
	trace_enable("kbench_trace", true);
	t0 = ktime_get_ns();
	for (int i = 0; i < N_ON; i++) {
		TRACE(kbench_trace, i);
		barrier();
	}
	t1 = ktime_get_ns();
	trace_enable("kbench_trace", false);
	result("trace.tracepoint_enabled", t1 - t0, N_ON);
}

static const struct kbench benches[] = {
	{ "ctxsw", bench_ctxsw },
	{ "ipi", bench_ipi },
	{ "kmalloc", bench_kmalloc64 },
	{ "page", bench_page0 },
	{ "timer", bench_timer },
	{ "vfs", bench_vfs },
	{ "hostfs", bench_hostfs },
	{ "pipe", bench_pipe },
	{ "trace", bench_trace },
};

static const struct kbench *find_bench(const char *name, size_t len)
{
	for (unsigned i = 0; i < ARRAY_SIZE(benches); i++)
		if (strlen(benches[i].name) == len && !memcmp(benches[i].name, name, len))
			return &benches[i];
	return NULL;
}

int kbench_run(const char *spec)
{
	if (!strcmp(spec, "all")) {
		for (unsigned i = 0; i < ARRAY_SIZE(benches); i++)
			benches[i].fn();
		return 0;
	}
	for (const char *p = spec; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const struct kbench *b = find_bench(p, len);

		if (!b) {
			console_printf("bench: no benchmark named '%.*s' (have: ctxsw ipi kmalloc "
				       "page timer vfs hostfs pipe trace)\n", (int)len, p);
			return -EINVAL;
		}
		b->fn();
		p += len + (end ? 1 : 0);
	}
	return 0;
}
