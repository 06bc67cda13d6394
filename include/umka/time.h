/* Time: the monotonic clock and high-resolution one-shot timers.
 * Timers live in a per-CPU red-black tree ordered by expiry (with the
 * earliest cached), not a wheel: expiries are exact nanoseconds, the number
 * of armed timers is small, and the next deadline is always O(1) to program
 * into the arch's one-shot timer; insert and cancel are O(log n). */
#ifndef UMKA_TIME_H
#define UMKA_TIME_H

#include <umka/rbtree.h>
#include <umka/types.h>

enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };

struct hrtimer {
	struct rb_node node;	/* in the CPU's timer tree while armed */
	u64 expires;		/* absolute, ktime_get_ns() base */
	/* Runs in interrupt context; to restart, set expires and return
	 * HRTIMER_RESTART. */
	enum hrtimer_restart (*fn)(struct hrtimer *t);
	unsigned cpu;		/* whose tree it is in */
	bool armed;		/* under that CPU's timer lock */
	bool running;		/* callback executing */
};

static inline u64 ktime_get_ns(void)
{
	extern u64 arch_clock_ns(void);
	return arch_clock_ns();
}

/* Wall-clock time: UTC nanoseconds since 1970-01-01, kept as an offset from
 * the monotonic clock (so it moves with it and never needs a tick). 0 plus
 * the monotonic clock when the machine has no real-time clock. */
u64 ktime_get_real_ns(void);
/* Step the wall clock so that it reads real_ns now (boot, settimeofday). */
void clock_set_real_ns(u64 real_ns);
/* Seconds since 1970-01-01 UTC of a proleptic Gregorian date and time
 * (month 1..12, day 1..31); -1 if a field is out of range. For RTC drivers. */
s64 clock_civil_to_unix(unsigned year, unsigned month, unsigned day,
			unsigned hour, unsigned min, unsigned sec);

void timers_init(void);
/* Start taking timer interrupts on this CPU. */
void timers_start(void);
void hrtimer_init(struct hrtimer *t, enum hrtimer_restart (*fn)(struct hrtimer *t));
/* Arm (or re-arm) t to fire at the absolute time expires on this CPU. */
void hrtimer_start(struct hrtimer *t, u64 expires);
/* Disarm t; waits for a running callback to finish. True if it was armed. */
bool hrtimer_cancel(struct hrtimer *t);
/* Push expires forward by whole periods past now; returns periods skipped. */
u64 hrtimer_forward(struct hrtimer *t, u64 now, u64 period);
/* Call fn for every armed timer, CPU by CPU, under that CPU's timer lock
 * with interrupts off: fn must be quick, must not sleep or touch timers,
 * and must not keep t (it may be freed once the lock is dropped). */
void hrtimer_for_each(void (*fn)(const struct hrtimer *t, void *arg), void *arg);

/* Sleep in the calling task. */
void msleep(unsigned ms);
void nsleep(u64 ns);
/* Sleep until woken or ns pass; the caller has set its task state. Returns
 * the ns left (0 if the timeout expired). */
u64 schedule_timeout(u64 ns);

#define TIMEOUT_INFINITE UINT64_MAX

#endif
