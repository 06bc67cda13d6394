/* The libcheck plumbing every unit test shares. */
#ifndef CK_RUN_H
#define CK_RUN_H

#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

/* Add a test case named name to s with the given fixture (may be NULL),
 * a 60 s timeout, and tests, a NULL-terminated list. */
static inline void ck_add_group(Suite *s, const char *name, void (*setup)(void),
				const TTest *const *tests)
{
	TCase *tc = tcase_create(name);

	if (setup)
		tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	for (unsigned i = 0; tests[i]; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
}

/* Run every test of s; the exit status for main. forked: one process per
 * test whatever CK_FORK says (for tests that boot a machine of their own
 * or end in a panic). */
static inline int ck_run(Suite *s, bool forked)
{
	SRunner *sr = srunner_create(s);
	int failed;

	if (forked)
		srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
