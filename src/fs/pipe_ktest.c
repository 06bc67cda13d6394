/* ktest suite `pipe`: pipes and FIFOs in the booted kernel, with kernel
 * threads as the readers, writers and openers that block and are woken.
 * Covers end of file, partial reads, EAGAIN both ways, EPIPE with the
 * SIGPIPE hook, every sleep/wakeup pair, PIPE_BUF atomicity under
 * contention, large writes, FIFO open rendezvous, ENXIO, O_RDWR, reuse of
 * a FIFO after everyone closed it, ESPIPE, pipe2-style descriptors, and
 * that nothing leaks. */
#include <umka/errno.h>
#include <umka/fdtable.h>
#include <umka/ktest.h>
#include <umka/mm.h>
#include <umka/pipe.h>
#include <umka/sched.h>
#include <umka/signal.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/vfs.h>

#define K vfs_kernel_ctx()
#define CAPACITY (PIPE_DEF_PAGES * PAGE_SIZE)

struct ends {
	struct file *r, *w;
};

static bool make_pipe(struct ends *e, u32 flags)
{
	return pipe_create(cred_kernel(), flags, &e->r, &e->w) == 0;
}

static void put_ends(struct ends *e)
{
	file_put(e->r);
	file_put(e->w);
	e->r = e->w = NULL;
}

static struct file *kopen(const char *path, int flags)
{
	struct file *f;

	return vfs_openat(K, NULL, path, flags, 0, &f) ? NULL : f;
}

/* Write all of n bytes of byte c (blocking pipe: never short). */
static long fill(struct file *w, int c, size_t n)
{
	u8 *buf = kmalloc(n, 0);
	long r;

	if (!buf)
		return -ENOMEM;
	memset(buf, c, n);
	r = vfs_write(w, buf, n);
	kfree(buf);
	return r;
}

/* Read and discard exactly n bytes. */
static bool drain(struct file *r, size_t n)
{
	static u8 sink[4096];

	while (n) {
		long got = vfs_read(r, sink, MIN(n, sizeof(sink)));

		if (got <= 0)
			return false;
		n -= (size_t)got;
	}
	return true;
}

/* A helper thread doing one blocking call; phase 1 while inside it. */
struct blocker {
	struct file *f;
	const char *path;	/* for open */
	int flags;
	size_t n;
	char buf[128];
	long ret;
	struct file *opened;
	volatile int phase;	/* 0 not started, 1 in the call, 2 returned */
	struct task *task;
};

static void do_read(void *p)
{
	struct blocker *b = p;

	b->phase = 1;
	b->ret = vfs_read(b->f, b->buf, b->n);
	b->phase = 2;
}

static void do_write(void *p)
{
	struct blocker *b = p;

	memset(b->buf, 'w', sizeof(b->buf));
	b->phase = 1;
	b->ret = vfs_write(b->f, b->buf, b->n);
	b->phase = 2;
}

static void do_open(void *p)
{
	struct blocker *b = p;

	b->phase = 1;
	b->ret = vfs_openat(K, NULL, b->path, b->flags, 0, &b->opened);
	b->phase = 2;
}

static bool start(struct blocker *b, void (*fn)(void *))
{
	b->phase = 0;
	b->opened = NULL;
	b->task = kthread_create(fn, b, "pipe-blocker");
	return b->task != NULL;
}

/* The thread is inside its call and asleep. Once that holds it stays so
 * until the test acts (a correct pipe never wakes it on its own), so the
 * final phase check cannot fail spuriously; it catches a call that
 * returned when it should have blocked. */
static bool blocked(struct blocker *b)
{
	bool asleep = KT_WAIT_FOR(b->phase == 1 &&
				  READ_ONCE(b->task->state) == TASK_UNINTERRUPTIBLE, 2000);

	msleep(2);
	return asleep && b->phase == 1;
}

static void finish(struct blocker *b)
{
	if (b->task)
		kthread_join(b->task);
	b->task = NULL;
}

/* ---- Basic semantics -------------------------------------------------------------------- */

