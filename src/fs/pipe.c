/* Pipes and FIFOs. A struct pipe is a byte ring (pipe_ring.c) of
 * PIPE_DEF_PAGES pages with a mutex, a wait queue for each side and counts
 * of open read and write ends. Anonymous pipes (pipe_create) get an
 * S_IFIFO inode on pipefs, a filesystem with no names that is never
 * mounted anywhere; FIFOs are S_IFIFO inodes of any filesystem, and every
 * open of one attaches to the pipe hanging off the inode (made by the
 * first open, freed with its data when the last opener closes).
 *
 * Locking: pipe.lock (a mutex) guards the ring and the counts; writers of
 * at most PIPE_BUF bytes hold it from the room check to the end of the
 * copy, which is what makes those writes atomic. inode->i_pipe and
 * pipe.files are under pipe_attach_lock (a leaf spinlock). Wakeups are
 * issued after pipe.lock is dropped, so the woken task does not at once
 * sleep again on the lock its waker still holds. */
#include <umka/errno.h>
#include <umka/fdtable.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/pipe.h>
#include <umka/signal.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/wait.h>

#include "pipe_ring.h"
#include "vfs_internal.h"

#define PIPEFS_MAGIC 0x50495045

struct pipe {
	struct mutex lock;
	struct pipe_ring ring;		/* under lock */
	/* readers waiting for data or for the last writer to go, and FIFO
	 * readers waiting in open for a writer */
	struct wait_queue rd_wait;
	/* writers waiting for room or for the last reader to go, and FIFO
	 * writers waiting in open for a reader */
	struct wait_queue wr_wait;
	u32 readers, writers;		/* open ends (O_RDWR counts as both), under lock */
	/* opens ever made of each end, under lock: a FIFO opener waits for
	 * the other count to move, so a partner that opened and closed at
	 * once still releases it */
	u32 r_counter, w_counter;
	u32 files;			/* struct files on this pipe, under pipe_attach_lock */
	/* The ring's page slots. A fixed array: F_SETPIPE_SZ, when it comes,
	 * will allocate a larger one. */
	void *slots[PIPE_DEF_PAGES];
};

/* An atomic write waits for room for all of it: it must be able to fit. */
_Static_assert(PIPE_BUF <= PIPE_DEF_PAGES * PAGE_SIZE, "PIPE_BUF exceeds the capacity");

static DEFINE_SPINLOCK(pipe_attach_lock, VFS_LEVEL_FS_LEAF);

/* ---- pipefs ------------------------------------------------------------------------------ */

static struct super_block *pipefs_sb;	/* set once at boot */
static struct mount *pipefs_mnt;	/* set once at boot; never unmounted */
static struct atomic64 pipefs_next_ino;

static const struct inode_ops pipefs_iops;

static struct inode *pipefs_alloc_inode(struct super_block *sb)
{
	(void)sb;
	return kzalloc(sizeof(struct inode), 0);
}

static void pipefs_free_inode(struct inode *inode)
{
	kfree(inode);
}

static int pipefs_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	st->magic = sb->magic;
	st->bsize = PAGE_SIZE;
	st->namelen = NAME_MAX;
	return 0;
}

static const struct super_ops pipefs_sops = {
	.alloc_inode = pipefs_alloc_inode,
	.free_inode = pipefs_free_inode,
	.statfs = pipefs_statfs,
};

/* Nothing is ever named in pipefs; path walk cannot reach its root (a pipe
 * is not a directory), but if it did, every name is absent. */
static int pipefs_lookup(struct inode *dir, struct dentry *d)
{
	(void)dir;
	d_add(d, NULL);
	return 0;
}

static const struct inode_ops pipefs_root_iops = { .lookup = pipefs_lookup };

static struct fs_type pipefs_type = {
	.name = "pipefs",
	.kill_sb = sb_kill_generic,	/* never: the internal mount stays */
};

static struct inode *pipefs_new_inode(u32 mode)
{
	struct inode *inode = pipefs_alloc_inode(pipefs_sb);

	if (!inode)
		return NULL;
	inode_init(inode, pipefs_sb, (u64)atomic64_add_return(&pipefs_next_ino, 1), mode);
	inode->i_op = &pipefs_iops;
	return inode;
}

void pipefs_init(void)
{
	struct inode *root;

	atomic64_set(&pipefs_next_ino, 0);
	pipefs_sb = sb_alloc(&pipefs_type, &pipefs_sops);
	if (!pipefs_sb)
		panic("pipefs: no memory for the super block");
	pipefs_sb->magic = PIPEFS_MAGIC;
	root = pipefs_new_inode(S_IFDIR | 0500);
	if (!root)
		panic("pipefs: no memory for the root inode");
	root->i_op = &pipefs_root_iops;
	pipefs_sb->root = d_make_root(root);
	if (!pipefs_sb->root)
		panic("pipefs: no memory for the root dentry");
	pipefs_mnt = mount_internal(pipefs_sb, "pipefs");
	if (!pipefs_mnt)
		panic("pipefs: no memory for the internal mount");
}

