#include "venv.h"
#include "cache.h"
#include "fileio.h"
#include "path.h"
#include "servercfg.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const venv_ids[] = {
	"venv.missing",
	"venv.system-site-packages",
	"venv.python-version",
	"venv.relocated",
	"venv.server-missing",
	"venv.pythonpath",
	"venv.active-mismatch",
	"venv.server-module",
	"venv.server-version",
	NULL,
};

/* The first word at s (double-quoted or bare), up to end or a NUL byte. */
static char *word(const char *s, const char *end)
{
	const char *w;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s < end && *s == '"') {
		w = ++s;
		while (s < end && *s && *s != '"')
			s++;
	} else {
		w = s;
		while (s < end && *s && !isspace((unsigned char)*s))
			s++;
	}
	return s > w ? xstrndup(w, (size_t)(s - w)) : NULL;
}

char *venv_shebang(const char *buf, size_t len)
{
	const char *end = buf + len, *nl;
	char *prog;

	if (len < 2 || buf[0] != '#' || buf[1] != '!')
		return NULL;
	nl = memchr(buf, '\n', len);
	prog = word(buf + 2, nl ? nl : end);
	if (prog && strcmp(prog, "/bin/sh") == 0 && nl) {
		static const char tramp[] = "'''exec' ";
		const char *l2 = nl + 1;
		const char *nl2 = memchr(l2, '\n', (size_t)(end - l2));

		if ((size_t)(end - l2) > strlen(tramp) && strncmp(l2, tramp, strlen(tramp)) == 0) {
			char *inner = word(l2 + strlen(tramp), nl2 ? nl2 : end);

			if (inner) {
				free(prog);
				prog = inner;
			}
		}
	}
	return prog;
}

/* The profile key's location as a report file (NULL for defaults). */
static struct profile_loc loc_of(const struct context *ctx, const char *section, const char *key)
{
	return profile_loc(ctx->profile, section, key);
}

static enum severity stage_severity(const struct context *ctx)
{
	return ctx->profile->stage == STAGE_PRODUCTION ? SEVERITY_ERROR : SEVERITY_WARNING;
}

/* realpath(p), or a lexical normalisation when it does not resolve. */
static char *resolved(const char *p)
{
	char *r = realpath(p, NULL);

	return r ? r : path_normalize(p);
}

static bool same_dir(const char *a, const char *b)
{
	_cleanup_free_ char *ra = resolved(a);
	_cleanup_free_ char *rb = resolved(b);

	return strcmp(ra, rb) == 0;
}

/* The first executable called name on a PATH value, or NULL. */
static char *which(const char *path_value, const char *name)
{
	const char *s = path_value;

	while (s && *s) {
		const char *colon = strchr(s, ':');
		size_t n = colon ? (size_t)(colon - s) : strlen(s);

		if (n) {
			_cleanup_free_ char *dir = xstrndup(s, n);
			char *cand = path_join(dir, name);
			struct stat st;

			if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
				return cand;
			free(cand);
		}
		s = colon ? colon + 1 : NULL;
	}
	return NULL;
}

/* "3.11" out of "3.11.2", "3.11.2.final.0", "python3.11"; NULL without a minor. */
static char *major_minor(const char *s)
{
	const char *p = s;
	size_t n;

	while (*p && !isdigit((unsigned char)*p))
		p++;
	n = strspn(p, "0123456789");
	if (!n || p[n] != '.' || !isdigit((unsigned char)p[n + 1]))
		return NULL;
	n += 1 + strspn(p + n + 1, "0123456789");
	return xstrndup(p, n);
}

/* True when version ("3.11.2") is the expected "3.11" (or "3.11.2"). */
static bool version_matches(const char *version, const char *expected)
{
	size_t n = strlen(expected);

	return strncmp(version, expected, n) == 0 && (version[n] == '\0' || version[n] == '.');
}

