/* The lock-order checker (debug builds). Every lock has a level from
 * lockorder.h; a context may only take a lock whose level is above every
 * lock it holds. Checking the order at each acquire catches ABBA deadlocks
 * on the first run that takes two locks the wrong way round, even when the
 * timing never actually deadlocks. Held locks live in the task, so sleeping
 * locks held across a context switch are tracked too. */
#include <umka/panic.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/spinlock.h>

#ifdef UMKA_DEBUG

void lockcheck_acquire(const void *lock, const char *name, unsigned level)
{
	struct task *t = current;
	unsigned long flags;
	unsigned i;

	if (!t)
		return;
	/* Mutexes are checked with interrupts on, and an interrupt handler
	 * pushes onto the same task's list: keep the list update atomic. */
	flags = irq_save();
	for (i = 0; i < t->nr_held; i++) {
		const struct held_lock *h = &t->held[i];

		if (h->lock == lock)
			panic("lockcheck: recursive acquire of %s (level %u) by %s",
			      name, level, t->name);
		if (h->level >= level)
			panic("lockcheck: %s (level %u) taken while holding %s (level %u) in %s",
			      name, level, h->name, h->level, t->name);
	}
	if (t->nr_held == LOCKCHECK_DEPTH)
		panic("lockcheck: more than %d locks held by %s", LOCKCHECK_DEPTH, t->name);
	t->held[t->nr_held++] = (struct held_lock){
		.lock = lock, .name = name, .level = level,
		.ip = (uintptr_t)__builtin_return_address(0),
	};
	irq_restore(flags);
}

void lockcheck_release(const void *lock)
{
	struct task *t = current;
	unsigned long flags;
	unsigned i;

	if (!t)
		return;
	flags = irq_save();
	/* Locks may be released out of order; find it and close the gap. */
	for (i = t->nr_held; i-- > 0;) {
		if (t->held[i].lock != lock)
			continue;
		for (; i + 1 < t->nr_held; i++)
			t->held[i] = t->held[i + 1];
		t->nr_held--;
		irq_restore(flags);
		return;
	}
	panic("lockcheck: release of a lock %p not held by %s", lock, t->name);
}

#endif /* UMKA_DEBUG */
