/* Lock levels. A context may only take a lock whose level is strictly above
 * every lock it already holds; debug builds panic on any other order, naming
 * both locks. Sleeping locks sit below all spinlocks. Keep this list in
 * acquisition order: it is the kernel's lock hierarchy in one place. */
#ifndef UMKA_LOCKORDER_H
#define UMKA_LOCKORDER_H

enum lock_level {
	/* sleeping locks (mutexes) */
	LOCK_LEVEL_TEST_OUTER = 10,	/* ktest/unit tests only */
	LOCK_LEVEL_TEST_INNER = 20,
	LOCK_LEVEL_MUTEX_DEFAULT = 50,
	VFS_LEVEL_NAMESPACE = 52,	/* mutex: mount/umount */
	VFS_LEVEL_FPOS = 54,		/* mutex: file->pos_lock */
	VFS_LEVEL_RENAME = 56,		/* mutex: sb->rename_lock */
	VFS_LEVEL_FS_MUTEX = 58,	/* mutex: a filesystem's own, above inode locks */
	VFS_LEVEL_INODE = 60,		/* inode lock, + enum inode_subclass (0..3) */
	VFS_LEVEL_FS_INNER = 65,	/* mutex: a filesystem's own, under inode locks */
	VFS_LEVEL_PIPE = 66,		/* mutex: a pipe's buffer and end counts */
	MM_LEVEL_SHRINKER = 90,		/* mutex: the shrinker registry; taken by
					 * allocations that may sleep (mm.h) */
	/* spinlocks */
	LOCK_LEVEL_WORKQUEUE = 100,
	LOCK_LEVEL_TEST_SPIN = 105,	/* ktest spinlocks, never nested */
	LOCK_LEVEL_RCU = 110,
	LOCK_LEVEL_MUTEX_INTERNAL = 130,
	VFS_LEVEL_FDTABLE = 140,	/* fd_table, fs_struct */
	VFS_LEVEL_MOUNT = 141,		/* mount hash and tree */
	VFS_LEVEL_DCACHE = 143,		/* dentry hash, LRU, refs */
	VFS_LEVEL_INODES = 145,		/* sb inode table, nlink, final iput */
	VFS_LEVEL_FS_LEAF = 147,	/* leaf spinlocks of filesystems and drivers */
	/* Interrupt handlers wake wait queues (console input, host I/O), and an
	 * interrupt nests inside whatever its CPU holds with interrupts on: the
	 * levels above 130..147. So wait queues sit above them all; every lock
	 * from here up is only ever held with interrupts off. */
	LOCK_LEVEL_WAITQUEUE = 148,
	LOCK_LEVEL_RUNQUEUE = 150,	/* +1 for the second of two runqueues */
	LOCK_LEVEL_TIMER = 160,		/* armed under the rq lock; callbacks run unlocked */
	LOCK_LEVEL_SLAB_LIST = 160,	/* the list of all caches */
	LOCK_LEVEL_SLAB_CPU = 165,	/* one CPU's magazines of one cache */
	LOCK_LEVEL_SLAB = 170,		/* one cache (+1 when nested under the list) */
	LOCK_LEVEL_PCP = 175,		/* CPU n's order-0 page list is +n */
	LOCK_LEVEL_BUDDY = 190,
	LOCK_LEVEL_CONSOLE_IN = 200,	/* console input ring; taken in IRQ_CONSOLE */
	LOCK_LEVEL_HOSTIO = 205,	/* arch-um's host fd watches; taken in
					 * IRQ_HOST_IO, nothing taken under it */
	LOCK_LEVEL_PRINTK = 250,	/* printk is callable under any lock */
};

#endif
