/* Unit tests of profiles/dotenv.c: in-memory buffers, one construct each. */
#include "t.h"
#include "dotenv.h"

#include <stdlib.h>
#include <string.h>

static struct dotenv parse(const char *text)
{
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;

	CHECK_INT(dotenv_parse(text, strlen(text), "t.env", &d, &err), 0);
	return d;
}

/* The value of the last binding of key, "(none)" when absent, "(null)" for no "=". */
static const char *val(const struct dotenv *d, const char *key)
{
	long i = dotenv_find(d, key);

	if (i < 0)
		return "(none)";
	return d->entries[i].value ? d->entries[i].value : "(null)";
}

static void test_basic(void)
{
	struct dotenv d = parse("A=1\nB = two words \n\n  C=3\nexport D=4\nexport\tE=5\n");

	CHECK_INT(d.n, 5);
	CHECK_INT(d.nproblems, 0);
	CHECK_STR(val(&d, "A"), "1");
	CHECK_STR(val(&d, "B"), "two words");
	CHECK_STR(val(&d, "C"), "3");
	CHECK_STR(val(&d, "D"), "4");
	CHECK_STR(val(&d, "E"), "5");
	CHECK_INT(d.entries[0].line, 1);
	CHECK_INT(d.entries[2].line, 4);
	CHECK_INT(d.entries[4].line, 6);
	dotenv_finish(&d);
	dotenv_finish(&d);
	dotenv_finish(NULL);
}

static void test_export(void)
{
	struct dotenv d = parse("export\nexportX=1\nexport=2\n");

	CHECK_STR(val(&d, "export"), "2");
	CHECK_STR(val(&d, "exportX"), "1");
	CHECK_INT(d.n, 3);
	CHECK(d.entries[0].value == NULL);
	dotenv_finish(&d);
}

static void test_no_value_and_empty(void)
{
	struct dotenv d = parse("A\nB=\nC= \nD= # comment\nE # comment\n");

	CHECK_STR(val(&d, "A"), "(null)");
	CHECK(!d.entries[0].interpolate);
	CHECK_STR(val(&d, "B"), "");
	CHECK_STR(val(&d, "C"), "");
	CHECK_STR(val(&d, "D"), "# comment"); /* as python-dotenv */
	CHECK_STR(val(&d, "E"), "(null)");
	CHECK_INT(d.nproblems, 0);
	dotenv_finish(&d);
}

static void test_unquoted_comments(void)
{
	struct dotenv d = parse("A=a#b\nB=a #b\nC=a\t# b # c\nD=#x\nE=x  \n# whole line\n");

	CHECK_STR(val(&d, "A"), "a#b");
	CHECK_STR(val(&d, "B"), "a");
	CHECK_STR(val(&d, "C"), "a");
	CHECK_STR(val(&d, "D"), "#x");
	CHECK_STR(val(&d, "E"), "x");
	CHECK_INT(d.n, 5);
	CHECK_INT(d.entries[0].quote, 0);
	dotenv_finish(&d);
}

static void test_single_quotes(void)
{
	struct dotenv d = parse("A='lit \\n ${X} \\' \\\\ \\q'\nB='x' # c\nC=''\n");

	CHECK_STR(val(&d, "A"), "lit \\n ${X} ' \\ \\q");
	CHECK_INT(d.entries[0].quote, '\'');
	CHECK(d.entries[0].interpolate); /* python-dotenv 0.21 interpolates them too */
	CHECK_STR(val(&d, "B"), "x");
	CHECK_STR(val(&d, "C"), "");
	dotenv_finish(&d);
}

static void test_double_quotes(void)
{
	struct dotenv d = parse("A=\"\\\\ \\' \\\" \\a\\b\\f\\n\\r\\t\\v \\x \\u00e9\"\n");

	CHECK_STR(val(&d, "A"), "\\ ' \" \a\b\f\n\r\t\v \\x \\u00e9");
	CHECK_INT(d.entries[0].quote, '"');
	dotenv_finish(&d);
}

static void test_multiline(void)
{
	struct dotenv d = parse("A=\"one\ntwo\"\n'k\ney'='x\ny'\nB=after\n");

	CHECK_STR(val(&d, "A"), "one\ntwo");
	CHECK_STR(val(&d, "k\ney"), "x\ny");
	CHECK_STR(val(&d, "B"), "after");
	CHECK_INT(d.entries[0].line, 1);
	CHECK_INT(d.entries[1].line, 3);
	CHECK_INT(d.entries[2].line, 6);
	dotenv_finish(&d);
}

