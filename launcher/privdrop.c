#include "privdrop.h"
#include "userspec.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int privdrop_init(struct privdrop *pd, const char *spec, struct error *err)
{
	struct userspec_ids ids;

	memset(pd, 0, sizeof(*pd));
	if (userspec_resolve(spec, &ids, err) < 0)
		return -1;
	pd->name = xstrdup(spec);
	pd->uid = ids.uid;
	pd->gid = ids.gid;
	pd->groups = steal_pointer(&ids.groups);
	pd->ngroups = ids.ngroups;
	userspec_ids_finish(&ids);
	if (getuid() == pd->uid && geteuid() == pd->uid && getgid() == pd->gid &&
	    getegid() == pd->gid) {
		pd->skip = true;
		return 0;
	}
	if (geteuid() != 0) {
		uid_t me = geteuid();

		privdrop_finish(pd);
		return error_set(err, 0, "cannot switch to user '%s': running as uid %u, not root",
				 spec, (unsigned)me);
	}
	return 0;
}

void privdrop_finish(struct privdrop *pd)
{
	if (!pd)
		return;
	free(pd->name);
	free(pd->groups);
	memset(pd, 0, sizeof(*pd));
}

int privdrop_apply(const struct privdrop *pd)
{
	if (pd->skip)
		return 0;
	if (setgroups((size_t)pd->ngroups, pd->groups) < 0)
		return -1;
	if (setgid(pd->gid) < 0)
		return -1;
	if (setuid(pd->uid) < 0)
		return -1;
	/* a failed or partial switch must not go unnoticed (gosu checks this too) */
	if (pd->uid != 0 && setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
