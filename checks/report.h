/*
 * Findings and their reports.
 *
 * A check adds findings to a struct report; it never prints.  A finding has
 * a stable id ("venv.system-site-packages"), whose part before the first dot
 * is its check family ("venv"), a severity, a message, a hint saying how to
 * fix it, and a location when there is one.  The same findings are rendered
 * four ways, always into a struct strbuf (the caller writes it out):
 *
 *   text    grouped by family, for a person; ANSI colour only when asked.
 *   json    the contract of DESIGN.md, one object per profile:
 *             {"profile": NAME, "ok": BOOL, "summary": {"error": N, "warning": N},
 *              "findings": [{"id", "check", "severity", "message", "hint", "file",
 *                            "line"}]}
 *           "hint" and "file" are null when absent, "line" is null when the
 *           finding has no line (line 0).  Notes appear in "findings" with
 *           severity "note" and are not counted in "summary".  Several
 *           profiles in one run give a JSON array of those objects; exactly
 *           one profile gives the bare object.
 *   github  GitHub Actions workflow commands, one per finding:
 *             ::error file=F,line=L,col=C,title=PROFILE: ID::MESSAGE%0Ahint: HINT
 *           (notice for notes), with GitHub's escaping: % CR LF in the data,
 *           and also : and , in the properties; then a plain summary line.
 *   junit   JUnit XML valid against the common schema (Jenkins/Ant
 *           junit-10.xsd): one <testsuites>, one <testsuite> per profile,
 *           one <testcase name=ID classname=PROFILE.FAMILY> per check id
 *           that ran or was skipped (see report_ran/report_skip) and per id
 *           that has findings.  Errors fail their testcase, and so do
 *           warnings in strict mode: the testcase gets one <failure> (type
 *           "error", or "warning" when only strict warnings fail it) whose
 *           message is the first failing finding's, with "(and N more)",
 *           and whose text lists them all as the text renderer does.  Other
 *           warnings and notes go to the testcase's <system-out> (it
 *           passes).  A check that was skipped and found nothing is a
 *           testcase with <skipped message=REASON/>.  <testsuite> carries
 *           name, tests, failures, errors (always 0: "errors" means the
 *           test itself crashed), skipped and time; <testsuites> carries
 *           the same but skipped, which the schema does not allow there.
 *
 * The text report, per profile: for each family with findings, in the
 * order of the findings array, a header "[PROFILE] FAMILY: 1 error, 2
 * warnings", then each finding as
 *
 *     error venv.system-site-packages: MESSAGE
 *       --> FILE:LINE[:COLUMN]
 *       hint: HINT
 *
 * separated by blank lines, and last the one-line summary "PROFILE: 2
 * errors, 1 warning" ("no errors, no warnings" when clean; notes counted
 * when present; "(strict: warnings fail the check)" when that decides).
 * Text and github output for several profiles are the single-profile
 * outputs one after another (text separated by a blank line).  Every
 * renderer keeps the order of the findings array: call report_sort() first.
 *
 * Every string given to the report is copied and made valid UTF-8 (invalid
 * sequences and U+FFFE/U+FFFF become U+FFFD), so no message, path or id can
 * break the JSON or XML; control characters are escaped by each renderer
 * (\uXXXX in JSON, '?' in XML, github and text, where newlines start an
 * indented continuation line instead).
 */
#ifndef DEPLOY_RUN_REPORT_H
#define DEPLOY_RUN_REPORT_H

#include "strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum severity {
	SEVERITY_NOTE,
	SEVERITY_WARNING,
	SEVERITY_ERROR,
};

/* Per-family severity cap, the values of [checks] FAMILY = error | warn | off. */
enum report_level {
	REPORT_LEVEL_ERROR, /* findings keep their rating */
	REPORT_LEVEL_WARN,  /* errors become warnings */
	REPORT_LEVEL_STAGE, /* the development stage's default: errors become
			     * warnings, except firm ones (struct finding) */
	REPORT_LEVEL_OFF,   /* findings are dropped, the family's checks count as skipped */
};

struct finding {
	char *id;       /* "venv.system-site-packages" */
	char *check;    /* the family: id up to the first dot ("venv") */
	enum severity severity;
	char *message;
	char *hint;     /* how to fix it; NULL when none */
	char *file;     /* NULL when the finding has no location */
	int line;       /* 1-based; 0 when none */
	int column;     /* 1-based; 0 when none */
	bool firm;      /* an error in every stage: the development stage's default
			 * cap leaves it (an explicit [checks] FAMILY = warn does not) */
	size_t seq;     /* order of addition, the last sort key */
};