static void check_server_missing(const struct context *ctx, struct report *r, const char *bin)
{
	const struct profile *p = ctx->profile;
	const char *name = profile_server_name(p->server);
	_cleanup_free_ char *exe = path_join(bin, name);
	_cleanup_free_ char *hint = xasprintf("install it from the lock: %s/pip install "
					      "--require-hashes -r requirements.txt (with %s "
					      "pinned there)", bin, name);
	struct profile_loc loc = loc_of(ctx, "app", "server");
	struct pyenv pe;
	struct pyenv_found f, uv;
	struct error err = ERROR_INIT;

	memset(&f, 0, sizeof(f));
	memset(&uv, 0, sizeof(uv));
	if (pyenv_open(&pe, p->venv, ctx->env, &err) == 0) {
		pyenv_find(&pe, name, name, &f);
		if (p->server == SERVER_GUNICORN && strstr(p->worker_class, "uvicorn"))
			pyenv_find(&pe, "uvicorn", "uvicorn", &uv);
		pyenv_finish(&pe);
	}
	if (!f.script && !f.importable) {
		_cleanup_free_ char *other = which(environ_process_value(ctx->caller_env, "PATH"),
						   name);

		report_add(r, "venv.server-missing", SEVERITY_ERROR, loc.file, loc.line, hint,
			   "%s is not installed in the virtualenv %s (no %s, and the venv's python "
			   "cannot import it)%s%s%s", name, p->venv, exe,
			   other ? "; the one on PATH, " : "", other ? other : "",
			   other ? ", runs outside this venv and is not used" : "");
	} else if (!f.script) {
		report_add(r, "venv.server-module", SEVERITY_WARNING, loc.file, loc.line,
			   "install the server into the venv from the lock (its console script comes "
			   "with it), or keep it: python -m works the same, except that a USR2 "
			   "upgrade re-executes the module's file as a script",
			   "%s has no console script in the virtualenv (no %s); its python imports it "
			   "from %s (%s%s%s%s), so deploy-run starts it as %s/bin/python -m %s", name,
			   exe, f.module_dir, pyenv_origin_name(f.origin),
			   f.version ? ", version " : "", f.version ? f.version : "",
			   f.egg_info ? ", egg-info" : "", p->venv, name);
	}
	if (f.importable && !f.version)
		report_add(r, "venv.server-version", SEVERITY_WARNING, loc.file, loc.line,
			   "install it with its metadata (pip install, or the distribution's package), "
			   "so that its *.dist-info or *.egg-info is beside it",
			   "the version of %s cannot be determined (no %s*.dist-info or *.egg-info "
			   "on the venv's python path): deploy-run passes only the flags every "
			   "supported version takes (%s >= %s)%s", name, name, name,
			   p->server == SERVER_UVICORN ? SERVERCFG_UVICORN_MIN : SERVERCFG_GUNICORN_MIN,
			   p->server == SERVER_UVICORN ? ", without --timeout-graceful-shutdown" : "");
	if (p->server == SERVER_GUNICORN && strstr(p->worker_class, "uvicorn") && !uv.importable) {
		loc = loc_of(ctx, "server", "worker_class");
		report_add(r, "venv.server-missing", SEVERITY_ERROR, loc.file, loc.line,
			   "add uvicorn to the lock and install it in the venv",
			   "worker_class %s needs uvicorn, which is not installed in the "
			   "virtualenv %s", p->worker_class, p->venv);
	}
	pyenv_found_finish(&f);
	pyenv_found_finish(&uv);
}

