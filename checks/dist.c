#include "dist.h"
#include "fileio.h"
#include "path.h"
#include "pep440.h"
#include "strbuf.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Metadata files are small; a huge one is hostile or broken. */
#define METADATA_MAX (8u * 1024 * 1024)
#define RECORD_MAX (64u * 1024 * 1024)

/* One line of buf starting at *pos: [*start, *end) without the line break. */
static bool next_line(const char *buf, size_t len, size_t *pos, size_t *start, size_t *end)
{
	size_t p = *pos;

	if (p >= len)
		return false;
	*start = p;
	while (p < len && buf[p] != '\n' && buf[p] != '\r')
		p++;
	*end = p;
	if (p < len && buf[p] == '\r')
		p++;
	if (p < len && buf[p] == '\n' && (p == *end || buf[p - 1] == '\r'))
		p++;
	*pos = p;
	return true;
}

static size_t skip_bom(const char *buf, size_t len)
{
	return len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/* ---- METADATA / PKG-INFO ---- */

/* Whether the header name key (klen bytes) is name, case-insensitively. */
static bool key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && !strncasecmp(key, name, klen);
}

static void metadata_store(struct dist_metadata *md, const char *key, size_t klen,
			   struct strbuf *value)
{
	char *v;

	if (key_is(key, klen, "Name")) {
		if (!md->name)
			md->name = xstrdup(str_trim(value->buf));
	} else if (key_is(key, klen, "Version")) {
		if (!md->version)
			md->version = xstrdup(str_trim(value->buf));
	} else if (key_is(key, klen, "Requires-Python")) {
		if (!md->requires_python)
			md->requires_python = xstrdup(str_trim(value->buf));
	} else if (key_is(key, klen, "Requires-Dist")) {
		v = str_trim(value->buf);
		strv_push(&md->requires, v);
	} else if (key_is(key, klen, "Provides-Extra")) {
		v = str_trim(value->buf);
		strv_push(&md->extras, v);
	}
}

/* A header field name as Python's email parser accepts it: printable, no ':' or space. */
static size_t header_name_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ':')
			return i;
		if (c < 0x21 || c > 0x7e)
			return 0;
	}
	return 0;
}

int dist_metadata_parse(struct dist_metadata *md, const char *buf, size_t len,
			const char *name, struct error *err)
{
	struct strbuf value;
	const char *key = NULL; /* the current header's name, in buf */
	size_t keylen = 0;
	size_t pos = skip_bom(buf, len), s, e;
	int line = 0;

	memset(md, 0, sizeof(*md));
	strbuf_init(&value);
	while (next_line(buf, len, &pos, &s, &e)) {
		size_t klen;

		line++;
		if (s == e)
			break; /* the body follows */
		if (memchr(buf + s, '\0', e - s)) {
			error_at(err, name, line, 0, "NUL byte in a header");
			goto fail;
		}
		if (buf[s] == ' ' || buf[s] == '\t') {
			if (!key) {
				error_at(err, name, line, 1,
					 "continuation line before the first header");
				goto fail;
			}
			strbuf_add(&value, buf + s, e - s);
			continue;
		}
		klen = header_name_len(buf + s, e - s);
		if (!klen)
			break; /* not a header: Python's parser starts the body here */
		if (key)
			metadata_store(md, key, keylen, &value);
		key = buf + s;
		keylen = klen;
		strbuf_reset(&value);
		strbuf_add(&value, buf + s + klen + 1, e - s - klen - 1);
	}
	if (key)
		metadata_store(md, key, keylen, &value);
	strbuf_finish(&value);
	if (!md->name || !md->name[0]) {
		error_at(err, name, 0, 0, "no Name header");
		goto fail_done;
	}
	if (!md->version || !md->version[0]) {
		error_at(err, name, 0, 0, "no Version header");
		goto fail_done;
	}
	return 0;
fail:
	strbuf_finish(&value);
fail_done:
	dist_metadata_finish(md);
	return -1;
}

