/*
 * deploy-run smoke PROFILE [--timeout D] [--url PATH]... [--format F]: the
 * smoke test of a whole deployment in one CI command.  Runs the preflight,
 * starts the server under the supervisor as run does, waits until the
 * health probe passes (the [health] target, else the first --url, else /),
 * GETs each URL expecting 2xx, stops the server gracefully (SIGTERM), lets
 * the supervisor clean up, and reports each URL with its status and times.
 * Exits 0 when everything passed, 1 when something failed or the server
 * never became ready, 2 for bad input.
 */
#include "cmd.h"
#include "health.h"
#include "log.h"
#include "start.h"
#include "strbuf.h"
#include "supervisor.h"
#include "util.h"
#include "value.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum format { FMT_TEXT, FMT_JSON, FMT_JUNIT };

struct url_result {
	const char *path;
	struct health_target target;
	struct health_result r;
	bool done;
};

struct smoke {
	const char *profile;
	struct health_target probe;   /* readiness */
	struct health_watch *watch;
	int64_t start_timeout_ms;
	struct url_result *urls;
	size_t n_urls;
	bool ready, timed_out, load_error;
	uint64_t ready_ns;
	int ready_status;
	struct health_result last;    /* the last readiness probe when never ready */
	char error[512];
	int exit_status;              /* the server's, from the supervisor */
};

static void run_urls(struct supervisor *sv, struct smoke *s)
{
	struct error err = ERROR_INIT;

	for (size_t i = 0; i < s->n_urls; i++) {
		struct url_result *u = &s->urls[i];

		if (health_probe(&u->target, &u->r, &err) < 0) {
			snprintf(s->error, sizeof(s->error), "%s", err.message);
			s->load_error = true;
			break;
		}
		u->done = true;
	}
	supervisor_stop(sv, SIGTERM, NULL);
}

static void on_ready(struct supervisor *sv, const struct health_result *r, uint64_t elapsed,
		     void *data)
{
	struct smoke *s = data;

	s->ready = true;
	s->ready_ns = elapsed;
	s->ready_status = r->status;
	health_watch_stop(sv, s->watch);
	run_urls(sv, s);
}

static void on_timeout(struct supervisor *sv, struct health_watch *w,
		       const struct health_result *last, void *data)
{
	struct smoke *s = data;
	char d[32], res[320];

	s->timed_out = true;
	s->last = *last;
	value_format_duration(s->start_timeout_ms, d, sizeof(d));
	if (last->status || last->error[0])
		health_result_format(last, res, sizeof(res));
	else
		snprintf(res, sizeof(res), "no probe finished");
	snprintf(s->error, sizeof(s->error), "not ready within %s (%s: %s)", d, s->probe.display,
		 res);
	health_watch_stop(sv, w);
	supervisor_stop(sv, SIGTERM, NULL);
}

static void on_started(struct supervisor *sv, pid_t server, void *data)
{
	struct smoke *s = data;
	struct error err = ERROR_INIT;
	struct health_watch_config wc = {
		.target = &s->probe,
		.start_timeout_ms = s->start_timeout_ms,
		.on_ready = on_ready,
		.on_timeout = on_timeout,
		.data = s,
	};

	s->watch = health_watch_start(sv, &wc, &err);
	if (!s->watch) {
		snprintf(s->error, sizeof(s->error), "%s", err.message);
		supervisor_stop(sv, SIGTERM, NULL);
	}
}

static bool url_ok(const struct url_result *u)
{
	return u->done && u->r.status >= 200 && u->r.status <= 299;
}

static bool smoke_ok(const struct smoke *s)
{
	if (!s->ready || s->load_error || s->exit_status != 0)
		return false;
	for (size_t i = 0; i < s->n_urls; i++)
		if (!url_ok(&s->urls[i]))
			return false;
	return true;
}

/* Why a URL failed, or NULL. */
static const char *url_failure(const struct url_result *u, char *buf, size_t size)
{
	if (url_ok(u))
		return NULL;
	if (!u->done)
		return "not requested";
	if (!u->r.status)
		return u->r.error;
	snprintf(buf, size, "status %d, expected 2xx", u->r.status);
	return buf;
}

