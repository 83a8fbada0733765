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
static int get(struct ctx *c, const struct toml_value *t, const char *where, const char *key,
	       enum toml_type type, const struct toml_value **out)
{
	const struct toml_kv *kv = toml_get_kv(t, key);

	*out = NULL;
	if (!kv)
		return 0;
	if (kv->value->type != type)
		return bad(c, kv->line, kv->column, "%s%s: expected %s %s, not %s %s", where, key,
			   type == TOML_ARRAY || type == TOML_INTEGER ? "an" : "a",
			   toml_type_name(type),
			   kv->value->type == TOML_ARRAY || kv->value->type == TOML_INTEGER ||
			   kv->value->type == TOML_DATETIME ? "an" : "a",
			   toml_type_name(kv->value->type));
	*out = kv->value;
	return 1;
}

static int required(struct ctx *c, const struct toml_value *t, const char *where, const char *key,
		    enum toml_type type, const struct toml_value **out)
{
	int r = get(c, t, where, key, type, out);

	if (r == 0)
		return bad(c, t->line, t->column, "%s%s: required by the pylock.toml specification, "
			   "and missing", where, key);
	return r;
}

/* A string without a NUL, or an error at v. */
static int text(struct ctx *c, const struct toml_value *v, const char *where, const char *key)
{
	if (strlen(v->u.s.ptr) != v->u.s.len)
		return bad(c, v->line, v->column, "%s%s: a NUL character in the string", where, key);
	return 0;
}

/* An array of strings into out. */
static int strings(struct ctx *c, const struct toml_value *t, const char *where, const char *key,
		   struct strv *out)
{
	const struct toml_value *a;
	size_t i;
	int r = get(c, t, where, key, TOML_ARRAY, &a);

	if (r <= 0)
		return r;
	for (i = 0; i < a->u.a.n; i++) {
		const struct toml_value *s = a->u.a.v[i];

		if (s->type != TOML_STRING)
			return bad(c, s->line, s->column, "%s%s[%zu]: expected a string, not %s",
				   where, key, i, toml_type_name(s->type));
		if (text(c, s, where, key) < 0)
			return -1;
		strv_push(out, s->u.s.ptr);
	}
	return 1;
}

static int check_marker(struct ctx *c, const struct toml_value *v, const char *where,
			const char *key)
{
	struct error e = ERROR_INIT;
	struct pep508_marker *m = pep508_marker_parse_lock(v->u.s.ptr, v->u.s.len, &e);

	if (!m)
		return bad(c, v->line, v->column, "%s%s: '%s' is not a valid environment marker: %s",
			   where, key, v->u.s.ptr, e.message);
	pep508_marker_destroy(m);
	return 0;
}

static int check_specifier(struct ctx *c, const struct toml_value *v, const char *where,
			   const char *key)
{
	struct error e = ERROR_INIT;
	struct pep440_specset set = PEP440_SPECSET_INIT;

	if (pep440_specset_parse(&set, v->u.s.ptr, v->u.s.len, &e) < 0)
		return bad(c, v->line, v->column, "%s%s: '%s' is not a valid version specifier: %s",
			   where, key, v->u.s.ptr, e.message);
	pep440_specset_finish(&set);
	return 0;
}

/* A file of the package (a wheel, the sdist, the archive): url or path, and hashes. */
static int file_entry(struct ctx *c, const struct toml_value *f, const char *where,
		      struct reqfile_req *q, char **location)
{
	const struct toml_value *url, *path, *hashes;
	int wl = (int)strlen(where) - 1; /* where without its final '.' */
	size_t i;
	int r;