static void test_backtracking_quote(void)
{
	/* No unescaped closing quote: the last \' of the file closes it. */
	struct dotenv d = parse("A='a\\'\nB=2\n");

	CHECK_STR(val(&d, "A"), "a\\");
	CHECK_STR(val(&d, "B"), "2");
	dotenv_finish(&d);
	d = parse("A=\"a\\\\\"\nB=\"x\"\n");
	/* "a\\" then B="x": the first unescaped quote is B's opening one */
	CHECK_INT(d.n, 0);
	CHECK_INT(d.nproblems, 1);
	CHECK_INT(d.problems[0].start_line, 1);
	CHECK_INT(d.problems[0].line, 2);
	CHECK_INT(d.problems[0].column, 4);
	dotenv_finish(&d);
}

static void test_problems(void)
{
	struct dotenv d = parse("=1\nA B\nC=\"x\" junk\nD='open\n\nE=5\n'\n  F G\nexport \n''=1\n");

	/* D's value runs from line 4 to the quote on line 7 */
	CHECK_STR(val(&d, "D"), "open\n\nE=5\n");
	CHECK_INT(d.n, 1);
	CHECK_INT(d.nproblems, 6);
	CHECK_INT(d.problems[0].line, 1);
	CHECK_INT(d.problems[0].column, 1);
	CHECK_STR(d.problems[0].message, "expected a variable name");
	CHECK_INT(d.problems[1].line, 2);
	CHECK_INT(d.problems[1].column, 3);
	CHECK(strstr(d.problems[1].message, "\"=\"") != NULL);
	CHECK_INT(d.problems[2].line, 3);
	CHECK_INT(d.problems[2].column, 7);
	CHECK(strstr(d.problems[2].message, "closing quote") != NULL);
	CHECK_INT(d.problems[3].line, 8);
	CHECK_INT(d.problems[3].column, 5);
	CHECK_INT(d.problems[4].line, 9);
	CHECK_INT(d.problems[4].column, 8);
	CHECK_INT(d.problems[5].line, 10);
	CHECK_STR(d.problems[5].message, "empty quoted key");
	dotenv_finish(&d);

	d = parse("A=1\nB=\"never closed\nC=3\n");
	CHECK_INT(d.nproblems, 1);
	CHECK_INT(d.problems[0].line, 2);
	CHECK_INT(d.problems[0].column, 3);
	CHECK(strstr(d.problems[0].message, "unterminated double-quoted") != NULL);
	CHECK_STR(val(&d, "C"), "3");
	dotenv_finish(&d);

	d = parse("'key\nA=1\n");
	CHECK_INT(d.nproblems, 1);
	CHECK(strstr(d.problems[0].message, "unterminated quoted key") != NULL);
	CHECK_STR(val(&d, "A"), "1");
	dotenv_finish(&d);
}

static void test_encoding(void)
{
	static const char text[] = "\xef\xbb\xbf" "A=1\r\nB=2\rC=\xff\nD=\0x\nE=\xc3\xa9\n";
	struct dotenv d = DOTENV_INIT;
	struct error err = ERROR_INIT;

	CHECK_INT(dotenv_parse(text, sizeof(text) - 1, "t.env", &d, &err), 0);
	CHECK_INT(d.encoding.bom, 1);
	CHECK_INT(d.encoding.crlf_line, 1);
	CHECK_INT(d.encoding.cr_line, 2);
	CHECK_INT(d.encoding.invalid_utf8_line, 3);
	CHECK_INT(d.encoding.nul_line, 4);
	/* the byte order mark stays in the first key, as in python-dotenv */
	CHECK_STR(val(&d, "\xef\xbb\xbf" "A"), "1");
	CHECK_STR(val(&d, "A"), "(none)");
	CHECK_STR(val(&d, "B"), "2");
	CHECK_STR(val(&d, "C"), "\xff");
	CHECK_STR(val(&d, "D"), "");      /* NUL ends the value */
	CHECK_STR(val(&d, "E"), "\xc3\xa9");
	CHECK_INT(d.entries[4].line, 5);
	dotenv_finish(&d);

	d = parse("A=1\n\xed\xa0\x80\n");  /* a UTF-8 encoded surrogate */
	CHECK_INT(d.encoding.invalid_utf8_line, 2);
	CHECK_INT(d.encoding.bom + d.encoding.crlf_line + d.encoding.cr_line, 0);
	dotenv_finish(&d);
}

static void test_unicode_space(void)
{
	/* U+00A0 before # starts a comment; U+3000 is stripped; U+2028 is no line */
	struct dotenv d = parse("A=x\xc2\xa0#c\nB=\xe3\x80\x80v\xe3\x80\x80\nC=a\xe2\x80\xa8" "b\n");

	CHECK_STR(val(&d, "A"), "x");
	CHECK_STR(val(&d, "B"), "v");
	CHECK_STR(val(&d, "C"), "a\xe2\x80\xa8" "b");
	CHECK_INT(d.entries[2].line, 3);
	dotenv_finish(&d);
}

struct kv {
	const char *name, *value;
	bool has_value;
};

