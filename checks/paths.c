#include "paths.h"
#include "fileio.h"
#include "path.h"
#include "pysource.h"
#include "strbuf.h"
#include "userspec.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

const char *const paths_value_ids[] = {
	"path.missing", "path.outside-allowed", "path.home-dir", "path.relative-to-cwd", NULL,
};

const char *const paths_source_ids[] = {"path.hardcoded", NULL};

/* ---- the runtime user ---------------------------------------------------- */

/*
 * Who opens the paths: [app] user when set, else whoever runs deploy-run.
 * For the current user the kernel answers (faccessat with AT_EACCESS); for
 * another one the permission bits are compared with its uid and groups
 * (ACLs are not consulted).
 */
struct runtime_user {
	bool known;     /* false: [app] user names nobody; only existence is checked */
	bool self;      /* the checking process's own effective user */
	struct userspec_ids ids;
};

/* Resolves spec ([app] user, common/userspec.h; NULL or empty: the current user). */
static void user_init(struct runtime_user *u, const char *spec)
{
	struct error err = ERROR_INIT;

	memset(u, 0, sizeof(*u));
	if (!spec || !*spec) {
		struct passwd *pw = getpwuid(geteuid());

		u->known = u->self = true;
		u->ids.uid = geteuid();
		u->ids.gid = getegid();
		u->ids.name = pw ? xstrdup(pw->pw_name) : xasprintf("%u", (unsigned)u->ids.uid);
		return;
	}
	if (userspec_resolve(spec, &u->ids, &err) < 0)
		return;
	u->known = true;
	u->self = u->ids.uid == geteuid() && u->ids.gid == getegid();
}

static void user_finish(struct runtime_user *u)
{
	userspec_ids_finish(&u->ids);
}

/* Whether u's permission bits on st allow mode (R_OK | W_OK | X_OK). */
static bool bits_allow(const struct runtime_user *u, const struct stat *st, int mode)
{
	int bits;

	if (u->ids.uid == 0)
		return !(mode & X_OK) || S_ISDIR(st->st_mode) || (st->st_mode & 0111);
	if (st->st_uid == u->ids.uid)
		bits = (int)(st->st_mode >> 6) & 7;
	else if (userspec_in_group(&u->ids, st->st_gid))
		bits = (int)(st->st_mode >> 3) & 7;
	else
		bits = (int)st->st_mode & 7;
	return (bits & mode) == mode;
}

/*
 * Whether u may access the existing path with mode.  On refusal returns
 * false with *why set (malloc'd): the directory that cannot be searched,
 * the missing permission, or a read-only file system.
 */
static bool may_access(const struct runtime_user *u, const char *path, int mode, char **why)
{
	struct statvfs vfs;
	struct stat st;
	char *dir;
	size_t i;

	*why = NULL;
	if (!u->known)
		return true;
	if (u->self) {
		if (faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0)
			return true;
		if (errno == EROFS)
			*why = xstrdup("it is on a read-only file system");
		else if (errno == EACCES)
			*why = xasprintf("user %s has no %s permission", u->ids.name,
					 mode & W_OK ? "write" : "read");
		else
			*why = xstrdup(strerror(errno));
		return false;
	}
	/* every directory above must be searchable */
	dir = xstrdup(path);
	for (i = 1; dir[i]; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (stat(dir, &st) == 0 && !bits_allow(u, &st, X_OK)) {
			*why = xasprintf("user %s cannot enter %s", u->ids.name, dir);
			free(dir);
			return false;
		}
		dir[i] = '/';
	}
	free(dir);
	if (stat(path, &st) < 0)
		return true; /* existence is checked by the caller */
	if (!bits_allow(u, &st, mode)) {
		*why = xasprintf("user %s has no %s permission", u->ids.name,
				 mode & W_OK ? "write" : "read");
		return false;
	}
	if ((mode & W_OK) && statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		*why = xstrdup("it is on a read-only file system");
		return false;
	}
	return true;
}

