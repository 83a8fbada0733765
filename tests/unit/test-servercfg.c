/* The server's argv, the outside inputs and the effective settings. */
#include "t.h"
#include "testutil.h"
#include "environ.h"
#include "profile.h"
#include "servercfg.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/dr-servercfg-XXXXXX";

static char *words(const char *s)
{
	struct strv sv = STRV_INIT;
	struct error err = ERROR_INIT;
	struct strbuf sb;
	size_t i;

	if (servercfg_shlex(s, &sv, &err) < 0)
		return xasprintf("error: %s", err.message);
	strbuf_init(&sb);
	for (i = 0; i < sv.n; i++)
		strbuf_addf(&sb, "[%s]", sv.v[i]);
	strv_finish(&sv);
	return strbuf_detach(&sb);
}

/* Python: shlex.split(s) */
static void test_shlex(void)
{
	CHECK_STR_FREE(words("--pid /tmp/x --reload"), "[--pid][/tmp/x][--reload]");
	CHECK_STR_FREE(words("  -w  3\t--name 'my app' \"a \\\"b\\\" \\c\""),
		       "[-w][3][--name][my app][a \"b\" \\c]");
	CHECK_STR_FREE(words("a\\ b 'x'\"y\"z ''"), "[a b][xyz][]");
	CHECK_STR_FREE(words(""), "");
	CHECK_STR_FREE(words("'open"), "error: No closing quotation");
	CHECK_STR_FREE(words("trail\\"), "error: No escaped character");
}

static void collect(const char *setting, const char *value, void *data)
{
	strbuf_addf(data, "%s=%s;", setting, value ? value : "(flag)");
}

static char *parsed(const char *cmdline, const char *version)
{
	struct strv sv = STRV_INIT;
	struct error err = ERROR_INIT;
	struct strbuf sb;

	strbuf_init(&sb);
	servercfg_shlex(cmdline, &sv, &err);
	if (servercfg_gunicorn_parse(sv.v, sv.n, version, collect, &sb, &err) < 0) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "error: %s", err.message);
	}
	strv_finish(&sv);
	return strbuf_detach(&sb);
}

/* gunicorn's argparse: abbreviations, joined values, flags, positionals */
static void test_gunicorn_parse(void)
{
	char *s;

	CHECK_STR_FREE(parsed("--pid /tmp/x --reload", "20.1.0"), "pidfile=/tmp/x;reload=(flag);");
	CHECK_STR_FREE(parsed("-w3 --bind=0.0.0.0:1 -b :2 app:app --threa 4", "20.1.0"),
		       "workers=3;bind=0.0.0.0:1;bind=:2;threads=4;");
	CHECK_STR_FREE(parsed("--work 4", "20.1.0"), "error: ambiguous option: --work");
	CHECK_STR_FREE(parsed("--max-requests-jitter 5 --preload -- --reload", NULL),
		       "max_requests_jitter=5;preload_app=(flag);");
	CHECK_STR_FREE(parsed("--no-such-option", "20.1.0"),
		       "error: unrecognized arguments: --no-such-option");
	CHECK_STR_FREE(parsed("--max", "20.1.0"), "error: ambiguous option: --max");
	CHECK_STR_FREE(parsed("--workers", "20.1.0"), "error: argument -w/--workers: expected one argument");
	/* an option of gunicorn 23 only */
	CHECK(str_starts_with(s = parsed("--header-map drop", "20.1.0"), "error:"));
	free(s);
	CHECK_STR_FREE(parsed("--header-map drop", "23.0.0"), "header_map=drop;");
	/* argparse's type=int, and one run of positionals (the app) */
	CHECK_STR_FREE(parsed("--workers lots", "20.1.0"),
		       "error: argument -w/--workers: invalid value: 'lots'");
	CHECK_STR_FREE(parsed("-m 0o22 --timeout=+3_0", "20.1.0"), "umask=0o22;timeout=+3_0;");
	CHECK_STR_FREE(parsed("app --reload other", "20.1.0"), "error: unrecognized arguments: other");
	CHECK_STR_FREE(parsed("app -- --reload", "20.1.0"), "");
	CHECK_STR(servercfg_gunicorn_setting("-w"), "workers");
	CHECK(servercfg_gunicorn_setting("--nope") == NULL);
}

struct built {
	struct profile *p;
	struct environ env;
	struct servercfg sc;
};

static int build(struct built *b, const char *ini, char **penv, const char *version)
{
	struct error err = ERROR_INIT;

	testutil_write(dir, "t.ini", ini);
	b->p = profile_load("t", dir, &err);
	if (!b->p) {
		fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
		return -1;
	}
	environ_compose(&b->env, b->p, penv, &err);
	if (servercfg_build(&b->sc, b->p, &b->env, version, 3, NULL, dir, false, &err) < 0) {
		fprintf(stderr, "  %s\n", err.message);
		environ_finish(&b->env);
		profile_destroy(b->p);
		return -1;
	}
	return 0;
}

