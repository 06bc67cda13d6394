/* EEVDF fair scheduling class (Linux 6.6+ semantics): per-entity vruntime,
 * lag, eligibility against the load-weighted average vruntime, and virtual
 * deadlines; the pick is the eligible entity with the earliest deadline.
 * Pure data-structure code: no locks, no clock reads. The scheduler core
 * holds the runqueue lock and passes the time in. */
#ifndef UMKA_SCHED_FAIR_H
#define UMKA_SCHED_FAIR_H

#include <umka/rbtree.h>
#include <umka/types.h>

#define NICE_MIN (-20)
#define NICE_MAX 19
#define NICE_0_WEIGHT 1024UL
/* Base time slice (wall-clock ns at nice 0), as Linux's base_slice default. */
#define FAIR_BASE_SLICE_NS 750000ULL
#define FAIR_TICK_NS 1000000ULL

struct sched_entity {
	struct rb_node node;		/* in fair_rq.timeline while queued, not running */
	u64 vruntime;			/* virtual time received */
	u64 deadline;			/* virtual deadline = vruntime + slice/weight */
	u64 min_deadline;		/* earliest deadline in this subtree (augment) */
	s64 vlag;			/* lag carried across sleep */
	u64 slice;			/* requested slice, wall-clock ns */
	unsigned long weight;		/* from the nice table */
	int nice;
	bool on_rq;			/* queued or running on the rq */
	u64 exec_start;			/* clock when it last started running */
	u64 sum_exec_runtime;		/* total ns run */
};

struct fair_rq {
	struct rb_root_cached timeline;	/* queued entities by vruntime; not curr */
	struct sched_entity *curr;	/* running entity (out of the tree), or NULL */
	u64 min_vruntime;		/* monotonic base for the relative sums below */
	s64 avg_vruntime;		/* sum w_i * (v_i - min_vruntime), queued only */
	unsigned long avg_load;		/* sum w_i, queued only */
	unsigned nr_running;		/* queued + curr */
	bool resched;			/* curr's slice ran out while others wait;
					 * cleared when curr is picked or leaves */
};

extern const unsigned long nice_to_weight[40];

void fair_rq_init(struct fair_rq *rq);
void fair_entity_init(struct sched_entity *se, int nice);
/* Change nice; works whether or not se is queued or running. Lag and the
 * remaining part of the deadline keep their wall-clock meaning. If se is curr,
 * call fair_update_curr first so the time it already ran is charged at the
 * old weight. rq may be NULL when se is not on a runqueue. */
void fair_set_nice(struct fair_rq *rq, struct sched_entity *se, int nice);

/* Charge curr for the time since exec_start; returns true when curr has used
 * its slice (deadline reached) while another entity is runnable, and the
 * caller should reschedule. The answer stays true (rq->resched) until the
 * next pick, so a deadline hit inside enqueue/dequeue is not lost. */
bool fair_update_curr(struct fair_rq *rq, u64 now);

/* Enqueue a runnable entity. `initial` is true for a new task (placed with
 * half a slice of deadline, as Linux's PLACE_DEADLINE_INITIAL); otherwise it
 * is a wakeup and its saved vlag is restored (scaled for the load change). */
void fair_enqueue(struct fair_rq *rq, struct sched_entity *se, bool initial, u64 now);
/* Remove se (queued or curr). `sleep` saves its lag, clamped, for wakeup;
 * otherwise the lag is dropped (vlag = 0). Removing curr clears rq->curr, so
 * fair_put_prev is then not needed (and is a no-op if called). */
void fair_dequeue(struct fair_rq *rq, struct sched_entity *se, bool sleep, u64 now);

/* Choose the next entity: the eligible one with the earliest deadline (curr
 * counts if still runnable). Makes it curr, taking it out of the tree.
 * Returns NULL if nothing is runnable. The previous curr may be put back first
 * (fair_put_prev); if it is still curr it competes, winning ties, and is put
 * back into the tree automatically when something else is chosen. */
struct sched_entity *fair_pick_next(struct fair_rq *rq, u64 now);
/* Curr stops running but stays runnable: back into the tree. */
void fair_put_prev(struct fair_rq *rq, struct sched_entity *se, u64 now);

/* The running se yields: its deadline moves one slice later. */
void fair_yield(struct fair_rq *rq, struct sched_entity *se, u64 now);

/* Should a just-woken (already enqueued) se preempt curr? (se eligible with an
 * earlier deadline, or curr no longer eligible, or curr's slice ran out.)
 * True as well when there is no fair curr. */
bool fair_wakeup_preempt(struct fair_rq *rq, struct sched_entity *se, u64 now);

u64 fair_avg_vruntime(const struct fair_rq *rq);
bool fair_eligible(const struct fair_rq *rq, const struct sched_entity *se);

#endif
