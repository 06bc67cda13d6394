/* Tests for the EEVDF fair class (src/kernel/sched_fair.c): targeted cases,
 * long-run CPU shares, and a lock-step comparison against a deliberately
 * naive reference model (arrays, linear scans, 128-bit exact arithmetic). */
#include <check.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umka/sched_fair.h>

#include "ck_run.h"

typedef __int128 i128;

#define MAXT 32
#define US 1000ULL
#define MS 1000000ULL

/* ---- deterministic PRNG (splitmix64), so every failure replays ---- */

static u64 rng_state;

static u64 rnd(void)
{
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform-enough integer in [lo, hi]. */
static u64 rnd_range(u64 lo, u64 hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static int rnd_nice(void)
{
	return (int)rnd_range(0, 39) - 20;
}

/* ---- the reference model ---- */

/* Typed in again independently; test_weight_table checks both agree. */
static const u64 model_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
};

struct mtask {
	i128 v, d;		/* unwrapped virtual runtime and deadline */
	s64 vlag;
	u64 w, slice, exec_start, sum_exec;
	u64 seq;		/* order of entry into the queue, breaks vruntime ties */
	bool on_rq;
};

struct model {
	struct mtask t[MAXT];
	int n;
	int curr;		/* index, or -1 */
	i128 min;
	unsigned nr;
	bool resched;
	u64 seq;
};

static i128 m_vdelta(u64 x, u64 w)
{
	return (i128)x * 1024 / (i128)w;
}

static i128 floor_div(i128 a, i128 b)
{
	i128 q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	return q;
}

static void m_init(struct model *m, int n)
{
	memset(m, 0, sizeof(*m));
	m->n = n;
	m->curr = -1;
	m->min = ((i128)1 << 64) - ((i128)1 << 20);
}

static void m_task_init(struct model *m, int i, int nice)
{
	memset(&m->t[i], 0, sizeof(m->t[i]));
	m->t[i].w = model_weight[nice + 20];
	m->t[i].slice = 750000;
}

/* Weighted sum and total weight of every runnable task, curr included. */
static void m_sums(const struct model *m, i128 *s, i128 *w)
{
	*s = 0;
	*w = 0;
	for (int i = 0; i < m->n; i++) {
		if (!m->t[i].on_rq)
			continue;
		*s += (i128)m->t[i].w * (m->t[i].v - m->min);
		*w += m->t[i].w;
	}
}

static i128 m_avg(const struct model *m)
{
	i128 s, w;

	m_sums(m, &s, &w);
	return w ? m->min + floor_div(s, w) : m->min;
}

static bool m_eligible(const struct model *m, int i)
{
	i128 s, w;

	m_sums(m, &s, &w);
	return (m->t[i].v - m->min) * w <= s;
}

static bool m_queued(const struct model *m, int i)
{
	return m->t[i].on_rq && i != m->curr;
}

/* Queue order: vruntime, then first come first served. */
static bool m_before(const struct model *m, int a, int b)
{
	if (m->t[a].v != m->t[b].v)
		return m->t[a].v < m->t[b].v;
	return m->t[a].seq < m->t[b].seq;
}

static int m_leftmost(const struct model *m)
{
	int best = -1;

	for (int i = 0; i < m->n; i++)
		if (m_queued(m, i) && (best < 0 || m_before(m, i, best)))
			best = i;
	return best;
}

static void m_update_min(struct model *m)
{
	int left = m_leftmost(m);
	bool have = false;
	i128 v = 0;

	if (m->curr >= 0) {
		v = m->t[m->curr].v;
		have = true;
	}
	if (left >= 0 && (!have || m->t[left].v < v)) {
		v = m->t[left].v;
		have = true;
	}
	if (have && v > m->min)
		m->min = v;
}

static bool m_update_curr(struct model *m, u64 now)
{
	struct mtask *c;
	s64 delta;

	if (m->curr < 0)
		return false;
	c = &m->t[m->curr];
	delta = (s64)(now - c->exec_start);
	if (delta > 0) {
		c->exec_start = now;
		c->sum_exec += (u64)delta;
		c->v += m_vdelta((u64)delta, c->w);
		if (c->v >= c->d) {
			c->d = c->v + m_vdelta(c->slice, c->w);
			if (m->nr > 1)
				m->resched = true;
		}
		m_update_min(m);
	}
	return m->resched;
}

static void m_enqueue(struct model *m, int i, bool initial, u64 now)
{
	struct mtask *t = &m->t[i];
	i128 vs, lag = 0;

	m_update_curr(m, now);
	if (initial)
		t->vlag = 0;
	vs = m_vdelta(t->slice, t->w);
	if (!initial && m->nr) {
		i128 s, load;

		m_sums(m, &s, &load);
		lag = (i128)t->vlag * (load + t->w) / load;
	}
	t->v = m_avg(m) - lag;
	if (initial)
		vs /= 2;
	t->d = t->v + vs;
	t->on_rq = true;
	t->seq = ++m->seq;
	m->nr++;
}

static void m_dequeue(struct model *m, int i, bool sleep, u64 now)
{
	struct mtask *t = &m->t[i];

	m_update_curr(m, now);
	if (sleep) {
		i128 lag = m_avg(m) - t->v;
		u64 span = 2 * t->slice > 1000000 ? 2 * t->slice : 1000000;
		i128 lim = m_vdelta(span, t->w);

		t->vlag = (s64)(lag > lim ? lim : lag < -lim ? -lim : lag);
	} else {
		t->vlag = 0;
	}
	if (m->curr == i) {
		m->curr = -1;
		m->resched = false;
	}
	t->on_rq = false;
	m->nr--;
	m_update_min(m);
}

static int m_pick(struct model *m, u64 now)
{
	int best = -1;

	if (!m->nr)
		return -1;
	m_update_curr(m, now);
	if (m->curr >= 0 && m_eligible(m, m->curr))
		best = m->curr;
	for (int i = 0; i < m->n; i++) {
		if (!m_queued(m, i) || !m_eligible(m, i))
			continue;
		if (best < 0 || m->t[i].d < m->t[best].d ||
		    (m->t[i].d == m->t[best].d && best != m->curr && m_before(m, i, best)))
			best = i;
	}
	if (best < 0)
		best = m_leftmost(m);
	if (best < 0)
		best = m->curr;
	if (best != m->curr) {
		if (m->curr >= 0)
			m->t[m->curr].seq = ++m->seq;
		m->curr = best;
		m->t[best].exec_start = now;
	}
	m->resched = false;
	return best;
}

static void m_put_prev(struct model *m, int i, u64 now)
{
	if (i != m->curr)
		return;
	m_update_curr(m, now);
	m->curr = -1;
	m->resched = false;
	m->t[i].seq = ++m->seq;
}

static bool m_wakeup_preempt(struct model *m, int i, u64 now)
{
	int c = m->curr;

	if (c < 0)
		return true;
	if (m_update_curr(m, now))
		return true;
	if (i == c)
		return false;
	if (!m_eligible(m, c))
		return true;
	return m_eligible(m, i) && m->t[i].d < m->t[c].d;
}

static void m_set_nice(struct model *m, int i, int nice)
{
	struct mtask *t = &m->t[i];
	u64 nw = model_weight[nice + 20];
	i128 avg, lag, rdl;

	if (nw == t->w)
		return;
	if (!t->on_rq) {
		t->vlag = (s64)((i128)t->vlag * t->w / nw);
		t->w = nw;
		return;
	}
	avg = m_avg(m);
	lag = (avg - t->v) * t->w / nw;
	rdl = (t->d - t->v) * t->w / nw;
	t->w = nw;
	t->v = avg - lag;
	t->d = t->v + rdl;
	if (i != m->curr)
		t->seq = ++m->seq;
}

/* ---- helpers on the real thing ---- */

static bool se_less(const struct rb_node *a, const struct rb_node *b)
{
	const struct sched_entity *x = rb_entry(a, struct sched_entity, node);
	const struct sched_entity *y = rb_entry(b, struct sched_entity, node);

	return (s64)(x->vruntime - y->vruntime) < 0;
}

/* Recomputes every min_deadline bottom-up; returns false on a stale one. */
static bool check_aug(const struct rb_node *n, u64 *min_out)
{
	const struct sched_entity *se;
	u64 md, sub;

	if (!n)
		return true;
	se = rb_entry(n, struct sched_entity, node);
	md = se->deadline;
	if (n->left) {
		if (!check_aug(n->left, &sub))
			return false;
		if ((s64)(sub - md) < 0)
			md = sub;
	}
	if (n->right) {
		if (!check_aug(n->right, &sub))
			return false;
		if ((s64)(sub - md) < 0)
			md = sub;
	}
	*min_out = md;
	return md == se->min_deadline;
}

static bool tree_ok(const struct fair_rq *rq, long expect)
{
	u64 md;

	if (rb_validate(&rq->timeline.root, se_less) != expect)
		return false;
	if (rq->timeline.leftmost != rb_first(&rq->timeline.root))
		return false;
	return check_aug(rq->timeline.root.node, &md);
}

/* ---- lock-step comparison ---- */

enum { T_NEW, T_RUN, T_OFF };

struct sim {
	struct fair_rq rq;
	struct sched_entity se[MAXT];
	struct model m;
	int state[MAXT];
	u64 now;
	u64 seed;
	int set, step;
	unsigned long picks;
	unsigned long deep;	/* picks that were not simply the lowest vruntime */
};

static void sim_fail(const struct sim *s, const char *fmt, ...) __printf(2, 3);

static void sim_fail(const struct sim *s, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "EEVDF model mismatch: seed %" PRIu64 " set %d step %d: %s\n",
		s->seed, s->set, s->step, buf);
	ck_abort_msg("seed %" PRIu64 " set %d step %d: %s", s->seed, s->set, s->step, buf);
}

