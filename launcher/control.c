/* The control socket: path, the supervisor's side in its loop, the client. */
#include "control.h"
#include "cleanup-attrs.h"
#include "log.h"
#include "privdrop.h"
#include "profile.h"
#include "strbuf.h"
#include "strv.h"
#include "supervisor.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define REQUEST_TIMEOUT_MS 5000
#define MAX_ARGS 16

/* ---- where ---- */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static int check_length(const char *path, struct error *err)
{
	struct sockaddr_un sa;

	if (strlen(path) >= sizeof(sa.sun_path))
		return error_set(err, 0, "the control socket path %s is longer than a unix socket "
				 "path may be (%zu bytes); set [run] control_socket to a shorter one",
				 path, sizeof(sa.sun_path) - 1);
	return 0;
}

/* n bytes of src into dst, each byte outside [A-Za-z0-9._-] as '_'. */
static void safe_copy(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && src[i]; i++) {
		char c = src[i];

		dst[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-' ? c : '_';
	}
	dst[i] = '\0';
}

static char *socket_name(const struct profile *p)
{
	char name[33];

	safe_copy(name, p->name, sizeof(name) - 1);
	/* a profile given as a path: its file name without .ini says more */
	if (strchr(p->name, '/') || str_ends_with(p->name, ".ini")) {
		const char *base = strrchr(p->path, '/');
		size_t n;

		base = base ? base + 1 : p->path;
		n = strlen(base);
		if (n > 4 && str_ends_with(base, ".ini"))
			n -= 4;
		safe_copy(name, base, n < sizeof(name) - 1 ? n : sizeof(name) - 1);
	}
	return xasprintf("%s-%016llx.sock", name, (unsigned long long)fnv1a(p->path));
}

static char *default_dir(uid_t euid)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (euid == 0)
		return xstrdup("/run/deploy-run");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/deploy-run", xdg);
	return xasprintf("/tmp/deploy-run-%u", (unsigned)euid);
}

char *control_socket_path(const struct profile *p, uid_t euid, bool *off, struct error *err)
{
	_cleanup_free_ char *dir = NULL, *name = NULL;
	char *path;

	*off = false;
	if (p->control_socket && str_eq(p->control_socket, "off")) {
		*off = true;
		return NULL;
	}
	if (p->control_socket && *p->control_socket)
		path = xstrdup(p->control_socket);
	else {
		dir = default_dir(euid);
		name = socket_name(p);
		path = xasprintf("%s/%s", dir, name);
	}
	if (check_length(path, err) < 0) {
		free(path);
		return NULL;
	}
	return path;
}

int control_client_paths(const struct profile *p, uid_t euid, struct strv *out, bool *off,
			 struct error *err)
{
	_cleanup_free_ char *own = control_socket_path(p, euid, off, err);

	if (!own)
		return *off ? 0 : -1;
	strv_push(out, own);
	if (euid != 0 && !(p->control_socket && *p->control_socket)) {
		_cleanup_free_ char *root = control_socket_path(p, 0, off, err);

		if (root)
			strv_push(out, root);
		error_clear(err);
	}
	return 0;
}

/* ---- the supervisor's side ---- */

struct verb {
	char *name;
	control_handler fn;
	void *data;
};

struct control_conn {
	struct control *ctl;
	struct control_conn *next;
	int fd;
	uid_t uid;
	pid_t pid;
	int timer;            /* the request timer while the line is incomplete */
	char buf[CONTROL_REQUEST_MAX + 1];
	size_t len;
	bool dispatched;      /* the handler has it */
	bool answered;        /* the answer is queued: flushing, then closed */
	bool watched;
	char *words[MAX_ARGS + 1];
	struct strbuf out;
	size_t out_done;
	void (*on_close)(struct control_conn *c, void *data);
	void *close_data;
};

struct control {
	char *path;
	int fd;
	uid_t owner;
	dev_t dev;
	ino_t ino;
	struct supervisor *sv;
	struct verb *verbs;
	size_t n_verbs, cap_verbs;
	struct control_conn *conns;
};

const char *control_path(const struct control *ctl)
{
	return ctl->path;
}

