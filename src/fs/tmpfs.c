/* tmpfs: a filesystem in memory, the root filesystem by default. Regular
 * files keep their data in whole pages from the page allocator, in a radix
 * tree keyed by page index: holes read as zeros and cost nothing.
 * Directories keep their entries in two trees, by name (lookup) and by
 * position (readdir): each entry gets the next position number of its
 * directory when it is added and keeps it, so a readdir offset stays valid
 * whatever is unlinked meanwhile. A mount may cap its size (size=, in
 * pages of file data) and inode count (nr_inodes=); space comes back when
 * pages are truncated or the last link of an unopened file goes.
 *
 * Locking: a directory's trees and counters are under its inode lock; a
 * file's pages, size and blocks are under its inode lock; the mount's
 * space and inode counters under tmpfs_sb.lock (a leaf). */
#include <umka/cmdline.h>
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/slab.h>
#include <umka/string.h>

#include "vfs_internal.h"

#define TMPFS_MAGIC 0x01021994
#define BOGO_DIRENT_SIZE 20	/* what a directory entry adds to a directory's size */

/* ---- Sparse page map ------------------------------------------------------------------- */

#define RADIX_SHIFT 6
#define RADIX_SLOTS (1u << RADIX_SHIFT)
#define RADIX_MASK ((u64)RADIX_SLOTS - 1)
#define RADIX_MAX_HEIGHT 10	/* 60 bits of page index: far past any file size */

struct radix_node {
	void *slot[RADIX_SLOTS];
};

struct radix {
	void *root;		/* a node, or NULL when empty */
	unsigned height;	/* levels of nodes; items hang below level 1 */
};

/* Items one slot covers at height h. */
static u64 radix_span(unsigned h)
{
	return 1ULL << (RADIX_SHIFT * (h - 1));
}

static u64 radix_max_index(unsigned h)
{
	return h ? (1ULL << (RADIX_SHIFT * h)) - 1 : 0;
}

static void *radix_lookup(const struct radix *r, u64 idx)
{
	void *n = r->root;

	if (!n || idx > radix_max_index(r->height))
		return NULL;
	for (unsigned h = r->height; h > 0 && n; h--)
		n = ((struct radix_node *)n)->slot[(idx >> (RADIX_SHIFT * (h - 1))) & RADIX_MASK];
	return n;
}

static int radix_insert(struct radix *r, u64 idx, void *item)
{
	void **slot;

	if (!r->root) {
		r->height = 1;
		while (idx > radix_max_index(r->height))
			r->height++;
	}
	while (idx > radix_max_index(r->height)) {
		struct radix_node *top = kzalloc(sizeof(*top), 0);

		if (!top)
			return -ENOMEM;
		top->slot[0] = r->root;
		r->root = top;
		r->height++;
	}
	slot = &r->root;
	for (unsigned h = r->height; h > 0; h--) {
		if (!*slot) {
			*slot = kzalloc(sizeof(struct radix_node), 0);
			if (!*slot)
				return -ENOMEM;	/* empty nodes left behind are freed with the rest */
		}
		slot = &((struct radix_node *)*slot)->slot[(idx >> (RADIX_SHIFT * (h - 1))) &
							   RADIX_MASK];
	}
	*slot = item;
	return 0;
}

/* Remove every item with index >= from, calling fn on each; free nodes
 * left empty. Returns true if the node at *slot is gone. */
static bool radix_trunc_node(void **slot, unsigned h, u64 base, u64 from,
			     void (*fn)(void *item, void *arg), void *arg)
{
	struct radix_node *node = *slot;
	u64 span = radix_span(h);
	bool empty = true;

	if (!node)
		return true;
	for (unsigned i = 0; i < RADIX_SLOTS; i++) {
		u64 lo = base + i * span, hi = lo + span - 1;

		if (!node->slot[i])
			continue;
		if (hi < from) {
			empty = false;
			continue;
		}
		if (h == 1) {
			fn(node->slot[i], arg);
			node->slot[i] = NULL;
		} else if (!radix_trunc_node(&node->slot[i], h - 1, lo, MAX(from, lo), fn, arg)) {
			empty = false;
		}
	}
	if (empty) {
		kfree(node);
		*slot = NULL;
	}
	return empty;
}