static int se_index(const struct sim *s, const struct sched_entity *se)
{
	return se ? (int)(se - s->se) : -1;
}

static void sim_compare(struct sim *s)
{
	const struct model *m = &s->m;
	unsigned long load = 0;
	long queued = 0;

	if (se_index(s, s->rq.curr) != m->curr)
		sim_fail(s, "curr %d, model %d", se_index(s, s->rq.curr), m->curr);
	if (s->rq.min_vruntime != (u64)m->min)
		sim_fail(s, "min_vruntime %" PRIu64 ", model %" PRIu64,
			 s->rq.min_vruntime, (u64)m->min);
	if (s->rq.nr_running != m->nr)
		sim_fail(s, "nr_running %u, model %u", s->rq.nr_running, m->nr);
	if (s->rq.resched != m->resched)
		sim_fail(s, "resched %d, model %d", s->rq.resched, m->resched);
	if (fair_avg_vruntime(&s->rq) != (u64)m_avg(m))
		sim_fail(s, "avg_vruntime differs");
	for (int i = 0; i < m->n; i++) {
		const struct sched_entity *se = &s->se[i];
		const struct mtask *t = &m->t[i];

		if (se->on_rq != t->on_rq || se->weight != t->w)
			sim_fail(s, "task %d on_rq/weight", i);
		if (se->vruntime != (u64)t->v || se->deadline != (u64)t->d)
			sim_fail(s, "task %d vruntime %" PRIu64 "/%" PRIu64
				 " deadline %" PRIu64 "/%" PRIu64, i, se->vruntime,
				 (u64)t->v, se->deadline, (u64)t->d);
		if (se->vlag != t->vlag || se->sum_exec_runtime != t->sum_exec)
			sim_fail(s, "task %d vlag %" PRId64 "/%" PRId64 " or runtime", i,
				 se->vlag, t->vlag);
		if (se->on_rq && fair_eligible(&s->rq, se) != m_eligible(m, i))
			sim_fail(s, "task %d eligibility", i);
		if (m_queued(m, i)) {
			queued++;
			load += t->w;
		}
	}
	if (s->rq.avg_load != load)
		sim_fail(s, "avg_load %lu, model %lu", s->rq.avg_load, load);
	if (!tree_ok(&s->rq, queued))
		sim_fail(s, "tree or min_deadline augmentation broken");
}

