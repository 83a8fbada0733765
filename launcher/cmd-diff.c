/*
 * deploy-run diff A B [C...]: what differs between environments, item by
 * item of the resolved model (resolved.h) that show also prints.  B and C
 * are each compared with A.  Secrets are compared by a keyed hash whose
 * key is drawn for this run and never leaves memory; their values are
 * printed only with --reveal.
 */
#include "cmd.h"
#include "log.h"
#include "resolved.h"
#include "strbuf.h"
#include "util.h"
#include "value.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

extern char **environ;

#define DIFF_KEY_LEN 32
/* A side's column is padded to this many characters at most. */
#define DIFF_COLUMN_MAX 56

struct side {
	const char *name;
	struct loaded l;
	struct resolved r;
	bool loaded;
};

struct colors {
	const char *a, *b, *head, *dim, *off;
};

/* The value of one side as shown: NULL for JSON's null. */
static char *side_value(const struct resolved_item *it, bool detail, bool reveal, bool json)
{
	const char *v;

	if (!it)
		return json ? NULL : xstrdup("(absent)");
	if (it->hashed || (it->secret && !reveal))
		return it->value || it->hashed ? xstrdup("****") : NULL;
	v = it->value;
	if (!v)
		return json ? NULL : xstrdup("(not set)");
	if (detail && it->detail)
		return xasprintf("%s %s", v, it->detail);
	return xstrdup(v);
}

/* ---- JSON ---- */

static void render_json(const char *a, const char *b, const struct resolved_diffs *d,
			bool reveal, struct strbuf *o)
{
	size_t i;

	strbuf_adds(o, "{\"a\": ");
	strbuf_add_json(o, a);
	strbuf_adds(o, ", \"b\": ");
	strbuf_add_json(o, b);
	strbuf_addf(o, ", \"same\": %s, \"differences\": [", d->n ? "false" : "true");
	for (i = 0; i < d->n; i++) {
		const struct resolved_diff *x = &d->v[i];
		_cleanup_free_ char *va = side_value(x->a, x->detail_only, reveal, true);
		_cleanup_free_ char *vb = side_value(x->b, x->detail_only, reveal, true);

		strbuf_adds(o, i ? ",\n  " : "\n  ");
		strbuf_adds(o, "{\"section\": ");
		strbuf_add_json(o, x->section);
		strbuf_adds(o, ", \"key\": ");
		strbuf_add_json(o, x->key);
		strbuf_adds(o, ", \"a\": ");
		strbuf_add_json(o, va);
		strbuf_adds(o, ", \"b\": ");
		strbuf_add_json(o, vb);
		strbuf_adds(o, ", \"a_source\": ");
		strbuf_add_json(o, x->a ? x->a->source : NULL);
		strbuf_adds(o, ", \"b_source\": ");
		strbuf_add_json(o, x->b ? x->b->source : NULL);
		strbuf_addf(o, ", \"secret\": %s}", x->secret ? "true" : "false");
	}
	strbuf_adds(o, d->n ? "\n]}" : "]}");
}

/* ---- text ---- */

/* Characters on a terminal (UTF-8 continuation bytes take no column). */
static size_t width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Shortens "sha256:HEX" words to 12 digits followed by an ellipsis. */
static char *short_hashes(const char *detail)
{
	struct strbuf b;
	const char *w = detail;

	strbuf_init(&b);
	while (*w) {
		size_t n = strcspn(w, " "), colon = strcspn(w, ":");

		if (colon < n && n - colon - 1 > 12) {
			strbuf_add(&b, w, colon + 1 + 12);
			strbuf_adds(&b, "…");
		} else {
			strbuf_add(&b, w, n);
		}
		w += n;
		if (*w)
			strbuf_addc(&b, *w++);
	}
	return strbuf_detach(&b);
}

/* One side's value as shown (masked of control characters), with its
 * package hashes when only those differ.  A server setting that one side
 * does not pass is left to the server's default there. */
static char *cell(const struct resolved_diff *x, const struct resolved_item *it, bool reveal)
{
	bool detail = x->detail_only;
	_cleanup_free_ char *v = !it && str_eq(x->section, "server")
		? xstrdup("(not passed)") : side_value(it, false, reveal, false);
	_cleanup_free_ char *hashes = NULL;
	char *c;

	if (detail && it && it->detail && !it->hashed)
		hashes = short_hashes(it->detail);
	c = xasprintf("%s%s%s", v, hashes ? " " : "", hashes ? hashes : "");
	error_mask_controls(c);
	return c;
}

