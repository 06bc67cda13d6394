/* Sleeping mutexes with FIFO hand-off (see mutex.h). */
#include <umka/mutex.h>
#include <umka/panic.h>
#include <umka/sched.h>

/* The lock checker identifies a lock by address; &m->wait_lock may equal m,
 * so the mutex itself goes by the address of its owner field. */
#define MUTEX_KEY(m) ((const void *)&(m)->owner)

struct mutex_waiter {
	struct list_head node;
	struct task *task;
};

void mutex_init(struct mutex *m, const char *name, unsigned level)
{
	spin_lock_init(&m->wait_lock, "mutex.wait_lock", LOCK_LEVEL_MUTEX_INTERNAL);
	m->owner = NULL;
	list_init(&m->waiters);
	m->name = name;
	m->level = (u16)level;
}

static void might_sleep(const char *what)
{
	struct cpu_state *c = this_cpu();

	if (c->preempt_count || c->irq_depth || arch_irqs_disabled())
		panic("%s may sleep but was called from atomic context "
		      "(preempt_count %u, irq_depth %u)", what, c->preempt_count, c->irq_depth);
}

void mutex_lock(struct mutex *m)
{
	struct mutex_waiter w;
	unsigned long flags;

	might_sleep("mutex_lock");
	lockcheck_acquire(MUTEX_KEY(m), m->name, m->level);
	flags = spin_lock_irqsave(&m->wait_lock);
	if (!m->owner) {
		m->owner = current;
		spin_unlock_irqrestore(&m->wait_lock, flags);
		return;
	}
	if (m->owner == current)
		panic("mutex %s: recursive lock by %s", m->name, current->name);
	w.task = current;
	list_add_tail(&w.node, &m->waiters);
	/* Unlock hands ownership over: sleep until we are the owner. */
	while (READ_ONCE(m->owner) != current) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock_irqrestore(&m->wait_lock, flags);
		schedule();
		flags = spin_lock_irqsave(&m->wait_lock);
	}
	set_current_state(TASK_RUNNING);
	spin_unlock_irqrestore(&m->wait_lock, flags);
}

bool mutex_trylock(struct mutex *m)
{
	unsigned long flags = spin_lock_irqsave(&m->wait_lock);
	bool ok = m->owner == NULL;

	if (ok)
		m->owner = current;
	spin_unlock_irqrestore(&m->wait_lock, flags);
	if (ok)
		lockcheck_acquire(MUTEX_KEY(m), m->name, m->level);
	return ok;
}

void mutex_unlock(struct mutex *m)
{
	unsigned long flags;

	flags = spin_lock_irqsave(&m->wait_lock);
	if (m->owner != current)
		panic("mutex %s unlocked by %s, owner %s", m->name, current->name,
		      m->owner ? m->owner->name : "none");
	lockcheck_release(MUTEX_KEY(m));
	if (list_empty(&m->waiters)) {
		m->owner = NULL;
	} else {
		struct mutex_waiter *w = list_first_entry(&m->waiters, struct mutex_waiter, node);

		list_del_init(&w->node);
		m->owner = w->task;
		wake_up_task(w->task);
	}
	spin_unlock_irqrestore(&m->wait_lock, flags);
}

bool mutex_is_locked(struct mutex *m)
{
	return READ_ONCE(m->owner) != NULL;
}
