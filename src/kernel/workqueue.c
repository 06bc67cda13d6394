/* Workqueues: a kernel thread per queue runs queued items in order (see
 * workqueue.h). The item being run is remembered so flush and cancel can
 * wait for it; items may requeue themselves while running. */
#include <umka/panic.h>
#include <umka/slab.h>
#include <umka/spinlock.h>
#include <umka/string.h>
#include <umka/wait.h>
#include <umka/workqueue.h>

struct workqueue {
	char name[TASK_NAME_LEN];
	struct spinlock lock;
	struct list_head items;		/* pending work, under lock */
	struct work *running;		/* item being run, under lock */
	bool stopping;			/* under lock */
	struct wait_queue more;		/* worker sleeps here */
	struct wait_queue done;		/* flushers sleep here */
	struct task *worker;
};

struct workqueue *system_wq;

void work_init(struct work *w, work_fn fn)
{
	list_init(&w->node);
	w->fn = fn;
	w->wq = NULL;
	w->pending = false;
}

static enum hrtimer_restart delayed_work_timer(struct hrtimer *t)
{
	struct delayed_work *dw = container_of(t, struct delayed_work, timer);

	queue_work(dw->wq, &dw->work);
	return HRTIMER_NORESTART;
}

void delayed_work_init(struct delayed_work *dw, work_fn fn)
{
	work_init(&dw->work, fn);
	hrtimer_init(&dw->timer, delayed_work_timer);
	dw->wq = NULL;
}

static bool worker_has_work(struct workqueue *wq)
{
	return !list_empty(&wq->items) || READ_ONCE(wq->stopping);
}

static void worker_thread(void *arg)
{
	struct workqueue *wq = arg;

	for (;;) {
		unsigned long flags;
		struct work *w;

		wait_event(wq->more, worker_has_work(wq));
		flags = spin_lock_irqsave(&wq->lock);
		if (list_empty(&wq->items)) {
			bool stop = wq->stopping;

			spin_unlock_irqrestore(&wq->lock, flags);
			if (stop)
				return;
			continue;
		}
		w = list_first_entry(&wq->items, struct work, node);
		list_del_init(&w->node);
		w->pending = false;
		wq->running = w;
		spin_unlock_irqrestore(&wq->lock, flags);

		w->fn(w);

		flags = spin_lock_irqsave(&wq->lock);
		wq->running = NULL;
		spin_unlock_irqrestore(&wq->lock, flags);
		wake_up_all(&wq->done);
	}
}

struct workqueue *workqueue_create(const char *name)
{
	struct workqueue *wq = kzalloc(sizeof(*wq), 0);
	size_t n = MIN(strlen(name), sizeof(wq->name) - 1);

	if (!wq)
		return NULL;
	memcpy(wq->name, name, n);
	spin_lock_init(&wq->lock, "workqueue", LOCK_LEVEL_WORKQUEUE);
	list_init(&wq->items);
	wait_queue_init(&wq->more);
	wait_queue_init(&wq->done);
	wq->worker = kthread_create(worker_thread, wq, wq->name);
	if (!wq->worker) {
		kfree(wq);
		return NULL;
	}
	return wq;
}

void workqueue_destroy(struct workqueue *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	wq->stopping = true;
	spin_unlock_irqrestore(&wq->lock, flags);
	wake_up_all(&wq->more);
	kthread_join(wq->worker);
	kfree(wq);
}

bool queue_work(struct workqueue *wq, struct work *w)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	bool queued = !w->pending;

	if (wq->stopping)
		panic("queue_work on workqueue %s being destroyed", wq->name);
	if (queued) {
		w->pending = true;
		w->wq = wq;
		list_add_tail(&w->node, &wq->items);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	if (queued)
		wake_up_one(&wq->more);
	return queued;
}

bool queue_delayed_work(struct workqueue *wq, struct delayed_work *dw, u64 delay_ns)
{
	if (dw->work.pending || dw->timer.armed)
		return false;
	if (!delay_ns)
		return queue_work(wq, &dw->work);
	dw->wq = wq;
	dw->work.wq = wq;
	hrtimer_start(&dw->timer, ktime_get_ns() + delay_ns);
	return true;
}

static bool work_idle(struct workqueue *wq, struct work *w)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);
	bool idle = !w->pending && wq->running != w;

	spin_unlock_irqrestore(&wq->lock, flags);
	return idle;
}

bool flush_work(struct work *w)
{
	struct workqueue *wq = w->wq;

	if (!wq || work_idle(wq, w))
		return false;
	wait_event(wq->done, work_idle(wq, w));
	return true;
}

bool cancel_work_sync(struct work *w)
{
	struct workqueue *wq = w->wq;
	unsigned long flags;
	bool was_pending;

	if (!wq)
		return false;
	flags = spin_lock_irqsave(&wq->lock);
	was_pending = w->pending;
	if (was_pending) {
		list_del_init(&w->node);
		w->pending = false;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	wait_event(wq->done, work_idle(wq, w));
	return was_pending;
}

bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	bool timer = hrtimer_cancel(&dw->timer);

	return cancel_work_sync(&dw->work) || timer;
}

struct barrier_work {
	struct work work;
	struct completion done;
};

static void barrier_fn(struct work *w)
{
	complete(&container_of(w, struct barrier_work, work)->done);
}

void flush_workqueue(struct workqueue *wq)
{
	struct barrier_work b;

	/* Items run in order: once a barrier queued now has run, so has
	 * everything queued before it. */
	work_init(&b.work, barrier_fn);
	completion_init(&b.done);
	queue_work(wq, &b.work);
	wait_for_completion(&b.done);
}

void workqueue_init(void)
{
	system_wq = workqueue_create("events");
	if (!system_wq)
		panic("workqueue: cannot create the system workqueue");
}