static bool lookup_table(void *ctx, const char *name, const char **value)
{
	const struct kv *t;

	for (t = ctx; t->name; t++) {
		if (strcmp(t->name, name) == 0) {
			*value = t->has_value ? t->value : NULL;
			return true;
		}
	}
	return false;
}

static void test_expand(void)
{
	static const struct kv env[] = {
		{"A", "a", true}, {"EMPTY", "", true}, {"NOVAL", NULL, false}, {"", "blank", true},
		{NULL, NULL, false},
	};
	void *ctx = (void *)env;
	char *s;

#define EXPANDS(in, out) do { s = dotenv_expand(in, lookup_table, ctx); CHECK_STR(s, out); \
	free(s); } while (0)
	EXPANDS("${A}", "a");
	EXPANDS("x${A}y${A}z", "xayaz");
	EXPANDS("${A:-d}", "a");
	EXPANDS("${U:-d}", "d");
	EXPANDS("${U}", "");
	EXPANDS("${U:-}", "");
	EXPANDS("${EMPTY:-d}", "");      /* set but empty: no default */
	EXPANDS("${NOVAL:-d}", "");      /* declared without "=": no default */
	EXPANDS("${}", "blank");
	EXPANDS("${:-z}", "blank");
	EXPANDS("$A ${A-x} ${A:=x} ${A:x}", "$A  ${A:=x} ${A:x}");
	EXPANDS("${A", "${A");
	EXPANDS("${A:-x", "${A:-x");
	EXPANDS("$${A}}", "$a}");
	EXPANDS("${${A}}", "}");          /* name "${A" is not defined */
	EXPANDS("${U:-a:b${c}", "a:b${c");
	EXPANDS("", "");
#undef EXPANDS
}

static bool lookup_environ(void *ctx, const char *name, const char **value)
{
	return lookup_table(ctx, name, value);
}

static void test_values(void)
{
	static const struct kv env[] = {{"E", "env", true}, {NULL, NULL, false}};
	struct dotenv d = parse("A=1\nB=${A}\nE=file\nC=${E}\nA=2\nN\nD=${N:-dflt}\nQ='${A}'\n");
	struct dotenv v = DOTENV_INIT;

	dotenv_values(&d, true, true, lookup_environ, (void *)env, &v);
	CHECK_INT(v.n, 7);
	CHECK_STR(v.entries[0].key, "A");   /* first position, last value */
	CHECK_STR(v.entries[0].value, "2");
	CHECK_INT(v.entries[0].line, 5);
	CHECK_STR(val(&v, "B"), "1");
	CHECK_STR(val(&v, "C"), "file");   /* override: the file's E wins */
	CHECK_STR(val(&v, "D"), "");
	CHECK_STR(val(&v, "Q"), "2");
	CHECK_STR(val(&v, "N"), "(null)");
	dotenv_finish(&v);

	dotenv_values(&d, true, false, lookup_environ, (void *)env, &v);
	CHECK_STR(val(&v, "C"), "env");    /* no override: the environment wins */
	CHECK_STR(val(&v, "E"), "file");   /* but the file's own value is kept */
	dotenv_finish(&v);

	dotenv_values(&d, false, true, lookup_environ, (void *)env, &v);
	CHECK_STR(val(&v, "B"), "${A}");
	CHECK_STR(val(&v, "Q"), "${A}");
	dotenv_finish(&v);

	dotenv_values(&d, true, true, NULL, NULL, &v);
	CHECK_STR(val(&v, "C"), "file");
	dotenv_finish(&v);
	dotenv_finish(&d);
}

static void test_values_many(void)
{
	struct dotenv d = DOTENV_INIT, v = DOTENV_INIT;
	struct error err = ERROR_INIT;
	char *text = malloc(2000 * 24), *p = text;
	int i;

	for (i = 0; i < 2000; i++)
		p += sprintf(p, "K%d=${K%d}x\n", i % 700, i % 700 ? i % 700 - 1 : 0);
	CHECK_INT(dotenv_parse(text, (size_t)(p - text), "t.env", &d, &err), 0);
	dotenv_values(&d, true, true, NULL, NULL, &v);
	CHECK_INT(d.n, 2000);
	CHECK_INT(v.n, 700);
	CHECK_STR(v.entries[0].key, "K0");
	CHECK_INT(strlen(val(&v, "K0")), 3);
	CHECK_INT(strlen(val(&v, "K699")), 701);
	free(text);
	dotenv_finish(&d);
	dotenv_finish(&v);
}

int main(void)
{
	RUN(test_basic);
	RUN(test_export);
	RUN(test_no_value_and_empty);
	RUN(test_unquoted_comments);
	RUN(test_single_quotes);
	RUN(test_double_quotes);
	RUN(test_multiline);
	RUN(test_backtracking_quote);
	RUN(test_problems);
	RUN(test_encoding);
	RUN(test_unicode_space);
	RUN(test_expand);
	RUN(test_values);
	RUN(test_values_many);
	return T_DONE();
}
