/*
 * deploy-run init [DIR] [--force]: scaffolds profiles/base.ini, dev.ini,
 * staging.ini and prod.ini for an existing app in DIR (default: the working
 * directory).  It detects what it can -- the virtualenv and its Python, the
 * servers installed in it, the requirements lock, the .env files, the
 * WSGI/ASGI entry point, a health route -- writes that, and leaves every
 * other key of base.ini as a commented default taken from the key table, so
 * the scaffold cannot drift from what the parser accepts.
 *
 * Nothing is overwritten without --force: when any of the four files exists,
 * init names it and exits 2 before writing anything.
 */
#include "cmd.h"
#include "fileio.h"
#include "keys.h"
#include "path.h"
#include "pylock.h"
#include "pysource.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"
#include "venv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SOURCE_MAX (1024u * 1024)

/* Constructors that make an app object, by callee (dotted name or its suffix). */
static const struct framework {
	const char *callee;
	const char *name;
	bool asgi;
} frameworks[] = {
	{"falcon.asgi.App", "Falcon", true},
	{"falcon.App", "Falcon", false},
	{"Flask", "Flask", false},
	{"Bottle", "Bottle", false},
	{"get_wsgi_application", "Django", false},
	{"make_wsgi_app", "Pyramid", false},
	{"Starlette", "Starlette", true},
	{"FastAPI", "FastAPI", true},
	{"Quart", "Quart", true},
	{"Litestar", "Litestar", true},
	{"get_asgi_application", "Django", true},
};

struct entry {
	char *target;  /* MODULE:ATTRIBUTE */
	char *file;    /* relative to the app */
	const struct framework *fw;
	int score;     /* higher is preferred */
};

struct detected {
	char *venv;            /* relative to the app, or NULL */
	char python[16];       /* MAJOR.MINOR, or "" */
	bool gunicorn, uvicorn;
	char *requirements;    /* relative to the app, or NULL */
	bool locked;           /* the requirements file has --hash= */
	char *wheelhouse;
	bool dotenv;           /* .env exists */
	char *env_stage[3];    /* the stage's .env file (development, staging, production) */
	struct strv env_other; /* other .env* files, not loaded */
	struct entry *entries;
	size_t n_entries, cap_entries;
	const char *health;    /* a route found in the sources, or NULL */
};

static bool is_ident_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool is_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* The framework whose constructor callee names, or NULL. */
static const struct framework *match_callee(const char *callee, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(frameworks); i++) {
		size_t m = strlen(frameworks[i].callee);

		if (n < m || memcmp(callee + n - m, frameworks[i].callee, m) != 0)
			continue;
		if (n == m || callee[n - m - 1] == '.')
			return &frameworks[i];
	}
	return NULL;
}

static int entry_score(const char *module, const char *attr)
{
	const char *last = strrchr(module, '.');
	int score = 0;

	last = last ? last + 1 : module;
	if (strcmp(last, "wsgi") == 0 || strcmp(last, "asgi") == 0)
		score += 4;
	else if (strcmp(last, "app") == 0 || strcmp(last, "main") == 0)
		score += 2;
	if (strcmp(attr, "app") == 0 || strcmp(attr, "application") == 0)
		score += 1;
	return score;
}

/* One .py file of the app and the module it is. */
struct scan {
	struct detected *d;
	const char *module;
	const char *file;
	const char *health;  /* a route among the file's literals */
};

static int health_literal(void *data, const char *buf, const struct pysource_token *t)
{
	struct scan *sc = data;
	size_t n = t->body_end - t->body;

	if (n == 8 && memcmp(buf + t->body, "/healthz", 8) == 0) {
		sc->health = "/healthz";
		return 1;
	}
	if (n == 7 && memcmp(buf + t->body, "/health", 7) == 0)
		sc->health = "/health";
	return 0;
}

static void app_assignment(void *data, const char *target, const char *callee, int line)
{
	struct scan *sc = data;
	const struct framework *fw = match_callee(callee, strlen(callee));
	struct detected *d = sc->d;
	struct entry *e;

	(void)line;
	if (!fw)
		return;
	grow_array((void **)&d->entries, &d->cap_entries, d->n_entries + 1, sizeof(*d->entries));
	e = &d->entries[d->n_entries++];
	e->target = xasprintf("%s:%s", sc->module, target);
	e->file = xstrdup(sc->file);
	e->fw = fw;
	e->score = entry_score(sc->module, target);
}

