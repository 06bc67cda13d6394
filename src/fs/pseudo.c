/* The engine behind procfs and umkafs: directories listed by callbacks,
 * files generated into a buffer when opened, symlinks computed at lookup.
 * Inodes are made per lookup with no links, so the last reference frees
 * them; dentries are unhashed as soon as they are made, so each walk asks
 * the lister again and objects that have gone are ENOENT at once.
 * Everything is read-only, opens for writing and every change EACCES, but
 * for files whose type can store a value (umkafs's writable attributes). */
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/slab.h>
#include <umka/string.h>

#include "pseudo.h"

struct pseudo_inode {
	struct inode vfs;
	struct pseudo_node node;
	char *link;			/* symlinks: the target, kmalloc'd */
};

static struct pseudo_inode *PI(struct inode *inode)
{
	return container_of(inode, struct pseudo_inode, vfs);
}

/* ---- Buffers ------------------------------------------------------------------------------ */

void pbuf_write(struct pbuf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->overflow = true;
		n = b->cap - b->len;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

void pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* kvsnprintf writes a NUL: keep one spare byte past cap */
	n = kvsnprintf(b->data + b->len, b->cap + 1 - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n > b->cap) {
		b->overflow = true;
		b->len = b->cap;
	} else {
		b->len += (size_t)n;
	}
}

/* ---- Listings ---------------------------------------------------------------------------- */

struct pseudo_fill {
	struct pseudo_node *v;
	unsigned n, cap;
	bool overflow;
};

void pseudo_fill(struct pseudo_fill *pf, const struct pseudo_node *child)
{
	if (pf->n == pf->cap) {
		pf->overflow = true;
		return;
	}
	pf->v[pf->n++] = *child;
}

