#include "t.h"
#include "testutil.h"
#include "check.h"
#include "env.h"
#include "environ.h"
#include "profile.h"
#include "report.h"
#include "strbuf.h"
#include "util.h"

#include <stdlib.h>

/* Each reported call as "func@LINE:COL FLAGS[ path]", one per line. */
static void collect(void *ctx, const struct env_dotenv_call *c)
{
	struct strbuf *sb = ctx;

	strbuf_addf(sb, "%s@%d:%d", c->func, c->line, c->column);
	if (c->flags & ENV_CALL_NO_PATH)
		strbuf_adds(sb, " nopath");
	if (c->flags & ENV_CALL_RELATIVE)
		strbuf_addf(sb, " relative[%s]", c->path);
	if (c->flags & ENV_CALL_OVERRIDE)
		strbuf_adds(sb, " override");
	if (c->flags & ENV_CALL_USECWD)
		strbuf_adds(sb, " usecwd");
	if (c->flags & ENV_CALL_SEARCH)
		strbuf_adds(sb, " search");
	strbuf_addc(sb, '\n');
}

static struct strbuf out;

static const char *scan(const char *src)
{
	strbuf_reset(&out);
	env_scan_python(src, strlen(src), collect, &out);
	return out.buf;
}

static void test_plain_calls(void)
{
	CHECK_STR(scan("from dotenv import load_dotenv\nload_dotenv()\n"), "load_dotenv@2:1 nopath\n");
	CHECK_STR(scan("import dotenv\ndotenv.load_dotenv('.env')\n"),
		  "load_dotenv@2:8 relative[.env]\n");
	CHECK_STR(scan("cfg = dotenv_values(\".env.production\")\n"),
		  "dotenv_values@1:7 relative[.env.production]\n");
	CHECK_STR(scan("load_dotenv(dotenv_path='config/.env', override=True)\n"),
		  "load_dotenv@1:1 relative[config/.env] override\n");
	CHECK_STR(scan("load_dotenv('/srv/app/.env', override=True)\n"),
		  "load_dotenv@1:1 override\n");
	CHECK_STR(scan("load_dotenv('/srv/app/.env', None, False, True)\n"),
		  "load_dotenv@1:1 override\n");
	CHECK_STR(scan("load_dotenv('/srv/app/.env')\ndotenv_values('/etc/app.env')\n"), "");
	CHECK_STR(scan("load_dotenv(None)\n"), "load_dotenv@1:1 nopath\n");
	/* dotenv_values has no override parameter */
	CHECK_STR(scan("dotenv_values('/x', override=True)\n"), "");
}

static void test_expressions(void)
{
	/* expressions are trusted; Path("...") and os.path.join of literals are judged */
	CHECK_STR(scan("load_dotenv(BASE_DIR / '.env')\n"), "");
	CHECK_STR(scan("load_dotenv(os.path.join(os.path.dirname(__file__), '.env'))\n"), "");
	CHECK_STR(scan("load_dotenv(Path('.env'))\n"), "load_dotenv@1:1 relative[.env]\n");
	CHECK_STR(scan("load_dotenv(pathlib.Path('/srv/.env'))\n"), "");
	CHECK_STR(scan("load_dotenv(os.path.join('conf', '.env'))\n"),
		  "load_dotenv@1:1 relative[conf/.env]\n");
	CHECK_STR(scan("load_dotenv(Path('conf', '/etc/x'))\n"), "");
	CHECK_STR(scan("load_dotenv('con' 'f/.env')\n"), "load_dotenv@1:1 relative[conf/.env]\n");
	CHECK_STR(scan("load_dotenv(f'{ROOT}/.env')\n"), "");
	CHECK_STR(scan("load_dotenv(stream=io.StringIO(text))\n"), "");
	CHECK_STR(scan("load_dotenv(**options)\n"), "");
	CHECK_STR(scan("load_dotenv(*args, override=True)\n"), "load_dotenv@1:1 override\n");
	CHECK_STR(scan("load_dotenv(override=flag)\n"), "load_dotenv@1:1 nopath\n");
	CHECK_STR(scan("load_dotenv(x == '.env')\n"), "");
}

static void test_find_dotenv(void)
{
	CHECK_STR(scan("load_dotenv(find_dotenv())\n"), "find_dotenv@1:13 search\n");
	CHECK_STR(scan("load_dotenv(find_dotenv(usecwd=True), override=True)\n"),
		  "load_dotenv@1:1 override\nfind_dotenv@1:13 usecwd\n");
	CHECK_STR(scan("p = find_dotenv('.env.prod', False, True)\n"), "find_dotenv@1:5 usecwd\n");
	CHECK_STR(scan("p = find_dotenv('/etc/app/.env')\n"), "");
	CHECK_STR(scan("p = find_dotenv(usecwd=cwd_flag)\n"), "");
}

