#include "health.h"
#include "dynload.h"
#include "log.h"
#include "probe-async.h"
#include "sockpeer.h"
#include "util.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- the expectation ---- */

static void expect_set(struct health_expect *e, int lo, int hi)
{
	for (int s = lo; s <= hi; s++)
		e->bits[(s - 100) / 64] |= 1ull << ((s - 100) % 64);
}

bool health_expect_match(const struct health_expect *e, int status)
{
	if (status < 100 || status > 599)
		return false;
	return e->bits[(status - 100) / 64] & (1ull << ((status - 100) % 64));
}

static int parse_code(const char *s, size_t n, int *out)
{
	int v = 0;

	if (n != 3)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 100 || v > 599)
		return -1;
	*out = v;
	return 0;
}

int health_expect_parse(const char *s, const char *name, struct health_expect *out,
			struct error *err)
{
	const char *p = s ? s : "";

	memset(out, 0, sizeof(*out));
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		expect_set(out, 200, 299);
		return 0;
	}
	for (;;) {
		const char *item, *end, *dash;
		size_t n;
		int lo, hi;

		while (*p == ' ' || *p == '\t')
			p++;
		item = p;
		end = p + strcspn(p, ",");
		n = (size_t)(end - item);
		while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
			n--;
		dash = memchr(item, '-', n);
		if (n == 3 && item[0] >= '1' && item[0] <= '5' &&
		    (item[1] == 'x' || item[1] == 'X') && (item[2] == 'x' || item[2] == 'X')) {
			lo = (item[0] - '0') * 100;
			hi = lo + 99;
		} else if (dash && parse_code(item, (size_t)(dash - item), &lo) == 0 &&
			   parse_code(dash + 1, n - (size_t)(dash - item) - 1, &hi) == 0 && lo <= hi) {
			;
		} else if (!dash && parse_code(item, n, &lo) == 0) {
			hi = lo;
		} else {
			return error_at(err, name, 0, (int)(item - s) + 1,
					"invalid status '%.*s' in '%s': expected codes (200), ranges "
					"(200-299) or classes (2xx) from 100 to 599, comma-separated",
					(int)n, item, s);
		}
		expect_set(out, lo, hi);
		if (!*end)
			return 0;
		p = end + 1;
	}
}

/* ---- the target ---- */

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
	l = profile_loc(p, "health", "expect");
	if (health_expect_parse(p->health_expect, l.file, &t->expect, err) < 0) {
		err->line = l.line;
		err->column = 0;
		error_prefix(err, "[health] expect");
		return -1;
	}
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

void health_result_format(const struct health_result *r, char *buf, size_t size)
{
	if (r->status)
		snprintf(buf, size, "%d in %.1f ms", r->status, r->total_us / 1000.0);
	else if (str_starts_with(r->error, "no answer")) /* a timeout says it already */
		snprintf(buf, size, "%s (after %.1f ms)", r->error, r->total_us / 1000.0);
	else
		snprintf(buf, size, "no answer: %s (after %.1f ms)",
			 r->error[0] ? r->error : "unknown error", r->total_us / 1000.0);
}

/* ---- libcurl, loaded on demand ---- */

#define CURL_FN(name) __typeof__(curl_##name) *name

struct curl_fns {
	CURL_FN(global_init);
	CURL_FN(easy_init);
	CURL_FN(easy_setopt);
	CURL_FN(easy_perform);
	CURL_FN(easy_getinfo);
	CURL_FN(easy_strerror);
	CURL_FN(easy_cleanup);
};
static struct curl_fns curl;
static void *curl_lib;

int health_load(struct error *err)
{
	static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so",
					    NULL};
#define SYM(name) DYNLOAD_SYM(struct curl_fns, name, "curl_" #name)
	static const struct dynload_sym syms[] = {
		SYM(global_init), SYM(easy_init), SYM(easy_setopt), SYM(easy_perform),
		SYM(easy_getinfo), SYM(easy_strerror), SYM(easy_cleanup),
	};
#undef SYM
	void *h;

	if (curl_lib)
		return 0;
	h = dynload_open(names, "the health probe", "libcurl4", syms, ARRAY_SIZE(syms), &curl,
			 sizeof(curl), err);
	if (!h)
		return -1;
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		dlclose(h);
		return error_set(err, 0, "cannot initialise libcurl");
	}
	curl_lib = h;
	return 0;
}

