#include "env.h"
#include "perms.h"
#include "pysource.h"
#include "fileio.h"
#include "path.h"
#include "strbuf.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const env_file_ids[] = {
	"env.file-missing", "env.parse", "env.duplicate-key", "env.encoding", "env.permissions",
	NULL,
};
const char *const env_var_ids[] = {
	"env.missing-required", "env.shadowed", "env.debug-in-production", NULL,
};
const char *const env_app_ids[] = {"env.app-loads-dotenv", NULL};

/* Longest value quoted in a message. */
#define VALUE_SHOWN_MAX 60

/* error in production, warning in the other stages */
static enum severity severity_prod(const struct profile *p)
{
	return p->stage == STAGE_PRODUCTION ? SEVERITY_ERROR : SEVERITY_WARNING;
}

/* A value as messages show it: masked when secret, quoted, shortened. */
static void add_value(struct strbuf *sb, const struct context *ctx, const char *key,
		      const char *value)
{
	const char *v = profile_mask(ctx->profile, key, value, ctx->reveal);
	size_t n = strlen(v);

	if (n > VALUE_SHOWN_MAX)
		strbuf_addf(sb, "\"%.*s...\"", VALUE_SHOWN_MAX, v);
	else
		strbuf_addf(sb, "\"%s\"", v);
}

/* The .env file a "FILE:LINE" source names, and the line; NULL for others. */
static const struct env_file *source_file(const struct environ *env, const char *source,
					  int *line)
{
	const char *colon = strrchr(source, ':');
	size_t i, n;

	if (!colon)
		return NULL;
	n = (size_t)(colon - source);
	for (i = 0; i < env->nfiles; i++)
		if (strlen(env->files[i].as_written) == n &&
		    strncmp(env->files[i].as_written, source, n) == 0) {
			*line = atoi(colon + 1);
			return &env->files[i];
		}
	return NULL;
}

static const struct profile_var *profile_var(const struct profile *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nvars; i++)
		if (str_eq(p->vars[i].key, key))
			return &p->vars[i];
	return NULL;
}

/* Where a source ("process", "profile", "FILE:LINE", "deploy-run") is written
 * down: a malloc'd file for findings and its line, or false. */
static bool source_location(const struct context *ctx, const char *source, const char *key,
			    char **file, int *line)
{
	const char *f = environ_source_file(ctx->env, ctx->profile, source, key, line);

	if (!f)
		return false;
	*file = xstrdup(f);
	return true;
}

/* The value a source gave key (as written in its file), or NULL. */
static const char *source_value(const struct context *ctx, const char *source, const char *key)
{
	const struct env_var *final = environ_get(ctx->env, key);
	const struct env_file *f;
	const struct profile_var *v;
	int line;
	size_t i;

	if (final && str_eq(final->source, source) && !final->removed)
		return final->value;
	if (str_eq(source, "process"))
		return environ_process_value(ctx->caller_env, key);
	if (str_eq(source, "profile")) {
		v = profile_var(ctx->profile, key);
		return v ? v->value : NULL;
	}
	f = source_file(ctx->env, source, &line);
	if (!f)
		return NULL;
	for (i = 0; i < f->parsed.n; i++)
		if (f->parsed.entries[i].line == line && str_eq(f->parsed.entries[i].key, key))
			return f->parsed.entries[i].value;
	return NULL;
}

static void describe_source(struct strbuf *sb, const struct context *ctx, const char *source,
			    const char *key)
{
	const struct profile_var *v;

	if (str_eq(source, "process")) {
		strbuf_adds(sb, "the process environment");
	} else if (str_eq(source, "profile")) {
		v = profile_var(ctx->profile, key);
		if (v && v->loc.file)
			strbuf_addf(sb, "[vars] (%s:%d)", v->loc.file, v->loc.line);
		else
			strbuf_adds(sb, "[vars]");
	} else if (str_eq(source, "deploy-run")) {
		strbuf_adds(sb, "deploy-run");
	} else {
		strbuf_adds(sb, source);
	}
}

/* ---- the .env files ---------------------------------------------------- */

