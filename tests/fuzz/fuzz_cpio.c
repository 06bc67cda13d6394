/* Fuzz the newc cpio parser: any bytes must parse or be refused, never read
 * outside the buffer; every member handed out must be self-consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <umka/cpio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_member(void *ctx, const struct cpio_entry *e)
{
	const uint8_t *base = ctx;

	if (strlen(e->name) != e->name_len || strstr(e->name, "/../") ||
	    !strncmp(e->name, "../", 3) || e->name[0] == '/')
		abort();
	/* touch every data byte: ASan flags any that is out of bounds */
	for (size_t i = 0; i < e->size; i++)
		if (e->data[i] == 0 && base == NULL)
			abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	/* An exact-size copy, so reads past the end hit ASan's redzone. */
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	cpio_parse(copy, size, check_member, copy, err, sizeof(err));
	free(copy);
	return 0;
}
