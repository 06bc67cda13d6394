/* Sleeping mutual exclusion. FIFO hand-off: unlock passes ownership straight
 * to the oldest waiter, so no waiter starves. Checked against lock levels in
 * debug builds like spinlocks; never taken in interrupt context. */
#ifndef UMKA_MUTEX_H
#define UMKA_MUTEX_H

#include <umka/list.h>
#include <umka/spinlock.h>

struct task;

struct mutex {
	struct spinlock wait_lock;
	struct task *owner;		/* under wait_lock */
	struct list_head waiters;	/* struct mutex_waiter, under wait_lock */
	const char *name;
	u16 level;
};

void mutex_init(struct mutex *m, const char *name, unsigned level);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_is_locked(struct mutex *m);

#endif
