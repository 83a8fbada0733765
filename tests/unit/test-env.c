#include "t.h"
#include "env.h"
#include "strbuf.h"

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

int main(void)
{
	strbuf_init(&out);
	RUN(test_plain_calls);
	RUN(test_expressions);
	RUN(test_find_dotenv);
	RUN(test_skipped_text);
	RUN(test_multiline);
	strbuf_finish(&out);
	return T_DONE();
}