	if (f->type != TOML_TABLE)
		return bad(c, f->line, f->column, "%.*s: expected a table, not %s", wl, where,
			   toml_type_name(f->type));
	if (get(c, f, where, "url", TOML_STRING, &url) < 0 ||
	    get(c, f, where, "path", TOML_STRING, &path) < 0)
		return -1;
	if (!url && !path)
		return bad(c, f->line, f->column, "%.*s: needs a url or a path (the pylock.toml "
			   "specification requires one of them)", wl, where);
	if ((url && text(c, url, where, "url") < 0) || (path && text(c, path, where, "path") < 0))
		return -1;
	if (location && !*location)
		*location = xstrdup(url ? url->u.s.ptr : path->u.s.ptr);
	if ((r = get(c, f, where, "hashes", TOML_TABLE, &hashes)) < 0)
		return -1;
	if (!r || !hashes->u.t.n)
		return bad(c, r ? hashes->line : f->line, r ? hashes->column : f->column,
			   "%shashes: %s (the pylock.toml specification requires a table of at "
			   "least one ALGORITHM = 'DIGEST')", where, r ? "empty" : "missing");
	for (i = 0; i < hashes->u.t.n; i++) {
		const struct toml_kv *kv = &hashes->u.t.v[i];

		if (kv->value->type != TOML_STRING || !kv->value->u.s.len ||
		    text(c, kv->value, where, kv->key) < 0)
			return bad(c, kv->line, kv->column, "%shashes.%s: expected the digest as a "
				   "non-empty string", where, kv->key);
		strv_pushf(&q->hashes, "%s:%s", kv->key, kv->value->u.s.ptr);
	}
	return 0;
}

