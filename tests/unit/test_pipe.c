/* Unit tests for pipes and FIFOs on the fake machine: the byte ring's
 * arithmetic against a model, and every pipe/FIFO rule that needs no
 * second thread (the fake scheduler aborts on any sleep: blocking reads,
 * writes and opens, and wakeups, are the ktest suite `pipe`). Also what
 * the ktests cannot arrange: running the page allocator dry. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umka/errno.h>
#include <umka/fdtable.h>
#include <umka/mm.h>
#include <umka/pipe.h>
#include <umka/sched.h>
#include <umka/signal.h>
#include <umka/slab.h>
#include <umka/vfs.h>

#include "../../src/fs/pipe_ring.h"
#include "ck_run.h"
#include "fake_arch.h"

#define OK(e) ck_assert_int_eq((long)(e), 0)
#define ERR(e, code) ck_assert_int_eq((long)(e), -(long)(code))
#define CAPACITY (PIPE_DEF_PAGES * PAGE_SIZE)

static struct vfs_ctx rctx, uctx;
#define R (&rctx)	/* root */
#define U (&uctx)	/* uid 1000, gid 1000, umask 022 */

static void setup(void)
{
	struct fs_struct *kfs;

	mm_init(fake_boot_info(MiB(64)));
	slab_init();
	fake_clock = 1000 * NSEC_PER_SEC;
	vfs_init();
	kfs = vfs_kernel_ctx()->fs;
	rctx.cred = cred_kernel();
	rctx.fs = fs_struct_clone(kfs);
	uctx.cred = cred_create(1000, 1000, NULL, 0);
	uctx.fs = fs_struct_clone(kfs);
	fs_set_umask(uctx.fs, 022);
	OK(vfs_mkdirat(R, NULL, "/tmp", 01777));
}

static u64 free_pages_now(void)
{
	struct mm_stats st;

	slab_shrink();
	mm_drain_pcp();
	mm_get_stats(&st);
	return st.free_pages;
}

static struct file *open_ok(const struct vfs_ctx *c, const char *p, int flags)
{
	struct file *f = NULL;
	int e = vfs_openat(c, NULL, p, flags, 0, &f);

	ck_assert_msg(e == 0, "open(%s, %#x) = %d", p, flags, e);
	return f;
}

static int open_err(const struct vfs_ctx *c, const char *p, int flags)
{
	struct file *f;
	int e = vfs_openat(c, NULL, p, flags, 0, &f);

	if (!e)
		file_put(f);
	return e;
}

/* ==== The ring ============================================================================ */

#define RPAGES 3
#define RCAP (RPAGES * PAGE_SIZE)

static void *ring_slots[RPAGES];	/* what the ring sees */
static void *ring_mem[RPAGES];		/* what the test owns */

static struct pipe_ring ring_with_pages(void)
{
	for (int i = 0; i < RPAGES; i++) {
		ring_slots[i] = ring_mem[i] = malloc(PAGE_SIZE);
		ck_assert_ptr_nonnull(ring_mem[i]);
	}
	return (struct pipe_ring){ ring_slots, RPAGES, RPAGES, 0, 0 };
}

static void ring_free_pages(void)
{
	for (int i = 0; i < RPAGES; i++) {
		free(ring_mem[i]);
		ring_slots[i] = ring_mem[i] = NULL;
	}
}

