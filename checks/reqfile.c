#include "reqfile.h"
#include "pep440.h"
#include "pep508.h"
#include "strbuf.h"
#include "utf8.h"
#include "util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum opt_kind {
	OPT_GLOBAL,   /* recorded in reqfile.options */
	OPT_REQUIRE,  /* -r */
	OPT_CONSTRAIN,/* -c */
	OPT_EDITABLE, /* -e */
	OPT_HASH,     /* --hash, per requirement */
	OPT_PER_REQ,  /* other per-requirement options */
};

struct opt_def {
	const char *name;   /* long spelling */
	const char *alias;  /* another long spelling, or NULL */
	char short_name;    /* 0 when none */
	bool value;         /* takes a value */
	enum opt_kind kind;
};

/* pip's SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ (req_file.py), plus --config-settings. */
static const struct opt_def opts[] = {
	{"--index-url", "--pypi-url", 'i', true, OPT_GLOBAL},
	{"--extra-index-url", NULL, 0, true, OPT_GLOBAL},
	{"--no-index", NULL, 0, false, OPT_GLOBAL},
	{"--constraint", NULL, 'c', true, OPT_CONSTRAIN},
	{"--requirement", NULL, 'r', true, OPT_REQUIRE},
	{"--editable", NULL, 'e', true, OPT_EDITABLE},
	{"--find-links", NULL, 'f', true, OPT_GLOBAL},
	{"--no-binary", NULL, 0, true, OPT_GLOBAL},
	{"--only-binary", NULL, 0, true, OPT_GLOBAL},
	{"--prefer-binary", NULL, 0, false, OPT_GLOBAL},
	{"--require-hashes", NULL, 0, false, OPT_GLOBAL},
	{"--pre", NULL, 0, false, OPT_GLOBAL},
	{"--trusted-host", NULL, 0, true, OPT_GLOBAL},
	{"--use-feature", NULL, 0, true, OPT_GLOBAL},
	{"--install-option", NULL, 0, true, OPT_PER_REQ},
	{"--global-option", NULL, 0, true, OPT_PER_REQ},
	{"--config-settings", NULL, 0, true, OPT_PER_REQ},
	{"--hash", NULL, 0, true, OPT_HASH},
};

static const char *const features[] = {"fast-deps", "truststore", "no-binary-enable-wheel-cache"};

struct token {
	char *text;
	int column; /* 1-based, in the logical line */
};

struct parser {
	struct reqfile *rf;
	const char *name;
	reqfile_lookup_fn lookup;
	void *data;
	struct error *err;
	bool via_list;          /* after a bare "# via": "#   NAME" lines continue it */
	struct strv pending_via; /* via entries not yet given to a requirement */
};

/* Python's str.isspace() for ASCII, which str.strip() and \s use. */
static bool py_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* Python's str.splitlines() separators (ASCII ones). */
static bool line_break(char c)
{
	return c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e);
}

/* Where pip's COMMENT_RE "(^|\s+)#.*$" starts matching in s, or NULL. */
static char *comment_start(char *s)
{
	char *p;

	for (p = s; *p; p++) {
		if (*p != '#')
			continue;
		if (p == s)
			return p;
		if (py_space(p[-1])) {
			while (p > s && py_space(p[-1]))
				p--;
			return p;
		}
	}
	return NULL;
}

/* The text after the '#' of a comment, for "# via" annotations. */
static const char *comment_text(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (*p == '#' && (p == s || py_space(p[-1])))
			return p + 1;
	return NULL;
}

static bool is_comment_line(const char *s)
{
	while (py_space(*s))
		s++;
	return *s == '#';
}

static void reqs_add_via(struct strv *via, const char *list)
{
	_cleanup_free_ char *copy = xstrdup(list);
	char *save = NULL, *item;

	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		item = str_trim(item);
		if (*item)
			strv_push(via, item);
	}
}

/* Records pip-compile "# via" annotations found on one physical line. */
static void note_via(struct parser *p, const char *line)
{
	const char *raw = comment_text(line), *c = raw;
	bool only = is_comment_line(line);

	if (!only)
		p->via_list = false;
	if (!raw)
		return;
	while (*c == ' ' || *c == '\t')
		c++;
	if (str_starts_with(c, "via") && (!c[3] || py_space(c[3]))) {
		_cleanup_free_ char *rest = xstrdup(c + 3);
		char *r = str_trim(rest);

		if (*r) {
			reqs_add_via(&p->pending_via, r);
			p->via_list = false;
		} else {
			p->via_list = only;
		}
		return;
	}
	if (p->via_list && only && c > raw + 1) {
		_cleanup_free_ char *item = xstrdup(c);

		if (*str_trim(item)) {
			strv_push(&p->pending_via, str_trim(item));
			return;
		}
	}
	p->via_list = false;
}

/* Gives the pending "# via" entries to req, or to the last requirement. */
static void flush_via(struct parser *p, struct reqfile_req *req)
{
	size_t i;

	if (!req && p->rf->n_reqs)
		req = &p->rf->reqs[p->rf->n_reqs - 1];
	for (i = 0; req && i < p->pending_via.n; i++)
		strv_push(&req->via, p->pending_via.v[i]);
	strv_finish(&p->pending_via);
}

