/* Credentials: who is asking. The VFS checks file access against fsuid,
 * fsgid and the supplementary groups, and lets capabilities bypass the mode
 * bits the way Linux does for root. A cred is immutable once shared (copy,
 * change, then publish the copy), so readers need no lock. */
#ifndef UMKA_CRED_H
#define UMKA_CRED_H

#include <umka/atomic.h>
#include <umka/types.h>

/* Linux capability numbers (the subset the VFS consults) */
#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_FSETID 4
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SYS_CHROOT 18
#define CAP_SYS_ADMIN 21
#define CAP_MKNOD 27
#define CAP_LAST_CAP 40
#define CAP_FULL_SET ((1ULL << (CAP_LAST_CAP + 1)) - 1)

#define NGROUPS_MAX 65536

struct cred {
	struct atomic refs;
	u32 uid, gid;		/* real */
	u32 euid, egid;		/* effective */
	u32 suid, sgid;		/* saved */
	u32 fsuid, fsgid;	/* for filesystem access checks */
	u64 cap_effective;	/* bit n = capability n */
	u32 ngroups;
	u32 groups[];		/* supplementary groups, sorted ascending */
};

/* A new cred with every id = uid/gid, no capabilities unless uid == 0 (then
 * all), and a copy of groups (any order; sorted here). NULL on OOM or when
 * ngroups > NGROUPS_MAX. Starts with one reference. */
struct cred *cred_create(u32 uid, u32 gid, const u32 *groups, u32 ngroups);
/* The kernel's own credentials: root with every capability. Never freed. */
const struct cred *cred_kernel(void);
const struct cred *cred_get(const struct cred *c);
void cred_put(const struct cred *c);

/* access(2): a copy acting with the real ids (fsuid = uid, fsgid = gid),
 * capabilities dropped unless the real uid is 0. NULL on OOM. */
struct cred *cred_for_access(const struct cred *c);

bool cred_in_group(const struct cred *c, u32 gid);	/* fsgid or supplementary */
static inline bool cred_capable(const struct cred *c, unsigned cap)
{
	return (c->cap_effective >> cap) & 1;
}

#endif
