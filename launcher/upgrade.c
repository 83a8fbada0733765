#include "upgrade.h"
#include "log.h"
#include "proc.h"
#include "pyenv.h"
#include "profile.h"
#include "sockpeer.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICK_MS 25                  /* how often the process tree is looked at */
#define FIND_MASTER_MS 10000        /* USR2 without a new master after this: ignored */
#define PROMOTE_MS 10000            /* the pid file renamed by the promoted master */
#define KILL_MARGIN_MS 5000         /* after graceful_timeout: SIGKILL */
#define NUDGE_MS 1000               /* a failed generation's workers get TERM again */

enum ustate {
	U_IDLE,
	U_HUP,       /* HUP sent: new workers, old ones retiring, probe */
	U_SPAWN,     /* USR2 sent: looking for the new master */
	U_GATE,      /* the new master's workers and the probe */
	U_RETIRE,    /* the old master got TERM; the new one is the successor */
	U_PROMOTE,   /* adopted: old workers gone? pid file renamed? */
	U_ROLLBACK,  /* failed: the new generation is being stopped */
};

struct pidset {
	pid_t *v;
	size_t n, cap;
};

struct upgrade {
	struct upgrade_config cfg;
	enum ustate state;
	struct supervisor *sv;
	upgrade_done_fn done;
	void (*progress)(const char *text, void *data);
	void *data;
	const char *method;
	uint64_t started_ns;
	int64_t timeout_ms;
	pid_t old_master;        /* the server when the reload began */
	pid_t new_master;        /* USR2: the master it forked */
	struct pidset before;    /* the master's children before the signal */
	struct pidset failed;    /* the failed generation, while it is stopped */
	struct health_watch *watch;
	bool probe_passed;
	char passed[320];        /* what the probe that passed got */
	bool probe_refuted;      /* the new generation answered the probe wrong */
	char refuted[320];
	bool stopping;
	size_t expected;         /* workers the new generation must have */
	int tick_timer, deadline_timer, bound_timer, nudge_timer;
	uint64_t phase_ns;       /* the current phase began */
	char why[600];           /* the failure, answered once the rollback is over */
};

/* ---- the process tree ---- */

