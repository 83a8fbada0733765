#include "probe-async.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* What a helper writes: one record, smaller than PIPE_BUF. */
struct answer {
	int fatal;
	int foreign;
	struct health_result r;
};
_Static_assert(sizeof(struct answer) <= PIPE_BUF, "one atomic write");

struct probe_async {
	int fd;            /* the pipe's read end */
	pid_t pid;         /* the helper */
	probe_async_cb cb;
	void *data;
	struct answer a;
	size_t got;
};

__attribute__((noreturn)) static void helper_main(const struct health_target *t,
						 bool (*acceptor)(uint64_t, void *),
						 void *acceptor_data, int fd)
{
	struct answer a;
	struct error err = ERROR_INIT;
	bool foreign = false;
	ssize_t n;

	memset(&a, 0, sizeof(a));
	if (health_probe_attributed(t, acceptor, acceptor_data, &a.r, &foreign, &err) < 0) {
		a.fatal = 1;
		error_format(&err, a.r.error, sizeof(a.r.error));
	}
	a.foreign = foreign;
	do
		n = write(fd, &a, sizeof(a));
	while (n < 0 && errno == EINTR);
	_exit(n == (ssize_t)sizeof(a) ? 0 : 1);
}

static void finish(struct supervisor *sv, struct probe_async *job)
{
	supervisor_unwatch_fd(sv, job->fd);
	close(job->fd);
	free(job);
}

static void on_answer(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	struct probe_async *job = data;
	ssize_t n = read(fd, (char *)&job->a + job->got, sizeof(job->a) - job->got);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		job->got += (size_t)n;
		if (job->got < sizeof(job->a))
			return;
	} else {
		/* EOF (or an error) before a whole answer: the helper died */
		memset(&job->a, 0, sizeof(job->a));
		snprintf(job->a.r.error, sizeof(job->a.r.error),
			 "the probe helper ended without an answer");
	}
	job->cb(sv, &job->a.r, job->a.fatal, job->a.foreign, job->data);
	finish(sv, job);
}

struct probe_async *probe_async_start(struct supervisor *sv, const struct health_target *t,
				      bool (*acceptor)(uint64_t inode, void *data),
				      void *acceptor_data, probe_async_cb cb, void *data,
				      struct error *err)
{
	struct probe_async *job;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		error_set(err, errno, "cannot create a pipe for the probe");
		return NULL;
	}
	pid = supervisor_fork_helper(sv, err);
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	if (pid == 0) {
		close(p[0]);
		helper_main(t, acceptor, acceptor_data, p[1]);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	job = xcalloc(1, sizeof(*job));
	job->fd = p[0];
	job->pid = pid;
	job->cb = cb;
	job->data = data;
	if (supervisor_watch_fd(sv, job->fd, EPOLLIN, on_answer, job, err) < 0) {
		supervisor_kill_helper(sv, pid);
		close(job->fd);
		free(job);
		return NULL;
	}
	return job;
}

void probe_async_cancel(struct supervisor *sv, struct probe_async *job)
{
	if (!job)
		return;
	supervisor_kill_helper(sv, job->pid);
	finish(sv, job);
}

void probe_async_destroy(struct probe_async *job)
{
	if (!job)
		return;
	close(job->fd);
	free(job);
}
