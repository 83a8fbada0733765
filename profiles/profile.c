#include "profile.h"
#include "keys.h"
#include "value.h"
#include "fileio.h"
#include "path.h"
#include "signame.h"
#include "strbuf.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* inih's line buffer as Debian builds it; longer lines are handed over
 * through a side table (see reader()). */
#define INIH_LINE_MAX 200
#define PROFILE_LINE_MAX 65536
#define PROFILE_FILE_MAX (1024 * 1024)

struct raw_entry {
	char *section;
	char *key;
	char *value;
	int line;
};

struct raw_file {
	char *display;   /* path as found, used in messages */
	char *absolute;  /* for cycle detection */
	char *name;      /* profile name */
	struct raw_entry *v;
	size_t n, cap;
	char *extends;
	int extends_line;
};

struct parse_state {
	const char *buf;
	size_t len, pos;
	int line;
	int section_line; /* line of the last [section] header */
	bool continuation;
	struct strv long_values;
	struct raw_file *file;
	struct error *err;
};

static void raw_file_destroy(struct raw_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->v[i].section);
		free(f->v[i].key);
		free(f->v[i].value);
	}
	free(f->v);
	free(f->display);
	free(f->absolute);
	free(f->name);
	free(f->extends);
	free(f);
}

/* Strips an inline " ;" comment and surrounding blanks, as inih does. */
static char *strip_value(const char *s, size_t n)
{
	char *v = xstrndup(s, n);
	char *p, *t;

	for (p = v; *p; p++)
		if (*p == ';' && p > v && (p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	t = str_trim(v);
	memmove(v, t, strlen(t) + 1);
	return v;
}

/*
 * inih's reader: hands over one physical line per call, so that inih's
 * line numbers are ours.  Lines longer than inih's buffer are replaced by
 * "key = \1N" (or "  \1N" for a continuation) with the real value kept in
 * long_values; the handler puts it back.
 */
static char *reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	const char *start = st->buf + st->pos;
	const char *nl;
	size_t n;

	if (st->pos >= st->len || error_is_set(st->err))
		return NULL;
	nl = memchr(start, '\n', st->len - st->pos);
	n = nl ? (size_t)(nl - start) + 1 : st->len - st->pos;
	st->line++;
	st->pos += n;
	st->continuation = n > 0 && (start[0] == ' ' || start[0] == '\t');
	{
		const char *p = start;

		while (p < start + n && (*p == ' ' || *p == '\t'))
			p++;
		if (p < start + n && *p == '[')
			st->section_line = st->line;
	}
	if (n < (size_t)num) {
		memcpy(str, start, n);
		str[n] = '\0';
		return str;
	}
	if (n > PROFILE_LINE_MAX) {
		error_at(st->err, st->file->display, st->line, 0,
			 "line is too long (%zu bytes; at most %d accepted)", n, PROFILE_LINE_MAX);
		return NULL;
	}
	{
		const char *p = start, *end = start + n;
		const char *eq;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && (*p == ';' || *p == '#')) {
			snprintf(str, (size_t)num, ";\n");
			return str;
		}
		if (st->continuation) {
			strv_push_owned(&st->long_values, strip_value(p, (size_t)(end - p)));
			snprintf(str, (size_t)num, " \1%zu\n", st->long_values.n - 1);
			return str;
		}
		if (p < end && *p == '[') {
			error_at(st->err, st->file->display, st->line, 0, "section header is too long");
			return NULL;
		}
		eq = p;
		while (eq < end && *eq != '=' && *eq != ':')
			eq++;
		if (eq == end || eq - p > 100) {
			error_at(st->err, st->file->display, st->line, 0,
				 "syntax error: expected [section] or key = value");
			return NULL;
		}
		strv_push_owned(&st->long_values, strip_value(eq + 1, (size_t)(end - eq - 1)));
		snprintf(str, (size_t)num, "%.*s= \1%zu\n", (int)(eq - p), p, st->long_values.n - 1);
		return str;
	}
}

