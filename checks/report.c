#include "report.h"
#include "error.h"
#include "strv.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/*
 * Length of the valid UTF-8 sequence at p (1 to 4), or 0 when p starts an
 * invalid, overlong or surrogate sequence, or the noncharacters U+FFFE and
 * U+FFFF, which XML forbids.
 */
static size_t utf8_valid(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
		return 0;
	return n;
}

/* A copy of s that is valid UTF-8: each bad byte becomes U+FFFD. */
static char *utf8_sanitize(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct strbuf sb;

	if (!s)
		return NULL;
	strbuf_init(&sb);
	while (*p) {
		const unsigned char *run = p;
		size_t n;

		/* valid text is copied a run at a time */
		while (*p && (n = *p < 0x80 ? 1 : utf8_valid(p)) != 0)
			p += n;
		if (p > run)
			strbuf_add(&sb, run, (size_t)(p - run));
		if (*p) {
			strbuf_adds(&sb, REPLACEMENT);
			p++;
		}
	}
	return strbuf_detach(&sb);
}

static size_t family_len(const char *id)
{
	return strcspn(id, ".");
}

static bool same_family(const char *id, const char *family, size_t len)
{
	return family_len(id) == len && strncmp(id, family, len) == 0;
}

void report_init(struct report *r, const char *profile)
{
	memset(r, 0, sizeof(*r));
	r->profile = utf8_sanitize(profile ? profile : "");
}

static void finding_finish(struct finding *f)
{
	free(f->id);
	free(f->check);
	free(f->message);
	free(f->hint);
	free(f->file);
}

void report_finish(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		finding_finish(&r->findings[i]);
	for (i = 0; i < r->n_checks; i++) {
		free(r->checks[i].id);
		free(r->checks[i].skip_reason);
	}
	free(r->findings);
	free(r->checks);
	free(r->profile);
	memset(r, 0, sizeof(*r));
}

struct finding *report_add(struct report *r, const char *id, enum severity severity,
			   const char *file, int line, const char *hint, const char *fmt, ...)
{
	struct finding *f;
	char *message;
	va_list ap;

	va_start(ap, fmt);
	message = xvasprintf(fmt, ap);
	va_end(ap);

	grow_array((void **)&r->findings, &r->cap_findings, r->n_findings + 1, sizeof(*f));
	f = &r->findings[r->n_findings++];
	memset(f, 0, sizeof(*f));
	f->id = utf8_sanitize(id);
	f->check = xstrndup(f->id, family_len(f->id));
	f->severity = severity;
	f->message = utf8_sanitize(message);
	f->hint = hint && *hint ? utf8_sanitize(hint) : NULL;
	f->file = utf8_sanitize(file);
	f->line = file && line > 0 ? line : 0;
	f->seq = r->next_seq++;
	free(message);
	return f;
}

static struct report_check *find_check(struct report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n_checks; i++)
		if (strcmp(r->checks[i].id, id) == 0)
			return &r->checks[i];
	return NULL;
}

static void record_check(struct report *r, const char *id, const char *reason)
{
	struct report_check *c;
	char *clean = utf8_sanitize(id);

	if (find_check(r, clean)) {
		free(clean);
		return;
	}
	grow_array((void **)&r->checks, &r->cap_checks, r->n_checks + 1, sizeof(*c));
	c = &r->checks[r->n_checks++];
	c->id = clean;
	c->skip_reason = reason ? utf8_sanitize(reason) : NULL;
}

void report_ran(struct report *r, const char *id)
{
	record_check(r, id, NULL);
}

void report_skip(struct report *r, const char *id, const char *reason)
{
	record_check(r, id, reason ? reason : "not run");
}

size_t report_count(const struct report *r, enum severity severity)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_findings; i++)
		if (r->findings[i].severity == severity)
			n++;
	return n;
}

