/* DEFLATE (RFC 1951) decompression and the gzip wrapper (RFC 1952), for
 * compressed initramfs images. Input is untrusted: every read is bounds
 * checked and a malformed stream is refused, never overrun. */
#ifndef UMKA_INFLATE_H
#define UMKA_INFLATE_H

#include <umka/types.h>

/* Decompress a raw DEFLATE stream into out[0..outcap). On success returns
 * 0 and sets *outlen and *inused. -EINVAL: malformed; -ENOSPC: out too small. */
int inflate(const u8 *in, size_t inlen, u8 *out, size_t outcap, size_t *outlen, size_t *inused);

/* Is buf a gzip member (magic 1f 8b, method 8)? */
bool gzip_detect(const void *buf, size_t len);
/* Size the gzip trailer claims (ISIZE: uncompressed length mod 2^32). */
int gzip_size(const void *buf, size_t len, u32 *size);
/* Decompress a single gzip member; checks the CRC-32 and length. */
int gunzip(const void *buf, size_t len, u8 *out, size_t outcap, size_t *outlen);

u32 crc32_update(u32 crc, const u8 *p, size_t n);

#endif
