#include "health-target.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Splits "http://HOST[:PORT]/PATH" into its parts; HOST may be [V6].
 * Returns -1 when url is not such a URL.
 */
static int split_http_url(const char *url, char **host, int *port, char **hostport, char **path)
{
	const char *h = url + 7, *slash, *colon, *hend;
	long v = 80;

	if (!str_starts_with(url, "http://"))
		return -1;
	slash = h + strcspn(h, "/?#");
	if (slash == h || memchr(h, '@', (size_t)(slash - h)))
		return -1;
	if (*h == '[') {
		hend = memchr(h, ']', (size_t)(slash - h));
		if (!hend)
			return -1;
		colon = hend + 1 < slash && hend[1] == ':' ? hend + 1 : NULL;
		if (!colon && hend + 1 != slash)
			return -1;
		*host = xstrndup(h + 1, (size_t)(hend - h - 1));
	} else {
		colon = memchr(h, ':', (size_t)(slash - h));
		*host = xstrndup(h, (size_t)((colon ? colon : slash) - h));
	}
	if (colon) {
		char *end;

		v = strtol(colon + 1, &end, 10);
		if (end != slash || colon + 1 == slash || v < 1 || v > 65535) {
			free(*host);
			*host = NULL;
			return -1;
		}
	}
	*port = (int)v;
	*hostport = xstrndup(h, (size_t)(slash - h));
	*path = *slash == '/' ? xstrdup(slash) : xasprintf("/%s", slash);
	return 0;
}

/* host as it goes between the brackets of a URL, or not */
static char *url_host(const char *host)
{
	return strchr(host, ':') ? xasprintf("[%s]", host) : xstrdup(host);
}

static int target_from_bind(struct health_target *t, const char *bind, const char *path,
			    const struct profile *p, struct error *err)
{
	char *host, *uh;
	const char *colon;

	if (str_starts_with(bind, "unix:")) {
		t->unix_socket = xstrdup(bind + 5);
		t->host_header = xstrdup("localhost");
		t->url = xasprintf("http://localhost%s", path);
		t->display = xasprintf("%s on unix:%s", t->url, t->unix_socket);
		t->path = xstrdup(path);
		return 0;
	}
	if (str_starts_with(bind, "fd://")) {
		struct profile_loc l = profile_loc(p, "server", "bind");

		return error_at(err, l.file, l.line, 0,
				"cannot probe [health] path on the inherited socket %s: set "
				"[health] url to the address it listens on", bind);
	}
	if (bind[0] == '[') {
		const char *close = strchr(bind, ']');

		host = xstrndup(bind + 1, (size_t)(close - bind - 1));
		colon = close + 1;
	} else {
		colon = strrchr(bind, ':');
		host = xstrndup(bind, (size_t)(colon - bind));
	}
	t->port = atoi(colon + 1);
	/* the wildcard addresses accept on loopback too */
	if (strcmp(host, "0.0.0.0") == 0 || !*host) {
		free(host);
		host = xstrdup("127.0.0.1");
	} else if (strcmp(host, "::") == 0) {
		free(host);
		host = xstrdup("::1");
	}
	uh = url_host(host);
	t->host = host;
	t->host_header = xasprintf("%s:%d", uh, t->port);
	t->url = xasprintf("http://%s%s", t->host_header, path);
	t->display = xstrdup(t->url);
	t->path = xstrdup(path);
	free(uh);
	return 0;
}

int health_target_init(struct health_target *t, const struct profile *p, struct error *err)
{
	struct profile_loc l;

	memset(t, 0, sizeof(*t));
	t->connect_timeout_ms = p->health_connect_timeout_ms > 0 ? p->health_connect_timeout_ms
								  : 2000;
	t->timeout_ms = p->health_timeout_ms > 0 ? p->health_timeout_ms : 5000;
	if (t->connect_timeout_ms > t->timeout_ms)
		t->connect_timeout_ms = t->timeout_ms;
	t->follow_redirects = p->health_follow_redirects;
	t->expect = p->health_expect;
	if (p->health_url && *p->health_url) {
		const char *u = p->health_url;

		l = profile_loc(p, "health", "url");
		if (!str_starts_with(u, "http://") && !str_starts_with(u, "https://"))
			return error_at(err, l.file, l.line, 0,
					"[health] url '%s' must start with http:// or https://", u);
		t->url = xstrdup(u);
		t->display = xstrdup(u);
		if (str_starts_with(u, "http://")) {
			if (split_http_url(u, &t->host, &t->port, &t->host_header, &t->path) < 0) {
				health_target_finish(t);
				return error_at(err, l.file, l.line, 0,
						"[health] url '%s' is not a valid http URL", u);
			}
			t->builtin = !t->follow_redirects;
		}
		return 1;
	}
	if (!p->health_path || !*p->health_path)
		return 0;
	if (p->health_path[0] != '/') {
		l = profile_loc(p, "health", "path");
		return error_at(err, l.file, l.line, 0,
				"[health] path '%s' must start with '/'", p->health_path);
	}
	if (!p->bind.n) {
		l = profile_loc(p, "server", "bind");
		return error_at(err, l.file, l.line, 0, "[health] path needs a [server] bind");
	}
	if (target_from_bind(t, p->bind.v[0], p->health_path, p, err) < 0) {
		health_target_finish(t);
		return -1;
	}
	t->builtin = !t->follow_redirects;
	return 1;
}

void health_target_finish(struct health_target *t)
{
	free(t->url);
	free(t->unix_socket);
	free(t->display);
	free(t->host);
	free(t->host_header);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

void health_target_with_path(struct health_target *out, const struct health_target *t,
			     const char *path)
{
	*out = *t;
	out->host = t->host ? xstrdup(t->host) : NULL;
	out->host_header = t->host_header ? xstrdup(t->host_header) : NULL;
	out->unix_socket = t->unix_socket ? xstrdup(t->unix_socket) : NULL;
	if (str_starts_with(path, "http://") || str_starts_with(path, "https://")) {
		free(out->unix_socket);
		out->unix_socket = NULL;
		out->url = xstrdup(path);
		out->path = NULL;
		out->builtin = false;
	} else {
		const char *base = t->url, *p = t->path;
		size_t keep = strlen(base) - (p && str_ends_with(base, p) ? strlen(p) : 0);

		/* the URL without its path: scheme and authority */
		if (!p) {
			const char *a = strstr(base, "://");

			keep = a ? (size_t)(a + 3 - base) + strcspn(a + 3, "/?#") : strlen(base);
		}
		out->url = xasprintf("%.*s%s%s", (int)keep, base, path[0] == '/' ? "" : "/", path);
		out->path = xasprintf("%s%s", path[0] == '/' ? "" : "/", path);
	}
	out->display = out->unix_socket ? xasprintf("%s on unix:%s", out->url, out->unix_socket)
					: xstrdup(out->url);
}
