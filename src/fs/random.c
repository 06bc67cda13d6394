/* The generator behind /dev/random and /dev/urandom: ChaCha20 (RFC 8439
 * block function) as a stream cipher keyed from the machine clock, re-keyed
 * from its own output after every read so earlier output cannot be
 * recomputed from the state ("fast key erasure").
 *
 * NOT cryptographically strong yet: the only seed is arch_clock_ns()
 * readings, which an observer can largely predict. Real entropy (a
 * hardware RNG through the arch layer, interrupt timing) comes later; the
 * interface stays. */
#include <umka/arch.h>
#include <umka/spinlock.h>
#include <umka/string.h>

#include "vfs_internal.h"

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QUARTER(a, b, c, d)                        \
	do {                                       \
		a += b; d ^= a; d = ROTL32(d, 16); \
		c += d; b ^= c; b = ROTL32(b, 12); \
		a += b; d ^= a; d = ROTL32(d, 8);  \
		c += d; b ^= c; b = ROTL32(b, 7);  \
	} while (0)

static DEFINE_SPINLOCK(rng_lock, VFS_LEVEL_FS_LEAF);
static u32 rng_key[8];		/* under rng_lock */
static u64 rng_counter;		/* under rng_lock */

static void chacha20_block(const u32 key[8], u64 counter, u64 nonce, u32 out[16])
{
	u32 in[16] = {
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,	/* "expand 32-byte k" */
		key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
		(u32)counter, (u32)(counter >> 32), (u32)nonce, (u32)(nonce >> 32),
	};
	u32 x[16];
	int i;

	memcpy(x, in, sizeof(x));
	for (i = 0; i < 10; i++) {
		QUARTER(x[0], x[4], x[8], x[12]);
		QUARTER(x[1], x[5], x[9], x[13]);
		QUARTER(x[2], x[6], x[10], x[14]);
		QUARTER(x[3], x[7], x[11], x[15]);
		QUARTER(x[0], x[5], x[10], x[15]);
		QUARTER(x[1], x[6], x[11], x[12]);
		QUARTER(x[2], x[7], x[8], x[13]);
		QUARTER(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

/* Fold the clock into the key; rng_lock held. */
static void rng_stir_clock(void)
{
	u64 t = arch_clock_ns();

	rng_key[rng_counter & 7] ^= (u32)t;
	rng_key[(rng_counter + 3) & 7] ^= (u32)(t >> 32);
}

void random_init(void)
{
	u32 block[16];

	spin_lock(&rng_lock);
	for (int i = 0; i < 8; i++) {
		rng_counter = (u64)i;
		rng_stir_clock();
		chacha20_block(rng_key, rng_counter, arch_clock_ns(), block);
		memcpy(rng_key, block, sizeof(rng_key));
	}
	rng_counter = 0;
	spin_unlock(&rng_lock);
	memset(block, 0, sizeof(block));
}

void random_mix(const void *buf, size_t n)
{
	const u8 *p = buf;

	spin_lock(&rng_lock);
	for (size_t i = 0; i < n; i++)
		rng_key[i % 8] = ROTL32(rng_key[i % 8], 8) ^ p[i];
	spin_unlock(&rng_lock);
}

long random_read(void *buf, size_t n)
{
	u32 blocks[4][16];	/* 256 bytes: the first 32 become the next key */
	size_t done = 0;

	while (done < n) {
		size_t chunk = MIN(n - done, sizeof(blocks) - 32);

		spin_lock(&rng_lock);
		rng_stir_clock();
		for (int b = 0; b < 4; b++)
			chacha20_block(rng_key, rng_counter++, 0, blocks[b]);
		memcpy(rng_key, blocks[0], sizeof(rng_key));
		spin_unlock(&rng_lock);
		memcpy((char *)buf + done, (char *)blocks + 32, chunk);
		done += chunk;
	}
	memset(blocks, 0, sizeof(blocks));
	return (long)done;
}