static int make_dir(const char *path, struct error *err)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	struct stat st;
	mode_t mode;

	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	mode = str_eq(dir, "/run/deploy-run") ? 0755 : 0700;
	if (mkdir(dir, mode) < 0 && errno != EEXIST)
		return error_set(err, errno, "cannot make the directory %s", dir);
	if (lstat(dir, &st) < 0)
		return error_set(err, errno, "cannot use the directory %s", dir);
	if (!S_ISDIR(st.st_mode))
		return error_set(err, 0, "%s is not a directory", dir);
	/* a directory in /tmp that someone else made or opened up is refused */
	if (st.st_uid != geteuid() || (mode == 0700 && (st.st_mode & 077)))
		return error_set(err, 0, "the directory %s is not private to uid %u (owner %u, "
				 "mode %04o); remove it or set [run] control_socket", dir,
				 (unsigned)geteuid(), (unsigned)st.st_uid,
				 (unsigned)(st.st_mode & 07777));
	return 0;
}

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * What is at path: 0 nothing (or a stale socket, removed), -1 with err
 * for a live socket (another supervisor) or something that is not one.
 */
static int clear_stale(const char *path, struct error *err)
{
	struct sockaddr_un sa;
	struct stat st;
	_cleanup_close_ int fd = -1;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : error_set(err, errno, "cannot use %s", path);
	if (!S_ISSOCK(st.st_mode))
		return error_set(err, 0, "%s exists and is not a socket; it is left alone: remove "
				 "it or set [run] control_socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || fill_addr(&sa, path) < 0)
		return error_set(err, errno, "cannot create a socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			return error_set(err, 0, "deploy-run is already running this profile (pid %d, "
					 "control socket %s)", (int)cred.pid, path);
		return error_set(err, 0, "deploy-run is already running this profile (control "
				 "socket %s)", path);
	}
	if (errno != ECONNREFUSED)
		return error_set(err, errno, "cannot tell whether %s is in use", path);
	/* nobody listens: left by a supervisor that was killed */
	if (unlink(path) < 0 && errno != ENOENT)
		return error_set(err, errno, "cannot remove the stale control socket %s", path);
	log_debug("removed the stale control socket %s", path);
	return 0;
}

struct control *control_create(const char *path, uid_t owner, bool make_parent,
			       struct error *err)
{
	struct sockaddr_un sa;
	struct control *ctl;
	struct stat st;
	_cleanup_close_ int fd = -1;
	mode_t old;
	int r;

	if (check_length(path, err) < 0)
		return NULL;
	if (make_parent && make_dir(path, err) < 0)
		return NULL;
	if (clear_stale(path, err) < 0)
		return NULL;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		error_set(err, errno, "cannot create the control socket");
		return NULL;
	}
	fill_addr(&sa, path);
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0) {
		if (errno == EADDRINUSE)
			error_set(err, 0, "deploy-run is already running this profile (control socket "
				  "%s)", path);
		else
			error_set(err, errno, "cannot bind the control socket %s", path);
		return NULL;
	}
	if (lstat(path, &st) < 0 || listen(fd, 16) < 0 ||
	    (owner != (uid_t)-1 && owner != geteuid() && lchown(path, owner, (gid_t)-1) < 0)) {
		error_set(err, errno, "cannot set up the control socket %s", path);
		unlink(path);
		return NULL;
	}
	ctl = xcalloc(1, sizeof(*ctl));
	ctl->path = xstrdup(path);
	ctl->fd = steal_fd(&fd);
	ctl->owner = owner;
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	return ctl;
}

struct control *control_open(const struct profile *p, struct error *err)
{
	_cleanup_free_ char *path = NULL;
	struct control *ctl;
	uid_t owner = geteuid();
	bool off;

	path = control_socket_path(p, geteuid(), &off, err);
	if (!path)
		return NULL;
	if (p->user && *p->user) {
		struct privdrop pd;

		if (privdrop_init(&pd, p->user, err) < 0) {
			struct profile_loc at = profile_loc(p, "app", "user");

			error_locate(err, at.file, at.line);
			return NULL;
		}
		owner = pd.uid;
		privdrop_finish(&pd);
	}
	ctl = control_create(path, owner, !(p->control_socket && *p->control_socket), err);
	if (!ctl) {
		struct profile_loc at = profile_loc(p, "run", "control_socket");

		if (at.file)
			error_locate(err, at.file, at.line);
	}
	return ctl;
}

