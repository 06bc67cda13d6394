/* Sequence counts: a writer (serialised by a lock of its own) makes the
 * count odd while it changes the data and even again when done; a lockless
 * reader samples the count, reads the data, and trusts what it read only if
 * the count was even and has not moved. Readers never wait: an odd or moved
 * count just tells them to retry or take a slower, locked path. */
#ifndef UMKA_SEQCOUNT_H
#define UMKA_SEQCOUNT_H

#include <umka/atomic.h>
#include <umka/types.h>

struct seqcount {
	u32 seq;
};

#define SEQCOUNT_INIT { 0 }

static inline void seqcount_init(struct seqcount *s)
{
	__atomic_store_n(&s->seq, 0, __ATOMIC_RELAXED);
}

/* The count, ordered before the reads that follow it (acquire). Odd means a
 * writer is inside: the caller's reads cannot be trusted. */
static inline u32 read_seqcount_begin(const struct seqcount *s)
{
	return __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
}

/* True if the reads since read_seqcount_begin returned start may have seen
 * a change: start was odd, or a writer has been in since. The fence keeps
 * the data reads before the second load of the count. */
static inline bool read_seqcount_retry(const struct seqcount *s, u32 start)
{
	smp_rmb();
	return (start & 1) || __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != start;
}

/* Writers hold the lock that serialises them. The release fence after the
 * odd store keeps the data stores after it; the one before the even store
 * keeps them before it. */
static inline void write_seqcount_begin(struct seqcount *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
	smp_wmb();
}

static inline void write_seqcount_end(struct seqcount *s)
{
	smp_wmb();
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
}

/* A change readers must notice but that has no "inside" (a dentry dying). */
static inline void write_seqcount_invalidate(struct seqcount *s)
{
	smp_wmb();
	__atomic_store_n(&s->seq, s->seq + 2, __ATOMIC_RELAXED);
}

#endif
