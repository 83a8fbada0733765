#include "check.h"
#include "cmd.h"
#include "health.h"
#include "log.h"
#include "path.h"
#include "progress.h"
#include "report.h"
#include "strbuf.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_GITHUB, FORMAT_JUNIT };

struct check_opts {
	enum format format;
	bool strict, verify_records, import_app, reveal, ask_server;
	struct strv only, skip;
	struct strv profiles;
};

static void check_opts_finish(struct check_opts *o)
{
	strv_finish(&o->profiles);
	strv_finish(&o->only);
	strv_finish(&o->skip);
}

static int parse_format(const char *s, enum format *f)
{
	static const char *names[] = {"text", "json", "github", "junit"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum format)i;
			return 0;
		}
	return -1;
}

/* A typo in --only would silently check nothing: refuse what selects no id. */
static int unknown_pattern(bool only, char *item)
{
	_cleanup_free_ char *near = checks_suggest(item);
	int rc;

	rc = cmd_usage_error("check", "%s %s: no finding id or family matches%s%s%s",
			     only ? "--only" : "--skip", item, near ? "; did you mean " : "",
			     near ? near : "", near ? "?" : "");
	free(item);
	return rc;
}

static int parse(int argc, char **argv, struct check_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool only;

		if (strcmp(a, "--strict") == 0) {
			o->strict = true;
		} else if (strcmp(a, "--verify-records") == 0) {
			o->verify_records = true;
		} else if (strcmp(a, "--import") == 0) {
			o->import_app = true;
		} else if (strcmp(a, "--server-config") == 0) {
			o->ask_server = true;
		} else if (strcmp(a, "--reveal") == 0) {
			o->reveal = true;
		} else if (cmd_opt(argc, argv, &i, "--format", &v)) {
			if (!v || parse_format(v, &o->format) < 0)
				return cmd_usage_error("check", "--format takes text, json, github or junit%s%s%s",
						       v ? ", not '" : "", v ? v : "", v ? "'" : "");
		} else if ((only = cmd_opt(argc, argv, &i, "--only", &v)) ||
			   cmd_opt(argc, argv, &i, "--skip", &v)) {
			if (!v || !*v)
				return cmd_usage_error("check", "%s needs ids or families, such as env or "
						       "venv.relocated", only ? "--only" : "--skip");
			{
				const char *s = v;

				while (*s) {
					const char *e = s + strcspn(s, ",");

					char *item = xstrndup(s, (size_t)(e - s));

					if (e > s && !checks_known(item))
						return unknown_pattern(only, item);
					if (e > s)
						strv_push_owned(only ? &o->only : &o->skip, item);
					else
						free(item);
					s = *e ? e + 1 : e;
				}
			}
		} else if (cmd_is_help(a)) {
			return -1;
		} else if (a[0] == '-') {
			return cmd_usage_error("check", "unknown option '%s' for check", a);
		} else {
			strv_push(&o->profiles, a);
		}
	}
	if (!o->profiles.n)
		return cmd_usage_error("check", "check needs at least one PROFILE");
	return 0;
}

/* A profile that cannot be loaded is one finding of its report (so that
 * CI annotations point at the bad line) and exit status 2. */
static void add_load_error(struct report *r, const struct error *err)
{
	char hint[] = "fix the profile; deploy-run.ini(5) lists every key and its values";

	report_add(r, err->id ? err->id : "profile.invalid", SEVERITY_ERROR,
		   err->file[0] ? err->file : NULL, err->line, hint, "%s%s%s", err->message,
		   err->errnum ? ": " : "", err->errnum ? strerror(err->errnum) : "");
	report_ran(r, err->id ? err->id : "profile.invalid");
}

/* [health] settings that run, probe and smoke would refuse (expect = 600, a
 * path without '/', an ftp:// url): the same error here, so that CI sees it,
 * with the exit status of a bad value (2).  Returns false when there is one. */
/*
 * GitHub annotates a file only when its path is relative to the checkout
 * ($GITHUB_WORKSPACE): an absolute path (a .env file or the lock, which the
 * checks name by their full path) or one relative to a working-directory
 * below the checkout gets no annotation.  Paths inside the checkout (the
 * working directory when GITHUB_WORKSPACE is unset) are rewritten relative
 * to it; others are left as they are.
 */