static void radix_truncate(struct radix *r, u64 from, void (*fn)(void *item, void *arg),
			   void *arg)
{
	if (!r->root || from > radix_max_index(r->height))
		return;
	if (radix_trunc_node(&r->root, r->height, 0, from, fn, arg))
		r->height = 0;
}

/* The smallest present index >= from. */
static bool radix_next_node(const struct radix_node *node, unsigned h, u64 base, u64 from,
			    u64 *out)
{
	u64 span = radix_span(h);
	unsigned i = from > base ? (unsigned)((from - base) / span) : 0;

	for (; i < RADIX_SLOTS; i++) {
		u64 lo = base + i * span;

		if (!node->slot[i])
			continue;
		if (h == 1) {
			*out = lo;
			return true;
		}
		if (radix_next_node(node->slot[i], h - 1, lo, MAX(from, lo), out))
			return true;
	}
	return false;
}

static bool radix_next(const struct radix *r, u64 from, u64 *out)
{
	if (!r->root || from > radix_max_index(r->height))
		return false;
	return radix_next_node(r->root, r->height, 0, from, out);
}

/* ---- Super block and inodes ---------------------------------------------------------------- */

struct tmpfs_sb {
	struct spinlock lock;
	u64 max_pages, used_pages;	/* under lock; max 0 = no limit */
	u64 max_inodes, nr_inodes;	/* under lock; max 0 = no limit */
	u64 next_ino;			/* under lock */
	u32 root_mode, root_uid, root_gid;	/* mount options, constant */
};

struct tmpfs_dirent {
	struct rb_node by_name;
	struct rb_node by_pos;
	u64 pos;
	struct inode *inode;	/* alive while linked: nlink > 0 */
	u32 hash;
	u32 len;
	char name[];
};

struct tmpfs_inode {
	struct inode vfs;
	union {
		struct {
			struct rb_root names;	/* by (hash, len, bytes) */
			struct rb_root by_pos;
			u64 next_pos;
			u64 nr_entries;
		} dir;
		struct {
			struct radix pages;
			u64 nr_pages;
		} file;
		char *target;		/* symlink */
	};
};

static const struct inode_ops tmpfs_dir_iops, tmpfs_file_iops, tmpfs_link_iops,
	tmpfs_special_iops;
static const struct file_ops tmpfs_dir_fops, tmpfs_file_fops;

static struct tmpfs_inode *TI(struct inode *inode)
{
	return container_of(inode, struct tmpfs_inode, vfs);
}

static struct tmpfs_sb *TSB(struct super_block *sb)
{
	return sb->fs_info;
}

static bool charge_pages(struct tmpfs_sb *s, u64 n)
{
	bool ok;

	spin_lock(&s->lock);
	ok = !s->max_pages || s->used_pages + n <= s->max_pages;
	if (ok)
		s->used_pages += n;
	spin_unlock(&s->lock);
	return ok;
}

static void uncharge_pages(struct tmpfs_sb *s, u64 n)
{
	spin_lock(&s->lock);
	BUG_ON(s->used_pages < n);
	s->used_pages -= n;
	spin_unlock(&s->lock);
}

static struct inode *tmpfs_alloc_inode(struct super_block *sb)
{
	struct tmpfs_inode *ti = kzalloc(sizeof(*ti), 0);

	return ti ? &ti->vfs : NULL;
}

static void tmpfs_free_inode(struct inode *inode)
{
	kfree(TI(inode));
}

struct free_pages_arg {
	u64 freed;
};

static void free_data_page(void *page, void *arg)
{
	page_free_virt(page, 0);
	((struct free_pages_arg *)arg)->freed++;
}

/* Drop pages from index `from` on; the inode is locked or unreachable. */
static void file_drop_pages(struct inode *inode, u64 from)
{
	struct tmpfs_inode *ti = TI(inode);
	struct free_pages_arg fa = { 0 };

	radix_truncate(&ti->file.pages, from, free_data_page, &fa);
	if (fa.freed) {
		ti->file.nr_pages -= fa.freed;
		inode->blocks = ti->file.nr_pages * (PAGE_SIZE / 512);
		uncharge_pages(TSB(inode->sb), fa.freed);
	}
}

