#include "server.h"
#include "cgroup.h"
#include "fileio.h"
#include "hash.h"
#include "path.h"
#include "pep440.h"
#include "pyenv.h"
#include "pyimport.h"
#include "servercfg.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>

const char *const server_ids[] = {
	"server.reload-in-production",
	"server.reload-workers",
	"server.ignored-setting",
	"server.bind-local-in-production",
	"server.bind-public-in-development",
	"server.port-in-use",
	"server.workers-excessive",
	"server.proxy-headers",
	"server.worker-class",
	"server.import",
	"server.outside-config",
	"server.listen-fds",
	NULL,
};

enum bind_kind { BIND_TCP, BIND_UNIX, BIND_FD };

struct bind {
	enum bind_kind kind;
	char *host;        /* TCP: without brackets; "" for all interfaces */
	int port;
	bool loopback;     /* TCP on a loopback address or localhost */
};

static bool host_is_loopback(const char *h)
{
	unsigned char a[16];

	if (strcmp(h, "localhost") == 0 || strcmp(h, "ip6-localhost") == 0 ||
	    str_ends_with(h, ".localhost"))
		return true;
	if (inet_pton(AF_INET, h, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, h, a) == 1) {
		static const unsigned char one[16] = {[15] = 1};
		static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};

		return memcmp(a, one, 16) == 0 || (memcmp(a, mapped, 12) == 0 && a[12] == 127);
	}
	return false;
}

static void bind_parse(const char *s, struct bind *b)
{
	const char *colon;

	memset(b, 0, sizeof(*b));
	if (str_starts_with(s, "unix:")) {
		b->kind = BIND_UNIX;
		b->host = xstrdup(s + 5);
		return;
	}
	if (str_starts_with(s, "fd://")) {
		b->kind = BIND_FD;
		b->host = xstrdup(s + 5);
		return;
	}
	b->kind = BIND_TCP;
	colon = strrchr(s, ':');
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		b->host = xstrndup(s + 1, close ? (size_t)(close - s - 1) : strlen(s + 1));
		colon = close ? strchr(close, ':') : NULL;
	} else if (colon) {
		b->host = xstrndup(s, (size_t)(colon - s));
	} else {
		b->host = xstrdup(s);
	}
	b->port = colon ? atoi(colon + 1) : 8000;
	b->loopback = host_is_loopback(b->host);
}

struct binds {
	struct bind *v;
	size_t n;
	size_t n_tcp, n_loopback, n_public; /* public: TCP not on loopback */
};

static void binds_init(struct binds *bs, const struct profile *p)
{
	size_t i;

	memset(bs, 0, sizeof(*bs));
	bs->v = xcalloc(p->bind.n ? p->bind.n : 1, sizeof(*bs->v));
	bs->n = p->bind.n;
	for (i = 0; i < bs->n; i++) {
		bind_parse(p->bind.v[i], &bs->v[i]);
		if (bs->v[i].kind != BIND_TCP)
			continue;
		bs->n_tcp++;
		if (bs->v[i].loopback)
			bs->n_loopback++;
		else
			bs->n_public++;
	}
}

static void binds_finish(struct binds *bs)
{
	size_t i;

	for (i = 0; i < bs->n; i++)
		free(bs->v[i].host);
	free(bs->v);
}

static struct profile_loc loc_first(const struct profile *p, const char *s1, const char *k1,
				    const char *s2, const char *k2)
{
	struct profile_loc loc = profile_loc(p, s1, k1);

	if (!loc.file && s2)
		loc = profile_loc(p, s2, k2);
	return loc;
}

static bool args_have(const struct profile *p, const char *opt)
{
	size_t i, n = strlen(opt);

	for (i = 0; i < p->args.n; i++)
		if (strncmp(p->args.v[i], opt, n) == 0 &&
		    (p->args.v[i][n] == '\0' || p->args.v[i][n] == '='))
			return true;
	return false;
}

static void check_reload(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	bool in_args = args_have(p, "--reload");
	struct profile_loc loc;

	if ((p->reload || in_args) && p->stage != STAGE_DEVELOPMENT) {
		loc = in_args ? profile_loc(p, "server", "args") : profile_loc(p, "server", "reload");
		report_add(r, "server.reload-in-production", SEVERITY_ERROR, loc.file, loc.line,
			   "set [server] reload = false (and drop --reload from args) outside the "
			   "development profile",
			   "the server restarts on file changes in a %s profile: a watcher per "
			   "process, restarts on any write under the app, %s",
			   profile_stage_name(p->stage),
			   p->server == SERVER_UVICORN ? "and a single worker" :
			   "and code that changes under running workers");
	}
	if (p->server == SERVER_UVICORN && (p->reload || in_args) && p->workers > 1) {
		loc = profile_loc(p, "server", "workers");
		report_add(r, "server.reload-workers", SEVERITY_WARNING, loc.file, loc.line,
			   "use workers = 1 with reload, or turn reload off to get the workers",
			   "uvicorn ignores workers = %ld when reload is on: it runs one process",
			   p->workers);
	}
}