bool report_ok(const struct report *r)
{
	if (report_count(r, SEVERITY_ERROR))
		return false;
	return !r->strict || report_count(r, SEVERITY_WARNING) == 0;
}

const struct finding *report_find(const struct report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		if (strcmp(r->findings[i].id, id) == 0)
			return &r->findings[i];
	return NULL;
}

struct sort_key {
	size_t family_rank;
	const struct finding *f;
};

static int compare_keys(const void *a, const void *b)
{
	const struct finding *fa = ((const struct sort_key *)a)->f;
	const struct finding *fb = ((const struct sort_key *)b)->f;
	size_t ra = ((const struct sort_key *)a)->family_rank;
	size_t rb = ((const struct sort_key *)b)->family_rank;
	int c;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (!fa->file != !fb->file)
		return fa->file ? 1 : -1;
	if (fa->file && (c = strcmp(fa->file, fb->file)) != 0)
		return c;
	if (fa->line != fb->line)
		return fa->line < fb->line ? -1 : 1;
	if (fa->column != fb->column)
		return fa->column < fb->column ? -1 : 1;
	return fa->seq < fb->seq ? -1 : fa->seq > fb->seq;
}

void report_sort(struct report *r)
{
	struct family_rank {
		const char *check;
		size_t first_seq;
	} *families;
	struct sort_key *keys;
	struct finding *sorted;
	size_t i, j, n_families = 0;

	if (r->n_findings < 2)
		return;
	/* a handful of families: a linear search per finding is O(n) overall */
	families = xcalloc(r->n_findings, sizeof(*families));
	keys = xcalloc(r->n_findings, sizeof(*keys));
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];

		for (j = 0; j < n_families && strcmp(families[j].check, f->check) != 0; j++)
			;
		if (j == n_families)
			families[n_families++] = (struct family_rank){f->check, f->seq};
		else if (f->seq < families[j].first_seq)
			families[j].first_seq = f->seq;
	}
	for (i = 0; i < r->n_findings; i++) {
		keys[i].f = &r->findings[i];
		for (j = 0; strcmp(families[j].check, keys[i].f->check) != 0; j++)
			;
		keys[i].family_rank = families[j].first_seq;
	}
	qsort(keys, r->n_findings, sizeof(*keys), compare_keys);
	sorted = xcalloc(r->n_findings, sizeof(*sorted));
	for (i = 0; i < r->n_findings; i++)
		sorted[i] = *keys[i].f;
	memcpy(r->findings, sorted, r->n_findings * sizeof(*sorted));
	free(sorted);
	free(keys);
	free(families);
}

bool report_match(const char *pattern, const char *id)
{
	size_t n = strlen(pattern);

	if (strpbrk(pattern, "*?["))
		return str_glob(pattern, id);
	if (!strchr(pattern, '.'))
		return same_family(id, pattern, n);
	return strcmp(pattern, id) == 0;
}

static bool matches_any(char *const *patterns, const char *id)
{
	for (; patterns && *patterns; patterns++)
		if (report_match(*patterns, id))
			return true;
	return false;
}

bool report_selected(const char *id, char *const *only, char *const *skip)
{
	if (only && *only && !matches_any(only, id))
		return false;
	return !matches_any(skip, id);
}

/* Drops the findings for which keep() is false, keeping the order. */
static void drop_findings(struct report *r, bool (*keep)(const struct finding *, const void *),
			  const void *data)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_findings; i++) {
		if (keep(&r->findings[i], data))
			r->findings[n++] = r->findings[i];
		else
			finding_finish(&r->findings[i]);
	}
	r->n_findings = n;
}

static void mark_skipped(struct report_check *c, const char *reason)
{
	free(c->skip_reason);
	c->skip_reason = xstrdup(reason);
}

struct selection {
	char *const *only, *const *skip;
};

static bool keep_selected(const struct finding *f, const void *data)
{
	const struct selection *sel = data;

	return report_selected(f->id, sel->only, sel->skip);
}

