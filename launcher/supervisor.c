#include "supervisor.h"
#include "log.h"
#include "privdrop.h"
#include "proctree.h"
#include "proc.h"
#include "signame.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_KILL_TIMEOUT_MS 35000
#define DEFAULT_ORPHAN_TIMEOUT_MS 5000

enum phase {
	PHASE_RUNNING,  /* the server runs */
	PHASE_STOPPING, /* a stop signal was forwarded; the kill timer runs */
	PHASE_ORPHANS,  /* the server is gone; its orphans got SIGTERM */
	PHASE_KILLING,  /* SIGKILL sent to the tree; reaping what is left */
	PHASE_DONE,     /* no child left */
};

struct watch {
	int fd;
	int timer_id;  /* > 0 for timers, whose fd is ours */
	bool dead;
	supervisor_fd_cb fd_cb;
	supervisor_timer_cb timer_cb;
	void *data;
};

struct supervisor {
	const struct supervisor_config *cfg;
	struct cleanup *cl;
	int epfd;
	int sfd;
	int pidfd;
	pid_t self;
	pid_t server;
	enum phase phase;
	bool server_gone;
	int wstatus;
	int kill_timer;
	int next_timer_id;
	struct watch **watches;
	size_t n_watches, cap_watches;
	long peak_rss_kb;
	unsigned long reaped;     /* children reaped other than the server */
	long orphans_termed;      /* descendants signalled when the server exited */
	long killed;              /* processes that got SIGKILL from us (first sweep) */
	bool kill_after_stop;     /* the kill timer of a stop fired */
	const unsigned long *recycled; /* workers the memory ceiling replaced */
	pid_t successor;          /* takes over when the server exits, or 0 */
	int stop_sig;             /* the stop signal forwarded (PHASE_STOPPING) */
	struct supervisor_server_hooks hooks;
	pid_t *helpers;           /* supervisor_fork_helper's children not reaped yet */
	size_t n_helpers, cap_helpers;
};

/* What the child reports on its close-on-exec pipe when it cannot execute the server. */
enum child_stage { STAGE_USER = 1, STAGE_CHDIR, STAGE_EXEC };

struct child_report {
	int stage;
	int errnum;
};

struct child_args {
	const char *exe;
	char *const *argv;
	char **envp;
	char *listen_pid;       /* "LISTEN_PID=" slot to fill with the child's pid, or NULL */
	const char *cwd;
	const struct privdrop *pd;
	bool new_pgrp;
	pid_t parent;
	int report_fd;
};

static const int forwarded[] = {
	SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGTTIN, SIGTTOU, SIGWINCH,
};

/* Left unblocked: a fault in the supervisor must crash it, not hang it. */
static const int fault_signals[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT,
};

static bool is_forwarded(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		if (forwarded[i] == sig)
			return true;
	return false;
}

static bool is_stop_signal(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGQUIT;
}

/* "SIGTERM"; "SIG42" for a signal without a name */
static const char *sig_name(int sig, char *buf, unsigned size)
{
	char tmp[16];
	const char *n = signame_from_number(sig, tmp, sizeof(tmp));

	snprintf(buf, size, "%s%s", str_starts_with(n, "SIG") ? "" : "SIG", n);
	return buf;
}

/* ---- the loop's watches ---- */

static struct watch *add_watch(struct supervisor *sv, int fd, uint32_t events, struct error *err)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	struct epoll_event ev = {.events = events, .data.ptr = w};

	if (epoll_ctl(sv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		error_set(err, errno, "cannot watch fd %d", fd);
		free(w);
		return NULL;
	}
	w->fd = fd;
	grow_array((void **)&sv->watches, &sv->cap_watches, sv->n_watches + 1,
		   sizeof(*sv->watches));
	sv->watches[sv->n_watches++] = w;
	return w;
}

