/* The TOML parser (checks/toml.c) on in-memory documents. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "t.h"
#include "toml.h"

static struct toml_value *parse(const char *s, struct error *err)
{
	error_clear(err);
	return toml_parse(s, strlen(s), "t.toml", err);
}

/* The document is refused at line:column with a message holding what. */
static void refused(const char *doc, int line, int column, const char *what)
{
	struct error err = ERROR_INIT;
	struct toml_value *v = parse(doc, &err);

	CHECK(v == NULL);
	toml_value_destroy(v);
	CHECK_STR(err.file, "t.toml");
	CHECK_INT(err.line, line);
	CHECK_INT(err.column, column);
	if (!strstr(err.message, what))
		fprintf(stderr, "  message for %s: %s\n", doc, err.message);
	CHECK(strstr(err.message, what) != NULL);
}

static void test_values(void)
{
	struct error err = ERROR_INIT;
	struct toml_value *root = parse(
		"s = \"a\\tb\\u00e9\"\n"
		"lit = 'C:\\path'\n"
		"ml = \"\"\"\nline1\\\n   line2\"\"\"\n"
		"h = 0xff\n"
		"f = 6.5e-1\n"
		"b = true\n"
		"odt = 1979-05-27T07:32:00.5-07:30\n"
		"ldt = 1979-05-27 07:32:00\n"
		"ld = 1979-05-27\n"
		"lt = 07:32:00.1234567\n"
		"n = \"a\\u0000b\"\n"
		"big = 9223372036854775807\n", &err);
	const struct toml_value *v;

	if (!root)
		fprintf(stderr, "  %s\n", err.message);
	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_STR(toml_get(root, "s")->u.s.ptr, "a\tb\xc3\xa9");
	CHECK_STR(toml_get(root, "lit")->u.s.ptr, "C:\\path");
	CHECK_STR(toml_get(root, "ml")->u.s.ptr, "line1line2");
	toml_value_destroy(root);

	root = parse("h = 0xff\nf = 6.5e-1\nb = true\n"
		     "odt = 1979-05-27T07:32:00.5-07:30\nldt = 1979-05-27 07:32:00\n"
		     "ld = 1979-05-27\nlt = 07:32:00.1234567\nn = \"a\\u0000b\"\n"
		     "big = 9223372036854775807\nneg = -9223372036854775808\n", &err);
	CHECK(root != NULL);
	if (!root)
		return;
	CHECK_INT(toml_get(root, "h")->u.i, 255);
	CHECK(toml_get(root, "h")->type == TOML_INTEGER);
	CHECK(toml_get(root, "f")->type == TOML_FLOAT);
	CHECK(fabs(toml_get(root, "f")->u.f - 0.65) < 1e-12);
	CHECK(toml_get(root, "b")->type == TOML_BOOLEAN && toml_get(root, "b")->u.b);
	v = toml_get(root, "odt");
	CHECK(v->type == TOML_DATETIME);
	CHECK_INT(v->u.dt.offset_minutes, -450);
	CHECK_INT(v->u.dt.microsecond, 500000);
	CHECK(toml_get(root, "ldt")->type == TOML_DATETIME_LOCAL);
	CHECK(toml_get(root, "ld")->type == TOML_DATE_LOCAL);
	v = toml_get(root, "lt");
	CHECK(v->type == TOML_TIME_LOCAL);
	CHECK_INT(v->u.dt.microsecond, 123456);
	v = toml_get(root, "n");
	CHECK_INT(v->u.s.len, 3);
	CHECK(memcmp(v->u.s.ptr, "a\0b", 3) == 0);
	CHECK(toml_get(root, "big")->u.i == INT64_MAX);
	CHECK(toml_get(root, "neg")->u.i == INT64_MIN);
	CHECK_STR(toml_type_name(toml_get(root, "ld")->type), "local date");
	toml_value_destroy(root);
}

static void test_tables(void)
{
	struct error err = ERROR_INIT;
	struct toml_value *root = parse(
		"top = 1\n"
		"\n"
		"[[packages]]\n"
		"name = 'a'\n"
		"wheels = [{name = 'a.whl', hashes = {sha256 = 'x'}}]\n"
		"[[packages]]\n"
		"  name = 'b'\n"
		"  [packages.sdist]\n"
		"  url = 'u'\n"
		"[a.b.c]\n"
		"d.e = 1\n"
		"[a]\n"
		"x = 2\n", &err);
	const struct toml_value *pk, *w;
	const struct toml_kv *kv;

	CHECK(root != NULL);
	if (!root)
		return;
	pk = toml_get(root, "packages");
	CHECK(pk->type == TOML_ARRAY && pk->u.a.n == 2);
	CHECK_INT(pk->u.a.v[0]->line, 3);
	CHECK_INT(pk->u.a.v[1]->line, 6);
	CHECK_STR(toml_get(pk->u.a.v[1], "name")->u.s.ptr, "b");
	kv = toml_get_kv(pk->u.a.v[1], "name");
	CHECK_INT(kv->line, 7);
	CHECK_INT(kv->column, 3);
	CHECK_STR(toml_get(toml_get(pk->u.a.v[1], "sdist"), "url")->u.s.ptr, "u");
	w = toml_get(pk->u.a.v[0], "wheels");
	CHECK(w->type == TOML_ARRAY && w->u.a.n == 1);
	CHECK_STR(toml_get(toml_get(w->u.a.v[0], "hashes"), "sha256")->u.s.ptr, "x");
	CHECK_INT(toml_get(toml_get(toml_get(toml_get(toml_get(root, "a"), "b"), "c"), "d"),
			   "e")->u.i, 1);
	CHECK_INT(toml_get(root, "a")->line, 12); /* the [a] header, after [a.b.c] made it */
	CHECK(toml_get(root, "missing") == NULL);
	CHECK(toml_get(NULL, "x") == NULL);
	CHECK(toml_get(toml_get(root, "top"), "x") == NULL);
	toml_value_destroy(root);
	toml_value_destroy(NULL);
}

