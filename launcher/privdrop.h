/*
 * Dropping privileges before the server is executed, the way gosu does it:
 * supplementary groups first (setgroups), then the group (setgid), then the
 * user (setuid), because once the uid is not 0 the other two are no longer
 * allowed.  The user is resolved in the parent, before fork(), because name
 * service lookups allocate and may load modules; the child only makes the
 * three system calls.
 */
#ifndef DEPLOY_RUN_PRIVDROP_H
#define DEPLOY_RUN_PRIVDROP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct privdrop {
	char *name;      /* the user name, or the number as written */
	uid_t uid;
	gid_t gid;
	gid_t *groups;   /* supplementary groups of the user (getgrouplist) */
	int ngroups;
	bool skip;       /* already running as that user and group: nothing to do */
};

/*
 * Resolves spec, one of NAME, UID, NAME:GROUP or UID:GID (as gosu accepts),
 * into pd (caller memory; release with privdrop_finish).  A bare UID that
 * has no passwd entry is accepted with gid = uid and no supplementary
 * groups.  Sets pd->skip when the real and effective ids already are the
 * target's.  Fails with a message naming the user when it is unknown, or
 * when the process is not root and would have to change its ids.
 */
int privdrop_init(struct privdrop *pd, const char *spec, struct error *err);
void privdrop_finish(struct privdrop *pd);

/*
 * Switches the calling process to pd's ids: setgroups, setgid, setuid, then
 * checks that root cannot be regained.  Does nothing when pd->skip.  Only
 * system calls: safe between fork() and execve().  Returns -1 with errno on
 * failure.
 */
int privdrop_apply(const struct privdrop *pd);

#endif
