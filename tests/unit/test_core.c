/* Tests for the core's small mechanisms: the command line parser
 * (src/kernel/cmdline.c), kvsnprintf and kstrtou64 (src/lib/vsprintf.c),
 * the printk ring (src/kernel/printk.c), panic/BUG_ON/WARN_ON
 * (src/kernel/panic.c) and the lock order checker (src/kernel/lockcheck.c).
 * The real core objects run on the fake machine of fake_arch.c; build with
 * -DUMKA_DEBUG so the lock checker is in.
 *
 * Every test runs in a process of its own (main forces check's fork mode):
 * a real panic never returns, so "already panicking" is sticky, and the log
 * ring and its time origin (the first printk) belong to the process. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <umka/cmdline.h>
#include <umka/console.h>
#include <umka/errno.h>
#include <umka/panic.h>
#include <umka/list.h>
#include <umka/printk.h>
#include <umka/sched.h>
#include <umka/seqcount.h>
#include <umka/spinlock.h>
#include <umka/string.h>
#include <umka/time.h>
#include <umka/trace.h>
#include <umka/wait.h>

#include "ck_run.h"
#include "fake_arch.h"

/* ==== command line ====================================================== */

static struct kernel_params kp;
static char err[2048];

static int parse(const char *line)
{
	memset(err, 0, sizeof(err));
	return cmdline_parse(line, &kp, err, sizeof(err));
}

START_TEST(test_cmdline_defaults)
{
	static const char *const lines[] = { "", " ", "\t \n  \t" };

	for (unsigned i = 0; i < ARRAY_SIZE(lines); i++) {
		memset(&kp, 0xa5, sizeof(kp));	/* defaults must overwrite garbage */
		ck_assert_int_eq(parse(lines[i]), 0);
		ck_assert_uint_eq(kp.mem_bytes, 0);
		ck_assert_uint_eq(kp.loglevel, 6);
		ck_assert_uint_eq(kp.smp, 0);
		ck_assert_str_eq(kp.init, "/sbin/init");
		ck_assert_str_eq(kp.ktest, "");
		ck_assert_str_eq(kp.bench, "");
		ck_assert_str_eq(kp.initrd, "");
		ck_assert_str_eq(kp.fuse, "");
		ck_assert_str_eq(kp.hostfs, "");
		ck_assert_str_eq(kp.trace, "");
		ck_assert_uint_eq(kp.trace_buf, 0);
		ck_assert_uint_eq(kp.nr_unknown, 0);
	}
}
END_TEST

START_TEST(test_cmdline_keys_table)
{
	static const char *const want[] = { "mem", "loglevel", "smp", "init", "ktest", "bench",
					    "initrd", "fuse", "hostfs", "trace", "trace_buf" };

	ck_assert_uint_eq(nr_cmdline_keys, ARRAY_SIZE(want));
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		bool found = false;

		for (unsigned k = 0; k < nr_cmdline_keys; k++) {
			if (strcmp(cmdline_keys[k].key, want[i]))
				continue;
			found = true;
			ck_assert_ptr_nonnull(cmdline_keys[k].help);
			ck_assert_uint_gt(strlen(cmdline_keys[k].help), 0);
		}
		ck_assert_msg(found, "key %s missing from cmdline_keys", want[i]);
	}
}
END_TEST

START_TEST(test_cmdline_mem)
{
	static const struct {
		const char *line;
		u64 bytes;
	} cases[] = {
		{ "mem=16M", MiB(16) },
		{ "mem=16m", MiB(16) },
		{ "mem=256M", MiB(256) },
		{ "mem=16384K", MiB(16) },
		{ "mem=32768k", MiB(32) },
		{ "mem=1G", GiB(1) },
		{ "mem=4g", GiB(4) },
		{ "mem=1024G", GiB(1024) },
		{ "mem=16777216", MiB(16) },		/* plain bytes, the minimum */
		{ "mem=100000000", 100000000 },
		{ "mem=18446744073709551615", UINT64_MAX },
		{ "mem=0x1000000", MiB(16) },
		{ "mem=0X40000000", GiB(1) },
		{ "mem=0xfffffffff", 0xfffffffffULL },
		{ "mem=0x20M", MiB(32) },
		{ "mem=17179869183G", 17179869183ULL << 30 },	/* largest G that fits */
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		ck_assert_msg(parse(cases[i].line) == 0, "%s: %s", cases[i].line, err);
		ck_assert_msg(kp.mem_bytes == cases[i].bytes, "%s: got %llu", cases[i].line,
			      (unsigned long long)kp.mem_bytes);
		ck_assert_uint_eq(kp.loglevel, 6);
		ck_assert_uint_eq(kp.nr_unknown, 0);
	}
}
END_TEST

START_TEST(test_cmdline_loglevel_smp)
{
	static const unsigned smps[] = { 1, 2, 8, 64 };
	char line[64];

	for (unsigned lvl = 0; lvl <= 7; lvl++) {
		snprintf(line, sizeof(line), "loglevel=%u", lvl);
		ck_assert_msg(parse(line) == 0, "%s: %s", line, err);
		ck_assert_uint_eq(kp.loglevel, lvl);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(smps); i++) {
		snprintf(line, sizeof(line), "smp=%u", smps[i]);
		ck_assert_msg(parse(line) == 0, "%s: %s", line, err);
		ck_assert_uint_eq(kp.smp, smps[i]);
		ck_assert_uint_eq(kp.loglevel, 6);
	}
}
END_TEST

START_TEST(test_cmdline_strings)
{
	ck_assert_int_eq(parse("init=/bin/sh"), 0);
	ck_assert_str_eq(kp.init, "/bin/sh");
	ck_assert_int_eq(parse("init=/"), 0);
	ck_assert_str_eq(kp.init, "/");
	ck_assert_int_eq(parse("ktest=all"), 0);
	ck_assert_str_eq(kp.ktest, "all");
	ck_assert_str_eq(kp.bench, "");
	ck_assert_int_eq(parse("ktest=sched,rbtree,mm"), 0);
	ck_assert_str_eq(kp.ktest, "sched,rbtree,mm");
	ck_assert_int_eq(parse("bench=all"), 0);
	ck_assert_str_eq(kp.bench, "all");
	ck_assert_str_eq(kp.ktest, "");
	ck_assert_int_eq(parse("hostfs=/srv/share"), 0);
	ck_assert_str_eq(kp.hostfs, "/srv/share");
	ck_assert_int_eq(parse("hostfs=/srv/a:b:/mnt/x"), 0);	/* split by arch-um */
	ck_assert_str_eq(kp.hostfs, "/srv/a:b:/mnt/x");

	/* Everything at once. */
	ck_assert_int_eq(parse("mem=64M loglevel=7 smp=2 init=/usr/bin/init ktest=a,b "
			       "bench=spin"), 0);
	ck_assert_uint_eq(kp.mem_bytes, MiB(64));
	ck_assert_uint_eq(kp.loglevel, 7);
	ck_assert_uint_eq(kp.smp, 2);
	ck_assert_str_eq(kp.init, "/usr/bin/init");
	ck_assert_str_eq(kp.ktest, "a,b");
	ck_assert_str_eq(kp.bench, "spin");
	ck_assert_uint_eq(kp.nr_unknown, 0);
}
END_TEST

START_TEST(test_cmdline_trace)
{
	static const unsigned bufs[] = { 64, 128, 4096, 65536 };
	char line[64];

	ck_assert_int_eq(parse("trace=all"), 0);
	ck_assert_str_eq(kp.trace, "all");
	ck_assert_uint_eq(kp.trace_buf, 0);
	ck_assert_int_eq(parse("trace=sched_switch,irq_entry,page_alloc_fail"), 0);
	ck_assert_str_eq(kp.trace, "sched_switch,irq_entry,page_alloc_fail");
	/* Names are not checked here: the kernel warns about unknown ones. */
	ck_assert_int_eq(parse("trace=no_such_point,,x1"), 0);
	ck_assert_str_eq(kp.trace, "no_such_point,,x1");
	ck_assert_uint_eq(kp.nr_unknown, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(bufs); i++) {
		snprintf(line, sizeof(line), "trace_buf=%u trace=sched_switch", bufs[i]);
		ck_assert_msg(parse(line) == 0, "%s: %s", line, err);
		ck_assert_uint_eq(kp.trace_buf, bufs[i]);
		ck_assert_str_eq(kp.trace, "sched_switch");
	}
	/* 255 bytes of names fit; 256 do not. */
	{
		char longline[CMDLINE_VALUE_MAX + 16] = "trace=";

		memset(longline + 6, 'a', CMDLINE_VALUE_MAX - 1);
		longline[6 + CMDLINE_VALUE_MAX - 1] = 0;
		ck_assert_int_eq(parse(longline), 0);
		ck_assert_uint_eq(strlen(kp.trace), CMDLINE_VALUE_MAX - 1);
		strcat(longline, "a");
		ck_assert_int_eq(parse(longline), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err, "under 256 bytes"));
	}
	ck_assert_int_eq(parse("trace_buf=0x1000"), 0);
	ck_assert_uint_eq(kp.trace_buf, 4096);
	/* Every power of two out of range, and every non-power in it, is refused. */
	for (unsigned v = 1; v <= 2 * TRACE_RECORDS_MAX; v++) {
		bool ok = v >= TRACE_RECORDS_MIN && v <= TRACE_RECORDS_MAX && !(v & (v - 1));

		snprintf(line, sizeof(line), "trace_buf=%u", v);
		ck_assert_msg((parse(line) == 0) == ok, "%s: %s", line, err);
	}
}
END_TEST

static char unknown_seen[512];

static void note_unknown(const char *key, size_t len)
{
	size_t used = strlen(unknown_seen);

	ck_assert_uint_lt(used + len + 2, sizeof(unknown_seen));
	memcpy(unknown_seen + used, key, len);
	unknown_seen[used + len] = '|';
	unknown_seen[used + len + 1] = 0;
}

START_TEST(test_cmdline_unknown)
{
	/* Prefixes and case variants of known keys are not known keys. */
	static const char line[] = "quiet foo=bar mem=32M console=ttyS0,115200 memx=1 me=1 "
				   "MEM=64M ktests=all root=/dev/vda";

	ck_assert_int_eq(parse(line), 0);
	ck_assert_uint_eq(kp.mem_bytes, MiB(32));
	ck_assert_str_eq(kp.ktest, "");
	ck_assert_uint_eq(kp.nr_unknown, 8);

	unknown_seen[0] = 0;
	cmdline_for_each_unknown(line, note_unknown);
	/* Whole words are reported, values included, as the boot warning shows. */
	ck_assert_str_eq(unknown_seen, "quiet|foo=bar|console=ttyS0,115200|memx=1|me=1|MEM=64M|"
					 "ktests=all|root=/dev/vda|");

	unknown_seen[0] = 0;
	cmdline_for_each_unknown("", note_unknown);
	cmdline_for_each_unknown("  \t ", note_unknown);
	cmdline_for_each_unknown("mem=32M loglevel=3 smp=1 init=/x ktest=all bench=all",
				 note_unknown);
	ck_assert_str_eq(unknown_seen, "");
	ck_assert_int_eq(parse("mem=32M loglevel=3 smp=1 init=/x ktest=all bench=all"), 0);
	ck_assert_uint_eq(kp.nr_unknown, 0);

	/* Unknown words do not need a value, and are reported by key only. */
	unknown_seen[0] = 0;
	ck_assert_int_eq(parse("\tnoapic  debug=\t"), 0);
	ck_assert_uint_eq(kp.nr_unknown, 2);
	cmdline_for_each_unknown("\tnoapic  debug=\t", note_unknown);
	ck_assert_str_eq(unknown_seen, "noapic|debug=|");
}
END_TEST

