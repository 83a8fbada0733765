/*
 * The supervisor: starts the server as a child and stays its parent, the
 * way the best small inits (tini, dumb-init, catatonit) do, plus what they
 * leave to the user: waiting for orphans and removing what the run leaked.
 *
 * What supervisor_run() does, in order:
 *  1. Resolves the user to switch to (privdrop.h) and the executable (a
 *     name without '/' is looked up in the PATH of cfg->envp); takes the
 *     cleanup snapshots and wipes the Prometheus directory (cleanup.h).
 *  2. Blocks every signal except the kernel's fault signals (SIGSEGV SIGBUS
 *     SIGILL SIGFPE SIGTRAP SIGSYS SIGABRT) and sets their dispositions to
 *     the default, so that even a signal the caller's parent ignored is
 *     queued on a signalfd instead of being discarded.  Becomes a child
 *     subreaper (PR_SET_CHILD_SUBREAPER): orphans of the tree are
 *     reparented to it, as they are to PID 1.
 *  3. Forks.  The child restores an empty signal mask and the default
 *     disposition of every signal (ignored signals survive execve, so this
 *     must be done explicitly), moves into its own process group (unless
 *     cfg->keep_process_group) so that terminal-generated signals reach the
 *     supervisor only and are forwarded once, drops privileges, asks for
 *     SIGTERM should the supervisor die (PR_SET_PDEATHSIG), changes
 *     directory, rewrites LISTEN_PID to its own pid when cfg->envp carries
 *     LISTEN_FDS with LISTEN_PID equal to the supervisor's pid (socket
 *     activation: fds 3.. are inherited as they are), and calls execve().
 *     A failure before or in execve() is reported over a close-on-exec pipe.
 *  4. Runs an epoll loop on the signalfd and a pidfd of the server; it
 *     sleeps in epoll_wait() with no timeout, so an idle server costs no
 *     wake-up at all.
 *     - TERM INT QUIT HUP USR1 USR2 TTIN TTOU WINCH are forwarded, once
 *       each, to the server's master process only (pidfd_send_signal):
 *       gunicorn and uvicorn signal their own workers, and a second signal
 *       turns a graceful stop into a hard one.  Other signals are ignored.
 *     - TERM INT QUIT also arm the kill timer: after kill_timeout_ms the
 *       whole tree (the server and every descendant) gets SIGKILL.
 *     - SIGCHLD: every exited child is reaped (wait4), the server and any
 *       orphan reparented to us, exactly as PID 1 does.
 *     - A successor (supervisor_set_successor) takes over as the server
 *       when the server exits, instead of ending the run.
 *     - When the server has exited (by itself or after a stop), every
 *       remaining descendant gets SIGTERM, and SIGKILL after
 *       orphan_timeout_ms; the loop ends when no child is left (wait4 gives
 *       ECHILD).  A TERM/INT/QUIT received in that phase kills them at once.
 *  5. Cleans up (cleanup_finish) and prints one summary line on stderr
 *     (unless quiet):
 *       deploy-run: exit 0 (server exited with status 0) after 3.2s, peak RSS
 *       41.0 MiB, 2 orphans stopped, cleaned: shm /dev/shm/psm_1 (1.0 MiB)
 *     The peak RSS is the largest resident set any process of the tree
 *     reached: the ru_maxrss that wait4() returns for each reaped child
 *     (the kernel folds into it the largest of that child's own reaped
 *     descendants).  It is exact without sampling, so it costs no wake-up,
 *     but it is the largest single process, not a sum of the processes
 *     that were alive at the same time.
 *
 * On return the signal mask stays blocked (a late signal must not kill the
 * caller before it exits with the status) and the subreaper flag stays set.
 */
#ifndef DEPLOY_RUN_SUPERVISOR_H
#define DEPLOY_RUN_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cleanup.h"
#include "error.h"

struct supervisor;

struct supervisor_config {
	char *const *argv;          /* the server's argv; argv[0] a path or a name in PATH */
	char *const *envp;          /* its environment; NULL: environ */
	const char *cwd;            /* NULL: stay */
	const char *user;           /* NULL: no privilege drop; NAME, UID, NAME:GROUP, UID:GID */
	int64_t kill_timeout_ms;    /* stop signal -> SIGKILL of the tree; <= 0: 35000 */
	int64_t orphan_timeout_ms;  /* server gone: TERM orphans, KILL after; <= 0: 5000 */
	uint64_t success_signals;   /* bit N set: death by signal N exits 0, not 128+N */
	enum cleanup_shm_mode shm;  /* remove (default), report, off */
	const char *prometheus_dir; /* NULL: none */
	const char *pid_file;       /* NULL: none */
	char *const *unix_sockets;  /* NULL-terminated, or NULL */
	bool keep_process_group;    /* do not give the server its own process group */
	bool quiet;                 /* no summary and no cleanup lines */

