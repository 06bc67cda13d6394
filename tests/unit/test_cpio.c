/* Unit tests for the newc cpio parser: well-formed archives (built here
 * field by field), concatenation, and each kind of malformed input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umka/cpio.h>


#define EINVAL_NEG (-22)

struct arch {
	unsigned char buf[1 << 16];
	size_t len;
};

static void put_pad(struct arch *a)
{
	while (a->len % 4)
		a->buf[a->len++] = 0;
}

static void put_member(struct arch *a, const char *magic, const char *name, unsigned mode,
		       const void *data, size_t size, unsigned ino, unsigned nlink)
{
	size_t namesize = strlen(name) + 1;

	a->len += (size_t)sprintf((char *)a->buf + a->len,
				  "%s%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", magic,
				  ino, mode, 1000, 100, nlink, 1700000000, size, 8, 1, 1, 3,
				  namesize, 0);
	memcpy(a->buf + a->len, name, namesize);
	a->len += namesize;
	put_pad(a);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	put_pad(a);
}

static void put_trailer(struct arch *a)
{
	put_member(a, "070701", "TRAILER!!!", 0, "", 0, 0, 1);
}

struct seen {
	char names[16][64];
	unsigned modes[16];
	size_t sizes[16];
	char data[16][64];
	int n;
	int stop_at;	/* return an error at this member (-1: never) */
};

static int record(void *ctx, const struct cpio_entry *e)
{
	struct seen *s = ctx;

	if (s->n == s->stop_at)
		return -5;
	ck_assert_int_lt(s->n, 16);
	ck_assert_uint_eq(strlen(e->name), e->name_len);
	snprintf(s->names[s->n], 64, "%s", e->name);
	s->modes[s->n] = e->mode;
	s->sizes[s->n] = e->size;
	snprintf(s->data[s->n], 64, "%.*s", (int)e->size, (const char *)e->data);
	s->n++;
	return 0;
}

static struct arch a;
static struct seen s;
static char err[128];

static void reset(void)
{
	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	s.stop_at = -1;
	err[0] = 0;
}

