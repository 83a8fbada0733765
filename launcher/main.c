/*
 * deploy-run: start a Python web app the same way in every environment,
 * and refuse to start it wrong.  This file holds the global options and the
 * table of subcommands; each subcommand lives in launcher/cmd-*.c.
 */
#include "cmd.h"
#include "log.h"
#include "profile.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The subcommands, in the order of --help.  A new one: launcher/cmd-NAME.c
 * with cmd_NAME() and cmd_NAME_help, declared in cmd.h, and a row here.
 */
static const struct command commands[] = {
	{"run", cmd_run, &cmd_run_help},
	{"check", cmd_check, &cmd_check_help},
	{"show", cmd_show, &cmd_show_help},
	{"diff", cmd_diff, &cmd_diff_help},
	{"probe", cmd_probe, &cmd_probe_help},
	{"smoke", cmd_smoke, &cmd_smoke_help},
	{"status", cmd_status, &cmd_status_help},
	{"reload", cmd_reload, &cmd_reload_help},
	{"profiles", cmd_profiles, &cmd_profiles_help},
	{"init", cmd_init, &cmd_init_help},
	{"bundle", cmd_bundle, &cmd_bundle_help},
	{"verify-bundle", cmd_verify_bundle, &cmd_verify_bundle_help},
	{"unbundle", cmd_unbundle, &cmd_unbundle_help},
	{"help", cmd_help, &cmd_help_help},
	{NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
	struct globals g = {"profiles", -1, 0, commands};
	const struct command *c;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || strcmp(a, "-") == 0)
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cmd_usage(stdout, commands);
			return 0;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("deploy-run %s\n", DEPLOY_RUN_VERSION);
			return 0;
		}
		if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			g.verbosity = -1;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			g.verbosity++;
		} else if (strcmp(a, "--no-color") == 0) {
			g.color = 0;
		} else if (strcmp(a, "-C") == 0 || strcmp(a, "--profiles") == 0 ||
			   str_starts_with(a, "--profiles=")) {
			const char *v = strchr(a, '=') ? strchr(a, '=') + 1 : argv[++i];

			if (!v)
				return cmd_usage_error(NULL, "option '%s' needs a directory", a);
			if (a[1] == 'C') {
				if (chdir(v) < 0)
					return cmd_usage_error(NULL, "-C %s: %s", v, strerror(errno));
			} else {
				g.profiles_dir = v;
			}
		} else {
			return cmd_usage_error(NULL, "unknown option '%s'", a);
		}
	}
	log_set_color(g.color);
	log_set_level(g.verbosity < 0 ? LOG_ERROR : g.verbosity > 0 ? LOG_DEBUG : LOG_INFO);
	if (i >= argc) {
		cmd_usage(stderr, commands);
		return EXIT_USAGE;
	}
	c = cmd_find(commands, argv[i]);
	if (c)
		return c->fn(argc - i, argv + i, &g);
	if (argv[i][0] == '-')
		return cmd_usage_error(NULL, "unknown option '%s'", argv[i]);
	/* a bare PROFILE means run PROFILE: give cmd_run "run PROFILE ..." */
	{
		struct error err = ERROR_INIT;
		char *path = profile_find(argv[i], g.profiles_dir, &err);
		size_t k;

		if (!path) {
			/* both readings, the profile's first: "prod" is one edit from
			 * "probe", and a service started in the wrong directory must
			 * still learn that its profile was not found */
			for (k = 0; commands[k].name; k++)
				if (str_distance(argv[i], commands[k].name, 2) <= 2)
					return cmd_usage_error(NULL, "'%s' is neither a subcommand (did you "
							       "mean '%s'?) nor a profile: %s", argv[i],
							       commands[k].name, err.message);
			return cmd_usage_error(NULL, "'%s' is neither a subcommand nor a profile: %s",
					       argv[i], err.message);
		}
		free(path);
	}
	{
		char **args = xcalloc((size_t)(argc - i + 2), sizeof(char *));
		int n = 0, rc;

		args[n++] = "run";
		for (; i < argc; i++)
			args[n++] = argv[i];
		rc = cmd_run(n, args, &g);
		free(args);
		return rc;
	}
}
