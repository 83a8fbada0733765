/*
 * The subcommands.  main.c parses the global options and dispatches to one
 * cmd_* per subcommand (launcher/cmd-*.c); each parses its own options and
 * returns the exit code.  Only commands print.
 */
#ifndef DEPLOY_RUN_CMD_H
#define DEPLOY_RUN_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "environ.h"
#include "error.h"
#include "launch.h"
#include "profile.h"

/* Exit codes of `run` (DESIGN.md): */
#define EXIT_NOT_READY 124      /* [health] start_timeout passed, on_timeout = stop */
#define EXIT_REFUSED 125        /* bad input or failed preflight */
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127
/* of `check` and the other commands: */
#define EXIT_FINDINGS 1
#define EXIT_USAGE 2

struct command;

struct globals {
	const char *profiles_dir; /* --profiles, or "profiles" */
	int color;                /* -1 auto, 0 off */
	int verbosity;            /* -1 quiet, 0 normal, 1+ verbose */
	const struct command *commands; /* main.c's table, for help */
};

/* What `deploy-run help NAME` prints: "Usage: deploy-run SYNOPSIS", a blank
 * line, then text.  Each subcommand's is beside it in its cmd-*.c. */
struct command_help {
	const char *synopsis;
	const char *text;
};

/* A row of the table of subcommands in main.c, ended by a NULL name. */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv, const struct globals *g);
	const struct command_help *help;
};

/* The command called name in commands, or NULL. */
const struct command *cmd_find(const struct command *commands, const char *name);
/* The global usage text, listing commands. */
void cmd_usage(FILE *f, const struct command *commands);

int cmd_run(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_run_help;
int cmd_check(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_check_help;
int cmd_show(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_show_help;
int cmd_diff(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_diff_help;
int cmd_profiles(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_profiles_help;
int cmd_help(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_help_help;
int cmd_bundle(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_bundle_help;
int cmd_verify_bundle(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_verify_bundle_help;
int cmd_unbundle(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_unbundle_help;
int cmd_init(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_init_help;
int cmd_probe(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_probe_help;
int cmd_smoke(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_smoke_help;
int cmd_status(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_status_help;
int cmd_reload(int argc, char **argv, const struct globals *g);
extern const struct command_help cmd_reload_help;

/* Prints "deploy-run: error: MESSAGE" and the pointer to help, the quoted
 * arguments masked as in error_print(); returns EXIT_USAGE. */
int cmd_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the error as the design says (deploy-run: FILE:LINE: error: MESSAGE). */
void cmd_print_error(const struct error *err);

/*
 * Prints one line to f that is not an error (a list entry, a note, a
 * summary): what fmt makes, then a newline, with every control character
 * masked as error_print() masks them (error_mask_controls()), so that
 * names and values quoted from input cannot drive a terminal.
 */
void cmd_print_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Writes len bytes of text to f, each line masked as cmd_print_line()
 * masks it (the newlines that end lines are kept).
 */
void cmd_write_masked(FILE *f, const char *text, size_t len);

/*
 * Whether argv[*i] is the option name: alone, or for a long option as
 * "--name=VALUE".  When it is, *value is VALUE, else the next argument
 * (and *i moves to it), or NULL when name is the last argument: the caller
 * says what is missing.  A short option ("-o") takes no "=VALUE".
 */
bool cmd_opt(int argc, char **argv, int *i, const char *name, const char **value);

/* "-h" or "--help". */
bool cmd_is_help(const char *arg);

/*
 * A word of command's line that no option took: "-x" is an unknown option,
 * the first other word is the PROFILE (*name), a second one is refused.
 * Returns 0 when the word was taken, else EXIT_USAGE having said why.
 */
int cmd_profile_operand(const char *command, const char *arg, const char **name);

/* Prints command's help, as 'deploy-run help COMMAND' does; returns 0. */
int cmd_help_of(const char *command, const struct globals *g);

/*
 * A loaded profile, its composed environment and its launch, as run, show
 * and check need them.  On error returns -1 with err set (nothing is kept).
 */
struct loaded {
	struct profile *profile;
	struct environ env;
	struct launch launch;
	bool launch_ok;
	struct error launch_error;  /* why launch could not be built */
	long cpus;
};
int cmd_load(struct loaded *out, const char *name, const struct globals *g, char *const *extra,
	     struct error *err);
void cmd_unload(struct loaded *l);

/*
 * The context the checks run in (checks/check.h), from what cmd_load()
 * loaded: the profile, its environment, the server's cwd and worker count,
 * [checks] verify_records and import_app, the progress display when
 * g's verbosity wants one (g may be NULL: none).  The command then adds its own options (check's
 * --verify-records and --import; run's preflight never imports the app).
 * Points into l, which must outlive it.
 */
struct context;
void cmd_context(struct context *ctx, const struct loaded *l, const struct globals *g, bool reveal);

#endif
