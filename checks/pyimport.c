#include "pyimport.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RESULT_PREFIX "deploy-run-import:"
#define OUTPUT_MAX (1024 * 1024)

/*
 * Runs in the venv's python.  Resolves MODULE:ATTR as gunicorn and uvicorn
 * do (dotted attribute, "factory()" called), then classifies the object as
 * uvicorn's interface detection does: a class or a coroutine function (or
 * an object whose __call__ is one) is ASGI; a plain callable taking
 * (environ, start_response) is WSGI.  Fields are tab-separated.
 */
static const char script[] =
	"import sys, os, inspect, traceback, importlib\n"
	"def out(*f):\n"
	"    s = '\\t'.join(str(x).replace('\\t', ' ').replace('\\n', ' ') for x in f)\n"
	"    sys.stdout.write('\\n" RESULT_PREFIX " ' + s + '\\n')\n"
	"    sys.stdout.flush()\n"
	"def params(f):\n"
	"    try:\n"
	"        ps = inspect.signature(f).parameters.values()\n"
	"    except (TypeError, ValueError):\n"
	"        return None\n"
	"    return [p.name for p in ps if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]\n"
	"def classify(o):\n"
	"    if inspect.isclass(o):\n"
	"        return 'asgi', 'class %s.%s' % (o.__module__, o.__qualname__)\n"
	"    if inspect.isfunction(o) or inspect.ismethod(o):\n"
	"        f, desc = o, 'function %s' % o.__qualname__\n"
	"    elif callable(o):\n"
	"        t = type(o)\n"
	"        f, desc = o.__call__, '%s.%s instance, __call__' % (t.__module__, t.__qualname__)\n"
	"    else:\n"
	"        t = type(o)\n"
	"        return 'unknown', '%s.%s instance, not callable' % (t.__module__, t.__qualname__)\n"
	"    co = inspect.iscoroutinefunction(f)\n"
	"    ps = params(f)\n"
	"    desc = '%s%s(%s)' % ('async ' if co else '', desc, ', '.join(ps or ['...']))\n"
	"    if co or (ps is not None and len(ps) == 3):\n"
	"        return 'asgi', desc\n"
	"    if ps is not None and len(ps) == 2:\n"
	"        return 'wsgi', desc\n"
	"    return 'unknown', desc\n"
	"def main(target):\n"
	"    mod, _, attr = target.partition(':')\n"
	"    attr = attr or 'application'\n"
	"    call = attr.endswith('()')\n"
	"    if call:\n"
	"        attr = attr[:-2]\n"
	"    try:\n"
	"        o = importlib.import_module(mod)\n"
	"        for part in attr.split('.'):\n"
	"            o = getattr(o, part)\n"
	"        if call:\n"
	"            o = o()\n"
	"    except BaseException as e:\n"
	"        where, line, cwd = '-', 0, os.getcwd() + os.sep\n"
	"        for fr, n in traceback.walk_tb(e.__traceback__):\n"
	"            fn = os.path.abspath(fr.f_code.co_filename)\n"
	"            if fn.startswith(cwd) and os.path.isfile(fn) and 'site-packages' not in fn:\n"
	"                where, line = fn, n\n"
	"        if isinstance(e, SyntaxError) and e.filename and os.path.isfile(e.filename):\n"
	"            where, line = os.path.abspath(e.filename), e.lineno or 0\n"
	"        msg = traceback.format_exception_only(type(e), e)[-1].strip()\n"
	"        out('error', where, line, msg)\n"
	"        return\n"
	"    kind, desc = classify(o)\n"
	"    out('ok', kind, desc)\n"
	"main(sys.argv[1])\n";

static char *field(char **s)
{
	char *start = *s, *tab = strchr(start, '\t');

	if (tab) {
		*tab = '\0';
		*s = tab + 1;
	} else {
		*s = start + strlen(start);
	}
	return start;
}

static char *last_line(const char *buf, const char *prefix)
{
	const char *p = buf, *found = NULL, *found_end = NULL;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		const char *stop = end ? end : p + strlen(p);
		const char *q = p;

		while (q < stop && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q < stop && (!prefix || strncmp(p, prefix, strlen(prefix)) == 0)) {
			found = prefix ? p + strlen(prefix) : q;
			found_end = stop;
		}
		p = end ? end + 1 : NULL;
	}
	if (!found)
		return NULL;
	while (found_end > found && (found_end[-1] == '\r' || found_end[-1] == ' '))
		found_end--;
	return xstrndup(found, (size_t)(found_end - found));
}

void pyimport_parse(const char *out_buf, const char *err_buf, struct pyimport_result *out)
{
	_cleanup_free_ char *line = last_line(out_buf ? out_buf : "", RESULT_PREFIX " ");
	char *s = line, *status;

	memset(out, 0, sizeof(*out));
	out->kind = INTERFACE_AUTO;
	if (line) {
		status = field(&s);
		if (strcmp(status, "ok") == 0) {
			const char *kind = field(&s);

			out->status = PYIMPORT_OK;
			if (strcmp(kind, "wsgi") == 0)
				out->kind = INTERFACE_WSGI;
			else if (strcmp(kind, "asgi") == 0)
				out->kind = INTERFACE_ASGI;
			out->what = xstrdup(s);
			return;
		}
		if (strcmp(status, "error") == 0) {
			const char *file = field(&s);
			const char *ln = field(&s);

			out->status = PYIMPORT_FAILED;
			if (strcmp(file, "-") != 0 && *file) {
				out->file = xstrdup(file);
				out->line = atoi(ln);
			}
			out->error = xstrdup(*s ? s : "unknown error");
			return;
		}
	}
	out->status = PYIMPORT_CRASHED;
	out->error = last_line(err_buf ? err_buf : "", NULL);
	if (!out->error)
		out->error = xstrdup("no output");
}