/* Position in the extends chain of the file loc points to; -1 for defaults. */
static long chain_index(const struct profile *p, struct profile_loc loc)
{
	size_t i;

	for (i = 0; loc.file && i < p->files.n; i++)
		if (strcmp(p->files.v[i], loc.file) == 0)
			return (long)i;
	return -1;
}

/*
 * uvicorn has no equivalent of some [server] keys.  A key set in the file
 * that chose uvicorn, or in a later one, was meant for it and is reported;
 * one inherited from a parent written for gunicorn (the example's base) is
 * not.
 */
static void check_ignored(const struct context *ctx, struct report *r, const struct binds *bs)
{
	static const struct {
		const char *key;
		const char *why;
	} ignored[] = {
		{"worker_class", "uvicorn has no worker classes"},
		{"threads", "uvicorn runs no threads per worker"},
		{"preload", "uvicorn has no --preload: each worker imports the app"},
		{"timeout", "uvicorn does not kill silent workers (gunicorn's --timeout)"},
		{"max_requests_jitter", "uvicorn has no jitter for --limit-max-requests"},
		{"config", "uvicorn reads no config file (gunicorn's --config)"},
	};
	const struct profile *p = ctx->profile;
	long chosen = chain_index(p, profile_loc(p, "app", "server"));
	struct profile_loc loc;
	size_t i;

	if (p->server != SERVER_UVICORN)
		return;
	for (i = 0; i < ARRAY_SIZE(ignored); i++) {
		loc = profile_loc(p, "server", ignored[i].key);
		if (chain_index(p, loc) < chosen || !loc.file)
			continue;
		report_add(r, "server.ignored-setting", SEVERITY_WARNING, loc.file, loc.line,
			   "remove it, or use server = gunicorn with worker_class = "
			   "uvicorn.workers.UvicornWorker to have it",
			   "[server] %s has no effect with uvicorn: %s", ignored[i].key,
			   ignored[i].why);
	}
	/* on a public address in staging or production, server.proxy-headers says it */
	if (p->stage != STAGE_DEVELOPMENT && bs->n_public)
		return;
	loc = profile_loc(p, "server", "forwarded_allow_ips");
	if (p->forwarded_allow_ips.n && !p->proxy_headers && chain_index(p, loc) >= chosen &&
	    loc.file)
		report_add(r, "server.ignored-setting", SEVERITY_WARNING, loc.file, loc.line,
			   "set [server] proxy_headers = true to honour the proxies' headers",
			   "[server] forwarded_allow_ips has no effect with uvicorn while "
			   "proxy_headers = false (deploy-run passes --no-proxy-headers)");
}

static void check_binds(const struct context *ctx, struct report *r, const struct binds *bs)
{
	const struct profile *p = ctx->profile;
	struct profile_loc loc = profile_loc(p, "server", "bind");
	size_t i;

	if (p->stage != STAGE_DEVELOPMENT && bs->n && bs->n_loopback == bs->n)
		report_add(r, "server.bind-local-in-production",
			   p->stage == STAGE_PRODUCTION ? SEVERITY_ERROR : SEVERITY_WARNING,
			   loc.file, loc.line,
			   "bind an address the proxy or load balancer can reach (0.0.0.0:PORT in a "
			   "container), or a unix socket (unix:/run/app.sock) for a proxy on this host",
			   "the server listens on loopback only (%s) in a %s profile: nothing outside "
			   "this host or container can reach it", p->bind.v[0],
			   profile_stage_name(p->stage));
	if (p->stage == STAGE_DEVELOPMENT)
		for (i = 0; i < bs->n; i++) {
			if (bs->v[i].kind != BIND_TCP || bs->v[i].loopback)
				continue;
			report_add(r, "server.bind-public-in-development", SEVERITY_WARNING, loc.file,
				   loc.line,
				   "bind 127.0.0.1:PORT in development; a debug server on a public "
				   "address exposes the debugger and unfinished code to the network",
				   "the development server listens on %s, reachable from the network",
				   p->bind.v[i]);
			break;
		}
}

static void check_proxy(const struct context *ctx, struct report *r, const struct binds *bs)
{
	const struct profile *p = ctx->profile;
	bool env_ips = environ_value(ctx->env, "FORWARDED_ALLOW_IPS") != NULL;
	bool trusted = p->forwarded_allow_ips.n || env_ips;
	struct profile_loc loc;

	if (p->stage == STAGE_DEVELOPMENT || !bs->n_public)
		return;
	if (p->server == SERVER_UVICORN && !p->proxy_headers) {
		loc = loc_first(p, "server", "proxy_headers", "server", "bind");
		report_add(r, "server.proxy-headers", SEVERITY_WARNING, loc.file, loc.line,
			   "set [server] proxy_headers = true and forwarded_allow_ips to the proxy's "
			   "addresses",
			   "uvicorn serves a non-loopback address with proxy headers off: behind a "
			   "proxy, request.url has the wrong scheme and client the proxy's address");
	} else if (!trusted) {
		loc = loc_first(p, "server", "forwarded_allow_ips", "server", "bind");
		report_add(r, "server.proxy-headers", SEVERITY_WARNING, loc.file, loc.line,
			   "set [server] forwarded_allow_ips to the proxy's addresses (or * when only "
			   "the proxy can reach the server)",
			   "no forwarded_allow_ips in a %s profile on a non-loopback address: %s "
			   "trusts X-Forwarded-* only from 127.0.0.1, so behind a proxy on another "
			   "host redirects use http:// and logs show the proxy's address",
			   profile_stage_name(p->stage), profile_server_name(p->server));
	}
}