static void sim_pick(struct sim *s)
{
	struct sched_entity *got;
	int want;

	/* Both call patterns the header allows: put curr back first, or
	 * let it compete from where it is. */
	if (s->rq.curr && (rnd() & 1)) {
		fair_put_prev(&s->rq, s->rq.curr, s->now);
		m_put_prev(&s->m, s->m.curr, s->now);
	}
	got = fair_pick_next(&s->rq, s->now);
	want = m_pick(&s->m, s->now);
	s->picks++;
	if (se_index(s, got) != want)
		sim_fail(s, "picked %d, model picked %d", se_index(s, got), want);
	for (int i = 0; want >= 0 && i < s->m.n; i++) {
		if (s->m.t[i].on_rq && s->m.t[i].v < s->m.t[want].v) {
			s->deep++;
			break;
		}
	}
}

/* A random task in the given driver state (T_RUN: queued, not curr), or -1. */
static int sim_choose(const struct sim *s, int state, bool allow_curr)
{
	int cand[MAXT], k = 0;

	for (int i = 0; i < s->m.n; i++) {
		if (s->state[i] != state)
			continue;
		if (!allow_curr && &s->se[i] == s->rq.curr)
			continue;
		cand[k++] = i;
	}
	return k ? cand[rnd() % (u64)k] : -1;
}

static u64 tick_len(void)
{
	u64 r = rnd() % 100;

	if (r < 30)
		return rnd_range(1, 100 * US);
	if (r < 85)
		return rnd_range(500 * US, 1500 * US);
	if (r < 99)
		return rnd_range(1 * MS, 10 * MS);
	return rnd_range(10 * MS, 60 * MS);
}

static void sim_wake(struct sim *s, int i, bool initial)
{
	bool got, want;

	fair_enqueue(&s->rq, &s->se[i], initial, s->now);
	m_enqueue(&s->m, i, initial, s->now);
	s->state[i] = T_RUN;
	got = fair_wakeup_preempt(&s->rq, &s->se[i], s->now);
	want = m_wakeup_preempt(&s->m, i, s->now);
	if (got != want)
		sim_fail(s, "wakeup_preempt(%d) %d, model %d", i, got, want);
	if (got)
		sim_pick(s);
}

static void sim_remove(struct sim *s, int i, bool sleep)
{
	bool was_curr = &s->se[i] == s->rq.curr;

	fair_dequeue(&s->rq, &s->se[i], sleep, s->now);
	m_dequeue(&s->m, i, sleep, s->now);
	s->state[i] = T_OFF;
	/* A put_prev after the dequeue must be harmless. */
	if (was_curr && (rnd() & 1))
		fair_put_prev(&s->rq, &s->se[i], s->now);
	if (was_curr)
		sim_pick(s);
}

