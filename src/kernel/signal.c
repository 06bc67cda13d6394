/* Signal hooks (see signal.h). There are no processes or signal queues yet:
 * each hook only counts its calls, so tests can see the path was taken.
 * When signals arrive, signal_raise_sigpipe queues SIGPIPE on current (a
 * thread-directed signal, as Linux sends it) and the counter goes. */
#include <umka/atomic.h>
#include <umka/signal.h>

static struct atomic64 sigpipe_raised;

void signal_raise_sigpipe(void)
{
	atomic64_add_return(&sigpipe_raised, 1);
}

u64 signal_sigpipe_count(void)
{
	return (u64)atomic64_read(&sigpipe_raised);
}