/* One side's source, "[SOURCE]" masked, or "" when there is none. */
static char *source_of(const struct resolved_item *it)
{
	char *s = it && it->source ? xasprintf("[%s]", it->source) : xstrdup("");

	error_mask_controls(s);
	return s;
}

/* Width of a side's cell: the value, and its source after two spaces. */
static size_t cell_width(const char *value, const char *source)
{
	return width(value) + (*source ? 2 + width(source) : 0);
}

static void add_cell(struct strbuf *o, const char *color, const char *value, const char *source,
		     const struct colors *k)
{
	strbuf_addf(o, "%s%s%s", color, value, k->off);
	if (*source)
		strbuf_addf(o, "  %s%s%s", k->dim, source, k->off);
}

/* The rows of the text output: the differences, then (verbose) the expected ones. */
struct rows {
	const struct resolved_diff **d;
	char **c;       /* 4 per row: A's value and source, B's value and source */
	size_t n, listed;
	size_t wkey, wa;
};

static void rows_make(struct rows *r, const char *a, const struct resolved_diffs *d, bool verbose,
		      bool reveal)
{
	size_t i, total = d->n + (verbose ? d->ignored : 0);

	r->d = xcalloc(total + 1, sizeof(*r->d));
	r->c = xcalloc(4 * total + 1, sizeof(*r->c));
	r->n = total;
	r->listed = d->n;
	r->wkey = 0;
	r->wa = width(a);
	for (i = 0; i < total; i++) {
		const struct resolved_diff *x = i < d->n ? &d->v[i] : &d->expected[i - d->n];
		size_t w = width(x->key ? x->key : x->section) + (x->key ? 2 : 0);

		r->d[i] = x;
		r->c[4 * i] = cell(x, x->a, reveal);
		r->c[4 * i + 1] = source_of(x->a);
		r->c[4 * i + 2] = cell(x, x->b, reveal);
		r->c[4 * i + 3] = source_of(x->b);
		if (w > r->wkey)
			r->wkey = w;
		if (cell_width(r->c[4 * i], r->c[4 * i + 1]) > r->wa)
			r->wa = cell_width(r->c[4 * i], r->c[4 * i + 1]);
	}
	if (r->wa > DIFF_COLUMN_MAX)
		r->wa = DIFF_COLUMN_MAX;
}

static void rows_finish(struct rows *r)
{
	size_t i;

	for (i = 0; i < 4 * r->n; i++)
		free(r->c[i]);
	free(r->c);
	free(r->d);
}

/* Rows from..to, grouped under a [section] line. */
static void add_rows(const struct rows *r, size_t from, size_t to, bool reveal,
		     const struct colors *k, struct strbuf *o)
{
	const char *section = NULL;
	size_t i;

	for (i = from; i < to; i++) {
		const struct resolved_diff *x = r->d[i];
		char *const *c = &r->c[4 * i];
		_cleanup_free_ char *key = xstrdup(x->key ? x->key : x->section);
		size_t w = cell_width(c[0], c[1]);

		if (x->key && (!section || strcmp(section, x->section) != 0))
			strbuf_addf(o, "%s[%s]%s\n", k->head, x->section, k->off);
		section = x->section;
		error_mask_controls(key);
		strbuf_addf(o, "%s%s%*s  ", x->key ? "  " : "", key,
			    (int)(r->wkey - width(key) - (x->key ? 2 : 0)), "");
		add_cell(o, k->a, c[0], c[1], k);
		strbuf_addf(o, "%*s  ", (int)(w < r->wa ? r->wa - w : 0), "");
		add_cell(o, k->b, c[2], c[3], k);
		if (x->secret && x->a && x->b && !reveal)
			strbuf_addf(o, "  %s(secret: the values differ)%s", k->dim, k->off);
		else if (x->detail_only)
			strbuf_addf(o, "  %s(hashes differ)%s", k->dim, k->off);
		strbuf_addc(o, '\n');
	}
}

/*
 * One line per difference, grouped under a [section] line, the key and
 * the two sides in aligned columns, then the count.  verbose lists the
 * expected differences too, after the others.
 */