static const struct {
	const char *line;
	const char *prefix;	/* the message starts with this: key=value and ": " */
	const char *why;	/* and contains this, if not NULL */
} bad_lines[] = {
	{ "mem=12x", "mem=12x: ", "bad size" },
	{ "hostfs=rel/dir", "hostfs=rel/dir: ", "absolute host directory" },
	{ "hostfs=", "hostfs=: ", "value" },
	{ "mem=1k", "mem=1k: ", "too small" },
	{ "mem=15M", "mem=15M: ", "too small" },
	{ "mem=16777215", "mem=16777215: ", "too small" },
	{ "mem=0", "mem=0: ", "too small" },
	{ "mem=", "mem=: ", "value" },
	{ "mem", "mem=: ", "value" },
	{ "mem=99999999999G", "mem=99999999999G: ", NULL },
	{ "mem=17179869184G", "mem=17179869184G: ", NULL },
	{ "mem=18446744073709551616", "mem=18446744073709551616: ", NULL },
	{ "mem=1.5G", "mem=1.5G: ", "bad size" },
	{ "mem=-1G", "mem=-1G: ", "bad size" },
	{ "mem=M", "mem=M: ", "bad size" },
	{ "mem=0x", "mem=0x: ", "bad size" },
	{ "mem=16MB", "mem=16MB: ", "bad size" },
	{ "mem==16M", "mem==16M: ", "bad size" },
	{ "loglevel=8", "loglevel=8: ", "0..7" },
	{ "loglevel=abc", "loglevel=abc: ", "0..7" },
	{ "loglevel=-1", "loglevel=-1: ", "0..7" },
	{ "loglevel=3x", "loglevel=3x: ", "0..7" },
	{ "loglevel=99999999999999999999", "loglevel=99999999999999999999: ", NULL },
	{ "loglevel=4294967297", "loglevel=4294967297: ", "0..7" },
	{ "loglevel=", "loglevel=: ", "value" },
	{ "loglevel", "loglevel=: ", "value" },
	{ "smp=0", "smp=0: ", NULL },
	{ "smp=-1", "smp=-1: ", NULL },
	{ "smp=two", "smp=two: ", NULL },
	{ "smp=4294967297", "smp=4294967297: ", NULL },
	{ "smp", "smp=: ", "value" },
	{ "init=relative", "init=relative: ", "absolute" },
	{ "init=sbin/init", "init=sbin/init: ", "absolute" },
	{ "init=", "init=: ", "value" },
	{ "ktest=", "ktest=: ", "value" },
	{ "bench", "bench=: ", "value" },
	{ "trace=", "trace=: ", "value" },
	{ "trace=Sched_switch", "trace=Sched_switch: ", "[a-z0-9_]" },
	{ "trace=sched_switch;irq_entry", "trace=sched_switch;irq_entry: ", "commas" },
	{ "trace=irq-entry", "trace=irq-entry: ", "names" },
	{ "trace_buf=", "trace_buf=: ", "value" },
	{ "trace_buf=100", "trace_buf=100: ", "power of two from 64 to 65536" },
	{ "trace_buf=0", "trace_buf=0: ", "power of two" },
	{ "trace_buf=32", "trace_buf=32: ", "power of two" },
	{ "trace_buf=131072", "trace_buf=131072: ", "power of two" },
	{ "trace_buf=4k", "trace_buf=4k: ", "power of two" },
	{ "trace_buf=-4096", "trace_buf=-4096: ", "power of two" },
	{ "trace_buf=18446744073709551616", "trace_buf=18446744073709551616: ", NULL },
	/* The first bad word is named, wherever it is. */
	{ "loglevel=3 smp=0 mem=12x", "smp=0: ", NULL },
	{ "quiet\tfoo=1   mem=12x loglevel=9", "mem=12x: ", "bad size" },
};

START_TEST(test_cmdline_errors)
{
	for (unsigned i = 0; i < ARRAY_SIZE(bad_lines); i++) {
		const char *line = bad_lines[i].line, *prefix = bad_lines[i].prefix;

		memset(&kp, 0, sizeof(kp));
		ck_assert_msg(parse(line) == -EINVAL,
			      "'%s' accepted (mem %llu loglevel %u smp %u)", line,
			      (unsigned long long)kp.mem_bytes, kp.loglevel, kp.smp);
		ck_assert_msg(!strncmp(err, prefix, strlen(prefix)),
			      "'%s': message '%s' does not start with '%s'", line, err, prefix);
		ck_assert_msg(strlen(err) > strlen(prefix) + 3, "'%s': no reason in '%s'",
			      line, err);
		ck_assert_msg(!strchr(err, '\n'), "'%s': message is not one line", line);
		if (bad_lines[i].why)
			ck_assert_msg(strstr(err, bad_lines[i].why),
				      "'%s': '%s' does not say '%s'", line, err, bad_lines[i].why);
	}
}
END_TEST

static void fill_value(char *line, const char *key, char first, char fill, size_t vlen)
{
	size_t k = strlen(key);

	memcpy(line, key, k);
	line[k] = '=';
	memset(line + k + 1, fill, vlen);
	line[k + 1] = first;
	line[k + 1 + vlen] = 0;
}

START_TEST(test_cmdline_long_values)
{
	static const char *const keys[] = { "init", "ktest", "bench" };
	char line[CMDLINE_VALUE_MAX + 64];

	for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
		/* 255 bytes fit the 256-byte field with its NUL... */
		fill_value(line, keys[i], '/', 'v', CMDLINE_VALUE_MAX - 1);
		ck_assert_msg(parse(line) == 0, "%s= of 255 bytes: %s", keys[i], err);
		if (i == 0)
			ck_assert_str_eq(kp.init, line + 5);
		else if (i == 1)
			ck_assert_str_eq(kp.ktest, line + 6);
		else
			ck_assert_str_eq(kp.bench, line + 6);
		/* ...256 do not, and the message names key and value. */
		fill_value(line, keys[i], '/', 'v', CMDLINE_VALUE_MAX);
		ck_assert_int_eq(parse(line), -EINVAL);
		ck_assert_msg(!strncmp(err, line, strlen(line)), "%s: message '%s'", keys[i], err);
		ck_assert_ptr_nonnull(strstr(err, ": "));
		fill_value(line, keys[i], '/', 'v', CMDLINE_VALUE_MAX + 40);
		ck_assert_int_eq(parse(line), -EINVAL);
		ck_assert_msg(!strncmp(err, line, strlen(line)), "%s: message '%s'", keys[i], err);
	}
	/* A long number is just a bad number. */
	fill_value(line, "mem", '1', '1', 300);
	ck_assert_int_eq(parse(line), -EINVAL);
	ck_assert(!strncmp(err, line, strlen(line)));
	ck_assert_str_eq(kp.init, "/sbin/init");
}
END_TEST

START_TEST(test_cmdline_too_long)
{
	char line[CMDLINE_MAX * 4];

	/* 1023 bytes is the longest accepted line; words at both ends count. */
	memset(line, ' ', CMDLINE_MAX - 1);
	memcpy(line, "loglevel=3", 10);
	memcpy(line + CMDLINE_MAX - 1 - 5, "smp=2", 5);
	line[CMDLINE_MAX - 1] = 0;
	ck_assert_msg(parse(line) == 0, "1023 bytes: %s", err);
	ck_assert_uint_eq(kp.loglevel, 3);
	ck_assert_uint_eq(kp.smp, 2);

	memset(line, ' ', CMDLINE_MAX);
	memcpy(line, "loglevel=3", 10);
	line[CMDLINE_MAX] = 0;
	ck_assert_int_eq(parse(line), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "command line"));
	ck_assert_ptr_nonnull(strstr(err, "1023"));

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	ck_assert_int_eq(parse(line), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "command line"));
}
END_TEST

START_TEST(test_cmdline_whitespace)
{
	ck_assert_int_eq(parse("\tmem=32M  \t loglevel=2\n\n smp=3   init=/bin/sh\t"), 0);
	ck_assert_uint_eq(kp.mem_bytes, MiB(32));
	ck_assert_uint_eq(kp.loglevel, 2);
	ck_assert_uint_eq(kp.smp, 3);
	ck_assert_str_eq(kp.init, "/bin/sh");
	ck_assert_uint_eq(kp.nr_unknown, 0);

	/* Whitespace ends a value: the rest is a word of its own. */
	ck_assert_int_eq(parse("ktest=a b"), 0);
	ck_assert_str_eq(kp.ktest, "a");
	ck_assert_uint_eq(kp.nr_unknown, 1);
	ck_assert_int_eq(parse("init=/bin/sh\t-x"), 0);
	ck_assert_str_eq(kp.init, "/bin/sh");
	ck_assert_uint_eq(kp.nr_unknown, 1);
	/* So "mem= 32M" is an empty mem= followed by an unknown "32M". */
	ck_assert_int_eq(parse("mem= 32M"), -EINVAL);
	ck_assert(!strncmp(err, "mem=: ", 6));
}
END_TEST

