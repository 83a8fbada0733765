#include "userspec.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

int userspec_parse(const char *spec, struct userspec *out, struct error *err)
{
	const char *colon = strchr(spec, ':');

	memset(out, 0, sizeof(*out));
	if (colon == spec || !*spec)
		return error_set(err, 0, "user '%s': no user name", spec);
	out->user = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
	if (colon && colon[1])
		out->group = xstrdup(colon + 1);
	return 0;
}

void userspec_finish(struct userspec *s)
{
	free(s->user);
	free(s->group);
	memset(s, 0, sizeof(*s));
}

/* A decimal id below UINT_MAX ((uid_t)-1 means "no change" to the kernel). */
static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out < UINT_MAX;
}

static int resolve_group(const char *s, gid_t *gid, struct error *err)
{
	unsigned long n;
	struct group *gr = getgrnam(s);

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

static int list_groups(struct userspec_ids *ids, const char *user)
{
	int n = 16;

	for (;;) {
		int want = n;

		ids->groups = xrealloc(ids->groups, sizeof(gid_t) * (size_t)n);
		if (getgrouplist(user, ids->gid, ids->groups, &want) >= 0) {
			ids->ngroups = want;
			return 0;
		}
		if (want <= n)
			return -1;
		n = want;
	}
}

int userspec_resolve(const char *spec, struct userspec_ids *out, struct error *err)
{
	_cleanup_(userspec_finish) struct userspec s = {NULL, NULL};
	struct passwd *pw;
	unsigned long n;

	memset(out, 0, sizeof(*out));
	if (userspec_parse(spec, &s, err) < 0)
		return -1;
	pw = getpwnam(s.user);
	if (!pw && parse_id(s.user, &n))
		pw = getpwuid((uid_t)n);
	if (pw) {
		out->uid = pw->pw_uid;
		out->gid = pw->pw_gid;
		out->in_passwd = true;
	} else if (parse_id(s.user, &n)) {
		out->uid = (uid_t)n;
		out->gid = (gid_t)n;
	} else {
		return error_set(err, 0, "unknown user '%s' (no such entry in the user database)",
				 s.user);
	}
	if (s.group && resolve_group(s.group, &out->gid, err) < 0)
		return error_prefix(err, "user '%s'", spec);
	out->name = xstrdup(pw ? pw->pw_name : s.user);
	if (pw && !s.group) {
		if (list_groups(out, pw->pw_name) < 0) {
			userspec_ids_finish(out);
			return error_set(err, 0, "cannot list the groups of user '%s'", spec);
		}
	} else {
		/* gosu: an explicit group, or a user without an entry, gets only that group */
		out->groups = xmalloc(sizeof(gid_t));
		out->groups[0] = out->gid;
		out->ngroups = 1;
	}
	return 0;
}

void userspec_ids_finish(struct userspec_ids *ids)
{
	if (!ids)
		return;
	free(ids->name);
	free(ids->groups);
	memset(ids, 0, sizeof(*ids));
}

bool userspec_in_group(const struct userspec_ids *ids, gid_t gid)
{
	int i;

	if (ids->gid == gid)
		return true;
	for (i = 0; i < ids->ngroups; i++)
		if (ids->groups[i] == gid)
			return true;
	return false;
}
