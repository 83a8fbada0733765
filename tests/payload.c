/*
 * The test payload of the supervisor tests: a tiny server stand-in driven
 * by its arguments, which are actions run in order.  Every line it logs
 * (to --log FILE or $PAYLOAD_LOG, appended with one write(2) each) starts
 * with its pid and role:  "PID ROLE WHAT".
 *
 *   --log FILE            where to log (default $PAYLOAD_LOG, else stderr)
 *   --report-signals      log "mask=HEX ignored=HEX" (SigBlk, SigIgn of /proc/self/status)
 *   --report-env VAR      log "env VAR=VALUE" or "env VAR unset"
 *   --report-listen       log "listen fds=N pid=P self=S fd3=listening|none"
 *   --report-ids          log "ids uid=U gid=G groups=G1,G2"
 *   --pid-file FILE       write the pid to FILE
 *   --unix-socket PATH    bind a unix socket at PATH (never unlinked)
 *   --write FILE:BYTES    create FILE with BYTES bytes
 *   --shm NAME:BYTES      create the POSIX shared memory segment NAME (never unlinked)
 *   --workers N           fork N workers that log their signals (role "worker")
 *   --orphan-ignore-term  orphans made after this log SIGTERM and keep running
 *   --orphans N           make N orphans (a child forks a grandchild and exits;
 *                         the grandchild logs its signals, role "orphan")
 *   --zombies N           make N orphaned zombies (their parent exits before
 *                         they are reaped), log "zombies N" when done
 *   --ignore-term         SIGTERM is logged but does not stop --wait
 *   --term-status N       status --wait exits with after SIGTERM/SIGINT/SIGQUIT
 *   --wait                log every signal until a stop signal (log "ready" first);
 *                         then SIGKILL the workers, reap them, exit
 *   --sleep MS            sleep
 *   --raise SIG           die of signal SIG (a number)
 *   --exit N              exit with status N
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 2;
static const char *role = "master";
static bool ignore_term;
static bool orphan_ignore_term;
static volatile sig_atomic_t stop_requested;
static pid_t workers[64];
static int n_workers;
static int term_status;
static int ready_fd = -1; /* written to once the signal handlers are in place */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "%d %s ", (int)getpid(), role);
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_fd, line, (size_t)n) < 0)
		_exit(100);
}

/* async-signal-safe: builds the line by hand */
static void on_signal(int sig)
{
	char line[96], num[16];
	const char *name = sigabbrev_np(sig);
	int n = 0, k = 0, saved = errno;
	long pid = getpid();

	do {
		num[k++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid);
	while (k)
		line[n++] = num[--k];
	line[n++] = ' ';
	for (const char *r = role; *r && n < 60; r++)
		line[n++] = *r;
	line[n++] = ' ';
	line[n++] = 'S';
	line[n++] = 'I';
	line[n++] = 'G';
	for (; name && *name && n < 90; name++)
		line[n++] = *name;
	line[n++] = '\n';
	if (write(log_fd, line, (size_t)n) < 0)
		_exit(100);
	if ((sig == SIGTERM && !ignore_term) || sig == SIGINT || sig == SIGQUIT)
		stop_requested = sig;
	errno = saved;
}

static void catch_all(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD && sig != SIGSEGV)
			sigaction(sig, &sa, NULL);
}

static void wait_signals(void)
{
	sigset_t none;

	catch_all();
	say("ready");
	if (ready_fd >= 0) {
		if (write(ready_fd, "r", 1) < 0)
			_exit(100);
		close(ready_fd);
		ready_fd = -1;
	}
	sigemptyset(&none);
	while (!stop_requested)
		sigsuspend(&none);
}

static long number(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (!*s || *end) {
		fprintf(stderr, "payload: not a number: %s\n", s);
		exit(99);
	}
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void report_signals(void)
{
	char buf[4096], blk[32] = "?", ign[32] = "?";
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	char *p;

	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		if ((p = strstr(buf, "SigBlk:\t")))
			sscanf(p + 8, "%31s", blk);
		if ((p = strstr(buf, "SigIgn:\t")))
			sscanf(p + 8, "%31s", ign);
	}
	say("mask=%s ignored=%s", blk, ign);
}

static void report_listen(void)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	int acc = 0;
	socklen_t len = sizeof(acc);
	bool listening = getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) == 0 && acc;

	say("listen fds=%s pid=%s self=%d fd3=%s", fds ? fds : "unset", pid ? pid : "unset",
	    (int)getpid(), listening ? "listening" : "none");
}

static void report_ids(void)
{
	gid_t groups[64];
	int n = getgroups(64, groups);
	char list[512] = "";
	size_t len = 0;

	for (int i = 0; i < n && len < sizeof(list) - 16; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u", i ? "," : "",
					(unsigned)groups[i]);
	say("ids uid=%u gid=%u groups=%s", (unsigned)getuid(), (unsigned)getgid(), list);
}

