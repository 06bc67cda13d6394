/* Wait queues and completions (see wait.h for the sleeping protocol). */
#include <umka/wait.h>

void wait_queue_init(struct wait_queue *wq)
{
	spin_lock_init(&wq->lock, "wait_queue", LOCK_LEVEL_WAITQUEUE);
	list_init(&wq->waiters);
}

void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, int state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	e->task = current;
	/* Queue once; later loop iterations only reset the state. */
	if (e->node.next == NULL || list_empty(&e->node))
		list_add_tail(&e->node, &wq->waiters);
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
	unsigned long flags;

	set_current_state(TASK_RUNNING);
	flags = spin_lock_irqsave(&wq->lock);
	if (e->node.next && !list_empty(&e->node))
		list_del_init(&e->node);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Wake up to nr waiters; wq->lock held. Woken entries leave the queue,
 * so a second wakeup goes to the next waiter rather than to one that has
 * not run yet. */
static unsigned wake_locked(struct wait_queue *wq, unsigned nr)
{
	unsigned woken = 0;

	while (woken < nr && !list_empty(&wq->waiters)) {
		struct wait_entry *e = list_first_entry(&wq->waiters, struct wait_entry, node);

		list_del_init(&e->node);
		wake_up_task(e->task);
		woken++;
	}
	return woken;
}

unsigned wake_up_nr(struct wait_queue *wq, unsigned nr)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	unsigned woken = wake_locked(wq, nr);

	spin_unlock_irqrestore(&wq->lock, flags);
	return woken;
}

/* ---- completions ---------------------------------------------------------- */

#define COMPLETE_ALL (~0u)

void completion_init(struct completion *c)
{
	c->done = 0;
	wait_queue_init(&c->wq);
}

/* The wakeup happens under the same hold of the lock as the count: once
 * the lock is dropped a waiter on another CPU may see `done`, return and
 * free the completion (often on its stack), so complete() must not touch
 * it again. The waiter's try_consume takes the lock after this release. */
void complete(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);

	if (c->done != COMPLETE_ALL)
		c->done++;
	wake_locked(&c->wq, 1);
	spin_unlock_irqrestore(&c->wq.lock, flags);
}

void complete_all(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);

	c->done = COMPLETE_ALL;
	wake_locked(&c->wq, ~0u);
	spin_unlock_irqrestore(&c->wq.lock, flags);
}

/* Consume one completion if there is one. */
static bool try_consume(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wq.lock);
	bool ok = c->done != 0;

	if (ok && c->done != COMPLETE_ALL)
		c->done--;
	spin_unlock_irqrestore(&c->wq.lock, flags);
	return ok;
}

void wait_for_completion(struct completion *c)
{
	wait_event(c->wq, try_consume(c));
}

u64 wait_for_completion_timeout(struct completion *c, u64 ns)
{
	return wait_event_timeout(c->wq, try_consume(c), ns);
}

bool completion_done(struct completion *c)
{
	return READ_ONCE(c->done) != 0;
}
