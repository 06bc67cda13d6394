/* Signals: not yet delivered. What exists are the hooks the rest of the
 * kernel calls where a signal is due, so those call sites are in place and
 * tested before tasks can receive signals. */
#ifndef UMKA_SIGNAL_H
#define UMKA_SIGNAL_H

#include <umka/types.h>

/* A write found no reader (pipe, FIFO, later a socket): raise SIGPIPE on
 * the calling task. The caller still returns -EPIPE. Callable in process
 * context with sleeping locks held; takes no lock itself. */
void signal_raise_sigpipe(void);

/* How many times signal_raise_sigpipe has been called since boot (tests). */
u64 signal_sigpipe_count(void);

#endif