static void kill_watch(struct supervisor *sv, struct watch *w)
{
	if (w->dead)
		return;
	epoll_ctl(sv->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	if (w->timer_id > 0)
		close(w->fd);
	w->dead = true;
}

static void free_dead_watches(struct supervisor *sv)
{
	size_t i, j = 0;

	for (i = 0; i < sv->n_watches; i++) {
		if (sv->watches[i]->dead)
			free(sv->watches[i]);
		else
			sv->watches[j++] = sv->watches[i];
	}
	sv->n_watches = j;
}

int supervisor_watch_fd(struct supervisor *sv, int fd, uint32_t events, supervisor_fd_cb cb,
			void *data, struct error *err)
{
	struct watch *w = add_watch(sv, fd, events, err);

	if (!w)
		return -1;
	w->fd_cb = cb;
	w->data = data;
	return 0;
}

void supervisor_unwatch_fd(struct supervisor *sv, int fd)
{
	for (size_t i = 0; i < sv->n_watches; i++)
		if (sv->watches[i]->fd == fd && !sv->watches[i]->timer_id)
			kill_watch(sv, sv->watches[i]);
}

int supervisor_add_timer(struct supervisor *sv, uint64_t ms, supervisor_timer_cb cb, void *data,
			 struct error *err)
{
	struct itimerspec its = {.it_value = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000}};
	struct watch *w;
	int fd;

	if (!ms)
		its.it_value.tv_nsec = 1; /* zero would disarm it */
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return error_set(err, errno, "cannot create a timer");
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		close(fd);
		return error_set(err, errno, "cannot arm a timer");
	}
	w = add_watch(sv, fd, EPOLLIN, err);
	if (!w) {
		close(fd);
		return -1;
	}
	w->timer_id = ++sv->next_timer_id;
	w->timer_cb = cb;
	w->data = data;
	return w->timer_id;
}

void supervisor_cancel_timer(struct supervisor *sv, int id)
{
	for (size_t i = 0; i < sv->n_watches && id > 0; i++)
		if (sv->watches[i]->timer_id == id)
			kill_watch(sv, sv->watches[i]);
}

static void on_pidfd(struct supervisor *sv, int fd, uint32_t events, void *data);
static void send_to_server(struct supervisor *sv, int sig);

void supervisor_set_recycled(struct supervisor *sv, const unsigned long *count)
{
	sv->recycled = count;
}

pid_t supervisor_server_pid(const struct supervisor *sv)
{
	return sv->server_gone ? 0 : sv->server;
}

void supervisor_set_successor(struct supervisor *sv, pid_t successor)
{
	sv->successor = successor;
}

void supervisor_set_server_hooks(struct supervisor *sv, const struct supervisor_server_hooks *h)
{
	if (h)
		sv->hooks = *h;
	else
		memset(&sv->hooks, 0, sizeof(sv->hooks));
}

/*
 * The server exited: when its successor lives on as our child (the kernel
 * reparented it to us, the subreaper, as the server exited), it becomes
 * the server.  Returns true then.
 */
static bool hand_over(struct supervisor *sv, int wstatus)
{
	pid_t old = sv->server, next = sv->successor, parent = 0;
	char state;
	int fd;

	sv->successor = 0;
	state = next > 0 ? proc_state(next, &parent) : 0;
	if (!state || state == 'Z' || state == 'X' || parent != sv->self)
		return false;
	if (sv->pidfd >= 0) {
		supervisor_unwatch_fd(sv, sv->pidfd);
		close(sv->pidfd);
	}
	/* without a pidfd (an old kernel, valgrind) SIGCHLD alone tells its exit */
	fd = (int)pidfd_open(next, 0);
	sv->pidfd = fd;
	sv->server = next;
	if (fd >= 0) {
		struct error err = ERROR_INIT;

		fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (supervisor_watch_fd(sv, fd, EPOLLIN, on_pidfd, NULL, &err) < 0)
			log_debug("%s: the new server's exit is seen through SIGCHLD only",
				  err.message);
	}
	/* a stop that reached the old server only must reach its successor too */
	if (sv->phase == PHASE_STOPPING)
		send_to_server(sv, sv->stop_sig);
	if (sv->hooks.replaced)
		sv->hooks.replaced(sv, old, next, wstatus, sv->hooks.data);
	return true;
}


