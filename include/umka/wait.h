/* Wait queues and completions: how a task sleeps until something happens.
 * A waiter sets its state, checks its condition, then schedules; a waker
 * changes the condition, then wakes the queue. Set-state-before-check closes
 * the race with a wakeup landing in between. */
#ifndef UMKA_WAIT_H
#define UMKA_WAIT_H

#include <umka/list.h>
#include <umka/sched.h>
#include <umka/spinlock.h>
#include <umka/time.h>

struct wait_queue {
	struct spinlock lock;
	struct list_head waiters;	/* struct wait_entry, under lock */
};

struct wait_entry {
	struct list_head node;
	struct task *task;
};

#define WAIT_QUEUE_INIT(wq) { SPINLOCK_INIT(#wq, LOCK_LEVEL_WAITQUEUE), LIST_HEAD_INIT((wq).waiters) }
void wait_queue_init(struct wait_queue *wq);

void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, int state);
void finish_wait(struct wait_queue *wq, struct wait_entry *e);
/* Wake up to nr waiters (oldest first); returns how many were woken. */
unsigned wake_up_nr(struct wait_queue *wq, unsigned nr);
static inline void wake_up_one(struct wait_queue *wq) { wake_up_nr(wq, 1); }
static inline void wake_up_all(struct wait_queue *wq) { wake_up_nr(wq, ~0u); }

/* Sleep until cond is true. */
#define wait_event(wq, cond)                                                  \
	do {                                                                  \
		struct wait_entry __e = { { NULL, NULL }, NULL }; \
		for (;;) {                                                    \
			prepare_to_wait(&(wq), &__e, TASK_UNINTERRUPTIBLE);   \
			if (cond)                                             \
				break;                                        \
			schedule();                                           \
		}                                                             \
		finish_wait(&(wq), &__e);                                     \
	} while (0)

/* Sleep until cond is true or ns pass. Evaluates to the ns left (at least 1)
 * if cond became true, 0 on timeout. */
#define wait_event_timeout(wq, cond, ns)                                      \
	({                                                                    \
		struct wait_entry __e = { { NULL, NULL }, NULL }; \
		u64 __left = (ns);                                            \
		for (;;) {                                                    \
			prepare_to_wait(&(wq), &__e, TASK_UNINTERRUPTIBLE);   \
			if (cond) {                                           \
				__left = __left ? __left : 1;                 \
				break;                                        \
			}                                                     \
			if (!__left)                                          \
				break;                                        \
			__left = schedule_timeout(__left);                    \
		}                                                             \
		finish_wait(&(wq), &__e);                                     \
		__left;                                                       \
	})

struct completion {
	unsigned done;			/* under wq.lock; ~0u after complete_all */
	struct wait_queue wq;
};

void completion_init(struct completion *c);
void complete(struct completion *c);
void complete_all(struct completion *c);
void wait_for_completion(struct completion *c);
/* Returns ns left (>0) if completed, 0 on timeout. */
u64 wait_for_completion_timeout(struct completion *c, u64 ns);
bool completion_done(struct completion *c);

#endif