void control_register(struct control *ctl, const char *verb, control_handler fn, void *data)
{
	grow_array((void **)&ctl->verbs, &ctl->cap_verbs, ctl->n_verbs + 1, sizeof(*ctl->verbs));
	ctl->verbs[ctl->n_verbs++] = (struct verb){xstrdup(verb), fn, data};
}

static void conn_free(struct control_conn *c)
{
	struct control *ctl = c->ctl;
	struct control_conn **pp;

	for (pp = &ctl->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (ctl->sv && c->timer > 0)
		supervisor_cancel_timer(ctl->sv, c->timer);
	if (ctl->sv && c->watched)
		supervisor_unwatch_fd(ctl->sv, c->fd);
	close(c->fd);
	strbuf_finish(&c->out);
	free(c);
}

/* The client went away, or the run ends, before the answer. */
static void conn_drop(struct control_conn *c)
{
	if (c->on_close && !c->answered) {
		void (*cb)(struct control_conn *, void *) = c->on_close;

		c->on_close = NULL;
		cb(c, c->close_data);
	}
	conn_free(c);
}

static void conn_io(struct supervisor *sv, int fd, uint32_t events, void *data);

static void rewatch(struct control_conn *c, uint32_t events)
{
	struct error err = ERROR_INIT;

	if (c->watched)
		supervisor_unwatch_fd(c->ctl->sv, c->fd);
	c->watched = supervisor_watch_fd(c->ctl->sv, c->fd, events, conn_io, c, &err) == 0;
}

/* Writes what is queued; 1 all written, 0 more to write, -1 the peer is gone. */
static int flush(struct control_conn *c)
{
	while (c->out_done < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->out_done, c->out.len - c->out_done,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -1;
		c->out_done += (size_t)n;
	}
	strbuf_reset(&c->out);
	c->out_done = 0;
	return 1;
}

static void queue_line(struct control_conn *c, const char *json)
{
	int r;

	strbuf_adds(&c->out, json);
	strbuf_addc(&c->out, '\n');
	r = flush(c);
	if (r < 0) {
		if (!c->answered)
			conn_drop(c);
		else
			conn_free(c);
		return;
	}
	if (c->answered) {
		if (r > 0)
			conn_free(c);
		else
			rewatch(c, EPOLLOUT);
	} else if (r == 0) {
		rewatch(c, EPOLLOUT);
	}
}

void control_reply(struct control_conn *c, const char *json)
{
	c->answered = true;
	queue_line(c, json);
}

/* Starts line as {"NAME": "the formatted text" (the caller closes it). */
static void json_line_start(struct strbuf *line, const char *name, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void json_line_start(struct strbuf *line, const char *name, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);

	strbuf_init(line);
	strbuf_addf(line, "{\"%s\": ", name);
	strbuf_add_json(line, s);
	free(s);
}

void control_reply_error(struct control_conn *c, int exit_code, const char *fmt, ...)
{
	struct strbuf line;
	va_list ap;

	va_start(ap, fmt);
	json_line_start(&line, "error", fmt, ap);
	va_end(ap);
	strbuf_addf(&line, ", \"exit\": %d}", exit_code);
	control_reply(c, line.buf);
	strbuf_finish(&line);
}

void control_progress(struct control_conn *c, const char *fmt, ...)
{
	struct strbuf line;
	va_list ap;

	va_start(ap, fmt);
	json_line_start(&line, "progress", fmt, ap);
	va_end(ap);
	strbuf_addc(&line, '}');
	queue_line(c, line.buf);
	strbuf_finish(&line);
}

void control_conn_on_close(struct control_conn *c, void (*cb)(struct control_conn *c, void *data),
			   void *data)
{
	c->on_close = cb;
	c->close_data = data;
}

const char *control_conn_arg(const struct control_conn *c, const char *key)
{
	size_t n = strlen(key);

	for (int i = 1; c->words[i]; i++)
		if (strncmp(c->words[i], key, n) == 0 && c->words[i][n] == '=')
			return c->words[i] + n + 1;
	return NULL;
}

uid_t control_conn_uid(const struct control_conn *c)
{
	return c->uid;
}

pid_t control_conn_pid(const struct control_conn *c)
{
	return c->pid;
}

static void dispatch(struct control_conn *c)
{
	struct control *ctl = c->ctl;
	struct strbuf verbs;
	char *p = c->buf;
	int n = 0;

	for (size_t i = 0; i < c->len; i++)
		if ((unsigned char)c->buf[i] < 0x20 || (unsigned char)c->buf[i] > 0x7e) {
			control_reply_error(c, 2, "a request is one line of printable ASCII");
			return;
		}
	while (*p && n < MAX_ARGS) {
		char *sp = strchr(p, ' ');

		if (sp)
			*sp = '\0';
		if (*p)
			c->words[n++] = p;
		if (!sp)
			break;
		p = sp + 1;
	}
	c->words[n] = NULL;
	if (!n) {
		control_reply_error(c, 2, "empty request");
		return;
	}
	for (size_t i = 0; i < ctl->n_verbs; i++) {
		if (str_eq(ctl->verbs[i].name, c->words[0])) {
			c->dispatched = true;
			/* from now on only a hang-up matters (EPOLLHUP is always reported) */
			rewatch(c, 0);
			ctl->verbs[i].fn(c, ctl->verbs[i].data);
			return;
		}
	}
	strbuf_init(&verbs);
	for (size_t i = 0; i < ctl->n_verbs; i++)
		strbuf_addf(&verbs, "%s%s", i ? ", " : "", ctl->verbs[i].name);
	control_reply_error(c, 2, "unknown request '%s' (this supervisor answers: %s)",
			    c->words[0], verbs.buf ? verbs.buf : "");
	strbuf_finish(&verbs);
}

static void conn_read(struct control_conn *c)
{
	for (;;) {
		ssize_t n;
		char *nl;

		if (c->len >= CONTROL_REQUEST_MAX) {
			control_reply_error(c, 2, "request longer than %d bytes", CONTROL_REQUEST_MAX);
			return;
		}
		n = recv(c->fd, c->buf + c->len, CONTROL_REQUEST_MAX - c->len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_drop(c);
			return;
		}
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			*nl = '\0';
			c->len = (size_t)(nl - c->buf);
			if (c->timer > 0)
				supervisor_cancel_timer(c->ctl->sv, c->timer);
			c->timer = 0;
			dispatch(c);
			return;
		}
	}
}