/* --- port in use ------------------------------------------------------- */

/* The kernel prints each 32-bit word of the address in host order. */
static bool parse_addr(const char *hex, size_t len, unsigned char *out)
{
	size_t w, i;

	for (w = 0; w < len / 8; w++) {
		uint32_t word = 0;

		for (i = 0; i < 8; i++) {
			int v = hex_value((unsigned char)hex[w * 8 + i]);

			if (v < 0)
				return false;
			word = word << 4 | (uint32_t)v;
		}
		memcpy(out + w * 4, &word, 4);
	}
	return true;
}

void server_parse_listeners(const char *buf, bool v6, struct server_listener **out, size_t *n,
			    size_t *cap)
{
	const char *p = buf;
	size_t alen = v6 ? 32 : 8;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		_cleanup_free_ char *line = xstrndup(p, end ? (size_t)(end - p) : strlen(p));
		char local[40], remote[64], state[8];
		unsigned port, inode_dummy;
		unsigned long inode;
		struct server_listener l = {0};

		p = end ? end + 1 : NULL;
		if (sscanf(line, " %*[0-9]: %39[0-9A-Fa-f]:%x %63s %7s %*s %*s %*s %u %*s %lu",
			   local, &port, remote, state, &inode_dummy, &inode) != 6)
			continue;
		if (strcmp(state, "0A") != 0 || strlen(local) != alen || port > 0xffff)
			continue;
		l.v6 = v6;
		if (!parse_addr(local, alen, l.addr))
			continue;
		l.port = (int)port;
		l.inode = inode;
		grow_array((void **)out, cap, *n + 1, sizeof(**out));
		(*out)[(*n)++] = l;
	}
}

static bool all_zero(const unsigned char *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

/* Would binding (v6, addr) conflict with the listener l on the same port? */
static bool conflicts(bool v6, const unsigned char *addr, const struct server_listener *l)
{
	static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
	unsigned char a4[4], l4[4];
	bool a_is4 = !v6, l_is4 = !l->v6;

	if (l->v6 && all_zero(l->addr, 16))
		return true; /* [::] takes IPv4 too unless IPV6_V6ONLY */
	if (v6 && all_zero(addr, 16))
		return true;
	if (v6 && memcmp(addr, mapped, 12) == 0) {
		memcpy(a4, addr + 12, 4);
		a_is4 = true;
	} else if (!v6) {
		memcpy(a4, addr, 4);
	}
	if (l->v6 && memcmp(l->addr, mapped, 12) == 0) {
		memcpy(l4, l->addr + 12, 4);
		l_is4 = true;
	} else if (!l->v6) {
		memcpy(l4, l->addr, 4);
	}
	if (a_is4 != l_is4)
		return false;
	if (a_is4)
		return all_zero(a4, 4) || all_zero(l4, 4) || memcmp(a4, l4, 4) == 0;
	return memcmp(addr, l->addr, 16) == 0;
}

/* /proc/net/tcp does not say how big it is (st_size 0): read it with stdio. */
static char *read_proc(const char *path)
{
	FILE *f = fopen(path, "re");
	struct strbuf sb;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	strbuf_init(&sb);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && sb.len < 64u * 1024 * 1024)
		strbuf_add(&sb, chunk, n);
	fclose(f);
	return strbuf_detach(&sb);
}

/* "pid 123 (python3 -m http.server 8000)" for the process holding the socket. */
static char *socket_holder(unsigned long inode)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	char want[64], *found = NULL;

	if (!proc)
		return NULL;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (!found && (e = readdir(proc))) {
		_cleanup_free_ char *fd_dir = NULL;
		struct dirent *f;
		DIR *fds;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		fd_dir = xasprintf("/proc/%s/fd", e->d_name);
		fds = opendir(fd_dir);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			_cleanup_free_ char *link = xasprintf("%s/%s", fd_dir, f->d_name);
			char target[128];
			ssize_t n = readlink(link, target, sizeof(target) - 1);

			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strcmp(target, want) == 0) {
				_cleanup_free_ char *cpath = xasprintf("/proc/%s/cmdline", e->d_name);
				_cleanup_free_ char *cmd = read_proc(cpath);
				struct strbuf sb;
				size_t i, len = 0;

				strbuf_init(&sb);
				/* cmdline is NUL-separated: show it as words on one line
				 * (a "python -c" script holds newlines), shortened with
				 * "..." so that a cut is never taken for the end */
				if (cmd)
					while (cmd[len] || cmd[len + 1])
						len++;
				for (i = 0; cmd && i <= len && i < 160; i++) {
					char c = cmd[i];

					if ((unsigned char)c <= ' ' || c == 0x7f) {
						if (sb.len && sb.buf[sb.len - 1] == ' ')
							continue;
						c = ' ';
					}
					strbuf_addc(&sb, c);
				}
				if (cmd && len > 160)
					strbuf_adds(&sb, "...");
				found = xasprintf("pid %s (%s)", e->d_name,
						  sb.len ? str_trim(sb.buf) : "?");
				strbuf_finish(&sb);
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}

