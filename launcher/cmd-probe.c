/*
 * deploy-run probe PROFILE: one health probe, for a Kubernetes exec probe
 * or a Docker HEALTHCHECK.  It stays cheap: the profile is loaded, nothing
 * else (no environment composition, no checks); libcurl is loaded for the
 * one request.  Prints one line; exits 0 healthy, 1 unhealthy, 2 error.
 */
#include "cmd.h"
#include "health.h"

#include <stdio.h>
#include <string.h>

int cmd_probe(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	_cleanup_(profile_destroyp) struct profile *p = NULL;
	_cleanup_(health_target_finish) struct health_target t = {0};
	struct health_result r;
	const char *name = NULL;
	char line[320];
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (cmd_is_help(argv[i])) {
			return cmd_help_of("probe", g);
		} else if ((rc = cmd_profile_operand("probe", argv[i], &name)) != 0) {
			return rc;
		}
	}
	if (!name)
		return cmd_usage_error("probe", "probe needs a PROFILE");
	p = profile_load(name, g->profiles_dir, &err);
	if (!p) {
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	rc = health_target_init(&t, p, &err);
	if (rc == 0)
		error_at(&err, p->path, 0, 0, "profile %s has no [health] path or url to probe",
			 p->name);
	if (rc <= 0 || health_probe(&t, &r, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	health_result_format(&r, line, sizeof(line));
	if (g->verbosity >= 0)
		cmd_print_line(stdout, "%s: %s (%s)", r.ok ? "healthy" : "unhealthy", line,
			       t.display);
	return r.ok ? 0 : 1;
}

const struct command_help cmd_probe_help = {
	"probe PROFILE",
	"Probes the server of PROFILE once: an HTTP GET of [health] path on the first\n"
	"bind address (0.0.0.0 and :: on loopback, unix: binds over the socket), or of\n"
	"[health] url, within [health] connect_timeout and timeout, expecting [health]\n"
	"expect (default: any 2xx). Prints one line: the verdict, the status and the\n"
	"time. Cheap enough for a Kubernetes exec probe or a Docker HEALTHCHECK: it\n"
	"loads the profile and nothing else.\n\n"
	"Exit status: 0 healthy, 1 unhealthy (no answer or an unexpected status),\n"
	"2 usage error, bad profile or no [health] path or url.\n"
};
