/*
 * Test driver for the .env parser: prints, for each FILE, one line of JSON
 * with what python-dotenv's DotEnv(FILE, interpolate=..., override=...).dict()
 * returns, keys in the same order, so tests/diff/dotenv_diff.py can compare.
 * The process environment plays os.environ.
 *
 *     dotenv-dump [--no-interpolate] [--no-override] [--problems] FILE...
 *
 * A file python-dotenv cannot decode (invalid UTF-8) prints
 * {"error": "invalid utf-8"}, a file with a NUL byte {"error": "nul"}.
 * With --problems, each line is {"values": {...}, "problems": [[START_LINE,
 * LINE, COLUMN, MESSAGE], ...], "encoding": {...}} instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"
#include "error.h"
#include "fileio.h"
#include "strbuf.h"
#include "util.h"

extern char **environ;

/* os.environ: an exact match of the name before the first "=". */
static bool environ_lookup(void *ctx, const char *name, const char **value)
{
	size_t n = strlen(name);
	char **e;

	if (strchr(name, '='))
		return false;
	for (e = environ; *e; e++) {
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') {
			*value = *e + n + 1;
			return true;
		}
	}
	return false;
}

static void dump_values(struct strbuf *sb, const struct dotenv *v)
{
	size_t i;

	strbuf_addc(sb, '{');
	for (i = 0; i < v->n; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		strbuf_add_json(sb, v->entries[i].key);
		strbuf_adds(sb, ": ");
		strbuf_add_json(sb, v->entries[i].value);
	}
	strbuf_addc(sb, '}');
}

static void dump_details(struct strbuf *sb, const struct dotenv *v)
{
	const struct dotenv_encoding *e = &v->encoding;
	size_t i;

	strbuf_adds(sb, "{\"values\": ");
	dump_values(sb, v);
	strbuf_adds(sb, ", \"lines\": [");
	for (i = 0; i < v->n; i++)
		strbuf_addf(sb, "%s%d", i ? ", " : "", v->entries[i].line);
	strbuf_adds(sb, "], \"problems\": [");
	for (i = 0; i < v->nproblems; i++) {
		strbuf_addf(sb, "%s[%d, %d, %d, ", i ? ", " : "", v->problems[i].start_line,
			    v->problems[i].line, v->problems[i].column);
		strbuf_add_json(sb, v->problems[i].message);
		strbuf_addc(sb, ']');
	}
	strbuf_addf(sb, "], \"encoding\": {\"bom\": %d, \"crlf\": %d, \"cr\": %d, \"nul\": %d, "
		    "\"invalid_utf8\": %d}}", e->bom, e->crlf_line, e->cr_line, e->nul_line,
		    e->invalid_utf8_line);
}

int main(int argc, char **argv)
{
	bool interpolate = true, override = true, details = false;
	struct error err = ERROR_INIT;
	int i, status = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--no-interpolate") == 0) {
			interpolate = false;
		} else if (strcmp(argv[i], "--no-override") == 0) {
			override = false;
		} else if (strcmp(argv[i], "--problems") == 0) {
			details = true;
		} else {
			fprintf(stderr, "usage: dotenv-dump [--no-interpolate] [--no-override] "
				"[--problems] FILE...\n");
			return 2;
		}
	}
	for (; i < argc; i++) {
		struct dotenv parsed = DOTENV_INIT, values = DOTENV_INIT;
		struct strbuf sb;
		char *buf;
		size_t len;

		if (file_read(argv[i], 0, &buf, &len, NULL, &err) < 0 ||
		    dotenv_parse(buf, len, argv[i], &parsed, &err) < 0) {
			error_print(&err, stderr);
			return 2;
		}
		free(buf);
		dotenv_values(&parsed, interpolate, override, environ_lookup, NULL, &values);
		strbuf_init(&sb);
		if (details)
			dump_details(&sb, &values);
		else if (parsed.encoding.invalid_utf8_line)
			strbuf_adds(&sb, "{\"error\": \"invalid utf-8\"}");
		else if (parsed.encoding.nul_line)
			strbuf_adds(&sb, "{\"error\": \"nul\"}");
		else
			dump_values(&sb, &values);
		puts(sb.buf);
		strbuf_finish(&sb);
		dotenv_finish(&parsed);
		dotenv_finish(&values);
	}
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
