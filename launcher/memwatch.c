/* The worker memory ceiling on the supervisor's loop (memwatch.h). */
#include "memwatch.h"
#include "cleanup-attrs.h"
#include "cleanup.h"
#include "log.h"
#include "pep440.h"
#include "proc.h"
#include "procmem.h"
#include "proctree.h"
#include "profile.h"
#include "supervisor.h"
#include "util.h"
#include "value.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define POLL_MS 100 /* while a recycle is under way only */

enum phase {
	IDLE,
	GROWING,    /* TTIN sent: waiting for the extra worker to boot */
	RETIRING,   /* TTOU sent: waiting for gunicorn to retire W, the oldest */
	REPLACING,  /* TERM sent to W: waiting for it to exit and its replacement to boot */
};

struct worker {
	pid_t pid;
	uint64_t uss;
	uint64_t over_since; /* now_ns() of the first look above the ceiling; 0: under */
	bool seen;
};

struct memwatch {
	struct memwatch_config cfg;
	struct supervisor *sv;
	int tfd;
	int poll_timer;
	bool stopped, disabled;
	unsigned long recycled;
	struct worker *w;
	size_t n, cap;
	enum phase phase;
	pid_t master;
	pid_t target;        /* W */
	pid_t *before;       /* the workers when the recycle began */
	long nbefore;
	uint64_t deadline;
};

uint64_t memwatch_auto_ceiling(int64_t limit_bytes, long workers)
{
	if (limit_bytes <= 0 || workers < 1)
		return 0;
	return (uint64_t)limit_bytes / 10 * 9 / (uint64_t)(workers + 1);
}

static bool uvicorn_restarts_workers(const char *version)
{
	struct pep440_version v, min;
	struct error err = ERROR_INIT;
	bool ok;

	if (!version || pep440_version_parses(&v, version, &err) < 0)
		return false;
	if (pep440_version_parses(&min, "0.30", &err) < 0) {
		pep440_version_finish(&v);
		return false;
	}
	ok = pep440_version_compare(&v, &min) >= 0;
	pep440_version_finish(&v);
	pep440_version_finish(&min);
	return ok;
}

int memwatch_configure(const struct profile *p, long workers, const char *uvicorn_version,
		       int64_t (*memory_limit)(void), struct memwatch_config *cfg,
		       const char **why, struct error *err)
{
	struct profile_loc at;

	memset(cfg, 0, sizeof(*cfg));
	*why = NULL;
	if (p->max_worker_memory == 0) {
		*why = "max_worker_memory = off";
		return 1;
	}
	if (p->memory_interval_ms <= 0) {
		at = profile_loc(p, "server", "memory_interval");
		return error_at(err, at.file, at.line, 0, "[server] memory_interval must be more "
				"than 0 while max_worker_memory is on");
	}
	if (p->server == SERVER_UVICORN && (workers < 2 || !uvicorn_restarts_workers(uvicorn_version))) {
		*why = workers < 2 ? "a single uvicorn process cannot be replaced without downtime "
				     "(server.memory-ceiling-unsupported)"
				   : "uvicorn before 0.30 does not restart a worker that exits "
				     "(server.memory-ceiling-unsupported)";
		return 1;
	}
	if (p->max_worker_memory < 0) {
		int64_t limit = memory_limit();

		cfg->ceiling = memwatch_auto_ceiling(limit, workers);
		if (!cfg->ceiling) {
			*why = "max_worker_memory = auto, and the cgroup has no memory limit";
			return 1;
		}
	} else {
		cfg->ceiling = (uint64_t)p->max_worker_memory;
	}
	cfg->over_for_ms = p->max_worker_memory_for_ms;
	cfg->interval_ms = p->memory_interval_ms;
	cfg->boot_timeout_ms = (p->timeout_ms > 0 ? p->timeout_ms : 30000) + 10000;
	cfg->retire_timeout_ms = cfg->boot_timeout_ms +
				 (p->graceful_timeout_ms > 0 ? p->graceful_timeout_ms : 30000);
	cfg->gunicorn = p->server == SERVER_GUNICORN;
	return 0;
}

