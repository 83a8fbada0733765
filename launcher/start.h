/*
 * Starting the server as run and smoke do: the preflight (the checks of
 * `check`, reported on stderr) and the start under the supervisor with the
 * profile's cleanup, kill timeout and success signals.  run adds its
 * readiness notifications, smoke its URL checks, through the hooks.
 */
#ifndef DEPLOY_RUN_START_H
#define DEPLOY_RUN_START_H

#include <stdbool.h>
#include <sys/types.h>

#include "cmd.h"

/*
 * run's preflight: the checks of `check` (only those only selects, a
 * NULL-terminated list of ids, or all when only is NULL), reported on
 * stderr.  Returns 0 when the server may start, -1 when it must not (the
 * reason is printed).
 */
int start_preflight(struct loaded *l, bool reveal, char *const *only, const struct globals *g);

/*
 * Runs the loaded server under the supervisor as run does (cleanup, kill
 * timeout, success signals from the profile; NOTIFY_SOCKET and WATCHDOG_*
 * withheld from the server).  on_started and on_stopping (may be NULL) are
 * the supervisor's hooks (supervisor.h), called with data.  Returns supervisor_run()'s status.
 */
struct supervisor;
int start_supervised(struct loaded *l, const struct globals *g,
		     void (*on_started)(struct supervisor *sv, pid_t server, void *data),
		     void (*on_stopping)(struct supervisor *sv, int sig, void *data), void *data);

#endif
