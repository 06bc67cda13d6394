/* Interrupt lines from the core's side: handlers per line and counters. */
#ifndef UMKA_IRQ_H
#define UMKA_IRQ_H

#include <umka/arch.h>

/* Install fn as the handler of line; runs with interrupts disabled. */
void irq_register(enum irq_line line, void (*fn)(void));
/* Interrupts delivered on line (NR_IRQ_LINES: spurious ones). */
unsigned long irq_count(enum irq_line line);

#endif