START_TEST(test_members_in_order)
{
	reset();
	put_member(&a, "070701", ".", 040755, "", 0, 1, 2);
	put_member(&a, "070701", "bin", 040755, "", 0, 2, 2);
	put_member(&a, "070701", "bin/sh", 0100755, "#!x\n", 4, 3, 1);
	put_member(&a, "070702", "bin/ln", 0120777, "sh", 2, 4, 1);
	put_trailer(&a);
	ck_assert_int_eq(cpio_parse(a.buf, a.len, record, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.n, 4);
	ck_assert_str_eq(s.names[0], "");
	ck_assert_str_eq(s.names[1], "bin");
	ck_assert_str_eq(s.names[2], "bin/sh");
	ck_assert_str_eq(s.data[2], "#!x\n");
	ck_assert_uint_eq(s.modes[3], 0120777);
	ck_assert_str_eq(s.data[3], "sh");
}
END_TEST

START_TEST(test_names_normalised)
{
	reset();
	put_member(&a, "070701", "./etc", 040755, "", 0, 1, 2);
	put_member(&a, "070701", "/abs/file", 0100644, "a", 1, 2, 1);
	put_member(&a, "070701", ".//x", 0100644, "", 0, 3, 1);
	put_trailer(&a);
	ck_assert_int_eq(cpio_parse(a.buf, a.len, record, &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.names[0], "etc");
	ck_assert_str_eq(s.names[1], "abs/file");
	ck_assert_str_eq(s.names[2], "x");
}
END_TEST

START_TEST(test_concatenated_with_padding)
{
	reset();
	put_member(&a, "070701", "a", 0100644, "1", 1, 1, 1);
	put_trailer(&a);
	a.len += 512;	/* zero padding, as bootloaders append */
	put_member(&a, "070701", "b", 0100644, "22", 2, 2, 1);
	put_trailer(&a);
	ck_assert_int_eq(cpio_parse(a.buf, a.len, record, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.names[1], "b");
	ck_assert_str_eq(s.data[1], "22");
}
END_TEST

START_TEST(test_empty_and_zeros)
{
	reset();
	ck_assert_int_eq(cpio_parse(a.buf, 0, record, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(cpio_parse(a.buf, 100, record, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.n, 0);
}
END_TEST

START_TEST(test_callback_error_stops)
{
	reset();
	put_member(&a, "070701", "a", 0100644, "", 0, 1, 1);
	put_member(&a, "070701", "b", 0100644, "", 0, 2, 1);
	put_trailer(&a);
	s.stop_at = 1;
	ck_assert_int_eq(cpio_parse(a.buf, a.len, record, &s, err, sizeof(err)), -5);
	ck_assert_int_eq(s.n, 1);
}
END_TEST

/* Each malformation: expected error text. */
static void expect_bad(const char *why)
{
	ck_assert_int_eq(cpio_parse(a.buf, a.len, record, &s, err, sizeof(err)), EINVAL_NEG);
	ck_assert_msg(strstr(err, why), "error '%s' does not say '%s'", err, why);
	ck_assert_msg(strstr(err, "offset"), "error '%s' names no offset", err);
}

START_TEST(test_bad_magic)
{
	reset();
	put_member(&a, "070707", "a", 0100644, "", 0, 1, 1);	/* old binary-ish magic */
	put_trailer(&a);
	expect_bad("bad magic");
}
END_TEST

START_TEST(test_bad_hex)
{
	reset();
	put_member(&a, "070701", "a", 0100644, "", 0, 1, 1);
	a.buf[6 + 8 + 3] = 'g';
	put_trailer(&a);
	expect_bad("non-hex");
}
END_TEST

START_TEST(test_truncated_everywhere)
{
	struct arch full;
	size_t cut;

	reset();
	put_member(&a, "070701", "dir/file", 0100644, "contents!", 9, 1, 1);
	put_trailer(&a);
	full = a;
	/* Every prefix of the archive is refused cleanly (or, at 0, empty). */
	for (cut = 1; cut < full.len; cut++) {
		memset(&s, 0, sizeof(s));
		s.stop_at = -1;
		ck_assert_int_eq(cpio_parse(full.buf, cut, record, &s, err, sizeof(err)),
				 EINVAL_NEG);
		ck_assert_msg(strstr(err, "truncated") || strstr(err, "TRAILER"), "cut %zu: %s",
			      cut, err);
	}
}
END_TEST

START_TEST(test_name_not_terminated)
{
	reset();
	put_member(&a, "070701", "abc", 0100644, "", 0, 1, 1);
	a.buf[110 + 3] = 'x';	/* overwrite the NUL */
	put_trailer(&a);
	expect_bad("NUL-terminated");
}
END_TEST

START_TEST(test_nul_inside_name)
{
	reset();
	put_member(&a, "070701", "abc", 0100644, "", 0, 1, 1);
	a.buf[110 + 1] = 0;
	put_trailer(&a);
	expect_bad("NUL inside name");
}
END_TEST

START_TEST(test_dotdot_refused)
{
	static const char *const names[] = { "..", "../etc/passwd", "a/../../b", "a/..", "/.." };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		reset();
		put_member(&a, "070701", names[i], 0100644, "", 0, 1, 1);
		put_trailer(&a);
		expect_bad("\"..\"");
	}
	/* but names merely containing dots are fine */
	reset();
	put_member(&a, "070701", "a/..b/.c/...", 0100644, "", 0, 1, 1);
	put_trailer(&a);
	ck_assert_int_eq(cpio_parse(a.buf, a.len, record, &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.names[0], "a/..b/.c/...");
}
END_TEST

START_TEST(test_huge_sizes)
{
	reset();
	put_member(&a, "070701", "a", 0100644, "", 0, 1, 1);
	memcpy(a.buf + 6 + 8 * 6, "FFFFFFFF", 8);	/* filesize */
	put_trailer(&a);
	expect_bad("truncated data");
	reset();
	put_member(&a, "070701", "a", 0100644, "", 0, 1, 1);
	memcpy(a.buf + 6 + 8 * 11, "FFFFFFFF", 8);	/* namesize */
	expect_bad("truncated name");
	reset();
	put_member(&a, "070701", "a", 0100644, "", 0, 1, 1);
	memcpy(a.buf + 6 + 8 * 11, "00000000", 8);
	expect_bad("empty name");
}
END_TEST

START_TEST(test_missing_trailer)
{
	reset();
	put_member(&a, "070701", "a", 0100644, "x", 1, 1, 1);
	expect_bad("TRAILER");
	ck_assert_int_eq(s.n, 1);	/* members before the problem were handed out */
}
END_TEST

int main(void)
{
	Suite *su = suite_create("cpio");
	TCase *tc = tcase_create("newc");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_members_in_order);
	tcase_add_test(tc, test_names_normalised);
	tcase_add_test(tc, test_concatenated_with_padding);
	tcase_add_test(tc, test_empty_and_zeros);
	tcase_add_test(tc, test_callback_error_stops);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_test(tc, test_bad_hex);
	tcase_add_test(tc, test_truncated_everywhere);
	tcase_add_test(tc, test_name_not_terminated);
	tcase_add_test(tc, test_nul_inside_name);
	tcase_add_test(tc, test_dotdot_refused);
	tcase_add_test(tc, test_huge_sizes);
	tcase_add_test(tc, test_missing_trailer);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
