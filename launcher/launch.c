#include "launch.h"
#include "path.h"
#include "pyenv.h"
#include "servercfg.h"
#include "strbuf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static long seconds(int64_t ms)
{
	return (long)((ms + 999) / 1000);
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

/* Records the setting name that the argv passes as opt (see checks/servercfg.c). */
static void pass(struct launch *l, const struct profile *p, const char *name, const char *opt,
		 char *value)
{
	(void)opt;
	record(l, p, name, value);
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

/*
 * The settings by [server] key, for show and diff: what the argv that
 * checks/servercfg.c builds passes (or the server's default that the
 * profile's value equals when nothing is passed).
 */
static void record_gunicorn(struct launch *l, const struct profile *p)
{
	record(l, p, "bind", joined(&p->bind));
	record_workers(l, p);
	pass(l, p, "worker_class", "--worker-class", xstrdup(p->worker_class));
	record(l, p, "threads", xasprintf("%ld", p->threads > 1 ? p->threads : 1));
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
	record(l, p, "preload", bool_text(p->preload));
	record(l, p, "reload", bool_text(p->reload));
	if (p->access_log && *p->access_log)
		pass(l, p, "access_log", "--access-logfile", xstrdup(p->access_log));
	else
		record(l, p, "access_log", xstrdup("off"));
	pass(l, p, "log_level", "--log-level", xstrdup(log_level(p, true)));
	if (p->forwarded_allow_ips.n)
		pass(l, p, "forwarded_allow_ips", "--forwarded-allow-ips",
		     joined(&p->forwarded_allow_ips));
	if (p->pid_file)
		record_from(l, p, "cleanup", "pid_file", xstrdup(p->pid_file), NULL);
	if (p->server_config)
		pass(l, p, "config", "--config", xstrdup(p->server_config));
}

static void record_uvicorn(struct launch *l, const struct profile *p)
{
	record(l, p, "bind", xstrdup(p->bind.v[0]));
	if (p->reload)
		/* the reloader runs one process: uvicorn refuses --workers with it */
		record_from(l, p, "server", "workers", xstrdup("1"), "reload");
	else
		record_workers(l, p);
	record(l, p, "reload", bool_text(p->reload));
	pass(l, p, "keepalive", "--timeout-keep-alive", xasprintf("%ld", seconds(p->keepalive_ms)));
	if (pyenv_version_at_least(l->version, SERVERCFG_UVICORN_GRACEFUL) == 1)
		pass(l, p, "graceful_timeout", "--timeout-graceful-shutdown",
		     xasprintf("%ld", seconds(p->graceful_timeout_ms)));
	if (p->max_requests)
		pass(l, p, "max_requests", "--limit-max-requests", xasprintf("%ld", p->max_requests));
	else
		record(l, p, "max_requests", xstrdup("0"));
	record(l, p, "access_log", bool_text(p->access_log && *p->access_log));
	pass(l, p, "log_level", "--log-level", xstrdup(log_level(p, false)));
	record(l, p, "proxy_headers", bool_text(p->proxy_headers));
	if (p->forwarded_allow_ips.n)
		pass(l, p, "forwarded_allow_ips", "--forwarded-allow-ips",
		     joined(&p->forwarded_allow_ips));
	if (p->interface == INTERFACE_WSGI)
		pass(l, p, "interface", "--interface", xstrdup("wsgi"));
	else if (p->interface == INTERFACE_ASGI)
		pass(l, p, "interface", "--interface", xstrdup("asgi3"));
}

int launch_build(struct launch *l, const struct profile *p, const struct environ *env,
		 char *const *extra, long cpus, struct error *err)
{
	struct pyenv pe;
	struct pyenv_found found;
	struct servercfg sc;
	struct error perr = ERROR_INIT;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->cpus = cpus;
	l->workers = p->workers ? p->workers : profile_auto_workers(p, cpus);
	l->cwd = xstrdup(p->workdir);
	memset(&found, 0, sizeof(found));
	if (pyenv_open(&pe, p->venv, env, &perr) == 0) {
		pyenv_find(&pe, profile_server_name(p->server), profile_server_name(p->server),
			   &found);
		pyenv_finish(&pe);
	}
	servercfg_command(p, &found, &l->argv, &l->module);
	l->exe = xstrdup(l->argv.v[0]);
	l->version = found.version ? xstrdup(found.version) : NULL;
	pyenv_found_finish(&found);
	if (servercfg_build(&sc, p, env, l->version, l->workers, extra, l->cwd, false, err) < 0) {
		launch_finish(l);
		return -1;
	}
	for (i = 0; i < sc.args.n; i++)
		strv_push(&l->argv, sc.args.v[i]);
	servercfg_finish(&sc);
	if (p->server == SERVER_UVICORN)
		record_uvicorn(l, p);
	else
		record_gunicorn(l, p);
	if (p->args.n || (extra && *extra)) {
		struct strv all = STRV_INIT;

		for (i = 0; i < p->args.n; i++)
			strv_push(&all, p->args.v[i]);
		for (i = 0; extra && extra[i]; i++)
			strv_push(&all, extra[i]);
		record_from(l, p, "server", "args", joined_words(&all),
			    extra && *extra ? "with the arguments after --" : NULL);
		strv_finish(&all);
	}
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
	free(l->version);
	strv_finish(&l->argv);
	strv_finish(&l->envp);
	memset(l, 0, sizeof(*l));
}