/* ---- helpers ---- */

pid_t supervisor_fork_helper(struct supervisor *sv, struct error *err)
{
	pid_t pid = fork();

	if (pid < 0)
		return error_set(err, errno, "cannot fork a helper");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != sv->self)
			_exit(1);
		return 0;
	}
	grow_array((void **)&sv->helpers, &sv->cap_helpers, sv->n_helpers + 1,
		   sizeof(*sv->helpers));
	sv->helpers[sv->n_helpers++] = pid;
	return pid;
}

static bool forget_helper(struct supervisor *sv, pid_t pid)
{
	for (size_t i = 0; i < sv->n_helpers; i++) {
		if (sv->helpers[i] == pid) {
			sv->helpers[i] = sv->helpers[--sv->n_helpers];
			return true;
		}
	}
	return false;
}

void supervisor_kill_helper(struct supervisor *sv, pid_t pid)
{
	for (size_t i = 0; i < sv->n_helpers; i++)
		if (sv->helpers[i] == pid)
			kill(pid, SIGKILL);
}

/*
 * Before the tree is signalled: the helpers are ours, not orphans of the
 * server, and must not be counted or waited for as such.  SIGKILL ends
 * them at once; reaping them here keeps them out of the sweep.
 */
static void end_helpers(struct supervisor *sv)
{
	for (size_t i = 0; i < sv->n_helpers; i++) {
		kill(sv->helpers[i], SIGKILL);
		while (waitpid(sv->helpers[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	sv->n_helpers = 0;
}

/* ---- stopping and reaping ---- */

static void kill_tree(struct supervisor *sv)
{
	long n;

	end_helpers(sv);

	cleanup_observe(sv->cl, sv->self); /* the last look at what the tree maps */
	n = proctree_signal(sv->self, SIGKILL);

	if (n < 0 && !sv->server_gone)
		n = kill(sv->server, SIGKILL) == 0;
	if (sv->phase != PHASE_KILLING && n > 0)
		sv->killed = n;
	sv->phase = PHASE_KILLING;
}

static void cancel_kill_timer(struct supervisor *sv)
{
	supervisor_cancel_timer(sv, sv->kill_timer);
	sv->kill_timer = 0;
}

static void kill_timer_fired(struct supervisor *sv, void *data)
{
	int64_t ms = (int64_t)(intptr_t)data;

	sv->kill_timer = 0;
	if (sv->phase == PHASE_STOPPING) {
		log_warn("the server did not stop within %.1fs: killing its process tree",
			 ms / 1000.0);
		sv->kill_after_stop = true;
		kill_tree(sv);
	} else if (sv->phase == PHASE_ORPHANS) {
		log_warn("orphaned processes still running %.1fs after the server exited: "
			 "killing them", ms / 1000.0);
		kill_tree(sv);
	}
}

static void arm_kill_timer(struct supervisor *sv, int64_t ms)
{
	struct error err = ERROR_INIT;

	cancel_kill_timer(sv);
	sv->kill_timer = supervisor_add_timer(sv, (uint64_t)ms, kill_timer_fired,
					      (void *)(intptr_t)ms, &err);
	if (sv->kill_timer < 0) {
		/* without a timer the stop could hang forever: kill now */
		log_warn("%s: killing the process tree now", err.message);
		sv->kill_timer = 0;
		kill_tree(sv);
	}
}

static int64_t kill_timeout(const struct supervisor *sv)
{
	return sv->cfg->kill_timeout_ms > 0 ? sv->cfg->kill_timeout_ms : DEFAULT_KILL_TIMEOUT_MS;
}

static int64_t orphan_timeout(const struct supervisor *sv)
{
	return sv->cfg->orphan_timeout_ms > 0 ? sv->cfg->orphan_timeout_ms
					      : DEFAULT_ORPHAN_TIMEOUT_MS;
}

static void send_to_server(struct supervisor *sv, int sig)
{
	char name[24];
	int r;

	if (sv->server_gone)
		return;
	if (sv->pidfd >= 0)
		r = pidfd_send_signal(sv->pidfd, sig, NULL, 0);
	else
		r = kill(sv->server, sig);
	if (r < 0 && errno != ESRCH)
		log_warn("cannot send %s to the server (pid %d): %s",
			 sig_name(sig, name, sizeof(name)), (int)sv->server, strerror(errno));
}

void supervisor_stop(struct supervisor *sv, int sig, const char *reason)
{
	if (reason)
		log_info("stopping the server: %s", reason);
	if (sv->server_gone) {
		if (sv->phase == PHASE_ORPHANS)
			kill_tree(sv);
		return;
	}
	send_to_server(sv, sig);
	if (sv->phase == PHASE_RUNNING) {
		sv->phase = PHASE_STOPPING;
		sv->stop_sig = sig;
		arm_kill_timer(sv, kill_timeout(sv));
		if (sv->cfg->on_stopping)
			sv->cfg->on_stopping(sv, sig, sv->cfg->data);
	}
}

static void server_exited(struct supervisor *sv)
{
	long n;

	if (sv->pidfd >= 0) {
		supervisor_unwatch_fd(sv, sv->pidfd);
		close(sv->pidfd);
		sv->pidfd = -1;
	}
	cancel_kill_timer(sv);
	end_helpers(sv);
	if (sv->hooks.exited)
		sv->hooks.exited(sv, sv->wstatus, sv->hooks.data);
	if (sv->phase == PHASE_KILLING || sv->phase == PHASE_DONE) {
		if (sv->phase == PHASE_KILLING)
			proctree_signal(sv->self, SIGKILL);
		return;
	}
	/* what the server left behind: a Manager after os._exit, a stray worker */
	cleanup_observe(sv->cl, sv->self);
	n = proctree_signal(sv->self, SIGTERM);
	sv->orphans_termed = n > 0 ? n : 0;
	if (n > 0)
		log_debug("the server exited: %ld orphaned process%s got SIGTERM", n,
			  n == 1 ? "" : "es");
	sv->phase = PHASE_ORPHANS;
	arm_kill_timer(sv, orphan_timeout(sv));
}

static void reap(struct supervisor *sv)
{
	bool server_now = false;

	for (;;) {
		struct rusage ru;
		int st;
		pid_t pid = wait4(-1, &st, WNOHANG, &ru);

		if (pid > 0) {
			if (forget_helper(sv, pid))
				continue; /* ours, not the tree's: neither its RSS nor an orphan */
			if (ru.ru_maxrss > sv->peak_rss_kb)
				sv->peak_rss_kb = ru.ru_maxrss;
			if (pid == sv->server) {
				if (hand_over(sv, st))
					continue;
				sv->wstatus = st;
				sv->server_gone = true;
				server_now = true;
			} else {
				sv->reaped++;
			}
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0 && errno == ECHILD && sv->server_gone)
			sv->phase = PHASE_DONE;
		break;
	}
	if (server_now)
		server_exited(sv);
	else if (sv->phase == PHASE_KILLING)
		proctree_signal(sv->self, SIGKILL); /* whatever forked since */
}

static void on_pidfd(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	reap(sv);
}

/* Something was created in /dev/shm: see whether the tree uses it. */
static void on_shm_created(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	cleanup_observe(sv->cl, sv->self);
}

static void on_signal(struct supervisor *sv, int fd, uint32_t events, void *data)
{
	struct signalfd_siginfo si;
	char name[24];

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGCHLD) {
			reap(sv);
		} else if (is_forwarded(sig) && !sv->server_gone) {
			send_to_server(sv, sig);
			if (is_stop_signal(sig) && sv->phase == PHASE_RUNNING) {
				sv->phase = PHASE_STOPPING;
				sv->stop_sig = sig;
				arm_kill_timer(sv, kill_timeout(sv));
				/* the tree is still whole: note the segments it uses */
				cleanup_observe(sv->cl, sv->self);
				if (sv->cfg->on_stopping)
					sv->cfg->on_stopping(sv, sig, sv->cfg->data);
			}
		} else if (is_stop_signal(sig) && sv->phase == PHASE_ORPHANS) {
			log_info("%s: killing the remaining processes now",
				 sig_name(sig, name, sizeof(name)));
			kill_tree(sv);
		} else {
			log_debug("ignoring %s", sig_name(sig, name, sizeof(name)));
		}
	}
}

/* ---- starting the server ---- */

static const char *env_get(char *const *envp, const char *key)
{
	size_t n = strlen(key);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, key, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/*
 * The file execve() will run: argv0 itself when it holds a '/', else the
 * first match in PATH (the server's PATH, as a shell started with that
 * environment would search it).  A match that is not executable is kept
 * when nothing better follows, so that execve() reports why (126).
 */
static char *find_executable(const char *argv0, char *const *envp, struct error *err)
{
	const char *path = env_get(envp, "PATH");
	_cleanup_free_ char *copy = NULL;
	char *fallback = NULL, *dir, *save = NULL;

	if (strchr(argv0, '/'))
		return xstrdup(argv0);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *dir ? dir : ".", argv0);
		struct stat st;

		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(p, X_OK) == 0) {
				free(fallback);
				return p;
			}
			if (!fallback) {
				fallback = p;
				continue;
			}
		}
		free(p);
	}
	if (fallback)
		return fallback;
	error_set(err, 0, "%s: command not found in PATH (%s)", argv0, path);
	return NULL;
}

