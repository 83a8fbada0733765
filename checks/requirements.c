#include "requirements.h"
#include "cache.h"
#include "fileio.h"
#include "path.h"
#include "pep440.h"
#include "pylock.h"
#include "strbuf.h"
#include "util.h"
#include "venv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const requirements_ids[] = {
	"req.file-missing",
	"req.parse",
	"req.unpinned",
	"req.no-hash",
	"req.not-installed",
	"req.version-mismatch",
	"req.not-locked",
	"req.dependency-conflict",
	"req.lock-environment",
	NULL,
};

static const char *caller_lookup(const char *name, void *data)
{
	return environ_process_value(data, name);
}

int requirements_load_lock(const struct context *ctx, struct lockfile *lf, struct error *err)
{
	return lockfile_load(lf, ctx->profile->requirements, caller_lookup,
			     (void *)ctx->caller_env, err);
}

/* The venv's interpreter version as pyvenv.cfg records it ("3.11.2"), or
 * NULL when the venv has no readable pyvenv.cfg.  Caller frees. */
static char *venv_python(const struct context *ctx)
{
	struct error err = ERROR_INIT;
	const char *buf = cache_pyvenv(ctx, &err);

	return buf ? pyenv_cfg_version(buf, NULL) : NULL;
}

bool requirements_seeded_by_venv(const char *normalized, const char *python)
{
	long major = 3, minor = 12;

	if (str_eq(normalized, "pip"))
		return true;
	if (!str_eq(normalized, "setuptools"))
		return false;
	if (python && sscanf(python, "%ld.%ld", &major, &minor) != 2)
		return false;
	return major == 3 && minor < 12;
}

/* ---- pip check ---- */

struct pkg;

/*
 * One distinct Requires-Dist string, parsed and its marker evaluated once
 * however many distributions carry it (in a venv, many require the same
 * "typing-extensions>=4"): the outcome depends on the text and the
 * environment only.
 */
struct dep {
	const char *text;            /* the Requires-Dist, borrowed from the set */
	struct pep508_requirement q; /* when parsed */
	bool parsed;
	int on;                      /* the marker: 1 holds, 0 not, -1 error */
	char *why;                   /* why the string breaks its distribution, or NULL */
	char *normalized;            /* PEP 503 name, when parsed */
	const struct pkg *target;    /* the installed distribution of that name, or NULL */
};

struct deps {
	struct dep *v;               /* room for every Requires-Dist, n of them made */
	size_t n;
	size_t *index;               /* open addressing over v by text, 1-based */
	size_t mask;
	const struct dep **lists;    /* every distribution's list of those that hold */
	size_t nlists;
};

struct pkg {
	const struct dist *dist;
	struct pep440_version version;
	bool version_ok;
	const struct dep **deps;     /* those whose marker holds */
	size_t ndeps;
	bool in_set;  /* pip's package_set holds it */
};

