/*
 * Unit tests of checks/report.c: the finding model, filters, and the four
 * renderers compared byte for byte with tests/golden/report/.  Run with
 * UPDATE_GOLDEN=1 to rewrite the golden files after an intended change
 * (then read the diff as a person would read the output).
 */
#include "t.h"
#include "fileio.h"
#include "report.h"
#include "strbuf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define GOLDEN_DIR "golden/report/"

static void check_golden(const char *name, const struct strbuf *got)
{
	struct error err = ERROR_INIT;
	char path[256];
	char *want = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), GOLDEN_DIR "%s", name);
	if (getenv("UPDATE_GOLDEN")) {
		CHECK(file_write_atomic(path, got->buf, got->len, 0644, &err) == 0);
		return;
	}
	if (file_read(path, 0, &want, &len, NULL, &err) < 0) {
		t_checks++;
		t_failures++;
		fprintf(stderr, "%s: cannot read golden file: %s\n", path, err.message);
		return;
	}
	t_checks++;
	if (len != got->len || memcmp(want, got->buf, len) != 0) {
		t_failures++;
		fprintf(stderr, "%s: output differs from the golden file; got:\n%s\n", path, got->buf);
	}
	free(want);
}

/* Findings from three families, added out of order, as checks would add them. */
static void fill_sample(struct report *r)
{
	report_init(r, "prod");
	report_ran(r, "venv.missing");
	report_ran(r, "venv.system-site-packages");
	report_ran(r, "venv.python-version");
	report_ran(r, "env.file-missing");
	report_ran(r, "env.missing-required");
	report_ran(r, "env.shadowed");
	report_ran(r, "server.reload-in-production");
	report_ran(r, "server.proxy-headers");
	report_skip(r, "req.no-hash", "[checks] req = off");

	report_add(r, "venv.python-version", SEVERITY_WARNING, ".venv/pyvenv.cfg", 5,
		   "recreate the venv: python3.11 -m venv .venv",
		   "the venv runs Python %s, the profile asks for %s", "3.9", "3.11");
	report_add(r, "env.missing-required", SEVERITY_ERROR, NULL, 0,
		   "set it in .env.production or in the service's environment",
		   "required variable %s is not set by any source", "SECRET_KEY");
	report_add(r, "venv.system-site-packages", SEVERITY_ERROR, ".venv/pyvenv.cfg", 3,
		   "recreate the venv without --system-site-packages",
		   "the venv also sees the system's site-packages");
	report_add(r, "env.shadowed", SEVERITY_WARNING, ".env.production", 2,
		   "remove one of the two, or document why both exist",
		   "DEBUG=1 from .env.production\nis overridden by the process environment")
		->column = 1;
	report_add(r, "server.proxy-headers", SEVERITY_NOTE, "profiles/prod.ini", 14, NULL,
		   "no forwarded_allow_ips: client addresses will be the proxy's");
	report_add(r, "env.missing-required", SEVERITY_ERROR, NULL, 0, NULL,
		   "required variable %s is not set by any source", "DATABASE_URL");
	report_sort(r);
}

static void fill_clean(struct report *r)
{
	report_init(r, "staging");
	report_ran(r, "venv.missing");
	report_ran(r, "env.file-missing");
	report_ran(r, "server.reload-in-production");
}

/* Only warnings, but strict: the report fails. */
static void fill_strict(struct report *r)
{
	report_init(r, "ci");
	r->strict = true;
	report_ran(r, "req.unpinned");
	report_add(r, "req.unpinned", SEVERITY_WARNING, "requirements.txt", 4,
		   "pin it: flask==3.0.2", "flask is not pinned to one version");
	report_add(r, "req.unpinned", SEVERITY_WARNING, "requirements.txt", 7,
		   "pin it: gunicorn==21.2.0", "gunicorn is not pinned to one version");
}

static const char hostile_message[] =
	"quote \" apos ' <tag> & amp; 100% done: a,b\r\n"
	"second line \x01\x1b[31mred\x7f bad \xff utf8 \xc3\x28 surrogate \xed\xa0\x80"
	" nonchar \xef\xbf\xbe ok \xc3\xa9 \xc2\x9b c1";

static void fill_hostile(struct report *r)
{
	report_init(r, "we\"ird<&>\xfe");
	report_ran(r, "env.parse");
	report_add(r, "env.parse", SEVERITY_ERROR, "dir,with:odd%chars/.env", 9,
		   "hint with\nnewline & <xml>", "%s", hostile_message);
	report_add(r, "env.encoding", SEVERITY_WARNING, "a\nb.env", 1, NULL,
		   "tab\there, ]]> and -- and ::set-output name=x::y");
}