static bool valid_env_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static int unknown_key(struct parse_state *st, const char *section, const char *key)
{
	const char *hint = keys_suggest_key(section, key);
	const char *other = keys_section_of(key);

	if (hint)
		return error_at(st->err, st->file->display, st->line, 0,
				"unknown key '%s' in [%s]; did you mean '%s'?", key, section, hint);
	if (other)
		return error_at(st->err, st->file->display, st->line, 0,
				"unknown key '%s' in [%s]; it belongs in [%s]", key, section, other);
	return error_at(st->err, st->file->display, st->line, 0,
			"unknown key '%s' in [%s] (see deploy-run.ini(5) for the keys of [%s])",
			key, section, section);
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;
	struct raw_file *f = st->file;
	size_t i;

	if (error_is_set(st->err))
		return 0;
	if (value[0] == '\1') {
		size_t idx = strtoul(value + 1, NULL, 10);

		if (idx < st->long_values.n)
			value = st->long_values.v[idx];
	}
	if (!section[0]) {
		error_at(st->err, f->display, st->line, 0,
			 "key '%s' is outside any section: expected a [section] header before it", key);
		return 0;
	}
	if (!keys_section_known(section)) {
		const char *hint = keys_suggest_section(section);

		if (hint)
			error_at(st->err, f->display, st->section_line, 0,
				 "unknown section [%s]; did you mean [%s]?", section, hint);
		else
			error_at(st->err, f->display, st->section_line, 0,
				 "unknown section [%s]: expected one of [profile], [app], [server], "
				 "[env], [vars], [checks], [run], [cleanup], [health], [bundle]", section);
		st->err->id = "profile.unknown-key";
		return 0;
	}
	if (strcmp(section, "vars") == 0) {
		if (!valid_env_name(key)) {
			error_at(st->err, f->display, st->line, 0,
				 "invalid variable name '%s' in [vars]: expected letters, digits and "
				 "underscores, not starting with a digit", key);
			return 0;
		}
	} else if (!keys_find(section, key)) {
		unknown_key(st, section, key);
		st->err->id = "profile.unknown-key";
		return 0;
	}
	if (st->continuation && f->n && strcmp(f->v[f->n - 1].section, section) == 0 &&
	    strcmp(f->v[f->n - 1].key, key) == 0) {
		char *joined = xasprintf("%s\n%s", f->v[f->n - 1].value, value);

		free(f->v[f->n - 1].value);
		f->v[f->n - 1].value = joined;
		return 1;
	}
	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].section, section) == 0 && strcmp(f->v[i].key, key) == 0) {
			error_at(st->err, f->display, st->line, 0,
				 "duplicate key '%s' in [%s] (first set at line %d)", key, section,
				 f->v[i].line);
			return 0;
		}
	grow_array((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	f->v[f->n].section = xstrdup(section);
	f->v[f->n].key = xstrdup(key);
	f->v[f->n].value = xstrdup(value);
	f->v[f->n].line = st->line;
	f->n++;
	if (strcmp(section, "profile") == 0 && strcmp(key, "extends") == 0) {
		free(f->extends);
		f->extends = xstrdup(value);
		f->extends_line = st->line;
	}
	return 1;
}

/* Parses one profile's text (pure: no I/O); display names it in messages. */
static struct raw_file *parse_buffer(const char *buf, size_t len, const char *display,
				     struct error *err)
{
	struct parse_state st = {0};
	struct raw_file *f;
	const char *nul;
	int rc;

	f = xcalloc(1, sizeof(*f));
	f->display = xstrdup(display);
	nul = memchr(buf, '\0', len);
	if (nul) {
		int line = 1;
		const char *p;

		for (p = buf; p < nul; p++)
			line += *p == '\n';
		error_at(err, display, line, 0, "contains a NUL byte: expected a text INI file");
		goto fail;
	}
	st.buf = buf;
	st.len = len;
	st.file = f;
	st.err = err;
	rc = ini_parse_stream(reader, &st, handler, &st);
	if (!error_is_set(err) && rc > 0)
		error_at(err, display, rc, 0, "syntax error: expected [section] or key = value");
	if (!error_is_set(err) && rc < 0)
		error_at(err, display, 0, 0, "cannot parse (out of memory)");
	if (error_is_set(err))
		goto fail;
	if (!f->n) {
		error_at(err, display, 1, 0,
			 "empty profile: expected at least [profile] extends or [app] module");
		goto fail;
	}
	strv_finish(&st.long_values);
	return f;
fail:
	strv_finish(&st.long_values);
	raw_file_destroy(f);
	return NULL;
}

int profile_parse_buffer(const char *buf, size_t len, const char *name, struct error *err)
{
	struct raw_file *f = parse_buffer(buf, len, name, err);

	raw_file_destroy(f);
	return f ? 0 : -1;
}

static struct raw_file *parse_file(const char *display, const char *name, struct error *err)
{
	struct raw_file *f;
	char *buf;
	size_t len;
	char resolved[PATH_MAX];

	if (file_read(display, PROFILE_FILE_MAX, &buf, &len, NULL, err) < 0)
		return NULL;
	f = parse_buffer(buf, len, display, err);
	free(buf);
	if (!f)
		return NULL;
	f->absolute = realpath(display, resolved) ? xstrdup(resolved) : path_absolute(display, NULL);
	f->name = xstrdup(name);
	return f;
}

static bool is_path_name(const char *name)
{
	return strchr(name, '/') || str_ends_with(name, ".ini");
}

static char *name_of(const char *path);

/*
 * What to suggest for a profile that is not there: the closest name in the
 * profiles directory, or the profile that a path meant (prod.ini typed for
 * profiles/prod.ini, profiles/prod for profiles/prod.ini); "" when nothing.
 */
static void not_found_hint(const char *name, const char *dir, char *buf, size_t size)
{
	_cleanup_free_ char *base = name_of(name);
	char *best = NULL;
	size_t best_d = 3;
	struct dirent *de;
	DIR *d;

	buf[0] = '\0';
	if (is_path_name(name) && !str_ends_with(name, ".ini")) {
		_cleanup_free_ char *ini = xasprintf("%s.ini", name);

		if (path_exists(ini)) {
			snprintf(buf, size, "; did you mean %s?", ini);
			return;
		}
	}
	d = opendir(dir);
	if (!d) {
		if (!is_path_name(name))
			snprintf(buf, size, "; there is no directory %s here: -C DIR or --profiles DIR "
				 "says where the profiles are", dir);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), dist;

		if (n <= 4 || !str_ends_with(de->d_name, ".ini"))
			continue;
		de->d_name[n - 4] = '\0';
		dist = str_distance(base, de->d_name, 2);
		if (dist < best_d || (dist == best_d && best && strcmp(de->d_name, best) < 0)) {
			free(best);
			best = xstrdup(de->d_name);
			best_d = dist;
		}
	}
	closedir(d);
	if (best && (best_d || is_path_name(name)))
		snprintf(buf, size, "; did you mean the profile '%s' (%s/%s.ini)?", best, dir, best);
	free(best);
}