static size_t discard(char *ptr, size_t size, size_t n, void *data)
{
	return size * n;
}

int health_probe(const struct health_target *t, struct health_result *r, struct error *err)
{
	CURL *h;
	CURLcode rc;
	long code = 0;
	curl_off_t total = 0, conn = 0;
	char errbuf[CURL_ERROR_SIZE] = "";
	uint64_t start = now_ns();

	memset(r, 0, sizeof(*r));
	if (health_load(err) < 0)
		return -1;
	h = curl.easy_init();
	if (!h)
		return error_set(err, 0, "cannot create a libcurl handle");
	curl.easy_setopt(h, CURLOPT_URL, t->url);
	if (t->unix_socket)
		curl.easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, t->unix_socket);
	curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, t->follow_redirects ? 1L : 0L);
	curl.easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)t->connect_timeout_ms);
	curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)t->timeout_ms);
	curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl.easy_setopt(h, CURLOPT_USERAGENT, "deploy-run/" DEPLOY_RUN_VERSION " (health)");
	curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl.easy_perform(h);
	curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl.easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total);
	curl.easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &conn);
	r->total_us = total > 0 ? (uint64_t)total : (now_ns() - start) / 1000;
	r->connect_us = (uint64_t)conn;
	if (rc == CURLE_OK && code > 0) {
		r->status = (int)code;
		r->ok = health_expect_match(&t->expect, r->status);
	} else {
		long os_errno = 0;

		r->refused = rc == CURLE_COULDNT_CONNECT;
		/* a refused connection reads as from the built-in client of run and
		 * smoke ("Connection refused"), not as curl's "Failed to connect to
		 * 127.0.0.1 port 8000 after 0 ms: Couldn't connect to server" */
		if (r->refused)
			curl.easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
		snprintf(r->error, sizeof(r->error), "%s",
			 os_errno > 0 ? strerror((int)os_errno)
			 : errbuf[0] ? errbuf : curl.easy_strerror(rc));
	}
	curl.easy_cleanup(h);
	return 0;
}

/* ---- the built-in client on the supervisor's loop ---- */

enum wstate { W_IDLE, W_CONNECTING, W_ACCEPTING, W_READING, W_STOPPED };

struct health_watch {
	struct health_watch_config cfg;
	char *request;
	enum wstate state;
	int fd;
	int retry_timer;      /* next probe */
	int probe_timer;      /* the probe in flight's timeout */
	int start_timer;      /* start_timeout */
	struct probe_async *job; /* the libcurl probe in flight, in a helper */
	int accept_timer;     /* W_ACCEPTING: next look at who accepted */
	uint64_t accept_wait_ms;
	bool foreign;         /* the probe in flight was accepted by another process */
	bool foreign_answer;  /* the last one was: probe again soon */
	bool said_unattributed;
	uint64_t started_ns;  /* health_watch_start */
	uint64_t probe_ns;    /* the probe in flight began */
	uint64_t backoff_ms;
	bool ready;
	bool timed_out;
	char buf[512];
	size_t len;
	struct health_result last;
};

static void attempt(struct supervisor *sv, void *data);

static void close_probe(struct supervisor *sv, struct health_watch *w)
{
	probe_async_cancel(sv, w->job);
	w->job = NULL;
	if (w->fd >= 0) {
		supervisor_unwatch_fd(sv, w->fd);
		close(w->fd);
		w->fd = -1;
	}
	if (w->probe_timer > 0)
		supervisor_cancel_timer(sv, w->probe_timer);
	w->probe_timer = 0;
	if (w->accept_timer > 0)
		supervisor_cancel_timer(sv, w->accept_timer);
	w->accept_timer = 0;
}

static void schedule(struct supervisor *sv, struct health_watch *w, uint64_t ms)
{
	struct error err = ERROR_INIT;

	w->retry_timer = supervisor_add_timer(sv, ms, attempt, w, &err);
	if (w->retry_timer < 0) {
		log_warn("health probe: %s: probing stops", err.message);
		w->retry_timer = 0;
		w->state = W_STOPPED;
	}
}