/* ${NAME} expansion, pip's ENV_VAR_RE "\$\{([A-Z0-9_]+)\}". */
static char *expand_vars(struct parser *p, const char *s)
{
	struct strbuf sb;

	strbuf_init(&sb);
	while (*s) {
		if (s[0] == '$' && s[1] == '{') {
			const char *q = s + 2;

			while ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_')
				q++;
			if (*q == '}' && q > s + 2 && p->lookup) {
				_cleanup_free_ char *var = xstrndup(s + 2, (size_t)(q - s - 2));
				const char *v = p->lookup(var, p->data);

				if (v && *v) {
					strbuf_adds(&sb, v);
					s = q + 1;
					continue;
				}
			}
		}
		strbuf_addc(&sb, *s++);
	}
	return strbuf_detach(&sb);
}

static void tokens_free(struct token *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i].text);
	free(t);
}

/*
 * Python's shlex.split(s) (POSIX mode, no comments).  column0 is the
 * column of s[0] in the line, for messages.
 */
static int shlex_split(struct parser *p, int line, int column0, const char *s,
		       struct token **out, size_t *n_out)
{
	struct token *t = NULL;
	size_t n = 0, cap = 0;
	const char *c = s;

	while (*c) {
		struct strbuf sb;
		int col;
		bool any = false;

		while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')
			c++;
		if (!*c)
			break;
		col = column0 + (int)(c - s);
		strbuf_init(&sb);
		while (*c && !(*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n')) {
			if (*c == '\'' || *c == '"') {
				char q = *c++;

				any = true;
				while (*c && *c != q) {
					if (q == '"' && *c == '\\' && (c[1] == '"' || c[1] == '\\'))
						c++;
					strbuf_addc(&sb, *c++);
				}
				if (!*c) {
					strbuf_finish(&sb);
					tokens_free(t, n);
					return error_at(p->err, p->name, line, col,
							"no closing quotation in the options");
				}
				c++;
			} else if (*c == '\\') {
				if (!c[1]) {
					strbuf_finish(&sb);
					tokens_free(t, n);
					return error_at(p->err, p->name, line, col,
							"no escaped character after '\\'");
				}
				strbuf_addc(&sb, c[1]);
				c += 2;
				any = true;
			} else {
				strbuf_addc(&sb, *c++);
				any = true;
			}
		}
		if (!any) {
			strbuf_finish(&sb);
			continue;
		}
		grow_array((void **)&t, &cap, n + 1, sizeof(*t));
		t[n].text = strbuf_detach(&sb);
		t[n].column = col;
		n++;
	}
	*out = t;
	*n_out = n;
	return 0;
}

/* optparse's lookup: an exact long name, else a unique prefix of one. */
static const struct opt_def *find_long(struct parser *p, int line, int col, const char *name)
{
	const struct opt_def *found = NULL;
	struct strbuf cands;
	size_t i, len = strlen(name), hits = 0;

	for (i = 0; i < ARRAY_SIZE(opts); i++)
		if (str_eq(opts[i].name, name) || str_eq(opts[i].alias, name))
			return &opts[i];
	strbuf_init(&cands);
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		const char *hit = strncmp(opts[i].name, name, len) == 0 ? opts[i].name
				: opts[i].alias && strncmp(opts[i].alias, name, len) == 0
				? opts[i].alias : NULL;

		if (!hit)
			continue;
		strbuf_addf(&cands, "%s%s", hits ? ", " : "", hit);
		found = &opts[i];
		hits++;
	}
	if (hits == 1) {
		strbuf_finish(&cands);
		return found;
	}
	if (hits > 1)
		error_at(p->err, p->name, line, col, "ambiguous option %s (%s?)", name, cands.buf);
	else
		error_at(p->err, p->name, line, col, "no such option: %s", name);
	strbuf_finish(&cands);
	return NULL;
}

static const struct opt_def *find_short(char c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(opts); i++)
		if (opts[i].short_name && opts[i].short_name == c)
			return &opts[i];
	return NULL;
}

/* What the options of one line say. */
struct line_opts {
	struct strv hashes;
	struct strv per_req;
	struct reqfile_option *global;
	size_t n_global, cap_global;
	const struct opt_def *include; /* -r, -c or -e */
	char *include_value;
	int include_column;
};

static void line_opts_finish(struct line_opts *lo)
{
	size_t i;

	strv_finish(&lo->hashes);
	strv_finish(&lo->per_req);
	for (i = 0; i < lo->n_global; i++)
		reqfile_option_finish(&lo->global[i]);
	free(lo->global);
	free(lo->include_value);
}

static bool is_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static int check_hash(struct parser *p, int line, int col, const char *opt, const char *v)
{
	static const struct { const char *algo; size_t hexlen; } algos[] = {
		{"sha256", 64}, {"sha384", 96}, {"sha512", 128},
	};
	const char *colon = strchr(v, ':');
	size_t i;

	if (!colon)
		return error_at(p->err, p->name, line, col, "arguments to %s must be a hash name "
				"followed by a value, like --hash=sha256:abcde...", opt);
	for (i = 0; i < ARRAY_SIZE(algos); i++) {
		if (strlen(algos[i].algo) != (size_t)(colon - v) ||
		    strncmp(v, algos[i].algo, (size_t)(colon - v)) != 0)
			continue;
		if (strlen(colon + 1) != algos[i].hexlen || !is_hex(colon + 1))
			return error_at(p->err, p->name, line, col,
					"%s digest \"%s\" is not %zu hexadecimal digits",
					algos[i].algo, colon + 1, algos[i].hexlen);
		return 0;
	}
	return error_at(p->err, p->name, line, col,
			"allowed hash algorithms for %s are sha256, sha384, sha512", opt);
}

