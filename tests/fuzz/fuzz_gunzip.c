/* Fuzz the gzip/DEFLATE decoder: arbitrary bytes must decompress or be
 * refused, never write past the output buffer or read past the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <umka/inflate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copies, so any overrun lands in ASan's redzones. */
	uint8_t *in = malloc(size ? size : 1), *out = malloc(1 << 16);
	size_t outlen, used;

	memcpy(in, data, size);
	gunzip(in, size, out, 1 << 16, &outlen);
	inflate(in, size, out, 1 << 16, &outlen, &used);
	if (size > 1)	/* and with a tiny output buffer */
		inflate(in + 1, size - 1, out, 7, &outlen, &used);
	free(in);
	free(out);
	return 0;
}