/* A probe ended (r filled): tell the caller and plan the next one. */
static void probe_done(struct supervisor *sv, struct health_watch *w, struct health_result *r)
{
	uint64_t next;

	close_probe(sv, w);
	r->total_us = (now_ns() - w->probe_ns) / 1000;
	if (r->status)
		r->ok = health_expect_match(&w->cfg.target->expect, r->status);
	if (w->foreign && (r->status || !r->error[0])) {
		/* an answer from the process acceptor does not want: not this probe's */
		snprintf(r->error, sizeof(r->error), "answered %d by another process (not counted)",
			 r->status);
		r->status = 0;
		r->ok = false;
	}
	w->foreign_answer = w->foreign;
	w->foreign = false;
	w->last = *r;
	w->state = W_IDLE;
	if (w->ready) {
		if (w->cfg.on_repeat)
			w->cfg.on_repeat(sv, r, w->cfg.data);
		if (w->state == W_IDLE && w->cfg.repeat_ms && supervisor_server_pid(sv))
			schedule(sv, w, w->cfg.repeat_ms);
		return;
	}
	if (r->ok) {
		w->ready = true;
		if (w->start_timer > 0)
			supervisor_cancel_timer(sv, w->start_timer);
		w->start_timer = 0;
		w->cfg.on_ready(sv, r, now_ns() - w->started_ns, w->cfg.data);
		if (w->state == W_IDLE && w->cfg.repeat_ms && supervisor_server_pid(sv))
			schedule(sv, w, w->cfg.repeat_ms);
		return;
	}
	if (!supervisor_server_pid(sv)) {
		w->state = W_STOPPED;
		return;
	}
	if (w->foreign_answer) {
		next = 20; /* another process answered: the next probe may reach the one wanted */
	} else if (r->refused) {
		next = 10;
	} else {
		next = w->backoff_ms;
		w->backoff_ms = w->backoff_ms * 2 > 1000 ? 1000 : w->backoff_ms * 2;
	}
	schedule(sv, w, next);
}

static void fail(struct supervisor *sv, struct health_watch *w, bool refused, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));
static void fail(struct supervisor *sv, struct health_watch *w, bool refused, const char *fmt, ...)
{
	struct health_result r = {0};
	va_list ap;

	r.refused = refused;
	va_start(ap, fmt);
	vsnprintf(r.error, sizeof(r.error), fmt, ap);
	va_end(ap);
	probe_done(sv, w, &r);
}

static void probe_timeout(struct supervisor *sv, void *data)
{
	struct health_watch *w = data;
	char what[64];

	w->probe_timer = 0;
	snprintf(what, sizeof(what), "%.1fs", w->cfg.target->timeout_ms / 1000.0);
	if (w->state == W_CONNECTING)
		fail(sv, w, false, "no connection within %s", what);
	else if (w->state == W_ACCEPTING)
		fail(sv, w, false, "not accepted within %s", what);
	else
		fail(sv, w, false, "no answer within %s", what);
}

/* Parses "HTTP/1.x NNN ..." once the status line is complete. */
static void on_readable(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	struct health_watch *w = data;
	struct health_result r = {0};
	char *eol;
	ssize_t n;

	n = read(fd, w->buf + w->len, sizeof(w->buf) - 1 - w->len);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		fail(sv, w, false, "%s", strerror(errno));
		return;
	}
	w->len += (size_t)n;
	w->buf[w->len] = '\0';
	eol = strstr(w->buf, "\r\n");
	if (!eol) {
		if (n == 0)
			fail(sv, w, false, "%s", "connection closed without an answer");
		else if (w->len == sizeof(w->buf) - 1)
			fail(sv, w, false, "%s", "not an HTTP answer");
		return;
	}
	if (!str_starts_with(w->buf, "HTTP/") || !strchr(w->buf, ' ') ||
	    sscanf(strchr(w->buf, ' ') + 1, "%3d", &r.status) != 1 || r.status < 100 ||
	    r.status > 599) {
		fail(sv, w, false, "%s", "not an HTTP answer");
		return;
	}
	probe_done(sv, w, &r);
}

