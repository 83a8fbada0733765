/* The profile model: values, the key table, loading with extends, and
 * every error a person can make, each with file:line. */
#include "t.h"
#include "testutil.h"
#include "keys.h"
#include "profile.h"
#include "value.h"
#include "path.h"
#include "util.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/dr-profile-XXXXXX";

/* Loads NAME from the temp dir; returns NULL and fills err on error. */
static struct profile *load(const char *name, struct error *err)
{
	error_clear(err);
	return profile_load(name, dir, err);
}

/* Expects loading NAME to fail at line with a message containing text. */
static void expect_error_in(const char *name, const char *file, int line, const char *text,
			    const char *id)
{
	struct error err = ERROR_INIT;
	struct profile *p = load(name, &err);

	CHECK(p == NULL);
	profile_destroy(p);
	if (!file)
		file = name;
	if (err.line != line || !strstr(err.file, file))
		fprintf(stderr, "  %s: got %s:%d: %s\n", name, err.file, err.line, err.message);
	CHECK_INT(err.line, line);
	if (!strstr(err.message, text))
		fprintf(stderr, "  message was: %s\n", err.message);
	CHECK(strstr(err.message, text) != NULL);
	CHECK(strstr(err.file, file) != NULL);
	if (id)
		CHECK_STR(err.id, id);
}

static void expect_error(const char *name, int line, const char *text, const char *id)
{
	expect_error_in(name, NULL, line, text, id);
}

static void test_values(void)
{
	struct error err = ERROR_INIT;
	int64_t v;
	long n;
	bool b;
	struct strv sv = STRV_INIT;

	CHECK_INT(value_parse_duration("30s", &v, &err), 0); CHECK_INT(v, 30000);
	CHECK_INT(value_parse_duration("500ms", &v, &err), 0); CHECK_INT(v, 500);
	CHECK_INT(value_parse_duration("2m", &v, &err), 0); CHECK_INT(v, 120000);
	CHECK_INT(value_parse_duration("1m30s", &v, &err), 0); CHECK_INT(v, 90000);
	CHECK_INT(value_parse_duration("1.5s", &v, &err), 0); CHECK_INT(v, 1500);
	CHECK_INT(value_parse_duration("45", &v, &err), 0); CHECK_INT(v, 45000);
	CHECK_INT(value_parse_duration("30x", &v, &err), -1);
	CHECK_INT(value_parse_duration("", &v, &err), -1);
	CHECK_INT(value_parse_duration("s", &v, &err), -1);
	CHECK_INT(value_parse_duration("1s5", &v, &err), -1);
	CHECK_INT(value_parse_size("512M", &v, &err), 0); CHECK_INT(v, 512LL << 20);
	CHECK_INT(value_parse_size("1GiB", &v, &err), 0); CHECK_INT(v, 1LL << 30);
	CHECK_INT(value_parse_size("100", &v, &err), 0); CHECK_INT(v, 100);
	CHECK_INT(value_parse_size("12Q", &v, &err), -1);
	CHECK_INT(value_parse_bool("Yes", &b, &err), 0); CHECK(b);
	CHECK_INT(value_parse_bool("off", &b, &err), 0); CHECK(!b);
	CHECK_INT(value_parse_bool("maybe", &b, &err), -1);
	CHECK_INT(value_parse_int("12", 1, 100, &n, &err), 0); CHECK_INT(n, 12);
	CHECK_INT(value_parse_int("0", 1, 100, &n, &err), -1);
	CHECK_INT(value_parse_int("12a", 1, 100, &n, &err), -1);
	CHECK_INT(value_parse_int("99999999999999999999", 1, 100, &n, &err), -1);
	value_split_list(" a, b ,,c\nd ", &sv);
	CHECK_INT(sv.n, 4);
	CHECK_STR(sv.v[3], "d");
	strv_finish(&sv);
	CHECK_INT(value_split_words("--a 'b c' \"d \\\"e\\\"\" f\\ g", &sv, &err), 0);
	CHECK_INT(sv.n, 4);
	CHECK_STR(sv.v[1], "b c");
	CHECK_STR(sv.v[2], "d \"e\"");
	CHECK_STR(sv.v[3], "f g");
	strv_finish(&sv);
	CHECK_INT(value_split_words("'open", &sv, &err), -1);
	CHECK_INT(value_check_bind("0.0.0.0:8000", &err), 0);
	CHECK_INT(value_check_bind("[::1]:8000", &err), 0);
	CHECK_INT(value_check_bind("unix:/run/app.sock", &err), 0);
	CHECK_INT(value_check_bind("localhost:80", &err), 0);
	CHECK_INT(value_check_bind("fd://3", &err), 0);
	CHECK_INT(value_check_bind("unix:relative.sock", &err), -1);
	CHECK_INT(value_check_bind("8000", &err), -1);
	CHECK_INT(value_check_bind("host:99999", &err), -1);
	CHECK_INT(value_check_bind("::1:8000", &err), -1);
}