void report_filter(struct report *r, char *const *only, char *const *skip)
{
	struct selection sel = {only, skip};
	size_t i;

	drop_findings(r, keep_selected, &sel);
	for (i = 0; i < r->n_checks; i++)
		if (!r->checks[i].skip_reason && !report_selected(r->checks[i].id, only, skip))
			mark_skipped(&r->checks[i], "excluded by --only/--skip");
}

static bool keep_other_family(const struct finding *f, const void *data)
{
	return strcmp(f->check, data) != 0;
}

void report_cap(struct report *r, const char *family, enum report_level level)
{
	size_t i, n = strlen(family);
	char *reason;

	switch (level) {
	case REPORT_LEVEL_ERROR:
		return;
	case REPORT_LEVEL_WARN:
	case REPORT_LEVEL_STAGE:
		for (i = 0; i < r->n_findings; i++)
			if (r->findings[i].severity == SEVERITY_ERROR &&
			    !(level == REPORT_LEVEL_STAGE && r->findings[i].firm) &&
			    strcmp(r->findings[i].check, family) == 0)
				r->findings[i].severity = SEVERITY_WARNING;
		return;
	case REPORT_LEVEL_OFF:
		drop_findings(r, keep_other_family, family);
		reason = xasprintf("[checks] %s = off", family);
		for (i = 0; i < r->n_checks; i++)
			if (same_family(r->checks[i].id, family, n))
				mark_skipped(&r->checks[i], reason);
		free(reason);
		return;
	}
}

/* How each severity is named, coloured (SGR) and spelled as a GitHub command. */
static const struct {
	const char *name, *sgr, *github;
} severities[] = {
	[SEVERITY_NOTE] = {"note", "1;36", "notice"},
	[SEVERITY_WARNING] = {"warning", "1;33", "warning"},
	[SEVERITY_ERROR] = {"error", "1;31", "error"},
};

const char *report_severity_name(enum severity severity)
{
	return severities[severity <= SEVERITY_ERROR ? severity : SEVERITY_ERROR].name;
}

int report_level_parse(const char *s, enum report_level *level)
{
	if (str_eq(s, "error"))
		*level = REPORT_LEVEL_ERROR;
	else if (str_eq(s, "warn") || str_eq(s, "warning"))
		*level = REPORT_LEVEL_WARN;
	else if (str_eq(s, "off"))
		*level = REPORT_LEVEL_OFF;
	else
		return -1;
	return 0;
}

/* ---- shared pieces of the renderers ---- */

/*
 * Appends s for a terminal or a log: control characters (see error_control_len)
 * become '?'; with an indent, each newline starts a new line indented by
 * it, and without (NULL: names, paths) a newline is a control character too.
 */
static void add_plain(struct strbuf *out, const char *s, const char *indent)
{
	const unsigned char *p;

	size_t n;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n' && indent) {
			strbuf_addc(out, '\n');
			strbuf_adds(out, indent);
		} else if ((n = error_control_len((const char *)p))) {
			strbuf_addc(out, '?');
			p += n - 1;
		} else {
			strbuf_addc(out, (char)*p);
		}
	}
}

/* "2 errors, 1 warning" (zero counts left out), or "no errors, no warnings". */
static void add_counts(struct strbuf *out, size_t errors, size_t warnings, size_t notes)
{
	const char *sep = "";

	if (!errors && !warnings && !notes) {
		strbuf_adds(out, "no errors, no warnings");
		return;
	}
	if (errors) {
		strbuf_addf(out, "%zu error%s", errors, errors == 1 ? "" : "s");
		sep = ", ";
	}
	if (warnings) {
		strbuf_addf(out, "%s%zu warning%s", sep, warnings, warnings == 1 ? "" : "s");
		sep = ", ";
	}
	if (notes)
		strbuf_addf(out, "%s%zu note%s", sep, notes, notes == 1 ? "" : "s");
}

