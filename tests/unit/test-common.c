#include "t.h"
#include "arena.h"
#include "error.h"
#include "hash.h"
#include "path.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"
#include "fileio.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

static void test_error(void)
{
	struct error err = ERROR_INIT;
	char line[2048];

	CHECK(!error_is_set(&err));
	CHECK_INT(error_at(&err, "p.ini", 3, 0, "bad value %s", "x"), -1);
	error_prefix(&err, "in [server]");
	error_format(&err, line, sizeof(line));
	CHECK_STR(line, "p.ini:3: error: in [server]: bad value x");
	error_set(&err, 2, "cannot open");
	error_format(&err, line, sizeof(line));
	CHECK_STR(line, "error: cannot open: No such file or directory");
}

/* error_print() never passes an escape sequence quoted from the input to the terminal. */
static void test_error_print_controls(void)
{
	struct error err = ERROR_INIT;
	char out[256] = "";
	FILE *f = fmemopen(out, sizeof(out) - 1, "w");

	CHECK(f != NULL);
	error_at(&err, "p\033]0;x\007.ini", 3, 0, "unknown key '%s'",
		 "a\033[2J\tb\177\xc2\x9b" "1m\xc3\xa9");
	error_print(&err, f);
	fclose(f);
	CHECK_STR(out, "deploy-run: p?]0;x?.ini:3: error: unknown key 'a?[2J\tb???1m\xc3\xa9'\n");
	error_format(&err, out, sizeof(out));
	CHECK_STR(out, "p?]0;x?.ini:3: error: unknown key 'a?[2J\tb???1m\xc3\xa9'");
	snprintf(out, sizeof(out), "%s", "line\none\r\x1b\xc2\x85\xc2\xa0");
	error_mask_controls(out);
	CHECK_STR(out, "line?one????\xc2\xa0");
}

static void test_path(void)
{
	CHECK_STR_FREE(path_normalize("/a/./b/../c//d/"), "/a/c/d");
	CHECK_STR_FREE(path_normalize("../x/../../y"), "../../y");
	CHECK_STR_FREE(path_normalize("/.."), "/");
	CHECK_STR_FREE(path_normalize("a/.."), ".");
	CHECK_STR_FREE(path_absolute("..", "/srv/app/profiles"), "/srv/app");
	CHECK_STR_FREE(path_join("/srv", "/etc"), "/etc");
	CHECK_STR_FREE(path_dirname("/srv/app/x.ini"), "/srv/app");
	CHECK_STR_FREE(path_dirname("x.ini"), ".");
	CHECK_STR(path_basename("/a/b.ini"), "b.ini");
	CHECK(path_is_dot("."));
	CHECK(path_is_dot(".."));
	CHECK(!path_is_dot("..."));
	CHECK(!path_is_dot(".env"));
	CHECK(!path_is_dot(""));
	CHECK(path_is_inside("/srv/app/x", "/srv/app"));
	CHECK(path_is_inside("/srv/app", "/srv/app/"));
	CHECK(!path_is_inside("/srv/apple", "/srv/app"));
}

static void test_strings(void)
{
	struct strbuf sb;
	struct strv sv = STRV_INIT;
	char buf[] = "  hi there \n";

	strbuf_init(&sb);
	strbuf_add_json(&sb, "a\"b\\c\n\x01");
	CHECK_STR(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\"");
	strbuf_reset(&sb);
	strbuf_add_xml(&sb, "<a & 'b'>");
	CHECK_STR(sb.buf, "&lt;a &amp; &apos;b&apos;&gt;");
	strbuf_finish(&sb);
	strv_push(&sv, "a");
	strv_pushf(&sv, "%d", 42);
	CHECK_INT(sv.n, 2);
	CHECK_STR(sv.v[1], "42");
	CHECK(sv.v[2] == NULL);
	CHECK_INT(strv_find(&sv, "42"), 1);
	strv_finish(&sv);
	CHECK_STR(str_trim(buf), "hi there");
	CHECK_INT(str_distance("workers", "wrokers", 3), 2);
	CHECK_INT(str_distance("abc", "abcdefgh", 2), 3);
	CHECK(str_glob("*_TOKEN", "API_TOKEN"));
	CHECK(!str_glob("*_TOKEN", "TOKENS"));
	/* the '*'-only fast path agrees with fnmatch */
	CHECK(str_glob("*SECRET*", "MY_SECRET_KEY"));
	CHECK(!str_glob("*SECRET*", "SECRE"));
	CHECK(str_glob("DATABASE_URL", "DATABASE_URL"));
	CHECK(!str_glob("DATABASE_URL", "DATABASE_URL2"));
	CHECK(str_glob("a*b*c", "aXbYbZc"));
	CHECK(!str_glob("a*b*c", "aXcYb"));
	CHECK(str_glob("**", ""));
	CHECK(str_glob("*ab", "aab"));
	CHECK(str_glob("?B*", "AB_x"));
	CHECK(!str_glob("[a]*", "b"));
	/* NAME, *NAME, NAME* and *NAME* match without backtracking; the same answers */
	{
		static const char *const pats[] = {"", "*", "**", "A", "A*", "*A", "*A*", "AB*",
						   "*_KEY", "*API_KEY*", "A*B", "*A*B*"};
		static const char *const names[] = {"", "A", "B", "AB", "BA", "ABA", "X_KEY",
						    "KEY", "MY_API_KEY_2", "AXB", "_KEY_"};
		size_t i, j;

		for (i = 0; i < ARRAY_SIZE(pats); i++)
			for (j = 0; j < ARRAY_SIZE(names); j++)
				CHECK(str_glob(pats[i], names[j]) ==
				      (fnmatch(pats[i], names[j], 0) == 0));
	}
}

