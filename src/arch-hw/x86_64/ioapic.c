/* The I/O APIC: it turns device interrupt lines (global system interrupts,
 * GSIs; the ISA ones possibly moved by the MADT's overrides) into messages
 * to a local APIC with a vector. Registers sit behind an index/data pair
 * (IOREGSEL at +0x00, IOWIN at +0x10); redirection entry n is registers
 * 0x10 + 2n (low half) and 0x11 + 2n (high half: destination APIC ID).
 * Every entry starts masked; a line is unmasked when the core asks for it. */
#include <umka/arch.h>

#include "x86.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01		/* bits 16-23: highest redirection entry */
#define IOAPIC_REDIR(n) (0x10 + 2 * (n))
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL (1u << 15)
#define REDIR_MASKED (1u << 16)
#define LAPIC_ID 0x020
#define MPS_POLARITY_LOW 3	/* flags bits 0-1 */
#define MPS_TRIGGER_LEVEL 3	/* flags bits 2-3 */

static volatile u32 *ioapic;	/* NULL until set up */
static u32 gsi_base, nr_entries;

static u32 ioapic_read(u32 reg)
{
	ioapic[IOREGSEL / 4] = reg;
	return ioapic[IOWIN / 4];
}

static void ioapic_write(u32 reg, u32 v)
{
	ioapic[IOREGSEL / 4] = reg;
	ioapic[IOWIN / 4] = v;
}

static bool ioapic_setup(void)
{
	u64 pa;

	if (ioapic)
		return true;
	if (!x86_acpi_ioapic(&pa, &gsi_base) || pa >= (4ULL << 30))
		return false;
	ioapic = (volatile u32 *)(uintptr_t)(DIRECT_MAP + pa);	/* boot.S maps 4 GiB */
	nr_entries = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
	for (u32 n = 0; n < nr_entries; n++) {
		ioapic_write(IOAPIC_REDIR(n) + 1, 0);
		ioapic_write(IOAPIC_REDIR(n), REDIR_MASKED);
	}
	return true;
}

bool x86_ioapic_route_isa(unsigned irq, u8 vector)
{
	u32 gsi, low = vector;
	u16 flags;

	if (!ioapic_setup())
		return false;
	x86_acpi_isa_irq(irq, &gsi, &flags);
	if (gsi < gsi_base || gsi - gsi_base >= nr_entries)
		return false;
	/* ISA's defaults are edge-triggered, active high. */
	if ((flags & 3) == MPS_POLARITY_LOW)
		low |= REDIR_ACTIVE_LOW;
	if (((flags >> 2) & 3) == MPS_TRIGGER_LEVEL)
		low |= REDIR_LEVEL;
	ioapic_write(IOAPIC_REDIR(gsi - gsi_base) + 1, (x86_lapic_read(LAPIC_ID) >> 24) << 24);
	ioapic_write(IOAPIC_REDIR(gsi - gsi_base), low);	/* fixed, physical, unmasked */
	return true;
}
