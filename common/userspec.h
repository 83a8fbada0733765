/*
 * The user a server runs as, written as gosu and [app] user take it: NAME,
 * UID, NAME:GROUP or UID:GID (GROUP a name or a gid).  One parser and one
 * resolver for every reader of [app] user: the privilege drop
 * (launcher/privdrop), the path checks (checks/paths) and the permission
 * checks (checks/perms), so that they agree on who the server runs as.
 */
#ifndef DEPLOY_RUN_USERSPEC_H
#define DEPLOY_RUN_USERSPEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* The parts of a spec as written. */
struct userspec {
	char *user;   /* before ':', never empty */
	char *group;  /* after ':', NULL when there is none (or nothing after ':') */
};

/* Splits spec.  Pure.  Fails when the user part is empty. */
int userspec_parse(const char *spec, struct userspec *out, struct error *err);
void userspec_finish(struct userspec *s);

/* A spec resolved against the user and group databases. */
struct userspec_ids {
	char *name;        /* the passwd name, or the user as written when it has none */
	uid_t uid;
	gid_t gid;         /* the explicit group, else the passwd entry's, else the uid */
	gid_t *groups;     /* supplementary groups: the user's (getgrouplist) for a
			    * passwd user without an explicit group, else only gid */
	int ngroups;
	bool in_passwd;    /* the user has a passwd entry */
};

/*
 * Resolves spec: the user by name, then as a number (a UID without a
 * passwd entry is accepted, with gid = uid); the group by name, then as a
 * number.  Returns 0, or -1 with err naming the unknown user or group.
 * Release with userspec_ids_finish().
 */
int userspec_resolve(const char *spec, struct userspec_ids *out, struct error *err);
void userspec_ids_finish(struct userspec_ids *ids);

/* Whether gid is ids's group or one of its supplementary groups. */
bool userspec_in_group(const struct userspec_ids *ids, gid_t gid);

#endif
