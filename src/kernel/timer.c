/* High-resolution timers: a per-CPU red-black tree by expiry with the
 * earliest cached, programmed into the arch's one-shot timer. Callbacks run
 * from the timer interrupt with the timer lock dropped, so they may wake
 * tasks and re-arm timers (including their own). */
#include <umka/irq.h>
#include <umka/panic.h>
#include <umka/sched.h>
#include <umka/spinlock.h>
#include <umka/time.h>
#include <umka/trace.h>

/* Stable tracepoint (docs/tracing.md): a timer about to run its callback. */
DEFINE_TRACEPOINT(hrtimer_expire, "timer=0x%llx fn=0x%llx");

struct timer_base {
	struct spinlock lock;
	struct rb_root_cached timers;	/* armed hrtimers, under lock */
	u64 programmed;			/* deadline given to the arch */
	struct hrtimer *running;	/* callback in progress, under lock */
};

static struct timer_base timer_bases[NR_CPUS];

static bool timer_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct hrtimer, node)->expires <
	       rb_entry(b, struct hrtimer, node)->expires;
}

static void irq_timer(void);

void timers_init(void)
{
	for (unsigned i = 0; i < NR_CPUS; i++) {
		spin_lock_init(&timer_bases[i].lock, "timer_base", LOCK_LEVEL_TIMER);
		timer_bases[i].timers = RB_ROOT_CACHED;
		timer_bases[i].programmed = UINT64_MAX;
	}
}

void hrtimer_init(struct hrtimer *t, enum hrtimer_restart (*fn)(struct hrtimer *t))
{
	rb_clear_node(&t->node);
	t->fn = fn;
	t->expires = 0;
	t->armed = false;
	t->running = false;
	t->cpu = 0;
}

/* Tell the arch about the earliest deadline if it changed. */
static void reprogram(struct timer_base *b)
{
	struct rb_node *first = rb_first_cached(&b->timers);
	u64 next = first ? rb_entry(first, struct hrtimer, node)->expires : UINT64_MAX;

	if (next != b->programmed) {
		b->programmed = next;
		arch_timer_arm(next);
	}
}

static void dequeue_timer(struct timer_base *b, struct hrtimer *t)
{
	rb_erase_cached(&b->timers, &t->node, NULL);
	t->armed = false;
}

static void enqueue_timer(struct timer_base *b, struct hrtimer *t)
{
	rb_add_cached(&t->node, &b->timers, timer_less, NULL);
	t->armed = true;
}

void hrtimer_start(struct hrtimer *t, u64 expires)
{
	unsigned long flags = irq_save();
	struct timer_base *old = &timer_bases[t->cpu], *b;

	/* A timer is armed on the CPU that last started it. */
	spin_lock(&old->lock);
	if (t->armed)
		dequeue_timer(old, t);
	spin_unlock(&old->lock);
	t->cpu = arch_cpu_id();
	b = &timer_bases[t->cpu];
	spin_lock(&b->lock);
	t->expires = expires;
	enqueue_timer(b, t);
	reprogram(b);
	spin_unlock(&b->lock);
	irq_restore(flags);
}

bool hrtimer_cancel(struct hrtimer *t)
{
	for (;;) {
		struct timer_base *b = &timer_bases[t->cpu];
		unsigned long flags = spin_lock_irqsave(&b->lock);
		bool was_armed = t->armed;

		if (b->running != t) {
			if (was_armed) {
				dequeue_timer(b, t);
				/* Only this CPU's hardware can be programmed from
				 * here; another CPU takes one early interrupt and
				 * irq_timer reprograms it from its tree. */
				if (b == &timer_bases[arch_cpu_id()])
					reprogram(b);
			}
			spin_unlock_irqrestore(&b->lock, flags);
			return was_armed;
		}
		/* Its callback runs on another CPU: wait it out. */
		spin_unlock_irqrestore(&b->lock, flags);
		while (READ_ONCE(b->running) == t)
			__asm__ __volatile__("" ::: "memory");
	}
}

u64 hrtimer_forward(struct hrtimer *t, u64 now, u64 period)
{
	u64 n;

	if (now < t->expires)
		return 0;
	n = (now - t->expires) / period + 1;
	t->expires += n * period;
	return n;
}

void hrtimer_for_each(void (*fn)(const struct hrtimer *t, void *arg), void *arg)
{
	for (unsigned cpu = 0; cpu < online_cpus(); cpu++) {
		struct timer_base *b = &timer_bases[cpu];
		unsigned long flags = spin_lock_irqsave(&b->lock);

		for (struct rb_node *n = rb_first_cached(&b->timers); n; n = rb_next(n))
			fn(rb_entry(n, struct hrtimer, node), arg);
		spin_unlock_irqrestore(&b->lock, flags);
	}
}

/* IRQ_TIMER: run every expired timer of this CPU, then program the next. */
static void irq_timer(void)
{
	struct timer_base *b = &timer_bases[arch_cpu_id()];
	struct rb_node *first;

	spin_lock(&b->lock);
	b->programmed = UINT64_MAX;	/* the one-shot has fired */
	while ((first = rb_first_cached(&b->timers))) {
		struct hrtimer *t = rb_entry(first, struct hrtimer, node);
		enum hrtimer_restart r;

		if (t->expires > ktime_get_ns())
			break;
		dequeue_timer(b, t);
		b->running = t;
		spin_unlock(&b->lock);
		TRACE(hrtimer_expire, t, t->fn);
		r = t->fn(t);
		spin_lock(&b->lock);
		b->running = NULL;
		/* The callback may have re-armed it itself: leave that alone. */
		if (r == HRTIMER_RESTART && !t->armed)
			enqueue_timer(b, t);
	}
	reprogram(b);
	spin_unlock(&b->lock);
}

void timers_start(void)
{
	irq_register(IRQ_TIMER, irq_timer);
}

/* ---- sleeping ------------------------------------------------------------ */

struct sleeper {
	struct hrtimer timer;
	struct task *task;
	bool fired;
};

static enum hrtimer_restart sleeper_wake(struct hrtimer *t)
{
	struct sleeper *s = container_of(t, struct sleeper, timer);

	s->fired = true;
	wake_up_task(s->task);
	return HRTIMER_NORESTART;
}

u64 schedule_timeout(u64 ns)
{
	struct sleeper s;
	u64 deadline, now;

	if (ns == TIMEOUT_INFINITE) {
		schedule();
		return ns;
	}
	now = ktime_get_ns();
	deadline = ns > UINT64_MAX - now ? UINT64_MAX - 1 : now + ns;
	hrtimer_init(&s.timer, sleeper_wake);
	s.task = current;
	s.fired = false;
	hrtimer_start(&s.timer, deadline);
	schedule();
	hrtimer_cancel(&s.timer);
	now = ktime_get_ns();
	return s.fired || now >= deadline ? 0 : deadline - now;
}

void nsleep(u64 ns)
{
	u64 deadline = ktime_get_ns() + ns, now;

	/* Wakeups for other reasons may end a sleep early: sleep the rest. */
	while ((now = ktime_get_ns()) < deadline) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout(deadline - now);
	}
}

void msleep(unsigned ms)
{
	nsleep((u64)ms * NSEC_PER_MSEC);
}