/* ---- The pipe object ---------------------------------------------------------------------- */

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p), 0);

	if (!p)
		return NULL;
	mutex_init(&p->lock, "pipe.lock", VFS_LEVEL_PIPE);
	wait_queue_init(&p->rd_wait);
	wait_queue_init(&p->wr_wait);
	p->ring.pages = p->slots;
	p->ring.nr_pages = PIPE_DEF_PAGES;
	return p;
}

static void pipe_free(struct pipe *p)
{
	for (u32 i = 0; i < p->ring.nr_pages; i++)
		page_free_virt(p->ring.pages[i], 0);
	kfree(p);
}

/* Give the next n free bytes of the ring their pages. Returns how many of
 * them can be written: n, or less if the page allocator ran dry (pages
 * allocated so far stay in their slots for the next write). */
static u32 pipe_prepare(struct pipe *p, u32 n)
{
	struct pipe_ring *r = &p->ring;
	u32 ok;

	while ((ok = pipe_ring_writable(r, n)) < n) {
		void *page = page_alloc_virt(0, 0);

		if (!page)
			break;
		r->pages[pipe_ring_tail_slot(r, ok)] = page;
		r->nr_alloc++;
	}
	return ok;
}

/* An emptied ring restarts at slot 0: give back every other page. An idle
 * pipe then holds one page, and a reader that keeps up with its writer
 * recycles that page without going to the allocator. */
static void pipe_trim(struct pipe *p)
{
	struct pipe_ring *r = &p->ring;

	if (r->len || r->nr_alloc <= 1)
		return;
	for (u32 i = 1; i < r->nr_pages; i++) {
		if (r->pages[i]) {
			page_free_virt(r->pages[i], 0);
			r->pages[i] = NULL;
			r->nr_alloc--;
		}
	}
}

/* The pipe of a FIFO inode, made by the first opener; takes a file's hold. */
static int pipe_attach(struct inode *inode, struct pipe **out)
{
	struct pipe *p, *fresh = NULL;

	for (;;) {
		spin_lock(&pipe_attach_lock);
		p = inode->i_pipe;
		if (!p && fresh) {
			inode->i_pipe = p = fresh;
			fresh = NULL;
		}
		if (p)
			p->files++;
		spin_unlock(&pipe_attach_lock);
		if (p)
			break;
		fresh = pipe_alloc();	/* may sleep: outside the spinlock */
		if (!fresh)
			return -ENOMEM;
	}
	if (fresh)
		pipe_free(fresh);	/* another opener installed one first */
	*out = p;
	return 0;
}

/* Drop a file's hold. The last one unhooks the pipe from its inode and
 * frees it; a FIFO's unread data goes with it, as POSIX says. */
static void pipe_detach(struct inode *inode, struct pipe *p)
{
	bool last;

	spin_lock(&pipe_attach_lock);
	last = --p->files == 0;
	if (last)
		inode->i_pipe = NULL;
	spin_unlock(&pipe_attach_lock);
	if (!last)
		return;
	pipe_free(p);
	/* An anonymous pipe's inode had its one "link" while an end was open
	 * (fstat shows nlink 1, as Linux); now the final dput evicts it. */
	if (inode->sb == pipefs_sb)
		inode_set_nlink(inode, 0);
}

/* ---- Sleeping and waking ------------------------------------------------------------------ */

#define WAKE_READERS 0x1u
#define WAKE_WRITERS 0x2u

/* Wake everyone on wq, skipping the queue's lock when nobody waits. The
 * unlocked look is safe because a pipe waiter always joins wq while
 * holding pipe.lock (pipe_wait): if it joined before our critical section
 * its entry is visible to us after it, and if after, it saw our change
 * under the lock and does not sleep. */
static void pipe_wake(struct wait_queue *wq)
{
	if (READ_ONCE(wq->waiters.next) != &wq->waiters)
		wake_up_all(wq);
}

static void pipe_unlock_wake(struct pipe *p, unsigned wake)
{
	mutex_unlock(&p->lock);
	if (wake & WAKE_READERS)
		pipe_wake(&p->rd_wait);
	if (wake & WAKE_WRITERS)
		pipe_wake(&p->wr_wait);
}

/* Sleep on wq with the pipe unlocked until woken, then lock it again; the
 * caller re-checks its condition. *wake holds the wakeups the caller owes
 * the other side: they go out before it sleeps. Being on wq before the
 * lock drops means a change made under the lock after our check always
 * finds us to wake.
 *
 * There are no signals yet, so the sleep is uninterruptible and this
 * returns 0. With signals it will sleep TASK_INTERRUPTIBLE and return
 * -ERESTARTSYS when one is pending; every caller already unwinds on an
 * error (read and write return what they moved so far, a FIFO open undoes
 * its count), and the syscall layer turns it into EINTR or a restart. */