static void sim_step(struct sim *s)
{
	u64 ev = rnd() % 100;
	int i;

	if (rnd() % 4 == 0)
		s->now += rnd_range(0, 50 * US);
	/* Keep the queue populated enough to be interesting. */
	if (s->rq.nr_running < 2 && ev >= 45)
		ev = rnd() % 2 ? 45 : 60;

	if (ev < 35) {
		bool got, want;

		s->now += tick_len();
		got = fair_update_curr(&s->rq, s->now);
		want = m_update_curr(&s->m, s->now);
		if (got != want)
			sim_fail(s, "update_curr %d, model %d", got, want);
		if (got)
			sim_pick(s);
	} else if (ev < 45) {
		i = se_index(s, s->rq.curr);
		if (i >= 0)
			sim_remove(s, i, true);
	} else if (ev < 60) {
		i = sim_choose(s, T_OFF, false);
		if (i >= 0)
			sim_wake(s, i, false);
	} else if (ev < 66) {
		i = sim_choose(s, T_NEW, false);
		if (i < 0) {
			/* Out of new tasks: one that is off exits and a new
			 * one reuses its slot. */
			i = sim_choose(s, T_OFF, false);
			if (i < 0)
				return;
			int nice = rnd_nice();

			fair_entity_init(&s->se[i], nice);
			m_task_init(&s->m, i, nice);
		}
		sim_wake(s, i, true);
	} else if (ev < 74) {
		int nice = rnd_nice();

		i = (int)(rnd() % (u64)s->m.n);
		if (&s->se[i] == s->rq.curr) {
			fair_update_curr(&s->rq, s->now);
			m_update_curr(&s->m, s->now);
		}
		fair_set_nice(&s->rq, &s->se[i], nice);
		m_set_nice(&s->m, i, nice);
	} else if (ev < 80) {
		i = sim_choose(s, T_RUN, true);
		if (i >= 0)
			sim_remove(s, i, false);
	} else if (ev < 86) {
		i = sim_choose(s, T_RUN, false);
		if (i >= 0)
			sim_remove(s, i, true);
	} else {
		sim_pick(s);
	}

	if (!s->rq.curr && s->rq.nr_running)
		sim_pick(s);
}

static unsigned long run_model_sets(u64 seed, int nsets, int nsteps, unsigned long *deep)
{
	static struct sim s;
	unsigned long picks = 0;

	*deep = 0;

	for (int set = 0; set < nsets; set++) {
		int n, palette[2];
		bool few;

		memset(&s, 0, sizeof(s));
		s.seed = seed;
		s.set = set;
		rng_state = seed * 1000003ULL + (u64)set;
		n = (int)rnd_range(2, MAXT);
		/* Every third set draws from two nice values only, so equal
		 * vruntimes and deadlines (the tie-breaking paths) are common. */
		few = set % 3 == 0;
		palette[0] = rnd() & 1 ? 0 : rnd_nice();
		palette[1] = rnd_nice();
		fair_rq_init(&s.rq);
		m_init(&s.m, n);
		for (int i = 0; i < n; i++) {
			int nice = few ? palette[rnd() & 1] : rnd_nice();

			fair_entity_init(&s.se[i], nice);
			m_task_init(&s.m, i, nice);
			s.state[i] = T_NEW;
		}
		s.now = rnd_range(0, 1000 * MS);
		for (s.step = 0; s.step < nsteps; s.step++) {
			sim_step(&s);
			sim_compare(&s);
		}
		picks += s.picks;
		*deep += s.deep;
	}
	return picks;
}

#define MODEL_SEED 20231030ULL
#define MODEL_SETS 300
#define MODEL_STEPS 1500

START_TEST(test_model_lockstep)
{
	unsigned long deep;
	unsigned long picks = run_model_sets(MODEL_SEED, MODEL_SETS, MODEL_STEPS, &deep);

	printf("model lock-step: %d task sets, %d steps each, %lu picks compared"
	       " (%lu not the lowest vruntime)\n", MODEL_SETS, MODEL_STEPS, picks, deep);
	ck_assert_uint_gt(picks, (unsigned long)MODEL_SETS * 100);
	ck_assert_uint_gt(deep, picks / 10);
}
END_TEST

/* ---- long-run CPU shares ---- */

/*
 * Runs always-runnable tasks for `span` of simulated time with ticks of
 * random length and returns the worst relative share error; *lag_out gets
 * the worst |received - fair| in ns, which EEVDF keeps bounded.
 */
static double run_shares(int n, const int *nice, u64 span, double *lag_out)
{
	static struct sched_entity se[MAXT];
	struct fair_rq rq;
	u64 now = 0, total = 0;
	double wsum = 0, worst = 0, worst_lag = 0;

	fair_rq_init(&rq);
	for (int i = 0; i < n; i++) {
		fair_entity_init(&se[i], nice[i]);
		fair_enqueue(&rq, &se[i], true, now);
		wsum += (double)se[i].weight;
	}
	fair_pick_next(&rq, now);
	while (now < span) {
		now += rnd_range(200 * US, 1800 * US);
		if (fair_update_curr(&rq, now)) {
			if (rnd() & 1)
				fair_put_prev(&rq, rq.curr, now);
			fair_pick_next(&rq, now);
		}
	}
	for (int i = 0; i < n; i++)
		total += se[i].sum_exec_runtime;
	ck_assert_uint_eq(total, now);
	for (int i = 0; i < n; i++) {
		double want = (double)total * (double)se[i].weight / wsum;
		double got = (double)se[i].sum_exec_runtime;
		double err = got > want ? got - want : want - got;

		if (err / want > worst)
			worst = err / want;
		if (err > worst_lag)
			worst_lag = err;
	}
	*lag_out = worst_lag;
	return worst;
}