static int package(struct ctx *c, struct lockfile *lf, const struct toml_value *pk, size_t idx)
{
	struct reqfile_req *q;
	const struct toml_value *name, *version, *marker, *rp, *wheels, *sdist, *archive, *vcs,
		*dir;
	char where[160];
	_cleanup_free_ char *location = NULL;
	size_t i, sources, cap;
	int line = pk->line;

	snprintf(where, sizeof(where), "packages[%zu].", idx);
	if (pk->type != TOML_TABLE)
		return bad(c, pk->line, pk->column, "packages[%zu]: expected a table, not %s", idx,
			   toml_type_name(pk->type));
	if (required(c, pk, where, "name", TOML_STRING, &name) < 0 ||
	    text(c, name, where, "name") < 0)
		return -1;
	if (!name->u.s.len)
		return bad(c, name->line, name->column, "%sname: empty", where);
	snprintf(where, sizeof(where), "packages[%zu] (%.100s).", idx, name->u.s.ptr);
	if (get(c, pk, where, "version", TOML_STRING, &version) < 0 ||
	    get(c, pk, where, "marker", TOML_STRING, &marker) < 0 ||
	    get(c, pk, where, "requires-python", TOML_STRING, &rp) < 0 ||
	    get(c, pk, where, "wheels", TOML_ARRAY, &wheels) < 0 ||
	    get(c, pk, where, "sdist", TOML_TABLE, &sdist) < 0 ||
	    get(c, pk, where, "archive", TOML_TABLE, &archive) < 0 ||
	    get(c, pk, where, "vcs", TOML_TABLE, &vcs) < 0 ||
	    get(c, pk, where, "directory", TOML_TABLE, &dir) < 0)
		return -1;
	if ((version && text(c, version, where, "version") < 0) ||
	    (marker && (text(c, marker, where, "marker") < 0 ||
			check_marker(c, marker, where, "marker") < 0)) ||
	    (rp && (text(c, rp, where, "requires-python") < 0 ||
		    check_specifier(c, rp, where, "requires-python") < 0)))
		return -1;
	if (version) {
		struct error e = ERROR_INIT;
		struct pep440_version v;

		if (pep440_version_parses(&v, version->u.s.ptr, &e) < 0)
			return bad(c, version->line, version->column,
				   "%sversion: '%s' is not a valid version: %s", where,
				   version->u.s.ptr, e.message);
		pep440_version_finish(&v);
	}
	sources = !!vcs + !!dir + !!archive + !!(wheels || sdist);
	if (!sources)
		return bad(c, pk->line, pk->column, "%s: no source: the pylock.toml specification "
			   "requires one of wheels, sdist, archive, vcs or directory",
			   (where[strlen(where) - 1] = '\0', where));
	if (sources > 1) {
		const struct toml_value *second = vcs && (dir || archive || wheels || sdist) ? vcs
						  : dir && (archive || wheels || sdist) ? dir
						  : archive;

		where[strlen(where) - 1] = '\0';
		return bad(c, second->line, second->column, "%s: vcs, directory and archive each "
			   "exclude every other source (the pylock.toml specification), and this "
			   "package has more than one", where);
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
	q->specifier = version ? xasprintf("==%s", version->u.s.ptr) : xstrdup("");

	if (wheels) {
		for (i = 0; i < wheels->u.a.n; i++) {
			char w[200];

			snprintf(w, sizeof(w), "%swheels[%zu].", where, i);
			if (file_entry(c, wheels->u.a.v[i], w, q, NULL) < 0)
				return -1;
		}
	}
	if (sdist && file_entry(c, sdist, (strcat(where, "sdist."), where), q, NULL) < 0)
		return -1;
	if (archive && file_entry(c, archive, (strcat(where, "archive."), where), q, &location) < 0)
		return -1;
	if (vcs) {
		const struct toml_value *type, *url, *path, *commit;

		strcat(where, "vcs.");
		if (required(c, vcs, where, "type", TOML_STRING, &type) < 0 ||
		    get(c, vcs, where, "url", TOML_STRING, &url) < 0 ||
		    get(c, vcs, where, "path", TOML_STRING, &path) < 0 ||
		    required(c, vcs, where, "commit-id", TOML_STRING, &commit) < 0)
			return -1;
		if (!url && !path)
			return bad(c, vcs->line, vcs->column, "%surl: needs a url or a path (the "
				   "pylock.toml specification requires one of them)", where);
		q->url = xasprintf("%s+%s@%s", type->u.s.ptr, url ? url->u.s.ptr : path->u.s.ptr,
				   commit->u.s.ptr);
	}
	if (dir) {
		const struct toml_value *path, *editable;

		strcat(where, "directory.");
		if (required(c, dir, where, "path", TOML_STRING, &path) < 0 ||
		    get(c, dir, where, "editable", TOML_BOOLEAN, &editable) < 0)
			return -1;
		q->url = xstrdup(path->u.s.ptr);
		q->editable = editable && editable->u.b;
	}
	if (location)
		q->url = xstrdup(location);
	q->text = q->url ? xasprintf("%s @ %s", q->name, q->url)
		: version ? xasprintf("%s==%s", q->name, version->u.s.ptr) : xstrdup(q->name);
	return 0;
}

int pylock_parse(struct lockfile *lf, const char *buf, size_t len, const char *name,
		 struct error *err)
{
	struct ctx c = {name, err};
	struct toml_value *root = toml_parse(buf, len, name, err);
	const struct toml_value *lv, *cb, *rp, *env, *pk;
	const struct toml_kv *kv;
	unsigned long major;
	char *end;
	size_t i;
	int ret = -1;

	if (!root)
		return -1;
	if (required(&c, root, "", "lock-version", TOML_STRING, &lv) < 0 ||
	    text(&c, lv, "", "lock-version") < 0)
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
	if (required(&c, root, "", "created-by", TOML_STRING, &cb) < 0)
		goto out;
	lf->pylock.created_by = xstrdup(cb->u.s.ptr);
	if (get(&c, root, "", "requires-python", TOML_STRING, &rp) < 0 ||
	    (rp && (text(&c, rp, "", "requires-python") < 0 ||
		    check_specifier(&c, rp, "", "requires-python") < 0)))
		goto out;
	if (rp) {
		kv = toml_get_kv(root, "requires-python");
		lf->pylock.requires_python = xstrdup(rp->u.s.ptr);
		lf->pylock.requires_python_line = kv->line;
		lf->pylock.requires_python_column = kv->column;
	}
	if (strings(&c, root, "", "environments", &lf->pylock.environments) < 0 ||
	    strings(&c, root, "", "extras", &lf->pylock.extras) < 0 ||
	    strings(&c, root, "", "dependency-groups", &lf->pylock.dependency_groups) < 0 ||
	    strings(&c, root, "", "default-groups", &lf->pylock.default_groups) < 0)
		goto out;
	if ((env = toml_get(root, "environments"))) {
		kv = toml_get_kv(root, "environments");
		lf->pylock.environments_line = kv->line;
		lf->pylock.environments_column = kv->column;
		for (i = 0; i < env->u.a.n; i++) {
			char key[32];

			snprintf(key, sizeof(key), "environments[%zu]", i);
			if (check_marker(&c, env->u.a.v[i], "", key) < 0)
				goto out;
		}
	}
	if (required(&c, root, "", "packages", TOML_ARRAY, &pk) < 0)
		goto out;
	for (i = 0; i < pk->u.a.n; i++)
		if (package(&c, lf, pk->u.a.v[i], i) < 0)
			goto out;
	ret = 0;
out:
	toml_value_destroy(root);
	return ret;
}