/* "prod: 2 errors, 1 warning", with a word on strict mode when it decides. */
static void add_summary(struct strbuf *out, const struct report *r)
{
	size_t errors = report_count(r, SEVERITY_ERROR);
	size_t warnings = report_count(r, SEVERITY_WARNING);

	add_plain(out, r->profile, NULL);
	strbuf_adds(out, ": ");
	add_counts(out, errors, warnings, report_count(r, SEVERITY_NOTE));
	if (r->strict && !errors && warnings)
		strbuf_adds(out, " (strict: warnings fail the check)");
}

static void paint_on(struct strbuf *out, bool color, const char *sgr)
{
	if (color)
		strbuf_addf(out, "\033[%sm", sgr);
}

static void paint_off(struct strbuf *out, bool color)
{
	if (color)
		strbuf_adds(out, "\033[0m");
}

/* " --> file:line:col" location, without the arrow; nothing when none. */
static void add_location(struct strbuf *out, const struct finding *f)
{
	add_plain(out, f->file, NULL);
	if (f->line > 0)
		strbuf_addf(out, ":%d", f->line);
	if (f->line > 0 && f->column > 0)
		strbuf_addf(out, ":%d", f->column);
}

/* Appends prefix, then label painted with sgr, then a space. */
static void add_label(struct strbuf *out, bool color, const char *prefix, const char *sgr,
		      const char *label)
{
	strbuf_adds(out, prefix);
	paint_on(out, color, sgr);
	strbuf_adds(out, label);
	paint_off(out, color);
	strbuf_addc(out, ' ');
}

/*
 *   error venv.missing: MESSAGE
 *     --> file:line
 *     hint: HINT
 */
static void add_finding_text(struct strbuf *out, const struct finding *f, bool color)
{
	add_label(out, color, "", severities[f->severity].sgr, report_severity_name(f->severity));
	paint_on(out, color, "1");
	add_plain(out, f->id, NULL);
	strbuf_addc(out, ':');
	paint_off(out, color);
	strbuf_addc(out, ' ');
	add_plain(out, f->message, "  ");
	strbuf_addc(out, '\n');
	if (f->file) {
		add_label(out, color, "  ", "1;34", "-->");
		add_location(out, f);
		strbuf_addc(out, '\n');
	}
	if (f->hint) {
		add_label(out, color, "  ", "1;36", "hint:");
		add_plain(out, f->hint, "        ");
		strbuf_addc(out, '\n');
	}
}

/* ---- text ---- */

static void render_text_one(const struct report *r, bool color, struct strbuf *out)
{
	struct strv families = STRV_INIT;
	size_t i, j;

	for (i = 0; i < r->n_findings; i++)
		if (strv_find(&families, r->findings[i].check) < 0)
			strv_push(&families, r->findings[i].check);

	for (i = 0; i < families.n; i++) {
		const char *family = families.v[i];
		size_t counts[3] = {0, 0, 0};

		for (j = 0; j < r->n_findings; j++)
			if (strcmp(r->findings[j].check, family) == 0)
				counts[r->findings[j].severity]++;
		paint_on(out, color, "1");
		strbuf_addc(out, '[');
		add_plain(out, r->profile, NULL);
		strbuf_adds(out, "] ");
		add_plain(out, family, NULL);
		strbuf_adds(out, ": ");
		add_counts(out, counts[SEVERITY_ERROR], counts[SEVERITY_WARNING],
			   counts[SEVERITY_NOTE]);
		paint_off(out, color);
		strbuf_adds(out, "\n\n");
		for (j = 0; j < r->n_findings; j++) {
			if (strcmp(r->findings[j].check, family) != 0)
				continue;
			add_finding_text(out, &r->findings[j], color);
			strbuf_addc(out, '\n');
		}
	}
	strv_finish(&families);

	paint_on(out, color, report_ok(r) ? "1;32" : "1;31");
	add_summary(out, r);
	paint_off(out, color);
	strbuf_addc(out, '\n');
}