START_TEST(test_cpu_shares)
{
	/* Lag is bounded by a few slices plus a tick however long the run;
	 * with ticks of up to 1.8 ms, 5 ms leaves a wide margin. */
	const double lag_bound = 5.0 * MS;
	int nice[MAXT];
	double lag;

	rng_state = 777;
	for (int set = 0; set < 12; set++) {
		int n = (int)rnd_range(2, 8);
		int base = (int)rnd_range(0, 29) - 20;
		double err;

		/* Nice values within ten steps of each other keep the
		 * smallest share large enough to measure to 1% in 10 s. */
		for (int i = 0; i < n; i++)
			nice[i] = base + (int)rnd_range(0, 9);
		err = run_shares(n, nice, 10ULL * NSEC_PER_SEC, &lag);
		ck_assert_msg(err < 0.01, "set %d: share error %.4f", set, err);
		ck_assert_msg(lag < lag_bound, "set %d: lag %.0f ns", set, lag);
	}

	/* Extremes, and a crowd: only the lag bound is meaningful here. */
	nice[0] = -20;
	nice[1] = 19;
	run_shares(2, nice, 20ULL * NSEC_PER_SEC, &lag);
	ck_assert_msg(lag < lag_bound, "extremes: lag %.0f ns", lag);
	for (int i = 0; i < MAXT; i++)
		nice[i] = rnd_nice();
	run_shares(MAXT, nice, 20ULL * NSEC_PER_SEC, &lag);
	ck_assert_msg(lag < lag_bound, "32 tasks: lag %.0f ns", lag);
}
END_TEST

/* ---- targeted cases ---- */

START_TEST(test_weight_table)
{
	struct sched_entity se;

	ck_assert_uint_eq(nice_to_weight[0], 88761);
	ck_assert_uint_eq(nice_to_weight[20], NICE_0_WEIGHT);
	ck_assert_uint_eq(nice_to_weight[39], 15);
	for (int i = 0; i < 40; i++) {
		ck_assert_uint_eq(nice_to_weight[i], model_weight[i]);
		if (i) {
			double r = (double)nice_to_weight[i - 1] / (double)nice_to_weight[i];

			ck_assert(r > 1.19 && r < 1.31);
		}
	}
	fair_entity_init(&se, -20);
	ck_assert_uint_eq(se.weight, 88761);
	fair_entity_init(&se, 19);
	ck_assert_uint_eq(se.weight, 15);
	fair_entity_init(&se, -99);
	ck_assert_int_eq(se.nice, NICE_MIN);
	ck_assert_uint_eq(se.weight, 88761);
	fair_entity_init(&se, 99);
	ck_assert_int_eq(se.nice, NICE_MAX);
	ck_assert_uint_eq(se.weight, 15);
	fair_entity_init(&se, 0);
	ck_assert_uint_eq(se.weight, 1024);
	ck_assert_uint_eq(se.slice, FAIR_BASE_SLICE_NS);
	ck_assert(!se.on_rq);
}
END_TEST

/* vruntime must advance by exactly delta*1024/w, even for huge deltas. */
START_TEST(test_vruntime_scaling)
{
	static const u64 deltas[] = { 1, 999, 1 * MS, 3 * NSEC_PER_SEC,
				      1ULL << 50, (1ULL << 53) + 12345 };
	static const int nices[] = { -20, -3, 0, 7, 19 };

	for (unsigned a = 0; a < ARRAY_SIZE(nices); a++) {
		for (unsigned b = 0; b < ARRAY_SIZE(deltas); b++) {
			struct fair_rq rq;
			struct sched_entity se;
			u64 v0;

			fair_rq_init(&rq);
			fair_entity_init(&se, nices[a]);
			fair_enqueue(&rq, &se, true, 0);
			ck_assert_ptr_eq(fair_pick_next(&rq, 0), &se);
			v0 = se.vruntime;
			fair_update_curr(&rq, deltas[b]);
			ck_assert_uint_eq(se.vruntime - v0,
					  (u64)((i128)deltas[b] * 1024 / se.weight));
			ck_assert_uint_eq(se.sum_exec_runtime, deltas[b]);
		}
	}
}
END_TEST

START_TEST(test_eligibility)
{
	struct fair_rq rq;
	struct sched_entity a, b, c;

	fair_rq_init(&rq);
	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_entity_init(&c, 5);
	fair_enqueue(&rq, &a, true, 0);
	fair_enqueue(&rq, &b, true, 0);
	/* Same place, zero lag: both eligible. */
	ck_assert(fair_eligible(&rq, &a) && fair_eligible(&rq, &b));
	ck_assert_uint_eq(a.vruntime, fair_avg_vruntime(&rq));

	ck_assert_ptr_eq(fair_pick_next(&rq, 0), &a);
	fair_update_curr(&rq, 100 * US);
	/* a ran ahead of the average: it owes time, b is owed. */
	ck_assert(!fair_eligible(&rq, &a));
	ck_assert(fair_eligible(&rq, &b));
	ck_assert_uint_eq(fair_avg_vruntime(&rq), b.vruntime + 50 * US);

	/* A light task joining at the average is eligible; lag 0. */
	fair_enqueue(&rq, &c, false, 100 * US);
	ck_assert(fair_eligible(&rq, &c));
	ck_assert_uint_eq(c.vruntime, b.vruntime + 50 * US);

	/* The pick takes the eligible entity with the earliest deadline:
	 * b (zero lag so far, deadline 750 us) over a (ineligible). */
	ck_assert_ptr_eq(fair_pick_next(&rq, 100 * US), &b);
	ck_assert_ptr_eq(fair_pick_next(&rq, 100 * US), &b);
}
END_TEST

