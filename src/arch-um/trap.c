/* arch-um traps: a fault in kernel code (SIGSEGV, SIGBUS, SIGILL, SIGFPE
 * from the host) is the hosted machine's exception. It stops the machine the
 * way a trap does on the hardware ports: the trap named, the registers, then
 * panic() with its call trace (glibc's unwinder steps through the signal
 * frame, so the trace starts at the faulting function) and status 3.
 *
 * The handler runs on an alternate stack of each vCPU thread, so a kernel
 * thread that ran off its stack into the guard page below it (made here,
 * arch_stack_guard) still gets its report, named as a stack overflow. A fault
 * in a host helper thread (FUSE, host I/O) is not the kernel's: it gets the
 * same dump and a raw backtrace, then the process exits with status 3. */
#include <execinfo.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include <umka/arch.h>
#include <umka/mm.h>
#include <umka/panic.h>
#include <umka/sched.h>

#include "um.h"

#define TRAP_STACK_SIZE (64 * 1024)

static __thread bool on_vcpu;	/* this host thread runs kernel code */

/* Kept reachable for leak checkers; they live as long as the process. */
static void *trap_stacks[64];	/* one per vCPU thread */
static unsigned nr_trap_stacks;

/* Formats into a stack buffer and writes it raw: printk may be the code
 * that faulted, holding its lock. */
static void __attribute__((format(printf, 1, 2))) trap_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		arch_console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static const char *trap_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	default: return "signal";
	}
}

/* What the host says about the fault, in the words the hardware ports use
 * where the signal maps onto one of their exceptions. */
static const char *trap_kind(int sig, int code)
{
	if (code <= 0)
		return "sent by a host process";
	switch (sig) {
	case SIGSEGV: return "page fault";
	case SIGBUS: return code == BUS_ADRALN ? "alignment fault" : "bus error";
	case SIGILL: return "invalid opcode";
	case SIGFPE: return code == FPE_INTDIV ? "divide error" : "arithmetic fault";
	default: return "fault";
	}
}

#if defined(__x86_64__)
#define TRAP_PC(uc) ((uintptr_t)(uc)->uc_mcontext.gregs[REG_RIP])

static void trap_dump_registers(const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
#define R(r) ((unsigned long long)g[REG_##r])

	trap_printf("RIP %016llx RSP %016llx RFLAGS %016llx\n", R(RIP), R(RSP), R(EFL));
	trap_printf("RAX %016llx RBX %016llx RCX %016llx\n", R(RAX), R(RBX), R(RCX));
	trap_printf("RDX %016llx RSI %016llx RDI %016llx\n", R(RDX), R(RSI), R(RDI));
	trap_printf("RBP %016llx R8  %016llx R9  %016llx\n", R(RBP), R(R8), R(R9));
	trap_printf("R10 %016llx R11 %016llx R12 %016llx\n", R(R10), R(R11), R(R12));
	trap_printf("R13 %016llx R14 %016llx R15 %016llx\n", R(R13), R(R14), R(R15));
	trap_printf("trap %llu error %llx\n", R(TRAPNO), R(ERR));
#undef R
}

/* The page-fault error code the host passes on (vector 14): bit 1 write,
 * bit 4 instruction fetch (Intel SDM vol. 3, "Page-Fault Error Code"). */
#define PF_WRITE 0x2
#define PF_FETCH 0x10

static bool trap_is_page_fault(int sig, const ucontext_t *uc)
{
	return sig == SIGSEGV && uc->uc_mcontext.gregs[REG_TRAPNO] == 14;
}

static bool trap_is_fetch(int sig, const ucontext_t *uc)
{
	return trap_is_page_fault(sig, uc) && (uc->uc_mcontext.gregs[REG_ERR] & PF_FETCH);
}

static const char *trap_access(int sig, const ucontext_t *uc)
{
	if (!trap_is_page_fault(sig, uc))
		return "";
	if (trap_is_fetch(sig, uc))
		return ", instruction fetch";
	return uc->uc_mcontext.gregs[REG_ERR] & PF_WRITE ? ", write" : ", read";
}

/* The interrupted code's frames, walked by frame pointer (the build keeps
 * them): panic's unwinder needs unwind tables, and a jump into data has
 * none. A frame is trusted only inside TRAP_FRAME_WINDOW above the stack
 * pointer and above the previous one, so a corrupt chain ends the walk
 * instead of faulting in here. After a fetch fault the callee has not
 * built a frame yet: its return address is the word at RSP. */