START_TEST(test_cmdline_err_buffer)
{
	char small[8];

	memset(small, 'Z', sizeof(small));
	ck_assert_int_eq(cmdline_parse("mem=12x", &kp, small, sizeof(small)), -EINVAL);
	ck_assert_str_eq(small, "mem=12x");
	memset(small, 'Z', sizeof(small));
	ck_assert_int_eq(cmdline_parse("loglevel=9", &kp, small, 1), -EINVAL);
	ck_assert_int_eq(small[0], 0);
	ck_assert_int_eq(small[1], 'Z');
	ck_assert_int_eq(cmdline_parse("mem=12x", &kp, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_cmdline_parse_size)
{
	static const struct {
		const char *s;
		int ret;	/* 0, or 1 for "some negative errno" */
		u64 val;
	} cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "4096", 0, 4096 },
		{ "1K", 0, 1024 },
		{ "1k", 0, 1024 },
		{ "3M", 0, MiB(3) },
		{ "3m", 0, MiB(3) },
		{ "2G", 0, GiB(2) },
		{ "2g", 0, GiB(2) },
		{ "0K", 0, 0 },
		{ "0x10", 0, 16 },
		{ "0x10K", 0, 16384 },
		{ "0XaM", 0, MiB(10) },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "17179869183G", 0, 17179869183ULL << 30 },
		{ "18014398509481983K", 0, 18014398509481983ULL << 10 },
		{ "", 1, 0 },
		{ "K", 1, 0 },
		{ "g", 1, 0 },
		{ "12x", 1, 0 },
		{ "1.5G", 1, 0 },
		{ "-1M", 1, 0 },
		{ " 1M", 1, 0 },
		{ "1M ", 1, 0 },
		{ "1MK", 1, 0 },
		{ "1T", 1, 0 },
		{ "0x", 1, 0 },
		{ "17179869184G", 1, 0 },
		{ "18014398509481984K", 1, 0 },
		{ "18446744073709551616", 1, 0 },
		{ "99999999999G", 1, 0 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 v = 0x5a5a;
		int r = cmdline_parse_size(cases[i].s, strlen(cases[i].s), &v);

		if (cases[i].ret == 0) {
			ck_assert_msg(r == 0, "'%s': returned %d", cases[i].s, r);
			ck_assert_msg(v == cases[i].val, "'%s': got %llu", cases[i].s,
				      (unsigned long long)v);
		} else {
			ck_assert_msg(r < 0, "'%s': returned %d (value %llu)", cases[i].s, r,
				      (unsigned long long)v);
		}
	}
	/* Specific errors where the header's contract is clear. */
	{
		u64 v;

		ck_assert_int_eq(cmdline_parse_size("12x", 3, &v), -EINVAL);
		ck_assert_int_eq(cmdline_parse_size("", 0, &v), -EINVAL);
		ck_assert_int_eq(cmdline_parse_size("99999999999G", 12, &v), -ERANGE);
		/* Only len bytes are looked at. */
		ck_assert_int_eq(cmdline_parse_size("32Mxyz", 3, &v), 0);
		ck_assert_uint_eq(v, MiB(32));
		ck_assert_int_eq(cmdline_parse_size("32Mxyz", 2, &v), 0);
		ck_assert_uint_eq(v, 32);
	}
}
END_TEST

/* ==== kvsnprintf against the host's snprintf ============================= */

#define FMT_BUF 256

static char fmt_report[4096];
static size_t fmt_report_len;
static unsigned fmt_checked, fmt_failed;

static void fmt_begin(void)
{
	fmt_report[0] = 0;
	fmt_report_len = 0;
	fmt_checked = fmt_failed = 0;
}

static void fmt_end(void)
{
	ck_assert_uint_gt(fmt_checked, 0);
	ck_assert_msg(fmt_failed == 0, "%u of %u formats differ from the host's snprintf:%s",
		      fmt_failed, fmt_checked, fmt_report);
}

static void cmp_va(int line, size_t size, const char *fmt, va_list ap)
{
	char want[FMT_BUF], got[FMT_BUF];
	va_list aq;
	int wn, gn, n;

	ck_assert_uint_le(size, FMT_BUF);
	memset(want, 'Z', sizeof(want));
	memset(got, 'Z', sizeof(got));
	va_copy(aq, ap);
	wn = vsnprintf(want, size, fmt, ap);
	gn = kvsnprintf(got, size, fmt, aq);
	va_end(aq);
	fmt_checked++;
	/* The whole buffer: nothing may be written past the terminator. */
	if (wn == gn && !memcmp(want, got, sizeof(want)))
		return;
	fmt_failed++;
	if (fmt_report_len + 200 >= sizeof(fmt_report))
		return;
	want[FMT_BUF - 1] = got[FMT_BUF - 1] = 0;
	n = snprintf(fmt_report + fmt_report_len, sizeof(fmt_report) - fmt_report_len,
		     "\n  line %d \"%s\" size %zu: host %d \"%.60s\", kernel %d \"%.60s\"",
		     line, fmt, size, wn, size ? want : "", gn, size ? got : "");
	if (n > 0)
		fmt_report_len = MIN(fmt_report_len + (size_t)n, sizeof(fmt_report) - 1);
}

__attribute__((format(printf, 3, 4)))
static void cmp_fmt(int line, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmp_va(line, size, fmt, ap);
	va_end(ap);
}

#define CMP(...) cmp_fmt(__LINE__, FMT_BUF, __VA_ARGS__)
#define CMPN(n, ...) cmp_fmt(__LINE__, (n), __VA_ARGS__)

/* NULL as a %s argument, hidden from the compiler's format checks. */
static const char *volatile null_str;

START_TEST(test_fmt_int)
{
	fmt_begin();
	CMP("%d", 0);
	CMP("%d", 1);
	CMP("%d", -1);
	CMP("%d", 42);
	CMP("%d", INT_MAX);
	CMP("%d", INT_MIN);
	CMP("%i", -12345);
	CMP("%i", INT_MIN);
	CMP("[%5d]", 42);
	CMP("[%-5d]", 42);
	CMP("[%05d]", 42);
	CMP("[%05d]", -42);
	CMP("[%5d]", -42);
	CMP("[%-6d]", -42);
	CMP("[%2d]", 12345);
	CMP("[%1d]", 0);
	CMP("[%05d]", 0);
	CMP("[%012d]", INT_MIN);
	CMP("[%-12d]", INT_MIN);
	CMP("[%12d]", INT_MIN);
	CMP("[%-3i]", 5);
	CMP("[%03i]", -5);
	CMP("[%40d]", 7);
	CMP("%u", 0u);
	CMP("%u", 1u);
	CMP("%u", UINT_MAX);
	CMP("[%08u]", 1234u);
	CMP("[%-8u]", 1234u);
	CMP("[%8u]", 1234u);
	CMP("%x", 0u);
	CMP("%x", 255u);
	CMP("%x", 0xdeadbeefu);
	CMP("%X", 0xdeadbeefu);
	CMP("%x", UINT_MAX);
	CMP("%X", 0xabcdefu);
	CMP("[%08x]", 0xbeefu);
	CMP("[%-8x]", 0xbeefu);
	CMP("[%8X]", 0xabcu);
	CMP("[%02x]", 0xau);
	CMP("[%02x]", 0x1abu);
	CMP("%x%X", 0xabu, 0xcdu);
	CMP("%%");
	CMP("100%% done");
	CMP("%%d %d%%", 3);
	CMP("no conversions at all");
	CMP("a=%d b=%u c=%x d=%s e=%c f=%%", -5, 6u, 0x7fu, "str", 'z');
	CMP("%d%d%d%d%d%d%d%d%d%d", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
	fmt_end();
}
END_TEST

START_TEST(test_fmt_length_modifiers)
{
	fmt_begin();
	CMP("%ld", 0L);
	CMP("%ld", LONG_MIN);
	CMP("%ld", LONG_MAX);
	CMP("%li", -1L);
	CMP("%lu", ULONG_MAX);
	CMP("%lx", ULONG_MAX);
	CMP("%lX", 0xfedcba9876543210UL);
	CMP("[%-22ld]", LONG_MIN);
	CMP("[%022ld]", LONG_MIN);
	CMP("%lld", 0LL);
	CMP("%lld", LLONG_MIN);
	CMP("%lld", LLONG_MAX);
	CMP("%lli", -1LL);
	CMP("%llu", ULLONG_MAX);
	CMP("%llx", ULLONG_MAX);
	CMP("%llX", 0x123456789abcdefULL);
	CMP("[%020llu]", 12345ULL);
	CMP("[%-25lld]", LLONG_MIN);
	CMP("[%25lld]", LLONG_MIN);
	CMP("[%025lld]", LLONG_MIN);
	CMP("[%-20llx]", 0xffffULL);
	CMP("%zu", (size_t)0);
	CMP("%zu", SIZE_MAX);
	CMP("%zx", (size_t)0xabcdef);
	CMP("%zd", (ssize_t)-5);
	CMP("%zi", (ssize_t)SSIZE_MAX);
	CMP("%zd", (ssize_t)-SSIZE_MAX - 1);
	CMP("[%08zx]", (size_t)0x1f);
	/* 32- and 64-bit arguments interleaved: each takes its own width. */
	CMP("%d %lld %d %zu %d %lx %u", 1, LLONG_MIN, 2, SIZE_MAX, 3, ULONG_MAX, 4u);
	CMP("%llu %x %lld %c", ULLONG_MAX, 0xfu, -2LL, 'q');
	fmt_end();
}
END_TEST

START_TEST(test_fmt_str)
{
	fmt_begin();
	CMP("%s", "hello");
	CMP("[%s]", "");
	CMP("[%10s]", "hello");
	CMP("[%-10s]", "hello");
	CMP("[%3s]", "hello");
	CMP("[%.3s]", "hello");
	CMP("[%.0s]", "hello");
	CMP("[%.10s]", "hello");
	CMP("[%.5s]", "hello");
	CMP("[%8.3s]", "hello");
	CMP("[%-8.3s]", "hello");
	CMP("[%5s]", "");
	CMP("[%-5s]", "");
	CMP("%s%s%s", "a", "", "c");
	CMP("%s=%s", "key", "value with spaces");
	CMP("[%s]", null_str);
	CMP("[%10s]", null_str);
	CMP("[%-10s]", null_str);
	CMP("[%.6s]", null_str);
	CMP("[%.10s]", null_str);
	CMP("[%3s]", null_str);
	fmt_end();
}
END_TEST

START_TEST(test_fmt_char)
{
	fmt_begin();
	CMP("%c", 'a');
	CMP("%c%c%c", 'a', 'b', 'c');
	CMP("[%c]", ' ');
	CMP("a%cb", 0);		/* a NUL in the middle */
	CMP("%c", 0xff);
	CMP("%c", 'a' + 256);	/* converted to unsigned char */
	CMP("%s%c%d", "x", '=', 5);
	fmt_end();
}
END_TEST

START_TEST(test_fmt_char_width)
{
	fmt_begin();
	CMP("[%5c]", 'x');
	CMP("[%-5c]", 'x');
	CMP("[%*c]", 4, 'y');
	CMP("[%1c]", 'z');
	CMP("[%2c|%-2c]", 'a', 'b');
	fmt_end();
}
END_TEST

START_TEST(test_fmt_star)
{
	fmt_begin();
	CMP("[%*d]", 7, 42);
	CMP("[%-*d]", 7, 42);
	CMP("[%0*d]", 6, -3);
	CMP("[%*d]", 0, 5);
	CMP("[%*s]", 6, "ab");
	CMP("[%-*s]", 6, "ab");
	CMP("[%.*s]", 2, "abcdef");
	CMP("[%.*s]", 0, "abc");
	CMP("[%.*s]", -1, "abc");	/* negative precision: as if none */
	CMP("[%*.*s]", 8, 3, "abcdef");
	CMP("[%-*.*s]", 8, 3, "abcdef");
	CMP("[%*x|%*u]", 4, 0xau, 3, 9u);
	CMP("%.*s=%.*s: %s", 3, "memory", 3, "12x and more", "bad");
	CMP("[%*lld]", 24, LLONG_MIN);
	fmt_end();
}
END_TEST

START_TEST(test_fmt_star_negative_width)
{
	/* C: a negative '*' width is a '-' flag and a positive width. */
	fmt_begin();
	CMP("[%*d]", -7, 42);
	CMP("[%*s]", -6, "ab");
	CMP("[%*.*s]", -8, 3, "abcdef");
	fmt_end();
}
END_TEST

START_TEST(test_fmt_pointer)
{
	int local;

	fmt_begin();
	CMP("%p", (void *)0x1234abcd);
	CMP("%p", (void *)&local);
	CMP("%p", (void *)UINTPTR_MAX);
	CMP("%p", (void *)1);
	CMP("[%20p]", (void *)0x1234abcd);
	CMP("[%-20p]", (void *)0x1234abcd);
	CMP("[%3p]", (void *)0x1234abcd);
	CMP("%p %d", (void *)0x10, 5);
	fmt_end();
}
END_TEST

START_TEST(test_fmt_flags_nonliteral)
{
	/* Flag combinations the compiler would warn about in a literal. */
	static const char *const fmts[] = {
		"[%-05d]", "[%0-5d]", "[%--5d]", "[%00005d]", "[%-0*d]", "[%0-8d]",
	};
	static const int vals[] = { 42, -42, 0, INT_MIN };

	fmt_begin();
	for (unsigned f = 0; f < ARRAY_SIZE(fmts); f++) {
		for (unsigned v = 0; v < ARRAY_SIZE(vals); v++) {
			if (strchr(fmts[f], '*'))
				cmp_fmt(__LINE__, FMT_BUF, fmts[f], 9, vals[v]);
			else
				cmp_fmt(__LINE__, FMT_BUF, fmts[f], vals[v]);
		}
	}
	fmt_end();
}
END_TEST

START_TEST(test_fmt_truncation)
{
	char buf[64];

	fmt_begin();
	for (size_t n = 0; n <= 40; n++) {
		CMPN(n, "hello %d world %s!", 12345, "abc");
		CMPN(n, "%lld", LLONG_MIN);
		CMPN(n, "[%-10s]", "ab");
		CMPN(n, "%c%c", 'a', 'b');
		CMPN(n, "%08x%%", 0xbeefu);
		CMPN(n, "%300d", 1);
	}
	CMPN(FMT_BUF, "%300d", 1);
	fmt_end();

	/* size 0: nothing written, not even the terminator. */
	memset(buf, 'Z', sizeof(buf));
	ck_assert_int_eq(ksnprintf(buf, 0, "%s", "abc"), 3);
	ck_assert_int_eq(buf[0], 'Z');
	ck_assert_int_eq(ksnprintf(NULL, 0, "%d", 12345), 5);
	ck_assert_int_eq(ksnprintf(NULL, 0, "%s%lld", "x", LLONG_MIN), 21);
	/* size 1: just the terminator. */
	ck_assert_int_eq(ksnprintf(buf, 1, "%s", "abc"), 3);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_int_eq(buf[1], 'Z');
	/* The full length comes back however small the buffer. */
	ck_assert_int_eq(ksnprintf(buf, 4, "%d-%d", 1000, 2000), 9);
	ck_assert_str_eq(buf, "100");
	ck_assert_int_eq(buf[4], 'Z');
}
END_TEST

START_TEST(test_fmt_str_precision_unterminated)
{
	/* C: with a precision, %s reads at most that many bytes and the array
	 * need not be NUL-terminated (log records, cmdline words). Put the
	 * string against an unmapped page so reading one byte too far faults. */
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[32], *s;

	ck_assert(m != MAP_FAILED);
	ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	s = m + pg - 4;
	memcpy(s, "abcd", 4);
	ck_assert_int_eq(ksnprintf(buf, sizeof(buf), "[%.4s]", s), 6);
	ck_assert_str_eq(buf, "[abcd]");
	ck_assert_int_eq(ksnprintf(buf, sizeof(buf), "[%.*s]", 2, s + 2), 4);
	ck_assert_str_eq(buf, "[cd]");
	ck_assert_int_eq(ksnprintf(buf, sizeof(buf), "[%6.1s]", s + 3), 8);
	ck_assert_str_eq(buf, "[     d]");
	munmap(m, (size_t)pg * 2);
}
END_TEST

START_TEST(test_kstrtou64)
{
	static const struct {
		const char *s;
		int ret;
		u64 val;
	} cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "42", 0, 42 },
		{ "007", 0, 7 },
		{ "1234567890", 0, 1234567890 },
		{ "0x0", 0, 0 },
		{ "0x1f", 0, 31 },
		{ "0X1F", 0, 31 },
		{ "0xDeadBeef", 0, 0xdeadbeef },
		{ "0x00000000000000000001", 0, 1 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "018446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551610", 0, UINT64_MAX - 5 },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "0xFFFFFFFFFFFFFFFF", 0, UINT64_MAX },
		{ "", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "x1", -EINVAL, 0 },
		{ "12a", -EINVAL, 0 },
		{ "1f", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ "0xg", -EINVAL, 0 },
		{ "0x1g", -EINVAL, 0 },
		{ "0x-1", -EINVAL, 0 },
		{ "1.0", -EINVAL, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "18446744073709551620", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "184467440737095516150", -ERANGE, 0 },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "0xfffffffffffffffff", -ERANGE, 0 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 v = 0;
		int r = kstrtou64(cases[i].s, strlen(cases[i].s), &v);

		ck_assert_msg(r == cases[i].ret, "'%s': returned %d, want %d", cases[i].s, r,
			      cases[i].ret);
		if (r == 0)
			ck_assert_msg(v == cases[i].val, "'%s': got %llu", cases[i].s,
				      (unsigned long long)v);
	}
	/* Exactly len bytes, no terminator needed. */
	{
		u64 v;

		ck_assert_int_eq(kstrtou64("123456", 3, &v), 0);
		ck_assert_uint_eq(v, 123);
		ck_assert_int_eq(kstrtou64("0x", 1, &v), 0);
		ck_assert_uint_eq(v, 0);
		ck_assert_int_eq(kstrtou64("0x1f", 3, &v), 0);
		ck_assert_uint_eq(v, 1);
		ck_assert_int_eq(kstrtou64("9", 0, &v), -EINVAL);
	}
}
END_TEST

