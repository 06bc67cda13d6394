/* arch-um entry: `umka key=value ...` boots the kernel inside this process.
 * The arguments are the kernel command line; RAM is one memfd of mem=
 * bytes mapped once, so physical addresses are offsets into it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <umka/arch.h>
#include <umka/cmdline.h>

#include "config.h"
#include "um.h"

#define DEFAULT_MEM (128ULL << 20)
#define STR2(x) #x
#define STR(x) STR2(x)
#define SMP_HELP "virtual CPUs, one host thread each (1.." STR(UM_MAX_CPUS) ", default: 1)"

static void *ram;
static size_t ram_size;

static void usage(FILE *f)
{
	fprintf(f, "Usage: umka [KEY=VALUE]...\n"
		   "Boot the UmkaOS kernel as a Linux process. The arguments are the kernel\n"
		   "command line. Keys:\n");
	for (unsigned i = 0; i < nr_cmdline_keys; i++) {
		const char *help = cmdline_keys[i].help;

		if (!strcmp(cmdline_keys[i].key, "smp"))
			help = SMP_HELP;	/* arch-um's own default */
		fprintf(f, "  %-10s %s\n", cmdline_keys[i].key, help);
	}
	fprintf(f, "\nExit status: 0 power off, 1 a ktest failed, 2 bad command line, "
		   "3 kernel panic.\n"
		   "Example: umka mem=256M loglevel=7 ktest=all\n"
		   "With fuse=DIR (and no ktest= or bench=) the machine stays up serving\n"
		   "the VFS at DIR and powers off (status 0) once DIR is unmounted\n"
		   "(fusermount3 -u DIR).\n"
		   "hostfs=DIR mounts the host directory DIR read-write at /host\n"
		   "(hostfs=DIR:/guest/path elsewhere).\n");
}

static int join_args(int argc, char **argv, char *out, size_t size)
{
	size_t len = 0;

	out[0] = 0;
	for (int i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 2 > size)
			return -1;
		if (len)
			out[len++] = ' ';
		memcpy(out + len, argv[i], n + 1);
		len += n;
	}
	return 0;
}

bool arch_late_init(void)
{
	um_hostfs_start();	/* first, so the FUSE window shows it */
	return um_fuse_start();
}

const char *arch_cmdline_unsupported(const struct kernel_params *p)
{
	(void)p;
	return NULL;	/* every key is arch-um's */
}

/* hostfs=HOSTDIR[:/guest]: the host directory must exist before boot. */
static int check_hostfs(const char *arg)
{
	char host[CMDLINE_VALUE_MAX], guest[CMDLINE_VALUE_MAX];
	struct stat st;

	if (um_hostfs_split(arg, host, guest, sizeof(host))) {
		fprintf(stderr, "umka: bad command line: hostfs=%s: path too long\n", arg);
		return -1;
	}
	if (stat(host, &st)) {
		fprintf(stderr, "umka: bad command line: hostfs=%s: %s: %s\n", arg, host,
			strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "umka: bad command line: hostfs=%s: %s: not a directory\n", arg,
			host);
		return -1;
	}
	return 0;
}

void arch_halt(enum halt_status status)
{
	/* Other vCPUs first, so none holds a libc lock that exit() or the
	 * FUSE unmount needs. After a panic they are already stopped. */
	um_cpu_shutdown(status != HALT_PANIC);
	um_fuse_shutdown();
	/* RAM stays mapped: we are likely running on a kernel stack inside it.
	 * exit, not _exit: coverage and sanitizer reports run at exit. */
	exit((int)status);
}

/* Copy the host file `path` to the top of RAM, which the memory map then
 * marks reserved, as a boot loader would place an initrd. */