/* ---- path values ------------------------------------------------------- */

enum kind {
	KIND_IN_FILE,   /* read; must exist and not be a directory */
	KIND_IN_DIR,    /* read and searched; must exist */
	KIND_IN_ANY,    /* read; a file or a directory */
	KIND_OUT_FILE,  /* written (log, pid file, socket): it or its directory exists */
	KIND_OUT_DIR,   /* a directory written into; must exist */
	KIND_OUT_ANY,   /* written: an existing file or directory, or a new file */
	KIND_NEW_DIR,   /* a directory deploy-run creates: it or its parent exists */
};

enum scope {
	SCOPE_ALL,         /* existence and access */
	SCOPE_IF_EXISTS,   /* access only: another family reports it missing */
	SCOPE_PLACE,       /* home-dir and outside-allowed only */
};

/* One path-like value and where it was set. */
struct item {
	const char *what;   /* "[app] root", "LOG_FILE", "--pid in [server] args" */
	const char *shown;  /* the value as shown (masked when secret) */
	const char *path;   /* as written: absolute, or relative */
	const char *file;   /* NULL: no location */
	int line;
	enum kind kind;
	enum scope scope;
	bool is_root;       /* [app] root itself */
	bool by_deploy_run; /* opened by deploy-run, not by the server */
};

struct walk {
	const struct context *ctx;
	struct report *r;
	struct runtime_user user; /* who runs the server */
	struct runtime_user self; /* who runs deploy-run */
	struct strv allowed;      /* [checks] allowed_paths, absolute */
};

static bool is_input(enum kind k)
{
	return k == KIND_IN_FILE || k == KIND_IN_DIR || k == KIND_IN_ANY;
}

static bool wants_dir(enum kind k)
{
	return k == KIND_IN_DIR || k == KIND_OUT_DIR || k == KIND_NEW_DIR;
}

static bool wants_file(enum kind k)
{
	return k == KIND_IN_FILE || k == KIND_OUT_FILE;
}

#define HINT_CREATE_DIR "create the directory, writable by the user the server runs as, " \
	"or correct the value"

/* Reports what keeps the path p (absolute, normalised) from being used. */
static void check_exists(struct walk *w, const struct item *it, const char *p)
{
	const struct runtime_user *u = it->by_deploy_run ? &w->self : &w->user;
	_cleanup_free_ char *why = NULL;
	_cleanup_free_ char *parent = NULL;
	const char *target = p;
	struct stat st;
	int mode;

	if (stat(p, &st) == 0) {
		bool dir = S_ISDIR(st.st_mode);

		if (wants_dir(it->kind) && !dir) {
			report_add(w->r, "path.missing", SEVERITY_ERROR, it->file, it->line,
				   "point it at a directory", "%s: %s is not a directory",
				   it->what, it->shown);
			return;
		}
		if (wants_file(it->kind) && dir) {
			report_add(w->r, "path.missing", SEVERITY_ERROR, it->file, it->line,
				   "point it at a file, not at a directory",
				   "%s: %s is a directory, not a file", it->what, it->shown);
			return;
		}
		if (S_ISSOCK(st.st_mode))
			return; /* a stale socket: the server replaces it */
		mode = is_input(it->kind) ? R_OK : W_OK;
		if (dir)
			mode |= X_OK;
	} else if (it->scope == SCOPE_IF_EXISTS) {
		return;
	} else if (is_input(it->kind) || it->kind == KIND_OUT_DIR) {
		report_add(w->r, "path.missing", SEVERITY_ERROR, it->file, it->line,
			   is_input(it->kind) ? "create it, or correct the value" : HINT_CREATE_DIR,
			   "%s: %s %s does not exist", it->what,
			   it->kind == KIND_IN_ANY ? "path" : wants_dir(it->kind) ? "directory" : "file",
			   it->shown);
		return;
	} else {
		parent = path_dirname(p);
		if (!path_is_dir(parent)) {
			report_add(w->r, "path.missing", SEVERITY_ERROR, it->file, it->line,
				   HINT_CREATE_DIR, "%s: neither %s nor its directory %s exists",
				   it->what, it->shown, parent);
			return;
		}
		if (it->kind == KIND_NEW_DIR)
			u = &w->self;
		target = parent;
		mode = W_OK | X_OK;
	}
	if (may_access(u, target, mode, &why))
		return;
	if (target == parent)
		report_add(w->r, "path.missing", SEVERITY_ERROR, it->file, it->line,
			   "make the directory writable by that user (chown, chmod), "
			   "or correct the value",
			   "%s: %s cannot be created in %s: %s", it->what, it->shown, parent, why);
	else
		report_add(w->r, "path.missing", SEVERITY_ERROR, it->file, it->line,
			   mode & W_OK ? "make it writable by that user (chown, chmod), "
					 "or correct the value"
				       : "make it readable by that user (chown, chmod), "
					 "or correct the value",
			   "%s: %s cannot be %s: %s", it->what, it->shown,
			   mode & W_OK ? "written" : "read", why);
}