/*
 * Whether binding (v6, addr):port fails because the address is taken: 1
 * taken, 0 free, -1 cannot tell (not an address of this host, a privileged
 * port).  SO_REUSEADDR as the servers set it, so that connections lingering
 * in TIME_WAIT do not count.  The socket never listens.
 */
static int bind_probe(bool v6, const unsigned char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, rc, e;

	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		memcpy(&a->sin6_addr, addr, 16);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		memcpy(&a->sin_addr, addr, 4);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, (struct sockaddr *)&ss, len);
	e = errno;
	close(fd);
	if (rc == 0)
		return 0;
	return e == EADDRINUSE ? 1 : -1;
}


/* ---- inherited sockets (LISTEN_FDS) ---- */

#define LISTEN_FDS_START 3
#define LISTEN_FDS_MAX 64

struct inherited {
	int fd;
	unsigned long inode;
	bool tcp, v6;
	unsigned char addr[16];
	int port;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	char text[160];      /* "fd 3: 127.0.0.1:8134" */
};

/*
 * The sockets passed to deploy-run by socket activation: LISTEN_FDS in its
 * own environment, for its own pid (LISTEN_PID).  Returns how many were
 * described in out.
 */
static size_t inherited_sockets(const struct context *ctx, struct inherited *out, size_t max)
{
	const char *fds = environ_process_value(ctx->caller_env, "LISTEN_FDS");
	const char *pid = environ_process_value(ctx->caller_env, "LISTEN_PID");
	long n, i;
	size_t k = 0;

	if (!fds || !pid || atol(pid) != (long)getpid())
		return 0;
	n = atol(fds);
	for (i = 0; i < n && k < max && i < LISTEN_FDS_MAX; i++) {
		struct inherited *s = &out[k];
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct stat st;
		char host[INET6_ADDRSTRLEN] = "";

		memset(s, 0, sizeof(*s));
		s->fd = LISTEN_FDS_START + (int)i;
		if (fstat(s->fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
		    getsockname(s->fd, (struct sockaddr *)&ss, &len) < 0)
			continue;
		s->inode = (unsigned long)st.st_ino;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			s->tcp = true;
			memcpy(s->addr, &a->sin_addr, 4);
			s->port = ntohs(a->sin_port);
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			snprintf(s->text, sizeof(s->text), "fd %d: %s:%d", s->fd, host, s->port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			s->tcp = s->v6 = true;
			memcpy(s->addr, &a->sin6_addr, 16);
			s->port = ntohs(a->sin6_port);
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			snprintf(s->text, sizeof(s->text), "fd %d: [%s]:%d", s->fd, host, s->port);
		} else if (ss.ss_family == AF_UNIX) {
			struct sockaddr_un *a = (struct sockaddr_un *)&ss;

			snprintf(s->path, sizeof(s->path), "%s", a->sun_path);
			snprintf(s->text, sizeof(s->text), "fd %d: unix:%s", s->fd, s->path);
		} else {
			snprintf(s->text, sizeof(s->text), "fd %d", s->fd);
		}
		k++;
	}
	return k;
}

/* Whether the inherited socket s is what bind b names. */
static bool inherited_is(const struct inherited *s, const struct bind *b)
{
	unsigned char a[16] = {0};

	if (b->kind == BIND_UNIX)
		return !s->tcp && s->path[0] && str_eq(s->path, b->host);
	if (b->kind == BIND_FD)
		return atoi(b->host) == s->fd;
	if (!s->tcp || s->port != b->port)
		return false;
	if (!*b->host || str_eq(b->host, "0.0.0.0"))
		return !s->v6 && all_zero(s->addr, 4);
	if (str_eq(b->host, "localhost"))
		return !s->v6 ? s->addr[0] == 127 : false;
	if (!s->v6 && inet_pton(AF_INET, b->host, a) == 1)
		return memcmp(a, s->addr, 4) == 0;
	if (s->v6 && inet_pton(AF_INET6, b->host, a) == 1)
		return memcmp(a, s->addr, 16) == 0;
	return false;
}

static void check_listen_fds(const struct context *ctx, struct report *r, const struct binds *bs)
{
	const struct profile *p = ctx->profile;
	struct profile_loc loc = profile_loc(p, "server", "bind");
	struct inherited socks[16];
	size_t n = inherited_sockets(ctx, socks, ARRAY_SIZE(socks)), i, j;
	struct strbuf have;

	if (!n)
		return;
	strbuf_init(&have);
	for (i = 0; i < n; i++)
		strbuf_addf(&have, "%s%s", i ? ", " : "", socks[i].text);
	if (p->server == SERVER_UVICORN) {
		if (bs->n && bs->v[0].kind != BIND_FD)
			report_add(r, "server.listen-fds", SEVERITY_ERROR, loc.file, loc.line,
				   "set [server] bind = fd://3 so that uvicorn serves the inherited "
				   "socket (uvicorn does not read LISTEN_FDS)",
				   "deploy-run was given %zu socket%s by socket activation (%s), but "
				   "uvicorn ignores LISTEN_FDS and binds %s itself", n, n == 1 ? "" : "s",
				   have.buf, p->bind.v[0]);
		strbuf_finish(&have);
		return;
	}
	/* gunicorn serves every inherited socket instead of --bind */
	for (i = 0; i < bs->n; i++) {
		for (j = 0; j < n && !inherited_is(&socks[j], &bs->v[i]); j++)
			;
		if (j == n)
			report_add(r, "server.listen-fds", SEVERITY_ERROR, loc.file, loc.line,
				   "make [server] bind name the sockets the service manager passes "
				   "(its ListenStream=), or pass the ones bind names",
				   "gunicorn serves the sockets inherited by socket activation (%s) "
				   "instead of its --bind, and none of them is %s", have.buf,
				   p->bind.v[i]);
	}
	for (j = 0; j < n; j++) {
		for (i = 0; i < bs->n && !inherited_is(&socks[j], &bs->v[i]); i++)
			;
		if (i == bs->n)
			report_add(r, "server.listen-fds", SEVERITY_ERROR, loc.file, loc.line,
				   "add it to [server] bind, or stop passing it",
				   "gunicorn will also serve the inherited socket %s, which [server] "
				   "bind does not name", socks[j].text);
	}
	strbuf_finish(&have);
}

static bool ours(const struct inherited *socks, size_t n, unsigned long inode)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (socks[i].inode == inode)
			return true;
	return false;
}

