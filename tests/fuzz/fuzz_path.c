/* Fuzz path resolution: arbitrary paths (with NULs cut, over-long names,
 * dot-dot chains, symlink loops) and lookup flags, resolved by a root and a
 * non-root caller against a fixed tree on tmpfs. Every call must return a
 * Linux errno or a path whose references are then dropped; nothing may
 * crash, leak references or change the tree, and the lockless RCU walk
 * must answer exactly as the reference walk, for whole lookups and for the
 * parent walks of create, unlink and rename. The first byte picks flags. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umka/cred.h>
#include <umka/errno.h>
#include <umka/mm.h>
#include <umka/slab.h>
#include <umka/vfs.h>

#include "fake_arch.h"
#include "../../src/fs/vfs_internal.h"	/* path_parentat */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vfs_ctx user;

static void setup(void)
{
	static const u32 groups[] = { 100 };

	mm_init(fake_boot_info(MiB(32)));
	slab_init();
	vfs_init();
	user.cred = cred_create(1000, 1000, groups, 1);
	user.fs = fs_struct_clone(vfs_kernel_ctx()->fs);
	kvfs_mkdir_p("/a/b/c", 0755);
	kvfs_mkdir_p("/private/inner", 0700);
	kvfs_write_file("/a/b/c/file", 0644, "data", 4);
	kvfs_write_file("/private/inner/secret", 0600, "s", 1);
	kvfs_symlink("../b", "/a/b/up");
	kvfs_symlink("/a/b/c/file", "/abs");
	kvfs_symlink("/loop2", "/loop1");
	kvfs_symlink("/loop1", "/loop2");
	kvfs_symlink("c/file/", "/a/b/trail");
	kvfs_symlink("", "/empty");
	kvfs_mkdir_p("/sticky", 01777);
}

/* path_parentat with the RCU walk on and off: same error, directory and
 * final component. */
static void check_parent_walks(const struct vfs_ctx *ctx, const char *path)
{
	struct nameidata a, b;
	int err, err2;

	err = path_parentat(&a, ctx, NULL, path);
	vfs_rcu_walk_enable(false);
	err2 = path_parentat(&b, ctx, NULL, path);
	vfs_rcu_walk_enable(true);
	if (err != err2 || (!err && (!path_equal(&a.path, &b.path) || a.last.name != b.last.name ||
				      a.last.len != b.last.len || a.last_type != b.last_type ||
				      a.trailing_slash != b.trailing_slash))) {
		fprintf(stderr, "fuzz_path: parent walks differ (%d, ref walk %d) for \"%s\"\n",
			err, err2, path);
		abort();
	}
	nd_done(&a);
	nd_done(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static const unsigned at_flags[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
					     AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH };
	static const int open_flags[] = { O_RDONLY, O_RDONLY | O_DIRECTORY, O_RDONLY | O_NOFOLLOW,
					  O_WRONLY, O_RDONLY | O_PATH };
	const struct vfs_ctx *ctx;
	struct statx st;
	struct path p, p2;
	struct file *f;
	int err, err2;
	char *path, link[64];
	uint8_t sel;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size == 0)
		return 0;
	sel = data[0];
	path = malloc(size);
	memcpy(path, data + 1, size - 1);
	path[size - 1] = 0;	/* names end at the first NUL, as from user space */
	ctx = sel & 0x80 ? &user : vfs_kernel_ctx();

	/* The lockless RCU walk and the reference walk must agree exactly. */
	err = vfs_lookup(ctx, NULL, path, at_flags[sel & 3], &p);
	vfs_rcu_walk_enable(false);
	err2 = vfs_lookup(ctx, NULL, path, at_flags[sel & 3], &p2);
	vfs_rcu_walk_enable(true);
	if (err != err2 || (!err && !path_equal(&p, &p2))) {
		fprintf(stderr, "fuzz_path: RCU walk gave %d, ref walk %d for \"%s\"\n", err,
			err2, path);
		abort();
	}
	if (!err) {
		path_put(&p);
		path_put(&p2);
	}
	check_parent_walks(ctx, path);
	if (vfs_openat(ctx, NULL, path, open_flags[(sel >> 2) % 5], 0, &f) == 0)
		file_put(f);
	vfs_statx(ctx, NULL, path, at_flags[(sel >> 4) & 3], STATX_BASIC_STATS, &st);
	vfs_readlinkat(ctx, NULL, path, link, sizeof(link));
	free(path);
	return 0;
}
