#include "notify.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int notify_parse_address(const char *s, struct sockaddr_un *addr, socklen_t *len,
			 struct error *err)
{
	size_t n = s ? strlen(s) : 0;

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (n < 2 || (s[0] != '/' && s[0] != '@'))
		return error_set(err, 0, "NOTIFY_SOCKET '%s' is neither an absolute path nor "
				 "an abstract socket (@NAME)", s ? s : "");
	if (n >= sizeof(addr->sun_path))
		return error_set(err, 0, "NOTIFY_SOCKET is longer than %zu bytes",
				 sizeof(addr->sun_path) - 1);
	memcpy(addr->sun_path, s, n);
	if (s[0] == '@') {
		/* abstract: a leading NUL, and the length counts exactly the name */
		addr->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

uint64_t notify_parse_watchdog(const char *usec, const char *wpid, long pid)
{
	char *end;
	unsigned long long v;

	if (!usec || !*usec)
		return 0;
	if (wpid && *wpid) {
		long p = strtol(wpid, &end, 10);

		if (*end || p != pid)
			return 0;
	}
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno || *end || usec[0] == '-' || v == 0)
		return 0;
	return (uint64_t)v;
}

int notify_init(struct notify *n, struct error *err)
{
	const char *s = getenv("NOTIFY_SOCKET");

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	if (!s || !*s)
		return 0;
	if (notify_parse_address(s, &n->addr, &n->addrlen, err) < 0)
		return -1;
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0)
		return error_set(err, errno, "cannot create the notification socket");
	n->watchdog_usec = notify_parse_watchdog(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
						 (long)getpid());
	return 0;
}

void notify_finish(struct notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

bool notify_enabled(const struct notify *n)
{
	return n->fd >= 0;
}

int notify_send(struct notify *n, const char *msg, struct error *err)
{
	ssize_t r;

	if (n->fd < 0)
		return 0;
	do
		r = sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&n->addr,
			   n->addrlen);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return error_set(err, errno, "cannot notify %s%s",
				 n->addr.sun_path[0] ? "" : "@",
				 n->addr.sun_path[0] ? n->addr.sun_path : n->addr.sun_path + 1);
	return 0;
}

bool notify_is_own_variable(const char *kv)
{
	return str_starts_with(kv, "NOTIFY_SOCKET=") || str_starts_with(kv, "WATCHDOG_USEC=") ||
	       str_starts_with(kv, "WATCHDOG_PID=");
}
