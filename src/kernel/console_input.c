/* The console's receive side: a byte ring filled from IRQ_CONSOLE and
 * drained by readers. One producer (the interrupt handler) and any number
 * of sleeping readers; the lock is interrupt-safe because the producer is
 * an interrupt. The handler drains everything the arch holds, so a
 * level-triggered UART interrupt is quiet again when it returns. */
#include <umka/arch.h>
#include <umka/console.h>
#include <umka/errno.h>
#include <umka/irq.h>
#include <umka/lockorder.h>
#include <umka/spinlock.h>
#include <umka/string.h>
#include <umka/wait.h>

static struct {
	struct spinlock lock;
	char buf[CONSOLE_INPUT_RING];
	u32 head;		/* next byte to read; under lock */
	u32 count;		/* bytes in the ring; under lock, read racily by waiters */
	struct console_input_stats stats;	/* under lock */
} in = { .lock = SPINLOCK_INIT("console_input", LOCK_LEVEL_CONSOLE_IN) };

static struct wait_queue readers = WAIT_QUEUE_INIT(readers);

static void console_input_irq(void)
{
	char chunk[64];
	size_t n;
	bool got = false;

	spin_lock(&in.lock);
	in.stats.interrupts++;
	while ((n = arch_console_read(chunk, sizeof(chunk)))) {
		in.stats.received += n;
		for (size_t i = 0; i < n; i++) {
			if (in.count == CONSOLE_INPUT_RING) {
				in.stats.dropped += n - i;
				break;
			}
			in.buf[(in.head + in.count++) % CONSOLE_INPUT_RING] = chunk[i];
			got = true;
		}
	}
	spin_unlock(&in.lock);
	if (got)
		wake_up_all(&readers);
}

void console_input_init(void)
{
	irq_register(IRQ_CONSOLE, console_input_irq);
	arch_console_input_start();
}

size_t console_input_pending(void)
{
	return __atomic_load_n(&in.count, __ATOMIC_ACQUIRE);
}

long console_input_read(void *buf, size_t n, bool nonblock)
{
	unsigned long flags;
	size_t done = 0;

	if (!n)
		return 0;
	for (;;) {
		flags = spin_lock_irqsave(&in.lock);
		while (done < n && in.count) {
			size_t run = MIN(n - done, (size_t)in.count);

			run = MIN(run, (size_t)(CONSOLE_INPUT_RING - in.head));
			memcpy((char *)buf + done, in.buf + in.head, run);
			in.head = (u32)((in.head + run) % CONSOLE_INPUT_RING);
			in.count -= (u32)run;
			done += run;
		}
		spin_unlock_irqrestore(&in.lock, flags);
		if (done)
			return (long)done;
		if (nonblock)
			return -EAGAIN;
		wait_event(readers, console_input_pending() > 0);
	}
}

void console_input_get_stats(struct console_input_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&in.lock);

	*st = in.stats;
	spin_unlock_irqrestore(&in.lock, flags);
}