static int apply_option(struct parser *p, int line, struct line_opts *lo,
			const struct opt_def *o, const char *v, int col)
{
	size_t i;

	switch (o->kind) {
	case OPT_HASH:
		if (check_hash(p, line, col, o->name, v) < 0)
			return -1;
		strv_push(&lo->hashes, v);
		return 0;
	case OPT_PER_REQ:
		strv_pushf(&lo->per_req, "%s=%s", o->name, v);
		return 0;
	case OPT_REQUIRE:
	case OPT_CONSTRAIN:
	case OPT_EDITABLE:
		if (lo->include)
			return error_at(p->err, p->name, line, col,
					"%s after %s on the same line: pip reads only the first; "
					"put each on its own line", o->name, lo->include->name);
		lo->include = o;
		lo->include_value = xstrdup(v);
		lo->include_column = col;
		return 0;
	case OPT_GLOBAL:
		if (str_eq(o->name, "--use-feature")) {
			for (i = 0; i < ARRAY_SIZE(features); i++)
				if (str_eq(features[i], v))
					break;
			if (i == ARRAY_SIZE(features))
				return error_at(p->err, p->name, line, col,
						"--use-feature: invalid choice \"%s\" (choose from "
						"fast-deps, truststore, no-binary-enable-wheel-cache)", v);
		}
		grow_array((void **)&lo->global, &lo->cap_global, lo->n_global + 1,
			   sizeof(*lo->global));
		lo->global[lo->n_global].file = xstrdup(p->name);
		lo->global[lo->n_global].line = line;
		lo->global[lo->n_global].name = xstrdup(o->name);
		lo->global[lo->n_global].value = v ? xstrdup(v) : NULL;
		lo->n_global++;
		return 0;
	}
	return 0;
}

/* optparse over the shlex'd words of the options part. */
static int parse_options(struct parser *p, int line, struct token *t, size_t n,
			 struct line_opts *lo)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *w = t[i].text;
		const struct opt_def *o;
		const char *v = NULL;
		int col = t[i].column;

		if (str_eq(w, "--")) {
			if (i + 1 < n)
				return error_at(p->err, p->name, line, t[i + 1].column,
						"unexpected \"%s\" after the options", t[i + 1].text);
			break;
		}
		if (str_starts_with(w, "--")) {
			_cleanup_free_ char *nm = xstrdup(w);
			char *eq = strchr(nm, '=');

			if (eq)
				*eq = '\0';
			o = find_long(p, line, t[i].column, nm);
			if (!o)
				return -1;
			if (!o->value && eq)
				return error_at(p->err, p->name, line, t[i].column,
						"%s option does not take a value", o->name);
			if (o->value) {
				if (eq) {
					v = w + (eq - nm) + 1;
				} else if (i + 1 < n) {
					v = t[++i].text;
				} else {
					return error_at(p->err, p->name, line, t[i].column,
							"%s option requires 1 argument", nm);
				}
			}
		} else if (w[0] == '-' && w[1]) {
			o = find_short(w[1]);
			if (!o)
				return error_at(p->err, p->name, line, t[i].column,
						"no such option: -%c", w[1]);
			if (w[2])
				v = w + 2;
			else if (i + 1 < n)
				v = t[++i].text;
			else
				return error_at(p->err, p->name, line, t[i].column,
						"-%c option requires 1 argument", w[1]);
		} else {
			return error_at(p->err, p->name, line, t[i].column,
					"unexpected \"%s\" after the options (pip ignores it)", w);
		}
		if (apply_option(p, line, lo, o, v, col) < 0)
			return -1;
	}
	return 0;
}

/* pip's is_url(): a scheme pip downloads from, VCS schemes included. */
static bool is_url(const char *s)
{
	static const char *const plain[] = {"http", "https", "file", "ftp", "git", "svn"};
	static const char *const vcs[] = {"git+", "hg+", "svn+", "bzr+"};
	const char *colon = strchr(s, ':');
	size_t n, i;

	if (!colon)
		return false;
	n = (size_t)(colon - s);
	for (i = 0; i < ARRAY_SIZE(plain); i++)
		if (strlen(plain[i]) == n && strncasecmp(s, plain[i], n) == 0)
			return true;
	for (i = 0; i < ARRAY_SIZE(vcs); i++)
		if (strncasecmp(s, vcs[i], strlen(vcs[i])) == 0 && n > strlen(vcs[i]))
			return true;
	return false;
}

static bool is_vcs_url(const char *s)
{
	return is_url(s) && (strncasecmp(s, "git", 3) == 0 || strncasecmp(s, "hg+", 3) == 0 ||
			     strncasecmp(s, "svn", 3) == 0 || strncasecmp(s, "bzr+", 4) == 0);
}

/* pip's _looks_like_path(). */
static bool looks_like_path(const char *s)
{
	return strchr(s, '/') || s[0] == '.';
}

/* A drive letter ("C:\\", "C:/") or a backslash: a path written on Windows,
 * which pip on a POSIX system cannot open (a wheel's name then holds the
 * backslashes, an invalid requirement; an sdist's is a file that is not
 * there). */
static bool windows_path(const char *s)
{
	return strchr(s, '\\') ||
	       (isalpha((unsigned char)s[0]) && s[1] == ':' && (s[2] == '/' || s[2] == '\\'));
}

static bool is_archive(const char *s)
{
	static const char *const ext[] = {
		".whl", ".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz", ".tar.xz", ".txz",
		".tlz", ".tar.lz", ".tar.lzma",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ext); i++)
		if (str_ends_with(s, ext[i]))
			return true;
	return false;
}

