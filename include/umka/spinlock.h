/* Spinlocks. Taking one disables preemption; the _irqsave forms also mask
 * local interrupts, required for any lock an interrupt handler takes. Every
 * lock carries a name and a level (lockorder.h) that debug builds check. */
#ifndef UMKA_SPINLOCK_H
#define UMKA_SPINLOCK_H

#include <umka/lockorder.h>
#include <umka/percpu.h>
#include <umka/types.h>

struct spinlock {
	u32 locked;		/* 0 free, 1 held */
	u16 level;		/* enum lock_level */
	const char *name;
};

#define SPINLOCK_INIT(n, lvl) { .locked = 0, .level = (lvl), .name = (n) }
#define DEFINE_SPINLOCK(var, lvl) struct spinlock var = SPINLOCK_INIT(#var, lvl)

static inline void spin_lock_init(struct spinlock *l, const char *name, unsigned level)
{
	l->locked = 0;
	l->level = (u16)level;
	l->name = name;
}

/* Lock checker hooks (no-ops unless built with UMKA_DEBUG). `level` can
 * differ from the lock's own for nested locks of one class. */
#ifdef UMKA_DEBUG
void lockcheck_acquire(const void *lock, const char *name, unsigned level);
void lockcheck_release(const void *lock);
#else
static inline void lockcheck_acquire(const void *lock, const char *name, unsigned level)
{
	(void)lock, (void)name, (void)level;
}
static inline void lockcheck_release(const void *lock) { (void)lock; }
#endif

static inline void arch_spin_acquire(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			__asm__ __volatile__("" ::: "memory");
	}
}

static inline void arch_spin_release(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline void spin_lock_nested(struct spinlock *l, unsigned subclass)
{
	preempt_disable();
	lockcheck_acquire(l, l->name, l->level + subclass);
	arch_spin_acquire(l);
}

static inline void spin_lock(struct spinlock *l)
{
	spin_lock_nested(l, 0);
}

static inline bool spin_trylock(struct spinlock *l)
{
	preempt_disable();
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		preempt_enable();
		return false;
	}
	lockcheck_acquire(l, l->name, l->level);
	return true;
}

static inline void spin_unlock(struct spinlock *l)
{
	lockcheck_release(l);
	arch_spin_release(l);
	preempt_enable();
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	lockcheck_release(l);
	arch_spin_release(l);
	irq_restore(flags);
	preempt_enable();	/* after irq_restore, so a pending resched runs now */
}

static inline bool spin_is_locked(const struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}

#endif
