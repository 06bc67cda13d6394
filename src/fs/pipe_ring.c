/* Byte ring over page slots (see pipe_ring.h): where a ring offset lives,
 * and copies in and out that split at page ends and at the wrap. */
#include <umka/panic.h>
#include <umka/string.h>

#include "pipe_ring.h"

/* Ring offset of the first free byte plus off, wrapped. */
static u32 tail_offset(const struct pipe_ring *r, u32 off)
{
	return (r->head + r->len + off) % pipe_ring_capacity(r);
}

u32 pipe_ring_tail_slot(const struct pipe_ring *r, u32 off)
{
	return tail_offset(r, off) / (u32)PAGE_SIZE;
}

u32 pipe_ring_writable(const struct pipe_ring *r, u32 n)
{
	u32 done = 0;

	BUG_ON(n > pipe_ring_room(r));
	while (done < n) {
		u32 at = tail_offset(r, done);

		if (!r->pages[at / PAGE_SIZE])
			break;
		/* the rest of this page, at most what is asked */
		done += MIN(n - done, (u32)PAGE_SIZE - at % (u32)PAGE_SIZE);
	}
	return done;
}

void pipe_ring_write(struct pipe_ring *r, const void *src, u32 n)
{
	const u8 *s = src;

	BUG_ON(n > pipe_ring_room(r));
	while (n) {
		u32 at = tail_offset(r, 0), in_page = at % (u32)PAGE_SIZE;
		u32 chunk = MIN(n, (u32)PAGE_SIZE - in_page);
		u8 *page = r->pages[at / PAGE_SIZE];

		BUG_ON(!page);
		memcpy(page + in_page, s, chunk);
		r->len += chunk;
		s += chunk;
		n -= chunk;
	}
}

u32 pipe_ring_read(struct pipe_ring *r, void *dst, u32 n)
{
	u8 *d = dst;
	u32 done = 0;

	n = MIN(n, r->len);
	while (done < n) {
		u32 in_page = r->head % (u32)PAGE_SIZE;
		u32 chunk = MIN(n - done, (u32)PAGE_SIZE - in_page);
		const u8 *page = r->pages[r->head / PAGE_SIZE];

		memcpy(d + done, page + in_page, chunk);
		done += chunk;
		r->len -= chunk;
		r->head = (r->head + chunk) % pipe_ring_capacity(r);
	}
	if (!r->len)
		r->head = 0;
	return done;
}