static void tmpfs_evict_inode(struct inode *inode)
{
	struct tmpfs_inode *ti = TI(inode);
	struct tmpfs_sb *s = TSB(inode->sb);

	switch (inode->mode & S_IFMT) {
	case S_IFREG:
		file_drop_pages(inode, 0);
		break;
	case S_IFDIR: {
		/* only when the whole fs goes: the entries' inodes go too */
		struct rb_node *n;

		while ((n = rb_first(&ti->dir.by_pos))) {
			struct tmpfs_dirent *de = rb_entry(n, struct tmpfs_dirent, by_pos);

			rb_erase(&ti->dir.by_pos, n, NULL);
			kfree(de);
		}
		break;
	}
	case S_IFLNK:
		kfree(ti->target);
		break;
	}
	spin_lock(&s->lock);
	s->nr_inodes--;
	spin_unlock(&s->lock);
}

static struct inode *tmpfs_new_inode(struct super_block *sb, const struct inode_attrs *a)
{
	struct tmpfs_sb *s = TSB(sb);
	struct tmpfs_inode *ti;
	struct inode *inode;
	u64 ino;

	spin_lock(&s->lock);
	if (s->max_inodes && s->nr_inodes >= s->max_inodes) {
		spin_unlock(&s->lock);
		return ERR_PTR(-ENOSPC);
	}
	s->nr_inodes++;
	ino = s->next_ino++;
	spin_unlock(&s->lock);
	inode = tmpfs_alloc_inode(sb);
	if (!inode) {
		spin_lock(&s->lock);
		s->nr_inodes--;
		spin_unlock(&s->lock);
		return ERR_PTR(-ENOMEM);
	}
	ti = TI(inode);
	inode_init(inode, sb, ino, a->mode);
	inode->uid = a->uid;
	inode->gid = a->gid;
	switch (a->mode & S_IFMT) {
	case S_IFDIR:
		inode->i_op = &tmpfs_dir_iops;
		inode->i_fop = &tmpfs_dir_fops;
		inode->nlink = 2;
		inode->size = 2 * BOGO_DIRENT_SIZE;
		ti->dir.names = RB_ROOT;
		ti->dir.by_pos = RB_ROOT;
		ti->dir.next_pos = 2;	/* 0 and 1 are "." and ".." */
		break;
	case S_IFREG:
		inode->i_op = &tmpfs_file_iops;
		inode->i_fop = &tmpfs_file_fops;
		break;
	case S_IFLNK:
		inode->i_op = &tmpfs_link_iops;
		break;
	default:
		inode->i_op = &tmpfs_special_iops;
		inode->rdev = a->rdev;
		break;
	}
	return inode;
}

/* Undo tmpfs_new_inode before the inode was linked anywhere. */
static void tmpfs_discard_inode(struct inode *inode)
{
	inode_set_nlink(inode, 0);
	inode_put(inode);
}

/* ---- Directory entries ----------------------------------------------------------------------- */

static int dirent_cmp(u32 hash, u32 len, const char *name, const struct tmpfs_dirent *de)
{
	if (hash != de->hash)
		return hash < de->hash ? -1 : 1;
	if (len != de->len)
		return len < de->len ? -1 : 1;
	return memcmp(name, de->name, len);
}

static struct tmpfs_dirent *dir_find(struct inode *dir, const struct dname *n)
{
	struct rb_node *node = TI(dir)->dir.names.node;

	while (node) {
		struct tmpfs_dirent *de = rb_entry(node, struct tmpfs_dirent, by_name);
		int c = dirent_cmp(n->hash, n->len, n->name, de);

		if (!c)
			return de;
		node = c < 0 ? node->left : node->right;
	}
	return NULL;
}

static struct tmpfs_dirent *dirent_alloc(const struct dname *n, struct inode *inode)
{
	struct tmpfs_dirent *de = kmalloc(sizeof(*de) + n->len + 1, 0);

	if (!de)
		return NULL;
	de->hash = n->hash;
	de->len = n->len;
	memcpy(de->name, n->name, n->len);
	de->name[n->len] = 0;
	de->inode = inode;
	return de;
}

static bool by_pos_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct tmpfs_dirent, by_pos)->pos <
	       rb_entry(b, struct tmpfs_dirent, by_pos)->pos;
}

static bool by_name_less(const struct rb_node *a, const struct rb_node *b)
{
	const struct tmpfs_dirent *x = rb_entry(a, struct tmpfs_dirent, by_name);

	return dirent_cmp(x->hash, x->len, x->name,
			  rb_entry(b, struct tmpfs_dirent, by_name)) < 0;
}