/* ==== printk ============================================================ */

#define LOG_BUF_SIZE (64 * 1024)	/* as in printk.c */
#define LOG_LINE_MAX 512

/* Sequence number one past the newest record. */
static u64 log_end(void)
{
	char buf[1024];
	u64 seq = 0;

	while (printk_read(&seq, buf, sizeof(buf)))
		;
	return seq;
}

/* Read the record at *seq as a C string (static buffer). */
static const char *read_rec(u64 *seq)
{
	static char buf[1024];
	size_t n = printk_read(seq, buf, sizeof(buf) - 1);

	buf[n] = 0;
	return buf;
}

START_TEST(test_printk_format)
{
	char buf[64];
	u64 seq;

	/* The first printk of the process fixes the time origin. */
	fake_clock = 5 * NSEC_PER_SEC;
	seq = log_end();
	ck_assert_uint_eq(seq, 0);
	fake_console_clear();
	printk(LOG_INFO, "hello %d", 42);
	ck_assert_str_eq(fake_console(), "[    0.000000] hello 42\n");
	fake_clock += 1234567891;
	pr_err("second %s\n", "line");
	fake_clock = 5 * NSEC_PER_SEC + 12345 * NSEC_PER_SEC + 1000;
	pr_warn("third");
	fake_clock += 111111 * NSEC_PER_SEC + 499999;
	pr_emerg("fourth");
	pr_notice("fifth");
	ck_assert_str_eq(fake_console(), "[    0.000000] hello 42\n"
					 "[    1.234567] second line\n"
					 "[12345.000001] third\n"
					 "[123456.000500] fourth\n"
					 "[123456.000500] fifth\n");

	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] hello 42\n");
	ck_assert_uint_eq(seq, 1);
	ck_assert_str_eq(read_rec(&seq), "<3>[    1.234567] second line\n");
	ck_assert_str_eq(read_rec(&seq), "<4>[12345.000001] third\n");
	ck_assert_str_eq(read_rec(&seq), "<0>[123456.000500] fourth\n");
	ck_assert_str_eq(read_rec(&seq), "<5>[123456.000500] fifth\n");
	ck_assert_uint_eq(seq, 5);
	/* Past the end: nothing, and the position stays. */
	ck_assert_uint_eq(printk_read(&seq, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(seq, 5);
	seq = 100;
	ck_assert_uint_eq(printk_read(&seq, buf, sizeof(buf)), 0);
	/* Any record can be re-read by its number. */
	seq = 2;
	ck_assert_str_eq(read_rec(&seq), "<4>[12345.000001] third\n");
	ck_assert_uint_eq(printk_dropped(), 0);
}
END_TEST

START_TEST(test_printk_timestamp_clock_zero)
{
	u64 seq = log_end();

	/* arch_clock_ns has an arbitrary epoch, so 0 is a valid reading; the
	 * fake clock starts there. Time must still advance in the log. */
	fake_clock = 0;
	pr_info("at zero");
	fake_clock = 2500 * NSEC_PER_MSEC;
	pr_info("at 2.5s");
	fake_clock = 3 * NSEC_PER_SEC;
	pr_info("at 3s");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] at zero\n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    2.500000] at 2.5s\n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    3.000000] at 3s\n");
}
END_TEST

START_TEST(test_printk_console_level)
{
	u64 seq;

	fake_clock = NSEC_PER_SEC;
	seq = log_end();
	fake_console_clear();
	/* Default console level is LOG_INFO (6). */
	pr_debug("dbg1");
	ck_assert_str_eq(fake_console(), "");
	pr_info("info1");
	printk_set_console_level(LOG_DEBUG);
	pr_debug("dbg2");
	printk_set_console_level(LOG_ERR);
	pr_warn("warn1");
	pr_notice("notice1");
	pr_err("err1");
	pr_emerg("emerg1");
	printk_set_console_level(LOG_EMERG);
	printk(LOG_ALERT, "alert1");
	pr_err("err2");
	pr_emerg("emerg2");
	ck_assert_str_eq(fake_console(), "[    0.000000] info1\n"
					 "[    0.000000] dbg2\n"
					 "[    0.000000] err1\n"
					 "[    0.000000] emerg1\n"
					 "[    0.000000] emerg2\n");
	/* Every record is logged, echoed or not. */
	ck_assert_str_eq(read_rec(&seq), "<7>[    0.000000] dbg1\n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] info1\n");
	ck_assert_str_eq(read_rec(&seq), "<7>[    0.000000] dbg2\n");
	ck_assert_str_eq(read_rec(&seq), "<4>[    0.000000] warn1\n");
	ck_assert_str_eq(read_rec(&seq), "<5>[    0.000000] notice1\n");
	ck_assert_str_eq(read_rec(&seq), "<3>[    0.000000] err1\n");
	ck_assert_str_eq(read_rec(&seq), "<0>[    0.000000] emerg1\n");
	ck_assert_str_eq(read_rec(&seq), "<1>[    0.000000] alert1\n");
	ck_assert_str_eq(read_rec(&seq), "<3>[    0.000000] err2\n");
	ck_assert_str_eq(read_rec(&seq), "<0>[    0.000000] emerg2\n");
	ck_assert_str_eq(read_rec(&seq), "");
}
END_TEST

