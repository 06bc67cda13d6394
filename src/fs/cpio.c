/* newc cpio parser (see cpio.h). Input is untrusted: every length is checked
 * against what is left before it is used, sums are done without overflow,
 * and names are checked for embedded NULs and ".." components, so a crafted
 * archive can only be refused, never walk outside its buffer or the root. */
#include <umka/cpio.h>
#include <umka/errno.h>
#include <umka/string.h>

#define CPIO_HDR_LEN 110
#define CPIO_FIELDS 13
#define CPIO_TRAILER "TRAILER!!!"

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJ, F_DEVMIN,
       F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK };

static int bad(char *err, size_t errlen, size_t off, const char *why)
{
	if (err && errlen)
		ksnprintf(err, errlen, "cpio: member at offset %zu: %s", off, why);
	return -EINVAL;
}

static bool parse_hex8(const u8 *p, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < 8; i++) {
		u8 c = p[i];
		u32 d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Strip leading "/" and "./"; refuse "..", empty components after that are
 * collapsed by path walk later. Returns the normalised start or NULL. */
static const char *normalise_name(const char *name, size_t *len)
{
	const char *p = name, *end = name + *len, *c;

	while (p < end) {
		if (*p == '/')
			p++;
		else if (end - p >= 2 && p[0] == '.' && p[1] == '/')
			p += 2;
		else
			break;
	}
	if (end - p == 1 && p[0] == '.')
		p = end;	/* "." is the root itself */
	for (c = p; c < end;) {
		const char *slash = c;

		while (slash < end && *slash != '/')
			slash++;
		if (slash - c == 2 && c[0] == '.' && c[1] == '.')
			return NULL;
		c = slash + 1;
	}
	*len = (size_t)(end - p);
	return p;
}

int cpio_parse(const void *buf, size_t len, cpio_fn fn, void *ctx, char *err, size_t errlen)
{
	const u8 *base = buf;
	size_t off = 0;
	bool in_archive = false;

	while (off < len) {
		const u8 *h = base + off;
		u32 f[CPIO_FIELDS];
		struct cpio_entry e;
		size_t name_off, data_off, next;
		int r;

		/* Between concatenated archives: zero padding. */
		if (!in_archive && h[0] == 0) {
			off++;
			continue;
		}
		if (len - off < CPIO_HDR_LEN)
			return bad(err, errlen, off, "truncated header");
		if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
			return bad(err, errlen, off, "bad magic (not a newc cpio archive)");
		for (int i = 0; i < CPIO_FIELDS; i++)
			if (!parse_hex8(h + 6 + 8 * i, &f[i]))
				return bad(err, errlen, off, "non-hex digit in header");
		in_archive = true;
		if (f[F_NAMESIZE] == 0)
			return bad(err, errlen, off, "empty name");
		name_off = off + CPIO_HDR_LEN;
		if (f[F_NAMESIZE] > len - name_off)
			return bad(err, errlen, off, "truncated name");
		if (base[name_off + f[F_NAMESIZE] - 1] != 0)
			return bad(err, errlen, off, "name not NUL-terminated");
		for (size_t i = 0; i + 1 < f[F_NAMESIZE]; i++)
			if (!base[name_off + i])
				return bad(err, errlen, off, "NUL inside name");
		data_off = pad4(name_off + f[F_NAMESIZE]);
		if (data_off > len || f[F_FILESIZE] > len - data_off)
			return bad(err, errlen, off, "truncated data");
		next = pad4(data_off + f[F_FILESIZE]);

		if (f[F_NAMESIZE] == sizeof(CPIO_TRAILER) &&
		    !memcmp(base + name_off, CPIO_TRAILER, sizeof(CPIO_TRAILER))) {
			in_archive = false;
			off = next < len ? next : len;
			continue;
		}
		e.name_len = f[F_NAMESIZE] - 1;
		e.name = normalise_name((const char *)base + name_off, &e.name_len);
		if (!e.name)
			return bad(err, errlen, off, "name has a \"..\" component");
		e.ino = f[F_INO];
		e.mode = f[F_MODE];
		e.uid = f[F_UID];
		e.gid = f[F_GID];
		e.nlink = f[F_NLINK];
		e.mtime = f[F_MTIME];
		e.dev_major = f[F_DEVMAJ];
		e.dev_minor = f[F_DEVMIN];
		e.rdev_major = f[F_RDEVMAJ];
		e.rdev_minor = f[F_RDEVMIN];
		e.data = base + data_off;
		e.size = f[F_FILESIZE];
		r = fn(ctx, &e);
		if (r < 0)
			return r;
		off = next < len ? next : len;
	}
	if (in_archive)
		return bad(err, errlen, off, "archive ends without a TRAILER!!! member");
	return 0;
}
