#include "launch.h"
#include "path.h"
#include "strbuf.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static long seconds(int64_t ms)
{
	return (long)((ms + 999) / 1000);
}

char *launch_installed_version(const char *venv, const char *dist)
{
	_cleanup_free_ char *lib = path_join(venv, "lib");
	DIR *d = opendir(lib), *sp;
	struct dirent *e, *f;
	char *found = NULL;
	size_t n = strlen(dist);

	if (!d)
		return NULL;
	while (!found && (e = readdir(d))) {
		_cleanup_free_ char *site = NULL;

		if (!str_starts_with(e->d_name, "python"))
			continue;
		site = xasprintf("%s/%s/site-packages", lib, e->d_name);
		sp = opendir(site);
		if (!sp)
			continue;
		while ((f = readdir(sp))) {
			if (strncasecmp(f->d_name, dist, n) == 0 && f->d_name[n] == '-' &&
			    str_ends_with(f->d_name, ".dist-info")) {
				found = xstrndup(f->d_name + n + 1,
						 strlen(f->d_name) - n - 1 - strlen(".dist-info"));
				break;
			}
		}
		closedir(sp);
	}
	closedir(d);
	return found;
}

int launch_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		while (*a && !isdigit((unsigned char)*a))
			a++;
		while (*b && !isdigit((unsigned char)*b))
			b++;
	}
	return 0;
}

static const char *log_level(const struct profile *p, bool gunicorn)
{
	const char *level = profile_choice("server", "log_level", p->log_level);

	/* gunicorn has no trace level */
	return gunicorn && strcmp(level, "trace") == 0 ? "debug" : level;
}

static char *joined(const struct strv *sv)
{
	size_t i;
	char *s = xstrdup(""), *t;

	for (i = 0; i < sv->n; i++) {
		t = xasprintf("%s%s%s", s, i ? "," : "", sv->v[i]);
		free(s);
		s = t;
	}
	return s;
}

/* Records the setting name (a [server] key) with value (taken), its source
 * the profile's location of section.key; note, when not NULL, is added. */
static void record_from(struct launch *l, const struct profile *p, const char *section,
			const char *name, char *value, const char *note)
{
	struct profile_loc loc = profile_loc(p, section, name);
	struct launch_setting *s;

	l->settings = xrealloc(l->settings, (l->nsettings + 1) * sizeof(*l->settings));
	s = &l->settings[l->nsettings++];
	s->name = name;
	s->value = value;
	if (loc.file)
		s->source = note ? xasprintf("%s:%d (%s)", loc.file, loc.line, note)
				 : xasprintf("%s:%d", loc.file, loc.line);
	else
		s->source = note ? xasprintf("default (%s)", note) : xstrdup("default");
}

static void record(struct launch *l, const struct profile *p, const char *name, char *value)
{
	record_from(l, p, "server", name, value, NULL);
}

/* Passes "opt value" and records the setting name. */
static void pass(struct launch *l, const struct profile *p, const char *name, const char *opt,
		 char *value)
{
	strv_push(&l->argv, opt);
	strv_push(&l->argv, value);
	record(l, p, name, value ? xstrdup(value) : NULL);
	free(value);
}

static char *bool_text(bool b)
{
	return xstrdup(b ? "true" : "false");
}

/* Records the workers setting, saying how auto was resolved. */
static void record_workers(struct launch *l, const struct profile *p)
{
	_cleanup_free_ char *note = p->workers ? NULL
		: xasprintf("auto: %ld usable CPU%s", l->cpus, l->cpus == 1 ? "" : "s");

	record_from(l, p, "server", "workers", xasprintf("%ld", l->workers), note);
}

/* The words joined with spaces, quoted for display as a shell would need. */
static char *joined_words(const struct strv *sv)
{
	struct strbuf b;
	size_t i;

	strbuf_init(&b);
	for (i = 0; i < sv->n; i++) {
		strbuf_adds(&b, i ? " " : "");
		strbuf_add_shell_word(&b, sv->v[i]);
	}
	return strbuf_detach(&b);
}