static void check_cfg(const struct context *ctx, struct report *r, const char *cfg_path,
		      const char *buf, const char *bin)
{
	const struct profile *p = ctx->profile;
	_cleanup_free_ char *python = path_join(bin, "python");
	_cleanup_free_ char *target = resolved(python);
	_cleanup_free_ char *sys_site = NULL, *version = NULL, *cfg_mm = NULL, *target_mm = NULL;
	struct profile_loc ploc = loc_of(ctx, "app", "python");
	int sys_line = 0, version_line = 0;
	char link[PATH_MAX];
	ssize_t n;

	sys_site = pyenv_cfg_get(buf, "include-system-site-packages", &sys_line);
	if (sys_site && str_case_eq(sys_site, "true"))
		report_add(r, "venv.system-site-packages", stage_severity(ctx), cfg_path, sys_line,
			   "recreate the venv without --system-site-packages (python3 -m venv --clear "
			   "VENV, then reinstall the lock), or set include-system-site-packages = "
			   "false and reinstall what the system provided",
			   "the virtualenv sees the system's site-packages: packages missing from the "
			   "venv are silently taken from the host, so the lock does not describe what "
			   "runs");

	version = pyenv_cfg_version(buf, &version_line);
	if (version)
		cfg_mm = major_minor(version);

	n = readlink(python, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	if (access(target, X_OK) < 0) {
		report_add(r, "venv.python-version", SEVERITY_ERROR, python, 0,
			   "recreate the venv with an interpreter that exists (python3 -m venv --clear "
			   "VENV), then reinstall the lock",
			   "bin/python -> %s: the interpreter the venv was built on is gone "
			   "(uninstalled or upgraded)", n > 0 ? link : target);
		return;
	}
	target_mm = major_minor(path_basename(target));
	if (cfg_mm && target_mm && strcmp(cfg_mm, target_mm) != 0)
		report_add(r, "venv.python-version", SEVERITY_ERROR, cfg_path, version_line,
			   "recreate the venv (python3 -m venv --clear VENV) and reinstall the lock: "
			   "its site-packages was built for the other version",
			   "pyvenv.cfg says Python %s, but bin/python runs %s (Python %s): the host's "
			   "Python changed under the venv", version, target, target_mm);
	if (p->python && *p->python) {
		/* what really runs first: bin/python's target, else pyvenv.cfg */
		const char *seen = target_mm ? target_mm : version;

		if (seen && !version_matches(seen, p->python))
			report_add(r, "venv.python-version", SEVERITY_ERROR, ploc.file, ploc.line,
				   "recreate the venv with the expected interpreter (pythonX.Y -m venv "
				   "--clear VENV), or change [app] python if the new version is "
				   "intended",
				   "[app] python expects %s, but the virtualenv %s has Python %s "
				   "(%s)", p->python, p->venv, seen,
				   target_mm ? target : "pyvenv.cfg");
	}
}

/* Reads the first bytes of a regular executable file; false otherwise. */
static bool read_head(const char *path, char *buf, size_t size, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		close(fd);
		return false;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	*len = (size_t)n;
	return true;
}

static bool python_like(const char *prog)
{
	const char *b = path_basename(prog);

	return str_starts_with(b, "python") || str_starts_with(b, "pypy");
}

static void check_relocated(const struct context *ctx, struct report *r, const char *bin)
{
	_cleanup_free_ char *real_bin = resolved(bin);
	struct strv names = STRV_INIT, others = STRV_INIT;
	_cleanup_free_ char *first = NULL, *first_script = NULL;
	_cleanup_free_ char *hint = xasprintf("a venv cannot be moved: recreate it where it runs "
					      "(python3 -m venv --clear %s, then reinstall the "
					      "lock), or build it at its final path",
					      ctx->profile->venv);
	size_t i;

	if (file_dir_names(bin, NULL, NULL, false, &names) < 0)
		return;
	/* one finding for the venv, at its first stale script, naming the
	 * others: a moved venv has a stale #! in every script, and one error
	 * per script (pip, pip3, pip3.11, ...) says the same thing ten times */
	for (i = 0; i < names.n; i++) {
		_cleanup_free_ char *script = path_join(bin, names.v[i]);
		_cleanup_free_ char *prog = NULL, *prog_dir = NULL, *norm = NULL;
		char head[1024];
		size_t len;

		if (!read_head(script, head, sizeof(head), &len))
			continue;
		prog = venv_shebang(head, len);
		if (!prog || prog[0] != '/' || !python_like(prog))
			continue;
		norm = path_normalize(prog);
		if (path_is_inside(norm, bin))
			continue;
		prog_dir = path_dirname(norm);
		if (same_dir(prog_dir, real_bin))
			continue;
		if (strcmp(path_basename(prog_dir), "bin") == 0) {
			char *up = path_dirname(prog_dir);

			free(prog_dir);
			prog_dir = up;
		}
		if (first) {
			strv_push(&others, names.v[i]);
			continue;
		}
		first = xasprintf("bin/%s starts with #!%s, an interpreter outside this venv "
				  "(%s): the venv was copied or moved from %s%s", names.v[i],
				  prog, bin, prog_dir,
				  access(prog, X_OK) < 0 ? ", which no longer exists" : "");
		first_script = xstrdup(script);
	}
	if (first) {
		struct strbuf more;

		strbuf_init(&more);
		for (i = 0; i < others.n && i < 3; i++)
			strbuf_addf(&more, "%s bin/%s", i ? "," : "; so do", others.v[i]);
		if (others.n > 3)
			strbuf_addf(&more, " and %zu more", others.n - 3);
		report_add(r, "venv.relocated", SEVERITY_ERROR, first_script, 1, hint, "%s%s",
			   first, more.buf);
		strbuf_finish(&more);
	}
	strv_finish(&others);
	strv_finish(&names);
}

/* The report location of an environment source ("FILE:LINE", "profile"). */
static struct profile_loc source_loc(const struct context *ctx, const struct env_var *v)
{
	struct profile_loc loc;

	loc.file = environ_source_file(ctx->env, ctx->profile, v->source, v->key, &loc.line);
	return loc;
}

static void check_pythonpath(const struct context *ctx, struct report *r)
{
	static const struct {
		const char *key;
		enum severity severity;
		const char *effect;
	} vars[] = {
		{"PYTHONPATH", SEVERITY_ERROR,
		 "modules are imported from outside the venv ahead of its site-packages"},
		{"PYTHONHOME", SEVERITY_ERROR,
		 "the standard library is taken from another installation"},
		{"PYTHONSTARTUP", SEVERITY_WARNING,
		 "a startup file runs in every interactive interpreter of the app's environment"},
		{"PYTHONINSPECT", SEVERITY_ERROR,
		 "the interpreter drops into an interactive prompt instead of exiting"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		const struct env_var *v = environ_get(ctx->env, vars[i].key);
		_cleanup_free_ char *hint = NULL;
		struct profile_loc loc;
		const char *where;

		if (!v || v->removed || !v->value)
			continue;
		loc = source_loc(ctx, v);
		if (str_eq(v->source, "process")) {
			where = "inherited from the environment deploy-run was started with";
			hint = xasprintf("unset %s where deploy-run is started (the service's "
					 "Environment=, the container's env, the shell)", vars[i].key);
		} else if (str_eq(v->source, "profile")) {
			where = "set in the profile's [vars]";
			hint = xasprintf("remove %s from [vars]; install the code into the venv "
					 "instead (pip install .)", vars[i].key);
		} else {
			where = "set by an .env file";
			hint = xasprintf("remove %s from %s; install the code into the venv "
					 "instead (pip install .)", vars[i].key,
					 loc.file ? loc.file : v->source);
		}
		report_add(r, "venv.pythonpath", vars[i].severity, loc.file, loc.line, hint,
			   "%s=%s reaches the server, %s (%s): %s", vars[i].key,
			   profile_mask(ctx->profile, vars[i].key, v->value, ctx->reveal), where,
			   v->source, vars[i].effect);
	}
}

/* The venv a python executable belongs to (its bin/'s parent holding a
 * pyvenv.cfg), or NULL. */
static char *venv_of(const char *python)
{
	_cleanup_free_ char *bin = path_dirname(python);
	char *root = path_dirname(bin);
	_cleanup_free_ char *cfg = path_join(root, "pyvenv.cfg");

	if (path_exists(cfg))
		return root;
	free(root);
	return NULL;
}

static void check_active(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	const char *active = environ_process_value(ctx->caller_env, "VIRTUAL_ENV");
	_cleanup_free_ char *python = NULL, *other = NULL;
	struct profile_loc loc = loc_of(ctx, "app", "venv");
	bool active_other = active && *active && !same_dir(active, p->venv);

	if (active_other)
		report_add(r, "venv.active-mismatch", SEVERITY_WARNING, loc.file, loc.line,
			   "run 'deactivate' (or activate this venv) before installing or testing: pip "
			   "and python in this shell act on the other venv",
			   "VIRTUAL_ENV=%s is active in the calling environment, but the profile's "
			   "virtualenv is %s", active, p->venv);
	python = which(environ_process_value(ctx->caller_env, "PATH"), "python");
	if (!python)
		return;
	other = venv_of(python);
	if (!other || same_dir(other, p->venv) || (active_other && same_dir(other, active)))
		return;
	report_add(r, "venv.active-mismatch", SEVERITY_WARNING, loc.file, loc.line,
		   "put this venv's bin/ first on PATH (source VENV/bin/activate) or remove the "
		   "other one from PATH",
		   "python on the calling PATH is %s, from another virtualenv (%s) than the "
		   "profile's %s", python, other, p->venv);
}

void venv_check(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	_cleanup_free_ char *bin = path_join(p->venv, "bin");
	_cleanup_free_ char *cfg_path = path_join(p->venv, "pyvenv.cfg");
	_cleanup_free_ char *python = path_join(bin, "python");
	_cleanup_free_ char *home = NULL;
	struct profile_loc loc = loc_of(ctx, "app", "venv");
	struct error err = ERROR_INIT;
	/* the commands to type: this venv, the profile's Python and lock */
	const char *ver = p->python && *p->python ? p->python : "3";
	_cleanup_free_ char *hint = p->requirements
		? xasprintf("create it: python%s -m venv %s, then %s/bin/pip install "
			    "--require-hashes -r %s", ver, p->venv, p->venv, p->requirements)
		: xasprintf("create it: python%s -m venv %s", ver, p->venv);
	const char *buf;

	check_pythonpath(ctx, r);
	check_active(ctx, r);
	if (!path_is_dir(p->venv)) {
		report_add(r, "venv.missing", SEVERITY_ERROR, loc.file, loc.line, hint,
			   "the virtualenv %s does not exist", p->venv);
		return;
	}
	buf = cache_pyvenv(ctx, &err);
	if (!buf) {
		report_add(r, "venv.missing", SEVERITY_ERROR, loc.file, loc.line, hint,
			   "%s is not a virtualenv: %s: %s%s%s", p->venv, cfg_path, err.message,
			   err.errnum ? ": " : "", err.errnum ? strerror(err.errnum) : "");
		return;
	}
	if (!path_exists(python)) {
		report_add(r, "venv.missing", SEVERITY_ERROR, loc.file, loc.line, hint,
			   "the virtualenv %s has no bin/python", p->venv);
		return;
	}
	/* Python's getpath ignores a pyvenv.cfg without "home =": sys.prefix is
	 * then the base installation, and the venv's site-packages are unused. */
	home = pyenv_cfg_get(buf, "home", NULL);
	if (!home) {
		report_add(r, "venv.missing", SEVERITY_ERROR, cfg_path, 0, hint,
			   "%s has no 'home = DIR' line: Python does not take %s for a virtualenv "
			   "and runs with the packages of its base installation instead", cfg_path,
			   p->venv);
		return;
	}
	check_cfg(ctx, r, cfg_path, buf, bin);
	check_relocated(ctx, r, bin);
	check_server_missing(ctx, r, bin);
}
