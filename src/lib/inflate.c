/* DEFLATE decoder (RFC 1951) with the gzip wrapper (RFC 1952). Huffman
 * codes are canonical, so a table of code counts per length and the symbols
 * in code order is all a decoder needs: read one bit at a time, and at each
 * length see whether the code read so far falls among that length's codes.
 * Slower than table lookup, but short, easy to check, and fast enough for a
 * boot-time archive. */
#include <umka/errno.h>
#include <umka/inflate.h>
#include <umka/string.h>

#define MAX_BITS 15
#define MAX_LIT 288
#define MAX_DIST 30

struct bits {
	const u8 *in;
	size_t len, pos;	/* byte position */
	u32 buf;		/* unread bits, LSB first */
	unsigned cnt;
	u8 *out;
	size_t cap, n;
};

struct huff {
	u16 count[MAX_BITS + 1];	/* codes of each length */
	u16 symbol[MAX_LIT];		/* symbols in canonical order */
};

/* Read n (<= 16) bits; -1 past the end of input. */
static int getbits(struct bits *s, unsigned n)
{
	u32 v;

	while (s->cnt < n) {
		if (s->pos >= s->len)
			return -1;
		s->buf |= (u32)s->in[s->pos++] << s->cnt;
		s->cnt += 8;
	}
	v = s->buf & ((1u << n) - 1);
	s->buf >>= n;
	s->cnt -= n;
	return (int)v;
}

static int decode(struct bits *s, const struct huff *h)
{
	int code = 0, first = 0, index = 0;

	for (unsigned len = 1; len <= MAX_BITS; len++) {
		int b = getbits(s, 1), count;

		if (b < 0)
			return -1;
		code |= b;
		count = h->count[len];
		if (code - first < count)
			return h->symbol[index + (code - first)];
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;	/* no such code */
}

/* Build a decoder from code lengths. Returns 0 for a complete code, >0 for
 * an incomplete one (allowed only in the cases RFC 1951 permits), -1 for an
 * over-subscribed one. */
static int build(struct huff *h, const u8 *lengths, unsigned n)
{
	u16 offs[MAX_BITS + 1];
	int left = 1;

	memset(h->count, 0, sizeof(h->count));
	for (unsigned i = 0; i < n; i++)
		h->count[lengths[i]]++;
	if (h->count[0] == n)
		return 0;	/* no codes: complete but empty */
	for (unsigned len = 1; len <= MAX_BITS; len++) {
		left = (left << 1) - h->count[len];
		if (left < 0)
			return -1;
	}
	offs[1] = 0;
	for (unsigned len = 1; len < MAX_BITS; len++)
		offs[len + 1] = offs[len] + h->count[len];
	for (unsigned i = 0; i < n; i++)
		if (lengths[i])
			h->symbol[offs[lengths[i]]++] = (u16)i;
	return left;
}

static const u16 len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
				  35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const u8 len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
				  3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const u16 dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129,
				   193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
				   6145, 8193, 12289, 16385, 24577 };
static const u8 dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
				   7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };

static int codes(struct bits *s, const struct huff *lit, const struct huff *dist)
{
	for (;;) {
		int sym = decode(s, lit);

		if (sym < 0)
			return -EINVAL;
		if (sym < 256) {
			if (s->n >= s->cap)
				return -ENOSPC;
			s->out[s->n++] = (u8)sym;
		} else if (sym == 256) {
			return 0;
		} else {
			int e, d;
			size_t len, back;

			sym -= 257;
			if (sym >= 29)
				return -EINVAL;
			e = getbits(s, len_extra[sym]);
			if (e < 0)
				return -EINVAL;
			len = len_base[sym] + (size_t)e;
			d = decode(s, dist);
			if (d < 0 || d >= 30)
				return -EINVAL;
			e = getbits(s, dist_extra[d]);
			if (e < 0)
				return -EINVAL;
			back = dist_base[d] + (size_t)e;
			if (back > s->n)
				return -EINVAL;	/* reaches before the start */
			if (len > s->cap - s->n)
				return -ENOSPC;
			/* Byte by byte: the copy may overlap itself (runs). */
			for (size_t i = 0; i < len; i++, s->n++)
				s->out[s->n] = s->out[s->n - back];
		}
	}
}

static int stored(struct bits *s)
{
	u16 len, nlen;

	s->buf = 0;	/* to a byte boundary */
	s->cnt = 0;
	if (s->len - s->pos < 4)
		return -EINVAL;
	len = (u16)(s->in[s->pos] | s->in[s->pos + 1] << 8);
	nlen = (u16)(s->in[s->pos + 2] | s->in[s->pos + 3] << 8);
	s->pos += 4;
	if ((u16)(len ^ nlen) != 0xffff)
		return -EINVAL;
	if (len > s->len - s->pos)
		return -EINVAL;
	if (len > s->cap - s->n)
		return -ENOSPC;
	memcpy(s->out + s->n, s->in + s->pos, len);
	s->pos += len;
	s->n += len;
	return 0;
}

static int fixed(struct bits *s)
{
	static struct huff lit, dist;
	static bool built;
	u8 l[MAX_LIT];

	/* Built once; only ever read afterwards, so no lock is needed after
	 * the first (boot-time, single-threaded) use. */
	if (!built) {
		unsigned i;

		for (i = 0; i < 144; i++)
			l[i] = 8;
		for (; i < 256; i++)
			l[i] = 9;
		for (; i < 280; i++)
			l[i] = 7;
		for (; i < MAX_LIT; i++)
			l[i] = 8;
		build(&lit, l, MAX_LIT);
		for (i = 0; i < MAX_DIST; i++)
			l[i] = 5;
		build(&dist, l, MAX_DIST);
		built = true;
	}
	return codes(s, &lit, &dist);
}

