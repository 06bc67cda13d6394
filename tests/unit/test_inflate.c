/* Unit tests for the DEFLATE/gzip decoder: round trips through the host's
 * gzip at several levels (stored, fixed and dynamic blocks), and refusal
 * of corrupted, truncated and oversized streams. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <umka/inflate.h>

#define E_INVAL (-22)
#define E_NOSPC (-28)

/* Compress buf with `gzip -LEVEL`; returns a malloc'd buffer. */
static unsigned char *host_gzip(const unsigned char *buf, size_t len, int level, size_t *outlen)
{
	char in[] = "/tmp/umka-inflate-XXXXXX";
	char cmd[128];
	int fd = mkstemp(in);
	unsigned char *out = malloc(len + len / 2 + 1024);
	FILE *p;

	ck_assert(fd >= 0 && out);
	ck_assert_uint_eq(write(fd, buf, len), len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "gzip -%d -c -n %s", level, in);
	p = popen(cmd, "r");
	ck_assert(p);
	*outlen = fread(out, 1, len + len / 2 + 1024, p);
	ck_assert_int_eq(pclose(p), 0);
	unlink(in);
	return out;
}

static unsigned char *sample(size_t len, int kind)
{
	unsigned char *b = malloc(len + 1);
	unsigned x = 12345;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		switch (kind) {
		case 0: b[i] = (unsigned char)(x >> 16); break;		/* random: stored */
		case 1: b[i] = "abcabcabd"[i % 9]; break;		/* runs: long matches */
		default: b[i] = (unsigned char)("the quick brown fox "[(x >> 16) % 20]); break;
		}
	}
	return b;
}

static void round_trip(size_t len, int kind, int level)
{
	unsigned char *src = sample(len, kind), *gz, *out = malloc(len + 1);
	size_t gzlen, outlen = 0;
	unsigned size;

	gz = host_gzip(src, len, level, &gzlen);
	ck_assert(gzip_detect(gz, gzlen));
	ck_assert_int_eq(gzip_size(gz, gzlen, &size), 0);
	ck_assert_uint_eq(size, len);
	ck_assert_int_eq(gunzip(gz, gzlen, out, len, &outlen), 0);
	ck_assert_uint_eq(outlen, len);
	ck_assert(memcmp(out, src, len) == 0);
	if (len) {
		/* one byte short of room: refused, not overrun */
		ck_assert_int_eq(gunzip(gz, gzlen, out, len - 1, &outlen), E_NOSPC);
	}
	free(src);
	free(gz);
	free(out);
}

START_TEST(test_round_trips)
{
	static const size_t lens[] = { 0, 1, 100, 4096, 70000 };

	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (int kind = 0; kind < 3; kind++)
			for (int level = 1; level <= 9; level += 8)
				round_trip(lens[i], kind, level);
}
END_TEST

START_TEST(test_corruption_refused)
{
	size_t len = 8000, gzlen, outlen;
	unsigned char *src = sample(len, 2), *gz = host_gzip(src, len, 6, &gzlen);
	unsigned char *out = malloc(len), *bad = malloc(gzlen);
	int refused = 0;

	/* Flip each of many bytes: the CRC, the length or the decoder must
	 * catch every one; none may crash or overrun. */
	for (size_t i = 0; i < gzlen; i += 7) {	/* ~400 flips */
		memcpy(bad, gz, gzlen);
		bad[i] ^= 0x5a;
		if (gunzip(bad, gzlen, out, len, &outlen) != 0)
			refused++;
		else
			ck_assert(outlen == len && memcmp(out, src, len) == 0);
	}
	ck_assert_int_gt(refused, (int)(gzlen / 7) - 3);
	/* truncations */
	for (size_t cut = 0; cut < gzlen; cut += gzlen / 50 + 1)
		ck_assert_int_ne(gunzip(gz, cut, out, len, &outlen), 0);
	free(src), free(gz), free(out), free(bad);
}
END_TEST

START_TEST(test_raw_inflate_edge_cases)
{
	unsigned char out[16];
	size_t outlen, used;
	/* stored block, last, LEN=3 NLEN=~3 "abc" */
	static const unsigned char stored_ok[] = { 0x01, 3, 0, 0xfc, 0xff, 'a', 'b', 'c' };
	static const unsigned char stored_bad_nlen[] = { 0x01, 3, 0, 0xfc, 0xfe, 'a', 'b', 'c' };
	static const unsigned char reserved_type[] = { 0x07 };
	/* fixed block whose first code is a match at distance 1: reaches back
	 * before the start of the output */
	static const unsigned char far_back[] = { 0x03, 0x02, 0x00 };

	ck_assert_int_eq(inflate(stored_ok, sizeof(stored_ok), out, sizeof(out), &outlen, &used), 0);
	ck_assert_uint_eq(outlen, 3);
	ck_assert_uint_eq(used, sizeof(stored_ok));
	ck_assert(memcmp(out, "abc", 3) == 0);
	ck_assert_int_eq(inflate(stored_bad_nlen, sizeof(stored_bad_nlen), out, sizeof(out),
				 &outlen, &used), E_INVAL);
	ck_assert_int_eq(inflate(reserved_type, 1, out, sizeof(out), &outlen, &used), E_INVAL);
	ck_assert_int_eq(inflate(far_back, sizeof(far_back), out, sizeof(out), &outlen, &used),
			 E_INVAL);
	ck_assert_int_eq(inflate(stored_ok, 0, out, sizeof(out), &outlen, &used), E_INVAL);
	ck_assert(!gzip_detect("\x1f\x8b", 2));
}
END_TEST

START_TEST(test_crc32_known_value)
{
	/* the standard check value of CRC-32/ISO-HDLC */
	ck_assert_uint_eq(crc32_update(0, (const unsigned char *)"123456789", 9), 0xcbf43926u);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inflate");
	TCase *tc = tcase_create("gzip");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_corruption_refused);
	tcase_add_test(tc, test_raw_inflate_edge_cases);
	tcase_add_test(tc, test_crc32_known_value);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
