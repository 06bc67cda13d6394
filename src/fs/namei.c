/* Path resolution with Linux semantics. A walk starts at the caller's root
 * (absolute paths) or a starting directory, checks search permission on
 * every directory it passes, crosses mounts both ways, keeps ".." from
 * leaving the caller's root, and follows symlinks: those in the middle of a
 * path always, the final one when asked (or when a '/' follows it), at most
 * MAXSYMLINKS in one resolution.
 *
 * Symlink bodies are walked in place: the rest of the current string is
 * pushed on a small stack (with a reference on the link's inode, which
 * keeps its body alive) and popped when the body is done. A link that ends
 * a string replaces it instead of nesting, as in Linux.
 *
 * vfs_lookup first tries an RCU walk: under rcu_read_lock, with no
 * reference and no lock per component, checked against dentry and mount
 * sequence counts, for the common case of cached components, no "..", and
 * no symlink to follow. Anything else, and any sign of a concurrent change,
 * hands the whole lookup to the reference walk above from the start.
 * path_parentat (create, unlink, rename, open) walks its directories the
 * same way and gives the reference walk only the final component. The
 * invariants are in docs/vfs.md, "RCU walk". */
#include <umka/errno.h>
#include <umka/rcu.h>
#include <umka/string.h>

#include "vfs_internal.h"

