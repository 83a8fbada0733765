/*
 * The bundle format (see bundle-manifest.h): archive names, the safety of
 * entry names and link targets, the MANIFEST parser and writer.  Pure.
 */
#include "bundle-manifest.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bundle_format_of(const char *path)
{
	if (str_ends_with(path, ".tar.gz") || str_ends_with(path, ".tgz"))
		return BUNDLE_TAR_GZ;
	if (str_ends_with(path, ".tar.zst") || str_ends_with(path, ".tzst"))
		return BUNDLE_TAR_ZST;
	if (str_ends_with(path, ".zip"))
		return BUNDLE_ZIP;
	return -1;
}

/* ---- safety of names ---- */

const char *bundle_path_problem(const char *path)
{
	const char *s = path, *canon = NULL;

	if (!*path)
		return "has an empty name";
	if (*path == '/')
		return "is an absolute path";
	for (;;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return "has a '..' component";
		if (n == 0 || (n == 1 && s[0] == '.'))
			canon = "is not a canonical relative path (an empty or '.' component)";
		if (!e)
			break;
		s = e + 1;
	}
	return canon;
}

const char *bundle_link_problem(const char *path, const char *target)
{
	size_t depth = 0, up = 0;
	bool named = false;
	const char *s;

	if (!*target)
		return "is a symlink with an empty target";
	if (*target == '/')
		return "is a symlink to an absolute path, outside the directory";
	for (s = path; *s; s++)
		depth += *s == '/';
	for (s = target;;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (named)
				return "is a symlink whose target has a '..' after a name";
			up++;
		} else if (n && !(n == 1 && s[0] == '.')) {
			named = true;
		}
		if (!e)
			break;
		s = e + 1;
	}
	if (up > depth)
		return "is a symlink that points out of the directory";
	return NULL;
}

/* ---- the MANIFEST ---- */

static bool must_encode(unsigned char c)
{
	return c <= ' ' || c == 0x7f || c == '%';
}

static void add_encoded(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (must_encode((unsigned char)*s))
			strbuf_addf(sb, "%%%02X", (unsigned char)*s);
		else
			strbuf_addc(sb, *s);
	}
}

/* Decodes a percent-encoded field; NULL when it is malformed. */
static char *decode(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	for (; *s; s++) {
		if (*s == '%') {
			int hi = hex_value(s[1]), lo = hi < 0 ? -1 : hex_value(s[2]);

			if (lo < 0 || (hi == 0 && lo == 0)) {
				free(out);
				return NULL;
			}
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else if (must_encode((unsigned char)*s)) {
			free(out);
			return NULL;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bundle_entry *)a)->path, ((const struct bundle_entry *)b)->path);
}

const struct bundle_entry *bundle_manifest_find(const struct bundle_manifest *m, const char *path)
{
	struct bundle_entry key = {0};

	if (!m->n)
		return NULL;
	key.path = (char *)path;
	return bsearch(&key, m->entries, m->n, sizeof(key), entry_cmp);
}

void bundle_manifest_finish(struct bundle_manifest *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->entries[i].path);
		free(m->entries[i].target);
	}
	free(m->entries);
	free(m->version);
	free(m->profile);
	strv_finish(&m->chain);
	strv_finish(&m->lock);
	free(m->wheelhouse);
	memset(m, 0, sizeof(*m));
}

void bundle_manifest_format(const struct bundle_manifest *m, struct strbuf *out)
{
	char hex[2 * SHA256_LEN + 1];
	size_t i;

	strbuf_adds(out, "deploy-run-bundle 1\nversion ");
	add_encoded(out, m->version ? m->version : "");
	strbuf_adds(out, "\nprofile ");
	add_encoded(out, m->profile ? m->profile : "");
	strbuf_adds(out, "\nchain");
	for (i = 0; i < m->chain.n; i++) {
		strbuf_addc(out, ' ');
		add_encoded(out, m->chain.v[i]);
	}
	strbuf_addf(out, "\nmtime %" PRId64 "\n", m->mtime);
	for (i = 0; i < m->lock.n; i++) {
		strbuf_adds(out, "lock ");
		add_encoded(out, m->lock.v[i]);
		strbuf_addc(out, '\n');
	}
	if (m->wheelhouse) {
		strbuf_adds(out, "wheelhouse ");
		add_encoded(out, m->wheelhouse);
		strbuf_addc(out, '\n');
	}
	for (i = 0; i < m->n; i++) {
		const struct bundle_entry *e = &m->entries[i];

		switch (e->type) {
		case 'd':
			strbuf_addf(out, "d %04o ", e->mode);
			break;
		case 'f':
			hex_encode(e->sha256, SHA256_LEN, hex);
			strbuf_addf(out, "f %04o %" PRIu64 " %s ", e->mode, e->size, hex);
			break;
		default:
			strbuf_adds(out, "l ");
			add_encoded(out, e->target);
			strbuf_addc(out, ' ');
			break;
		}
		add_encoded(out, e->path);
		strbuf_addc(out, '\n');
	}
}

