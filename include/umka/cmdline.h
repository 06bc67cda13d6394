/* Kernel command line: Linux-style "key=value key" words. Known keys are
 * validated up front so a bad value stops boot with a clear message; unknown
 * keys are kept and warned about. */
#ifndef UMKA_CMDLINE_H
#define UMKA_CMDLINE_H

#include <umka/types.h>

#define CMDLINE_MAX 1024
#define CMDLINE_VALUE_MAX 256

struct kernel_params {
	u64 mem_bytes;			/* mem=: 0 = whatever the machine has */
	unsigned loglevel;		/* loglevel=0..7 */
	unsigned smp;			/* smp=: 0 = all CPUs */
	char init[CMDLINE_VALUE_MAX];	/* init=: first user program */
	char ktest[CMDLINE_VALUE_MAX];	/* ktest=: suites to run at boot ("" = none) */
	char bench[CMDLINE_VALUE_MAX];	/* bench=: benchmarks to run at boot */
	char initrd[CMDLINE_VALUE_MAX];	/* initrd=: where the machine finds the initramfs */
	char fuse[CMDLINE_VALUE_MAX];	/* fuse=: arch-um's host mount point for the VFS */
	char hostfs[CMDLINE_VALUE_MAX];	/* hostfs=: arch-um's HOSTDIR[:/guest/path] to mount */
	char trace[CMDLINE_VALUE_MAX];	/* trace=: tracepoints to enable at boot */
	unsigned trace_buf;		/* trace_buf=: records per CPU; 0 = default */
	unsigned nr_unknown;		/* unknown keys seen (warned at boot) */
};

#define MEM_MIN_BYTES (16ULL << 20)

/* Parse and validate cmdline into p. On error returns -EINVAL and writes a
 * one-line reason ("mem=12x: bad size ...") to err. */
int cmdline_parse(const char *cmdline, struct kernel_params *p, char *err, size_t errlen);

/* Parse a size with an optional K/M/G suffix (binary units). */
int cmdline_parse_size(const char *s, size_t len, u64 *out);

/* Call fn with each word whose key is unknown, as key=value (for the
 * boot-time warning). */
void cmdline_for_each_unknown(const char *cmdline, void (*fn)(const char *key, size_t len));

struct cmdline_key {
	const char *key;
	const char *help;
};
extern const struct cmdline_key cmdline_keys[];
extern const unsigned nr_cmdline_keys;

#endif
