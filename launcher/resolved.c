#include "resolved.h"
#include "fileio.h"
#include "keys.h"
#include "lockfile.h"
#include "path.h"
#include "requirements.h"
#include "strbuf.h"
#include "util.h"
#include "value.h"
#include "venv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The sections in the order they are listed and compared. */
static const char *const sections[] = {
	"stage", "app", "server", "dotenv", "env", "lock", "health", "cleanup", "run", NULL,
};

static struct resolved_item *add(struct resolved *r, const char *section, const char *key,
				 char *value, char *source)
{
	struct resolved_item *it;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->items = xrealloc(r->items, r->cap * sizeof(*r->items));
	}
	it = &r->items[r->n++];
	memset(it, 0, sizeof(*it));
	it->section = section;
	it->key = key ? xstrdup(key) : NULL;
	it->value = value;
	it->source = source;
	return it;
}

/* path relative to the app root when inside it (the root is an item of its
 * own: two roots differ once, not in every path), else path itself. */
static char *under_root(const struct profile *p, const char *path)
{
	size_t n = strlen(p->root);

	if (path_is_inside(path, p->root) && strncmp(path, p->root, n) == 0 && path[n] == '/')
		return xstrdup(path + n + 1);
	return xstrdup(path);
}

static char *loc_text(const struct profile_loc loc)
{
	return loc.file ? xasprintf("%s:%d", loc.file, loc.line) : xstrdup("default");
}

/* section.key of the key table, as in effect, with where it was set. */
static struct resolved_item *add_key(struct resolved *r, const struct profile *p,
				     const char *out_section, const struct key_def *d)
{
	return add(r, out_section, d->key, profile_value_text(p, d),
		   loc_text(p->locs[keys_index(d)]));
}

static void add_section_keys(struct resolved *r, const struct profile *p, const char *section,
			     const char *out_section)
{
	size_t i;

	for (i = 0; i < profile_nkeys; i++)
		if (strcmp(profile_keys[i].section, section) == 0)
			add_key(r, p, out_section, &profile_keys[i]);
}

static bool is_secret(const struct profile *p, const struct resolved_opts *o, const char *key)
{
	const struct profile *const *q;

	if (profile_is_secret(p, key))
		return true;
	for (q = o->secret_profiles; q && *q; q++)
		if (profile_is_secret(*q, key))
			return true;
	return false;
}

/* Drops a secret's value for its keyed hash (when a key is given). */
static int seal(struct resolved_item *it, const struct resolved_opts *o, struct error *err)
{
	it->secret = true;
	if (!o->key || !it->value)
		return 0;
	if (hmac_sha256(o->key, o->keylen, it->value, strlen(it->value), it->digest, err) < 0)
		return -1;
	explicit_bzero(it->value, strlen(it->value));
	free(it->value);
	it->value = NULL;
	it->hashed = true;
	return 0;
}

static void add_app(struct resolved *r, const struct loaded *l)
{
	static const char *const keys[] = {"server", "root", "module", "venv", "workdir", "user"};
	const struct profile *p = l->profile;
	_cleanup_free_ char *cfg = path_join(p->venv, "pyvenv.cfg");
	_cleanup_free_ char *buf = NULL;
	struct error err = ERROR_INIT;
	size_t i, len;
	int line = 0;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		add_key(r, p, "app", keys_find("app", keys[i]));
		if (i == 3) { /* the venv's interpreter, right after the venv */
			char *version = NULL;

			if (file_read(cfg, 64 * 1024, &buf, &len, NULL, &err) == 0)
				version = venv_cfg_version(buf, &line);
			_cleanup_free_ char *shown = under_root(p, cfg);

			add(r, "app", "python", version,
			    version ? xasprintf("%s:%d", shown, line)
				    : xasprintf("no version in %s", shown));
		}
	}
}

static void add_env(struct resolved *r, const struct loaded *l, const struct resolved_opts *o,
		    struct error *err, int *rc)
{
	const struct profile *p = l->profile;
	const struct key_def *files = keys_find("env", "files");
	size_t i;

	add(r, "dotenv", "files",
	    p->env_files_as_written.n ? profile_value_text(p, files) : NULL,
	    loc_text(p->locs[keys_index(files)]));
	/* as written, relative to the root: the root is compared on its own */
	if (r->items[r->n - 1].value) {
		free(r->items[r->n - 1].value);
		r->items[r->n - 1].value = NULL;
		for (i = 0; i < p->env_files_as_written.n; i++) {
			char *prev = r->items[r->n - 1].value;

			r->items[r->n - 1].value = xasprintf("%s%s%s", prev ? prev : "",
							     i ? ", " : "",
							     p->env_files_as_written.v[i]);
			free(prev);
		}
	}
	for (i = 0; i < profile_nkeys; i++)
		if (strcmp(profile_keys[i].section, "env") == 0 &&
		    strcmp(profile_keys[i].key, "files") != 0)
			add_key(r, p, "dotenv", &profile_keys[i]);