static int pipe_wait(struct pipe *p, struct wait_queue *wq, unsigned *wake)
{
	struct wait_entry e = { { NULL, NULL }, NULL };

	prepare_to_wait(wq, &e, TASK_UNINTERRUPTIBLE);
	pipe_unlock_wake(p, *wake);
	*wake = 0;
	schedule();
	finish_wait(wq, &e);
	mutex_lock(&p->lock);
	return 0;
}

/* ---- I/O --------------------------------------------------------------------------------- */

/* Whatever is buffered, up to n, as soon as there is some; 0 once the
 * pipe is empty with no writer left. */
static long pipe_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct pipe *p = f->private;
	unsigned wake = 0;
	long ret;

	(void)pos;	/* pipes have no position */
	if (!n)
		return 0;
	mutex_lock(&p->lock);
	for (;;) {
		if (p->ring.len) {
			ret = pipe_ring_read(&p->ring, buf, (u32)MIN(n, (size_t)p->ring.len));
			pipe_trim(p);
			wake |= WAKE_WRITERS;
			break;
		}
		ret = 0;
		if (!p->writers)
			break;
		ret = -EAGAIN;
		if (READ_ONCE(f->flags) & O_NONBLOCK)
			break;
		ret = pipe_wait(p, &p->rd_wait, &wake);
		if (ret)
			break;
	}
	pipe_unlock_wake(p, wake);
	return ret;
}

static void pipe_touch_mtime(struct file *f)
{
	struct timespec64 now;

	if (mnt_is_readonly(f->path.mnt))
		return;
	now = vfs_now();
	inode_lock(f->inode);
	f->inode->mtime = f->inode->ctime = now;
	inode_unlock(f->inode);
}

/* Up to PIPE_BUF bytes go in whole or not at all, waiting for room for
 * all of them; a larger write takes whatever room there is, and may be
 * split and interleaved with other writers. No reader: SIGPIPE and EPIPE. */
static long pipe_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	struct pipe *p = f->private;
	const u8 *src = buf;
	bool atomic = n <= PIPE_BUF;
	unsigned wake = 0;
	size_t done = 0;
	long err = 0;

	(void)pos;
	if (!n)
		return 0;
	mutex_lock(&p->lock);
	for (;;) {
		u32 room, want, got;

		if (!p->readers) {
			signal_raise_sigpipe();
			err = -EPIPE;
			break;
		}
		room = pipe_ring_room(&p->ring);
		if (room && (!atomic || room >= n)) {
			want = (u32)MIN((size_t)room, n - done);
			got = pipe_prepare(p, want);
			if (atomic && got < want)
				got = 0;	/* all or nothing */
			err = -ENOMEM;
			if (!got)
				break;
			pipe_ring_write(&p->ring, src + done, got);
			done += got;
			wake |= WAKE_READERS;
			if (done == n || got < want)
				break;
			continue;
		}
		err = -EAGAIN;
		if (READ_ONCE(f->flags) & O_NONBLOCK)
			break;
		err = pipe_wait(p, &p->wr_wait, &wake);
		if (err)
			break;
	}
	pipe_unlock_wake(p, wake);
	if (!done)
		return err;
	pipe_touch_mtime(f);
	return (long)done;
}

/* ---- Opening and closing ----------------------------------------------------------------- */

/* open() of a FIFO: meet the other side. O_RDONLY waits for a writer
 * unless O_NONBLOCK; O_WRONLY waits for a reader, and with O_NONBLOCK
 * fails with ENXIO if there is none; O_RDWR is both ends and never waits
 * (Linux; POSIX leaves it undefined). */
static int fifo_open(struct inode *inode, struct file *f)
{
	bool nonblock = f->flags & O_NONBLOCK;
	unsigned wake = 0;
	struct pipe *p;
	u32 seen;
	int err;

	if (!(f->mode & (FMODE_READ | FMODE_WRITE)))
		return -EINVAL;		/* access mode 3 */
	err = pipe_attach(inode, &p);
	if (err)
		return err;
	f->private = p;
	mutex_lock(&p->lock);
	switch (f->mode & (FMODE_READ | FMODE_WRITE)) {
	case FMODE_READ:
		p->readers++;
		p->r_counter++;
		wake |= WAKE_WRITERS;	/* writers waiting in open */
		if (!p->writers && !nonblock) {
			seen = p->w_counter;
			while (!err && p->w_counter == seen)
				err = pipe_wait(p, &p->rd_wait, &wake);
		}
		if (err && !--p->readers)
			wake |= WAKE_WRITERS;
		break;
	case FMODE_WRITE:
		if (!p->readers && nonblock) {
			err = -ENXIO;
			break;
		}
		p->writers++;
		p->w_counter++;
		wake |= WAKE_READERS;	/* readers waiting in open */
		if (!p->readers) {
			seen = p->r_counter;
			while (!err && p->r_counter == seen)
				err = pipe_wait(p, &p->wr_wait, &wake);
		}
		if (err && !--p->writers)
			wake |= WAKE_READERS;
		break;
	default:
		p->readers++;
		p->writers++;
		p->r_counter++;
		p->w_counter++;
		wake |= WAKE_READERS | WAKE_WRITERS;
		break;
	}
	pipe_unlock_wake(p, wake);
	if (err)
		pipe_detach(inode, p);
	return err;
}