/* JSON escaping, the fast path for plain strings included: every special byte at
 * every offset of a 21-byte string, against a byte-by-byte reference. */
static void test_json_positions(void)
{
	static const unsigned char specials[] = {'"', '\\', '\n', 0x01, 0x1f, 0x7f, 0xc3, ' ', '~'};
	size_t i, at;

	for (i = 0; i < ARRAY_SIZE(specials); i++) {
		for (at = 0; at < 21; at++) {
			char in[22], want[64], *w = want;
			struct strbuf sb;
			size_t k;

			memset(in, 'a', 21);
			in[21] = '\0';
			in[at] = (char)specials[i];
			*w++ = '"';
			for (k = 0; k < 21; k++) {
				unsigned char c = (unsigned char)in[k];

				if (c == '"' || c == '\\')
					w += sprintf(w, "\\%c", c);
				else if (c == '\n')
					w += sprintf(w, "\\n");
				else if (c < 0x20 || c == 0x7f)
					w += sprintf(w, "\\u%04x", c);
				else
					*w++ = (char)c;
			}
			*w++ = '"';
			*w = '\0';
			strbuf_init(&sb);
			strbuf_add_json(&sb, in);
			CHECK_STR(sb.buf, want);
			strbuf_finish(&sb);
		}
	}
}

static void test_arena(void)
{
	struct arena a = ARENA_INIT;
	char *s[3000], *big;
	size_t i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		char want[32];

		snprintf(want, sizeof(want), "string %zu", i);
		s[i] = arena_strdup(&a, want);
	}
	big = arena_alloc(&a, 1 << 20); /* a chunk of its own */
	memset(big, 'x', 1 << 20);
	p = arena_alloc(&a, 24);
	CHECK(((uintptr_t)p % alignof(max_align_t)) == 0);
	CHECK_STR(arena_strndup(&a, "abcdef", 3), "abc");
	CHECK_STR(arena_strndup(&a, "", 0), "");
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		char want[32];

		snprintf(want, sizeof(want), "string %zu", i);
		if (strcmp(s[i], want) != 0)
			break;
	}
	CHECK_INT(i, ARRAY_SIZE(s));
	arena_finish(&a);
	CHECK(a.chunk == NULL);
	arena_finish(&a);
	arena_finish(NULL);
}

/* A request larger than the next chunk but not large enough for a chunk of
 * its own (a 10 KB .env value first) must fit in the chunk it gets: it once
 * overran it (found by valgrind on the hostile .env files). */
static void test_arena_growth(void)
{
	static const size_t sizes[] = {4097, 5000, 8193, 10000, 16385, 40000, 65536};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct arena a = ARENA_INIT;
		char *first = arena_alloc(&a, 16), *p, *q;

		memset(first, 'f', 16);
		for (j = 0; j < 3; j++) {
			p = arena_alloc(&a, sizes[i]);
			memset(p, 'p', sizes[i]);
			q = xmalloc(64);   /* what follows the chunk in the heap */
			memset(q, 'q', 64);
			CHECK(p[sizes[i] - 1] == 'p' && q[0] == 'q' && first[15] == 'f');
			free(q);
		}
		arena_finish(&a);
	}
}

