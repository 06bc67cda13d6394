/* The arch interface: everything a machine provides to the portable core.
 * A new port implements exactly these functions; each comment is its
 * contract (what it must guarantee, what it may assume, where the race is).
 * arch-um implements them on a Linux process, arch-hw on bare metal. */
#ifndef UMKA_ARCH_H
#define UMKA_ARCH_H

#include <umka/types.h>

/* ---- Boot ---------------------------------------------------------------- */

#define BOOT_MEM_MAX 32

enum mem_type { MEM_USABLE = 1, MEM_RESERVED = 2 };

struct mem_region {
	phys_addr_t base;
	u64 size;
	enum mem_type type;
};

struct boot_info {
	const char *cmdline;		/* NUL-terminated, may be empty, never NULL */
	struct mem_region mem[BOOT_MEM_MAX];	/* unsorted, may overlap or have holes */
	unsigned nr_mem;
	uintptr_t direct_map;		/* kernel virtual address of physical 0 */
	unsigned nr_cpus;		/* CPUs the machine can start (>= 1) */
	const char *machine;		/* short description for the banner */
	phys_addr_t initrd_base;	/* initramfs image (cpio, maybe gzipped), */
	u64 initrd_size;		/* 0 if none; its range is MEM_RESERVED */
	u64 wallclock_ns;		/* UTC ns since 1970 read from the machine's
					 * real-time clock during setup; 0 if it has none */
};

/* The core's entry point. The arch calls it once on the boot CPU, with
 * interrupts disabled, on a stack that becomes CPU 0's idle task. */
__noreturn void kernel_main(struct boot_info *bi);

/* Exit statuses for arch_halt, seen by whoever started the machine. */
enum halt_status {
	HALT_POWEROFF = 0,	/* clean shutdown, all tests passed */
	HALT_TEST_FAILED = 1,	/* ktest ran and at least one case failed */
	HALT_BAD_CMDLINE = 2,	/* malformed or unsupported command line */
	HALT_PANIC = 3,		/* kernel panic */
};

/* Stop the machine and report status to its host (process exit status,
 * isa-debug-exit, PSCI, SBI). Never returns; callable from any context. */
__noreturn void arch_halt(enum halt_status status);

/* Start the machine's own services once the core is up (VFS mounted, init
 * not yet created; process context, may sleep). Returns true if one of them
 * keeps the machine running by itself (arch-um's fuse=): init then exits
 * instead of powering off, and that service powers off when it is done. */
bool arch_late_init(void);

/* The first command line key this machine cannot honour (arch-um's host
 * services "fuse" and "hostfs" on hardware), or NULL. Called once from
 * kernel_main after parsing; the kernel then stops with HALT_BAD_CMDLINE. */
struct kernel_params;
const char *arch_cmdline_unsupported(const struct kernel_params *p);

/* ---- Console ------------------------------------------------------------- */

/* Write len bytes to the console synchronously. Callable with interrupts
 * disabled and from panic; must not take core locks or allocate. */
void arch_console_write(const char *buf, size_t len);

/* Console input. After arch_console_input_start the arch raises
 * IRQ_CONSOLE whenever received bytes wait; the core's handler then calls
 * arch_console_read until it returns 0 (non-blocking, interrupts disabled;
 * returns the bytes copied). A machine without console input never raises
 * the line and returns 0. Bytes arriving before start may be kept or lost. */
void arch_console_input_start(void);
size_t arch_console_read(char *buf, size_t len);

/* ---- Interrupts ---------------------------------------------------------- */

/* Local (this CPU) interrupt masking. While disabled, interrupts are held
 * pending and delivered when re-enabled. Cheap: no host syscall in arch-um. */
void arch_irq_disable(void);
void arch_irq_enable(void);	/* delivers anything pending before returning */
bool arch_irqs_disabled(void);

/* Interrupt lines the core knows; the arch maps its sources onto them. */
enum irq_line {
	IRQ_TIMER = 0,
	IRQ_CONSOLE = 1,
	IRQ_IPI = 2,
	IRQ_HOST_IO = 3,	/* arch-um: a watched host file descriptor is ready */
	NR_IRQ_LINES = 16,
};

/* Called by the arch (not provided by it): the core's interrupt entry.
 * The arch calls irq_handle(line) with interrupts disabled, on the
 * interrupted context's stack or an interrupt stack. It may switch to
 * another task before returning (preemption), so it can return much later. */