static void dir_touch(struct inode *dir)
{
	dir->mtime = dir->ctime = vfs_now();
}

static void dir_insert(struct inode *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_inode *ti = TI(dir);

	de->pos = ti->dir.next_pos++;
	rb_add(&de->by_name, &ti->dir.names, by_name_less, NULL);
	rb_add(&de->by_pos, &ti->dir.by_pos, by_pos_less, NULL);
	ti->dir.nr_entries++;
	dir->size += BOGO_DIRENT_SIZE;
	dir_touch(dir);
}

static void dir_remove(struct inode *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_inode *ti = TI(dir);

	rb_erase(&ti->dir.names, &de->by_name, NULL);
	rb_erase(&ti->dir.by_pos, &de->by_pos, NULL);
	ti->dir.nr_entries--;
	dir->size -= BOGO_DIRENT_SIZE;
	dir_touch(dir);
}

/* ---- Inode operations ---------------------------------------------------------------------- */

static int tmpfs_lookup(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *de;

	if (d->name.len > NAME_MAX)
		return -ENAMETOOLONG;
	de = dir_find(dir, &d->name);
	if (de)
		inode_get(de->inode);	/* linked under the locked dir: alive */
	d_add(d, de ? de->inode : NULL);
	return 0;
}

static int tmpfs_create(struct inode *dir, struct dentry *d, const struct inode_attrs *a)
{
	struct inode *inode = tmpfs_new_inode(dir->sb, a);
	struct tmpfs_dirent *de;

	if (IS_ERR(inode))
		return (int)PTR_ERR(inode);
	if (S_ISLNK(a->mode)) {
		size_t len = strlen(a->link);

		TI(inode)->target = kmalloc(len + 1, 0);
		if (!TI(inode)->target) {
			tmpfs_discard_inode(inode);
			return -ENOMEM;
		}
		memcpy(TI(inode)->target, a->link, len + 1);
		inode->size = len;
	}
	de = dirent_alloc(&d->name, inode);
	if (!de) {
		tmpfs_discard_inode(inode);
		return -ENOMEM;
	}
	dir_insert(dir, de);
	if (S_ISDIR(a->mode))
		inode_inc_nlink(dir);	/* the child's ".." */
	d_instantiate(d, inode);	/* the new inode's reference goes to d */
	return 0;
}

static int tmpfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct inode *inode = old->inode;
	struct tmpfs_dirent *de = dirent_alloc(&d->name, inode);

	if (!de)
		return -ENOMEM;
	dir_insert(dir, de);
	inode_inc_nlink(inode);
	inode->ctime = vfs_now();
	inode_get(inode);
	d_instantiate(d, inode);
	return 0;
}

static int tmpfs_unlink(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *de = dir_find(dir, &d->name);
	struct inode *inode = d->inode;

	if (!de || de->inode != inode)
		return -ENOENT;
	dir_remove(dir, de);
	kfree(de);
	inode->ctime = dir->mtime;
	inode_dec_nlink(inode);
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, struct dentry *d)
{
	struct inode *inode = d->inode;
	struct tmpfs_dirent *de = dir_find(dir, &d->name);

	if (!de || de->inode != inode)
		return -ENOENT;
	if (TI(inode)->dir.nr_entries)
		return -ENOTEMPTY;
	dir_remove(dir, de);
	kfree(de);
	inode->ctime = dir->mtime;
	inode_set_nlink(inode, 0);
	inode_dec_nlink(dir);
	return 0;
}

static int tmpfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
			struct dentry *nd, unsigned flags)
{
	struct inode *src = od->inode, *tgt = nd->inode;
	struct tmpfs_dirent *ode = dir_find(odir, &od->name);
	struct tmpfs_dirent *nde = dir_find(ndir, &nd->name);
	bool src_dir = S_ISDIR(src->mode), tgt_dir = tgt && S_ISDIR(tgt->mode);
	struct timespec64 now = vfs_now();