static void check_missing(const struct context *ctx, struct report *r, const struct env_file *f)
{
	const struct profile *p = ctx->profile;
	struct profile_loc loc = profile_loc(p, "env", "files");
	enum severity sev = p->stage == STAGE_DEVELOPMENT ? SEVERITY_WARNING : SEVERITY_ERROR;

	if (!f->found)
		report_add(r, "env.file-missing", sev, loc.file, loc.line,
			   "create the file, or remove it from [env] files",
			   "%s is listed in [env] files but does not exist (%s); python-dotenv "
			   "would skip it without a word", f->as_written, f->path);
	else
		report_add(r, "env.file-missing", sev, loc.file, loc.line,
			   "make it a regular file the user running deploy-run can read",
			   "%s is listed in [env] files but cannot be read: %s%s%s", f->as_written,
			   f->error.message, f->error.errnum ? ": " : "",
			   f->error.errnum ? strerror(f->error.errnum) : "");
}

/* A file with a million bad lines gives this many findings of one id and a
 * last one that counts the rest, not a million findings. */
#define FINDINGS_PER_FILE_MAX 20

static void add_more(struct report *r, const char *id, enum severity sev, const char *file,
		     int line, const struct env_file *f, size_t more, const char *what)
{
	report_add(r, id, sev, file, line, "fix the lines the first findings name, then check again",
		   "%s: %zu more %s from line %d on (only the first %d are listed)",
		   f->as_written, more, what, line, FINDINGS_PER_FILE_MAX);
}

static void check_parse(const struct context *ctx, struct report *r, const struct env_file *f,
			const char *file)
{
	size_t i;

	if (f->parsed.nproblems > FINDINGS_PER_FILE_MAX)
		add_more(r, "env.parse", severity_prod(ctx->profile), file,
			 f->parsed.problems[FINDINGS_PER_FILE_MAX].line, f,
			 f->parsed.nproblems - FINDINGS_PER_FILE_MAX,
			 "lines python-dotenv cannot parse");
	for (i = 0; i < f->parsed.nproblems && i < FINDINGS_PER_FILE_MAX; i++) {
		const struct dotenv_problem *pb = &f->parsed.problems[i];
		struct finding *fd;

		fd = report_add(r, "env.parse", severity_prod(ctx->profile), file, pb->line,
				"fix the line: KEY=VALUE, with matching quotes; python-dotenv skips "
				"it, so the app does not get that variable",
				"%s:%d: %s%s", f->as_written, pb->line, pb->message,
				pb->start_line != pb->line ? " (in the statement that starts on an "
				"earlier line)" : "");
		fd->column = pb->column;
	}
}

/*
 * A binding os.environ refuses ("=" in the name, a NUL byte): load_dotenv()
 * raises ValueError when it sets it, and deploy-run never composes it (the
 * server's envp would get another variable, or a value cut short).  Error
 * in every stage.  As in python-dotenv, only a key's last binding in the
 * file counts, and only when it has a value (a bare KEY sets nothing).
 * Returns true when a binding holding a NUL byte was reported.
 */
static bool check_refused(struct report *r, const struct env_file *f, const char *file)
{
	const struct dotenv *d = &f->parsed;
	bool nul = false;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct dotenv_entry *e = &d->entries[i];
		const char *why;
		struct finding *fd;

		if (!dotenv_refused(e) || !e->value || dotenv_find(d, e->key) != (long)i)
			continue;
		why = dotenv_refused_why(e);
		nul |= e->nul;
		fd = report_add(r, "env.parse", SEVERITY_ERROR, file, e->line,
			   e->nul ? "remove the NUL byte" : "name the variable with letters, digits "
			   "and _ only",
			   "%s:%d: %s cannot be an environment variable: %s; "
			   "python-dotenv's load_dotenv() raises ValueError on it", f->as_written,
			   e->line, e->key, why);
		fd->firm = true;
	}
	return nul;
}