typedef void (*render_fn)(const struct report *, size_t, struct strbuf *);

static void render_text_plain(const struct report *r, size_t n, struct strbuf *out)
{
	report_render_text(r, n, false, out);
}

static void render_text_color(const struct report *r, size_t n, struct strbuf *out)
{
	report_render_text(r, n, true, out);
}

static const struct {
	const char *suffix;
	render_fn render;
} formats[] = {
	{".txt", render_text_plain},
	{"-color.txt", render_text_color},
	{".json", report_render_json},
	{".github", report_render_github},
	{".xml", report_render_junit},
};

static void check_all_formats(const char *name, const struct report *r, size_t n)
{
	struct strbuf out;
	char file[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		strbuf_init(&out);
		formats[i].render(r, n, &out);
		snprintf(file, sizeof(file), "%s%s", name, formats[i].suffix);
		check_golden(file, &out);
		strbuf_finish(&out);
	}
}

static void test_model(void)
{
	struct report r;
	struct finding *f;

	fill_sample(&r);
	CHECK_INT(r.n_findings, 6);
	CHECK_INT(report_count(&r, SEVERITY_ERROR), 3);
	CHECK_INT(report_count(&r, SEVERITY_WARNING), 2);
	CHECK_INT(report_count(&r, SEVERITY_NOTE), 1);
	CHECK(!report_ok(&r));
	/* families in order of first finding, no-file findings first, then file:line */
	CHECK_STR(r.findings[0].id, "venv.system-site-packages");
	CHECK_STR(r.findings[0].check, "venv");
	CHECK_INT(r.findings[0].line, 3);
	CHECK_STR(r.findings[1].id, "venv.python-version");
	CHECK_INT(r.findings[1].line, 5);
	CHECK_STR(r.findings[2].message, "required variable SECRET_KEY is not set by any source");
	CHECK_STR(r.findings[3].message, "required variable DATABASE_URL is not set by any source");
	CHECK(r.findings[3].hint == NULL);
	CHECK_STR(r.findings[4].id, "env.shadowed");
	CHECK_INT(r.findings[4].column, 1);
	CHECK_STR(r.findings[5].check, "server");
	report_finish(&r);
	report_finish(&r); /* finishing twice is harmless */

	report_init(&r, "x");
	f = report_add(&r, "nodot", SEVERITY_ERROR, NULL, 12, "", "m");
	CHECK_STR(f->check, "nodot");
	CHECK_INT(f->line, 0); /* no file, no line */
	CHECK(f->hint == NULL); /* empty hint is no hint */
	CHECK(f->file == NULL);
	r.strict = true;
	CHECK(!report_ok(&r));
	report_finish(&r);

	fill_strict(&r);
	CHECK(!report_ok(&r));
	r.strict = false;
	CHECK(report_ok(&r));
	report_finish(&r);
}