/* The parser's cursor over one line split at single spaces. */
struct mline {
	const char *name;
	int line;
	char *fields[8];
	int cols[8];
	int n;
};

static int mfail(struct error *err, const struct mline *l, int field, const char *fmt, ...)
	PRINTF_LIKE(4, 5);
static int mfail(struct error *err, const struct mline *l, int field, const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error_at(err, l->name, l->line, field < l->n ? l->cols[field] : 1, "%s", msg);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9' || (s[0] == '0' && s[1]))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

static int parse_mode(const char *s, unsigned *out)
{
	size_t i;

	if (strlen(s) != 4 || s[0] != '0')
		return -1;
	*out = 0;
	for (i = 1; i < 4; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		*out = *out * 8 + (unsigned)(s[i] - '0');
	}
	return 0;
}

static int parse_sha(const char *s, uint8_t out[SHA256_LEN])
{
	size_t i;

	if (strlen(s) != 2 * SHA256_LEN)
		return -1;
	for (i = 0; i < SHA256_LEN; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0 || (s[2 * i] >= 'A' && s[2 * i] <= 'F') ||
		    (s[2 * i + 1] >= 'A' && s[2 * i + 1] <= 'F'))
			return -1;
		out[i] = (uint8_t)(hi * 16 + lo);
	}
	return 0;
}

/* Decodes field i as a safe entry path. */
static char *mpath(const struct mline *l, int i, struct error *err)
{
	char *p = decode(l->fields[i]);
	const char *why;

	if (!p) {
		mfail(err, l, i, "malformed percent-encoding");
		return NULL;
	}
	why = bundle_path_problem(p);
	if (!why && strcmp(p, BUNDLE_MANIFEST_NAME) == 0)
		why = "is the MANIFEST itself";
	if (why) {
		mfail(err, l, i, "path '%s' %s", p, why);
		free(p);
		return NULL;
	}
	return p;
}

static int parse_record(struct bundle_manifest *m, struct mline *l, struct error *err)
{
	const char *kind = l->fields[0];
	struct bundle_entry e = {0};
	int i;

	if (strcmp(kind, "version") == 0 || strcmp(kind, "profile") == 0) {
		char **slot = kind[0] == 'v' ? &m->version : &m->profile;

		if (l->n != 2)
			return mfail(err, l, 0, "'%s' takes one value", kind);
		if (*slot)
			return mfail(err, l, 0, "'%s' appears twice", kind);
		if (!(*slot = decode(l->fields[1])))
			return mfail(err, l, 1, "malformed percent-encoding");
		return 0;
	}
	if (strcmp(kind, "chain") == 0) {
		if (m->chain.n)
			return mfail(err, l, 0, "'chain' appears twice");
		for (i = 1; i < l->n; i++) {
			char *v = decode(l->fields[i]);

			if (!v)
				return mfail(err, l, i, "malformed percent-encoding");
			strv_push_owned(&m->chain, v);
		}
		return 0;
	}
	if (strcmp(kind, "mtime") == 0) {
		uint64_t v;

		if (l->n != 2 || parse_u64(l->fields[1], &v) < 0 || v > INT64_MAX)
			return mfail(err, l, 1, "expected 'mtime SECONDS'");
		m->mtime = (int64_t)v;
		return 0;
	}
	if (strcmp(kind, "lock") == 0 || strcmp(kind, "wheelhouse") == 0) {
		char *p;

		if (l->n != 2)
			return mfail(err, l, 0, "'%s' takes one path", kind);
		if (kind[0] == 'w' && m->wheelhouse)
			return mfail(err, l, 0, "'wheelhouse' appears twice");
		if (!(p = mpath(l, 1, err)))
			return -1;
		if (kind[0] == 'w')
			m->wheelhouse = p;
		else
			strv_push_owned(&m->lock, p);
		return 0;
	}
	if (strlen(kind) != 1 || !strchr("dfl", kind[0]))
		return mfail(err, l, 0, "unknown record '%s'", kind);
	e.type = kind[0];
	if ((e.type == 'd' && l->n != 3) || (e.type == 'f' && l->n != 5) ||
	    (e.type == 'l' && l->n != 3))
		return mfail(err, l, 0, "expected %s", e.type == 'd' ? "'d MODE PATH'"
			     : e.type == 'f' ? "'f MODE SIZE SHA256 PATH'" : "'l TARGET PATH'");
	if (e.type != 'l' && parse_mode(l->fields[1], &e.mode) < 0)
		return mfail(err, l, 1, "expected a mode from 0000 to 0777");
	if (e.type == 'f' && parse_u64(l->fields[2], &e.size) < 0)
		return mfail(err, l, 2, "expected a size in bytes");
	if (e.type == 'f' && parse_sha(l->fields[3], e.sha256) < 0)
		return mfail(err, l, 3, "expected a SHA-256 in 64 lowercase hex digits");
	if (!(e.path = mpath(l, l->n - 1, err)))
		return -1;
	if (e.type == 'l') {
		const char *why;

		e.mode = 0777;
		e.target = decode(l->fields[1]);
		why = e.target ? bundle_link_problem(e.path, e.target) : "has a malformed target";
		if (why) {
			mfail(err, l, 1, "'%s' %s", e.path, why);
			free(e.path);
			free(e.target);
			return -1;
		}
	}
	if (m->n && strcmp(m->entries[m->n - 1].path, e.path) >= 0) {
		mfail(err, l, l->n - 1, "'%s' is repeated or out of order (entries are sorted)",
		      e.path);
		free(e.path);
		free(e.target);
		return -1;
	}
	grow_array((void **)&m->entries, &m->cap, m->n + 1, sizeof(e));
	m->entries[m->n++] = e;
	return 0;
}