static bool is_home(const char *p)
{
	return path_is_inside(p, "/root") || (str_starts_with(p, "/home/") && p[6]) ||
	       (str_starts_with(p, "/Users/") && p[7]);
}

/* Paths every app may use whatever [checks] allowed_paths says. */
static bool always_allowed(const char *p)
{
	return str_eq(p, "/dev/null") || str_eq(p, "/dev/stdout") || str_eq(p, "/dev/stderr") ||
	       path_is_inside(p, "/proc/self/fd");
}

static void check_item(struct walk *w, const struct item *it)
{
	const struct profile *prof = w->ctx->profile;
	_cleanup_free_ char *p = NULL;
	size_t i;

	if (it->path[0] != '/') {
		const char *cwd = w->ctx->cwd ? w->ctx->cwd : prof->workdir;

		report_add(w->r, "path.relative-to-cwd", SEVERITY_WARNING, it->file, it->line,
			   "make it absolute, or have the app build it from a known root "
			   "(such as Path(__file__).parent)",
			   "%s: %s is relative: the app resolves it against its working directory "
			   "(%s when started by deploy-run, wherever it is started otherwise)",
			   it->what, it->shown, cwd);
		return;
	}
	p = path_normalize(it->path);
	if (it->is_root || !path_is_inside(p, prof->root)) {
		if (prof->stage != STAGE_DEVELOPMENT && is_home(p))
			report_add(w->r, "path.home-dir",
				   prof->stage == STAGE_PRODUCTION ? SEVERITY_ERROR : SEVERITY_WARNING,
				   it->file, it->line,
				   "deploy outside home directories (such as /srv/APP, /opt/APP or "
				   "/var/lib/APP) and point the value there",
				   "%s: %s is in a home directory, in a %s profile", it->what, it->shown,
				   profile_stage_name(prof->stage));
		if (w->allowed.n && !always_allowed(p)) {
			for (i = 0; i < w->allowed.n; i++)
				if (path_is_inside(p, w->allowed.v[i]))
					break;
			if (i == w->allowed.n)
				report_add(w->r, "path.outside-allowed", SEVERITY_ERROR, it->file,
					   it->line,
					   "move it under one of [checks] allowed_paths, or add its "
					   "directory there",
					   "%s: %s is outside [checks] allowed_paths", it->what,
					   it->shown);
		}
	}
	if (it->scope != SCOPE_PLACE)
		check_exists(w, it, p);
}

/* Checks a profile value of the key section.key. */
static void profile_item(struct walk *w, const char *section, const char *key, const char *path,
			 enum kind kind, enum scope scope)
{
	struct profile_loc loc = profile_loc(w->ctx->profile, section, key);
	_cleanup_free_ char *what = xasprintf("[%s] %s", section, key);
	struct item it = {what, path, path, loc.file, loc.line, kind, scope, false, false};

