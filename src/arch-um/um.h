/* arch-um internals: the hosted machine's pieces share these. This is the
 * only place (with the rest of src/arch-um/) that includes host headers. */
#ifndef UM_H
#define UM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include <umka/percpu.h>

struct boot_info;
struct arch_context;

/* As many vCPUs as the core has per-CPU slots. */
#define UM_MAX_CPUS NR_CPUS

/* cpu.c: vCPUs (host threads), interrupts, timer, idle. um_cpu_init makes
 * the calling (main) thread vCPU 0. um_cpu_shutdown stops the other vCPUs
 * before the process exits (waiting for them unless wait is false). */
void um_cpu_init(void);
void um_cpu_shutdown(bool wait);

/* cpu.c: called by arch_context_switch on the switching vCPU before the
 * stacks change: saves which vCPU leaves `from` with how many host signal
 * frames on it, and panics if `to` holds frames of another vCPU. */
void um_context_note_switch(struct arch_context *from, struct arch_context *to);

/* cpu.c: counts since boot, for ktests. */
struct um_cpu_stats {
	unsigned long handler_switches;	/* away from a stack holding a signal
					 * frame (preemption from the handler) */
	unsigned long migrations;	/* resumes on another vCPU than the one
					 * the task last left */
	unsigned long ipis_signalled;	/* IPIs sent as a host signal */
	unsigned long ipis_polled;	/* IPIs to a vCPU watching in idle_poll */
};
void um_cpu_stats(struct um_cpu_stats *st);
/* True once several vCPUs run and idle vCPUs poll before sleeping. */
bool um_cpu_idle_polls(void);

/* cpu.c: interrupt vCPU 0 with SIGUSR1 (IRQ_HOST_IO); any thread. */
void um_hostio_kick(void);

/* context.c: the boot (main) thread's stack, for sanitizers/unwinding */
void um_context_init_boot(void);

/* switch.S */
void um_switch(uintptr_t *save_sp, uintptr_t new_sp);
void um_thread_start(void);
/* Switch to the stack ending at sp (aligned down to 16) and call fn(arg)
 * there; fn must not return. Used once per secondary vCPU. */
__attribute__((noreturn)) void um_call_on_stack(uintptr_t sp, void (*fn)(void *), void *arg);

/* cpu.c: mark line pending on the calling vCPU (delivered now if
 * interrupts are on, else when they are re-enabled). Interrupt or kernel
 * context. */
void um_irq_raise(enum irq_line line);

/* hostio.c: host fds as interrupt sources. um_hostio_watch returns a slot
 * (>= 0) or -errno; ready(arg) runs in interrupt context once the fd is
 * readable, then the watch sleeps until um_hostio_rearm(slot). */
int um_hostio_watch(int fd, void (*ready)(void *arg), void *arg);
int um_hostio_rearm(int slot);
void um_hostio_unwatch(int slot);

/* fuse.c: the FUSE window (fuse=). um_fuse_start mounts it and starts its
 * thread (false if fuse= is not given; powers off if it cannot mount);
 * um_fuse_shutdown unmounts it at power off. */
bool um_fuse_start(void);
void um_fuse_shutdown(void);

/* hostfs.c: um_hostfs_start registers the "hostfs" type and mounts
 * hostfs= (powering off with status 2 if it cannot). um_hostfs_split
 * splits a hostfs= value into host directory and guest path ("/host" if
 * none): 0 or -ENAMETOOLONG (neither longer than size - 1). */
void um_hostfs_start(void);
int um_hostfs_split(const char *arg, char *host, char *guest, size_t size);

/* trap.c: turn host faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE) in the
 * calling vCPU thread into a kernel panic with registers and a call trace.
 * Each vCPU thread calls it once before running kernel code. */
void um_trap_init_thread(void);

/* console.c */
void um_console_init(void);

#endif