struct memwatch *memwatch_create(const struct memwatch_config *cfg)
{
	struct memwatch *mw = xcalloc(1, sizeof(*mw));

	mw->cfg = *cfg;
	mw->tfd = -1;
	return mw;
}

const unsigned long *memwatch_recycled(const struct memwatch *mw)
{
	return mw ? &mw->recycled : NULL;
}

/* ---- what /proc says ---- */

/*
 * The mode of gunicorn's heartbeat file held by pid ("wgunicorn-*",
 * unlinked), or -1 when pid holds none (not a gunicorn worker).
 */
static int heartbeat_mode(pid_t pid)
{
	char path[64];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char target[512];
		ssize_t n;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strstr(target, "/wgunicorn-"))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0)
			return (int)(st.st_mode & 07777);
	}
	return -1;
}

static bool is_worker(const struct memwatch *mw, pid_t pid)
{
	return !mw->cfg.gunicorn || heartbeat_mode(pid) >= 0;
}

/* A worker has booted: it runs its serving loop (the heartbeat's mode flipped). */
static bool booted(const struct memwatch *mw, pid_t pid)
{
	if (!mw->cfg.gunicorn)
		return proc_alive(pid);
	return (unsigned)heartbeat_mode(pid) <= 1;
}

/* Whether pid is still one of master's workers. */
static bool still_worker(pid_t pid, pid_t master)
{
	pid_t ppid = 0;
	char st = proc_state(pid, &ppid);

	return st && st != 'Z' && st != 'X' && ppid == master;
}

static struct worker *find(struct memwatch *mw, pid_t pid)
{
	for (size_t i = 0; i < mw->n; i++)
		if (mw->w[i].pid == pid)
			return &mw->w[i];
	return NULL;
}

/* Reads the workers' memory; returns the master's worker pids (malloc'd) in *pids. */
static long look(struct memwatch *mw, pid_t **pids)
{
	_cleanup_free_ pid_t *kids = NULL;
	long n = proctree_children(mw->master, &kids), nw = 0;
	uint64_t now = now_ns();
	size_t i, j;

	*pids = NULL;
	for (i = 0; i < mw->n; i++)
		mw->w[i].seen = false;
	for (long k = 0; k < n; k++) {
		struct procmem m;
		struct worker *w;

		if (!is_worker(mw, kids[k]) || procmem_read(kids[k], &m) < 0)
			continue;
		w = find(mw, kids[k]);
		if (!w) {
			grow_array((void **)&mw->w, &mw->cap, mw->n + 1, sizeof(*mw->w));
			w = &mw->w[mw->n++];
			*w = (struct worker){.pid = kids[k]};
		}
		w->seen = true;
		w->uss = procmem_own(&m);
		if (w->uss <= mw->cfg.ceiling)
			w->over_since = 0;
		else if (!w->over_since)
			w->over_since = now;
		kids[nw++] = kids[k];
	}
	for (i = 0, j = 0; i < mw->n; i++)
		if (mw->w[i].seen)
			mw->w[j++] = mw->w[i];
	mw->n = j;
	*pids = steal_pointer(&kids);
	return nw;
}

/* ---- the recycle ---- */

static void fmt_size(char *buf, size_t size, uint64_t bytes)
{
	cleanup_format_size(buf, size, (unsigned long long)bytes);
}

static void arm_poll(struct memwatch *mw);

static void finish_recycle(struct memwatch *mw)
{
	free(mw->before);
	mw->before = NULL;
	mw->nbefore = 0;
	mw->phase = IDLE;
	mw->target = 0;
}

/* A new worker (not among those of the start) that has booted, or 0. */
static pid_t booted_newcomer(struct memwatch *mw)
{
	_cleanup_free_ pid_t *kids = NULL;
	long n = proctree_children(mw->master, &kids);

	for (long i = 0; i < n; i++)
		if (!proctree_has(mw->before, mw->nbefore, kids[i]) && is_worker(mw, kids[i]) &&
		    booted(mw, kids[i]))
			return kids[i];
	return 0;
}

