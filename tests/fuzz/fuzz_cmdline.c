/* Fuzz the kernel command line parser with arbitrary text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <umka/cmdline.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore(const char *key, size_t len)
{
	(void)key, (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kernel_params p;
	char err[200];
	char *line = malloc(size + 1);

	memcpy(line, data, size);
	line[size] = 0;
	if (cmdline_parse(line, &p, err, sizeof(err)) == 0) {
		/* accepted values must be within their documented ranges */
		if (p.loglevel > 7 || (p.mem_bytes && p.mem_bytes < MEM_MIN_BYTES))
			abort();
	} else if (!memchr(err, 0, sizeof(err)) || !err[0]) {
		abort();	/* a refusal always says why */
	}
	cmdline_for_each_unknown(line, ignore);
	free(line);
	return 0;
}