/*
 * A copy of envp (the strings are shared) where LISTEN_PID, when it names
 * this process and LISTEN_FDS is set, points to a buffer the child fills
 * with its own pid.
 */
static char **prepare_env(char *const *envp, char **slot)
{
	const char *fds = env_get(envp, "LISTEN_FDS"), *lp = env_get(envp, "LISTEN_PID");
	size_t n = 0, i;
	char **out;

	*slot = NULL;
	while (envp && envp[n])
		n++;
	out = xcalloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i++)
		out[i] = envp[i];
	if (!fds || !lp || atol(lp) != (long)getpid())
		return out;
	for (i = 0; i < n; i++) {
		if (str_starts_with(out[i], "LISTEN_PID=")) {
			*slot = xcalloc(1, 32);
			memcpy(*slot, "LISTEN_PID=", 11);
			out[i] = *slot;
		}
	}
	return out;
}

/* async-signal-safe: writes the decimal pid after "LISTEN_PID=" */
static void fill_listen_pid(char *slot, pid_t pid)
{
	char digits[16];
	int n = 0, i = 11;

	do {
		digits[n++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid && n < (int)sizeof(digits));
	while (n)
		slot[i++] = digits[--n];
	slot[i] = '\0';
}

static void child_fail(const struct child_args *a, int stage)
{
	struct child_report rep = {stage, errno};
	ssize_t r = write(a->report_fd, &rep, sizeof(rep));

	(void)r;
	_exit(127);
}

/* Between fork() and execve(): system calls only, no allocation. */
__attribute__((noreturn)) static void child_exec(const struct child_args *a)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	/* ignored signals stay ignored across execve(): reset every one */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (a->new_pgrp)
		setpgid(0, 0);
	if (a->pd && privdrop_apply(a->pd) < 0)
		child_fail(a, STAGE_USER);
	/* after the id change, which clears it; a graceful stop if we vanish */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != a->parent)
		_exit(125);
	if (a->cwd && chdir(a->cwd) < 0)
		child_fail(a, STAGE_CHDIR);
	if (a->listen_pid)
		fill_listen_pid(a->listen_pid, getpid());
	execve(a->exe, a->argv, a->envp);
	child_fail(a, STAGE_EXEC);
	_exit(127);
}