static void test_utf8(void)
{
	struct report r;
	struct finding *f;

	report_init(&r, "p\xff");
	CHECK_STR(r.profile, "p\xef\xbf\xbd");
	f = report_add(&r, "a.b", SEVERITY_NOTE, "f\xc0\xaf", 1, NULL, "%s",
		       "\xe2\x82\xac \xe2\x82 \xf0\x9f\x98\x80 \xf4\x90\x80\x80 \xef\xbf\xbf");
	/* euro kept, truncated sequence replaced byte by byte, emoji kept,
	 * above U+10FFFF and U+FFFF replaced */
	CHECK_STR(f->message, "\xe2\x82\xac \xef\xbf\xbd\xef\xbf\xbd \xf0\x9f\x98\x80 "
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(f->file, "f\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
	report_finish(&r);
}

static void test_match(void)
{
	char *only[] = {"env", "req.no-hash", NULL};
	char *skip[] = {"env.shadowed", "*.debug-*", NULL};
	char *none[] = {NULL};

	CHECK(report_match("env", "env.parse"));
	CHECK(report_match("env", "env"));
	CHECK(!report_match("env", "environment.x"));
	CHECK(!report_match("en", "env.parse"));
	CHECK(report_match("env.parse", "env.parse"));
	CHECK(!report_match("env.parse", "env.parse-x"));
	CHECK(report_match("req.*", "req.no-hash"));
	CHECK(!report_match("req.*", "venv.missing"));

	CHECK(report_selected("venv.missing", NULL, NULL));
	CHECK(report_selected("venv.missing", none, none));
	CHECK(!report_selected("venv.missing", only, skip));
	CHECK(report_selected("env.parse", only, skip));
	CHECK(!report_selected("env.shadowed", only, skip));
	CHECK(!report_selected("env.debug-in-production", only, skip));
	CHECK(report_selected("req.no-hash", only, skip));
	CHECK(!report_selected("req.unpinned", only, skip));
	CHECK(!report_selected("env.shadowed", NULL, skip));
	CHECK(report_selected("server.x", NULL, skip));
}

static void test_filter_and_cap(void)
{
	char *only[] = {"env", "venv.system-site-packages", NULL};
	char *skip[] = {"env.shadowed", NULL};
	enum report_level level;
	struct report r;
	size_t i;

	fill_sample(&r);
	report_filter(&r, only, skip);
	CHECK_INT(r.n_findings, 3);
	for (i = 0; i < r.n_findings; i++)
		CHECK(strcmp(r.findings[i].id, "env.shadowed") != 0);
	CHECK_STR(r.checks[0].id, "venv.missing");
	CHECK_STR(r.checks[0].skip_reason, "excluded by --only/--skip");
	CHECK(r.checks[1].skip_reason == NULL);
	CHECK_STR(r.checks[8].skip_reason, "[checks] req = off"); /* kept as it was */

	report_cap(&r, "env", REPORT_LEVEL_WARN);
	CHECK_INT(report_count(&r, SEVERITY_ERROR), 1);
	CHECK_INT(report_count(&r, SEVERITY_WARNING), 2);
	report_cap(&r, "venv", REPORT_LEVEL_OFF);
	CHECK_INT(r.n_findings, 2);
	CHECK_STR(r.checks[1].skip_reason, "[checks] venv = off");
	CHECK(r.checks[4].skip_reason == NULL); /* env.missing-required still ran */
	CHECK(report_ok(&r));
	report_cap(&r, "env", REPORT_LEVEL_ERROR); /* no-op: severities were already capped */
	CHECK_INT(report_count(&r, SEVERITY_WARNING), 2);
	report_finish(&r);

	CHECK(report_level_parse("error", &level) == 0 && level == REPORT_LEVEL_ERROR);
	CHECK(report_level_parse("warn", &level) == 0 && level == REPORT_LEVEL_WARN);
	CHECK(report_level_parse("warning", &level) == 0 && level == REPORT_LEVEL_WARN);
	CHECK(report_level_parse("off", &level) == 0 && level == REPORT_LEVEL_OFF);
	CHECK(report_level_parse("Off", &level) < 0);
	CHECK(report_level_parse("", &level) < 0);
	CHECK_STR(report_severity_name(SEVERITY_NOTE), "note");
}

static void test_format(void)
{
	enum report_format format;
	struct strbuf a, b;
	struct report r;

	CHECK(report_format_parse("json", &format) == 0 && format == REPORT_FORMAT_JSON);
	CHECK(report_format_parse("junit", &format) == 0 && format == REPORT_FORMAT_JUNIT);
	CHECK(report_format_parse("github", &format) == 0 && format == REPORT_FORMAT_GITHUB);
	CHECK(report_format_parse("text", &format) == 0 && format == REPORT_FORMAT_TEXT);
	CHECK(report_format_parse("xml", &format) < 0);
	CHECK(report_format_parse(NULL, &format) < 0);

	fill_sample(&r);
	strbuf_init(&a);
	strbuf_init(&b);
	report_render(&r, 1, REPORT_FORMAT_GITHUB, true, &a);
	report_render_github(&r, 1, &b);
	CHECK_STR(a.buf, b.buf);
	strbuf_reset(&a);
	strbuf_reset(&b);
	report_render(&r, 1, REPORT_FORMAT_TEXT, true, &a);
	report_render_text(&r, 1, true, &b);
	CHECK_STR(a.buf, b.buf);
	strbuf_finish(&a);
	strbuf_finish(&b);
	report_finish(&r);
}

/* Sorting many findings keeps families in first-seen order and sorts inside them. */
static void test_sort_many(void)
{
	static const char *const ids[] = {"req.record-mismatch", "env.shadowed", "req.no-hash"};
	struct report r;
	struct strbuf out;
	size_t i;
	bool ordered = true;

	report_init(&r, "big");
	for (i = 0; i < 9000; i++)
		report_add(&r, ids[i % 3], SEVERITY_WARNING, i % 2 ? "b.txt" : "a.txt",
			   (int)(5000 - i / 2), NULL, "finding %zu", i);
	report_sort(&r);
	report_add(&r, "env.parse", SEVERITY_ERROR, "a.txt", 1, NULL, "late");
	report_sort(&r); /* sorting again is stable and keeps the family order */
	CHECK_STR(r.findings[0].check, "req");
	CHECK_STR(r.findings[6000].check, "env");
	CHECK_STR(r.findings[6000].message, "late");
	for (i = 1; i < r.n_findings; i++) {
		const struct finding *a = &r.findings[i - 1], *b = &r.findings[i];

		if (strcmp(a->check, b->check) == 0 &&
		    (strcmp(a->file, b->file) > 0 ||
		     (strcmp(a->file, b->file) == 0 && a->line > b->line)))
			ordered = false;
	}
	CHECK(ordered);
	strbuf_init(&out);
	report_render_junit(&r, 1, &out);
	CHECK(strstr(out.buf, "tests=\"4\" failures=\"1\"") != NULL);
	strbuf_finish(&out);
	report_finish(&r);
}

static void test_ran_twice(void)
{
	struct report r;

	report_init(&r, "p");
	report_ran(&r, "a.b");
	report_skip(&r, "a.b", "why");
	report_skip(&r, "a.c", NULL);
	CHECK_INT(r.n_checks, 2);
	CHECK(r.checks[0].skip_reason == NULL);
	CHECK_STR(r.checks[1].skip_reason, "not run");
	report_finish(&r);
}

static void test_golden_single(void)
{
	struct report r;

	fill_sample(&r);
	check_all_formats("sample", &r, 1);
	report_finish(&r);
	fill_clean(&r);
	check_all_formats("clean", &r, 1);
	report_finish(&r);
	fill_strict(&r);
	check_all_formats("strict", &r, 1);
	report_finish(&r);
}

static void test_golden_multi(void)
{
	struct report r[3];

	fill_sample(&r[0]);
	fill_clean(&r[1]);
	fill_strict(&r[2]);
	r[0].elapsed_ns = 1234567890;
	r[2].elapsed_ns = 5000000;
	check_all_formats("multi", r, 3);
	report_finish(&r[0]);
	report_finish(&r[1]);
	report_finish(&r[2]);
}

/* True when s is valid UTF-8 without raw control bytes other than newline and tab. */
static bool clean_output(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = 1;

		if (*p < 0x20 && *p != '\n' && *p != '\t')
			return false;
		if (*p == 0x7f)
			return false;
		if (*p >= 0x80) {
			if (*p >= 0xc2 && *p <= 0xdf)
				n = 2;
			else if (*p >= 0xe0 && *p <= 0xef)
				n = 3;
			else if (*p >= 0xf0 && *p <= 0xf4)
				n = 4;
			else
				return false;
			for (size_t i = 1; i < n; i++)
				if (p[i] < 0x80 || p[i] > 0xbf)
					return false;
		}
		p += n;
	}
	return true;
}

static void test_hostile(void)
{
	struct report r;
	struct strbuf out;
	size_t i;

	fill_hostile(&r);
	check_all_formats("hostile", &r, 1);
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		strbuf_init(&out);
		formats[i].render(&r, 1, &out);
		if (formats[i].render != render_text_color)
			CHECK(clean_output(out.buf));
		/* nothing hostile reaches a terminal or the runner's log raw */
		CHECK(strstr(out.buf, "\x1b[31m") == NULL);
		CHECK(strstr(out.buf, "\xc2\x9b") == NULL || formats[i].render == report_render_json ||
		      formats[i].render == report_render_junit);
		if (formats[i].render == report_render_github) {
			/* one command per finding plus the summary: no line was split */
			size_t lines = 0;
			const char *p;

			for (p = out.buf; *p; p++)
				lines += *p == '\n';
			CHECK_INT(lines, 3);
			CHECK(strstr(out.buf, "\n::set-output") == NULL);
			CHECK(strstr(out.buf, "file=dir%2Cwith%3Aodd%25chars/.env,line=9,") != NULL);
		}
		if (formats[i].render == report_render_junit) {
			CHECK(strstr(out.buf, "<tag>") == NULL);
			CHECK(strstr(out.buf, "name=\"we&quot;ird&lt;&amp;&gt;") != NULL);
		}
		strbuf_finish(&out);
	}
	report_finish(&r);
}

int main(void)
{
	RUN(test_model);
	RUN(test_utf8);
	RUN(test_match);
	RUN(test_filter_and_cap);
	RUN(test_ran_twice);
	RUN(test_sort_many);
	RUN(test_format);
	RUN(test_golden_single);
	RUN(test_golden_multi);
	RUN(test_hostile);
	return T_DONE();
}