void irq_handle(enum irq_line line);

/* ---- Kernel contexts ----------------------------------------------------- */

/* Saved state of a kernel thread that is not running. The core owns the
 * struct; the arch owns the meaning of every field but stack/stack_size. */
struct arch_context {
	uintptr_t sp;		/* saved stack pointer */
	void *stack;		/* lowest address of the stack */
	size_t stack_size;
	uintptr_t priv[3];	/* arch/tooling use (sanitizer fiber state, ids) */
};

/* Prepare ctx so that the first switch to it calls entry(arg) on the given
 * stack with interrupts disabled. entry must never return. */
void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg);

/* Save the current context into from and resume to. Called with interrupts
 * disabled; returns (in from's context) when something switches back. */
void arch_context_switch(struct arch_context *from, struct arch_context *to);

/* Forget a context whose thread has exited (never switched to again); lets
 * tools (Valgrind, ASan) drop their state for the stack. */
void arch_context_destroy(struct arch_context *ctx);

/* Make page (the lowest page of a kernel stack, page aligned) inaccessible,
 * so that running off the end of the stack traps at once instead of
 * overwriting the memory below it. false where the machine cannot; the
 * core then has only its end-of-stack word, checked at every switch. */
bool arch_stack_guard(void *page);

/* Make a page guarded by arch_stack_guard ordinary memory again, before
 * the stack's pages are freed. */
void arch_stack_unguard(void *page);

/* ---- Time ---------------------------------------------------------------- */

/* Monotonic nanoseconds since an arbitrary epoch before boot; never goes
 * backwards on one CPU. Callable from any context. */
u64 arch_clock_ns(void);

/* Arm this CPU's one-shot timer: raise IRQ_TIMER on this CPU once
 * arch_clock_ns() >= deadline (immediately if already past). A new call
 * replaces the old deadline; UINT64_MAX disarms. Interrupts disabled. */
void arch_timer_arm(u64 deadline_ns);

/* Wait for an interrupt. Called with interrupts disabled; enables them,
 * sleeps until one is delivered (or spuriously), and returns with
 * interrupts enabled. */
void arch_cpu_idle(void);

/* ---- CPUs ---------------------------------------------------------------- */

/* Index of the running CPU, 0..nr_cpus-1. Stale unless preemption or
 * interrupts are disabled (the task may migrate right after). */
unsigned arch_cpu_id(void);

/* Start secondary CPU cpu (1..boot_info.nr_cpus-1) running
 * kernel_secondary_main(cpu) on [stack, stack+size) with interrupts disabled.
 * Returns 0 once the CPU is executing (core code may lag), -ENOSYS if the
 * port cannot start CPUs, -EIO if the CPU did not respond in time: it may
 * still run arch code on the stack before it parks, so the core must never
 * reuse that stack. Boot CPU only. */
int arch_cpu_start(unsigned cpu, void *stack, size_t size);

/* Called by the arch (not provided by it): a secondary CPU's entry into
 * the core, once per CPU, with arch_cpu_id() == cpu and interrupts off. */
__noreturn void kernel_secondary_main(unsigned cpu);

/* Raise IRQ_IPI on cpu (an online CPU, may be the caller). Callable from
 * any context. Stores made before the call are visible to the handler;
 * IPIs sent before the handler runs may be merged into one delivery. */
void arch_ipi_send(unsigned cpu);

/* ---- Diagnostics ---------------------------------------------------------- */

/* Fill pcs with up to max return addresses of the calling context, innermost
 * first (skipping arch_stack_trace itself). Returns the count. Must not
 * fault on a corrupt stack; may return 0 if the arch cannot unwind. */
unsigned arch_stack_trace(uintptr_t *pcs, unsigned max);

/* Describe pc as text ("symbol+0x12 (umka+0x1234)") into buf. Always
 * NUL-terminates; prints the raw address when nothing better is known. */
void arch_symbolize(uintptr_t pc, char *buf, size_t len);

/* Tell memory-checking tools that [p, p+len) is no longer addressable
 * (poisoned) or addressable again. No-op on machines without such tools. */
void arch_mem_poison(const void *p, size_t len);
void arch_mem_unpoison(const void *p, size_t len);

#endif
