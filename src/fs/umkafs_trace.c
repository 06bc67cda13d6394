/* umkafs kinds for tracing (docs/tracing.md): tracepoints/<name>/ with
 * enabled, hits and format, and trace/ with the merged record text (log)
 * and the rings' counters. Read-only, like all of umkafs: tracepoints are
 * switched by the trace= boot key and trace_enable(). */
#include <umka/errno.h>
#include <umka/string.h>
#include <umka/trace.h>
#include <umka/umkafs.h>

#include "pseudo.h"

/* The log file is built in one buffer: past this it holds the newest
 * records that fit (whole lines) rather than failing the open. */
#define TRACE_LOG_MAX (2u << 20)

static void list_tp(const struct tracepoint *tp, void *arg)
{
	struct name_fill *nf = arg;

	nf->fill(nf->arg, tp->name);
}

static void tracepoints_list(void (*fill)(void *arg, const char *name), void *arg)
{
	struct name_fill nf = { fill, arg };

	trace_for_each(list_tp, &nf);
}

static long tracepoints_read(const char *obj, const char *attr, char *buf, size_t size)
{
	const struct tracepoint *tp = trace_find(obj);

	if (!tp)
		return -ENOENT;
	if (!strcmp(attr, "enabled"))
		return ksnprintf(buf, size, "%u", READ_ONCE(tp->enabled) ? 1u : 0u);
	if (!strcmp(attr, "hits"))
		return ksnprintf(buf, size, "%llu", (unsigned long long)trace_hits(tp));
	if (!strcmp(attr, "format"))
		return ksnprintf(buf, size, "%s", tp->format);
	return -ENOENT;
}

/* tracepoints/<name>/enabled takes 1 or 0 (echo 1 > .../enabled): the
 * runtime switch, also from the host through the FUSE window. */
static int tracepoints_write(const char *obj, const char *attr, const char *val)
{
	if (strcmp(attr, "enabled") || (strcmp(val, "0") && strcmp(val, "1")))
		return -EINVAL;
	return trace_enable(obj, val[0] == '1');
}

static const char *const tracepoints_attrs[] = { "enabled", "hits", "format", NULL };
static const char *const tracepoints_writable[] = { "enabled", NULL };
static const struct umkafs_kind_ops tracepoints_ops = {
	.list = tracepoints_list, .attrs = tracepoints_attrs, .read = tracepoints_read,
	.writable = tracepoints_writable, .write = tracepoints_write,
};

/* trace/log: umkafs adds the final newline, so the text goes without it. */
static long trace_log_read(char *buf, size_t size)
{
	size_t need = trace_read(buf, size, 0, NULL), len;

	if (need < size)
		return need ? (long)need - 1 : 0;
	if (size - 1 < TRACE_LOG_MAX)
		return (long)need;	/* umkafs retries with a bigger buffer */
	/* Too big: leave out the oldest, with an eighth to spare for what
	 * the CPUs write meanwhile. */
	trace_read(buf, size, need - (size - 1) + (size - 1) / 8, NULL);
	len = strlen(buf);
	return len ? (long)len - 1 : 0;
}

static long trace_kind_read(const char *obj, const char *attr, char *buf, size_t size)
{
	struct trace_stats st;

	if (!strcmp(attr, "log"))
		return trace_log_read(buf, size);
	trace_get_stats(&st);
	if (!strcmp(attr, "records_per_cpu"))
		return ksnprintf(buf, size, "%u", st.records_per_cpu);
	if (!strcmp(attr, "rings"))
		return ksnprintf(buf, size, "%u", st.nr_rings);
	if (!strcmp(attr, "written"))
		return ksnprintf(buf, size, "%llu", (unsigned long long)st.written);
	if (!strcmp(attr, "overwritten"))
		return ksnprintf(buf, size, "%llu", (unsigned long long)st.overwritten);
	if (!strcmp(attr, "dropped"))
		return ksnprintf(buf, size, "%llu", (unsigned long long)st.dropped);
	return -ENOENT;
}

static const char *const trace_attrs[] = { "log", "records_per_cpu", "rings", "written",
					   "overwritten", "dropped", NULL };
static const struct umkafs_kind_ops trace_ops = { .attrs = trace_attrs, .read = trace_kind_read };

void umkafs_trace_init(void)
{
	umkafs_register_kind("tracepoints", &tracepoints_ops);
	umkafs_register_kind("trace", &trace_ops);
}
