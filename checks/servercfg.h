/*
 * What the server will run with: deploy-run's argv for it, every setting
 * that reaches it from outside that argv, and the effective value and
 * source of each setting.  One owner for all three, so that what `check`
 * reports, what `show` prints and what `run` starts cannot drift.
 *
 * The outside inputs, read from the servers' sources (docs/server-inputs.md
 * has the table per server and version):
 *   gunicorn 20-26: GUNICORN_CMD_ARGS (shlex-split, parsed like its command
 *     line, applied before it: the command line wins), PORT (bind),
 *     WEB_CONCURRENCY (workers), FORWARDED_ALLOW_IPS, SENDFILE,
 *     SCRIPT_NAME (the WSGI script name), GUNICORN_PID and GUNICORN_FD
 *     (what a re-executed master inherits), ./gunicorn.conf.py in the
 *     working directory when no --config is given;
 *   uvicorn 0.17-0.35: UVICORN_<OPTION> for every option (click's
 *     auto_envvar_prefix; the command line wins), UVICORN_APP,
 *     WEB_CONCURRENCY, FORWARDED_ALLOW_IPS.
 * Inherited LISTEN_FDS sockets are checked by the server family's binds.
 *
 * Pinning: a setting is pinned when deploy-run's argv (its own flags, then
 * [server] args and the arguments after "--") sets it: the command line
 * beats the environment and the config file in both servers.  When an
 * outside source touches a setting the profile has a value for but
 * deploy-run does not pass by default (gunicorn's max_requests, threads,
 * ...), the argv passes it explicitly.  gunicorn's config file is chosen by
 * the profile: `--config PATH` with [server] config; without it, when
 * ./gunicorn.conf.py exists in the working directory or GUNICORN_CMD_ARGS
 * names a config, `--config python:__future__` (a standard module that
 * defines no gunicorn setting), so that no config file is read behind
 * deploy-run's back.
 *
 * Using it (show, diff, the launcher, the checks):
 *
 *     struct servercfg sc;
 *     servercfg_build(&sc, profile, env, version, workers, extra, cwd);
 *     for (i = 0; i < sc.nsettings; i++)   // effective value and source
 *             printf("%s = %s [%s]\n", sc.settings[i].name,
 *                    sc.settings[i].value, sc.settings[i].source);
 *     for (i = 0; i < sc.noutside; i++)    // every outside input found
 *             ... sc.outside[i].source, .setting, .pinned ...
 *     servercfg_finish(&sc);
 *
 * servercfg_build() does I/O only to look for gunicorn.conf.py in cwd.
 */
#ifndef DEPLOY_RUN_SERVERCFG_H
#define DEPLOY_RUN_SERVERCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "environ.h"
#include "profile.h"
#include "pyenv.h"
#include "strv.h"

/* The oldest versions deploy-run supports, and flags that need newer ones. */
#define SERVERCFG_GUNICORN_MIN "20.0"
#define SERVERCFG_UVICORN_MIN "0.17"
#define SERVERCFG_UVICORN_GRACEFUL "0.22.0" /* --timeout-graceful-shutdown */

/* The value gunicorn's --config gets when the profile names no config file. */
#define SERVERCFG_GUNICORN_NO_CONFIG "python:__future__"

struct servercfg_setting {
	char *name;       /* the server's own name: gunicorn's setting, uvicorn's option */
	char *value;      /* effective value as text ("" for none); masked when secret */
	char *source;     /* "profiles/prod.ini:12", "default", "[server] args",
			   * "command line", or an outside source */
	char *overridden; /* the outside source deploy-run's value beats, or NULL */
	bool pinned;      /* deploy-run's argv sets it */
};

struct servercfg_outside {
	char *variable;   /* "GUNICORN_CMD_ARGS", "UVICORN_RELOAD"; NULL for a file */
	char *origin;     /* "process environment", ".env.production:3", "[vars]",
			   * or the config file's path */
	char *file;       /* for a finding: the .env file, profile or config file; NULL */
	int line;
	char *setting;    /* the server setting it changes ("reload"), or NULL */
	char *value;      /* the value that results; masked when the variable is secret */
	bool pinned;      /* deploy-run's argv overrides it: no effect */
	bool fatal;       /* the server refuses to start (or crashes) with it */
	char *why;        /* for fatal, and notes: what the server does with it */
};

struct servercfg {
	int server;                    /* enum server_kind */
	struct strv args;              /* the server's arguments, after its command */
	struct servercfg_setting *settings;
	size_t nsettings, settings_cap;
	struct servercfg_outside *outside;
	size_t noutside, outside_cap;
	bool version_known;            /* false: only flags every supported version takes */
};

/*
 * Builds the server's arguments for p (workers already resolved), the
 * effective settings and the outside inputs found in env (the composed
 * environment) and cwd.  version is the installed server's version
 * (pyenv_find), NULL when unknown; extra the arguments after "--" (NULL).
 * Fails (-1, err with the profile's file:line) for settings the server
 * cannot express, such as several binds for uvicorn.
 */
int servercfg_build(struct servercfg *sc, const struct profile *p, const struct environ *env,
		    const char *version, long workers, char *const *extra, const char *cwd,
		    bool reveal, struct error *err);
void servercfg_finish(struct servercfg *sc);

/* The effective setting called name, or NULL. */
const struct servercfg_setting *servercfg_get(const struct servercfg *sc, const char *name);

/*
 * How the server is started from the venv: its console script
 * VENV/bin/NAME, or, when that is missing but the module is importable,
 * VENV/bin/python -m NAME.  prefix gets the argv words before the server's
 * arguments; *module tells which.  found is filled from pe (pyenv_find).
 */
void servercfg_command(const struct profile *p, const struct pyenv_found *found,
		       struct strv *prefix, bool *module);

/*
 * Python's shlex.split() in POSIX mode, as gunicorn splits
 * GUNICORN_CMD_ARGS: words appended to out, or -1 with err ("No closing
 * quotation", "No escaped character").  Pure.
 */
int servercfg_shlex(const char *s, struct strv *out, struct error *err);

/*
 * Parses gunicorn command-line words the way its argparse parser does
 * (long options, their unique abbreviations, "--opt=value", short options
 * with joined values, "--" and positionals): calls fn(setting, value,
 * data) for each option in order (value NULL for a flag).  version selects
 * the option set (NULL: the newest).  Returns 0, or -1 with err for what
 * argparse rejects (unrecognised or ambiguous option, missing value).
 * Pure.
 */
int servercfg_gunicorn_parse(char *const *words, size_t n, const char *version,
			     void (*fn)(const char *setting, const char *value, void *data),
			     void *data, struct error *err);

/* gunicorn's setting for a command-line flag ("--workers", "-w"), or NULL. */
const char *servercfg_gunicorn_setting(const char *flag);

#endif
