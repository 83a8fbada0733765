/*
 * The server check family: settings copied from one stage to another
 * (reload, loopback or public binds, worker counts, proxy headers), the
 * bind address already taken, and an app served by the wrong kind of
 * worker.  See docs/findings.md for every id.
 */
#ifndef DEPLOY_RUN_SERVER_H
#define DEPLOY_RUN_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "check.h"

extern const char *const server_ids[];

/* Adds the server.* findings for ctx; with ctx->import_app it imports the
 * app in the venv's python (a subprocess with the import timeout). */
void server_check(const struct context *ctx, struct report *r);

/* A listening TCP socket of /proc/net/tcp or tcp6. */
struct server_listener {
	bool v6;
	unsigned char addr[16];  /* network order; IPv4 in the first 4 bytes */
	int port;
	unsigned long inode;
};

/*
 * The LISTEN sockets (state 0A) of a /proc/net/tcp (v6 false) or
 * /proc/net/tcp6 (v6 true) buffer, appended to *out (count in *n, capacity
 * in *cap; caller frees *out).  Malformed lines are skipped.  Pure.
 */
void server_parse_listeners(const char *buf, bool v6, struct server_listener **out, size_t *n,
			    size_t *cap);

/*
 * The cgroup memory limit in bytes seen under root ("/" on a live system,
 * a fake tree with proc/self/cgroup and sys/fs/cgroup/... in tests): the
 * smallest memory.max (v2) or memory.limit_in_bytes (v1) along the
 * cgroup's ancestors; 0 when there is none.
 */
int64_t server_memory_limit(const char *root);

#endif