START_TEST(test_ring_arithmetic)
{
	struct pipe_ring r = ring_with_pages();

	ck_assert_uint_eq(pipe_ring_capacity(&r), RCAP);
	ck_assert_uint_eq(pipe_ring_room(&r), RCAP);
	ck_assert_uint_eq(pipe_ring_tail_slot(&r, 0), 0);
	ck_assert_uint_eq(pipe_ring_tail_slot(&r, PAGE_SIZE - 1), 0);
	ck_assert_uint_eq(pipe_ring_tail_slot(&r, PAGE_SIZE), 1);
	ck_assert_uint_eq(pipe_ring_tail_slot(&r, RCAP - 1), 2);
	/* the tail wraps: head in the last page, a few bytes buffered */
	r.head = 2 * PAGE_SIZE + 100;
	r.len = 50;
	ck_assert_uint_eq(pipe_ring_room(&r), RCAP - 50);
	ck_assert_uint_eq(pipe_ring_tail_slot(&r, 0), 2);
	ck_assert_uint_eq(pipe_ring_tail_slot(&r, PAGE_SIZE - 151), 2);
	ck_assert_uint_eq(pipe_ring_tail_slot(&r, PAGE_SIZE - 150), 0);
	ck_assert_uint_eq(pipe_ring_tail_slot(&r, 2 * PAGE_SIZE - 150), 1);
	/* writable stops at the first slot without a page, wrapping */
	ck_assert_uint_eq(pipe_ring_writable(&r, RCAP - 50), RCAP - 50);
	ring_slots[1] = NULL;
	ck_assert_uint_eq(pipe_ring_writable(&r, 10), 10);
	ck_assert_uint_eq(pipe_ring_writable(&r, RCAP - 50), 2 * PAGE_SIZE - 150);
	ring_slots[0] = NULL;
	ck_assert_uint_eq(pipe_ring_writable(&r, RCAP - 50), PAGE_SIZE - 150);
	ring_slots[2] = NULL;
	ck_assert_uint_eq(pipe_ring_writable(&r, 1), 0);
	ring_free_pages();
}
END_TEST

/* Write n bytes of a running counter starting at *ctr. */
static void ring_put(struct pipe_ring *r, u32 n, u8 *ctr)
{
	static u8 buf[RCAP];

	for (u32 i = 0; i < n; i++)
		buf[i] = (*ctr)++;
	ck_assert_uint_eq(pipe_ring_writable(r, n), n);
	pipe_ring_write(r, buf, n);
}

static void ring_get(struct pipe_ring *r, u32 n, u8 *ctr)
{
	static u8 buf[RCAP];
	u32 got = pipe_ring_read(r, buf, n), bad = 0;

	ck_assert_uint_eq(got, n);
	for (u32 i = 0; i < n; i++)
		bad += buf[i] != (*ctr)++;
	ck_assert_uint_eq(bad, 0);
}

/* Every head position a page end or wrap can fall near: the data comes
 * out as it went in, the ring holds exactly its capacity, and an emptied
 * ring restarts at offset 0. */
START_TEST(test_ring_wraps_at_every_boundary)
{
	static const u32 heads[] = { 0, 1, 100, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1,
				     2 * PAGE_SIZE - 7, 2 * PAGE_SIZE, RCAP - 2, RCAP - 1 };
	struct pipe_ring r = ring_with_pages();
	u8 in = 0, out = 0;

	for (unsigned i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		/* move the head to heads[i] with one byte left buffered */
		ring_put(&r, heads[i] + 1, &in);
		ring_get(&r, heads[i], &out);
		ck_assert_uint_eq(r.head, heads[i]);
		ring_put(&r, RCAP - 1, &in);		/* fill it: wraps */
		ck_assert_uint_eq(pipe_ring_room(&r), 0);
		ring_get(&r, 1, &out);
		ring_get(&r, RCAP - 2, &out);
		ck_assert_uint_eq(r.len, 1);
		ring_get(&r, 1, &out);
		ck_assert_uint_eq(r.len, 0);
		ck_assert_uint_eq(r.head, 0);
	}
	/* reading more than is there takes what is there */
	ring_put(&r, 5, &in);
	{
		u8 buf[16];

		ck_assert_uint_eq(pipe_ring_read(&r, buf, sizeof(buf)), 5);
		ck_assert_uint_eq(pipe_ring_read(&r, buf, sizeof(buf)), 0);
		out += 5;
	}
	ring_free_pages();
}
END_TEST

/* Random writes and reads against a plain array queue. */
START_TEST(test_ring_against_model)
{
	struct pipe_ring r = ring_with_pages();
	static u8 model[RCAP], buf[RCAP];
	u32 mhead = 0, mlen = 0, seed = 12345;
	u8 ctr = 0;

	for (int step = 0; step < 5000; step++) {
		u32 n;

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 8) % (step % 7 == 0 ? RCAP + 1 : 700);
		if ((seed >> 4) & 1) {
			n = n > RCAP - mlen ? RCAP - mlen : n;
			for (u32 i = 0; i < n; i++) {
				buf[i] = ctr++;
				model[(mhead + mlen + i) % RCAP] = buf[i];
			}
			pipe_ring_write(&r, buf, n);
			mlen += n;
		} else {
			u32 got = pipe_ring_read(&r, buf, n), want = n < mlen ? n : mlen, bad = 0;

			ck_assert_uint_eq(got, want);
			for (u32 i = 0; i < got; i++)
				bad += buf[i] != model[(mhead + i) % RCAP];
			ck_assert_uint_eq(bad, 0);
			mhead = (mhead + got) % RCAP;
			mlen -= got;
		}
		ck_assert_uint_eq(r.len, mlen);
		ck_assert_uint_eq(pipe_ring_room(&r), RCAP - mlen);
	}
	ring_free_pages();
}
END_TEST