static void test_errors(void)
{
	refused("a = 1\na = 2", 2, 1, "defined twice (first on line 1)");
	refused("[a]\nb = 1\n[a]", 3, 2, "already defined (line 1)");
	refused("a.b = 1\n[a]", 2, 2, "already defined");
	refused("[a.b]\nc = 1\n[a]\nb.d = 2", 4, 1, "defined with a header");
	refused("a = {b = 1}\na.c = 2", 2, 1, "inline table");
	refused("a = {b = 1}\n[a.c]", 2, 2, "cannot be extended");
	refused("a = [1]\n[[a]]", 2, 3, "may only add to an array of tables");
	refused("a = {b = 1,}", 1, 12, "expected a key");
	refused("a = \"\\x41\"", 1, 6, "invalid escape");
	refused("a = \"\\uD800\"", 1, 6, "not a Unicode scalar value");
	refused("a = -0x10", 1, 7, "end of the line");
	refused("a = 9223372036854775808", 1, 5, "out of range");
	refused("a = 0x10000000000000000", 1, 5, "out of range");
	refused("a = 1979-02-29", 1, 5, "invalid date");
	refused("a = 0000-01-01", 1, 5, "invalid date");
	refused("a = 07:32:60", 1, 6, "end of the line");
	refused("a = 01", 1, 6, "end of the line");
	refused("a = \"b\x01\"", 1, 7, "control character U+0001 in a string");
	refused("# \x7f\n", 1, 3, "control character U+007F in a comment");
	refused("a = 1\rb = 2", 1, 6, "end of the line");
	refused("\xef\xbb\xbf" "a = 1", 1, 1, "byte order mark");
	refused("a = 1\nb = \"\xc3\x28\"", 2, 6, "invalid UTF-8 (byte 0xC3)");
	refused("a = \"\xed\xa0\x80\"", 1, 6, "invalid UTF-8");
	refused("\xc3\xa9 = \"x\" x", 1, 1, "invalid statement");
	refused("k = \"\xc3\xa9\" x", 1, 9, "end of the line");
	refused("a = \"open\nb = 1", 1, 10, "a newline in a string");
	refused("a = [1, 2", 1, 10, "unclosed array");
	refused("a = ", 1, 5, "expected a value");
	refused("[a", 1, 3, "expected ']'");
	/* CRLF counts as one line end; columns are in characters */
	refused("a = 1\r\nb = 1\r\nb = 2\r\n", 3, 1, "defined twice (first on line 2)");
}

static void test_bounds(void)
{
	struct error err = ERROR_INIT;
	struct strbuf sb;
	struct toml_value *root;
	int i;

	/* nesting: TOML_DEPTH_MAX values deep is accepted, one more is refused */
	strbuf_init(&sb);
	strbuf_adds(&sb, "a = ");
	for (i = 0; i < TOML_DEPTH_MAX - 1; i++)
		strbuf_addc(&sb, '[');
	for (i = 0; i < TOML_DEPTH_MAX - 1; i++)
		strbuf_addc(&sb, ']');
	root = parse(sb.buf, &err);
	CHECK(root != NULL);
	toml_value_destroy(root);
	strbuf_reset(&sb);
	strbuf_adds(&sb, "a = ");
	for (i = 0; i < 10000; i++)
		strbuf_adds(&sb, "{b = [");
	root = parse(sb.buf, &err);
	CHECK(root == NULL);
	CHECK(strstr(err.message, "nested more than 128 deep") != NULL);
	strbuf_reset(&sb);
	for (i = 0; i < 10000; i++)
		strbuf_adds(&sb, "a.");
	strbuf_adds(&sb, "a = 1");
	root = parse(sb.buf, &err);
	CHECK(root == NULL);
	CHECK(strstr(err.message, "nested more than 128 deep") != NULL);

	/* a wide table: hashed lookups, duplicates found among 100000 keys */
	strbuf_reset(&sb);
	for (i = 0; i < 100000; i++)
		strbuf_addf(&sb, "k%d = %d\n", i, i);
	root = parse(sb.buf, &err);
	CHECK(root != NULL);
	if (root) {
		CHECK_INT(root->u.t.n, 100000);
		CHECK_INT(toml_get(root, "k77777")->u.i, 77777);
		CHECK_INT(toml_get_kv(root, "k99999")->line, 100000);
	}
	toml_value_destroy(root);
	strbuf_adds(&sb, "k4242 = 0\n");
	root = parse(sb.buf, &err);
	CHECK(root == NULL);
	CHECK_INT(err.line, 100001);
	strbuf_finish(&sb);
}

int main(void)
{
	RUN(test_values);
	RUN(test_tables);
	RUN(test_errors);
	RUN(test_bounds);
	return T_DONE();
}