	if (!path || !*path)
		return;
	it.is_root = str_eq(section, "app") && str_eq(key, "root");
	it.by_deploy_run = str_eq(section, "health") || str_eq(section, "checks");
	check_item(w, &it);
}

/* ---- the server's arguments -------------------------------------------- */

/* gunicorn's and uvicorn's options that take a path. */
static const struct {
	const char *opt;
	enum kind kind;
} path_options[] = {
	{"--access-logfile", KIND_OUT_FILE}, {"--error-logfile", KIND_OUT_FILE},
	{"--log-file", KIND_OUT_FILE}, {"--pid", KIND_OUT_FILE}, {"-p", KIND_OUT_FILE},
	{"--log-config", KIND_IN_FILE}, {"--log-config-json", KIND_IN_FILE},
	{"--config", KIND_IN_FILE}, {"-c", KIND_IN_FILE}, {"--paste", KIND_IN_FILE},
	{"--certfile", KIND_IN_FILE}, {"--keyfile", KIND_IN_FILE}, {"--ca-certs", KIND_IN_FILE},
	{"--chdir", KIND_IN_DIR}, {"--pythonpath", KIND_IN_DIR},
	{"--worker-tmp-dir", KIND_OUT_DIR}, {"--bind", KIND_OUT_FILE}, {"-b", KIND_OUT_FILE},
	{"--uds", KIND_OUT_FILE}, {"--ssl-keyfile", KIND_IN_FILE},
	{"--ssl-certfile", KIND_IN_FILE}, {"--ssl-ca-certs", KIND_IN_FILE},
	{"--env-file", KIND_IN_FILE}, {"--app-dir", KIND_IN_DIR}, {"--reload-dir", KIND_IN_DIR},
};

static void arg_value(struct walk *w, const char *opt, enum kind kind, const char *value)
{
	struct profile_loc loc = profile_loc(w->ctx->profile, "server", "args");
	_cleanup_free_ char *what = xasprintf("%s in [server] args", opt);
	_cleanup_free_ char *copy = xstrdup(value);
	char *s = copy, *e;
	bool list = str_eq(opt, "--pythonpath");

	if (str_eq(opt, "--bind") || str_eq(opt, "-b")) {
		if (!str_starts_with(value, "unix:"))
			return;
		s += 5;
	}
	if (str_eq(opt, "-c") || str_eq(opt, "--config")) {
		if (str_starts_with(s, "python:"))
			return;
		if (str_starts_with(s, "file:"))
			s += 5;
	}
	for (; s; s = e) {
		struct item it = {what, s, s, loc.file, loc.line, kind, SCOPE_ALL, false, false};

		e = list ? strchr(s, ',') : NULL;
		if (e)
			*e++ = '\0';
		if (*s && !str_eq(s, "-"))
			check_item(w, &it);
	}
}

static void check_args(struct walk *w)
{
	const struct strv *args = &w->ctx->profile->args;
	size_t i, j;

	for (i = 0; i < args->n; i++) {
		const char *a = args->v[i];

		for (j = 0; j < ARRAY_SIZE(path_options); j++) {
			size_t n = strlen(path_options[j].opt);

			if (strncmp(a, path_options[j].opt, n) != 0)
				continue;
			if (a[n] == '=' && a[1] == '-') {
				arg_value(w, path_options[j].opt, path_options[j].kind, a + n + 1);
			} else if (!a[n] && i + 1 < args->n) {
				arg_value(w, path_options[j].opt, path_options[j].kind, args->v[i + 1]);
				i++;
			} else {
				continue;
			}
			break;
		}
	}
}

/* ---- environment variables --------------------------------------------- */

/* Variables of the host or of another family, never the app's paths. */
static const char *const env_skip[] = {
	"PATH", "HOME", "PWD", "OLDPWD", "SHELL", "_", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME",
	"PYTHONSTARTUP", "ROOT_PATH", "SCRIPT_NAME", NULL,
};