char *profile_find(const char *name, const char *profiles_dir, struct error *err)
{
	const char *dir = profiles_dir ? profiles_dir : "profiles";
	char *path;
	char hint[PATH_MAX + 96];

	if (!name || !*name) {
		error_set(err, 0, "no profile named: expected a name such as prod, or a path to an .ini file");
		return NULL;
	}
	if (is_path_name(name))
		path = xstrdup(name);
	else
		path = xasprintf("%s/%s.ini", dir, name);
	if (!path_exists(path)) {
		not_found_hint(name, dir, hint, sizeof(hint));
		if (is_path_name(name))
			error_at(err, path, 0, 0, "profile not found%s", hint);
		else
			error_set(err, 0, "profile '%s' not found (looked for %s)%s", name, path, hint);
		free(path);
		return NULL;
	}
	return path;
}

static char *name_of(const char *path)
{
	const char *base = path_basename(path);
	size_t n = strlen(base);

	if (n > 4 && str_ends_with(base, ".ini"))
		n -= 4;
	return xstrndup(base, n);
}

/* ---- typed assignment ---- */

static void *field(struct profile *p, const struct key_def *d)
{
	return (char *)p + d->offset;
}

/* "~" is a shell's expansion, never ours: say so rather than use ROOT/~/x. */
static int check_tilde(const struct key_def *d, const char *value, struct error *err)
{
	struct strv items = STRV_INIT;
	size_t i;
	int rc = 0;

	if (d->type != KT_PATH_FILE && d->type != KT_PATH_ROOT && d->type != KT_PATHS_ROOT)
		return 0;
	value_split_list(value, &items);
	for (i = 0; i < items.n && !rc; i++)
		if (items.v[i][0] == '~')
			rc = error_set(err, 0, "'~' is not expanded: write the absolute path, or one "
				       "relative to %s", d->type == KT_PATH_FILE
				       ? "the profile's directory" : "[app] root");
	strv_finish(&items);
	return rc;
}