#define TRAP_FRAME_WINDOW (256 * 1024)

static void trap_dump_frames(const ucontext_t *uc, bool fetch)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	uintptr_t sp = (uintptr_t)g[REG_RSP], fp = (uintptr_t)g[REG_RBP];
	char sym[128];

	trap_printf("Frames:\n");
	arch_symbolize((uintptr_t)g[REG_RIP], sym, sizeof(sym));
	trap_printf("  %s\n", sym);
	if (fetch && !(sp & 7)) {
		arch_symbolize(*(const uintptr_t *)sp, sym, sizeof(sym));
		trap_printf("  %s\n", sym);
	}
	for (int depth = 0; depth < 24; depth++) {
		if (fp & 7 || fp < sp || fp - sp >= TRAP_FRAME_WINDOW)
			break;
		const uintptr_t *frame = (const uintptr_t *)fp;

		if (!frame[1])
			break;
		arch_symbolize(frame[1], sym, sizeof(sym));
		trap_printf("  %s\n", sym);
		sp = fp + 16;
		fp = frame[0];
	}
}
#else
#define TRAP_PC(uc) ((uintptr_t)0)
static void trap_dump_registers(const ucontext_t *uc) { (void)uc; }
static const char *trap_access(int sig, const ucontext_t *uc) { (void)sig, (void)uc; return ""; }
static bool trap_is_fetch(int sig, const ucontext_t *uc) { (void)sig, (void)uc; return false; }
static void trap_dump_frames(const ucontext_t *uc, bool fetch) { (void)uc, (void)fetch; }
#endif

static void on_trap(int sig, siginfo_t *si, void *ucv)
{
	const ucontext_t *uc = ucv;
	uintptr_t pc = TRAP_PC(uc);
	const char *kind = trap_kind(sig, si->si_code);
	char where[128];

	arch_irq_disable();
	arch_symbolize(pc, where, sizeof(where));
	trap_printf("\narch-um trap: %s (%s%s) at %s, address %p\n", trap_name(sig), kind,
		    trap_access(sig, uc), where, si->si_addr);
	trap_dump_registers(uc);
	trap_dump_frames(uc, trap_is_fetch(sig, uc));
	if (on_vcpu && task_stack_guard_hit((uintptr_t)si->si_addr))
		panic("kernel stack overflow: %s (tid %d) ran into its guard page at %s",
		      current->name, current->tid, where);
	if (on_vcpu)
		panic("%s (%s) at %s, address %p", trap_name(sig), kind, where, si->si_addr);

	/* Not a vCPU: no current task, no kernel state to report on. */
	void *frames[32];
	int n = backtrace(frames, 32);

	trap_printf("fault in a host helper thread, not in the kernel; its stack:\n");
	backtrace_symbols_fd(frames, n, STDOUT_FILENO);
	_exit(HALT_PANIC);
}

/* A kernel stack's guard page is a hole in RAM's mapping: the access that
 * runs off the stack faults into on_trap, which names it. */
bool arch_stack_guard(void *page)
{
	return mprotect(page, PAGE_SIZE, PROT_NONE) == 0;
}

void arch_stack_unguard(void *page)
{
	/* Failing leaves a hole in RAM that the next owner would fault on. */
	if (mprotect(page, PAGE_SIZE, PROT_READ | PROT_WRITE)) {
		perror("umka: mprotect (stack unguard)");
		abort();
	}
}

void um_trap_init_thread(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	struct sigaction sa;
	stack_t ss;

	unsigned slot = __atomic_fetch_add(&nr_trap_stacks, 1, __ATOMIC_RELAXED);

	/* The alternate stack lives as long as the thread: vCPU threads run
	 * until the process exits. */
	ss.ss_sp = slot < 64 ? malloc(TRAP_STACK_SIZE) : NULL;
	if (ss.ss_sp)
		trap_stacks[slot] = ss.ss_sp;
	ss.ss_size = TRAP_STACK_SIZE;
	ss.ss_flags = 0;
	if (!ss.ss_sp || sigaltstack(&ss, NULL)) {
		perror("umka: sigaltstack");
		exit(1);
	}
	on_vcpu = true;

	/* Process-wide and idempotent: the first vCPU's call installs them
	 * for every thread. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL)) {
			perror("umka: sigaction");
			exit(1);
		}
	/* A fault while its signal is blocked kills the process without a
	 * word: secondary vCPU threads start with every signal blocked. */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	pthread_sigmask(SIG_UNBLOCK, &sa.sa_mask, NULL);
}