static void conn_io(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	struct control_conn *c = data;

	(void)sv;
	(void)fd;
	if (c->answered || (events & EPOLLOUT)) {
		int r = flush(c);

		if (r < 0 || (r > 0 && c->answered))
			conn_free(c);
		else if (r > 0)
			rewatch(c, c->dispatched ? 0 : EPOLLIN);
		return;
	}
	if (c->dispatched) {
		/* EPOLLHUP or EPOLLERR: the client is gone before the answer */
		if (events & (EPOLLHUP | EPOLLERR))
			conn_drop(c);
		return;
	}
	conn_read(c);
}

static void conn_timeout(struct supervisor *sv, void *data)
{
	struct control_conn *c = data;

	(void)sv;
	c->timer = 0;
	control_reply_error(c, 2, "no request within %d s", REQUEST_TIMEOUT_MS / 1000);
}

static bool allowed(const struct control *ctl, uid_t uid)
{
	return uid == 0 || uid == geteuid() || (ctl->owner != (uid_t)-1 && uid == ctl->owner);
}

static void on_accept(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	struct control *ctl = data;

	(void)events;
	for (;;) {
		struct error err = ERROR_INIT;
		struct control_conn *c;
		struct ucred cred = {.uid = (uid_t)-1};
		socklen_t len = sizeof(cred);
		int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_debug("control socket: accept: %s", strerror(errno));
			return;
		}
		c = xcalloc(1, sizeof(*c));
		c->ctl = ctl;
		c->fd = cfd;
		c->next = ctl->conns;
		ctl->conns = c;
		strbuf_init(&c->out);
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
			cred.uid = (uid_t)-1;
		c->uid = cred.uid;
		c->pid = cred.pid;
		if (!allowed(ctl, cred.uid)) {
			log_warn("control socket: refused a request from uid %u (pid %d)",
				 (unsigned)cred.uid, (int)cred.pid);
			control_reply_error(c, 4, "permission denied: uid %u may not ask this "
					    "supervisor", (unsigned)cred.uid);
			continue;
		}
		rewatch(c, EPOLLIN);
		c->timer = supervisor_add_timer(sv, REQUEST_TIMEOUT_MS, conn_timeout, c, &err);
		if (!c->watched || c->timer < 0) {
			c->timer = 0;
			conn_free(c);
		}
	}
}

