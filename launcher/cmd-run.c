#include "check.h"
#include "cleanup.h"
#include "cmd.h"
#include "control.h"
#include "health.h"
#include "log.h"
#include "memwatch.h"
#include "progress.h"
#include "notify.h"
#include "path.h"
#include "report.h"
#include "privdrop.h"
#include "server.h"
#include "signame.h"
#include "start.h"
#include "status.h"
#include "supervisor.h"
#include "lean.h"
#include "upgrade.h"
#include "strbuf.h"
#include "util.h"
#include "value.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <unistd.h>

extern char **environ;

/* The server starts with the default signal mask and dispositions, whatever
 * deploy-run inherited (a blocked or ignored TERM would make it unkillable). */
static void reset_signals(void)
{
	sigset_t all;
	int sig;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
}

/*
 * What the supervisor does before the start that --exec can do too: wipe
 * [cleanup] prometheus_dir (created for uid:gid when missing).  Nothing
 * runs after execve() to clean up at the exit.
 */
static int exec_prepare(const struct profile *p, uid_t uid, gid_t gid)
{
	struct cleanup_config cc = {.shm = CLEANUP_SHM_OFF, .owner = uid, .owner_gid = gid,
				    .prometheus_dir = p->prometheus_dir};
	struct error err = ERROR_INIT;
	struct cleanup *cl;
	int rc = 0;

	if (!p->prometheus_dir)
		return 0;
	cl = cleanup_create(&cc, &err);
	if (!cl || cleanup_prepare(cl, &err) < 0) {
		cmd_print_error(&err);
		rc = -1;
	}
	cleanup_destroy(cl);
	return rc;
}

static int exec_server(struct loaded *l)
{
	const struct launch *ln = &l->launch;
	const char *user = l->profile->user;
	struct error err = ERROR_INIT;
	int rc;

	if (l->profile->max_worker_memory != 0) {
		struct profile_loc at = profile_loc(l->profile, "server", "max_worker_memory");

		log_warn("%s:%d: [server] max_worker_memory is set, but with --exec nothing watches "
			 "the workers' memory: only `run` without --exec recycles them", at.file,
			 at.line);
	}
	if (!(user && *user) && exec_prepare(l->profile, geteuid(), getegid()) < 0)
		return EXIT_REFUSED;
	if (user && *user) {
		_cleanup_(privdrop_finish) struct privdrop pd = {0};

		if (privdrop_init(&pd, user, &err) < 0) {
			struct profile_loc at = profile_loc(l->profile, "app", "user");

			error_locate(&err, at.file, at.line);
			cmd_print_error(&err);
			return EXIT_REFUSED;
		}
		if (exec_prepare(l->profile, pd.uid, pd.gid) < 0)
			return EXIT_REFUSED;
		if (privdrop_apply(&pd) < 0) {
			log_error("cannot switch to user %s: %s", user, strerror(errno));
			return EXIT_REFUSED;
		}
	}
	if (chdir(ln->cwd) < 0) {
		log_error("cannot change to the working directory %s: %s", ln->cwd, strerror(errno));
		return EXIT_REFUSED;
	}
	reset_signals();
	execve(ln->exe, ln->argv.v, launch_envp(&l->launch));
	rc = supervisor_exec_error(ln->exe, errno, &err);
	cmd_print_error(&err);
	return rc;
}

/*
 * Readiness of `run` (README "Readiness"): once the server started, probe
 * [health] on the supervisor's loop until it answers or start_timeout
 * passes.  When ready: log the time to ready, send READY=1 and STATUS= to
 * $NOTIFY_SOCKET, write [health] ready_file.  Then, with $WATCHDOG_USEC,
 * probe every half interval and send WATCHDOG=1 while the probe passes.
 * STOPPING=1 goes out when the stop begins (a stop signal forwarded, or we
 * stop it), or when the server exits by itself.
 */
struct readiness {
	const struct profile *p;
	struct health_target target;
	bool probing;               /* [health] path or url is set */
	struct notify notify;
	struct health_watch *watch;
	struct upgrade *upgrade;    /* `deploy-run reload` */
	struct control *control;    /* `deploy-run status` and `reload` ask here */
	struct memwatch *memwatch;  /* [server] max_worker_memory, NULL when off */
	struct status_source status;
	struct supervisor *sv;      /* once started */
	pid_t server;               /* the server's master (a reload may replace it) */
	uint64_t watchdog_ms;       /* half of WATCHDOG_USEC, 0: none */
	bool ready, stopping, gave_up, wrote_ready_file, notify_failed;
	bool said_exit;             /* "exited before it became ready" was logged */
};