void dist_metadata_finish(struct dist_metadata *md)
{
	if (!md)
		return;
	free(md->name);
	free(md->version);
	free(md->requires_python);
	strv_finish(&md->requires);
	strv_finish(&md->extras);
	memset(md, 0, sizeof(*md));
}

/* ---- RECORD ---- */

struct csv {
	const char *buf, *name;
	size_t len, pos, line_start;
	int line;
};

/*
 * Reads one field into f, as Python's csv reader does with the excel
 * dialect (strict off).  Returns 1 when a ',' follows, 0 at the end of the
 * row, -1 on error.
 */
static int csv_field(struct csv *c, struct strbuf *f, bool *quoted, struct error *err)
{
	strbuf_reset(f);
	*quoted = false;
	if (c->pos < c->len && c->buf[c->pos] == '"') {
		int qline = c->line, qcol = (int)(c->pos - c->line_start) + 1;

		*quoted = true;
		c->pos++;
		for (;;) {
			char ch;

			if (c->pos >= c->len)
				return error_at(err, c->name, qline, qcol, "unterminated quoted field");
			ch = c->buf[c->pos++];
			if (ch == '"') {
				if (c->pos < c->len && c->buf[c->pos] == '"') {
					c->pos++;
					strbuf_addc(f, '"');
					continue;
				}
				break;
			}
			if (ch == '\n' || (ch == '\r' && !(c->pos < c->len && c->buf[c->pos] == '\n'))) {
				c->line++;
				c->line_start = c->pos;
			}
			strbuf_addc(f, ch);
		}
	}
	/* unquoted text, or what follows a closing quote, is taken literally */
	while (c->pos < c->len) {
		char ch = c->buf[c->pos];

		if (ch == ',') {
			c->pos++;
			return 1;
		}
		if (ch == '\n' || ch == '\r')
			break;
		strbuf_addc(f, ch);
		c->pos++;
	}
	if (c->pos < c->len && c->buf[c->pos] == '\r')
		c->pos++;
	if (c->pos < c->len && c->buf[c->pos] == '\n')
		c->pos++;
	c->line++;
	c->line_start = c->pos;
	return 0;
}