/* The last reader gone wakes writers (to EPIPE); the last writer gone
 * wakes readers (to end of file). */
static void pipe_release(struct inode *inode, struct file *f)
{
	struct pipe *p = f->private;
	unsigned wake = 0;

	mutex_lock(&p->lock);
	if ((f->mode & FMODE_READ) && !--p->readers)
		wake |= WAKE_WRITERS;
	if ((f->mode & FMODE_WRITE) && !--p->writers)
		wake |= WAKE_READERS;
	pipe_unlock_wake(p, wake);
	pipe_detach(inode, p);
}

/* The same operations serve both kinds; open is only reached for FIFOs
 * (pipe_create makes its files itself). No llseek: files without
 * FMODE_LSEEK get ESPIPE from the VFS. */
const struct file_ops pipe_fops = {
	.open = fifo_open,
	.release = pipe_release,
	.read = pipe_read,
	.write = pipe_write,
};

/* ---- Anonymous pipes ---------------------------------------------------------------------- */

static void pipe_end_init(struct file *f, struct pipe *p, u32 fmode, u32 oflags)
{
	f->mode = fmode;
	f->flags = oflags;
	f->f_op = &pipe_fops;
	f->private = p;
}

int pipe_create(const struct cred *c, u32 flags, struct file **rd, struct file **wr)
{
	struct file *r = NULL, *w = NULL;
	struct inode *inode;
	struct dentry *d;
	struct pipe *p;
	char name[32];

	if (flags & ~(u32)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	inode = pipefs_new_inode(S_IFIFO | 0600);
	if (!inode)
		goto free_pipe;
	inode->uid = c->fsuid;
	inode->gid = c->fsgid;
	/* the name /proc/<pid>/fd/<n> will show, as Linux */
	ksnprintf(name, sizeof(name), "pipe:[%llu]", (unsigned long long)inode->ino);
	d = d_alloc(pipefs_sb->root, name, (u32)strlen(name));
	if (!d) {
		inode_set_nlink(inode, 0);
		inode_put(inode);
		goto free_pipe;
	}
	d_instantiate(d, inode);	/* unhashed: dies with its last reference */
	r = file_alloc(&(struct path){ pipefs_mnt, d }, c);
	w = file_alloc(&(struct path){ pipefs_mnt, d }, c);
	if (!r || !w) {
		file_put(r);	/* no f_op yet: nothing to release */
		file_put(w);
		inode_set_nlink(inode, 0);
		dput(d);
		goto free_pipe;
	}
	inode->i_pipe = p;	/* nobody else can see the inode yet */
	p->files = 2;
	p->readers = p->writers = 1;
	p->r_counter = p->w_counter = 1;
	pipe_end_init(r, p, FMODE_READ, O_RDONLY | (flags & O_NONBLOCK));
	pipe_end_init(w, p, FMODE_WRITE, O_WRONLY | (flags & O_NONBLOCK));
	dput(d);		/* the files hold their own references */
	*rd = r;
	*wr = w;
	return 0;
free_pipe:
	pipe_free(p);
	return -ENOMEM;
}

int pipe_fds(struct fd_table *t, const struct cred *c, u32 flags, int fds[2])
{
	struct file *r, *w;
	int fr, fw, err;

	err = pipe_create(c, flags, &r, &w);
	if (err)
		return err;
	fr = fd_install(t, r, flags & O_CLOEXEC);
	if (fr < 0) {
		file_put(r);
		file_put(w);
		return fr;
	}
	fw = fd_install(t, w, flags & O_CLOEXEC);
	if (fw < 0) {
		fd_close(t, fr);
		file_put(w);
		return fw;
	}
	fds[0] = fr;
	fds[1] = fw;
	return 0;
}

bool file_is_pipe(const struct file *f)
{
	return f->f_op == &pipe_fops;
}

long pipe_nr_buffered(struct file *f)
{
	struct pipe *p;
	long n;

	if (!file_is_pipe(f))
		return -EINVAL;
	p = f->private;
	mutex_lock(&p->lock);
	n = p->ring.len;
	mutex_unlock(&p->lock);
	return n;
}