	for (i = 0; i < l->env.n; i++) {
		const struct env_var *v = &l->env.vars[i];
		struct resolved_item *it;
		char *value;

		if (v->removed)
			value = xstrdup("(removed)");
		else if (!v->value)
			value = xstrdup("(declared without a value)");
		else
			value = xstrdup(v->value);
		it = add(r, "env", v->key, value, xstrdup(v->source));
		if (!v->removed && v->value && is_secret(p, o, v->key) && *rc == 0)
			*rc = seal(it, o, err);
	}
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The package's hashes, sorted (their order in a lock means nothing). */
static char *hashes_text(const struct reqfile_req *q)
{
	struct strbuf b;
	char **v;
	size_t i;

	if (!q->hashes.n)
		return NULL;
	v = xmalloc(q->hashes.n * sizeof(*v));
	memcpy(v, q->hashes.v, q->hashes.n * sizeof(*v));
	qsort(v, q->hashes.n, sizeof(*v), cmp_str);
	strbuf_init(&b);
	for (i = 0; i < q->hashes.n; i++) {
		strbuf_adds(&b, i ? " " : "");
		strbuf_adds(&b, v[i]);
	}
	free(v);
	return strbuf_detach(&b);
}

static int add_lock(struct resolved *r, const struct loaded *l, const struct resolved_opts *o,
		    struct error *err)
{
	const struct profile *p = l->profile;
	struct context ctx;
	struct lockfile lf;
	struct error lerr = ERROR_INIT;
	struct resolved_item *file;
	size_t i;

	cmd_context(&ctx, l, NULL, false);
	ctx.caller_env = o->caller_env;
	file = add_key(r, p, "lock", keys_find("app", "requirements"));
	free(file->key);
	file->key = xstrdup("file");
	if (!p->requirements)
		return 0;
	free(file->value);
	file->value = under_root(p, p->requirements);
	if (requirements_load_lock(&ctx, &lf, &lerr) < 0) {
		if (lerr.errnum == ENOENT) {
			char *prev = file->source;

			file->source = xasprintf("%s, missing", prev);
			free(prev);
			return 0;
		}
		*err = lerr;
		return -1;
	}
	for (i = 0; i < lf.n_reqs; i++) {
		const struct reqfile_req *q = &lf.reqs[i];
		const char *name = q->normalized ? q->normalized : q->text;
		struct resolved_item *it;
		char *value;

		if (q->constraint)
			continue;
		if (q->pinned)
			value = xstrdup(q->version);
		else if (q->url)
			value = xstrdup(q->url);
		else
			value = xasprintf("%s (not pinned)", *q->specifier ? q->specifier : "any");
		if (q->marker) {
			char *v = xasprintf("%s; %s", value, q->marker);

			free(value);
			value = v;
		}
		_cleanup_free_ char *shown = under_root(p, q->file);

		it = add(r, "lock", name, value, xasprintf("%s:%d", shown, q->line));
		it->detail = hashes_text(q);
	}
	lockfile_finish(&lf);
	return 0;
}

static void add_cleanup(struct resolved *r, const struct profile *p)
{
	size_t i;

	for (i = 0; i < profile_nkeys; i++) {
		const struct key_def *d = &profile_keys[i];
		struct resolved_item *it;

		if (strcmp(d->section, "cleanup") != 0)
			continue;
		it = add_key(r, p, "cleanup", d);
		if (strcmp(d->key, "kill_timeout") == 0 && !p->kill_timeout_ms) {
			char buf[64], *prev = it->source;

			value_format_duration(profile_kill_timeout_ms(p), buf, sizeof(buf));
			free(it->value);
			it->value = xstrdup(buf);
			it->source = xasprintf("%s (graceful_timeout + 5s)", prev);
			free(prev);
		}
	}
}

int resolved_build(struct resolved *r, const struct loaded *l, const struct resolved_opts *o,
		   struct error *err)
{
	const struct profile *p = l->profile;
	size_t i;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	add(r, "stage", NULL, xstrdup(profile_stage_name(p->stage)),
	    loc_text(profile_loc(p, "profile", "stage")));
	add_app(r, l);
	for (i = 0; l->launch_ok && i < l->launch.nsettings; i++) {
		const struct launch_setting *s = &l->launch.settings[i];

		add(r, "server", s->name, s->value ? xstrdup(s->value) : NULL, xstrdup(s->source));
	}
	add_env(r, l, o, err, &rc);
	if (rc == 0 && o->lock)
		rc = add_lock(r, l, o, err);
	add_section_keys(r, p, "health", "health");
	add_cleanup(r, p);
	add_section_keys(r, p, "run", "run");
	if (rc < 0)
		resolved_finish(r);
	return rc;
}

void resolved_finish(struct resolved *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		struct resolved_item *it = &r->items[i];

		free(it->key);
		if (it->value && it->secret)
			explicit_bzero(it->value, strlen(it->value));
		free(it->value);
		free(it->detail);
		free(it->source);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

char *resolved_name(const struct resolved_item *it)
{
	return it->key ? xasprintf("%s.%s", it->section, it->key) : xstrdup(it->section);
}

size_t resolved_section(const struct resolved *r, const char *section, size_t *first)
{
	size_t i, n = 0;

	*first = 0;
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->items[i].section, section) != 0)
			continue;
		if (!n)
			*first = i;
		n++;
	}
	return n;
}

