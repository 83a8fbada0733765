#include "privdrop.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out < UINT_MAX;
}

static int resolve_group(const char *s, gid_t *gid, struct error *err)
{
	unsigned long n;
	struct group *gr;

	errno = 0;
	gr = getgrnam(s);
	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (parse_id(s, &n)) {
		*gid = (gid_t)n;
		return 0;
	}
	return error_set(err, 0, "unknown group '%s'", s);
}

static int resolve_groups(struct privdrop *pd, const char *user)
{
	int n = 16;

	for (;;) {
		int want = n;

		pd->groups = xrealloc(pd->groups, sizeof(gid_t) * (size_t)n);
		if (getgrouplist(user, pd->gid, pd->groups, &want) >= 0) {
			pd->ngroups = want;
			return 0;
		}
		if (want <= n)
			return -1;
		n = want;
	}
}

int privdrop_init(struct privdrop *pd, const char *spec, struct error *err)
{
	_cleanup_free_ char *user = xstrdup(spec);
	char *group = strchr(user, ':');
	struct passwd *pw;
	unsigned long n;

	memset(pd, 0, sizeof(*pd));
	if (group)
		*group++ = '\0';
	if (!*user)
		return error_set(err, 0, "user '%s': no user name", spec);
	errno = 0;
	pw = getpwnam(user);
	if (!pw && parse_id(user, &n))
		pw = getpwuid((uid_t)n);
	if (pw) {
		pd->uid = pw->pw_uid;
		pd->gid = pw->pw_gid;
	} else if (parse_id(user, &n)) {
		pd->uid = (uid_t)n;
		pd->gid = (gid_t)n;
	} else {
		return error_set(err, 0, "unknown user '%s' (no such entry in the user database)",
				 user);
	}
	if (group && *group && resolve_group(group, &pd->gid, err) < 0)
		return error_prefix(err, "user '%s'", spec);
	pd->name = xstrdup(spec);
	if (pw && !group && resolve_groups(pd, pw->pw_name) < 0) {
		privdrop_finish(pd);
		return error_set(err, 0, "cannot list the groups of user '%s'", spec);
	}
	if (!pw || group) {
		/* gosu: an explicit group, or a user without an entry, gets only that group */
		pd->groups = xrealloc(pd->groups, sizeof(gid_t));
		pd->groups[0] = pd->gid;
		pd->ngroups = 1;
	}
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