int control_attach(struct control *ctl, struct supervisor *sv, struct error *err)
{
	ctl->sv = sv;
	return supervisor_watch_fd(sv, ctl->fd, EPOLLIN, on_accept, ctl, err);
}

void control_destroy(struct control *ctl)
{
	struct stat st;

	if (!ctl)
		return;
	/* the supervisor's loop is over: its watches and timers are gone */
	ctl->sv = NULL;
	while (ctl->conns) {
		struct control_conn *c = ctl->conns;

		if (!c->answered) {
			c->answered = true;
			strbuf_adds(&c->out, "{\"error\": \"the supervisor is exiting\", \"exit\": 3}\n");
			flush(c);
			if (c->on_close) {
				void (*cb)(struct control_conn *, void *) = c->on_close;

				c->on_close = NULL;
				cb(c, c->close_data);
			}
		}
		conn_free(c);
	}
	close(ctl->fd);
	/* only our own socket: a later supervisor may have replaced it */
	if (lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
	for (size_t i = 0; i < ctl->n_verbs; i++)
		free(ctl->verbs[i].name);
	free(ctl->verbs);
	free(ctl->path);
	free(ctl);
}

/* ---- the client's side ---- */

static int64_t left_ms(uint64_t deadline)
{
	uint64_t now;

	if (!deadline)
		return -1;
	now = now_ns();
	return now >= deadline ? 0 : (int64_t)((deadline - now) / 1000000) + 1;
}

/* Connects to path: fd, or -1 with *not_running set when nobody listens there. */
static int connect_to(const char *path, bool *not_running, struct error *err)
{
	struct sockaddr_un sa;
	int fd;

	*not_running = false;
	if (fill_addr(&sa, path) < 0)
		return error_set(err, 0, "%s: path too long for a unix socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set(err, errno, "cannot create a socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	close(fd);
	if (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR) {
		*not_running = true;
		if (errno == ENOENT)
			return error_set(err, 0, "no control socket at %s", path);
		return error_set(err, 0, "nobody answers on %s (a supervisor that was killed "
				 "left it)", path);
	}
	if (errno == EACCES || errno == EPERM)
		return error_set(err, errno, "cannot connect to %s (the supervisor runs as "
				 "another user: ask as root or as that user)", path);
	return error_set(err, errno, "cannot connect to %s", path);
}

int control_request(char *const *paths, const char *line, int64_t timeout_ms,
		    void (*progress)(const char *text, void *data), void *data, char **answer,
		    const char **used, struct error *err)
{
	uint64_t deadline = timeout_ms > 0 ? now_ns() + (uint64_t)timeout_ms * 1000000 : 0;
	_cleanup_close_ int fd = -1;
	struct strbuf in;
	_cleanup_free_ char *req = NULL;
	size_t off = 0, reqlen;
	bool not_running = true;

	*answer = NULL;
	for (size_t i = 0; paths && paths[i]; i++) {
		error_clear(err);
		*used = paths[i];
		fd = connect_to(paths[i], &not_running, err);
		if (fd >= 0 || !not_running)
			break;
	}
	if (fd < 0)
		return not_running ? CONTROL_NOT_RUNNING : -1;
	req = xasprintf("%s\n", line);
	reqlen = strlen(req);
	while (off < reqlen) {
		ssize_t n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		/* a supervisor that refuses answers at once and closes: read that */
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			break;
		if (n < 0)
			return error_set(err, errno, "cannot send the request to %s", *used);
		off += (size_t)n;
	}
	strbuf_init(&in);
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		char buf[4096];
		char *nl;
		ssize_t n;
		int r = poll(&pfd, 1, (int)left_ms(deadline));

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			strbuf_finish(&in);
			return error_set(err, 0, "no answer from the supervisor within %.1fs (%s)",
					 timeout_ms / 1000.0, *used);
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			strbuf_finish(&in);
			error_set(err, n < 0 ? errno : 0, "the supervisor closed the connection "
				  "without an answer (%s)", *used);
			return CONTROL_NOT_RUNNING;
		}
		strbuf_add(&in, buf, (size_t)n);
		while (in.len && (nl = memchr(in.buf, '\n', in.len))) {
			size_t len = (size_t)(nl - in.buf);
			char *one = xstrndup(in.buf, len);
			char *text = control_json_get(one, "progress");

			memmove(in.buf, nl + 1, in.len - len - 1);
			in.len -= len + 1;
			in.buf[in.len] = '\0';
			if (text) {
				if (progress)
					progress(text, data);
				free(text);
				free(one);
				continue;
			}
			*answer = one;
			strbuf_finish(&in);
			return 0;
		}
	}
}