static void start_reading(struct supervisor *sv, struct health_watch *w)
{
	struct error err = ERROR_INIT;

	w->state = W_READING;
	if (supervisor_watch_fd(sv, w->fd, EPOLLIN | EPOLLRDHUP, on_readable, w, &err) < 0)
		fail(sv, w, false, "%s", err.message);
}

static void accept_tick(struct supervisor *sv, void *data);

/*
 * W_ACCEPTING: once a process accepted the connection, ask the acceptor
 * whether it is the one wanted, then send the rest of the request.  Until
 * then look again, every millisecond at first, then up to every 20 ms (the
 * probe's timeout still bounds the wait).
 */
static void check_accepted(struct supervisor *sv, struct health_watch *w)
{
	struct error err = ERROR_INIT;
	int64_t ino = sockpeer_accepted_inode(w->fd);

	if (ino == 0) {
		w->accept_timer = supervisor_add_timer(sv, w->accept_wait_ms, accept_tick, w, &err);
		if (w->accept_timer < 0) {
			w->accept_timer = 0;
			fail(sv, w, false, "%s", err.message);
		}
		if (w->accept_wait_ms < 20)
			w->accept_wait_ms *= 2;
		return;
	}
	if (ino < 0) {
		/* counted: better an unattributed answer than a gate that never opens */
		if (!w->said_unattributed)
			log_warn("cannot tell which process accepted the health probe (socket "
				 "diagnostics: %s): its answers count whoever gives them",
				 strerror(errno));
		w->said_unattributed = true;
	} else {
		w->foreign = !w->cfg.acceptor((uint64_t)ino, w->cfg.data);
	}
	if (send(w->fd, "\r\n", 2, MSG_NOSIGNAL) != 2) {
		fail(sv, w, false, "%s", strerror(errno));
		return;
	}
	start_reading(sv, w);
}

static void accept_tick(struct supervisor *sv, void *data)
{
	struct health_watch *w = data;

	w->accept_timer = 0;
	if (w->state == W_ACCEPTING)
		check_accepted(sv, w);
}

