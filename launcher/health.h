/*
 * The health probe: one HTTP GET of [health] path on the server's first
 * bind address (or of [health] url), whose status must be one of
 * [health] expect.
 *
 * Two clients share the target and the expectation:
 *  - health_probe(): libcurl, loaded with dlopen() on first use (the binary
 *    does not link it), blocking for at most the probe's timeout.  Used by
 *    `probe` and `smoke`, and by `run` for what the built-in client cannot
 *    do (https URLs, redirects followed): there in a helper process
 *    (probe-async.h), so that neither the block nor libcurl reaches the
 *    supervisor.
 *  - the readiness watch (health_watch_*): a small non-blocking HTTP/1.1
 *    client driven by the supervisor's loop (launcher/supervisor.h), so that
 *    the resident supervisor of `run` never maps libcurl (about 8 MiB of
 *    resident memory and 15 ms to load) and stays responsive to signals
 *    while it waits for the server.
 */
#ifndef DEPLOY_RUN_HEALTH_H
#define DEPLOY_RUN_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "health-target.h"
#include "profile.h"
#include "supervisor.h"

#include <sys/socket.h>

/*
 * Resolves the address the built-in client connects to (a unix socket, a
 * numeric address, or a name through the resolver), once, before the
 * server starts.  Does nothing for targets the built-in client does not
 * handle.  Returns -1 with err when the host cannot be resolved.
 */
int health_target_resolve(struct health_target *t, struct error *err);

struct health_result {
	int status;             /* HTTP status; 0 when there was no answer */
	bool ok;                /* status expected */
	bool refused;           /* nothing listening yet (refused, no socket file) */
	uint64_t connect_us;    /* time to connect (libcurl only) */
	uint64_t total_us;      /* time of the whole probe */
	char error[256];        /* why there was no answer, or "" */
};

/* "200 in 3.1 ms", or "no answer: connection refused (after 0.1 ms)". */
void health_result_format(const struct health_result *r, char *buf, size_t size);

/* Loads libcurl (once).  Returns -1 with err when it cannot be loaded. */
int health_load(struct error *err);

/*
 * One blocking GET with libcurl, bounded by the target's timeouts.
 * Returns 0 with r filled (healthy or not), -1 with err when libcurl could
 * not be loaded or set up.
 */
int health_probe(const struct health_target *t, struct health_result *r, struct error *err);

/*
 * health_probe() that also says who accepted its connection: acceptor (as
 * in health_watch_config) is asked with the inode of the accepted socket,
 * and *foreign is set when it did not want that process (the answer then
 * proves nothing about the one wanted).  Blocks; for helpers and commands.
 */
int health_probe_attributed(const struct health_target *t,
			    bool (*acceptor)(uint64_t inode, void *data), void *data,
			    struct health_result *r, bool *foreign, struct error *err);

/* ---- readiness on the supervisor's loop ---- */

struct health_watch;

struct health_watch_config {
	const struct health_target *target;
	int64_t start_timeout_ms;   /* <= 0: wait forever */
	uint64_t repeat_ms;         /* once ready, probe again every repeat_ms; 0: stop */
	/* once, when the first probe passes; elapsed_ns since health_watch_start */
	void (*on_ready)(struct supervisor *sv, const struct health_result *r,
			 uint64_t elapsed_ns, void *data);
	/* once, when start_timeout passes first; probing goes on unless stopped */
	void (*on_timeout)(struct supervisor *sv, struct health_watch *w,
			   const struct health_result *last, void *data);
	/* after each repeated probe (may be NULL) */
	void (*on_repeat)(struct supervisor *sv, const struct health_result *r, void *data);
	/* after each probe that failed before the first passed, other processes'
	 * answers (acceptor) left out (may be NULL; must not stop the watch) */
	void (*on_failure)(struct supervisor *sv, const struct health_result *r, void *data);
	/*
	 * May be NULL.  When set, each probe waits until a process accepted its
	 * connection (the built-in client in the loop, libcurl in its helper) and calls acceptor with the inode of
	 * the accepted socket (sockpeer.h): true when that process is one whose
	 * answer counts.  Any other answer is read but not counted (the result
	 * says "answered N by another process") and the next probe follows at
	 * once.  When the kernel cannot say who accepted, answers count, with
	 * one warning.  What tells server generations apart on a shared socket.
	 */
	bool (*acceptor)(uint64_t inode, void *data);
	void *data;
};

/*
 * Starts probing the target now, from the supervisor's on_started hook,
 * then again after each failure: every 10 ms while nothing listens (a
 * refused connect costs a few microseconds), with a backoff from 50 ms
 * doubling to 1 s after an answer that is not the expected one or a probe
 * that timed out.  Probing stops when the server is gone.  The built-in
 * client never blocks; a target it cannot handle (see health_target) is
 * probed with health_probe() in a helper process whose answer the loop
 * reads from a pipe (probe-async.h): the loop never blocks either way, and
 * the supervisor never maps libcurl.  The target must have been resolved
 * (health_target_resolve) and must outlive the watch.  Returns NULL with err.
 */
struct health_watch *health_watch_start(struct supervisor *sv,
					const struct health_watch_config *cfg, struct error *err);
/* The result of the last probe that finished (all zero before the first). */
const struct health_result *health_watch_last(const struct health_watch *w);
/* Stops probing (from a callback, while the loop runs). */
void health_watch_stop(struct supervisor *sv, struct health_watch *w);
/* Frees w after supervisor_run() returned (sv is gone: only w's fd is closed). */
void health_watch_destroy(struct health_watch *w);

#endif
