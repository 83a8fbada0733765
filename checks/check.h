/*
 * The preflight checks: a table of functions, one or more per family, that
 * add findings to a report and never print.  checks_run() runs the table
 * under --only/--skip and the per-family levels of [checks] (defaults from
 * the stage: development lenient, staging and production strict).
 */
#ifndef DEPLOY_RUN_CHECK_H
#define DEPLOY_RUN_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "environ.h"
#include "profile.h"
#include "report.h"

struct check_cache; /* cache.h */

struct context {
	const struct profile *profile;
	const struct environ *env;      /* the composed environment */
	const char *cwd;                /* the server's working directory */
	long workers;                   /* the worker count the server is given (auto
					 * resolved); 0 when its command cannot be built */
	const struct error *launch_error; /* why the server's command line cannot be
					   * built (server.command); NULL when it can */
	char *const *caller_env;        /* deploy-run's own environment */
	long cpus;                      /* usable CPUs */
	bool verify_records;            /* --verify-records or [checks] verify_records */
	bool import_app;                /* --import or [checks] import_app */
	bool ask_server;                /* check --server-config (checks/serverask.h) */
	bool reveal;                    /* --reveal: secrets may appear in messages */
	/*
	 * Progress of a long check (RECORD hashing), for the command to show:
	 * called from the checking thread about ten times a second with what
	 * is being done and the units done of total, and once with what NULL
	 * when it is over.  NULL: nobody is shown anything.  Checks never print.
	 */
	void (*progress)(void *data, const char *what, uint64_t done, uint64_t total);
	void *progress_data;
	/* What several checks read from the venv, read once (cache.h).  NULL:
	 * checks_run() makes one for the run and destroys it after. */
	struct check_cache *cache;
};

/*
 * A context is built in one place, from what the command loaded:
 * cmd_context() in launcher/cmd-common.c (check, run's preflight, diff).
 */

typedef void (*check_fn)(const struct context *ctx, struct report *r);

struct check_def {
	const char *family;      /* "venv" */
	const char *const *ids;  /* the ids it can report, NULL-terminated */
	check_fn fn;
	/* Runs whatever the family's level ([checks] FAMILY = off included) and
	 * is never capped to a warning: what run refuses in every stage. */
	bool always;
};

extern const struct check_def checks_table[];
extern const unsigned checks_count;

/* The level in effect for a family: [checks] FAMILY, else the stage's default. */
enum report_level checks_level(const struct profile *p, const char *family);

/*
 * True when the --only/--skip pattern (an id, a family or a glob, as
 * report_match() reads it) selects at least one id deploy-run can report.
 */
bool checks_known(const char *pattern);
/* The id (or, for a word without a dot, the family) closest to a mistyped
 * pattern, newly allocated; NULL when none is close. */
char *checks_suggest(const char *pattern);

/*
 * Runs every check selected by only/skip (NULL-terminated pattern lists or
 * NULL), records which ids ran, applies the family levels (not to the
 * .always checks), filters and sorts.  check and run's preflight both call
 * it: they report the same findings for the same profile.
 */
void checks_run(const struct context *ctx, struct report *r, char *const *only, char *const *skip);

#endif
