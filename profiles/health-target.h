/*
 * What the health probe asks, resolved from a profile: [health] url as it
 * is, or [health] path on the first bind address, with the expected
 * statuses and the timeouts.  Pure (no I/O): the probing clients live in
 * launcher/health.h, which also resolves the address to connect to.  The
 * checks use it to report the [health] settings run would refuse.
 */
#ifndef DEPLOY_RUN_HEALTH_TARGET_H
#define DEPLOY_RUN_HEALTH_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "error.h"
#include "profile.h"
#include "value.h"

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
	struct sockaddr_storage addr; /* set by health_target_resolve() (launcher/health.h) */
	socklen_t addrlen;            /* 0 until then */
	struct value_statuses expect; /* [health] expect */
	int64_t connect_timeout_ms;
	int64_t timeout_ms;
	bool follow_redirects;
};

/*
 * Resolves the target of profile p: [health] url as it is, else [health]
 * path on the first bind (0.0.0.0 and :: are probed on loopback, unix:
 * binds over the socket).  Returns 1 when a probe is configured, 0 when
 * neither path nor url is set (t is then empty), -1 with err (file:line)
 * for a URL or path that cannot be probed.
 */
int health_target_init(struct health_target *t, const struct profile *p, struct error *err);
void health_target_finish(struct health_target *t);

/* The same target with another path (smoke's URLs); path is "/..." or a full URL. */
void health_target_with_path(struct health_target *out, const struct health_target *t,
			     const char *path);

#endif
