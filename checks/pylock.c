#include "pylock.h"
#include "lockfile.h"
#include "path.h"
#include "pep440.h"
#include "pep508.h"
#include "strbuf.h"
#include "toml.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pylock_is_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (str_eq(base, "pylock.toml"))
		return true;
	/* ^pylock\.([^.]+)\.toml$ */
	if (n <= 12 || strncmp(base, "pylock.", 7) || strcmp(base + n - 5, ".toml"))
		return false;
	return memchr(base + 7, '.', n - 12) == NULL;
}

struct ctx {
	const char *name;
	struct error *err;
};

/*
 * Where a key is, as messages name it ("packages[3] (flask).wheels[0]."):
 * formatted only when a message needs it.
 */
struct where {
	bool package;          /* else the top level: "" */
	size_t idx;            /* packages[idx] */
	const char *name;      /* the package's name once known (at most 100 bytes shown) */
	const char *part;      /* "wheels", "sdist", "archive", "vcs", "directory", or NULL */
	size_t sub;            /* wheels[sub] */
};

/* The prefix of w with its final '.', or without it when bare is true. */
static const char *where_str(const struct where *w, char *buf, size_t size, bool bare)
{
	size_t n;

	buf[0] = '\0';
	if (!w->package)
		return buf;
	if (!w->name)
		snprintf(buf, size, "packages[%zu].", w->idx);
	else if (!w->part)
		snprintf(buf, size, "packages[%zu] (%.100s).", w->idx, w->name);
	else if (!strcmp(w->part, "wheels"))
		snprintf(buf, size, "packages[%zu] (%.100s).wheels[%zu].", w->idx, w->name, w->sub);
	else
		snprintf(buf, size, "packages[%zu] (%.100s).%s.", w->idx, w->name, w->part);
	n = strlen(buf);
	if (bare && n)
		buf[n - 1] = '\0';
	return buf;
}

#define WHERE_MAX 256

static int bad(struct ctx *c, int line, int column, const char *fmt, ...) PRINTF_LIKE(4, 5);

static int bad(struct ctx *c, int line, int column, const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error_at(c->err, c->name, line, column, "%s", msg);
}

/* A key of table t of the given type: 1 with *out, 0 when absent, -1 when mistyped. */
static int get(struct ctx *c, const struct toml_value *t, const struct where *w, const char *key,
	       enum toml_type type, const struct toml_value **out)
{
	const struct toml_kv *kv = toml_get_kv(t, key);
	char wb[WHERE_MAX];

	*out = NULL;
	if (!kv)
		return 0;
	if (kv->value->type != type)
		return bad(c, kv->line, kv->column, "%s%s: expected %s %s, not %s %s",
			   where_str(w, wb, sizeof(wb), false), key,
			   type == TOML_ARRAY || type == TOML_INTEGER ? "an" : "a",
			   toml_type_name(type),
			   kv->value->type == TOML_ARRAY || kv->value->type == TOML_INTEGER ||
			   kv->value->type == TOML_DATETIME ? "an" : "a",
			   toml_type_name(kv->value->type));
	*out = kv->value;
	return 1;
}

static int required(struct ctx *c, const struct toml_value *t, const struct where *w,
		    const char *key, enum toml_type type, const struct toml_value **out)
{
	int r = get(c, t, w, key, type, out);
	char wb[WHERE_MAX];

	if (r == 0)
		return bad(c, t->line, t->column, "%s%s: required by the pylock.toml specification, "
			   "and missing", where_str(w, wb, sizeof(wb), false), key);
	return r;
}

/* A string without a NUL, or an error at v. */
static int text(struct ctx *c, const struct toml_value *v, const struct where *w, const char *key)
{
	char wb[WHERE_MAX];

	if (strlen(v->u.s.ptr) != v->u.s.len)
		return bad(c, v->line, v->column, "%s%s: a NUL character in the string",
			   where_str(w, wb, sizeof(wb), false), key);
	return 0;
}

/* An array of strings into out. */
static int strings(struct ctx *c, const struct toml_value *t, const struct where *w,
		   const char *key, struct strv *out)
{
	const struct toml_value *a;
	size_t i;
	int r = get(c, t, w, key, TOML_ARRAY, &a);
	char wb[WHERE_MAX];

	if (r <= 0)
		return r;
	for (i = 0; i < a->u.a.n; i++) {
		const struct toml_value *s = a->u.a.v[i];

		if (s->type != TOML_STRING)
			return bad(c, s->line, s->column, "%s%s[%zu]: expected a string, not %s",
				   where_str(w, wb, sizeof(wb), false), key, i,
				   toml_type_name(s->type));
		if (text(c, s, w, key) < 0)
			return -1;
		strv_push(out, s->u.s.ptr);
	}
	return 1;
}