/* A check id that ran, or that was skipped (skip_reason set). */
struct report_check {
	char *id;
	char *skip_reason; /* NULL when the check ran */
};

struct report {
	char *profile;            /* the profile's name, as the user named it */
	bool strict;              /* warnings fail too (--strict or [profile] strict) */
	uint64_t elapsed_ns;      /* time the checks took, for JUnit; 0 when unknown */
	struct finding *findings;
	size_t n_findings, cap_findings;
	struct report_check *checks;
	size_t n_checks, cap_checks;
	size_t next_seq;
};

/* Initialises an empty report for the profile called profile (copied). */
void report_init(struct report *r, const char *profile);
/* Frees everything r holds; r may be re-initialised. */
void report_finish(struct report *r);

/*
 * Adds a finding.  id must be a non-empty id ("family.name"); file may be
 * NULL (then line is ignored), line 0 means none; hint may be NULL; the
 * message is printf-formatted.  Returns the new finding so the caller may
 * set its column; the pointer is valid until the next change to r.
 */
struct finding *report_add(struct report *r, const char *id, enum severity severity,
			   const char *file, int line, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Records that the check id ran (it appears as a JUnit testcase even when it
 * found nothing).  Recording an id twice keeps the first record. */
void report_ran(struct report *r, const char *id);
/* Records that the check id did not run, and why (reason may be NULL). */
void report_skip(struct report *r, const char *id, const char *reason);

/* Number of findings of that severity. */
size_t report_count(const struct report *r, enum severity severity);
/* True when the report passes: no errors, and no warnings when r->strict. */
bool report_ok(const struct report *r);
/* The first finding with that id, or NULL. */
const struct finding *report_find(const struct report *r, const char *id);

/*
 * Sorts the findings, stably: families in the order their first finding
 * was added (which is the order the checks ran), then within a family the
 * findings without a file first, then by file name, line and column, and
 * last by order of addition.
 */
void report_sort(struct report *r);

/*
 * True when pattern selects id.  A pattern without a dot names a family
 * ("env" selects "env" and every "env.*"); a pattern with a glob character
 * (* ? [) is matched with str_glob; any other pattern must equal the id.
 */
bool report_match(const char *pattern, const char *id);
/*
 * True when id passes --only and --skip: only and skip are NULL-terminated
 * pattern lists, NULL or empty meaning "no such option".  An id must match
 * some pattern of only (when given) and none of skip.
 */
bool report_selected(const char *id, char *const *only, char *const *skip);
/*
 * Drops the findings whose id report_selected() rejects, and turns the
 * recorded checks it rejects into skipped ones ("excluded by --only/--skip").
 */
void report_filter(struct report *r, char *const *only, char *const *skip);
/*
 * Applies a family's severity cap: REPORT_LEVEL_WARN turns that family's
 * errors into warnings, REPORT_LEVEL_STAGE those that are not firm, REPORT_LEVEL_OFF drops its findings and marks its
 * recorded checks skipped ("[checks] FAMILY = off").
 */
void report_cap(struct report *r, const char *family, enum report_level level);

/* "error", "warning", "note". */
const char *report_severity_name(enum severity severity);
/* Parses "error" | "warn" (or "warning") | "off"; returns -1 on anything else. */
int report_level_parse(const char *s, enum report_level *level);

enum report_format {
	REPORT_FORMAT_TEXT,
	REPORT_FORMAT_JSON,
	REPORT_FORMAT_GITHUB,
	REPORT_FORMAT_JUNIT,
};

/* Parses "text" | "json" | "github" | "junit"; returns -1 on anything else. */
int report_format_parse(const char *s, enum report_format *format);
/* Renders in that format (color matters only for text): one of the below. */
void report_render(const struct report *reports, size_t n, enum report_format format,
		   bool color, struct strbuf *out);

/* The renderers append to out; reports is an array of n >= 1 reports. */
void report_render_text(const struct report *reports, size_t n, bool color, struct strbuf *out);
void report_render_json(const struct report *reports, size_t n, struct strbuf *out);
void report_render_github(const struct report *reports, size_t n, struct strbuf *out);
void report_render_junit(const struct report *reports, size_t n, struct strbuf *out);

#endif