static void build_gunicorn(struct launch *l, const struct profile *p)
{
	struct strv *a = &l->argv;
	size_t i;

	for (i = 0; i < p->bind.n; i++) {
		strv_push(a, "--bind");
		strv_push(a, p->bind.v[i]);
	}
	record(l, p, "bind", joined(&p->bind));
	strv_push(a, "--workers");
	strv_pushf(a, "%ld", l->workers);
	record_workers(l, p);
	pass(l, p, "worker_class", "--worker-class", xstrdup(p->worker_class));
	if (p->threads > 1) {
		pass(l, p, "threads", "--threads", xasprintf("%ld", p->threads));
	} else {
		record(l, p, "threads", xstrdup("1"));
	}
	pass(l, p, "timeout", "--timeout", xasprintf("%ld", seconds(p->timeout_ms)));
	pass(l, p, "graceful_timeout", "--graceful-timeout",
	     xasprintf("%ld", seconds(p->graceful_timeout_ms)));
	pass(l, p, "keepalive", "--keep-alive", xasprintf("%ld", seconds(p->keepalive_ms)));
	if (p->max_requests) {
		pass(l, p, "max_requests", "--max-requests", xasprintf("%ld", p->max_requests));
		if (p->max_requests_jitter)
			pass(l, p, "max_requests_jitter", "--max-requests-jitter",
			     xasprintf("%ld", p->max_requests_jitter));
	} else {
		record(l, p, "max_requests", xstrdup("0"));
	}
	if (p->preload)
		strv_push(a, "--preload");
	record(l, p, "preload", bool_text(p->preload));
	if (p->reload)
		strv_push(a, "--reload");
	record(l, p, "reload", bool_text(p->reload));
	if (p->access_log && *p->access_log)
		pass(l, p, "access_log", "--access-logfile", xstrdup(p->access_log));
	else
		record(l, p, "access_log", xstrdup("off"));
	pass(l, p, "log_level", "--log-level", xstrdup(log_level(p, true)));
	if (p->forwarded_allow_ips.n)
		pass(l, p, "forwarded_allow_ips", "--forwarded-allow-ips",
		     joined(&p->forwarded_allow_ips));
	if (p->pid_file) {
		strv_push(a, "--pid");
		strv_push(a, p->pid_file);
		record_from(l, p, "cleanup", "pid_file", xstrdup(p->pid_file), NULL);
	}
	for (i = 0; i < p->args.n; i++)
		strv_push(a, p->args.v[i]);
	strv_push(a, p->module);
}

