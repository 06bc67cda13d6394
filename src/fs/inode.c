/* Inodes: the inode lock, reference counting and the end of an inode's
 * life, link counts, each super block's table by inode number, and the
 * access checks on mode bits (with the capability overrides Linux gives
 * root).
 *
 * Lifetime: an inode lives while it has references (dentries, the VFS in
 * flight) or links (names in its filesystem). Both the final reference
 * drop and every link-count change happen under sb->inode_lock, so "no
 * references and no links" is decided exactly once. */
#include <umka/errno.h>
#include <umka/panic.h>
#include <umka/sched.h>
#include <umka/time.h>

#include "vfs_internal.h"

struct timespec64 vfs_now(void)
{
	u64 ns = ktime_get_real_ns();

	return (struct timespec64){ (s64)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC) };
}

/* ---- The inode lock ------------------------------------------------------------ */

struct ilock_waiter {
	struct list_head node;
	struct task *task;
};

static void ilock_init(struct ilock *l)
{
	spin_lock_init(&l->wait_lock, "inode.wait_lock", LOCK_LEVEL_MUTEX_INTERNAL);
	l->owner = NULL;
	list_init(&l->waiters);
}

void inode_lock_nested(struct inode *inode, enum inode_subclass sub)
{
	struct ilock *l = &inode->lock;
	struct cpu_state *c = this_cpu();
	struct ilock_waiter w;

	if (c->preempt_count || c->irq_depth || arch_irqs_disabled())
		panic("inode_lock may sleep but was called from atomic context");
	/* keyed by &owner: the wait_lock lives at l itself */
	lockcheck_acquire(&l->owner, "inode.lock", VFS_LEVEL_INODE + sub);
	spin_lock(&l->wait_lock);
	if (!l->owner) {
		l->owner = current;
		spin_unlock(&l->wait_lock);
		return;
	}
	if (l->owner == current)
		panic("inode %llu: recursive lock by %s", (unsigned long long)inode->ino,
		      current->name);
	w.task = current;
	list_add_tail(&w.node, &l->waiters);
	/* The unlocker hands the lock over: sleep until we own it. */
	while (READ_ONCE(l->owner) != current) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock(&l->wait_lock);
		schedule();
		spin_lock(&l->wait_lock);
	}
	set_current_state(TASK_RUNNING);
	spin_unlock(&l->wait_lock);
}

void inode_lock(struct inode *inode)
{
	inode_lock_nested(inode, I_PARENT);
}

void inode_unlock(struct inode *inode)
{
	struct ilock *l = &inode->lock;

	spin_lock(&l->wait_lock);
	if (l->owner != current)
		panic("inode %llu unlocked by %s, not its owner", (unsigned long long)inode->ino,
		      current->name);
	lockcheck_release(&l->owner);
	if (list_empty(&l->waiters)) {
		l->owner = NULL;
	} else {
		struct ilock_waiter *w = list_first_entry(&l->waiters, struct ilock_waiter, node);

		list_del_init(&w->node);
		l->owner = w->task;
		wake_up_task(w->task);
	}
	spin_unlock(&l->wait_lock);
}

bool inode_is_locked_by_me(struct inode *inode)
{
	return READ_ONCE(inode->lock.owner) == current;
}

/* ---- Table by number, references, links ------------------------------------------ */

static bool ino_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct inode, sb_node)->ino < rb_entry(b, struct inode, sb_node)->ino;
}

void inode_init(struct inode *inode, struct super_block *sb, u64 ino, u32 mode)
{
	struct timespec64 now = vfs_now();

	inode->ino = ino;
	inode->mode = mode;
	inode->uid = inode->gid = 0;
	seqcount_init(&inode->attr_seq);
	inode->nlink = 1;
	inode->rdev = 0;
	inode->size = 0;
	inode->blocks = 0;
	inode->atime = inode->mtime = inode->ctime = inode->btime = now;
	atomic_set(&inode->refs, 1);
	ilock_init(&inode->lock);
	inode->sb = sb;
	inode->iflags = 0;
	inode->i_pipe = NULL;
	spin_lock(&sb->inode_lock);
	rb_add(&inode->sb_node, &sb->inodes, ino_less, NULL);
	inode->hashed = true;
	sb->nr_inodes++;
	spin_unlock(&sb->inode_lock);
}

