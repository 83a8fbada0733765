#include "check.h"
#include "cmd.h"
#include "log.h"
#include "report.h"
#include "privdrop.h"
#include "signame.h"
#include "supervisor.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/*
 * The preflight of run: the same checks as `check`, reported on stderr.
 * Returns 0 when the server may start.
 */
static int preflight(struct loaded *l, bool reveal, const struct globals *g)
{
	struct context ctx = {0};
	struct report r;
	struct strbuf out;
	bool ok;

	ctx.profile = l->profile;
	ctx.env = &l->env;
	ctx.launch = &l->launch;
	ctx.caller_env = environ;
	ctx.cpus = l->cpus;
	ctx.verify_records = l->profile->verify_records;
	ctx.import_app = false; /* importing the app is check's job, not start-up's */
	ctx.reveal = reveal;
	report_init(&r, l->profile->name);
	r.strict = l->profile->strict;
	checks_run(&ctx, &r, NULL, NULL);
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

/* The server starts with the default signal mask and dispositions, whatever
 * deploy-run inherited (a blocked or ignored TERM would make it unkillable). */
static void reset_signals(void)
{
	sigset_t all;
	int sig;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
}

static int exec_server(struct loaded *l)
{
	const struct launch *ln = &l->launch;

	const char *user = l->profile->user;
	struct privdrop pd;
	struct error err = ERROR_INIT;

	if (user && *user) {
		if (privdrop_init(&pd, user, &err) < 0) {
			cmd_print_error(&err);
			return EXIT_REFUSED;
		}
		if (privdrop_apply(&pd) < 0) {
			log_error("cannot switch to user %s: %s", user, strerror(errno));
			privdrop_finish(&pd);
			return EXIT_REFUSED;
		}
		privdrop_finish(&pd);
	}
	if (chdir(ln->cwd) < 0) {
		log_error("cannot change to the working directory %s: %s", ln->cwd, strerror(errno));
		return EXIT_REFUSED;
	}
	reset_signals();
	execve(ln->exe, ln->argv.v, strv_argv(&l->launch.envp));
	log_error("cannot execute %s: %s", ln->exe, strerror(errno));
	return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
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

/* Runs the server under the supervisor (launcher/supervisor.h). */
static int supervise(struct loaded *l, const struct globals *g)
{
	const struct profile *p = l->profile;
	struct supervisor_config cfg = {0};
	struct strv sockets = STRV_INIT;
	struct error err = ERROR_INIT;
	size_t i;
	int rc;

	for (i = 0; i < p->bind.n; i++)
		if (str_starts_with(p->bind.v[i], "unix:"))
			strv_push(&sockets, p->bind.v[i] + 5);
	cfg.argv = l->launch.argv.v;
	cfg.envp = strv_argv(&l->launch.envp);
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
	rc = supervisor_run(&cfg, &err);
	if (error_is_set(&err))
		cmd_print_error(&err);
	strv_finish(&sockets);
	return rc;
}

int cmd_run(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	struct loaded l;
	const char *name = NULL;
	bool exec_mode = false, no_check = false, reveal = false;
	char **extra = NULL;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			extra = argv + i + 1;
			break;
		} else if (strcmp(argv[i], "--exec") == 0) {
			exec_mode = true;
		} else if (strcmp(argv[i], "--no-check") == 0) {
			no_check = true;
		} else if (strcmp(argv[i], "--reveal") == 0) {
			reveal = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			char *help[] = {"help", "run", NULL};

			return cmd_help(2, help, g);
		} else if (argv[i][0] == '-') {
			cmd_usage_error("run", "unknown option '%s' for run", argv[i]);
			return EXIT_REFUSED;
		} else if (!name) {
			name = argv[i];
		} else {
			cmd_usage_error("run", "unexpected argument '%s' (server arguments go after --)",
					argv[i]);
			return EXIT_REFUSED;
		}
	}
	if (!name) {
		cmd_usage_error("run", "run needs a PROFILE");
		return EXIT_REFUSED;
	}
	if (cmd_load(&l, name, g, extra, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_REFUSED;
	}
	if (!l.launch_ok) {
		cmd_print_error(&l.launch_error);
		cmd_unload(&l);
		return EXIT_REFUSED;
	}
	if (!no_check && preflight(&l, reveal, g) < 0) {
		cmd_unload(&l);
		return EXIT_REFUSED;
	}
	if (access(l.launch.exe, F_OK) < 0) {
		log_error("server not found: %s (is %s installed in the virtualenv %s?)",
			  l.launch.exe, profile_server_name(l.profile->server), l.profile->venv);
		cmd_unload(&l);
		return EXIT_NOT_FOUND;
	}
	if (access(l.launch.exe, X_OK) < 0) {
		log_error("server is not executable: %s", l.launch.exe);
		cmd_unload(&l);
		return EXIT_NOT_EXECUTABLE;
	}
	rc = exec_mode ? exec_server(&l) : supervise(&l, g);
	cmd_unload(&l);
	return rc;
}
