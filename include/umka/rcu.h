/* Read-copy-update. Readers run with preemption disabled and take no lock;
 * updaters publish a new version and free the old one only after a grace
 * period: every CPU has passed a quiescent state (a context switch, the
 * idle loop, or a tick that interrupted preemptible code), so no reader can
 * still hold the old pointer. */
#ifndef UMKA_RCU_H
#define UMKA_RCU_H

#include <umka/percpu.h>
#include <umka/types.h>

struct rcu_head {
	struct rcu_head *next;
	void (*fn)(struct rcu_head *h);
	u64 gp;			/* grace period that must complete first */
};

static inline void rcu_read_lock(void) { preempt_disable(); }
static inline void rcu_read_unlock(void) { preempt_enable(); }

/* Publish/read a pointer: release on store, dependency-ordered on load. */
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_CONSUME)

void rcu_init(void);
/* Run fn(h) after a grace period, in the RCU kernel thread. Before rcu_init
 * has started that thread (only host test harnesses run core code then),
 * fn runs at once and synchronize_rcu returns at once. */
void call_rcu(struct rcu_head *h, void (*fn)(struct rcu_head *h));
/* call_rcu for frees nobody waits for (dentries, inodes): the grace-period
 * thread is woken only every RCU_LAZY_BATCH of them or at the next tick
 * that finds the CPU out of any lock, so a stream of frees does not cost a
 * grace period each. Ticks run only while a task does: on a CPU gone idle
 * they wait for the next activity (mm_reclaim forces them). call_rcu,
 * synchronize_rcu and rcu_barrier still cover every lazy callback queued
 * before them. */
void call_rcu_lazy(struct rcu_head *h, void (*fn)(struct rcu_head *h));
#define RCU_LAZY_BATCH 64
/* Sleep until a full grace period has elapsed. */
void synchronize_rcu(void);
/* Wait for every callback queued so far to have run. */
void rcu_barrier(void);

/* Quiescent-state reports, called by the scheduler. */
void rcu_note_qs(void);
void rcu_tick(bool user_or_idle_or_preemptible);
/* The idle loop, interrupts off, before it checks for work and halts:
 * queued lazy callbacks are handed to the grace-period thread. */
void rcu_idle_enter(void);

u64 rcu_completed_gps(void);

#endif
