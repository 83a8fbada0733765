/*
 * Test driver for checks/pysource: prints what it sees in each FILE, for
 * tests/diff/pysource_diff.py to compare with Python's tokenize and ast.
 *
 *     pysource-dump --calls NAME,NAME,... FILE...
 *     pysource-dump --walk ROOT [--venv DIR] [--depth N]
 *
 * For each FILE a line "F PATH", then, with byte offsets into the file:
 *   N START END                 a NAME token
 *   S START END                 a STRING token (prefix and quotes included)
 *   C START NAME NPOS STAR KWS  a call of one of the names: the offset of
 *                               the name, the positional arguments, 1 when
 *                               *args or **kwargs, the keywords among the
 *                               first arguments (comma-separated, "-" when none)
 *   A LINE TARGET CALLEE        a top-level assignment of a call
 * --walk prints the files pysource_walk() gives, one relative path a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fileio.h"
#include "pysource.h"
#include "strv.h"
#include "util.h"

static void on_call(void *data, const struct pysource_lexer *lx, const struct pysource_call *c)
{
	size_t i;
	bool any = false;

	(void)data;
	printf("C %zu %s %d %d ", c->name.start, c->func, c->npos, c->star ? 1 : 0);
	for (i = 0; i < c->n; i++) {
		if (!c->a[i].is_kw)
			continue;
		printf("%s%.*s", any ? "," : "", (int)(c->a[i].kw.end - c->a[i].kw.start),
		       lx->s + c->a[i].kw.start);
		any = true;
	}
	printf("%s\n", any ? "" : "-");
}

static void on_assign(void *data, const char *target, const char *callee, int line)
{
	(void)data;
	printf("A %d %s %s\n", line, target, callee);
}

static void dump(const char *path, char *const *funcs)
{
	_cleanup_free_ char *buf = NULL;
	struct error err = ERROR_INIT;
	struct pysource_lexer lx;
	struct pysource_token t;
	size_t len;

	printf("F %s\n", path);
	if (file_read(path, 0, &buf, &len, NULL, &err) < 0) {
		printf("E %s\n", err.message);
		return;
	}
	pysource_lexer_init(&lx, buf, len);
	for (pysource_next(&lx, &t); t.kind != PYSOURCE_END; pysource_next(&lx, &t))
		if (t.kind == PYSOURCE_NAME || t.kind == PYSOURCE_STRING)
			printf("%c %zu %zu\n", t.kind == PYSOURCE_NAME ? 'N' : 'S', t.start, t.end);
	pysource_calls(buf, len, (const char *const *)funcs, on_call, NULL);
	pysource_assignments(buf, len, on_assign, NULL);
}

static void on_file(void *data, const struct pysource_file *f)
{
	(void)data;
	printf("%s\n", f->rel);
}

int main(int argc, char **argv)
{
	struct strv funcs = STRV_INIT;
	int i;

	if (argc >= 3 && strcmp(argv[1], "--walk") == 0) {
		struct pysource_walk w = {0};

		w.root = argv[2];
		for (i = 3; i + 1 < argc; i += 2) {
			if (strcmp(argv[i], "--venv") == 0)
				w.venv = argv[i + 1];
			else if (strcmp(argv[i], "--depth") == 0)
				w.max_depth = atoi(argv[i + 1]);
		}
		if (pysource_walk(&w, on_file, NULL) < 0) {
			perror(argv[2]);
			return 2;
		}
		if (w.truncated)
			printf("(truncated)\n");
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "--calls") != 0) {
		fprintf(stderr, "usage: pysource-dump --calls NAME,... FILE... | --walk ROOT\n");
		return 2;
	}
	{
		_cleanup_free_ char *names = xstrdup(argv[2]);
		char *save = NULL, *n;

		for (n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save))
			strv_push(&funcs, n);
	}
	for (i = 3; i < argc; i++)
		dump(argv[i], funcs.v);
	strv_finish(&funcs);
	return 0;
}