START_TEST(test_printk_newline)
{
	u64 seq;

	fake_clock = NSEC_PER_SEC;
	seq = log_end();
	fake_console_clear();
	pr_info("one\n");
	pr_info("two");
	pr_info("three\n\n");
	pr_info("\n");
	pr_info("%s", "");
	pr_info("mid\nline\n");
	ck_assert_str_eq(fake_console(), "[    0.000000] one\n"
					 "[    0.000000] two\n"
					 "[    0.000000] three\n\n"
					 "[    0.000000] \n"
					 "[    0.000000] \n"
					 "[    0.000000] mid\nline\n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] one\n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] two\n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] three\n\n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] \n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] \n");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] mid\nline\n");
}
END_TEST

static void pattern(char *s, size_t len, unsigned salt)
{
	for (size_t i = 0; i < len; i++)
		s[i] = (char)('a' + (i * 7 + salt) % 26);
	s[len] = 0;
}

START_TEST(test_printk_long_message)
{
	static char big[2000], want[2100];
	const char *pfx = "<6>[    0.000000] ";
	u64 seq;

	fake_clock = NSEC_PER_SEC;
	seq = log_end();
	pattern(big, sizeof(big) - 1, 0);
	fake_console_clear();
	pr_info("%s", big);
	/* Kept: the first LOG_LINE_MAX - 1 bytes. */
	snprintf(want, sizeof(want), "%s%.*s\n", pfx, LOG_LINE_MAX - 1, big);
	ck_assert_str_eq(read_rec(&seq), want);
	snprintf(want, sizeof(want), "[    0.000000] %.*s\n", LOG_LINE_MAX - 1, big);
	ck_assert_str_eq(fake_console(), want);

	/* 510 bytes and a newline fit, and the newline goes. */
	pattern(big, 510, 1);
	big[510] = '\n';
	big[511] = 0;
	pr_info("%s", big);
	big[510] = 0;
	snprintf(want, sizeof(want), "%s%s\n", pfx, big);
	ck_assert_str_eq(read_rec(&seq), want);
	/* 511 and a newline: cut at 511. */
	pattern(big, 511, 2);
	big[511] = '\n';
	big[512] = 0;
	pr_info("%s", big);
	big[511] = 0;
	snprintf(want, sizeof(want), "%s%s\n", pfx, big);
	ck_assert_str_eq(read_rec(&seq), want);
	/* Formatting that expands beyond the line. */
	pr_info("%600d|%s", 5, "tail");
	ck_assert_uint_eq(strlen(read_rec(&seq)), strlen(pfx) + LOG_LINE_MAX - 1 + 1);
	/* The neighbours are intact. */
	pr_info("after");
	ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] after\n");
	ck_assert_str_eq(read_rec(&seq), "");
}
END_TEST

START_TEST(test_printk_small_reader)
{
	static const char full[] = "<6>[    0.000000] hello world\n";
	char buf[64];
	u64 seq, s0;

	fake_clock = NSEC_PER_SEC;
	s0 = log_end();
	pr_info("hello world");
	pr_info("next");
	for (size_t size = 1; size <= sizeof(full) + 4; size++) {
		size_t n, want = MIN(size, sizeof(full) - 1);

		memset(buf, 'Z', sizeof(buf));
		seq = s0;
		n = printk_read(&seq, buf, size);
		ck_assert_msg(n == want, "size %zu: read %zu", size, n);
		ck_assert_msg(!memcmp(buf, full, n), "size %zu: '%.*s'", size, (int)n, buf);
		ck_assert_msg(buf[n] == 'Z', "size %zu: wrote past the line", size);
		/* The record is consumed even if it did not fit. */
		ck_assert_uint_eq(seq, s0 + 1);
		ck_assert_str_eq(read_rec(&seq), "<6>[    0.000000] next\n");
	}
}
END_TEST

static void console_long(void *arg)
{
	console_printf("%s", (const char *)arg);
}

START_TEST(test_console_raw)
{
	static char big[1000];
	u64 end;

	fake_clock = NSEC_PER_SEC;
	pr_info("first");
	end = log_end();
	fake_console_clear();
	console_puts("raw text\n");
	console_printf("x=%d %s\n", 5, "y");
	ck_assert_str_eq(fake_console(), "raw text\nx=5 y\n");
	ck_assert_uint_eq(log_end(), end);	/* not logged */

	pattern(big, sizeof(big) - 1, 3);
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(console_long, big), -1);
	ck_assert_uint_eq(strlen(fake_console()), LOG_LINE_MAX - 1);
	ck_assert(!strncmp(fake_console(), big, LOG_LINE_MAX - 1));
}
END_TEST

/* Synthetic record i of length len: "r<6 digits>:" then a filler. */
static void synth(char *out, unsigned i, size_t len)
{
	snprintf(out, 16, "r%06u:", i % 1000000);
	if (len < 8) {
		out[len] = 0;
		return;
	}
	memset(out + 8, 'a' + (int)(i % 26), len - 8);
	out[len] = 0;
}

static size_t rec_bytes(size_t len)
{
	return ALIGN_UP(sizeof(struct log_record) + len, 8);
}

static u64 rng = 0x243f6a8885a308d3ULL;

static u64 rnd(void)
{
	u64 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Check record seq against synthetic record seq - base of lens[]; returns
 * its timestamp in microseconds. */
static u64 check_rec(u64 seq, u64 base, const u16 *lens)
{
	static char buf[1024], want[600];
	unsigned lvl;
	unsigned long long sec, usec;
	int off = 0;
	u64 s = seq;
	size_t n = printk_read(&s, buf, sizeof(buf) - 1);

	buf[n] = 0;
	ck_assert_msg(n > 0, "record %llu missing", (unsigned long long)seq);
	ck_assert_uint_eq(s, seq + 1);
	/* No space before %n: it would also eat an empty record's newline. */
	ck_assert_msg(sscanf(buf, "<%u>[%llu.%llu]%n", &lvl, &sec, &usec, &off) == 3 &&
		      off > 0 && buf[off] == ' ',
		      "record %llu: bad header '%.40s'", (unsigned long long)seq, buf);
	off++;
	ck_assert_uint_eq(lvl, LOG_INFO);
	synth(want, (unsigned)(seq - base), lens[seq - base]);
	strcat(want, "\n");
	ck_assert_msg(!strcmp(buf + off, want), "record %llu: '%.40s' want '%.40s'",
		      (unsigned long long)seq, buf + off, want);
	return sec * 1000000 + usec;
}

/* Write n synthetic records with lengths from lens, one microsecond apart,
 * and check the ring as it goes and at the end. */
static void ring_run(unsigned n, u16 *lens)
{
	static char text[600];
	u64 base, first, ts0 = 0, s;
	size_t max_rec = 0, kept_bytes = 0;
	char buf[8];

	printk_set_console_level(LOG_ERR);	/* keep the console out of it */
	fake_clock = NSEC_PER_SEC;
	base = log_end();
	for (unsigned i = 0; i < n; i++) {
		synth(text, i, lens[i]);
		fake_clock += 1000;
		pr_info("%s", text);
		max_rec = MAX(max_rec, rec_bytes(lens[i]));
		/* The newest record is always whole. */
		if (i % 61 == 0 || i + 1 == n)
			check_rec(base + i, base, lens);
	}
	ck_assert_uint_eq(log_end(), base + n);

	/* Reading from 0 starts at the oldest record kept. */
	s = 0;
	ck_assert_uint_gt(printk_read(&s, buf, sizeof(buf)), 0);
	first = s - 1;
	ck_assert_msg(first > base, "nothing dropped: first %llu", (unsigned long long)first);
	ck_assert_uint_eq(printk_dropped(), first);

	/* The kept records in order, intact, each with its own timestamp. Each
	 * read walks the ring from its tail, so check the two ends fully and
	 * a sample of the middle. */
	ts0 = check_rec(first, base, lens) - (first - base);
	for (s = first; s < base + n; s++) {
		kept_bytes += rec_bytes(lens[s - base]);
		if (s - first < 64 || base + n - s <= 64 || s % 7 == 0)
			ck_assert_uint_eq(check_rec(s, base, lens), ts0 + (s - base));
	}
	/* The ring holds at most its size, and wastes less than two records. */
	ck_assert_uint_le(kept_bytes, LOG_BUF_SIZE);
	ck_assert_msg(kept_bytes + 2 * max_rec > LOG_BUF_SIZE, "only %zu bytes kept",
		      kept_bytes);
	ck_assert_uint_eq(printk_dropped(), first);
	printk_set_console_level(LOG_INFO);
}

#define RING_N 6000

static u16 ring_lens[RING_N];

START_TEST(test_printk_ring_random)
{
	for (unsigned i = 0; i < 3000; i++) {
		u64 r = rnd();

		/* Mostly short lines, some at the maximum, some empty. */
		if (r % 10 == 0)
			ring_lens[i] = LOG_LINE_MAX - 1;
		else if (r % 10 == 1)
			ring_lens[i] = (u16)(r >> 8) % 8;
		else
			ring_lens[i] = (u16)(8 + (r >> 8) % 200);
	}
	ring_run(3000, ring_lens);
}
END_TEST

START_TEST(test_printk_ring_max_records)
{
	for (unsigned i = 0; i < 500; i++)
		ring_lens[i] = LOG_LINE_MAX - 1;
	ring_run(500, ring_lens);
}
END_TEST

START_TEST(test_printk_ring_empty_records)
{
	for (unsigned i = 0; i < RING_N; i++)
		ring_lens[i] = 0;
	ring_run(RING_N, ring_lens);
}
END_TEST

START_TEST(test_printk_ring_every_alignment)
{
	/* Every length 0..511 in a scrambled order, so the ring wraps at many
	 * different offsets. */
	for (unsigned i = 0; i < 3000; i++)
		ring_lens[i] = (u16)((i * 37) % LOG_LINE_MAX);
	ring_run(3000, ring_lens);
}
END_TEST

/* ==== panic, BUG_ON, WARN_ON ============================================= */

/* The "Kernel panic: ..." line on the console (static buffer). */
static const char *panic_line(void)
{
	static char line[512];
	const char *p = strstr(fake_console(), "Kernel panic: ");
	size_t n;

	if (!p)
		return "";
	n = strcspn(p, "\n");
	n = MIN(n, sizeof(line) - 1);
	memcpy(line, p, n);
	line[n] = 0;
	return line;
}

static void do_panic(void *arg)
{
	panic("boom %d %s", 42, (const char *)arg);
}

START_TEST(test_panic_halts)
{
	const char *c, *msg, *trace;
	u64 seq;

	fake_clock = NSEC_PER_SEC;
	seq = log_end();
	printk_set_console_level(LOG_EMERG);	/* a panic is always shown */
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(do_panic, "now"), HALT_PANIC);
	c = fake_console();
	msg = strstr(c, "Kernel panic: boom 42 now\n");
	trace = strstr(c, "Call trace:");
	ck_assert_msg(msg != NULL, "console: %s", c);
	ck_assert_msg(trace != NULL && trace > msg, "console: %s", c);
	ck_assert_msg(strstr(c, "CPU 0, task idle"), "console: %s", c);
	/* It is in the log too, at LOG_EMERG. */
	ck_assert_str_eq(read_rec(&seq), "<0>[    0.000000] Kernel panic: boom 42 now\n");
}
END_TEST

