#include "cache.h"
#include "check.h"
#include "env.h"
#include "paths.h"
#include "perms.h"
#include "records.h"
#include "requirements.h"
#include "server.h"
#include "serverask.h"
#include "startup.h"
#include "venv.h"
#include "wheels.h"
#include "util.h"

#include <string.h>

/* The families register here, in the order they run and are reported. */
const struct check_def checks_table[] = {
	{"profile", perms_ids, perms_check_profile, false},
	{"venv", venv_ids, venv_check, false},
	{"env", env_file_ids, env_check_files, false},
	{"env", env_var_ids, env_check_vars, false},
	{"env", env_app_ids, env_check_app, false},
	{"req", requirements_ids, requirements_check, false},
	{"req", records_ids, records_check, false},
	{"req", wheels_ids, wheels_check, false},
	{"path", paths_value_ids, paths_check_values, false},
	{"path", paths_source_ids, paths_check_source, false},
	{"server", server_ids, server_check, false},
	{"server", serverask_ids, serverask_check, false},
	{"server", startup_command_ids, startup_check_command, true},
	{"profile", startup_health_ids, startup_check_health, true},
	{NULL, NULL, NULL, false},
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
	return p->stage == STAGE_DEVELOPMENT ? REPORT_LEVEL_STAGE : REPORT_LEVEL_ERROR;
}

/* Ids reported outside checks_table: profile loading. */
static const char *const other_ids[] = {
	"profile.unknown-key", "profile.bad-value", "profile.missing-key",
	"profile.extends-cycle", "profile.extends-missing", "profile.extends-depth",
	"profile.invalid", NULL,
};

/* Calls fn on every id deploy-run can report until it returns true. */
static bool any_id(bool (*fn)(const char *id, const void *data), const void *data)
{
	unsigned i;
	size_t j;

	for (i = 0; i < checks_count; i++)
		for (j = 0; checks_table[i].ids[j]; j++)
			if (fn(checks_table[i].ids[j], data))
				return true;
	for (j = 0; other_ids[j]; j++)
		if (fn(other_ids[j], data))
			return true;
	return false;
}

static bool id_matches(const char *id, const void *pattern)
{
	return report_match(pattern, id);
}

bool checks_known(const char *pattern)
{
	return any_id(id_matches, pattern);
}

struct closest {
	const char *word, *best;
	size_t best_d;
};

static void consider(struct closest *c, const char *cand, size_t len)
{
	size_t max = strlen(c->word) < 5 ? 1 : 2;
	_cleanup_free_ char *s = xstrndup(cand, len);
	size_t d = str_distance(c->word, s, max);

	if (d <= max && d < c->best_d) {
		c->best = cand;
		c->best_d = d;
	}
}

/* Compares the word with an id, and with the id's family when the word has no dot. */
static bool closer(const char *id, const void *data)
{
	struct closest *c = (struct closest *)data;

	if (strchr(c->word, '.'))
		consider(c, id, strlen(id));
	else
		consider(c, id, strcspn(id, "."));
	return false;
}

char *checks_suggest(const char *pattern)
{
	struct closest c = {pattern, NULL, 3};

	any_id(closer, &c);
	if (!c.best)
		return NULL;
	return strchr(pattern, '.') ? xstrdup(c.best) : xstrndup(c.best, strcspn(c.best, "."));
}

static bool family_selected(const struct check_def *c, char *const *only, char *const *skip)
{
	size_t i;

	for (i = 0; c->ids[i]; i++)
		if (report_selected(c->ids[i], only, skip))
			return true;
	return false;
}

void checks_run(const struct context *caller, struct report *r, char *const *only,
		char *const *skip)
{
	struct context run = *caller;
	const struct context *ctx = &run;
	unsigned i;
	size_t j;

	if (!run.cache)
		run.cache = cache_create();
	for (i = 0; i < checks_count; i++) {
		const struct check_def *c = &checks_table[i];

		if (c->always)
			continue;
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
	/* after the caps: what run refuses in every stage stays an error */
	for (i = 0; i < checks_count; i++) {
		const struct check_def *c = &checks_table[i];

		if (!c->always)
			continue;
		if (!family_selected(c, only, skip)) {
			for (j = 0; c->ids[j]; j++)
				report_skip(r, c->ids[j], "excluded by --only/--skip");
			continue;
		}
		c->fn(ctx, r);
		for (j = 0; c->ids[j]; j++)
			report_ran(r, c->ids[j]);
	}
	if (run.cache != caller->cache)
		cache_destroy(run.cache);
	report_filter(r, only, skip);
	report_sort(r);
}