int supervisor_exec_error(const char *exe, int errnum, struct error *err)
{
	char line[256];
	ssize_t n = -1;
	int fd;

	if (errnum != ENOENT || access(exe, F_OK) < 0) {
		error_set(err, errnum, "cannot execute %s", exe);
		return errnum == ENOENT ? 127 : 126;
	}
	fd = open(exe, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
	}
	if (n > 2 && line[0] == '#' && line[1] == '!') {
		char *interp = line + 2;

		line[n] = '\0';
		interp += strspn(interp, " \t");
		interp[strcspn(interp, " \t\r\n")] = '\0';
		error_set(err, 0, "cannot execute %s: its interpreter %s does not exist (a "
			  "virtualenv moved or copied after it was made? recreate it)", exe, interp);
	} else {
		error_set(err, errnum, "cannot execute %s (a program whose loader is missing?)", exe);
	}
	return 126;
}

static int start_failure(const struct supervisor_config *cfg, const char *exe,
			 const struct child_report *rep, struct error *err)
{
	switch (rep->stage) {
	case STAGE_USER:
		error_set(err, rep->errnum, "cannot switch to user '%s'", cfg->user);
		return 125;
	case STAGE_CHDIR:
		error_set(err, rep->errnum, "cannot change to the directory %s", cfg->cwd);
		return 125;
	default:
		return supervisor_exec_error(exe, rep->errnum, err);
	}
}