static int record_size(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

static int record_row(struct dist_record *rec, struct csv *c, struct strbuf *f,
		      struct error *err)
{
	struct dist_record_entry ent = {NULL, NULL, NULL, -1, c->line};
	int nfield = 0, more;

	do {
		int col = (int)(c->pos - c->line_start) + 1, line = c->line;
		bool quoted;

		more = csv_field(c, f, &quoted, err);
		if (more < 0)
			goto fail;
		if (memchr(f->buf, '\0', f->len)) {
			error_at(err, c->name, line, col, "NUL byte in a field");
			goto fail;
		}
		nfield++;
		if (nfield == 1) {
			if (!more && !quoted && f->len == 0)
				return 0; /* an empty row */
			if (f->len == 0) {
				error_at(err, c->name, line, col, "empty path");
				goto fail;
			}
			ent.path = xstrdup(f->buf);
		} else if (nfield == 2 && f->len) {
			char *eq = strchr(f->buf, '=');

			if (!eq || eq == f->buf || !eq[1]) {
				error_at(err, c->name, line, col,
					 "hash \"%s\" is not ALGORITHM=DIGEST", f->buf);
				goto fail;
			}
			ent.algorithm = xstrndup(f->buf, (size_t)(eq - f->buf));
			ent.digest = xstrdup(eq + 1);
		} else if (nfield == 3 && f->len) {
			if (record_size(f->buf, &ent.size) < 0) {
				error_at(err, c->name, line, col,
					 "size \"%s\" is not a number", f->buf);
				goto fail;
			}
		} else if (nfield > 3) {
			error_at(err, c->name, line, col,
				 "more than 3 fields (expected path,hash,size)");
			goto fail;
		}
	} while (more);
	grow_array((void **)&rec->entries, &rec->cap, rec->n + 1, sizeof(*rec->entries));
	rec->entries[rec->n++] = ent;
	return 0;
fail:
	free(ent.path);
	free(ent.algorithm);
	free(ent.digest);
	return -1;
}

int dist_record_parse(struct dist_record *rec, const char *buf, size_t len,
		      const char *name, struct error *err)
{
	struct csv c = {buf, name, len, 0, 0, 1};
	struct strbuf f;

	memset(rec, 0, sizeof(*rec));
	c.pos = c.line_start = skip_bom(buf, len);
	strbuf_init(&f);
	while (c.pos < c.len) {
		if (record_row(rec, &c, &f, err) < 0) {
			strbuf_finish(&f);
			dist_record_finish(rec);
			return -1;
		}
	}
	strbuf_finish(&f);
	return 0;
}

void dist_record_finish(struct dist_record *rec)
{
	size_t i;

	if (!rec)
		return;
	for (i = 0; i < rec->n; i++) {
		free(rec->entries[i].path);
		free(rec->entries[i].algorithm);
		free(rec->entries[i].digest);
	}
	free(rec->entries);
	memset(rec, 0, sizeof(*rec));
}

/* ---- requires.txt ---- */

static char *section_marker(const char *section)
{
	const char *colon = strchr(section, ':');
	char *extra = colon ? xstrndup(section, (size_t)(colon - section)) : xstrdup(section);
	const char *markers = colon ? colon + 1 : "";
	char *out;

	if (*extra && *markers)
		out = xasprintf("(%s) and extra == \"%s\"", markers, extra);
	else if (*extra)
		out = xasprintf("extra == \"%s\"", extra);
	else if (*markers)
		out = xstrdup(markers);
	else
		out = NULL;
	free(extra);
	return out;
}

int dist_requires_txt_parse(struct strv *out, const char *buf, size_t len,
			    const char *name, struct error *err)
{
	size_t pos = skip_bom(buf, len), s, e;
	char *marker = NULL;
	int line = 0;

	while (next_line(buf, len, &pos, &s, &e)) {
		_cleanup_free_ char *copy = xstrndup(buf + s, e - s);
		char *v = str_trim(copy);
		size_t n = strlen(v);

		line++;
		if (!n || v[0] == '#')
			continue;
		if (v[0] == '[') {
			if (v[n - 1] != ']') {
				free(marker);
				return error_at(err, name, line, (int)(v - copy) + 1,
						"section header without ']'");
			}
			/* Python's str.strip('[]') */
			while (*v == '[' || *v == ']')
				v++;
			n = strlen(v);
			while (n && (v[n - 1] == '[' || v[n - 1] == ']'))
				v[--n] = '\0';
			free(marker);
			marker = section_marker(v);
			continue;
		}
		if (marker)
			strv_pushf(out, "%s%s; %s", v, strchr(v, '@') ? " " : "", marker);
		else
			strv_push(out, v);
	}
	free(marker);
	return 0;
}

/* ---- direct_url.json: just "url" and "dir_info": {"editable": true} ---- */

struct json {
	const char *s, *end;
	int depth;
	bool in_dir_info;
	char *url;
	bool editable;
};

static void json_ws(struct json *j)
{
	while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r'))
		j->s++;
}

/* A JSON string into sb (escapes decoded, \u kept only for ASCII). */
static int json_string(struct json *j, struct strbuf *sb)
{
	if (j->s >= j->end || *j->s != '"')
		return -1;
	j->s++;
	while (j->s < j->end && *j->s != '"') {
		char ch = *j->s++;

		if (ch == '\\') {
			if (j->s >= j->end)
				return -1;
			ch = *j->s++;
			switch (ch) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'u': {
				unsigned v = 0;
				int i;

				if (j->end - j->s < 4)
					return -1;
				for (i = 0; i < 4; i++) {
					char h = *j->s++;

					if (!isxdigit((unsigned char)h))
						return -1;
					v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0'
							: (tolower((unsigned char)h) - 'a' + 10));
				}
				ch = v && v < 0x80 ? (char)v : '?';
				break;
			}
			default: break; /* \" \\ \/ */
			}
		}
		strbuf_addc(sb, ch);
	}
	if (j->s >= j->end)
		return -1;
	j->s++;
	return 0;
}

