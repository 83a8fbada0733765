/* What run and smoke do to start a server: the preflight and the supervised start. */
#include "start.h"
#include "check.h"
#include "cleanup.h"
#include "log.h"
#include "notify.h"
#include "privdrop.h"
#include "report.h"
#include "signame.h"
#include "strbuf.h"
#include "supervisor.h"
#include "util.h"
#include "value.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int start_preflight(struct loaded *l, bool reveal, char *const *only, const struct globals *g)
{
	struct context ctx;
	struct report r;
	struct strbuf out;
	bool ok;

	cmd_context(&ctx, l, g, reveal);
	ctx.import_app = false; /* importing the app is check's job, not start-up's */
	report_init(&r, l->profile->name);
	r.strict = l->profile->strict;
	checks_run(&ctx, &r, only, NULL);
	ok = report_ok(&r);
	if (r.n_findings && (g->verbosity >= 0 || !ok)) {
		strbuf_init(&out);
		report_render_text(&r, 1, log_use_color(2), &out);
		fputs(out.buf, stderr);
		strbuf_finish(&out);
	}
	if (!ok)
		log_error("refusing to start %s: the preflight checks failed "
			  "(see above; 'deploy-run check %s' repeats them)", l->profile->name,
			  l->profile->name);
	report_finish(&r);
	return ok ? 0 : -1;
}

/* The signals whose death counts as success: [run] success_signals, or
 * TERM and INT for uvicorn when the key is not set. */
static uint64_t success_signals(const struct profile *p)
{
	uint64_t mask = 0;
	size_t i;

	if (!profile_loc(p, "run", "success_signals").file && p->server == SERVER_UVICORN)
		return (1ull << SIGTERM) | (1ull << SIGINT);
	for (i = 0; i < p->success_signals.n; i++)
		mask |= 1ull << signame_to_number(p->success_signals.v[i]);
	return mask;
}

int start_supervised(struct loaded *l, const struct globals *g,
		  void (*on_started)(struct supervisor *sv, pid_t server, void *data),
		  void (*on_stopping)(struct supervisor *sv, int sig, void *data), void *data)
{
	const struct profile *p = l->profile;
	struct supervisor_config cfg = {0};
	_cleanup_strv_ struct strv sockets = STRV_INIT;
	struct error err = ERROR_INIT;
	char **server_env = launch_envp(&l->launch); /* fills l->launch.envp */
	/* the strings are server_env's: only the array is ours */
	_cleanup_free_ char **envp = xcalloc(l->launch.envp.n + 1, sizeof(*envp));
	size_t i, nenv = 0;
	int rc;

	for (i = 0; i < p->bind.n; i++)
		if (str_starts_with(p->bind.v[i], "unix:"))
			strv_push(&sockets, p->bind.v[i] + 5);
	cfg.argv = l->launch.argv.v;
	/* deploy-run speaks to systemd for the service: the server must not */
	for (i = 0; server_env[i]; i++)
		if (!notify_is_own_variable(server_env[i]))
			envp[nenv++] = server_env[i];
	envp[nenv] = NULL;
	cfg.envp = envp;
	cfg.cwd = l->launch.cwd;
	cfg.user = p->user && *p->user ? p->user : NULL;
	cfg.kill_timeout_ms = profile_kill_timeout_ms(p);
	cfg.success_signals = success_signals(p);
	cfg.shm = p->shm == SHM_REMOVE ? CLEANUP_SHM_REMOVE
		: p->shm == SHM_REPORT ? CLEANUP_SHM_REPORT : CLEANUP_SHM_OFF;
	cfg.prometheus_dir = p->prometheus_dir;
	cfg.pid_file = p->pid_file;
	cfg.unix_sockets = sockets.n ? sockets.v : NULL;
	cfg.quiet = g->verbosity < 0;
	cfg.on_started = on_started;
	cfg.on_stopping = on_stopping;
	cfg.data = data;
	if (cfg.user) {
		/* resolved again by the supervisor; here for the profile's file and line */
		struct privdrop pd;
		struct profile_loc at = profile_loc(p, "app", "user");

		if (privdrop_init(&pd, cfg.user, &err) == 0)
			privdrop_finish(&pd);
		else
			error_locate(&err, at.file, at.line);
	}
	rc = error_is_set(&err) ? EXIT_REFUSED : supervisor_run(&cfg, &err);
	if (error_is_set(&err))
		cmd_print_error(&err);
	return rc;
}