static void add_problem(struct requirements_problems *out, enum requirements_problem_kind kind,
			const struct dist *d, const char *dep, char *requirement,
			const struct dist *installed)
{
	struct requirements_problem *p;

	grow_array((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	p = &out->v[out->n++];
	p->kind = kind;
	p->dist = d;
	p->dep = dep ? xstrdup(dep) : NULL;
	p->requirement = requirement;
	p->installed = installed;
}

static size_t hash_text(const char *s)
{
	size_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The parsed form of one Requires-Dist string, made on its first use. */
static const struct dep *dep_get(struct deps *ds, const char *text, const struct pep508_env *env)
{
	size_t h = hash_text(text) & ds->mask;
	struct error err = ERROR_INIT;
	struct dep *d;

	for (; ds->index[h]; h = (h + 1) & ds->mask)
		if (str_eq(ds->v[ds->index[h] - 1].text, text))
			return &ds->v[ds->index[h] - 1];
	d = &ds->v[ds->n++];
	ds->index[h] = ds->n;
	memset(d, 0, sizeof(*d));
	d->text = text;
	if (pep508_requirement_parse(&d->q, text, strlen(text), &err) < 0) {
		d->why = xasprintf("invalid Requires-Dist '%s': %s", text, err.message);
		return d;
	}
	d->parsed = true;
	d->on = d->q.marker ? pep508_marker_evaluate(d->q.marker, env, &err) : 1;
	if (d->on < 0)
		d->why = xasprintf("Requires-Dist '%s': %s", text, err.message);
	d->normalized = pep440_canonicalize_name(d->q.name, strlen(d->q.name));
	return d;
}

static void deps_init(struct deps *ds, const struct dist_set *set)
{
	size_t i, total = 0, cap = 16;

	for (i = 0; i < set->n; i++)
		total += set->d[i].md.requires.n;
	while (cap < total * 2)
		cap *= 2;
	ds->v = xmalloc((total + 1) * sizeof(*ds->v)); /* dep_get() sets each it makes */
	ds->n = 0;
	ds->lists = xmalloc((total + 1) * sizeof(*ds->lists));
	ds->nlists = 0;
	ds->index = xcalloc(cap, sizeof(*ds->index));
	ds->mask = cap - 1;
}

static void deps_finish(struct deps *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++) {
		if (ds->v[i].parsed)
			pep508_requirement_finish(&ds->v[i].q);
		free(ds->v[i].why);
		free(ds->v[i].normalized);
	}
	free(ds->v);
	free(ds->index);
	free(ds->lists);
}

/* Dependencies as pip's iter_dependencies(extras=()) yields them; -1 and why when it raises. */
static int load_deps(struct pkg *k, struct deps *ds, const struct pep508_env *env, char **why)
{
	const struct strv *req = &k->dist->md.requires;
	size_t i;

	if (k->dist->error) {
		*why = xstrdup(k->dist->error);
		return -1;
	}
	k->deps = ds->lists + ds->nlists; /* at most req->n of them, the room left */
	for (i = 0; i < req->n; i++) {
		const struct dep *d = dep_get(ds, req->v[i], env);

		if (d->why) {
			*why = xstrdup(d->why);
			return -1;
		}
		if (d->on)
			k->deps[k->ndeps++] = d;
	}
	ds->nlists += k->ndeps;
	return 0;
}

static const struct pkg *find_pkg(const struct pkg *pkgs, size_t n, const char *normalized)
{
	size_t lo = 0, hi = n;

	/* the set is sorted by normalised name: binary search, then the first of a run */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(pkgs[mid].dist->normalized, normalized) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && str_eq(pkgs[lo].dist->normalized, normalized); lo++)
		if (pkgs[lo].in_set)
			return &pkgs[lo];
	return NULL;
}

static bool satisfied(const struct pep508_requirement *q, const struct pkg *dep)
{
	if (!dep->version_ok)
		return q->specset.n == 0;
	return pep440_specset_contains(&q->specset, &dep->version, PEP440_PRE_ALLOW, NULL) == 1;
}

void requirements_pip_check(const struct dist_set *set, const struct pep508_env *env,
			    struct requirements_problems *out)
{
	struct pep508_env e;
	struct pkg *pkgs = xcalloc(set->n + 1, sizeof(*pkgs));
	struct deps ds;
	size_t i, j;
	int pass;

	memset(out, 0, sizeof(*out));
	memset(&e, 0, sizeof(e));
	for (i = 0; i < PEP508_NVARS; i++)
		e.values[i] = (char *)(i == PEP508_EXTRA ? "" : env->values[i] ? env->values[i] : "");
	deps_init(&ds, set);
	for (i = 0; i < set->n; i++) {
		struct pkg *k = &pkgs[i];
		char *why = NULL;

		k->dist = &set->d[i];
		if (i && str_eq(set->d[i - 1].normalized, k->dist->normalized))
			continue; /* importlib.metadata yields a name once */
		if (load_deps(k, &ds, &e, &why) < 0) {
			add_problem(out, REQUIREMENTS_BROKEN, k->dist, NULL, why, NULL);
			continue;
		}
		k->in_set = true;
		k->version_ok = k->dist->version &&
				pep440_version_parses(&k->version, k->dist->version, NULL) == 0;
	}
	/* each distinct requirement's distribution, looked up once */
	for (i = 0; i < ds.n; i++)
		if (ds.v[i].parsed && !ds.v[i].why)
			ds.v[i].target = find_pkg(pkgs, set->n, ds.v[i].normalized);
	/* pip prints every missing dependency first, then the conflicts */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < set->n; i++) {
			const struct pkg *k = &pkgs[i];

			if (!k->in_set)
				continue;
			for (j = 0; j < k->ndeps; j++) {
				const struct dep *d = k->deps[j];
				const struct pkg *dep = d->target;

				if (!dep && pass == 0)
					add_problem(out, REQUIREMENTS_MISSING, k->dist, d->normalized,
						    NULL, NULL);
				else if (dep && pass == 1 && !satisfied(&d->q, dep))
					add_problem(out, REQUIREMENTS_CONFLICT, k->dist, d->normalized,
						    pep508_requirement_str(&d->q), dep->dist);
			}
		}
	}
	for (i = 0; i < set->n; i++) {
		if (pkgs[i].version_ok)
			pep440_version_finish(&pkgs[i].version);
	}
	deps_finish(&ds);
	free(pkgs);
}