static int json_value(struct json *j, const char *key);

static int json_object(struct json *j)
{
	struct strbuf key;
	int r = -1;

	strbuf_init(&key);
	j->s++;
	json_ws(j);
	if (j->s < j->end && *j->s == '}') {
		j->s++;
		r = 0;
		goto out;
	}
	for (;;) {
		json_ws(j);
		strbuf_reset(&key);
		if (json_string(j, &key) < 0)
			goto out;
		json_ws(j);
		if (j->s >= j->end || *j->s++ != ':')
			goto out;
		json_ws(j);
		if (json_value(j, key.buf) < 0)
			goto out;
		json_ws(j);
		if (j->s < j->end && *j->s == ',') {
			j->s++;
			continue;
		}
		if (j->s < j->end && *j->s == '}') {
			j->s++;
			r = 0;
		}
		goto out;
	}
out:
	strbuf_finish(&key);
	return r;
}

static int json_value(struct json *j, const char *key)
{
	if (++j->depth > 64 || j->s >= j->end)
		return -1;
	if (*j->s == '{') {
		bool was = j->in_dir_info;
		int r;

		j->in_dir_info = j->depth == 2 && str_eq(key, "dir_info");
		r = json_object(j);
		j->in_dir_info = was;
		j->depth--;
		return r;
	}
	if (*j->s == '[') {
		j->s++;
		json_ws(j);
		if (j->s < j->end && *j->s == ']') {
			j->s++;
			j->depth--;
			return 0;
		}
		for (;;) {
			json_ws(j);
			if (json_value(j, NULL) < 0)
				return -1;
			json_ws(j);
			if (j->s < j->end && *j->s == ',') {
				j->s++;
				continue;
			}
			if (j->s >= j->end || *j->s++ != ']')
				return -1;
			j->depth--;
			return 0;
		}
	}
	if (*j->s == '"') {
		struct strbuf sb;
		int r;

		strbuf_init(&sb);
		r = json_string(j, &sb);
		if (r == 0 && j->depth == 2 && str_eq(key, "url") && !j->url)
			j->url = strbuf_detach(&sb);
		else
			strbuf_finish(&sb);
		j->depth--;
		return r;
	}
	if (j->end - j->s >= 4 && memcmp(j->s, "true", 4) == 0) {
		if (j->in_dir_info && str_eq(key, "editable"))
			j->editable = true;
		j->s += 4;
	} else if (j->end - j->s >= 5 && memcmp(j->s, "false", 5) == 0) {
		j->s += 5;
	} else if (j->end - j->s >= 4 && memcmp(j->s, "null", 4) == 0) {
		j->s += 4;
	} else {
		const char *start = j->s;

		while (j->s < j->end && strchr("+-.0123456789eE", *j->s))
			j->s++;
		if (j->s == start)
			return -1;
	}
	j->depth--;
	return 0;
}

static void read_direct_url(struct dist *d, const char *buf, size_t len)
{
	struct json j = {buf, buf + len, 0, false, NULL, false};

	json_ws(&j);
	if (j.s < j.end && *j.s == '{' && json_value(&j, NULL) == 0) {
		d->direct_url = j.url;
		d->editable = j.editable;
		return;
	}
	free(j.url);
	if (!d->error)
		d->error = xstrdup("direct_url.json is not valid JSON");
}

/* ---- scanning ---- */

/*
 * A scan of one directory: its descriptor, and the member files read
 * relative to it ("NAME.dist-info/METADATA"), one path lookup each instead
 * of the full path's; messages still name the full path.
 */