/* ---- comparing ---- */

static int section_rank(const char *section)
{
	int i;

	for (i = 0; sections[i]; i++)
		if (strcmp(sections[i], section) == 0)
			return i;
	return i;
}

static int cmp_item(const struct resolved_item *x, const struct resolved_item *y)
{
	int c = strcmp(x->section, y->section);

	if (c)
		return c;
	if (!x->key || !y->key)
		return x->key ? 1 : y->key ? -1 : 0;
	return strcmp(x->key, y->key);
}

static int cmp_ptr(const void *x, const void *y)
{
	return cmp_item(*(const struct resolved_item *const *)x,
			*(const struct resolved_item *const *)y);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_value(const struct resolved_item *a, const struct resolved_item *b)
{
	if (a->hashed || b->hashed)
		return a->hashed && b->hashed && memcmp(a->digest, b->digest, SHA256_LEN) == 0;
	return str_same(a->value, b->value);
}

static bool ignored(const struct resolved_item *it, char *const *ignore)
{
	_cleanup_free_ char *name = NULL;

	if (!ignore || !*ignore)
		return false;
	name = resolved_name(it);
	for (; *ignore; ignore++)
		if (str_glob(*ignore, name))
			return true;
	return false;
}

struct ranked {
	struct resolved_diff d;
	int rank;
	size_t pos;
};

static int cmp_ranked(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank - b->rank;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static void pair(const struct resolved_item *a, const struct resolved_item *b, size_t na,
		 const struct resolved *ra, const struct resolved *rb, char *const *ignore,
		 struct ranked **v, size_t *n, size_t *cap, size_t *nignored)
{
	const struct resolved_item *any = a ? a : b;
	bool detail_only = false;
	struct ranked *x;

	if (a && b) {
		if (same_value(a, b)) {
			if (str_same(a->detail, b->detail))
				return;
			detail_only = true;
		}
	}
	if (ignored(any, ignore)) {
		(*nignored)++;
		return;
	}
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 32;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	x = &(*v)[(*n)++];
	x->d.a = a;
	x->d.b = b;
	x->d.section = any->section;
	x->d.key = any->key;
	x->d.secret = (a && a->secret) || (b && b->secret);
	x->d.detail_only = detail_only;
	x->rank = section_rank(any->section);
	x->pos = a ? (size_t)(a - ra->items) : na + (size_t)(b - rb->items);
}

void resolved_compare(const struct resolved *a, const struct resolved *b, char *const *ignore,
		      struct resolved_diffs *out)
{
	const struct resolved_item **sa = xmalloc((a->n + 1) * sizeof(*sa));
	const struct resolved_item **sb = xmalloc((b->n + 1) * sizeof(*sb));
	struct ranked *v = NULL;
	size_t i = 0, j = 0, n = 0, cap = 0, k;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < a->n; k++)
		sa[k] = &a->items[k];
	for (k = 0; k < b->n; k++)
		sb[k] = &b->items[k];
	qsort(sa, a->n, sizeof(*sa), cmp_ptr);
	qsort(sb, b->n, sizeof(*sb), cmp_ptr);
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : cmp_item(sa[i], sb[j]);

		if (c == 0)
			pair(sa[i++], sb[j++], a->n, a, b, ignore, &v, &n, &cap, &out->ignored);
		else if (c < 0)
			pair(sa[i++], NULL, a->n, a, b, ignore, &v, &n, &cap, &out->ignored);
		else
			pair(NULL, sb[j++], a->n, a, b, ignore, &v, &n, &cap, &out->ignored);
	}
	free(sa);
	free(sb);
	if (n)
		qsort(v, n, sizeof(*v), cmp_ranked);
	out->v = n ? xmalloc(n * sizeof(*out->v)) : NULL;
	for (k = 0; k < n; k++)
		out->v[k] = v[k].d;
	out->n = out->cap = n;
	free(v);
}

void resolved_diffs_finish(struct resolved_diffs *d)
{
	if (!d)
		return;
	free(d->v);
	memset(d, 0, sizeof(*d));
}