static int dynamic(struct bits *s)
{
	static const u8 order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2,
				      14, 1, 15 };
	u8 lengths[MAX_LIT + MAX_DIST];
	struct huff lencode, lit, dist;
	int nlen = getbits(s, 5), ndist = getbits(s, 5), ncode = getbits(s, 4);
	int index, err;

	if (nlen < 0 || ndist < 0 || ncode < 0)
		return -EINVAL;
	nlen += 257;
	ndist += 1;
	ncode += 4;
	if (nlen > 286 || ndist > 30)
		return -EINVAL;
	memset(lengths, 0, sizeof(lengths));
	for (index = 0; index < ncode; index++) {
		int v = getbits(s, 3);

		if (v < 0)
			return -EINVAL;
		lengths[order[index]] = (u8)v;
	}
	if (build(&lencode, lengths, 19) != 0)
		return -EINVAL;	/* the code-length code must be complete */
	for (index = 0; index < nlen + ndist;) {
		int sym = decode(s, &lencode), rep, len = 0;

		if (sym < 0)
			return -EINVAL;
		if (sym < 16) {
			lengths[index++] = (u8)sym;
			continue;
		}
		if (sym == 16) {
			if (index == 0)
				return -EINVAL;	/* nothing to repeat */
			len = lengths[index - 1];
			rep = getbits(s, 2);
			rep = rep < 0 ? -1 : 3 + rep;
		} else if (sym == 17) {
			rep = getbits(s, 3);
			rep = rep < 0 ? -1 : 3 + rep;
		} else {
			rep = getbits(s, 7);
			rep = rep < 0 ? -1 : 11 + rep;
		}
		if (rep < 0 || index + rep > nlen + ndist)
			return -EINVAL;
		while (rep--)
			lengths[index++] = (u8)len;
	}
	if (lengths[256] == 0)
		return -EINVAL;	/* no end-of-block code */
	err = build(&lit, lengths, (unsigned)nlen);
	/* An incomplete literal code is only allowed if it has one symbol. */
	if (err < 0 || (err > 0 && nlen - lit.count[0] != 1))
		return -EINVAL;
	err = build(&dist, lengths + nlen, (unsigned)ndist);
	if (err < 0 || (err > 0 && ndist - dist.count[0] != 1))
		return -EINVAL;
	return codes(s, &lit, &dist);
}

int inflate(const u8 *in, size_t inlen, u8 *out, size_t outcap, size_t *outlen, size_t *inused)
{
	struct bits s = { .in = in, .len = inlen, .out = out, .cap = outcap };
	int last, type, err;

	do {
		last = getbits(&s, 1);
		type = getbits(&s, 2);
		if (last < 0 || type < 0)
			return -EINVAL;
		if (type == 0)
			err = stored(&s);
		else if (type == 1)
			err = fixed(&s);
		else if (type == 2)
			err = dynamic(&s);
		else
			err = -EINVAL;
		if (err)
			return err;
	} while (!last);
	*outlen = s.n;
	*inused = s.pos;	/* the partial last byte is padding */
	return 0;
}

/* ---- gzip ------------------------------------------------------------- */

u32 crc32_update(u32 crc, const u8 *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

#define GZ_FHCRC 0x02
#define GZ_FEXTRA 0x04
#define GZ_FNAME 0x08
#define GZ_FCOMMENT 0x10

bool gzip_detect(const void *buf, size_t len)
{
	const u8 *p = buf;

	return len >= 18 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8;
}

int gzip_size(const void *buf, size_t len, u32 *size)
{
	const u8 *t = (const u8 *)buf + len - 4;

	if (!gzip_detect(buf, len))
		return -EINVAL;
	*size = (u32)t[0] | (u32)t[1] << 8 | (u32)t[2] << 16 | (u32)t[3] << 24;
	return 0;
}

/* Skip a NUL-terminated header field. */
static int skip_string(const u8 *p, size_t len, size_t *pos)
{
	while (*pos < len && p[*pos])
		(*pos)++;
	if (*pos >= len)
		return -EINVAL;
	(*pos)++;
	return 0;
}

int gunzip(const void *buf, size_t len, u8 *out, size_t outcap, size_t *outlen)
{
	const u8 *p = buf;
	size_t pos = 10, used;
	u8 flags;
	u32 crc, isize;
	int err;

	if (!gzip_detect(buf, len))
		return -EINVAL;
	flags = p[3];
	if (flags & 0xe0)
		return -EINVAL;	/* reserved bits */
	if (flags & GZ_FEXTRA) {
		size_t xlen = (size_t)p[pos] | (size_t)p[pos + 1] << 8;

		pos += 2;
		if (xlen > len - pos)
			return -EINVAL;
		pos += xlen;
	}
	if ((flags & GZ_FNAME) && skip_string(p, len, &pos))
		return -EINVAL;
	if ((flags & GZ_FCOMMENT) && skip_string(p, len, &pos))
		return -EINVAL;
	if (flags & GZ_FHCRC)
		pos += 2;
	if (pos > len || len - pos < 8)
		return -EINVAL;
	err = inflate(p + pos, len - pos - 8, out, outcap, outlen, &used);
	if (err)
		return err;
	pos += used;
	if (len - pos < 8)
		return -EINVAL;
	crc = (u32)p[pos] | (u32)p[pos + 1] << 8 | (u32)p[pos + 2] << 16 | (u32)p[pos + 3] << 24;
	isize = (u32)p[pos + 4] | (u32)p[pos + 5] << 8 | (u32)p[pos + 6] << 16 |
		(u32)p[pos + 7] << 24;
	if (isize != (u32)*outlen || crc != crc32_update(0, out, *outlen))
		return -EINVAL;
	return 0;
}