/* ==== Pipes ================================================================================ */

START_TEST(test_pipe_read_write_eof)
{
	struct file *r, *w;
	struct statx st;
	char buf[64];

	OK(pipe_create(U->cred, 0, &r, &w));
	ck_assert_int_eq(vfs_write(w, "abcdef", 6), 6);
	ck_assert_int_eq(pipe_nr_buffered(r), 6);
	ck_assert_int_eq(vfs_read(r, buf, 4), 4);
	ck_assert_int_eq(vfs_read(r, buf + 4, sizeof(buf)), 2);
	ck_assert(!memcmp(buf, "abcdef", 6));
	OK(vfs_fstatx(w, 0, &st));
	ck_assert_uint_eq(st.stx_mode, S_IFIFO | 0600);
	ck_assert_uint_eq(st.stx_uid, 1000);
	ck_assert_uint_eq(st.stx_gid, 1000);
	ck_assert_uint_eq(st.stx_nlink, 1);
	ck_assert_uint_eq(st.stx_size, 0);
	ck_assert_int_eq(pipe_nr_buffered(r), 0);
	ERR(vfs_write(r, "x", 1), EBADF);
	ERR(vfs_read(w, buf, 1), EBADF);
	ERR(vfs_lseek(r, 0, SEEK_SET), ESPIPE);
	ERR(vfs_pread(r, buf, 1, 0), ESPIPE);
	ERR(vfs_pwrite(w, buf, 1, 0), ESPIPE);
	ck_assert_int_eq(vfs_write(w, "end", 3), 3);
	file_put(w);
	ck_assert_int_eq(vfs_read(r, buf, sizeof(buf)), 3);
	ck_assert_int_eq(vfs_read(r, buf, sizeof(buf)), 0);	/* no writer, no sleep */
	file_put(r);
	ERR(pipe_create(R->cred, O_DIRECT, &r, &w), EINVAL);
	ERR(pipe_create(R->cred, O_APPEND, &r, &w), EINVAL);
}
END_TEST

START_TEST(test_pipe_epipe_and_hook)
{
	struct file *r, *w;
	u64 before = signal_sigpipe_count();

	OK(pipe_create(R->cred, 0, &r, &w));
	file_put(r);
	ERR(vfs_write(w, "x", 1), EPIPE);
	ck_assert_uint_eq(signal_sigpipe_count(), before + 1);
	ck_assert_int_eq(vfs_write(w, "x", 0), 0);
	ck_assert_uint_eq(signal_sigpipe_count(), before + 1);
	file_put(w);
}
END_TEST

START_TEST(test_pipe_nonblocking_room_rules)
{
	static u8 big[3 * PIPE_BUF], back[CAPACITY];
	struct file *r, *w;

	OK(pipe_create(R->cred, O_NONBLOCK, &r, &w));
	ERR(vfs_read(r, back, 1), EAGAIN);
	for (u32 i = 0; i < sizeof(big); i++)
		big[i] = (u8)(i * 3);
	/* fill to PIPE_BUF - 1 short of full in atomic pieces */
	for (u32 done = 0; done < CAPACITY - PIPE_BUF; done += PIPE_BUF / 2)
		ck_assert_int_eq(vfs_write(w, big, PIPE_BUF / 2), PIPE_BUF / 2);
	ck_assert_int_eq(vfs_write(w, big, PIPE_BUF - 1), PIPE_BUF - 1);
	ERR(vfs_write(w, big, 2), EAGAIN);		/* one byte of room */
	ERR(vfs_write(w, big, PIPE_BUF), EAGAIN);
	ck_assert_int_eq(vfs_write(w, big, PIPE_BUF + 1), 1);	/* what fits */
	ERR(vfs_write(w, big, sizeof(big)), EAGAIN);
	ck_assert_int_eq(pipe_nr_buffered(w), CAPACITY);
	ck_assert_int_eq(vfs_read(r, back, sizeof(back)), CAPACITY);
	ck_assert_uint_eq(back[CAPACITY - 1], big[0]);
	ck_assert_uint_eq(back[CAPACITY - 2], big[PIPE_BUF - 2]);
	/* a large write into an empty pipe takes the capacity */
	ck_assert_int_eq(vfs_write(w, big, sizeof(big)), sizeof(big));
	ck_assert_int_eq(vfs_read(r, back, sizeof(back)), sizeof(big));
	ck_assert(!memcmp(back, big, sizeof(big)));
	file_put(r);
	file_put(w);
}
END_TEST