/* ---- the summary ---- */

static int exit_code(const struct supervisor *sv, struct strbuf *why)
{
	char name[24];

	if (WIFEXITED(sv->wstatus)) {
		strbuf_addf(why, "server exited with status %d", WEXITSTATUS(sv->wstatus));
		return WEXITSTATUS(sv->wstatus);
	}
	if (WIFSIGNALED(sv->wstatus)) {
		int sig = WTERMSIG(sv->wstatus);
		bool ok = sig < 64 && (sv->cfg->success_signals & (1ull << sig));

		strbuf_addf(why, "server killed by %s%s", sig_name(sig, name, sizeof(name)),
			    ok ? ", counted as success" : "");
		return ok ? 0 : 128 + sig;
	}
	strbuf_adds(why, "server status unknown");
	return 125;
}

static void print_summary(const struct supervisor *sv, int code, const char *why,
			  uint64_t elapsed_ns, const struct cleanup *cl)
{
	struct strbuf sb;
	char rss[32];

	strbuf_init(&sb);
	cleanup_format_size(rss, sizeof(rss), (unsigned long long)sv->peak_rss_kb * 1024);
	strbuf_addf(&sb, "exit %d (%s) after %.1fs, peak RSS %s", code, why,
		    elapsed_ns / 1e9, rss);
	if (sv->kill_after_stop)
		strbuf_addf(&sb, ", killed after the %.1fs kill timeout", kill_timeout(sv) / 1000.0);
	if (sv->orphans_termed)
		strbuf_addf(&sb, ", %ld orphan%s stopped", sv->orphans_termed,
			    sv->orphans_termed == 1 ? "" : "s");
	if (sv->killed)
		strbuf_addf(&sb, ", %ld process%s killed", sv->killed, sv->killed == 1 ? "" : "es");
	if (sv->reaped)
		strbuf_addf(&sb, ", %lu orphan%s reaped", sv->reaped, sv->reaped == 1 ? "" : "s");
	if (sv->recycled && *sv->recycled)
		strbuf_addf(&sb, ", %lu worker%s recycled", *sv->recycled,
			    *sv->recycled == 1 ? "" : "s");
	strbuf_addf(&sb, ", cleaned: %s", cl && cleanup_count(cl) ? cleanup_summary(cl) : "nothing");
	log_info("%s", sb.buf);
	strbuf_finish(&sb);
}