static int check_marker(struct ctx *c, const struct toml_value *v, const struct where *w,
			const char *key)
{
	struct error e = ERROR_INIT;
	struct pep508_marker *m = pep508_marker_parse_lock(v->u.s.ptr, v->u.s.len, &e);
	char wb[WHERE_MAX];

	if (!m)
		return bad(c, v->line, v->column, "%s%s: '%s' is not a valid environment marker: %s",
			   where_str(w, wb, sizeof(wb), false), key, v->u.s.ptr, e.message);
	pep508_marker_destroy(m);
	return 0;
}

static int check_specifier(struct ctx *c, const struct toml_value *v, const struct where *w,
			   const char *key)
{
	struct error e = ERROR_INIT;
	struct pep440_specset set = PEP440_SPECSET_INIT;
	char wb[WHERE_MAX];

	if (pep440_specset_parse(&set, v->u.s.ptr, v->u.s.len, &e) < 0)
		return bad(c, v->line, v->column, "%s%s: '%s' is not a valid version specifier: %s",
			   where_str(w, wb, sizeof(wb), false), key, v->u.s.ptr, e.message);
	pep440_specset_finish(&set);
	return 0;
}

/* a, b and c joined, malloc'd */
static char *concat(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = xmalloc(la + lb + lc + 1);

	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

/* A file of the package (a wheel, the sdist, the archive): url or path, and hashes. */
static int file_entry(struct ctx *c, const struct toml_value *f, const struct where *w,
		      struct reqfile_req *q, char **location)
{
	const struct toml_value *url, *path, *hashes;
	char wb[WHERE_MAX];
	size_t i;
	int r;

	if (f->type != TOML_TABLE)
		return bad(c, f->line, f->column, "%s: expected a table, not %s",
			   where_str(w, wb, sizeof(wb), true), toml_type_name(f->type));
	if (get(c, f, w, "url", TOML_STRING, &url) < 0 ||
	    get(c, f, w, "path", TOML_STRING, &path) < 0)
		return -1;
	if (!url && !path)
		return bad(c, f->line, f->column, "%s: needs a url or a path (the pylock.toml "
			   "specification requires one of them)", where_str(w, wb, sizeof(wb), true));
	if ((url && text(c, url, w, "url") < 0) || (path && text(c, path, w, "path") < 0))
		return -1;
	if (location && !*location)
		*location = xstrdup(url ? url->u.s.ptr : path->u.s.ptr);
	if ((r = get(c, f, w, "hashes", TOML_TABLE, &hashes)) < 0)
		return -1;
	if (!r || !hashes->u.t.n)
		return bad(c, r ? hashes->line : f->line, r ? hashes->column : f->column,
			   "%shashes: %s (the pylock.toml specification requires a table of at "
			   "least one ALGORITHM = 'DIGEST')", where_str(w, wb, sizeof(wb), false),
			   r ? "empty" : "missing");
	for (i = 0; i < hashes->u.t.n; i++) {
		const struct toml_kv *kv = &hashes->u.t.v[i];

		if (kv->value->type != TOML_STRING || !kv->value->u.s.len ||
		    text(c, kv->value, w, kv->key) < 0)
			return bad(c, kv->line, kv->column, "%shashes.%s: expected the digest as a "
				   "non-empty string", where_str(w, wb, sizeof(wb), false), kv->key);
		strv_push_owned(&q->hashes, concat(kv->key, ":", kv->value->u.s.ptr));
	}
	return 0;
}

static int package(struct ctx *c, struct lockfile *lf, const struct toml_value *pk, size_t idx)
{
	struct reqfile_req *q;
	const struct toml_value *name, *version, *marker, *rp, *wheels, *sdist, *archive, *vcs,
		*dir;
	struct where w = {true, idx, NULL, NULL, 0};
	char wb[WHERE_MAX];
	_cleanup_free_ char *location = NULL;
	size_t i, sources, cap;
	int line = pk->line;

	if (pk->type != TOML_TABLE)
		return bad(c, pk->line, pk->column, "packages[%zu]: expected a table, not %s", idx,
			   toml_type_name(pk->type));
	if (required(c, pk, &w, "name", TOML_STRING, &name) < 0 ||
	    text(c, name, &w, "name") < 0)
		return -1;
	if (!name->u.s.len)
		return bad(c, name->line, name->column, "%sname: empty",
			   where_str(&w, wb, sizeof(wb), false));
	w.name = name->u.s.ptr;
	if (get(c, pk, &w, "version", TOML_STRING, &version) < 0 ||
	    get(c, pk, &w, "marker", TOML_STRING, &marker) < 0 ||
	    get(c, pk, &w, "requires-python", TOML_STRING, &rp) < 0 ||
	    get(c, pk, &w, "wheels", TOML_ARRAY, &wheels) < 0 ||
	    get(c, pk, &w, "sdist", TOML_TABLE, &sdist) < 0 ||
	    get(c, pk, &w, "archive", TOML_TABLE, &archive) < 0 ||
	    get(c, pk, &w, "vcs", TOML_TABLE, &vcs) < 0 ||
	    get(c, pk, &w, "directory", TOML_TABLE, &dir) < 0)
		return -1;
	if ((version && text(c, version, &w, "version") < 0) ||
	    (marker && (text(c, marker, &w, "marker") < 0 ||
			check_marker(c, marker, &w, "marker") < 0)) ||
	    (rp && (text(c, rp, &w, "requires-python") < 0 ||
		    check_specifier(c, rp, &w, "requires-python") < 0)))
		return -1;
	if (version) {
		struct error e = ERROR_INIT;
		struct pep440_version v;

		if (pep440_version_parses(&v, version->u.s.ptr, &e) < 0)
			return bad(c, version->line, version->column,
				   "%sversion: '%s' is not a valid version: %s",
				   where_str(&w, wb, sizeof(wb), false), version->u.s.ptr, e.message);
		pep440_version_finish(&v);
	}
	sources = !!vcs + !!dir + !!archive + !!(wheels || sdist);
	if (!sources)
		return bad(c, pk->line, pk->column, "%s: no source: the pylock.toml specification "
			   "requires one of wheels, sdist, archive, vcs or directory",
			   where_str(&w, wb, sizeof(wb), true));
	/* an empty list of wheels is no file to install either */
	if (wheels && !wheels->u.a.n && !sdist && sources == 1)
		return bad(c, wheels->line, wheels->column, "%swheels: empty, and no sdist: the "
			   "package has no file to install", where_str(&w, wb, sizeof(wb), false));
	if (sources > 1) {
		const struct toml_value *second = vcs && (dir || archive || wheels || sdist) ? vcs
						  : dir && (archive || wheels || sdist) ? dir
						  : archive;

		return bad(c, second->line, second->column, "%s: vcs, directory and archive each "
			   "exclude every other source (the pylock.toml specification), and this "
			   "package has more than one", where_str(&w, wb, sizeof(wb), true));
	}

	cap = lf->cap_reqs;
	grow_array((void **)&lf->reqs, &lf->cap_reqs, lf->n_reqs + 1, sizeof(*lf->reqs));
	if (lf->cap_reqs != cap) /* the two arrays grow together */
		lf->pylock.package_requires_python = xrealloc(lf->pylock.package_requires_python,
							      lf->cap_reqs * sizeof(char *));
	lf->pylock.package_requires_python[lf->n_reqs] = rp ? xstrdup(rp->u.s.ptr) : NULL;
	q = &lf->reqs[lf->n_reqs++];
	memset(q, 0, sizeof(*q));
	q->file = xstrdup(c->name);
	q->line = line;
	q->name = xstrdup(name->u.s.ptr);
	q->normalized = pep440_canonicalize_name(name->u.s.ptr, name->u.s.len);
	q->marker = marker ? xstrdup(marker->u.s.ptr) : NULL;
	q->pinned = version != NULL;
	q->version = version ? xstrdup(version->u.s.ptr) : NULL;
	q->specifier = version ? concat("==", version->u.s.ptr, "") : xstrdup("");

	if (wheels) {
		w.part = "wheels";
		for (i = 0; i < wheels->u.a.n; i++) {
			w.sub = i;
			if (file_entry(c, wheels->u.a.v[i], &w, q, NULL) < 0)
				return -1;
		}
		w.part = NULL;
	}
	if (sdist && file_entry(c, sdist, (w.part = "sdist", &w), q, NULL) < 0)
		return -1;
	if (archive && file_entry(c, archive, (w.part = "archive", &w), q, &location) < 0)
		return -1;
	if (vcs) {
		const struct toml_value *type, *url, *path, *commit;

		w.part = "vcs";
		if (required(c, vcs, &w, "type", TOML_STRING, &type) < 0 ||
		    get(c, vcs, &w, "url", TOML_STRING, &url) < 0 ||
		    get(c, vcs, &w, "path", TOML_STRING, &path) < 0 ||
		    required(c, vcs, &w, "commit-id", TOML_STRING, &commit) < 0)
			return -1;
		if (!url && !path)
			return bad(c, vcs->line, vcs->column, "%surl: needs a url or a path (the "
				   "pylock.toml specification requires one of them)",
				   where_str(&w, wb, sizeof(wb), false));
		q->url = xasprintf("%s+%s@%s", type->u.s.ptr, url ? url->u.s.ptr : path->u.s.ptr,
				   commit->u.s.ptr);
	}
	if (dir) {
		const struct toml_value *path, *editable;

		w.part = "directory";
		if (required(c, dir, &w, "path", TOML_STRING, &path) < 0 ||
		    get(c, dir, &w, "editable", TOML_BOOLEAN, &editable) < 0)
			return -1;
		q->url = xstrdup(path->u.s.ptr);
		q->editable = editable && editable->u.b;
	}
	if (location)
		q->url = xstrdup(location);
	q->text = q->url ? xasprintf("%s @ %s", q->name, q->url)
		: version ? concat(q->name, "==", version->u.s.ptr) : xstrdup(q->name);
	return 0;
}

/* The model of the document root (which it frees). */
static int parse_root(struct lockfile *lf, struct toml_value *root, const char *name,
		      struct error *err)
{
	struct ctx c = {name, err};
	struct where top = {false, 0, NULL, NULL, 0};
	const struct toml_value *lv, *cb, *rp, *env, *pk;
	const struct toml_kv *kv;
	unsigned long major;
	char *end;
	size_t i;
	int ret = -1;

	if (!root)
		return -1;
	if (required(&c, root, &top, "lock-version", TOML_STRING, &lv) < 0 ||
	    text(&c, lv, &top, "lock-version") < 0)
		goto out;
	major = strtoul(lv->u.s.ptr, &end, 10);
	if (end == lv->u.s.ptr || (*end && *end != '.')) {
		bad(&c, lv->line, lv->column, "lock-version: '%s' is not a version (\"1.0\")",
		    lv->u.s.ptr);
		goto out;
	}
	if (major != 1) {
		bad(&c, lv->line, lv->column, "lock-version %s: deploy-run reads lock-version 1.x; "
		    "this lock needs a reader of version %lu of the pylock.toml specification",
		    lv->u.s.ptr, major);
		goto out;
	}
	lf->pylock.lock_version = xstrdup(lv->u.s.ptr);
	if (required(&c, root, &top, "created-by", TOML_STRING, &cb) < 0)
		goto out;
	lf->pylock.created_by = xstrdup(cb->u.s.ptr);
	if (get(&c, root, &top, "requires-python", TOML_STRING, &rp) < 0 ||
	    (rp && (text(&c, rp, &top, "requires-python") < 0 ||
		    check_specifier(&c, rp, &top, "requires-python") < 0)))
		goto out;
	if (rp) {
		kv = toml_get_kv(root, "requires-python");
		lf->pylock.requires_python = xstrdup(rp->u.s.ptr);
		lf->pylock.requires_python_line = kv->line;
		lf->pylock.requires_python_column = kv->column;
	}
	if (strings(&c, root, &top, "environments", &lf->pylock.environments) < 0 ||
	    strings(&c, root, &top, "extras", &lf->pylock.extras) < 0 ||
	    strings(&c, root, &top, "dependency-groups", &lf->pylock.dependency_groups) < 0 ||
	    strings(&c, root, &top, "default-groups", &lf->pylock.default_groups) < 0)
		goto out;
	if ((env = toml_get(root, "environments"))) {
		kv = toml_get_kv(root, "environments");
		lf->pylock.environments_line = kv->line;
		lf->pylock.environments_column = kv->column;
		for (i = 0; i < env->u.a.n; i++) {
			char key[32];

			snprintf(key, sizeof(key), "environments[%zu]", i);
			if (check_marker(&c, env->u.a.v[i], &top, key) < 0)
				goto out;
		}
	}
	if (required(&c, root, &top, "packages", TOML_ARRAY, &pk) < 0)
		goto out;
	for (i = 0; i < pk->u.a.n; i++)
		if (package(&c, lf, pk->u.a.v[i], i) < 0)
			goto out;
	ret = 0;
out:
	toml_value_destroy(root);
	return ret;
}

int pylock_parse(struct lockfile *lf, const char *buf, size_t len, const char *name,
		 struct error *err)
{
	return parse_root(lf, toml_parse(buf, len, name, err), name, err);
}

int pylock_parse_owned(struct lockfile *lf, char *buf, size_t len, const char *name,
		       struct error *err)
{
	return parse_root(lf, toml_parse_owned(buf, len, name, err), name, err);
}