static size_t hash_key(const char *s)
{
	size_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Each binding of a key already bound earlier in the file, with the line of
 * the binding before it (one pass over an open-addressing table). */
static void check_duplicates(struct report *r, const struct env_file *f, const char *file)
{
	const struct dotenv *d = &f->parsed;
	size_t cap = 16, i, slot, *slots, found = 0;
	int more_line = 0;

	if (d->n < 2)
		return;
	while (cap < d->n * 2)
		cap *= 2;
	slots = xmalloc(cap * sizeof(*slots));
	for (i = 0; i < cap; i++)
		slots[i] = SIZE_MAX;
	for (i = 0; i < d->n; i++) {
		const struct dotenv_entry *e = &d->entries[i];

		for (slot = hash_key(e->key) & (cap - 1); slots[slot] != SIZE_MAX;
		     slot = (slot + 1) & (cap - 1))
			if (str_eq(d->entries[slots[slot]].key, e->key))
				break;
		if (slots[slot] != SIZE_MAX && found++ >= FINDINGS_PER_FILE_MAX) {
			if (!more_line)
				more_line = e->line;
		} else if (slots[slot] != SIZE_MAX) {
			report_add(r, "env.duplicate-key", SEVERITY_WARNING, file, e->line,
				   "keep one of the two lines",
				   "%s is set twice in %s: at line %d and at line %d; python-dotenv "
				   "keeps the later one%s", e->key, f->as_written,
				   d->entries[slots[slot]].line, e->line,
				   e->value ? "" : ", which has no \"=\": the file sets nothing "
				   "for it");
		}
		slots[slot] = i;
	}
	free(slots);
	if (found > FINDINGS_PER_FILE_MAX)
		add_more(r, "env.duplicate-key", SEVERITY_WARNING, file, more_line, f,
			 found - FINDINGS_PER_FILE_MAX, "keys set twice");
}

static void check_encoding(const struct context *ctx, struct report *r,
			   const struct env_file *f, const char *file, bool nul_reported)
{
	const struct dotenv_encoding *enc = &f->parsed.encoding;
	enum severity sev = severity_prod(ctx->profile);

	if (enc->bom) {
		const char *first = f->parsed.n && f->parsed.entries[0].line == 1
			&& str_starts_with(f->parsed.entries[0].key, "\xef\xbb\xbf")
			? f->parsed.entries[0].key + 3 : NULL;

		report_add(r, "env.encoding", sev, file, 1,
			   "save the file as UTF-8 without a byte order mark",
			   "%s starts with a UTF-8 byte order mark: python-dotenv keeps it as part "
			   "of the first key%s%s%s", f->as_written, first ? ", so " : "",
			   first ? first : "", first ? " is not set under that name" : "");
	}
	if (enc->invalid_utf8_line)
		report_add(r, "env.encoding", sev, file, enc->invalid_utf8_line,
			   "save the file as UTF-8",
			   "%s:%d is not valid UTF-8: python-dotenv raises UnicodeDecodeError and "
			   "loads nothing from the file", f->as_written, enc->invalid_utf8_line);
	if (enc->nul_line && !nul_reported)
		report_add(r, "env.encoding", sev, file, enc->nul_line,
			   "remove the NUL byte (the process environment cannot hold one)",
			   "%s:%d holds a NUL byte: the value is cut there, and os.environ refuses "
			   "it in python-dotenv", f->as_written, enc->nul_line);
	if (enc->crlf_line)
		report_add(r, "env.encoding", SEVERITY_WARNING, file, enc->crlf_line,
			   "convert the file to LF line endings (dos2unix)",
			   "%s has CRLF line endings (first at line %d): python-dotenv accepts them, "
			   "but docker --env-file, systemd and shells keep the \\r in every value",
			   f->as_written, enc->crlf_line);
	if (enc->cr_line)
		report_add(r, "env.encoding", SEVERITY_WARNING, file, enc->cr_line,
			   "convert the file to LF line endings",
			   "%s:%d ends with a lone CR (old Mac line ending): python-dotenv takes it "
			   "as a line break, most other readers do not", f->as_written, enc->cr_line);
}

static void check_permissions(const struct context *ctx, struct report *r,
			      const struct env_file *f, const char *file)
{
	const struct profile *p = ctx->profile;
	const struct dotenv_entry *secret = NULL;
	struct strbuf why;
	struct stat st;
	mode_t mode;
	size_t i;

	if (stat(f->path, &st) < 0)
		return;
	mode = st.st_mode & 07777;
	for (i = 0; i < f->parsed.n && !secret && (mode & (S_IRGRP | S_IROTH)); i++)
		if (f->parsed.entries[i].value && f->parsed.entries[i].value[0] &&
		    profile_is_secret(p, f->parsed.entries[i].key))
			secret = &f->parsed.entries[i];
	strbuf_init(&why);
	if (secret && (mode & (S_IRGRP | S_IROTH)))
		strbuf_addf(&why, "holds secrets (%s at line %d) and is readable by %s",
			    secret->key, secret->line,
			    (mode & S_IRGRP) && (mode & S_IROTH) ? "group and others"
			    : (mode & S_IRGRP) ? "its group" : "others");
	/* the same rule as for profiles (profile.permissions) */
	perms_foreign_write(&st, perms_runtime_uid(p), "; it ", &why);
	if (why.len)
		report_add(r, "env.permissions", severity_prod(p), file,
			   secret && (mode & (S_IRGRP | S_IROTH)) ? secret->line : 0,
			   "chmod 600 the file and chown it to the user that starts the server",
			   "%s (mode %04o) %s", f->as_written, (unsigned)mode, why.buf);
	strbuf_finish(&why);
}

void env_check_files(const struct context *ctx, struct report *r)
{
	const struct environ *env = ctx->env;
	size_t i;

	for (i = 0; i < env->nfiles; i++) {
		const struct env_file *f = &env->files[i];
		bool nul;

		if (!f->found || error_is_set(&f->error)) {
			check_missing(ctx, r, f);
			continue;
		}
		check_parse(ctx, r, f, f->path);
		nul = check_refused(r, f, f->path);
		check_duplicates(r, f, f->path);
		check_encoding(ctx, r, f, f->path, nul);
		check_permissions(ctx, r, f, f->path);
	}
}

/* ---- the composed environment ------------------------------------------ */

/* True when some [env] file is missing or could not be read. */
static bool unread_files(const struct environ *env)
{
	size_t i;

	for (i = 0; i < env->nfiles; i++)
		if (!env->files[i].found || error_is_set(&env->files[i].error))
			return true;
	return false;
}

static void check_required(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	struct profile_loc loc = profile_loc(p, "env", "required");
	const char *hint = "set it in one of [env] files, in [vars], or in the environment "
			   "deploy-run is started with";
	struct strv unread = STRV_INIT;
	size_t i;

	for (i = 0; i < p->required.n; i++) {
		const char *key = p->required.v[i];
		const struct env_var *v = environ_get(ctx->env, key);
		bool together = false; /* reported with the others below */
		struct strbuf msg;

		if (v && !v->removed && v->value && v->value[0])
			continue;
		strbuf_init(&msg);
		strbuf_addf(&msg, "%s is required ([env] required) but ", key);
		if (v && !v->removed && v->value)
			strbuf_addf(&msg, "empty (set by %s)", v->source);
		else if (v && !v->removed)
			strbuf_addf(&msg, "%s declares it without a value, and nothing else sets it",
				    v->source);
		else if ((together = unread_files(ctx->env)))
			strv_push(&unread, key);
		else
			strbuf_adds(&msg, "no .env file, [vars] or the process environment sets it");
		if (!together)
			report_add(r, "env.missing-required", SEVERITY_ERROR, loc.file, loc.line,
				   hint, "%s", msg.buf);
		strbuf_finish(&msg);
	}
	/* one finding for all of them: an unreadable file is the likely cause of
	 * each, and env.file-missing or env.parse already names it */
	if (unread.n) {
		struct strbuf keys;

		strbuf_init(&keys);
		for (i = 0; i < unread.n; i++)
			strbuf_addf(&keys, "%s%s", i == 0 ? "" : i + 1 == unread.n ? " and " : ", ",
				    unread.v[i]);
		report_add(r, "env.missing-required", SEVERITY_ERROR, loc.file, loc.line,
			   unread.n == 1 ? hint : "set them in one of [env] files, in [vars], or in "
			   "the environment deploy-run is started with",
			   "%s %s required ([env] required) but neither [vars] nor the process "
			   "environment sets %s, and some [env] files could not be read (see "
			   "env.file-missing)", keys.buf, unread.n == 1 ? "is" : "are",
			   unread.n == 1 ? "it" : "them");
		strbuf_finish(&keys);
	}
	strv_finish(&unread);
}

static void check_shadowed(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	const struct environ *env = ctx->env;
	bool explicit = profile_loc(p, "env", "process").file != NULL;
	const char *mode = p->process_mode == PROCESS_WINS ? "wins" : "loses";
	size_t i;

	for (i = 0; i < env->nshadows; i++) {
		const struct env_shadow *s = &env->shadows[i];
		const char *wv = source_value(ctx, s->winner_source, s->key);
		const char *lv = source_value(ctx, s->loser_source, s->key);
		bool vars = str_eq(s->loser_source, "profile");
		enum severity sev = vars || explicit ? SEVERITY_NOTE : SEVERITY_WARNING;
		char *file = NULL;
		int line = 0;
		struct strbuf msg, hint;

		if (!source_location(ctx, s->loser_source, s->key, &file, &line))
			source_location(ctx, s->winner_source, s->key, &file, &line);
		strbuf_init(&msg);
		strbuf_init(&hint);
		strbuf_addf(&msg, "%s from ", s->key);
		describe_source(&msg, ctx, s->winner_source, s->key);
		if (wv) {
			strbuf_adds(&msg, " (");
			add_value(&msg, ctx, s->key, wv);
			strbuf_adds(&msg, ")");
		}
		strbuf_adds(&msg, " overrides ");
		describe_source(&msg, ctx, s->loser_source, s->key);
		if (lv) {
			strbuf_adds(&msg, " (");
			add_value(&msg, ctx, s->key, lv);
			strbuf_adds(&msg, ")");
		}
		if (vars) {
			strbuf_adds(&msg, ": [vars] are defaults that the .env files and the process "
				    "environment override");
			strbuf_addf(&hint, "remove %s from [vars], or from %s if the default should "
				    "apply", s->key, str_eq(s->winner_source, "process")
				    ? "the environment deploy-run is started with" : s->winner_source);
		} else {
			strbuf_addf(&msg, " (process = %s%s)", mode,
				    explicit ? "" : ", the default: the profile does not say");
			if (!explicit)
				strbuf_adds(&hint, "write [env] process = wins or loses in the profile "
					    "so that the order is on record; ");
			if (p->process_mode == PROCESS_WINS)
				strbuf_addf(&hint, "unset %s where deploy-run is started, or remove "
					    "it from %s if the environment is meant to provide it",
					    s->key, s->loser_source);
			else
				strbuf_addf(&hint, "remove %s from %s to let the environment decide",
					    s->key, s->winner_source);
		}
		report_add(r, "env.shadowed", sev, file, line, hint.buf, "%s", msg.buf);
		strbuf_finish(&msg);
		strbuf_finish(&hint);
		free(file);
	}
}

enum debug_rule {
	RULE_TRUTHY,    /* as frameworks read flags: set, and not 0/false/no/off/n/f */
	RULE_NONEMPTY,  /* as CPython reads its PYTHON* switches: any non-empty string */
	RULE_DEV,       /* equals "development" or "dev" */
	RULE_OFF,       /* equals "off" */
	RULE_SETTINGS,  /* a settings module whose last part names a development setup */
};

static const struct {
	const char *glob;
	enum debug_rule rule;
	const char *why;
} debug_vars[] = {
	{"DEBUG", RULE_TRUTHY, "Django, Starlette and most apps show tracebacks and settings"},
	{"FLASK_DEBUG", RULE_TRUTHY, "Flask serves the interactive debugger"},
	{"QUART_DEBUG", RULE_TRUTHY, "Quart serves tracebacks"},
	{"DJANGO_DEBUG", RULE_TRUTHY, "Django shows tracebacks and settings"},
	{"TEMPLATE_DEBUG", RULE_TRUTHY, "template errors show source and context"},
	{"DJANGO_TEMPLATE_DEBUG", RULE_TRUTHY, "template errors show source and context"},
	{"APP_DEBUG", RULE_TRUTHY, "the app runs in debug mode"},
	{"STARLETTE_DEBUG", RULE_TRUTHY, "Starlette serves tracebacks"},
	{"FASTAPI_DEBUG", RULE_TRUTHY, "FastAPI serves tracebacks"},
	{"SANIC_DEBUG", RULE_TRUTHY, "Sanic serves tracebacks"},
	{"PYRAMID_DEBUG_*", RULE_TRUTHY, "Pyramid logs debugging details"},
	{"PYRAMID_RELOAD_*", RULE_TRUTHY, "Pyramid reloads from disk on every request"},
	{"FLASK_ENV", RULE_DEV, "Flask before 2.3 turns on the debugger"},
	{"QUART_ENV", RULE_DEV, "Quart turns on debug mode"},
	{"WERKZEUG_DEBUG_PIN", RULE_OFF, "the Werkzeug debugger runs code for anyone, no PIN"},
	{"DJANGO_SETTINGS_MODULE", RULE_SETTINGS, "Django loads development settings"},
	{"PYTHONDEVMODE", RULE_NONEMPTY, "Python runs in development mode (slower, noisier)"},
	{"PYTHONASYNCIODEBUG", RULE_NONEMPTY, "asyncio runs in debug mode (slower)"},
};

/* Every name of debug_vars holds one of these (a cheap test for the many
 * variables that are none of them). */
static bool maybe_debug(const char *key)
{
	return strstr(key, "DEBUG") || strstr(key, "_ENV") || strstr(key, "RELOAD") ||
	       strstr(key, "DEVMODE") || strstr(key, "SETTINGS");
}

static bool debug_on(enum debug_rule rule, const char *v)
{
	static const char *const falsy[] = {"", "0", "false", "no", "off", "n", "f"};
	static const char *const dev_parts[] = {"dev", "development", "local", "debug"};
	const char *last;
	size_t i;

	switch (rule) {
	case RULE_TRUTHY:
		for (i = 0; i < ARRAY_SIZE(falsy); i++)
			if (str_case_eq(v, falsy[i]))
				return false;
		return true;
	case RULE_NONEMPTY:
		return v[0] != '\0';
	case RULE_DEV:
		return str_case_eq(v, "development") || str_case_eq(v, "dev");
	case RULE_OFF:
		return str_case_eq(v, "off");
	case RULE_SETTINGS:
		last = strrchr(v, '.');
		last = last ? last + 1 : v;
		for (i = 0; i < ARRAY_SIZE(dev_parts); i++)
			if (str_case_eq(last, dev_parts[i]))
				return true;
		return false;
	}
	return false;
}

static void check_debug(const struct context *ctx, struct report *r)
{
	const struct environ *env = ctx->env;
	size_t i, j;

	if (ctx->profile->stage != STAGE_PRODUCTION)
		return;
	for (i = 0; i < env->n; i++) {
		const struct env_var *v = &env->vars[i];
		char *file = NULL;
		int line = 0;
		struct strbuf msg;

		if (v->removed || !v->value || !maybe_debug(v->key))
			continue;
		for (j = 0; j < ARRAY_SIZE(debug_vars); j++)
			if (str_glob(debug_vars[j].glob, v->key))
				break;
		if (j == ARRAY_SIZE(debug_vars) || !debug_on(debug_vars[j].rule, v->value))
			continue;
		source_location(ctx, v->source, v->key, &file, &line);
		strbuf_init(&msg);
		strbuf_addf(&msg, "%s=", v->key);
		add_value(&msg, ctx, v->key, v->value);
		strbuf_adds(&msg, " in production, from ");
		describe_source(&msg, ctx, v->source, v->key);
		strbuf_addf(&msg, ": %s", debug_vars[j].why);
		report_add(r, "env.debug-in-production", SEVERITY_ERROR, file, line,
			   "remove it from the production configuration, or set it off (0)",
			   "%s", msg.buf);
		strbuf_finish(&msg);
		free(file);
	}
}

void env_check_vars(const struct context *ctx, struct report *r)
{
	check_required(ctx, r);
	check_shadowed(ctx, r);
	check_debug(ctx, r);
}

/* ---- the app's own calls to python-dotenv -------------------------------- */

static const struct pysource_arg *find_arg(const struct pysource_lexer *lx,
					   const struct pysource_call *c, int pos, const char *kw)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->a[i].is_kw ? pysource_is(lx, &c->a[i].kw, kw) : c->a[i].pos == pos)
			return &c->a[i];
	return NULL;
}

