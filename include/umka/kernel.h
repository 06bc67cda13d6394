/* Boot-wide facts the rest of the kernel may ask for. */
#ifndef UMKA_KERNEL_H
#define UMKA_KERNEL_H

#include <umka/arch.h>
#include <umka/cmdline.h>

extern struct kernel_params kernel_params;
/* The boot command line as the machine gave it (for /proc/cmdline). */
extern const char *kernel_cmdline;

/* Nanoseconds since the core started (kernel_main). */
u64 ktime_since_boot(void);

/* Stop the machine in order: print why, then arch_halt(status). */
__noreturn void kernel_poweroff(enum halt_status status);

/* In-kernel benchmarks (bench/kbench.c): run those named in spec ("all" or
 * a comma list), printing "name value unit" lines. -EINVAL on a bad name. */
int kbench_run(const char *spec);

#endif
