/*
 * checks/pysource: the tokenizer, string literals, calls and their
 * arguments, top-level assignments (in-memory buffers), and the walk with
 * its skip list (a temporary tree).
 */
#include "t.h"
#include "testutil.h"
#include "pysource.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The tokens of src, one "KIND:TEXT@LINE:COLUMN" each, space-separated;
 * NEWLINE is "NL@LINE:COLUMN". */
static char *tokens(const char *src)
{
	static const char kinds[] = "ENUSOL";
	struct pysource_lexer lx;
	struct pysource_token t;
	struct strbuf sb;
	int guard = 0;

	strbuf_init(&sb);
	pysource_lexer_init(&lx, src, strlen(src));
	for (pysource_next(&lx, &t); t.kind != PYSOURCE_END && guard < 1000;
	     pysource_next(&lx, &t), guard++) {
		if (sb.len)
			strbuf_addc(&sb, ' ');
		if (t.kind == PYSOURCE_NEWLINE)
			strbuf_addf(&sb, "NL@%d:%d", t.line, t.column);
		else
			strbuf_addf(&sb, "%c:%.*s@%d:%d", kinds[t.kind], (int)(t.end - t.start),
				    src + t.start, t.line, t.column);
	}
	CHECK(guard < 1000);
	return strbuf_detach(&sb);
}

#define CHECK_TOKENS(src, want) do { char *t_got = tokens(src); CHECK_STR(t_got, want); \
	free(t_got); } while (0)

static void test_tokens(void)
{
	CHECK_TOKENS("", "");
	CHECK_TOKENS("# only a comment\n\n   \n", "");
	CHECK_TOKENS("x = 1\n", "N:x@1:1 O:=@1:3 U:1@1:5 NL@1:6");
	CHECK_TOKENS("x=1", "N:x@1:1 O:=@1:2 U:1@1:3 NL@1:4");
	/* brackets hold the line open; a continuation too */
	CHECK_TOKENS("f(a,\n  b)\ny", "N:f@1:1 O:(@1:2 N:a@1:3 O:,@1:4 N:b@2:3 O:)@2:4 NL@2:5 "
		     "N:y@3:1 NL@3:2");
	CHECK_TOKENS("a = \\\n  b\n", "N:a@1:1 O:=@1:3 N:b@2:3 NL@2:4");
	/* CRLF and a lone CR are line breaks, as the compiler reads them */
	CHECK_TOKENS("a\r\nb\rc", "N:a@1:1 NL@1:2 N:b@2:1 NL@2:2 N:c@3:1 NL@3:2");
	/* operators of two and three bytes */
	CHECK_TOKENS("a==b**=c->d...", "N:a@1:1 O:==@1:2 N:b@1:4 O:**=@1:5 N:c@1:8 O:->@1:9 "
		     "N:d@1:11 O:...@1:12 NL@1:15");
	/* numbers with exponents, hex, underscores */
	CHECK_TOKENS("1e-5+0x1e-1_0j", "U:1e-5@1:1 O:+@1:5 U:0x1e@1:6 O:-@1:10 U:1_0j@1:11 "
		     "NL@1:15");
	/* non-ASCII identifiers stay one NAME */
	CHECK_TOKENS("\xc3\xb1" "ame = 1", "N:\xc3\xb1" "ame@1:1 O:=@1:7 U:1@1:9 NL@1:10");
	/* a closing bracket without an opening one does not go below zero */
	CHECK_TOKENS(")\nx", "O:)@1:1 NL@1:2 N:x@2:1 NL@2:2");
}

