/* x86-64 ACPI, only as far as SMP and interrupts need: find the RSDP (the
 * boot protocol hands one over, else the BIOS areas are searched), follow
 * the XSDT or RSDT to the MADT, and list the local APIC IDs of the usable
 * processors, the I/O APIC and where each ISA interrupt goes.
 * Firmware tables are input like any other: every table's length and
 * checksum are checked before it is read, and a bad one means "one CPU"
 * with a console message, never a wild read. */
#include <umka/string.h>

#include "x86.h"

struct acpi_rsdp {
	char sig[8];		/* "RSD PTR " */
	u8 checksum;		/* the first 20 bytes sum to 0 */
	char oem[6];
	u8 revision;		/* 0: ACPI 1.0 (RSDT only); 2: has the XSDT */
	u32 rsdt;
	u32 length;		/* revision 2 on */
	u64 xsdt;
	u8 xchecksum;		/* all `length` bytes sum to 0 */
	u8 reserved[3];
} __attribute__((packed));

struct acpi_sdt {
	char sig[4];
	u32 length;		/* header included */
	u8 revision;
	u8 checksum;		/* all `length` bytes sum to 0 */
	char oem[6];
	char oem_table[8];
	u32 oem_revision;
	u32 creator;
	u32 creator_revision;
} __attribute__((packed));

#define MADT_HEADER 44		/* sdt header, local APIC address, flags */
#define MADT_LAPIC 0		/* u8 processor uid, u8 APIC ID, u32 flags */
#define MADT_IOAPIC 1		/* u8 id, u8 reserved, u32 address, u32 GSI base */
#define MADT_OVERRIDE 2		/* u8 bus (0 = ISA), u8 irq, u32 GSI, u16 MPS flags */
#define MADT_X2APIC 9		/* u16 reserved, u32 x2APIC ID, u32 flags, u32 uid */
#define MADT_ENABLED 1		/* flags: usable now */
#define ACPI_TABLE_MAX (1u << 20)	/* larger is corruption, not a real MADT */

static void acpi_warn(const char *why)
{
	x86_early_puts("umka: ACPI: ");
	x86_early_puts(why);
	x86_early_puts("; starting only the boot CPU\n");
}

/* Physical [pa, pa+len) through the direct map, or NULL if not mapped. */
static const void *phys(u64 pa, u64 len)
{
	uintptr_t va = (uintptr_t)(DIRECT_MAP + pa);

	if (pa > UINT64_MAX - DIRECT_MAP || !x86_addr_mapped(va, len))
		return NULL;
	return (const void *)va;
}