/* What went wrong with the run itself (not a URL), or NULL. */
static const char *run_failure(const struct smoke *s, char *buf, size_t size)
{
	if (s->error[0])
		return s->error;
	if (!s->ready) {
		snprintf(buf, size, "the server exited with status %d before it became ready (%s)",
			 s->exit_status, s->probe.display);
		return buf;
	}
	if (s->exit_status != 0) {
		snprintf(buf, size, "the server did not stop cleanly: exit status %d",
			 s->exit_status);
		return buf;
	}
	return NULL;
}

static void render_text(const struct smoke *s, struct strbuf *o)
{
	char buf[320], why[320];
	size_t failed = 0;
	int width = 0;
	const char *rf = run_failure(s, why, sizeof(why));

	/* the status and time columns line up under each other */
	for (size_t i = 0; i < s->n_urls; i++) {
		int w = (int)strlen(s->urls[i].path);

		width = w > width ? (w < 60 ? w : 60) : width;
	}
	if (s->ready)
		strbuf_addf(o, "smoke %s: ready in %.3fs (%s answered %d)\n", s->profile,
			    s->ready_ns / 1e9, s->probe.display, s->ready_status);
	for (size_t i = 0; i < s->n_urls; i++) {
		const struct url_result *u = &s->urls[i];
		const char *f = url_failure(u, buf, sizeof(buf));

		failed += f != NULL;
		if (u->done && u->r.status)
			strbuf_addf(o, "  %s  GET %-*s  %d  %.1f ms%s\n", f ? "FAIL" : "ok  ",
				    width, u->path, u->r.status, u->r.total_us / 1000.0,
				    f ? "  (expected 2xx)" : "");
		else if (s->ready)
			strbuf_addf(o, "  FAIL  GET %-*s  %s\n", width, u->path, f);
	}
	if (rf)
		strbuf_addf(o, "smoke %s: FAILED: %s\n", s->profile, rf);
	else if (failed)
		strbuf_addf(o, "smoke %s: FAILED: %zu of %zu URL%s failed\n", s->profile, failed,
			    s->n_urls, s->n_urls == 1 ? "" : "s");
	else
		strbuf_addf(o, "smoke %s: passed: %zu URL%s, server stopped cleanly\n", s->profile,
			    s->n_urls, s->n_urls == 1 ? "" : "s");
}

static void json_str_or_null(struct strbuf *o, const char *s)
{
	if (s)
		strbuf_add_json(o, s);
	else
		strbuf_adds(o, "null");
}

static void render_json(const struct smoke *s, struct strbuf *o)
{
	char buf[320], why[320];

	strbuf_adds(o, "{\"profile\": ");
	strbuf_add_json(o, s->profile);
	strbuf_addf(o, ", \"ok\": %s, \"ready\": %s, \"ready_ms\": ", smoke_ok(s) ? "true" : "false",
		    s->ready ? "true" : "false");
	if (s->ready)
		strbuf_addf(o, "%.1f", s->ready_ns / 1e6);
	else
		strbuf_adds(o, "null");
	strbuf_adds(o, ", \"probe\": ");
	strbuf_add_json(o, s->probe.display);
	/* null when the server never started (a failed preflight) */
	if (s->exit_status < 0)
		strbuf_adds(o, ", \"exit_status\": null, \"error\": ");
	else
		strbuf_addf(o, ", \"exit_status\": %d, \"error\": ", s->exit_status);
	json_str_or_null(o, run_failure(s, why, sizeof(why)));
	strbuf_adds(o, ", \"urls\": [");
	for (size_t i = 0; i < s->n_urls; i++) {
		const struct url_result *u = &s->urls[i];

		strbuf_adds(o, i ? ", {\"path\": " : "{\"path\": ");
		strbuf_add_json(o, u->path);
		strbuf_adds(o, ", \"url\": ");
		strbuf_add_json(o, u->target.url);
		strbuf_addf(o, ", \"ok\": %s, \"status\": ", url_ok(u) ? "true" : "false");
		if (u->done && u->r.status)
			strbuf_addf(o, "%d", u->r.status);
		else
			strbuf_adds(o, "null");
		if (u->done)
			strbuf_addf(o, ", \"time_ms\": %.3f, \"connect_ms\": %.3f",
				    u->r.total_us / 1000.0, u->r.connect_us / 1000.0);
		else
			strbuf_adds(o, ", \"time_ms\": null, \"connect_ms\": null");
		strbuf_adds(o, ", \"error\": ");
		json_str_or_null(o, url_failure(u, buf, sizeof(buf)));
		strbuf_adds(o, "}");
	}
	strbuf_adds(o, "]}\n");
}