/* pip's _strip_extras(): "PATH[EXTRAS]" -> PATH, and the extras into r. */
static char *strip_extras(const char *s, struct strv *extras)
{
	size_t n = strlen(s);
	const char *open;

	if (n < 3 || s[n - 1] != ']')
		return xstrdup(s);
	open = strrchr(s, '[');
	if (!open || open == s || open[1] == ']' || memchr(open + 1, ']', n - 2 - (size_t)(open - s)))
		return xstrdup(s);
	{
		_cleanup_free_ char *list = xstrndup(open + 1, n - 2 - (size_t)(open - s));
		char *save = NULL, *e;

		for (e = strtok_r(list, ",", &save); e; e = strtok_r(NULL, ",", &save))
			if (*str_trim(e))
				strv_push(extras, str_trim(e));
	}
	return xstrndup(s, (size_t)(open - s));
}

static void set_name(struct reqfile_req *r, const char *name)
{
	free(r->name);
	free(r->normalized);
	r->name = xstrdup(name);
	r->normalized = pep440_canonicalize_name(name, strlen(name));
}

/* The last path component of a URL, without query and fragment. */
static char *url_filename(const char *url)
{
	size_t end = strcspn(url, "?#");
	const char *slash;
	_cleanup_free_ char *u = xstrndup(url, end);

	slash = strrchr(u, '/');
	return xstrdup(slash ? slash + 1 : u);
}

/*
 * A wheel's name and version from its file name, as pip's
 * Wheel.wheel_file_re reads NAME-VER(-BUILD)?-PY-ABI-PLAT.whl.
 */
static int wheel_name(struct parser *p, int line, int col, struct reqfile_req *r,
		      const char *file)
{
	_cleanup_free_ char *stem = xstrndup(file, strlen(file) - strlen(".whl"));
	char *parts[7], *rest = stem, *s;
	size_t n = 0, i;

	while ((s = strsep(&rest, "-")) && n < ARRAY_SIZE(parts)) {
		if (!*s || strpbrk(s, " \t\r\n\v\f"))
			break;
		parts[n++] = s;
	}
	if ((n != 5 && n != 6) || s)
		return error_at(p->err, p->name, line, col,
				"%s is not a valid wheel filename", file);
	for (i = 0; parts[0][i]; i++)
		if (parts[0][i] == '_')
			parts[0][i] = '-';
	for (i = 0; parts[1][i]; i++)
		if (parts[1][i] == '_')
			parts[1][i] = '-';
	set_name(r, parts[0]);
	free(r->specifier);
	r->specifier = xasprintf("==%s", parts[1]);
	return 0;
}

/* "#egg=NAME[EXTRAS]" of a URL (pip's Link.egg_fragment), or NULL. */
static char *egg_fragment(const char *url)
{
	const char *h = strchr(url, '#'), *e;

	for (e = h; e; e = strpbrk(e + 1, "&")) {
		if (strncmp(e + 1, "egg=", 4) == 0)
			return xstrndup(e + 5, strcspn(e + 5, "&"));
	}
	return NULL;
}

/* "#egg=NAME[EXTRAS]": a PEP 508 name with optional extras and nothing else. */
static int set_egg_name(struct parser *p, int line, int col, struct reqfile_req *r,
			const char *egg)
{
	struct pep508_requirement pr;
	struct error perr = ERROR_INIT;
	size_t i;

	if (pep508_requirement_parse(&pr, egg, strlen(egg), &perr) < 0)
		return error_at(p->err, p->name, line, col,
				"#egg=%s is not a valid project name", egg);
	if (pr.url || pr.marker || pr.specset.n || (pr.specifier && *pr.specifier)) {
		pep508_requirement_finish(&pr);
		return error_at(p->err, p->name, line, col,
				"#egg=%s is not a valid project name", egg);
	}
	set_name(r, pr.name);
	for (i = 0; i < pr.extras.n; i++)
		strv_push(&r->extras, pr.extras.v[i]);
	pep508_requirement_finish(&pr);
	return 0;
}

/* A URL or a path (pip's parse_req_from_line, without its I/O). */
static int req_from_link(struct parser *p, int line, int col, struct reqfile_req *r,
			 const char *link)
{
	_cleanup_free_ char *egg = NULL;
	_cleanup_free_ char *file = url_filename(link);

	free(r->url);
	r->url = xstrdup(link);
	if (str_ends_with(file, ".whl"))
		return wheel_name(p, line, col, r, file);
	egg = egg_fragment(link);
	if (egg && *egg)
		return set_egg_name(p, line, col, r, egg);
	return 0;
}

/* Fills r from a PEP 508 string. */
static int req_from_pep508(struct parser *p, int line, int col, struct reqfile_req *r,
			   const char *text)
{
	struct pep508_requirement pr;
	struct error perr = ERROR_INIT;
	size_t i;

	if (pep508_requirement_parse(&pr, text, strlen(text), &perr) < 0)
		return error_at(p->err, p->name, line,
				col + (perr.column > 0 ? perr.column - 1 : 0),
				"invalid requirement \"%s\": %s", text, perr.message);
	set_name(r, pr.name);
	for (i = 0; i < pr.extras.n; i++)
		strv_push(&r->extras, pr.extras.v[i]);
	free(r->specifier);
	r->specifier = xstrdup(pr.specifier ? pr.specifier : "");
	if (pr.url)
		r->url = xstrdup(pr.url);
	if (pr.marker)
		r->marker = pep508_marker_str(pr.marker);
	pep508_requirement_finish(&pr);
	return 0;
}