static void test_strings(void)
{
	struct pysource_lexer lx;
	struct pysource_token t;
	const char *s;

	CHECK_TOKENS("'a' \"b\"", "S:'a'@1:1 S:\"b\"@1:5 NL@1:8");
	CHECK_TOKENS("rb'x' Rb'y' bR'z' F'w' fr'v' U'u'",
		     "S:rb'x'@1:1 S:Rb'y'@1:7 S:bR'z'@1:13 S:F'w'@1:19 S:fr'v'@1:24 "
		     "S:U'u'@1:30 NL@1:34");
	/* not prefixes: a NAME, then the string */
	CHECK_TOKENS("ub'x' bf'y' rr'z' x'w'", "N:ub@1:1 S:'x'@1:3 N:bf@1:7 S:'y'@1:9 "
		     "N:rr@1:13 S:'z'@1:15 N:x@1:19 S:'w'@1:20 NL@1:23");
	/* triple quotes span lines and hold single quotes */
	CHECK_TOKENS("x = '''a\n'b'\n\"\"'''\ny", "N:x@1:1 O:=@1:3 S:'''a\n'b'\n\"\"'''@1:5 "
		     "NL@3:6 N:y@4:1 NL@4:2");
	/* escapes: also in raw strings a backslash keeps the quote */
	CHECK_TOKENS("r'\\'' '\\\\'", "S:r'\\''@1:1 S:'\\\\'@1:7 NL@1:11");
	/* a backslash-newline continues a single-quoted string */
	CHECK_TOKENS("'a\\\nb' c", "S:'a\\\nb'@1:1 N:c@2:4 NL@2:5");
	/* comments are not strings, strings hold no comments */
	CHECK_TOKENS("# 'x'\n'# y'", "S:'# y'@2:1 NL@2:6");
	/* an f-string is one token (3.11), its nested quotes included */
	CHECK_TOKENS("f\"{d['k']}\"", "S:f\"{d['k']}\"@1:1 NL@1:12");

	/* the prefix flags and the body */
	s = "Rb'\\d' f\"{x}\" 'open";
	pysource_lexer_init(&lx, s, strlen(s));
	pysource_next(&lx, &t);
	CHECK(t.kind == PYSOURCE_STRING && t.raw && t.bytes && !t.fstring && !t.unterminated);
	CHECK_INT(t.body, 3);
	CHECK_INT(t.body_end, 5);
	pysource_next(&lx, &t);
	CHECK(t.kind == PYSOURCE_STRING && !t.raw && t.fstring);
	pysource_next(&lx, &t);
	/* unterminated: it ends with its line (here the buffer) */
	CHECK(t.kind == PYSOURCE_STRING && t.unterminated);
	CHECK_INT(t.body_end, strlen(s));
	s = "x = 'open\ny = 2";
	CHECK_TOKENS(s, "N:x@1:1 O:=@1:3 S:'open@1:5 NL@1:10 N:y@2:1 O:=@2:3 U:2@2:5 NL@2:6");
	s = "'''never closed\n\nx";
	CHECK_TOKENS(s, "S:'''never closed\n\nx@1:1 NL@3:2");
	/* not NUL-terminated: the length decides */
	pysource_lexer_init(&lx, "'ab'cd", 3);
	pysource_next(&lx, &t);
	CHECK(t.kind == PYSOURCE_STRING && t.unterminated && t.end == 3);
}

struct lits {
	struct strv v;
	int stop_after;
};

static int on_literal(void *data, const char *buf, const struct pysource_token *t)
{
	struct lits *l = data;

	strv_pushf(&l->v, "%d:%d:%s%.*s", t->line, t->column, t->raw ? "r:" : "",
		   (int)(t->body_end - t->body), buf + t->body);
	return l->stop_after && (int)l->v.n >= l->stop_after;
}

static void test_literals(void)
{
	const char *src = "import os\n# '/home/no'\nA = '/home/a'  # x\nB = (r'C:\\Users'\n"
			  "     \"/root\")\ndef f():\n    return f'/tmp/{x}'\n";
	struct lits l = {STRV_INIT, 0};

	pysource_literals(src, strlen(src), on_literal, &l);
	CHECK_STRV(l.v.v, l.v.n, "3:5:/home/a", "4:6:r:C:\\Users", "5:6:/root", "7:12:/tmp/{x}");
	strv_finish(&l.v);
	l.stop_after = 2;
	pysource_literals(src, strlen(src), on_literal, &l);
	CHECK_INT(l.v.n, 2); /* a non-zero return stops the scan */
	strv_finish(&l.v);
}

static void on_call(void *data, const struct pysource_lexer *lx, const struct pysource_call *c)
{
	struct strv *out = data;
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	strbuf_addf(&sb, "%s@%d:%d pos=%d%s", c->func, c->name.line, c->name.column, c->npos,
		    c->star ? " star" : "");
	for (i = 0; i < c->n; i++)
		if (c->a[i].is_kw)
			strbuf_addf(&sb, " %.*s=%zu", (int)(c->a[i].kw.end - c->a[i].kw.start),
				    lx->s + c->a[i].kw.start, c->a[i].n);
		else
			strbuf_addf(&sb, " [%d]=%zu", c->a[i].pos, c->a[i].n);
	strv_push_owned(out, strbuf_detach(&sb));
}

