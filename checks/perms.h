/*
 * Who else could change what runs: the files deploy-run reads its
 * instructions from (the profile and every file of its extends chain, the
 * directories holding them, the .env files) must be writable only by root
 * and by the user the server runs as.
 */
#ifndef DEPLOY_RUN_PERMS_H
#define DEPLOY_RUN_PERMS_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "check.h"
#include "strbuf.h"

extern const char *const perms_ids[];

/*
 * The user the server runs as: [app] user (NAME, UID, NAME:GROUP or UID:GID,
 * resolved by common/userspec as privdrop resolves it) when deploy-run
 * starts as root and the user resolves, else deploy-run's own effective uid.
 */
uid_t perms_runtime_uid(const struct profile *p);

/*
 * Appends to why, each after sep when why is not empty, the reasons another
 * user could change a file or directory with status st: writable by its
 * group or by others (a directory with the sticky bit only when it is not
 * owned by an allowed user), or owned by a user other than root and
 * runtime_uid.  Returns true when it appended anything.  Pure.
 */
bool perms_foreign_write(const struct stat *st, uid_t runtime_uid, const char *sep,
			 struct strbuf *why);

/*
 * profile.permissions: every file of the profile's extends chain and its
 * directory, checked with perms_foreign_write().  Error in production,
 * warning elsewhere.
 */
void perms_check_profile(const struct context *ctx, struct report *r);

#endif
