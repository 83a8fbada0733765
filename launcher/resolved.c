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

	if (strcmp(path, p->root) == 0)
		return xstrdup(".");
	if (path_is_inside(path, p->root) && strncmp(path, p->root, n) == 0 && path[n] == '/')
		return xstrdup(path + n + 1);
	return xstrdup(path);
}

static char *loc_text(const struct profile_loc loc)
{
	return loc.file ? xasprintf("%s:%d", loc.file, loc.line) : xstrdup("default");
}

/* section.key of the key table, as in effect, with where it was set; a
 * path under [app] root relative to it. */
static struct resolved_item *add_key(struct resolved *r, const struct profile *p,
				     const char *out_section, const struct key_def *d)
{
	char *value = profile_value_text(p, d);

	if (value && d->type == KT_PATH_ROOT) {
		char *rel = under_root(p, value);

		free(value);
		value = rel;
	}
	return add(r, out_section, d->key, value, loc_text(p->locs[keys_index(d)]));
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
static void seal(struct resolved_item *it, const struct resolved_opts *o)
{
	it->secret = true;
	if (!o->key || !it->value)
		return;
	hmac_sha256(o->key, o->keylen, it->value, strlen(it->value), it->digest);
	explicit_bzero(it->value, strlen(it->value));
	free(it->value);
	it->value = NULL;
	it->hashed = true;
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
		if (str_eq(keys[i], "venv")) { /* the venv's interpreter, right after it */
			_cleanup_free_ char *shown = under_root(p, cfg);
			char *version = NULL;

			if (file_read(cfg, 64 * 1024, &buf, &len, NULL, &err) == 0)
				version = pyenv_cfg_version(buf, &line);
			add(r, "app", "python", version,
			    version ? xasprintf("%s:%d", shown, line)
				    : xasprintf("no version in %s", shown));
		}
	}
}

static void add_env(struct resolved *r, const struct loaded *l, const struct resolved_opts *o)
{
	const struct profile *p = l->profile;
	const struct key_def *files = keys_find("env", "files");
	struct strbuf b;
	size_t i;

	/* as written, relative to the root: the root is compared on its own */
	strbuf_init(&b);
	for (i = 0; i < p->env_files_as_written.n; i++) {
		strbuf_adds(&b, i ? ", " : "");
		strbuf_adds(&b, p->env_files_as_written.v[i]);
	}
	add(r, "dotenv", "files", i ? strbuf_detach(&b) : NULL,
	    loc_text(p->locs[keys_index(files)]));
	if (!i)
		strbuf_finish(&b);
	for (i = 0; i < profile_nkeys; i++)
		if (strcmp(profile_keys[i].section, "env") == 0 &&
		    strcmp(profile_keys[i].key, "files") != 0)
			add_key(r, p, "dotenv", &profile_keys[i]);

	for (i = 0; i < l->env.n; i++) {
		const struct env_var *v = &l->env.vars[i];
		struct resolved_item *it;

		/* not exported: no value, and the source says why */
		if (v->removed)
			it = add(r, "env", v->key, NULL, xasprintf("%s, removed", v->source));
		else if (!v->value)
			it = add(r, "env", v->key, NULL,
				 xasprintf("%s, declared without a value", v->source));
		else
			it = add(r, "env", v->key, xstrdup(v->value), xstrdup(v->source));
		if (!v->removed && v->value && is_secret(p, o, v->key))
			seal(it, o);
	}
}

/*
 * The server's settings as it will run with them (checks/servercfg.h): the
 * effective value of each, by the server's own name, with its source: the
 * profile, the arguments, or an input from outside deploy-run's argv.
 */
