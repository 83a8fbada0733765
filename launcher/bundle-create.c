/*
 * Creating a release bundle (see bundle.h).
 *
 * Building reads every file twice: once while the tree is walked, to hash
 * it for the MANIFEST that comes first in the archive, and once while it is
 * written, hashing again so that a file changed in between is caught.
 */
#include "archive-dl.h"
#include "bundle.h"
#include "dotenv.h"
#include "fileio.h"
#include "hash.h"
#include "lockfile.h"
#include "path.h"
#include "util.h"
#include "wheels.h"

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
	struct lockfile lock;       /* [app] requirements and its includes */
	bool have_lock;
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
		qsort(names, n, sizeof(*names), strv_cmp);
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
	size_t i;

	if (!p->requirements)
		return 0;
	if (lockfile_load(&b->lock, p->requirements, NULL, NULL, err) < 0)
		return error_prefix(err, "the lock");
	b->have_lock = true;
	for (i = 0; i < b->lock.files.n; i++) {
		_cleanup_free_ char *abs = path_absolute(b->lock.files.v[i], NULL);
		const char *rel = relative_to(abs, p->root);
		struct item *it;
		struct stat st;

		if (!rel)
			return error_at(err, b->lock.files.v[i], 0, 0, "the lock is outside [app] "
					"root (%s): a bundle holds only the root", p->root);
		strv_push(&m->lock, rel);
		if (find_item(b, rel))
			continue;
		if (stat(abs, &st) < 0)
			return error_set(err, errno, "%s", abs);
		it = add_item(b, rel, 'f');
		it->source = xstrdup(abs);
		it->mode = st.st_mode & S_IXUSR ? 0755 : 0644;
		it->mtime = st.st_mtime;
		add_parents(b, rel);
		if (sha256_file(abs, it->sha256, &it->size, err) < 0)
			return -1;
	}
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
	struct wheels_file *wheels = xcalloc(b->n + 1, sizeof(*wheels));
	struct strv problems = STRV_INIT;
	size_t i, nw = 0;
	int rc = 0;

	for (i = 0; i < b->n; i++)
		if (b->items[i].type == 'f' && bundle_manifest_is_wheel(m, b->items[i].path)) {
			wheels[nw].path = b->items[i].path;
			memcpy(wheels[nw++].sha256, b->items[i].sha256, SHA256_LEN);
		}
	wheels_match_lock(&b->lock, wheels, nw, m->wheelhouse, &problems);
	if (problems.n) {
		for (i = 0; i < problems.n; i++)
			strv_push(&b->stats->notes, problems.v[i]);
		rc = error_set(err, 0, "the wheelhouse does not match the lock: %s%s",
			       problems.v[0], problems.n > 1 ? " (and more, listed above)" : "");
	}
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
	if (m.wheelhouse && b.have_lock && check_bundle_wheels(&b, &m, err) < 0)
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
	if (b.have_lock)
		lockfile_finish(&b.lock);
	bundle_manifest_finish(&m);
	return rc;
}
