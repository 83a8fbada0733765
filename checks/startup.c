#include "startup.h"
#include "health-target.h"

const char *const startup_command_ids[] = {"server.command", NULL};
const char *const startup_health_ids[] = {"profile.bad-value", NULL};

void startup_check_command(const struct context *ctx, struct report *r)
{
	const struct error *e = ctx->launch_error;

	if (!e)
		return;
	report_add(r, "server.command", SEVERITY_ERROR, e->file[0] ? e->file : NULL, e->line, NULL,
		   "%s", e->message);
}

void startup_check_health(const struct context *ctx, struct report *r)
{
	struct error err = ERROR_INIT;
	struct health_target t;

	if (health_target_init(&t, ctx->profile, &err) < 0)
		report_add(r, "profile.bad-value", SEVERITY_ERROR, err.file[0] ? err.file : NULL,
			   err.line, "fix the [health] value; deploy-run.ini(5) describes it", "%s",
			   err.message);
	health_target_finish(&t);
}