static void test_hash(void)
{
	struct error err = ERROR_INIT;
	uint8_t d[SHA256_LEN];
	char hex[65], b64[45];

	CHECK_INT(sha256_buffer("abc", 3, d, &err), 0);
	hex_encode(d, sizeof(d), hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	base64url_encode(d, sizeof(d), b64);
	CHECK_STR(b64, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
	base64url_encode((const uint8_t *)"a", 1, b64); CHECK_STR(b64, "YQ");
	base64url_encode((const uint8_t *)"ab", 2, b64); CHECK_STR(b64, "YWI");
	CHECK_INT(hex_value('0'), 0);
	CHECK_INT(hex_value('9'), 9);
	CHECK_INT(hex_value('a'), 10);
	CHECK_INT(hex_value('F'), 15);
	CHECK_INT(hex_value('g'), -1);
	CHECK_INT(hex_value('\0'), -1);
	CHECK_INT(hex_value((char)0xe9), -1);
}

static void test_file_read(void)
{
	struct error err = ERROR_INIT;
	char dir[] = "/tmp/dr-test-XXXXXX";
	char *buf = NULL, *p;
	size_t len;

	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(file_read(dir, 0, &buf, &len, NULL, &err), -1);
	CHECK(strstr(err.message, "is a directory") != NULL);
	p = path_join(dir, "fifo");
	CHECK_INT(mkfifo(p, 0600), 0);
	CHECK_INT(file_read(p, 0, &buf, &len, NULL, &err), -1); /* must not block */
	CHECK(strstr(err.message, "FIFO") != NULL);
	unlink(p);
	free(p);
	p = path_join(dir, "f");
	CHECK_INT(file_write_atomic(p, "hello", 5, 0600, &err), 0);
	CHECK_INT(file_read(p, 0, &buf, &len, NULL, &err), 0);
	CHECK_STR(buf, "hello");
	CHECK_INT(len, 5);
	free(buf);
	CHECK_INT(file_read(p, 4, &buf, &len, NULL, &err), -1);
	CHECK(strstr(err.message, "too large") != NULL);
	unlink(p);
	free(p);
	rmdir(dir);
}

static void not_removed(const char *name, int errnum, void *data)
{
	(void)name;
	(void)errnum;
	(*(int *)data)++;
}

static void test_remove_tree(void)
{
	struct error err = ERROR_INIT;
	char dir[] = "/tmp/dr-test-XXXXXX", outside[] = "/tmp/dr-test-XXXXXX";
	char *p, *q;
	size_t files = 0;
	unsigned long long bytes = 0;
	int fails = 0;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(mkdtemp(outside) != NULL);
	p = xasprintf("%s/kept", outside);
	CHECK_INT(file_write_atomic(p, "kept", 4, 0600, &err), 0);
	free(p);
	p = xasprintf("%s/a", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/a/b", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/a/b/f", dir);
	CHECK_INT(file_write_atomic(p, "12345", 5, 0600, &err), 0);
	free(p);
	p = xasprintf("%s/top", dir);
	CHECK_INT(file_write_atomic(p, "abc", 3, 0600, &err), 0);
	free(p);
	p = xasprintf("%s/link", dir); /* removed, not followed */
	CHECK_INT(symlink(outside, p), 0);
	free(p);
	CHECK_INT(file_empty_dir(open(dir, O_RDONLY | O_DIRECTORY), &files, &bytes, not_removed,
				 &fails), 0);
	CHECK_INT(files, 3);
	CHECK_INT(bytes, 8 + strlen(outside));
	CHECK_INT(fails, 0);
	CHECK_INT(rmdir(dir), 0); /* empty now */
	q = xasprintf("%s/kept", outside);
	CHECK(path_exists(q));
	free(q);

	CHECK_INT(file_remove_tree(outside), 0);
	CHECK(!path_exists(outside));
	CHECK_INT(file_remove_tree(outside), 0); /* gone already */
}

static void test_dir_names(void)
{
	struct error err = ERROR_INIT;
	char dir[] = "/tmp/dr-test-XXXXXX";
	const char *files[] = {"d.pth", "a.pth", ".hidden.pth", "c.txt", ".env.dev", "B.pth"};
	struct strv names = STRV_INIT;

	CHECK(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		char *p = xasprintf("%s/%s", dir, files[i]);

		CHECK_INT(file_write_atomic(p, "x", 1, 0600, &err), 0);
		free(p);
	}
	/* byte order, hidden names left out, the suffix kept to */
	CHECK_INT(file_dir_names(dir, NULL, ".pth", false, &names), 0);
	CHECK_STRV(names.v, names.n, "B.pth", "a.pth", "d.pth");
	strv_finish(&names);
	CHECK_INT(file_dir_names(dir, NULL, ".pth", true, &names), 0);
	CHECK_STRV(names.v, names.n, ".hidden.pth", "B.pth", "a.pth", "d.pth");
	strv_finish(&names);
	CHECK_INT(file_dir_names(dir, ".env.", NULL, true, &names), 0);
	CHECK_STRV(names.v, names.n, ".env.dev");
	strv_finish(&names);
	/* appended after what out held, which stays where it was */
	strv_push(&names, "zz");
	CHECK_INT(file_dir_names(dir, NULL, NULL, false, &names), 0);
	CHECK_STRV(names.v, names.n, "zz", "B.pth", "a.pth", "c.txt", "d.pth");
	strv_finish(&names);
	CHECK_INT(file_remove_tree(dir), 0);
	errno = 0;
	CHECK_INT(file_dir_names(dir, NULL, NULL, false, &names), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_INT(names.n, 0);
}

int main(void)
{
	RUN(test_error);
	RUN(test_error_print_controls);
	RUN(test_path);
	RUN(test_strings);
	RUN(test_arena);
	RUN(test_json_positions);
	RUN(test_arena_growth);
	RUN(test_hash);
	RUN(test_file_read);
	RUN(test_remove_tree);
	RUN(test_dir_names);
	return T_DONE();
}