static void panic_with_lock(void *arg)
{
	struct spinlock *l = arg;

	spin_lock(l);
	panic("with %s held", l->name);
}

START_TEST(test_panic_under_lock)
{
	/* A lock above printk's in the order: plain printk could not be called
	 * under it, but panic's printing must still get through. */
	struct spinlock high;

	spin_lock_init(&high, "high_lock", LOCK_LEVEL_PRINTK + 10);
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(panic_with_lock, &high), HALT_PANIC);
	ck_assert_str_eq(panic_line(), "Kernel panic: with high_lock held");
	ck_assert_ptr_nonnull(strstr(fake_console(), "Call trace:"));
}
END_TEST

static void panic_long(void *arg)
{
	panic("%s", (const char *)arg);
}

START_TEST(test_panic_long_message)
{
	static char big[1000];
	const char *line;

	pattern(big, sizeof(big) - 1, 4);
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(panic_long, big), HALT_PANIC);
	line = panic_line();
	ck_assert(!strncmp(line, "Kernel panic: ", 14));
	ck_assert_uint_eq(strlen(line), 14 + 255);
	ck_assert(!strncmp(line + 14, big, 255));
}
END_TEST

static int bug_line;

static void do_bug_on(void *arg)
{
	int *v = arg;

	bug_line = __LINE__ + 1;
	BUG_ON(*v > 2);
}

static void do_bug(void *arg __unused)
{
	bug_line = __LINE__ + 1;
	BUG();
}

START_TEST(test_bug_on)
{
	int v = 1;
	char want[256];

	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(do_bug_on, &v), -1);
	ck_assert_str_eq(fake_console(), "");
	v = 3;
	ck_assert_int_eq(fake_catch_halt(do_bug_on, &v), HALT_PANIC);
	snprintf(want, sizeof(want), "Kernel panic: BUG at %s:%d: *v > 2", __FILE__, bug_line);
	ck_assert_str_eq(panic_line(), want);
	ck_assert_ptr_nonnull(strstr(fake_console(), "Call trace:"));
}
END_TEST

START_TEST(test_bug)
{
	char want[256];

	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(do_bug, NULL), HALT_PANIC);
	snprintf(want, sizeof(want), "Kernel panic: BUG at %s:%d", __FILE__, bug_line);
	ck_assert_str_eq(panic_line(), want);
}
END_TEST

static int warn_line;
static bool warn_ret;

static void do_warn(void *arg)
{
	int x = *(int *)arg;

	warn_line = __LINE__ + 1;
	warn_ret = WARN_ON(x == 3);
}

START_TEST(test_warn_on)
{
	unsigned long before = warn_count;
	char want[256];
	int x = 1, r;

	fake_console_clear();
	warn_ret = true;
	ck_assert_int_eq(fake_catch_halt(do_warn, &x), -1);
	ck_assert(!warn_ret);
	ck_assert_uint_eq(warn_count, before);
	ck_assert_str_eq(fake_console(), "");

	x = 3;
	ck_assert_int_eq(fake_catch_halt(do_warn, &x), -1);	/* did not halt */
	ck_assert(warn_ret);
	ck_assert_uint_eq(warn_count, before + 1);
	snprintf(want, sizeof(want), "WARNING at %s:%d: x == 3\n", __FILE__, warn_line);
	ck_assert_msg(strstr(fake_console(), want), "console: %s", fake_console());
	ck_assert_ptr_nonnull(strstr(fake_console(), "Call trace:"));
	ck_assert_ptr_null(strstr(fake_console(), "Kernel panic"));

	ck_assert_int_eq(fake_catch_halt(do_warn, &x), -1);
	ck_assert_uint_eq(warn_count, before + 2);
	/* The value is the condition as a bool, and state is untouched. */
	r = WARN_ON(x + 4);
	ck_assert_int_eq(r, 1);
	ck_assert_uint_eq(warn_count, before + 3);
	ck_assert_uint_eq(this_cpu()->preempt_count, 0);
	ck_assert(!arch_irqs_disabled());
}
END_TEST

START_TEST(test_panic_recursive)
{
	int v = 3;

	/* The first panic never finished (the fake longjmp'd out of its halt),
	 * so the machine is still panicking when the next one comes. */
	ck_assert_int_eq(fake_catch_halt(do_panic, "first"), HALT_PANIC);
	ck_assert_str_eq(panic_line(), "Kernel panic: boom 42 first");
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(do_panic, "second"), HALT_PANIC);
	ck_assert_ptr_nonnull(strstr(fake_console(), "recursive panic"));
	ck_assert_ptr_null(strstr(fake_console(), "second"));
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(do_bug_on, &v), HALT_PANIC);
	ck_assert_ptr_nonnull(strstr(fake_console(), "recursive panic"));
}
END_TEST

/* ==== lock checker ======================================================= */

static struct spinlock la, lb, lb2, lc, lhigh, rq0, rq1;
static struct spinlock many[LOCKCHECK_DEPTH + 1];

static void locks_init(void)
{
	spin_lock_init(&la, "lock_a", LOCK_LEVEL_WORKQUEUE);
	spin_lock_init(&lb, "lock_b", LOCK_LEVEL_RUNQUEUE);
	spin_lock_init(&lb2, "lock_b2", LOCK_LEVEL_RUNQUEUE);
	spin_lock_init(&lc, "lock_c", LOCK_LEVEL_BUDDY);
	spin_lock_init(&lhigh, "lock_high", LOCK_LEVEL_PRINTK + 50);
	spin_lock_init(&rq0, "rq0", LOCK_LEVEL_RUNQUEUE);
	spin_lock_init(&rq1, "rq1", LOCK_LEVEL_RUNQUEUE);
	for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
		spin_lock_init(&many[i], "many", LOCK_LEVEL_WORKQUEUE + i);
}

static unsigned nr_held(void)
{
	return current->nr_held;
}

static unsigned preempt_count(void)
{
	return this_cpu()->preempt_count;
}

/* An interrupt handler wakes wait queues (console input) while its CPU may
 * hold any spinlock that is taken with interrupts on: mutex internals and
 * the VFS's. Regression: the console interrupt's wake_up_all under an
 * inode's wait_lock panicked the lock checker on a 4-CPU RISC-V boot. */
START_TEST(test_waitqueue_above_irq_enabled_locks)
{
	static const unsigned levels[] = { LOCK_LEVEL_MUTEX_INTERNAL, VFS_LEVEL_FDTABLE,
					   VFS_LEVEL_MOUNT, VFS_LEVEL_DCACHE, VFS_LEVEL_INODES,
					   VFS_LEVEL_FS_LEAF };
	struct wait_queue wq;

	wait_queue_init(&wq);
	for (unsigned i = 0; i < ARRAY_SIZE(levels); i++) {
		struct spinlock l;

		spin_lock_init(&l, "irq_enabled_lock", levels[i]);
		spin_lock(&l);
		wake_up_all(&wq);	/* as from an interrupt on this CPU */
		spin_unlock(&l);
	}
	ck_assert_uint_eq(nr_held(), 0);
}
END_TEST

START_TEST(test_lock_in_order)
{
	locks_init();
	ck_assert_uint_eq(nr_held(), 0);
	ck_assert_uint_eq(preempt_count(), 0);
	spin_lock(&la);
	ck_assert_uint_eq(nr_held(), 1);
	ck_assert_uint_eq(preempt_count(), 1);
	ck_assert(spin_is_locked(&la));
	ck_assert_ptr_eq(current->held[0].lock, &la);
	ck_assert_str_eq(current->held[0].name, "lock_a");
	ck_assert_uint_eq(current->held[0].level, LOCK_LEVEL_WORKQUEUE);
	ck_assert_uint_ne(current->held[0].ip, 0);
	spin_lock(&lb);
	spin_lock(&lc);
	ck_assert_uint_eq(nr_held(), 3);
	ck_assert_uint_eq(preempt_count(), 3);
	ck_assert_ptr_eq(current->held[2].lock, &lc);
	/* printk's lock is above all of these. */
	pr_info("under three locks");
	ck_assert_uint_eq(nr_held(), 3);
	ck_assert_uint_eq(preempt_count(), 3);
	spin_unlock(&lc);
	spin_unlock(&lb);
	spin_unlock(&la);
	ck_assert_uint_eq(nr_held(), 0);
	ck_assert_uint_eq(preempt_count(), 0);
	ck_assert(!spin_is_locked(&la) && !spin_is_locked(&lb) && !spin_is_locked(&lc));

	/* Release order is free. */
	spin_lock(&la);
	spin_lock(&lb);
	spin_lock(&lc);
	spin_unlock(&la);
	ck_assert_uint_eq(nr_held(), 2);
	ck_assert_ptr_eq(current->held[0].lock, &lb);
	ck_assert_ptr_eq(current->held[1].lock, &lc);
	spin_unlock(&lc);
	ck_assert_uint_eq(nr_held(), 1);
	spin_unlock(&lb);
	ck_assert_uint_eq(nr_held(), 0);
	ck_assert_uint_eq(preempt_count(), 0);

	/* Nothing held, so any lock may come first again. */
	spin_lock(&lc);
	spin_unlock(&lc);
	spin_lock(&la);
	spin_unlock(&la);
	ck_assert_uint_eq(nr_held(), 0);
}
END_TEST

START_TEST(test_lock_max_depth)
{
	locks_init();
	for (unsigned i = 0; i < LOCKCHECK_DEPTH; i++)
		spin_lock(&many[i]);
	ck_assert_uint_eq(nr_held(), LOCKCHECK_DEPTH);
	ck_assert_uint_eq(preempt_count(), LOCKCHECK_DEPTH);
	for (unsigned i = LOCKCHECK_DEPTH; i-- > 0;)
		spin_unlock(&many[i]);
	ck_assert_uint_eq(nr_held(), 0);
	ck_assert_uint_eq(preempt_count(), 0);
}
END_TEST

static void bad_order(void *arg __unused)
{
	spin_lock(&lb);
	spin_lock(&la);
}

static void bad_equal(void *arg __unused)
{
	spin_lock(&lb);
	spin_lock(&lb2);
}

static void bad_recursive(void *arg __unused)
{
	spin_lock(&la);
	spin_lock(&la);
}

static void bad_recursive_irqsave(void *arg __unused)
{
	unsigned long f = spin_lock_irqsave(&la);

	spin_lock(&lb);
	spin_lock(&la);
	(void)f;
}

static void bad_unlock(void *arg __unused)
{
	spin_unlock(&la);
}

static void bad_unlock_other(void *arg __unused)
{
	spin_lock(&la);
	spin_unlock(&lb);
}

