/*
 * The systemd notification protocol (sd_notify(3)), written by hand so that
 * deploy-run needs no libsystemd: datagrams of "KEY=VALUE\n" lines sent to
 * the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for an
 * abstract socket).  Without NOTIFY_SOCKET every call does nothing.
 *
 * `run` sends READY=1 with a STATUS= line once the server answers its
 * health probe (or right after it started when no probe is configured),
 * WATCHDOG=1 while the probe keeps passing when $WATCHDOG_USEC is set,
 * and STOPPING=1 when the server stops.
 */
#ifndef DEPLOY_RUN_NOTIFY_H
#define DEPLOY_RUN_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "error.h"

struct notify {
	int fd;                   /* -1 when notifications are off */
	struct sockaddr_un addr;
	socklen_t addrlen;
	uint64_t watchdog_usec;   /* 0: no watchdog for this process */
};

/*
 * Parses a NOTIFY_SOCKET value: an absolute path, or "@NAME" for an
 * abstract socket.  Pure.  Returns 0, or -1 with err.
 */
int notify_parse_address(const char *s, struct sockaddr_un *addr, socklen_t *len,
			 struct error *err);

/*
 * Parses WATCHDOG_USEC (and WATCHDOG_PID, which must be unset or pid).
 * Returns the interval in microseconds, 0 when there is no watchdog for pid.
 */
uint64_t notify_parse_watchdog(const char *usec, const char *wpid, long pid);

/*
 * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment
 * and opens the socket.  n->fd is -1 (and 0 is returned) when NOTIFY_SOCKET
 * is unset.  Returns -1 with err when it is set but unusable.
 */
int notify_init(struct notify *n, struct error *err);
void notify_finish(struct notify *n);

/* True when notifications go somewhere. */
bool notify_enabled(const struct notify *n);

/* Sends one datagram (no trailing newline needed).  Returns -1 with err. */
int notify_send(struct notify *n, const char *msg, struct error *err);

/* True for the variables the server must not inherit from us (NOTIFY_SOCKET
 * WATCHDOG_USEC WATCHDOG_PID): deploy-run speaks for the service. */
bool notify_is_own_variable(const char *kv);

#endif
