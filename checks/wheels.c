#include "wheels.h"
#include "fileio.h"
#include "archive-dl.h"
#include "dist.h"
#include "hash.h"
#include "lockfile.h"
#include "path.h"
#include "pep440.h"
#include "requirements.h"
#include "strbuf.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const wheels_ids[] = {
	"req.wheel-hash",
	NULL,
};

#define WHEEL_RECORD_MAX (16u * 1024 * 1024)

int wheels_parse_filename(const char *filename, char **name, char **version)
{
	const char *base = strrchr(filename, '/');
	const char *parts[6];
	size_t n = 0, len;
	const char *p;

	base = base ? base + 1 : filename;
	if (!str_ends_with(base, ".whl"))
		return -1;
	len = strlen(base) - 4;
	parts[n++] = base;
	for (p = base; p < base + len; p++) {
		if (*p != '-')
			continue;
		if (n == ARRAY_SIZE(parts))
			return -1;
		parts[n++] = p + 1;
	}
	if (n != 5 && n != 6)
		return -1;
	if (parts[1] - parts[0] < 2 || parts[2] - parts[1] < 2)
		return -1;
	*name = xstrndup(parts[0], (size_t)(parts[1] - parts[0] - 1));
	*version = xstrndup(parts[1], (size_t)(parts[2] - parts[1] - 1));
	return 0;
}

struct member {
	char *path;
	char digest[48];
	int64_t size;
	bool listed;
};

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->path, ((const struct member *)b)->path);
}