struct inode *inode_find(struct super_block *sb, u64 ino)
{
	struct inode *found = NULL;
	struct rb_node *n;

	spin_lock(&sb->inode_lock);
	n = sb->inodes.node;
	while (n) {
		struct inode *i = rb_entry(n, struct inode, sb_node);

		if (ino == i->ino) {
			/* in the table: alive (references or links) */
			atomic_inc_return(&i->refs);
			found = i;
			break;
		}
		n = ino < i->ino ? n->left : n->right;
	}
	spin_unlock(&sb->inode_lock);
	return found;
}

void inode_get(struct inode *inode)
{
	atomic_inc_return(&inode->refs);
}

static void inode_free_rcu(struct rcu_head *h)
{
	struct inode *inode = container_of(h, struct inode, rcu);

	inode->free_ops->free_inode(inode);
}

/* The data goes now; the struct after a grace period (see struct inode). */
static void inode_evict(struct inode *inode)
{
	struct super_block *sb = inode->sb;

	if (sb->s_op->evict_inode)
		sb->s_op->evict_inode(inode);
	inode->free_ops = sb->s_op;
	call_rcu_lazy(&inode->rcu, inode_free_rcu);
}

void inode_put(struct inode *inode)
{
	struct super_block *sb;
	int old;

	if (!inode)
		return;
	/* Fast path: not the last reference. */
	old = atomic_read(&inode->refs);
	while (old > 1)
		if (atomic_cmpxchg(&inode->refs, &old, old - 1))
			return;
	sb = inode->sb;
	spin_lock(&sb->inode_lock);
	if (atomic_dec_return(&inode->refs) != 0 || inode->nlink != 0 || !inode->hashed) {
		/* still referenced, still linked, or its sb is tearing down */
		BUG_ON(atomic_read(&inode->refs) < 0);
		spin_unlock(&sb->inode_lock);
		return;
	}
	rb_erase(&sb->inodes, &inode->sb_node, NULL);
	inode->hashed = false;
	sb->nr_inodes--;
	spin_unlock(&sb->inode_lock);
	inode_evict(inode);
}

void inode_set_nlink(struct inode *inode, u32 nlink)
{
	spin_lock(&inode->sb->inode_lock);
	inode->nlink = nlink;
	spin_unlock(&inode->sb->inode_lock);
}

void inode_inc_nlink(struct inode *inode)
{
	spin_lock(&inode->sb->inode_lock);
	inode->nlink++;
	spin_unlock(&inode->sb->inode_lock);
}

void inode_dec_nlink(struct inode *inode)
{
	spin_lock(&inode->sb->inode_lock);
	BUG_ON(inode->nlink == 0);
	inode->nlink--;
	spin_unlock(&inode->sb->inode_lock);
}

void sb_evict_all_inodes(struct super_block *sb)
{
	struct rb_node *n;

	spin_lock(&sb->inode_lock);
	while ((n = rb_first(&sb->inodes))) {
		struct inode *inode = rb_entry(n, struct inode, sb_node);

		if (atomic_read(&inode->refs))
			panic("%s: inode %llu still has %d references at unmount",
			      sb->type->name, (unsigned long long)inode->ino,
			      atomic_read(&inode->refs));
		rb_erase(&sb->inodes, n, NULL);
		inode->hashed = false;
		sb->nr_inodes--;
		spin_unlock(&sb->inode_lock);
		inode_evict(inode);
		spin_lock(&sb->inode_lock);
	}
	spin_unlock(&sb->inode_lock);
}