/* Every default in the table parses as its type (profile_load relies on it). */
static void test_table_defaults(void)
{
	size_t i, j;

	for (i = 0; i < profile_nkeys; i++) {
		CHECK(keys_section_known(profile_keys[i].section));
		CHECK(profile_keys[i].help && profile_keys[i].help[0]);
		for (j = 0; j < i; j++)
			CHECK(!(strcmp(profile_keys[i].section, profile_keys[j].section) == 0 &&
				strcmp(profile_keys[i].key, profile_keys[j].key) == 0));
	}
	testutil_write(dir, "minimal.ini", "[app]\nmodule = a.b:app\n");
	{
		struct error err = ERROR_INIT;
		struct profile *p = load("minimal", &err);

		CHECK(p != NULL);
		if (!p)
			return;
		CHECK_INT(p->stage, STAGE_DEVELOPMENT);
		CHECK_INT(p->workers, 0);
		CHECK_INT(p->timeout_ms, 30000);
		CHECK_STR(p->worker_class, "sync");
		CHECK_INT(p->bind.n, 1);
		CHECK_STR(p->bind.v[0], "127.0.0.1:8000");
		CHECK(profile_is_secret(p, "SECRET_KEY"));
		CHECK(profile_is_secret(p, "GITHUB_TOKEN"));
		CHECK(!profile_is_secret(p, "LOG_LEVEL"));
		CHECK_INT(profile_kill_timeout_ms(p), 35000);
		/* root defaults to the profiles directory's parent */
		{
			char *parent = path_dirname(dir);

			CHECK_STR(p->root, parent);
			free(parent);
		}
		CHECK(profile_loc(p, "server", "timeout").file == NULL);
		profile_destroy(p);
	}
}

static void test_extends(void)
{
	struct error err = ERROR_INIT;
	struct profile *p;

	testutil_write(dir, "base.ini",
		   "[app]\nroot = ..\nmodule = webapp.wsgi:app\nvenv = .venv\n"
		   "[server]\nworkers = 3\ntimeout = 10s\nargs = --name 'my app'\n"
		   "[vars]\nA = base\nB = base\n");
	testutil_write(dir, "prod.ini",
		   "; production\n[profile]\nextends = base\nstage = production\n"
		   "[server]\ntimeout = 1m\nbind = 0.0.0.0:8000, unix:/run/a.sock\n"
		   "[vars]\nB = prod\n[env]\nfiles = .env, .env.production\n");
	p = load("prod", &err);
	CHECK(p != NULL);
	if (!p) {
		fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
		return;
	}
	CHECK_INT(p->chain.n, 2);
	CHECK_STR(p->chain.v[0], "base");
	CHECK_STR(p->chain.v[1], "prod");
	CHECK_INT(p->stage, STAGE_PRODUCTION);
	CHECK_INT(p->workers, 3);
	CHECK_INT(p->timeout_ms, 60000);
	CHECK_INT(p->bind.n, 2);
	CHECK_INT(p->args.n, 2);
	CHECK_STR(p->args.v[1], "my app");
	CHECK_INT(p->nvars, 2);
	CHECK_STR(p->vars[1].value, "prod");
	CHECK_INT(p->vars[1].loc.line, 9);
	CHECK_INT(profile_loc(p, "server", "timeout").line, 6);
	CHECK(strstr(profile_loc(p, "server", "timeout").file, "prod.ini") != NULL);
	CHECK_INT(profile_loc(p, "server", "workers").line, 6);
	CHECK(strstr(profile_loc(p, "server", "workers").file, "base.ini") != NULL);
	{
		char *root = path_dirname(dir);
		char *venv = path_join(root, ".venv");
		char *envf = path_join(root, ".env.production");

		CHECK_STR(p->root, root);
		CHECK_STR(p->venv, venv);
		CHECK_STR(p->env_files.v[1], envf);
		CHECK_STR(p->env_files_as_written.v[1], ".env.production");
		free(root);
		free(venv);
		free(envf);
	}
	profile_destroy(p);
	/* a path works too */
	{
		char *path = path_join(dir, "prod.ini");

		p = profile_load(path, NULL, &err);
		CHECK(p != NULL);
		if (p)
			CHECK_STR(p->name, "prod");
		profile_destroy(p);
		free(path);
	}
}