	if (!ode || ode->inode != src || (tgt && (!nde || nde->inode != tgt)))
		return -ENOENT;
	if (flags & RENAME_EXCHANGE) {
		ode->inode = tgt;
		nde->inode = src;
		if (odir != ndir && src_dir != tgt_dir) {
			/* one directory changes parent: move its ".." link */
			if (src_dir) {
				inode_dec_nlink(odir);
				inode_inc_nlink(ndir);
			} else {
				inode_inc_nlink(odir);
				inode_dec_nlink(ndir);
			}
		}
		src->ctime = tgt->ctime = now;
		odir->mtime = odir->ctime = ndir->mtime = ndir->ctime = now;
		return 0;
	}
	if (tgt_dir && TI(tgt)->dir.nr_entries)
		return -ENOTEMPTY;
	if (!tgt) {
		nde = dirent_alloc(&nd->name, src);
		if (!nde)
			return -ENOMEM;
		dir_insert(ndir, nde);
	} else {
		nde->inode = src;	/* the entry keeps its position */
		if (tgt_dir) {
			inode_set_nlink(tgt, 0);
			inode_dec_nlink(ndir);
		} else {
			inode_dec_nlink(tgt);
		}
		tgt->ctime = now;
	}
	dir_remove(odir, ode);
	kfree(ode);
	if (src_dir && odir != ndir) {
		inode_dec_nlink(odir);
		inode_inc_nlink(ndir);
	}
	src->ctime = now;
	odir->mtime = odir->ctime = ndir->mtime = ndir->ctime = now;
	return 0;
}

/* Change the size: pages past the end go, and the tail of the last
 * partial page is zeroed so a later extension reads zeros. */
static void file_resize(struct inode *inode, u64 size)
{
	u64 keep = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;

	if (size < inode->size) {
		char *last;

		file_drop_pages(inode, keep);
		last = (size & (PAGE_SIZE - 1)) ? radix_lookup(&TI(inode)->file.pages,
							       size >> PAGE_SHIFT) : NULL;
		if (last)
			memset(last + (size & (PAGE_SIZE - 1)), 0,
			       PAGE_SIZE - (size & (PAGE_SIZE - 1)));
	}
	inode->size = size;
}

static int tmpfs_setattr(struct inode *inode, const struct iattr *a)
{
	if (a->valid & ATTR_SIZE) {
		if (!S_ISREG(inode->mode))
			return -EINVAL;
		file_resize(inode, a->size);
	}
	setattr_copy(inode, a);
	return 0;
}

static const char *tmpfs_get_link(struct inode *inode)
{
	return TI(inode)->target;
}

static const struct inode_ops tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr,
};

static const struct inode_ops tmpfs_file_iops = { .setattr = tmpfs_setattr };
static const struct inode_ops tmpfs_link_iops = { .setattr = tmpfs_setattr,
						  .get_link = tmpfs_get_link };
static const struct inode_ops tmpfs_special_iops = { .setattr = tmpfs_setattr };

/* ---- Regular files ------------------------------------------------------------------------- */

static long tmpfs_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct inode *inode = f->inode;
	struct tmpfs_inode *ti = TI(inode);
	size_t done = 0;

	inode_lock(inode);
	if (*pos >= inode->size) {
		inode_unlock(inode);
		return 0;
	}
	n = (size_t)MIN((u64)n, inode->size - *pos);
	while (done < n) {
		u64 at = *pos + done;
		size_t off = at & (PAGE_SIZE - 1), chunk = MIN(PAGE_SIZE - off, n - done);
		char *page = radix_lookup(&ti->file.pages, at >> PAGE_SHIFT);

		if (page)
			memcpy((char *)buf + done, page + off, chunk);
		else
			memset((char *)buf + done, 0, chunk);	/* a hole */
		done += chunk;
	}
	inode_unlock(inode);
	*pos += done;
	return (long)done;
}

