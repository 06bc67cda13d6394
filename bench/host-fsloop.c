/* The host side of the FUSE window benchmark: in directory DIR, N times
 * open(O_CREAT|O_WRONLY) + write 4 KiB + close + unlink -- the loop
 * vfs.tmpfs_create_write4k_close_unlink runs inside the kernel. Prints
 * "NAME value us" (microseconds per loop, the median of ROUNDS rounds).
 *   host-fsloop DIR NAME [N [ROUNDS]]
 * Exits 1 with a message when an operation fails (a benchmark that quietly
 * skipped failed writes would measure nothing). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROUNDS 101

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* One round of n loops; its wall time in ns, or -1 after printing why. */
static long long round_ns(const char *dir, long n, const char *buf)
{
	char name[4096];
	long long t0;

	if (snprintf(name, sizeof(name), "%s/fsloop.%d", dir, (int)getpid()) >=
	    (int)sizeof(name)) {
		fprintf(stderr, "host-fsloop: %s: path too long\n", dir);
		return -1;
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		int fd = open(name, O_CREAT | O_WRONLY, 0644);

		if (fd < 0) {
			fprintf(stderr, "host-fsloop: open %s: %s\n", name, strerror(errno));
			return -1;
		}
		if (write(fd, buf, 4096) != 4096) {
			fprintf(stderr, "host-fsloop: write %s: %s\n", name, strerror(errno));
			close(fd);
			return -1;
		}
		if (close(fd) || unlink(name)) {
			fprintf(stderr, "host-fsloop: close/unlink %s: %s\n", name,
				strerror(errno));
			return -1;
		}
	}
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	long long t[MAX_ROUNDS];
	static char buf[4096];
	long n, rounds;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: host-fsloop DIR NAME [N [ROUNDS]]\n");
		return 2;
	}
	n = argc > 3 ? strtol(argv[3], NULL, 10) : 2000;
	rounds = argc > 4 ? strtol(argv[4], NULL, 10) : 5;
	if (n < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "host-fsloop: N must be >= 1, ROUNDS 1..%d\n", MAX_ROUNDS);
		return 2;
	}
	memset(buf, 'x', sizeof(buf));
	if (round_ns(argv[1], n / 10 + 1, buf) < 0)	/* warm caches and dentries */
		return 1;
	for (long r = 0; r < rounds; r++) {
		t[r] = round_ns(argv[1], n, buf);
		if (t[r] < 0)
			return 1;
	}
	qsort(t, (size_t)rounds, sizeof(t[0]), cmp_ll);
	printf("%s %.2f us\n", argv[2], (double)t[rounds / 2] / n / 1000.0);
	return 0;
}