static void ready_notify(struct readiness *r, const char *msg)
{
	struct error err = ERROR_INIT;

	/* once: a watchdog ticking into a dead socket would flood the log */
	if (notify_send(&r->notify, msg, &err) < 0 && !r->notify_failed) {
		r->notify_failed = true;
		log_warn("%s: %s", err.message, strerror(err.errnum));
	}
}

static void ready_stopping(struct readiness *r, const char *why)
{
	char *msg;

	if (r->stopping)
		return;
	r->stopping = true;
	msg = xasprintf("STOPPING=1\nSTATUS=stopping: %s", why);
	ready_notify(r, msg);
	free(msg);
}

static void readiness_stopping(struct supervisor *sv, int sig, void *data)
{
	struct readiness *r = data;
	char name[24];
	char *why = xasprintf("SIG%s", signame_from_number(sig, name, sizeof(name)));

	ready_stopping(r, why);
	free(why);
	upgrade_stopping(r->upgrade, sv);
	memwatch_stop(r->memwatch, sv);
}

static void on_server_exit(struct supervisor *sv, int wstatus, void *data)
{
	struct readiness *r = data;

	upgrade_server_exited(r->upgrade, sv, wstatus);
	memwatch_stop(r->memwatch, sv);
	/* said now, before the supervisor's exit summary, which ends the output */
	if (r->probing && !r->ready && !r->gave_up) {
		log_error("the server exited before it became ready (%s)", r->target.display);
		r->said_exit = true;
	}
	ready_stopping(r, "the server exited");
}