static void test_skipped_text(void)
{
	CHECK_STR(scan("# load_dotenv()\nx = 'load_dotenv()'\ny = \"\"\"\nload_dotenv()\n\"\"\"\n"
		       "z = r'\\' load_dotenv()'\n"), "");
	CHECK_STR(scan("def load_dotenv(path=None):\n    pass\n"), "");
	CHECK_STR(scan("from dotenv import load_dotenv, find_dotenv\n"), "");
	CHECK_STR(scan("s = f'{load_dotenv()}'\n"), "");
	CHECK_STR(scan("s = '''it's'''; load_dotenv()\n"), "load_dotenv@1:17 nopath\n");
	/* an unterminated string ends with its line */
	CHECK_STR(scan("s = 'abc\nload_dotenv()\n"), "load_dotenv@2:1 nopath\n");
	/* unterminated call */
	CHECK_STR(scan("load_dotenv('.env'"), "");
	CHECK_STR(scan("load_dotenv"), "");
}

static void test_multiline(void)
{
	CHECK_STR(scan("if True:\n    load_dotenv(\n        # the stage file\n"
		       "        '.env.production',   # relative!\n"
		       "        override=True,\n    )\n"),
		  "load_dotenv@2:5 relative[.env.production] override\n");
	CHECK_STR(scan("x = 1 + \\\n    2; load_dotenv \\\n  (\n'.env'\n)\n"),
		  "load_dotenv@2:8 relative[.env]\n");
	CHECK_STR(scan("a = 1\r\nb = 2\r\nload_dotenv()\r\n"), "load_dotenv@3:1 nopath\n");
	CHECK_STR(scan("load_dotenv(\n    dotenv_path=(\n        '.env'\n    ),\n)\n"), "");
}

/* ---- composition, as load_dotenv() leaves os.environ ------------------- */

static char tmpl[] = "/tmp/dr-env-XXXXXX";
static const char *tdir;

/* Composes files a.env and b.env (b.env: NULL for one file) with process =
 * mode and the process environment penv; returns "KEY=VALUE@SOURCE;..." of
 * the variables whose names are one capital letter, in order ([vars] V
 * first), a value-less
 * one as "KEY@SOURCE". */
static const char *compose(const char *a, const char *b, const char *mode, char **penv)
{
	struct error err = ERROR_INIT;
	struct environ env;
	struct profile *p;
	char *ini;
	size_t i;

	testutil_write(tdir, "app/a.env", a);
	testutil_write(tdir, "app/b.env", b ? b : "");
	ini = xasprintf("[app]\nroot = app\nmodule = w:app\nrequirements =\n[env]\n"
			"files = a.env%s\nprocess = %s\n[vars]\nV = from-vars\n",
			b ? ", b.env" : "", mode);
	testutil_write(tdir, "p.ini", ini);
	free(ini);
	ini = xasprintf("%s/p.ini", tdir);
	p = profile_load(ini, NULL, &err);
	free(ini);
	CHECK(p != NULL);
	if (!p)
		return "(no profile)";
	environ_compose(&env, p, penv, &err);
	strbuf_reset(&out);
	for (i = 0; i < env.n; i++) {
		const struct env_var *v = &env.vars[i];

		if (strlen(v->key) != 1 || v->key[0] < 'A' || v->key[0] > 'Z')
			continue;
		strbuf_addf(&out, "%s%s%s@%s;", v->key, v->value ? "=" : "",
			    v->value ? v->value : "", v->source);
	}
	environ_finish(&env);
	profile_destroy(p);
	return out.buf;
}