/* Words of a variable name that mean the app writes there. */
static const char *const output_words[] = {
	"LOG", "LOGS", "LOGFILE", "PID", "PIDFILE", "SOCK", "SOCKET", "CACHE", "TMP", "TEMP",
	"TMPDIR", "UPLOAD", "UPLOADS", "MEDIA", "OUT", "OUTPUT", "SPOOL", "RUN", "STATE",
	"SESSION", "SESSIONS", "METRICS", "MULTIPROC", "PROMETHEUS", NULL,
};

/* Words of a variable name that mean a URL path ("/api"), not a file. */
static const char *const url_words[] = {
	"URL", "URI", "COOKIE", "ROUTE", "ENDPOINT", "WEBHOOK", "REDIRECT", "CALLBACK", NULL,
};

/* Whether a word of key (split at '_') is one of words. */
static bool has_word(const char *key, const char *const *words)
{
	const char *s = key;
	size_t i;

	while (*s) {
		size_t n = strcspn(s, "_");

		for (i = 0; words[i]; i++)
			if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
				return true;
		s += n;
		s += *s == '_';
	}
	return false;
}

static bool key_ends(const char *key, const char *suffix)
{
	return str_ends_with(key, suffix) && strlen(key) > strlen(suffix);
}

/* The kind of path a variable names; false when its name says nothing. */
static bool env_kind(const char *key, enum kind *kind)
{
	bool out = has_word(key, output_words);

	if (key_ends(key, "_DIR") || key_ends(key, "_ROOT"))
		*kind = out ? KIND_OUT_DIR : KIND_IN_DIR;
	else if (key_ends(key, "_FILE"))
		*kind = out ? KIND_OUT_FILE : KIND_IN_FILE;
	else if (key_ends(key, "_SOCKET"))
		*kind = KIND_OUT_FILE;
	else if (key_ends(key, "_PATH"))
		*kind = out ? KIND_OUT_ANY : KIND_IN_ANY;
	else {
		*kind = out ? KIND_OUT_ANY : KIND_IN_ANY;
		return false;
	}
	return true;
}

/* Whether the app itself declares the inherited variable key. */
static bool declared(const struct context *ctx, const char *key)
{
	size_t i;

	if (strv_find(&ctx->profile->required, key) >= 0)
		return true;
	for (i = 0; i < ctx->env->nshadows; i++)
		if (str_eq(ctx->env->shadows[i].key, key))
			return true;
	return false;
}

/* The file (absolute when it is one of [env] files) and line of a source. */
static char *env_source_file(const struct context *ctx, const struct env_var *v, int *line)
{
	const char *colon = strrchr(v->source, ':');
	size_t i, n;

	*line = 0;
	if (str_eq(v->source, "profile")) {
		for (i = ctx->profile->nvars; i-- > 0;)
			if (str_eq(ctx->profile->vars[i].key, v->key)) {
				*line = ctx->profile->vars[i].loc.line;
				return ctx->profile->vars[i].loc.file
				       ? xstrdup(ctx->profile->vars[i].loc.file) : NULL;
			}
		return NULL;
	}
	if (!colon || colon == v->source)
		return NULL;
	n = (size_t)(colon - v->source);
	*line = atoi(colon + 1);
	for (i = 0; i < ctx->env->nfiles; i++) {
		const char *w = ctx->env->files[i].as_written;

		if (strlen(w) == n && strncmp(w, v->source, n) == 0)
			return xstrdup(ctx->env->files[i].path);
	}
	return xstrndup(v->source, n);
}

/* An absolute value is taken for a path when its first directory exists
 * here ("/api/v1" is a URL path, "/srv/app/data" a file path). */
static bool top_exists(const char *value)
{
	char top[256];
	size_t n = strcspn(value + 1, "/") + 1;

	if (n >= sizeof(top) || n < 2)
		return false;
	memcpy(top, value, n);
	top[n] = '\0';
	return path_exists(top);
}

static bool looks_relative_path(const char *s)
{
	if (!*s || str_eq(s, "-") || s[0] == '~' || strspn(s, "0123456789.") == strlen(s))
		return false;
	if (str_case_eq(s, "true") || str_case_eq(s, "false") || str_case_eq(s, "none"))
		return false;
	return true;
}

