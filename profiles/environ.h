/*
 * The environment the server gets, composed with the source of every value.
 *
 * Order (DESIGN.md, [env]): the profile's [vars] first; then the .env
 * files of [env] files in order, a later file overriding an earlier one,
 * each value interpolated (${VAR}, ${VAR:-default}) against everything
 * composed so far; then the inherited process environment, which beats the
 * files (process = wins, python-dotenv's override=False) or loses to them
 * (process = loses); the process environment always beats [vars].  Last,
 * deploy-run's own: VIRTUAL_ENV, the venv's bin/ first in PATH, PYTHONHOME
 * removed, PROMETHEUS_MULTIPROC_DIR when [cleanup] prometheus_dir is set.
 *
 * Each file is composed as python-dotenv's load_dotenv() loads it: the LAST
 * binding of a key in the file decides, and when that binding has no "="
 * (a bare KEY, python-dotenv's None) the file sets nothing for the key,
 * even if an earlier line of the same file gave it a value: the key keeps
 * what it had before the file (an earlier file, [vars], the process
 * environment), or is declared without a value ("value": null in show,
 * never exported) when nothing gave it one.  Interpolation in a file asks
 * python-dotenv's order: with process = loses (override=True) this file's
 * bindings so far (a bare KEY expands to ""), then the earlier files, then
 * the process environment; with process = wins (override=False) the
 * process environment first, then this file's bindings so far, then the
 * earlier files (but an earlier file's value comes before this file's
 * bindings of a key whose last binding in this file is bare, since that
 * value is the one that stays).  Last come [vars].  A bare KEY of an earlier file is not
 * a variable for later files (load_dotenv never set it).
 *
 * A binding os.environ refuses (dotenv_refused(): "=" in the name, a NUL
 * byte) is never composed: the env checks report it as env.parse.
 *
 * Deliberate difference: with process = wins, a key in two files takes the
 * LATER file's value ([env] files: "a later file overrides an earlier
 * one", as systemd's EnvironmentFile= and Compose's env_file do), where
 * successive load_dotenv(override=False) calls keep the first file's; the
 * interpolation order above follows from it (this file's bindings before
 * the earlier files').
 *
 * Composition never fails on a missing or malformed .env file: it records
 * what it found (env_file) so that the env checks can report it, and
 * preflight refuses to start.
 */
#ifndef DEPLOY_RUN_ENVIRON_H
#define DEPLOY_RUN_ENVIRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "dotenv.h"
#include "error.h"
#include "profile.h"

/* Every string of a struct environ lives until environ_finish(). */
struct env_var {
	const char *key;
	const char *value;   /* NULL: declared in a file without "=" (not exported) */
	const char *source;  /* "process", "FILE:LINE" (path as written), "profile", "deploy-run" */
	bool removed;  /* deploy-run removes it (PYTHONHOME): shown, never exported */
	/* private, for composing one file: the file that bound it last (index
	 * + 1, 0: none), and what it was before that file bound it */
	unsigned file, tail_file;
	bool prev_set, tail_valued; /* tail_file's last binding has a value */
	const char *prev_value, *prev_source;
};

struct env_file {
	char *as_written;  /* as in the profile */
	char *path;        /* absolute */
	bool found;        /* false: missing (or unreadable: see error) */
	struct error error;/* why it could not be read */
	struct dotenv parsed;
};

/* A value that lost to another one: the load-order report (env.shadowed). */
struct env_shadow {
	const char *key;
	const char *winner_source;
	const char *loser_source;
};

struct environ {
	struct env_var *vars;   /* in order of first definition */
	size_t n, cap;
	struct env_file *files;
	size_t nfiles;
	struct env_shadow *shadows;
	size_t nshadows, shadow_cap;
	/* private: open-addressing index of vars by key */
	uint32_t *index;
	size_t index_cap;
	struct arena arena; /* private: the strings that are not the files' own */
};

/*
 * Composes the environment for p from process_env (a NULL-terminated
 * "KEY=VALUE" array, usually environ).  Reads the .env files.  Returns 0,
 * or -1 with err set only for what no check can report (out of memory is
 * fatal anyway), so callers may treat -1 as exit 125/2.
 */
int environ_compose(struct environ *out, const struct profile *p, char *const *process_env,
		    struct error *err);
void environ_finish(struct environ *env);

/* The variable, or NULL. */
const struct env_var *environ_get(const struct environ *env, const char *key);
/* The value (NULL when unset or declared without a value). */
const char *environ_value(const struct environ *env, const char *key);

/* A "KEY=VALUE" array for execve (caller frees with strv_finish). */
void environ_envp(const struct environ *env, struct strv *out);

/*
 * Where a variable's source ("profile", "FILE:LINE"; see struct env_var)
 * is written down: the profile file of its [vars] line or the .env file's
 * absolute path, with the line in *line; NULL for "process", "deploy-run"
 * and what cannot be found.  The string lives as long as env and p.
 */
const char *environ_source_file(const struct environ *env, const struct profile *p,
				const char *source, const char *key, int *line);

/* The process environment's value of key, or NULL. */
const char *environ_process_value(char *const *process_env, const char *key);

#endif