static void render_text(const char *name_a, const char *name_b, const struct resolved_diffs *d,
			bool reveal, bool verbose, const struct colors *k, struct strbuf *o)
{
	_cleanup_free_ char *a = xstrdup(name_a), *b = xstrdup(name_b);
	struct rows r;

	error_mask_controls(a); /* the names as given: paths may hold anything */
	error_mask_controls(b);

	rows_make(&r, a, d, verbose, reveal);
	if (r.n)
		strbuf_addf(o, "%*s  %s%s%s%*s  %s%s%s\n", (int)r.wkey, "", k->head, a, k->off,
			    (int)(r.wa - (width(a) < r.wa ? width(a) : r.wa)), "", k->head, b,
			    k->off);
	add_rows(&r, 0, r.listed, reveal, k, o);
	if (r.n > r.listed) {
		strbuf_addf(o, "%sexpected ([profile] expected_differences, --ignore):%s\n", k->dim,
			    k->off);
		add_rows(&r, r.listed, r.n, reveal, k, o);
	}
	rows_finish(&r);
	if (d->n)
		strbuf_addf(o, "%zu difference%s", d->n, d->n == 1 ? "" : "s");
	else
		strbuf_adds(o, "no differences");
	strbuf_addf(o, " between %s and %s", a, b);
	if (d->ignored)
		strbuf_addf(o, " (%zu expected, ignored%s)", d->ignored,
			    verbose ? "" : "; -v lists them");
	strbuf_addc(o, '\n');
}

/* The declared globs that matched no difference: a declaration gone stale
 * (or mistyped) says so under -v. */
static void add_stale(const struct strv *globs, const struct resolved_diffs *d,
		      const struct colors *k, struct strbuf *o)
{
	size_t i, j, n = 0;

	for (i = 0; i < globs->n; i++) {
		_cleanup_free_ char *glob = xstrdup(globs->v[i]);
		bool used = false;

		for (j = 0; j < d->ignored && !used; j++) {
			const struct resolved_diff *x = &d->expected[j];
			const struct resolved_item *it = x->a ? x->a : x->b;
			_cleanup_free_ char *name = resolved_name(it);

			used = str_glob(globs->v[i], name);
		}
		if (used)
			continue;
		error_mask_controls(glob);
		if (n++)
			strbuf_addf(o, ", %s", glob);
		else
			strbuf_addf(o, "%sdeclared, matching no difference: %s", k->dim, glob);
	}
	if (n)
		strbuf_addf(o, "%s\n", k->off);
}

/* ---- the command ---- */

static void split_globs(const char *s, struct strv *out)
{
	struct strv items = STRV_INIT;
	size_t i;

	value_split_list(s, &items);
	for (i = 0; i < items.n; i++)
		strv_push(out, items.v[i]);
	strv_finish(&items);
}

static int load_side(struct side *s, const struct globals *g)
{
	struct error err = ERROR_INIT;

	if (cmd_load(&s->l, s->name, g, NULL, &err) < 0) {
		cmd_print_error(&err);
		return -1;
	}
	s->loaded = true;
	if (!s->l.launch_ok) {
		cmd_print_error(&s->l.launch_error);
		return -1;
	}
	return 0;
}

