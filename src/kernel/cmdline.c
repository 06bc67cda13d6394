/* Command line parsing. Pure functions over the string, so arch code may call
 * cmdline_parse before the kernel runs (arch-um needs mem= to size RAM). */
#include <umka/cmdline.h>
#include <umka/errno.h>
#include <umka/string.h>
#include <umka/trace.h>

const struct cmdline_key cmdline_keys[] = {
	{ "mem", "RAM size, e.g. mem=256M (K/M/G suffixes; at least 16M)" },
	{ "loglevel", "console log level 0 (emergencies only) .. 7 (debug); default 6" },
	{ "smp", "number of CPUs to bring up (default: all)" },
	{ "init", "first user program to run (default /sbin/init)" },
	{ "ktest", "run in-kernel test suites at boot: all, or a comma list; then power off" },
	{ "initrd", "initramfs image: a newc cpio archive, maybe gzipped (arch-um: a host file)" },
	{ "bench", "run in-kernel micro-benchmarks at boot: all, or a comma list; then power off" },
	{ "fuse", "arch-um: export the VFS at this host directory through FUSE; the machine "
		  "then runs until the host unmounts it" },
	{ "hostfs", "arch-um: mount the host directory HOSTDIR read-write at /host; "
		    "HOSTDIR:/guest/path mounts it there instead" },
	{ "trace", "enable tracepoints at boot: all, or a comma list of names "
		   "(see /sys/umka/tracepoints; unknown names are warned about)" },
	{ "trace_buf", "trace records per CPU ring: a power of two from 64 to 65536; "
		       "default 4096" },
};
const unsigned nr_cmdline_keys = ARRAY_SIZE(cmdline_keys);

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Split the next word into key and value; returns false at the end. */
static bool next_word(const char **pos, const char **key, size_t *klen,
		      const char **val, size_t *vlen)
{
	const char *s = *pos, *eq;

	while (is_space(*s))
		s++;
	if (!*s)
		return false;
	*key = s;
	while (*s && !is_space(*s))
		s++;
	*pos = s;
	for (eq = *key; eq < s && *eq != '='; eq++)
		;
	*klen = (size_t)(eq - *key);
	if (eq < s) {
		*val = eq + 1;
		*vlen = (size_t)(s - eq - 1);
	} else {
		*val = NULL;
		*vlen = 0;
	}
	return true;
}

static bool key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && !memcmp(key, name, klen);
}