/* Lag exactly zero is eligible, a nanosecond less is not: no rounding. */
START_TEST(test_eligibility_boundary)
{
	struct fair_rq rq;
	struct sched_entity a, b, c;
	u64 m;

	fair_rq_init(&rq);
	m = rq.min_vruntime;
	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_entity_init(&c, 0);
	fair_enqueue(&rq, &a, true, 0);
	fair_enqueue(&rq, &b, true, 0);
	fair_enqueue(&rq, &c, true, 0);
	ck_assert_ptr_eq(fair_pick_next(&rq, 0), &a);
	fair_update_curr(&rq, 2);
	fair_put_prev(&rq, &a, 2);
	/* b and c tie on vruntime and deadline: first queued wins. */
	ck_assert_ptr_eq(fair_pick_next(&rq, 2), &b);
	fair_update_curr(&rq, 3);
	/* v = m+2, m+1, m: the average is exactly m+1, b's place. */
	ck_assert_uint_eq(fair_avg_vruntime(&rq), m + 1);
	ck_assert(fair_eligible(&rq, &b));
	ck_assert(!fair_eligible(&rq, &a));
	ck_assert(fair_eligible(&rq, &c));
	fair_update_curr(&rq, 4);
	/* Now the average is m+4/3 and b, at m+2, is past it. */
	ck_assert(!fair_eligible(&rq, &b));
	/* Deadlines all tie; c is the only one still owed time. */
	ck_assert_ptr_eq(fair_pick_next(&rq, 4), &c);
}
END_TEST

START_TEST(test_empty_and_single)
{
	struct fair_rq rq;
	struct sched_entity a;

	fair_rq_init(&rq);
	ck_assert_ptr_null(fair_pick_next(&rq, 0));
	ck_assert(!fair_update_curr(&rq, 5));
	fair_entity_init(&a, 0);
	fair_enqueue(&rq, &a, false, 0);
	ck_assert_ptr_eq(fair_pick_next(&rq, 0), &a);
	/* Alone, running past the deadline renews it without asking for a
	 * reschedule: there is nobody to switch to. */
	ck_assert(!fair_update_curr(&rq, 10 * MS));
	ck_assert(a.deadline > a.vruntime);
	fair_dequeue(&rq, &a, true, 11 * MS);
	ck_assert_ptr_null(rq.curr);
	ck_assert_uint_eq(rq.nr_running, 0);
	fair_put_prev(&rq, &a, 11 * MS);	/* no-op after the dequeue */
	ck_assert_ptr_null(fair_pick_next(&rq, 12 * MS));
	ck_assert(rb_empty(&rq.timeline.root));
}
END_TEST

START_TEST(test_slice_expiry)
{
	struct fair_rq rq;
	struct sched_entity a, b;
	u64 t = 0;

	fair_rq_init(&rq);
	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_enqueue(&rq, &a, false, 0);
	fair_enqueue(&rq, &b, false, 0);
	ck_assert_ptr_eq(fair_pick_next(&rq, 0), &a);
	ck_assert(!fair_update_curr(&rq, 749 * US));
	ck_assert(fair_update_curr(&rq, 750 * US));
	/* New request starts where the old deadline was reached. */
	ck_assert_uint_eq(a.deadline - a.vruntime, 750 * US);
	ck_assert_ptr_eq(fair_pick_next(&rq, 750 * US), &b);
	ck_assert(!rq.resched);

	/* Two equal tasks alternate slice by slice once curr is put back
	 * (left in place, curr would win the deadline tie). */
	t = 750 * US;
	for (int k = 0; k < 10; k++) {
		struct sched_entity *cur = rq.curr;

		t += 750 * US;
		ck_assert(fair_update_curr(&rq, t));
		fair_put_prev(&rq, cur, t);
		ck_assert_ptr_ne(fair_pick_next(&rq, t), cur);
	}
}
END_TEST

START_TEST(test_new_task_half_slice)
{
	struct fair_rq rq;
	struct sched_entity a, b, c;

	fair_rq_init(&rq);
	fair_entity_init(&a, 0);
	fair_entity_init(&b, 5);
	fair_entity_init(&c, 0);
	fair_enqueue(&rq, &a, true, 0);
	ck_assert_uint_eq(a.vruntime, rq.min_vruntime);
	ck_assert_uint_eq(a.deadline - a.vruntime, FAIR_BASE_SLICE_NS / 2);
	fair_pick_next(&rq, 0);
	fair_update_curr(&rq, 200 * US);

	/* New tasks start at the average with no lag, whatever vlag held. */
	b.vlag = 123456;
	fair_enqueue(&rq, &b, true, 200 * US);
	ck_assert_uint_eq(b.vruntime, a.vruntime);
	ck_assert_int_eq(b.vlag, 0);
	ck_assert_uint_eq(b.deadline - b.vruntime, FAIR_BASE_SLICE_NS * 1024 / 335 / 2);

	/* A wakeup (not new) gets the full request. */
	fair_enqueue(&rq, &c, false, 200 * US);
	ck_assert_uint_eq(c.deadline - c.vruntime, FAIR_BASE_SLICE_NS);
}
END_TEST

/*
 * Three nice-0 tasks; b sits out while a runs, so b is owed time. b then
 * leaves the queue (sleep) with that positive lag and, on waking, must be
 * placed before the average by the same lag once it counts in the average.
 */