static int assign(struct profile *p, const struct key_def *d, const char *value,
		  const char *file_dir, struct error *err)
{
	void *fp = field(p, d);

	if (check_tilde(d, value, err) < 0)
		return -1;

	switch (d->type) {
	case KT_EXTENDS:
		return 0;
	case KT_STRING:
	case KT_PATH_ROOT:
		free(*(char **)fp);
		*(char **)fp = xstrdup(value);
		return 0;
	case KT_PATH_FILE:
		free(*(char **)fp);
		*(char **)fp = NULL;
		/* a path key with words of its own ("off") may be empty: unset */
		if (!*value && d->choices)
			return 0;
		if (!*value)
			return error_set(err, 0, "expected a path, not an empty value");
		/* a path key with a word of its own ("off") keeps that word */
		if (d->choices && str_eq(value, d->choices[0]))
			*(char **)fp = xstrdup(value);
		else
			*(char **)fp = path_absolute(value, file_dir);
		return 0;
	case KT_BOOL:
		return value_parse_bool(value, (bool *)fp, err);
	case KT_INT:
		return value_parse_int(value, d->min, d->max, (long *)fp, err);
	case KT_DURATION:
		return value_parse_duration(value, (int64_t *)fp, err);
	case KT_SIZE:
		for (long i = 0; d->choices && d->choices[i]; i++)
			if (str_eq(value, d->choices[i])) {
				*(int64_t *)fp = -i;
				return 0;
			}
		if (value_parse_size(value, (int64_t *)fp, err) < 0)
			return -1;
		if (d->choices && *(int64_t *)fp <= 0)
			return error_set(err, 0, "expected a size above 0, or %s", d->choices[0]);
		return 0;
	case KT_STATUSES:
		return value_parse_statuses(value, (struct value_statuses *)fp, err);
	case KT_WORKERS:
		if (strcmp(value, "auto") == 0) {
			*(long *)fp = 0;
			return 0;
		}
		if (value_parse_int(value, d->min, d->max, (long *)fp, err) < 0)
			return error_set(err, 0, "expected auto or an integer from %ld to %ld",
					 d->min, d->max);
		return 0;
	case KT_ENUM: {
		size_t i;
		char choices[256];

		for (i = 0; d->choices[i]; i++)
			if (strcmp(d->choices[i], value) == 0) {
				*(int *)fp = (int)i;
				return 0;
			}
		keys_choices_text(d, choices, sizeof(choices));
		return error_set(err, 0, "expected one of: %s", choices);
	}
	case KT_LIST:
	case KT_PATHS_ROOT:
		strv_finish((struct strv *)fp);
		value_split_list(value, (struct strv *)fp);
		return 0;
	case KT_WORDS: {
		struct strv words = STRV_INIT;

		if (value_split_words(value, &words, err) < 0)
			return -1;
		strv_finish((struct strv *)fp);
		*(struct strv *)fp = words;
		return 0;
	}
	case KT_BINDS: {
		struct strv binds = STRV_INIT;
		size_t i;

		value_split_list(value, &binds);
		if (!binds.n) {
			strv_finish(&binds);
			return error_set(err, 0, "expected at least one address (HOST:PORT, "
					 "[IPV6]:PORT, unix:/PATH or fd://N)");
		}
		for (i = 0; i < binds.n; i++)
			if (value_check_bind(binds.v[i], err) < 0) {
				error_prefix(err, "'%s'", binds.v[i]);
				strv_finish(&binds);
				return -1;
			}
		strv_finish((struct strv *)fp);
		*(struct strv *)fp = binds;
		return 0;
	}
	}
	return error_set(err, 0, "internal: unknown key type");
}

