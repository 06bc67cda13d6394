/* arch-um internals: the hosted machine's pieces share these. This is the
 * only place (with the rest of src/arch-um/) that includes host headers. */
#ifndef UM_H
#define UM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct boot_info;

/* cpu.c: interrupts, timer, idle */
void um_cpu_init(void);
void um_cpu_shutdown(void);

/* context.c: the boot (main) thread's stack, for sanitizers/unwinding */
void um_context_init_boot(void);

/* switch.S */
void um_switch(uintptr_t *save_sp, uintptr_t new_sp);
void um_thread_start(void);

/* cpu.c: mark line pending on the vCPU (delivered now if interrupts are
 * on, else when they are re-enabled). Interrupt or kernel context. */
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