START_TEST(test_lag_across_sleep)
{
	struct fair_rq rq;
	struct sched_entity a, b, c;
	u64 avg;
	s64 lag;

	fair_rq_init(&rq);
	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_entity_init(&c, 0);
	fair_enqueue(&rq, &a, true, 0);
	fair_enqueue(&rq, &b, true, 0);
	fair_enqueue(&rq, &c, true, 0);
	ck_assert_ptr_eq(fair_pick_next(&rq, 0), &a);
	fair_update_curr(&rq, 300 * US);
	/* V = v0 + 100us; b has lag +100us. */
	fair_dequeue(&rq, &b, true, 300 * US);
	ck_assert_int_eq(b.vlag, 100 * US);

	fair_update_curr(&rq, 350 * US);
	fair_put_prev(&rq, &a, 350 * US);
	ck_assert_ptr_eq(fair_pick_next(&rq, 350 * US), &c);

	fair_enqueue(&rq, &b, false, 400 * US);
	avg = fair_avg_vruntime(&rq);
	lag = (s64)(avg - b.vruntime);
	/* Rounding allows a nanosecond either way. */
	ck_assert(lag >= (s64)(100 * US) - 1 && lag <= (s64)(100 * US) + 1);
	ck_assert(fair_eligible(&rq, &b));
	/* Eligible, but c (curr) still has the earlier deadline. */
	ck_assert_uint_eq(b.deadline - b.vruntime, FAIR_BASE_SLICE_NS);
	ck_assert(!fair_wakeup_preempt(&rq, &b, 400 * US));
	fair_dequeue(&rq, &c, true, 400 * US);
	ck_assert_ptr_eq(fair_pick_next(&rq, 400 * US), &b);

	/* Negative lag: b runs ahead then sleeps; it comes back after the
	 * average by the same lag and cannot run first. */
	fair_update_curr(&rq, 900 * US);
	fair_dequeue(&rq, &b, true, 900 * US);
	ck_assert_int_eq(b.vlag, -(s64)(100 * US));
	ck_assert_ptr_eq(fair_pick_next(&rq, 900 * US), &a);
	fair_enqueue(&rq, &b, false, 950 * US);
	lag = (s64)(fair_avg_vruntime(&rq) - b.vruntime);
	ck_assert(lag >= -(s64)(100 * US) - 1 && lag <= -(s64)(100 * US) + 1);
	ck_assert(!fair_eligible(&rq, &b));
	ck_assert(!fair_wakeup_preempt(&rq, &b, 950 * US));
}
END_TEST

START_TEST(test_lag_clamp)
{
	const u64 t = 20 * NSEC_PER_SEC;
	struct fair_rq rq;
	struct sched_entity a, b, c;

	fair_rq_init(&rq);
	fair_entity_init(&a, -20);
	fair_entity_init(&b, 19);
	fair_entity_init(&c, 19);
	fair_enqueue(&rq, &a, true, 0);
	fair_enqueue(&rq, &b, true, 0);
	fair_enqueue(&rq, &c, true, 0);
	ck_assert_ptr_eq(fair_pick_next(&rq, 0), &a);
	/* A light task kept waiting for long banks at most max(2 slices,
	 * a tick) worth of its own virtual time. */
	fair_update_curr(&rq, t);
	fair_dequeue(&rq, &b, true, t);
	ck_assert_int_eq(b.vlag, (s64)(1500 * US * 1024 / 15));
	/* The heavy one, far ahead, is clamped the other way. */
	fair_dequeue(&rq, &a, true, t);
	ck_assert_int_eq(a.vlag, -(s64)(1500 * US * 1024 / 88761));
	/* Alone, c is the average: no lag. */
	ck_assert_ptr_eq(fair_pick_next(&rq, t), &c);
	fair_dequeue(&rq, &c, true, t + 1);
	ck_assert_int_eq(c.vlag, 0);
}
END_TEST

START_TEST(test_wakeup_preempt)
{
	struct fair_rq rq;
	struct sched_entity a, b, c;

	fair_rq_init(&rq);
	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_entity_init(&c, 0);
	fair_enqueue(&rq, &a, true, 0);
	ck_assert_ptr_eq(fair_pick_next(&rq, 0), &a);

	/* a has only just started: a new task lands at the average with a
	 * half-slice deadline, later than a's, so no preemption. */
	fair_enqueue(&rq, &b, true, 0);
	ck_assert(!fair_wakeup_preempt(&rq, &b, 0));
	ck_assert(!fair_wakeup_preempt(&rq, &a, 0));	/* self */

	/* Once a has run it is ahead of the average, i.e. ineligible, so any
	 * wakeup preempts. */
	fair_update_curr(&rq, 200 * US);
	ck_assert(!fair_eligible(&rq, &a));
	fair_enqueue(&rq, &c, false, 200 * US);
	ck_assert(fair_wakeup_preempt(&rq, &c, 200 * US));

	/* Without a fair curr the woken task should run. */
	fair_dequeue(&rq, &a, true, 200 * US);
	ck_assert(fair_wakeup_preempt(&rq, &c, 200 * US));

	/* Eligible curr, eligible woken task with an earlier deadline. */
	fair_rq_init(&rq);
	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_enqueue(&rq, &a, false, 0);	/* full slice: deadline +750us */
	fair_pick_next(&rq, 0);
	fair_enqueue(&rq, &b, true, 0);		/* half slice: +375us */
	ck_assert(fair_eligible(&rq, &a) && fair_eligible(&rq, &b));
	ck_assert(fair_wakeup_preempt(&rq, &b, 0));
}
END_TEST