static void junit_case(struct strbuf *o, const char *suite, const char *name, double secs,
		       const char *failure)
{
	strbuf_adds(o, "    <testcase classname=\"");
	strbuf_add_xml(o, suite);
	strbuf_adds(o, "\" name=\"");
	strbuf_add_xml(o, name);
	strbuf_addf(o, "\" time=\"%.3f\"", secs);
	if (!failure) {
		strbuf_adds(o, "/>\n");
		return;
	}
	strbuf_adds(o, ">\n      <failure message=\"");
	strbuf_add_xml(o, failure);
	strbuf_adds(o, "\"/>\n    </testcase>\n");
}

static void render_junit(const struct smoke *s, struct strbuf *o)
{
	char buf[320], why[320], *suite = xasprintf("smoke.%s", s->profile);
	const char *rf = run_failure(s, why, sizeof(why));
	size_t failures = rf ? 1 : 0;

	for (size_t i = 0; i < s->n_urls; i++)
		failures += !url_ok(&s->urls[i]);
	strbuf_adds(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		    "  <testsuite name=\"");
	strbuf_add_xml(o, suite);
	strbuf_addf(o, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
		    s->n_urls + 1, failures);
	junit_case(o, suite, "start, ready and stop", s->ready ? s->ready_ns / 1e9 : 0, rf);
	for (size_t i = 0; i < s->n_urls; i++) {
		const struct url_result *u = &s->urls[i];
		char *name = xasprintf("GET %s", u->path);

		junit_case(o, suite, name, u->done ? u->r.total_us / 1e6 : 0,
			   url_failure(u, buf, sizeof(buf)));
		free(name);
	}
	strbuf_adds(o, "  </testsuite>\n</testsuites>\n");
	free(suite);
}

/* Releases the probe, the watch and the URLs' targets of s. */
static void smoke_finish(struct smoke *s)
{
	health_watch_destroy(s->watch);
	for (size_t k = 0; k < s->n_urls; k++)
		health_target_finish(&s->urls[k].target);
	free(s->urls);
	health_target_finish(&s->probe);
}