static void set_var(struct profile *p, const char *key, const char *value, struct profile_loc loc)
{
	size_t i;

	for (i = 0; i < p->nvars; i++)
		if (strcmp(p->vars[i].key, key) == 0) {
			free(p->vars[i].value);
			p->vars[i].value = xstrdup(value);
			p->vars[i].loc = loc;
			return;
		}
	p->vars = xrealloc(p->vars, (p->nvars + 1) * sizeof(*p->vars));
	p->vars[p->nvars].key = xstrdup(key);
	p->vars[p->nvars].value = xstrdup(value);
	p->vars[p->nvars].loc = loc;
	p->nvars++;
}

static const char *shorten(const char *value, char *buf, size_t size)
{
	if (strlen(value) < 80)
		return value;
	snprintf(buf, size, "%.60s...", value);
	return buf;
}

static int apply_file(struct profile *p, const struct raw_file *f, const char *loc_file,
		      struct error *err)
{
	_cleanup_free_ char *dir = path_dirname(f->absolute);
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct raw_entry *e = &f->v[i];
		struct profile_loc loc = {loc_file, e->line};
		const struct key_def *d;
		char shortbuf[96];

		if (strcmp(e->section, "vars") == 0) {
			set_var(p, e->key, e->value, loc);
			continue;
		}
		d = keys_find(e->section, e->key);
		if (assign(p, d, e->value, dir, err) < 0) {
			error_prefix(err, "invalid value '%s' for [%s] %s",
				     shorten(e->value, shortbuf, sizeof(shortbuf)), e->section, e->key);
			error_locate(err, f->display, e->line);
			err->id = "profile.bad-value";
			return -1;
		}
		p->locs[keys_index(d)] = loc;
	}
	return 0;
}

static void apply_defaults(struct profile *p, const char *leaf_dir)
{
	struct error err = ERROR_INIT;
	size_t i;

	for (i = 0; i < profile_nkeys; i++) {
		const struct key_def *d = &profile_keys[i];

		if (!d->def) {
			if (d->type == KT_STRING || d->type == KT_PATH_ROOT || d->type == KT_PATH_FILE)
				*(char **)field(p, d) = NULL;
			continue;
		}
		/* the table's defaults are tested to parse (tests/unit/test-profile.c) */
		if (assign(p, d, d->def, leaf_dir, &err) < 0)
			abort();
	}
}

/* Resolves KT_PATH_ROOT values against the root; empty values become NULL. */
static void resolve_paths(struct profile *p)
{
	size_t i, j;

	for (i = 0; i < profile_nkeys; i++) {
		const struct key_def *d = &profile_keys[i];

		if (d->type == KT_PATH_ROOT) {
			char **fp = field(p, d);
			char *raw = *fp;

			*fp = raw && *raw ? path_absolute(raw, p->root) : NULL;
			free(raw);
		} else if (d->type == KT_PATHS_ROOT) {
			struct strv *sv = field(p, d);
			struct strv abs = STRV_INIT;

			if (sv == &p->env_files) {
				strv_finish(&p->env_files_as_written);
				for (j = 0; j < sv->n; j++)
					strv_push(&p->env_files_as_written, sv->v[j]);
			}
			for (j = 0; j < sv->n; j++)
				strv_push_owned(&abs, path_absolute(sv->v[j], p->root));
			strv_finish(sv);
			*sv = abs;
		}
	}
}

static int validate_error(const struct profile *p, struct error *err, const char *section,
			  const char *key, const char *fmt, ...) PRINTF_LIKE(5, 6);

static int validate_error(const struct profile *p, struct error *err, const char *section,
			  const char *key, const char *fmt, ...)
{
	struct profile_loc loc = profile_loc(p, section, key);
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_at(err, loc.file ? loc.file : p->files.v[p->files.n - 1], loc.line, 0, "%s", msg);
	err->id = "profile.bad-value";
	return -1;
}

