/* The health target, and the sd_notify address and sender. */
#include "t.h"
#include "health.h"
#include "notify.h"
#include "profile.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

/* Loads a profile made of the [server] bind and [health] lines given. */
static struct profile *load_err(const char *dir, const char *bind, const char *health,
				struct error *err)
{
	char *path = xasprintf("%s/t.ini", dir);
	FILE *f = fopen(path, "w");
	struct profile *p;

	fprintf(f, "[app]\nroot = %s\nmodule = a:b\n[server]\nbind = %s\n[health]\n%s\n", dir,
		bind, health);
	fclose(f);
	p = profile_load(path, ".", err);
	free(path);
	return p;
}

static struct profile *load(const char *dir, const char *bind, const char *health)
{
	struct error err = ERROR_INIT;
	struct profile *p = load_err(dir, bind, health, &err);

	if (!p)
		fprintf(stderr, "%s\n", err.message);
	return p;
}

static void test_target(void)
{
	char dir[] = "/tmp/test-health.XXXXXX";
	struct error err = ERROR_INIT;
	struct health_target t, u;
	struct profile *p;

	CHECK(mkdtemp(dir) != NULL);
	p = load(dir, "0.0.0.0:8000", "path = /healthz");
	CHECK_INT(health_target_init(&t, p, &err), 1);
	CHECK_STR(t.url, "http://127.0.0.1:8000/healthz");
	CHECK_STR(t.host, "127.0.0.1");
	CHECK_INT(t.port, 8000);
	CHECK(t.builtin && !t.unix_socket);
	CHECK_INT(t.timeout_ms, 5000);
	health_target_with_path(&u, &t, "/api/x");
	CHECK_STR(u.url, "http://127.0.0.1:8000/api/x");
	CHECK_STR(u.path, "/api/x");
	health_target_finish(&u);
	health_target_finish(&t);
	profile_destroy(p);

	p = load(dir, "[::]:9000, 127.0.0.1:1", "path = /h\nexpect = 204\ntimeout = 1s");
	CHECK_INT(health_target_init(&t, p, &err), 1);
	CHECK_STR(t.url, "http://[::1]:9000/h");
	CHECK_STR(t.host, "::1");
	CHECK_INT(t.addrlen, 0);
	CHECK_INT(health_target_resolve(&t, &err), 0);
	CHECK_INT(t.addr.ss_family, AF_INET6);
	CHECK_INT(t.addrlen, sizeof(struct sockaddr_in6));
	CHECK(value_statuses_match(&t.expect, 204) && !value_statuses_match(&t.expect, 200));
	CHECK_INT(t.connect_timeout_ms, 1000); /* never longer than the whole probe */
	health_target_finish(&t);
	profile_destroy(p);

	p = load(dir, "unix:/run/app.sock", "path = /healthz");
	CHECK_INT(health_target_init(&t, p, &err), 1);
	CHECK_STR(t.unix_socket, "/run/app.sock");
	CHECK_STR(t.url, "http://localhost/healthz");
	CHECK_STR(t.display, "http://localhost/healthz on unix:/run/app.sock");
	CHECK_INT(health_target_resolve(&t, &err), 0);
	CHECK_INT(t.addr.ss_family, AF_UNIX);
	health_target_with_path(&u, &t, "/x");
	CHECK_STR(u.unix_socket, "/run/app.sock");
	CHECK_STR(u.url, "http://localhost/x");
	health_target_finish(&u);
	health_target_finish(&t);
	profile_destroy(p);

	p = load(dir, "127.0.0.1:8000", "url = http://[::1]:81/ready?full=1");
	CHECK_INT(health_target_init(&t, p, &err), 1);
	CHECK_STR(t.host, "::1");
	CHECK_INT(t.port, 81);
	CHECK_STR(t.host_header, "[::1]:81");
	CHECK_STR(t.path, "/ready?full=1");
	CHECK(t.builtin);
	health_target_finish(&t);
	profile_destroy(p);

	/* https and redirects go through libcurl */
	p = load(dir, "127.0.0.1:8000", "url = https://app.example/healthz");
	CHECK_INT(health_target_init(&t, p, &err), 1);
	CHECK(!t.builtin);
	health_target_with_path(&u, &t, "/other");
	CHECK_STR(u.url, "https://app.example/other");
	health_target_finish(&u);
	health_target_finish(&t);
	profile_destroy(p);
	p = load(dir, "127.0.0.1:8000", "path = /h\nfollow_redirects = true");
	CHECK_INT(health_target_init(&t, p, &err), 1);
	CHECK(!t.builtin);
	health_target_finish(&t);
	profile_destroy(p);

	/* nothing to probe; bad input with its line */
	p = load(dir, "127.0.0.1:8000", "");
	CHECK_INT(health_target_init(&t, p, &err), 0);
	profile_destroy(p);
	/* [health] expect is a typed value: the profile does not load */
	CHECK(load_err(dir, "127.0.0.1:8000", "path = /h\nexpect = 2xx,7", &err) == NULL);
	CHECK_INT(err.line, 8);
	CHECK(strstr(err.message, "[health] expect") != NULL);
	CHECK(strstr(err.message, "invalid status '7'") != NULL);
	p = load(dir, "fd://3", "path = /h");
	CHECK_INT(health_target_init(&t, p, &err), -1);
	CHECK(strstr(err.message, "[health] url") != NULL);
	profile_destroy(p);
	p = load(dir, "127.0.0.1:8000", "path = healthz");
	CHECK_INT(health_target_init(&t, p, &err), -1);
	profile_destroy(p);
	p = load(dir, "127.0.0.1:8000", "url = ftp://x/");
	CHECK_INT(health_target_init(&t, p, &err), -1);
	profile_destroy(p);

	{
		char *f = xasprintf("%s/t.ini", dir);

		unlink(f);
		free(f);
		rmdir(dir);
	}
}

