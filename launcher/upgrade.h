/*
 * Zero-downtime reloads of the running server (`deploy-run reload`), on the
 * supervisor's loop: new code loaded with no request refused, the switch
 * gated on the health probe, the outcome reported once.
 *
 * Two ways, after what gunicorn 20.1's arbiter does (arbiter.py):
 *
 * HUP (gunicorn without preload; uvicorn >= 0.30 with several workers).
 *   The master forks a new generation of workers, which import the code
 *   afresh, and retires the old ones gracefully (gunicorn: reload() spawns
 *   `workers` new ones, then manage_workers() TERMs the oldest; uvicorn
 *   0.30: restarts them one by one).  The new generation is the master's
 *   children that were not there before the HUP.  Done when as many new
 *   workers as configured run, every old one is gone, and a probe accepted
 *   by a new worker passed.  No way back: the old workers are already
 *   retiring when the new ones boot, and a new worker that cannot import
 *   the app makes gunicorn halt (APP_LOAD_ERROR).  `reload` imports the new
 *   code before it asks for a HUP (cmd-reload.c), and a probe that never
 *   passes is reported (1) with the new code running.
 *
 * USR2 (gunicorn with preload, where HUP re-forks the old code from the
 *   master's memory; or asked for, `reload --upgrade`).
 *   1. USR2 to the master: it forks and execs a new master (reexec()) that
 *      inherits the listening sockets (GUNICORN_FD, or LISTEN_FDS under
 *      socket activation) and names its parent in GUNICORN_PID.  It is
 *      found among the master's children by that variable in its
 *      /proc/PID/environ (workers are forked, not executed: theirs is the
 *      old master's).  With preload it imports the app before it forks.
 *   2. Gate: the new master's workers run (its children: as many as
 *      configured) and a probe passes that one of them accepted.  Both
 *      generations accept on the same socket, so a probe answered by an
 *      old worker proves nothing: the probe waits until its connection is
 *      accepted and asks which process holds the accepted socket
 *      (sockpeer.h); answers from elsewhere are not counted.
 *   3. Switch: the new master becomes the supervisor's successor
 *      (supervisor_set_successor), then the old master gets TERM.
 *      gunicorn 20.1 ignores WINCH unless daemonized ("SIGWINCH ignored.
 *      Not daemonized"), and QUIT is its quick shutdown (workers get QUIT
 *      and drop what they serve), so TERM, its graceful stop, is what
 *      retires the old generation without a dropped request: the old
 *      master closes its listeners without unlinking a unix socket (its
 *      reexec_pid is set), TERMs its workers, which finish their requests
 *      within graceful_timeout, and exits.  Connections waiting in the
 *      shared listen queue are accepted by the new workers.
 *   4. The old master's exit is not the server's: the kernel reparents the
 *      new master to the supervisor (a child subreaper), which adopts it as
 *      the server (signals, exit status, `status`, the ready file and
 *      MAINPID= where it is sent).  It then gets WINCH, which gunicorn
 *      ignores but which wakes its loop at once, so that it sees its new
 *      parent and promotes itself (maybe_promote_master) without waiting
 *      for its next one-second tick.
 *   5. The pid file: gunicorn 20.1 has no ".oldbin"; the new master writes
 *      PIDFILE.2 (pidfile + ".2") while its parent lives, and on promotion
 *      renames it to PIDFILE (the old master removed PIDFILE, holding its
 *      own pid, at its exit).  With [cleanup] pid_file the reload is done
 *      once PIDFILE names the new master.  A failed generation's PIDFILE.2
 *      is removed when it still names the failed master.
 *   Failure (the new master exits; a new worker answers the probe with a
 *   status neither expected nor 503, which fails the gate at once, since
 *   the gated generation serves meanwhile; or the gate does not pass within
 *   the timeout): the new master gets TERM (SIGKILL for it and its workers
 *   after graceful_timeout), the old master, untouched, keeps serving, and
 *   the outcome (1) names why, once no process of the failed generation is
 *   left.  While the gate runs, the new generation shares the socket, so it
 *   serves a share of the traffic: the gate keeps a broken generation from
 *   replacing the old one, not from answering meanwhile.
 *
 * Unsupported (2): uvicorn before 0.30 or with one worker (its supervisor
 * cannot replace workers), a profile without a health probe (nothing to
 * gate the switch on).  Refused (1): the server not ready yet, stopping,
 * or a reload already in progress.
 */
#ifndef DEPLOY_RUN_UPGRADE_H
#define DEPLOY_RUN_UPGRADE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "health.h"
#include "supervisor.h"

struct upgrade_config {
	int server;                     /* enum server_kind */
	const char *server_version;     /* the installed server's version, or NULL */
	bool module;                    /* started as python -m gunicorn (launch.module) */
	bool preload;                   /* gunicorn --preload */
	long workers;                   /* the number of workers the server starts */
	const struct health_target *target; /* resolved; NULL: no probe configured */
	int64_t timeout_ms;             /* default gate timeout: [health] start_timeout */
	int64_t graceful_timeout_ms;    /* [server] graceful_timeout */
	const char *pid_file;           /* [cleanup] pid_file, or NULL */
};

enum upgrade_result {
	UPGRADE_DONE = 0,        /* new code serving, probe passed */
	UPGRADE_FAILED = 1,      /* failed; the old code still serves (USR2), or see message */
	UPGRADE_UNSUPPORTED = 2, /* this server cannot reload without downtime */
};

struct upgrade_outcome {
	enum upgrade_result result;
	const char *method;      /* "HUP" or "USR2", NULL when refused before a signal */
	pid_t server;            /* the server's master afterwards */
	uint64_t elapsed_ms;
	char message[768];       /* one line: what happened, or why not */
};

/* Called once per upgrade_start(), from the loop (or from upgrade_start itself). */
typedef void (*upgrade_done_fn)(struct supervisor *sv, const struct upgrade_outcome *o,
				void *data);

struct upgrade;

/* cfg's strings and target must outlive the upgrade object. */
struct upgrade *upgrade_create(const struct upgrade_config *cfg);
void upgrade_destroy(struct upgrade *u);

struct upgrade_request {
	bool force_usr2;        /* `reload --upgrade` */
	int64_t timeout_ms;     /* the gate's; <= 0: the configured default */
	bool ready;             /* the server passed its readiness probe */
	upgrade_done_fn done;   /* called exactly once */
	/* each step, as one line of text (may be NULL) */
	void (*progress)(const char *text, void *data);
	void *data;             /* for done and progress */
};

/* Starts a reload of the server sv runs. */
void upgrade_start(struct upgrade *u, struct supervisor *sv, const struct upgrade_request *req);

bool upgrade_busy(const struct upgrade *u);

/*
 * What the code following the server tells the upgrade (supervisor server
 * hooks, on_stopping): the server was replaced by its successor, exited for
 * good, or is being stopped.  Each ends or advances a reload in progress.
 */
void upgrade_server_replaced(struct upgrade *u, struct supervisor *sv, pid_t old, pid_t now,
			     int wstatus);
void upgrade_server_exited(struct upgrade *u, struct supervisor *sv, int wstatus);
void upgrade_stopping(struct upgrade *u, struct supervisor *sv);

#endif