/* An idle pipe keeps one page; a full one sixteen; closing gives all back. */
START_TEST(test_pipe_pages_come_back)
{
	static u8 buf[CAPACITY];
	struct file *r, *w;
	u64 base, idle;

	base = free_pages_now();
	OK(pipe_create(R->cred, 0, &r, &w));
	ck_assert_int_eq(vfs_write(w, "x", 1), 1);
	ck_assert_int_eq(vfs_read(r, buf, 1), 1);
	idle = free_pages_now();
	ck_assert_int_eq(vfs_write(w, buf, CAPACITY), CAPACITY);
	ck_assert_uint_eq(free_pages_now(), idle - (PIPE_DEF_PAGES - 1));
	ck_assert_int_eq(vfs_read(r, buf, CAPACITY - 1), CAPACITY - 1);
	ck_assert_uint_eq(free_pages_now(), idle - (PIPE_DEF_PAGES - 1));	/* not empty yet */
	ck_assert_int_eq(vfs_read(r, buf, 1), 1);
	ck_assert_uint_eq(free_pages_now(), idle);
	ck_assert_int_eq(vfs_write(w, buf, 3 * PIPE_BUF), 3 * PIPE_BUF);
	file_put(w);
	file_put(r);		/* with data still in it */
	ck_assert_uint_eq(free_pages_now(), base);
}
END_TEST

struct hog {
	struct hog *next;
};

/* Take every free page (and, with objects, every free kmalloc slot of
 * each size class that fits a pointer); returns them as a list. */
static struct hog *hog_memory(bool objects)
{
	static const size_t sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096 };
	struct hog *list = NULL, *h;

	while ((h = page_alloc_virt(0, 0))) {
		h->next = list;
		list = h;
	}
	for (unsigned i = 0; objects && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		while ((h = kmalloc(sizes[i], 0))) {
			/* pages are tagged so the release knows which is which */
			h->next = (struct hog *)((uintptr_t)list | 1);
			list = h;
		}
	}
	return list;
}

/* Give back the most recent hog; false when none is left. */
static bool unhog_one(struct hog **list)
{
	struct hog *h = *list;
	uintptr_t next;

	if (!h)
		return false;
	next = (uintptr_t)h->next;
	*list = (struct hog *)(next & ~(uintptr_t)1);
	if (next & 1)
		kfree(h);
	else
		page_free_virt(h, 0);
	return true;
}

/* Out of pages: an atomic write fails whole with ENOMEM, a large one
 * writes what the pages it has hold; the pipe stays usable. */
START_TEST(test_pipe_write_enomem)
{
	static u8 data[3 * PIPE_BUF], back[CAPACITY];
	struct file *r, *w;
	struct hog *hogs;
	u64 base;

	for (u32 i = 0; i < sizeof(data); i++)
		data[i] = (u8)(i ^ (i >> 8));
	base = free_pages_now();
	OK(pipe_create(R->cred, 0, &r, &w));
	ck_assert_int_eq(vfs_write(w, data, PAGE_SIZE - 96), PAGE_SIZE - 96);
	hogs = hog_memory(false);
	ERR(vfs_write(w, data + PAGE_SIZE - 96, 200), ENOMEM);	/* needs slot 1 */
	ck_assert_int_eq(pipe_nr_buffered(r), PAGE_SIZE - 96);
	ck_assert_int_eq(vfs_write(w, data + PAGE_SIZE - 96, 2 * PIPE_BUF), 96);
	ERR(vfs_write(w, data, 2 * PIPE_BUF), ENOMEM);		/* nothing fits now */
	ck_assert_int_eq(vfs_read(r, back, 10), 10);	/* not emptied: no page comes back */
	ERR(vfs_write(w, data, 1), ENOMEM);
	while (unhog_one(&hogs))
		;
	ck_assert_int_eq(vfs_write(w, data + PAGE_SIZE, 1000), 1000);
	ck_assert_int_eq(vfs_read(r, back + 10, sizeof(back) - 10), PAGE_SIZE - 10 + 1000);
	ck_assert(!memcmp(back, data, PAGE_SIZE + 1000));
	file_put(r);
	file_put(w);
	ck_assert_uint_eq(free_pages_now(), base);
}
END_TEST