static void test_notify_address(void)
{
	struct sockaddr_un a;
	socklen_t len;
	struct error err = ERROR_INIT;

	CHECK_INT(notify_parse_address("/run/systemd/notify", &a, &len, &err), 0);
	CHECK_STR(a.sun_path, "/run/systemd/notify");
	CHECK_INT(len, offsetof(struct sockaddr_un, sun_path) + 20);
	CHECK_INT(notify_parse_address("@abstract", &a, &len, &err), 0);
	CHECK(a.sun_path[0] == '\0' && memcmp(a.sun_path + 1, "abstract", 8) == 0);
	CHECK_INT(len, offsetof(struct sockaddr_un, sun_path) + 9);
	CHECK_INT(notify_parse_address("relative", &a, &len, &err), -1);
	CHECK_INT(notify_parse_address("@", &a, &len, &err), -1);
	CHECK_INT(notify_parse_address("", &a, &len, &err), -1);

	CHECK_INT(notify_parse_watchdog("30000000", NULL, 42), 30000000);
	CHECK_INT(notify_parse_watchdog("30000000", "42", 42), 30000000);
	CHECK_INT(notify_parse_watchdog("30000000", "43", 42), 0);
	CHECK_INT(notify_parse_watchdog("0", NULL, 42), 0);
	CHECK_INT(notify_parse_watchdog("-5", NULL, 42), 0);
	CHECK_INT(notify_parse_watchdog("12x", NULL, 42), 0);
	CHECK_INT(notify_parse_watchdog(NULL, NULL, 42), 0);

	CHECK(notify_is_own_variable("NOTIFY_SOCKET=/x"));
	CHECK(notify_is_own_variable("WATCHDOG_USEC=1"));
	CHECK(!notify_is_own_variable("NOTIFY_SOCKETS=1"));
}

static void test_notify_send(void)
{
	struct notify n;
	struct error err = ERROR_INIT;
	char path[] = "/tmp/test-notify.XXXXXX", buf[64];
	char *sock;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int r, fd;
	ssize_t got;

	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(notify_init(&n, &err), 0);
	CHECK(!notify_enabled(&n));
	CHECK_INT(notify_send(&n, "READY=1", &err), 0);
	notify_finish(&n);

	CHECK(mkdtemp(path) != NULL);
	sock = xasprintf("%s/s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	CHECK_INT(r, 0);
	setenv("NOTIFY_SOCKET", sock, 1);
	setenv("WATCHDOG_USEC", "2000000", 1);
	CHECK_INT(notify_init(&n, &err), 0);
	CHECK(notify_enabled(&n));
	CHECK_INT(n.watchdog_usec, 2000000);
	CHECK_INT(notify_send(&n, "READY=1\nSTATUS=ok", &err), 0);
	got = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	CHECK_INT(got, 17);
	buf[got > 0 ? got : 0] = '\0';
	CHECK_STR(buf, "READY=1\nSTATUS=ok");
	notify_finish(&n);
	close(fd);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unlink(sock);
	rmdir(path);
	free(sock);
}

int main(void)
{
	RUN(test_target);
	RUN(test_notify_address);
	RUN(test_notify_send);
	return T_DONE();
}
