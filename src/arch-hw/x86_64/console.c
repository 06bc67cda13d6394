/* x86-64 console: the first 16550 UART (COM1, I/O port 0x3f8), 115200 8N1,
 * polled for output: every byte waits for room in the transmitter, so the
 * console is synchronous as arch.h asks, and safe in any context. Input
 * comes with its received-data interrupt (ISA IRQ 4, through the I/O
 * APIC). */
#include <umka/arch.h>
#include <umka/string.h>

#include "x86.h"

#define COM1 0x3f8
#define UART_THR 0	/* transmit holding (write) */
#define UART_RBR 0	/* receive buffer (read) */
#define UART_IER 1	/* interrupt enable */
#define UART_DLL 0	/* divisor latch, with LCR.DLAB */
#define UART_DLM 1
#define UART_FCR 2	/* FIFO control (write) */
#define UART_LCR 3	/* line control */
#define UART_MCR 4	/* modem control */
#define UART_LSR 5	/* line status */
#define LSR_DR 0x01	/* a received byte waits */
#define LSR_THRE 0x20	/* room for a byte */
#define IER_ERBFI 0x01	/* interrupt on received data */
#define MCR_OUT2 0x08	/* on a PC, gates the UART's interrupt onto the bus */
#define COM1_ISA_IRQ 4
#define LSR_TEMT 0x40	/* everything sent */

/* Bounded waits: a UART that never becomes ready (none fitted) must not
 * hang the kernel, only lose output. */
#define UART_SPIN 100000

void x86_serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB: set the divisor */
	outb(COM1 + UART_DLL, 0x01);	/* 115200 baud */
	outb(COM1 + UART_DLM, 0x00);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);	/* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS; OUT2 off: no interrupts */
	/* Firmware (SeaBIOS) may have left a partial line: start afresh, so
	 * our first line (TAP's version line) is a line of its own. */
	arch_console_write("\n", 1);
}

static void serial_putc(char c)
{
	for (unsigned i = 0; i < UART_SPIN && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		__asm__ __volatile__("pause");
	outb(COM1 + UART_THR, (u8)c);
}

void x86_serial_flush(void)
{
	for (unsigned i = 0; i < UART_SPIN && !(inb(COM1 + UART_LSR) & LSR_TEMT); i++)
		__asm__ __volatile__("pause");
}

void arch_console_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(buf[i]);
}

void x86_early_puts(const char *s)
{
	arch_console_write(s, strlen(s));
}

void arch_console_input_start(void)
{
	if (!x86_ioapic_route_isa(COM1_ISA_IRQ, VEC_COM1))
		return;
	outb(COM1 + UART_MCR, inb(COM1 + UART_MCR) | MCR_OUT2);
	outb(COM1 + UART_IER, IER_ERBFI);
}

size_t arch_console_read(char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && (inb(COM1 + UART_LSR) & LSR_DR))
		buf[n++] = (char)inb(COM1 + UART_RBR);
	return n;
}
