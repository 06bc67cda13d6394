/* EEVDF fair scheduling class: virtual runtime, lag against the load-weighted
 * average, virtual deadlines, and an O(log n) earliest-eligible-deadline pick
 * over a vruntime-ordered tree augmented with each subtree's minimum deadline.
 * Interface and locking rules are in <umka/sched_fair.h>. */
#include <umka/sched_fair.h>

/* Each nice step is about a 10% change in CPU share against a nice-0 peer,
 * hence the ~1.25 ratio between neighbours; nice 0 is NICE_0_WEIGHT. */
const unsigned long nice_to_weight[40] = {
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */ 9548, 7620, 6100, 4904, 3906,
	/*  -5 */ 3121, 2501, 1991, 1586, 1277,
	/*   0 */ 1024, 820, 655, 526, 423,
	/*   5 */ 335, 272, 215, 172, 137,
	/*  10 */ 110, 87, 70, 56, 45,
	/*  15 */ 36, 29, 23, 18, 15,
};

/*
 * Virtual times are u64 and may wrap (the rq starts just below the wrap point
 * so that path is always exercised); only differences are meaningful, and
 * they stay far below 2^63 for any realistic load.
 */
static inline bool vt_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static inline struct sched_entity *node_se(const struct rb_node *n)
{
	return rb_entry((struct rb_node *)n, struct sched_entity, node);
}

static unsigned long weight_of_nice(int nice)
{
	return nice_to_weight[CLAMP(nice, NICE_MIN, NICE_MAX) - NICE_MIN];
}

/*
 * Exact floor(delta * NICE_0_WEIGHT / weight). Splitting delta by weight
 * first keeps every intermediate below 2^64 for any delta whose result fits,
 * and exactness means the result does not depend on how time was sliced up.
 */
static u64 calc_vdelta(u64 delta, unsigned long weight)
{
	u64 q, r;

	if (weight == NICE_0_WEIGHT)
		return delta;
	q = delta / weight;
	r = delta % weight;
	return q * NICE_0_WEIGHT + r * NICE_0_WEIGHT / weight;
}

/* Position relative to min_vruntime: small and signed, so it can be weighted
 * and summed without overflow. */
static inline s64 entity_key(const struct fair_rq *rq, const struct sched_entity *se)
{
	return (s64)(se->vruntime - rq->min_vruntime);
}

static bool min_deadline_update(struct rb_node *n)
{
	struct sched_entity *se = node_se(n);
	u64 md = se->deadline;

	if (n->left && vt_before(node_se(n->left)->min_deadline, md))
		md = node_se(n->left)->min_deadline;
	if (n->right && vt_before(node_se(n->right)->min_deadline, md))
		md = node_se(n->right)->min_deadline;
	if (md == se->min_deadline)
		return false;
	se->min_deadline = md;
	return true;
}

static const struct rb_augment min_deadline_aug = {
	.update = min_deadline_update,
};

static bool entity_less(const struct rb_node *a, const struct rb_node *b)
{
	return vt_before(node_se(a)->vruntime, node_se(b)->vruntime);
}

/* The tree and the weighted sums always describe the same set of entities. */
static void tree_add(struct fair_rq *rq, struct sched_entity *se)
{
	rq->avg_vruntime += entity_key(rq, se) * (s64)se->weight;
	rq->avg_load += se->weight;
	rb_add_cached(&se->node, &rq->timeline, entity_less, &min_deadline_aug);
}

static void tree_del(struct fair_rq *rq, struct sched_entity *se)
{
	rb_erase_cached(&rq->timeline, &se->node, &min_deadline_aug);
	rq->avg_vruntime -= entity_key(rq, se) * (s64)se->weight;
	rq->avg_load -= se->weight;
}

static struct sched_entity *first_entity(const struct fair_rq *rq)
{
	return rb_entry_safe(rb_first_cached(&rq->timeline), struct sched_entity, node);
}

/*
 * min_vruntime only moves forward, following the smaller of curr and the
 * leftmost queued entity. The weighted sum is relative to it, so a move of
 * delta shifts every queued key down by delta.
 */
static void update_min_vruntime(struct fair_rq *rq)
{
	struct sched_entity *left = first_entity(rq);
	u64 v;

	if (rq->curr) {
		v = rq->curr->vruntime;
		if (left && vt_before(left->vruntime, v))
			v = left->vruntime;
	} else if (left) {
		v = left->vruntime;
	} else {
		return;
	}

	if (vt_before(rq->min_vruntime, v)) {
		rq->avg_vruntime -= (s64)(v - rq->min_vruntime) * (s64)rq->avg_load;
		rq->min_vruntime = v;
	}
}

/* Weighted sum and load of everything runnable: the tree plus curr. */
static void runnable_sums(const struct fair_rq *rq, s64 *sum, s64 *load)
{
	*sum = rq->avg_vruntime;
	*load = (s64)rq->avg_load;
	if (rq->curr) {
		*sum += entity_key(rq, rq->curr) * (s64)rq->curr->weight;
		*load += (s64)rq->curr->weight;
	}
}

