/* arch-um console and diagnostics: the console is the process's stdout and
 * stdin; backtraces come from the host unwinder and name symbols through
 * the dynamic symbol table, always with the offset addr2line wants. */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include <umka/arch.h>
#include <umka/irq.h>

#include "config.h"
#include "um.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#endif

void arch_console_write(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(STDOUT_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* console gone: nothing better to do */
		buf += n;
		len -= (size_t)n;
	}
}

/* Console input is the process's stdin, watched by the host I/O thread:
 * readiness raises IRQ_CONSOLE, and the core's handler reads until
 * arch_console_read returns 0, which re-arms the watch. Without O_NONBLOCK
 * on stdin (its open file description is shared with the shell), each
 * read is preceded by a zero-timeout poll. End of file or an error ends
 * input for good; a stdin epoll cannot watch (a regular file) gives none. */
static int stdin_slot = -1;

static void stdin_ready(void *arg)
{
	(void)arg;
	um_irq_raise(IRQ_CONSOLE);
}

void arch_console_input_start(void)
{
	int slot = um_hostio_watch(STDIN_FILENO, stdin_ready, NULL);

	stdin_slot = slot >= 0 ? slot : -1;
}

size_t arch_console_read(char *buf, size_t len)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	ssize_t n;

	if (stdin_slot < 0 || !len)
		return 0;
	if (poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) {
		um_hostio_rearm(stdin_slot);
		return 0;
	}
	n = read(STDIN_FILENO, buf, len);
	if (n > 0)
		return (size_t)n;
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		um_hostio_rearm(stdin_slot);
		return 0;
	}
	um_hostio_unwatch(stdin_slot);
	stdin_slot = -1;
	return 0;
}

void um_console_init(void)
{
	void *warm[1];

	/* backtrace() loads the unwinder on first use, which allocates: do it
	 * now, not first inside a panic or a signal handler. */
	backtrace(warm, 1);
}

unsigned arch_stack_trace(uintptr_t *pcs, unsigned max)
{
	void *buf[64];
	int n = backtrace(buf, 64);
	unsigned out = 0;

	/* buf[0] is arch_stack_trace itself. */
	for (int i = 1; i < n && out < max; i++)
		pcs[out++] = (uintptr_t)buf[i];
	return out;
}

void arch_symbolize(uintptr_t pc, char *buf, size_t len)
{
	Dl_info info;
	const ElfW(Sym) *sym = NULL;

	if (!dladdr1((void *)pc, &info, (void **)&sym, RTLD_DL_SYMENT) || !info.dli_fname) {
		snprintf(buf, len, "0x%lx", (unsigned long)pc);
		return;
	}
	const char *file = info.dli_fname;
	for (const char *p = file; *p; p++)
		if (*p == '/')
			file = p + 1;
	/* dladdr names the nearest exported symbol, which for a static
	 * function is a wrong one: trust it only inside the symbol's size. */
	if (info.dli_sname && sym && pc < (uintptr_t)info.dli_saddr + sym->st_size)
		snprintf(buf, len, "%s+0x%lx (%s+0x%lx)", info.dli_sname,
			 (unsigned long)(pc - (uintptr_t)info.dli_saddr), file,
			 (unsigned long)(pc - (uintptr_t)info.dli_fbase));
	else
		snprintf(buf, len, "%s+0x%lx", file, (unsigned long)(pc - (uintptr_t)info.dli_fbase));
}

void arch_mem_poison(const void *p, size_t len)
{
#if defined(__SANITIZE_ADDRESS__)
	ASAN_POISON_MEMORY_REGION(p, len);
#endif
#ifdef HAVE_VALGRIND_MEMCHECK_H
	VALGRIND_MAKE_MEM_NOACCESS(p, len);
#endif
	(void)p, (void)len;
}

/* Valgrind sees all of RAM as defined (it is a mapped file); unpoisoned
 * memory goes back to that state, so contents written before the poison
 * (redzone patterns) stay defined. */
void arch_mem_unpoison(const void *p, size_t len)
{
#if defined(__SANITIZE_ADDRESS__)
	ASAN_UNPOISON_MEMORY_REGION(p, len);
#endif
#ifdef HAVE_VALGRIND_MEMCHECK_H
	VALGRIND_MAKE_MEM_DEFINED(p, len);
#endif
	(void)p, (void)len;
}