/* The archive's regular files, hashed, and the RECORD's text (NULL when absent). */
static int read_members(const struct archive_dl *ar, const char *path, struct member **out,
			size_t *n, char **record, size_t *record_len, char **record_name,
			struct error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct archive *a;
	struct archive_entry *e;
	size_t cap = 0;
	int ret = -1, rc;
	unsigned char buf[64 * 1024];

	if (fd < 0) {
		error_at(err, path, 0, 0, "cannot open");
		err->errnum = errno;
		return -1;
	}
	a = ar->read_new();
	ar->read_support_format_zip(a);
	if (ar->read_open_fd(a, fd, sizeof(buf)) != ARCHIVE_OK) {
		error_at(err, path, 0, 0, "not a zip archive: %s", ar->error_string(a));
		goto out;
	}
	while ((rc = ar->read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = ar->entry_pathname(e);
		struct sha256 *h;
		struct member *m;
		struct strbuf data;
		bool is_record;
		uint8_t md[SHA256_LEN];
		la_ssize_t got;

		if (!name || ar->entry_filetype(e) != AE_IFREG)
			continue;
		is_record = str_ends_with(name, ".dist-info/RECORD") && !strchr(strchr(name, '/') +
						1, '/') && !*record;
		h = sha256_create(err);
		if (!h)
			goto out;
		grow_array((void **)out, &cap, *n + 1, sizeof(**out));
		m = &(*out)[(*n)++];
		memset(m, 0, sizeof(*m));
		m->path = xstrdup(name);
		strbuf_init(&data);
		while ((got = ar->read_data(a, buf, sizeof(buf))) > 0) {
			sha256_update(h, buf, (size_t)got);
			m->size += got;
			if (is_record && data.len < WHEEL_RECORD_MAX)
				strbuf_add(&data, buf, (size_t)got);
		}
		sha256_final(h, md);
		sha256_destroy(h);
		base64url_encode(md, SHA256_LEN, m->digest);
		if (got < 0) {
			strbuf_finish(&data);
			error_at(err, path, 0, 0, "%s: %s", name, ar->error_string(a));
			goto out;
		}
		if (is_record) {
			*record_len = data.len;
			*record = strbuf_detach(&data);
			*record_name = xstrdup(name);
		} else {
			strbuf_finish(&data);
		}
	}
	if (rc != ARCHIVE_EOF) {
		error_at(err, path, 0, 0, "damaged zip archive: %s", ar->error_string(a));
		goto out;
	}
	ret = 0;
out:
	ar->read_free(a);
	return ret;
}

static bool is_signature(const char *path, const char *record_name)
{
	size_t n = strlen(record_name);

	return !strncmp(path, record_name, n) && (str_eq(path + n, ".jws") ||
						  str_eq(path + n, ".p7s"));
}

static void compare_record(struct member *m, size_t n, const char *record, size_t len,
			   const char *record_name, struct strv *problems)
{
	struct dist_record rec;
	struct error err = ERROR_INIT;
	size_t i;

	if (dist_record_parse(&rec, record, len, record_name, &err) < 0) {
		strv_pushf(problems, "%s:%d: %s", record_name, err.line, err.message);
		return;
	}
	for (i = 0; i < rec.n; i++) {
		const struct dist_record_entry *e = &rec.entries[i];
		struct member key = {.path = e->path};
		struct member *got = bsearch(&key, m, n, sizeof(*m), cmp_member);

		if (!got) {
			strv_pushf(problems, "%s line %d lists %s, which the wheel does not hold",
				   record_name, e->line, e->path);
			continue;
		}
		got->listed = true;
		if (!e->digest || str_eq(e->path, record_name))
			continue;
		if (!str_eq(e->algorithm, "sha256"))
			continue; /* only sha256 can be verified here */
		if (!str_eq(e->digest, got->digest))
			strv_pushf(problems, "%s: sha256=%s, RECORD line %d says sha256=%s", e->path,
				   got->digest, e->line, e->digest);
		else if (e->size >= 0 && e->size != got->size)
			strv_pushf(problems, "%s: %lld bytes, RECORD line %d says %lld", e->path,
				   (long long)got->size, e->line, (long long)e->size);
	}
	for (i = 0; i < n; i++)
		if (!m[i].listed && !str_eq(m[i].path, record_name) &&
		    !is_signature(m[i].path, record_name))
			strv_pushf(problems, "%s is in the wheel but not in its RECORD", m[i].path);
	dist_record_finish(&rec);
}

int wheels_verify(const char *path, char hex[65], struct strv *problems, struct error *err)
{
	const struct archive_dl *ar = archive_dl_load(err);
	struct member *m = NULL;
	size_t n = 0, len = 0, i;
	_cleanup_free_ char *record = NULL, *record_name = NULL;
	uint8_t md[SHA256_LEN];
	int ret = -1;

	if (!ar || hash_load(err) < 0 || sha256_file(path, md, NULL, err) < 0)
		return -1;
	hex_encode(md, SHA256_LEN, hex);
	if (read_members(ar, path, &m, &n, &record, &len, &record_name, err) < 0)
		goto out;
	qsort(m, n, sizeof(*m), cmp_member);
	if (!record)
		strv_push(problems, "the wheel has no *.dist-info/RECORD");
	else
		compare_record(m, n, record, len, record_name, problems);
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(m[i].path);
	free(m);
	return ret;
}

/* Whether the versions a and b are equal under PEP 440. */
static bool same_version(const char *a, const char *b)
{
	struct pep440_version va = {0}, vb = {0};
	struct error err = ERROR_INIT;
	bool same;

	same = pep440_version_parses(&va, a, &err) == 0 &&
	       pep440_version_parses(&vb, b, &err) == 0 && pep440_version_compare(&va, &vb) == 0;
	pep440_version_finish(&va);
	pep440_version_finish(&vb);
	return same;
}

/* The lock's requirement pinned to the wheel's name and version, or NULL. */
static const struct reqfile_req *pinned_req(const struct lockfile *lf, const char *name,
					    const char *version)
{
	_cleanup_free_ char *norm = pep440_canonicalize_name(name, strlen(name));
	const struct reqfile_req *q = lockfile_find(lf, norm);

	return q && q->version && same_version(version, q->version) ? q : NULL;
}

static void check_wheel(const struct lockfile *lf, const char *path, struct report *r)
{
	_cleanup_free_ char *name = NULL, *version = NULL;
	struct strv problems = STRV_INIT;
	struct error err = ERROR_INIT;
	const struct reqfile_req *q;
	char hex[65];
	size_t i;

	if (wheels_parse_filename(path, &name, &version) < 0)
		return;
	if (wheels_verify(path, hex, &problems, &err) < 0) {
		report_add(r, "req.wheel-hash", SEVERITY_ERROR, path, 0,
			   "rebuild or download the wheel again", "the wheel cannot be read: %s",
			   err.message);
		return;
	}
	q = lf ? pinned_req(lf, name, version) : NULL;
	if (q && q->hashes.n) {
		_cleanup_free_ char *want = xasprintf("sha256:%s", hex);

		if (strv_find(&q->hashes, want) < 0)
			report_add(r, "req.wheel-hash", SEVERITY_ERROR, q->file, q->line,
				   "rebuild the wheelhouse from the reviewed sources, or regenerate "
				   "the lock's hashes if this wheel is the one wanted",
				   "the wheel %s has sha256:%s, which is not one of the %zu --hash "
				   "values of %s: pip install --require-hashes would refuse it", path,
				   hex, q->hashes.n, q->text);
	}
	for (i = 0; i < problems.n; i++)
		report_add(r, "req.wheel-hash", SEVERITY_ERROR, path, 0,
			   "the wheel was modified after it was built: rebuild it",
			   "the wheel does not match its own RECORD: %s", problems.v[i]);
	strv_finish(&problems);
}

void wheels_check(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	struct lockfile lf;
	struct error err = ERROR_INIT;
	struct strv wheels = STRV_INIT;
	bool have_lock;
	size_t i;

	if (!p->wheelhouse) {
		report_skip(r, "req.wheel-hash", "needs [checks] wheelhouse");
		return;
	}
	if (file_dir_names(p->wheelhouse, NULL, ".whl", true, &wheels) < 0) {
		struct profile_loc loc = profile_loc(p, "checks", "wheelhouse");

		report_add(r, "req.wheel-hash", SEVERITY_ERROR, loc.file, loc.line,
			   "build the wheelhouse (pip wheel -r requirements.txt -w DIR) or fix "
			   "[checks] wheelhouse", "the wheelhouse %s cannot be read: %s",
			   p->wheelhouse, strerror(errno));
		return;
	}
	/* the lock's own problems are requirements_check()'s findings */
	have_lock = p->requirements && requirements_load_lock(ctx, &lf, &err) == 0;
	for (i = 0; i < wheels.n; i++) {
		_cleanup_free_ char *path = path_join(p->wheelhouse, wheels.v[i]);

		check_wheel(have_lock ? &lf : NULL, path, r);
	}
	if (have_lock)
		lockfile_finish(&lf);
	strv_finish(&wheels);
}

/* The lock's requirement of that normalised name, else its constraint, or NULL. */
static const struct reqfile_req *locked_req(const struct lockfile *lf, const char *norm)
{
	const struct reqfile_req *q = lockfile_find(lf, norm);
	size_t i;

	for (i = 0; !q && i < lf->n_reqs; i++)
		if (str_eq(lf->reqs[i].normalized, norm))
			q = &lf->reqs[i];
	return q;
}

static bool has_wheel(const struct wheels_file *w, size_t n, const char *norm)
{
	size_t i;

	for (i = 0; i < n; i++) {
		_cleanup_free_ char *name = NULL, *version = NULL, *canon = NULL;

		if (wheels_parse_filename(w[i].path, &name, &version) < 0)
			continue;
		canon = pep440_canonicalize_name(name, strlen(name));
		if (str_eq(canon, norm))
			return true;
	}
	return false;
}

void wheels_match_lock(const struct lockfile *lf, const struct wheels_file *w, size_t n,
		       const char *wheelhouse, struct strv *problems)
{
	char hex[2 * SHA256_LEN + 1];
	size_t i, k;

	for (i = 0; i < n; i++) {
		_cleanup_free_ char *name = NULL, *version = NULL, *norm = NULL, *hash = NULL;
		const struct reqfile_req *r;

		if (wheels_parse_filename(w[i].path, &name, &version) < 0) {
			strv_pushf(problems, "%s: not a wheel file name "
				   "(NAME-VERSION[-BUILD]-PY-ABI-PLATFORM.whl)", w[i].path);
			continue;
		}
		norm = pep440_canonicalize_name(name, strlen(name));
		r = locked_req(lf, norm);
		if (!r) {
			strv_pushf(problems, "%s: %s is not in the lock", w[i].path, norm);
			continue;
		}
		if (!r->version || !same_version(version, r->version)) {
			strv_pushf(problems, "%s: the lock (%s:%d) %s %s%s", w[i].path, r->file,
				   r->line, r->version ? "pins" : "does not pin",
				   r->version ? "version " : norm, r->version ? r->version : "");
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
				   "(%s:%d)", w[i].path, hex, norm, r->file, r->line);
	}
	for (i = 0; i < lf->n_reqs; i++) {
		const struct reqfile_req *r = &lf->reqs[i];

		if (r->constraint || !r->pinned || r->marker || !r->normalized || r->url ||
		    has_wheel(w, n, r->normalized))
			continue;
		strv_pushf(problems, "%s:%d: %s==%s has no wheel in %s", r->file, r->line, r->name,
			   r->version, wheelhouse);
	}
}
