/* A fake machine for unit tests: one CPU, a settable clock, a console that
 * records into a buffer, and halts that tests can catch. Links with core
 * objects in place of an arch layer. */
#ifndef FAKE_ARCH_H
#define FAKE_ARCH_H

#include <stddef.h>
#include <stdint.h>

extern uint64_t fake_clock;		/* arch_clock_ns() returns this */
extern uint64_t fake_timer_deadline;	/* last arch_timer_arm() */

/* Run fn(arg) and catch arch_halt: returns the halt status, or -1 if fn
 * returned normally. Per-CPU state (preempt count, irq flag, held locks) is
 * reset after a halt, since the halted code never unwound. */
int fake_catch_halt(void (*fn)(void *), void *arg);

/* Everything written to the console since the last fake_console_clear(). */
const char *fake_console(void);
void fake_console_clear(void);
/* Echo console output to stderr too (default off; UMKA_TEST_VERBOSE=1 sets). */
void fake_console_echo(int on);
/* Bytes "received" by the console: queued for arch_console_read, then
 * IRQ_CONSOLE is raised (as the interrupt, with interrupts disabled). */
void fake_console_type(const char *bytes, size_t n);
extern bool fake_console_input_started;	/* arch_console_input_start was called */

/* The caller a panic message names as "(called from 0x<pc>)" on its
 * "Kernel panic:" line, or 0 if there is none. */
uintptr_t fake_panic_caller(void);

/* Make this many bytes of "physical memory" (page aligned) and describe it
 * in a boot_info; returns the boot_info (static storage). */
struct boot_info *fake_boot_info(size_t ram_bytes);

#endif
