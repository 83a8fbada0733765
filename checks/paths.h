/*
 * The path check family: every path-like value the deployment uses.
 *
 * paths_check_values() looks at the profile's path values ([app] root,
 * workdir, venv, [env] files, [cleanup] pid_file and prometheus_dir,
 * [health] ready_file, [checks] wheelhouse, [server] access_log, unix:
 * binds and the path options of [server] args) and at the variables of the
 * composed environment that the deployment itself sets or declares ([vars],
 * the .env files, a process variable named in [env] required or overriding
 * one of those): those whose name ends in _DIR, _FILE, _ROOT or _SOCKET, and
 * those (_PATH included, often a URL path) whose value is an absolute path
 * whose first directory exists here.  Names with a URL word (URL, COOKIE,
 * ROUTE, ...) are never paths.  It reports
 *
 *   path.missing          an input that does not exist, an output whose
 *                         directory does not exist, or a path the runtime
 *                         user ([app] user, else the current user) cannot
 *                         read (inputs) or write (outputs);
 *   path.outside-allowed  a path outside every [checks] allowed_paths;
 *   path.home-dir         /home/..., /Users/..., /root in a staging
 *                         (warning) or production (error) profile;
 *   path.relative-to-cwd  a relative path the app would resolve against its
 *                         working directory (a warning).
 *
 * Paths inside [app] root are judged for home-dir and outside-allowed by
 * the root alone, so that one misplaced root gives one finding.  The venv,
 * the requirements lock and the .env files are reported missing by their
 * own families.
 *
 * paths_check_source() reports path.hardcoded: string literals in the
 * app's .py files under [app] root that are absolute paths into a home or
 * build directory, with file, line and column.  The files are those of
 * pysource_walk(): not the venv, the app's tests, vendored trees...
 */
#ifndef DEPLOY_RUN_PATHS_H
#define DEPLOY_RUN_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

extern const char *const paths_value_ids[];
extern const char *const paths_source_ids[];

void paths_check_values(const struct context *ctx, struct report *r);
void paths_check_source(const struct context *ctx, struct report *r);

/*
 * True when the literal text s (len bytes, as written in the source: raw
 * tells whether backslashes are escapes) starts with a home or build
 * directory: /home/, /Users/, /root, C:\Users, /tmp/pip-, /builds/,
 * /github/workspace, /var/folders/, /var/lib/jenkins/workspace/, ...
 */
bool paths_is_hardcoded(const char *s, size_t len, bool raw);

#endif