enum value_kind { V_ABSENT, V_NONE, V_TRUE, V_FALSE, V_PATH, V_OTHER };

/* Appends the body of a string literal (escapes are left as written). */
static void add_literal(const struct pysource_lexer *lx, const struct pysource_token *t, struct strbuf *path)
{
	if (path)
		strbuf_addf(path, "%.*s", (int)(t->body_end - t->body), lx->s + t->body);
}

/*
 * What an argument is: absent, None, True, False, a path literal (strings,
 * implicitly concatenated, or Path(...) / os.path.join(...) of string
 * literals, joined as they would be; the path goes to *path when not
 * NULL), or any other expression.
 */
static enum value_kind classify(const struct pysource_lexer *lx, const struct pysource_arg *a, struct strbuf *path)
{
	const struct pysource_token *v, *last = NULL;
	size_t i, j, n, names = 0, part = 0;
	bool seen = false;

	if (!a)
		return V_ABSENT;
	v = a->v;
	n = a->n;
	if (n == 0 || n > PYSOURCE_ARG_TOKENS)
		return V_OTHER;
	if (n == 1 && pysource_is(lx, &v[0], "None"))
		return V_NONE;
	if (n == 1 && pysource_is(lx, &v[0], "True"))
		return V_TRUE;
	if (n == 1 && pysource_is(lx, &v[0], "False"))
		return V_FALSE;
	for (i = 0; i < n && v[i].kind == PYSOURCE_STRING && !v[i].fstring; i++)
		;
	if (i == n) {
		for (i = 0; i < n; i++)
			add_literal(lx, &v[i], path);
		return V_PATH;
	}
	/* a dotted name called with string literals only */
	i = 0;
	while (i < n && v[i].kind == PYSOURCE_NAME) {
		last = &v[i++];
		names++;
		if (i < n && pysource_is(lx, &v[i], "."))
			i++;
		else
			break;
	}
	if (!last || i >= n - 1 || !pysource_is(lx, &v[i], "(") || !pysource_is(lx, &v[n - 1], ")"))
		return V_OTHER;
	if (!pysource_is(lx, last, "Path") && !pysource_is(lx, last, "PurePath") &&
	    !pysource_is(lx, last, "PosixPath") && !(pysource_is(lx, last, "join") && names >= 2))
		return V_OTHER;
	for (j = i + 1; j < n - 1; j++) {
		if (v[j].kind == PYSOURCE_STRING && !v[j].fstring) {
			if (path && !seen && part > 0 && v[j].body < v[j].body_end &&
			    lx->s[v[j].body] == '/')
				strbuf_reset(path); /* an absolute part starts over */
			else if (path && !seen && part > 0 && path->len && path->buf[path->len - 1] != '/')
				strbuf_addc(path, '/');
			add_literal(lx, &v[j], path);
			seen = true;
		} else if (pysource_is(lx, &v[j], ",")) {
			part++;
			seen = false;
		} else {
			return V_OTHER;
		}
	}
	return part > 0 || seen ? V_PATH : V_OTHER;
}

