/* The server command line built from [server], and the composed environment. */
#include "t.h"
#include "testutil.h"
#include "environ.h"
#include "launch.h"
#include "path.h"
#include "profile.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static char dir[] = "/tmp/dr-launch-XXXXXX";

static char *joined(const struct strv *sv)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 1; i < sv->n; i++) {
		t = xasprintf("%s%s%s", s, i > 1 ? " " : "", sv->v[i]);
		free(s);
		s = t;
	}
	return s;
}

/* Builds the launch of profile name with process environment penv. */
static char *argv_of(const char *name, long cpus, char **penv, struct launch *out)
{
	struct error err = ERROR_INIT;
	struct profile *p = profile_load(name, dir, &err);
	struct environ env;
	char *s;

	if (!p) {
		fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
		return xstrdup("(load failed)");
	}
	environ_compose(&env, p, penv, &err);
	if (launch_build(out, p, &env, NULL, cpus, &err) < 0) {
		environ_finish(&env);
		profile_destroy(p);
		return xasprintf("(error: %s)", err.message);
	}
	s = joined(&out->argv);
	/* the environment is made when asked for, from env: before env goes */
	CHECK_INT(out->envp.n, 0);
	CHECK(launch_envp(out) == out->envp.v);
	out->env = NULL;
	environ_finish(&env);
	profile_destroy(p);
	return s;
}

/* The effective setting name of l, or a stand-in without value (a CHECK fails). */
static const struct servercfg_setting *setting(const struct launch *l, const char *name)
{
	static const struct servercfg_setting none = {(char *)"", NULL, NULL, NULL, false};
	const struct servercfg_setting *s = servercfg_get(&l->server, name);

	return s ? s : &none;
}

static void test_gunicorn(void)
{
	struct launch l;
	char *penv[] = {"PATH=/usr/bin:/bin", "PYTHONHOME=/opt/py", NULL};
	char *s;

	testutil_write(dir, "g.ini",
		   "[app]\nroot = .\nmodule = webapp.wsgi:app\n"
		   "[server]\nbind = 0.0.0.0:8000, unix:/run/app.sock\nworkers = auto\n"
		   "worker_class = gthread\nthreads = 4\ntimeout = 1m\ngraceful_timeout = 1500ms\n"
		   "max_requests = 1000\nmax_requests_jitter = 50\npreload = true\n"
		   "forwarded_allow_ips = 10.0.0.1, 10.0.0.2\nlog_level = trace\n"
		   "args = --name 'my app'\n");
	s = argv_of("g", 2, penv, &l);
	CHECK_STR(s, "--bind 0.0.0.0:8000 --bind unix:/run/app.sock --workers 5 "
		  "--worker-class gthread --threads 4 --timeout 60 --graceful-timeout 2 "
		  "--keep-alive 5 --max-requests 1000 --max-requests-jitter 50 --preload "
		  "--access-logfile - --log-level debug --forwarded-allow-ips 10.0.0.1,10.0.0.2 "
		  "--name my app webapp.wsgi:app");
	CHECK(str_ends_with(l.exe, "/.venv/bin/gunicorn"));
	CHECK_STR(l.argv.v[0], l.exe);
	CHECK_INT(l.workers, 5);
	CHECK_STR(l.cwd, dir);
	/* what the server will run with, kept for show and diff: the effective
	 * value of each setting by gunicorn's own name, with its source */
	CHECK_STR(setting(&l, "bind")->value, "0.0.0.0:8000,unix:/run/app.sock");
	CHECK_STR(setting(&l, "workers")->value, "5");
	CHECK(str_ends_with(setting(&l, "workers")->source, "g.ini:6"));
	CHECK_STR(setting(&l, "timeout")->value, "60");
	CHECK(str_ends_with(setting(&l, "timeout")->source, "g.ini:9"));
	CHECK_STR(setting(&l, "graceful_timeout")->value, "2");
	CHECK_STR(setting(&l, "threads")->value, "4");
	CHECK_STR(setting(&l, "preload_app")->value, "True");
	CHECK_STR(setting(&l, "loglevel")->value, "debug");
	CHECK_STR(setting(&l, "forwarded_allow_ips")->value, "10.0.0.1,10.0.0.2");
	CHECK_STR(setting(&l, "proc_name")->value, "my app");  /* from [server] args */
	CHECK(strstr(setting(&l, "proc_name")->source, "[server] args") != NULL);
	CHECK(servercfg_get(&l.server, "reload") == NULL); /* not passed: gunicorn's default */
	/* the environment: venv first in PATH, PYTHONHOME removed */
	{
		bool path_ok = false, home = false, venv = false;
		size_t i;

		CHECK(l.envp.n > 0);
		for (i = 0; i < l.envp.n; i++) {
			if (str_starts_with(l.envp.v[i], "PATH="))
				path_ok = strstr(l.envp.v[i], "/.venv/bin:/usr/bin:/bin") != NULL;
			home |= str_starts_with(l.envp.v[i], "PYTHONHOME=");
			venv |= str_starts_with(l.envp.v[i], "VIRTUAL_ENV=");
		}
		CHECK(path_ok);
		CHECK(!home);
		CHECK(venv);
	}
	launch_finish(&l);
	free(s);
}