static void test_errors(void)
{
	char *big;
	size_t i;

	testutil_write(dir, "e-section.ini", "[app]\nmodule = a:b\n\n[sever]\nworkers = 2\n");
	expect_error("e-section", 4, "did you mean [server]", "profile.unknown-key");
	testutil_write(dir, "e-key.ini", "[app]\nmodule = a:b\n[server]\nwrokers = 2\n");
	expect_error("e-key", 4, "did you mean 'workers'", "profile.unknown-key");
	testutil_write(dir, "e-key2.ini", "[app]\nmodule = a:b\nbind = 1.2.3.4:80\n");
	expect_error("e-key2", 3, "belongs in [server]", "profile.unknown-key");
	testutil_write(dir, "e-bool.ini", "[app]\nmodule = a:b\n[server]\nreload = maybe\n");
	expect_error("e-bool", 4, "invalid value 'maybe' for [server] reload: expected a boolean",
		     "profile.bad-value");
	testutil_write(dir, "e-int.ini", "[app]\nmodule = a:b\n[server]\nthreads = many\n");
	expect_error("e-int", 4, "[server] threads: expected an integer", "profile.bad-value");
	testutil_write(dir, "e-dur.ini", "[app]\nmodule = a:b\n[server]\ntimeout = 30 seconds\n");
	expect_error("e-dur", 4, "expected a duration", "profile.bad-value");
	testutil_write(dir, "e-size.ini", "[app]\nmodule = a:b\n[server]\nworker_memory = lots\n");
	expect_error("e-size", 4, "expected a size", "profile.bad-value");
	testutil_write(dir, "e-enum.ini", "[app]\nmodule = a:b\nserver = waitress\n");
	expect_error("e-enum", 3, "expected one of: gunicorn, uvicorn", "profile.bad-value");
	testutil_write(dir, "e-workers.ini", "[app]\nmodule = a:b\n[server]\nworkers = -3\n");
	expect_error("e-workers", 4, "expected auto or an integer", "profile.bad-value");
	testutil_write(dir, "e-bind.ini", "[app]\nmodule = a:b\n[server]\nbind = 0.0.0.0:8000, nowhere\n");
	expect_error("e-bind", 4, "'nowhere'", "profile.bad-value");
	testutil_write(dir, "e-words.ini", "[app]\nmodule = a:b\n[server]\nargs = --name 'x\n");
	expect_error("e-words", 4, "unterminated quote", "profile.bad-value");
	testutil_write(dir, "e-tilde.ini", "[app]\nmodule = a:b\n[env]\nfiles = .env, ~/.env\n");
	expect_error("e-tilde", 4, "'~' is not expanded", "profile.bad-value");
	testutil_write(dir, "e-module.ini", "[app]\nmodule = webapp\n");
	expect_error("e-module", 2, "expected MODULE:ATTRIBUTE", "profile.bad-value");
	testutil_write(dir, "e-nomodule.ini", "[server]\nworkers = 2\n");
	expect_error("e-nomodule", 0, "[app] module is not set", "profile.missing-key");
	testutil_write(dir, "e-outside.ini", "module = a:b\n[app]\n");
	expect_error("e-outside", 1, "outside any section", NULL);
	testutil_write(dir, "e-syntax.ini", "[app]\nmodule = a:b\nthis line has no equals\n");
	expect_error("e-syntax", 3, "syntax error", NULL);
	testutil_write(dir, "e-dup.ini", "[app]\nmodule = a:b\nmodule = c:d\n");
	expect_error("e-dup", 3, "duplicate key 'module' in [app] (first set at line 2)", NULL);
	testutil_write(dir, "e-empty.ini", "");
	expect_error("e-empty", 1, "empty profile", NULL);
	testutil_write(dir, "e-nul.ini", "[app]\nmodule = a:b\n\n\x01\x02");
	expect_error("e-nul", 4, "syntax error", NULL);
	testutil_write(dir, "cyc-a.ini", "[profile]\nextends = cyc-b\n[app]\nmodule = a:b\n");
	testutil_write(dir, "cyc-b.ini", "[profile]\n\nextends = cyc-a\n");
	expect_error_in("cyc-a", "cyc-b.ini", 3, "extends cycle", "profile.extends-cycle");
	testutil_write(dir, "e-parent.ini", "[profile]\nextends = nothere\n");
	expect_error("e-parent", 2, "profile not found", "profile.extends-missing");
	for (i = 0; i <= PROFILE_MAX_DEPTH; i++) {
		char name[32], text[96];

		snprintf(name, sizeof(name), "deep%zu.ini", i);
		snprintf(text, sizeof(text), "[profile]\nextends = deep%zu\n[app]\nmodule = a:b\n", i + 1);
		testutil_write(dir, name, text);
	}
	testutil_write(dir, "deep17.ini", "[app]\nmodule = a:b\n");
	expect_error_in("deep0", "deep15.ini", 2, "deeper than 16", "profile.extends-depth");
	/* a 10 MB line */
	big = xmalloc(10 * 1024 * 1024 + 64);
	memcpy(big, "[app]\nmodule = ", 15);
	memset(big + 15, 'x', 10 * 1024 * 1024);
	strcpy(big + 15 + 10 * 1024 * 1024, "\n");
	testutil_write(dir, "e-long.ini", big);
	free(big);
	expect_error("e-long", 0, "too large", NULL);
	big = xmalloc(200 * 1024);
	strcpy(big, "[app]\nmodule = a:b\n[server]\nargs = ");
	memset(big + strlen(big), 'y', 100 * 1024);
	strcpy(big + strlen(big) - 0, "");
	big[35 + 100 * 1024] = '\0';
	strcat(big, "\n");
	testutil_write(dir, "e-line.ini", big);
	free(big);
	expect_error("e-line", 4, "line is too long", NULL);
	/* a directory where the file belongs */
	{
		char *d = path_join(dir, "isdir.ini");

		mkdir(d, 0755);
		free(d);
	}
	expect_error("isdir", 0, "is a directory", NULL);
}