static int load_initrd(const char *path, struct boot_info *bi)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t room, off = 0;

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "umka: initrd=%s: %s\n", path, strerror(errno));
		return -1;
	}
	room = ((size_t)st.st_size + 4095) & ~(size_t)4095;
	if (!S_ISREG(st.st_mode) || room > ram_size / 2) {
		fprintf(stderr, "umka: initrd=%s: %s\n", path,
			S_ISREG(st.st_mode) ? "larger than half of mem=" : "not a regular file");
		close(fd);
		return -1;
	}
	bi->initrd_base = ram_size - room;
	bi->initrd_size = (u64)st.st_size;
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)ram + bi->initrd_base + off, (size_t)st.st_size - off);

		if (n <= 0) {
			fprintf(stderr, "umka: initrd=%s: short read\n", path);
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	close(fd);
	bi->mem[bi->nr_mem++] = (struct mem_region){ .base = bi->initrd_base, .size = room,
						     .type = MEM_RESERVED };
	return 0;
}

int main(int argc, char **argv)
{
	static char cmdline[CMDLINE_MAX];
	static struct boot_info bi;
	struct kernel_params params;
	char err[200];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("umka %s (arch-um)\n", PACKAGE_VERSION);
			return 0;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "umka: unknown option '%s' (try --help)\n", argv[i]);
			return HALT_BAD_CMDLINE;
		}
	}
	if (join_args(argc, argv, cmdline, sizeof(cmdline))) {
		fprintf(stderr, "umka: command line longer than %d bytes\n", CMDLINE_MAX - 1);
		return HALT_BAD_CMDLINE;
	}
	/* Validate now: RAM is sized from mem= before the kernel runs. */
	if (cmdline_parse(cmdline, &params, err, sizeof(err))) {
		fprintf(stderr, "umka: bad command line: %s\n", err);
		return HALT_BAD_CMDLINE;
	}
	if (params.hostfs[0] && check_hostfs(params.hostfs))
		return HALT_BAD_CMDLINE;
	if (params.smp > UM_MAX_CPUS) {
		fprintf(stderr, "umka: bad command line: smp=%u: arch-um runs at most %u virtual "
			"CPUs\n", params.smp, UM_MAX_CPUS);
		return HALT_BAD_CMDLINE;
	}
	ram_size = params.mem_bytes ? params.mem_bytes : DEFAULT_MEM;
	if (ram_size != params.mem_bytes && params.mem_bytes) {
		fprintf(stderr, "umka: mem=%llu does not fit this host\n",
			(unsigned long long)params.mem_bytes);
		return HALT_BAD_CMDLINE;
	}
	int ram_fd = memfd_create("umka-ram", MFD_CLOEXEC);

	if (ram_fd < 0 || ftruncate(ram_fd, (off_t)ram_size)) {
		fprintf(stderr, "umka: cannot create %zu bytes of RAM: %s\n", ram_size,
			strerror(errno));
		return 1;
	}
	ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, ram_fd, 0);
	if (ram == MAP_FAILED) {
		fprintf(stderr, "umka: cannot map RAM: %s\n", strerror(errno));
		return 1;
	}
	close(ram_fd);	/* the mapping keeps the memory */

	bi.cmdline = cmdline;
	bi.mem[0] = (struct mem_region){ .base = 0, .size = ram_size, .type = MEM_USABLE };
	bi.nr_mem = 1;
	if (params.initrd[0] && load_initrd(params.initrd, &bi))
		return HALT_BAD_CMDLINE;
	bi.direct_map = (uintptr_t)ram;
	/* One vCPU unless asked: a host thread per vCPU costs the host's
	 * cores, and smp=1 keeps boots and timings as they were. */
	bi.nr_cpus = params.smp ? params.smp : 1;
	bi.machine = "arch-um (a Linux process)";
	{
		struct timespec now;

		if (!clock_gettime(CLOCK_REALTIME, &now) && now.tv_sec > 0)
			bi.wallclock_ns = (u64)now.tv_sec * 1000000000u + (u64)now.tv_nsec;
	}

	um_console_init();
	um_context_init_boot();
	um_cpu_init();
	um_trap_init_thread();
	kernel_main(&bi);
}
