/*
 * A profile loaded for a command (struct loaded in cmd.h): the profile, its
 * composed environment, its launch, the usable CPUs, and the check context
 * built from them.  Apart from cmd-common.c's option and message helpers,
 * so that what needs a loaded profile (resolved.c, its unit test) does not
 * link the help text.
 */
#include "check.h"
#include "cmd.h"
#include "cpus.h"
#include "progress.h"
#include "util.h"

#include <string.h>

extern char **environ;

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