/* ---- Attributes ------------------------------------------------------------------- */

/* A change of mode/uid/gid that lockless permission checks (which spin
 * while the count is odd) must see whole: short, and not preempted. */
static void attr_write_begin(struct inode *inode)
{
	preempt_disable();
	write_seqcount_begin(&inode->attr_seq);
}

static void attr_write_end(struct inode *inode)
{
	write_seqcount_end(&inode->attr_seq);
	preempt_enable();
}

void setattr_copy(struct inode *inode, const struct iattr *a)
{
	attr_write_begin(inode);
	if (a->valid & ATTR_UID)
		WRITE_ONCE(inode->uid, a->uid);
	if (a->valid & ATTR_GID)
		WRITE_ONCE(inode->gid, a->gid);
	if (a->valid & ATTR_MODE)
		WRITE_ONCE(inode->mode, (inode->mode & S_IFMT) | (a->mode & S_IALLUGO));
	attr_write_end(inode);
	if (a->valid & ATTR_ATIME)
		inode->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		inode->mtime = a->mtime;
	if (a->valid & ATTR_CTIME)
		inode->ctime = a->ctime;
}

void inode_set_owner_mode(struct inode *inode, u32 uid, u32 gid, u32 perm)
{
	attr_write_begin(inode);
	WRITE_ONCE(inode->uid, uid);
	WRITE_ONCE(inode->gid, gid);
	WRITE_ONCE(inode->mode, (inode->mode & S_IFMT) | (perm & S_IALLUGO));
	attr_write_end(inode);
}

void inode_kill_suid(struct inode *inode, const struct cred *c)
{
	u32 kill = S_ISUID;

	if (inode->mode & S_IXGRP)
		kill |= S_ISGID;
	if (!(inode->mode & kill) || cred_capable(c, CAP_FSETID))
		return;
	attr_write_begin(inode);
	WRITE_ONCE(inode->mode, inode->mode & ~kill);
	attr_write_end(inode);
	inode->ctime = vfs_now();
}

/* ---- Permission ------------------------------------------------------------------- */

int inode_permission(const struct cred *c, struct inode *inode, int mask)
{
	u32 mode, uid, gid, granted, seq;

	/* No lock: the RCU path walk calls this too. A writer is never
	 * preempted inside (attr_write_begin), so the wait is short. */
	for (;;) {
		seq = read_seqcount_begin(&inode->attr_seq);
		mode = READ_ONCE(inode->mode);
		uid = READ_ONCE(inode->uid);
		gid = READ_ONCE(inode->gid);
		if (!read_seqcount_retry(&inode->attr_seq, seq))
			break;
		cpu_relax();
	}
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	/* Only the first matching class counts: an owner denied by the owner
	 * bits is not rescued by the group or other bits. */
	if (c->fsuid == uid)
		granted = (mode >> 6) & 7;
	else if (cred_in_group(c, gid))
		granted = (mode >> 3) & 7;
	else
		granted = mode & 7;
	if ((mask & ~(int)granted) == 0)
		return 0;
	if (S_ISDIR(mode)) {
		if (cred_capable(c, CAP_DAC_OVERRIDE))
			return 0;
		if (!(mask & MAY_WRITE) && cred_capable(c, CAP_DAC_READ_SEARCH))
			return 0;
		return -EACCES;
	}
	/* Even root may only execute a file that someone may execute. */
	if (cred_capable(c, CAP_DAC_OVERRIDE) && (!(mask & MAY_EXEC) || (mode & 0111)))
		return 0;
	if (mask == MAY_READ && cred_capable(c, CAP_DAC_READ_SEARCH))
		return 0;
	return -EACCES;
}

bool inode_owner_or_capable(const struct cred *c, const struct inode *inode)
{
	return c->fsuid == READ_ONCE(inode->uid) || cred_capable(c, CAP_FOWNER);
}