static long tmpfs_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	struct inode *inode = f->inode;
	struct tmpfs_inode *ti = TI(inode);
	struct tmpfs_sb *s = TSB(inode->sb);
	u64 max = inode->sb->max_bytes;
	size_t done = 0;
	long err = 0;

	inode_lock(inode);
	if (f->flags & O_APPEND)
		*pos = inode->size;
	if (n && *pos >= max) {
		inode_unlock(inode);
		return -EFBIG;
	}
	n = (size_t)MIN((u64)n, max - *pos);
	if (n)
		inode_kill_suid(inode, f->cred);
	while (done < n) {
		u64 at = *pos + done, idx = at >> PAGE_SHIFT;
		size_t off = at & (PAGE_SIZE - 1), chunk = MIN(PAGE_SIZE - off, n - done);
		char *page = radix_lookup(&ti->file.pages, idx);

		if (!page) {
			if (!charge_pages(s, 1)) {
				err = -ENOSPC;
				break;
			}
			page = page_alloc_virt(0, GFP_ZERO);
			if (!page || radix_insert(&ti->file.pages, idx, page)) {
				page_free_virt(page, 0);
				uncharge_pages(s, 1);
				err = -ENOMEM;
				break;
			}
			ti->file.nr_pages++;
			inode->blocks = ti->file.nr_pages * (PAGE_SIZE / 512);
		}
		memcpy(page + off, (const char *)buf + done, chunk);
		done += chunk;
	}
	if (done) {
		if (*pos + done > inode->size)
			inode->size = *pos + done;
		inode->mtime = inode->ctime = vfs_now();
	}
	inode_unlock(inode);
	*pos += done;
	return done ? (long)done : err;
}

static s64 tmpfs_file_llseek(struct file *f, s64 off, int whence)
{
	struct inode *inode = f->inode;
	struct tmpfs_inode *ti = TI(inode);
	s64 size, np;
	u64 idx;

	inode_lock(inode);
	size = (s64)inode->size;
	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		inode_unlock(inode);
		return vfs_llseek_generic(f, off, whence, size);
	}
	if (off < 0 || off >= size) {
		inode_unlock(inode);
		return -ENXIO;
	}
	idx = (u64)off >> PAGE_SHIFT;
	if (whence == SEEK_DATA) {
		u64 found;

		np = radix_next(&ti->file.pages, idx, &found) ? MAX(off, (s64)(found << PAGE_SHIFT))
							      : size;
		if (np >= size) {
			inode_unlock(inode);
			return -ENXIO;
		}
	} else {
		while (radix_lookup(&ti->file.pages, idx))
			idx++;
		np = MIN(MAX(off, (s64)(idx << PAGE_SHIFT)), size);
	}
	inode_unlock(inode);
	f->pos = (u64)np;
	return np;
}

static int tmpfs_fsync(struct file *f, bool datasync)
{
	return 0;	/* memory is the backing store */
}

static const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_file_llseek,
	.fsync = tmpfs_fsync,
};

/* ---- Directories as files ------------------------------------------------------------------- */

