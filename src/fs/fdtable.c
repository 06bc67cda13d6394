/* File descriptor tables (include/umka/fdtable.h). The arrays grow by
 * doubling: memory is allocated with the lock dropped, then swapped in if
 * the table is still too small. next_free is a lower bound of the lowest
 * free descriptor, so the common allocation is one probe. */
#include <umka/errno.h>
#include <umka/fdtable.h>
#include <umka/slab.h>
#include <umka/string.h>
#include <umka/vfs.h>

#define LONG_BITS (8 * sizeof(unsigned long))
#define FD_MIN_CAPACITY 64

static bool test_bit_(const unsigned long *map, unsigned n)
{
	return (map[n / LONG_BITS] >> (n % LONG_BITS)) & 1;
}

static void assign_bit_(unsigned long *map, unsigned n, bool v)
{
	unsigned long m = 1UL << (n % LONG_BITS);

	if (v)
		map[n / LONG_BITS] |= m;
	else
		map[n / LONG_BITS] &= ~m;
}

struct fd_table *fd_table_create(void)
{
	struct fd_table *t = kzalloc(sizeof(*t), 0);

	if (!t)
		return NULL;
	spin_lock_init(&t->lock, "fd_table.lock", VFS_LEVEL_FDTABLE);
	atomic_set(&t->refs, 1);
	t->limit = FD_LIMIT_DEFAULT;
	return t;
}

/* Make room for descriptor `want`. */
static int fd_expand(struct fd_table *t, unsigned want)
{
	unsigned cap = FD_MIN_CAPACITY, oldcap;
	struct file **files, **oldfiles;
	unsigned long *cloexec, *oldcloexec;

	while (cap <= want)
		cap *= 2;
	files = kzalloc(cap * sizeof(*files), 0);
	cloexec = kzalloc(cap / 8, 0);
	if (!files || !cloexec) {
		kfree(files);
		kfree(cloexec);
		return -ENOMEM;
	}
	spin_lock(&t->lock);
	oldcap = t->capacity;
	if (oldcap >= cap) {
		/* someone else grew it meanwhile */
		spin_unlock(&t->lock);
		kfree(files);
		kfree(cloexec);
		return 0;
	}
	oldfiles = t->files;
	oldcloexec = t->cloexec;
	if (oldcap) {
		memcpy(files, oldfiles, oldcap * sizeof(*files));
		memcpy(cloexec, oldcloexec, oldcap / 8);
	}
	t->files = files;
	t->cloexec = cloexec;
	t->capacity = cap;
	spin_unlock(&t->lock);
	kfree(oldfiles);
	kfree(oldcloexec);
	return 0;
}

/* Put f at fd (free, < capacity); lock held. */
static void fd_set_locked(struct fd_table *t, unsigned fd, struct file *f, bool cloexec)
{
	t->files[fd] = f;
	assign_bit_(t->cloexec, fd, cloexec);
	t->nr_open++;
	if (fd == t->next_free)
		t->next_free = fd + 1;
}

static int install(struct fd_table *t, struct file *f, unsigned min, bool cloexec,
		   int min_error)
{
	for (;;) {
		unsigned fd;
		int err;

		spin_lock(&t->lock);
		if (min >= t->limit) {
			spin_unlock(&t->lock);
			return min_error;
		}
		for (fd = MAX(min, t->next_free); fd < t->capacity && fd < t->limit; fd++) {
			if (!t->files[fd]) {
				fd_set_locked(t, fd, f, cloexec);
				spin_unlock(&t->lock);
				return (int)fd;
			}
		}
		if (fd >= t->limit) {
			spin_unlock(&t->lock);
			return -EMFILE;
		}
		spin_unlock(&t->lock);
		err = fd_expand(t, fd);
		if (err)
			return err;
	}
}

int fd_install(struct fd_table *t, struct file *f, unsigned flags)
{
	return install(t, f, 0, flags & O_CLOEXEC, -EMFILE);
}

int fd_install_min(struct fd_table *t, struct file *f, unsigned min, unsigned flags)
{
	return install(t, f, min, flags & O_CLOEXEC, -EINVAL);
}

struct file *fd_get(struct fd_table *t, int fd)
{
	struct file *f = NULL;

	if (fd < 0)
		return NULL;
	spin_lock(&t->lock);
	if ((unsigned)fd < t->capacity && t->files[fd])
		f = file_get(t->files[fd]);
	spin_unlock(&t->lock);
	return f;
}

