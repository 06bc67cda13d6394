/* Linux ABI for directory reading: struct linux_dirent64 as getdents64(2)
 * returns it, the DT_* types, and the name and path limits. */
#ifndef UAPI_DIRENT_H
#define UAPI_DIRENT_H

#include <umka/types.h>

#define NAME_MAX 255		/* bytes in a path component */
#define PATH_MAX 4096		/* bytes in a path, including the NUL */
#define MAXSYMLINKS 40		/* symlinks followed in one lookup */

struct linux_dirent64 {
	u64 d_ino;
	s64 d_off;		/* position to resume after this entry */
	u16 d_reclen;		/* whole record, 8-byte aligned */
	u8 d_type;		/* DT_* */
	char d_name[];		/* NUL-terminated */
};

#define DIRENT64_NAME_OFFSET 19
/* Record size for a name of len bytes (with its NUL, rounded up to 8). */
#define DIRENT64_RECLEN(len) (((DIRENT64_NAME_OFFSET + (len) + 1) + 7) & ~7u)

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12
#define DT_WHT 14

#endif