static void test_uvicorn(void)
{
	struct launch l;
	char *penv[] = {NULL};
	char *s;

	testutil_write(dir, "u.ini", "[app]\nroot = .\nmodule = webapp.asgi:app\nserver = uvicorn\n"
		   "[server]\nbind = [::1]:9000\nworkers = 3\nproxy_headers = true\n"
		   "access_log =\n");
	s = argv_of("u", 2, penv, &l);
	CHECK_STR(s, "webapp.asgi:app --host ::1 --port 9000 --workers 3 --timeout-keep-alive 5 "
		  "--timeout-graceful-shutdown 30 --no-access-log --log-level info --proxy-headers");
	CHECK_STR(setting(&l, "host")->value, "::1");
	CHECK_STR(setting(&l, "port")->value, "9000");
	CHECK_STR(setting(&l, "workers")->value, "3");
	CHECK_STR(setting(&l, "access_log")->value, "False");
	CHECK_STR(setting(&l, "proxy_headers")->value, "True");
	CHECK(servercfg_get(&l.server, "worker_class") == NULL); /* uvicorn takes none */
	launch_finish(&l);
	free(s);
	testutil_write(dir, "u2.ini", "[app]\nroot = .\nmodule = webapp.asgi:app\nserver = uvicorn\n"
		   "[server]\nbind = unix:/run/a.sock\nreload = true\n");
	s = argv_of("u2", 2, penv, &l);
	CHECK_STR(s, "webapp.asgi:app --uds /run/a.sock --reload --timeout-keep-alive 5 "
		  "--timeout-graceful-shutdown 30 --access-log --log-level info --no-proxy-headers");
	/* the reloader is one process: no workers passed */
	CHECK_STR(setting(&l, "reload")->value, "True");
	CHECK(servercfg_get(&l.server, "workers") == NULL);
	launch_finish(&l);
	free(s);
	testutil_write(dir, "u3.ini", "[app]\nroot = .\nmodule = webapp.asgi:app\nserver = uvicorn\n"
		   "[server]\nbind = 127.0.0.1:1, 127.0.0.1:2\n");
	s = argv_of("u3", 2, penv, &l);
	CHECK(strstr(s, "uvicorn listens on one address") != NULL);
	free(s);
}

/* A venv whose site-packages holds uvicorn VERSION (dist-info), or none. */
static void make_venv(const char *version, bool script)
{
	char *venv = path_join(dir, ".venv");

	testutil_remove_tree(venv);
	testutil_write(dir, ".venv/pyvenv.cfg", "home = /nonexistent/bin\nversion = 3.11.2\n");
	testutil_write(dir, ".venv/lib/python3.11/site-packages/uvicorn/__init__.py", "");
	if (version) {
		char *rel = xasprintf(".venv/lib/python3.11/site-packages/uvicorn-%s.dist-info/METADATA",
				      version);
		char *md = xasprintf("Metadata-Version: 2.1\nName: uvicorn\nVersion: %s\n", version);

		testutil_write(dir, rel, md);
		free(rel);
		free(md);
	}
	if (script) {
		char *exe = path_join(venv, "bin/uvicorn");

		testutil_write(dir, ".venv/bin/uvicorn", "#!/bin/sh\n");
		chmod(exe, 0755);
		free(exe);
	}
	free(venv);
}

static bool graceful_for(const char *version)
{
	struct launch l;
	char *penv[] = {NULL};
	char *s;
	bool has;

	make_venv(version, false);
	s = argv_of("u", 2, penv, &l);
	has = strstr(s, "--timeout-graceful-shutdown 30") != NULL;
	/* the console script is missing and the module importable: python -m */
	CHECK(l.module);
	CHECK(str_ends_with(l.exe, "/.venv/bin/python"));
	CHECK_STR(l.argv.v[1], "-m");
	CHECK_STR(l.argv.v[2], "uvicorn");
	launch_finish(&l);
	free(s);
	return has;
}

/* --timeout-graceful-shutdown: uvicorn 0.22.0 and later, compared as PEP 440
 * orders versions; never when the version is unknown. */
static void test_installed_version(void)
{
	CHECK(!graceful_for("0.17.6"));
	CHECK(graceful_for("0.22.0"));
	CHECK(graceful_for("0.30.6"));
	CHECK(!graceful_for("0.22.0rc1"));
	CHECK(graceful_for("0.22.1rc1"));
	CHECK(!graceful_for(NULL));
	make_venv("0.30.0", true);
}

int main(void)
{
	testutil_main_dir(dir);
	make_venv("0.30.0", true);
	RUN(test_gunicorn);
	RUN(test_uvicorn);
	RUN(test_installed_version);
	testutil_remove_tree(dir);
	return T_DONE();
}