static void pipe_eof_and_partial_reads(struct ktest *t)
{
	struct ends e;
	struct statx st;
	char buf[100];

	KT_ASSERT(t, make_pipe(&e, 0));
	KT_EXPECT_EQ(t, vfs_write(e.w, "hello", 5), 5);
	KT_EXPECT_EQ(t, pipe_nr_buffered(e.r), 5);
	/* whatever is there, at once, even though more was asked for */
	KT_EXPECT_EQ(t, vfs_read(e.r, buf, sizeof(buf)), 5);
	KT_EXPECT(t, !memcmp(buf, "hello", 5));
	KT_EXPECT_EQ(t, vfs_write(e.w, "0123456789", 10), 10);
	KT_EXPECT_EQ(t, vfs_read(e.r, buf, 3), 3);
	KT_EXPECT(t, !memcmp(buf, "012", 3));
	KT_EXPECT_EQ(t, vfs_read(e.r, buf, sizeof(buf)), 7);
	KT_EXPECT(t, !memcmp(buf, "3456789", 7));
	KT_EXPECT_EQ(t, vfs_read(e.r, buf, 0), 0);
	KT_EXPECT_EQ(t, vfs_write(e.w, buf, 0), 0);
	KT_EXPECT_EQ(t, vfs_fstatx(e.r, 0, &st), 0);
	KT_EXPECT_EQ(t, st.stx_mode, S_IFIFO | 0600);
	KT_EXPECT_EQ(t, st.stx_size, 0);
	KT_EXPECT_EQ(t, st.stx_nlink, 1);
	KT_EXPECT_EQ(t, st.stx_blksize, PAGE_SIZE);
	KT_EXPECT(t, file_is_pipe(e.r) && file_is_pipe(e.w));
	/* each end does one direction only */
	KT_EXPECT_EQ(t, vfs_write(e.r, "x", 1), -EBADF);
	KT_EXPECT_EQ(t, vfs_read(e.w, buf, 1), -EBADF);
	/* data written before the last writer closed is still read, then EOF */
	KT_EXPECT_EQ(t, vfs_write(e.w, "tail", 4), 4);
	file_put(e.w);
	KT_EXPECT_EQ(t, vfs_read(e.r, buf, sizeof(buf)), 4);
	KT_EXPECT_EQ(t, vfs_read(e.r, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(t, vfs_read(e.r, buf, sizeof(buf)), 0);
	file_put(e.r);
}

static void pipe_nonblock_eagain(struct ktest *t)
{
	struct ends e;
	u8 *big = kmalloc(8192, 0);
	char c;

	KT_ASSERT(t, big != NULL);
	KT_ASSERT(t, make_pipe(&e, O_NONBLOCK));
	KT_EXPECT(t, e.r->flags & O_NONBLOCK);
	KT_EXPECT_EQ(t, vfs_read(e.r, &c, 1), -EAGAIN);
	KT_EXPECT_EQ(t, fill(e.w, 'a', CAPACITY - 10), (long)(CAPACITY - 10));
	memset(big, 'b', 8192);
	/* up to PIPE_BUF: all or nothing */
	KT_EXPECT_EQ(t, vfs_write(e.w, big, 11), -EAGAIN);
	KT_EXPECT_EQ(t, vfs_write(e.w, big, PIPE_BUF), -EAGAIN);
	KT_EXPECT_EQ(t, pipe_nr_buffered(e.r), CAPACITY - 10);
	/* above PIPE_BUF: what fits, then EAGAIN when nothing does */
	KT_EXPECT_EQ(t, vfs_write(e.w, big, PIPE_BUF + 1), 10);
	KT_EXPECT_EQ(t, vfs_write(e.w, big, PIPE_BUF + 1), -EAGAIN);
	KT_EXPECT_EQ(t, vfs_write(e.w, big, 1), -EAGAIN);
	KT_EXPECT_EQ(t, pipe_nr_buffered(e.r), CAPACITY);
	KT_EXPECT(t, drain(e.r, CAPACITY - 10));
	KT_EXPECT_EQ(t, vfs_read(e.r, big, 8192), 10);
	KT_EXPECT_EQ(t, big[0], 'b');
	KT_EXPECT_EQ(t, big[9], 'b');
	KT_EXPECT_EQ(t, vfs_read(e.r, big, 8192), -EAGAIN);
	/* F_SETFL turns blocking back on: a read with data needs no wait */
	KT_EXPECT_EQ(t, vfs_setfl(e.r, 0), 0);
	KT_EXPECT_EQ(t, vfs_write(e.w, "z", 1), 1);
	KT_EXPECT_EQ(t, vfs_read(e.r, &c, 1), 1);
	put_ends(&e);
	kfree(big);
}

static void pipe_epipe_calls_sigpipe_hook(struct ktest *t)
{
	struct ends e;
	u64 before;

	KT_ASSERT(t, make_pipe(&e, 0));
	KT_EXPECT_EQ(t, vfs_write(e.w, "x", 1), 1);
	file_put(e.r);
	before = signal_sigpipe_count();
	KT_EXPECT_EQ(t, vfs_write(e.w, "y", 1), -EPIPE);
	KT_EXPECT_EQ(t, signal_sigpipe_count(), before + 1);
	KT_EXPECT_EQ(t, fill(e.w, 'q', 3 * PIPE_BUF), -EPIPE);
	KT_EXPECT_EQ(t, signal_sigpipe_count(), before + 2);
	KT_EXPECT_EQ(t, vfs_write(e.w, "y", 0), 0);	/* nothing to write: no signal */
	KT_EXPECT_EQ(t, signal_sigpipe_count(), before + 2);
	file_put(e.w);
}

static void pipe_espipe(struct ktest *t)
{
	struct ends e;
	char c;

	KT_ASSERT(t, make_pipe(&e, 0));
	KT_EXPECT_EQ(t, vfs_lseek(e.r, 0, SEEK_CUR), -ESPIPE);
	KT_EXPECT_EQ(t, vfs_lseek(e.w, 0, SEEK_SET), -ESPIPE);
	KT_EXPECT_EQ(t, vfs_lseek(e.r, 0, 99), -EINVAL);	/* bad whence first, as Linux */
	KT_EXPECT_EQ(t, vfs_pwrite(e.w, "x", 1, 0), -ESPIPE);
	KT_EXPECT_EQ(t, vfs_pread(e.r, &c, 1, 0), -ESPIPE);
	KT_EXPECT_EQ(t, vfs_pread(e.w, &c, 1, 0), -ESPIPE);
	KT_EXPECT_EQ(t, vfs_pread(e.r, &c, 1, -1), -EINVAL);
	KT_EXPECT_EQ(t, pipe_nr_buffered(e.r), 0);
	put_ends(&e);
}

static void pipe_fds_and_cloexec(struct ktest *t)
{
	struct fd_table *tab = fd_table_create();
	int fds[2] = { -1, -1 }, fds2[2] = { -1, -1 };
	struct file *r, *w;
	char buf[4];

	KT_ASSERT(t, tab != NULL);
	KT_EXPECT_EQ(t, pipe_fds(tab, cred_kernel(), O_DIRECT, fds), -EINVAL);
	KT_EXPECT_EQ(t, fd_count(tab), 0);
	KT_ASSERT(t, pipe_fds(tab, cred_kernel(), O_CLOEXEC, fds) == 0);
	KT_EXPECT_EQ(t, fds[0], 0);
	KT_EXPECT_EQ(t, fds[1], 1);
	KT_EXPECT_EQ(t, fd_get_flags(tab, fds[0]), FD_CLOEXEC);
	KT_EXPECT_EQ(t, fd_get_flags(tab, fds[1]), FD_CLOEXEC);
	KT_ASSERT(t, pipe_fds(tab, cred_kernel(), O_NONBLOCK, fds2) == 0);
	KT_EXPECT_EQ(t, fd_get_flags(tab, fds2[0]), 0);
	r = fd_get(tab, fds[0]);
	w = fd_get(tab, fds[1]);
	KT_ASSERT(t, r && w);
	KT_EXPECT(t, (r->mode & FMODE_READ) && !(r->mode & FMODE_WRITE));
	KT_EXPECT(t, (w->mode & FMODE_WRITE) && !(w->mode & FMODE_READ));
	KT_EXPECT_EQ(t, vfs_write(w, "abc", 3), 3);
	KT_EXPECT_EQ(t, vfs_read(r, buf, sizeof(buf)), 3);
	file_put(r);
	file_put(w);
	/* two descriptors left for the limit: the second pipe_fds fails whole */
	KT_EXPECT_EQ(t, fd_set_limit(tab, 5), 0);
	KT_EXPECT_EQ(t, pipe_fds(tab, cred_kernel(), 0, fds2), -EMFILE);
	KT_EXPECT_EQ(t, fd_count(tab), 4);
	fd_table_put(tab);
}

/* ---- Sleeping and waking ------------------------------------------------------------------ */

static void pipe_reader_woken_by_writer(struct ktest *t)
{
	struct blocker b = { .n = sizeof(b.buf) };
	struct ends e;

	KT_ASSERT(t, make_pipe(&e, 0));
	b.f = e.r;
	KT_ASSERT(t, start(&b, do_read));
	KT_EXPECT(t, blocked(&b));
	KT_EXPECT_EQ(t, vfs_write(e.w, "wake", 4), 4);
	finish(&b);
	KT_EXPECT_EQ(t, b.ret, 4);
	KT_EXPECT(t, !memcmp(b.buf, "wake", 4));
	put_ends(&e);
}

static void pipe_reader_woken_by_last_close(struct ktest *t)
{
	struct blocker b = { .n = sizeof(b.buf) };
	struct ends e;

	KT_ASSERT(t, make_pipe(&e, 0));
	b.f = e.r;
	file_get(e.w);		/* a second reference, like a dup'ed fd */
	KT_ASSERT(t, start(&b, do_read));
	KT_EXPECT(t, blocked(&b));
	file_put(e.w);
	KT_EXPECT(t, blocked(&b));	/* one writer reference is left */
	file_put(e.w);
	finish(&b);
	KT_EXPECT_EQ(t, b.ret, 0);
	file_put(e.r);
}

static void pipe_writer_woken_by_reader(struct ktest *t)
{
	struct blocker b = { .n = 100 };
	struct ends e;

	KT_ASSERT(t, make_pipe(&e, 0));
	KT_ASSERT(t, fill(e.w, 'f', CAPACITY) == (long)CAPACITY);
	b.f = e.w;
	KT_ASSERT(t, start(&b, do_write));
	KT_EXPECT(t, blocked(&b));
	/* 50 bytes of room is not enough for an atomic 100-byte write */
	KT_EXPECT(t, drain(e.r, 50));
	KT_EXPECT(t, blocked(&b));
	KT_EXPECT_EQ(t, pipe_nr_buffered(e.r), CAPACITY - 50);
	KT_EXPECT(t, drain(e.r, 50));
	finish(&b);
	KT_EXPECT_EQ(t, b.ret, 100);
	KT_EXPECT_EQ(t, pipe_nr_buffered(e.r), CAPACITY);
	KT_EXPECT(t, drain(e.r, CAPACITY - 100));
	KT_EXPECT_EQ(t, vfs_read(e.r, b.buf, sizeof(b.buf)), 100);
	KT_EXPECT_EQ(t, b.buf[0], 'w');
	KT_EXPECT_EQ(t, b.buf[99], 'w');
	put_ends(&e);
}

static void pipe_writer_woken_by_last_reader_close(struct ktest *t)
{
	struct blocker b = { .n = 10 };
	struct ends e;
	u64 before;

	KT_ASSERT(t, make_pipe(&e, 0));
	KT_ASSERT(t, fill(e.w, 'f', CAPACITY) == (long)CAPACITY);
	b.f = e.w;
	before = signal_sigpipe_count();
	KT_ASSERT(t, start(&b, do_write));
	KT_EXPECT(t, blocked(&b));
	file_put(e.r);
	finish(&b);
	KT_EXPECT_EQ(t, b.ret, -EPIPE);
	KT_EXPECT_EQ(t, signal_sigpipe_count(), before + 1);
	file_put(e.w);
}

/* ---- Atomicity and ordering under contention ----------------------------------------------- */

#define REC_WRITERS 4
#define REC_ROUNDS 150
#define REC_HDR 8

/* Record seq of writer id: PIPE_BUF exactly every third one, else a
 * smaller size, some of them odd and none a divisor of the capacity. */
static u32 rec_len(u32 id, u32 seq)
{
	static const u32 small[] = { REC_HDR, 100, 1000, 2049, 4000, PIPE_BUF - 1 };

	return seq % 3 == 0 ? PIPE_BUF : small[(seq * 7 + id) % ARRAY_SIZE(small)];
}

static u8 rec_byte(u32 id, u32 seq, u32 i)
{
	return (u8)((id << 6) ^ (seq * 13 + i * 7));
}

static void rec_fill(u8 *r, u32 id, u32 seq)
{
	u32 len = rec_len(id, seq);

	r[0] = (u8)(0xa0 | id);
	r[1] = (u8)len;
	r[2] = (u8)(len >> 8);
	r[3] = (u8)seq;
	r[4] = (u8)(seq >> 8);
	r[5] = (u8)(seq >> 16);
	r[6] = (u8)(seq >> 24);
	r[7] = 0x5a;
	for (u32 i = REC_HDR; i < len; i++)
		r[i] = rec_byte(id, seq, i);
}

struct rec_writer {
	struct file *w;		/* its own reference */
	u32 id;
	int errors;
};

static void rec_writer_fn(void *p)
{
	struct rec_writer *a = p;
	u8 *r = kmalloc(PIPE_BUF, 0);

	for (u32 seq = 0; r && seq < REC_ROUNDS; seq++) {
		u32 len = rec_len(a->id, seq);

		rec_fill(r, a->id, seq);
		if (vfs_write(a->w, r, len) != (long)len)
			a->errors++;
		if (seq % 16 == 0)
			yield();
	}
	if (!r)
		a->errors++;
	kfree(r);
	file_put(a->w);
}

/* Reassembles the stream record by record and checks each. */
struct rec_check {
	u8 cur[PIPE_BUF];
	u32 have, need;
	u32 next_seq[REC_WRITERS];
	u32 records;
	bool broken;		/* framing lost: stop checking */
};

static void rec_done(struct rec_check *c)
{
	u32 id = c->cur[0] & 0x1f, seq = c->cur[3] | (u32)c->cur[4] << 8 |
					 (u32)c->cur[5] << 16 | (u32)c->cur[6] << 24;

	for (u32 i = REC_HDR; i < c->need; i++)
		if (c->cur[i] != rec_byte(id, seq, i))
			c->broken = true;
	c->next_seq[id]++;
	c->records++;
	c->have = 0;
}

static void rec_header(struct rec_check *c)
{
	u32 id = c->cur[0] & 0x1f, len = c->cur[1] | (u32)c->cur[2] << 8;
	u32 seq = c->cur[3] | (u32)c->cur[4] << 8 | (u32)c->cur[5] << 16 | (u32)c->cur[6] << 24;

	if ((c->cur[0] & 0xe0) != 0xa0 || c->cur[7] != 0x5a || id >= REC_WRITERS ||
	    seq != c->next_seq[id] || len != rec_len(id, seq)) {
		c->broken = true;
		return;
	}
	c->need = len;
}

static void rec_feed(struct rec_check *c, const u8 *buf, u32 n)
{
	while (n && !c->broken) {
		u32 want = c->have < REC_HDR ? REC_HDR : c->need;
		u32 take = MIN(n, want - c->have);

		memcpy(c->cur + c->have, buf, take);
		c->have += take;
		buf += take;
		n -= take;
		if (c->have == REC_HDR && want == REC_HDR)
			rec_header(c);
		if (!c->broken && c->have >= REC_HDR && c->have == c->need)
			rec_done(c);
	}
}

static void pipe_atomic_writes_under_contention(struct ktest *t)
{
	static const u32 chunks[] = { 1500, 3001, 2 * PIPE_BUF + 5, 17, CAPACITY };
	struct rec_writer a[REC_WRITERS];
	struct task *th[REC_WRITERS];
	struct rec_check *c = kzalloc(sizeof(*c), 0);
	u8 *buf = kmalloc(CAPACITY, 0);
	struct ends e;
	u64 total = 0, expect = 0;
	long n;

	KT_ASSERT(t, c && buf);
	KT_ASSERT(t, make_pipe(&e, 0));
	for (u32 i = 0; i < REC_WRITERS; i++) {
		a[i] = (struct rec_writer){ file_get(e.w), i, 0 };
		th[i] = kthread_create(rec_writer_fn, &a[i], "pipe-rec");
		if (!th[i])
			file_put(a[i].w);
		for (u32 s = 0; s < REC_ROUNDS; s++)
			expect += rec_len(i, s);
	}
	file_put(e.w);		/* end of file once every writer is done */
	for (u32 k = 0; (n = vfs_read(e.r, buf, chunks[k % ARRAY_SIZE(chunks)])) > 0; k++) {
		rec_feed(c, buf, (u32)n);
		total += (u64)n;
	}
	for (u32 i = 0; i < REC_WRITERS; i++) {
		KT_EXPECT(t, th[i] != NULL);
		if (th[i])
			kthread_join(th[i]);
		KT_EXPECT_EQ(t, a[i].errors, 0);
		KT_EXPECT_EQ(t, c->next_seq[i], REC_ROUNDS);
	}
	KT_EXPECT_EQ(t, n, 0);
	KT_EXPECT(t, !c->broken);
	KT_EXPECT_EQ(t, c->have, 0);
	KT_EXPECT_EQ(t, c->records, REC_WRITERS * REC_ROUNDS);
	KT_EXPECT_EQ(t, total, expect);
	file_put(e.r);
	kfree(buf);
	kfree(c);
}

#define BIG_WRITERS 3
#define BIG_ROUNDS 24

/* Sizes above PIPE_BUF, up to twice the capacity and more. */
static u32 big_len(u32 id, u32 i)
{
	return PIPE_BUF + 1 + (i * 9973 + id * 511) % (2 * CAPACITY);
}

struct big_writer {
	struct file *w;
	u32 id;
	int errors;
};

/* Every byte carries its writer (top two bits) and a per-writer counter
 * mod 64, so the reader can check each writer's bytes stay in order. */
static void big_writer_fn(void *p)
{
	struct big_writer *a = p;
	u32 max = PIPE_BUF + 1 + 2 * CAPACITY, ctr = 0;
	u8 *buf = kmalloc(max, 0);

	for (u32 i = 0; buf && i < BIG_ROUNDS; i++) {
		u32 len = big_len(a->id, i);

		for (u32 j = 0; j < len; j++)
			buf[j] = (u8)(a->id << 6 | (ctr++ & 63));
		if (vfs_write(a->w, buf, len) != (long)len)
			a->errors++;
	}
	if (!buf)
		a->errors++;
	kfree(buf);
	file_put(a->w);
}

static void pipe_large_writes_all_arrive(struct ktest *t)
{
	struct big_writer a[BIG_WRITERS];
	struct task *th[BIG_WRITERS];
	u64 got[BIG_WRITERS] = { 0 }, expect[BIG_WRITERS] = { 0 };
	u32 next[BIG_WRITERS] = { 0 };
	u8 *buf = kmalloc(CAPACITY, 0);
	int disorder = 0, stray = 0;
	struct ends e;
	long n;

	KT_ASSERT(t, buf != NULL);
	KT_ASSERT(t, make_pipe(&e, 0));
	for (u32 i = 0; i < BIG_WRITERS; i++) {
		a[i] = (struct big_writer){ file_get(e.w), i, 0 };
		th[i] = kthread_create(big_writer_fn, &a[i], "pipe-big");
		if (!th[i])
			file_put(a[i].w);
		for (u32 k = 0; k < BIG_ROUNDS; k++)
			expect[i] += big_len(i, k);
	}
	file_put(e.w);
	while ((n = vfs_read(e.r, buf, CAPACITY / 3)) > 0) {
		for (long j = 0; j < n; j++) {
			u32 id = buf[j] >> 6;

			if (id >= BIG_WRITERS) {
				stray++;
				continue;
			}
			if ((buf[j] & 63) != next[id])
				disorder++;
			next[id] = (buf[j] + 1) & 63;
			got[id]++;
		}
	}
	KT_EXPECT_EQ(t, n, 0);
	for (u32 i = 0; i < BIG_WRITERS; i++) {
		KT_EXPECT(t, th[i] != NULL);
		if (th[i])
			kthread_join(th[i]);
		KT_EXPECT_EQ(t, a[i].errors, 0);
		KT_EXPECT_EQ(t, got[i], expect[i]);
	}
	KT_EXPECT_EQ(t, disorder, 0);
	KT_EXPECT_EQ(t, stray, 0);
	file_put(e.r);
	kfree(buf);
}

/* ---- FIFOs -------------------------------------------------------------------------------- */

static bool make_fifo(const char *path)
{
	return kvfs_mkdir_p("/kt-fifo", 0755) == 0 &&
	       vfs_mknodat(K, NULL, path, S_IFIFO | 0644, 0) == 0;
}

static void fifo_open_rendezvous(struct ktest *t)
{
	struct blocker b = { .path = "/kt-fifo/r", .flags = O_RDONLY };
	struct file *w, *r;
	char buf[8];

	KT_ASSERT(t, make_fifo("/kt-fifo/r"));
	/* a reader waits in open for a writer */
	KT_ASSERT(t, start(&b, do_open));
	KT_EXPECT(t, blocked(&b));
	w = kopen("/kt-fifo/r", O_WRONLY);	/* a reader is there: no wait */
	KT_EXPECT(t, w != NULL);
	finish(&b);
	KT_EXPECT_EQ(t, b.ret, 0);
	r = b.opened;
	KT_ASSERT(t, r && w);
	KT_EXPECT_EQ(t, vfs_write(w, "ping", 4), 4);
	KT_EXPECT_EQ(t, vfs_read(r, buf, sizeof(buf)), 4);
	KT_EXPECT(t, !memcmp(buf, "ping", 4));
	file_put(w);
	KT_EXPECT_EQ(t, vfs_read(r, buf, sizeof(buf)), 0);
	file_put(r);

	/* and a writer waits in open for a reader */
	b = (struct blocker){ .path = "/kt-fifo/r", .flags = O_WRONLY };
	KT_ASSERT(t, start(&b, do_open));
	KT_EXPECT(t, blocked(&b));
	r = kopen("/kt-fifo/r", O_RDONLY);	/* the writer counts already */
	KT_EXPECT(t, r != NULL);
	finish(&b);
	KT_EXPECT_EQ(t, b.ret, 0);
	w = b.opened;
	KT_ASSERT(t, r && w);
	KT_EXPECT_EQ(t, vfs_write(w, "pong", 4), 4);
	KT_EXPECT_EQ(t, vfs_read(r, buf, sizeof(buf)), 4);
	file_put(r);
	KT_EXPECT_EQ(t, vfs_write(w, "x", 1), -EPIPE);
	file_put(w);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-fifo/r"), 0);
}

/* A writer that opens and closes again while the reader sleeps in open
 * still releases it (the reader sees the open count move). */
static void fifo_open_released_by_brief_writer(struct ktest *t)
{
	struct blocker b = { .path = "/kt-fifo/b", .flags = O_RDONLY };
	struct file *w;
	char c;

	KT_ASSERT(t, make_fifo("/kt-fifo/b"));
	KT_ASSERT(t, start(&b, do_open));
	KT_EXPECT(t, blocked(&b));
	w = kopen("/kt-fifo/b", O_WRONLY);
	KT_EXPECT(t, w != NULL);
	file_put(w);
	finish(&b);
	KT_EXPECT_EQ(t, b.ret, 0);
	if (b.opened) {
		KT_EXPECT_EQ(t, vfs_read(b.opened, &c, 1), 0);	/* no writer now */
		file_put(b.opened);
	}
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-fifo/b"), 0);
}

static void fifo_nonblocking_opens(struct ktest *t)
{
	struct file *r, *w, *f = NULL;
	char c;

	KT_ASSERT(t, make_fifo("/kt-fifo/n"));
	KT_EXPECT_EQ(t, vfs_openat(K, NULL, "/kt-fifo/n", O_WRONLY | O_NONBLOCK, 0, &f), -ENXIO);
	r = kopen("/kt-fifo/n", O_RDONLY | O_NONBLOCK);		/* never waits */
	KT_ASSERT(t, r != NULL);
	KT_EXPECT_EQ(t, vfs_read(r, &c, 1), 0);		/* no writer: end of file */
	w = kopen("/kt-fifo/n", O_WRONLY | O_NONBLOCK);		/* a reader is there */
	KT_EXPECT(t, w != NULL);
	if (w) {
		KT_EXPECT_EQ(t, vfs_read(r, &c, 1), -EAGAIN);	/* a writer, no data */
		KT_EXPECT_EQ(t, vfs_write(w, "k", 1), 1);
		KT_EXPECT_EQ(t, vfs_read(r, &c, 1), 1);
		KT_EXPECT_EQ(t, c, 'k');
		file_put(w);
	}
	file_put(r);
	KT_EXPECT_EQ(t, vfs_openat(K, NULL, "/kt-fifo/n", O_WRONLY | O_NONBLOCK, 0, &f), -ENXIO);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-fifo/n"), 0);
}

static void fifo_rdwr_never_waits(struct ktest *t)
{
	struct file *rw, *w;
	char buf[8];

	KT_ASSERT(t, make_fifo("/kt-fifo/rw"));
	rw = kopen("/kt-fifo/rw", O_RDWR);
	KT_ASSERT(t, rw != NULL);
	KT_EXPECT_EQ(t, vfs_write(rw, "self", 4), 4);
	KT_EXPECT_EQ(t, vfs_read(rw, buf, sizeof(buf)), 4);
	/* it counts as a reader: a writer's open does not wait */
	w = kopen("/kt-fifo/rw", O_WRONLY | O_NONBLOCK);
	KT_EXPECT(t, w != NULL);
	if (w) {
		KT_EXPECT_EQ(t, vfs_write(w, "ab", 2), 2);
		KT_EXPECT_EQ(t, vfs_read(rw, buf, sizeof(buf)), 2);
		file_put(w);
	}
	KT_EXPECT_EQ(t, vfs_lseek(rw, 0, SEEK_SET), -ESPIPE);
	KT_EXPECT_EQ(t, vfs_pread(rw, buf, 1, 0), -ESPIPE);
	file_put(rw);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-fifo/rw"), 0);
}

static void fifo_reused_after_all_close(struct ktest *t)
{
	struct file *rw;
	struct statx st;
	struct path p;
	char buf[16];

	KT_ASSERT(t, make_fifo("/kt-fifo/re"));
	KT_ASSERT(t, vfs_lookup(K, NULL, "/kt-fifo/re", 0, &p) == 0);
	for (int round = 0; round < 3; round++) {
		rw = kopen("/kt-fifo/re", O_RDWR | O_NONBLOCK);
		KT_ASSERT(t, rw != NULL);
		KT_EXPECT(t, p.dentry->inode->i_pipe != NULL);
		/* what the last round left unread went with its pipe */
		KT_EXPECT_EQ(t, vfs_read(rw, buf, sizeof(buf)), -EAGAIN);
		KT_EXPECT_EQ(t, vfs_write(rw, "left behind", 11), 11);
		KT_EXPECT_EQ(t, vfs_fstatx(rw, 0, &st), 0);
		KT_EXPECT_EQ(t, st.stx_mode, S_IFIFO | 0644);
		KT_EXPECT_EQ(t, st.stx_size, 0);	/* buffered bytes are not a size */
		file_put(rw);
		KT_EXPECT(t, p.dentry->inode->i_pipe == NULL);
	}
	path_put(&p);
	/* unlinked while open: the pipe goes on working */
	rw = kopen("/kt-fifo/re", O_RDWR);
	KT_ASSERT(t, rw != NULL);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-fifo/re"), 0);
	KT_EXPECT_EQ(t, vfs_write(rw, "still", 5), 5);
	KT_EXPECT_EQ(t, vfs_read(rw, buf, sizeof(buf)), 5);
	file_put(rw);
}

/* Full pipes closed with data in them, and FIFOs, give every page back. */
static void pipe_no_leaks(struct ktest *t)
{
	u64 before;
	struct ends e;
	struct file *rw;
	int bad = 0;

	KT_ASSERT(t, make_fifo("/kt-fifo/leak"));
	before = mm_free_pages_settled();
	for (int i = 0; i < 50; i++) {
		if (!make_pipe(&e, O_NONBLOCK)) {
			bad++;
			continue;
		}
		if (fill(e.w, 'L', CAPACITY + PIPE_BUF + 1) != (long)CAPACITY)
			bad++;
		put_ends(&e);
		rw = kopen("/kt-fifo/leak", O_RDWR);
		if (!rw || fill(rw, 'F', 3 * PIPE_BUF) != 3 * PIPE_BUF)
			bad++;
		file_put(rw);
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT(t, mm_free_pages_settled() + 4 >= before);
	KT_EXPECT_EQ(t, kvfs_unlink("/kt-fifo/leak"), 0);
	KT_EXPECT_EQ(t, kvfs_rmdir("/kt-fifo"), 0);
}

KTEST_SUITE(pipe,
	    KTEST_CASE(pipe_eof_and_partial_reads),
	    KTEST_CASE(pipe_nonblock_eagain),
	    KTEST_CASE(pipe_epipe_calls_sigpipe_hook),
	    KTEST_CASE(pipe_espipe),
	    KTEST_CASE(pipe_fds_and_cloexec),
	    KTEST_CASE(pipe_reader_woken_by_writer),
	    KTEST_CASE(pipe_reader_woken_by_last_close),
	    KTEST_CASE(pipe_writer_woken_by_reader),
	    KTEST_CASE(pipe_writer_woken_by_last_reader_close),
	    KTEST_CASE(pipe_atomic_writes_under_contention),
	    KTEST_CASE(pipe_large_writes_all_arrive),
	    KTEST_CASE(fifo_open_rendezvous),
	    KTEST_CASE(fifo_open_released_by_brief_writer),
	    KTEST_CASE(fifo_nonblocking_opens),
	    KTEST_CASE(fifo_rdwr_never_waits),
	    KTEST_CASE(fifo_reused_after_all_close),
	    KTEST_CASE(pipe_no_leaks));