static size_t bounded_strlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int nd_start(struct nameidata *nd, const struct vfs_ctx *ctx, const struct path *dir,
	     const char *name, unsigned flags)
{
	struct fs_struct *fs = ctx->fs;

	nd->ctx = ctx;
	nd->flags = flags;
	nd->nr_links = 0;
	nd->depth = 0;
	nd->link = NULL;
	nd->name = name;
	nd->last = (struct dname){ NULL, 0, 0 };
	nd->last_type = LAST_NONE;
	nd->trailing_slash = false;
	nd->path = (struct path){ NULL, NULL };
	nd->root = (struct path){ NULL, NULL };
	if (!name)
		return -EFAULT;
	if (bounded_strlen(name, PATH_MAX) == PATH_MAX)
		return -ENAMETOOLONG;
	if (!name[0] && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	spin_lock(&fs->lock);
	nd->root = fs->root;
	path_get(&nd->root);
	if (name[0] != '/' && !dir) {
		nd->path = fs->pwd;
		path_get(&nd->path);
	}
	spin_unlock(&fs->lock);
	if (name[0] == '/') {
		nd->path = nd->root;
		path_get(&nd->path);
	} else if (dir) {
		nd->path = *dir;
		path_get(&nd->path);
	}
	return 0;
}

void nd_done(struct nameidata *nd)
{
	path_put(&nd->path);
	path_put(&nd->root);
	inode_put(nd->link);
	nd->link = NULL;
	while (nd->depth) {
		nd->depth--;
		inode_put(nd->stack[nd->depth].link);
	}
}

int may_lookup(struct nameidata *nd)
{
	struct inode *inode = nd->path.dentry->inode;

	if (!S_ISDIR(inode->mode))
		return -ENOTDIR;
	return inode_permission(nd->ctx->cred, inode, MAY_EXEC);
}

int follow_dotdot(struct nameidata *nd)
{
	for (;;) {
		if (path_equal(&nd->path, &nd->root))
			break;		/* ".." at the caller's root stays there */
		if (nd->path.dentry != nd->path.mnt->root) {
			struct dentry *parent = dget_parent(nd->path.dentry);

			dput(nd->path.dentry);
			nd->path.dentry = parent;
			break;
		}
		if (!follow_up(&nd->path))
			break;		/* the namespace root */
	}
	follow_mounts(&nd->path);
	return 0;
}

/* d_lookup, then the filesystem's word on whether the cached child still
 * stands (super_ops->d_revalidate): a stale one is unhashed and missed, so
 * the caller asks ->lookup afresh. NULL on a miss, or an ERR_PTR. */
static struct dentry *d_lookup_valid(struct dentry *parent, const char *name, u32 len)
{
	struct dentry *d = d_lookup(parent, name, len);
	int r;

	if (!d || !d->sb->s_op->d_revalidate)
		return d;
	r = d->sb->s_op->d_revalidate(d);
	if (r > 0 || (r == 0 && READ_ONCE(d->mounted)))
		return d;	/* a mountpoint keeps its name: its mounts hang there */
	if (r == 0)
		d_drop(d);	/* users keep their reference; the name goes */
	dput(d);
	return r == 0 ? NULL : ERR_PTR(r);
}

struct dentry *lookup_locked(struct dentry *parent, const char *name, u32 len)
{
	struct inode *dir = parent->inode;
	struct dentry *d;
	int err;

	if (len > NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	d = d_lookup_valid(parent, name, len);
	if (d)
		return d;
	if (dir->iflags & I_DEAD)
		return ERR_PTR(-ENOENT);	/* removed: nothing to cache there */
	d = d_alloc(parent, name, len);
	if (!d)
		return ERR_PTR(-ENOMEM);
	err = dir->i_op->lookup(dir, d);
	if (err) {
		dput(d);	/* never hashed: freed */
		return ERR_PTR(err);
	}
	return d;
}

/* The positive child name of nd->path, mounts crossed, with references. */
static int lookup_component(struct nameidata *nd, const char *name, u32 len, struct path *out)
{
	struct dentry *parent = nd->path.dentry, *d;

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	d = d_lookup_valid(parent, name, len);
	if (IS_ERR(d))
		return (int)PTR_ERR(d);
	if (!d) {
		inode_lock(parent->inode);
		d = lookup_locked(parent, name, len);
		inode_unlock(parent->inode);
		if (IS_ERR(d))
			return (int)PTR_ERR(d);
	}
	if (!READ_ONCE(d->inode)) {
		dput(d);
		return -ENOENT;
	}
	out->mnt = mnt_get(nd->path.mnt);
	out->dentry = d;
	follow_mounts(out);
	return 0;
}

int pick_link(struct nameidata *nd, struct path *child)
{
	struct inode *inode = child->dentry->inode;
	const char *body;

	if (nd->nr_links++ >= MAXSYMLINKS) {
		path_put(child);
		return -ELOOP;
	}
	body = inode->i_op && inode->i_op->get_link ? inode->i_op->get_link(inode) : NULL;
	if (!body) {
		path_put(child);
		return -EIO;
	}
	inode_get(inode);	/* keeps body alive while we walk it */
	path_put(child);
	if (*nd->name) {
		/* more of this string after the link: come back to it */
		if (nd->depth == MAXSYMLINKS) {
			inode_put(inode);
			return -ELOOP;
		}
		nd->stack[nd->depth++] = (struct walk_frame){ nd->name, nd->link };
	} else {
		inode_put(nd->link);	/* this string is done: replace it */
	}
	nd->link = inode;
	nd->name = body;
	return *body ? 0 : -ENOENT;
}

int link_path_walk(struct nameidata *nd)
{
	for (;;) {
		const char *s = nd->name, *next;
		enum last_type type = LAST_NORM;
		struct path child;
		bool slash;
		u32 len;
		int err;

		if (*s == '/') {
			path_put(&nd->path);
			nd->path = nd->root;
			path_get(&nd->path);
			while (*s == '/')
				s++;
		}
		if (!*s) {
			if (nd->depth) {
				/* a symlink body in the middle is done: resume after it */
				inode_put(nd->link);
				nd->depth--;
				nd->name = nd->stack[nd->depth].name;
				nd->link = nd->stack[nd->depth].link;
				continue;
			}
			nd->name = s;
			nd->last_type = LAST_NONE;
			return 0;
		}
		err = may_lookup(nd);
		if (err)
			return err;
		for (len = 0; s[len] && s[len] != '/'; len++)
			;
		next = s + len;
		slash = *next == '/';
		while (*next == '/')
			next++;
		if (len == 1 && s[0] == '.')
			type = LAST_DOT;
		else if (len == 2 && s[0] == '.' && s[1] == '.')
			type = LAST_DOTDOT;
		nd->name = next;
		if (!*next && !nd->depth) {
			nd->last = (struct dname){ s, len, 0 };
			nd->last_type = type;
			nd->trailing_slash = slash;
			return 0;
		}
		if (type == LAST_DOT)
			continue;
		if (type == LAST_DOTDOT) {
			follow_dotdot(nd);
			continue;
		}
		err = lookup_component(nd, s, len, &child);
		if (err)
			return err;
		if (S_ISLNK(child.dentry->inode->mode)) {
			err = pick_link(nd, &child);
			if (err)
				return err;
			continue;
		}
		path_put(&nd->path);
		nd->path = child;
	}
}

int lookup_last(struct nameidata *nd)
{
	struct path child;
	int err;

	switch (nd->last_type) {
	case LAST_NONE:
	case LAST_DOT:
		return 0;
	case LAST_DOTDOT:
		return follow_dotdot(nd);
	case LAST_NORM:
		break;
	}
	err = lookup_component(nd, nd->last.name, nd->last.len, &child);
	if (err)
		return err;
	if (S_ISLNK(child.dentry->inode->mode) &&
	    ((nd->flags & LOOKUP_FOLLOW) || nd->trailing_slash)) {
		err = pick_link(nd, &child);
		return err ? err : 1;
	}
	path_put(&nd->path);
	nd->path = child;
	nd->last_type = LAST_NONE;
	return 0;
}

int path_lookupat(struct nameidata *nd)
{
	int err;

	for (;;) {
		err = link_path_walk(nd);
		if (err)
			return err;
		/* "name/" must be a directory, through any symlinks */
		if (nd->trailing_slash)
			nd->flags |= LOOKUP_DIRECTORY;
		err = lookup_last(nd);
		if (err < 0)
			return err;
		if (err == 0)
			break;
	}
	if ((nd->flags & LOOKUP_DIRECTORY) && !S_ISDIR(nd->path.dentry->inode->mode))
		return -ENOTDIR;
	return 0;
}

/* ---- RCU walk ---------------------------------------------------------------------------- */

static bool rcu_walk_on = true;	/* tests and benchmarks compare with it off */

bool vfs_rcu_walk_enable(bool on)
{
	bool old = READ_ONCE(rcu_walk_on);

	WRITE_ONCE(rcu_walk_on, on);
	return old;
}

/* Where an RCU walk is: no references held; seq is dentry->seq as sampled
 * when the walk got there, checked before anything read since is trusted. */
struct rcu_walk {
	struct mount *mnt;
	struct dentry *dentry;
	u32 seq;
};

/* Step over mounts stacked on w (mount_lock only for the hash, no
 * reference; mount_seq, checked at the end, covers the result). */
static bool rcu_follow_mounts(struct rcu_walk *w)
{
	while (READ_ONCE(w->dentry->mounted)) {
		struct mount *m = lookup_mnt_rcu(w->mnt, w->dentry);

		if (!m)
			return true;	/* mounted in another mount of this sb only */
		w->mnt = m;
		w->dentry = m->root;
		w->seq = read_seqcount_begin(&w->dentry->seq);
		if (w->seq & 1)
			return false;
	}
	return true;
}

/* One component name[0..len) below w->dentry, which must be a searchable
 * directory; false if the RCU walk cannot decide. */
static bool rcu_step(const struct cred *c, struct rcu_walk *w, const char *name, u32 len)
{
	struct inode *dir = READ_ONCE(w->dentry->inode);
	struct dentry *child;
	struct inode *inode;
	u32 seq;

	if (!dir || !S_ISDIR(dir->mode) || inode_permission(c, dir, MAY_EXEC))
		return false;	/* errors are the ref walk's to report */
	if (len == 1 && name[0] == '.')
		return !read_seqcount_retry(&w->dentry->seq, w->seq);
	if (len > NAME_MAX || (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	if (dir->sb->s_op->d_revalidate)
		return false;	/* the fs must be asked, and it may sleep */
	child = d_lookup_rcu(w->dentry, name, len, dname_hash(name, len), &seq);
	/* The parent's inode and permission, and the child as its child, are
	 * trusted only if the parent did not change meanwhile. */
	if (!child || read_seqcount_retry(&w->dentry->seq, w->seq))
		return false;
	inode = READ_ONCE(child->inode);
	if (!inode || read_seqcount_retry(&child->seq, seq))
		return false;	/* negative entries go the slow way (ENOENT) */
	w->dentry = child;
	w->seq = seq;
	return rcu_follow_mounts(w);
}

/* The whole lookup of vfs_lookup (flags LOOKUP_*) of name[0..len) (len >
 * 0, < PATH_MAX) without references but on the result; -ECHILD when it
 * must be redone by the reference walk. */
static int path_lookup_rcu(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
			   size_t len, unsigned flags, struct path *out)
{
	struct fs_struct *fs = ctx->fs;
	const char *s = name, *end = name + len;
	struct rcu_walk w;
	struct inode *inode;
	u32 mseq;

	if (!READ_ONCE(rcu_walk_on))
		return -ECHILD;
	rcu_read_lock();
	mseq = mount_seq_begin();
	if (mseq & 1)
		goto fail;
	if (*s == '/' || !dir) {
		/* fs holds both paths; what it lets go of is freed only after
		 * a grace period, so a stale pointer is as good as a fresh one */
		spin_lock(&fs->lock);
		w.mnt = *s == '/' ? fs->root.mnt : fs->pwd.mnt;
		w.dentry = *s == '/' ? fs->root.dentry : fs->pwd.dentry;
		spin_unlock(&fs->lock);
	} else {
		w.mnt = dir->mnt;
		w.dentry = dir->dentry;
	}
	w.seq = read_seqcount_begin(&w.dentry->seq);
	if (w.seq & 1)
		goto fail;
	for (;;) {
		const char *next;
		bool slash;
		u32 clen;

		while (s < end && *s == '/')
			s++;
		if (s == end)
			break;
		for (clen = 0; s + clen < end && s[clen] != '/'; clen++)
			;
		next = s + clen;
		slash = next < end;
		while (next < end && *next == '/')
			next++;
		if (!rcu_step(ctx->cred, &w, s, clen))
			goto fail;
		/* Read again, so checked again: the dentry may have turned
		 * negative since rcu_step looked (d_delete bumps its seq).
		 * Found by the namei race ktest on 4 x86-64 CPUs. */
		inode = READ_ONCE(w.dentry->inode);
		if (!inode || read_seqcount_retry(&w.dentry->seq, w.seq))
			goto fail;
		/* a symlink to follow (any but a final one without
		 * LOOKUP_FOLLOW and without a trailing slash) */
		if (S_ISLNK(inode->mode) && (next < end || slash || (flags & LOOKUP_FOLLOW)))
			goto fail;
		if (slash && next == end && !S_ISDIR(inode->mode))
			goto fail;	/* "file/": ENOTDIR */
		s = next;
	}
	inode = READ_ONCE(w.dentry->inode);
	if (!inode || ((flags & LOOKUP_DIRECTORY) && !S_ISDIR(inode->mode)))
		goto fail;
	/* References on the result only, then one last check of both trees. */
	if (!mnt_get_not_zero(w.mnt))
		goto fail;
	if (mount_seq_retry(mseq) || !d_get_if_seq(w.dentry, w.seq)) {
		rcu_read_unlock();
		mnt_put(w.mnt);
		return -ECHILD;
	}
	rcu_read_unlock();
	out->mnt = w.mnt;
	out->dentry = w.dentry;
	return 0;
fail:
	rcu_read_unlock();
	return -ECHILD;
}

/* Where the final component of name starts (its trailing slashes belong to
 * it); name itself when there is only one. */
static const char *final_component(const char *name, size_t len)
{
	const char *p = name + len;

	while (p > name && p[-1] == '/')
		p--;
	while (p > name && p[-1] != '/')
		p--;
	return p;
}

/* path_parentat's directories under RCU: the directory holding name's
 * final component, referenced, and where that component starts; -ECHILD
 * for the ref walk to do it all (also every error: the ref walk reports
 * them, in its order). Nothing to gain for a single component. */
static int path_parent_rcu(const struct vfs_ctx *ctx, const struct path *dir,
			   const char *name, struct path *parent, const char **last)
{
	size_t len;
	int err;

	if (!name || !*name)
		return -ECHILD;
	len = bounded_strlen(name, PATH_MAX);
	if (len == PATH_MAX)
		return -ECHILD;
	*last = final_component(name, len);
	if (*last == name)
		return -ECHILD;
	/* the prefix ends in '/': its last directory must be one, through
	 * no symlink (a symlink hands over) */
	err = path_lookup_rcu(ctx, dir, name, (size_t)(*last - name), LOOKUP_DIRECTORY, parent);
	dcache_count_walk(err == 0);
	return err;
}

int path_parentat(struct nameidata *nd, const struct vfs_ctx *ctx, const struct path *dir,
		  const char *name)
{
	struct path parent;
	const char *last;
	int err;

	/* The directories on the way are usually cached: walk them under RCU
	 * and hand the ref walk only the final component, from there. */
	if (!path_parent_rcu(ctx, dir, name, &parent, &last)) {
		err = nd_start(nd, ctx, &parent, last, 0);
		path_put(&parent);
		return err ? err : link_path_walk(nd);
	}
	err = nd_start(nd, ctx, dir, name, 0);
	return err ? err : link_path_walk(nd);
}

int vfs_lookup(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
	       unsigned at_flags, struct path *out)
{
	struct nameidata nd;
	unsigned flags = 0;
	size_t len;
	int err;

	if (!(at_flags & AT_SYMLINK_NOFOLLOW))
		flags |= LOOKUP_FOLLOW;
	if (at_flags & AT_EMPTY_PATH)
		flags |= LOOKUP_EMPTY;
	err = -ECHILD;		/* no name, or too long: the ref walk says which */
	len = name ? bounded_strlen(name, PATH_MAX) : 0;
	if (len && len < PATH_MAX)
		err = path_lookup_rcu(ctx, dir, name, len, flags, out);
	dcache_count_walk(err == 0);
	if (!err)
		return 0;
	err = nd_start(&nd, ctx, dir, name, flags);
	if (!err)
		err = path_lookupat(&nd);
	if (!err) {
		*out = nd.path;
		nd.path = (struct path){ NULL, NULL };
	}
	nd_done(&nd);
	return err;
}

int vfs_lookup_one(const struct vfs_ctx *ctx, const struct path *dir, const char *name,
		   struct path *out)
{
	if (!name || !dir)
		return -EINVAL;
	if (strchr(name, '/'))
		return -EINVAL;
	return vfs_lookup(ctx, dir, name, AT_SYMLINK_NOFOLLOW, out);
}
