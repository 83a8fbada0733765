/*
 * pkgtool: a test driver for checks/pep440 and checks/pep508.
 *
 * Reads one command per line on stdin, a JSON array of strings, and
 * prints one JSON object per line on stdout ({"ok": false} when the input
 * is refused).  tests/diff/packaging_diff.py sends the same commands to
 * Debian's python3-packaging and compares the answers.
 *
 *   ["version", V]            str, public, base_version, is_prerelease, is_postrelease
 *   ["compare", A, B]         -1, 0 or 1
 *   ["canon", V, "0"|"1"]     canonicalize_version(V, strip_trailing_zero)
 *   ["name", N]               canonicalize_name(N)
 *   ["specset", S]            str(SpecifierSet(S))
 *   ["contains", S, V, P]     SpecifierSet(S).contains(V, prereleases=P), P none|true|false
 *   ["env", KEY, VALUE]       sets a marker variable for later "marker" commands
 *   ["marker", M, EXTRA]      str(Marker(M)) and Marker(M).evaluate(env + extra); "eval"
 *                             is null when evaluation raises
 *   ["requirement", R]        the fields of Requirement(R) and its str()
 */
#include "json-out.h"
#include "pep440.h"
#include "pep508.h"
#include "strbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 8

struct arg {
	char *s;
	size_t len;
};

static long read_hex4(const char **p)
{
	char buf[5], *end;
	long v;
	int i;

	for (i = 0; i < 4 && (*p)[i]; i++)
		buf[i] = (*p)[i];
	buf[i] = '\0';
	if (strlen(buf) < 4 || strspn(buf, "0123456789abcdefABCDEF") != 4)
		return -1;
	v = strtol(buf, &end, 16);
	*p += 4;
	return v;
}

/* Parses a JSON array of strings; returns the count or -1. */
static int parse_args(const char *p, struct arg *args)
{
	int n = 0;

	while (*p == ' ')
		p++;
	if (*p++ != '[')
		return -1;
	for (;;) {
		struct strbuf sb;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ']')
			return n;
		if (*p++ != '"' || n == MAX_ARGS)
			return -1;
		strbuf_init(&sb);
		while (*p && *p != '"') {
			if (*p != '\\') {
				strbuf_addc(&sb, *p++);
				continue;
			}
			p++;
			switch (*p++) {
			case 'n': strbuf_addc(&sb, '\n'); break;
			case 't': strbuf_addc(&sb, '\t'); break;
			case 'r': strbuf_addc(&sb, '\r'); break;
			case 'b': strbuf_addc(&sb, '\b'); break;
			case 'f': strbuf_addc(&sb, '\f'); break;
			case 'u': {
				long cp = read_hex4(&p);

				if (cp >= 0xd800 && cp < 0xdc00 && p[0] == '\\' && p[1] == 'u') {
					const char *q = p + 2;
					long lo = read_hex4(&q);

					if (lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						p = q;
					}
				}
				if (cp < 0) {
					strbuf_finish(&sb);
					return -1;
				}
				pep440_add_utf8(&sb, (unsigned long)cp);
				break;
			}
			default: strbuf_addc(&sb, p[-1]);
			}
		}
		if (*p++ != '"') {
			strbuf_finish(&sb);
			return -1;
		}
		args[n].len = sb.len;
		args[n++].s = strbuf_detach(&sb);
	}
}

static void json_cstr(struct strbuf *out, const char *s)
{
	json_str(out, s, s ? strlen(s) : 0);
}

static void field(struct strbuf *out, const char *name, char *value)
{
	strbuf_addf(out, ", \"%s\": ", name);
	json_cstr(out, value);
	free(value);
}

static void cmd_version(struct strbuf *out, struct arg *a)
{
	struct pep440_version v;

	if (pep440_version_parse(&v, a[1].s, a[1].len, NULL) < 0) {
		strbuf_adds(out, "{\"ok\": false}");
		return;
	}
	strbuf_adds(out, "{\"ok\": true");
	field(out, "str", pep440_version_str(&v));
	field(out, "public", pep440_version_public(&v));
	field(out, "base", pep440_version_base(&v));
	strbuf_addf(out, ", \"pre\": %s, \"post\": %s}",
		    pep440_version_is_prerelease(&v) ? "true" : "false",
		    pep440_version_is_postrelease(&v) ? "true" : "false");
	pep440_version_finish(&v);
}

static void cmd_compare(struct strbuf *out, struct arg *a)
{
	struct pep440_version x, y;
	int c;

	if (pep440_version_parse(&x, a[1].s, a[1].len, NULL) < 0) {
		strbuf_adds(out, "{\"ok\": false}");
		return;
	}
	if (pep440_version_parse(&y, a[2].s, a[2].len, NULL) < 0) {
		pep440_version_finish(&x);
		strbuf_adds(out, "{\"ok\": false}");
		return;
	}
	c = pep440_version_compare(&x, &y);
	strbuf_addf(out, "{\"ok\": true, \"cmp\": %d}", c < 0 ? -1 : c > 0);
	pep440_version_finish(&x);
	pep440_version_finish(&y);
}

static void cmd_specset(struct strbuf *out, struct arg *a)
{
	struct pep440_specset set;

	if (pep440_specset_parse(&set, a[1].s, a[1].len, NULL) < 0) {
		strbuf_adds(out, "{\"ok\": false}");
		return;
	}
	strbuf_adds(out, "{\"ok\": true");
	field(out, "str", pep440_specset_str(&set));
	strbuf_adds(out, "}");
	pep440_specset_finish(&set);
}

