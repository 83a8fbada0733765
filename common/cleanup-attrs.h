/*
 * Cleanup attributes: a variable declared with one of these is released
 * when it goes out of scope, on every return path (bubblewrap, systemd,
 * crun).  A function that hands the resource to its caller takes it out
 * of the variable first with steal_pointer(), steal_fd() or steal_pid(),
 * so the cleanup sees NULL, -1 or 0 and does nothing.
 *
 *     _cleanup_free_ char *path = xasprintf("%s/x", dir);
 *     _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
 *     _cleanup_fclose_ FILE *f = NULL;
 *     _cleanup_closedir_ DIR *d = opendir(dir);
 *     _cleanup_strv_ struct strv argv = STRV_INIT;
 *     _cleanup_argv_ char **names = NULL;     (NULL-terminated, each freed)
 *     _cleanup_child_ pid_t pid = fork();     (SIGKILLed and reaped)
 *     ...
 *     return steal_pointer(&path);
 *
 * Every cleanup keeps errno: an error path may set errno and return
 * through cleanups that call close() or waitpid().
 *
 * The variable must be initialised on every path that reaches the end of
 * its scope (to NULL, -1 or 0 when there is nothing yet): gcc and clang do
 * not warn about a cleanup that reads an uninitialised variable.
 */
#ifndef DEPLOY_RUN_CLEANUP_ATTRS_H
#define DEPLOY_RUN_CLEANUP_ATTRS_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strv.h"

#define _cleanup_(fn) __attribute__((cleanup(fn)))

/* Takes the value out of *pp and leaves NULL, so the cleanup does nothing. */
#define steal_pointer(pp) __extension__({ \
	__typeof__(*(pp)) steal_tmp_ = *(pp); \
	*(pp) = NULL; \
	steal_tmp_; \
})

/* Takes the fd out of *fdp and leaves -1. */
static inline int steal_fd(int *fdp)
{
	int fd = *fdp;

	*fdp = -1;
	return fd;
}

/* Takes the pid out of *pidp and leaves 0. */
static inline pid_t steal_pid(pid_t *pidp)
{
	pid_t pid = *pidp;

	*pidp = 0;
	return pid;
}

/* p is a pointer to any pointer variable. */
static inline void freep(void *p)
{
	int saved = errno;

	free(*(void **)p);
	errno = saved;
}
#define _cleanup_free_ _cleanup_(freep)

/* Closes *fd when it is >= 0. */
static inline void closep(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}
#define _cleanup_close_ _cleanup_(closep)

/*
 * name(type *p) calls fn(*p) when *p is not NULL, keeping errno (systemd's
 * DEFINE_TRIVIAL_CLEANUP_FUNC): a cleanup for any pointer with a destroy
 * function, e.g. DEFINE_POINTER_CLEANUP(struct profile *, profile_destroyp,
 * profile_destroy) beside the module's own declarations.
 */
#define DEFINE_POINTER_CLEANUP(type, name, fn) \
	static inline void name(type *p) \
	{ \
		int saved_ = errno; \
		if (*p) \
			fn(*p); \
		errno = saved_; \
	}

DEFINE_POINTER_CLEANUP(FILE *, fclosep, fclose)
#define _cleanup_fclose_ _cleanup_(fclosep)

DEFINE_POINTER_CLEANUP(DIR *, closedirp, closedir)
#define _cleanup_closedir_ _cleanup_(closedirp)

/* A struct strv (common/strv.h): strv_finish(). */
static inline void strv_finishp(struct strv *sv)
{
	int saved = errno;

	strv_finish(sv);
	errno = saved;
}
#define _cleanup_strv_ _cleanup_(strv_finishp)

/* A NULL-terminated char ** of malloc'ed strings, each freed, then the array. */
static inline void argv_freep(char ***v)
{
	int saved = errno;
	char **p;

	if (*v) {
		for (p = *v; *p; p++)
			free(*p);
		free(*v);
	}
	errno = saved;
}
#define _cleanup_argv_ _cleanup_(argv_freep)

/*
 * A child process this scope started and has not handed on: when *pid is
 * > 0 it is sent SIGKILL and waited for, so no zombie and no stray process
 * outlives an early return.  After a successful waitpid() of your own, or
 * to keep the child, set the variable to 0 (steal_pid()).
 */
static inline void child_killp(pid_t *pid)
{
	int saved = errno;

	if (*pid > 0) {
		kill(*pid, SIGKILL);
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	errno = saved;
}
#define _cleanup_child_ _cleanup_(child_killp)

#endif