struct scan_python {
	env_call_fn fn;
	void *ctx;
};

static void judge_call(void *data, const struct pysource_lexer *lx,
		       const struct pysource_call *ca)
{
	struct scan_python *sp = data;
	struct env_dotenv_call c = {ca->func, ca->name.line, ca->name.column, 0, NULL};
	bool find = str_eq(ca->func, "find_dotenv");
	struct strbuf path;
	enum value_kind kind;

	strbuf_init(&path);
	kind = classify(lx, find_arg(lx, ca, 0, find ? "filename" : "dotenv_path"), &path);
	if (find) {
		enum value_kind cwd = classify(lx, find_arg(lx, ca, 2, "usecwd"), NULL);

		/* joined to every parent directory, an absolute name stays itself */
		if (!(kind == V_PATH && path.buf[0] == '/')) {
			if (cwd == V_TRUE)
				c.flags |= ENV_CALL_USECWD;
			else if (cwd == V_FALSE || cwd == V_NONE || (cwd == V_ABSENT && !ca->star))
				c.flags |= ENV_CALL_SEARCH;
		}
	} else {
		enum value_kind stream = classify(lx, find_arg(lx, ca, 1, "stream"), NULL);

		if ((kind == V_ABSENT || kind == V_NONE) &&
		    (stream == V_ABSENT || stream == V_NONE) && !ca->star)
			c.flags |= ENV_CALL_NO_PATH;
		if (kind == V_PATH && path.buf[0] != '/') {
			c.flags |= ENV_CALL_RELATIVE;
			c.path = path.buf;
		}
		if (str_eq(ca->func, "load_dotenv") &&
		    classify(lx, find_arg(lx, ca, 3, "override"), NULL) == V_TRUE)
			c.flags |= ENV_CALL_OVERRIDE;
	}
	if (c.flags)
		sp->fn(sp->ctx, &c);
	strbuf_finish(&path);
}