static int validate(struct profile *p, const char *leaf_display, struct error *err)
{
	size_t i;

	if (!p->module || !*p->module) {
		error_at(err, leaf_display, 0, 0,
			 "[app] module is not set: expected MODULE:ATTRIBUTE such as "
			 "webapp.wsgi:app (in this profile or one it extends)");
		err->id = "profile.missing-key";
		return -1;
	}
	if (!strchr(p->module, ':') || p->module[0] == ':')
		return validate_error(p, err, "app", "module",
				      "invalid value '%s' for [app] module: expected MODULE:ATTRIBUTE "
				      "such as webapp.wsgi:app", p->module);
	if (p->python && *p->python) {
		const char *s = p->python;
		bool ok = isdigit((unsigned char)*s);

		while (isdigit((unsigned char)*s))
			s++;
		ok = ok && *s++ == '.' && isdigit((unsigned char)*s);
		while (isdigit((unsigned char)*s))
			s++;
		if (!ok || *s)
			return validate_error(p, err, "app", "python",
					      "invalid value '%s' for [app] python: expected "
					      "MAJOR.MINOR such as 3.11", p->python);
	}
	for (i = 0; i < p->success_signals.n; i++)
		if (signame_to_number(p->success_signals.v[i]) < 0)
			return validate_error(p, err, "run", "success_signals",
					      "invalid value '%s' for [run] success_signals: "
					      "expected signal names such as TERM or INT",
					      p->success_signals.v[i]);
	for (i = 0; i < p->required.n; i++)
		if (!valid_env_name(p->required.v[i]))
			return validate_error(p, err, "env", "required",
					      "invalid value '%s' for [env] required: expected "
					      "variable names", p->required.v[i]);
	for (i = 0; i < p->allowed_paths.n; i++)
		if (p->allowed_paths.v[i][0] != '/')
			return validate_error(p, err, "checks", "allowed_paths",
					      "invalid value '%s' for [checks] allowed_paths: "
					      "expected absolute directories", p->allowed_paths.v[i]);
	/* the directory is emptied before the start and after the exit */
	if (p->prometheus_dir && (path_is_inside(p->root, p->prometheus_dir) ||
				  path_is_inside(p->path, p->prometheus_dir)))
		return validate_error(p, err, "cleanup", "prometheus_dir",
				      "invalid value '%s' for [cleanup] prometheus_dir: it holds "
				      "the app root or the profiles, and it is wiped before the "
				      "start and after the exit: give the metrics a directory of "
				      "their own, such as /run/app/prometheus", p->prometheus_dir);
	if (p->server == SERVER_UVICORN && strcmp(p->worker_class, "sync") != 0 &&
	    profile_loc(p, "server", "worker_class").file)
		return validate_error(p, err, "server", "worker_class",
				      "[server] worker_class '%s' is gunicorn's: uvicorn has no "
				      "worker classes (remove it, or set [app] server = gunicorn)",
				      p->worker_class);
	return 0;
}

struct profile *profile_load(const char *name, const char *profiles_dir, struct error *err)
{
	struct raw_file *files[PROFILE_MAX_DEPTH] = {0};
	size_t nfiles = 0, i;
	struct profile *p = NULL;
	char *display;
	_cleanup_free_ char *leaf_dir = NULL;

