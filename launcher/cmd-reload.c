/*
 * deploy-run reload PROFILE [--timeout D] [--upgrade]: asks the running
 * supervisor of PROFILE, over its control socket (control.h), to load new
 * code without refusing a request, and waits for the outcome (upgrade.h
 * says how: HUP, or USR2 with a health gate).
 *
 * Before a HUP (gunicorn without preload, no --upgrade) the new code is
 * imported here first, the way `check --import` does: a HUP whose new
 * workers cannot import the app makes gunicorn halt, and there is no old
 * generation left to fall back on.  A USR2 needs no such check: a new
 * master that does not start is stopped and the old one keeps serving.
 *
 * Exit status: 0 reloaded (new code serving, probe passed); 1 failed (the
 * old code still serves; after a HUP whose new workers never became
 * healthy, the message says the new code runs); 2 usage error, a profile
 * that does not load, or a server that cannot reload without downtime;
 * 3 not running.
 */
#include "check.h"
#include "cmd.h"
#include "control.h"
#include "log.h"
#include "report.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_RELOAD_FAILED 1
#define EXIT_NOT_RUNNING 3

static void on_progress(const char *text, void *data)
{
	const struct globals *g = data;

	if (g->verbosity >= 0)
		cmd_print_line(stderr, "deploy-run: reload: %s", text);
}

/* Imports the new code as the server would (check's server.import); 0 when it does. */
static int import_check(const struct loaded *l, const struct globals *g)
{
	static char *only[] = {"server.import", NULL};
	struct context ctx;
	struct report r;
	struct strbuf out;
	bool ok;

	cmd_context(&ctx, l, g, false);
	ctx.import_app = true;
	report_init(&r, l->profile->name);
	checks_run(&ctx, &r, only, NULL);
	ok = report_ok(&r);
	if (!ok) {
		strbuf_init(&out);
		report_render_text(&r, 1, log_use_color(2), &out);
		fputs(out.buf, stderr);
		strbuf_finish(&out);
	}
	report_finish(&r);
	return ok ? 0 : -1;
}

/* Whether the supervisor will HUP: gunicorn without preload and without --upgrade. */
static bool hup_path(const struct loaded *l, bool upgrade)
{
	if (upgrade || l->profile->server != SERVER_GUNICORN || l->profile->preload)
		return false;
	for (size_t i = 0; l->launch_ok && i < l->launch.argv.n; i++)
		if (str_eq(l->launch.argv.v[i], "--preload"))
			return false;
	return true;
}

/*
 * Sends line to the supervisor of l's profile: 0 with *answer, or the
 * status to exit with after saying why (3 not running, 2 bad set-up).
 */
static int ask(const struct loaded *l, const char *line, const struct globals *g, char **answer)
{
	struct error err = ERROR_INIT;
	struct strv paths = STRV_INIT;
	const char *used = NULL;
	bool off = false;
	int rc;

	*answer = NULL;
	if (control_client_paths(l->profile, geteuid(), &paths, &off, &err) < 0) {
		cmd_print_error(&err);
		strv_finish(&paths);
		return EXIT_USAGE;
	}
	if (off) {
		log_error("%s has no control socket ([run] control_socket = off): it cannot be "
			  "asked to reload", l->profile->name);
		strv_finish(&paths);
		return EXIT_NOT_RUNNING;
	}
	/* the supervisor bounds every step (the gate's timeout, the graceful stops) */
	rc = control_request(paths.v, line, 0, on_progress, (void *)g, answer, &used, &err);
	strv_finish(&paths);
	if (rc == CONTROL_NOT_RUNNING) {
		log_error("%s is not running (%s)", l->profile->name, err.message);
		return EXIT_NOT_RUNNING;
	}
	if (rc < 0) {
		cmd_print_error(&err);
		return EXIT_RELOAD_FAILED;
	}
	return 0;
}

/* The answer's outcome: its message printed (stdout) or its error (stderr); the exit status. */
static int outcome(const char *answer)
{
	char *error = control_json_get(answer, "error");
	int rc = 0;

	if (error) {
		char *code = control_json_get(answer, "exit");

		rc = code ? atoi(code) : EXIT_RELOAD_FAILED;
		if (rc < 1 || rc > 3)
			rc = EXIT_RELOAD_FAILED;
		log_error("%s", error);
		free(code);
	} else {
		char *message = control_json_get(answer, "message");

		cmd_print_line(stdout, "%s", message ? message : "reloaded");
		free(message);
	}
	free(error);
	return rc;
}

int cmd_reload(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	struct loaded l;
	const char *name = NULL, *timeout = NULL;
	bool upgrade = false;
	int64_t timeout_ms = 0;
	char *answer = NULL, *line;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (cmd_is_help(a)) {
			return cmd_help_of("reload", g);
		} else if (cmd_opt(argc, argv, &i, "--timeout", &v)) {
			if (!v)
				return cmd_usage_error("reload", "option '%s' needs a value", a);
			timeout = v;
		} else if (strcmp(a, "--upgrade") == 0) {
			upgrade = true;
		} else if ((rc = cmd_profile_operand("reload", a, &name)) != 0) {
			return rc;
		}
	}
	if (!name)
		return cmd_usage_error("reload", "reload needs a PROFILE");
	if (timeout && (value_parse_duration(timeout, &timeout_ms, &err) < 0 || timeout_ms <= 0))
		return cmd_usage_error("reload", "--timeout '%s': %s", timeout,
				       err.message[0] ? err.message : "must be more than 0");
	if (cmd_load(&l, name, g, NULL, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	if (hup_path(&l, upgrade)) {
		/* running at all?  The import costs a second or so: not for nothing */
		rc = ask(&l, "status", g, &answer);
		free(answer);
		answer = NULL;
		if (rc)
			goto out;
		if (import_check(&l, g) < 0) {
			log_error("reload refused: the new code does not import (see above), and a "
				  "HUP would make gunicorn halt with no old workers left; nothing was "
				  "changed");
			rc = EXIT_RELOAD_FAILED;
			goto out;
		}
	}
	line = xasprintf("reload timeout_ms=%lld upgrade=%d", (long long)timeout_ms, upgrade);
	rc = ask(&l, line, g, &answer);
	free(line);
	if (!rc)
		rc = outcome(answer);
	free(answer);
out:
	cmd_unload(&l);
	return rc;
}

const struct command_help cmd_reload_help = {
	"reload PROFILE [--timeout D] [--upgrade]",
	"Loads new code into the running server of PROFILE without refusing a request,\n"
	"and waits until the new code serves and passes the [health] probe.\n"
	"gunicorn without preload gets HUP (new workers, the old ones retired\n"
	"gracefully); gunicorn with preload, or with --upgrade, gets USR2: a new\n"
	"master starts the new code next to the old one, and only once its workers\n"
	"answer the probe is the old master stopped (SIGTERM, gracefully); the new\n"
	"master then becomes the server deploy-run supervises.  A new master that\n"
	"fails or is not healthy in time is stopped, and the old one keeps serving.\n"
	"uvicorn reloads with HUP from 0.30 on, with several workers.  A SIGHUP sent\n"
	"to deploy-run itself is still forwarded to the server, unchecked.\n\n"
	"Options:\n"
	"  --timeout D     how long the new code may take to pass the probe\n"
	"                  (default: [health] start_timeout), such as 20s\n"
	"  --upgrade       a new master (USR2) even without preload\n\n"
	"Exit status: 0 reloaded, new code serving and healthy; 1 failed, the old\n"
	"code still serving (the message says otherwise after a HUP); 2 usage error,\n"
	"bad profile, or a server that cannot reload without downtime; 3 not running.\n"
};