static int build_uvicorn(struct launch *l, const struct profile *p, struct error *err)
{
	struct strv *a = &l->argv;
	const char *b = p->bind.v[0];
	_cleanup_free_ char *version = launch_installed_version(p->venv, "uvicorn");
	size_t i;

	if (p->bind.n > 1) {
		struct profile_loc loc = profile_loc(p, "server", "bind");

		return error_at(err, loc.file, loc.line, 0,
				"uvicorn listens on one address, [server] bind has %zu: keep one, or "
				"use server = gunicorn with worker_class = uvicorn.workers.UvicornWorker",
				p->bind.n);
	}
	strv_push(a, p->module);
	if (str_starts_with(b, "unix:")) {
		strv_push(a, "--uds");
		strv_push(a, b + 5);
	} else if (str_starts_with(b, "fd://")) {
		strv_push(a, "--fd");
		strv_push(a, b + 5);
	} else {
		const char *colon = strrchr(b, ':');

		strv_push(a, "--host");
		if (b[0] == '[')
			strv_push_owned(a, xstrndup(b + 1, (size_t)(colon - b - 2)));
		else
			strv_push_owned(a, xstrndup(b, (size_t)(colon - b)));
		strv_push(a, "--port");
		strv_push(a, colon + 1);
	}
	record(l, p, "bind", xstrdup(b));
	if (p->reload) {
		strv_push(a, "--reload");
		/* the reloader runs one process: uvicorn refuses --workers with it */
		record_from(l, p, "server", "workers", xstrdup("1"), "reload");
	} else {
		strv_push(a, "--workers");
		strv_pushf(a, "%ld", l->workers);
		record_workers(l, p);
	}
	record(l, p, "reload", bool_text(p->reload));
	pass(l, p, "keepalive", "--timeout-keep-alive", xasprintf("%ld", seconds(p->keepalive_ms)));
	/* --timeout-graceful-shutdown appeared in uvicorn 0.24 */
	if (!version || launch_version_cmp(version, "0.24") >= 0)
		pass(l, p, "graceful_timeout", "--timeout-graceful-shutdown",
		     xasprintf("%ld", seconds(p->graceful_timeout_ms)));
	if (p->max_requests)
		pass(l, p, "max_requests", "--limit-max-requests", xasprintf("%ld", p->max_requests));
	else
		record(l, p, "max_requests", xstrdup("0"));
	strv_push(a, p->access_log && *p->access_log ? "--access-log" : "--no-access-log");
	record(l, p, "access_log", bool_text(p->access_log && *p->access_log));
	pass(l, p, "log_level", "--log-level", xstrdup(log_level(p, false)));
	strv_push(a, p->proxy_headers ? "--proxy-headers" : "--no-proxy-headers");
	record(l, p, "proxy_headers", bool_text(p->proxy_headers));
	if (p->forwarded_allow_ips.n)
		pass(l, p, "forwarded_allow_ips", "--forwarded-allow-ips",
		     joined(&p->forwarded_allow_ips));
	if (p->interface == INTERFACE_WSGI)
		pass(l, p, "interface", "--interface", xstrdup("wsgi"));
	else if (p->interface == INTERFACE_ASGI)
		pass(l, p, "interface", "--interface", xstrdup("asgi3"));
	for (i = 0; i < p->args.n; i++)
		strv_push(a, p->args.v[i]);
	return 0;
}

int launch_build(struct launch *l, const struct profile *p, const struct environ *env,
		 char *const *extra, long cpus, struct error *err)
{
	_cleanup_free_ char *bin = path_join(p->venv, "bin");

	memset(l, 0, sizeof(*l));
	l->cpus = cpus;
	l->workers = p->workers ? p->workers : profile_auto_workers(p, cpus);
	l->exe = path_join(bin, profile_server_name(p->server));
	l->cwd = xstrdup(p->workdir);
	strv_push(&l->argv, l->exe);
	if (p->server == SERVER_UVICORN) {
		if (build_uvicorn(l, p, err) < 0) {
			launch_finish(l);
			return -1;
		}
	} else {
		build_gunicorn(l, p);
	}
	if (p->args.n || (extra && *extra)) {
		struct strv all = STRV_INIT;
		size_t i;

		for (i = 0; i < p->args.n; i++)
			strv_push(&all, p->args.v[i]);
		for (i = 0; extra && extra[i]; i++)
			strv_push(&all, extra[i]);
		record_from(l, p, "server", "args", joined_words(&all),
			    extra && *extra ? "with the arguments after --" : NULL);
		strv_finish(&all);
	}
	for (; extra && *extra; extra++)
		strv_push(&l->argv, *extra);
	l->env = env;
	return 0;
}

const struct launch_setting *launch_setting(const struct launch *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nsettings; i++)
		if (strcmp(l->settings[i].name, name) == 0)
			return &l->settings[i];
	return NULL;
}

char **launch_envp(struct launch *l)
{
	if (!l->envp.n && l->env)
		environ_envp(l->env, &l->envp);
	return strv_argv(&l->envp);
}

void launch_finish(struct launch *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nsettings; i++) {
		free(l->settings[i].value);
		free(l->settings[i].source);
	}
	free(l->settings);
	free(l->exe);
	free(l->cwd);
	strv_finish(&l->argv);
	strv_finish(&l->envp);
	memset(l, 0, sizeof(*l));
}