static void test_calls(void)
{
	static const char *const funcs[] = {"load_dotenv", "find_dotenv", NULL};
	const char *src =
		"from dotenv import load_dotenv, find_dotenv\n"        /* 1: not calls */
		"load_dotenv()\n"                                       /* 2 */
		"dotenv.load_dotenv('.env', override=True)\n"           /* 3 */
		"def load_dotenv(path=None):\n"                         /* 4: a definition */
		"    pass\n"
		"class find_dotenv(Base):\n"                            /* 6: a class */
		"    pass\n"
		"load_dotenv\n"                                         /* 8: two statements */
		"(1)\n"
		"find_dotenv(\n  usecwd=True,\n)\n"                     /* 10 */
		"load_dotenv(*a, **k)\n"                                /* 13 */
		"load_dotenv(lambda a, b: a, x for x, y in z)\n"        /* 14 */
		"load_dotenv(f(a, b), [1, 2], {'k': (3, 4)}, a == b)\n" /* 15 */
		"# load_dotenv() in a comment\n"
		"s = 'load_dotenv()'\n"
		"load_dotenv(1, 2, 3, 4, 5, 6, 7, 8, 9, k=1)\n"         /* 18 */
		"load_dotenv(x";                                        /* 19: never closed */
	struct strv out = STRV_INIT;

	pysource_calls(src, strlen(src), funcs, on_call, &out);
	CHECK_STRV(out.v, out.n,
		   "load_dotenv@2:1 pos=0",
		   "load_dotenv@3:8 pos=1 [0]=1 override=1",
		   "find_dotenv@10:1 pos=0 usecwd=1",
		   "load_dotenv@13:1 pos=0 star",
		   /* the lambda's commas (until its colon) and the generator's split nothing */
		   "load_dotenv@14:1 pos=2 [0]=6 [1]=7",
		   "load_dotenv@15:1 pos=4 [0]=6 [1]=5 [2]=9 [3]=3",
		   /* more than PYSOURCE_CALL_ARGS: counted, the first ones kept */
		   "load_dotenv@18:1 pos=9 [0]=1 [1]=1 [2]=1 [3]=1 [4]=1 [5]=1 [6]=1 [7]=1");
	strv_finish(&out);

	/* nested calls in one pass, given in the order they start; deeper than
	 * PYSOURCE_CALLS_NESTED they are not followed */
	src = "load_dotenv(find_dotenv(usecwd=True), override=find_dotenv(x))";
	pysource_calls(src, strlen(src), funcs, on_call, &out);
	CHECK_STRV(out.v, out.n, "load_dotenv@1:1 pos=1 [0]=6 override=4",
		   "find_dotenv@1:13 pos=0 usecwd=1", "find_dotenv@1:48 pos=1 [0]=1");
	strv_finish(&out);
	{
		struct strbuf deep;
		int i;

		strbuf_init(&deep);
		for (i = 0; i < 1000; i++)
			strbuf_adds(&deep, "load_dotenv(");
		for (i = 0; i < 1000; i++)
			strbuf_addc(&deep, ')');
		pysource_calls(deep.buf, deep.len, funcs, on_call, &out);
		CHECK_INT(out.n, PYSOURCE_CALLS_NESTED);
		if (out.n)
			CHECK_STR(out.v[0], "load_dotenv@1:1 pos=1 [0]=2997");
		strv_finish(&out);
		strbuf_finish(&deep);
	}
}

static void on_assign(void *data, const char *target, const char *callee, int line)
{
	strv_pushf(data, "%d %s=%s", line, target, callee);
}

static void test_assignments(void)
{
	const char *src =
		"\"\"\"Docs:\n"
		"app = Flask(__name__)\n"                 /* 2: in a docstring */
		"\"\"\"\n"
		"app = Flask(__name__)\n"                 /* 4 */
		"api: FastAPI = fastapi.FastAPI(\n"       /* 5 */
		"    title='x',\n)\n"
		"x = 1; asgi = falcon . asgi . App()\n"   /* 8: after ';', blanks dropped */
		"if True: app2 = Flask()\n"               /* 9: a compound statement */
		"if x:\n    app3 = Flask()\n"             /* 10: indented */
		"app4 = Flask(__name__).wsgi_app\n"       /* 12: the call does not end it */
		"app5 = b = Flask()\n"                    /* 13: two targets */
		"app6 = Flask()  # comment\n"             /* 14 */
		"app7 = (\n    Flask()\n)\n"              /* 15: parentheses */
		"else_ = 1\n"
		"else: app8 = Flask()\n"                  /* 19: a keyword line */
		"app9 += Flask()\n"                       /* 20: augmented */
		"d: dict[str, int] = dict(a=1)\n"         /* 21 */
		"app10 = Flask(";                         /* 22: never closed */
	struct strv out = STRV_INIT;

	pysource_assignments(src, strlen(src), on_assign, &out);
	CHECK_STRV(out.v, out.n, "4 app=Flask", "5 api=fastapi.FastAPI", "8 asgi=falcon.asgi.App",
		   "14 app6=Flask", "15 app7=Flask", "21 d=dict");
	strv_finish(&out);
}