/* pipe_create failing at each allocation in turn leaves nothing behind:
 * memory is handed back one piece at a time until it succeeds. */
START_TEST(test_pipe_create_enomem_unwinds)
{
	struct file *r = NULL, *w = NULL;
	struct hog *hogs;
	int err, failures = 0;
	u64 base;

	dcache_shrink(~0UL);
	base = free_pages_now();
	hogs = hog_memory(true);
	while ((err = pipe_create(R->cred, 0, &r, &w)) != 0) {
		ck_assert_int_eq(err, -ENOMEM);
		failures++;
		ck_assert(unhog_one(&hogs));
	}
	ck_assert_int_gt(failures, 0);
	while (unhog_one(&hogs))
		;
	ck_assert_int_eq(vfs_write(w, "ok", 2), 2);
	file_put(r);
	file_put(w);
	dcache_shrink(~0UL);
	ck_assert_uint_eq(free_pages_now(), base);
}
END_TEST

START_TEST(test_pipe_fds)
{
	struct fd_table *t = fd_table_create();
	int fds[2];
	struct file *f;

	OK(pipe_fds(t, R->cred, O_CLOEXEC | O_NONBLOCK, fds));
	ck_assert_int_eq(fds[0], 0);
	ck_assert_int_eq(fds[1], 1);
	ck_assert_int_eq(fd_get_flags(t, 0), FD_CLOEXEC);
	f = fd_get(t, 0);
	ck_assert(file_is_pipe(f) && (f->flags & O_NONBLOCK) && (f->mode & FMODE_READ));
	file_put(f);
	OK(pipe_fds(t, R->cred, 0, fds));
	ck_assert_int_eq(fd_get_flags(t, fds[1]), 0);
	OK(fd_set_limit(t, 5));
	ERR(pipe_fds(t, R->cred, 0, fds), EMFILE);
	ck_assert_uint_eq(fd_count(t), 4);
	ERR(pipe_fds(t, R->cred, O_RDWR, fds), EINVAL);
	fd_table_put(t);
}
END_TEST

/* ==== FIFOs ================================================================================= */

START_TEST(test_fifo_opens_without_waiting)
{
	struct file *rw, *r, *w, *p;
	struct statx st;
	char buf[16];

	OK(vfs_mknodat(U, NULL, "/tmp/f", S_IFIFO | 0666, 0));
	OK(vfs_statx(R, NULL, "/tmp/f", 0, STATX_BASIC_STATS, &st));
	ck_assert_uint_eq(st.stx_mode, S_IFIFO | 0644);		/* umask 022 */
	ERR(open_err(U, "/tmp/f", O_WRONLY | O_NONBLOCK), ENXIO);	/* no reader */
	r = open_ok(U, "/tmp/f", O_RDONLY | O_NONBLOCK);
	ck_assert_int_eq(vfs_read(r, buf, 1), 0);		/* no writer: EOF */
	w = open_ok(U, "/tmp/f", O_WRONLY | O_NONBLOCK);	/* a reader is there */
	ERR(vfs_read(r, buf, 1), EAGAIN);			/* a writer, no data */
	ck_assert_int_eq(vfs_write(w, "hi", 2), 2);
	ck_assert_int_eq(vfs_read(r, buf, sizeof(buf)), 2);
	ERR(vfs_lseek(w, 0, SEEK_CUR), ESPIPE);
	ck_assert(file_is_pipe(r) && file_is_pipe(w));
	/* blocking opens do not wait when the other side is there */
	rw = open_ok(U, "/tmp/f", O_WRONLY);
	p = open_ok(U, "/tmp/f", O_RDONLY);
	file_put(p);
	file_put(rw);
	file_put(w);
	file_put(r);
	/* O_RDWR is both sides at once */
	rw = open_ok(R, "/tmp/f", O_RDWR);
	ck_assert_int_eq(vfs_write(rw, "self", 4), 4);
	ck_assert_int_eq(vfs_read(rw, buf, sizeof(buf)), 4);
	w = open_ok(R, "/tmp/f", O_WRONLY | O_NONBLOCK);
	file_put(w);
	/* O_PATH does not meet anyone and is no pipe end */
	p = open_ok(R, "/tmp/f", O_PATH);
	ck_assert(!file_is_pipe(p));
	ERR(pipe_nr_buffered(p), EINVAL);
	file_put(p);
	file_put(rw);
	ERR(open_err(R, "/tmp/f", 3), EINVAL);		/* access mode 3 */
	OK(vfs_unlinkat(R, NULL, "/tmp/f", 0));
}
END_TEST

