/* ktest: in-kernel test suites. A suite registers itself in the ktest_suites
 * linker section; the kernel runs them at boot with ktest=all or
 * ktest=<suite>[,<suite>...], printing TAP version 13 on the console, and
 * halts with HALT_TEST_FAILED if any case failed. Cases run in a kernel
 * thread bound to one CPU and may sleep, allocate and start threads (which
 * run on any online CPU unless created with kthread_create_on). */
#ifndef UMKA_KTEST_H
#define UMKA_KTEST_H

#include <umka/time.h>
#include <umka/types.h>

struct ktest {
	const char *suite;
	const char *name;
	unsigned failures;	/* failed expectations in this case */
	unsigned checks;	/* expectations evaluated */
};

struct ktest_case {
	const char *name;
	void (*fn)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	unsigned nr_cases;
	bool explicit_only;	/* not in ktest=all: needs a harness (input, devices) */
} __aligned(16);

#define KTEST_CASE(fn) { #fn, fn }

#define KTEST_SUITE(sname, ...)                                                    \
	static const struct ktest_case ktest_cases_##sname[] = { __VA_ARGS__ };    \
	static const struct ktest_suite ktest_suite_##sname                        \
		__attribute__((used, section("ktest_suites"))) = {                 \
			#sname, ktest_cases_##sname, ARRAY_SIZE(ktest_cases_##sname), false \
		}

/* A suite that runs only when named (ktest=sname), because it needs
 * something from outside the machine, such as typed console input. */
#define KTEST_SUITE_EXPLICIT(sname, ...)                                           \
	static const struct ktest_case ktest_cases_##sname[] = { __VA_ARGS__ };    \
	static const struct ktest_suite ktest_suite_##sname                        \
		__attribute__((used, section("ktest_suites"))) = {                 \
			#sname, ktest_cases_##sname, ARRAY_SIZE(ktest_cases_##sname), true \
		}

/* Record one expectation; on failure print a TAP diagnostic. Returns ok. */
bool ktest_check(struct ktest *t, bool ok, const char *expr, const char *file, int line);
bool ktest_check_eq(struct ktest *t, long long a, long long b, const char *ea,
		    const char *eb, const char *file, int line);

#define KT_EXPECT(t, cond) ktest_check(t, !!(cond), #cond, __FILE__, __LINE__)
#define KT_EXPECT_EQ(t, a, b) \
	ktest_check_eq(t, (long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
/* Stop the case on failure (for checks later steps depend on). */
#define KT_ASSERT(t, cond)                          \
	do {                                        \
		if (!KT_EXPECT(t, cond))            \
			return;                     \
	} while (0)

/* Sleep in small steps until cond holds or ms pass; evaluates to cond.
 * Lets a test wait exactly as long as the event takes, with a bound. */
#define KT_WAIT_FOR(cond, ms)                                                  \
	({                                                                     \
		u64 __end = ktime_get_ns() + (u64)(ms) * NSEC_PER_MSEC;        \
		while (!(cond) && ktime_get_ns() < __end)                      \
			nsleep(50 * NSEC_PER_USEC);                            \
		!!(cond);                                                      \
	})

/* Run the suites selected by spec ("all", or comma-separated names). Prints
 * TAP; returns the number of failed cases, or -EINVAL naming an unknown suite. */
int ktest_run(const char *spec);

/* How the latest run of a suite went, updated after each case (so a suite
 * reading its own result sees the cases before the current one). */
struct ktest_result {
	unsigned run, passed, failed;
};
void ktest_suite_result(const struct ktest_suite *s, struct ktest_result *out);
/* Iterate registered suites (umkafs and tests use it). */
const struct ktest_suite *ktest_suites_begin(void);
const struct ktest_suite *ktest_suites_end(void);

#endif