void report_render_text(const struct report *reports, size_t n, bool color, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addc(out, '\n');
		render_text_one(&reports[i], color, out);
	}
}

/* ---- JSON ---- */

static void render_json_one(const struct report *r, const char *indent, struct strbuf *out)
{
	size_t i;

	strbuf_addf(out, "%s{\n%s  \"profile\": ", indent, indent);
	strbuf_add_json(out, r->profile);
	strbuf_addf(out, ",\n%s  \"ok\": %s,\n", indent, report_ok(r) ? "true" : "false");
	strbuf_addf(out, "%s  \"summary\": {\"error\": %zu, \"warning\": %zu},\n", indent,
		    report_count(r, SEVERITY_ERROR), report_count(r, SEVERITY_WARNING));
	strbuf_addf(out, "%s  \"findings\": [", indent);
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];

		strbuf_addf(out, "%s\n%s    {\"id\": ", i ? "," : "", indent);
		strbuf_add_json(out, f->id);
		strbuf_adds(out, ", \"check\": ");
		strbuf_add_json(out, f->check);
		strbuf_addf(out, ", \"severity\": \"%s\", \"message\": ",
			    report_severity_name(f->severity));
		strbuf_add_json(out, f->message);
		strbuf_adds(out, ", \"hint\": ");
		strbuf_add_json(out, f->hint);
		strbuf_adds(out, ", \"file\": ");
		strbuf_add_json(out, f->file);
		if (f->line > 0)
			strbuf_addf(out, ", \"line\": %d}", f->line);
		else
			strbuf_adds(out, ", \"line\": null}");
	}
	if (r->n_findings)
		strbuf_addf(out, "\n%s  ", indent);
	strbuf_addf(out, "]\n%s}", indent);
}

void report_render_json(const struct report *reports, size_t n, struct strbuf *out)
{
	size_t i;

	if (n == 1) {
		render_json_one(&reports[0], "", out);
		strbuf_addc(out, '\n');
		return;
	}
	strbuf_adds(out, "[");
	for (i = 0; i < n; i++) {
		strbuf_adds(out, i ? ",\n" : "\n");
		render_json_one(&reports[i], "  ", out);
	}
	strbuf_adds(out, n ? "\n]\n" : "]\n");
}

/* ---- GitHub Actions workflow commands ---- */

/*
 * GitHub's escaping: % CR LF in the data, and also : and , in a property.
 * Other control characters become '?': the runner would show them raw.
 * (CR and LF are escaped before error_control_len() sees them.)
 */
static void add_github(struct strbuf *out, const char *s, bool property)
{
	const unsigned char *p;
	size_t n;

	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '%': strbuf_adds(out, "%25"); break;
		case '\r': strbuf_adds(out, "%0D"); break;
		case '\n': strbuf_adds(out, "%0A"); break;
		case ':':
			strbuf_adds(out, property ? "%3A" : ":");
			break;
		case ',':
			strbuf_adds(out, property ? "%2C" : ",");
			break;
		default:
			if ((n = error_control_len((const char *)p))) {
				strbuf_addc(out, '?');
				p += n - 1;
			} else {
				strbuf_addc(out, (char)*p);
			}
		}
	}
}

static void render_github_one(const struct report *r, struct strbuf *out)
{
	size_t i;
	char *title;

	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];

		strbuf_addf(out, "::%s ", severities[f->severity].github);
		if (f->file) {
			strbuf_adds(out, "file=");
			add_github(out, f->file, true);
			if (f->line > 0)
				strbuf_addf(out, ",line=%d", f->line);
			if (f->line > 0 && f->column > 0)
				strbuf_addf(out, ",col=%d", f->column);
			strbuf_addc(out, ',');
		}
		title = xasprintf("%s: %s", r->profile, f->id);
		strbuf_adds(out, "title=");
		add_github(out, title, true);
		free(title);
		strbuf_adds(out, "::");
		add_github(out, f->message, false);
		if (f->hint) {
			strbuf_adds(out, "%0Ahint: ");
			add_github(out, f->hint, false);
		}
		strbuf_addc(out, '\n');
	}
	/* a plain log line; the prefix keeps it from ever reading as a command */
	strbuf_adds(out, "deploy-run check: ");
	add_summary(out, r);
	strbuf_addc(out, '\n');
}

