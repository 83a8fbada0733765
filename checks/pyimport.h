/*
 * Importing the app the way its server would, to learn what the object is.
 *
 * pyimport_run() starts the venv's python (fork + execve, no shell) with a
 * small script, the app's MODULE:ATTRIBUTE as its argument, the composed
 * environment and the server's working directory; kills its process group
 * when the timeout expires.  The script prints one result line, prefixed
 * so that whatever the app prints at import time is ignored:
 *
 *     deploy-run-import: ok wsgi|asgi|unknown DESCRIPTION
 *     deploy-run-import: error FILE LINE EXCEPTION-LINE
 *
 * (FILE "-" and LINE 0 when the exception has no frame in the app).
 * pyimport_parse() reads that output: it is pure, so it is unit-tested on
 * buffers.
 */
#ifndef DEPLOY_RUN_PYIMPORT_H
#define DEPLOY_RUN_PYIMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "profile.h"

enum pyimport_status {
	PYIMPORT_OK,       /* imported; kind and what are set */
	PYIMPORT_FAILED,   /* the import raised; error (and file, line) are set */
	PYIMPORT_TIMEOUT,  /* killed after the timeout */
	PYIMPORT_CRASHED,  /* exited without a result line; error holds its last stderr line */
};

struct pyimport_result {
	enum pyimport_status status;
	int kind;          /* enum app_interface: INTERFACE_WSGI, INTERFACE_ASGI, or
			    * INTERFACE_AUTO when it is neither */
	char *what;        /* "flask.app.Flask instance, __call__(environ, start_response)" */
	char *error;       /* "ModuleNotFoundError: No module named 'flask'" */
	char *file;        /* where it was raised in the app, or NULL */
	int line;
};

/*
 * Imports target ("pkg.module:attr", "module:factory()") with python (an
 * absolute path), environment envp, in cwd, for at most timeout_ms.
 * Returns 0 with out filled (any status), or -1 with err set when python
 * could not be started at all.  Free out with pyimport_result_finish().
 */
int pyimport_run(const char *python, const char *target, char *const *envp, const char *cwd,
		 int64_t timeout_ms, struct pyimport_result *out, struct error *err);

/*
 * Parses the child's stdout and stderr (NUL-terminated) into out.  Finds
 * the last result line in out_buf; when there is none, status is
 * PYIMPORT_CRASHED and error is the last non-empty line of err_buf (or
 * "no output").
 */
void pyimport_parse(const char *out_buf, const char *err_buf, struct pyimport_result *out);

void pyimport_result_finish(struct pyimport_result *r);

/* What a python run printed, and how it ended. */
struct pyimport_output {
	char *out, *err;   /* NUL-terminated; at most the last 1 MiB of each */
	int status;        /* waitpid() status */
	bool timed_out;    /* killed (with its process group) after the timeout */
};

/*
 * The runner under pyimport_run(): python (absolute) runs "-B -c code"
 * followed by args (NULL-terminated, may be NULL) with environment envp, in
 * cwd, stdin /dev/null, in its own process group, killed at timeout_ms.
 * Returns 0 with out filled, or -1 with err when it cannot be started.
 */
int pyimport_capture(const char *python, const char *code, char *const *args,
		     char *const *envp, const char *cwd, int64_t timeout_ms,
		     struct pyimport_output *out, struct error *err);
void pyimport_output_finish(struct pyimport_output *o);

#endif