int cmdline_parse_size(const char *s, size_t len, u64 *out)
{
	unsigned shift = 0;
	u64 v;

	if (len && (s[len - 1] | 0x20) == 'k')
		shift = 10;
	else if (len && (s[len - 1] | 0x20) == 'm')
		shift = 20;
	else if (len && (s[len - 1] | 0x20) == 'g')
		shift = 30;
	if (shift)
		len--;
	if (kstrtou64(s, len, &v))
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static int fail(char *err, size_t errlen, const char *key, size_t klen, const char *val,
		size_t vlen, const char *why)
{
	ksnprintf(err, errlen, "%.*s=%.*s: %s", (int)klen, key, (int)vlen, val ? val : "", why);
	return -EINVAL;
}

/* Tracepoint names are [a-z0-9_], separated by commas. */
static bool trace_list_ok(const char *val, size_t vlen)
{
	for (size_t i = 0; i < vlen; i++)
		if (!((val[i] >= 'a' && val[i] <= 'z') || (val[i] >= '0' && val[i] <= '9') ||
		      val[i] == '_' || val[i] == ','))
			return false;
	return true;
}

static int copy_value(char *dst, const char *val, size_t vlen)
{
	if (vlen >= CMDLINE_VALUE_MAX)
		return -ENAMETOOLONG;
	memcpy(dst, val, vlen);
	dst[vlen] = 0;
	return 0;
}

int cmdline_parse(const char *cmdline, struct kernel_params *p, char *err, size_t errlen)
{
	const char *pos = cmdline, *key, *val;
	size_t klen, vlen;
	u64 v;

	memset(p, 0, sizeof(*p));
	p->loglevel = 6;
	memcpy(p->init, "/sbin/init", sizeof("/sbin/init"));
	if (strlen(cmdline) >= CMDLINE_MAX) {
		ksnprintf(err, errlen, "command line longer than %d bytes", CMDLINE_MAX - 1);
		return -EINVAL;
	}
	while (next_word(&pos, &key, &klen, &val, &vlen)) {
		bool known = false;

		for (unsigned i = 0; i < nr_cmdline_keys; i++)
			known |= key_is(key, klen, cmdline_keys[i].key);
		if (!known) {
			p->nr_unknown++;
			continue;
		}
		if (!val || !vlen)
			return fail(err, errlen, key, klen, val, vlen, "needs a value");
		if (key_is(key, klen, "mem")) {
			if (cmdline_parse_size(val, vlen, &v))
				return fail(err, errlen, key, klen, val, vlen,
					    "bad size (a number with an optional K, M or G suffix)");
			if (v < MEM_MIN_BYTES)
				return fail(err, errlen, key, klen, val, vlen,
					    "too small (at least 16M)");
			p->mem_bytes = v;
		} else if (key_is(key, klen, "loglevel")) {
			if (kstrtou64(val, vlen, &v) || v > 7)
				return fail(err, errlen, key, klen, val, vlen, "expected 0..7");
			p->loglevel = (unsigned)v;
		} else if (key_is(key, klen, "smp")) {
			if (kstrtou64(val, vlen, &v) || v == 0 || v > 1024)
				return fail(err, errlen, key, klen, val, vlen,
					    "expected a CPU count of at least 1");
			p->smp = (unsigned)v;
		} else if (key_is(key, klen, "init")) {
			if (val[0] != '/' || copy_value(p->init, val, vlen))
				return fail(err, errlen, key, klen, val, vlen,
					    "expected an absolute path under 256 bytes");
		} else if (key_is(key, klen, "ktest")) {
			if (copy_value(p->ktest, val, vlen))
				return fail(err, errlen, key, klen, val, vlen, "too long");
		} else if (key_is(key, klen, "initrd")) {
			if (copy_value(p->initrd, val, vlen))
				return fail(err, errlen, key, klen, val, vlen, "too long");
		} else if (key_is(key, klen, "bench")) {
			if (copy_value(p->bench, val, vlen))
				return fail(err, errlen, key, klen, val, vlen, "too long");
		} else if (key_is(key, klen, "fuse")) {
			if (copy_value(p->fuse, val, vlen))
				return fail(err, errlen, key, klen, val, vlen, "too long");
		} else if (key_is(key, klen, "hostfs")) {
			if (val[0] != '/' || copy_value(p->hostfs, val, vlen))
				return fail(err, errlen, key, klen, val, vlen,
					    "expected an absolute host directory under 256 bytes, "
					    "maybe followed by :/guest/path");
		} else if (key_is(key, klen, "trace")) {
			if (!trace_list_ok(val, vlen) || copy_value(p->trace, val, vlen))
				return fail(err, errlen, key, klen, val, vlen,
					    "expected all or tracepoint names ([a-z0-9_]) "
					    "separated by commas, under 256 bytes");
		} else if (key_is(key, klen, "trace_buf")) {
			if (kstrtou64(val, vlen, &v) || v < TRACE_RECORDS_MIN ||
			    v > TRACE_RECORDS_MAX || (v & (v - 1)))
				return fail(err, errlen, key, klen, val, vlen,
					    "expected a power of two from 64 to 65536");
			p->trace_buf = (unsigned)v;
		}
	}
	return 0;
}

void cmdline_for_each_unknown(const char *cmdline, void (*fn)(const char *key, size_t len))
{
	const char *pos = cmdline, *key, *val;
	size_t klen, vlen;

	while (next_word(&pos, &key, &klen, &val, &vlen)) {
		bool known = false;

		for (unsigned i = 0; i < nr_cmdline_keys; i++)
			known |= key_is(key, klen, cmdline_keys[i].key);
		if (!known)
			fn(key, (size_t)(pos - key));	/* the whole word, value included */
	}
}