	/*
	 * Called once in the loop right after a successful execve(), with the
	 * server's pid.  It may watch fds and arm timers (below) and call
	 * supervisor_stop(); it must not block.
	 */
	void (*on_started)(struct supervisor *sv, pid_t server, void *data);
	/*
	 * Called once when the stop begins: the first TERM, INT or QUIT
	 * forwarded to the running server, or supervisor_stop(); sig is the
	 * signal sent.  Not called when the server exits by itself.
	 */
	void (*on_stopping)(struct supervisor *sv, int sig, void *data);
	void *data;
};

/*
 * Runs the server under supervision until it and every descendant are gone.
 * Returns the status to exit with:
 *   the server's exit status (0..255); 128+N when it died of signal N, or
 *   0 when bit N of success_signals is set;
 *   127 when the executable was not found, 126 when it could not be
 *   executed (err is set);
 *   125 when the supervisor failed before the server started (unknown
 *   user, failed privilege drop or chdir, no signalfd...; err is set).
 * err is set only in the last three cases.
 */
int supervisor_run(const struct supervisor_config *cfg, struct error *err);

/*
 * Explains an execve() of exe that failed with errnum in err and returns
 * the status to exit with: 127 when exe does not exist; 126 when it exists
 * but cannot be run, including a script whose #! interpreter is missing
 * (ENOENT too: a virtualenv moved or copied after it was made), which the
 * message names.
 */
int supervisor_exec_error(const char *exe, int errnum, struct error *err);

/* Loop extensions for the code that watches the server (readiness, health). */
typedef void (*supervisor_fd_cb)(struct supervisor *sv, int fd, uint32_t events, void *data);
typedef void (*supervisor_timer_cb)(struct supervisor *sv, void *data);

/*
 * Watches fd for epoll events (EPOLLIN...); cb runs in the loop.  The fd
 * stays the caller's; unwatch it before closing it.  Returns -1 with err.
 */
int supervisor_watch_fd(struct supervisor *sv, int fd, uint32_t events, supervisor_fd_cb cb,
			void *data, struct error *err);
void supervisor_unwatch_fd(struct supervisor *sv, int fd);

/*
 * A one-shot timer (a timerfd) that calls cb after ms milliseconds.
 * Returns an id for supervisor_cancel_timer, or -1 with err.
 */
int supervisor_add_timer(struct supervisor *sv, uint64_t ms, supervisor_timer_cb cb, void *data,
			 struct error *err);
void supervisor_cancel_timer(struct supervisor *sv, int id);

/*
 * Asks for a stop as if sig had been received: sends it to the server's
 * master and arms the kill timer.  reason (may be NULL) is logged.
 */
void supervisor_stop(struct supervisor *sv, int sig, const char *reason);

/*
 * The number the exit summary reports as "N workers recycled" (the memory
 * ceiling's, memwatch.h), read at exit; NULL: none.
 */
void supervisor_set_recycled(struct supervisor *sv, const unsigned long *count);

/* The server's pid, or 0 once it has been reaped. */
pid_t supervisor_server_pid(const struct supervisor *sv);

/*
 * Names the process that takes over when the server exits: a gunicorn
 * master that the server forked on USR2.  When the server exits while the
 * successor is alive and has been reparented to the supervisor (its child
 * subreaper), the exit is not the end of the run: the successor becomes
 * the server (a pidfd of its own, where signals are forwarded, whose exit
 * status the run ends with, supervisor_server_pid), cfg->on_replaced is
 * called, and the kill timer of a stop in progress keeps running.  When the
 * successor is gone by then, the server's exit is the run's exit as usual.
 * 0 cancels.  The successor should be a descendant of the server.
 */
void supervisor_set_successor(struct supervisor *sv, pid_t successor);

/* What happens to the server, for the code that follows it (set from on_started). */
struct supervisor_server_hooks {
	/*
	 * Once, when the server has exited for good (reaped, not handed over
	 * to a successor), before its orphans are signalled.  May be NULL.
	 */
	void (*exited)(struct supervisor *sv, int wstatus, void *data);
	/*
	 * When the server exited and its successor became the server; old's
	 * wait status is wstatus.  May be NULL.
	 */
	void (*replaced)(struct supervisor *sv, pid_t old, pid_t successor, int wstatus,
			 void *data);
	void *data;
};
/* Sets the hooks (one set; copied).  NULL removes them. */
void supervisor_set_server_hooks(struct supervisor *sv, const struct supervisor_server_hooks *h);

/*
 * Forks a helper: a short-lived child of the supervisor's own that does
 * what must not block the loop (a health probe with libcurl, which is then
 * mapped by the helper only).  Returns 0 in the helper, its pid in the
 * supervisor, -1 with err.  The helper inherits the blocked signal mask;
 * it gets SIGKILL should the supervisor die, and must end with _exit().
 * Helpers are not the server's tree: they are reaped without being counted
 * as orphans, and they are killed (and reaped) before the tree is signalled
 * when the server exits or is killed, so a helper's owner sees its pipe
 * close.  Call from the loop's callbacks only.
 */
pid_t supervisor_fork_helper(struct supervisor *sv, struct error *err);
/* Kills a helper that is no longer wanted (SIGKILL); it is reaped by the loop. */
void supervisor_kill_helper(struct supervisor *sv, pid_t pid);

#endif
