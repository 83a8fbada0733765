/*
 * What run refuses in every stage, whatever the family levels of [checks]
 * say: a server command line that cannot be built from the profile
 * (server.command) and [health] settings that cannot be probed
 * (profile.bad-value).  Registered in checks_table with .always, so that
 * check and run's preflight report them alike and never as warnings.
 */
#ifndef DEPLOY_RUN_STARTUP_H
#define DEPLOY_RUN_STARTUP_H

#include "check.h"

extern const char *const startup_command_ids[];
extern const char *const startup_health_ids[];

/* server.command: ctx->launch_error, when the command line could not be built. */
void startup_check_command(const struct context *ctx, struct report *r);
/* profile.bad-value: a [health] url or path that cannot be probed. */
void startup_check_health(const struct context *ctx, struct report *r);

#endif