static void pidset_add(struct pidset *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return;
	grow_array((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = pid;
}

static bool pidset_has(const struct pidset *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return true;
	return false;
}

static void pidset_clear(struct pidset *s)
{
	s->n = 0;
}

/* The children of pid, as a set. */
static void children_of(pid_t pid, struct pidset *out)
{
	pid_t *v;
	size_t n = proc_children(pid, &v);

	pidset_clear(out);
	for (size_t i = 0; i < n; i++)
		pidset_add(out, v[i]);
	free(v);
}

static bool alive(pid_t pid)
{
	return proc_alive(pid);
}

/* Whether /proc/PID/environ, the environment pid was executed with, holds entry. */
static bool environ_has(pid_t pid, const char *entry)
{
	char path[64];
	size_t len = strlen(entry), cap = 1 << 16, got = 0;
	char *buf;
	bool found = false;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	buf = xmalloc(cap + 1);
	while ((n = read(fd, buf + got, cap - got)) > 0) {
		got += (size_t)n;
		if (got == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
	}
	close(fd);
	for (size_t i = 0; i < got && !found; i += strlen(buf + i) + 1) {
		buf[got] = '\0';
		found = strncmp(buf + i, entry, len + 1) == 0 ||
			(strncmp(buf + i, entry, len) == 0 && buf[i + len] == '\0');
	}
	free(buf);
	return found;
}

/* Whether one of the set's processes holds the socket ino. */
static bool held_by_any(const struct pidset *s, uint64_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (sockpeer_held_by(s->v[i], ino))
			return true;
	return false;
}

static size_t count_alive(const struct pidset *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += alive(s->v[i]);
	return n;
}

/* ---- bookkeeping ---- */

static uint64_t elapsed_ms(const struct upgrade *u)
{
	return (now_ns() - u->started_ns) / 1000000;
}

static void cancel_timer(struct upgrade *u, int *id)
{
	if (*id > 0)
		supervisor_cancel_timer(u->sv, *id);
	*id = 0;
}

static void stop_watch(struct upgrade *u)
{
	if (!u->watch)
		return;
	health_watch_stop(u->sv, u->watch);
	health_watch_destroy(u->watch);
	u->watch = NULL;
}

static void finish(struct upgrade *u, enum upgrade_result result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void finish(struct upgrade *u, enum upgrade_result result, const char *fmt, ...)
{
	struct upgrade_outcome o = {.result = result, .method = u->method};
	struct supervisor *sv = u->sv;
	upgrade_done_fn done = u->done;
	void *data = u->data;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o.message, sizeof(o.message), fmt, ap);
	va_end(ap);
	o.elapsed_ms = u->started_ns ? elapsed_ms(u) : 0;
	o.server = sv ? supervisor_server_pid(sv) : 0;
	if (result == UPGRADE_DONE)
		log_info("reload: %s", o.message);
	else if (u->state != U_IDLE)
		log_error("reload failed: %s", o.message);
	else
		log_warn("reload refused: %s", o.message);
	stop_watch(u);
	if (sv) {
		cancel_timer(u, &u->tick_timer);
		cancel_timer(u, &u->deadline_timer);
		cancel_timer(u, &u->bound_timer);
		cancel_timer(u, &u->nudge_timer);
	}
	u->state = U_IDLE;
	u->done = NULL;
	u->progress = NULL;
	u->data = NULL;
	u->new_master = 0;
	pidset_clear(&u->before);
	pidset_clear(&u->failed);
	if (done)
		done(sv, &o, data);
}

/* One step of the reload: logged, and told to whoever asked for it. */
static void say(struct upgrade *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct upgrade *u, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_info("reload: %s", line);
	if (u->progress)
		u->progress(line, u->data);
}

static void tick(struct supervisor *sv, void *data);

static void arm_tick(struct upgrade *u)
{
	struct error err = ERROR_INIT;

	if (u->tick_timer > 0)
		return;
	u->tick_timer = supervisor_add_timer(u->sv, TICK_MS, tick, u, &err);
	if (u->tick_timer < 0) {
		u->tick_timer = 0;
		log_warn("reload: %s", err.message);
	}
}

static int arm(struct upgrade *u, int *slot, uint64_t ms, supervisor_timer_cb cb)
{
	struct error err = ERROR_INIT;

	cancel_timer(u, slot);
	*slot = supervisor_add_timer(u->sv, ms, cb, u, &err);
	if (*slot < 0) {
		*slot = 0;
		log_warn("reload: %s", err.message);
		return -1;
	}
	return 0;
}

static void set_state(struct upgrade *u, enum ustate s)
{
	u->state = s;
	u->phase_ns = now_ns();
}

static uint64_t phase_ms(const struct upgrade *u)
{
	return (now_ns() - u->phase_ns) / 1000000;
}

/* ---- the probe of the new generation ---- */

static bool new_generation_holds(uint64_t ino, void *data)
{
	struct upgrade *u = data;
	struct pidset now = {0};
	bool held = false;

	if (u->state == U_HUP) {
		children_of(u->old_master, &now);
		for (size_t i = 0; i < now.n && !held; i++)
			held = !pidset_has(&u->before, now.v[i]) && sockpeer_held_by(now.v[i], ino);
	} else if (u->state == U_GATE) {
		children_of(u->new_master, &now);
		held = held_by_any(&now, ino);
	}
	free(now.v);
	return held;
}

static void probe_passed(struct supervisor *sv, const struct health_result *r, uint64_t elapsed,
			 void *data)
{
	struct upgrade *u = data;
	char res[300];

	health_result_format(r, res, sizeof(res));
	snprintf(u->passed, sizeof(u->passed), "%s answered %s from the new generation",
		 u->cfg.target->display, res);
	u->probe_passed = true;
}

/*
 * An answer from the new generation that is not the expected one, nor a
 * 503 (the usual "not yet"), fails the gate at once: while it is gated the
 * new generation serves a share of the requests, and a release that
 * answers its probe 500 or 404 will not get better by waiting.  No answer
 * (refused, reset, a timeout) and 503 are probed again until the timeout.
 */
static void probe_failed(struct supervisor *sv, const struct health_result *r, void *data)
{
	struct upgrade *u = data;
	char res[300];

	if (!r->status || r->status == 503 || u->probe_refuted)
		return;
	health_result_format(r, res, sizeof(res));
	snprintf(u->refuted, sizeof(u->refuted), "%s answered %s from the new generation",
		 u->cfg.target->display, res);
	u->probe_refuted = true;
}

static int start_probe(struct upgrade *u)
{
	struct health_watch_config wc = {
		.target = u->cfg.target,
		.on_ready = probe_passed,
		.on_failure = probe_failed,
		.acceptor = new_generation_holds,
		.data = u,
	};
	struct error err = ERROR_INIT;

	u->probe_passed = u->probe_refuted = false;
	u->watch = health_watch_start(u->sv, &wc, &err);
	if (!u->watch) {
		snprintf(u->why, sizeof(u->why), "cannot probe the new generation: %s",
			 err.message);
		return -1;
	}
	return 0;
}

/* The last probe's result, for a failure message. */
static const char *last_probe(const struct upgrade *u, char *buf, size_t size)
{
	const struct health_result *r = u->watch ? health_watch_last(u->watch) : NULL;
	char res[300];

	if (!r || (!r->status && !r->error[0])) {
		snprintf(buf, size, "no probe finished");
		return buf;
	}
	health_result_format(r, res, sizeof(res));
	snprintf(buf, size, "%s: %s", u->cfg.target->display, res);
	return buf;
}

/* ---- failure: stop what the new master started ---- */

/*
 * Signals the failed generation.  A graceful stop (SIGTERM) goes to the new
 * master alone while it lives: it stops its own workers (rollback_nudge
 * repeats it for a worker that missed it); its workers get the signal
 * themselves once it is gone.  SIGKILL and 0 (which only refreshes the
 * set) reach every process of the generation.
 */
static void kill_failed(struct upgrade *u, int sig)
{
	struct pidset kids = {0};
	bool master_alive = u->new_master && alive(u->new_master);

	if (master_alive) {
		children_of(u->new_master, &kids);
		for (size_t i = 0; i < kids.n; i++)
			pidset_add(&u->failed, kids.v[i]);
		pidset_add(&u->failed, u->new_master);
	}
	free(kids.v);
	if (sig == SIGTERM && master_alive) {
		kill(u->new_master, SIGTERM);
		return;
	}
	for (size_t i = 0; i < u->failed.n; i++) {
		pid_t pp = 0;
		char st = proc_state(u->failed.v[i], &pp);

		/* only what is still of the tree: a pid is not reused while its
		 * parent (the old or the new master, or we) has not reaped it */
		if (st && st != 'Z' && (pp == u->new_master || pp == u->old_master ||
					pp == getpid()))
			kill(u->failed.v[i], sig);
	}
}

static void rollback_bound(struct supervisor *sv, void *data)
{
	struct upgrade *u = data;

	u->bound_timer = 0;
	if (u->state != U_ROLLBACK)
		return;
	log_warn("reload: the failed generation did not stop within its graceful timeout: "
		 "killing it");
	kill_failed(u, SIGKILL);
}

/*
 * A second SIGTERM, a second after the first, for the workers of the failed
 * generation that still run.  A gunicorn worker forked a moment before its
 * master's TERM has the master's handlers until it installs its own, so
 * that TERM only lands in its copy of the master's queue: it would then
 * serve until the master SIGKILLs it at graceful_timeout, cutting a request
 * short.  Now its own handler makes it finish its request and exit.
 */
static void rollback_nudge(struct supervisor *sv, void *data)
{
	struct upgrade *u = data;
	struct pidset kids = {0};

	u->nudge_timer = 0;
	if (u->state != U_ROLLBACK || !alive(u->new_master))
		return;
	children_of(u->new_master, &kids);
	for (size_t i = 0; i < kids.n; i++)
		kill(kids.v[i], SIGTERM);
	free(kids.v);
}

static void rollback(struct upgrade *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rollback(struct upgrade *u, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(u->why, sizeof(u->why), fmt, ap);
	va_end(ap);
	stop_watch(u);
	cancel_timer(u, &u->deadline_timer);
	log_warn("reload: %s; stopping the new generation, the old master (pid %d) keeps serving",
		 u->why, (int)u->old_master);
	set_state(u, U_ROLLBACK);
	kill_failed(u, SIGTERM);
	arm(u, &u->bound_timer, (uint64_t)u->cfg.graceful_timeout_ms + KILL_MARGIN_MS,
	    rollback_bound);
	arm(u, &u->nudge_timer, NUDGE_MS, rollback_nudge);
	arm_tick(u);
}

/* The failed generation is gone: its PIDFILE.2, when it names it, goes too. */
static void rollback_done(struct upgrade *u)
{
	if (u->cfg.pid_file && u->new_master) {
		char *two = xasprintf("%s.2", u->cfg.pid_file), buf[32];
		int fd = open(two, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			if (atol(buf) == (long)u->new_master && unlink(two) == 0)
				log_info("reload: removed the failed master's pid file %s", two);
		}
		free(two);
	}
	finish(u, UPGRADE_FAILED, "%s; the new generation was stopped, the old one (master pid %d) "
	       "still serves", u->why, (int)u->old_master);
}

/* ---- the switch ---- */

static void retire_bound(struct supervisor *sv, void *data)
{
	struct upgrade *u = data;

	u->bound_timer = 0;
	if (u->state == U_RETIRE) {
		log_warn("reload: the old master (pid %d) did not stop within its graceful "
			 "timeout: killing it", (int)u->old_master);
		kill(u->old_master, SIGKILL);
	} else if (u->state == U_PROMOTE) {
		for (size_t i = 0; i < u->before.n; i++)
			if (alive(u->before.v[i]))
				kill(u->before.v[i], SIGKILL);
	}
}

static void switch_over(struct upgrade *u)
{
	struct pidset kids = {0};

	stop_watch(u);
	cancel_timer(u, &u->deadline_timer);
	/* the old generation: the old master's children but the new master */
	children_of(u->old_master, &kids);
	pidset_clear(&u->before);
	for (size_t i = 0; i < kids.n; i++)
		if (kids.v[i] != u->new_master)
			pidset_add(&u->before, kids.v[i]);
	free(kids.v);
	say(u, "%s; retiring the old master (pid %d, %zu worker%s) with SIGTERM",
		 u->passed, (int)u->old_master, u->before.n, u->before.n == 1 ? "" : "s");
	supervisor_set_successor(u->sv, u->new_master);
	set_state(u, U_RETIRE);
	if (kill(u->old_master, SIGTERM) < 0 && errno != ESRCH)
		log_warn("reload: cannot send SIGTERM to the old master: %s", strerror(errno));
	arm(u, &u->bound_timer, (uint64_t)u->cfg.graceful_timeout_ms + KILL_MARGIN_MS,
	    retire_bound);
}

/* The pid file names the promoted master (or there is none to wait for). */
static bool pid_file_settled(const struct upgrade *u)
{
	char buf[32];
	ssize_t n;
	int fd;

	if (!u->cfg.pid_file || u->cfg.server != SERVER_GUNICORN)
		return true;
	fd = open(u->cfg.pid_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return atol(buf) == (long)u->new_master;
}

/* ---- the loop ---- */

static void tick(struct supervisor *sv, void *data)
{
	struct upgrade *u = data;
	struct pidset kids = {0};
	size_t fresh = 0, old = 0;

	u->tick_timer = 0;
	switch (u->state) {
	case U_IDLE:
		return;
	case U_HUP:
		children_of(u->old_master, &kids);
		for (size_t i = 0; i < kids.n; i++)
			fresh += !pidset_has(&u->before, kids.v[i]);
		old = count_alive(&u->before);
		if (u->probe_refuted) {
			free(kids.v);
			finish(u, UPGRADE_FAILED, "%s; HUP replaces workers in place, so the new code "
			       "is what runs now: fix it and reload again ('reload --upgrade' starts "
			       "a new master instead, and keeps the old one serving when the new one "
			       "fails)", u->refuted);
			return;
		}
		/*
		 * gunicorn retires every old worker; uvicorn's supervisor may have
		 * a child that is no worker (multiprocessing's resource tracker),
		 * which stays: at most that many of the old children may live on.
		 */
		if (u->cfg.server != SERVER_GUNICORN && u->before.n > (size_t)u->cfg.workers)
			old = old > u->before.n - (size_t)u->cfg.workers
				? old - (u->before.n - (size_t)u->cfg.workers) : 0;
		if (u->probe_passed && fresh >= u->expected && !old) {
			free(kids.v);
			finish(u, UPGRADE_DONE, "reloaded with HUP in %.1fs: %zu new worker%s, the "
			       "old ones retired; %s", elapsed_ms(u) / 1000.0, fresh,
			       fresh == 1 ? "" : "s", u->passed);
			return;
		}
		break;
	case U_SPAWN: {
		char *entry = xasprintf("GUNICORN_PID=%d", (int)u->old_master);

		children_of(u->old_master, &kids);
		for (size_t i = 0; i < kids.n && !u->new_master; i++)
			if (!pidset_has(&u->before, kids.v[i]) && environ_has(kids.v[i], entry))
				u->new_master = kids.v[i];
		free(entry);
		if (u->new_master) {
			say(u, "gunicorn's new master is pid %d; waiting for its workers and the "
			    "health probe", (int)u->new_master);
			set_state(u, U_GATE);
			if (start_probe(u) < 0) {
				free(kids.v);
				rollback(u, "%s", u->why);
				return;
			}
		} else if (phase_ms(u) > FIND_MASTER_MS) {
			free(kids.v);
			finish(u, UPGRADE_FAILED, "gunicorn started no new master within %.0fs of "
			       "USR2 (it ignores USR2 while a previous new master is alive; its "
			       "log says why); nothing was changed", FIND_MASTER_MS / 1000.0);
			return;
		}
		break;
	}
	case U_GATE:
		if (!alive(u->new_master)) {
			free(kids.v);
			rollback(u, "the new master (pid %d) exited before it became healthy: the "
				 "new code does not start (the server's log says why)",
				 (int)u->new_master);
			return;
		}
		children_of(u->new_master, &kids);
		for (size_t i = 0; i < kids.n; i++)
			pidset_add(&u->failed, kids.v[i]); /* to stop, should it fail */
		if (u->probe_refuted) {
			free(kids.v);
			rollback(u, "%s", u->refuted);
			return;
		}
		if (u->probe_passed && kids.n >= u->expected) {
			free(kids.v);
			switch_over(u);
			arm_tick(u);
			return;
		}
		break;
	case U_RETIRE:
		break; /* the supervisor's hand-over (upgrade_server_replaced) moves on */
	case U_PROMOTE:
		old = count_alive(&u->before);
		if (!old && pid_file_settled(u)) {
			free(kids.v);
			finish(u, UPGRADE_DONE, "reloaded with USR2 in %.1fs: gunicorn's master is "
			       "now pid %d (pid %d retired); %s", elapsed_ms(u) / 1000.0,
			       (int)u->new_master, (int)u->old_master, u->passed);
			return;
		}
		if (!old && phase_ms(u) > PROMOTE_MS) {
			log_warn("reload: the pid file %s does not name the new master (pid %d) "
				 "%.0fs after it was adopted", u->cfg.pid_file, (int)u->new_master,
				 PROMOTE_MS / 1000.0);
			free(kids.v);
			finish(u, UPGRADE_DONE, "reloaded with USR2 in %.1fs: gunicorn's master is "
			       "now pid %d (pid %d retired; its pid file was not renamed); %s",
			       elapsed_ms(u) / 1000.0, (int)u->new_master, (int)u->old_master,
			       u->passed);
			return;
		}
		break;
	case U_ROLLBACK:
		kill_failed(u, 0); /* refreshes the set of the failed generation */
		if (!count_alive(&u->failed) && !alive(u->new_master)) {
			free(kids.v);
			rollback_done(u);
			return;
		}
		break;
	}
	free(kids.v);
	arm_tick(u);
}

static void deadline(struct supervisor *sv, void *data)
{
	struct upgrade *u = data;
	char d[32];

	u->deadline_timer = 0;
	snprintf(d, sizeof(d), "%.1fs", u->timeout_ms / 1000.0);
	if (u->state == U_HUP) {
		char last[320];

		finish(u, UPGRADE_FAILED, "the new workers were not healthy within %s (%s); HUP "
		       "replaces workers in place, so the new code is what runs now: fix it and "
		       "reload again ('reload --upgrade' starts a new master instead, and keeps "
		       "the old one serving when the new one fails)", d,
		       last_probe(u, last, sizeof(last)));
	} else if (u->state == U_SPAWN) {
		finish(u, UPGRADE_FAILED, "gunicorn started no new master within %s of USR2; "
		       "nothing was changed", d);
	} else if (u->state == U_GATE) {
		char last[320];

		rollback(u, "the new generation was not healthy within %s (%s)", d,
			 last_probe(u, last, sizeof(last)));
	}
}

/* ---- the interface ---- */

struct upgrade *upgrade_create(const struct upgrade_config *cfg)
{
	struct upgrade *u = xcalloc(1, sizeof(*u));

	u->cfg = *cfg;
	if (u->cfg.workers < 1)
		u->cfg.workers = 1;
	if (u->cfg.graceful_timeout_ms <= 0)
		u->cfg.graceful_timeout_ms = 30000;
	return u;
}

void upgrade_destroy(struct upgrade *u)
{
	if (!u)
		return;
	health_watch_destroy(u->watch);
	free(u->before.v);
	free(u->failed.v);
	free(u);
}

bool upgrade_busy(const struct upgrade *u)
{
	return u->state != U_IDLE;
}

/* Why this server cannot reload without downtime, or NULL. */
static const char *unsupported(const struct upgrade *u, char *buf, size_t size)
{
	if (!u->cfg.target) {
		snprintf(buf, size, "a reload switches over only once the new code passes the "
			 "health probe, and the profile has none: set [health] path (or url)");
		return buf;
	}
	if (u->cfg.server == SERVER_UVICORN) {
		const char *v = u->cfg.server_version;

		if (pyenv_version_at_least(v, "0.30") != 1 || u->cfg.workers < 2) {
			snprintf(buf, size, "a zero-downtime reload needs gunicorn (with "
				 "worker_class = uvicorn.workers.UvicornWorker for an ASGI app) or "
				 "uvicorn >= 0.30 with several workers, which replaces its workers "
				 "on HUP; this is uvicorn %s with %ld worker%s", v ? v : "(version "
				 "unknown)", u->cfg.workers, u->cfg.workers == 1 ? "" : "s");
			return buf;
		}
	}
	return NULL;
}

void upgrade_start(struct upgrade *u, struct supervisor *sv, const struct upgrade_request *req)
{
	pid_t master = supervisor_server_pid(sv);
	bool force_usr2 = req->force_usr2;
	char why[512];
	int sig;

	if (u->state != U_IDLE) {
		struct upgrade_outcome o = {.result = UPGRADE_FAILED, .server = master};

		snprintf(o.message, sizeof(o.message), "a reload is already in progress");
		req->done(sv, &o, req->data);
		return;
	}
	u->sv = sv;
	u->done = req->done;
	u->progress = req->progress;
	u->data = req->data;
	u->method = NULL;
	u->started_ns = now_ns();
	u->why[0] = u->passed[0] = '\0';
	if (unsupported(u, why, sizeof(why))) {
		finish(u, UPGRADE_UNSUPPORTED, "%s", why);
		return;
	}
	if (!master || u->stopping) {
		finish(u, UPGRADE_FAILED, "the server is stopping; nothing was changed");
		return;
	}
	if (!req->ready) {
		finish(u, UPGRADE_FAILED, "the server is not ready yet (its health probe has not "
		       "passed); nothing was changed");
		return;
	}
	if (force_usr2 && u->cfg.server != SERVER_GUNICORN) {
		finish(u, UPGRADE_UNSUPPORTED, "--upgrade (a new master, USR2) is gunicorn's; "
		       "uvicorn reloads with HUP");
		return;
	}
	/* gunicorn's USR2 re-executes sys.executable with sys.argv, which under
	 * "python -m gunicorn" is the path of gunicorn/__main__.py: run as a
	 * script, its package directory comes first on sys.path and gunicorn/http
	 * shadows the standard library's http (docs/server-inputs.md) */
	if (u->cfg.server == SERVER_GUNICORN && u->cfg.module && (force_usr2 || u->cfg.preload)) {
		finish(u, UPGRADE_UNSUPPORTED, "gunicorn was started as python -m gunicorn (the "
		       "venv has no console script), and its USR2 upgrade re-executes "
		       "gunicorn/__main__.py as a script, which breaks imports of the standard "
		       "library's http; install gunicorn into the venv (or reload without "
		       "preload, with HUP)");
		return;
	}
	u->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms
		      : u->cfg.timeout_ms > 0 ? u->cfg.timeout_ms : 30000;
	u->old_master = master;
	u->new_master = 0;
	pidset_clear(&u->failed);
	children_of(master, &u->before);
	/* the configured count, or fewer when TTOU took some: what the old one runs */
	u->expected = (size_t)u->cfg.workers;
	if (u->before.n && u->before.n < u->expected)
		u->expected = u->before.n;
	sig = u->cfg.server == SERVER_GUNICORN && (force_usr2 || u->cfg.preload) ? SIGUSR2 : SIGHUP;
	u->method = sig == SIGUSR2 ? "USR2" : "HUP";
	set_state(u, sig == SIGUSR2 ? U_SPAWN : U_HUP);
	say(u, "SIG%s to %s's master (pid %d)%s", u->method, profile_server_name(u->cfg.server),
	    (int)master, sig == SIGUSR2 ? (force_usr2 ? ": a new master (--upgrade)"
				: ": a new master (preload: HUP would fork the old code)")
				: ": new workers");
	if (kill(master, sig) < 0) {
		finish(u, UPGRADE_FAILED, "cannot send SIG%s to the server (pid %d): %s", u->method,
		       (int)master, strerror(errno));
		return;
	}
	if (sig == SIGHUP && start_probe(u) < 0) {
		finish(u, UPGRADE_FAILED, "%s", u->why);
		return;
	}
	arm(u, &u->deadline_timer, (uint64_t)u->timeout_ms, deadline);
	arm_tick(u);
}

void upgrade_server_replaced(struct upgrade *u, struct supervisor *sv, pid_t old, pid_t now,
			     int wstatus)
{
	if (u->state != U_RETIRE || old != u->old_master || now != u->new_master)
		return;
	say(u, "the old master (pid %d) exited; pid %d is the server now", (int)old, (int)now);
	/* wakes its loop: it sees its new parent and promotes itself (see upgrade.h) */
	kill(now, SIGWINCH);
	set_state(u, U_PROMOTE);
	arm(u, &u->bound_timer, (uint64_t)u->cfg.graceful_timeout_ms + KILL_MARGIN_MS,
	    retire_bound);
	arm_tick(u);
}

void upgrade_server_exited(struct upgrade *u, struct supervisor *sv, int wstatus)
{
	if (u->state == U_IDLE)
		return;
	u->stopping = true;
	finish(u, UPGRADE_FAILED, "the server exited during the reload");
}

void upgrade_stopping(struct upgrade *u, struct supervisor *sv)
{
	u->stopping = true;
	switch (u->state) {
	case U_SPAWN:
	case U_GATE:
		/* the new master is not the old one's worker: it needs its own stop */
		rollback(u, "the server is being stopped");
		break;
	case U_HUP:
	case U_RETIRE:
	case U_PROMOTE:
		finish(u, UPGRADE_FAILED, "the server is being stopped");
		break;
	default:
		break;
	}
}