static void bad_unlock_twice(void *arg __unused)
{
	spin_lock(&la);
	spin_unlock(&la);
	spin_unlock(&la);
}

static void bad_nested_order(void *arg __unused)
{
	spin_lock_nested(&rq1, 1);
	spin_lock(&rq0);
}

static void bad_irqsave_order(void *arg __unused)
{
	unsigned long f = spin_lock_irqsave(&lc);

	f |= spin_lock_irqsave(&la);
	(void)f;
}

static void bad_trylock_then_lock(void *arg __unused)
{
	if (spin_trylock(&lc))
		spin_lock(&lb);
}

static void bad_printk_under_lock(void *arg __unused)
{
	spin_lock(&lhigh);
	pr_info("printk's lock is below this one");
}

static void bad_depth(void *arg __unused)
{
	for (unsigned i = 0; i <= LOCKCHECK_DEPTH; i++)
		spin_lock(&many[i]);
}

static const struct {
	void (*fn)(void *);
	const char *what;
	const char *must[2];	/* in the panic line */
} lock_bugs[] = {
	{ bad_order, "higher then lower", { "lock_a", "lock_b" } },
	{ bad_equal, "two of one level", { "lock_b2", "lock_b " } },
	{ bad_recursive, "recursive", { "recursive", "lock_a" } },
	{ bad_recursive_irqsave, "recursive, another between", { "recursive", "lock_a" } },
	{ bad_unlock, "unlock never locked", { "not held", NULL } },
	{ bad_unlock_other, "unlock another", { "not held", NULL } },
	{ bad_unlock_twice, "unlock twice", { "not held", NULL } },
	{ bad_nested_order, "nested subclass reversed", { "rq0", "rq1" } },
	{ bad_irqsave_order, "irqsave reversed", { "lock_a", "lock_c" } },
	{ bad_trylock_then_lock, "lock under a trylock", { "lock_b", "lock_c" } },
	{ bad_printk_under_lock, "printk above its level", { "log_lock", "lock_high" } },
	{ bad_depth, "too deep", { "more than", NULL } },
};

START_TEST(test_lock_violation)
{
	const char *line;

	locks_init();
	fake_console_clear();
	ck_assert_msg(fake_catch_halt(lock_bugs[_i].fn, NULL) == HALT_PANIC,
		      "%s: did not panic", lock_bugs[_i].what);
	line = panic_line();
	ck_assert_msg(strstr(line, "lockcheck"), "%s: '%s'", lock_bugs[_i].what, line);
	for (unsigned k = 0; k < 2; k++) {
		const char *m = lock_bugs[_i].must[k];

		if (m)
			ck_assert_msg(strstr(line, m), "%s: '%s' does not name '%s'",
				      lock_bugs[_i].what, line, m);
	}
	ck_assert_ptr_nonnull(strstr(fake_console(), "Call trace:"));
}
END_TEST

static void bad_unlock_addr(void *arg)
{
	spin_unlock(arg);
}

START_TEST(test_lock_unlock_names_address)
{
	/* The lock checker knows only the address on release: at least that. */
	char addr[32];

	locks_init();
	snprintf(addr, sizeof(addr), "%p", (void *)&lc);
	fake_console_clear();
	ck_assert_int_eq(fake_catch_halt(bad_unlock_addr, &lc), HALT_PANIC);
	ck_assert_msg(strstr(panic_line(), addr), "'%s' lacks %s", panic_line(), addr);
}
END_TEST

START_TEST(test_lock_nested)
{
	locks_init();
	spin_lock(&rq0);
	spin_lock_nested(&rq1, 1);
	ck_assert_uint_eq(nr_held(), 2);
	ck_assert_uint_eq(preempt_count(), 2);
	ck_assert_uint_eq(current->held[0].level, LOCK_LEVEL_RUNQUEUE);
	ck_assert_uint_eq(current->held[1].level, LOCK_LEVEL_RUNQUEUE + 1);
	ck_assert(spin_is_locked(&rq0) && spin_is_locked(&rq1));
	spin_lock(&lc);		/* above both */
	spin_unlock(&lc);
	spin_unlock(&rq0);
	spin_unlock(&rq1);
	ck_assert_uint_eq(nr_held(), 0);

	/* The subclass belongs to the acquisition, not the lock. */
	spin_lock(&rq1);
	spin_lock_nested(&rq0, 1);
	ck_assert_uint_eq(nr_held(), 2);
	spin_unlock(&rq0);
	spin_unlock(&rq1);
	ck_assert_uint_eq(nr_held(), 0);
	ck_assert_uint_eq(preempt_count(), 0);
}
END_TEST

START_TEST(test_trylock)
{
	locks_init();
	ck_assert(spin_trylock(&la));
	ck_assert(spin_is_locked(&la));
	ck_assert_uint_eq(nr_held(), 1);
	ck_assert_uint_eq(preempt_count(), 1);
	/* Busy: fails and leaves no trace. */
	ck_assert(!spin_trylock(&la));
	ck_assert_uint_eq(nr_held(), 1);
	ck_assert_uint_eq(preempt_count(), 1);
	ck_assert(spin_trylock(&lb));
	ck_assert_uint_eq(nr_held(), 2);
	ck_assert_uint_eq(preempt_count(), 2);
	spin_unlock(&lb);
	spin_unlock(&la);
	ck_assert_uint_eq(nr_held(), 0);
	ck_assert_uint_eq(preempt_count(), 0);
	ck_assert(!spin_is_locked(&la));

	/* Held by "another CPU". */
	lc.locked = 1;
	ck_assert(!spin_trylock(&lc));
	ck_assert_uint_eq(nr_held(), 0);
	ck_assert_uint_eq(preempt_count(), 0);
	lc.locked = 0;
	ck_assert(spin_trylock(&lc));
	spin_unlock(&lc);
	ck_assert_uint_eq(nr_held(), 0);
}
END_TEST

START_TEST(test_lock_irqsave)
{
	unsigned long fa, fb, f;

	locks_init();
	ck_assert(!arch_irqs_disabled());
	fa = spin_lock_irqsave(&la);
	ck_assert(arch_irqs_disabled());
	ck_assert_uint_eq(preempt_count(), 1);
	fb = spin_lock_irqsave(&lb);
	ck_assert(arch_irqs_disabled());
	ck_assert_uint_eq(preempt_count(), 2);
	ck_assert_uint_eq(nr_held(), 2);
	spin_unlock_irqrestore(&lb, fb);
	ck_assert(arch_irqs_disabled());	/* the outer section still masks */
	ck_assert_uint_eq(preempt_count(), 1);
	ck_assert_uint_eq(nr_held(), 1);
	spin_unlock_irqrestore(&la, fa);
	ck_assert(!arch_irqs_disabled());
	ck_assert_uint_eq(preempt_count(), 0);
	ck_assert_uint_eq(nr_held(), 0);

	/* Disabled before: still disabled after. */
	arch_irq_disable();
	f = spin_lock_irqsave(&lc);
	ck_assert(arch_irqs_disabled());
	spin_unlock_irqrestore(&lc, f);
	ck_assert(arch_irqs_disabled());
	arch_irq_enable();

	/* A plain lock inside an irqsave one does not touch the mask. */
	fa = spin_lock_irqsave(&la);
	spin_lock(&lb);
	spin_unlock(&lb);
	ck_assert(arch_irqs_disabled());
	spin_unlock_irqrestore(&la, fa);
	ck_assert(!arch_irqs_disabled());

	/* irq_save/irq_restore nest the same way. */
	fa = irq_save();
	fb = irq_save();
	irq_restore(fb);
	ck_assert(arch_irqs_disabled());
	irq_restore(fa);
	ck_assert(!arch_irqs_disabled());
	ck_assert_uint_eq(nr_held(), 0);
	ck_assert_uint_eq(preempt_count(), 0);
}
END_TEST

START_TEST(test_preempt_count)
{
	locks_init();
	ck_assert_uint_eq(preempt_count(), 0);
	preempt_disable();
	ck_assert_uint_eq(preempt_count(), 1);
	preempt_disable();
	ck_assert_uint_eq(preempt_count(), 2);
	preempt_enable();
	ck_assert_uint_eq(preempt_count(), 1);
	preempt_enable_no_resched();
	ck_assert_uint_eq(preempt_count(), 0);

	spin_lock(&la);
	ck_assert_uint_eq(preempt_count(), 1);
	preempt_disable();
	ck_assert_uint_eq(preempt_count(), 2);
	spin_lock(&lb);
	ck_assert_uint_eq(preempt_count(), 3);
	spin_unlock(&lb);
	preempt_enable();
	ck_assert_uint_eq(preempt_count(), 1);
	spin_unlock(&la);
	ck_assert_uint_eq(preempt_count(), 0);

	/* printk leaves the count as it found it. */
	preempt_disable();
	pr_info("with preemption off");
	ck_assert_uint_eq(preempt_count(), 1);
	preempt_enable();
	ck_assert_uint_eq(preempt_count(), 0);
	ck_assert(!arch_irqs_disabled());
}
END_TEST

/* ==== lockless-reader helpers: seqcount.h, the hlist of list.h ============ */

START_TEST(test_seqcount_tells_reader_of_writer)
{
	struct seqcount sc;
	u32 s;

	seqcount_init(&sc);
	s = read_seqcount_begin(&sc);
	ck_assert(!read_seqcount_retry(&sc, s));	/* nothing happened */
	write_seqcount_begin(&sc);
	ck_assert(read_seqcount_retry(&sc, s));		/* a writer came in */
	s = read_seqcount_begin(&sc);
	ck_assert(s & 1);
	ck_assert(read_seqcount_retry(&sc, s));		/* read while inside: untrusted */
	write_seqcount_end(&sc);
	ck_assert(read_seqcount_retry(&sc, s));
	s = read_seqcount_begin(&sc);
	ck_assert(!(s & 1));
	ck_assert(!read_seqcount_retry(&sc, s));
	write_seqcount_invalidate(&sc);			/* no "inside", still a change */
	ck_assert(read_seqcount_retry(&sc, s));
	ck_assert(!(read_seqcount_begin(&sc) & 1));
}
END_TEST

START_TEST(test_hlist_rcu_reader_on_removed_node)
{
	struct hlist_head h = { NULL };
	struct hlist_node a, b, c, *n;
	unsigned seen = 0;

	hlist_node_init(&a);
	ck_assert(hlist_unhashed(&a));
	hlist_add_head_rcu(&c, &h);
	hlist_add_head_rcu(&b, &h);
	hlist_add_head_rcu(&a, &h);			/* a b c */
	ck_assert_ptr_eq(h.first, &a);
	ck_assert(!hlist_unhashed(&b));
	/* a reader standing on b when b is removed goes on to c, then ends */
	n = hlist_next_rcu(&h.first)->next;
	ck_assert_ptr_eq(n, &b);
	hlist_del_rcu(&b);
	ck_assert(hlist_unhashed(&b));
	ck_assert_ptr_eq(a.next, &c);
	ck_assert_ptr_eq(c.pprev, &a.next);
	n = hlist_next_rcu(&n->next);
	ck_assert_ptr_eq(n, &c);
	ck_assert_ptr_null(hlist_next_rcu(&n->next));
	for (n = hlist_next_rcu(&h.first); n; n = hlist_next_rcu(&n->next))
		seen++;
	ck_assert_uint_eq(seen, 2);
	hlist_del_rcu(&a);				/* the head */
	hlist_del_rcu(&c);				/* the last */
	ck_assert_ptr_null(h.first);
}
END_TEST