struct scan {
	int dfd;          /* the directory, or AT_FDCWD with full paths */
	const char *dir;
	bool relative;    /* members are read relative to dfd */
};

/* a + "/" + b as path_join() writes it, with one malloc and no printf */
static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	bool slash = la && a[la - 1] != '/';
	char *p;

	if (b[0] == '/' || !la)
		return xstrdup(b);
	p = xmalloc(la + slash + lb + 1);
	memcpy(p, a, la);
	if (slash)
		p[la] = '/';
	memcpy(p + la + slash, b, lb + 1);
	return p;
}

/* "base/file", relative to the scanned directory, in buf; NULL when the scan
 * goes by full paths (or the name does not fit). */
static const char *member_rel(const struct scan *sc, const char *base, const char *file,
			      char *buf, size_t size)
{
	size_t lb = strlen(base), lf = strlen(file);

	if (!sc->relative || lb + 1 + lf >= size)
		return NULL;
	memcpy(buf, base, lb);
	buf[lb] = '/';
	memcpy(buf + lb + 1, file, lf + 1);
	return buf;
}

/*
 * Reads member file of d when it exists; 0 with *out NULL when it does not
 * (as access(F_OK) would say: ENOENT).  Errors name the full path.
 */
/* An error about member file of d names it by its full path, made only then. */
static void name_member(struct error *err, const struct dist *d, const char *file)
{
	snprintf(err->file, sizeof(err->file), "%s/%s", d->path, file);
}

static int read_member(const struct scan *sc, const struct dist *d, const char *base,
		       const char *file, size_t max, char **out, size_t *len, struct error *err)
{
	_cleanup_free_ char *p = NULL;
	char rel[PATH_MAX];
	const char *r = member_rel(sc, base, file, rel, sizeof(rel));

	if (!r) {
		p = join(d->path, file);
		return file_read_if_at(AT_FDCWD, p, p, max, out, len, NULL, err);
	}
	if (file_read_if_at(sc->dfd, r, NULL, max, out, len, NULL, err) < 0) {
		name_member(err, d, file);
		return -1;
	}
	return 0;
}

static void set_error(struct dist *d, const struct error *err)
{
	char msg[ERROR_MESSAGE_MAX + ERROR_FILE_MAX + 64];

	error_format(err, msg, sizeof(msg));
	free(d->error);
	d->error = xstrdup(msg);
}

static void load_metadata(const struct scan *sc, struct dist *d, const char *base,
			  const char *file, bool is_file)
{
	struct error err = ERROR_INIT;
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ char *mpath = NULL;
	char rel[PATH_MAX];
	const char *r = is_file ? (sc->relative ? base : NULL)
				: member_rel(sc, base, file, rel, sizeof(rel));
	/* what messages name: the file's full path, made only for one when it is not at hand */
	const char *name = is_file ? d->path : r ? NULL : (mpath = join(d->path, file));
	size_t len = 0;

	if (file_read_at(r ? sc->dfd : AT_FDCWD, r ? r : name, name, METADATA_MAX, &buf, &len,
			 NULL, &err) < 0 ||
	    dist_metadata_parse(&d->md, buf, len, name, &err) < 0) {
		if (!name)
			name_member(&err, d, file);
		set_error(d, &err);
		return;
	}
	free(d->name);
	free(d->version);
	d->name = xstrdup(d->md.name);
	d->version = xstrdup(d->md.version);
}