void report_render_github(const struct report *reports, size_t n, struct strbuf *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		render_github_one(&reports[i], out);
}

/* ---- JUnit XML ---- */

/* Element text: XML-escaped, but newlines kept as they are for readability. */
static void add_xml_text(struct strbuf *out, const char *s)
{
	const char *nl;

	while ((nl = strchr(s, '\n'))) {
		char *line = xstrndup(s, (size_t)(nl - s));

		strbuf_add_xml(out, line);
		strbuf_addc(out, '\n');
		free(line);
		s = nl + 1;
	}
	strbuf_add_xml(out, s);
}

struct testcase {
	const char *id;
	const char *skip_reason;   /* set only when the check was skipped and found nothing */
	size_t n_failing, n_other; /* findings that fail the testcase, and the rest */
	bool has_error;
	const struct finding *first_failing;
};

static bool fails(const struct report *r, const struct finding *f)
{
	return f->severity == SEVERITY_ERROR || (r->strict && f->severity == SEVERITY_WARNING);
}

/* The testcases of r: recorded checks first, then the other ids with findings. */
static struct testcase *collect_testcases(const struct report *r, size_t *count)
{
	struct testcase *tc = xcalloc(r->n_checks + r->n_findings + 1, sizeof(*tc));
	size_t n = 0, i, j;

	for (i = 0; i < r->n_checks; i++) {
		tc[n].id = r->checks[i].id;
		tc[n++].skip_reason = r->checks[i].skip_reason;
	}
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];

		for (j = 0; j < n && strcmp(tc[j].id, f->id) != 0; j++)
			;
		if (j == n)
			tc[n++].id = f->id;
		tc[j].skip_reason = NULL;
		if (f->severity == SEVERITY_ERROR)
			tc[j].has_error = true;
		if (fails(r, f)) {
			if (!tc[j].n_failing++)
				tc[j].first_failing = f;
		} else {
			tc[j].n_other++;
		}
	}
	*count = n;
	return tc;
}

static void add_finding_block(struct strbuf *out, const struct report *r, const char *id,
			      bool failing)
{
	struct strbuf block;
	size_t i;

	strbuf_init(&block);
	for (i = 0; i < r->n_findings; i++)
		if (strcmp(r->findings[i].id, id) == 0 && fails(r, &r->findings[i]) == failing)
			add_finding_text(&block, &r->findings[i], false);
	add_xml_text(out, block.buf);
	strbuf_finish(&block);
}

static void add_testcase(struct strbuf *out, const struct report *r, const struct testcase *tc)
{
	const struct finding *first = tc->first_failing;
	char *family;

	strbuf_adds(out, "    <testcase name=\"");
	strbuf_add_xml(out, tc->id);
	strbuf_adds(out, "\" classname=\"");
	strbuf_add_xml(out, r->profile);
	strbuf_addc(out, '.');
	family = xstrndup(tc->id, family_len(tc->id));
	strbuf_add_xml(out, family);
	free(family);
	strbuf_adds(out, "\" time=\"0\"");
	if (!tc->skip_reason && !tc->n_failing && !tc->n_other) {
		strbuf_adds(out, "/>\n");
		return;
	}
	strbuf_adds(out, ">\n");
	if (tc->skip_reason && !tc->n_failing && !tc->n_other) {
		strbuf_adds(out, "      <skipped message=\"");
		strbuf_add_xml(out, tc->skip_reason);
		strbuf_adds(out, "\"/>\n");
	}
	if (tc->n_failing) {
		strbuf_addf(out, "      <failure type=\"%s\" message=\"",
			    tc->has_error ? "error" : "warning");
		strbuf_add_xml(out, first->message);
		if (tc->n_failing > 1)
			strbuf_addf(out, " (and %zu more)", tc->n_failing - 1);
		strbuf_adds(out, "\">");
		add_finding_block(out, r, tc->id, true);
		strbuf_adds(out, "</failure>\n");
	}
	if (tc->n_other) {
		strbuf_adds(out, "      <system-out>");
		add_finding_block(out, r, tc->id, false);
		strbuf_adds(out, "</system-out>\n");
	}
	strbuf_adds(out, "    </testcase>\n");
}

