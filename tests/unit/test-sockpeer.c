/* sockpeer: the server's end of a connection, 0 until accept(), then held by the acceptor. */
#include "t.h"
#include "sockpeer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* listener already listening; client connects; checks before and after accept */
static void exercise(int lfd, const struct sockaddr *addr, socklen_t len, const char *what)
{
	int c = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), s, s2;
	int64_t ino;

	CHECK(c >= 0);
	CHECK_INT(connect(c, addr, len), 0);
	ino = sockpeer_accepted_inode(c);
	if (ino < 0)
		fprintf(stderr, "%s: %s\n", what, strerror(errno));
	CHECK_INT(ino, 0); /* waiting in the listen queue */
	s = accept(lfd, NULL, NULL);
	CHECK(s >= 0);
	ino = sockpeer_accepted_inode(c);
	CHECK(ino > 0);
	CHECK_INT((uint64_t)ino, inode_of(s));
	CHECK(sockpeer_held_by(getpid(), (uint64_t)ino));
	CHECK(!sockpeer_held_by(getpid(), (uint64_t)ino + 1000000));
	CHECK(!sockpeer_held_by(999999999, (uint64_t)ino));

	/* accepted by a child: held by the child, not by us once we close our copy */
	{
		int c2 = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int p[2], q[2];
		char b;
		pid_t pid;

		CHECK_INT(pipe(p), 0);
		CHECK_INT(pipe(q), 0);
		CHECK_INT(connect(c2, addr, len), 0);
		pid = fork();
		if (pid == 0) {
			s2 = accept(lfd, NULL, NULL);
			if (write(p[1], "a", 1) != 1)
				_exit(1);
			if (read(q[0], &b, 1) < 0)
				_exit(1);
			_exit(s2 >= 0 ? 0 : 1);
		}
		CHECK_INT(read(p[0], &b, 1), 1);
		ino = sockpeer_accepted_inode(c2);
		CHECK(ino > 0);
		CHECK(sockpeer_held_by(pid, (uint64_t)ino));
		CHECK(!sockpeer_held_by(getpid(), (uint64_t)ino));
		CHECK_INT(write(q[1], "b", 1), 1);
		waitpid(pid, NULL, 0);
		close(p[0]);
		close(p[1]);
		close(q[0]);
		close(q[1]);
		close(c2);
	}
	close(s);
	close(c);
}

static void test_tcp4(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK_INT(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_INT(listen(l, 16), 0);
	CHECK_INT(getsockname(l, (struct sockaddr *)&a, &len), 0);
	exercise(l, (struct sockaddr *)&a, sizeof(a), "tcp4");
	close(l);
}

static void test_tcp6(void)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "no IPv6 loopback: skipped\n");
		if (l >= 0)
			close(l);
		return;
	}
	CHECK_INT(listen(l, 16), 0);
	CHECK_INT(getsockname(l, (struct sockaddr *)&a, &len), 0);
	exercise(l, (struct sockaddr *)&a, sizeof(a), "tcp6");
	close(l);
}

static void test_unix(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/dr-sockpeer-XXXXXX";
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK(mkdtemp(dir) != NULL);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/s", dir);
	CHECK_INT(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	CHECK_INT(listen(l, 16), 0);
	exercise(l, (struct sockaddr *)&a, sizeof(a), "unix");
	close(l);
	unlink(a.sun_path);
	rmdir(dir);
}

static void test_not_connected(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CHECK_INT(sockpeer_accepted_inode(s), -1); /* getpeername: ENOTCONN */
	close(s);
	CHECK_INT(sockpeer_accepted_inode(-1), -1);
}

int main(void)
{
	RUN(test_tcp4);
	RUN(test_tcp6);
	RUN(test_unix);
	RUN(test_not_connected);
	return T_DONE();
}