/* ---- the whole run ---- */

static void block_signals(sigset_t *blocked)
{
	struct sigaction sa;
	int sig;

	sigfillset(blocked);
	for (size_t i = 0; i < ARRAY_SIZE(fault_signals); i++)
		sigdelset(blocked, fault_signals[i]);
	sigprocmask(SIG_SETMASK, blocked, NULL);
	/*
	 * A signal whose disposition is SIG_IGN is discarded before it could
	 * be queued, blocked or not; SIGCHLD ignored would even reap children
	 * behind our back.  Blocked, the default action never runs.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(blocked, sig) == 1 && sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
}

static void loop(struct supervisor *sv)
{
	while (sv->phase != PHASE_DONE) {
		struct epoll_event ev[8];
		int n = epoll_wait(sv->epfd, ev, (int)ARRAY_SIZE(ev), -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s: waiting for the process tree", strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;

			if (w->dead)
				continue;
			if (w->timer_id) {
				kill_watch(sv, w);
				w->timer_cb(sv, w->data);
			} else {
				w->fd_cb(sv, w->fd, ev[i].events, w->data);
			}
		}
		free_dead_watches(sv);
	}
	/* only reached without a loop: block until every child is gone */
	while (sv->phase != PHASE_DONE) {
		struct rusage ru;
		int st;
		pid_t pid = wait4(-1, &st, 0, &ru);

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			break;
		if (pid == sv->server) {
			sv->wstatus = st;
			sv->server_gone = true;
		}
	}
}

/* The loop's own resources: its watches, helpers and descriptors. */
static void supervisor_teardown(struct supervisor *sv)
{
	int saved = errno;

	for (size_t i = 0; i < sv->n_watches; i++)
		kill_watch(sv, sv->watches[i]);
	free_dead_watches(sv);
	free(sv->watches);
	free(sv->helpers);
	closep(&sv->pidfd);
	closep(&sv->epfd);
	closep(&sv->sfd);
	errno = saved;
}

DEFINE_POINTER_CLEANUP(struct cleanup *, cleanup_destroyp, cleanup_destroy)

/* Watches what the server's tree adds to the shm directory (cleanup rule 4). */
static void track_segments(struct supervisor *sv)
{
	struct error terr = ERROR_INIT;
	int wfd = cleanup_track(sv->cl, &terr);

	if (wfd < 0)
		log_debug("%s: a new segment nothing maps at exit counts as the run's", terr.message);
	else if (supervisor_watch_fd(sv, wfd, EPOLLIN, on_shm_created, NULL, &terr) < 0)
		log_debug("%s: segments are attributed to the tree at a stop only", terr.message);
}

/* Watches the server's pidfd; without one (old kernels) SIGCHLD alone says it exited. */
static void watch_server(struct supervisor *sv)
{
	struct error terr = ERROR_INIT;

	sv->pidfd = pidfd_open(sv->server, 0);
	if (sv->pidfd < 0)
		return;
	fcntl(sv->pidfd, F_SETFD, FD_CLOEXEC);
	if (supervisor_watch_fd(sv, sv->pidfd, EPOLLIN, on_pidfd, NULL, &terr) < 0)
		close(steal_fd(&sv->pidfd));
}