static void check_port(const struct context *ctx, struct report *r, const struct binds *bs)
{
	const struct profile *p = ctx->profile;
	struct profile_loc loc = profile_loc(p, "server", "bind");
	struct server_listener *ls = NULL;
	size_t nl = 0, cap = 0, i, j, k;
	bool loaded = false;
	/* a socket deploy-run inherited (LISTEN_FDS) is the server's, not in use */
	struct inherited socks[16];
	size_t nsocks = inherited_sockets(ctx, socks, ARRAY_SIZE(socks));

	for (i = 0; i < bs->n; i++) {
		const struct bind *b = &bs->v[i];
		unsigned char addrs[2][16];
		bool v6s[2];
		size_t na = 0;

		if (b->kind != BIND_TCP)
			continue;
		memset(addrs, 0, sizeof(addrs));
		if (strcmp(b->host, "localhost") == 0) {
			inet_pton(AF_INET, "127.0.0.1", addrs[0]);
			v6s[0] = false;
			inet_pton(AF_INET6, "::1", addrs[1]);
			v6s[1] = true;
			na = 2;
		} else if (!*b->host || inet_pton(AF_INET, b->host, addrs[0]) == 1) {
			v6s[na++] = false;
		} else if (inet_pton(AF_INET6, b->host, addrs[0]) == 1) {
			v6s[na++] = true;
		}
		if (!na)
			continue; /* a host name: no lookups in a check */
		/* Binding answers in microseconds; /proc/net/tcp, slow to generate
		 * on some kernels, is read only to name the holder, or when
		 * binding cannot tell. */
		for (k = 0; k < na && bind_probe(v6s[k], addrs[k], b->port) == 0; k++)
			;
		if (k == na)
			continue;
		if (!loaded) {
			_cleanup_free_ char *t4 = read_proc("/proc/net/tcp");
			_cleanup_free_ char *t6 = read_proc("/proc/net/tcp6");

			if (t4)
				server_parse_listeners(t4, false, &ls, &nl, &cap);
			if (t6)
				server_parse_listeners(t6, true, &ls, &nl, &cap);
			loaded = true;
		}
		for (k = 0; k < na; k++)
			for (j = 0; j < nl; j++) {
				_cleanup_free_ char *holder = NULL;

				if (ls[j].port != b->port || !conflicts(v6s[k], addrs[k], &ls[j]))
					continue;
				if (ours(socks, nsocks, ls[j].inode)) {
					k = na;
					break;
				}
				holder = socket_holder(ls[j].inode);
				report_add(r, "server.port-in-use", SEVERITY_ERROR, loc.file, loc.line,
					   "stop the other server, or bind another port",
					   "%s is already in use: a socket listening on port %d is held "
					   "by %s", p->bind.v[i], b->port,
					   holder ? holder : "a process deploy-run cannot see (another "
					   "user, or another container)");
				k = na;
				break;
			}
	}
	free(ls);
}

/* --- workers ----------------------------------------------------------- */

/* A memory limit file's value in bytes; 0 for "max" or v1's "unlimited" (huge). */
static int64_t bytes_in(const char *dir, const char *file)
{
	_cleanup_free_ char *buf = cgroup_read(dir, file);
	long long v;

	if (!buf || sscanf(buf, "%lld", &v) != 1 || v <= 0 || v >= (1LL << 62))
		return 0;
	return (int64_t)v;
}

static int64_t v2_memory_in(const char *dir)
{
	return bytes_in(dir, "memory.max");
}

static int64_t v1_memory_in(const char *dir)
{
	return bytes_in(dir, "memory.limit_in_bytes");
}

int64_t server_memory_limit(const char *root)
{
	static const char *const mounts[] = {"memory", NULL};
	static const struct cgroup_limit memory = {"memory", mounts, v1_memory_in, v2_memory_in};

	return cgroup_smallest_limit(root, &memory);
}