START_TEST(test_reweight_running)
{
	struct fair_rq rq;
	struct sched_entity a, b, c;
	u64 avg0, avg1, v0, rdl0;
	s64 lag0, lag1;

	fair_rq_init(&rq);
	fair_entity_init(&a, 0);
	fair_entity_init(&b, 0);
	fair_entity_init(&c, 3);
	fair_enqueue(&rq, &a, true, 0);
	fair_enqueue(&rq, &b, true, 0);
	fair_enqueue(&rq, &c, true, 0);
	ck_assert_ptr_eq(fair_pick_next(&rq, 0), &a);
	fair_update_curr(&rq, 300 * US);

	avg0 = fair_avg_vruntime(&rq);
	lag0 = (s64)(avg0 - a.vruntime);
	rdl0 = a.deadline - a.vruntime;
	ck_assert_int_lt(lag0, 0);
	fair_set_nice(&rq, &a, 5);
	ck_assert_uint_eq(a.weight, 335);
	ck_assert_int_eq(a.nice, 5);
	avg1 = fair_avg_vruntime(&rq);
	lag1 = (s64)(avg1 - a.vruntime);
	/* Wall-clock lag w*(V-v) and the average itself are kept. */
	ck_assert((s64)(avg1 - avg0) >= -1 && (s64)(avg1 - avg0) <= 1);
	ck_assert(llabs(lag1 * 335 - lag0 * 1024) <= 2 * 1024);
	/* So is the wall-clock remainder of the request. */
	ck_assert(llabs((s64)(a.deadline - a.vruntime) * 335 - (s64)rdl0 * 1024) <= 1024);
	ck_assert_uint_eq(rq.avg_load, 1024 + nice_to_weight[23]);
	ck_assert(tree_ok(&rq, 2));

	/* Further running is charged at the new weight. */
	v0 = a.vruntime;
	fair_update_curr(&rq, 400 * US);
	ck_assert_uint_eq(a.vruntime - v0, 100 * US * 1024 / 335);

	/* Queued and sleeping entities too. */
	lag0 = (s64)(fair_avg_vruntime(&rq) - b.vruntime);
	fair_set_nice(&rq, &b, -5);
	lag1 = (s64)(fair_avg_vruntime(&rq) - b.vruntime);
	ck_assert(llabs(lag1 * 3121 - lag0 * 1024) <= 2 * 3121);
	ck_assert(tree_ok(&rq, 2));
	fair_dequeue(&rq, &c, true, 400 * US);
	lag0 = c.vlag;
	fair_set_nice(NULL, &c, 19);
	ck_assert_int_eq(c.vlag, lag0 * (s64)nice_to_weight[23] / 15);
}
END_TEST

START_TEST(test_min_vruntime_monotonic)
{
	static struct sched_entity se[8];
	struct fair_rq rq;
	u64 now = 0, prev;

	rng_state = 4242;
	fair_rq_init(&rq);
	prev = rq.min_vruntime;
	for (int i = 0; i < 8; i++) {
		fair_entity_init(&se[i], rnd_nice());
		fair_enqueue(&rq, &se[i], true, now);
	}
	fair_pick_next(&rq, now);
	for (int step = 0; step < 20000; step++) {
		int i = (int)(rnd() % 8);

		now += rnd_range(1, 2 * MS);
		switch (rnd() % 4) {
		case 0:
			fair_dequeue(&rq, &se[i], true, now);
			break;
		case 1:
			/* Positive-lag wakeups land before min_vruntime;
			 * it must not follow them back. */
			if (!se[i].on_rq)
				fair_enqueue(&rq, &se[i], false, now);
			break;
		case 2:
			fair_set_nice(&rq, &se[i], rnd_nice());
			break;
		default:
			if (fair_update_curr(&rq, now) || !rq.curr)
				fair_pick_next(&rq, now);
		}
		if (!rq.curr)
			fair_pick_next(&rq, now);
		ck_assert_msg((s64)(rq.min_vruntime - prev) >= 0, "step %d", step);
		prev = rq.min_vruntime;
	}
	/* It started just below 2^64, so it wrapped on the way. */
	ck_assert_uint_lt(rq.min_vruntime, 1ULL << 62);
}
END_TEST

static Suite *eevdf_suite(void)
{
	Suite *s = suite_create("eevdf");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_weight_table);
	tcase_add_test(tc, test_vruntime_scaling);
	tcase_add_test(tc, test_eligibility);
	tcase_add_test(tc, test_eligibility_boundary);
	tcase_add_test(tc, test_empty_and_single);
	tcase_add_test(tc, test_slice_expiry);
	tcase_add_test(tc, test_new_task_half_slice);
	tcase_add_test(tc, test_lag_across_sleep);
	tcase_add_test(tc, test_lag_clamp);
	tcase_add_test(tc, test_wakeup_preempt);
	tcase_add_test(tc, test_reweight_running);
	tcase_add_test(tc, test_min_vruntime_monotonic);
	tcase_add_test(tc, test_cpu_shares);
	tcase_add_test(tc, test_model_lockstep);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ck_run(eevdf_suite(), false);
}
