/* Real-time class: SCHED_FIFO and SCHED_RR, priorities 1..99 (higher wins).
 * One FIFO list per priority and a bitmap of non-empty lists make every
 * operation O(1). FIFO runs until it blocks or yields; RR also rotates to
 * the tail of its priority after RR_TIMESLICE_NS. */
#include "sched_internal.h"

void rt_rq_init(struct rt_rq *rt)
{
	for (unsigned i = 0; i <= RT_PRIO_MAX; i++)
		list_init(&rt->queue[i]);
	rt->bitmap[0] = rt->bitmap[1] = 0;
	rt->nr = 0;
}

static void rt_queue(struct rt_rq *rt, struct task *t, bool head)
{
	unsigned p = (unsigned)t->rt_prio;

	if (head)
		list_add(&t->rt_node, &rt->queue[p]);
	else
		list_add_tail(&t->rt_node, &rt->queue[p]);
	rt->bitmap[p / 64] |= 1ULL << (p % 64);
}

static void rt_unqueue(struct rt_rq *rt, struct task *t)
{
	unsigned p = (unsigned)t->rt_prio;

	list_del_init(&t->rt_node);
	if (list_empty(&rt->queue[p]))
		rt->bitmap[p / 64] &= ~(1ULL << (p % 64));
}

static void rt_enqueue(struct rq *rq, struct task *t, bool initial)
{
	if (initial || !t->rr_left)
		t->rr_left = RR_TIMESLICE_NS;
	rt_queue(&rq->rt, t, false);
	rq->rt.nr++;
}

static void rt_dequeue(struct rq *rq, struct task *t, bool sleep)
{
	/* The running task is not in a list (pick_next took it out). */
	if (!list_empty(&t->rt_node))
		rt_unqueue(&rq->rt, t);
	rq->rt.nr--;
}

static struct task *rt_pick_next(struct rq *rq)
{
	struct rt_rq *rt = &rq->rt;
	unsigned p;
	struct task *t;

	if (rt->bitmap[1])
		p = 64 + 63 - (unsigned)__builtin_clzll(rt->bitmap[1]);
	else if (rt->bitmap[0])
		p = 63 - (unsigned)__builtin_clzll(rt->bitmap[0]);
	else
		return NULL;
	t = list_first_entry(&rt->queue[p], struct task, rt_node);
	rt_unqueue(rt, t);
	return t;
}

/* A preempted RT task keeps its place at the head of its priority; one
 * that used up its RR slice or yielded goes to the tail. */
static void rt_put_prev(struct rq *rq, struct task *t)
{
	rt_queue(&rq->rt, t, t->rr_left != 0);
	if (!t->rr_left)
		t->rr_left = RR_TIMESLICE_NS;
}

static bool rt_tick(struct rq *rq, struct task *t)
{
	if (t->policy != SCHED_RR)
		return false;
	if (t->rr_left > FAIR_TICK_NS) {
		t->rr_left -= FAIR_TICK_NS;
		return false;
	}
	t->rr_left = 0;
	/* Rotate only if a peer of the same priority is waiting. */
	return !list_empty(&rq->rt.queue[t->rt_prio]);
}

static bool rt_wakeup_preempt(struct rq *rq, struct task *t)
{
	return t->rt_prio > rq->curr->rt_prio;
}

static void rt_yield(struct rq *rq, struct task *t)
{
	t->rr_left = 0;
}

const struct sched_class rt_class = {
	.name = "rt",
	.enqueue = rt_enqueue,
	.dequeue = rt_dequeue,
	.pick_next = rt_pick_next,
	.put_prev = rt_put_prev,
	.tick = rt_tick,
	.wakeup_preempt = rt_wakeup_preempt,
	.yield = rt_yield,
	.rank = 2,
};
