/* The shrinker registry and memory reclaim (the rule is in mm.h). The
 * registry is a list under a mutex, as the shrinkers run with it held and
 * may take spinlocks; `reclaiming` keeps to one reclaim at a time and stops
 * an allocation made inside a shrinker from recursing into reclaim. */
#include <umka/atomic.h>
#include <umka/lockorder.h>
#include <umka/mm.h>
#include <umka/mutex.h>
#include <umka/percpu.h>
#include <umka/rcu.h>
#include <umka/slab.h>

static struct mutex shrinker_mutex;
static LIST_HEAD(shrinkers);			/* under shrinker_mutex */
static struct atomic reclaiming;		/* 1 while a reclaim runs */
static struct atomic64 stat_runs, stat_freed, stat_skipped;	/* statistics */

void shrinker_init(void)
{
	mutex_init(&shrinker_mutex, "shrinker_mutex", MM_LEVEL_SHRINKER);
	list_init(&shrinkers);
	atomic_set(&reclaiming, 0);
	atomic64_set(&stat_runs, 0);
	atomic64_set(&stat_freed, 0);
	atomic64_set(&stat_skipped, 0);
}

void register_shrinker(struct shrinker *s)
{
	mutex_lock(&shrinker_mutex);
	list_add_tail(&s->node, &shrinkers);
	mutex_unlock(&shrinker_mutex);
}

void unregister_shrinker(struct shrinker *s)
{
	mutex_lock(&shrinker_mutex);
	list_del_init(&s->node);
	mutex_unlock(&shrinker_mutex);
}

bool mm_may_reclaim(void)
{
	return this_cpu()->preempt_count == 0 && !arch_irqs_disabled() && !in_interrupt();
}

unsigned long mm_reclaim(void)
{
	unsigned long freed = 0;
	struct shrinker *s;

	if (!mm_may_reclaim() || atomic_xchg(&reclaiming, 1)) {
		atomic64_add_return(&stat_skipped, 1);
		return 0;
	}
	mutex_lock(&shrinker_mutex);
	list_for_each_entry(s, &shrinkers, node) {
		unsigned long n = s->count(s);

		if (n)
			freed += s->scan(s, MAX(n / 2, MIN(n, MM_SHRINK_MIN)));
	}
	mutex_unlock(&shrinker_mutex);
	if (freed) {
		/* Shrinkers may have deferred their frees to a grace period;
		 * then the freed objects sit in slab magazines and per-CPU
		 * lists until they are handed back. */
		synchronize_rcu();
		slab_shrink();
		mm_drain_pcp();
	}
	atomic64_add_return(&stat_runs, 1);
	atomic64_add_return(&stat_freed, (s64)freed);
	atomic_set_release(&reclaiming, 0);
	return freed;
}

void mm_get_reclaim_stats(struct mm_reclaim_stats *st)
{
	st->runs = (u64)atomic64_read(&stat_runs);
	st->freed = (u64)atomic64_read(&stat_freed);
	st->skipped = (u64)atomic64_read(&stat_skipped);
}

u64 mm_free_pages_settled(void)
{
	struct mm_stats st;

	rcu_barrier();
	slab_shrink();
	while (mm_reclaim())
		;
	mm_drain_pcp();
	mm_get_stats(&st);
	return st.free_pages;
}