void pyimport_result_finish(struct pyimport_result *r)
{
	if (!r)
		return;
	free(r->what);
	free(r->error);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

/* Appends what fd has to sb, keeping at most the last OUTPUT_MAX bytes (the
 * result line comes last); returns false at EOF. */
static bool drain(int fd, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	if (sb->len + (size_t)n > OUTPUT_MAX) {
		size_t keep = OUTPUT_MAX / 2;

		memmove(sb->buf, sb->buf + sb->len - keep, keep);
		sb->len = keep;
		sb->buf[keep] = '\0';
	}
	strbuf_add(sb, buf, (size_t)n);
	return true;
}

static void child(const char *python, char *const *argv, char *const *envp, const char *cwd,
		  int out_fd, int err_fd)
{
	sigset_t all;
	int null_fd = open("/dev/null", O_RDONLY);

	/* its own process group, so that a timeout kills what the app started too */
	setpgid(0, 0);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (null_fd >= 0)
		dup2(null_fd, 0);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	if (chdir(cwd) < 0) {
		dprintf(2, "cannot enter the working directory %s: %s\n", cwd, strerror(errno));
		_exit(126);
	}
	execve(python, argv, envp);
	dprintf(2, "cannot execute %s: %s\n", python, strerror(errno));
	_exit(127);
}

int pyimport_capture(const char *python, const char *code, char *const *args,
		     char *const *envp, const char *cwd, int64_t timeout_ms,
		     struct pyimport_output *out, struct error *err)
{
	int out_pipe[2], err_pipe[2], status;
	struct strbuf obuf, ebuf;
	struct pollfd fds[2];
	uint64_t deadline = now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 1) * 1000000ull;
	struct strv argv = STRV_INIT;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (access(python, X_OK) < 0)
		return error_set(err, errno, "cannot run %s", python);
	strv_push(&argv, python);
	strv_push(&argv, "-B");
	strv_push(&argv, "-c");
	strv_push(&argv, code);
	for (; args && *args; args++)
		strv_push(&argv, *args);
	if (pipe2(out_pipe, O_CLOEXEC) < 0) {
		strv_finish(&argv);
		return error_set(err, errno, "pipe");
	}
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		close(out_pipe[0]);
		close(out_pipe[1]);
		strv_finish(&argv);
		return error_set(err, errno, "pipe");
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(out_pipe[0]);
		close(out_pipe[1]);
		close(err_pipe[0]);
		close(err_pipe[1]);
		strv_finish(&argv);
		return error_set(err, e, "fork");
	}
	if (pid == 0)
		child(python, strv_argv(&argv), envp, cwd, out_pipe[1], err_pipe[1]);
	setpgid(pid, pid); /* also here, so that the kill below cannot race the child's own */
	close(out_pipe[1]);
	close(err_pipe[1]);
	strv_finish(&argv);
	strbuf_init(&obuf);
	strbuf_init(&ebuf);
	fds[0] = (struct pollfd){.fd = out_pipe[0], .events = POLLIN};
	fds[1] = (struct pollfd){.fd = err_pipe[0], .events = POLLIN};
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		uint64_t now = now_ns();
		int i, n;

		if (now >= deadline) {
			out->timed_out = true;
			break;
		}
		n = poll(fds, 2, (int)((deadline - now) / 1000000 + 1));
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; n > 0 && i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			if (!drain(fds[i].fd, i == 0 ? &obuf : &ebuf)) {
				close(fds[i].fd);
				fds[i].fd = -1;
			}
		}
	}
	if (out->timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	if (fds[0].fd >= 0)
		close(fds[0].fd);
	if (fds[1].fd >= 0)
		close(fds[1].fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	out->status = status;
	out->out = obuf.buf ? strbuf_detach(&obuf) : xstrdup("");
	out->err = ebuf.buf ? strbuf_detach(&ebuf) : xstrdup("");
	strbuf_finish(&obuf);
	strbuf_finish(&ebuf);
	return 0;
}

void pyimport_output_finish(struct pyimport_output *o)
{
	if (!o)
		return;
	free(o->out);
	free(o->err);
	memset(o, 0, sizeof(*o));
}

int pyimport_run(const char *python, const char *target, char *const *envp, const char *cwd,
		 int64_t timeout_ms, struct pyimport_result *out, struct error *err)
{
	struct pyimport_output o;
	char *args[] = {(char *)target, NULL};

	memset(out, 0, sizeof(*out));
	if (pyimport_capture(python, script, args, envp, cwd, timeout_ms, &o, err) < 0)
		return -1;
	if (o.timed_out) {
		out->status = PYIMPORT_TIMEOUT;
		out->kind = INTERFACE_AUTO;
	} else {
		pyimport_parse(o.out, o.err, out);
	}
	pyimport_output_finish(&o);
	return 0;
}