static void check_workers(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	long cpus = ctx->cpus > 0 ? ctx->cpus : 1;
	bool async = profile_async_worker(p);
	long workers = ctx->workers ? ctx->workers :
		       p->workers ? p->workers : profile_auto_workers(p, cpus);
	long justified = profile_auto_workers(p, cpus);
	struct profile_loc loc = profile_loc(p, "server", "workers");
	int64_t limit;

	if (p->server == SERVER_UVICORN && p->reload)
		workers = 1;
	if (p->workers && workers > justified)
		report_add(r, "server.workers-excessive",
			   p->stage == STAGE_PRODUCTION ? SEVERITY_ERROR : SEVERITY_WARNING,
			   loc.file, loc.line,
			   "use workers = auto, which follows the CPU quota, or raise the quota",
			   "workers = %ld, but %ld usable CPU%s justif%s at most %ld for %s workers "
			   "(%s): the extra processes only compete for the same CPU time and memory",
			   workers, cpus, cpus == 1 ? "" : "s", cpus == 1 ? "ies" : "y", justified,
			   async ? "asynchronous" : "synchronous",
			   async ? "one per CPU" : "2 x CPUs + 1");
	if (p->worker_memory <= 0)
		return;
	limit = server_memory_limit("/");
	if (limit && (int64_t)workers * p->worker_memory > limit) {
		loc = loc_first(p, "server", "worker_memory", "server", "workers");
		report_add(r, "server.workers-excessive", SEVERITY_ERROR, loc.file, loc.line,
			   "lower workers (or the per-worker memory), or raise the container's "
			   "memory limit",
			   "%ld workers x %lld MiB (worker_memory) = %lld MiB, above the cgroup memory "
			   "limit of %lld MiB: the kernel's OOM killer will stop workers under load",
			   workers, (long long)(p->worker_memory >> 20),
			   (long long)((workers * p->worker_memory) >> 20), (long long)(limit >> 20));
	}
}

/* --- worker class ------------------------------------------------------ */

static const char *interface_name(int i)
{
	return i == INTERFACE_WSGI ? "WSGI" : i == INTERFACE_ASGI ? "ASGI" : "unknown";
}

static const char *with_article(int i)
{
	return i == INTERFACE_WSGI ? "a WSGI" : i == INTERFACE_ASGI ? "an ASGI" : "an unknown";
}

/* What the configured server speaks to the app: WSGI or ASGI (AUTO: unknown). */
static int served_interface(const struct profile *p, char *desc, size_t size)
{
	if (p->server == SERVER_UVICORN) {
		bool wsgi = p->interface == INTERFACE_WSGI;

		snprintf(desc, size, "uvicorn%s", wsgi ? " --interface wsgi" : "");
		return wsgi ? INTERFACE_WSGI : INTERFACE_ASGI;
	}
	snprintf(desc, size, "gunicorn's %s worker", p->worker_class);
	if (strstr(p->worker_class, "uvicorn") || strstr(p->worker_class, "Uvicorn"))
		return INTERFACE_ASGI;
	if (strstr(p->worker_class, "aiohttp"))
		return INTERFACE_AUTO;
	return INTERFACE_WSGI;
}

/* WSGI or ASGI from the module path's words ("webapp.asgi:app"), else AUTO. */
static int interface_from_name(const char *module)
{
	const char *s = module;
	int found = INTERFACE_AUTO;

	while (*s) {
		size_t n = strcspn(s, ".:_");
		int kind = INTERFACE_AUTO;

		if (n == 4 && strncasecmp(s, "wsgi", 4) == 0)
			kind = INTERFACE_WSGI;
		else if (n == 4 && strncasecmp(s, "asgi", 4) == 0)
			kind = INTERFACE_ASGI;
		if (kind != INTERFACE_AUTO) {
			if (found != INTERFACE_AUTO && found != kind)
				return INTERFACE_AUTO;
			found = kind;
		}
		s += n;
		if (*s)
			s++;
	}
	return found;
}

/* Replaces every secret value of the environment in msg by ****. */
static char *masked(const struct context *ctx, const char *msg)
{
	char *s = xstrdup(msg);
	size_t i;

	if (ctx->reveal)
		return s;
	for (i = 0; i < ctx->env->n; i++) {
		const struct env_var *v = &ctx->env->vars[i];
		char *hit;

		if (!v->value || strlen(v->value) < 4 || !profile_is_secret(ctx->profile, v->key))
			continue;
		while ((hit = strstr(s, v->value))) {
			char *t = xasprintf("%.*s****%s", (int)(hit - s), s,
					    hit + strlen(v->value));

			free(s);
			s = t;
		}
	}
	return s;
}