void env_scan_python(const char *buf, size_t len, env_call_fn fn, void *ctx)
{
	static const char *const funcs[] = {"load_dotenv", "dotenv_values", "find_dotenv", NULL};
	struct scan_python sp = {fn, ctx};

	pysource_calls(buf, len, funcs, judge_call, &sp);
}

struct walk {
	const struct context *ctx;
	struct report *r;
	const char *display;  /* the .py file being scanned */
};

static void report_call(void *opaque, const struct env_dotenv_call *c)
{
	struct walk *w = opaque;
	const struct profile *p = w->ctx->profile;
	bool serious = c->flags & (ENV_CALL_RELATIVE | ENV_CALL_OVERRIDE | ENV_CALL_USECWD);
	struct strbuf msg;
	struct finding *fd;

	strbuf_init(&msg);
	if (c->flags & ENV_CALL_NO_PATH)
		strbuf_addf(&msg, "%s() without a path searches upward from this file's "
			    "directory and loads the first .env it finds, whatever [env] files "
			    "says", c->func);
	if (c->flags & ENV_CALL_RELATIVE) {
		_cleanup_free_ char *abs = path_absolute(c->path, p->workdir);

		strbuf_addf(&msg, "%s%s() opens the relative path '%s' against the working "
			    "directory, not this file's: under this profile that is %s%s",
			    msg.len ? "; " : "", c->func, c->path, abs,
			    path_exists(abs) ? "" : ", which does not exist");
	}
	if (c->flags & ENV_CALL_OVERRIDE)
		strbuf_addf(&msg, "%soverride=True overwrites the variables deploy-run composed: the "
			    "process environment and [env] process no longer decide",
			    msg.len ? "; " : "load_dotenv(override=True) ");
	if (c->flags & ENV_CALL_USECWD)
		strbuf_addf(&msg, "%sfind_dotenv(usecwd=True) searches upward from the working "
			    "directory (%s under this profile)", msg.len ? "; " : "", p->workdir);
	if (c->flags & ENV_CALL_SEARCH)
		strbuf_addf(&msg, "%sfind_dotenv() searches upward from this file's directory and "
			    "returns the first match, whatever [env] files says", msg.len ? "; " : "");
	fd = report_add(w->r, "env.app-loads-dotenv", serious ? severity_prod(p) : SEVERITY_WARNING,
			w->display, c->line,
			c->flags == ENV_CALL_OVERRIDE
			? "drop override=True: [env] process says whether the environment or the "
			  "files win"
			: "list the files in [env] files and drop the call, or build an absolute path "
			  "from the file's location: Path(__file__).resolve().parent / '.env'",
			"%s", msg.buf);
	fd->column = c->column;
	strbuf_finish(&msg);
}

static void scan_file(void *opaque, const struct pysource_file *f)
{
	struct walk *w = opaque;

	if (!memmem(f->buf, f->len, "dotenv", 6))
		return;
	w->display = f->path;
	env_scan_python(f->buf, f->len, report_call, w);
	w->display = NULL;
}

void env_check_app(const struct context *ctx, struct report *r)
{
	struct walk w = {ctx, r, NULL};
	struct pysource_walk pw = {0};

	if (!ctx->profile->root)
		return;
	pw.root = ctx->profile->root;
	pw.venv = ctx->profile->venv;
	if (pysource_walk(&pw, scan_file, &w) < 0)
		return;
	if (pw.truncated)
		report_add(r, "env.app-loads-dotenv", SEVERITY_NOTE, NULL, 0,
			   "point [app] root at the app's own directory",
			   "stopped looking for load_dotenv() calls after %d entries under %s",
			   PYSOURCE_ENTRIES_MAX, ctx->profile->root);
}
