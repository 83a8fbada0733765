#include "check.h"
#include "cmd.h"
#include "cpus.h"
#include "progress.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int cmd_usage_error(const char *command, const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_mask_controls(msg);
	if (command)
		fprintf(stderr, "deploy-run: error: %s (see 'deploy-run help %s')\n", msg, command);
	else
		fprintf(stderr, "deploy-run: error: %s (see 'deploy-run --help')\n", msg);
	return EXIT_USAGE;
}

void cmd_print_error(const struct error *err)
{
	error_print(err, stderr);
}

void cmd_print_line(FILE *f, const char *fmt, ...)
{
	char *line;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	error_mask_controls(line);
	fprintf(f, "%s\n", line);
	free(line);
}

void cmd_write_masked(FILE *f, const char *text, size_t len)
{
	_cleanup_free_ char *copy = xstrndup(text, len);
	char *s = copy, *nl;

	for (; (nl = strchr(s, '\n')); s = nl + 1) {
		*nl = '\0';
		error_mask_controls(s);
		fprintf(f, "%s\n", s);
	}
	error_mask_controls(s);
	fputs(s, f);
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

void cmd_context(struct context *ctx, const struct loaded *l, const struct globals *g, bool reveal)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->profile = l->profile;
	ctx->env = &l->env;
	ctx->cwd = l->launch_ok ? l->launch.cwd : l->profile->workdir;
	ctx->workers = l->launch_ok ? l->launch.workers : 0;
	ctx->launch_error = l->launch_ok ? NULL : &l->launch_error;
	ctx->caller_env = environ;
	ctx->cpus = l->cpus;
	ctx->verify_records = l->profile->verify_records;
	ctx->import_app = l->profile->import_app;
	ctx->reveal = reveal;
	if (g && progress_wanted(g->verbosity))
		ctx->progress = progress_draw;
}

void cmd_unload(struct loaded *l)
{
	if (l->launch_ok)
		launch_finish(&l->launch);
	environ_finish(&l->env);
	profile_destroy(l->profile);
	memset(l, 0, sizeof(*l));
}
