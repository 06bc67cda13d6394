/* Fake arch for unit tests; see fake_arch.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <umka/arch.h>
#include <umka/percpu.h>
#include <umka/sched.h>

#include "fake_arch.h"

uint64_t fake_clock;
uint64_t fake_timer_deadline = UINT64_MAX;

static bool irqs_off;
static char console_buf[1 << 16];
static size_t console_len;
static int console_echo = -1;
static jmp_buf *halt_catcher;

__attribute__((constructor)) static void fake_arch_setup(void)
{
	cpu_early_init(0);
}

/* Console input: fake_console_type() queues bytes and raises IRQ_CONSOLE,
 * which drains them through arch_console_read at most `chunk` at a time. */
static char type_buf[16384];
static size_t type_len, type_off;
bool fake_console_input_started;

void arch_console_input_start(void)
{
	fake_console_input_started = true;
}

size_t arch_console_read(char *buf, size_t len)
{
	size_t n = type_len - type_off;

	if (n > len)
		n = len;
	memcpy(buf, type_buf + type_off, n);
	type_off += n;
	return n;
}

void fake_console_type(const char *bytes, size_t n)
{
	if (n > sizeof(type_buf))
		n = sizeof(type_buf);
	memcpy(type_buf, bytes, n);
	type_len = n;
	type_off = 0;
	{
		bool was_off = arch_irqs_disabled();

		arch_irq_disable();
		irq_handle(IRQ_CONSOLE);
		if (!was_off)
			arch_irq_enable();
	}
}

void arch_console_write(const char *buf, size_t len)
{
	size_t room = sizeof(console_buf) - 1 - console_len;

	if (console_echo < 0)
		console_echo = getenv("UMKA_TEST_VERBOSE") != NULL;
	if (console_echo)
		fwrite(buf, 1, len, stderr);
	if (len > room)
		len = room;
	memcpy(console_buf + console_len, buf, len);
	console_len += len;
	console_buf[console_len] = 0;
}

const char *fake_console(void) { return console_buf; }
void fake_console_clear(void) { console_len = 0; console_buf[0] = 0; }
void fake_console_echo(int on) { console_echo = on; }

bool arch_late_init(void) { return false; }

void arch_halt(enum halt_status status)
{
	if (halt_catcher)
		longjmp(*halt_catcher, (int)status + 1);
	fprintf(stderr, "fake arch: uncaught halt %d\n%s\n", status, console_buf);
	exit(100 + (int)status);
}

int fake_catch_halt(void (*fn)(void *), void *arg)
{
	jmp_buf jb;
	int r;

	halt_catcher = &jb;
	r = setjmp(jb);
	if (r == 0) {
		fn(arg);
		halt_catcher = NULL;
		return -1;
	}
	halt_catcher = NULL;
	cpu_states[0].preempt_count = 0;
	cpu_states[0].irq_depth = 0;
	cpu_states[0].running->nr_held = 0;
	irqs_off = false;
	return r - 1;
}

void arch_irq_disable(void) { irqs_off = true; }
void arch_irq_enable(void) { irqs_off = false; }
bool arch_irqs_disabled(void) { return irqs_off; }

u64 arch_clock_ns(void) { return fake_clock; }
void arch_timer_arm(u64 deadline_ns) { fake_timer_deadline = deadline_ns; }
unsigned arch_cpu_id(void) { return 0; }
int arch_cpu_start(unsigned cpu, void *stack, size_t size)
{
	(void)cpu, (void)stack, (void)size;
	return -ENOSYS;
}
void arch_ipi_send(unsigned cpu) { (void)cpu; }

void arch_cpu_idle(void)
{
	fprintf(stderr, "fake arch: idle called in a unit test\n");
	abort();
}

void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	(void)ctx, (void)stack, (void)size, (void)entry, (void)arg;
	fprintf(stderr, "fake arch: no context switching in unit tests\n");
	abort();
}

void arch_context_switch(struct arch_context *from, struct arch_context *to)
{
	(void)from, (void)to;
	abort();
}

void arch_context_destroy(struct arch_context *ctx) { (void)ctx; }

unsigned arch_stack_trace(uintptr_t *pcs, unsigned max)
{
	if (max == 0)
		return 0;
	pcs[0] = (uintptr_t)__builtin_return_address(0);
	return 1;
}

void arch_symbolize(uintptr_t pc, char *buf, size_t len)
{
	snprintf(buf, len, "0x%lx", (unsigned long)pc);
}

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
void arch_mem_poison(const void *p, size_t len) { ASAN_POISON_MEMORY_REGION(p, len); }
void arch_mem_unpoison(const void *p, size_t len) { ASAN_UNPOISON_MEMORY_REGION(p, len); }
#else
void arch_mem_poison(const void *p, size_t len) { (void)p, (void)len; }
void arch_mem_unpoison(const void *p, size_t len) { (void)p, (void)len; }
#endif

uintptr_t fake_panic_caller(void)
{
	const char *line = strstr(console_buf, "Kernel panic:");
	const char *eol = line ? strchr(line, '\n') : NULL;
	const char *from = line ? strstr(line, "(called from 0x") : NULL;

	if (!from || (eol && from > eol))
		return 0;
	return (uintptr_t)strtoull(from + strlen("(called from "), NULL, 16);
}

struct boot_info *fake_boot_info(size_t ram_bytes)
{
	static struct boot_info bi;
	static void *ram;
	static size_t ram_size;

	if (ram)
		munmap(ram, ram_size);
	ram_size = ram_bytes;
	ram = mmap(NULL, ram_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		abort();
	memset(&bi, 0, sizeof(bi));
	bi.cmdline = "";
	bi.direct_map = (uintptr_t)ram;
	bi.mem[0] = (struct mem_region){ .base = 0, .size = ram_bytes, .type = MEM_USABLE };
	bi.nr_mem = 1;
	bi.nr_cpus = 1;
	bi.machine = "fake";
	return &bi;
}

/* No scheduler in unit tests: nothing ever sets need_resched. */
void preempt_schedule(void)
{
}