static void test_skip_list(void)
{
	CHECK(pysource_skip_dir(".venv"));
	CHECK(pysource_skip_dir(".git"));
	CHECK(pysource_skip_dir("__pycache__"));
	CHECK(pysource_skip_dir("site-packages"));
	CHECK(pysource_skip_dir("node_modules"));
	CHECK(pysource_skip_dir("vendored"));
	CHECK(pysource_skip_dir("third-party"));
	CHECK(pysource_skip_dir("tests"));
	CHECK(pysource_skip_dir("test"));
	CHECK(!pysource_skip_dir("webapp"));
	CHECK(!pysource_skip_dir("testing"));
	CHECK(!pysource_skip_dir("build"));
	CHECK(pysource_skip_file("test_app.py"));
	CHECK(pysource_skip_file("app_test.py"));
	CHECK(pysource_skip_file("conftest.py"));
	CHECK(!pysource_skip_file("contest.py"));
	CHECK(!pysource_skip_file("testing.py"));
}

static void on_file(void *data, const struct pysource_file *f)
{
	CHECK(f->buf[f->len] == '\0');
	CHECK(str_ends_with(f->path, f->rel));
	strv_pushf(data, "%s:%zu", f->rel, f->len);
}

static void test_walk(void)
{
	char tmpl[] = "/tmp/test-pysource.XXXXXX";
	char *dir = testutil_mkdtemp(tmpl);
	_cleanup_free_ char *venv = path_join(dir, "env");
	_cleanup_free_ char *link = path_join(dir, "linked");
	_cleanup_free_ char *flink = path_join(dir, "linked.py");
	_cleanup_free_ char *withslash = xasprintf("%s/", dir);
	struct pysource_walk w = {0};
	struct strv out = STRV_INIT;
	const char *files[] = {
		"wsgi.py", "b/__init__.py", "b/a.py", "b/c/deep.py", "a.py", "notes.txt",
		"tests/t.py", "webapp/test_x.py", "webapp/conftest.py", ".hidden/h.py",
		"env/lib/e.py", "other/pyvenv.cfg", "other/o.py", "__pycache__/x.py",
		"vendored/v.py",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		testutil_write(dir, files[i], "x = 1\n");
	CHECK(symlink("b", link) == 0);
	CHECK(symlink("a.py", flink) == 0);

	w.root = withslash;
	w.venv = venv;
	CHECK_INT(pysource_walk(&w, on_file, &out), 0);
	/* sorted, directory by directory; symlinks not followed */
	CHECK_STRV(out.v, out.n, "a.py:6", "b/__init__.py:6", "b/a.py:6", "b/c/deep.py:6",
		   "wsgi.py:6");
	CHECK_INT(w.files, 5);
	CHECK(!w.truncated);
	strv_finish(&out);

	/* depth 1: the root and its direct subdirectories */
	w.max_depth = 1;
	w.venv = NULL;
	CHECK_INT(pysource_walk(&w, on_file, &out), 0);
	CHECK_INT(out.n, 4);
	CHECK(strv_find(&out, "b/c/deep.py:6") < 0);
	CHECK(strv_find(&out, "env/lib/e.py:6") < 0);
	strv_finish(&out);

	w.root = "/nonexistent/pysource";
	CHECK_INT(pysource_walk(&w, on_file, &out), -1);
	CHECK_INT(out.n, 0);
	testutil_remove_tree(dir);
}

int main(void)
{
	RUN(test_tokens);
	RUN(test_strings);
	RUN(test_literals);
	RUN(test_calls);
	RUN(test_assignments);
	RUN(test_skip_list);
	RUN(test_walk);
	return T_DONE();
}
