/* AArch64 console: the PL011 UART the device tree names (QEMU virt: at
 * 0x09000000), polled, no interrupts; the boot loader or QEMU set its baud
 * rate. Every byte waits for room in the FIFO, so the console is
 * synchronous as arch.h asks, and safe in any context. Before the UART is
 * known (device tree trouble), text goes to semihosting's SYS_WRITE0, which
 * is a no-op when QEMU runs without -semihosting. */
#include <umka/arch.h>
#include <umka/string.h>

#include "a64.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_LCR_H 0x2c
#define UART_CR 0x30
#define UART_IMSC 0x38
#define UART_ICR 0x44
#define FR_RXFE (1 << 4)
#define IMSC_RXIM (1 << 4)	/* receive FIFO at its trigger level */
#define IMSC_RTIM (1 << 6)	/* receive timeout: bytes sitting below the level */
#define FR_BUSY (1 << 3)
#define FR_TXFF (1 << 5)
#define LCR_FEN (1 << 4)
#define LCR_WLEN8 (3 << 5)
#define CR_UARTEN (1 << 0)
#define CR_TXE (1 << 8)
#define CR_RXE (1 << 9)

#define SYS_WRITE0 0x04

/* Bounded waits: a UART that never becomes ready must not hang the
 * kernel, only lose output. */
#define UART_SPIN 100000

static uintptr_t uart;
static unsigned uart_intid;	/* its GIC INTID; 0 if unknown */

void a64_console_init(u64 pl011_pa, unsigned intid)
{
	uart_intid = intid;
	uart = (uintptr_t)(DIRECT_MAP + pl011_pa);
	mmio_write32(uart + UART_IMSC, 0);
	mmio_write32(uart + UART_LCR_H, LCR_WLEN8 | LCR_FEN);
	mmio_write32(uart + UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
	/* Start on a line of our own: TAP's version line must be one. */
	arch_console_write("\n", 1);
}

static void uart_putc(char c)
{
	for (unsigned i = 0; i < UART_SPIN && (mmio_read32(uart + UART_FR) & FR_TXFF); i++)
		__asm__ __volatile__("yield");
	mmio_write32(uart + UART_DR, (u8)c);
}

void a64_console_flush(void)
{
	if (!uart)
		return;
	for (unsigned i = 0; i < UART_SPIN && (mmio_read32(uart + UART_FR) & FR_BUSY); i++)
		__asm__ __volatile__("yield");
}

void arch_console_write(const char *buf, size_t len)
{
	if (!uart) {
		char chunk[128];

		while (len) {
			size_t n = MIN(len, sizeof(chunk) - 1);

			memcpy(chunk, buf, n);
			chunk[n] = 0;
			a64_semihost(SYS_WRITE0, chunk);
			buf += n;
			len -= n;
		}
		return;
	}
	for (size_t i = 0; i < len; i++)
		uart_putc(buf[i]);
}

void a64_early_puts(const char *s)
{
	arch_console_write(s, strlen(s));
}

/* Receive: the PL011's receive and receive-timeout interrupts through the
 * GIC, drained by the core's IRQ_CONSOLE handler. */
void arch_console_input_start(void)
{
	if (!uart || !uart_intid || !a64_gic_route(uart_intid, IRQ_CONSOLE))
		return;
	mmio_write32(uart + UART_IMSC, IMSC_RXIM | IMSC_RTIM);
}

size_t arch_console_read(char *buf, size_t len)
{
	size_t n = 0;

	while (uart && n < len && !(mmio_read32(uart + UART_FR) & FR_RXFE))
		buf[n++] = (char)mmio_read32(uart + UART_DR);
	if (uart && !n)
		mmio_write32(uart + UART_ICR, IMSC_RXIM | IMSC_RTIM);
	return n;
}