static void github_paths(struct report *reports, size_t n)
{
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	const char *base = getenv("GITHUB_WORKSPACE");
	_cleanup_free_ char *top = NULL;
	size_t i, j, len;

	if (!base || !*base)
		base = cwd;
	if (!base || !cwd)
		return;
	top = path_absolute(base, cwd);
	len = strlen(top);
	while (len > 1 && top[len - 1] == '/')
		len--;
	for (i = 0; i < n; i++)
		for (j = 0; j < reports[i].n_findings; j++) {
			struct finding *f = &reports[i].findings[j];
			_cleanup_free_ char *abs = NULL;

			if (!f->file)
				continue;
			abs = path_absolute(f->file, cwd);
			if (strncmp(abs, top, len) == 0 && abs[len] == '/' && abs[len + 1]) {
				char *rel = xstrdup(abs + len + 1);

				free(f->file);
				f->file = rel;
			}
		}
}

int cmd_check(int argc, char **argv, const struct globals *g)
{
	_cleanup_(check_opts_finish) struct check_opts o = {0};
	_cleanup_free_ struct report *reports = NULL;
	_cleanup_free_ bool *loaded = NULL;
	struct strbuf out;
	size_t i;
	int rc = 0, prc;

	prc = parse(argc, argv, &o);
	if (prc != 0)
		return prc < 0 ? cmd_help_of("check", g) : prc;
	reports = xcalloc(o.profiles.n, sizeof(*reports));
	loaded = xcalloc(o.profiles.n, sizeof(*loaded));
	for (i = 0; i < o.profiles.n; i++) {
		struct error err = ERROR_INIT;
		_cleanup_(cmd_unload) struct loaded l = {0};
		uint64_t start = now_ns();

		report_init(&reports[i], o.profiles.v[i]);
		reports[i].strict = o.strict;
		if (cmd_load(&l, o.profiles.v[i], g, NULL, &err) < 0) {
			if (o.format == FORMAT_TEXT)
				cmd_print_error(&err);
			else
				add_load_error(&reports[i], &err);
			rc = EXIT_USAGE;
			continue;
		}
		loaded[i] = true;
		reports[i].strict = o.strict || l.profile->strict;
		{
			struct context ctx;

			cmd_context(&ctx, &l, g, o.reveal);
			ctx.verify_records |= o.verify_records;
			ctx.import_app |= o.import_app;
			ctx.ask_server = o.ask_server;
			checks_run(&ctx, &reports[i], o.only.n ? o.only.v : NULL,
				   o.skip.n ? o.skip.v : NULL);
			/* a [health] setting run and probe refuse is bad input, as a
			 * profile that does not load */
			if (report_find(&reports[i], "profile.bad-value"))
				rc = EXIT_USAGE;
		}
		reports[i].elapsed_ns = now_ns() - start;
		if (rc == 0 && !report_ok(&reports[i]))
			rc = EXIT_FINDINGS;
	}
	strbuf_init(&out);
	switch (o.format) {
	case FORMAT_TEXT: {
		/* profiles that failed to load were printed already */
		for (i = 0; i < o.profiles.n; i++)
			if (loaded[i]) {
				if (out.len)
					strbuf_addc(&out, '\n');
				report_render_text(&reports[i], 1, g->color != 0 && log_use_color(1), &out);
			}
		break;
	}
	case FORMAT_JSON:
		report_render_json(reports, o.profiles.n, &out);
		break;
	case FORMAT_GITHUB:
		github_paths(reports, o.profiles.n);
		report_render_github(reports, o.profiles.n, &out);
		break;
	case FORMAT_JUNIT:
		report_render_junit(reports, o.profiles.n, &out);
		break;
	}
	fputs(out.buf, stdout);
	strbuf_finish(&out);
	for (i = 0; i < o.profiles.n; i++)
		report_finish(&reports[i]);
	return rc;
}

const struct command_help cmd_check_help = {
	"check PROFILE... [--format text|json|github|junit] [--strict] [--only IDS] [--skip IDS]",
	"Proves the deployment of each PROFILE sound without starting anything.\n\n"
	"Options:\n"
	"  --format FMT        text (default), json, github (Actions annotations), junit\n"
	"  --strict            warnings fail too\n"
	"  --only IDS          only these ids or families (comma-separated; globs allowed)\n"
	"  --skip IDS          skip these ids or families (one that matches no id: exit 2)\n"
	"  --verify-records    hash every installed file against its RECORD\n"
	"  --import            import the app in the venv's Python\n"
	"  --server-config     ask the installed server what it will run with (its own\n"
	"                      configuration code on deploy-run's argv and environment;\n"
	"                      no worker started, no port bound)\n"
	"  --reveal            show secret values in messages\n\n"
	"Exit status: 0 no errors (warnings allowed unless --strict), 1 errors found,\n"
	"2 usage error or unreadable/malformed input.\n"
};