static bool valid_module_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !is_ident_start((unsigned char)s[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!is_ident((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Top-level modules and the modules of top-level packages (one level
 * deep), as pysource_walk() lists them (not the app's tests, the venv,
 * vendored trees): the entry points ("app = Flask(__name__)" at the top
 * level) and a health route among the string literals.
 */
static void scan_file(void *data, const struct pysource_file *f)
{
	struct detected *d = data;
	const char *slash = strchr(f->rel, '/');
	const char *base = slash ? slash + 1 : f->rel;
	size_t n = strlen(base) - 3;
	_cleanup_free_ char *module = NULL;
	struct scan sc = {d, NULL, f->rel, NULL};

	if (!valid_module_name(base, n))
		return;
	if (slash) {
		size_t pn = (size_t)(slash - f->rel);
		_cleanup_free_ char *dir = path_dirname(f->path);
		_cleanup_free_ char *init = path_join(dir, "__init__.py");

		if (!valid_module_name(f->rel, pn) || !path_exists(init))
			return;
		module = strcmp(base, "__init__.py") == 0 ? xstrndup(f->rel, pn)
			: xasprintf("%.*s.%.*s", (int)pn, f->rel, (int)n, base);
	} else {
		module = xstrndup(base, n);
	}
	sc.module = module;
	pysource_assignments(f->buf, f->len, app_assignment, &sc);
	if (!d->health || strcmp(d->health, "/healthz") != 0) {
		pysource_literals(f->buf, f->len, health_literal, &sc);
		if (sc.health && (!d->health || strcmp(sc.health, "/healthz") == 0))
			d->health = sc.health;
	}
}

static void scan_sources(struct detected *d, const char *app)
{
	_cleanup_free_ char *venv = d->venv ? path_join(app, d->venv) : NULL;
	struct pysource_walk w = {0};

	w.root = app;
	w.venv = venv;
	w.max_depth = 1;
	pysource_walk(&w, scan_file, d);
}

/* Sorted names of the directory's entries that do not start with '.'. */
static void list_dir(const char *dir, struct strv *out)
{
	struct dirent **names;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.')
			strv_push(out, names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

static bool exists_in(const char *app, const char *rel)
{
	_cleanup_free_ char *p = path_join(app, rel);

	return path_exists(p);
}

static bool executable_in(const char *dir, const char *name)
{
	_cleanup_free_ char *p = path_join(dir, name);

	return access(p, X_OK) == 0;
}

/* MAJOR.MINOR from pyvenv.cfg's "version" (venv) or "version_info" (virtualenv). */
static void venv_python(const char *cfg, char *out, size_t size)
{
	static const char *const keys[] = {"version", "version_info"};
	_cleanup_free_ char *buf = NULL;
	struct error err = ERROR_INIT;
	size_t len, i;

	if (file_read(cfg, 65536, &buf, &len, NULL, &err) < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		_cleanup_free_ char *v = pyenv_cfg_get(buf, keys[i], NULL);
		int major, minor;

		if (v && sscanf(v, "%d.%d", &major, &minor) == 2) {
			snprintf(out, size, "%d.%d", major, minor);
			return;
		}
	}
}

static void detect_venv(struct detected *d, const char *app)
{
	static const char *const names[] = {".venv", "venv", "env", ".env"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *dir = path_join(app, names[i]);
		_cleanup_free_ char *cfg = path_join(dir, "pyvenv.cfg");
		_cleanup_free_ char *bin = path_join(dir, "bin");

		if (!path_is_dir(dir) || !path_exists(cfg))
			continue;
		d->venv = xstrdup(names[i]);
		venv_python(cfg, d->python, sizeof(d->python));
		d->gunicorn = executable_in(bin, "gunicorn");
		d->uvicorn = executable_in(bin, "uvicorn");
		return;
	}
}

static bool has_hashes(const char *app, const char *rel)
{
	_cleanup_free_ char *p = path_join(app, rel);
	_cleanup_free_ char *buf = NULL;
	struct error err = ERROR_INIT;
	size_t len;

	return file_read(p, SOURCE_MAX, &buf, &len, NULL, &err) == 0 && strstr(buf, "--hash=");
}

/*
 * The lock: requirements.lock, requirements.txt, then requirements/NAME.txt
 * (production-like names first), then pylock.toml and pylock.NAME.toml
 * (PEP 751; by name order).  A file with hashes beats one without (a
 * pylock.toml has hashes by design); an app that has both formats keeps
 * its requirement file.
 */
static void detect_requirements(struct detected *d, const char *app)
{
	static const char *const preferred[] = {
		"requirements.lock", "requirements.txt", "requirements/production.txt",
		"requirements/prod.txt", "requirements/base.txt", "requirements/main.txt",
	};
	struct strv cands = STRV_INIT;
	struct strv sub = STRV_INIT;
	_cleanup_free_ char *reqdir = path_join(app, "requirements");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(preferred); i++)
		if (exists_in(app, preferred[i]))
			strv_push(&cands, preferred[i]);
	if (path_is_dir(reqdir))
		list_dir(reqdir, &sub);
	for (i = 0; i < sub.n; i++) {
		_cleanup_free_ char *rel = xasprintf("requirements/%s", sub.v[i]);

		if (str_ends_with(rel, ".txt") && strv_find(&cands, rel) < 0)
			strv_push(&cands, rel);
	}
	strv_finish(&sub);
	if (exists_in(app, "pylock.toml"))
		strv_push(&cands, "pylock.toml");
	list_dir(app, &sub);
	for (i = 0; i < sub.n; i++)
		if (pylock_is_name(sub.v[i]) && strv_find(&cands, sub.v[i]) < 0)
			strv_push(&cands, sub.v[i]);
	strv_finish(&sub);
	for (i = 0; i < cands.n && !d->requirements; i++)
		if (pylock_is_name(cands.v[i]) || has_hashes(app, cands.v[i])) {
			d->requirements = xstrdup(cands.v[i]);
			d->locked = true;
		}
	if (!d->requirements && cands.n)
		d->requirements = xstrdup(cands.v[0]);
	strv_finish(&cands);
}

static void detect_env_files(struct detected *d, const char *app)
{
	static const char *const stage_files[3][3] = {
		{".env.development", ".env.dev", ".env.local"},
		{".env.staging", ".env.stage", NULL},
		{".env.production", ".env.prod", NULL},
	};
	struct strv names = STRV_INIT;
	size_t i, s, k;

	d->dotenv = exists_in(app, ".env") && !(d->venv && strcmp(d->venv, ".env") == 0);
	for (s = 0; s < 3; s++)
		for (k = 0; k < 3 && stage_files[s][k] && !d->env_stage[s]; k++)
			if (exists_in(app, stage_files[s][k]))
				d->env_stage[s] = xstrdup(stage_files[s][k]);
	/* the other .env* files are reported, never loaded (.env.example, ...) */
	file_dir_names(app, ".env.", NULL, true, &names);
	for (i = 0; i < names.n; i++) {
		bool used = false;

		for (s = 0; s < 3; s++)
			used |= d->env_stage[s] && strcmp(d->env_stage[s], names.v[i]) == 0;
		if (!used)
			strv_push(&d->env_other, names.v[i]);
	}
	strv_finish(&names);
}

static void detect_wheelhouse(struct detected *d, const char *app)
{
	_cleanup_free_ char *dir = path_join(app, "wheelhouse");
	struct strv files = STRV_INIT;
	size_t i;

	if (path_is_dir(dir))
		list_dir(dir, &files);
	for (i = 0; i < files.n; i++)
		if (str_ends_with(files.v[i], ".whl")) {
			d->wheelhouse = xstrdup("wheelhouse");
			break;
		}
	strv_finish(&files);
}

static void detected_finish(struct detected *d)
{
	size_t i;

	for (i = 0; i < d->n_entries; i++) {
		free(d->entries[i].target);
		free(d->entries[i].file);
	}
	free(d->entries);
	free(d->venv);
	free(d->requirements);
	free(d->wheelhouse);
	for (i = 0; i < 3; i++)
		free(d->env_stage[i]);
	strv_finish(&d->env_other);
}

/* The preferred entry of a kind (WSGI or ASGI), or NULL. */
static const struct entry *best_entry(const struct detected *d, bool asgi)
{
	const struct entry *best = NULL;
	size_t i;

	for (i = 0; i < d->n_entries; i++)
		if (d->entries[i].fw->asgi == asgi && (!best || d->entries[i].score > best->score))
			best = &d->entries[i];
	return best;
}

/* ---- writing the profiles ---- */

/* A key set by the scaffold, with the comment that says where it came from. */
struct setting {
	const char *section, *key;
	char *value;
	char *comment; /* or NULL */
};

struct settings {
	struct setting *v;
	size_t n, cap;
};

static void set(struct settings *s, const char *section, const char *key, char *value,
		char *comment)
{
	struct setting *e;

	grow_array((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	e = &s->v[s->n++];
	e->section = section;
	e->key = key;
	e->value = value;
	e->comment = comment;
}

static void settings_finish(struct settings *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].value);
		free(s->v[i].comment);
	}
	free(s->v);
}

static void add_line(struct strbuf *out, const char *left, const char *comment)
{
	size_t n = strlen(left);

	strbuf_adds(out, left);
	if (comment) {
		strbuf_addf(out, "%*s; %s", n < 32 ? (int)(32 - n) : 1, "", comment);
	}
	strbuf_addc(out, '\n');
}

/*
 * Renders the settings section by section in the key table's order.  With
 * defaults, every key not set is written as a commented "; key = default".
 */
static void render(struct strbuf *out, const char *header, const struct settings *s,
		   bool defaults)
{
	const char *const *sec;
	size_t i, k;

	strbuf_adds(out, header);
	for (sec = profile_sections; *sec; sec++) {
		bool any = false;

		for (k = 0; k < s->n; k++)
			any |= strcmp(s->v[k].section, *sec) == 0;
		if (!any && (!defaults || strcmp(*sec, "vars") == 0))
			continue;
		strbuf_addf(out, "\n[%s]\n", *sec);
		for (k = 0; k < s->n; k++) {
			_cleanup_free_ char *left = NULL;

			if (strcmp(s->v[k].section, *sec) != 0)
				continue;
			left = xasprintf("%s = %s", s->v[k].key, s->v[k].value);
			add_line(out, left, s->v[k].comment);
		}
		if (!defaults)
			continue;
		for (i = 0; i < profile_nkeys; i++) {
			const struct key_def *def = &profile_keys[i];
			bool is_set = false;

			if (strcmp(def->section, *sec) != 0 || def->type == KT_EXTENDS || !def->def)
				continue;
			for (k = 0; k < s->n; k++)
				is_set |= strcmp(s->v[k].section, *sec) == 0 &&
					  strcmp(s->v[k].key, def->key) == 0;
			if (!is_set)
				strbuf_addf(out, "; %s =%s%s\n", def->key, def->def[0] ? " " : "",
					    def->def);
		}
	}
}

struct plan {
	const struct entry *main;      /* base's entry */
	bool main_uvicorn;             /* base's server */
	bool gunicorn_asgi;            /* ASGI app on gunicorn's uvicorn worker */
	const struct entry *dev_entry; /* dev's own ASGI entry under uvicorn, or NULL */
};

static void make_plan(const struct detected *d, struct plan *p)
{
	const struct entry *w = best_entry(d, false), *a = best_entry(d, true);

	memset(p, 0, sizeof(*p));
	if (w && (d->gunicorn || !d->uvicorn)) {
		p->main = w;
		if (a && d->uvicorn)
			p->dev_entry = a;
	} else if (a) {
		p->main = a;
		p->main_uvicorn = d->uvicorn || !d->gunicorn;
		p->gunicorn_asgi = !p->main_uvicorn;
	} else if (w) {
		/* a WSGI app and only uvicorn installed: gunicorn is still the server */
		p->main = w;
	} else {
		p->main_uvicorn = d->uvicorn && !d->gunicorn;
	}
}

static void base_settings(const struct detected *d, const struct plan *p, const char *root,
			  struct settings *s)
{
	const char *server = p->main_uvicorn ? "uvicorn" : "gunicorn";
	bool installed = p->main_uvicorn ? d->uvicorn : d->gunicorn;

	set(s, "profile", "description", xstrdup("settings every stage shares"), NULL);
	set(s, "app", "root", xstrdup(root), xstrdup("relative to this file's directory"));
	if (p->main)
		set(s, "app", "module", xstrdup(p->main->target),
		    xasprintf("found: %s app in %s", p->main->fw->name, p->main->file));
	else
		set(s, "app", "module", xstrdup("app:app"),
		    xstrdup("not found: set MODULE:ATTRIBUTE of the WSGI or ASGI app"));
	set(s, "app", "server", xstrdup(server),
	    installed ? xasprintf("found in %s/bin/", d->venv) : xstrdup("not installed in the venv"));
	if (d->venv)
		set(s, "app", "venv", xstrdup(d->venv), xstrdup("relative to root"));
	else
		set(s, "app", "venv", xstrdup(".venv"), xstrdup("not found: create it here"));
	if (d->python[0])
		set(s, "app", "python", xstrdup(d->python), xstrdup("the venv's, from pyvenv.cfg"));
	if (d->requirements)
		set(s, "app", "requirements", xstrdup(d->requirements),
		    xstrdup(d->locked ? "the lock, with hashes" : "found, but without hashes"));
	else
		set(s, "app", "requirements", xstrdup(""), xstrdup("no lock found"));
	set(s, "server", "bind", xstrdup("127.0.0.1:8000"), NULL);
	if (p->gunicorn_asgi)
		set(s, "server", "worker_class", xstrdup("uvicorn.workers.UvicornWorker"),
		    xstrdup("an ASGI app on gunicorn"));
	if (d->dotenv)
		set(s, "env", "files", xstrdup(".env"), xstrdup("the stages add their own file"));
	set(s, "env", "process", xstrdup("wins"),
	    xstrdup("the inherited environment beats the files"));
	set(s, "vars", "PYTHONUNBUFFERED", xstrdup("1"), NULL);
	if (d->wheelhouse)
		set(s, "checks", "wheelhouse", xstrdup(d->wheelhouse),
		    xstrdup("found: its wheels are checked against the lock"));
	if (d->health)
		set(s, "health", "path", xstrdup(d->health), xstrdup("a route found in the sources"));
}

/* The stage's own .env file (stage 0, 1, 2: dev, staging, prod), after
 * base's .env when there is one. */
static void stage_env_files(const struct detected *d, struct settings *s, int stage)
{
	const char *own = d->env_stage[stage];

	if (own)
		set(s, "env", "files", d->dotenv ? xasprintf(".env, %s", own) : xstrdup(own), NULL);
}

/* What every stage file starts with. */
static void stage_head(struct settings *s, const char *description, const char *stage)
{
	set(s, "profile", "extends", xstrdup("base"), NULL);
	set(s, "profile", "description", xstrdup(description), NULL);
	set(s, "profile", "stage", xstrdup(stage), NULL);
}

static void dev_settings(const struct detected *d, const struct plan *p, struct settings *s)
{
	stage_head(s, "local development: reload, loopback", "development");
	if (p->dev_entry) {
		set(s, "app", "module", xstrdup(p->dev_entry->target),
		    xasprintf("found: %s app in %s", p->dev_entry->fw->name, p->dev_entry->file));
		set(s, "app", "server", xstrdup("uvicorn"), xasprintf("found in %s/bin/", d->venv));
	}
	set(s, "server", "bind", xstrdup("127.0.0.1:8000"), NULL);
	set(s, "server", "workers", xstrdup("1"), NULL);
	set(s, "server", "reload", xstrdup("true"), NULL);
	set(s, "server", "log_level", xstrdup("debug"), NULL);
	stage_env_files(d, s, 0);
}

static void staging_settings(const struct detected *d, struct settings *s)
{
	stage_head(s, "staging: production settings, smaller", "staging");
	set(s, "server", "bind", xstrdup("0.0.0.0:8000"), NULL);
	set(s, "server", "workers", xstrdup("2"), NULL);
	set(s, "server", "forwarded_allow_ips", xstrdup("127.0.0.1"),
	    xstrdup("the proxy in front of the app"));
	stage_env_files(d, s, 1);
}

static void prod_settings(const struct detected *d, struct settings *s)
{
	stage_head(s, "production: workers from the CPU quota", "production");
	set(s, "profile", "strict", xstrdup("true"), xstrdup("warnings fail too"));
	set(s, "server", "bind", xstrdup("0.0.0.0:8000"), NULL);
	set(s, "server", "workers", xstrdup("auto"), xstrdup("from the CPU quota and affinity"));
	set(s, "server", "max_requests", xstrdup("1000"), NULL);
	set(s, "server", "max_requests_jitter", xstrdup("100"), NULL);
	set(s, "server", "forwarded_allow_ips", xstrdup("127.0.0.1"),
	    xstrdup("the proxy in front of the app"));
	stage_env_files(d, s, 2);
}

static const char base_header[] =
	"; The settings every stage of this app shares, scaffolded by `deploy-run init`.\n"
	"; dev.ini, staging.ini and prod.ini extend it and override what differs;\n"
	"; `deploy-run show PROFILE` prints the result and deploy-run.ini(5) documents\n"
	"; every key. The commented keys are the defaults: uncomment one to change it.\n";

static const char dev_header[] =
	"; Development: one worker, reload on code changes, loopback only.\n";
static const char staging_header[] =
	"; Staging: production settings on a smaller scale, behind the same proxy.\n";
static const char prod_header[] =
	"; Production: as many workers as the CPUs this process may use, listening on\n"
	"; every interface for the load balancer. Secrets come from the process\n"
	"; environment (a secret store), which wins over the .env files. Set\n"
	"; [env] required to the variables the app cannot start without.\n"
	"; When started as root, set [app] user to drop privileges.\n";

/* The path of to relative to the directory from (both absolute and normalised). */
static char *relative_path(const char *from, const char *to)
{
	struct strbuf sb;
	size_t i = 0, common = 0;
	const char *p;

	/* the longest common prefix that ends at a component boundary */
	while (from[i] && from[i] == to[i]) {
		i++;
		if ((from[i] == '/' || !from[i]) && (to[i] == '/' || !to[i]))
			common = i;
	}
	strbuf_init(&sb);
	/* one ".." for every component of from after the common prefix */
	for (p = from + common; *p; p++)
		if (*p != '/' && (p == from || p[-1] == '/'))
			strbuf_adds(&sb, sb.len ? "/.." : "..");
	for (p = to + common; *p == '/'; p++)
		;
	if (*p)
		strbuf_addf(&sb, "%s%s", sb.len ? "/" : "", p);
	if (!sb.len)
		strbuf_adds(&sb, ".");
	return strbuf_detach(&sb);
}

static int mkdir_p(const char *dir, struct error *err)
{
	_cleanup_free_ char *copy = xstrdup(dir);
	char *p;

	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return error_at(err, copy, 0, 0, "cannot create the directory: %s",
					strerror(errno));
		*p = '/';
	}
	if (mkdir(copy, 0755) < 0 && errno != EEXIST)
		return error_at(err, copy, 0, 0, "cannot create the directory: %s", strerror(errno));
	return 0;
}

/* What init found; names come from the app's directory: printed masked. */
static void print_detected(const struct detected *d)
{
	struct strbuf env;
	size_t i;

	if (d->venv)
		cmd_print_line(stdout, "venv:          %s (Python %s%s%s)", d->venv,
			       d->python[0] ? d->python : "unknown", d->gunicorn ? ", gunicorn" : "",
			       d->uvicorn ? ", uvicorn" : "");
	else
		cmd_print_line(stdout, "venv:          not found (.venv, venv or env with "
			       "pyvenv.cfg)");
	cmd_print_line(stdout, "requirements:  %s%s", d->requirements ? d->requirements
		       : "not found", d->requirements && !d->locked ? " (no hashes)" : "");
	strbuf_init(&env);
	strbuf_adds(&env, d->dotenv ? ".env" : "");
	for (i = 0; i < 3; i++)
		if (d->env_stage[i])
			strbuf_addf(&env, "%s%s", d->dotenv || i ? " " : "", d->env_stage[i]);
	if (!d->dotenv && !d->env_stage[0] && !d->env_stage[1] && !d->env_stage[2])
		strbuf_adds(&env, "none");
	for (i = 0; i < d->env_other.n; i++)
		strbuf_addf(&env, "%s%s", i ? ", " : " (not loaded: ", d->env_other.v[i]);
	cmd_print_line(stdout, "env files:     %s%s", env.buf, d->env_other.n ? ")" : "");
	strbuf_finish(&env);
	if (!d->n_entries)
		cmd_print_line(stdout, "app:           not found (set [app] module in base.ini)");
	for (i = 0; i < d->n_entries; i++)
		cmd_print_line(stdout, "app:           %s (%s, %s, %s)", d->entries[i].target,
			       d->entries[i].fw->asgi ? "ASGI" : "WSGI", d->entries[i].fw->name,
			       d->entries[i].file);
}

static const char *const profile_names[] = {"base", "dev", "staging", "prod"};

int cmd_init(int argc, char **argv, const struct globals *g)
{
	const char *dir = NULL;
	bool force = false;
	struct detected d;
	struct plan plan;
	struct settings s[4];
	struct strbuf text[4];
	_cleanup_free_ char *app = NULL, *profiles = NULL, *root = NULL;
	char *paths[4] = {NULL, NULL, NULL, NULL};
	struct error err = ERROR_INIT;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = true;
		else if (cmd_is_help(argv[i]))
			return cmd_help_of("init", g);
		else if (argv[i][0] == '-' && argv[i][1])
			return cmd_usage_error("init", "unknown option '%s'", argv[i]);
		else if (dir)
			return cmd_usage_error("init", "init takes one directory, got '%s' too",
					       argv[i]);
		else
			dir = argv[i];
	}
	if (!dir)
		dir = ".";
	if (!path_is_dir(dir)) {
		error_at(&err, dir, 0, 0, "not a directory");
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	app = path_absolute(dir, NULL);
	/* --profiles DIR names where they go; by default, DIR/profiles */
	if (strcmp(g->profiles_dir, "profiles") == 0)
		profiles = path_join(app, "profiles");
	else
		profiles = path_absolute(g->profiles_dir, NULL);
	root = relative_path(profiles, app);

	for (i = 0; i < 4; i++) {
		_cleanup_free_ char *file = xasprintf("%s.ini", profile_names[i]);

		paths[i] = path_join(profiles, file);
		if (!force && path_exists(paths[i])) {
			error_at(&err, paths[i], 0, 0, "the profile exists; not overwriting it "
				 "(--force replaces the four profiles)");
			cmd_print_error(&err);
			for (i = 0; i < 4; i++)
				free(paths[i]);
			return EXIT_USAGE;
		}
	}

	memset(&d, 0, sizeof(d));
	detect_venv(&d, app);
	detect_requirements(&d, app);
	detect_env_files(&d, app);
	detect_wheelhouse(&d, app);
	scan_sources(&d, app);
	make_plan(&d, &plan);

	memset(s, 0, sizeof(s));
	base_settings(&d, &plan, root, &s[0]);
	dev_settings(&d, &plan, &s[1]);
	staging_settings(&d, &s[2]);
	prod_settings(&d, &s[3]);
	for (i = 0; i < 4; i++)
		strbuf_init(&text[i]);
	render(&text[0], base_header, &s[0], true);
	render(&text[1], dev_header, &s[1], false);
	render(&text[2], staging_header, &s[2], false);
	render(&text[3], prod_header, &s[3], false);

	if (g->verbosity >= 0)
		print_detected(&d);
	if (mkdir_p(profiles, &err) < 0) {
		cmd_print_error(&err);
		rc = EXIT_USAGE;
	}
	for (i = 0; i < 4 && rc == 0; i++) {
		if (file_write_atomic(paths[i], text[i].buf, text[i].len, 0644, &err) < 0) {
			cmd_print_error(&err);
			rc = EXIT_USAGE;
		} else if (g->verbosity >= 0) {
			cmd_print_line(stdout, "wrote          %s", paths[i]);
		}
	}
	/* the next command as the user would type it, from where they are */
	if (rc == 0 && g->verbosity >= 0) {
		if (strcmp(g->profiles_dir, "profiles") != 0)
			cmd_print_line(stdout, "next:          deploy-run --profiles %s check dev",
				       g->profiles_dir);
		else if (strcmp(dir, ".") != 0)
			cmd_print_line(stdout, "next:          deploy-run -C %s check dev", dir);
		else
			cmd_print_line(stdout, "next:          deploy-run check dev");
	}

	for (i = 0; i < 4; i++) {
		strbuf_finish(&text[i]);
		settings_finish(&s[i]);
		free(paths[i]);
	}
	detected_finish(&d);
	return rc;
}

const struct command_help cmd_init_help = {
	"init [DIR] [--force]",
	"Scaffolds profiles/base.ini, dev.ini, staging.ini and prod.ini for the app in\n"
	"DIR (default: the working directory), detecting its virtualenv and Python, the\n"
	"servers installed in it, the requirements lock, the .env files, the WSGI or\n"
	"ASGI entry point and a health route. base.ini lists every other key as a\n"
	"commented default. The profiles go to DIR/profiles, or to --profiles DIR.\n\n"
	"Options:\n"
	"  --force         overwrite existing profiles\n\n"
	"Exit status: 0 written; 2 usage error, or a profile exists and --force was\n"
	"not given (nothing is written then).\n"
};
