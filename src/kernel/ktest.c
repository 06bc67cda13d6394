/* The ktest runner: finds suites in the ktest_suites linker section, runs
 * the selected ones case by case in the calling kernel thread, and prints
 * TAP version 13 so any TAP consumer (automake's driver, prove) reads it. */
#include <umka/errno.h>
#include <umka/ktest.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/string.h>
#include <umka/time.h>

extern const struct ktest_suite __start_ktest_suites[];
extern const struct ktest_suite __stop_ktest_suites[];

const struct ktest_suite *ktest_suites_begin(void)
{
	return __start_ktest_suites;
}

const struct ktest_suite *ktest_suites_end(void)
{
	return __stop_ktest_suites;
}

bool ktest_check(struct ktest *t, bool ok, const char *expr, const char *file, int line)
{
	t->checks++;
	if (!ok) {
		t->failures++;
		console_printf("# %s.%s: expected %s at %s:%d\n", t->suite, t->name, expr, file,
			       line);
	}
	return ok;
}

bool ktest_check_eq(struct ktest *t, long long a, long long b, const char *ea, const char *eb,
		    const char *file, int line)
{
	t->checks++;
	if (a != b) {
		t->failures++;
		console_printf("# %s.%s: expected %s == %s, got %lld and %lld at %s:%d\n", t->suite,
			       t->name, ea, eb, a, b, file, line);
	}
	return a == b;
}

/* Is the suite in the comma-separated spec? "all" is every suite but
 * those that must be asked for by name. */
static bool spec_selects(const char *spec, const struct ktest_suite *s)
{
	const char *name = s->name;
	size_t n = strlen(name);

	if (!strcmp(spec, "all"))
		return !s->explicit_only;
	while (*spec) {
		const char *end = strchr(spec, ',');
		size_t len = end ? (size_t)(end - spec) : strlen(spec);

		if (len == n && !memcmp(spec, name, n))
			return true;
		spec += len + (end ? 1 : 0);
	}
	return false;
}

/* Every name in spec must be a suite: a typo must not pass silently. */
static int spec_check(const char *spec)
{
	if (!strcmp(spec, "all"))
		return 0;
	while (*spec) {
		const char *end = strchr(spec, ',');
		size_t len = end ? (size_t)(end - spec) : strlen(spec);
		bool found = false;

		for (const struct ktest_suite *s = __start_ktest_suites; s < __stop_ktest_suites; s++)
			found |= strlen(s->name) == len && !memcmp(s->name, spec, len);
		if (!found) {
			console_printf("Bail out! ktest: no suite named '%.*s'\n", (int)len, spec);
			return -EINVAL;
		}
		spec += len + (end ? 1 : 0);
	}
	return 0;
}

/* Results by suite index; suites past the table are simply not recorded. */
#define KTEST_RESULTS_MAX 256
static struct ktest_result results[KTEST_RESULTS_MAX];

static struct ktest_result *result_of(const struct ktest_suite *s)
{
	size_t i = (size_t)(s - __start_ktest_suites);

	return s >= __start_ktest_suites && i < KTEST_RESULTS_MAX ? &results[i] : NULL;
}

void ktest_suite_result(const struct ktest_suite *s, struct ktest_result *out)
{
	struct ktest_result *r = result_of(s);

	out->run = r ? READ_ONCE(r->run) : 0;
	out->passed = r ? READ_ONCE(r->passed) : 0;
	out->failed = r ? READ_ONCE(r->failed) : 0;
}

int ktest_run(const char *spec)
{
	const struct ktest_suite *s;
	unsigned total = 0, n = 0, failed = 0;
	u64 start = ktime_get_ns();

	if (spec_check(spec))
		return -EINVAL;
	/* Cases run on one CPU, as a case may read per-CPU state (its CPU's
	 * armed timers, say) before and after sleeping; the threads they
	 * start run wherever the scheduler puts them. */
	preempt_disable();
	sched_bind(current, (int)arch_cpu_id());
	preempt_enable();
	for (s = __start_ktest_suites; s < __stop_ktest_suites; s++)
		if (spec_selects(spec, s))
			total += s->nr_cases;
	console_printf("TAP version 13\n1..%u\n", total);
	for (s = __start_ktest_suites; s < __stop_ktest_suites; s++) {
		if (!spec_selects(spec, s))
			continue;
		struct ktest_result *res = result_of(s);

		console_printf("# suite %s: %u cases\n", s->name, s->nr_cases);
		if (res)
			*res = (struct ktest_result){ 0, 0, 0 };
		for (unsigned i = 0; i < s->nr_cases; i++) {
			struct ktest t = { s->name, s->cases[i].name, 0, 0 };
			u64 t0 = ktime_get_ns();

			s->cases[i].fn(&t);
			n++;
			if (t.failures)
				failed++;
			if (res) {
				WRITE_ONCE(res->run, res->run + 1);
				if (t.failures)
					WRITE_ONCE(res->failed, res->failed + 1);
				else
					WRITE_ONCE(res->passed, res->passed + 1);
			}
			console_printf("%sok %u - %s.%s # %u checks, %llu us\n",
				       t.failures ? "not " : "", n, s->name, t.name, t.checks,
				       (unsigned long long)((ktime_get_ns() - t0) / 1000));
		}
	}
	console_printf("# ktest: %u passed, %u failed in %llu ms\n", total - failed, failed,
		       (unsigned long long)((ktime_get_ns() - start) / NSEC_PER_MSEC));
	sched_bind(current, -1);
	return (int)failed;
}
