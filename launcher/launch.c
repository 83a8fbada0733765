#include "launch.h"
#include "path.h"
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

static void build_gunicorn(struct launch *l, const struct profile *p)
{
	struct strv *a = &l->argv;
	size_t i;

	for (i = 0; i < p->bind.n; i++) {
		strv_push(a, "--bind");
		strv_push(a, p->bind.v[i]);
	}
	strv_push(a, "--workers");
	strv_pushf(a, "%ld", l->workers);
	strv_push(a, "--worker-class");
	strv_push(a, p->worker_class);
	if (p->threads > 1) {
		strv_push(a, "--threads");
		strv_pushf(a, "%ld", p->threads);
	}
	strv_push(a, "--timeout");
	strv_pushf(a, "%ld", seconds(p->timeout_ms));
	strv_push(a, "--graceful-timeout");
	strv_pushf(a, "%ld", seconds(p->graceful_timeout_ms));
	strv_push(a, "--keep-alive");
	strv_pushf(a, "%ld", seconds(p->keepalive_ms));
	if (p->max_requests) {
		strv_push(a, "--max-requests");
		strv_pushf(a, "%ld", p->max_requests);
		if (p->max_requests_jitter) {
			strv_push(a, "--max-requests-jitter");
			strv_pushf(a, "%ld", p->max_requests_jitter);
		}
	}
	if (p->preload)
		strv_push(a, "--preload");
	if (p->reload)
		strv_push(a, "--reload");
	if (p->access_log && *p->access_log) {
		strv_push(a, "--access-logfile");
		strv_push(a, p->access_log);
	}
	strv_push(a, "--log-level");
	strv_push(a, log_level(p, true));
	if (p->forwarded_allow_ips.n) {
		strv_push(a, "--forwarded-allow-ips");
		strv_push_owned(a, joined(&p->forwarded_allow_ips));
	}
	if (p->pid_file) {
		strv_push(a, "--pid");
		strv_push(a, p->pid_file);
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
	if (p->reload) {
		strv_push(a, "--reload");
	} else {
		strv_push(a, "--workers");
		strv_pushf(a, "%ld", l->workers);
	}
	strv_push(a, "--timeout-keep-alive");
	strv_pushf(a, "%ld", seconds(p->keepalive_ms));
	/* --timeout-graceful-shutdown appeared in uvicorn 0.24 */
	if (!version || launch_version_cmp(version, "0.24") >= 0) {
		strv_push(a, "--timeout-graceful-shutdown");
		strv_pushf(a, "%ld", seconds(p->graceful_timeout_ms));
	}
	if (p->max_requests) {
		strv_push(a, "--limit-max-requests");
		strv_pushf(a, "%ld", p->max_requests);
	}
	strv_push(a, p->access_log && *p->access_log ? "--access-log" : "--no-access-log");
	strv_push(a, "--log-level");
	strv_push(a, log_level(p, false));
	strv_push(a, p->proxy_headers ? "--proxy-headers" : "--no-proxy-headers");
	if (p->forwarded_allow_ips.n) {
		strv_push(a, "--forwarded-allow-ips");
		strv_push_owned(a, joined(&p->forwarded_allow_ips));
	}
	if (p->interface == INTERFACE_WSGI) {
		strv_push(a, "--interface");
		strv_push(a, "wsgi");
	} else if (p->interface == INTERFACE_ASGI) {
		strv_push(a, "--interface");
		strv_push(a, "asgi3");
	}
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
	for (; extra && *extra; extra++)
		strv_push(&l->argv, *extra);
	l->env = env;
	return 0;
}

char **launch_envp(struct launch *l)
{
	if (!l->envp.n && l->env)
		environ_envp(l->env, &l->envp);
	return strv_argv(&l->envp);
}

void launch_finish(struct launch *l)
{
	if (!l)
		return;
	free(l->exe);
	free(l->cwd);
	strv_finish(&l->argv);
	strv_finish(&l->envp);
	memset(l, 0, sizeof(*l));
}
