/*
 * Release bundles (see bundle.h for the layout and the MANIFEST format).
 *
 * Building reads every file twice: once while the tree is walked, to hash
 * it for the MANIFEST that comes first in the archive, and once while it is
 * written, hashing again so that a file changed in between is caught.
 * Verifying and unpacking read the archive sequentially: the MANIFEST
 * first, then each entry is checked for safety before anything else is
 * done with it.
 */
#include "archive-dl.h"
#include "bundle.h"
#include "dotenv.h"
#include "fileio.h"
#include "hash.h"
#include "lockfile.h"
#include "path.h"
#include "pep440.h"
#include "reqfile.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IO_CHUNK (256 * 1024)
#define MANIFEST_MAX (64u * 1024 * 1024)
#define LOCK_MAX (16u * 1024 * 1024)
#define PROBLEMS_MAX 200

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

/* ---- the lock against the wheels ---- */

struct blob {
	char *path;
	char *data;
	size_t len;
};

struct wheel {
	char *path;
	uint8_t sha256[SHA256_LEN];
};

static bool is_wheel_of(const char *path, const char *wheelhouse)
{
	size_t n = strlen(wheelhouse);

	return strncmp(path, wheelhouse, n) == 0 && path[n] == '/' && !strchr(path + n + 1, '/') &&
	       str_ends_with(path, ".whl");
}

static const struct reqfile_req *find_req(struct reqfile *files, size_t n, const char *name)
{
	const struct reqfile_req *constraint = NULL;
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < files[i].n_reqs; k++) {
			const struct reqfile_req *r = &files[i].reqs[k];

			if (!str_eq(r->normalized, name))
				continue;
			if (!r->constraint)
				return r;
			if (!constraint)
				constraint = r;
		}
	return constraint;
}

static bool wheel_for(const struct wheel *w, size_t nw, const char *name)
{
	size_t i;

	for (i = 0; i < nw; i++) {
		const char *base = path_basename(w[i].path);
		const char *dash = strchr(base, '-');
		_cleanup_free_ char *canon = NULL;

		if (!dash)
			continue;
		canon = pep440_canonicalize_name(base, (size_t)(dash - base));
		if (str_eq(canon, name))
			return true;
	}
	return false;
}

/*
 * Checks the wheels (name-version-...whl) against the lock files: every
 * wheel must be pinned at its version with its hash among the lock's, and
 * every pinned, unconditional requirement must have a wheel.  Problems are
 * "ENTRY: what is wrong".
 */
static void check_wheels(const struct blob *locks, size_t nlocks, const struct wheel *w,
			 size_t nw, const char *wheelhouse, struct strv *problems)
{
	struct reqfile *files = xcalloc(nlocks ? nlocks : 1, sizeof(*files));
	char hex[2 * SHA256_LEN + 1];
	size_t i, k, parsed = 0;

	for (i = 0; i < nlocks; i++) {
		struct error err = ERROR_INIT;

		if (reqfile_parse(&files[parsed], locks[i].data, locks[i].len, locks[i].path,
				  false, NULL, NULL, &err) < 0) {
			strv_pushf(problems, "%s:%d: %s", err.file, err.line, err.message);
			continue;
		}
		parsed++;
	}
	for (i = 0; i < nw; i++) {
		const char *base = path_basename(w[i].path);
		const char *dash = strchr(base, '-');
		const char *vend = dash ? strchr(dash + 1, '-') : NULL;
		_cleanup_free_ char *name = NULL, *version = NULL, *want = NULL, *hash = NULL;
		const struct reqfile_req *r;

		if (!dash || !vend) {
			strv_pushf(problems, "%s: not a wheel file name (NAME-VERSION-...whl)",
				   w[i].path);
			continue;
		}
		name = pep440_canonicalize_name(base, (size_t)(dash - base));
		r = find_req(files, parsed, name);
		if (!r) {
			strv_pushf(problems, "%s: %s is not in the lock", w[i].path, name);
			continue;
		}
		version = pep440_canonicalize_version(dash + 1, (size_t)(vend - dash - 1), false);
		want = r->version ? pep440_canonicalize_version(r->version, strlen(r->version), false)
				  : NULL;
		if (!want || !str_eq(version, want)) {
			strv_pushf(problems, "%s: the lock (%s:%d) %s %s%s", w[i].path, r->file,
				   r->line, want ? "pins" : "does not pin", want ? "version " : name,
				   want ? r->version : "");
			continue;
		}
		if (!r->hashes.n)
			continue;
		hex_encode(w[i].sha256, SHA256_LEN, hex);
		hash = xasprintf("sha256:%s", hex);
		for (k = 0; k < r->hashes.n; k++)
			if (str_case_eq(r->hashes.v[k], hash))
				break;
		if (k == r->hashes.n)
			strv_pushf(problems, "%s: its sha256 %s is none of the lock's hashes for %s "
				   "(%s:%d)", w[i].path, hex, name, r->file, r->line);
	}
	for (i = 0; i < parsed; i++)
		for (k = 0; k < files[i].n_reqs; k++) {
			const struct reqfile_req *r = &files[i].reqs[k];

			if (r->constraint || !r->pinned || r->marker || !r->normalized || r->url ||
			    wheel_for(w, nw, r->normalized))
				continue;
			strv_pushf(problems, "%s:%d: %s==%s has no wheel in %s", r->file, r->line,
				   r->name, r->version, wheelhouse);
		}
	for (i = 0; i < parsed; i++)
		reqfile_finish(&files[i]);
	free(files);
}

/* ---- building ---- */

struct item {
	char *path;        /* in the bundle */
	char *source;      /* on disk; NULL for data held in memory */
	char *data;        /* a rewritten profile */
	size_t len;
	char type;         /* 'f', 'd', 'l' */
	unsigned mode;
	uint64_t size;
	uint8_t sha256[SHA256_LEN];
	char *target;
	int64_t mtime;     /* of the source */
};

