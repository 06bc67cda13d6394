/* RISC-V 64 console: the ns16550 UART the device tree names (QEMU virt:
 * at 0x10000000, byte registers), polled for output, receiving through its
 * interrupt on the PLIC; QEMU or the
 * firmware set its line parameters. Every byte waits for room in the
 * transmitter, so the console is synchronous as arch.h asks, and safe in
 * any context.
 *
 * Before the UART is known (device tree trouble), or on a board without
 * one, text goes through the SBI: the debug console extension (DBCN,
 * console_write_byte) when the firmware has it, else the legacy
 * console_putchar (extension 0x01). QEMU 7.2's OpenSBI 1.1 predates DBCN,
 * so on it the fallback is the legacy call. */
#include <umka/arch.h>
#include <umka/string.h>

#include "rv.h"

#define UART_THR 0
#define UART_RBR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LSR 5
#define LSR_DR 0x01	/* a received byte waits */
#define LSR_THRE 0x20	/* room in the transmit holding register / FIFO */
#define IER_ERBFI 0x01	/* interrupt when received data is available */
#define LSR_TEMT 0x40	/* transmitter empty */
#define FCR_ENABLE 0x01

/* Bounded waits: a UART that never becomes ready must not hang the
 * kernel, only lose output. */
#define UART_SPIN 100000

static uintptr_t uart;
static unsigned uart_shift, uart_width;
static u32 uart_irq;		/* its PLIC source; 0 if unknown */
static int sbi_console;	/* 0 unprobed, 1 DBCN, 2 legacy, -1 none */

static u8 uart_read(unsigned reg)
{
	uintptr_t a = uart + ((uintptr_t)reg << uart_shift);

	return uart_width == 4 ? (u8)mmio_read32(a) : mmio_read8(a);
}

static void uart_write(unsigned reg, u8 v)
{
	uintptr_t a = uart + ((uintptr_t)reg << uart_shift);

	if (uart_width == 4)
		mmio_write32(a, v);
	else
		mmio_write8(a, v);
}

void rv_console_init(u64 uart_pa, unsigned reg_shift, unsigned io_width, u32 irq)
{
	uart_irq = irq;
	uart = (uintptr_t)(DIRECT_MAP + uart_pa);
	uart_shift = reg_shift;
	uart_width = io_width;
	uart_write(UART_IER, 0);
	uart_write(UART_FCR, FCR_ENABLE);
	/* Start on a line of our own: TAP's version line must be one. */
	arch_console_write("\n", 1);
}

static void uart_putc(char c)
{
	for (unsigned i = 0; i < UART_SPIN && !(uart_read(UART_LSR) & LSR_THRE); i++)
		__asm__ __volatile__("nop");
	uart_write(UART_THR, (u8)c);
}

void rv_console_flush(void)
{
	if (!uart)
		return;
	for (unsigned i = 0; i < UART_SPIN && !(uart_read(UART_LSR) & LSR_TEMT); i++)
		__asm__ __volatile__("nop");
}

static void sbi_putc(char c)
{
	if (!sbi_console)
		sbi_console = rv_sbi_has(SBI_EXT_DBCN) ? 1 :
			      rv_sbi_has(SBI_EXT_LEGACY_PUTCHAR) ? 2 : -1;
	if (sbi_console == 1)
		sbi_call(SBI_EXT_DBCN, 2, (u8)c, 0, 0);
	else if (sbi_console == 2)
		sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, (u8)c);
}

void arch_console_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (uart)
			uart_putc(buf[i]);
		else
			sbi_putc(buf[i]);
	}
}

void rv_early_puts(const char *s)
{
	arch_console_write(s, strlen(s));
}

/* Receive: the UART's data-available interrupt through the PLIC, drained
 * by the core's IRQ_CONSOLE handler. Without a PLIC route, no input. */
void arch_console_input_start(void)
{
	if (!uart || !uart_irq || !rv_plic_route(uart_irq, IRQ_CONSOLE))
		return;
	uart_write(UART_IER, IER_ERBFI);
}

size_t arch_console_read(char *buf, size_t len)
{
	size_t n = 0;

	while (uart && n < len && (uart_read(UART_LSR) & LSR_DR))
		buf[n++] = (char)uart_read(UART_RBR);
	return n;
}