START_TEST(test_fifo_permissions)
{
	OK(vfs_mknodat(R, NULL, "/tmp/rootonly", S_IFIFO | 0600, 0));
	ERR(open_err(U, "/tmp/rootonly", O_RDWR), EACCES);
	ERR(open_err(U, "/tmp/rootonly", O_RDONLY | O_NONBLOCK), EACCES);
	OK(vfs_fchmodat(R, NULL, "/tmp/rootonly", 0604, 0));
	OK(open_err(U, "/tmp/rootonly", O_RDONLY | O_NONBLOCK));
	ERR(open_err(U, "/tmp/rootonly", O_WRONLY | O_NONBLOCK), EACCES);
	/* O_TRUNC means nothing to a FIFO */
	OK(open_err(R, "/tmp/rootonly", O_RDWR | O_TRUNC));
}
END_TEST

/* The pipe lives while someone has the FIFO open; unread data goes with
 * the last close, and the next opener gets a fresh, empty pipe. */
START_TEST(test_fifo_reuse_and_no_leak)
{
	struct file *a, *b;
	struct path p;
	char buf[8];
	u64 base;

	OK(vfs_mknodat(R, NULL, "/tmp/re", S_IFIFO | 0600, 0));
	OK(vfs_lookup(R, NULL, "/tmp/re", 0, &p));
	base = free_pages_now();
	for (int round = 0; round < 4; round++) {
		a = open_ok(R, "/tmp/re", O_RDWR | O_NONBLOCK);
		b = open_ok(R, "/tmp/re", O_RDONLY | O_NONBLOCK);
		ck_assert_ptr_eq(a->private, b->private);	/* one pipe */
		ck_assert_ptr_eq(p.dentry->inode->i_pipe, a->private);
		ERR(vfs_read(b, buf, sizeof(buf)), EAGAIN);
		ck_assert_int_eq(vfs_write(a, "unread", 6), 6);
		file_put(a);
		ck_assert_ptr_nonnull(p.dentry->inode->i_pipe);
		ck_assert_int_eq(vfs_read(b, buf, 2), 2);
		ck_assert_int_eq(vfs_read(b, buf, sizeof(buf)), 4);
		ck_assert_int_eq(vfs_write(a = open_ok(R, "/tmp/re", O_WRONLY), "z", 1), 1);
		file_put(a);
		file_put(b);
		ck_assert_ptr_null(p.dentry->inode->i_pipe);
	}
	ck_assert_uint_eq(free_pages_now(), base);
	path_put(&p);
}
END_TEST

static Suite *pipe_suite(void)
{
	Suite *s = suite_create("pipe");
	struct {
		const char *name;
		const TTest *tests[12];
	} groups[] = {
		{ "ring",
		  { test_ring_arithmetic, test_ring_wraps_at_every_boundary,
		    test_ring_against_model } },
		{ "pipe",
		  { test_pipe_read_write_eof, test_pipe_epipe_and_hook,
		    test_pipe_nonblocking_room_rules, test_pipe_pages_come_back,
		    test_pipe_write_enomem, test_pipe_create_enomem_unwinds, test_pipe_fds } },
		{ "fifo",
		  { test_fifo_opens_without_waiting, test_fifo_permissions,
		    test_fifo_reuse_and_no_leak } },
	};

	for (unsigned g = 0; g < ARRAY_SIZE(groups); g++)
		ck_add_group(s, groups[g].name, setup, groups[g].tests);
	return s;
}

int main(void)
{
	return ck_run(pipe_suite(), true);
}
