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

/* Who accepted a libcurl probe's connection (health_probe_attributed). */
struct attribution {
	int fd;             /* the socket libcurl made last */
	bool (*acceptor)(uint64_t inode, void *data);
	void *data;
	uint64_t deadline_ns;
	bool foreign;
};

/*
 * CURLOPT_PREREQFUNCTION: the connection is up (for https the handshake is
 * done, so a process accepted it), the request not sent yet.  Over plain
 * http the connection may still wait in the listen queue: look again every
 * millisecond until it is accepted or the probe's time is up.  Blocking is
 * fine here: this runs in a helper process, or in a command, never in the
 * supervisor's loop.  Called for each connection (a redirect makes another):
 * the last one decides, as its answer is the one that counts.
 */
static int attribute(void *clientp, char *primary_ip, char *local_ip, int primary_port,
		     int local_port)
{
	struct attribution *a = clientp;
	int64_t ino = -1;

	if (a->fd >= 0)
		while ((ino = sockpeer_accepted_inode(a->fd)) == 0 && now_ns() < a->deadline_ns)
			usleep(1000);
	/*
	 * Unknown (no sock_diag) counts, as in the built-in client; a connection
	 * still not accepted when the probe's time is up does not: whoever takes
	 * it later is nobody we asked about.
	 */
	a->foreign = ino == 0 || (ino > 0 && !a->acceptor((uint64_t)ino, a->data));
	return CURL_PREREQFUNC_OK;
}

/* CURLOPT_SOCKOPTFUNCTION: notes the socket of the connection being made
 * (CURLINFO_ACTIVESOCKET is not set yet when the PREREQ callback runs). */
static int note_socket(void *clientp, curl_socket_t fd, curlsocktype purpose)
{
	struct attribution *a = clientp;

	if (purpose == CURLSOCKTYPE_IPCXN)
		a->fd = (int)fd;
	return CURL_SOCKOPT_OK;
}

int health_probe(const struct health_target *t, struct health_result *r, struct error *err)
{
	return health_probe_attributed(t, NULL, NULL, r, NULL, err);
}

int health_probe_attributed(const struct health_target *t,
			    bool (*acceptor)(uint64_t inode, void *data), void *data,
			    struct health_result *r, bool *foreign, struct error *err)
{
	struct attribution a = {.fd = -1, .acceptor = acceptor, .data = data};
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
	if (acceptor) {
		a.deadline_ns = start + (uint64_t)t->timeout_ms * 1000000;
		curl.easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, note_socket);
		curl.easy_setopt(h, CURLOPT_SOCKOPTDATA, &a);
		curl.easy_setopt(h, CURLOPT_PREREQFUNCTION, attribute);
		curl.easy_setopt(h, CURLOPT_PREREQDATA, &a);
	}
	rc = curl.easy_perform(h);
	if (foreign)
		*foreign = a.foreign;
	curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl.easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total);
	curl.easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &conn);
	r->total_us = total > 0 ? (uint64_t)total : (now_ns() - start) / 1000;
	r->connect_us = (uint64_t)conn;
	if (rc == CURLE_OK && code > 0) {
		r->status = (int)code;
		r->ok = value_statuses_match(&t->expect, r->status);
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
		r->ok = value_statuses_match(&w->cfg.target->expect, r->status);
	if (w->foreign && (r->status || !r->error[0])) {
		/* an answer from the process acceptor does not want: not this probe's */
		snprintf(r->error, sizeof(r->error), "answered %d by another process (not counted)",
			 r->status);
		r->status = 0;
		r->ok = false;
	}
	w->foreign_answer = w->foreign;
	/* the last result says what the wanted process answered, when one did */
	if (!w->foreign || (!w->last.status && !w->last.error[0]))
		w->last = *r;
	w->foreign = false;
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
	if (w->cfg.on_failure && !w->foreign_answer)
		w->cfg.on_failure(sv, r, w->cfg.data);
	if (!supervisor_server_pid(sv)) {
		w->state = W_STOPPED;
		return;
	}
	if (w->foreign_answer) {
		next = 5; /* another process answered: the next probe may reach the one wanted */
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
			     bool foreign, void *data)
{
	struct health_watch *w = data;
	struct health_result r = *res;

	w->job = NULL; /* freed by probe-async once this returns */
	w->foreign = foreign;
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
	w->job = probe_async_start(sv, w->cfg.target, w->cfg.acceptor, w->cfg.data,
				   on_helper_answer, w, &err);
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
