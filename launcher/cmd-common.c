#include "cmd.h"
#include "cpus.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

extern char **environ;

int cmd_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fputs("deploy-run: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (command)
		fprintf(stderr, " (see 'deploy-run help %s')\n", command);
	else
		fputs(" (see 'deploy-run --help')\n", stderr);
	return EXIT_USAGE;
}

void cmd_print_error(const struct error *err)
{
	error_print(err, stderr);
}

bool cmd_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return false;
	if (a[n] == '=' && name[1] == '-') {
		*value = a + n + 1;
		return true;
	}
	if (a[n] != '\0')
		return false;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

bool cmd_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cmd_help_of(const char *command, const struct globals *g)
{
	char *help[] = {"help", (char *)command, NULL};

	return cmd_help(2, help, g);
}

int cmd_load(struct loaded *l, const char *name, const struct globals *g, char *const *extra,
	     struct error *err)
{
	memset(l, 0, sizeof(*l));
	l->profile = profile_load(name, g->profiles_dir, err);
	if (!l->profile)
		return -1;
	if (environ_compose(&l->env, l->profile, environ, err) < 0) {
		profile_destroy(l->profile);
		l->profile = NULL;
		return -1;
	}
	l->cpus = cpus_usable();
	l->launch_ok = launch_build(&l->launch, l->profile, &l->env, extra, l->cpus,
				    &l->launch_error) == 0;
	return 0;
}

void cmd_unload(struct loaded *l)
{
	if (l->launch_ok)
		launch_finish(&l->launch);
	environ_finish(&l->env);
	profile_destroy(l->profile);
	memset(l, 0, sizeof(*l));
}