static void copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	n = MIN(n, (size_t)PSEUDO_NAME_LEN - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

void pseudo_fill_simple(struct pseudo_fill *pf, const struct pseudo_node *parent,
			const struct pseudo_type *t, const char *name)
{
	struct pseudo_node c;

	c.type = t;
	c.ptr = parent->ptr;
	c.key = parent->key;
	memcpy(c.obj, parent->obj, sizeof(c.obj));
	copy_name(c.name, name);
	pseudo_fill(pf, &c);
}

/* Every child of dir into a kmalloc'd array (*out, count returned), or a
 * negative errno. */
static long pseudo_list(const struct pseudo_node *dir, struct pseudo_node **out)
{
	struct pseudo_fill pf = { NULL, 0, 32, false };

	for (;;) {
		pf.v = kmalloc(pf.cap * sizeof(*pf.v), 0);
		if (!pf.v)
			return -ENOMEM;
		pf.n = 0;
		pf.overflow = false;
		dir->type->list(dir, &pf);
		if (!pf.overflow)
			break;
		kfree(pf.v);
		pf.cap *= 2;
	}
	*out = pf.v;
	return pf.n;
}

static u64 node_ino(const struct pseudo_node *n)
{
	u64 h = 1469598103934665603ULL;	/* FNV-1a over what identifies the node */
	const unsigned char *p;

	for (p = (const unsigned char *)n->obj; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ '/') * 1099511628211ULL;
	for (p = (const unsigned char *)n->name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h ^= n->key * 0x9e3779b97f4a7c15ULL;
	h ^= (u64)(uintptr_t)n->type;
	return (h & 0x7fffffffffffULL) | 2;	/* never 0, never the root's 1 */
}

/* ---- Inodes ------------------------------------------------------------------------------ */

static const struct inode_ops pseudo_iops;
static const struct file_ops pseudo_dir_fops, pseudo_file_fops;

static struct inode *pseudo_new_inode(struct super_block *sb, const struct pseudo_node *n,
				      u64 ino)
{
	struct pseudo_inode *pi = kzalloc(sizeof(*pi), 0);
	struct inode *inode;

	if (!pi)
		return NULL;
	pi->node = *n;
	inode = &pi->vfs;
	if (S_ISLNK(n->type->mode)) {
		pi->link = kmalloc(PATH_MAX, 0);
		if (!pi->link) {
			kfree(pi);
			return NULL;
		}
		pi->link[0] = 0;
		n->type->link(n, pi->link, PATH_MAX);
	}
	inode_init(inode, sb, ino, n->type->mode);
	inode->i_op = &pseudo_iops;
	if (S_ISDIR(n->type->mode))
		inode->i_fop = &pseudo_dir_fops;
	else if (S_ISREG(n->type->mode))
		inode->i_fop = &pseudo_file_fops;
	if (S_ISLNK(n->type->mode))
		inode->size = strlen(pi->link);
	return inode;
}

static int pseudo_lookup(struct inode *dir, struct dentry *d)
{
	struct pseudo_node *v;
	struct inode *inode = NULL;
	long n = pseudo_list(&PI(dir)->node, &v);

	if (n < 0)
		return (int)n;
	for (long i = 0; i < n; i++) {
		if (strlen(v[i].name) != d->name.len || memcmp(v[i].name, d->name.name, d->name.len))
			continue;
		inode = pseudo_new_inode(dir->sb, &v[i], node_ino(&v[i]));
		if (!inode) {
			kfree(v);
			return -ENOMEM;
		}
		break;
	}
	kfree(v);
	if (!inode)
		return -ENOENT;		/* nothing cached: it may appear later */
	/* No links: the last reference frees the inode. */
	inode_set_nlink(inode, 0);
	d_add(d, inode);
	d_drop(d);		/* and the next walk asks again */
	return 0;
}

static int pseudo_create(struct inode *dir, struct dentry *d, const struct inode_attrs *a)
{
	return -EACCES;
}

static int pseudo_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	return -EACCES;
}

static int pseudo_unlink(struct inode *dir, struct dentry *d)
{
	return -EACCES;
}

static int pseudo_rename(struct inode *odir, struct dentry *od, struct inode *ndir,
			 struct dentry *nd, unsigned flags)
{
	return -EACCES;
}

/* Nothing is stored, so there is nothing to change, except that a
 * writable file takes the truncate of an open with O_TRUNC (what a shell's
 * `echo 1 > file` asks for) as the no-op it is. */
static int pseudo_setattr(struct inode *inode, const struct iattr *a)
{
	unsigned trunc = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME;

	if ((a->valid & ATTR_SIZE) && !(a->valid & ~trunc) && a->size == 0 &&
	    PI(inode)->node.type->store)
		return 0;
	return -EPERM;
}

static const char *pseudo_get_link(struct inode *inode)
{
	return PI(inode)->link ? PI(inode)->link : "";
}

static const struct inode_ops pseudo_iops = {
	.lookup = pseudo_lookup,
	.create = pseudo_create,
	.link = pseudo_link,
	.unlink = pseudo_unlink,
	.rmdir = pseudo_unlink,
	.rename = pseudo_rename,
	.setattr = pseudo_setattr,
	.get_link = pseudo_get_link,
};

/* ---- Files ------------------------------------------------------------------------------- */

static int pseudo_file_open(struct inode *inode, struct file *f)
{
	const struct pseudo_node *n = &PI(inode)->node;
	struct pbuf *b;
	size_t cap = 4096 - sizeof(*b) - 1;
	int err;

	if (f->mode & FMODE_WRITE) {
		if (!n->type->store)
			return -EACCES;
		if (!(f->mode & FMODE_READ)) {
			f->private = NULL;	/* nothing to read: show not run */
			return 0;
		}
	}
	for (;;) {
		b = kmalloc(sizeof(*b) + cap + 1, 0);
		if (!b)
			return -ENOMEM;
		b->data = (char *)(b + 1);
		b->len = 0;
		b->cap = cap;
		b->overflow = false;
		err = n->type->show(n, b);
		if (err < 0) {
			kfree(b);
			return err;
		}
		if (!b->overflow)
			break;
		kfree(b);
		if (cap > (64u << 20))
			return -ENOMEM;
		cap = cap * 2 + sizeof(*b) + 1;
	}
	f->private = b;
	return 0;
}

static void pseudo_file_release(struct inode *inode, struct file *f)
{
	kfree(f->private);
	f->private = NULL;
}

static long pseudo_file_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	const struct pbuf *b = f->private;

	if (!b)
		return -EBADF;	/* opened write-only */
	if (*pos >= b->len)
		return 0;
	n = MIN(n, (size_t)(b->len - *pos));
	memcpy(buf, b->data + *pos, n);
	*pos += n;
	return (long)n;
}

