/*
 * Unit tests of checks/cache.c: pyvenv.cfg and the site-packages scan are
 * read on the first call and served from the cache afterwards, errors
 * included.
 */
#include "t.h"
#include "testutil.h"
#include "cache.h"
#include "path.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_read_once(void)
{
	char tmpl[] = "/tmp/test-cache-XXXXXX";
	char *root = testutil_mkdtemp(tmpl);
	struct profile p;
	struct context ctx = {0};
	struct error err = ERROR_INIT;
	const struct dist_set *set;
	const char *buf;

	memset(&p, 0, sizeof(p));
	p.venv = root;
	ctx.profile = &p;
	ctx.cache = cache_create();
	testutil_write(root, "pyvenv.cfg", "home = /usr/bin\nversion = 3.11.2\n");
	testutil_write(root, "lib/python3.11/site-packages/Flask-2.2.2.dist-info/METADATA",
		       "Name: Flask\nVersion: 2.2.2\n");

	buf = cache_pyvenv(&ctx, &err);
	CHECK(buf != NULL && strstr(buf, "version = 3.11.2"));
	set = cache_dists(&ctx, &err);
	CHECK(set != NULL && set->n == 1 && dist_set_find(set, "flask"));

	/* gone from disk, still served: each is read once */
	testutil_remove_tree(root);
	CHECK(cache_pyvenv(&ctx, &err) == buf);
	CHECK(cache_dists(&ctx, &err) == set);
	cache_destroy(ctx.cache);

	/* an error is remembered too */
	ctx.cache = cache_create();
	CHECK(cache_pyvenv(&ctx, &err) == NULL);
	CHECK_INT(err.errnum, ENOENT);
	error_clear(&err);
	CHECK(cache_pyvenv(&ctx, &err) == NULL);
	CHECK_INT(err.errnum, ENOENT);
	CHECK(cache_dists(&ctx, &err) == NULL);
	CHECK(strstr(err.message, "site-packages") != NULL);
	cache_destroy(ctx.cache);
	cache_destroy(NULL);
}

int main(void)
{
	RUN(test_read_once);
	return T_DONE();
}