static void env_value(struct walk *w, const struct env_var *v, const char *file, int line,
		      const char *value)
{
	enum kind kind;
	bool named = env_kind(v->key, &kind);
	/* FOO_DIR is a directory; FOO_PATH may as well be a URL path */
	bool surely_file = named && !key_ends(v->key, "_PATH");
	struct item it = {v->key, NULL, value, file, line, kind, SCOPE_ALL, false, false};

	if (strstr(value, "://") || has_word(v->key, url_words))
		return;
	if (value[0] == '/') {
		if (!value[1] ||
		    (!surely_file && (!top_exists(value) || strpbrk(value, " \t,;"))))
			return;
	} else if (!named || !looks_relative_path(value)) {
		return;
	}
	it.shown = profile_mask(w->ctx->profile, v->key, value, w->ctx->reveal);
	check_item(w, &it);
}

static void check_env(struct walk *w)
{
	const struct context *ctx = w->ctx;
	size_t i, j;

	for (i = 0; i < ctx->env->n; i++) {
		const struct env_var *v = &ctx->env->vars[i];
		_cleanup_free_ char *file = NULL;
		_cleanup_free_ char *copy = NULL;
		char *s, *e;
		int line;
		bool skip = false;

		if (!v->value || !*v->value || v->removed || str_eq(v->source, "deploy-run"))
			continue;
		for (j = 0; env_skip[j]; j++)
			skip = skip || str_eq(env_skip[j], v->key);
		if (skip || (str_eq(v->source, "process") && !declared(ctx, v->key)))
			continue;
		file = env_source_file(ctx, v, &line);
		copy = xstrdup(v->value);
		/* FOO_PATH=/a:/b is a search path */
		for (s = copy; s; s = e) {
			e = key_ends(v->key, "_PATH") && !strstr(v->value, "://") ? strchr(s, ':')
										   : NULL;
			if (e)
				*e++ = '\0';
			env_value(w, v, file, line, s);
		}
	}
}

void paths_check_values(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	struct walk w = {ctx, r, {0}, {0}, STRV_INIT};
	size_t i;

	user_init(&w.user, p->user);
	user_init(&w.self, NULL);
	for (i = 0; i < p->allowed_paths.n; i++)
		strv_push_owned(&w.allowed, path_absolute(p->allowed_paths.v[i], p->root));

	profile_item(&w, "app", "root", p->root, KIND_IN_DIR, SCOPE_ALL);
	/* the working directory is the root unless set: one finding, not two */
	if (!str_eq(p->workdir, p->root))
		profile_item(&w, "app", "workdir", p->workdir, KIND_IN_DIR, SCOPE_ALL);
	profile_item(&w, "app", "venv", p->venv, KIND_IN_DIR, SCOPE_IF_EXISTS);
	profile_item(&w, "app", "requirements", p->requirements, KIND_IN_FILE, SCOPE_PLACE);
	for (i = 0; i < p->env_files.n; i++)
		profile_item(&w, "env", "files", p->env_files.v[i], KIND_IN_FILE, SCOPE_PLACE);
	profile_item(&w, "checks", "wheelhouse", p->wheelhouse, KIND_IN_DIR, SCOPE_ALL);
	profile_item(&w, "cleanup", "prometheus_dir", p->prometheus_dir, KIND_NEW_DIR, SCOPE_ALL);
	profile_item(&w, "cleanup", "pid_file", p->pid_file, KIND_OUT_FILE, SCOPE_ALL);
	profile_item(&w, "health", "ready_file", p->health_ready_file, KIND_OUT_FILE, SCOPE_ALL);
	if (p->server == SERVER_GUNICORN)
		profile_item(&w, "server", "config", p->server_config, KIND_IN_FILE, SCOPE_ALL);
	if (p->server == SERVER_GUNICORN && p->access_log && !str_eq(p->access_log, "-"))
		profile_item(&w, "server", "access_log", p->access_log, KIND_OUT_FILE, SCOPE_ALL);
	for (i = 0; i < p->bind.n; i++)
		if (str_starts_with(p->bind.v[i], "unix:"))
			profile_item(&w, "server", "bind", p->bind.v[i] + 5, KIND_OUT_FILE,
				     SCOPE_ALL);
	check_args(&w);
	check_env(&w);

	user_finish(&w.user);
	user_finish(&w.self);
	strv_finish(&w.allowed);
}