/* A value is one write at offset 0, as sysfs has it: a short write of a
 * number would otherwise apply its first digits. */
static long pseudo_file_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	const struct pseudo_node *node = &PI(f->inode)->node;
	char *val;
	int err;

	if (!node->type->store)
		return -EACCES;
	if (*pos != 0 || n >= PAGE_SIZE)
		return -EINVAL;
	val = kmalloc(n + 1, 0);
	if (!val)
		return -ENOMEM;
	memcpy(val, buf, n);
	val[n] = 0;
	if (n && val[n - 1] == '\n')
		val[n - 1] = 0;
	err = node->type->store(node, val);
	kfree(val);
	if (err)
		return err;
	*pos += n;
	return (long)n;
}

static s64 pseudo_file_llseek(struct file *f, s64 off, int whence)
{
	const struct pbuf *b = f->private;

	return vfs_llseek_generic(f, off, whence, b ? (s64)b->len : 0);
}

static const struct file_ops pseudo_file_fops = {
	.open = pseudo_file_open,
	.release = pseudo_file_release,
	.read = pseudo_file_read,
	.write = pseudo_file_write,
	.llseek = pseudo_file_llseek,
};

/* Entries are numbered by their place in the listing: positions 0 and 1
 * are "." and "..", entry i is position i + 2. */
static int pseudo_iterate(struct file *f, struct dir_context *ctx)
{
	struct pseudo_node *v;
	long n;

	if (!dir_emit_dots(f, ctx))
		return 0;
	n = pseudo_list(&PI(f->inode)->node, &v);
	if (n < 0)
		return (int)n;
	for (u64 i = ctx->pos - 2; i < (u64)n; i++) {
		if (!ctx->emit(ctx, v[i].name, (u32)strlen(v[i].name), node_ino(&v[i]),
			       dt_type(v[i].type->mode), i + 3))
			break;
		ctx->pos = i + 3;
	}
	kfree(v);
	return 0;
}

static const struct file_ops pseudo_dir_fops = {
	.iterate = pseudo_iterate,
};

/* ---- Super blocks ------------------------------------------------------------------------ */

static struct inode *pseudo_alloc_inode(struct super_block *sb)
{
	return NULL;	/* inodes are made by lookups only */
}

static void pseudo_free_inode(struct inode *inode)
{
	struct pseudo_inode *pi = PI(inode);

	kfree(pi->link);
	kfree(pi);
}

static int pseudo_statfs(struct super_block *sb, struct vfs_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->magic = sb->magic;
	st->bsize = 4096;
	st->namelen = NAME_MAX;
	return 0;
}

static const struct super_ops pseudo_sops = {
	.alloc_inode = pseudo_alloc_inode,
	.free_inode = pseudo_free_inode,
	.statfs = pseudo_statfs,
};

int pseudo_make_sb(struct fs_type *t, const struct pseudo_node *root, u64 magic,
		   struct super_block **out)
{
	struct super_block *sb = sb_alloc(t, &pseudo_sops);
	struct inode *inode;

	if (!sb)
		return -ENOMEM;
	sb->magic = magic;
	inode = pseudo_new_inode(sb, root, 1);
	if (!inode) {
		sb_kill_generic(sb);
		return -ENOMEM;
	}
	inode_set_nlink(inode, 2);	/* the root lives until the sb dies */
	sb->root = d_make_root(inode);
	if (!sb->root) {
		inode_put(inode);
		sb_kill_generic(sb);
		return -ENOMEM;
	}
	*out = sb;
	return 0;
}