u64 fair_avg_vruntime(const struct fair_rq *rq)
{
	s64 sum, load;

	runnable_sums(rq, &sum, &load);
	if (load) {
		/* Round towards minus infinity whatever the sign, so the
		 * result does not depend on where min_vruntime sits. */
		if (sum < 0)
			sum -= load - 1;
		sum /= load;
	}
	return rq->min_vruntime + (u64)sum;
}

/* Lag >= 0, i.e. v <= sum/load, cross-multiplied to avoid the division. */
bool fair_eligible(const struct fair_rq *rq, const struct sched_entity *se)
{
	s64 sum, load;

	runnable_sums(rq, &sum, &load);
	return entity_key(rq, se) * load <= sum;
}

void fair_rq_init(struct fair_rq *rq)
{
	rq->timeline = RB_ROOT_CACHED;
	rq->curr = NULL;
	rq->min_vruntime = (u64)-(1LL << 20);
	rq->avg_vruntime = 0;
	rq->avg_load = 0;
	rq->nr_running = 0;
	rq->resched = false;
}

void fair_entity_init(struct sched_entity *se, int nice)
{
	rb_clear_node(&se->node);
	se->vruntime = 0;
	se->deadline = 0;
	se->min_deadline = 0;
	se->vlag = 0;
	se->slice = FAIR_BASE_SLICE_NS;
	se->nice = CLAMP(nice, NICE_MIN, NICE_MAX);
	se->weight = weight_of_nice(se->nice);
	se->on_rq = false;
	se->exec_start = 0;
	se->sum_exec_runtime = 0;
}

static bool update_curr(struct fair_rq *rq, u64 now)
{
	struct sched_entity *curr = rq->curr;
	s64 delta;

	if (!curr)
		return false;
	delta = (s64)(now - curr->exec_start);
	if (delta <= 0)
		return rq->resched;

	curr->exec_start = now;
	curr->sum_exec_runtime += (u64)delta;
	curr->vruntime += calc_vdelta((u64)delta, curr->weight);

	if (!vt_before(curr->vruntime, curr->deadline)) {
		curr->deadline = curr->vruntime + calc_vdelta(curr->slice, curr->weight);
		/* Alone it would just be picked again. */
		if (rq->nr_running > 1)
			rq->resched = true;
	}
	update_min_vruntime(rq);
	return rq->resched;
}

bool fair_update_curr(struct fair_rq *rq, u64 now)
{
	return update_curr(rq, now);
}

/*
 * Put se where its saved lag says: V - vlag. Joining raises the total load,
 * which drags V towards se by vlag*w/(W+w); pre-scaling by (W+w)/W makes the
 * lag come out as saved once se is counted in the average.
 */
static void place_entity(struct fair_rq *rq, struct sched_entity *se, bool initial)
{
	u64 vslice = calc_vdelta(se->slice, se->weight);
	s64 lag = 0;

	if (!initial && rq->nr_running) {
		s64 load = (s64)rq->avg_load;

		if (rq->curr)
			load += (s64)rq->curr->weight;
		lag = se->vlag * (load + (s64)se->weight) / load;
	}
	se->vruntime = fair_avg_vruntime(rq) - (u64)lag;

	/* A newcomer has no history to justify a full request; half a slice
	 * gets it started soon without letting fork storms starve others. */
	if (initial)
		vslice /= 2;
	se->deadline = se->vruntime + vslice;
}

void fair_enqueue(struct fair_rq *rq, struct sched_entity *se, bool initial, u64 now)
{
	if (se->on_rq)
		return;
	update_curr(rq, now);
	if (initial)
		se->vlag = 0;
	place_entity(rq, se, initial);
	se->on_rq = true;
	rq->nr_running++;
	tree_add(rq, se);
}

/* Lag is bounded so a long sleeper cannot bank unlimited credit (or debt):
 * about two slices, or a tick if that is longer. */
static void save_lag(struct fair_rq *rq, struct sched_entity *se)
{
	u64 span = MAX(2 * se->slice, FAIR_TICK_NS);
	s64 limit = (s64)calc_vdelta(span, se->weight);
	s64 lag = (s64)(fair_avg_vruntime(rq) - se->vruntime);

	se->vlag = CLAMP(lag, -limit, limit);
}

void fair_dequeue(struct fair_rq *rq, struct sched_entity *se, bool sleep, u64 now)
{
	if (!se->on_rq)
		return;
	update_curr(rq, now);
	if (sleep)
		save_lag(rq, se);
	else
		se->vlag = 0;

	if (se == rq->curr) {
		rq->curr = NULL;
		rq->resched = false;
	} else {
		tree_del(rq, se);
	}
	se->on_rq = false;
	rq->nr_running--;
	update_min_vruntime(rq);
}

static inline u64 se_deadline(const struct rb_node *n)
{
	return node_se(n)->deadline;
}

static inline u64 se_min_deadline(const struct rb_node *n)
{
	return node_se(n)->min_deadline;
}

/* Leftmost node under n whose own deadline is n's subtree minimum. */
static struct sched_entity *find_min_deadline(struct rb_node *n)
{
	u64 target = se_min_deadline(n);