struct builder {
	const struct profile *p;
	struct bundle_stats *stats;
	struct item *items;
	size_t n, cap;
	const char *venv_rel;       /* the venv relative to the root, or NULL */
	const char *wheelhouse_rel; /* the configured wheelhouse, or NULL */
	struct stat skip[2];        /* the output and its temporary file */
	size_t nskip;
};

static void item_free(struct item *it)
{
	free(it->path);
	free(it->source);
	free(it->data);
	free(it->target);
}

static struct item *add_item(struct builder *b, const char *path, char type)
{
	struct item *it;

	grow_array((void **)&b->items, &b->cap, b->n + 1, sizeof(*b->items));
	it = &b->items[b->n++];
	memset(it, 0, sizeof(*it));
	it->path = xstrdup(path);
	it->type = type;
	it->mode = 0755;
	return it;
}

static struct item *find_item(struct builder *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->items[i].path, path) == 0)
			return &b->items[i];
	return NULL;
}

/* Adds the directories leading to path that are not there yet. */
static void add_parents(struct builder *b, const char *path)
{
	_cleanup_free_ char *dir = xstrdup(path);
	char *s;

	for (s = strchr(dir, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (!find_item(b, dir))
			add_item(b, dir, 'd');
		*s = '/';
	}
}

/* A pattern with a '/' matches the whole relative path, one without the name. */
static bool matches_any(const struct strv *globs, const char *rel, const char *base)
{
	size_t i;

	for (i = 0; i < globs->n; i++) {
		const char *g = globs->v[i];
		_cleanup_free_ char *trimmed = NULL;
		size_t n;

		while (str_starts_with(g, "./"))
			g += 2;
		trimmed = xstrdup(g);
		n = strlen(trimmed);
		while (n > 1 && trimmed[n - 1] == '/')
			trimmed[--n] = '\0';
		if (str_glob(trimmed, strchr(trimmed, '/') ? rel : base))
			return true;
	}
	return false;
}

static bool is_env_file(const struct builder *b, const char *abs, const char *base)
{
	size_t i;

	if (strcmp(base, ".env") == 0 || str_starts_with(base, ".env.") || str_ends_with(base, ".env"))
		return true;
	for (i = 0; i < b->p->env_files.n; i++)
		if (strcmp(b->p->env_files.v[i], abs) == 0)
			return true;
	return false;
}

/* The first key of the .env file at abs that [env] secrets names, as a
 * malloc'd string; "(unreadable)" when the file cannot be read; NULL when it
 * holds no secret. */
static char *env_secret(const struct builder *b, const char *abs)
{
	_cleanup_free_ char *buf = NULL;
	struct error err = ERROR_INIT;
	struct dotenv d = DOTENV_INIT;
	char *found = NULL;
	size_t len, i;

	if (file_read(abs, 0, &buf, &len, NULL, &err) < 0 ||
	    dotenv_parse(buf, len, abs, &d, &err) < 0)
		return xstrdup("(unreadable)");
	for (i = 0; i < d.n && !found; i++)
		if (profile_is_secret(b->p, d.entries[i].key))
			found = xstrdup(d.entries[i].key);
	dotenv_finish(&d);
	return found;
}

static bool skipped_file(const struct builder *b, const struct stat *st)
{
	size_t i;

	for (i = 0; i < b->nskip; i++)
		if (b->skip[i].st_dev == st->st_dev && b->skip[i].st_ino == st->st_ino)
			return true;
	return false;
}

/* The defaults nothing overrides: version control, virtualenvs, caches. */
static bool excluded_by_default(const struct builder *b, const char *abs, const char *rel,
				const char *base, const struct stat *st)
{
	static const char *const names[] = {".git", ".hg", ".svn", "__pycache__", ".tox", ".nox",
					    ".mypy_cache", ".pytest_cache", ".ruff_cache"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(base, names[i]) == 0)
			return true;
	if (S_ISREG(st->st_mode) && (str_ends_with(base, ".pyc") || str_ends_with(base, ".pyo")))
		return true;
	if (!S_ISDIR(st->st_mode))
		return false;
	if (str_eq(rel, b->venv_rel))
		return true;
	if (strcmp(base, "wheelhouse") == 0 && !str_eq(rel, b->wheelhouse_rel))
		return true;
	{
		_cleanup_free_ char *cfg = path_join(abs, "pyvenv.cfg");
		struct stat cst;

		return lstat(cfg, &cst) == 0;
	}
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct builder *b, const char *abs, const char *rel, bool inside, bool *any,
		struct error *err);

static int walk_one(struct builder *b, const char *abs, const char *rel, const char *base,
		    bool inside, bool *any, struct error *err)
{
	const struct profile *p = b->p;
	struct stat st;
	bool explicit, included;
	struct item *it;

	if (lstat(abs, &st) < 0)
		return error_set(err, errno, "%s", abs);
	if (skipped_file(b, &st) || excluded_by_default(b, abs, rel, base, &st) ||
	    matches_any(&p->bundle_exclude, rel, base))
		return 0;
	if (strcmp(rel, BUNDLE_MANIFEST_NAME) == 0) {
		strv_pushf(&b->stats->notes, "left out %s: the bundle's own manifest has that name",
			   rel);
		return 0;
	}
	explicit = matches_any(&p->bundle_include, rel, base);
	included = !p->bundle_include.n || inside || explicit;
	if (S_ISDIR(st.st_mode)) {
		bool child = false;

		if (walk(b, abs, rel, inside || explicit, &child, err) < 0)
			return -1;
		if (child || included) {
			it = add_item(b, rel, 'd');
			it->mtime = st.st_mtime;
			*any = true;
		}
		return 0;
	}
	if (!included)
		return 0;
	if (S_ISREG(st.st_mode)) {
		if (is_env_file(b, abs, base) && !explicit &&
		    !matches_any(&p->bundle_secrets_ok, rel, base)) {
			_cleanup_free_ char *key = env_secret(b, abs);

			if (key) {
				strv_pushf(&b->stats->notes, "left out %s: it holds the secret %s "
					   "([bundle] secrets_ok bundles it anyway)", rel, key);
				return 0;
			}
		}
		it = add_item(b, rel, 'f');
		it->source = xstrdup(abs);
		it->mode = st.st_mode & S_IXUSR ? 0755 : 0644;
		it->mtime = st.st_mtime;
		if (sha256_file(abs, it->sha256, &it->size, err) < 0)
			return -1;
		*any = true;
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(abs, target, sizeof(target) - 1);
		const char *why;

		if (n < 0)
			return error_set(err, errno, "%s", abs);
		target[n] = '\0';
		why = bundle_link_problem(rel, target);
		if (why)
			return error_at(err, abs, 0, 0, "%s ('%s'): exclude it with [bundle] exclude "
					"or replace it with what it points to", why, target);
		it = add_item(b, rel, 'l');
		it->target = xstrdup(target);
		it->mode = 0777;
		it->mtime = st.st_mtime;
		*any = true;
		return 0;
	}
	strv_pushf(&b->stats->notes, "left out %s: not a regular file, directory or symlink", rel);
	return 0;
}

static int walk(struct builder *b, const char *abs, const char *rel, bool inside, bool *any,
		struct error *err)
{
	DIR *d = opendir(abs);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d)
		return error_set(err, errno, "%s", abs);
	while ((de = readdir(d))) {
		if (path_is_dot(de->d_name))
			continue;
		grow_array((void **)&names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		_cleanup_free_ char *cabs = path_join(abs, names[i]);
		_cleanup_free_ char *crel = rel ? xasprintf("%s/%s", rel, names[i])
					       : xstrdup(names[i]);

		if (rc == 0)
			rc = walk_one(b, cabs, crel, names[i], inside, any, err);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* The path of abs relative to root, or NULL when it is not inside. */
static const char *relative_to(const char *abs, const char *root)
{
	size_t n = strlen(root);

	if (!abs || !path_is_inside(abs, root) || strlen(abs) <= n)
		return NULL;
	return abs + n + (root[n - 1] == '/' ? 0 : 1);
}

/* Replaces line lineno (1-based) of buf with text. */
static char *replace_line(const char *buf, size_t len, int lineno, const char *text, size_t *out_len)
{
	struct strbuf sb;
	const char *s = buf, *end = buf + len;
	int line = 1;

	strbuf_init(&sb);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *next = nl ? nl + 1 : end;

		if (line == lineno) {
			strbuf_adds(&sb, text);
			strbuf_add(&sb, "\n", nl ? 1 : 0);
		} else {
			strbuf_add(&sb, s, (size_t)(next - s));
		}
		s = next;
		line++;
	}
	*out_len = sb.len;
	return strbuf_detach(&sb);
}

/*
 * The profiles of the chain go to profiles/ so that `deploy-run -C DIR
 * check NAME` finds them after unbundling.  Their [app] root is relative
 * to their own directory: the line that sets it is rewritten to "..", the
 * bundle's top, unless it already resolves there.
 */
static int add_profiles(struct builder *b, struct error *err)
{
	const struct profile *p = b->p;
	struct profile_loc loc = profile_loc(p, "app", "root");
	size_t i;

	for (i = 0; i < p->files.n; i++) {
		const char *file = p->files.v[i];
		_cleanup_free_ char *abs = path_absolute(file, NULL);
		_cleanup_free_ char *dir = path_dirname(abs);
		_cleanup_free_ char *want = path_join(p->root, "profiles");
		_cleanup_free_ char *rel = xasprintf("profiles/%s", path_basename(abs));
		struct stat st;
		char *buf;
		size_t len;
		struct item *it;

		if (file_read(file, 0, &buf, &len, &st, err) < 0)
			return -1;
		if (loc.file && strcmp(loc.file, file) == 0 && strcmp(dir, want) != 0) {
			char *rewritten = replace_line(buf, len, loc.line,
				"root = ..  ; the bundle's top directory (rewritten by deploy-run bundle)",
				&len);

			free(buf);
			buf = rewritten;
		}
		it = find_item(b, rel);
		if (it) {
			free(it->source);
			free(it->data);
			it->source = NULL;
		} else {
			it = add_item(b, rel, 'f');
		}
		it->type = 'f';
		it->data = buf;
		it->len = len;
		it->size = len;
		it->mode = st.st_mode & S_IXUSR ? 0755 : 0644;
		it->mtime = st.st_mtime;
		if (sha256_buffer(buf, len, it->sha256, err) < 0)
			return -1;
		add_parents(b, rel);
	}
	return 0;
}

/* The lock and its includes, always bundled; their paths go to m->lock. */
static int add_lock(struct builder *b, struct bundle_manifest *m, struct error *err)
{
	const struct profile *p = b->p;
	struct lockfile lf;
	size_t i;

	if (!p->requirements)
		return 0;
	if (lockfile_load(&lf, p->requirements, NULL, NULL, err) < 0)
		return error_prefix(err, "the lock");
	for (i = 0; i < lf.files.n; i++) {
		_cleanup_free_ char *abs = path_absolute(lf.files.v[i], NULL);
		const char *rel = relative_to(abs, p->root);
		struct item *it;
		struct stat st;

		if (!rel) {
			error_at(err, lf.files.v[i], 0, 0, "the lock is outside [app] root (%s): "
				 "a bundle holds only the root", p->root);
			lockfile_finish(&lf);
			return -1;
		}
		strv_push(&m->lock, rel);
		if (find_item(b, rel))
			continue;
		if (stat(abs, &st) < 0) {
			error_set(err, errno, "%s", abs);
			lockfile_finish(&lf);
			return -1;
		}
		it = add_item(b, rel, 'f');
		it->source = xstrdup(abs);
		it->mode = st.st_mode & S_IXUSR ? 0755 : 0644;
		it->mtime = st.st_mtime;
		add_parents(b, rel);
		if (sha256_file(abs, it->sha256, &it->size, err) < 0) {
			lockfile_finish(&lf);
			return -1;
		}
	}
	lockfile_finish(&lf);
	return 0;
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->path, ((const struct item *)b)->path);
}

static int archive_fail(const struct archive_dl *ar, struct archive *a, const char *output,
			const char *what, struct error *err)
{
	const char *msg = ar->error_string(a);

	return error_at(err, output, 0, 0, "%s: %s", what, msg ? msg : "unknown libarchive error");
}

static struct archive *open_writer(const struct archive_dl *ar, int format, int level, int fd,
				   const char *output, struct error *err)
{
	struct archive *a = ar->write_new();
	_cleanup_free_ char *opts = NULL;
	int r;

	if (!a) {
		error_set(err, ENOMEM, "cannot start an archive");
		return NULL;
	}
	if (format == BUNDLE_ZIP) {
		r = ar->write_set_format_zip(a);
		opts = xasprintf("zip:compression=deflate,zip:compression-level=%d",
				 level ? level : 6);
	} else {
		r = ar->write_set_format_pax_restricted(a);
		if (r == ARCHIVE_OK && format == BUNDLE_TAR_GZ) {
			r = ar->write_add_filter_gzip(a);
			opts = xasprintf("gzip:!timestamp,gzip:compression-level=%d",
					 level ? level : 6);
		} else if (r == ARCHIVE_OK) {
			r = ar->write_add_filter_zstd(a);
			opts = xasprintf("zstd:compression-level=%d,zstd:threads=2", level ? level : 3);
		}
	}
	if (r == ARCHIVE_OK)
		r = ar->write_set_options(a, opts);
	if (r == ARCHIVE_OK)
		r = ar->write_open_fd(a, fd);
	if (r != ARCHIVE_OK) {
		archive_fail(ar, a, output, "cannot set up the archive", err);
		ar->write_free(a);
		return NULL;
	}
	return a;
}

static int write_data(const struct archive_dl *ar, struct archive *a, const void *data, size_t n,
		      const char *output, struct error *err)
{
	const char *p = data;

	while (n) {
		la_ssize_t w = ar->write_data(a, p, n);

		if (w <= 0)
			return archive_fail(ar, a, output, "cannot write", err);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_item(const struct archive_dl *ar, struct archive *a, struct archive_entry *e,
		      const struct item *it, int64_t mtime, char *buf, const char *output,
		      struct error *err)
{
	_cleanup_close_ int fd = -1;
	struct sha256 *h = NULL;
	uint8_t sum[SHA256_LEN];
	uint64_t total = 0;
	struct stat st;

	ar->entry_clear(e);
	ar->entry_set_pathname(e, it->path);
	ar->entry_set_filetype(e, it->type == 'd' ? AE_IFDIR : it->type == 'l' ? AE_IFLNK
										: AE_IFREG);
	ar->entry_set_perm(e, it->mode);
	ar->entry_set_uid(e, 0);
	ar->entry_set_gid(e, 0);
	ar->entry_set_mtime(e, (time_t)mtime, 0);
	if (it->type == 'l')
		ar->entry_set_symlink(e, it->target);
	if (it->type == 'f')
		ar->entry_set_size(e, (la_int64_t)it->size);
	if (it->type == 'f' && it->source) {
		fd = open(it->source, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return error_set(err, errno, "%s", it->source);
		if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != it->size)
			return error_at(err, it->source, 0, 0, "changed while it was bundled");
	}
	if (ar->write_header(a, e) != ARCHIVE_OK)
		return archive_fail(ar, a, output, it->path, err);
	if (it->type != 'f')
		return 0;
	if (!it->source)
		return write_data(ar, a, it->data, it->len, output, err);
	if (!(h = sha256_create(err)))
		return -1;
	for (;;) {
		ssize_t r = read(fd, buf, IO_CHUNK);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sha256_destroy(h);
			return error_set(err, errno, "%s", it->source);
		}
		if (!r || total + (uint64_t)r > it->size)
			break;
		sha256_update(h, buf, (size_t)r);
		total += (uint64_t)r;
		if (write_data(ar, a, buf, (size_t)r, output, err) < 0) {
			sha256_destroy(h);
			return -1;
		}
	}
	sha256_final(h, sum);
	sha256_destroy(h);
	if (total != it->size || memcmp(sum, it->sha256, SHA256_LEN) != 0)
		return error_at(err, it->source, 0, 0, "changed while it was bundled");
	return 0;
}

static void fill_manifest(struct bundle_manifest *m, const struct builder *b, int64_t mtime)
{
	size_t i;

	m->version = xstrdup(DEPLOY_RUN_VERSION);
	m->profile = xstrdup(b->p->name);
	for (i = 0; i < b->p->chain.n; i++)
		strv_push(&m->chain, b->p->chain.v[i]);
	m->mtime = mtime;
	m->entries = xcalloc(b->n ? b->n : 1, sizeof(*m->entries));
	m->cap = b->n;
	for (i = 0; i < b->n; i++) {
		const struct item *it = &b->items[i];
		struct bundle_entry *e = &m->entries[m->n++];

		e->path = xstrdup(it->path);
		e->type = it->type;
		e->mode = it->mode;
		e->size = it->size;
		memcpy(e->sha256, it->sha256, SHA256_LEN);
		e->target = it->target ? xstrdup(it->target) : NULL;
	}
}

/* The lock's hashes against the wheels of the configured wheelhouse. */
static int check_bundle_wheels(const struct builder *b, const struct bundle_manifest *m,
			       struct error *err)
{
	struct blob *locks = xcalloc(m->lock.n + 1, sizeof(*locks));
	struct wheel *wheels = xcalloc(b->n + 1, sizeof(*wheels));
	struct strv problems = STRV_INIT;
	size_t i, nw = 0;
	int rc = 0;

	for (i = 0; i < m->lock.n && rc == 0; i++) {
		_cleanup_free_ char *abs = path_join(b->p->root, m->lock.v[i]);

		locks[i].path = m->lock.v[i];
		rc = file_read(abs, LOCK_MAX, &locks[i].data, &locks[i].len, NULL, err);
	}
	for (i = 0; i < b->n; i++)
		if (b->items[i].type == 'f' && is_wheel_of(b->items[i].path, m->wheelhouse)) {
			wheels[nw].path = b->items[i].path;
			memcpy(wheels[nw++].sha256, b->items[i].sha256, SHA256_LEN);
		}
	if (rc == 0)
		check_wheels(locks, m->lock.n, wheels, nw, m->wheelhouse, &problems);
	if (problems.n) {
		for (i = 0; i < problems.n; i++)
			strv_push(&b->stats->notes, problems.v[i]);
		rc = error_set(err, 0, "the wheelhouse does not match the lock: %s%s",
			       problems.v[0], problems.n > 1 ? " (and more, listed above)" : "");
	}
	for (i = 0; i < m->lock.n; i++)
		free(locks[i].data);
	free(locks);
	free(wheels);
	strv_finish(&problems);
	return rc;
}

static int write_archive(struct builder *b, const struct bundle_manifest *m, int format,
			 int level, int fd, const char *output, struct error *err)
{
	const struct archive_dl *ar = archive_dl_load(err);
	struct archive *a;
	struct archive_entry *e;
	struct strbuf text;
	struct item manifest = {0};
	_cleanup_free_ char *buf = xmalloc(IO_CHUNK);
	size_t i;
	int rc = 0;

	if (!ar || !(a = open_writer(ar, format, level, fd, output, err)))
		return -1;
	e = ar->entry_new();
	strbuf_init(&text);
	bundle_manifest_format(m, &text);
	manifest.path = BUNDLE_MANIFEST_NAME;
	manifest.type = 'f';
	manifest.mode = 0644;
	manifest.data = text.buf;
	manifest.len = manifest.size = text.len;
	rc = write_item(ar, a, e, &manifest, m->mtime, buf, output, err);
	for (i = 0; i < b->n && rc == 0; i++)
		rc = write_item(ar, a, e, &b->items[i], m->mtime, buf, output, err);
	if (rc == 0 && ar->write_close(a) != ARCHIVE_OK)
		rc = archive_fail(ar, a, output, "cannot finish the archive", err);
	ar->entry_free(e);
	ar->write_free(a);
	strbuf_finish(&text);
	return rc;
}

void bundle_stats_finish(struct bundle_stats *stats)
{
	if (stats)
		strv_finish(&stats->notes);
}

int bundle_create(const struct profile *p, const char *output, const struct bundle_options *o,
		  struct bundle_stats *stats, struct error *err)
{
	struct builder b = {0};
	struct bundle_manifest m = {0};
	int format = bundle_format_of(output);
	_cleanup_free_ char *dir = path_dirname(output);
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int64_t mtime = o->mtime;
	bool any = false;
	mode_t mask;
	size_t i;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	if (format < 0)
		return error_at(err, output, 0, 0, "unknown bundle format: the name must end in "
				".tar.gz, .tgz, .tar.zst, .tzst or .zip");
	if (!path_is_dir(p->root))
		return error_at(err, p->root, 0, 0, "[app] root is not a directory");
	b.p = p;
	b.stats = stats;
	b.venv_rel = relative_to(p->venv, p->root);
	b.wheelhouse_rel = relative_to(p->wheelhouse, p->root);
	if (p->wheelhouse && !b.wheelhouse_rel)
		return error_at(err, p->wheelhouse, 0, 0, "[checks] wheelhouse is outside [app] "
				"root (%s): a bundle holds only the root", p->root);
	if (stat(output, &b.skip[b.nskip]) == 0)
		b.nskip++;
	tmp = xasprintf("%s/.%s.XXXXXX", dir, path_basename(output));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		tmp = NULL;
		return error_set(err, errno, "cannot create a file beside %s", output);
	}
	if (fstat(fd, &b.skip[b.nskip]) == 0)
		b.nskip++;

	if (walk(&b, p->root, NULL, false, &any, err) < 0 || add_profiles(&b, err) < 0 ||
	    add_lock(&b, &m, err) < 0)
		goto out;
	if (b.wheelhouse_rel && find_item(&b, b.wheelhouse_rel))
		m.wheelhouse = xstrdup(b.wheelhouse_rel);
	if (b.n)
		qsort(b.items, b.n, sizeof(*b.items), item_cmp);
	for (i = 0; i < b.n; i++) {
		const struct item *it = &b.items[i];

		if (o->mtime < 0 && it->type != 'd' && it->mtime > mtime)
			mtime = it->mtime;
		stats->files += it->type == 'f';
		stats->dirs += it->type == 'd';
		stats->links += it->type == 'l';
		stats->bytes += it->size;
	}
	if (mtime < 0)
		mtime = 0;
	fill_manifest(&m, &b, mtime);
	if (m.wheelhouse && m.lock.n && check_bundle_wheels(&b, &m, err) < 0)
		goto out;
	if (write_archive(&b, &m, format, o->level, fd, output, err) < 0)
		goto out;
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0644 & ~mask) < 0 || rename(tmp, output) < 0) {
		error_set(err, errno, "cannot write %s", output);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		unlink(tmp);
	for (i = 0; i < b.n; i++)
		item_free(&b.items[i]);
	free(b.items);
	bundle_manifest_finish(&m);
	return rc;
}