int cmd_smoke(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	_cleanup_(cmd_unload) struct loaded l = {0};
	_cleanup_strv_ struct strv paths = STRV_INIT;
	_cleanup_(smoke_finish) struct smoke s = {0};
	struct strbuf out;
	enum format fmt = FMT_TEXT;
	const char *name = NULL, *timeout = NULL;
	int i, t, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (cmd_is_help(a)) {
			return cmd_help_of("smoke", g);
		} else if (cmd_opt(argc, argv, &i, "--timeout", &v) ||
			   cmd_opt(argc, argv, &i, "--url", &v) ||
			   cmd_opt(argc, argv, &i, "--format", &v)) {
			if (!v) {
				return cmd_usage_error("smoke", "option '%s' needs a value", a);
			}
			if (a[2] == 't') {
				timeout = v;
			} else if (a[2] == 'u') {
				strv_push(&paths, v);
			} else if (strcmp(v, "text") == 0 || strcmp(v, "json") == 0 ||
				   strcmp(v, "junit") == 0) {
				fmt = v[0] == 't' ? FMT_TEXT : v[1] == 's' ? FMT_JSON : FMT_JUNIT;
			} else {
				return cmd_usage_error("smoke", "--format takes text, json or junit, "
						       "not '%s'", v);
			}
		} else if ((rc = cmd_profile_operand("smoke", a, &name)) != 0) {
			return rc;
		}
	}
	if (!name) {
		return cmd_usage_error("smoke", "smoke needs a PROFILE");
	}
	if (cmd_load(&l, name, g, NULL, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	s.profile = l.profile->name;
	s.start_timeout_ms = l.profile->health_start_timeout_ms;
	if (timeout && (value_parse_duration(timeout, &s.start_timeout_ms, &err) < 0 ||
			s.start_timeout_ms <= 0)) {
		return cmd_usage_error("smoke", "--timeout '%s': %s", timeout,
				       err.message[0] ? err.message : "must be more than 0");
	}
	t = l.launch_ok ? health_target_init(&s.probe, l.profile, &err) : -1;
	if (t < 0) {
		cmd_print_error(l.launch_ok ? &err : &l.launch_error);
		return EXIT_USAGE;
	}
	if (t == 0) {
		/* no [health] probe: wait on the first URL (or /) with any 2xx */
		char *saved = l.profile->health_path;

		l.profile->health_path = paths.n ? paths.v[0] : "/";
		t = health_target_init(&s.probe, l.profile, &err);
		l.profile->health_path = saved;
		if (t <= 0) {
			cmd_print_error(&err);
			return EXIT_USAGE;
		}
	}
	if (health_target_resolve(&s.probe, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	if (!paths.n)
		strv_push(&paths, s.probe.path ? s.probe.path : s.probe.url);
	s.n_urls = paths.n;
	s.urls = xcalloc(paths.n, sizeof(*s.urls));
	for (size_t k = 0; k < paths.n; k++) {
		s.urls[k].path = paths.v[k];
		health_target_with_path(&s.urls[k].target, &s.probe, paths.v[k]);
		s.urls[k].target.follow_redirects = false;
	}
	if (start_preflight(&l, false, NULL, g) < 0) {
		snprintf(s.error, sizeof(s.error), "the preflight checks failed (their findings "
			 "are on stderr; 'deploy-run check %s' repeats them)", s.profile);
		s.exit_status = -1;
	} else {
		/* the server's output (its access log on stdout) goes to stderr:
		 * stdout is the report's, which CI parses */
		int saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);

		fflush(stdout);
		if (saved >= 0)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		s.exit_status = start_supervised(&l, g, on_started, NULL, &s);
		if (saved >= 0) {
			dup2(saved, STDOUT_FILENO);
			close(saved);
		}
	}
	strbuf_init(&out);
	if (fmt == FMT_JSON)
		render_json(&s, &out);
	else if (fmt == FMT_JUNIT)
		render_junit(&s, &out);
	else
		render_text(&s, &out);
	fputs(out.buf, stdout);
	strbuf_finish(&out);
	return smoke_ok(&s) ? 0 : EXIT_FINDINGS;
}

const struct command_help cmd_smoke_help = {
	"smoke PROFILE [--timeout D] [--url PATH]... [--format text|json|junit]",
	"The smoke test of a deployment in one CI command: runs the preflight checks,\n"
	"starts the server under the supervisor, waits until it is ready (the [health]\n"
	"probe; without one, the first --url or / answering 2xx), GETs each URL\n"
	"expecting 2xx, stops the server with SIGTERM, lets the supervisor clean up,\n"
	"and reports each URL with its status and time.\n\n"
	"Options:\n"
	"  --timeout D     how long the server may take to become ready (default:\n"
	"                  [health] start_timeout), such as 20s\n"
	"  --url PATH      a path (or full URL) to GET once ready; repeatable;\n"
	"                  default: the health probe's path\n"
	"  --format FMT    text (default), json, junit\n\n"
	"Exit status: 0 everything passed; 1 a URL failed, the preflight failed, the\n"
	"server never became ready or did not stop cleanly; 2 usage error or bad input.\n"
};
