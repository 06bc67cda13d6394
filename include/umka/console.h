/* Console input: bytes the machine's console receives, kept in a ring for
 * readers of /dev/console (later the tty layer). The arch raises
 * IRQ_CONSOLE when bytes wait; the core's handler drains them with
 * arch_console_read into the ring and wakes readers. When the ring is
 * full, new bytes are dropped and counted, like a UART overrun. */
#ifndef UMKA_CONSOLE_H
#define UMKA_CONSOLE_H

#include <umka/types.h>

#define CONSOLE_INPUT_RING 4096

/* Install the IRQ_CONSOLE handler and tell the arch to start delivering. */
void console_input_init(void);

/* Copy up to n received bytes into buf. Sleeps until at least one byte is
 * there, unless nonblock (then -EAGAIN); never returns 0 for n > 0. */
long console_input_read(void *buf, size_t n, bool nonblock);

/* Bytes waiting in the ring now. */
size_t console_input_pending(void);

struct console_input_stats {
	u64 received;	/* bytes taken from the arch */
	u64 dropped;	/* of those, lost to a full ring */
	u64 interrupts;	/* IRQ_CONSOLE deliveries */
};
void console_input_get_stats(struct console_input_stats *st);

#endif