static bool sum_ok(const void *p, u64 len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (u64 i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static const struct acpi_rsdp *rsdp_at(u64 pa)
{
	const struct acpi_rsdp *r = phys(pa, 20);

	if (!r || memcmp(r->sig, "RSD PTR ", 8) || !sum_ok(r, 20))
		return NULL;
	if (r->revision >= 2 && (!phys(pa, sizeof(*r)) || !sum_ok(r, sizeof(*r))))
		return NULL;
	return r;
}

const void *x86_acpi_rsdp_copy(const void *copy, u32 len)
{
	const struct acpi_rsdp *r = copy;

	if (!r || len < 20 || memcmp(r->sig, "RSD PTR ", 8) || !sum_ok(r, 20))
		return NULL;
	/* An ACPI 2.0 RSDP in a 20-byte (old) tag would have us read its
	 * XSDT field past the copy: refuse it, a search finds the real one. */
	if (r->revision >= 2 && (len < sizeof(*r) || !sum_ok(r, sizeof(*r))))
		return NULL;
	return r;
}

/* The RSDP sits on a 16-byte boundary in the first KiB of the EBDA or in
 * the BIOS ROM area 0xe0000..0xfffff (ACPI 5.2.5.1). */
static const struct acpi_rsdp *rsdp_scan(void)
{
	const u16 *ebda_seg = phys(0x40e, 2);
	const struct acpi_rsdp *r;

	if (ebda_seg && *ebda_seg) {
		u64 ebda = (u64)*ebda_seg << 4;

		for (u64 pa = ebda; pa < ebda + 1024; pa += 16)
			if ((r = rsdp_at(pa)))
				return r;
	}
	for (u64 pa = 0xe0000; pa < 0x100000; pa += 16)
		if ((r = rsdp_at(pa)))
			return r;
	return NULL;
}

static const struct acpi_sdt *sdt_at(u64 pa, const char *sig)
{
	const struct acpi_sdt *h = phys(pa, sizeof(*h));

	if (!h || memcmp(h->sig, sig, 4) || h->length < sizeof(*h) ||
	    h->length > ACPI_TABLE_MAX || !phys(pa, h->length) || !sum_ok(h, h->length))
		return NULL;
	return h;
}

static const struct acpi_sdt *find_madt(const struct acpi_rsdp *r)
{
	bool x = r->revision >= 2 && r->xsdt;
	const struct acpi_sdt *root = x ? sdt_at(r->xsdt, "XSDT") : sdt_at(r->rsdt, "RSDT");
	unsigned esize = x ? 8 : 4, n;
	const u8 *e;

	if (!root) {
		acpi_warn(x ? "bad XSDT" : "bad RSDT");
		return NULL;
	}
	e = (const u8 *)root + sizeof(*root);
	n = (root->length - (u32)sizeof(*root)) / esize;
	for (unsigned i = 0; i < n; i++) {
		u64 pa = 0;
		const struct acpi_sdt *t;

		memcpy(&pa, e + (size_t)i * esize, esize);
		t = phys(pa, 4);
		if (t && !memcmp(t->sig, "APIC", 4))
			return sdt_at(pa, "APIC");
	}
	acpi_warn("no MADT (APIC table)");
	return NULL;
}

/* Call fn for each entry of the MADT; false (with a console message) if an
 * entry runs past the table, after the entries before it were seen. */
static bool madt_walk(const struct acpi_sdt *madt,
		      void (*fn)(u8 type, const u8 *e, u8 len, void *arg), void *arg)
{
	const u8 *p = (const u8 *)madt + MADT_HEADER, *end = (const u8 *)madt + madt->length;

	while (end - p >= 2) {
		u8 type = p[0], len = p[1];

		if (len < 2 || len > end - p) {
			acpi_warn("MADT entry runs past the table");
			return false;
		}
		fn(type, p, len, arg);
		p += len;
	}
	return true;
}

struct cpu_list {
	u32 *ids;
	unsigned max, n, seen;
};

static void note_cpu(u8 type, const u8 *e, u8 len, void *arg)
{
	struct cpu_list *l = arg;
	u32 id, flags;

	if (type == MADT_LAPIC && len >= 8) {
		id = e[3];
		memcpy(&flags, e + 4, 4);
	} else if (type == MADT_X2APIC && len >= 16) {
		memcpy(&id, e + 4, 4);
		memcpy(&flags, e + 8, 4);
	} else {
		return;
	}
	if (!(flags & MADT_ENABLED))
		return;
	l->seen++;
	if (l->n < l->max)
		l->ids[l->n++] = id;
}

/* The MADT x86_acpi_cpus validated, for the I/O APIC lookups after it. */
static const struct acpi_sdt *madt_found;

unsigned x86_acpi_cpus(u64 rsdp_pa, const void *rsdp_copy, u32 *apic_ids, unsigned max,
		       unsigned *seen)
{
	const struct acpi_rsdp *r = NULL;
	const struct acpi_sdt *madt;
	struct cpu_list l = { apic_ids, max, 0, 0 };

	*seen = 0;
	r = rsdp_copy;		/* checked by x86_acpi_rsdp_copy */
	if (!r && rsdp_pa)
		r = rsdp_at(rsdp_pa);
	if (!r)
		r = rsdp_scan();
	if (!r) {
		acpi_warn("no RSDP");
		return 0;
	}
	madt = find_madt(r);
	if (!madt)
		return 0;
	if (madt->length < MADT_HEADER) {
		acpi_warn("MADT shorter than its header");
		return 0;
	}
	if (!madt_walk(madt, note_cpu, &l))
		return 0;
	madt_found = madt;
	*seen = l.seen;
	return l.n;
}

struct ioapic_find {
	u64 pa;
	u32 gsi_base;
	bool found;
};

/* The I/O APIC whose GSI range starts lowest (the one with the ISA lines). */
static void note_ioapic(u8 type, const u8 *e, u8 len, void *arg)
{
	struct ioapic_find *f = arg;
	u32 addr, base;

	if (type != MADT_IOAPIC || len < 12)
		return;
	memcpy(&addr, e + 4, 4);
	memcpy(&base, e + 8, 4);
	if (!f->found || base < f->gsi_base) {
		f->pa = addr;
		f->gsi_base = base;
		f->found = true;
	}
}

bool x86_acpi_ioapic(u64 *pa, u32 *gsi_base)
{
	struct ioapic_find f = { 0 };

	if (!madt_found || !madt_walk(madt_found, note_ioapic, &f) || !f.found)
		return false;
	*pa = f.pa;
	*gsi_base = f.gsi_base;
	return true;
}

struct isa_route {
	unsigned irq;
	u32 gsi;
	u16 flags;
};

static void note_override(u8 type, const u8 *e, u8 len, void *arg)
{
	struct isa_route *r = arg;

	if (type != MADT_OVERRIDE || len < 10 || e[2] != 0 || e[3] != r->irq)
		return;
	memcpy(&r->gsi, e + 4, 4);
	memcpy(&r->flags, e + 8, 2);
}

void x86_acpi_isa_irq(unsigned irq, u32 *gsi, u16 *flags)
{
	struct isa_route r = { irq, irq, 0 };	/* identity, bus defaults, unless overridden */

	if (madt_found)
		madt_walk(madt_found, note_override, &r);
	*gsi = r.gsi;
	*flags = r.flags;
}