int cmd_diff(int argc, char **argv, const struct globals *g)
{
	const char *format = "text";
	struct strv names = STRV_INIT, ignore = STRV_INIT;
	struct side *sides = NULL;
	const struct profile **secret_profiles = NULL;
	uint8_t key[DIFF_KEY_LEN];
	struct resolved_locks locks = {0};
	struct strbuf out;
	bool reveal = false, any = false, verbose = g->verbosity > 0;
	size_t i, j, n;
	int rc = EXIT_USAGE;

	for (int k = 1; k < argc; k++) {
		const char *a = argv[k], *v;

		if (strcmp(a, "--reveal") == 0) {
			reveal = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			verbose = true;
		} else if (strcmp(a, "--no-color") == 0) {
			log_set_color(0);
		} else if (cmd_opt(argc, argv, &k, "--format", &format)) {
			if (!format) {
				rc = cmd_usage_error("diff", "--format takes text or json");
				goto out;
			}
		} else if (cmd_opt(argc, argv, &k, "--ignore", &v)) {
			if (!v) {
				rc = cmd_usage_error("diff", "--ignore takes globs over SECTION.KEY, "
						     "such as server.bind,env.DATABASE_URL,stage");
				goto out;
			}
			split_globs(v, &ignore);
		} else if (cmd_is_help(a)) {
			rc = cmd_help_of("diff", g);
			goto out;
		} else if (a[0] == '-') {
			rc = cmd_usage_error("diff", "unknown option '%s' for diff", a);
			goto out;
		} else {
			strv_push(&names, a);
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		rc = cmd_usage_error("diff", "--format takes text or json, not '%s'", format);
		goto out;
	}
	if (names.n < 2) {
		rc = cmd_usage_error("diff", "diff needs two PROFILEs or more (A B: what B changes "
				     "from A)");
		goto out;
	}
	n = names.n;
	sides = xcalloc(n, sizeof(*sides));
	secret_profiles = xcalloc(n + 1, sizeof(*secret_profiles));
	for (i = 0; i < n; i++) {
		sides[i].name = names.v[i];
		if (load_side(&sides[i], g) < 0)
			goto out;
		secret_profiles[i] = sides[i].l.profile;
	}
	if (!reveal && getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		fprintf(stderr, "deploy-run: error: cannot draw a key to compare secrets: %s\n",
			strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct resolved_opts o = {
			.key = reveal ? NULL : key, .keylen = sizeof(key),
			.secret_profiles = secret_profiles, .lock = true, .caller_env = environ,
			.locks = &locks,
		};
		struct error err = ERROR_INIT;

		if (resolved_build(&sides[i].r, &sides[i].l, &o, &err) < 0) {
			cmd_print_error(&err);
			goto out;
		}
	}
	explicit_bzero(key, sizeof(key)); /* every secret is hashed: the key is done */

	strbuf_init(&out);
	if (strcmp(format, "json") == 0 && n > 2)
		strbuf_adds(&out, "[");
	for (i = 1; i < n; i++) {
		struct strv globs = STRV_INIT;
		struct resolved_diffs d;
		const struct profile *pa = sides[0].l.profile, *pb = sides[i].l.profile;

		/* --ignore, then what either side declares expected */
		for (j = 0; j < ignore.n; j++)
			strv_push(&globs, ignore.v[j]);
		for (j = 0; j < pa->expected_differences.n; j++)
			strv_push(&globs, pa->expected_differences.v[j]);
		for (j = 0; j < pb->expected_differences.n; j++)
			strv_push(&globs, pb->expected_differences.v[j]);
		resolved_compare(&sides[0].r, &sides[i].r, strv_argv(&globs), &d);
		any |= d.n > 0;
		if (strcmp(format, "json") == 0) {
			strbuf_adds(&out, i > 1 ? ",\n" : "");
			render_json(pa->name, pb->name, &d, reveal, &out);
		} else {
			struct colors k = {"", "", "", "", ""};

			if (log_use_color(STDOUT_FILENO) > 0)
				k = (struct colors){"\033[31m", "\033[32m", "\033[1m", "\033[2m",
						    "\033[0m"};
			strbuf_adds(&out, i > 1 ? "\n" : "");
			render_text(pa->name, pb->name, &d, reveal, verbose, &k, &out);
			if (verbose)
				add_stale(&globs, &d, &k, &out);
		}
		resolved_diffs_finish(&d);
		strv_finish(&globs);
	}
	if (strcmp(format, "json") == 0)
		strbuf_adds(&out, n > 2 ? "]\n" : "\n");
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_finish(&out);
	rc = any ? EXIT_FINDINGS : 0;
out:
	explicit_bzero(key, sizeof(key));
	for (i = 0; sides && i < names.n; i++) {
		resolved_finish(&sides[i].r);
		if (sides[i].loaded)
			cmd_unload(&sides[i].l);
	}
	resolved_locks_finish(&locks);
	free(sides);
	free(secret_profiles);
	strv_finish(&names);
	strv_finish(&ignore);
	return rc;
}

const struct command_help cmd_diff_help = {
	"diff A B [C...] [--format text|json] [--ignore GLOBS] [-v] [--reveal]",
	"Shows what differs between environments: everything show composes, resolved\n"
	"as run would use it: the stage; the app's root, module, venv and its Python;\n"
	"each server setting's effective value and source, by the server's own name\n"
	"(workers = auto resolved, inputs from outside the argv included); the .env\n"
	"files in their order; every composed variable with its source; the lock,\n"
	"package by package, pins and hashes; the health, cleanup and run settings.\n"
	"B and C are each compared with A. Secrets are compared by a keyed hash drawn\n"
	"for this run: the output says whether they differ, never their values unless\n"
	"--reveal. [profile] expected_differences in A or B declares differences to\n"
	"ignore.\n\n"
	"Options:\n"
	"  --format FMT    text (default) or json\n"
	"  --ignore GLOBS  differences to ignore: globs over SECTION.KEY, comma-separated\n"
	"                  (server.bind,env.DATABASE_URL,stage); repeatable\n"
	"  -v, --verbose   list the expected (ignored) differences too, after the others,\n"
	"                  and the declarations that match no difference\n"
	"  --reveal        show secret values\n"
	"  --no-color      no colour, even on a terminal (NO_COLOR is honoured too)\n\n"
	"Exit status: 0 no differences (after the ignored ones), 1 differences,\n"
	"2 usage error, a profile that does not load or a lock that cannot be read.\n"
};
