/*
 * `deploy-run status`: what the supervisor answers on its control socket
 * (control.h) to "status", and how the client shows it.
 *
 * The answer is the contract of `status --format json` (DESIGN.md):
 *   {"profile": NAME, "running": true, "supervisor_pid": N,
 *    "server": "gunicorn"|"uvicorn", "server_pid": N, "uptime_s": N,
 *    "ready": BOOL, "recycled": N,
 *    "workers": [{"pid": N, "memory_bytes": N, "age_s": N}, ...]}
 * uptime_s is the time since the server started, age_s each worker's own
 * (whole seconds, rounded down); memory_bytes is the worker's own memory,
 * USS (procmem.h), the quantity [server] max_worker_memory compares.  The
 * workers are the children of the server's master (gunicorn's workers,
 * uvicorn's worker processes); a uvicorn without workers serves from its
 * master, which is then listed as the one worker.
 */
#ifndef DEPLOY_RUN_STATUS_H
#define DEPLOY_RUN_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"

struct control;
struct strbuf;
struct supervisor;

/* What the supervisor knows; the pointers are read at each request. */
struct status_source {
	const char *profile;            /* the name as given */
	const char *server;             /* "gunicorn" or "uvicorn" */
	uint64_t started_ns;            /* now_ns() when the server started; 0: not yet */
	const bool *ready;              /* NULL: false */
	const unsigned long *recycled;  /* NULL: 0 */
	struct supervisor *sv;          /* NULL until the server started */
};

/* Answers "status" on ctl from src (which must outlive ctl). */
void status_register(struct control *ctl, struct status_source *src);

/* The answer's JSON object (one line) for the server's master pid. */
void status_json(const struct status_source *src, pid_t self, pid_t server,
		 struct strbuf *out);

/* A status answer, parsed back by the client. */
struct status_worker {
	long pid;
	long long memory_bytes;
	long long age_s;
};
struct status {
	char *profile, *server;
	long supervisor_pid, server_pid;
	long long uptime_s;
	bool running, ready;
	unsigned long recycled;
	struct status_worker *workers;
	size_t n_workers;
};

/* Parses an answer; -1 with err when a field of the contract is missing. */
int status_parse(const char *json, struct status *st, struct error *err);
void status_finish(struct status *st);

/* The aligned text form, for a person. */
void status_print_text(const struct status *st, FILE *f);

#endif