/* ---- a small reader for the answers' top-level keys ---- */

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return s;
}

/* Past the JSON string at s (at its opening quote); NULL when malformed. */
static const char *skip_string(const char *s, struct strbuf *out)
{
	for (s++; *s && *s != '"'; s++) {
		if (*s != '\\') {
			if (out)
				strbuf_addc(out, *s);
			continue;
		}
		s++;
		switch (*s) {
		case 'n': if (out) strbuf_addc(out, '\n'); break;
		case 't': if (out) strbuf_addc(out, '\t'); break;
		case 'r': if (out) strbuf_addc(out, '\r'); break;
		case 'b': if (out) strbuf_addc(out, '\b'); break;
		case 'f': if (out) strbuf_addc(out, '\f'); break;
		case 'u': {
			unsigned v = 0;

			for (int i = 1; i <= 4; i++) {
				char c = s[i];

				if (!c)
					return NULL;
				v = v * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10
											 : c - '0');
			}
			s += 4;
			if (out)
				strbuf_addc(out, v < 0x80 && v >= 0x20 ? (char)v : '?');
			break;
		}
		case '\0':
			return NULL;
		default:
			if (out)
				strbuf_addc(out, *s);
		}
	}
	return *s == '"' ? s + 1 : NULL;
}

/* Past one JSON value at s; NULL when malformed. */
static const char *skip_value(const char *s, int depth)
{
	s = skip_ws(s);
	if (depth > 32)
		return NULL;
	if (*s == '"')
		return skip_string(s, NULL);
	if (*s == '{' || *s == '[') {
		char close = *s == '{' ? '}' : ']';

		s = skip_ws(s + 1);
		if (*s == close)
			return s + 1;
		for (;;) {
			if (close == '}') {
				if (*s != '"' || !(s = skip_string(s, NULL)))
					return NULL;
				s = skip_ws(s);
				if (*s++ != ':')
					return NULL;
			}
			if (!(s = skip_value(s, depth + 1)))
				return NULL;
			s = skip_ws(s);
			if (*s == ',') {
				s = skip_ws(s + 1);
				continue;
			}
			return *s == close ? s + 1 : NULL;
		}
	}
	if (!*s)
		return NULL;
	s += strspn(s, "-+.0123456789eEtruefalsn");
	return s;
}

static char *lookup(const char *json, const char *key, bool raw)
{
	const char *s = skip_ws(json);

	if (*s++ != '{')
		return NULL;
	s = skip_ws(s);
	if (*s == '}')
		return NULL;
	for (;;) {
		struct strbuf k;
		const char *v, *end;
		bool match;

		if (*s != '"')
			return NULL;
		strbuf_init(&k);
		s = skip_string(s, &k);
		match = s && k.buf && str_eq(k.buf, key);
		strbuf_finish(&k);
		if (!s)
			return NULL;
		s = skip_ws(s);
		if (*s++ != ':')
			return NULL;
		v = skip_ws(s);
		end = skip_value(v, 0);
		if (!end)
			return NULL;
		if (match) {
			if (*v == '"' && !raw) {
				struct strbuf out;

				strbuf_init(&out);
				skip_string(v, &out);
				return out.buf ? strbuf_detach(&out) : xstrdup("");
			}
			return xstrndup(v, (size_t)(end - v));
		}
		s = skip_ws(end);
		if (*s == ',') {
			s = skip_ws(s + 1);
			continue;
		}
		return NULL;
	}
}

char *control_json_get(const char *json, const char *key)
{
	return lookup(json, key, false);
}

char *control_json_raw(const char *json, const char *key)
{
	return lookup(json, key, true);
}

const char *control_json_skip(const char *s)
{
	return skip_value(s, 0);
}