/* Long lines within limits work: inih's 200-byte buffer is not a limit of ours. */
static void test_long_values(void)
{
	struct error err = ERROR_INIT;
	struct profile *p;
	char text[4096], paths[2048];
	size_t i, n = 0;

	for (i = 0; i < 60; i++)
		n += (size_t)snprintf(paths + n, sizeof(paths) - n, "%s/srv/app/dir%02zu", i ? ", " : "", i);
	snprintf(text, sizeof(text),
		 "[app]\nmodule = a:b\n[checks]\nallowed_paths = %s ; a comment\n"
		 "[server]\nargs = --x 1\n  --y 2\n", paths);
	testutil_write(dir, "long.ini", text);
	p = load("long", &err);
	CHECK(p != NULL);
	if (!p) {
		fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
		return;
	}
	CHECK_INT(p->allowed_paths.n, 60);
	CHECK_STR(p->allowed_paths.v[59], "/srv/app/dir59");
	CHECK_INT(p->args.n, 4);
	CHECK_STR(p->args.v[3], "2");
	profile_destroy(p);
}

static void test_workers(void)
{
	struct error err = ERROR_INIT;
	struct profile *p;

	testutil_write(dir, "w.ini", "[app]\nmodule = a:b\n[server]\nworker_class = gthread\n");
	p = load("w", &err);
	CHECK(p && !profile_async_worker(p));
	CHECK(p && profile_auto_workers(p, 2) == 5);
	CHECK(p && profile_auto_workers(p, 64) == 129);
	profile_destroy(p);
	testutil_write(dir, "w2.ini", "[app]\nmodule = a:b\n[server]\nworker_class = uvicorn.workers.UvicornWorker\n");
	p = load("w2", &err);
	CHECK(p && profile_async_worker(p));
	CHECK(p && profile_auto_workers(p, 2) == 2);
	profile_destroy(p);
	testutil_write(dir, "w3.ini", "[app]\nmodule = a:b\nserver = uvicorn\n");
	p = load("w3", &err);
	CHECK(p && profile_auto_workers(p, 4) == 4);
	profile_destroy(p);
}

