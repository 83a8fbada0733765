/*
 * A blocking health probe (libcurl: https URLs, redirects followed) run
 * off the supervisor's loop.
 *
 * health_probe() blocks for up to the target's timeout.  Run inside the
 * loop, it held back everything else for that long: a signal to forward, a
 * child to reap, the kill timer of a stop.  Here it runs in a helper
 * process (supervisor_fork_helper) whose one answer, a struct
 * health_result, comes back over a pipe that the loop watches like any
 * other fd.  The supervisor itself never maps libcurl: the helper loads it
 * (dlopen) in its own copy of the address space and exits after one probe.
 * Why a process and not a thread: a thread would map libcurl (about 8 MiB
 * resident, for the rest of the run) into the supervisor, and a fork of the
 * small supervisor costs well under a millisecond, against the tens of
 * milliseconds a TLS handshake takes.
 *
 * The result a helper sends is written with one write(2) of less than
 * PIPE_BUF bytes, so it arrives whole or not at all.  A helper that dies
 * without answering (killed, crashed) is reported as a probe without an
 * answer ("the probe helper ended without an answer").
 */
#ifndef DEPLOY_RUN_PROBE_ASYNC_H
#define DEPLOY_RUN_PROBE_ASYNC_H

#include "error.h"
#include "health.h"
#include "supervisor.h"

struct probe_async;

/*
 * Called once in the loop with the probe's result; r->error names why
 * there was no answer.  When libcurl cannot be loaded, fatal is true and
 * r->error holds the message: probing again will not help.  foreign: the
 * acceptor did not want the process that accepted the connection.  The
 * job is freed after cb returns.
 */
typedef void (*probe_async_cb)(struct supervisor *sv, const struct health_result *r, bool fatal,
			       bool foreign, void *data);

/*
 * Starts one probe of t in a helper.  t is copied into the helper by the
 * fork, so it need not outlive the call.  With an acceptor (may be NULL),
 * the helper asks it, with acceptor_data, whether the process that
 * accepted the probe's connection is wanted (health_probe_attributed; it
 * runs in the helper, on the helper's copy of the data), and cb's foreign
 * tells.  Returns the job, or NULL with err (no pipe, no fork): cb is then
 * never called.
 */
struct probe_async *probe_async_start(struct supervisor *sv, const struct health_target *t,
				      bool (*acceptor)(uint64_t inode, void *data),
				      void *acceptor_data, probe_async_cb cb, void *data,
				      struct error *err);

/* Abandons a job whose cb has not run yet: the helper is killed, cb never runs. */
void probe_async_cancel(struct supervisor *sv, struct probe_async *job);
/* Frees a job still pending when supervisor_run() returned (its helper is gone). */
void probe_async_destroy(struct probe_async *job);

#endif
