#include "check.h"
#include "env.h"
#include "paths.h"
#include "perms.h"
#include "records.h"
#include "requirements.h"
#include "server.h"
#include "venv.h"
#include "wheels.h"
#include "util.h"

#include <string.h>

/* The families register here, in the order they run and are reported. */
const struct check_def checks_table[] = {
	{"profile", perms_ids, perms_check_profile},
	{"venv", venv_ids, venv_check},
	{"env", env_file_ids, env_check_files},
	{"env", env_var_ids, env_check_vars},
	{"env", env_app_ids, env_check_app},
	{"req", requirements_ids, requirements_check},
	{"req", records_ids, records_check},
	{"req", wheels_ids, wheels_check},
	{"path", paths_value_ids, paths_check_values},
	{"path", paths_source_ids, paths_check_source},
	{"server", server_ids, server_check},
	{NULL, NULL, NULL},
};

const unsigned checks_count = ARRAY_SIZE(checks_table) - 1;

enum report_level checks_level(const struct profile *p, const char *family)
{
	static const struct {
		const char *family;
		size_t offset;
	} fields[] = {
		{"venv", offsetof(struct profile, level_venv)},
		{"env", offsetof(struct profile, level_env)},
		{"req", offsetof(struct profile, level_req)},
		{"path", offsetof(struct profile, level_path)},
		{"server", offsetof(struct profile, level_server)},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		int level;

		if (strcmp(fields[i].family, family) != 0)
			continue;
		level = *(const int *)((const char *)p + fields[i].offset);
		switch (level) {
		case LEVEL_ERROR: return REPORT_LEVEL_ERROR;
		case LEVEL_WARN: return REPORT_LEVEL_WARN;
		case LEVEL_OFF: return REPORT_LEVEL_OFF;
		default: break;
		}
	}
	return p->stage == STAGE_DEVELOPMENT ? REPORT_LEVEL_WARN : REPORT_LEVEL_ERROR;
}

static bool family_selected(const struct check_def *c, char *const *only, char *const *skip)
{
	size_t i;

	for (i = 0; c->ids[i]; i++)
		if (report_selected(c->ids[i], only, skip))
			return true;
	return false;
}

void checks_run(const struct context *ctx, struct report *r, char *const *only, char *const *skip)
{
	unsigned i;
	size_t j;

	for (i = 0; i < checks_count; i++) {
		const struct check_def *c = &checks_table[i];

		if (checks_level(ctx->profile, c->family) == REPORT_LEVEL_OFF ||
		    !family_selected(c, only, skip)) {
			for (j = 0; c->ids[j]; j++)
				report_skip(r, c->ids[j],
					    checks_level(ctx->profile, c->family) == REPORT_LEVEL_OFF
					    ? "[checks] family = off" : "excluded by --only/--skip");
			continue;
		}
		c->fn(ctx, r);
		for (j = 0; c->ids[j]; j++)
			report_ran(r, c->ids[j]);
	}
	for (i = 0; i < checks_count; i++) {
		const char *fam = checks_table[i].family;

		report_cap(r, fam, checks_level(ctx->profile, fam));
	}
	report_filter(r, only, skip);
	report_sort(r);
}
