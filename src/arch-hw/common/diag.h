/* Diagnostics every hardware port prints alike. */
#ifndef ARCH_HW_DIAG_H
#define ARCH_HW_DIAG_H

#include <umka/types.h>

/* printf straight to the console: no lock, no allocation, so a trap dump
 * works even when the fault hit inside printk with its lock held. Lines
 * longer than 159 bytes are cut. */
void hw_dump_printf(const char *fmt, ...) __printf(1, 2);

#endif
