/* Symmetric multiprocessing: interrupting and stopping the other CPUs.
 * Bring-up is kernel_main's (main.c); runqueues, timers and RCU are per
 * CPU on their own. */
#ifndef UMKA_SMP_H
#define UMKA_SMP_H

#include <umka/types.h>

/* Install the IPI handler; before any CPU can send one. */
void smp_init(void);

/* From panic: ask every other online CPU to stop (an IPI each) and wait a
 * bounded time for them to do so. Returns how many did not answer. */
unsigned smp_stop_others(void);

/* Stop this CPU for good: interrupts off, spinning. */
__noreturn void smp_park(void);

#endif
