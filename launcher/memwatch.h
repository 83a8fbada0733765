/*
 * The worker memory ceiling: [server] max_worker_memory, max_worker_memory_for,
 * memory_interval.  A worker whose own memory stays above the ceiling is
 * replaced, one at a time, without a refused request.
 *
 * What is measured: each worker's USS (procmem.h says why not RSS or PSS).
 * The workers are the children of the server's master (proctree.h), read
 * every memory_interval from a periodic timerfd on the supervisor's loop:
 * exactly one wake-up per interval while the ceiling is on, none at all
 * while it is off (nothing is created).  A gunicorn worker is a child that
 * holds gunicorn's worker heartbeat file (an unlinked "wgunicorn-*" file of
 * worker_tmp_dir): that leaves out a new master forked by USR2 during a
 * reload.  The same file says when a new worker has booted: gunicorn
 * creates it 0600 and the worker flips its mode between 0 and 1
 * (WorkerTmp.notify) from the first turn of its serving loop on, which
 * comes after the app is loaded (sync, gthread, and UvicornWorker through
 * callback_notify alike).
 *
 * A worker is over when its USS is above the ceiling at every look for
 * max_worker_memory_for (a brief peak is tolerated); the one over for the
 * longest... the fattest of those is recycled.  The sequence, from gunicorn
 * 20.1's arbiter:
 *   - TTIN makes the master raise num_workers to N+1 and fork a worker at
 *     once (manage_workers -> spawn_workers).
 *   - TTOU lowers num_workers to N, and manage_workers then sends TERM to
 *     the workers in excess, *oldest first* (sorted by worker.age, the
 *     spawn counter).  It cannot be told which one.
 *   - TERM to a worker is graceful: it stops accepting, finishes the
 *     request in hand and exits; the listening socket stays with the master
 *     and the other workers, so nothing is refused.  When the master reaps
 *     it, manage_workers forks a replacement (num_workers unchanged).
 * So:
 *   1. When the fat worker W is the oldest worker (always the case with
 *      N = 1): TTIN; wait until the new worker has booted (its heartbeat
 *      mode flipped, within [server] timeout + 10 s); TTOU, which makes
 *      gunicorn TERM the oldest, W.  N+1 then N workers serve throughout,
 *      never fewer than N.
 *   2. Otherwise (N >= 2): TERM W directly.  gunicorn forks the
 *      replacement when W has exited; N-1 workers serve meanwhile.  TTIN
 *      then TTOU would make gunicorn retire the oldest worker, not W; TTIN
 *      then TERM W would leave num_workers at N+1, and the TTOU to lower it
 *      would again retire the oldest.
 *   One recycle at a time: the next look starts another only when W has
 *   exited and the replacement has booted.  A replacement that is already
 *   above the ceiling right after it booted means the ceiling is below
 *   what a worker needs to boot: said once, and recycling stops for the
 *   rest of the run instead of looping.
 * uvicorn >= 0.30 in multi-process mode restarts a dead worker: 2. applies,
 * without the heartbeat (every child of the master is a worker, booted when
 * it appears).  Older uvicorn does not restart dead workers: the check
 * server.memory-ceiling-unsupported says so and the ceiling stays off.
 *
 * Each recycle is one log line: pid, memory, ceiling, how long over, age.
 */
#ifndef DEPLOY_RUN_MEMWATCH_H
#define DEPLOY_RUN_MEMWATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct supervisor;
struct profile;
struct memwatch;

struct memwatch_config {
	uint64_t ceiling;           /* bytes of USS */
	int64_t over_for_ms;        /* over this long before a recycle */
	int64_t interval_ms;        /* how often to look; > 0 */
	int64_t boot_timeout_ms;    /* a new worker must boot within this */
	int64_t retire_timeout_ms;  /* the old worker must exit within this */
	bool gunicorn;              /* false: uvicorn >= 0.30 multi-process */
	/*
	 * NULL, or asked before a recycle begins: true holds it off (a reload
	 * is replacing the workers, and an extra or retired worker would be
	 * counted in the wrong generation).  The look still runs.
	 */
	bool (*hold)(void *data);
	void *hold_data;
};

/*
 * The ceiling in bytes for max_worker_memory = auto: 90 % of the cgroup
 * memory limit (as limit_bytes gives it) divided by workers + 1, the +1
 * for the master (which, with preload, holds the app too); 0 when there is
 * no limit.
 */
uint64_t memwatch_auto_ceiling(int64_t limit_bytes, long workers);

/*
 * The configuration run uses for profile p with workers workers: 0 with
 * *cfg filled when the ceiling is on; 1 when it is off (max_worker_memory =
 * off, auto without a cgroup limit, or a server that cannot recycle: the
 * reason in *why, static); -1 with err for a bad value (file:line).
 * uvicorn_version is the installed uvicorn's version or NULL; memory_limit
 * gives the cgroup memory limit for auto (0: none), asked only for auto.
 */
int memwatch_configure(const struct profile *p, long workers, const char *uvicorn_version,
		       int64_t (*memory_limit)(void), struct memwatch_config *cfg,
		       const char **why, struct error *err);

struct memwatch *memwatch_create(const struct memwatch_config *cfg);

/* Starts looking (a periodic timerfd on sv's loop); -1 with err. */
int memwatch_start(struct memwatch *mw, struct supervisor *sv, struct error *err);

/* The server is stopping: no more looks or recycles. */
void memwatch_stop(struct memwatch *mw, struct supervisor *sv);

/* The recycles so far (for status and the exit summary); NULL mw: NULL. */
const unsigned long *memwatch_recycled(const struct memwatch *mw);

/* After supervisor_run() returned; NULL does nothing. */
void memwatch_destroy(struct memwatch *mw);

#endif