/* ---- verifying and unpacking ---- */

struct scan {
	const struct archive_dl *ar;
	const char *archive;
	struct bundle_report *r;
	int dirfd;                 /* where to extract; -1 when only verifying */
	bool *seen;                /* per manifest entry */
	struct blob *locks;        /* the contents of the manifest's lock files */
	struct wheel *wheels;
	size_t nwheels, capwheels;
	size_t dropped;            /* problems beyond PROBLEMS_MAX */
};

static void problem(struct scan *s, const char *entry, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void problem(struct scan *s, const char *entry, const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	if (s->r->problems.n >= PROBLEMS_MAX) {
		s->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strv_pushf(&s->r->problems, "%s: %s", entry, msg);
}

static const char *type_name(char type)
{
	return type == 'd' ? "directory" : type == 'l' ? "symlink" : "regular file";
}

/* Why the entry may not be extracted at all, or NULL. */
static const char *entry_hazard(const struct archive_dl *ar, struct archive_entry *e,
				const char *path, char *type)
{
	const char *why = bundle_path_problem(path), *link = ar->entry_hardlink(e);
	unsigned mode = (unsigned)ar->entry_mode(e);

	if (why)
		return why;
	if (link)
		return bundle_path_problem(link) ? "is a hard link that points out of the directory"
						 : "is a hard link (bundles hold none)";
	switch (ar->entry_filetype(e)) {
	case AE_IFREG:
		*type = 'f';
		break;
	case AE_IFDIR:
		*type = 'd';
		break;
	case AE_IFLNK:
		*type = 'l';
		if (!ar->entry_symlink(e))
			return "is a symlink without a target";
		why = bundle_link_problem(path, ar->entry_symlink(e));
		if (why)
			return why;
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		return "is a device file";
	case AE_IFIFO:
		return "is a FIFO";
	case AE_IFSOCK:
		return "is a socket";
	default:
		return "has an unknown file type";
	}
	if (mode & 04000)
		return "has the setuid bit";
	if (mode & 02000)
		return "has the setgid bit";
	return NULL;
}

/* Opens the directory that will hold path (creating the missing ones, never
 * following a symlink). */
static int open_parent(int dirfd, const char *path, const char **base, struct error *err)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *s = copy, *slash;
	int fd = dup(dirfd);

	while (fd >= 0 && (slash = strchr(s, '/'))) {
		int next;

		*slash = '\0';
		next = openat(fd, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && mkdirat(fd, s, 0755) == 0)
			next = openat(fd, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		s = slash + 1;
	}
	if (fd < 0)
		return error_set(err, errno, "%s: cannot open its directory", path);
	*base = path + (s - copy);
	return fd;
}

/* Reads (and in extraction writes) a regular file's data, hashing it; stops
 * once past limit bytes. */
static int read_file_data(struct scan *s, struct archive *a, const char *path, unsigned mode,
			  uint64_t limit, uint8_t sum[SHA256_LEN], uint64_t *size, struct blob *keep,
			  struct error *err)
{
	_cleanup_close_ int out = -1;
	struct sha256 *h = sha256_create(err);
	struct strbuf kept;
	int rc = 0;

	if (!h)
		return -1;
	strbuf_init(&kept);
	*size = 0;
	if (s->dirfd >= 0) {
		const char *base;
		int parent = open_parent(s->dirfd, path, &base, err);

		if (parent < 0) {
			rc = -1;
			goto out;
		}
		out = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     mode);
		close(parent);
		if (out < 0) {
			rc = error_set(err, errno, "%s: cannot create", path);
			goto out;
		}
	}
	for (;;) {
		char buf[64 * 1024];
		la_ssize_t n = s->ar->read_data(a, buf, sizeof(buf));

		if (n < 0) {
			rc = error_at(err, s->archive, 0, 0, "%s: cannot read: %s", path,
				      s->ar->error_string(a));
			goto out;
		}
		if (!n)
			break;
		sha256_update(h, buf, (size_t)n);
		*size += (uint64_t)n;
		if (keep && *size <= LOCK_MAX)
			strbuf_add(&kept, buf, (size_t)n);
		if (out >= 0) {
			const char *p = buf;
			size_t left = (size_t)n;

			while (left) {
				ssize_t w = write(out, p, left);

				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0) {
					rc = error_set(err, errno, "%s: cannot write", path);
					goto out;
				}
				p += w;
				left -= (size_t)w;
			}
		}
		if (*size > limit)
			break; /* more than the MANIFEST says: reported by the caller */
	}
	sha256_final(h, sum);
	if (keep) {
		keep->len = kept.len;
		keep->data = strbuf_detach(&kept);
	}
out:
	sha256_destroy(h);
	strbuf_finish(&kept);
	return rc;
}