/* Written whole under a temporary name, then renamed: readers never see half. */
static bool write_pid(const char *path, pid_t pid, const char *what)
{
	char *tmp, *body;
	bool ok;
	int fd;

	tmp = xasprintf("%s.tmp%d", path, (int)getpid());
	body = xasprintf("%d\n", (int)pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	ok = fd >= 0 && write(fd, body, strlen(body)) == (ssize_t)strlen(body);
	if (fd >= 0 && close(fd) < 0)
		ok = false;
	ok = ok && rename(tmp, path) == 0;
	if (!ok) {
		log_warn("cannot write the %s %s: %s", what, path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(body);
	return ok;
}

static void write_ready_file(struct readiness *r)
{
	const char *path = r->p->health_ready_file;

	if (path && *path)
		r->wrote_ready_file = write_pid(path, r->server, "ready file");
}

static void watchdog_tick(struct supervisor *sv, void *data);

static void arm_watchdog(struct supervisor *sv, struct readiness *r)
{
	struct error err = ERROR_INIT;

	if (supervisor_add_timer(sv, r->watchdog_ms, watchdog_tick, r, &err) < 0)
		log_warn("%s: no more WATCHDOG=1", err.message);
}

/* Without a probe the watchdog vouches for the supervisor and a live server only. */
static void watchdog_tick(struct supervisor *sv, void *data)
{
	struct readiness *r = data;

	if (!supervisor_server_pid(sv) || r->stopping)
		return;
	ready_notify(r, "WATCHDOG=1");
	arm_watchdog(sv, r);
}

static void become_ready(struct supervisor *sv, struct readiness *r, const char *how)
{
	char *msg;

	r->ready = true;
	log_info("ready: %s", how);
	msg = r->p->health_notify_mainpid
		? xasprintf("READY=1\nMAINPID=%d\nSTATUS=ready: %s", (int)r->server, how)
		: xasprintf("READY=1\nSTATUS=ready: %s", how);
	ready_notify(r, msg);
	free(msg);
	write_ready_file(r);
	if (r->watchdog_ms && !r->probing) {
		ready_notify(r, "WATCHDOG=1");
		arm_watchdog(sv, r);
	}
	/* from here on the supervisor waits: what the preflight and the start
	 * touched need not stay resident (launcher/lean.c) */
	lean_release(NULL);
}

static void on_ready(struct supervisor *sv, const struct health_result *res, uint64_t elapsed,
		     void *data)
{
	struct readiness *r = data;
	char *how = xasprintf("%s answered %d after %.3fs", r->target.display, res->status,
			      elapsed / 1e9);

	become_ready(sv, r, how);
	free(how);
	if (r->watchdog_ms)
		ready_notify(r, "WATCHDOG=1");
}

static void on_not_ready(struct supervisor *sv, struct health_watch *w,
			 const struct health_result *last, void *data)
{
	struct readiness *r = data;
	char d[64], res[320];

	value_format_duration(r->p->health_start_timeout_ms, d, sizeof(d));
	if (last->status || last->error[0])
		health_result_format(last, res, sizeof(res));
	else
		snprintf(res, sizeof(res), "no probe finished");
	if (r->p->health_on_timeout == ON_TIMEOUT_WARN) {
		log_warn("the server is not ready after %s (%s: %s); [health] on_timeout = warn: "
			 "it keeps running and probing goes on", d, r->target.display, res);
		return;
	}
	log_error("the server did not become ready within %s (%s: %s): stopping it "
		  "(exit status %d; [health] on_timeout = warn keeps it running)",
		  d, r->target.display, res, EXIT_NOT_READY);
	r->gave_up = true;
	health_watch_stop(sv, w);
	ready_stopping(r, "not ready in time");
	supervisor_stop(sv, SIGTERM, NULL);
}

static void on_repeat(struct supervisor *sv, const struct health_result *res, void *data)
{
	struct readiness *r = data;
	char buf[320];

	if (res->ok) {
		ready_notify(r, "WATCHDOG=1");
		return;
	}
	health_result_format(res, buf, sizeof(buf));
	log_warn("health probe failed: %s: %s; WATCHDOG=1 withheld", r->target.display, buf);
}

/* With the watchdog on, the probe repeats every [health] interval, but at
 * least every half WATCHDOG_USEC, as sd_watchdog_enabled(3) asks. */
static uint64_t repeat_ms(const struct readiness *r)
{
	uint64_t every = (uint64_t)r->p->health_interval_ms;

	if (!r->watchdog_ms)
		return 0;
	return every && every < r->watchdog_ms ? every : r->watchdog_ms;
}

/*
 * A reload (upgrade.h) replaced the server's master: what refers to it
 * follows, the ready file and, where it is sent, MAINPID=.
 */
static void on_server_replaced(struct supervisor *sv, pid_t old, pid_t now, int wstatus,
			       void *data)
{
	struct readiness *r = data;

	r->server = now;
	if (r->wrote_ready_file)
		write_ready_file(r);
	if (r->ready && r->p->health_notify_mainpid) {
		char *msg = xasprintf("MAINPID=%d\nSTATUS=ready: reloaded, %s's master is pid %d",
				      (int)now, profile_server_name(r->p->server), (int)now);

		ready_notify(r, msg);
		free(msg);
	}
	upgrade_server_replaced(r->upgrade, sv, old, now, wstatus);
}

static void readiness_started(struct supervisor *sv, pid_t server, void *data)
{
	struct readiness *r = data;
	struct error err = ERROR_INIT;
	struct supervisor_server_hooks hooks = {on_server_exit, on_server_replaced, r};

	r->server = server;
	r->sv = sv;
	/* gunicorn writes its own pid file (--pid); uvicorn has no such option */
	if (r->p->server == SERVER_UVICORN && r->p->pid_file)
		write_pid(r->p->pid_file, server, "pid file");
	supervisor_set_server_hooks(sv, &hooks);
	r->status.sv = sv;
	r->status.started_ns = now_ns();
	if (r->memwatch && memwatch_start(r->memwatch, sv, &err) < 0) {
		log_warn("%s: the memory ceiling is off", err.message);
		error_clear(&err);
	}
	supervisor_set_recycled(sv, memwatch_recycled(r->memwatch));
	if (r->control && control_attach(r->control, sv, &err) < 0) {
		log_warn("%s: status and reload will not answer", err.message);
		error_clear(&err);
	}
	if (!r->probing) {
		char *how = xasprintf("%s started (pid %d; no [health] probe)",
				      profile_server_name(r->p->server), (int)server);

		become_ready(sv, r, how);
		free(how);
		return;
	}
	{
		struct health_watch_config wc = {
			.target = &r->target,
			.start_timeout_ms = r->p->health_start_timeout_ms,
			.repeat_ms = repeat_ms(r),
			.on_ready = on_ready,
			.on_timeout = on_not_ready,
			.on_repeat = on_repeat,
			.data = r,
		};

		r->watch = health_watch_start(sv, &wc, &err);
		if (!r->watch)
			log_error("%s: the server runs without a health probe", err.message);
	}
}

/*
 * The control socket's `reload` request (cmd-reload.c is the client):
 *   reload [timeout_ms=N] [upgrade=0|1]
 * Each step goes back as a progress line; the answer comes once the reload
 * is over (upgrade.h): {"reloaded": true, "method", "server_pid", "seconds",
 * "message"}, or an error with exit 1 (failed) or 2 (unsupported).  A client
 * that hangs up does not stop the reload.  systemd hears RELOADING=1, then
 * READY=1 with a STATUS= line saying how it went.
 */
struct reload_request {
	struct readiness *r;
	struct control_conn *conn;  /* NULL once the client is gone */
	bool reloading;             /* systemd heard RELOADING=1 */
};

static void reload_client_gone(struct control_conn *c, void *data)
{
	struct reload_request *q = data;

	q->conn = NULL;
}

static void reload_progress(const char *text, void *data)
{
	struct reload_request *q = data;

	if (q->conn)
		control_progress(q->conn, "%s", text);
}

static void reload_done(struct supervisor *sv, const struct upgrade_outcome *o, void *data)
{
	struct reload_request *q = data;
	struct readiness *r = q->r;
	char *msg;

	if (q->reloading) {
		msg = xasprintf("READY=1\nSTATUS=%s: %s", o->result == UPGRADE_DONE ? "ready, reloaded"
				: "ready, reload failed", o->message);
		ready_notify(r, msg);
		free(msg);
	}
	if (q->conn && o->result == UPGRADE_DONE) {
		struct strbuf sb;

		strbuf_init(&sb);
		strbuf_adds(&sb, "{\"reloaded\": true, \"method\": ");
		strbuf_add_json(&sb, o->method);
		strbuf_addf(&sb, ", \"server_pid\": %d, \"seconds\": %.3f, \"message\": ",
			    (int)o->server, o->elapsed_ms / 1000.0);
		strbuf_add_json(&sb, o->message);
		strbuf_adds(&sb, "}");
		control_reply(q->conn, sb.buf);
		strbuf_finish(&sb);
	} else if (q->conn) {
		control_reply_error(q->conn, o->result == UPGRADE_UNSUPPORTED ? 2 : 1, "%s",
				    o->message);
	}
	free(q);
	lean_release(NULL); /* the reload's pages, as after the start */
}

static void on_reload_request(struct control_conn *c, void *data)
{
	struct readiness *r = data;
	struct reload_request *q;
	struct upgrade_request req = {0};
	const char *timeout = control_conn_arg(c, "timeout_ms");
	const char *upgrade = control_conn_arg(c, "upgrade");
	char *end = NULL;

	if (timeout) {
		req.timeout_ms = strtoll(timeout, &end, 10);
		if (!*timeout || *end || req.timeout_ms < 0) {
			control_reply_error(c, 2, "reload: timeout_ms takes milliseconds, not '%s'",
					    timeout);
			return;
		}
	}
	if (upgrade && !str_eq(upgrade, "0") && !str_eq(upgrade, "1")) {
		control_reply_error(c, 2, "reload: upgrade takes 0 or 1, not '%s'", upgrade);
		return;
	}
	if (!r->sv) {
		control_reply_error(c, 1, "the server is not started yet; nothing was changed");
		return;
	}
	q = xcalloc(1, sizeof(*q));
	q->r = r;
	q->conn = c;
	control_conn_on_close(c, reload_client_gone, q);
	req.force_usr2 = str_eq(upgrade, "1");
	req.ready = r->ready;
	req.done = reload_done;
	req.progress = reload_progress;
	req.data = q;
	if (upgrade_busy(r->upgrade)) {
		upgrade_start(r->upgrade, r->sv, &req); /* answers "in progress" at once */
		return;
	}
	upgrade_start(r->upgrade, r->sv, &req);
	/* q lives on only while the reload runs (a refusal answered and freed it) */
	if (upgrade_busy(r->upgrade)) {
		q->reloading = true;
		ready_notify(r, "RELOADING=1\nSTATUS=reloading: new code starting, the old code "
			     "still serving");
	}
}

/* What a reload needs to know of the server (upgrade.h). */
static struct upgrade *make_upgrade(const struct loaded *l, const struct readiness *r,
				    char **version)
{
	const struct profile *p = l->profile;
	struct upgrade_config uc = {
		.server = p->server,
		.preload = p->preload,
		.workers = l->launch.workers,
		.target = r->probing ? &r->target : NULL,
		.timeout_ms = p->health_start_timeout_ms,
		.graceful_timeout_ms = p->graceful_timeout_ms,
		.pid_file = p->pid_file,
	};

	/* --preload among [server] args or the arguments after -- counts too */
	for (size_t i = 0; i < l->launch.argv.n; i++)
		if (str_eq(l->launch.argv.v[i], "--preload"))
			uc.preload = true;
	*version = l->launch.version ? xstrdup(l->launch.version) : NULL;
	uc.server_version = *version;
	uc.module = l->launch.module;
	return upgrade_create(&uc);
}

/* Releases what run_supervised() set up, whichever step it reached. */
static void readiness_finish(struct readiness *r)
{
	int saved = errno;

	control_destroy(steal_pointer(&r->control));
	health_watch_destroy(steal_pointer(&r->watch));
	memwatch_destroy(steal_pointer(&r->memwatch));
	upgrade_destroy(steal_pointer(&r->upgrade));
	notify_finish(&r->notify);
	health_target_finish(&r->target);
	errno = saved;
}

static int64_t host_memory_limit(void)
{
	return server_memory_limit("/");
}

/* No recycle begins while a reload replaces the workers. */
static bool reload_in_progress(void *data)
{
	const struct readiness *r = data;

	return upgrade_busy(r->upgrade);
}

/* [server] max_worker_memory: *out NULL when off (said when it was asked for). */
static int setup_memwatch(const struct loaded *l, struct readiness *rd, struct memwatch **out,
			  struct error *err)
{
	const struct profile *p = l->profile;
	struct memwatch_config mc;
	const char *why;
	int r = memwatch_configure(p, l->launch.workers,
				   p->server == SERVER_UVICORN ? l->launch.version : NULL,
				   host_memory_limit, &mc, &why, err);

	*out = NULL;
	if (r < 0)
		return -1;
	mc.hold = reload_in_progress;
	mc.hold_data = rd;
	if (r == 0)
		*out = memwatch_create(&mc);
	else if (p->max_worker_memory)
		log_warn("the worker memory ceiling is off: %s", why);
	return 0;
}

static int run_supervised(struct loaded *l, const struct globals *g)
{
	_cleanup_free_ char *server_version = NULL;
	_cleanup_(readiness_finish) struct readiness r = {.p = l->profile, .notify = {.fd = -1}};
	struct error err = ERROR_INIT;
	int rc, t;

	t = health_target_init(&r.target, l->profile, &err);
	if (t < 0) {
		cmd_print_error(&err);
		return EXIT_REFUSED;
	}
	r.probing = t > 0;
	if (r.probing && health_target_resolve(&r.target, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_REFUSED;
	}
	if (notify_init(&r.notify, &err) < 0) {
		log_warn("%s: no systemd notifications", err.message);
		error_clear(&err);
	}
	r.watchdog_ms = r.notify.watchdog_usec / 2000;
	if (r.notify.watchdog_usec && !r.watchdog_ms)
		r.watchdog_ms = 1;
	if (l->profile->health_ready_file && *l->profile->health_ready_file)
		unlink(l->profile->health_ready_file); /* stale, from a run that was killed */
	r.upgrade = make_upgrade(l, &r, &server_version);
	if (setup_memwatch(l, &r, &r.memwatch, &err) < 0 ||
	    (!(r.control = control_open(l->profile, &err)) && error_is_set(&err))) {
		cmd_print_error(&err);
		return EXIT_REFUSED;
	}
	r.status = (struct status_source){.profile = l->profile->name,
					  .server = profile_server_name(l->profile->server),
					  .ready = &r.ready,
					  .recycled = memwatch_recycled(r.memwatch)};
	if (r.control) {
		status_register(r.control, &r.status);
		control_register(r.control, "reload", on_reload_request, &r);
	}
	rc = start_supervised(l, g, readiness_started, readiness_stopping, &r);
	control_destroy(steal_pointer(&r.control));
	ready_stopping(&r, "the server exited");
	if (r.wrote_ready_file && unlink(l->profile->health_ready_file) < 0 && errno != ENOENT)
		log_warn("cannot remove the ready file %s: %s", l->profile->health_ready_file,
			 strerror(errno));
	if (r.gave_up) {
		rc = EXIT_NOT_READY;
	} else if (r.probing && !r.ready && r.server && !r.said_exit) {
		log_error("the server exited before it became ready (%s)", r.target.display);
	}
	return rc;
}

int cmd_run(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	_cleanup_(cmd_unload) struct loaded l = {0};
	const char *name = NULL;
	bool exec_mode = false, no_check = false, reveal = false;
	char **extra = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			extra = argv + i + 1;
			break;
		} else if (strcmp(argv[i], "--exec") == 0) {
			exec_mode = true;
		} else if (strcmp(argv[i], "--no-check") == 0) {
			no_check = true;
		} else if (strcmp(argv[i], "--reveal") == 0) {
			reveal = true;
		} else if (cmd_is_help(argv[i])) {
			return cmd_help_of("run", g);
		} else if (argv[i][0] == '-') {
			cmd_usage_error("run", "unknown option '%s' for run", argv[i]);
			return EXIT_REFUSED;
		} else if (!name) {
			name = argv[i];
		} else {
			cmd_usage_error("run", "unexpected argument '%s' (server arguments go after --)",
					argv[i]);
			return EXIT_REFUSED;
		}
	}
	if (!name) {
		cmd_usage_error("run", "run needs a PROFILE");
		return EXIT_REFUSED;
	}
	if (cmd_load(&l, name, g, extra, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_REFUSED;
	}
	if (!l.launch_ok) {
		cmd_print_error(&l.launch_error);
		return EXIT_REFUSED;
	}
	/*
	 * --no-check skips the preflight, but not in production the question of
	 * who else can write the profile and .env files: that user decides what
	 * runs as the app, --no-check or not.
	 */
	if (no_check && l.profile->stage == STAGE_PRODUCTION) {
		char *perms[] = {"profile.permissions", "env.permissions", NULL};

		if (start_preflight(&l, reveal, perms, g) < 0)
			return EXIT_REFUSED;
	}
	if (!no_check && start_preflight(&l, reveal, NULL, g) < 0)
		return EXIT_REFUSED;
	if (access(l.launch.exe, F_OK) < 0 && !path_is_dir(l.profile->venv)) {
		log_error("server not found: %s (the virtualenv %s does not exist)",
			  l.launch.exe, l.profile->venv);
		return EXIT_NOT_FOUND;
	}
	if (access(l.launch.exe, F_OK) < 0) {
		log_error("server not found: %s (is %s installed in the virtualenv %s?)",
			  l.launch.exe, profile_server_name(l.profile->server), l.profile->venv);
		return EXIT_NOT_FOUND;
	}
	if (access(l.launch.exe, X_OK) < 0) {
		log_error("server is not executable: %s", l.launch.exe);
		return EXIT_NOT_EXECUTABLE;
	}
	return exec_mode ? exec_server(&l) : run_supervised(&l, g);
}

const struct command_help cmd_run_help = {
	"run PROFILE [--exec] [-- ARGS...]",
	"Checks the deployment, then starts the server of PROFILE with its bind, workers,\n"
	"timeouts and environment. By default deploy-run stays as the server's parent\n"
	"(forwarding signals, reaping zombies, cleaning up at exit); --exec replaces\n"
	"deploy-run with the server instead, for hosts where systemd supervises.\n"
	"ARGS after -- are appended to the server's arguments.\n\n"
	"Options:\n"
	"  --exec          replace deploy-run with the server (no supervisor)\n"
	"  --no-check      start without the preflight checks (in production, who\n"
	"                  can write the profile and .env files is still checked)\n"
	"  --reveal        show secret values in messages\n\n"
	"With [health] path or url, deploy-run probes the server until it answers\n"
	"(or [health] start_timeout passes), then logs the time to ready, sends\n"
	"READY=1 to $NOTIFY_SOCKET (systemd Type=notify), writes [health] ready_file,\n"
	"and with $WATCHDOG_USEC sends WATCHDOG=1 while the probe keeps passing.\n\n"
	"Exit status: the server's own; 128+N when it died of signal N; 124 when the\n"
	"server never became ready and [health] on_timeout = stop; 125 when\n"
	"deploy-run refused or failed before the server started; 126 when the server\n"
	"is not executable; 127 when it is not found.\n"
};