/* The replacement booted: is it already over? Then the ceiling is too low. */
static void judge_newcomer(struct memwatch *mw, pid_t pid)
{
	struct procmem m;
	char mem[32], ceil[32];

	if (procmem_read(pid, &m) < 0 || procmem_own(&m) <= mw->cfg.ceiling)
		return;
	fmt_size(mem, sizeof(mem), procmem_own(&m));
	fmt_size(ceil, sizeof(ceil), mw->cfg.ceiling);
	log_warn("worker %d uses %s right after it booted, above the ceiling of %s "
		 "([server] max_worker_memory): the ceiling is too low for this app; no more "
		 "workers are recycled in this run", (int)pid, mem, ceil);
	mw->disabled = true;
}

static void send(pid_t pid, int sig, const char *what)
{
	if (kill(pid, sig) < 0 && errno != ESRCH)
		log_warn("cannot send %s to %d: %s", what, (int)pid, strerror(errno));
}

static void advance(struct memwatch *mw)
{
	uint64_t now = now_ns();
	bool late = now >= mw->deadline;
	pid_t fresh;

	if (mw->stopped)
		return;
	if (supervisor_server_pid(mw->sv) != mw->master) {
		/* the master exited or a reload replaced it: that generation is done */
		finish_recycle(mw);
		return;
	}
	switch (mw->phase) {
	case GROWING:
		fresh = booted_newcomer(mw);
		if (fresh || late) {
			if (fresh)
				judge_newcomer(mw, fresh);
			else
				log_warn("the extra worker did not boot within %.0fs; retiring worker %d "
					 "all the same", mw->cfg.boot_timeout_ms / 1000.0,
					 (int)mw->target);
			/* back to N: gunicorn retires the oldest, W */
			send(mw->master, SIGTTOU, "SIGTTOU");
			mw->phase = RETIRING;
			mw->deadline = now + (uint64_t)mw->cfg.retire_timeout_ms * 1000000;
		}
		break;
	case RETIRING:
		if (!still_worker(mw->target, mw->master)) {
			finish_recycle(mw);
		} else if (late) {
			log_warn("worker %d is still running %.0fs after it was asked to stop; left to "
				 "gunicorn", (int)mw->target, mw->cfg.retire_timeout_ms / 1000.0);
			finish_recycle(mw);
		}
		break;
	case REPLACING:
		fresh = still_worker(mw->target, mw->master) ? 0 : booted_newcomer(mw);
		if (fresh) {
			judge_newcomer(mw, fresh);
			finish_recycle(mw);
		} else if (late) {
			log_warn("worker %d was not replaced within %.0fs", (int)mw->target,
				 mw->cfg.retire_timeout_ms / 1000.0);
			finish_recycle(mw);
		}
		break;
	case IDLE:
		break;
	}
	if (mw->phase != IDLE)
		arm_poll(mw);
}

static void on_poll(struct supervisor *sv, void *data)
{
	struct memwatch *mw = data;

	mw->poll_timer = 0;
	advance(mw);
}

static void arm_poll(struct memwatch *mw)
{
	struct error err = ERROR_INIT;

	if (mw->poll_timer > 0)
		return;
	mw->poll_timer = supervisor_add_timer(mw->sv, POLL_MS, on_poll, mw, &err);
	if (mw->poll_timer < 0) {
		mw->poll_timer = 0;
		log_warn("%s: the recycle goes on at the next look", err.message);
	}
}