static void report_import(const struct context *ctx, struct report *r,
			  const struct pyimport_result *res)
{
	const struct profile *p = ctx->profile;
	struct profile_loc loc = profile_loc(p, "app", "module");
	_cleanup_free_ char *msg = masked(ctx, res->error ? res->error : "");

	switch (res->status) {
	case PYIMPORT_FAILED: {
		_cleanup_free_ char *hint = xasprintf("fix the error, or start the server once to "
						      "see the traceback: deploy-run run %s",
						      r->profile);

		report_add(r, "server.import", SEVERITY_ERROR, res->file ? res->file : loc.file,
			   res->file ? res->line : loc.line, hint,
			   "importing %s in the venv's python failed: %s", p->module, msg);
		break;
	}
	case PYIMPORT_TIMEOUT:
		report_add(r, "server.import", SEVERITY_ERROR, loc.file, loc.line,
			   "move slow work (connections, downloads) out of import time, or raise "
			   "[checks] import_timeout",
			   "importing %s did not finish within %lld ms and was killed", p->module,
			   (long long)p->import_timeout_ms);
		break;
	case PYIMPORT_CRASHED:
		report_add(r, "server.import", SEVERITY_ERROR, loc.file, loc.line,
			   "run the venv's python by hand in the working directory to see why",
			   "importing %s ended without a result: %s", p->module, msg);
		break;
	case PYIMPORT_OK:
		break;
	}
}

static void check_worker_class(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	struct pyimport_result res = {0};
	char served_desc[256];
	int served = served_interface(p, served_desc, sizeof(served_desc));
	int app = INTERFACE_AUTO;
	const char *how;
	_cleanup_free_ char *imported = NULL;
	struct profile_loc loc = p->server == SERVER_GUNICORN
		? loc_first(p, "server", "worker_class", "app", "module")
		: loc_first(p, "app", "interface", "app", "server");

	if (ctx->import_app) {
		_cleanup_free_ char *python = xasprintf("%s/bin/python", p->venv);
		struct error err = ERROR_INIT;
		struct strv envp = STRV_INIT;

		if (!path_exists(python))
			return; /* venv.missing says why */
		environ_envp(ctx->env, &envp);
		if (pyimport_run(python, p->module, strv_argv(&envp), p->workdir,
				 p->import_timeout_ms, &res, &err) < 0) {
			report_add(r, "server.import", SEVERITY_ERROR, NULL, 0, NULL, "%s%s%s",
				   err.message, err.errnum ? ": " : "",
				   err.errnum ? strerror(err.errnum) : "");
			strv_finish(&envp);
			return;
		}
		strv_finish(&envp);
		if (res.status != PYIMPORT_OK) {
			report_import(ctx, r, &res);
			pyimport_result_finish(&res);
			return;
		}
		app = res.kind;
		imported = xasprintf("imported: %s", res.what);
		how = imported;
		pyimport_result_finish(&res);
	} else if (p->interface != INTERFACE_AUTO) {
		app = p->interface;
		how = "[app] interface";
	} else {
		app = interface_from_name(p->module);
		how = "inferred from its module name; check --import tells for sure";
	}
	if (app == INTERFACE_AUTO || served == INTERFACE_AUTO) {
		if (imported)
			report_add(r, "server.worker-class", SEVERITY_NOTE, NULL, 0, NULL,
				   "%s is neither a WSGI nor an ASGI callable (%s)", p->module,
				   how);
		return;
	}
	if (app == served) {
		if (imported)
			report_add(r, "server.worker-class", SEVERITY_NOTE, NULL, 0, NULL,
				   "%s is %s app (%s), served by %s", p->module,
				   with_article(app), how, served_desc);
		return;
	}
	report_add(r, "server.worker-class", SEVERITY_ERROR, loc.file, loc.line,
		   app == INTERFACE_ASGI
		   ? "serve it with worker_class = uvicorn.workers.UvicornWorker, or server = uvicorn"
		   : "serve it with gunicorn's sync or gthread worker, or uvicorn with [app] "
		     "interface = wsgi",
		   "%s is %s app (%s), but %s serves %s: every request fails", p->module,
		   with_article(app), how, served_desc, interface_name(served));
}

/* ---- settings from outside deploy-run's argv (checks/servercfg.h) ---- */

static void report_outside(const struct context *ctx, struct report *r,
			   const struct servercfg_outside *x, size_t n)
{
	const struct profile *p = ctx->profile;
	const char *server = profile_server_name(p->server);
	struct strbuf set, pinned, why;
	bool fatal = false, any_unpinned = false;
	size_t i;
	const char *name = x->variable ? x->variable : "the config file";
	_cleanup_free_ char *where = x->variable ? xasprintf("%s (%s)", x->variable, x->origin)
		: xstrdup(x->origin);
	_cleanup_free_ char *hint = NULL;

	strbuf_init(&set);
	strbuf_init(&pinned);
	strbuf_init(&why);
	for (i = 0; i < n; i++) {
		struct strbuf *to = x[i].pinned && !x[i].fatal ? &pinned : &set;

		fatal |= x[i].fatal;
		any_unpinned |= !x[i].pinned && !x[i].fatal;
		if (x[i].setting)
			strbuf_addf(to, "%s%s = %s", to->len ? ", " : "", x[i].setting,
				    x[i].value ? x[i].value : "");
		if (x[i].why)
			strbuf_addf(&why, "%s%s", why.len ? "; " : "", x[i].why);
	}
	if (!x->variable)
		hint = xasprintf("name it in [server] config to use it (then check --server-config "
				 "shows what it sets), or remove it from %s", ctx->cwd);
	else if (str_eq(x->origin, "process environment"))
		hint = xasprintf("unset %s where deploy-run is started (the service's Environment=, "
				 "the container's env, the shell); set what the server needs in "
				 "[server]", name);
	else
		hint = xasprintf("remove %s from %s; set what the server needs in [server]", name,
				 x->file ? x->file : x->origin);
	if (fatal)
		report_add(r, "server.outside-config", SEVERITY_ERROR, x->file, x->line, hint,
			   "%s reaches %s: %s", where, server, why.buf);
	else if (any_unpinned && set.len)
		report_add(r, "server.outside-config", SEVERITY_ERROR, x->file, x->line, hint,
			   "%s sets %s's %s, which deploy-run's argv cannot override: %s runs "
			   "with it, not with the profile%s%s%s%s%s", where, server, set.buf, server,
			   pinned.len ? " (overridden: " : "", pinned.buf, pinned.len ? ")" : "",
			   why.len ? "; " : "", why.buf);
	else if (any_unpinned)
		report_add(r, "server.outside-config", SEVERITY_ERROR, x->file, x->line, hint,
			   "%s reaches %s, and deploy-run's argv cannot override it: %s", where,
			   server, why.len ? why.buf : "the server reads it");
	else
		report_add(r, "server.outside-config", SEVERITY_WARNING, x->file, x->line, hint,
			   "%s would set %s's %s; deploy-run's argv overrides it%s%s",
			   where, server, pinned.len ? pinned.buf : "settings",
			   why.len ? ": " : "", why.buf);
	strbuf_finish(&set);
	strbuf_finish(&pinned);
	strbuf_finish(&why);
}