static void unbuild(struct built *b)
{
	servercfg_finish(&b->sc);
	environ_finish(&b->env);
	profile_destroy(b->p);
}

static const struct servercfg_outside *outside(const struct servercfg *sc, const char *var,
					       const char *setting)
{
	size_t i;

	for (i = 0; i < sc->noutside; i++)
		if (str_eq(sc->outside[i].variable, var) &&
		    (!setting || str_eq(sc->outside[i].setting, setting)))
			return &sc->outside[i];
	return NULL;
}

#define GUNICORN "[app]\nroot = .\nmodule = w:app\n[env]\nfiles = .env\n[server]\nbind = 127.0.0.1:8000\n"
#define UVICORN "[app]\nroot = .\nmodule = a:app\nserver = uvicorn\n[env]\nfiles = .env\n[server]\nbind = 127.0.0.1:8000\n"

static void test_gunicorn_outside(void)
{
	struct built b;
	const struct servercfg_outside *x;
	const struct servercfg_setting *s;
	char *penv[] = {"GUNICORN_CMD_ARGS=--pid /tmp/x --reload --workers 9 --max-requests 7",
			"PORT=9999", NULL};

	testutil_write(dir, ".env", "\nWEB_CONCURRENCY=4\nSENDFILE=0\n");
	if (build(&b, GUNICORN, penv, "20.1.0") < 0) {
		CHECK(0);
		return;
	}
	x = outside(&b.sc, "GUNICORN_CMD_ARGS", "pidfile");
	CHECK(x && !x->pinned && !x->fatal && str_eq(x->origin, "process environment"));
	CHECK(x && x->file == NULL);
	x = outside(&b.sc, "GUNICORN_CMD_ARGS", "reload");
	CHECK(x && !x->pinned);
	x = outside(&b.sc, "GUNICORN_CMD_ARGS", "workers");
	CHECK(x && x->pinned);
	/* max_requests: the profile's 0 is passed once something else sets it */
	x = outside(&b.sc, "GUNICORN_CMD_ARGS", "max_requests");
	CHECK(x && x->pinned);
	CHECK(strv_find(&b.sc.args, "--max-requests") >= 0);
	s = servercfg_get(&b.sc, "max_requests");
	CHECK(s && str_eq(s->value, "0") && s->overridden);
	x = outside(&b.sc, "PORT", "bind");
	CHECK(x && x->pinned && str_eq(x->value, "0.0.0.0:9999"));
	x = outside(&b.sc, "WEB_CONCURRENCY", "workers");
	CHECK(x && x->pinned && str_eq(x->origin, ".env:2") && x->line == 2);
	CHECK(x && x->file && str_ends_with(x->file, "/.env"));
	x = outside(&b.sc, "SENDFILE", "sendfile");
	CHECK(x && !x->pinned);
	/* the effective values: pinned from the profile, the rest from outside */
	s = servercfg_get(&b.sc, "workers");
	CHECK(s && str_eq(s->value, "3") && s->pinned);
	CHECK(s && s->overridden && strstr(s->overridden, "process environment"));
	s = servercfg_get(&b.sc, "pidfile");
	CHECK(s && str_eq(s->value, "/tmp/x") && !s->pinned);
	CHECK(s && strstr(s->source, "GUNICORN_CMD_ARGS") != NULL);
	s = servercfg_get(&b.sc, "bind");
	CHECK(s && str_eq(s->value, "127.0.0.1:8000") && strstr(s->source, "t.ini:7"));
	CHECK(servercfg_get(&b.sc, "config") == NULL);
	unbuild(&b);

	/* asking for what the argv passes anyway is no input: a platform's PORT
	 * equal to the bind's port, WEB_CONCURRENCY equal to the workers */
	penv[0] = "PORT=8000";
	penv[1] = NULL;
	testutil_write(dir, ".env", "WEB_CONCURRENCY=3\nFORWARDED_ALLOW_IPS=*\n");
	CHECK(build(&b, GUNICORN, penv, "20.1.0") == 0);
	CHECK(outside(&b.sc, "PORT", NULL) == NULL);
	CHECK(outside(&b.sc, "WEB_CONCURRENCY", NULL) == NULL);
	CHECK(outside(&b.sc, "FORWARDED_ALLOW_IPS", NULL) != NULL);
	CHECK_INT(b.sc.noutside, 1);
	unbuild(&b);

	/* malformed: gunicorn would not start */
	penv[0] = "GUNICORN_CMD_ARGS=--workers 'x";
	penv[1] = NULL;
	testutil_write(dir, ".env", "WEB_CONCURRENCY=lots\n");
	CHECK(build(&b, GUNICORN, penv, "20.1.0") == 0);
	x = outside(&b.sc, "GUNICORN_CMD_ARGS", NULL);
	CHECK(x && x->fatal && strstr(x->why, "No closing quotation"));
	x = outside(&b.sc, "WEB_CONCURRENCY", NULL);
	CHECK(x && x->fatal);
	unbuild(&b);

	/* gunicorn.conf.py in the working directory: never loaded */
	testutil_write(dir, ".env", "");
	testutil_write(dir, "gunicorn.conf.py", "reload = True\n");
	penv[0] = NULL;
	CHECK(build(&b, GUNICORN, penv, "20.1.0") == 0);
	CHECK_INT(b.sc.noutside, 1);
	CHECK(b.sc.noutside == 1 && b.sc.outside[0].pinned && str_eq(b.sc.outside[0].setting, "config"));
	s = servercfg_get(&b.sc, "config");
	CHECK(s && str_eq(s->value, SERVERCFG_GUNICORN_NO_CONFIG));
	CHECK(strv_find(&b.sc.args, SERVERCFG_GUNICORN_NO_CONFIG) >= 0);
	unbuild(&b);
	/* unless the profile names it */
	CHECK(build(&b, GUNICORN "config = gunicorn.conf.py\n", penv, "20.1.0") == 0);
	CHECK_INT(b.sc.noutside, 0);
	CHECK(strv_find(&b.sc.args, "--config") >= 0);
	s = servercfg_get(&b.sc, "config");
	CHECK(s && str_ends_with(s->value, "/gunicorn.conf.py") && strstr(s->source, "t.ini:8"));
	unbuild(&b);
	{
		char *c = xasprintf("%s/gunicorn.conf.py", dir);

		remove(c);
		free(c);
	}
}