/* [health] expect: a list of statuses (profiles/value.c), formatted as it parses back. */
static void test_statuses(void)
{
	struct value_statuses e, back;
	struct error err = ERROR_INIT;
	char text[VALUE_STATUSES_TEXT_MAX];

	CHECK_INT(value_parse_statuses("", &e, &err), 0);
	CHECK(value_statuses_match(&e, 200) && value_statuses_match(&e, 299));
	CHECK(!value_statuses_match(&e, 199) && !value_statuses_match(&e, 300));
	value_format_statuses(&e, text, sizeof(text));
	CHECK_STR(text, "2xx");
	CHECK_INT(value_parse_statuses("200, 204", &e, &err), 0);
	CHECK(value_statuses_match(&e, 200) && value_statuses_match(&e, 204));
	CHECK(!value_statuses_match(&e, 201));
	value_format_statuses(&e, text, sizeof(text));
	CHECK_STR(text, "200, 204");
	CHECK_INT(value_parse_statuses("200-204,3xx,599", &e, &err), 0);
	CHECK(value_statuses_match(&e, 203) && value_statuses_match(&e, 301));
	CHECK(value_statuses_match(&e, 599) && !value_statuses_match(&e, 205));
	CHECK(!value_statuses_match(&e, 600) && !value_statuses_match(&e, 0));
	value_format_statuses(&e, text, sizeof(text));
	CHECK_STR(text, "200-204, 3xx, 599");
	CHECK_INT(value_parse_statuses(text, &back, &err), 0);
	CHECK(memcmp(&e, &back, sizeof(e)) == 0);
	CHECK_INT(value_parse_statuses("1xx", &e, &err), 0);
	CHECK(value_statuses_match(&e, 100) && !value_statuses_match(&e, 200));
	/* the longest text: every other status */
	memset(&e, 0, sizeof(e));
	for (int s = 100; s < 600; s += 2)
		e.bits[(s - 100) / 64] |= 1ull << ((s - 100) % 64);
	value_format_statuses(&e, text, sizeof(text));
	CHECK(strlen(text) < sizeof(text) - 1);
	CHECK_INT(value_parse_statuses(text, &back, &err), 0);
	CHECK(memcmp(&e, &back, sizeof(e)) == 0);

	CHECK_INT(value_parse_statuses("200,abc", &e, &err), -1);
	CHECK(strstr(err.message, "'abc'") != NULL);
	CHECK_INT(value_parse_statuses("204-200", &e, &err), -1);
	CHECK_INT(value_parse_statuses("600", &e, &err), -1);
	CHECK_INT(value_parse_statuses("6xx", &e, &err), -1);
	CHECK_INT(value_parse_statuses("200,", &e, &err), -1);
	CHECK_INT(value_parse_statuses("20", &e, &err), -1);
}

int main(void)
{
	RUN(test_statuses);
	testutil_main_dir(dir);
	RUN(test_values);
	RUN(test_table_defaults);
	RUN(test_extends);
	RUN(test_errors);
	RUN(test_long_values);
	RUN(test_workers);
	testutil_remove_tree(dir);
	return T_DONE();
}