	display = profile_find(name, profiles_dir, err);
	if (!display)
		return NULL;
	/* Walk up the extends chain, leaf first. */
	for (;;) {
		struct raw_file *f;
		char *parent_display;
		_cleanup_free_ char *dir = NULL;

		f = parse_file(display, nfiles ? "" : name, err);
		if (!f) {
			free(display);
			goto fail;
		}
		free(f->name);
		f->name = nfiles ? name_of(display) : is_path_name(name) ? name_of(name) : xstrdup(name);
		free(display);
		for (i = 0; i < nfiles; i++)
			if (strcmp(files[i]->absolute, f->absolute) == 0) {
				error_at(err, files[nfiles - 1]->display, files[nfiles - 1]->extends_line, 0,
					 "extends cycle: '%s' is already in the chain", f->name);
				err->id = "profile.extends-cycle";
				raw_file_destroy(f);
				goto fail;
			}
		if (nfiles == PROFILE_MAX_DEPTH) {
			error_at(err, files[nfiles - 1]->display, files[nfiles - 1]->extends_line, 0,
				 "extends chain is deeper than %d profiles", PROFILE_MAX_DEPTH);
			err->id = "profile.extends-depth";
			raw_file_destroy(f);
			goto fail;
		}
		files[nfiles++] = f;
		if (!f->extends)
			break;
		if (!*f->extends || strchr(f->extends, '/')) {
			error_at(err, f->display, f->extends_line, 0,
				 "invalid value '%s' for [profile] extends: expected the name of a "
				 "profile in the same directory", f->extends);
			goto fail;
		}
		dir = path_dirname(f->display);
		parent_display = str_ends_with(f->extends, ".ini")
			? path_join(dir, f->extends) : xasprintf("%s/%s.ini", dir, f->extends);
		if (!path_exists(parent_display)) {
			error_at(err, f->display, f->extends_line, 0,
				 "extends '%s': profile not found (looked for %s)", f->extends,
				 parent_display);
			err->id = "profile.extends-missing";
			free(parent_display);
			goto fail;
		}
		display = parent_display;
	}

	p = xcalloc(1, sizeof(*p));
	p->locs = xcalloc(profile_nkeys, sizeof(*p->locs));
	p->name = xstrdup(files[0]->name);
	p->path = xstrdup(files[0]->absolute);
	leaf_dir = path_dirname(files[0]->absolute);
	apply_defaults(p, leaf_dir);
	for (i = nfiles; i-- > 0;) {
		strv_push(&p->chain, files[i]->name);
		strv_push(&p->files, files[i]->display);
		strv_push(&p->loc_files, files[i]->display);
	}
	for (i = nfiles; i-- > 0;)
		if (apply_file(p, files[i], p->loc_files.v[nfiles - 1 - i], err) < 0)
			goto fail;
	resolve_paths(p);
	if (validate(p, files[0]->display, err) < 0)
		goto fail;
	p->secret_globs = xcalloc(p->secrets.n + 1, sizeof(*p->secret_globs));
	for (i = 0; i < p->secrets.n; i++)
		glob_compile(&p->secret_globs[i], p->secrets.v[i]);
	for (i = 0; i < nfiles; i++)
		raw_file_destroy(files[i]);
	return p;
fail:
	for (i = 0; i < nfiles; i++)
		raw_file_destroy(files[i]);
	profile_destroy(p);
	return NULL;
}

void profile_destroy(struct profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < profile_nkeys; i++) {
		const struct key_def *d = &profile_keys[i];
		void *fp = (char *)p + d->offset;

		switch (d->type) {
		case KT_STRING: case KT_PATH_FILE: case KT_PATH_ROOT:
			free(*(char **)fp);
			break;
		case KT_LIST: case KT_WORDS: case KT_BINDS: case KT_PATHS_ROOT:
			strv_finish((struct strv *)fp);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < p->nvars; i++) {
		free(p->vars[i].key);
		free(p->vars[i].value);
	}
	free(p->vars);
	strv_finish(&p->env_files_as_written);
	strv_finish(&p->chain);
	strv_finish(&p->files);
	strv_finish(&p->loc_files);
	free(p->locs);
	free(p->name);
	free(p->path);
	free(p->secret_globs);
	free(p);
}

struct profile_loc profile_loc(const struct profile *p, const char *section, const char *key)
{
	const struct key_def *d = keys_find(section, key);
	struct profile_loc none = {NULL, 0};

	return d ? p->locs[keys_index(d)] : none;
}

const char *profile_stage_name(int stage)
{
	static const char *names[] = {"development", "staging", "production"};

	return stage >= 0 && stage < 3 ? names[stage] : "development";
}

const char *profile_server_name(int server)
{
	return server == SERVER_UVICORN ? "uvicorn" : "gunicorn";
}

