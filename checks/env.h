/*
 * The env check family: the .env files of [env] files (missing, lines
 * python-dotenv skips, duplicate keys, encoding, permissions), the composed
 * environment (required keys, the load-order report of values that lost,
 * debug switches in production) and the app's own calls to python-dotenv.
 * Every finding is documented in docs/findings.md.
 *
 * Three entries of checks_table, so that --only/--skip can leave out the
 * walk over the app's source tree, which is the only costly part.
 */
#ifndef DEPLOY_RUN_CHECK_ENV_H
#define DEPLOY_RUN_CHECK_ENV_H

#include <stddef.h>

#include "check.h"

/* env.file-missing env.parse env.duplicate-key env.encoding env.permissions */
extern const char *const env_file_ids[];
void env_check_files(const struct context *ctx, struct report *r);

/* env.missing-required env.shadowed env.debug-in-production */
extern const char *const env_var_ids[];
void env_check_vars(const struct context *ctx, struct report *r);

/* env.app-loads-dotenv: the .py files of [app] root that pysource_walk()
 * gives (not the venv, site-packages, dot-directories, vendored trees, the
 * app's tests) */
extern const char *const env_app_ids[];
void env_check_app(const struct context *ctx, struct report *r);

/* What a python-dotenv call does that deploy-run's composition cannot see. */
enum env_call_flag {
	ENV_CALL_NO_PATH = 1 << 0,  /* load_dotenv()/dotenv_values() with neither a path nor a
				     * stream: an implicit find_dotenv() from the caller's file */
	ENV_CALL_RELATIVE = 1 << 1, /* a relative path literal: opened against the cwd */
	ENV_CALL_OVERRIDE = 1 << 2, /* load_dotenv(override=True) */
	ENV_CALL_USECWD = 1 << 3,   /* find_dotenv(usecwd=True): searches from the cwd */
	ENV_CALL_SEARCH = 1 << 4,   /* find_dotenv() without usecwd: searches upward from the
				     * caller's file */
};

struct env_dotenv_call {
	const char *func;  /* "load_dotenv", "dotenv_values" or "find_dotenv" */
	int line, column;  /* 1-based, of the function name */
	unsigned flags;    /* enum env_call_flag, never 0 */
	char *path;        /* ENV_CALL_RELATIVE: the path the literals make (joined as
			    * Path()/os.path.join would; escapes not decoded); else NULL */
};

typedef void (*env_call_fn)(void *ctx, const struct env_dotenv_call *call);

/*
 * Scans the Python source buf (len bytes) for calls of load_dotenv,
 * dotenv_values and find_dotenv (bare or as attributes, "dotenv.load_dotenv"),
 * and calls fn for each call that has a flag; call->path is valid only
 * during fn.  Comments and string literals (all prefixes, triple quotes,
 * line continuations) are skipped; calls may span lines; a definition
 * ("def load_dotenv(") is not a call.  Arguments are judged by their
 * tokens: a string literal, Path("...") or os.path.join("...", ...) of
 * literals is a path; None counts as absent; an argument that is any other
 * expression is trusted; a call with *args or **kwargs gets no
 * ENV_CALL_NO_PATH.  Calls through another name (import ... as x) are not
 * seen.  The tokens and calls are checks/pysource's (pysource_calls).
 * Pure: no I/O, no globals.
 */
void env_scan_python(const char *buf, size_t len, env_call_fn fn, void *ctx);

#endif
