/*
 * toml-dump: what checks/toml.c reads, as tagged JSON, for the differential
 * test against Python's tomllib/tomli (tests/diff/toml_diff.py).
 *
 *   toml-dump FILE       one line for FILE
 *   toml-dump --batch    documents on stdin, each "LENGTH\n" then LENGTH bytes;
 *                        one line per document on stdout
 *
 * A line is {"ok": true, "value": V} or {"ok": false, "error": MESSAGE,
 * "line": N, "column": N}.  V is ["string", S], ["integer", "DECIMAL"],
 * ["float", "%.17g" | "inf" | "-inf" | "nan"], ["boolean", B],
 * ["datetime" | "datetime-local" | "date-local" | "time-local", ISO 8601 as
 * Python's isoformat() writes it], ["array", [V...]] or ["table", [[KEY, V]...]]
 * (keys in the order they were defined).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json-out.h"
#include "strbuf.h"
#include "toml.h"

static void iso(struct strbuf *sb, const struct toml_value *v)
{
	const struct toml_datetime *d = &v->u.dt;

	if (v->type != TOML_TIME_LOCAL)
		strbuf_addf(sb, "%04d-%02d-%02d", d->year, d->month, d->day);
	if (v->type == TOML_DATE_LOCAL)
		return;
	if (v->type != TOML_TIME_LOCAL)
		strbuf_addc(sb, 'T');
	strbuf_addf(sb, "%02d:%02d:%02d", d->hour, d->minute, d->second);
	if (d->microsecond)
		strbuf_addf(sb, ".%06d", d->microsecond);
	if (v->type == TOML_DATETIME) {
		int o = d->offset_minutes < 0 ? -d->offset_minutes : d->offset_minutes;

		strbuf_addf(sb, "%c%02d:%02d", d->offset_minutes < 0 ? '-' : '+', o / 60, o % 60);
	}
}

static void dump(struct strbuf *sb, const struct toml_value *v)
{
	static const char *const tags[] = {
		"string", "integer", "float", "boolean", "datetime", "datetime-local",
		"date-local", "time-local", "array", "table",
	};
	size_t i;

	strbuf_addf(sb, "[\"%s\", ", tags[v->type]);
	switch (v->type) {
	case TOML_STRING:
		json_str(sb, v->u.s.ptr, v->u.s.len);
		break;
	case TOML_INTEGER:
		strbuf_addf(sb, "\"%" PRId64 "\"", v->u.i);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f))
			strbuf_adds(sb, "\"nan\"");
		else if (isinf(v->u.f))
			strbuf_adds(sb, v->u.f < 0 ? "\"-inf\"" : "\"inf\"");
		else
			strbuf_addf(sb, "\"%.17g\"", v->u.f);
		break;
	case TOML_BOOLEAN:
		strbuf_adds(sb, v->u.b ? "true" : "false");
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		strbuf_addc(sb, '"');
		iso(sb, v);
		strbuf_addc(sb, '"');
		break;
	case TOML_ARRAY:
		strbuf_addc(sb, '[');
		for (i = 0; i < v->u.a.n; i++) {
			if (i)
				strbuf_adds(sb, ", ");
			dump(sb, v->u.a.v[i]);
		}
		strbuf_addc(sb, ']');
		break;
	case TOML_TABLE:
		strbuf_addc(sb, '[');
		for (i = 0; i < v->u.t.n; i++) {
			if (i)
				strbuf_adds(sb, ", ");
			strbuf_addc(sb, '[');
			json_str(sb, v->u.t.v[i].key, v->u.t.v[i].key_len);
			strbuf_adds(sb, ", ");
			dump(sb, v->u.t.v[i].value);
			strbuf_addc(sb, ']');
		}
		strbuf_addc(sb, ']');
		break;
	}
	strbuf_addc(sb, ']');
}

static void one(const char *buf, size_t len, const char *name)
{
	struct error err = ERROR_INIT;
	struct toml_value *root = toml_parse(buf, len, name, &err);
	struct strbuf sb;

	strbuf_init(&sb);

	if (root) {
		strbuf_adds(&sb, "{\"ok\": true, \"value\": ");
		dump(&sb, root);
		strbuf_addc(&sb, '}');
		toml_value_destroy(root);
	} else {
		if (!err.message[0] || err.line <= 0 || err.column <= 0) {
			fprintf(stderr, "toml-dump: an error without a message or a place\n");
			abort();
		}
		strbuf_adds(&sb, "{\"ok\": false, \"error\": ");
		json_str(&sb, err.message, strlen(err.message));
		strbuf_addf(&sb, ", \"line\": %d, \"column\": %d}", err.line, err.column);
	}
	puts(sb.buf);
	strbuf_finish(&sb);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--batch")) {
		char head[32];

		while (fgets(head, sizeof(head), stdin)) {
			size_t len = strtoul(head, NULL, 10);
			char *buf = malloc(len + 1);

			if (!buf || fread(buf, 1, len, stdin) != len) {
				fprintf(stderr, "toml-dump: short input\n");
				return 2;
			}
			one(buf, len, "<stdin>");
			free(buf);
			fflush(stdout);
		}
		return 0;
	}
	if (argc == 2) {
		struct error err = ERROR_INIT;
		char *buf;
		size_t len;

		if (file_read(argv[1], 0, &buf, &len, NULL, &err) < 0) {
			error_print(&err, stderr);
			return 2;
		}
		one(buf, len, argv[1]);
		free(buf);
		return 0;
	}
	fprintf(stderr, "usage: toml-dump FILE | --batch\n");
	return 2;
}