int supervisor_run(const struct supervisor_config *cfg, struct error *err)
{
	/* released in the reverse order: the loop first, the user's ids last */
	_cleanup_(privdrop_finish) struct privdrop pd = {0};
	_cleanup_free_ char *exe = NULL, *slot = NULL, *tmp_dir = NULL;
	_cleanup_free_ char **envp = NULL;
	_cleanup_(cleanup_destroyp) struct cleanup *cl = NULL;
	_cleanup_close_ int report_rd = -1, report_wr = -1;
	_cleanup_(supervisor_teardown) struct supervisor sv = {.cfg = cfg, .epfd = -1, .sfd = -1,
							       .pidfd = -1};
	struct cleanup_config ccfg = {0};
	struct child_args child;
	struct child_report rep;
	struct strbuf why;
	int pipefd[2];
	sigset_t blocked;
	uint64_t start;
	ssize_t got;
	int rc;
	bool drop = cfg->user && *cfg->user;

	if (!cfg->argv || !cfg->argv[0] || !*cfg->argv[0]) {
		error_set(err, 0, "no server command to run");
		return 125;
	}
	if (drop && privdrop_init(&pd, cfg->user, err) < 0)
		return 125;
	exe = find_executable(cfg->argv[0], cfg->envp ? cfg->envp : environ, err);
	if (!exe)
		return 127;
	envp = prepare_env(cfg->envp ? cfg->envp : environ, &slot);

	ccfg.shm = cfg->shm;
	ccfg.owner = drop ? pd.uid : geteuid();
	ccfg.owner_gid = drop ? pd.gid : getegid();
	ccfg.prometheus_dir = cfg->prometheus_dir;
	ccfg.pid_file = cfg->pid_file;
	ccfg.unix_sockets = cfg->unix_sockets;
	ccfg.quiet = cfg->quiet;
	tmp_dir = cleanup_tmp_dir(envp, cfg->cwd);
	ccfg.tmp_dir = tmp_dir;
	cl = cleanup_create(&ccfg, err);
	if (!cl || cleanup_prepare(cl, err) < 0)
		return 125;

	block_signals(&blocked);
	sv.self = getpid();
	sv.sfd = signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sv.sfd < 0) {
		error_set(err, errno, "cannot create a signalfd");
		return 125;
	}
	sv.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sv.epfd < 0) {
		error_set(err, errno, "cannot create an epoll instance");
		return 125;
	}
	if (supervisor_watch_fd(&sv, sv.sfd, EPOLLIN, on_signal, NULL, err) < 0)
		return 125;
	/* which new segments the tree uses, so that only those are removed */
	sv.cl = cl;
	if (cfg->shm != CLEANUP_SHM_OFF)
		track_segments(&sv);
	/* orphans of the tree come to us, as they would to PID 1 */
	if (sv.self != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		error_set(err, errno, "cannot become a child subreaper");
		return 125;
	}
	/* the child reports a failure to start on this pipe; exec closes it */
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		error_set(err, errno, "cannot create a pipe");
		return 125;
	}
	report_rd = pipefd[0];
	report_wr = pipefd[1];

	child = (struct child_args){exe, cfg->argv, envp, slot, cfg->cwd,
				    drop ? &pd : NULL, !cfg->keep_process_group, sv.self, report_wr};
	start = now_ns();
	sv.server = fork();
	if (sv.server < 0) {
		error_set(err, errno, "cannot fork");
		return 125;
	}
	if (sv.server == 0)
		child_exec(&child);
	close(steal_fd(&report_wr));
	do
		got = read(report_rd, &rep, sizeof(rep));
	while (got < 0 && errno == EINTR);
	if (got == (ssize_t)sizeof(rep)) {
		waitpid(sv.server, NULL, 0);
		return start_failure(cfg, exe, &rep, err);
	}

	watch_server(&sv);
	if (cfg->on_started)
		cfg->on_started(&sv, sv.server, cfg->data);
	loop(&sv);

	strbuf_init(&why);
	rc = exit_code(&sv, &why);
	cleanup_finish(cl);
	if (!cfg->quiet)
		print_summary(&sv, rc, why.buf, now_ns() - start, cl);
	strbuf_finish(&why);
	return rc;
}