static int read_manifest(struct scan *s, struct archive *a, struct archive_entry *e,
			 struct error *err)
{
	struct strbuf sb;
	struct error perr = ERROR_INIT;
	int rc = 0;

	if (s->ar->entry_filetype(e) != AE_IFREG || s->ar->entry_hardlink(e)) {
		problem(s, BUNDLE_MANIFEST_NAME, "is not a regular file");
		return 0;
	}
	strbuf_init(&sb);
	for (;;) {
		char buf[64 * 1024];
		la_ssize_t n = s->ar->read_data(a, buf, sizeof(buf));

		if (n < 0) {
			rc = error_at(err, s->archive, 0, 0, "MANIFEST: cannot read: %s",
				      s->ar->error_string(a));
			break;
		}
		if (!n)
			break;
		if (sb.len + (size_t)n > MANIFEST_MAX) {
			problem(s, BUNDLE_MANIFEST_NAME, "is larger than %u bytes", MANIFEST_MAX);
			strbuf_finish(&sb);
			return 0;
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	if (rc == 0) {
		if (bundle_manifest_parse(&s->r->manifest, sb.buf, sb.len, BUNDLE_MANIFEST_NAME,
					  &perr) < 0)
			problem(s, BUNDLE_MANIFEST_NAME, "line %d: %s", perr.line, perr.message);
		else
			s->r->have_manifest = true;
	}
	strbuf_finish(&sb);
	return rc;
}

static long lock_index(const struct bundle_manifest *m, const char *path)
{
	return strv_find(&m->lock, path);
}

/* One entry after the MANIFEST.  Returns -1 only for unreadable input. */
static int scan_entry(struct scan *s, struct archive *a, struct archive_entry *e,
		      const char *path, struct error *err)
{
	const struct bundle_manifest *m = &s->r->manifest;
	const struct bundle_entry *me = NULL;
	char type = 0;
	unsigned mode = (unsigned)s->ar->entry_perm(e) & 07777;
	const char *why = entry_hazard(s->ar, e, path, &type);
	uint8_t sum[SHA256_LEN];
	uint64_t size = 0;
	long li = -1;

	if (why) {
		problem(s, path, "%s", why);
		return 0;
	}
	if (strcmp(path, BUNDLE_MANIFEST_NAME) == 0) {
		problem(s, path, "appears again after the first entry");
		return 0;
	}
	if (s->r->have_manifest) {
		me = bundle_manifest_find(m, path);
		if (!me) {
			problem(s, path, "is not in the MANIFEST (an extra entry)");
			return 0;
		}
		if (s->seen[me - m->entries]) {
			problem(s, path, "appears twice in the archive");
			return 0;
		}
		s->seen[me - m->entries] = true;
		if (me->type != type) {
			problem(s, path, "is a %s, the MANIFEST says a %s", type_name(type),
				type_name(me->type));
			return 0;
		}
		if (type != 'l' && (mode & 0777) != me->mode) {
			problem(s, path, "has mode %04o, the MANIFEST says %04o", mode, me->mode);
			return 0;
		}
		if (type == 'l' && strcmp(s->ar->entry_symlink(e), me->target) != 0) {
			problem(s, path, "points to '%s', the MANIFEST says '%s'",
				s->ar->entry_symlink(e), me->target);
			return 0;
		}
		li = lock_index(m, path);
	}
	if ((type == 'd' || type == 'l') && s->dirfd >= 0) {
		const char *base;
		int parent = open_parent(s->dirfd, path, &base, err);
		int r, saved;

		if (parent < 0)
			return -1;
		if (type == 'd')
			r = mkdirat(parent, base, mode & 0777);
		else
			r = symlinkat(s->ar->entry_symlink(e), parent, base);
		saved = errno;
		close(parent);
		if (r < 0 && !(type == 'd' && saved == EEXIST))
			return error_set(err, saved, "%s: cannot create", path);
	}
	if (type != 'f')
		return 0;
	if (read_file_data(s, a, path, mode & 0777, me ? me->size : UINT64_MAX, sum, &size,
			   li >= 0 ? &s->locks[li] : NULL, err) < 0)
		return -1;
	if (li >= 0 && size > LOCK_MAX) {
		problem(s, path, "the lock is larger than %u bytes", LOCK_MAX);
		free(s->locks[li].data);
		s->locks[li].data = NULL;
	}
	if (li >= 0 && s->locks[li].data)
		s->locks[li].path = m->lock.v[li];
	if (!me)
		return 0;
	if (size != me->size) {
		problem(s, path, "has %" PRIu64 " bytes, the MANIFEST says %" PRIu64 " (tampered)",
			size, me->size);
		return 0;
	}
	if (memcmp(sum, me->sha256, SHA256_LEN) != 0) {
		problem(s, path, "its content does not match the SHA-256 in the MANIFEST (tampered)");
		return 0;
	}
	if (m->wheelhouse && is_wheel_of(path, m->wheelhouse)) {
		grow_array((void **)&s->wheels, &s->capwheels, s->nwheels + 1, sizeof(*s->wheels));
		s->wheels[s->nwheels].path = xstrdup(path);
		memcpy(s->wheels[s->nwheels++].sha256, sum, SHA256_LEN);
	}
	return 0;
}

/* Reads the archive on fd from its start.  Stops at the first problem when
 * extracting. */
static int scan_archive(struct scan *s, int fd, struct error *err)
{
	const struct archive_dl *ar = s->ar;
	struct archive *a;
	struct archive_entry *e;
	size_t k, i, nlocks = s->r->manifest.lock.n;
	int rc = 0;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return error_set(err, errno, "%s", s->archive);
	a = ar->read_new();
	if (!a)
		return error_set(err, ENOMEM, "cannot start reading an archive");
	ar->read_support_filter_all(a);
	ar->read_support_format_tar(a);
	ar->read_support_format_zip(a);
	if (ar->read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK) {
		rc = error_at(err, s->archive, 0, 0, "not a readable archive: %s",
			      ar->error_string(a));
		ar->read_free(a);
		return rc;
	}
	for (k = 0;; k++) {
		int r = ar->read_next_header(a, &e);
		const char *name;
		_cleanup_free_ char *path = NULL;
		size_t n;

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = error_at(err, s->archive, 0, 0, "cannot read entry %zu: %s", k + 1,
				      ar->error_string(a));
			break;
		}
		s->r->entries++;
		name = ar->entry_pathname(e);
		if (!name) {
			problem(s, "(entry without a name)", "entry %zu has no readable name", k + 1);
			continue;
		}
		path = xstrdup(name);
		n = strlen(path);
		while (n > 1 && path[n - 1] == '/' && ar->entry_filetype(e) == AE_IFDIR)
			path[--n] = '\0';
		if (k == 0 && strcmp(path, BUNDLE_MANIFEST_NAME) == 0) {
			if (s->dirfd >= 0)
				continue;
			rc = read_manifest(s, a, e, err);
			if (rc < 0)
				break;
			if (s->r->have_manifest) {
				nlocks = s->r->manifest.lock.n;
				s->seen = xcalloc(s->r->manifest.n + 1, sizeof(bool));
				s->locks = xcalloc(nlocks + 1, sizeof(*s->locks));
			}
			continue;
		}
		if (k == 0 && s->dirfd < 0)
			problem(s, path, "is the first entry, not MANIFEST: not a deploy-run bundle");
		rc = scan_entry(s, a, e, path, err);
		if (rc < 0 || (s->dirfd >= 0 && s->r->problems.n))
			break;
	}
	ar->read_free(a);
	if (rc < 0 || (s->dirfd >= 0 && s->r->problems.n))
		return rc;
	if (!s->r->entries)
		problem(s, s->archive, "is empty: not a deploy-run bundle");
	if (s->r->have_manifest)
		for (i = 0; i < s->r->manifest.n; i++)
			if (!s->seen[i])
				problem(s, s->r->manifest.entries[i].path,
					"is in the MANIFEST but missing from the archive");
	if (s->dirfd < 0 && s->r->have_manifest && s->r->manifest.wheelhouse && nlocks) {
		bool all = true;

		for (i = 0; i < nlocks; i++)
			all = all && s->locks[i].data;
		if (all)
			check_wheels(s->locks, nlocks, s->wheels, s->nwheels,
				     s->r->manifest.wheelhouse, &s->r->problems);
	}
	if (s->dropped)
		strv_pushf(&s->r->problems, "%s: %zu more problems", s->archive, s->dropped);
	return 0;
}

static void scan_finish(struct scan *s)
{
	size_t i;

	for (i = 0; s->locks && i < s->r->manifest.lock.n; i++)
		free(s->locks[i].data);
	for (i = 0; i < s->nwheels; i++)
		free(s->wheels[i].path);
	free(s->locks);
	free(s->wheels);
	free(s->seen);
}

static int open_archive(const char *archive, struct error *err)
{
	struct stat st;
	int fd = open(archive, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return error_at(err, archive, 0, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_at(err, archive, 0, 0, "not a regular file");
	}
	return fd;
}

static int verify_fd(const char *archive, int fd, struct bundle_report *r, struct error *err)
{
	struct scan s = {0};
	int rc;

	s.ar = archive_dl_load(err);
	if (!s.ar)
		return -1;
	s.archive = archive;
	s.r = r;
	s.dirfd = -1;
	rc = scan_archive(&s, fd, err);
	scan_finish(&s);
	return rc;
}

int bundle_verify(const char *archive, struct bundle_report *r, struct error *err)
{
	_cleanup_close_ int fd = -1;

	memset(r, 0, sizeof(*r));
	fd = open_archive(archive, err);
	if (fd < 0)
		return -1;
	return verify_fd(archive, fd, r, err);
}

void bundle_report_finish(struct bundle_report *r)
{
	if (!r)
		return;
	bundle_manifest_finish(&r->manifest);
	strv_finish(&r->problems);
	memset(r, 0, sizeof(*r));
}

/* 1 when dir does not exist, 0 when it is an empty directory, -1 otherwise. */
static int check_target(const char *dir, struct error *err)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	bool empty = true;

	if (lstat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 1;
		return error_at(err, dir, 0, 0, "cannot inspect: %s", strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return error_at(err, dir, 0, 0, "exists and is not a directory");
	d = opendir(dir);
	if (!d)
		return error_at(err, dir, 0, 0, "cannot open: %s", strerror(errno));
	while (empty && (de = readdir(d)))
		empty = path_is_dot(de->d_name);
	closedir(d);
	if (!empty)
		return error_at(err, dir, 0, 0, "exists and is not empty: unbundle writes into a "
				"new or empty directory");
	return 0;
}

int bundle_unpack(const char *archive, const char *dir, struct bundle_report *r,
		  struct error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *clean = path_normalize(dir);
	_cleanup_free_ char *parent = path_dirname(clean);
	_cleanup_free_ char *tmp = NULL;
	struct scan s = {0};
	size_t entries;
	int dfd, rc;
	mode_t mask;

	memset(r, 0, sizeof(*r));
	if (check_target(clean, err) < 0)
		return -1;
	if (!path_is_dir(parent))
		return error_at(err, parent, 0, 0, "no such directory to unpack into");
	fd = open_archive(archive, err);
	if (fd < 0 || verify_fd(archive, fd, r, err) < 0)
		return -1;
	if (r->problems.n)
		return 0;

	tmp = xasprintf("%s/.%s.unbundle-XXXXXX", parent, path_basename(clean));
	if (!mkdtemp(tmp)) {
		free(tmp);
		tmp = NULL;
		return error_set(err, errno, "cannot create a directory in %s", parent);
	}
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	s.ar = archive_dl_load(err);
	s.archive = archive;
	s.r = r;
	s.dirfd = dfd;
	s.seen = xcalloc(r->manifest.n + 1, sizeof(bool));
	s.locks = xcalloc(r->manifest.lock.n + 1, sizeof(*s.locks));
	entries = r->entries;
	rc = dfd < 0 ? error_set(err, errno, "%s", tmp) : scan_archive(&s, fd, err);
	r->entries = entries;
	if (rc == 0 && r->problems.n == 0) {
		mask = umask(0);
		umask(mask);
		if (fchmod(dfd, 0755 & ~mask) < 0 || rename(tmp, clean) < 0)
			rc = error_set(err, errno, "cannot move the unpacked bundle to %s", clean);
	}
	scan_finish(&s);
	if (rc < 0 || r->problems.n) {
		if (dfd >= 0)
			file_empty_dir(dup(dfd), NULL, NULL, NULL, NULL);
		rmdir(tmp);
	}
	if (dfd >= 0)
		close(dfd);
	return rc;
}