static void test_compose_bare_key(void)
{
	char *none[] = {NULL};
	char *inherited[] = {"B=inh", NULL};

	/* the last binding decides: a bare B sets nothing */
	CHECK_STR(compose("B=2\nB\n", NULL, "wins", none), "V=from-vars@profile;B@a.env:2;");
	CHECK_STR(compose("B=2\nB\n", NULL, "loses", none), "V=from-vars@profile;B@a.env:2;");
	CHECK_STR(compose("B=2\nB\n", NULL, "loses", inherited), "V=from-vars@profile;B=inh@process;");
	CHECK_STR(compose("B\nB=2\n", NULL, "wins", none), "V=from-vars@profile;B=2@a.env:2;");
	/* an earlier file's value stays */
	CHECK_STR(compose("B=1\n", "B=2\nB\n", "loses", none), "V=from-vars@profile;B=1@a.env:1;");
	CHECK_STR(compose("B=1\n", "B=2\nB\n", "wins", none), "V=from-vars@profile;B=1@a.env:1;");
	/* [vars] too */
	CHECK_STR(compose("V=2\nV\n", NULL, "wins", none), "V=from-vars@profile;");
	/* interpolation: python-dotenv's new_values hold None (""), and with
	 * override=False os.environ (the process, the earlier files) comes first */
	CHECK_STR(compose("B=2\nB\nC=${B:-d}\n", NULL, "loses", inherited),
		  "V=from-vars@profile;B=inh@process;C=@a.env:3;");
	CHECK_STR(compose("B=2\nB\nC=${B:-d}\n", NULL, "wins", inherited),
		  "V=from-vars@profile;B=inh@process;C=inh@a.env:3;");
	CHECK_STR(compose("B=1\n", "B=2\nB\nC=${B:-d}\n", "loses", none),
		  "V=from-vars@profile;B=1@a.env:1;C=@b.env:3;");
	CHECK_STR(compose("B=1\n", "B=2\nB\nC=${B:-d}\n", "wins", none),
		  "V=from-vars@profile;B=1@a.env:1;C=1@b.env:3;");
	CHECK_STR(compose("C=1\n", "C=2\nD=${C}\nC\n", "wins", none),
		  "V=from-vars@profile;C=1@a.env:1;D=1@b.env:2;"); /* the value that stays */
	CHECK_STR(compose("C=1\n", "C=2\nD=${C}\nC\n", "loses", none),
		  "V=from-vars@profile;C=1@a.env:1;D=2@b.env:2;");
	CHECK_STR(compose("C=1\n", "C=2\nD=${C}\n", "wins", none), /* deliberate */
		  "V=from-vars@profile;C=2@b.env:1;D=2@b.env:2;");
	/* a bare key of an earlier file is no variable for a later one */
	CHECK_STR(compose("B\n", "C=${B:-d}\n", "loses", none), "V=from-vars@profile;B@a.env:1;C=d@b.env:1;");
	CHECK_STR(compose("B\n", "C=${B:-d}\n", "loses", inherited),
		  "V=from-vars@profile;B=inh@process;C=inh@b.env:1;");
	/* the process against the files */
	CHECK_STR(compose("B=1\n", NULL, "wins", inherited), "V=from-vars@profile;B=inh@process;");
	CHECK_STR(compose("B=1\n", NULL, "loses", inherited), "V=from-vars@profile;B=1@a.env:1;");
	/* deliberate: with wins, the later file beats the earlier one */
	CHECK_STR(compose("B=1\n", "B=2\n", "wins", none), "V=from-vars@profile;B=2@b.env:1;");
}

static void test_compose_refused(void)
{
	char *none[] = {NULL};
	struct error err = ERROR_INIT;
	struct report r;
	struct context ctx = {0};
	struct environ env;
	struct profile *p;
	char *ini;

	/* never composed: not A=B=c in envp */
	CHECK_STR(compose("'A=B'=c\nC=1\n", NULL, "wins", none), "V=from-vars@profile;C=1@a.env:2;");
	/* env.parse, an error even in development */
	testutil_write(tdir, "app/a.env", "'A=B'=c\nC=1\n'E=F'\n");
	ini = xasprintf("%s/d.ini", tdir);
	testutil_write(tdir, "d.ini", "[profile]\nstage = development\n[app]\nroot = app\n"
		       "module = w:app\nrequirements =\n[env]\nfiles = a.env\n");
	p = profile_load(ini, NULL, &err);
	free(ini);
	CHECK(p != NULL);
	if (!p)
		return;
	environ_compose(&env, p, none, &err);
	ctx.profile = p;
	ctx.env = &env;
	report_init(&r, "d");
	env_check_files(&ctx, &r);
	report_cap(&r, "env", REPORT_LEVEL_STAGE); /* development's default */
	CHECK_INT(r.n_findings, 1);
	if (r.n_findings) {
		CHECK_STR(r.findings[0].id, "env.parse");
		CHECK_INT(r.findings[0].line, 1);
		CHECK_INT(r.findings[0].severity, SEVERITY_ERROR);
	}
	report_finish(&r);
	environ_finish(&env);
	profile_destroy(p);
}

int main(void)
{
	strbuf_init(&out);
	tdir = testutil_mkdtemp(tmpl);
	RUN(test_compose_bare_key);
	RUN(test_compose_refused);
	testutil_remove_tree(tdir);
	RUN(test_plain_calls);
	RUN(test_expressions);
	RUN(test_find_dotenv);
	RUN(test_skipped_text);
	RUN(test_multiline);
	strbuf_finish(&out);
	return T_DONE();
}
