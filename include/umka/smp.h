/* Symmetric multiprocessing: bringing the other CPUs up and stopping them.
 * Runqueues, timers and RCU are per CPU already; this is the glue. */
#ifndef UMKA_SMP_H
#define UMKA_SMP_H

#include <umka/types.h>

/* Start CPUs 1..want-1 one at a time (boot CPU, from kernel_main, with
 * interrupts on). Stops at the first CPU that does not start; returns how
 * many CPUs are online afterwards. */
unsigned smp_boot(unsigned want);

/* Install the IPI handler; before any CPU can send one. */
void smp_init(void);

/* From panic: ask every other online CPU to stop (an IPI each) and wait a
 * bounded time for them to do so. Returns how many did not answer. */
unsigned smp_stop_others(void);

/* Stop this CPU for good: interrupts off, spinning. */
__noreturn void smp_park(void);

#endif
