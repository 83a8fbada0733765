/*
 * check --server-config: asks the installed server what it will run with.
 *
 * The venv's python evaluates the server's own configuration code on
 * deploy-run's argv, in the composed environment and the working directory
 * of the server, without loading the app, starting workers or binding:
 *   gunicorn: WSGIApplication() (what `gunicorn --print-config` runs before
 *     it imports the app): defaults, the config file, GUNICORN_CMD_ARGS and
 *     the command line, then every setting's value (and cfg.sendfile);
 *   uvicorn: the click command's make_context() (UVICORN_* included), then
 *     uvicorn.config.Config for what it derives (workers from
 *     WEB_CONCURRENCY, forwarded_allow_ips, --env-file).
 * It runs as run would, and, when checks/servercfg found inputs from outside
 * the argv, a second time without them (the baseline of the profile's
 * intent).  Every
 * setting deploy-run passes whose value differs from the server's, and every
 * setting that differs from the baseline, is a server.effective-config
 * finding.  Opt-in: one or two python start-ups (docs/BENCHMARKS.md).
 */
#ifndef DEPLOY_RUN_SERVERASK_H
#define DEPLOY_RUN_SERVERASK_H

#include "check.h"

extern const char *const serverask_ids[];

void serverask_check(const struct context *ctx, struct report *r);

/*
 * Parses the script's output: "deploy-run-config: NAME=VALUE" lines, a later
 * line for a name replacing an earlier one.  Returns the value of name in
 * buf (malloc'd), or NULL.  Pure.
 */
char *serverask_value(const char *buf, const char *name);

#endif