/* pip's is_pinned: one specifier (after SpecifierSet's merging), == without wildcard or ===. */
static void set_pinned(struct reqfile_req *r)
{
	struct pep440_specset set = PEP440_SPECSET_INIT;
	struct error err = ERROR_INIT;

	if (!r->specifier || pep440_specset_parse(&set, r->specifier, strlen(r->specifier),
						  &err) < 0)
		return;
	if (set.n == 1 && pep440_specifier_is_pin(&set.v[0])) {
		r->pinned = true;
		r->version = xstrdup(set.v[0].version);
	}
	pep440_specset_finish(&set);
}

/* pip's parse_req_from_line(): text is the requirement part of a line. */
static int parse_requirement(struct parser *p, int line, int col, struct reqfile_req *r,
			     const char *text)
{
	bool url = is_url(text);
	const char *sep = strstr(text, url ? "; " : ";");
	_cleanup_free_ char *spec = sep ? xstrndup(text, (size_t)(sep - text)) : xstrdup(text);
	_cleanup_free_ char *base = NULL;
	char *s = str_trim(spec);
	const char *at;

	r->specifier = xstrdup("");
	if (url || looks_like_path(s) || is_archive(s)) {
		at = strchr(s, '@');
		if (!url && at) {
			_cleanup_free_ char *before = xstrndup(s, (size_t)(at - s));

			if (!looks_like_path(before))
				goto pep508;
		}
		if (sep) {
			_cleanup_free_ char *m = xstrdup(sep + (url ? 2 : 1));

			if (*str_trim(m)) {
				struct error merr = ERROR_INIT;
				struct pep508_marker *mk = pep508_marker_parse(str_trim(m),
									       strlen(str_trim(m)),
									       &merr);

				if (!mk)
					return error_at(p->err, p->name, line, col,
							"invalid marker \"%s\": %s", str_trim(m),
							merr.message);
				pep508_marker_destroy(mk);
				r->marker = xstrdup(str_trim(m));
			}
		}
		if (!url && windows_path(s))
			return error_at(p->err, p->name, line, col,
					"%s is a Windows path, which pip cannot open on this "
					"system (it takes it for a file name in its working "
					"directory); write the path with / or as a file:// URL", s);
		base = url ? xstrdup(s) : strip_extras(s, &r->extras);
		if (req_from_link(p, line, col, r, base) < 0)
			return -1;
		set_pinned(r);
		return 0;
	}
pep508:
	if (req_from_pep508(p, line, col, r, text) < 0)
		return -1;
	set_pinned(r);
	return 0;
}

/* pip's parse_editable(), without its I/O. */
static int parse_editable(struct parser *p, int line, int col, struct reqfile_req *r,
			  const char *target)
{
	_cleanup_free_ char *egg = NULL;

	r->editable = true;
	r->specifier = xstrdup("");
	if (is_url(target) && strncasecmp(target, "file:", 5) != 0) {
		if (!is_vcs_url(target))
			return error_at(p->err, p->name, line, col,
					"%s is not a valid editable requirement: it should be a "
					"path to a local project or a VCS URL", target);
		r->url = xstrdup(target);
		egg = egg_fragment(target);
		if (!egg || !*egg)
			return error_at(p->err, p->name, line, col,
					"cannot tell the name of editable '%s': add "
					"#egg=your_package_name", target);
		return set_egg_name(p, line, col, r, egg);
	}
	r->url = strip_extras(target, &r->extras);
	egg = egg_fragment(r->url);
	if (egg && *egg)
		return set_egg_name(p, line, col, r, egg);
	return 0;
}

static struct reqfile_req *new_req(struct parser *p, int line, const char *text)
{
	struct reqfile *rf = p->rf;
	struct reqfile_req *r;

	grow_array((void **)&rf->reqs, &rf->cap_reqs, rf->n_reqs + 1, sizeof(*rf->reqs));
	r = &rf->reqs[rf->n_reqs++];
	memset(r, 0, sizeof(*r));
	r->file = xstrdup(p->name);
	r->line = line;
	r->text = xstrdup(text);
	r->constraint = rf->constraint;
	return r;
}

/* Drops the last requirement (after an error while filling it). */
static void drop_last_req(struct parser *p)
{
	reqfile_req_finish(&p->rf->reqs[--p->rf->n_reqs]);
}