static void add_server(struct resolved *r, const struct loaded *l)
{
	const struct servercfg *sc = &l->launch.server;
	size_t i;

	for (i = 0; i < sc->nsettings; i++) {
		const struct servercfg_setting *s = &sc->settings[i];
		struct strbuf src;

		strbuf_init(&src);
		strbuf_adds(&src, s->source ? s->source : "");
		if (str_eq(s->name, "workers") && !l->profile->workers && s->pinned &&
		    l->launch.workers == atol(s->value ? s->value : "0"))
			strbuf_addf(&src, " (auto: %ld usable CPU%s)", l->launch.cpus,
				    l->launch.cpus == 1 ? "" : "s");
		if (s->overridden)
			strbuf_addf(&src, "; overrides %s", s->overridden);
		add(r, "server", s->name, s->value ? xstrdup(s->value) : NULL,
		    strbuf_detach(&src));
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

struct resolved_lock {
	char *path;
	int rc;
	struct error err;
	struct lockfile lf;
};

void resolved_locks_finish(struct resolved_locks *locks)
{
	size_t i;

	if (!locks)
		return;
	for (i = 0; i < locks->n; i++) {
		if (locks->v[i].rc == 0)
			lockfile_finish(&locks->v[i].lf);
		free(locks->v[i].path);
	}
	free(locks->v);
	memset(locks, 0, sizeof(*locks));
}

/* Reads p's lock into *e, or finds it read already in o->locks (*e then
 * points there); own is where a lock read without a cache goes. */
static void read_lock(const struct loaded *l, const struct resolved_opts *o,
		      struct resolved_lock *own, struct resolved_lock **e)
{
	struct context ctx;
	size_t i;

	for (i = 0; o->locks && i < o->locks->n; i++)
		if (strcmp(o->locks->v[i].path, l->profile->requirements) == 0) {
			*e = &o->locks->v[i];
			return;
		}
	if (o->locks) {
		o->locks->v = xrealloc(o->locks->v, (o->locks->n + 1) * sizeof(*o->locks->v));
		*e = &o->locks->v[o->locks->n++];
	} else {
		*e = own;
	}
	memset(*e, 0, sizeof(**e));
	(*e)->path = xstrdup(l->profile->requirements);
	(*e)->err = (struct error)ERROR_INIT;
	cmd_context(&ctx, l, NULL, false);
	ctx.caller_env = o->caller_env;
	(*e)->rc = requirements_load_lock(&ctx, &(*e)->lf, &(*e)->err);
}

/* One package of the lock: its pin (or what stands for one), its hashes. */
static void add_package(struct resolved *r, const struct profile *p, const struct reqfile_req *q)
{
	_cleanup_free_ char *shown = under_root(p, q->file);
	struct resolved_item *it;
	char *value;

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
	it = add(r, "lock", q->normalized ? q->normalized : q->text, value,
		 xasprintf("%s:%d", shown, q->line));
	it->detail = hashes_text(q);
}

/* What only a pylock.toml says about where it may be installed, when it says it. */
static void add_pylock(struct resolved *r, const struct profile *p, const struct lockfile *lf)
{
	const struct lockfile_pylock *pl = &lf->pylock;
	_cleanup_free_ char *shown = under_root(p, lf->files.v[0]);
	struct strbuf b;
	size_t i;

	if (pl->requires_python)
		add(r, "lock", "requires-python", xstrdup(pl->requires_python),
		    xasprintf("%s:%d", shown, pl->requires_python_line));
	if (!pl->environments.n)
		return;
	strbuf_init(&b);
	for (i = 0; i < pl->environments.n; i++) {
		strbuf_adds(&b, i ? " || " : "");
		strbuf_adds(&b, pl->environments.v[i]);
	}
	add(r, "lock", "environments", strbuf_detach(&b),
	    xasprintf("%s:%d", shown, pl->environments_line));
}

static int add_lock(struct resolved *r, const struct loaded *l, const struct resolved_opts *o,
		    struct error *err)
{
	const struct profile *p = l->profile;
	struct resolved_lock own, *e;
	struct resolved_item *file;
	size_t i;
	int rc = 0;

	file = add_key(r, p, "lock", keys_find("app", "requirements"));
	free(file->key);
	file->key = xstrdup("file");
	if (!p->requirements)
		return 0;
	free(file->value);
	file->value = under_root(p, p->requirements);
	read_lock(l, o, &own, &e);
	if (e->rc == 0) {
		if (e->lf.format == LOCKFILE_PYLOCK)
			add_pylock(r, p, &e->lf);
		for (i = 0; i < e->lf.n_reqs; i++)
			if (!e->lf.reqs[i].constraint)
				add_package(r, p, &e->lf.reqs[i]);
	} else if (e->err.errnum == ENOENT) {
		char *prev = file->source;

		file->source = xasprintf("%s, missing", prev);
		free(prev);
	} else {
		*err = e->err;
		rc = -1;
	}
	if (e == &own) {
		if (own.rc == 0)
			lockfile_finish(&own.lf);
		free(own.path);
	}
	return rc;
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
	int rc = 0;

	memset(r, 0, sizeof(*r));
	add(r, "stage", NULL, xstrdup(profile_stage_name(p->stage)),
	    loc_text(profile_loc(p, "profile", "stage")));
	add_app(r, l);
	if (l->launch_ok)
		add_server(r, l);
	add_env(r, l, o);
	if (o->lock)
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

static bool same_name(const struct resolved_item *x, const struct resolved_item *y)
{
	if (strcmp(x->section, y->section) != 0)
		return false;
	return x->key && y->key ? strcmp(x->key, y->key) == 0 : x->key == y->key;
}

/* FNV-1a of section and key. */
static uint32_t name_hash(const struct resolved_item *it)
{
	uint32_t h = 2166136261u;
	const char *s;

	for (s = it->section; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h = (h ^ '.') * 16777619u;
	for (s = it->key ? it->key : ""; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_value(const struct resolved_item *a, const struct resolved_item *b)
{
	if (a->hashed || b->hashed)
		return a->hashed && b->hashed && memcmp(a->digest, b->digest, HMAC_SHA256_LEN) == 0;
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
		 struct ranked **v, size_t *n, size_t *cap)
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
	x->d.expected = ignored(any, ignore);
	x->rank = section_rank(any->section);
	x->pos = a ? (size_t)(a - ra->items) : na + (size_t)(b - rb->items);
}

void resolved_compare(const struct resolved *a, const struct resolved *b, char *const *ignore,
		      struct resolved_diffs *out)
{
	/* b's items by name in an open-addressing table (index + 1; 0 empty) */
	size_t cap = 16, i, k, n = 0, vcap = 0;
	size_t *slot;
	bool *paired = xcalloc(b->n + 1, sizeof(*paired));
	struct ranked *v = NULL;

	memset(out, 0, sizeof(*out));
	while (cap < 2 * b->n)
		cap *= 2;
	slot = xcalloc(cap, sizeof(*slot));
	for (i = 0; i < b->n; i++) {
		for (k = name_hash(&b->items[i]) & (cap - 1); slot[k]; k = (k + 1) & (cap - 1))
			;
		slot[k] = i + 1;
	}
	for (i = 0; i < a->n; i++) {
		const struct resolved_item *match = NULL;

		for (k = name_hash(&a->items[i]) & (cap - 1); slot[k]; k = (k + 1) & (cap - 1))
			if (!paired[slot[k] - 1] && same_name(&a->items[i], &b->items[slot[k] - 1])) {
				match = &b->items[slot[k] - 1];
				paired[slot[k] - 1] = true;
				break;
			}
		pair(&a->items[i], match, a->n, a, b, ignore, &v, &n, &vcap);
	}
	for (i = 0; i < b->n; i++)
		if (!paired[i])
			pair(NULL, &b->items[i], a->n, a, b, ignore, &v, &n, &vcap);
	free(slot);
	free(paired);
	if (n)
		qsort(v, n, sizeof(*v), cmp_ranked);
	out->v = xmalloc((n + 1) * sizeof(*out->v));
	out->expected = xmalloc((n + 1) * sizeof(*out->expected));
	for (k = 0; k < n; k++) {
		if (v[k].d.expected)
			out->expected[out->ignored++] = v[k].d;
		else
			out->v[out->n++] = v[k].d;
	}
	out->cap = n;
	free(v);
}

void resolved_diffs_finish(struct resolved_diffs *d)
{
	if (!d)
		return;
	free(d->v);
	free(d->expected);
	memset(d, 0, sizeof(*d));
}