/* ---- path literals in the app's source ---------------------------------- */

bool paths_is_hardcoded(const char *s, size_t len, bool raw)
{
	/* how the text may go on after the prefix */
	enum { MORE, BOUNDARY, ANY };
	static const struct {
		const char *prefix;
		int then;
	} dirs[] = {
		{"/home/", MORE}, {"/Users/", MORE}, {"/root", BOUNDARY}, {"/tmp/pip-", ANY},
		{"/builds/", MORE}, {"/github/workspace", BOUNDARY}, {"/var/folders/", MORE},
		{"/private/var/folders/", MORE}, {"/var/lib/jenkins/workspace/", MORE},
		{"/opt/atlassian/pipelines/agent/build", BOUNDARY},
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		n = strlen(dirs[i].prefix);
		if (len < n || memcmp(s, dirs[i].prefix, n) != 0)
			continue;
		if (dirs[i].then == ANY || (dirs[i].then == MORE && len > n) ||
		    (dirs[i].then == BOUNDARY && (len == n || s[n] == '/')))
			return true;
	}
	/* C:\Users, C:\\Users (escaped), C:/Users */
	if (len > 3 && isalpha((unsigned char)s[0]) && s[1] == ':') {
		i = 2;
		n = 0;
		while (i < len && (s[i] == '/' || s[i] == '\\')) {
			n += s[i] == '/' || raw || (i + 1 < len && s[i + 1] == '\\');
			i += s[i] == '\\' && !raw && i + 1 < len && s[i + 1] == '\\' ? 2 : 1;
		}
		if (n && len - i >= 5 && strncasecmp(s + i, "Users", 5) == 0 &&
		    (len - i == 5 || s[i + 5] == '/' || s[i + 5] == '\\'))
			return true;
	}
	return false;
}

struct scan {
	const struct context *ctx;
	struct report *r;
	const char *file;
};

static int on_literal(void *data, const char *buf, const struct pysource_token *t)
{
	struct scan *sc = data;
	struct finding *f;
	const char *body = buf + t->body;
	size_t len = t->body_end - t->body;
	const char *nl = memchr(body, '\n', len);
	size_t shown = nl ? (size_t)(nl - body) : len;

	if (!paths_is_hardcoded(body, len, t->raw))
		return 0;
	if (shown > 80)
		shown = 80;
	f = report_add(sc->r, "path.hardcoded",
		       sc->ctx->profile->stage == STAGE_PRODUCTION ? SEVERITY_ERROR
								  : SEVERITY_WARNING,
		       sc->file, t->line,
		       "read the path from a setting (a variable of the profile or of a .env file), "
		       "or build it from a known root such as Path(__file__).parent",
		       "hard-coded path \"%.*s%s\" in the app's source: it names a home or build "
		       "directory of the machine it was written on",
		       (int)shown, body, shown < len ? "..." : "");
	f->column = t->column;
	return 0;
}

static void scan_file(void *data, const struct pysource_file *f)
{
	struct scan *sc = data;

	sc->file = f->path;
	pysource_literals(f->buf, f->len, on_literal, sc);
}

void paths_check_source(const struct context *ctx, struct report *r)
{
	struct scan sc = {ctx, r, NULL};
	struct pysource_walk w = {0};

	w.root = ctx->profile->root;
	w.venv = ctx->profile->venv;
	pysource_walk(&w, scan_file, &sc); /* a missing root is path.missing's */
}