static void on_connected(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	struct health_watch *w = data;
	int e = 0;
	socklen_t elen = sizeof(e);
	size_t len = strlen(w->request);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
		e = errno;
	if (e) {
		fail(sv, w, e == ECONNREFUSED || e == ENOENT, "%s", strerror(e));
		return;
	}
	/*
	 * A few hundred bytes into an empty socket buffer: never short.  With
	 * an acceptor, all but the blank line that ends the request: the server
	 * waits for it, so the connection is still open on its side when we
	 * look at who accepted it.
	 */
	if (w->cfg.acceptor)
		len -= 2;
	if (send(fd, w->request, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fail(sv, w, false, "%s", strerror(errno));
		return;
	}
	supervisor_unwatch_fd(sv, fd);
	w->len = 0;
	if (w->cfg.acceptor) {
		w->state = W_ACCEPTING;
		w->accept_wait_ms = 1;
		check_accepted(sv, w);
		return;
	}
	start_reading(sv, w);
}

static void on_helper_answer(struct supervisor *sv, const struct health_result *res, bool fatal,
			     void *data)
{
	struct health_watch *w = data;
	struct health_result r = *res;

	w->job = NULL; /* freed by probe-async once this returns */
	if (fatal) {
		log_error("%s: probing stops", r.error);
		w->state = W_STOPPED;
		return;
	}
	probe_done(sv, w, &r);
}

/*
 * One probe with libcurl, for targets the built-in client does not handle:
 * in a helper process (probe-async.h), so that the loop goes on forwarding
 * signals and reaping while a TLS handshake or a redirect takes its time.
 */
static void attempt_helper(struct supervisor *sv, struct health_watch *w)
{
	struct error err = ERROR_INIT;

	w->state = W_READING; /* for probe_done's bookkeeping */
	w->job = probe_async_start(sv, w->cfg.target, on_helper_answer, w, &err);
	if (!w->job)
		fail(sv, w, false, "%s", err.message);
}

static void attempt(struct supervisor *sv, void *data)
{
	struct health_watch *w = data;
	struct error err = ERROR_INIT;
	int fd;

	w->retry_timer = 0;
	if (w->state != W_IDLE || !supervisor_server_pid(sv))
		return;
	w->probe_ns = now_ns();
	if (!w->cfg.target->builtin) {
		attempt_helper(sv, w);
		return;
	}
	fd = socket(w->cfg.target->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		w->state = W_CONNECTING;
		fail(sv, w, false, "cannot create a socket: %s", strerror(errno));
		return;
	}
	w->fd = fd;
	w->state = W_CONNECTING;
	if (connect(fd, (const struct sockaddr *)&w->cfg.target->addr, w->cfg.target->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		int e = errno;

		/* a unix socket not bound yet is ENOENT; a full backlog EAGAIN */
		fail(sv, w, e == ECONNREFUSED || e == ENOENT || e == EAGAIN, "%s", strerror(e));
		return;
	}
	w->probe_timer = supervisor_add_timer(sv, (uint64_t)w->cfg.target->timeout_ms,
					      probe_timeout, w, &err);
	if (w->probe_timer < 0) {
		w->probe_timer = 0;
		fail(sv, w, false, "%s", err.message);
		return;
	}
	if (supervisor_watch_fd(sv, fd, EPOLLOUT, on_connected, w, &err) < 0)
		fail(sv, w, false, "%s", err.message);
}

static void start_timeout(struct supervisor *sv, void *data)
{
	struct health_watch *w = data;

	w->start_timer = 0;
	if (w->ready)
		return;
	w->timed_out = true;
	if (w->cfg.on_timeout)
		w->cfg.on_timeout(sv, w, &w->last, w->cfg.data);
}

int health_target_resolve(struct health_target *t, struct error *err)
{
	struct addrinfo hints = {0}, *res = NULL;
	char port[16];
	int rc;

	if (!t->builtin || t->addrlen)
		return 0;
	if (t->unix_socket) {
		struct sockaddr_un *un = (struct sockaddr_un *)&t->addr;

		if (strlen(t->unix_socket) >= sizeof(un->sun_path))
			return error_set(err, 0, "unix socket path too long: %s", t->unix_socket);
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, t->unix_socket);
		t->addrlen = sizeof(*un);
		return 0;
	}
	snprintf(port, sizeof(port), "%d", t->port);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	rc = getaddrinfo(t->host, port, &hints, &res);
	if (rc == EAI_NONAME) {
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(t->host, port, &hints, &res);
	}
	if (rc != 0 || !res)
		return error_set(err, 0, "cannot resolve %s for the health probe: %s", t->host,
				 gai_strerror(rc));
	memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
	t->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

struct health_watch *health_watch_start(struct supervisor *sv,
					const struct health_watch_config *cfg, struct error *err)
{
	struct health_watch *w = xcalloc(1, sizeof(*w));
	const struct health_target *t = cfg->target;

	w->cfg = *cfg;
	w->fd = -1;
	w->backoff_ms = 50;
	w->started_ns = now_ns();
	if (t->builtin) {
		if (!t->addrlen) {
			free(w);
			error_set(err, 0, "the health target %s was not resolved", t->display);
			return NULL;
		}
		w->request = xasprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: deploy-run/%s "
				       "(health)\r\nAccept: */*\r\nConnection: close\r\n\r\n",
				       t->path, t->host_header, DEPLOY_RUN_VERSION);
	}
	if (cfg->start_timeout_ms > 0) {
		w->start_timer = supervisor_add_timer(sv, (uint64_t)cfg->start_timeout_ms,
						      start_timeout, w, err);
		if (w->start_timer < 0) {
			free(w->request);
			free(w);
			return NULL;
		}
	}
	attempt(sv, w);
	return w;
}

const struct health_result *health_watch_last(const struct health_watch *w)
{
	return &w->last;
}

void health_watch_stop(struct supervisor *sv, struct health_watch *w)
{
	close_probe(sv, w);
	if (w->retry_timer > 0)
		supervisor_cancel_timer(sv, w->retry_timer);
	if (w->start_timer > 0)
		supervisor_cancel_timer(sv, w->start_timer);
	w->retry_timer = w->start_timer = 0;
	w->state = W_STOPPED;
}

void health_watch_destroy(struct health_watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	probe_async_destroy(w->job);
	free(w->request);
	free(w);
}