void requirements_problems_finish(struct requirements_problems *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].dep);
		free(p->v[i].requirement);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* ---- the check ---- */

struct lock_entry {
	const struct reqfile_req *req;
	bool applies;    /* its marker holds for the venv's interpreter */
};

struct state {
	const struct context *ctx;
	struct report *r;
	bool strict;     /* staging and production: errors, else warnings */
	struct lockfile lf;
	struct lock_entry *entries;
	const struct lock_entry **by_name; /* the entries with a name, by name then order */
	size_t n_by_name;
	const struct dist_set *set; /* the venv's, from the cache; NULL when not scanned */
	char *python;
	struct pep508_env env;
};

static enum severity rated(const struct state *s)
{
	return s->strict ? SEVERITY_ERROR : SEVERITY_WARNING;
}

static int by_name_cmp(const void *a, const void *b)
{
	const struct lock_entry *x = *(const struct lock_entry *const *)a;
	const struct lock_entry *y = *(const struct lock_entry *const *)b;
	int c = strcmp(x->req->normalized, y->req->normalized);

	return c ? c : x < y ? -1 : x > y;
}

/* Sorts the entries by name, for lookups in O(log n): a lock may be long. */
static void index_entries(struct state *s)
{
	size_t i;

	s->by_name = xcalloc(s->lf.n_reqs + 1, sizeof(*s->by_name));
	for (i = 0; i < s->lf.n_reqs; i++)
		if (s->entries[i].req->normalized)
			s->by_name[s->n_by_name++] = &s->entries[i];
	qsort(s->by_name, s->n_by_name, sizeof(*s->by_name), by_name_cmp);
}

/* The position of the first entry named normalized in by_name (n_by_name when none). */
static size_t first_named(const struct state *s, const char *normalized)
{
	size_t lo = 0, hi = s->n_by_name;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(s->by_name[mid]->req->normalized, normalized) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n_by_name && str_eq(s->by_name[lo]->req->normalized, normalized)
		       ? lo : s->n_by_name;
}

