/* Credentials (include/umka/cred.h). They live here beside their main user,
 * the VFS, until the process work gives them a home in src/security/. */
#include <umka/cred.h>
#include <umka/slab.h>
#include <umka/string.h>

static struct cred kernel_cred = {
	.refs = ATOMIC_INIT(1),
	.cap_effective = CAP_FULL_SET,
};

const struct cred *cred_kernel(void)
{
	return &kernel_cred;
}

static void sort_groups(u32 *g, u32 n)
{
	/* insertion sort: group lists are short and set rarely */
	for (u32 i = 1; i < n; i++) {
		u32 v = g[i], j = i;

		while (j > 0 && g[j - 1] > v) {
			g[j] = g[j - 1];
			j--;
		}
		g[j] = v;
	}
}

struct cred *cred_create(u32 uid, u32 gid, const u32 *groups, u32 ngroups)
{
	struct cred *c;

	if (ngroups > NGROUPS_MAX)
		return NULL;
	c = kzalloc(sizeof(*c) + ngroups * sizeof(u32), 0);
	if (!c)
		return NULL;
	atomic_set(&c->refs, 1);
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	c->cap_effective = uid == 0 ? CAP_FULL_SET : 0;
	c->ngroups = ngroups;
	if (ngroups)
		memcpy(c->groups, groups, ngroups * sizeof(u32));
	sort_groups(c->groups, ngroups);
	return c;
}

struct cred *cred_for_access(const struct cred *old)
{
	struct cred *c = cred_create(old->uid, old->gid, old->groups, old->ngroups);

	if (!c)
		return NULL;
	c->euid = old->euid;
	c->egid = old->egid;
	c->suid = old->suid;
	c->sgid = old->sgid;
	/* Linux keeps the capabilities when the real uid is root */
	c->cap_effective = old->uid == 0 ? old->cap_effective : 0;
	return c;
}

const struct cred *cred_get(const struct cred *c)
{
	if (c == &kernel_cred)
		return c;
	atomic_inc_return(&((struct cred *)c)->refs);
	return c;
}

void cred_put(const struct cred *c)
{
	if (!c || c == &kernel_cred)
		return;
	if (atomic_dec_return(&((struct cred *)c)->refs) == 0)
		kfree(c);
}

bool cred_in_group(const struct cred *c, u32 gid)
{
	u32 lo = 0, hi = c->ngroups;

	if (gid == c->fsgid)
		return true;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (c->groups[mid] == gid)
			return true;
		if (c->groups[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