static void check_outside(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	struct pyenv pe;
	struct pyenv_found found;
	struct servercfg sc;
	struct error err = ERROR_INIT;
	size_t i, j;

	memset(&found, 0, sizeof(found));
	if (pyenv_open(&pe, p->venv, ctx->env, &err) == 0) {
		pyenv_find(&pe, profile_server_name(p->server), profile_server_name(p->server),
			   &found);
		pyenv_finish(&pe);
	}
	if (servercfg_build(&sc, p, ctx->env, found.version, ctx->workers, NULL, ctx->cwd,
			    ctx->reveal, &err) == 0) {
		/* one finding per source: a variable's items are consecutive */
		for (i = 0; i < sc.noutside; i = j) {
			for (j = i + 1; j < sc.noutside && str_eq(sc.outside[j].variable,
								 sc.outside[i].variable) &&
			     str_eq(sc.outside[j].origin, sc.outside[i].origin); j++)
				;
			report_outside(ctx, r, &sc.outside[i], j - i);
		}
		servercfg_finish(&sc);
	}
	pyenv_found_finish(&found);
}

/* --- the worker memory ceiling ------------------------------------------ */

/*
 * [server] max_worker_memory needs a server that replaces a worker that
 * exits (launcher/memwatch.h): gunicorn always, uvicorn's own process
 * manager only from 0.30 on and only with more than one worker.
 */
static void check_memory_ceiling(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	struct profile_loc loc = profile_loc(p, "server", "max_worker_memory");
	long workers = ctx->workers ? ctx->workers : p->workers;
	struct pep440_version v, min;
	struct error err = ERROR_INIT;
	struct pyenv_found found;
	struct pyenv pe;
	bool old = true;

	if (!p->max_worker_memory || p->server != SERVER_UVICORN)
		return;
	memset(&found, 0, sizeof(found));
	if (pyenv_open(&pe, p->venv, ctx->env, &err) == 0) {
		pyenv_find(&pe, "uvicorn", "uvicorn", &found);
		pyenv_finish(&pe);
	}
	if (found.version && pep440_version_parses(&v, found.version, &err) == 0) {
		if (pep440_version_parses(&min, "0.30", &err) == 0) {
			old = pep440_version_compare(&v, &min) < 0;
			pep440_version_finish(&min);
		}
		pep440_version_finish(&v);
	}
	if (old || workers == 1)
		report_add(r, "server.memory-ceiling-unsupported",
			   p->stage == STAGE_DEVELOPMENT ? SEVERITY_WARNING : SEVERITY_ERROR,
			   loc.file, loc.line,
			   "run the app under gunicorn with worker_class = uvicorn.workers.UvicornWorker "
			   "(server = gunicorn), or install uvicorn 0.30 or later with workers = 2 or more",
			   "max_worker_memory cannot take effect: %s%s%s",
			   old ? "uvicorn " : "a single uvicorn process cannot be replaced without "
			   "downtime", old ? (found.version ? found.version : "of unknown version") : "",
			   old ? " does not restart a worker that exits (its process manager does from "
			   "0.30 on), so a worker recycled for its memory would not come back" : "");
	pyenv_found_finish(&found);
}

void server_check(const struct context *ctx, struct report *r)
{
	struct binds bs;

	binds_init(&bs, ctx->profile);
	check_reload(ctx, r);
	check_ignored(ctx, r, &bs);
	check_binds(ctx, r, &bs);
	check_port(ctx, r, &bs);
	check_listen_fds(ctx, r, &bs);
	check_outside(ctx, r);
	check_workers(ctx, r);
	check_proxy(ctx, r, &bs);
	check_worker_class(ctx, r);
	check_memory_ceiling(ctx, r);
	binds_finish(&bs);
}
