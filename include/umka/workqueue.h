/* Workqueues: run functions later in process context. Each workqueue has
 * a kernel thread that runs its items in queue order; an item is queued at
 * most once at a time. Delayed work arms a timer that queues the item. */
#ifndef UMKA_WORKQUEUE_H
#define UMKA_WORKQUEUE_H

#include <umka/list.h>
#include <umka/time.h>

struct workqueue;
struct work;
typedef void (*work_fn)(struct work *w);

struct work {
	struct list_head node;		/* in wq->items while pending */
	work_fn fn;
	struct workqueue *wq;		/* last queued on */
	bool pending;			/* queued, not yet started; under wq lock */
};

struct delayed_work {
	struct work work;
	struct hrtimer timer;
	struct workqueue *wq;
};

#define to_delayed_work(w) container_of(w, struct delayed_work, work)

void work_init(struct work *w, work_fn fn);
void delayed_work_init(struct delayed_work *dw, work_fn fn);

struct workqueue *workqueue_create(const char *name);
/* Runs everything queued, then stops the worker and frees wq. */
void workqueue_destroy(struct workqueue *wq);

/* False if w was already pending. */
bool queue_work(struct workqueue *wq, struct work *w);
bool queue_delayed_work(struct workqueue *wq, struct delayed_work *dw, u64 delay_ns);
/* Wait until w is neither pending nor running. True if it had to wait. */
bool flush_work(struct work *w);
/* Unqueue w (and its timer) and wait for a running instance. True if it
 * was pending. */
bool cancel_work_sync(struct work *w);
bool cancel_delayed_work_sync(struct delayed_work *dw);
/* Wait for everything queued on wq so far. */
void flush_workqueue(struct workqueue *wq);

extern struct workqueue *system_wq;
void workqueue_init(void);

#endif