/* The lock entry that applies for a name (a requirement before a constraint), or NULL. */
static const struct lock_entry *lock_entry(const struct state *s, const char *normalized,
					   bool constraints)
{
	const struct lock_entry *c = NULL;
	size_t i;

	for (i = first_named(s, normalized);
	     i < s->n_by_name && str_eq(s->by_name[i]->req->normalized, normalized); i++) {
		const struct lock_entry *e = s->by_name[i];

		if (!e->applies)
			continue;
		if (!e->req->constraint)
			return e;
		if (!c)
			c = e;
	}
	return constraints ? c : NULL;
}

static bool lock_names(const struct state *s, const char *normalized)
{
	return first_named(s, normalized) < s->n_by_name;
}

static bool is_vcs(const char *url)
{
	static const char *const vcs[] = {"git+", "hg+", "svn+", "bzr+"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vcs); i++)
		if (str_starts_with(url, vcs[i]))
			return true;
	return false;
}

static bool is_local_dir(const struct reqfile_req *q, const char *lockdir)
{
	const char *u = q->url;
	struct stat st;
	_cleanup_free_ char *p = NULL;

	if (str_starts_with(u, "file://"))
		u += 7;
	else if (strstr(u, "://"))
		return false;
	p = u[0] == '/' ? xstrdup(u) : path_join(lockdir, u);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether one of the hashes ("ALGO:DIGEST") is of an algorithm that still proves something. */
static bool strong_hash(const struct strv *hashes)
{
	size_t i;

	for (i = 0; i < hashes->n; i++)
		if (!str_starts_with(hashes->v[i], "md5:") && !str_starts_with(hashes->v[i], "sha1:"))
			return true;
	return false;
}

/*
 * The same rules on a pylock.toml entry: its files always carry hashes (the
 * parser refuses one without), so what remains is a package without a
 * version, and the sources that cannot be hashed.
 */
static void check_pin_pylock(struct state *s, const struct reqfile_req *q)
{
	if (q->editable)
		report_add(s->r, "req.unpinned", rated(s), q->file, q->line,
			   "lock a built wheel of the project with its version and hashes, or keep "
			   "editables in a development-only lock",
			   "%s is an editable directory (%s): there is no single file to pin and "
			   "hash", q->name, q->url);
	else if (q->url && is_vcs(q->url))
		report_add(s->r, "req.no-hash", rated(s), q->file, q->line,
			   "lock a wheel or an sdist built from that revision, with its hashes",
			   "%s comes from version control (%s): a vcs source has no hash, so "
			   "nothing proves the code installed is the code reviewed", q->name, q->url);
	else if (q->url && !q->hashes.n)
		report_add(s->r, "req.no-hash", rated(s), q->file, q->line,
			   "lock a wheel built from the directory, with its hashes",
			   "%s comes from a local directory (%s): a directory source has no hash, "
			   "so nothing proves the code installed is the code reviewed", q->name,
			   q->url);
	else if (!q->pinned)
		report_add(s->r, "req.unpinned", rated(s), q->file, q->line,
			   "lock it with its version (packages.version), as lockers do for wheels "
			   "and sdists",
			   "%s has no version in the lock: any version of its files' names could "
			   "be installed", q->name);
	else if (q->hashes.n && !strong_hash(&q->hashes))
		report_add(s->r, "req.no-hash", rated(s), q->file, q->line,
			   "lock it again with sha256 hashes (the specification recommends sha256)",
			   "%s has only md5 or sha1 hashes (%s): they do not prove the file installed "
			   "is the one reviewed, and pip refuses them", q->name, q->hashes.v[0]);
}

/* pip's --require-hashes rules (operations/prepare.py _get_linked_req_hashes, req_install). */
static void check_pins(struct state *s)
{
	_cleanup_free_ char *lockdir = path_dirname(s->ctx->profile->requirements);
	size_t i;

	for (i = 0; i < s->lf.n_reqs; i++) {
		const struct reqfile_req *q = &s->lf.reqs[i];
		const char *name = q->name ? q->name : q->url;

		/* pip ignores a requirement whose marker is false before it asks for a
		 * pin or a hash ("Ignoring NAME: markers ... don't match") */
		if (q->constraint || !s->entries[i].applies)
			continue;
		if (s->lf.format == LOCKFILE_PYLOCK) {
			check_pin_pylock(s, q);
			continue;
		}
		if (q->editable) {
			report_add(s->r, "req.unpinned", rated(s), q->file, q->line,
				   "install the project as a built wheel pinned with == and --hash, "
				   "or keep editables in a development-only requirement file",
				   "%s is an editable requirement: pip --require-hashes refuses it "
				   "(there is no single file to pin and hash)", q->text);
		} else if (q->url && is_vcs(q->url)) {
			report_add(s->r, "req.no-hash", rated(s), q->file, q->line,
				   "build a wheel from that revision and require it by name==version "
				   "with its --hash=sha256:...",
				   "%s is a version-control URL: it cannot carry a hash, and pip "
				   "--require-hashes refuses it", q->text);
		} else if (q->url && is_local_dir(q, lockdir)) {
			report_add(s->r, "req.no-hash", rated(s), q->file, q->line,
				   "build a wheel of the directory and require it by name==version "
				   "with its --hash=sha256:...",
				   "%s is a local directory: it cannot be hashed, and pip "
				   "--require-hashes refuses it", q->text);
		} else if (q->url && !q->hashes.n) {
			report_add(s->r, "req.no-hash", rated(s), q->file, q->line,
				   "add --hash=sha256:DIGEST of the file the URL names "
				   "(pip hash FILE prints it)",
				   "%s is a URL without --hash: pip --require-hashes refuses it",
				   q->text);
		} else if (!q->url && !q->pinned) {
			report_add(s->r, "req.unpinned", rated(s), q->file, q->line,
				   "pin it to one version with == (pip-compile --generate-hashes "
				   "writes such a lock)",
				   "%s is not pinned to one version (%s): pip --require-hashes needs "
				   "== or === without a wildcard", name,
				   q->specifier[0] ? q->specifier : "no version specifier");
		} else if (!q->url && !q->hashes.n) {
			report_add(s->r, "req.no-hash", rated(s), q->file, q->line,
				   "add --hash=sha256:DIGEST for each file of that version "
				   "(pip-compile --generate-hashes, or pip hash FILE)",
				   "%s has no --hash: pip --require-hashes refuses it, and nothing "
				   "proves the file installed is the one reviewed", q->text);
		}
	}
}

static void check_installed(struct state *s)
{
	size_t i;

	for (i = 0; i < s->lf.n_reqs; i++) {
		const struct reqfile_req *q = s->entries[i].req;
		const struct dist *d;
		struct pep440_specset spec = PEP440_SPECSET_INIT;
		struct pep440_version v = {0};
		struct error err = ERROR_INIT;
		int in;

		if (q->constraint || !q->normalized || !s->entries[i].applies ||
		    lock_entry(s, q->normalized, false) != &s->entries[i])
			continue;
		d = dist_set_find(s->set, q->normalized);
		if (!d) {
			report_add(s->r, "req.not-installed", SEVERITY_ERROR, q->file, q->line,
				   s->lf.format == LOCKFILE_PYLOCK
				   ? "install the lock with an installer of pylock.toml files "
				     "(or rebuild the venv from it)"
				   : "install the lock: VENV/bin/pip install --require-hashes -r "
				     "REQUIREMENTS (or rebuild the venv from it)",
				   "%s is in the lock but not installed in the virtualenv %s",
				   q->name, s->ctx->profile->venv);
			continue;
		}
		if (q->url || !d->version || pep440_specset_parse(&spec, q->specifier,
								   strlen(q->specifier), &err) < 0)
			continue;
		in = pep440_version_parses(&v, d->version, &err) < 0 ? 0 :
		     pep440_specset_contains(&spec, &v, PEP440_PRE_ALLOW, &err);
		if (in != 1)
			report_add(s->r, "req.version-mismatch", SEVERITY_ERROR, q->file, q->line,
				   "reinstall from the lock (pip install --require-hashes -r ...), or "
				   "update the lock if the installed version is the one wanted",
				   "%s: the lock says %s, the virtualenv has %s %s (%s)", q->name,
				   q->specifier[0] ? q->specifier : "any version", d->name,
				   d->version, d->path);
		pep440_specset_finish(&spec);
		pep440_version_finish(&v);
	}
}

static void check_not_locked(struct state *s, const char *lockfile)
{
	size_t i;

	for (i = 0; i < s->set->n; i++) {
		const struct dist *d = &s->set->d[i];

		if (lock_names(s, d->normalized) ||
		    requirements_seeded_by_venv(d->normalized, s->python) ||
		    (i && str_eq(s->set->d[i - 1].normalized, d->normalized)))
			continue;
		report_add(s->r, "req.not-locked", rated(s), lockfile, 0,
			   "add it to the lock with == and --hash (pip-compile lists every "
			   "transitive dependency), or uninstall it",
			   "%s %s is installed in the virtualenv (%s) but not in the lock: its version "
			   "is whatever pip picked that day", d->name, d->version ? d->version : "?",
			   d->path);
	}
}

/* Where to point a pip check problem: the lock line of name, or the lock itself. */
static void lock_loc(const struct state *s, const char *normalized, const char **file, int *line)
{
	const struct lock_entry *e = lock_entry(s, normalized, true);

	*file = e ? e->req->file : s->lf.files.n ? s->lf.files.v[0] : NULL;
	*line = e ? e->req->line : 0;
}

/* A version as pip prints it: str(Version), normalised; as written when it is not PEP 440. */
static char *shown_version(const char *version)
{
	struct pep440_version v;
	struct error err = ERROR_INIT;
	char *str;

	if (!version)
		return xstrdup("?");
	if (pep440_version_parses(&v, version, &err) < 0)
		return xstrdup(version);
	str = pep440_version_str(&v);
	pep440_version_finish(&v);
	return str;
}

static void check_pip(struct state *s)
{
	struct requirements_problems probs;
	size_t i;

	requirements_pip_check(s->set, &s->env, &probs);
	for (i = 0; i < probs.n; i++) {
		const struct requirements_problem *p = &probs.v[i];
		const struct dist *d = p->dist;
		_cleanup_free_ char *meta = path_join(d->path, d->egg_info ? "PKG-INFO" : "METADATA");
		_cleanup_free_ char *ver = shown_version(d->version);
		_cleanup_free_ char *dep_ver = p->installed ? shown_version(p->installed->version)
							    : NULL;
		const char *file;
		int line;

		switch (p->kind) {
		case REQUIREMENTS_MISSING:
			lock_loc(s, d->normalized, &file, &line);
			report_add(s->r, "req.dependency-conflict", SEVERITY_ERROR,
				   file ? file : meta, line,
				   "add the dependency to the lock (pinned, with --hash) and install it",
				   "%s %s requires %s, which is not installed.", d->normalized,
				   ver, p->dep);
			break;
		case REQUIREMENTS_CONFLICT:
			lock_loc(s, p->dep, &file, &line);
			report_add(s->r, "req.dependency-conflict", SEVERITY_ERROR,
				   file ? file : meta, line,
				   "pin a version of the dependency that satisfies the requirement "
				   "(or a version of the requirer that accepts it), then reinstall",
				   "%s %s has requirement %s, but you have %s %s.", d->normalized,
				   ver, p->requirement, p->dep, dep_ver);
			break;
		case REQUIREMENTS_BROKEN:
			report_add(s->r, "req.dependency-conflict", SEVERITY_ERROR, d->path, 0,
				   "reinstall the distribution (pip install --force-reinstall "
				   "--no-deps --require-hashes ...)",
				   "Error parsing requirements for %s: %s", d->normalized,
				   p->requirement);
			break;
		}
	}
	requirements_problems_finish(&probs);
}

static void finish_state(struct state *s)
{
	free(s->entries);
	free(s->by_name);
	lockfile_finish(&s->lf);
	free(s->python);
	pep508_env_finish(&s->env);
}

static bool marker_applies(const struct reqfile_req *q, const struct pep508_env *env,
			   bool pylock)
{
	struct pep508_marker *m;
	struct error err = ERROR_INIT;
	int on;

	if (!q->marker)
		return true;
	m = pylock ? pep508_marker_parse_lock(q->marker, strlen(q->marker), &err)
		   : pep508_marker_parse(q->marker, strlen(q->marker), &err);
	if (!m)
		return true;
	on = pep508_marker_evaluate(m, env, &err);
	pep508_marker_destroy(m);
	return on != 0;
}

/* Whether the venv's Python satisfies a requires-python specifier (1, 0, -1 unknown). */
static int python_satisfies(const char *python, const char *spec)
{
	struct pep440_specset set = PEP440_SPECSET_INIT;
	struct pep440_version v;
	struct error err = ERROR_INIT;
	int r = -1;

	if (pep440_specset_parse(&set, spec, strlen(spec), &err) < 0)
		return -1;
	if (pep440_version_parses(&v, python, &err) == 0) {
		r = pep440_specset_contains(&set, &v, PEP440_PRE_ALLOW, &err);
		pep440_version_finish(&v);
	}
	pep440_specset_finish(&set);
	return r;
}

/*
 * A pylock.toml's own conditions, in the specification's installation order:
 * requires-python, then environments (one must hold), then each package that
 * applies must accept the Python.  Returns false when the lock does not
 * describe this venv (its packages are then not compared).
 */
static bool check_pylock_environment(struct state *s)
{
	const struct lockfile_pylock *pl = &s->lf.pylock;
	const char *lock = s->lf.files.v[0];
	bool fits = true;
	size_t i, j;

	if (pl->requires_python && python_satisfies(s->python, pl->requires_python) == 0) {
		report_add(s->r, "req.lock-environment", SEVERITY_ERROR, lock,
			   pl->requires_python_line,
			   "lock for this Python, or make the venv with a Python the lock accepts",
			   "the lock requires Python %s, the virtualenv %s has Python %s",
			   pl->requires_python, s->ctx->profile->venv, s->python);
		fits = false;
	}
	if (pl->environments.n) {
		bool any = false;

		for (i = 0; i < pl->environments.n && !any; i++) {
			struct error err = ERROR_INIT;
			struct pep508_marker *m = pep508_marker_parse_lock(
				pl->environments.v[i], strlen(pl->environments.v[i]), &err);

			any = m && pep508_marker_evaluate(m, &s->env, &err) == 1;
			pep508_marker_destroy(m);
		}
		if (!any) {
			struct strbuf list;

			strbuf_init(&list);
			for (i = 0; i < pl->environments.n; i++)
				strbuf_addf(&list, "%s'%s'", i ? ", " : "", pl->environments.v[i]);

			report_add(s->r, "req.lock-environment", SEVERITY_ERROR, lock,
				   pl->environments_line,
				   "lock for this platform and Python too (add its environment to "
				   "the locker's targets)",
				   "none of the lock's environments matches the virtualenv's "
				   "interpreter (Python %s on this host): %s", s->python, list.buf);
			strbuf_finish(&list);
			fits = false;
		}
	}
	for (i = 0; i < s->lf.n_reqs; i++) {
		const char *rp = pl->package_requires_python[i];
		const struct reqfile_req *q = &s->lf.reqs[i];

		if (!s->entries[i].applies || !rp || python_satisfies(s->python, rp) != 0)
			continue;
		report_add(s->r, "req.lock-environment", SEVERITY_ERROR, q->file, q->line,
			   "lock a version of it that supports this Python, or add a marker "
			   "that leaves it out",
			   "%s %s requires Python %s, the virtualenv has Python %s: the lock "
			   "cannot be installed there", q->name, q->version ? q->version : "",
			   rp, s->python);
	}
	/* "all packages to be installed MUST narrow down to a single entry" */
	for (i = 0; i < s->n_by_name; i = j) {
		const struct lock_entry *first = NULL;
		size_t k;

		for (j = i; j < s->n_by_name &&
			    str_eq(s->by_name[j]->req->normalized, s->by_name[i]->req->normalized); j++)
			;
		for (k = i; k < j; k++) {
			const struct lock_entry *e = s->by_name[k];

			if (!e->applies)
				continue;
			if (!first) {
				first = e;
				continue;
			}
			report_add(s->r, "req.lock-environment", SEVERITY_ERROR, e->req->file,
				   e->req->line,
				   "give the entries markers that exclude each other, or lock again "
				   "for this environment",
				   "%s has more than one entry for this environment (lines %d and %d): "
				   "the lock is ambiguous, and an installer must refuse it",
				   e->req->name, first->req->line, e->req->line);
		}
	}
	return fits;
}

void requirements_check(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	struct state s;
	struct error err = ERROR_INIT;
	struct stat st;
	size_t i;

	if (!p->requirements)
		return;
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.r = r;
	s.strict = p->stage != STAGE_DEVELOPMENT;
	pep508_env_init(&s.env);
	if (stat(p->requirements, &st) < 0 || !S_ISREG(st.st_mode)) {
		struct profile_loc loc = profile_loc(p, "app", "requirements");

		report_add(r, "req.file-missing", SEVERITY_ERROR, loc.file, loc.line,
			   "write the lock (pip-compile --generate-hashes requirements.in) or fix "
			   "[app] requirements",
			   "the requirement file %s %s", p->requirements,
			   stat(p->requirements, &st) < 0 ? "does not exist" : "is not a regular file");
		finish_state(&s);
		return;
	}
	if (requirements_load_lock(ctx, &s.lf, &err) < 0) {
		bool missing = err.errnum == ENOENT;

		bool pylock = pylock_is_name(p->requirements);

		/* the finding has a line; a pylock error's column goes into the message */
		if (pylock && err.column > 0)
			error_prefix(&err, "column %d", err.column);

		report_add(r, missing ? "req.file-missing" : "req.parse", SEVERITY_ERROR,
			   err.file[0] ? err.file : p->requirements, err.line,
			   missing ? "create the included file or fix the -r/-c line"
			   : pylock ? "fix the lock (the pylock.toml specification, "
				      "packaging.python.org): an installer would refuse it the same way"
				    : "fix the line: pip install -r would refuse the file the same way",
			   "%s", err.message);
		finish_state(&s);
		return;
	}
	s.python = venv_python(ctx);
	if (s.python) {
		pep508_env_finish(&s.env);
		pep508_env_init_host(&s.env, s.python, &err);
	}
	s.env.dependency_groups = &s.lf.pylock.default_groups;
	s.entries = xcalloc(s.lf.n_reqs + 1, sizeof(*s.entries));
	for (i = 0; i < s.lf.n_reqs; i++) {
		s.entries[i].req = &s.lf.reqs[i];
		s.entries[i].applies = !s.python ||
			marker_applies(&s.lf.reqs[i], &s.env, s.lf.format == LOCKFILE_PYLOCK);
	}
	index_entries(&s);
	if (s.lf.format == LOCKFILE_PYLOCK && s.python && !check_pylock_environment(&s)) {
		finish_state(&s);
		return;
	}
	check_pins(&s);
	if (s.python && (s.set = cache_dists(ctx, &err))) {
		check_installed(&s);
		check_not_locked(&s, s.lf.files.v[0]);
		check_pip(&s);
	}
	finish_state(&s);
}