bool profile_async_worker(const struct profile *p)
{
	static const char *sync_classes[] = {"sync", "gthread"};
	const char *wc = p->worker_class;
	size_t i;

	if (p->server == SERVER_UVICORN)
		return true;
	if (str_starts_with(wc, "gunicorn.workers."))
		wc += strlen("gunicorn.workers.");
	for (i = 0; i < ARRAY_SIZE(sync_classes); i++)
		if (strcmp(wc, sync_classes[i]) == 0 || (str_starts_with(wc, sync_classes[i]) &&
		    (strcmp(wc + strlen(sync_classes[i]), "worker") == 0 ||
		     str_case_eq(wc, "ThreadWorker") || str_case_eq(wc, "SyncWorker"))))
			return false;
	if (strcmp(wc, "sync.SyncWorker") == 0 || strcmp(wc, "gthread.ThreadWorker") == 0)
		return false;
	return true;
}

long profile_auto_workers(const struct profile *p, long cpus)
{
	if (cpus < 1)
		cpus = 1;
	return profile_async_worker(p) ? cpus : 2 * cpus + 1;
}

int64_t profile_kill_timeout_ms(const struct profile *p)
{
	return p->kill_timeout_ms ? p->kill_timeout_ms : p->graceful_timeout_ms + 5000;
}

bool profile_is_secret(const struct profile *p, const char *key)
{
	size_t i, n;

	if (!p->secret_globs) { /* a profile that profile_load() did not make */
		for (i = 0; i < p->secrets.n; i++)
			if (str_glob(p->secrets.v[i], key))
				return true;
		return false;
	}
	n = strlen(key);
	for (i = 0; i < p->secrets.n; i++)
		if (glob_match(&p->secret_globs[i], key, n))
			return true;
	return false;
}

const char *profile_mask(const struct profile *p, const char *key, const char *value, bool reveal)
{
	if (value && !reveal && profile_is_secret(p, key))
		return "****";
	return value;
}

const char *profile_choice(const char *section, const char *key, int value)
{
	const struct key_def *d = keys_find(section, key);
	int i;

	if (!d || !d->choices || value < 0)
		return "";
	for (i = 0; i < value; i++)
		if (!d->choices[i])
			return "";
	return d->choices[value] ? d->choices[value] : "";
}

static char *joined_list(const struct strv *sv, const char *sep)
{
	struct strbuf b;
	size_t i;

	if (!sv->n)
		return NULL;
	strbuf_init(&b);
	for (i = 0; i < sv->n; i++) {
		strbuf_adds(&b, i ? sep : "");
		strbuf_adds(&b, sv->v[i]);
	}
	return strbuf_detach(&b);
}

char *profile_value_text(const struct profile *p, const struct key_def *d)
{
	const void *fp = (const char *)p + d->offset;
	char buf[64];

	switch (d->type) {
	case KT_EXTENDS:
		return NULL;
	case KT_STRING: case KT_PATH_FILE: case KT_PATH_ROOT:
		return *(char *const *)fp ? xstrdup(*(char *const *)fp) : NULL;
	case KT_BOOL:
		return xstrdup(*(const bool *)fp ? "true" : "false");
	case KT_INT:
		return xasprintf("%ld", *(const long *)fp);
	case KT_WORKERS:
		return *(const long *)fp ? xasprintf("%ld", *(const long *)fp) : xstrdup("auto");
	case KT_DURATION:
		value_format_duration(*(const int64_t *)fp, buf, sizeof(buf));
		return xstrdup(buf);
	case KT_SIZE:
		if (d->choices && *(const int64_t *)fp <= 0)
			return xstrdup(d->choices[-*(const int64_t *)fp]);
		value_format_size(*(const int64_t *)fp, buf, sizeof(buf));
		return xstrdup(buf);
	case KT_STATUSES: {
		char text[VALUE_STATUSES_TEXT_MAX];

		value_format_statuses((const struct value_statuses *)fp, text, sizeof(text));
		return xstrdup(text);
	}
	case KT_ENUM:
		return xstrdup(profile_choice(d->section, d->key, *(const int *)fp));
	case KT_LIST: case KT_BINDS: case KT_PATHS_ROOT:
		return joined_list(fp, ", ");
	case KT_WORDS:
		return joined_list(fp, " ");
	}
	return NULL;
}