struct suite_counts {
	size_t tests, failures, skipped;
};

static struct suite_counts count_suite(const struct testcase *tc, size_t n)
{
	struct suite_counts c = {n, 0, 0};
	size_t i;

	for (i = 0; i < n; i++) {
		if (tc[i].n_failing)
			c.failures++;
		else if (tc[i].skip_reason && !tc[i].n_other)
			c.skipped++;
	}
	return c;
}

static void add_seconds(struct strbuf *out, uint64_t ns)
{
	strbuf_addf(out, "%llu.%03llu", (unsigned long long)(ns / 1000000000u),
		    (unsigned long long)(ns % 1000000000u / 1000000u));
}

void report_render_junit(const struct report *reports, size_t n, struct strbuf *out)
{
	struct suite_counts total = {0, 0, 0};
	struct strbuf suites;
	uint64_t total_ns = 0;
	size_t i, j, count;

	strbuf_init(&suites);
	for (i = 0; i < n; i++) {
		const struct report *r = &reports[i];
		struct testcase *tc = collect_testcases(r, &count);
		struct suite_counts c = count_suite(tc, count);

		strbuf_adds(&suites, "  <testsuite name=\"");
		strbuf_add_xml(&suites, r->profile);
		strbuf_addf(&suites, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\""
			    " time=\"", c.tests, c.failures, c.skipped);
		add_seconds(&suites, r->elapsed_ns);
		strbuf_adds(&suites, "\">\n");
		for (j = 0; j < count; j++)
			add_testcase(&suites, r, &tc[j]);
		strbuf_adds(&suites, "  </testsuite>\n");
		free(tc);
		total.tests += c.tests;
		total.failures += c.failures;
		total_ns += r->elapsed_ns;
	}
	strbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(out, "<testsuites name=\"deploy-run check\" tests=\"%zu\" failures=\"%zu\""
		    " errors=\"0\" time=\"", total.tests, total.failures);
	add_seconds(out, total_ns);
	strbuf_adds(out, "\">\n");
	strbuf_add(out, suites.buf, suites.len);
	strbuf_adds(out, "</testsuites>\n");
	strbuf_finish(&suites);
}

/* ---- choosing a format ---- */

static const char *const format_names[] = {
	[REPORT_FORMAT_TEXT] = "text",
	[REPORT_FORMAT_JSON] = "json",
	[REPORT_FORMAT_GITHUB] = "github",
	[REPORT_FORMAT_JUNIT] = "junit",
};

int report_format_parse(const char *s, enum report_format *format)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(format_names); i++) {
		if (str_eq(s, format_names[i])) {
			*format = (enum report_format)i;
			return 0;
		}
	}
	return -1;
}

void report_render(const struct report *reports, size_t n, enum report_format format,
		   bool color, struct strbuf *out)
{
	switch (format) {
	case REPORT_FORMAT_TEXT:
		report_render_text(reports, n, color, out);
		break;
	case REPORT_FORMAT_JSON:
		report_render_json(reports, n, out);
		break;
	case REPORT_FORMAT_GITHUB:
		report_render_github(reports, n, out);
		break;
	case REPORT_FORMAT_JUNIT:
		report_render_junit(reports, n, out);
		break;
	}
}