int bundle_manifest_parse(struct bundle_manifest *m, const char *buf, size_t len,
			  const char *name, struct error *err)
{
	const char *p = buf, *end = buf + len;
	struct mline l = {name, 0, {0}, {0}, 0};
	bool have_mtime = false;

	memset(m, 0, sizeof(*m));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		_cleanup_free_ char *text = xstrndup(p, n);
		char *s = text;

		l.line++;
		l.n = 0;
		if (strlen(text) != n) {
			error_at(err, name, l.line, (int)strlen(text) + 1, "NUL byte");
			goto fail;
		}
		if (!nl) {
			error_at(err, name, l.line, (int)n + 1, "the last line has no newline");
			goto fail;
		}
		for (;;) {
			char *sp = strchr(s, ' ');

			if (l.n == (int)ARRAY_SIZE(l.fields)) {
				mfail(err, &l, 0, "too many fields");
				goto fail;
			}
			l.cols[l.n] = (int)(s - text) + 1;
			l.fields[l.n++] = s;
			if (!*s) {
				error_at(err, name, l.line, l.cols[l.n - 1], "empty field");
				goto fail;
			}
			if (!sp)
				break;
			*sp = '\0';
			s = sp + 1;
		}
		if (l.line == 1) {
			if (l.n != 2 || strcmp(l.fields[0], "deploy-run-bundle") != 0 ||
			    strcmp(l.fields[1], "1") != 0) {
				error_at(err, name, 1, 1, "expected 'deploy-run-bundle 1': not a "
					 "deploy-run bundle manifest, or a newer one");
				goto fail;
			}
		} else {
			if (strcmp(l.fields[0], "mtime") == 0) {
				if (have_mtime) {
					mfail(err, &l, 0, "'mtime' appears twice");
					goto fail;
				}
				have_mtime = true;
			}
			if (parse_record(m, &l, err) < 0)
				goto fail;
		}
		p = nl + 1;
	}
	if (!l.line) {
		error_at(err, name, 1, 1, "empty manifest");
		goto fail;
	}
	if (!m->version || !m->profile || !m->chain.n || !have_mtime) {
		error_at(err, name, l.line, 0, "the header lacks %s", !m->version ? "'version'"
			 : !m->profile ? "'profile'" : !m->chain.n ? "'chain'" : "'mtime'");
		goto fail;
	}
	return 0;
fail:
	bundle_manifest_finish(m);
	return -1;
}


bool bundle_manifest_is_wheel(const struct bundle_manifest *m, const char *path)
{
	size_t n;

	if (!m->wheelhouse)
		return false;
	n = strlen(m->wheelhouse);
	return strncmp(path, m->wheelhouse, n) == 0 && path[n] == '/' &&
	       !strchr(path + n + 1, '/') && str_ends_with(path, ".whl");
}