static void test_uvicorn_outside(void)
{
	struct built b;
	const struct servercfg_outside *x;
	char *penv[] = {"UVICORN_WORKERS=8", "UVICORN_UDS=/tmp/s", "UVICORN_NOT_AN_OPTION=1",
			"UVICORN_ACCESS_LOG=false", NULL};

	testutil_write(dir, ".env", "UVICORN_RELOAD=true\nUVICORN_BACKLOG=many\nFORWARDED_ALLOW_IPS=*\n"
		       "UVICORN_VERSION=1\nUVICORN_APP=other:app\n");
	if (build(&b, UVICORN, penv, "0.17.6") < 0) {
		CHECK(0);
		return;
	}
	x = outside(&b.sc, "UVICORN_RELOAD", "reload");
	CHECK(x && !x->pinned && !x->fatal && str_eq(x->origin, ".env:1") && x->line == 1);
	x = outside(&b.sc, "UVICORN_WORKERS", "workers");
	CHECK(x && x->pinned);
	CHECK(x && !x->fatal);
	x = outside(&b.sc, "UVICORN_UDS", "uds");
	CHECK(x && !x->pinned);
	x = outside(&b.sc, "UVICORN_ACCESS_LOG", "access_log");
	CHECK(x && x->pinned);
	CHECK(outside(&b.sc, "UVICORN_NOT_AN_OPTION", NULL) == NULL);
	x = outside(&b.sc, "UVICORN_BACKLOG", NULL);
	CHECK(x && x->fatal);
	x = outside(&b.sc, "UVICORN_VERSION", NULL);
	CHECK(x && x->fatal);
	x = outside(&b.sc, "UVICORN_APP", NULL);
	CHECK(x && x->pinned);
	x = outside(&b.sc, "FORWARDED_ALLOW_IPS", "forwarded_allow_ips");
	CHECK(x && !x->pinned);
	/* an unknown version: no --timeout-graceful-shutdown */
	CHECK(strv_find(&b.sc.args, "--timeout-graceful-shutdown") < 0);
	unbuild(&b);
	testutil_write(dir, ".env", "");
	penv[0] = NULL;
	CHECK(build(&b, UVICORN "[app]\ninterface = asgi\n", penv, "0.30.0") == 0);
	CHECK_INT(b.sc.noutside, 0);
	CHECK(strv_find(&b.sc.args, "--timeout-graceful-shutdown") >= 0);
	CHECK(servercfg_get(&b.sc, "interface") && str_eq(servercfg_get(&b.sc, "interface")->value, "asgi3"));
	unbuild(&b);
}

int main(void)
{
	testutil_main_dir(dir);
	RUN(test_shlex);
	RUN(test_gunicorn_parse);
	RUN(test_gunicorn_outside);
	RUN(test_uvicorn_outside);
	testutil_remove_tree(dir);
	return T_DONE();
}