static void cmd_contains(struct strbuf *out, struct arg *a)
{
	struct pep440_specset set;
	struct pep440_version v;
	int pre = !strcmp(a[3].s, "true") ? PEP440_PRE_ALLOW
		: !strcmp(a[3].s, "false") ? PEP440_PRE_DENY : PEP440_PRE_DEFAULT;
	int r;

	if (pep440_specset_parse(&set, a[1].s, a[1].len, NULL) < 0) {
		strbuf_adds(out, "{\"ok\": false}");
		return;
	}
	if (pep440_version_parse(&v, a[2].s, a[2].len, NULL) < 0) {
		pep440_specset_finish(&set);
		strbuf_adds(out, "{\"ok\": false}");
		return;
	}
	r = pep440_specset_contains(&set, &v, pre, NULL);
	if (r < 0)
		strbuf_adds(out, "{\"ok\": false}");
	else
		strbuf_addf(out, "{\"ok\": true, \"r\": %s}", r ? "true" : "false");
	pep440_specset_finish(&set);
	pep440_version_finish(&v);
}

static void cmd_marker(struct strbuf *out, struct arg *a, int n, struct pep508_env *env)
{
	struct pep508_marker *m = pep508_marker_parse(a[1].s, a[1].len, NULL);
	int r;

	if (!m) {
		strbuf_adds(out, "{\"ok\": false}");
		return;
	}
	pep508_env_set(env, "extra", n > 2 ? a[2].s : "");
	r = pep508_marker_evaluate(m, env, NULL);
	strbuf_adds(out, "{\"ok\": true");
	field(out, "str", pep508_marker_str(m));
	strbuf_addf(out, ", \"eval\": %s}", r < 0 ? "null" : r ? "true" : "false");
	pep508_marker_destroy(m);
}

static void cmd_requirement(struct strbuf *out, struct arg *a)
{
	struct pep508_requirement req;
	size_t i;

	if (pep508_requirement_parse(&req, a[1].s, a[1].len, NULL) < 0) {
		strbuf_adds(out, "{\"ok\": false}");
		return;
	}
	strbuf_adds(out, "{\"ok\": true, \"name\": ");
	json_cstr(out, req.name);
	strbuf_adds(out, ", \"extras\": [");
	for (i = 0; i < req.extras.n; i++) {
		if (i)
			strbuf_adds(out, ", ");
		json_cstr(out, req.extras.v[i]);
	}
	strbuf_adds(out, "], \"url\": ");
	json_cstr(out, req.url);
	field(out, "spec", pep440_specset_str(&req.specset));
	field(out, "marker", req.marker ? pep508_marker_str(req.marker) : NULL);
	field(out, "str", pep508_requirement_str(&req));
	strbuf_adds(out, "}");
	pep508_requirement_finish(&req);
}

int main(void)
{
	struct pep508_env env;
	struct strbuf out;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;

	pep508_env_init(&env);
	strbuf_init(&out);
	while ((got = getline(&line, &cap, stdin)) >= 0) {
		struct arg a[MAX_ARGS];
		int n, i;
		char *s;

		if (got && line[got - 1] == '\n')
			line[got - 1] = '\0';
		n = parse_args(line, a);
		strbuf_reset(&out);
		if (n < 2) {
			strbuf_adds(&out, "{\"ok\": false, \"usage\": true}");
		} else if (!strcmp(a[0].s, "version")) {
			cmd_version(&out, a);
		} else if (!strcmp(a[0].s, "compare") && n == 3) {
			cmd_compare(&out, a);
		} else if (!strcmp(a[0].s, "canon") && n == 3) {
			strbuf_adds(&out, "{\"ok\": true");
			field(&out, "str", pep440_canonicalize_version(a[1].s, a[1].len,
								       a[2].s[0] == '1'));
			strbuf_adds(&out, "}");
		} else if (!strcmp(a[0].s, "name")) {
			strbuf_adds(&out, "{\"ok\": true");
			field(&out, "str", pep440_canonicalize_name(a[1].s, a[1].len));
			strbuf_adds(&out, "}");
		} else if (!strcmp(a[0].s, "specset")) {
			cmd_specset(&out, a);
		} else if (!strcmp(a[0].s, "contains") && n == 4) {
			cmd_contains(&out, a);
		} else if (!strcmp(a[0].s, "env") && n == 3) {
			strbuf_addf(&out, "{\"ok\": %s}",
				    pep508_env_set(&env, a[1].s, a[2].s) < 0 ? "false" : "true");
		} else if (!strcmp(a[0].s, "host") && n == 2) {
			pep508_env_finish(&env);
			strbuf_addf(&out, "{\"ok\": %s",
				    pep508_env_init_host(&env, a[1].s, NULL) < 0 ? "false" : "true");
			for (i = 0; i < PEP508_NVARS; i++) {
				strbuf_addf(&out, ", \"%s\": ", pep508_var_names[i]);
				json_cstr(&out, env.values[i]);
			}
			strbuf_adds(&out, "}");
		} else if (!strcmp(a[0].s, "marker")) {
			cmd_marker(&out, a, n, &env);
		} else if (!strcmp(a[0].s, "requirement")) {
			cmd_requirement(&out, a);
		} else {
			strbuf_adds(&out, "{\"ok\": false, \"usage\": true}");
		}
		for (i = 0; i < n; i++)
			free(a[i].s);
		s = out.buf;
		fwrite(s, 1, out.len, stdout);
		fputc('\n', stdout);
	}
	free(line);
	strbuf_finish(&out);
	pep508_env_finish(&env);
	return 0;
}
