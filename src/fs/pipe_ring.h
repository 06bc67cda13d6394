/* The storage of a pipe: a byte ring over a fixed number of page slots.
 * Buffered bytes sit at ring offsets head .. head+len-1, taken modulo the
 * capacity (nr_pages whole pages), so the ring holds exactly its capacity
 * whatever sizes the writes and reads have. A slot's page is allocated
 * only when a write reaches it. Pure arithmetic and copies: the caller
 * (pipe.c) locks, allocates and frees the pages. */
#ifndef FS_PIPE_RING_H
#define FS_PIPE_RING_H

#include <umka/mm.h>
#include <umka/types.h>

struct pipe_ring {
	void **pages;		/* nr_pages slots; NULL until a write needs one */
	u32 nr_pages;
	u32 nr_alloc;		/* slots holding a page */
	u32 head;		/* ring offset of the oldest byte, < capacity */
	u32 len;		/* bytes buffered, <= capacity */
};

static inline u32 pipe_ring_capacity(const struct pipe_ring *r)
{
	return r->nr_pages * (u32)PAGE_SIZE;
}

static inline u32 pipe_ring_room(const struct pipe_ring *r)
{
	return pipe_ring_capacity(r) - r->len;
}

/* The slot holding the free byte `off` bytes past the tail (off < room). */
u32 pipe_ring_tail_slot(const struct pipe_ring *r, u32 off);
/* How many of the next n free bytes (n <= room) lie in slots that already
 * have their page: the prefix a write can take without allocating. */
u32 pipe_ring_writable(const struct pipe_ring *r, u32 n);
/* Append n bytes; n <= pipe_ring_writable(r, n). */
void pipe_ring_write(struct pipe_ring *r, const void *src, u32 n);
/* Take up to n bytes from the head; returns how many. A ring left empty
 * starts again at offset 0, so an idle pipe only ever needs slot 0. */
u32 pipe_ring_read(struct pipe_ring *r, void *dst, u32 n);

#endif