static void load_extras(const struct scan *sc, struct dist *d, const char *base)
{
	struct error err = ERROR_INIT;
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (!d->egg_info) {
		char rel[PATH_MAX];
		const char *r = member_rel(sc, base, "RECORD", rel, sizeof(rel));
		char *rec = join(d->path, "RECORD");
		struct stat st;

		if (r ? fstatat(sc->dfd, r, &st, AT_SYMLINK_NOFOLLOW) == 0 : path_exists(rec))
			d->record_path = rec;
		else
			free(rec);
		if (read_member(sc, d, base, "INSTALLER", METADATA_MAX, &buf, &len, &err) < 0) {
			set_error(d, &err);
		} else if (buf) {
			buf[strcspn(buf, "\r\n")] = '\0';
			d->installer = xstrdup(str_trim(buf));
		}
		free(buf);
		buf = NULL;
		if (read_member(sc, d, base, "direct_url.json", METADATA_MAX, &buf, &len, &err) < 0)
			set_error(d, &err);
		else if (buf)
			read_direct_url(d, buf, len);
		return;
	}
	/* importlib.metadata reads requires.txt only when PKG-INFO has no Requires-Dist */
	if (d->md.requires.n || d->error)
		return;
	if (read_member(sc, d, base, "requires.txt", METADATA_MAX, &buf, &len, &err) < 0 ||
	    (buf && dist_requires_txt_parse(&d->md.requires, buf, len, "requires.txt", &err) < 0)) {
		if (!err.file[0] || str_eq(err.file, "requires.txt")) {
			_cleanup_free_ char *p = join(d->path, "requires.txt");

			snprintf(err.file, sizeof(err.file), "%s", p);
		}
		set_error(d, &err);
	}
}

/* NAME-VERSION[-...].dist-info: the parts importlib.metadata would guess. */
static void name_from_dirname(struct dist *d, const char *base, size_t stem)
{
	const char *dash = memchr(base, '-', stem);

	d->name = xstrndup(base, dash ? (size_t)(dash - base) : stem);
}

/*
 * One directory entry: type is its d_type (DT_UNKNOWN when the caller does
 * not know it; a symlink is followed, as stat() does).
 */
static void scan_entry(struct dist_set *set, const struct scan *sc, const char *base,
		       unsigned char type)
{
	size_t blen = strlen(base), stem;
	bool egg = false, is_file = false;
	struct dist *d;
	struct stat st;
	_cleanup_free_ char *p = NULL;

	if (blen > 10 && !memcmp(base + blen - 10, ".dist-info", 10)) {
		stem = blen - 10;
	} else if (blen > 9 && !memcmp(base + blen - 9, ".egg-info", 9)) {
		stem = blen - 9;
		egg = true;
	} else {
		return;
	}
	p = join(sc->dir, base);
	if (type != DT_DIR && type != DT_REG) {
		if ((sc->relative ? fstatat(sc->dfd, base, &st, 0) : stat(p, &st)) < 0)
			return;
		type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
	}
	if (type == DT_REG && egg)
		is_file = true;
	else if (type != DT_DIR)
		return;

	grow_array((void **)&set->d, &set->cap, set->n + 1, sizeof(*set->d));
	d = &set->d[set->n++];
	memset(d, 0, sizeof(*d));
	d->path = p;
	p = NULL;
	d->location = xstrdup(sc->dir);
	d->egg_info = egg;
	load_metadata(sc, d, base, egg ? "PKG-INFO" : "METADATA", is_file);
	if (!d->name)
		name_from_dirname(d, base, stem);
	if (!is_file)
		load_extras(sc, d, base);
	d->normalized = pep440_canonicalize_name(d->name, strlen(d->name));
}

static int dist_cmp(const void *a, const void *b)
{
	const struct dist *x = a, *y = b;
	int r = strcmp(x->normalized, y->normalized);

	return r ? r : strcmp(x->path, y->path);
}

/*
 * Opens dir for a scan.  Its entries are then read relative to it, and
 * their d_type spares a stat each, when the directory is searchable (a
 * lookup of "." in it works); else each goes by its full path, as stat()
 * and open() of the full path would see it.
 */
