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
#include "profile.h"
#include "supervisor.h"

#include <sys/socket.h>

/* The statuses a probe accepts: bit N for status N (100..599). */
struct health_expect {
	uint64_t bits[10];
};

/*
 * Parses an expectation: a comma-separated list of codes (200), ranges
 * (200-299) and classes (2xx); empty means 2xx.  Pure.  Returns 0, or -1
 * with err naming name and the column of the bad item.
 */
int health_expect_parse(const char *s, const char *name, struct health_expect *out,
			struct error *err);
bool health_expect_match(const struct health_expect *e, int status);

/* What to probe, resolved from the profile. */
struct health_target {
	char *url;          /* the URL asked for: http://127.0.0.1:8000/healthz */
	char *unix_socket;  /* the socket to connect to instead of the URL's host, or NULL */
	char *display;      /* for messages: the URL, plus " on unix:/PATH" */
	/* for the built-in client (builtin true): */
	bool builtin;       /* plain http:// without redirects followed */
	char *host;         /* address to connect to (numeric or a name), NULL with a socket */
	int port;
	char *host_header;
	char *path;         /* request target, "/healthz" */
	struct sockaddr_storage addr; /* set by health_target_resolve() */
	socklen_t addrlen;            /* 0 until then */
	struct health_expect expect;
	int64_t connect_timeout_ms;
	int64_t timeout_ms;
	bool follow_redirects;
};

/*
 * Resolves the target of profile p: [health] url as it is, else [health]
 * path on the first bind (0.0.0.0 and :: are probed on loopback, unix:
 * binds over the socket).  Returns 1 when a probe is configured, 0 when
 * neither path nor url is set (t is then empty), -1 with err (file:line)
 * for an expectation or URL that cannot be probed.
 */
int health_target_init(struct health_target *t, const struct profile *p, struct error *err);
void health_target_finish(struct health_target *t);

/*
 * Resolves the address the built-in client connects to (a unix socket, a
 * numeric address, or a name through the resolver), once, before the
 * server starts.  Does nothing for targets the built-in client does not
 * handle.  Returns -1 with err when the host cannot be resolved.
 */
int health_target_resolve(struct health_target *t, struct error *err);

/* The same target with another path (smoke's URLs); path is "/..." or a full URL. */
void health_target_with_path(struct health_target *out, const struct health_target *t,
			     const char *path);

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
	/*
	 * May be NULL.  When set, each probe (built-in client only) waits until
	 * a process accepted its connection and calls acceptor with the inode of
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