static void split(const char *arg, char *name, size_t size, long *bytes)
{
	const char *colon = strrchr(arg, ':');

	if (!colon || (size_t)(colon - arg) >= size) {
		fprintf(stderr, "payload: expected NAME:BYTES, got %s\n", arg);
		exit(99);
	}
	memcpy(name, arg, (size_t)(colon - arg));
	name[colon - arg] = '\0';
	*bytes = number(colon + 1);
}

static void make_file(const char *arg, bool shm)
{
	char name[4096];
	long bytes;
	int fd;

	split(arg, name, sizeof(name), &bytes);
	fd = shm ? shm_open(name, O_CREAT | O_RDWR, 0600)
		 : open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, bytes) < 0) {
		fprintf(stderr, "payload: %s: %s\n", name, strerror(errno));
		exit(99);
	}
	close(fd);
}

static void bind_unix(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		fprintf(stderr, "payload: bind %s: %s\n", path, strerror(errno));
		exit(99);
	}
}

static void make_workers(long n)
{
	for (long i = 0; i < n && n_workers < (int)(sizeof(workers) / sizeof(workers[0])); i++) {
		pid_t pid = fork();

		if (pid == 0) {
			role = "worker";
			n_workers = 0;
			ignore_term = false;
			wait_signals();
			_exit(0);
		}
		workers[n_workers++] = pid;
	}
}

static void make_orphans(long n)
{
	for (long i = 0; i < n; i++) {
		int fds[2];
		pid_t pid;
		char c;

		/* the orphan is made only once it logs its signals */
		if (pipe(fds) < 0)
			exit(99);
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			if (fork() == 0) {
				ready_fd = fds[1];
				role = "orphan";
				n_workers = 0;
				ignore_term = orphan_ignore_term;
				setsid();
				wait_signals();
				_exit(0);
			}
			close(fds[1]);
			_exit(0);
		}
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			exit(99);
		close(fds[0]);
		waitpid(pid, NULL, 0);
	}
}

static void make_zombies(long n)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (long i = 0; i < n; i++) {
			pid_t z = fork();
			siginfo_t si;

			if (z == 0)
				_exit(0);
			/* wait until it is a zombie, without reaping it */
			waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT);
		}
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	say("zombies %ld", n);
}

static void finish_workers(void)
{
	for (int i = 0; i < n_workers; i++)
		kill(workers[i], SIGKILL);
	for (int i = 0; i < n_workers; i++)
		waitpid(workers[i], NULL, 0);
}

int main(int argc, char **argv)
{
	const char *env = getenv("PAYLOAD_LOG");

	if (env && *env)
		log_fd = open(env, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool used = true;

		if (!strcmp(a, "--log") && v)
			log_fd = open(v, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		else if (!strcmp(a, "--report-env") && v)
			getenv(v) ? say("env %s=%s", v, getenv(v)) : say("env %s unset", v);
		else if (!strcmp(a, "--pid-file") && v) {
			FILE *f = fopen(v, "w");

			if (!f)
				return 99;
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		} else if (!strcmp(a, "--unix-socket") && v)
			bind_unix(v);
		else if (!strcmp(a, "--write") && v)
			make_file(v, false);
		else if (!strcmp(a, "--shm") && v)
			make_file(v, true);
		else if (!strcmp(a, "--workers") && v)
			make_workers(number(v));
		else if (!strcmp(a, "--orphans") && v)
			make_orphans(number(v));
		else if (!strcmp(a, "--zombies") && v)
			make_zombies(number(v));
		else if (!strcmp(a, "--term-status") && v)
			term_status = (int)number(v);
		else if (!strcmp(a, "--sleep") && v)
			sleep_ms(number(v));
		else if (!strcmp(a, "--raise") && v) {
			int sig = (int)number(v);
			sigset_t set;

			signal(sig, SIG_DFL);
			sigemptyset(&set);
			sigaddset(&set, sig);
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			raise(sig);
			return 98;
		} else if (!strcmp(a, "--exit") && v)
			return (int)number(v);
		else
			used = false;
		if (log_fd < 0) {
			fprintf(stderr, "payload: cannot open the log: %s\n", strerror(errno));
			return 99;
		}
		if (used) {
			i++;
			continue;
		}
		if (!strcmp(a, "--report-signals"))
			report_signals();
		else if (!strcmp(a, "--report-listen"))
			report_listen();
		else if (!strcmp(a, "--report-ids"))
			report_ids();
		else if (!strcmp(a, "--orphan-ignore-term"))
			orphan_ignore_term = true;
		else if (!strcmp(a, "--ignore-term"))
			ignore_term = true;
		else if (!strcmp(a, "--wait")) {
			wait_signals();
			finish_workers();
			say("exit %d", term_status);
			return term_status;
		} else {
			fprintf(stderr, "payload: unknown argument %s\n", a);
			return 99;
		}
	}
	finish_workers();
	return 0;
}
