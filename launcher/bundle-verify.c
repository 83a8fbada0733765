/*
 * Verifying and extracting a release bundle (see bundle.h).
 *
 * Both read the archive sequentially: the MANIFEST first, then each entry
 * is checked for safety before anything else is done with it.
 */
#include "archive-dl.h"
#include "bundle.h"
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

#define MANIFEST_MAX (64u * 1024 * 1024)
#define LOCK_MAX (16u * 1024 * 1024)
#define PROBLEMS_MAX 200

/* A lock file's bytes, kept while the archive is read. */
struct blob {
	const char *path;
	char *data;
	size_t len;
};

struct scan {
	const struct archive_dl *ar;
	const char *archive;
	struct bundle_report *r;
	int dirfd;                 /* where to extract; -1 when only verifying */
	bool *seen;                /* per manifest entry */
	struct blob *locks;        /* the contents of the manifest's lock files */
	struct wheels_file *wheels; /* paths malloc'd */
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
	if (bundle_manifest_is_wheel(m, path)) {
		grow_array((void **)&s->wheels, &s->capwheels, s->nwheels + 1, sizeof(*s->wheels));
		s->wheels[s->nwheels].path = xstrdup(path);
		memcpy(s->wheels[s->nwheels++].sha256, sum, SHA256_LEN);
	}
	return 0;
}

/* lockfile_read_fn over the lock files kept from the archive. */
static int read_kept(void *data, const char *path, char **buf, size_t *len, struct error *err)
{
	const struct scan *s = data;
	long i = strv_find(&s->r->manifest.lock, path);

	if (i < 0 || !s->locks[i].data)
		return error_at(err, path, 0, 0, "is not in the bundle's lock files (MANIFEST)");
	*len = s->locks[i].len;
	*buf = xmalloc(*len + 1);
	memcpy(*buf, s->locks[i].data, *len);
	(*buf)[*len] = '\0';
	return 0;
}

/* Ignores ${VAR} in the bundled lock: it is judged as written. */
static const char *no_lookup(const char *name, void *data)
{
	(void)name;
	(void)data;
	return NULL;
}

/* The bundled wheels against the bundled lock, read by checks/lockfile. */
static void check_wheels(struct scan *s)
{
	const struct bundle_manifest *m = &s->r->manifest;
	struct error err = ERROR_INIT;
	struct lockfile lf;

	if (lockfile_load_from(&lf, m->lock.v[0], read_kept, s, no_lookup, NULL, &err) < 0) {
		strv_pushf(&s->r->problems, "%s:%d: %s", err.file, err.line, err.message);
		return;
	}
	wheels_match_lock(&lf, s->wheels, s->nwheels, m->wheelhouse, &s->r->problems);
	lockfile_finish(&lf);
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
			check_wheels(s);
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
		free((char *)s->wheels[i].path);
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