static DIR *scan_open(struct scan *sc, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	DIR *dp;

	sc->dir = dir;
	sc->dfd = AT_FDCWD;
	sc->relative = false;
	if (fd < 0)
		return NULL;
	if (!(dp = fdopendir(fd))) {
		close(fd);
		return NULL;
	}
	if (fstatat(fd, ".", &st, 0) == 0) {
		sc->dfd = fd;
		sc->relative = true;
	}
	return dp;
}

int dist_scan_dir(struct dist_set *set, const char *dir, struct error *err)
{
	struct scan sc;
	DIR *dp = scan_open(&sc, dir);
	struct dirent *de;

	if (!dp)
		return error_set(err, errno, "cannot read %s", dir);
	while ((de = readdir(dp)))
		scan_entry(set, &sc, de->d_name, sc.relative ? de->d_type : DT_UNKNOWN);
	closedir(dp);
	if (set->n)
		qsort(set->d, set->n, sizeof(*set->d), dist_cmp);
	return 0;
}

int dist_scan_venv(struct dist_set *set, const char *venv, struct error *err)
{
	static const char *const libs[] = {"lib", "lib64"};
	struct stat seen[ARRAY_SIZE(libs) * 8];
	size_t nseen = 0, i;
	int found = 0;

	for (i = 0; i < ARRAY_SIZE(libs); i++) {
		_cleanup_free_ char *lib = path_join(venv, libs[i]);
		DIR *dp = opendir(lib);
		struct dirent *de;

		if (!dp)
			continue;
		while ((de = readdir(dp))) {
			_cleanup_free_ char *sp = NULL;
			struct stat st;
			size_t k;

			if (!str_starts_with(de->d_name, "python3"))
				continue;
			sp = xasprintf("%s/%s/site-packages", lib, de->d_name);
			if (stat(sp, &st) < 0 || !S_ISDIR(st.st_mode))
				continue;
			for (k = 0; k < nseen; k++)
				if (seen[k].st_dev == st.st_dev && seen[k].st_ino == st.st_ino)
					break;
			if (k < nseen || nseen == ARRAY_SIZE(seen))
				continue;
			seen[nseen++] = st;
			if (dist_scan_dir(set, sp, err) < 0) {
				closedir(dp);
				return -1;
			}
			found++;
		}
		closedir(dp);
	}
	if (!found)
		return error_set(err, 0, "%s: no lib/python3.*/site-packages directory", venv);
	return 0;
}

int dist_scan_named(struct dist_set *set, const char *dir, const char *normalized)
{
	struct scan sc;
	DIR *dp = scan_open(&sc, dir);
	struct dirent *de;
	size_t before = set->n;

	if (!dp)
		return 0;
	while ((de = readdir(dp))) {
		const char *b = de->d_name;
		size_t stem = strcspn(b, "-");
		_cleanup_free_ char *name = NULL;

		if (!str_ends_with(b, ".dist-info") && !str_ends_with(b, ".egg-info"))
			continue;
		if (stem == strlen(b))
			stem = strlen(b) - strlen(str_ends_with(b, ".egg-info") ? ".egg-info"
								: ".dist-info");
		name = pep440_canonicalize_name(b, stem);
		if (str_eq(name, normalized))
			scan_entry(set, &sc, b, sc.relative ? de->d_type : DT_UNKNOWN);
	}
	closedir(dp);
	return (int)(set->n - before);
}

const struct dist *dist_set_find(const struct dist_set *set, const char *normalized)
{
	size_t lo = 0, hi = set->n;

	/* the first of the run of that name */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(set->d[mid].normalized, normalized) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < set->n && str_eq(set->d[lo].normalized, normalized) ? &set->d[lo] : NULL;
}

void dist_set_finish(struct dist_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++) {
		struct dist *d = &set->d[i];

		free(d->name);
		free(d->normalized);
		free(d->version);
		free(d->path);
		free(d->location);
		free(d->record_path);
		free(d->installer);
		free(d->direct_url);
		free(d->error);
		dist_metadata_finish(&d->md);
	}
	free(set->d);
	memset(set, 0, sizeof(*set));
}