/* ==== runner ============================================================= */

/* ---- wall clock ------------------------------------------------------------ */

START_TEST(test_civil_to_unix_known_dates)
{
	/* Reference values from the host's timegm(). */
	ck_assert_int_eq(clock_civil_to_unix(1970, 1, 1, 0, 0, 0), 0);
	ck_assert_int_eq(clock_civil_to_unix(1999, 12, 31, 23, 59, 59), 946684799);
	ck_assert_int_eq(clock_civil_to_unix(2000, 3, 1, 0, 0, 0), 951868800);
	ck_assert_int_eq(clock_civil_to_unix(2024, 2, 29, 12, 34, 56), 1709210096);
	ck_assert_int_eq(clock_civil_to_unix(2026, 11, 25, 18, 58, 21), 1795633101);
	ck_assert_int_eq(clock_civil_to_unix(9999, 12, 31, 23, 59, 59), 253402300799LL);
}
END_TEST

START_TEST(test_civil_to_unix_matches_day_count)
{
	/* Every day from 1970 to 2200 is exactly 86400 s after the one before. */
	static const unsigned mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	s64 expect = 0;

	for (unsigned y = 1970; y < 2200; y++) {
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		for (unsigned m = 1; m <= 12; m++) {
			unsigned last = mdays[m - 1] + (m == 2 && leap);

			for (unsigned d = 1; d <= last; d++) {
				ck_assert_int_eq(clock_civil_to_unix(y, m, d, 0, 0, 0), expect);
				expect += 86400;
			}
		}
	}
}
END_TEST

START_TEST(test_civil_to_unix_rejects_bad_fields)
{
	ck_assert_int_eq(clock_civil_to_unix(1969, 12, 31, 0, 0, 0), -1);
	ck_assert_int_eq(clock_civil_to_unix(2023, 2, 29, 0, 0, 0), -1);	/* not leap */
	ck_assert_int_eq(clock_civil_to_unix(2100, 2, 29, 0, 0, 0), -1);	/* century */
	ck_assert_int_ne(clock_civil_to_unix(2000, 2, 29, 0, 0, 0), -1);	/* 400 years */
	ck_assert_int_eq(clock_civil_to_unix(2024, 0, 1, 0, 0, 0), -1);
	ck_assert_int_eq(clock_civil_to_unix(2024, 13, 1, 0, 0, 0), -1);
	ck_assert_int_eq(clock_civil_to_unix(2024, 4, 31, 0, 0, 0), -1);
	ck_assert_int_eq(clock_civil_to_unix(2024, 4, 0, 0, 0, 0), -1);
	ck_assert_int_eq(clock_civil_to_unix(2024, 4, 1, 24, 0, 0), -1);
	ck_assert_int_eq(clock_civil_to_unix(2024, 4, 1, 0, 60, 0), -1);
	ck_assert_int_eq(clock_civil_to_unix(2024, 4, 1, 0, 0, 61), -1);
	ck_assert_int_eq(clock_civil_to_unix(10000, 1, 1, 0, 0, 0), -1);
}
END_TEST

START_TEST(test_real_clock_follows_monotonic)
{
	u64 saved = fake_clock;

	fake_clock = 5 * NSEC_PER_SEC;
	clock_set_real_ns(1700000000ULL * NSEC_PER_SEC);
	ck_assert_uint_eq(ktime_get_real_ns(), 1700000000ULL * NSEC_PER_SEC);
	fake_clock += 1234;
	ck_assert_uint_eq(ktime_get_real_ns(), 1700000000ULL * NSEC_PER_SEC + 1234);
	/* Stepping back below the monotonic reading still works. */
	clock_set_real_ns(7);
	ck_assert_uint_eq(ktime_get_real_ns(), 7);
	fake_clock += 10;
	ck_assert_uint_eq(ktime_get_real_ns(), 17);
	clock_set_real_ns(fake_clock);		/* offset 0 again for other tests */
	fake_clock = saved;
}
END_TEST

/* ---- console input ring ------------------------------------------------------ */

static void console_drain(void)
{
	char sink[512];

	while (console_input_read(sink, sizeof(sink), true) > 0)
		;
}

START_TEST(test_console_input_roundtrip)
{
	struct console_input_stats before, after;
	char buf[64];

	console_input_init();
	ck_assert(fake_console_input_started);
	console_drain();
	console_input_get_stats(&before);
	ck_assert_int_eq(console_input_read(buf, sizeof(buf), true), -EAGAIN);
	fake_console_type("hello\n", 6);
	ck_assert_uint_eq(console_input_pending(), 6);
	/* Short reads take what is asked and leave the rest. */
	ck_assert_int_eq(console_input_read(buf, 2, true), 2);
	ck_assert(!memcmp(buf, "he", 2));
	ck_assert_int_eq(console_input_read(buf, sizeof(buf), true), 4);
	ck_assert(!memcmp(buf, "llo\n", 4));
	ck_assert_int_eq(console_input_read(buf, 0, true), 0);
	console_input_get_stats(&after);
	ck_assert_uint_eq(after.received - before.received, 6);
	ck_assert_uint_eq(after.interrupts - before.interrupts, 1);
	ck_assert_uint_eq(after.dropped, before.dropped);
}
END_TEST

START_TEST(test_console_input_wraps_and_drops)
{
	static char big[CONSOLE_INPUT_RING + 100], out[CONSOLE_INPUT_RING + 100];
	struct console_input_stats before, after;
	size_t got = 0;
	long r;

	console_input_init();
	console_drain();
	/* Move the ring's head off zero so the copy-out wraps. */
	fake_console_type("abcdefg", 7);
	ck_assert_int_eq(console_input_read(out, 7, true), 7);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('A' + i % 23);
	console_input_get_stats(&before);
	fake_console_type(big, sizeof(big));	/* 100 more than fit */
	console_input_get_stats(&after);
	ck_assert_uint_eq(after.received - before.received, sizeof(big));
	ck_assert_uint_eq(after.dropped - before.dropped, 100);
	ck_assert_uint_eq(console_input_pending(), CONSOLE_INPUT_RING);
	while ((r = console_input_read(out + got, 1000, true)) > 0)
		got += (size_t)r;
	ck_assert_int_eq(r, -EAGAIN);
	ck_assert_uint_eq(got, CONSOLE_INPUT_RING);
	ck_assert(!memcmp(out, big, CONSOLE_INPUT_RING));	/* the first ones kept, in order */
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc;

	tc = tcase_create("lockless");
	tcase_add_test(tc, test_seqcount_tells_reader_of_writer);
	tcase_add_test(tc, test_hlist_rcu_reader_on_removed_node);
	suite_add_tcase(s, tc);

	tc = tcase_create("cmdline");
	tcase_add_test(tc, test_cmdline_defaults);
	tcase_add_test(tc, test_cmdline_keys_table);
	tcase_add_test(tc, test_cmdline_mem);
	tcase_add_test(tc, test_cmdline_loglevel_smp);
	tcase_add_test(tc, test_cmdline_strings);
	tcase_add_test(tc, test_cmdline_unknown);
	tcase_add_test(tc, test_cmdline_errors);
	tcase_add_test(tc, test_cmdline_long_values);
	tcase_add_test(tc, test_cmdline_too_long);
	tcase_add_test(tc, test_cmdline_whitespace);
	tcase_add_test(tc, test_cmdline_err_buffer);
	tcase_add_test(tc, test_cmdline_parse_size);
	tcase_add_test(tc, test_cmdline_trace);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_fmt_int);
	tcase_add_test(tc, test_fmt_length_modifiers);
	tcase_add_test(tc, test_fmt_str);
	tcase_add_test(tc, test_fmt_char);
	tcase_add_test(tc, test_fmt_char_width);
	tcase_add_test(tc, test_fmt_star);
	tcase_add_test(tc, test_fmt_star_negative_width);
	tcase_add_test(tc, test_fmt_pointer);
	tcase_add_test(tc, test_fmt_flags_nonliteral);
	tcase_add_test(tc, test_fmt_truncation);
	tcase_add_test(tc, test_fmt_str_precision_unterminated);
	tcase_add_test(tc, test_kstrtou64);
	suite_add_tcase(s, tc);

	tc = tcase_create("printk");
	tcase_set_timeout(tc, 60);	/* the ring tests under Valgrind */
	tcase_add_test(tc, test_printk_format);
	tcase_add_test(tc, test_printk_timestamp_clock_zero);
	tcase_add_test(tc, test_printk_console_level);
	tcase_add_test(tc, test_printk_newline);
	tcase_add_test(tc, test_printk_long_message);
	tcase_add_test(tc, test_printk_small_reader);
	tcase_add_test(tc, test_console_raw);
	tcase_add_test(tc, test_printk_ring_random);
	tcase_add_test(tc, test_printk_ring_max_records);
	tcase_add_test(tc, test_printk_ring_empty_records);
	tcase_add_test(tc, test_printk_ring_every_alignment);
	suite_add_tcase(s, tc);

	tc = tcase_create("console_input");
	tcase_add_test(tc, test_console_input_roundtrip);
	tcase_add_test(tc, test_console_input_wraps_and_drops);
	suite_add_tcase(s, tc);

	tc = tcase_create("clock");
	tcase_add_test(tc, test_civil_to_unix_known_dates);
	tcase_add_test(tc, test_civil_to_unix_matches_day_count);
	tcase_add_test(tc, test_civil_to_unix_rejects_bad_fields);
	tcase_add_test(tc, test_real_clock_follows_monotonic);
	suite_add_tcase(s, tc);

	tc = tcase_create("panic");
	tcase_add_test(tc, test_panic_halts);
	tcase_add_test(tc, test_panic_under_lock);
	tcase_add_test(tc, test_panic_long_message);
	tcase_add_test(tc, test_bug_on);
	tcase_add_test(tc, test_bug);
	tcase_add_test(tc, test_warn_on);
	tcase_add_test(tc, test_panic_recursive);
	suite_add_tcase(s, tc);

	tc = tcase_create("lockcheck");
	tcase_add_test(tc, test_lock_in_order);
	tcase_add_test(tc, test_waitqueue_above_irq_enabled_locks);
	tcase_add_test(tc, test_lock_max_depth);
	tcase_add_loop_test(tc, test_lock_violation, 0, (int)ARRAY_SIZE(lock_bugs));
	tcase_add_test(tc, test_lock_unlock_names_address);
	tcase_add_test(tc, test_lock_nested);
	tcase_add_test(tc, test_trylock);
	tcase_add_test(tc, test_lock_irqsave);
	tcase_add_test(tc, test_preempt_count);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ck_run(core_suite(), true);
}