static int tmpfs_iterate(struct file *f, struct dir_context *ctx)
{
	struct tmpfs_inode *ti = TI(f->inode);
	struct rb_node *n = ti->dir.by_pos.node, *first = NULL;

	if (!dir_emit_dots(f, ctx))
		return 0;
	while (n) {	/* the first entry at or after ctx->pos */
		struct tmpfs_dirent *de = rb_entry(n, struct tmpfs_dirent, by_pos);

		if (de->pos >= ctx->pos) {
			first = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	for (n = first; n; n = rb_next(n)) {
		struct tmpfs_dirent *de = rb_entry(n, struct tmpfs_dirent, by_pos);

		if (!ctx->emit(ctx, de->name, de->len, de->inode->ino, dt_type(de->inode->mode),
			       de->pos + 1))
			break;
		ctx->pos = de->pos + 1;
	}
	return 0;
}

static const struct file_ops tmpfs_dir_fops = {
	.iterate = tmpfs_iterate,
	.llseek = vfs_llseek_dir,
	.fsync = tmpfs_fsync,
};

/* ---- Mounting --------------------------------------------------------------------------------- */

static int tmpfs_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	struct tmpfs_sb *s = TSB(sb);

	spin_lock(&s->lock);
	st->magic = TMPFS_MAGIC;
	st->bsize = PAGE_SIZE;
	st->blocks = s->max_pages;
	st->bfree = st->bavail = s->max_pages ? s->max_pages - s->used_pages : 0;
	st->files = s->max_inodes;
	st->ffree = s->max_inodes ? s->max_inodes - s->nr_inodes : 0;
	st->namelen = NAME_MAX;
	spin_unlock(&s->lock);
	return 0;
}

static void tmpfs_put_super(struct super_block *sb)
{
	kfree(sb->fs_info);
	sb->fs_info = NULL;
}

static const struct super_ops tmpfs_sops = {
	.alloc_inode = tmpfs_alloc_inode,
	.evict_inode = tmpfs_evict_inode,
	.free_inode = tmpfs_free_inode,
	.statfs = tmpfs_statfs,
	.put_super = tmpfs_put_super,
};

static int parse_octal(const char *s, size_t len, u32 *out)
{
	u32 v = 0;

	if (!len || len > 11)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -EINVAL;
		v = v * 8 + (u32)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static u64 total_ram_pages(void)
{
	struct mm_stats st;

	mm_get_stats(&st);
	return st.total_pages;
}

/* "size=16M,nr_inodes=1000,mode=1777,uid=0,gid=0"; size may be N% of RAM. */
static int tmpfs_parse_options(struct tmpfs_sb *s, const char *opts)
{
	while (opts && *opts) {
		const char *end = strchr(opts, ',');
		size_t len = end ? (size_t)(end - opts) : strlen(opts), klen, vlen;
		const char *val;
		u64 v;
		u32 o;

		for (klen = 0; klen < len && opts[klen] != '='; klen++)
			;
		if (klen == len)
			return -EINVAL;
		val = opts + klen + 1;
		vlen = len - klen - 1;
		if (klen == 4 && !memcmp(opts, "size", 4)) {
			if (vlen > 1 && val[vlen - 1] == '%') {
				if (kstrtou64(val, vlen - 1, &v) || v > 100)
					return -EINVAL;
				s->max_pages = total_ram_pages() * v / 100;
			} else {
				if (cmdline_parse_size(val, vlen, &v))
					return -EINVAL;
				s->max_pages = (v + PAGE_SIZE - 1) >> PAGE_SHIFT;
			}
		} else if (klen == 9 && !memcmp(opts, "nr_inodes", 9)) {
			if (cmdline_parse_size(val, vlen, &v))
				return -EINVAL;
			s->max_inodes = v;
		} else if (klen == 4 && !memcmp(opts, "mode", 4)) {
			if (parse_octal(val, vlen, &o) || o > 07777)
				return -EINVAL;
			s->root_mode = o;
		} else if (klen == 3 && !memcmp(opts, "uid", 3)) {
			if (kstrtou64(val, vlen, &v) || v > UINT32_MAX)
				return -EINVAL;
			s->root_uid = (u32)v;
		} else if (klen == 3 && !memcmp(opts, "gid", 3)) {
			if (kstrtou64(val, vlen, &v) || v > UINT32_MAX)
				return -EINVAL;
			s->root_gid = (u32)v;
		} else {
			return -EINVAL;
		}
		opts = end ? end + 1 : NULL;
	}
	return 0;
}

int tmpfs_make_sb(struct fs_type *t, const char *options, struct super_block **out)
{
	struct super_block *sb = sb_alloc(t, &tmpfs_sops);
	struct inode_attrs a = { 0 };
	struct tmpfs_sb *s;
	struct inode *root;
	int err;

	if (!sb)
		return -ENOMEM;
	s = kzalloc(sizeof(*s), 0);
	if (!s) {
		kfree(sb);
		return -ENOMEM;
	}
	spin_lock_init(&s->lock, "tmpfs_sb.lock", VFS_LEVEL_FS_LEAF);
	/* Linux's defaults: half of RAM, as many inodes as half its pages */
	s->max_pages = total_ram_pages() / 2;
	s->max_inodes = total_ram_pages() / 2;
	s->next_ino = 1;
	s->root_mode = 01777;
	sb->fs_info = s;
	sb->magic = TMPFS_MAGIC;
	err = tmpfs_parse_options(s, options);
	if (err)
		goto fail;
	a.mode = S_IFDIR | s->root_mode;
	a.uid = s->root_uid;
	a.gid = s->root_gid;
	root = tmpfs_new_inode(sb, &a);
	err = -ENOMEM;
	if (IS_ERR(root)) {
		err = (int)PTR_ERR(root);
		goto fail;
	}
	sb->root = d_make_root(root);
	if (!sb->root) {
		inode_put(root);	/* nlink 2 keeps it for the teardown below */
		goto fail;
	}
	*out = sb;
	return 0;
fail:
	sb_kill_generic(sb);
	return err;
}

static int tmpfs_get_sb(struct fs_type *t, const char *source, unsigned long flags,
			const char *options, struct super_block **out)
{
	return tmpfs_make_sb(t, options, out);
}

struct fs_type tmpfs_fs_type = {
	.name = "tmpfs",
	.get_sb = tmpfs_get_sb,
	.kill_sb = sb_kill_generic,
};