int fd_close(struct fd_table *t, int fd)
{
	struct file *f = NULL;

	if (fd < 0)
		return -EBADF;
	spin_lock(&t->lock);
	if ((unsigned)fd < t->capacity && (f = t->files[fd])) {
		t->files[fd] = NULL;
		assign_bit_(t->cloexec, (unsigned)fd, false);
		t->nr_open--;
		if ((unsigned)fd < t->next_free)
			t->next_free = (unsigned)fd;
	}
	spin_unlock(&t->lock);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

int fd_dupfd(struct fd_table *t, int oldfd, unsigned min, bool cloexec)
{
	struct file *f = fd_get(t, oldfd);
	int r;

	if (!f)
		return -EBADF;
	r = install(t, f, min, cloexec, -EINVAL);
	if (r < 0)
		file_put(f);
	return r;
}

int fd_dup(struct fd_table *t, int oldfd)
{
	struct file *f = fd_get(t, oldfd);
	int r;

	if (!f)
		return -EBADF;
	r = install(t, f, 0, false, -EMFILE);
	if (r < 0)
		file_put(f);
	return r;
}

static int do_dup2(struct fd_table *t, int oldfd, int newfd, bool cloexec)
{
	struct file *f, *old;

	if (newfd < 0)
		return -EBADF;
	for (;;) {
		int err;

		spin_lock(&t->lock);
		if ((unsigned)newfd >= t->limit) {
			spin_unlock(&t->lock);
			return -EBADF;
		}
		if (oldfd < 0 || (unsigned)oldfd >= t->capacity || !(f = t->files[oldfd])) {
			spin_unlock(&t->lock);
			return -EBADF;
		}
		if ((unsigned)newfd < t->capacity)
			break;
		spin_unlock(&t->lock);
		err = fd_expand(t, (unsigned)newfd);
		if (err)
			return err;
	}
	file_get(f);
	old = t->files[newfd];
	if (old) {
		t->files[newfd] = f;	/* replaced in one step: no window with newfd free */
		assign_bit_(t->cloexec, (unsigned)newfd, cloexec);
	} else {
		fd_set_locked(t, (unsigned)newfd, f, cloexec);
	}
	spin_unlock(&t->lock);
	if (old)
		file_put(old);
	return newfd;
}

int fd_dup2(struct fd_table *t, int oldfd, int newfd)
{
	if (oldfd == newfd) {
		struct file *f = fd_get(t, oldfd);

		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup2(t, oldfd, newfd, false);
}

int fd_dup3(struct fd_table *t, int oldfd, int newfd, unsigned flags)
{
	if (flags & ~(unsigned)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return do_dup2(t, oldfd, newfd, flags & O_CLOEXEC);
}

int fd_get_flags(struct fd_table *t, int fd)
{
	int r = -EBADF;

	if (fd < 0)
		return r;
	spin_lock(&t->lock);
	if ((unsigned)fd < t->capacity && t->files[fd])
		r = test_bit_(t->cloexec, (unsigned)fd) ? FD_CLOEXEC : 0;
	spin_unlock(&t->lock);
	return r;
}

int fd_set_flags(struct fd_table *t, int fd, unsigned flags)
{
	int r = -EBADF;

	if (fd < 0)
		return r;
	spin_lock(&t->lock);
	if ((unsigned)fd < t->capacity && t->files[fd]) {
		assign_bit_(t->cloexec, (unsigned)fd, flags & FD_CLOEXEC);
		r = 0;
	}
	spin_unlock(&t->lock);
	return r;
}

void fd_close_on_exec(struct fd_table *t)
{
	unsigned fd = 0;

	for (;;) {
		struct file *f = NULL;

		spin_lock(&t->lock);
		for (; fd < t->capacity; fd++) {
			if (t->files[fd] && test_bit_(t->cloexec, fd)) {
				f = t->files[fd];
				t->files[fd] = NULL;
				assign_bit_(t->cloexec, fd, false);
				t->nr_open--;
				if (fd < t->next_free)
					t->next_free = fd;
				break;
			}
		}
		spin_unlock(&t->lock);
		if (!f)
			return;
		file_put(f);	/* never under the lock: release may sleep */
	}
}

int fd_set_limit(struct fd_table *t, unsigned limit)
{
	if (limit > FD_LIMIT_MAX)
		return -EINVAL;
	spin_lock(&t->lock);
	t->limit = limit;
	spin_unlock(&t->lock);
	return 0;
}

unsigned fd_count(struct fd_table *t)
{
	unsigned n;

	spin_lock(&t->lock);
	n = t->nr_open;
	spin_unlock(&t->lock);
	return n;
}

struct fd_table *fd_table_clone(struct fd_table *old)
{
	struct fd_table *t = fd_table_create();

	if (!t)
		return NULL;
	for (;;) {
		unsigned cap;

		spin_lock(&old->lock);
		cap = old->capacity;
		if (t->capacity >= cap) {
			for (unsigned fd = 0; fd < cap; fd++) {
				if (!old->files[fd])
					continue;
				t->files[fd] = file_get(old->files[fd]);
				assign_bit_(t->cloexec, fd, test_bit_(old->cloexec, fd));
			}
			t->nr_open = old->nr_open;
			t->next_free = old->next_free;
			t->limit = old->limit;
			spin_unlock(&old->lock);
			return t;
		}
		spin_unlock(&old->lock);
		if (fd_expand(t, cap - 1)) {
			fd_table_put(t);
			return NULL;
		}
	}
}

void fd_table_get(struct fd_table *t)
{
	atomic_inc_return(&t->refs);
}

void fd_table_put(struct fd_table *t)
{
	if (!t || atomic_dec_return(&t->refs))
		return;
	for (unsigned fd = 0; fd < t->capacity; fd++)
		if (t->files[fd])
			file_put(t->files[fd]);
	kfree(t->files);
	kfree(t->cloexec);
	kfree(t);
}

int fd_at_path(struct fd_table *t, const struct vfs_ctx *ctx, int dirfd, struct path *out)
{
	struct file *f;

	if (dirfd == AT_FDCWD) {
		spin_lock(&ctx->fs->lock);
		*out = ctx->fs->pwd;
		path_get(out);
		spin_unlock(&ctx->fs->lock);
		return 0;
	}
	f = fd_get(t, dirfd);
	if (!f)
		return -EBADF;
	*out = f->path;
	path_get(out);
	file_put(f);
	return 0;
}
