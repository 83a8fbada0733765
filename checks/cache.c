#include "cache.h"
#include "fileio.h"
#include "path.h"
#include "util.h"

#include <stdbool.h>
#include <stdlib.h>

struct check_cache {
	bool pyvenv_read;
	char *pyvenv;             /* NULL when it could not be read */
	struct error pyvenv_err;
	bool dists_scanned;
	bool dists_ok;
	struct dist_set dists;
	struct error dists_err;
};

struct check_cache *cache_create(void)
{
	struct check_cache *c = xcalloc(1, sizeof(*c));

	error_clear(&c->pyvenv_err);
	error_clear(&c->dists_err);
	return c;
}

void cache_destroy(struct check_cache *c)
{
	if (!c)
		return;
	free(c->pyvenv);
	dist_set_finish(&c->dists);
	free(c);
}

const char *cache_pyvenv(const struct context *ctx, struct error *err)
{
	struct check_cache *c = ctx->cache;

	if (!c->pyvenv_read) {
		_cleanup_free_ char *cfg = path_join(ctx->profile->venv, "pyvenv.cfg");
		size_t len;

		c->pyvenv_read = true;
		if (file_read(cfg, CACHE_PYVENV_MAX, &c->pyvenv, &len, NULL, &c->pyvenv_err) < 0)
			c->pyvenv = NULL;
	}
	if (!c->pyvenv)
		*err = c->pyvenv_err;
	return c->pyvenv;
}

const struct dist_set *cache_dists(const struct context *ctx, struct error *err)
{
	struct check_cache *c = ctx->cache;

	if (!c->dists_scanned) {
		c->dists_scanned = true;
		c->dists_ok = dist_scan_venv(&c->dists, ctx->profile->venv, &c->dists_err) == 0;
	}
	if (!c->dists_ok) {
		*err = c->dists_err;
		return NULL;
	}
	return &c->dists;
}
