/* Multiboot2 boot information (the multiboot2 specification, section 3.6):
 * find the command line (tag 1), the first module (tag 3: the initrd), the
 * memory map (tag 6) and the ACPI RSDP copy (tags 14/15). The loader's
 * data is untrusted in the sense that a bad one must end in a clear
 * message, not a wild read: every tag is checked against the total size
 * before it is read. Nothing here touches
 * hardware or globals, so the parser can be exercised on a host too. */
#include <umka/types.h>

#include "multiboot2.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14	/* a copy of the ACPI 1.0 RSDP (20 bytes) */
#define MB2_TAG_ACPI_NEW 15	/* a copy of the ACPI 2.0+ RSDP (36 bytes) */

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

const char *mb2_parse(const void *info, u32 len, struct mb2_boot *out)
{
	const u8 *b = info;
	u64 total, off;

	*out = (struct mb2_boot){ 0 };
	if (len < 8)
		return "multiboot2 boot information: shorter than its 8-byte header";
	total = rd32(b);
	if (total < 16)
		return "multiboot2 boot information: total_size below 16 (no room for the end tag)";
	if (total > len)
		return "multiboot2 boot information: total_size larger than the buffer";

	for (off = 8;; off += ALIGN_UP((u64)rd32(b + off + 4), 8)) {
		u32 type, size;
		const u8 *t;

		if (off > total - 8)
			return "multiboot2 boot information: no end tag before total_size";
		t = b + off;
		type = rd32(t);
		size = rd32(t + 4);
		if (size < 8)
			return "multiboot2 boot information: a tag smaller than its 8-byte header";
		if (size > total - off)
			return "multiboot2 boot information: a tag runs past total_size";
		if (type == MB2_TAG_END)
			break;
		switch (type) {
		case MB2_TAG_CMDLINE:
			if (out->cmdline)
				break;
			out->cmdline = (const char *)(t + 8);
			out->cmdline_len = size - 8;	/* the NUL is in there, or not */
			break;
		case MB2_TAG_MODULE: {
			u32 start, end;

			if (size < 16)
				return "multiboot2 module tag (type 3): shorter than 16 bytes";
			start = rd32(t + 8);
			end = rd32(t + 12);
			if (end < start)
				return "multiboot2 module tag (type 3): mod_end below mod_start";
			out->nr_modules++;
			if (out->nr_modules == 1) {
				out->mod_start = start;
				out->mod_end = end;
			}
			break;
		}
		case MB2_TAG_MMAP: {
			u32 esize;

			if (out->mmap)
				break;
			if (size < 16)
				return "multiboot2 memory map tag (type 6): shorter than 16 bytes";
			esize = rd32(t + 8);
			if (esize < MB2_MMAP_ENTRY_MIN || esize % 8)
				return "multiboot2 memory map tag (type 6): entry_size not a multiple of 8 of at least 24";
			out->mmap = t + 16;
			out->mmap_entry_size = esize;
			out->mmap_entries = (size - 16) / esize;
			break;
		}
		case MB2_TAG_ACPI_NEW:
			if (size >= 8 + 36) {
				out->rsdp = t + 8;	/* preferred over the old one */
				out->rsdp_len = 36;
			}
			break;
		case MB2_TAG_ACPI_OLD:
			if (size >= 8 + 20 && !out->rsdp) {
				out->rsdp = t + 8;
				out->rsdp_len = 20;
			}
			break;
		default:	/* boot loader name, ELF sections, ...: not needed */
			break;
		}
	}
	if (!out->mmap)
		return "multiboot2 boot information has no memory map tag (type 6)";
	return NULL;
}

void mb2_mmap_entry(const struct mb2_boot *mb, u32 i, u64 *base, u64 *size, u32 *type)
{
	const u8 *e = mb->mmap + (size_t)i * mb->mmap_entry_size;

	*base = (u64)rd32(e) | (u64)rd32(e + 4) << 32;
	*size = (u64)rd32(e + 8) | (u64)rd32(e + 12) << 32;
	*type = rd32(e + 16);
}
