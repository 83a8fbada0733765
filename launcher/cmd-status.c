/* deploy-run status PROFILE [--format text|json]: asks the running supervisor. */
#include "cmd.h"
#include "control.h"
#include "status.h"
#include "strv.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_NOT_RUNNING 3
#define EXIT_UNKNOWN 4
#define STATUS_TIMEOUT_MS 5000

static void not_running(const char *name, const char *format, const char *why)
{
	if (str_eq(format, "json")) {
		struct strbuf o;

		strbuf_init(&o);
		strbuf_adds(&o, "{\"profile\": ");
		strbuf_add_json(&o, name);
		strbuf_adds(&o, ", \"running\": false}\n");
		fputs(o.buf, stdout);
		strbuf_finish(&o);
	} else {
		cmd_print_line(stdout, "%s: not running (%s)", name, why);
	}
}

int cmd_status(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	struct strv paths = STRV_INIT;
	struct profile *p;
	struct status st;
	const char *name = NULL, *format = "text", *used = NULL;
	char *answer = NULL, *msg;
	bool off = false;
	int i, r, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (cmd_opt(argc, argv, &i, "--format", &format)) {
			if (!format)
				return cmd_usage_error("status", "--format takes text or json");
		} else if (cmd_is_help(a)) {
			return cmd_help_of("status", g);
		} else if ((rc = cmd_profile_operand("status", a, &name)) != 0) {
			return rc;
		}
	}
	if (!str_eq(format, "text") && !str_eq(format, "json"))
		return cmd_usage_error("status", "--format takes text or json, not '%s'", format);
	if (!name)
		return cmd_usage_error("status", "status needs a PROFILE");
	p = profile_load(name, g->profiles_dir, &err);
	if (!p) {
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	if (control_client_paths(p, geteuid(), &paths, &off, &err) < 0) {
		cmd_print_error(&err);
		profile_destroy(p);
		return EXIT_USAGE;
	}
	if (off) {
		not_running(p->name, format, "[run] control_socket = off: the supervisor does "
			    "not answer");
		profile_destroy(p);
		return EXIT_NOT_RUNNING;
	}
	r = control_request(paths.v, "status", STATUS_TIMEOUT_MS, NULL, NULL, &answer, &used,
			    &err);
	if (r == CONTROL_NOT_RUNNING) {
		not_running(p->name, format, err.message);
		rc = EXIT_NOT_RUNNING;
	} else if (r < 0) {
		cmd_print_error(&err);
		rc = EXIT_UNKNOWN;
	} else if ((msg = control_json_get(answer, "error"))) {
		char *code = control_json_get(answer, "exit");

		error_set(&err, 0, "the supervisor refused: %s", msg);
		cmd_print_error(&err);
		rc = code && atoi(code) > 0 ? atoi(code) : EXIT_UNKNOWN;
		free(code);
		free(msg);
	} else if (status_parse(answer, &st, &err) < 0) {
		error_prefix(&err, "%s", used);
		cmd_print_error(&err);
		rc = EXIT_UNKNOWN;
	} else {
		if (str_eq(format, "json"))
			printf("%s\n", answer);
		else
			status_print_text(&st, stdout);
		status_finish(&st);
		rc = 0;
	}
	free(answer);
	strv_finish(&paths);
	profile_destroy(p);
	return rc;
}

const struct command_help cmd_status_help = {
	"status PROFILE [--format text|json]",
	"Asks the supervisor of PROFILE, through its control socket, how the run\n"
	"goes: its pid, the server's master pid, the uptime, readiness, how many\n"
	"workers the memory ceiling recycled, and each worker's pid, own memory\n"
	"(USS) and age. The socket is [run] control_socket, else derived from the\n"
	"profile's path under /run/deploy-run (root) or $XDG_RUNTIME_DIR/deploy-run.\n\n"
	"Options:\n"
	"  --format F      text (aligned, for a person) or json\n\n"
	"Exit status (as systemctl status): 0 running; 3 not running (no socket, or\n"
	"nobody answers on it); 2 usage or profile error; 4 the status is unknown\n"
	"(the supervisor refused the request, or its answer could not be read).\n"
};