/* One logical line: pip's ignore_comments, expand_env_variables, then the line parser. */
static int process_line(struct parser *p, int line, char *text)
{
	char *c = comment_start(text), *s, *expanded, *opt_start = NULL, *q;
	struct line_opts lo;
	struct token *t = NULL;
	size_t nt = 0, i;
	int col0, ret = -1;
	struct reqfile_req *made = NULL;

	if (c)
		*c = '\0';
	s = text;
	while (py_space(*s))
		s++;
	col0 = (int)(s - text) + 1;
	for (q = s + strlen(s); q > s && py_space(q[-1]); q--)
		q[-1] = '\0';
	if (!*s) {
		flush_via(p, NULL);
		return 0;
	}
	expanded = expand_vars(p, s);
	/* pip's break_args_options(): split at single spaces */
	for (q = expanded; q; q = strchr(q, ' ')) {
		if (*q == ' ')
			q++;
		if (*q == '-') {
			opt_start = q;
			break;
		}
	}
	memset(&lo, 0, sizeof(lo));
	if (opt_start) {
		if (shlex_split(p, line, col0 + (int)(opt_start - expanded), opt_start, &t, &nt) < 0 ||
		    parse_options(p, line, t, nt, &lo) < 0)
			goto out;
		opt_start[opt_start > expanded ? -1 : 0] = '\0';
		str_trim(expanded);
	}
	if (*expanded) {
		made = new_req(p, line, expanded);
		if (parse_requirement(p, line, col0, made, expanded) < 0)
			goto out_drop;
		for (i = 0; i < lo.hashes.n; i++)
			strv_push(&made->hashes, lo.hashes.v[i]);
		for (i = 0; i < lo.per_req.n; i++)
			strv_push(&made->options, lo.per_req.v[i]);
	} else if (lo.include && lo.include->kind == OPT_EDITABLE) {
		made = new_req(p, line, lo.include_value);
		if (parse_editable(p, line, lo.include_column, made, lo.include_value) < 0)
			goto out_drop;
	} else {
		struct reqfile *rf = p->rf;

		for (i = 0; i < lo.n_global; i++) {
			grow_array((void **)&rf->options, &rf->cap_options, rf->n_options + 1,
				   sizeof(*rf->options));
			rf->options[rf->n_options++] = lo.global[i];
		}
		lo.n_global = 0;
		if (lo.include) {
			struct reqfile_include *inc;

			grow_array((void **)&rf->includes, &rf->cap_includes, rf->n_includes + 1,
				   sizeof(*rf->includes));
			inc = &rf->includes[rf->n_includes++];
			inc->file = xstrdup(p->name);
			inc->line = line;
			inc->column = lo.include_column;
			inc->path = lo.include_value;
			lo.include_value = NULL;
			inc->constraint = lo.include->kind == OPT_CONSTRAIN;
			inc->position = rf->n_reqs;
		}
	}
	flush_via(p, made);
	ret = 0;
	goto out;
out_drop:
	drop_last_req(p);
out:
	tokens_free(t, nt);
	line_opts_finish(&lo);
	free(expanded);
	return ret;
}

/* Line and column (1-based, in bytes) of offset at in text, lines counted as
 * the parser counts them. */
static void position(const char *text, size_t at, int *line, int *col)
{
	const char *c, *end = text + at;

	*line = 1;
	*col = 1;
	for (c = text; c < end; c++, (*col)++)
		if (line_break(*c) && !(*c == '\r' && c + 1 < end && c[1] == '\n')) {
			(*line)++;
			*col = 0;
		}
}

/* The error of a decoder that stopped after out->len bytes of text. */
static int decode_error(struct parser *p, const struct strbuf *out, const char *codec,
			const char *why)
{
	int line, col;

	position(out->buf ? out->buf : "", out->len, &line, &col);
	return error_at(p->err, p->name, line, col, "the file is not valid %s (%s), so pip "
			"cannot read it; save it as UTF-8", codec, why);
}

static void put_cp(struct strbuf *out, uint32_t cp)
{
	char u[4];

	strbuf_add(out, u, utf8_encode(cp, u));
}

/* Python's strict utf-16 (be: big-endian) and utf-32-be decoders. */
static int from_utf16(struct parser *p, const unsigned char *s, size_t n, bool be,
		      struct strbuf *out)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		uint32_t u = be ? (uint32_t)s[i] << 8 | s[i + 1] : (uint32_t)s[i + 1] << 8 | s[i];

		if (u >= 0xdc00 && u <= 0xdfff)
			return decode_error(p, out, "UTF-16", "a lone low surrogate");
		if (u >= 0xd800 && u <= 0xdbff) {
			uint32_t l;

			if (i + 3 >= n)
				return decode_error(p, out, "UTF-16", "unexpected end of data");
			l = be ? (uint32_t)s[i + 2] << 8 | s[i + 3] : (uint32_t)s[i + 3] << 8 | s[i + 2];
			if (l < 0xdc00 || l > 0xdfff)
				return decode_error(p, out, "UTF-16", "a lone high surrogate");
			u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
			i += 2;
		}
		put_cp(out, u);
	}
	if (i < n)
		return decode_error(p, out, "UTF-16", "truncated data");
	return 0;
}

static int from_utf32be(struct parser *p, const unsigned char *s, size_t n, struct strbuf *out)
{
	size_t i;

	for (i = 0; i + 3 < n; i += 4) {
		uint32_t u = (uint32_t)s[i] << 24 | (uint32_t)s[i + 1] << 16 |
			     (uint32_t)s[i + 2] << 8 | s[i + 3];

		if (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
			return decode_error(p, out, "UTF-32", "code point not in range");
		put_cp(out, u);
	}
	if (i < n)
		return decode_error(p, out, "UTF-32", "truncated data");
	return 0;
}

/* Python's latin-1, ascii and cp1252 decoders (table: NULL for latin-1;
 * ascii is cp1252 = "" and refuses every byte from 0x80). */
static int from_8bit(struct parser *p, const unsigned char *s, size_t n, const char *codec,
		     struct strbuf *out)
{
	/* cp1252's 0x80-0x9f; 0: undefined in Python's codec */
	static const uint16_t cp1252[32] = {
		0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
		0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
	};
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t u = s[i];

		if (u >= 0x80 && str_eq(codec, "ascii"))
			return decode_error(p, out, "ASCII", "a byte from 0x80");
		if (u >= 0x80 && u < 0xa0 && str_eq(codec, "cp1252")) {
			u = cp1252[u - 0x80];
			if (!u)
				return decode_error(p, out, "cp1252", "an undefined byte");
		}
		put_cp(out, u);
	}
	return 0;
}

