/* common/cleanup-attrs.h: each attribute releases its resource at the end
 * of the scope, steal_*() hands it on instead, and errno survives. */
#include "t.h"
#include "testutil.h"
#include "cleanup-attrs.h"
#include "strv.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void test_close(void)
{
	int seen;

	{
		_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		CHECK(fd >= 0);
		seen = fd;
		CHECK(fd_open(seen));
	}
	CHECK(!fd_open(seen));
	CHECK_INT(errno, EBADF);
	{
		_cleanup_close_ int fd = -1;   /* nothing to close: no effect */
		(void)fd;
	}
}

static int open_kept(void)
{
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	return steal_fd(&fd);
}

static void test_steal_fd(void)
{
	int fd = open_kept();

	CHECK(fd >= 0);
	CHECK(fd_open(fd));
	close(fd);
}

static void test_fclose(void)
{
	int seen;

	{
		_cleanup_fclose_ FILE *f = fopen("/dev/null", "re");
		CHECK(f != NULL);
		seen = fileno(f);
		CHECK(fd_open(seen));
	}
	CHECK(!fd_open(seen));
	{
		_cleanup_fclose_ FILE *f = NULL;
		(void)f;
	}
}

static void test_closedir(void)
{
	int seen;

	{
		_cleanup_closedir_ DIR *d = opendir("/");
		CHECK(d != NULL);
		seen = dirfd(d);
		CHECK(fd_open(seen));
	}
	CHECK(!fd_open(seen));
	{
		_cleanup_closedir_ DIR *d = NULL;
		(void)d;
	}
}

/* The memory cleanups are checked for leaks by the sanitizer build
 * (detect_leaks=1): what is not freed here fails that run. */
static char *make_kept(void)
{
	_cleanup_free_ char *s = xstrdup("kept");
	_cleanup_free_ char *dropped = xstrdup("dropped");

	CHECK_STR(dropped, "dropped");
	return steal_pointer(&s);
}

static void test_free_and_steal(void)
{
	char *s = make_kept();

	CHECK_STR(s, "kept");
	free(s);
	{
		_cleanup_free_ char *p = NULL;
		char *q;

		p = xstrdup("x");
		q = steal_pointer(&p);
		CHECK(p == NULL);
		CHECK_STR(q, "x");
		free(q);
	}
}

static void test_strv(void)
{
	struct strv kept = STRV_INIT;

	{
		_cleanup_strv_ struct strv sv = STRV_INIT;
		strv_push(&sv, "a");
		strv_pushf(&sv, "%d", 2);
		CHECK_INT(sv.n, 2);
		CHECK_STR(strv_argv(&sv)[1], "2");
		kept = sv;
		sv = (struct strv)STRV_INIT;  /* handed on: the cleanup frees nothing */
	}
	CHECK_INT(kept.n, 2);
	CHECK_STR(kept.v[0], "a");
	strv_finish(&kept);
	{
		_cleanup_strv_ struct strv empty = STRV_INIT;
		(void)empty;
	}
}

static int destroyed;
struct thing { int n; };
static void thing_destroy(struct thing *t)
{
	destroyed += t->n;
	free(t);
}
DEFINE_POINTER_CLEANUP(struct thing *, thing_destroyp, thing_destroy)

static void test_pointer_cleanup(void)
{
	destroyed = 0;
	{
		_cleanup_(thing_destroyp) struct thing *t = xcalloc(1, sizeof(*t));
		_cleanup_(thing_destroyp) struct thing *none = NULL;
		t->n = 5;
		CHECK(none == NULL);
	}
	CHECK_INT(destroyed, 5);   /* once, and not for NULL */
}

static void test_argv(void)
{
	_cleanup_argv_ char **none = NULL;
	_cleanup_argv_ char **v = xcalloc(3, sizeof(*v));

	v[0] = xstrdup("one");
	v[1] = xstrdup("two");
	CHECK(none == NULL);
	CHECK_STR(v[1], "two");
}

static void test_child(void)
{
	pid_t seen;
	int status;

	{
		_cleanup_child_ pid_t pid = testutil_sleeper();
		CHECK(pid > 0);
		seen = pid;
		CHECK_INT(kill(seen, 0), 0);
	}
	/* killed and reaped: no such process, and nothing left to wait for */
	CHECK_INT(kill(seen, 0), -1);
	CHECK_INT(errno, ESRCH);
	CHECK_INT(waitpid(seen, &status, WNOHANG), -1);
	CHECK_INT(errno, ECHILD);
	{
		_cleanup_child_ pid_t pid = 0;   /* no child: no effect */
		(void)pid;
	}
}

static pid_t child_kept(void)
{
	_cleanup_child_ pid_t pid = testutil_sleeper();

	return steal_pid(&pid);
}

static void test_steal_pid(void)
{
	pid_t pid = child_kept();
	int status = 0;

	CHECK(pid > 0);
	CHECK_INT(kill(pid, 0), 0);   /* still running: the cleanup let it go */
	kill(pid, SIGTERM);
	CHECK_INT(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
}

/* A function that fails with errno set and returns through cleanups. */
static int fail_with(int e)
{
	_cleanup_free_ char *p = xstrdup("x");
	_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	_cleanup_fclose_ FILE *f = fopen("/dev/null", "re");
	_cleanup_closedir_ DIR *d = opendir("/");
	_cleanup_strv_ struct strv sv = STRV_INIT;
	_cleanup_child_ pid_t pid = testutil_sleeper();

	CHECK(fd >= 0 && f && d && pid > 0);
	strv_push(&sv, p);
	errno = e;
	return -1;
}

static void test_errno_kept(void)
{
	errno = 0;
	CHECK_INT(fail_with(EACCES), -1);
	CHECK_INT(errno, EACCES);
}

int main(void)
{
	RUN(test_close);
	RUN(test_steal_fd);
	RUN(test_fclose);
	RUN(test_closedir);
	RUN(test_free_and_steal);
	RUN(test_strv);
	RUN(test_pointer_cleanup);
	RUN(test_argv);
	RUN(test_child);
	RUN(test_steal_pid);
	RUN(test_errno_kept);
	return T_DONE();
}