	while (n) {
		if (n->left && se_min_deadline(n->left) == target)
			n = n->left;
		else if (se_deadline(n) == target)
			return node_se(n);
		else
			n = n->right;
	}
	return NULL;	/* only if the augmentation were corrupt */
}

/*
 * Eligibility is monotonic in vruntime, so the eligible entities are a prefix
 * of the tree's order. Walking down: an ineligible node rules out itself and
 * its right subtree; an eligible one makes itself and its whole left subtree
 * eligible, whose best deadline is known from min_deadline without entering.
 * Candidates are met in tree order and only a strictly earlier deadline
 * replaces the best, so ties go to curr, then to the leftmost entity.
 */
static struct sched_entity *pick_eevdf(struct fair_rq *rq)
{
	struct rb_node *n = rq->timeline.root.node;
	struct sched_entity *curr = rq->curr, *best = NULL;
	struct rb_node *best_sub = NULL;	/* subtree holding the best */
	u64 best_dl = 0;

	if (curr && fair_eligible(rq, curr)) {
		best = curr;
		best_dl = curr->deadline;
	}

	while (n) {
		struct sched_entity *se = node_se(n);

		if (!fair_eligible(rq, se)) {
			n = n->left;
			continue;
		}
		if (n->left && ((!best && !best_sub) ||
				vt_before(se_min_deadline(n->left), best_dl))) {
			best_sub = n->left;
			best = NULL;
			best_dl = se_min_deadline(n->left);
		}
		if ((!best && !best_sub) || vt_before(se->deadline, best_dl)) {
			best = se;
			best_sub = NULL;
			best_dl = se->deadline;
		}
		/* Nothing further right can do strictly better than n's
		 * subtree minimum, which has now been accounted for. */
		if (n->left && se_min_deadline(n->left) == se->min_deadline)
			break;
		if (se->deadline == se->min_deadline)
			break;
		n = n->right;
	}

	if (best_sub)
		best = find_min_deadline(best_sub);
	/* Exact sums make the leftmost always eligible; this is a backstop. */
	if (!best)
		best = first_entity(rq) ? first_entity(rq) : curr;
	return best;
}

struct sched_entity *fair_pick_next(struct fair_rq *rq, u64 now)
{
	struct sched_entity *curr = rq->curr, *se;

	if (!rq->nr_running)
		return NULL;
	update_curr(rq, now);
	se = pick_eevdf(rq);
	if (se != curr) {
		if (curr)
			tree_add(rq, curr);
		tree_del(rq, se);
		rq->curr = se;
		se->exec_start = now;
	}
	rq->resched = false;
	return se;
}

void fair_put_prev(struct fair_rq *rq, struct sched_entity *se, u64 now)
{
	if (se != rq->curr)
		return;
	update_curr(rq, now);
	rq->curr = NULL;
	rq->resched = false;
	tree_add(rq, se);
}

void fair_yield(struct fair_rq *rq, struct sched_entity *se, u64 now)
{
	if (se != rq->curr)
		return;
	update_curr(rq, now);
	/* Give up the rest of this request: a later deadline lets every
	 * eligible peer with an earlier one go first. */
	se->deadline += calc_vdelta(se->slice, se->weight);
}

bool fair_wakeup_preempt(struct fair_rq *rq, struct sched_entity *se, u64 now)
{
	struct sched_entity *curr = rq->curr;

	if (!curr)
		return true;
	if (update_curr(rq, now))
		return true;
	if (se == curr)
		return false;
	if (!fair_eligible(rq, curr))
		return true;
	return fair_eligible(rq, se) && vt_before(se->deadline, curr->deadline);
}

/*
 * Lag is w * (V - v) in wall-clock terms; keeping it means scaling the
 * virtual lag by old/new weight, and likewise the virtual distance still to
 * go to the deadline. Placing v' = V - vlag' leaves V itself unchanged
 * (exactly, up to integer rounding), so nobody else's lag moves either.
 */
void fair_set_nice(struct fair_rq *rq, struct sched_entity *se, int nice)
{
	unsigned long old_w = se->weight, new_w;
	bool queued;
	s64 lag, rdl;
	u64 avg;

	nice = CLAMP(nice, NICE_MIN, NICE_MAX);
	new_w = weight_of_nice(nice);
	se->nice = nice;
	if (new_w == old_w)
		return;

	if (!se->on_rq) {
		se->vlag = se->vlag * (s64)old_w / (s64)new_w;
		se->weight = new_w;
		return;
	}

	avg = fair_avg_vruntime(rq);
	lag = (s64)(avg - se->vruntime);
	rdl = (s64)(se->deadline - se->vruntime);
	/* The tree is keyed by vruntime and the sums by weight: both change,
	 * so take se out while they do. */
	queued = se != rq->curr;
	if (queued)
		tree_del(rq, se);

	lag = lag * (s64)old_w / (s64)new_w;
	rdl = rdl * (s64)old_w / (s64)new_w;
	se->weight = new_w;
	se->vruntime = avg - (u64)lag;
	se->deadline = se->vruntime + (u64)rdl;

	if (queued)
		tree_add(rq, se);
}
