/* The platform-level interrupt controller (PLIC): wired device interrupts
 * ("sources") reach this hart as the supervisor external interrupt. A
 * source is delivered to a context (a hart and privilege mode) when its
 * priority is above the context's threshold and its enable bit is set for
 * that context. The trap handler claims the source, completes it, then runs
 * the core's line for it; a level-triggered device that still asserts is
 * simply claimed again.
 *
 * Register layout (the PLIC specification): priority of source s at 4*s;
 * context c's enable bits at 0x2000 + 0x80*c, its threshold at 0x200000 +
 * 0x1000*c, its claim/complete register 4 bytes after that. */
#include <umka/arch.h>
#include <umka/panic.h>

#include "rv.h"

#define PLIC_PRIORITY(s) (4 * (uintptr_t)(s))
#define PLIC_ENABLE(c, s) (0x2000 + 0x80 * (uintptr_t)(c) + 4 * ((uintptr_t)(s) / 32))
#define PLIC_THRESHOLD(c) (0x200000 + 0x1000 * (uintptr_t)(c))
#define PLIC_CLAIM(c) (PLIC_THRESHOLD(c) + 4)
#define PLIC_MAX_ROUTES 8

static uintptr_t plic;		/* virtual base; 0 without a PLIC */
static u32 context;		/* this hart's supervisor context */
static u32 nr_sources;		/* riscv,ndev */

static struct {
	u32 source;
	enum irq_line line;
} routes[PLIC_MAX_ROUTES];	/* set up at boot, then read-only */
static unsigned nr_routes;

void rv_plic_init(u64 pa, u32 ctx, u32 ndev)
{
	plic = (uintptr_t)(DIRECT_MAP + pa);
	context = ctx;
	nr_sources = ndev;
	/* Everything off, then let any priority above 0 through. */
	for (u32 s = 1; s <= ndev; s++)
		mmio_write32(plic + PLIC_PRIORITY(s), 0);
	for (u32 w = 0; w <= ndev / 32; w++)
		mmio_write32(plic + PLIC_ENABLE(ctx, 32 * w), 0);
	mmio_write32(plic + PLIC_THRESHOLD(ctx), 0);
}

bool rv_plic_route(u32 source, enum irq_line line)
{
	uintptr_t en;

	if (!plic || !source || source > nr_sources || nr_routes == PLIC_MAX_ROUTES)
		return false;
	routes[nr_routes].source = source;
	routes[nr_routes].line = line;
	nr_routes++;
	mmio_write32(plic + PLIC_PRIORITY(source), 1);
	en = plic + PLIC_ENABLE(context, source);
	mmio_write32(en, mmio_read32(en) | 1u << (source % 32));
	csr_set(sie, SIE_SEIE);
	return true;
}

/* Supervisor external interrupt: serve every pending source. */
void rv_plic_interrupt(void)
{
	u32 source;

	if (!plic)
		panic("external interrupt without a PLIC");
	while ((source = mmio_read32(plic + PLIC_CLAIM(context)))) {
		unsigned i;

		for (i = 0; i < nr_routes && routes[i].source != source; i++)
			;
		if (i == nr_routes)
			panic("PLIC: interrupt from source %u, which nothing enabled", source);
		/* Complete first: irq_handle may switch tasks before it returns,
		 * and a device still asserting its line is claimed again here. */
		mmio_write32(plic + PLIC_CLAIM(context), source);
		irq_handle(routes[i].line);
	}
}