/* Python's codec name for name (encodings.normalize_encoding() and the
 * aliases of the codecs read here), or NULL when it is another one. */
static const char *codec_of(const char *name)
{
	static const struct { const char *alias, *codec; } aliases[] = {
		{"utf_8", "utf_8"}, {"u8", "utf_8"}, {"utf", "utf_8"}, {"utf8", "utf_8"},
		{"utf8_ucs2", "utf_8"}, {"utf8_ucs4", "utf_8"}, {"cp65001", "utf_8"},
		{"utf_8_sig", "utf_8_sig"},
		{"latin_1", "latin_1"}, {"8859", "latin_1"}, {"cp819", "latin_1"},
		{"csisolatin1", "latin_1"}, {"ibm819", "latin_1"}, {"iso8859", "latin_1"},
		{"iso8859_1", "latin_1"}, {"iso_8859_1", "latin_1"}, {"iso_8859_1_1987", "latin_1"},
		{"iso_ir_100", "latin_1"}, {"l1", "latin_1"}, {"latin", "latin_1"},
		{"latin1", "latin_1"},
		{"ascii", "ascii"}, {"646", "ascii"}, {"ansi_x3.4_1968", "ascii"},
		{"ansi_x3_4_1968", "ascii"}, {"ansi_x3.4_1986", "ascii"}, {"cp367", "ascii"},
		{"csascii", "ascii"}, {"ibm367", "ascii"}, {"iso646_us", "ascii"},
		{"iso_646.irv_1991", "ascii"}, {"iso_ir_6", "ascii"}, {"us", "ascii"},
		{"us_ascii", "ascii"},
		{"cp1252", "cp1252"}, {"1252", "cp1252"}, {"windows_1252", "cp1252"},
	};
	char norm[64];
	size_t i, o = 0;
	bool punct = false;

	for (i = 0; name[i] && o + 2 < sizeof(norm); i++) {
		char c = (char)tolower((unsigned char)name[i]);

		if (isalnum((unsigned char)c) || c == '.') {
			if (punct && o)
				norm[o++] = '_';
			norm[o++] = c;
			punct = false;
		} else {
			punct = true;
		}
	}
	norm[o] = '\0';
	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (str_eq(norm, aliases[i].alias))
			return aliases[i].codec;
	for (i = 0; norm[i]; i++)
		if (norm[i] == '.')
			norm[i] = '_';
	for (i = 0; i < ARRAY_SIZE(aliases); i++)
		if (str_eq(norm, aliases[i].alias))
			return aliases[i].codec;
	return NULL;
}

/* pip's ENCODING_RE, rb"coding[:=]\s*([-\w.]+)", in line (n bytes): the
 * name, or NULL. */
static char *coding_name(const char *line, size_t n)
{
	size_t i, j;

	for (i = 0; i + 7 <= n; i++) {
		if (memcmp(line + i, "coding", 6) != 0 || (line[i + 6] != ':' && line[i + 6] != '='))
			continue;
		for (j = i + 7; j < n && strchr(" \t\n\r\f\v", line[j]); j++)
			;
		i = j;
		while (j < n && (isalnum((unsigned char)line[j]) || line[j] == '_' ||
				 line[j] == '-' || line[j] == '.'))
			j++;
		if (j > i)
			return xstrndup(line + i, j - i);
		i--; /* no name: search on after "coding:" */
	}
	return NULL;
}

/*
 * pip's auto_decode() (pip/_internal/utils/encoding.py): a BOM, in pip's
 * order (UTF-8; FF FE as Python's "utf-16" codec reads what follows it,
 * which may hold a BOM of its own, so that a UTF-32-LE BOM gives U+0000;
 * FE FF as UTF-16-BE; 00 00 FE FF as UTF-32-BE), else a PEP 263 coding
 * declaration in a line that starts with '#' among the first two, else
 * strict UTF-8 (the preferred encoding of a UTF-8 locale).  *text is buf
 * itself, or out's buffer; the error names the line of the first byte
 * that does not decode.
 */
