/* ktests for the memory functions the kernel runs on: the host libc's on
 * arch-um, src/lib/string.c on hardware, where the word-at-a-time paths
 * have alignment cases a plain byte loop does not. Each result is checked
 * against a byte-by-byte reference over every head alignment and length
 * up to a few words past the unrolled loop. */
#include <umka/ktest.h>
#include <umka/slab.h>
#include <umka/string.h>

#define SPAN 96		/* lengths 0..SPAN-1 cover head, words, unrolled, tail */
#define BUF (SPAN + 48)

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + 1);
}

static void memcpy_every_alignment(struct ktest *t)
{
	unsigned char *src = kmalloc(BUF, 0), *dst = kmalloc(BUF, 0);
	bool ok = true;

	KT_ASSERT(t, src && dst);
	fill(src, BUF, 1);
	for (unsigned sa = 0; sa < 9; sa++)
		for (unsigned da = 0; da < 9; da++)
			for (size_t n = 0; n < SPAN; n++) {
				memset(dst, 0xee, BUF);
				memcpy(dst + da, src + sa, n);
				for (size_t i = 0; i < BUF; i++) {
					bool inside = i >= da && i < da + n;

					ok &= dst[i] == (inside ? src[sa + i - da] : 0xee);
				}
			}
	KT_EXPECT(t, ok);
	kfree(src);
	kfree(dst);
}

static void memmove_overlaps_both_ways(struct ktest *t)
{
	unsigned char *buf = kmalloc(BUF, 0), *ref = kmalloc(BUF, 0), tmp[SPAN];
	bool ok = true;

	KT_ASSERT(t, buf && ref);
	for (unsigned from = 0; from < 17; from++)
		for (unsigned to = 0; to < 17; to++)
			for (size_t n = 0; n + MAX(from, to) <= SPAN; n++) {
				fill(buf, BUF, from + to);
				fill(ref, BUF, from + to);
				memmove(buf + to, buf + from, n);
				/* Reference: through a temporary, bytewise. */
				for (size_t i = 0; i < n; i++)
					tmp[i] = ref[from + i];
				for (size_t i = 0; i < n; i++)
					ref[to + i] = tmp[i];
				for (size_t i = 0; i < BUF; i++)
					ok &= buf[i] == ref[i];
			}
	KT_EXPECT(t, ok);
	kfree(buf);
	kfree(ref);
}

static void memset_every_alignment(struct ktest *t)
{
	unsigned char *buf = kmalloc(BUF, 0);
	bool ok = true;

	KT_ASSERT(t, buf);
	for (unsigned a = 0; a < 16; a++)
		for (size_t n = 0; n < SPAN; n++) {
			memset(buf, 0x11, BUF);
			memset(buf + a, 0xa5 + (int)n * 256, n);	/* only the low byte counts */
			for (size_t i = 0; i < BUF; i++)
				ok &= buf[i] == (i >= a && i < a + n ? 0xa5 : 0x11);
		}
	KT_EXPECT(t, ok);
	kfree(buf);
}

static void memcmp_finds_first_difference(struct ktest *t)
{
	unsigned char a[SPAN], b[SPAN];
	bool ok = true;

	fill(a, SPAN, 3);
	memcpy(b, a, SPAN);
	ok &= memcmp(a, b, SPAN) == 0;
	for (size_t i = 0; i < SPAN; i++) {
		b[i] = (unsigned char)(a[i] + 1);
		ok &= memcmp(a, b, SPAN) < 0 && memcmp(b, a, SPAN) > 0;
		ok &= memcmp(a, b, i) == 0;
		b[i] = a[i];
	}
	KT_EXPECT(t, ok);
}

static void strstr_finds_first_match(struct ktest *t)
{
	static const char hay[] = "abcabcd ab";

	KT_EXPECT(t, strstr(hay, "") == hay);
	KT_EXPECT(t, strstr(hay, "abc") == hay);
	KT_EXPECT(t, strstr(hay, "abcd") == hay + 3);
	KT_EXPECT(t, strstr(hay, " ab") == hay + 7);
	KT_EXPECT(t, strstr(hay, "ab\0") == hay);	/* the needle ends at its NUL */
	KT_EXPECT(t, strstr(hay, "abx") == NULL);
	KT_EXPECT(t, strstr(hay, "d ab ") == NULL);	/* runs past the end */
	KT_EXPECT(t, strstr("", "a") == NULL);
	KT_EXPECT(t, strstr("", "") != NULL);
}

KTEST_SUITE(string,
	    KTEST_CASE(memcpy_every_alignment),
	    KTEST_CASE(memmove_overlaps_both_ways),
	    KTEST_CASE(memset_every_alignment),
	    KTEST_CASE(memcmp_finds_first_difference),
	    KTEST_CASE(strstr_finds_first_match));