static void begin(struct memwatch *mw, const struct worker *w, pid_t *pids, long n)
{
	char mem[32], ceil[32], age[32], over[32];
	int64_t age_ms = procmem_age_ms(w->pid);
	bool oldest = mw->cfg.gunicorn;
	uint64_t now = now_ns();

	for (long i = 0; i < n && oldest; i++)
		if (pids[i] != w->pid && procmem_age_ms(pids[i]) >= age_ms)
			oldest = false;
	fmt_size(mem, sizeof(mem), w->uss);
	fmt_size(ceil, sizeof(ceil), mw->cfg.ceiling);
	value_format_duration(age_ms > 0 ? age_ms : 0, age, sizeof(age));
	value_format_duration((int64_t)((now - w->over_since) / 1000000), over, sizeof(over));
	log_info("recycling worker %d: memory %s above the ceiling of %s for %s, age %s", (int)w->pid,
		 mem, ceil, over, age);
	mw->recycled++;
	mw->target = w->pid;
	mw->before = pids;
	mw->nbefore = n;
	if (oldest) {
		/* N+1 first; TTOU retires the oldest, W, once the extra one serves */
		send(mw->master, SIGTTIN, "SIGTTIN");
		mw->phase = GROWING;
		mw->deadline = now + (uint64_t)mw->cfg.boot_timeout_ms * 1000000;
	} else {
		/* gunicorn (or uvicorn) replaces it when it has exited */
		send(w->pid, SIGTERM, "SIGTERM");
		mw->phase = REPLACING;
		mw->deadline = now + (uint64_t)mw->cfg.retire_timeout_ms * 1000000;
	}
	arm_poll(mw);
}

static void tick(struct memwatch *mw)
{
	uint64_t now, need = (uint64_t)mw->cfg.over_for_ms * 1000000;
	pid_t *pids = NULL;
	const struct worker *worst = NULL;
	long n;

	mw->master = supervisor_server_pid(mw->sv);
	if (!mw->master || mw->stopped)
		return;
	n = look(mw, &pids);
	now = now_ns(); /* after the look, which dates what it finds */
	if (mw->phase != IDLE || mw->disabled || (mw->cfg.hold && mw->cfg.hold(mw->cfg.hold_data))) {
		free(pids);
		return;
	}
	for (size_t i = 0; i < mw->n; i++) {
		const struct worker *w = &mw->w[i];

		if (w->over_since && now >= w->over_since + need && (!worst || w->uss > worst->uss))
			worst = w;
	}
	if (worst)
		begin(mw, worst, pids, n);
	else
		free(pids);
}

static void on_tick(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	uint64_t expirations;

	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_debug("memory ceiling timer: %s", strerror(errno));
	tick(data);
}

int memwatch_start(struct memwatch *mw, struct supervisor *sv, struct error *err)
{
	struct itimerspec its;
	uint64_t ms = (uint64_t)mw->cfg.interval_ms;
	char ceil[32], every[32], over[32];

	mw->sv = sv;
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	its.it_interval = its.it_value;
	mw->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (mw->tfd < 0)
		return error_set(err, errno, "cannot create the memory ceiling's timer");
	if (timerfd_settime(mw->tfd, 0, &its, NULL) < 0 ||
	    supervisor_watch_fd(sv, mw->tfd, EPOLLIN, on_tick, mw, err) < 0) {
		if (!error_is_set(err))
			error_set(err, errno, "cannot arm the memory ceiling's timer");
		close(mw->tfd);
		mw->tfd = -1;
		return -1;
	}
	fmt_size(ceil, sizeof(ceil), mw->cfg.ceiling);
	value_format_duration(mw->cfg.interval_ms, every, sizeof(every));
	value_format_duration(mw->cfg.over_for_ms, over, sizeof(over));
	log_debug("memory ceiling: %s of USS per worker, over for %s, looked at every %s", ceil,
		  over, every);
	return 0;
}

void memwatch_stop(struct memwatch *mw, struct supervisor *sv)
{
	if (!mw || mw->stopped)
		return;
	mw->stopped = true;
	if (mw->poll_timer > 0)
		supervisor_cancel_timer(sv, mw->poll_timer);
	mw->poll_timer = 0;
	if (mw->tfd >= 0) {
		supervisor_unwatch_fd(sv, mw->tfd);
		close(mw->tfd);
		mw->tfd = -1;
	}
}

void memwatch_destroy(struct memwatch *mw)
{
	if (!mw)
		return;
	/* the loop is gone: its watches with it; only our fd is left */
	if (mw->tfd >= 0)
		close(mw->tfd);
	free(mw->before);
	free(mw->w);
	free(mw);
}
