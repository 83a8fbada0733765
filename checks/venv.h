/*
 * The venv check family: is the virtualenv the one the profile names, and
 * will the server run inside it?  See docs/findings.md for every id.
 */
#ifndef DEPLOY_RUN_VENV_H
#define DEPLOY_RUN_VENV_H

#include "check.h"
#include "pyenv.h"

extern const char *const venv_ids[];

/* Adds the venv.* findings for ctx (reads the venv, never writes). */
void venv_check(const struct context *ctx, struct report *r);

/*
 * The interpreter a script's first bytes run: the #! line's program, or,
 * for pip's "#!/bin/sh" trampoline of long paths, the program of its
 * "'''exec' PROGRAM" line.  NULL when buf does not start with "#!".  Pure.
 */
char *venv_shebang(const char *buf, size_t len);

#endif