static int decode(struct parser *p, const char *buf, size_t len, struct strbuf *out,
		  const char **text, size_t *tlen)
{
	const unsigned char *u = (const unsigned char *)buf;
	const char *codec = "utf_8", *nl;
	size_t skip = 0, bad, i, from = 0;
	int ret = 0;

	*text = buf;
	*tlen = len;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		skip = 3;
	} else if (len >= 4 && memcmp(buf, "\xff\xfe\x00\x00", 4) == 0) {
		return error_at(p->err, p->name, 1, 1, "the file is UTF-32 (little-endian), which "
				"pip reads as UTF-16 and then refuses; save it as UTF-8");
	} else if (len >= 2 && memcmp(buf, "\xff\xfe", 2) == 0) {
		bool be = len >= 4 && memcmp(buf + 2, "\xfe\xff", 2) == 0;

		skip = len >= 4 && (be || memcmp(buf + 2, "\xff\xfe", 2) == 0) ? 4 : 2;
		ret = from_utf16(p, u + skip, len - skip, be, out);
		goto decoded;
	} else if (len >= 2 && memcmp(buf, "\xfe\xff", 2) == 0) {
		ret = from_utf16(p, u + 2, len - 2, true, out);
		goto decoded;
	} else if (len >= 4 && memcmp(buf, "\x00\x00\xfe\xff", 4) == 0) {
		ret = from_utf32be(p, u + 4, len - 4, out);
		goto decoded;
	} else {
		for (i = 0; i < 2 && from <= len; i++) {
			size_t n = (nl = memchr(buf + from, '\n', len - from)) ? (size_t)(nl - buf) - from
									     : len - from;
			_cleanup_free_ char *name = n && buf[from] == '#' ? coding_name(buf + from, n)
									  : NULL;

			if (name) {
				codec = codec_of(name);
				if (!codec)
					return error_at(p->err, p->name, (int)i + 1, 1,
							"the file declares the encoding \"%s\" (PEP "
							"263), which deploy-run does not read; save "
							"it as UTF-8", name);
				break;
			}
			if (!nl)
				break;
			from += n + 1;
		}
		if (str_eq(codec, "utf_8_sig")) {
			codec = "utf_8";
			if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
				skip = 3;
		}
		if (!str_eq(codec, "utf_8")) {
			ret = from_8bit(p, u, len, str_eq(codec, "latin_1") ? "latin-1" : codec, out);
			goto decoded;
		}
	}
	*text = buf + skip;
	*tlen = len - skip;
	bad = utf8_valid_prefix(*text, *tlen);
	if (bad < *tlen) {
		int line, col;

		position(*text, bad, &line, &col);
		return error_at(p->err, p->name, line, col, "invalid UTF-8 (byte 0x%02x): pip "
				"cannot read the file; save it as UTF-8",
				(unsigned char)(*text)[bad]);
	}
	return 0;
decoded:
	if (ret < 0)
		return -1;
	*text = out->buf ? out->buf : "";
	*tlen = out->len;
	return 0;
}

int reqfile_parse(struct reqfile *rf, const char *buf, size_t len, const char *name,
		  bool constraint, reqfile_lookup_fn lookup, void *data, struct error *err)
{
	struct parser p = {rf, name, lookup, data, err, false, STRV_INIT};
	struct strbuf joined, decoded;
	size_t pos, start;
	int lineno = 0, primary = 0;
	bool joining = false;

	memset(rf, 0, sizeof(*rf));
	rf->name = xstrdup(name);
	rf->constraint = constraint;
	strbuf_init(&decoded);
	if (decode(&p, buf, len, &decoded, &buf, &len) < 0)
		goto fail_nojoin;
	pos = 0;
	if (memchr(buf, '\0', len)) {
		const char *nul = memchr(buf, '\0', len);
		int line, col;

		position(buf, (size_t)(nul - buf), &line, &col);
		error_at(err, name, line, col, "NUL byte in the file");
		goto fail_nojoin;
	}
	strbuf_init(&joined);
	while (pos < len) {
		_cleanup_free_ char *l = NULL;
		size_t n;

		start = pos;
		while (pos < len && !line_break(buf[pos]))
			pos++;
		l = xstrndup(buf + start, pos - start);
		if (pos < len && buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')
			pos++;
		if (pos < len)
			pos++;
		lineno++;
		note_via(&p, l);
		n = strlen(l);
		if (!(n && l[n - 1] == '\\') || is_comment_line(l)) {
			if (joining) {
				if (is_comment_line(l))
					strbuf_addc(&joined, ' ');
				strbuf_adds(&joined, l);
				joining = false;
				if (process_line(&p, primary, joined.buf) < 0)
					goto fail;
			} else if (process_line(&p, lineno, l) < 0) {
				goto fail;
			}
		} else {
			char *a = l, *b = l + n;

			if (!joining) {
				primary = lineno;
				strbuf_reset(&joined);
				joining = true;
			}
			/* Python's line.strip("\\") */
			while (*a == '\\')
				a++;
			while (b > a && b[-1] == '\\')
				b--;
			strbuf_add(&joined, a, (size_t)(b - a));
		}
	}
	if (joining && process_line(&p, primary, joined.buf) < 0)
		goto fail;
	flush_via(&p, NULL);
	strbuf_finish(&joined);
	strbuf_finish(&decoded);
	return 0;
fail:
	strbuf_finish(&joined);
fail_nojoin:
	strbuf_finish(&decoded);
	strv_finish(&p.pending_via);
	reqfile_finish(rf);
	return -1;
}

void reqfile_req_finish(struct reqfile_req *r)
{
	if (!r)
		return;
	free(r->file);
	free(r->text);
	free(r->name);
	free(r->normalized);
	strv_finish(&r->extras);
	free(r->specifier);
	free(r->version);
	strv_finish(&r->hashes);
	free(r->marker);
	free(r->url);
	strv_finish(&r->via);
	strv_finish(&r->options);
	memset(r, 0, sizeof(*r));
}

void reqfile_option_finish(struct reqfile_option *o)
{
	if (!o)
		return;
	free(o->file);
	free(o->name);
	free(o->value);
	memset(o, 0, sizeof(*o));
}

void reqfile_finish(struct reqfile *rf)
{
	size_t i;

	if (!rf)
		return;
	for (i = 0; i < rf->n_reqs; i++)
		reqfile_req_finish(&rf->reqs[i]);
	free(rf->reqs);
	for (i = 0; i < rf->n_options; i++)
		reqfile_option_finish(&rf->options[i]);
	free(rf->options);
	for (i = 0; i < rf->n_includes; i++) {
		free(rf->includes[i].file);
		free(rf->includes[i].path);
	}
	free(rf->includes);
	free(rf->name);
	memset(rf, 0, sizeof(*rf));
}
