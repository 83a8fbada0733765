/*
 * What several checks of one profile read from the virtualenv, read once:
 * pyvenv.cfg (the venv and req families) and the distributions of its
 * site-packages (the req family and RECORD verification).  checks_run()
 * creates the cache of a context that has none and destroys it after the
 * last check; the accessors fill it on first use.  Checks only read what
 * they get: the cache owns it until cache_destroy().
 */
#ifndef DEPLOY_RUN_CACHE_H
#define DEPLOY_RUN_CACHE_H

#include "check.h"
#include "dist.h"
#include "error.h"

/* The largest pyvenv.cfg read; a bigger one is an error. */
#define CACHE_PYVENV_MAX (64u * 1024)

struct check_cache *cache_create(void);
void cache_destroy(struct check_cache *c);

/*
 * The contents of VENV/pyvenv.cfg of the profile's venv (NUL-terminated),
 * or NULL with err filled as file_read() fills it (errno, message).  Read
 * on the first call; later calls return the same result.
 */
const char *cache_pyvenv(const struct context *ctx, struct error *err);

/*
 * The distributions of the venv's site-packages, as dist_scan_venv()
 * finds them, or NULL with err when it fails.  Scanned on the first call.
 */
const struct dist_set *cache_dists(const struct context *ctx, struct error *err);

#endif
