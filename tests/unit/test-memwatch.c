/* memwatch: the ceiling from the profile, auto on fake cgroup trees, the servers that can recycle. */
#include "t.h"
#include "testutil.h"
#include "memwatch.h"
#include "keys.h"
#include "profile.h"

#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/test-memwatch.XXXXXX";

/* Loads a profile made of the lines given under [server]; NULL on error. */
static struct profile *load(const char *server, const char *lines)
{
	struct error err = ERROR_INIT;
	struct profile *p;
	char *text = xasprintf("[app]\nroot = .\nmodule = m:app\nserver = %s\n[server]\n%s", server,
			       lines);

	testutil_write(dir, "profiles/t.ini", text);
	free(text);
	{
		char *pdir = xasprintf("%s/profiles", dir);

		p = profile_load("t", pdir, &err);
		free(pdir);
	}
	if (!p)
		fprintf(stderr, "  load: %s\n", err.message);
	return p;
}

static void test_auto_formula(void)
{
	CHECK_INT(memwatch_auto_ceiling(0, 4), 0);
	CHECK_INT(memwatch_auto_ceiling(-1, 4), 0);
	/* 90 % of 1 GiB over 3 workers + the master */
	CHECK_INT(memwatch_auto_ceiling(1073741824, 3), 1073741824ull / 10 * 9 / 4);
	CHECK_INT(memwatch_auto_ceiling(1000, 1), 450);
}

static int64_t limit_value;

static int64_t fake_limit(void)
{
	return limit_value;
}

static void test_configure(void)
{
	struct memwatch_config c;
	struct error err = ERROR_INIT;
	const char *why;
	struct profile *p;

	/* off by default: nothing is made */
	p = load("gunicorn", "");
	CHECK(p && memwatch_configure(p, 2, NULL, fake_limit, &c, &why, &err) == 1);
	CHECK(p && why && strstr(why, "off"));
	profile_destroy(p);

	p = load("gunicorn", "max_worker_memory = 300M\nmax_worker_memory_for = 10s\n"
			     "memory_interval = 2s\ntimeout = 20s\ngraceful_timeout = 15s\n");
	CHECK(p && memwatch_configure(p, 2, NULL, fake_limit, &c, &why, &err) == 0);
	CHECK_INT(c.ceiling, 300ull << 20);
	CHECK_INT(c.over_for_ms, 10000);
	CHECK_INT(c.interval_ms, 2000);
	CHECK_INT(c.boot_timeout_ms, 30000);
	CHECK_INT(c.retire_timeout_ms, 45000);
	CHECK(c.gunicorn);
	profile_destroy(p);

	/* defaults */
	p = load("gunicorn", "max_worker_memory = 1G\n");
	CHECK(p && memwatch_configure(p, 2, NULL, fake_limit, &c, &why, &err) == 0);
	CHECK_INT(c.over_for_ms, 30000);
	CHECK_INT(c.interval_ms, 5000);
	profile_destroy(p);

	/* auto: 90 % of the limit over workers + 1; no limit: off, saying why
	 * (the limit itself from fake cgroup trees: test-server, server_memory_limit) */
	p = load("gunicorn", "max_worker_memory = auto\n");
	limit_value = 0;
	CHECK(p && memwatch_configure(p, 3, NULL, fake_limit, &c, &why, &err) == 1);
	CHECK(why && strstr(why, "no memory limit"));
	limit_value = 1073741824;
	CHECK(p && memwatch_configure(p, 3, NULL, fake_limit, &c, &why, &err) == 0);
	CHECK_INT(c.ceiling, 1073741824ull / 10 * 9 / 4);
	profile_destroy(p);

	/* a bad interval names the line */
	p = load("gunicorn", "max_worker_memory = 1G\nmemory_interval = 0\n");
	CHECK(p && memwatch_configure(p, 2, NULL, fake_limit, &c, &why, &err) == -1);
	CHECK(error_is_set(&err) && err.line == 7 && strstr(err.message, "memory_interval"));
	error_clear(&err);
	profile_destroy(p);
}

static void test_uvicorn(void)
{
	struct memwatch_config c;
	struct error err = ERROR_INIT;
	const char *why = NULL;
	struct profile *p = load("uvicorn", "max_worker_memory = 1G\n");

	CHECK(p && memwatch_configure(p, 2, "0.17.6", fake_limit, &c, &why, &err) == 1);
	CHECK(why && strstr(why, "0.30"));
	CHECK(p && memwatch_configure(p, 2, NULL, fake_limit, &c, &why, &err) == 1);
	CHECK(p && memwatch_configure(p, 1, "0.30.1", fake_limit, &c, &why, &err) == 1);
	CHECK(why && strstr(why, "single"));
	CHECK(p && memwatch_configure(p, 2, "0.30.1", fake_limit, &c, &why, &err) == 0);
	CHECK(!c.gunicorn);
	CHECK(p && memwatch_configure(p, 4, "1.0", fake_limit, &c, &why, &err) == 0);
	profile_destroy(p);
}

static void test_values(void)
{
	struct error err = ERROR_INIT;
	struct profile *p;

	p = load("gunicorn", "max_worker_memory = off\n");
	CHECK(p && p->max_worker_memory == 0);
	profile_destroy(p);
	p = load("gunicorn", "max_worker_memory = auto\n");
	CHECK(p && p->max_worker_memory == -1);
	{
		char *t = p ? profile_value_text(p, keys_find("server", "max_worker_memory")) : NULL;

		CHECK_STR(t, "auto");
		free(t);
	}
	profile_destroy(p);
	testutil_write(dir, "profiles/t.ini", "[server]\nmax_worker_memory = 0\n");
	{
		char *pdir = xasprintf("%s/profiles", dir);

		p = profile_load("t", pdir, &err);
		CHECK(!p && error_is_set(&err) && err.line == 2);
		error_clear(&err);
		testutil_write(dir, "profiles/t.ini", "[server]\nmax_worker_memory = lots\n");
		p = profile_load("t", pdir, &err);
		CHECK(!p && error_is_set(&err) && err.line == 2);
		error_clear(&err);
		free(pdir);
	}
}

int main(void)
{
	int rc;

	CHECK(mkdtemp(dir) != NULL);
	RUN(test_auto_formula);
	RUN(test_configure);
	RUN(test_uvicorn);
	RUN(test_values);
	rc = T_DONE();
	testutil_remove_tree(dir);
	return rc;
}
