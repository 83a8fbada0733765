#include "fileio.h"
#include "path.h"
#include "strv.h"
#include "util.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_at(int dirfd, const char *path, const char *name, size_t max, char **out,
		   size_t *len, struct stat *st_out, bool absent_ok, struct error *err);

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

int file_read(const char *path, size_t max, char **out, size_t *len, struct stat *st_out,
	      struct error *err)
{
	return file_read_at(AT_FDCWD, path, path, max, out, len, st_out, err);
}

int file_read_at(int dirfd, const char *path, const char *name, size_t max, char **out,
		 size_t *len, struct stat *st_out, struct error *err)
{
	return read_at(dirfd, path, name, max, out, len, st_out, false, err);
}

int file_read_if_at(int dirfd, const char *path, const char *name, size_t max, char **out,
		    size_t *len, struct stat *st_out, struct error *err)
{
	return read_at(dirfd, path, name, max, out, len, st_out, true, err);
}

static int read_at(int dirfd, const char *path, const char *name, size_t max, char **out,
		   size_t *len, struct stat *st_out, bool absent_ok, struct error *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;
	char *buf;
	size_t n = 0, cap;

	*out = NULL;
	*len = 0;
	if (!max)
		max = FILE_READ_DEFAULT_MAX;
	/* O_NONBLOCK: opening a FIFO without a writer must not block us */
	fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 && absent_ok && errno == ENOENT)
		return 0;
	if (fd < 0) {
		if (errno == ELOOP)
			return error_at(err, name, 0, 0, "cannot open: too many levels of symbolic links");
		error_at(err, name, 0, 0, "cannot open");
		err->errnum = errno;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		error_at(err, name, 0, 0, "cannot stat");
		err->errnum = errno;
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return error_at(err, name, 0, 0, "is %s, expected a regular file", file_kind(st.st_mode));
	if ((unsigned long long)st.st_size > max)
		return error_at(err, name, 0, 0, "file is too large (%lld bytes, at most %zu accepted)",
				(long long)st.st_size, max);
	/* room for the NUL and for the read that sees the end of the file:
	 * a file that did not grow is read without growing the buffer */
	cap = (size_t)st.st_size + 2;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;
		size_t want;

		if (n + 1 >= cap) {
			if (cap > max + 1) {
				free(buf);
				return error_at(err, name, 0, 0, "file is too large (at most %zu bytes accepted)", max);
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		want = cap - n - 1;
		r = read(fd, buf + n, want);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			error_at(err, name, 0, 0, "cannot read");
			err->errnum = errno;
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		/* a regular file that gave fewer bytes than asked, and as many as
		 * fstat said it had, is at its end: no read to see it */
		if ((size_t)r < want && st.st_size > 0 && n == (size_t)st.st_size)
			break;
	}
	if (n > max) {
		free(buf);
		return error_at(err, name, 0, 0, "file is too large (at most %zu bytes accepted)", max);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	if (st_out)
		*st_out = st;
	return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct error *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	const char *p = data;
	int fd;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		error_at(err, path, 0, 0, "cannot create");
		err->errnum = errno;
		return -1;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			error_at(err, path, 0, 0, "cannot write");
			err->errnum = errno;
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		error_at(err, path, 0, 0, "cannot write");
		err->errnum = errno;
		unlink(tmp);
		return -1;
	}
	return 0;
}

int file_empty_dir(int dfd, size_t *files, unsigned long long *bytes,
		   void (*on_fail)(const char *name, int errnum, void *data), void *data)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (path_is_dot(de->d_name))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0 && file_empty_dir(sub, files, bytes, on_fail, data) < 0)
				rc = -1;
			if (unlinkat(dfd, de->d_name, AT_REMOVEDIR) < 0) {
				if (on_fail)
					on_fail(de->d_name, errno, data);
				rc = -1;
			}
			continue;
		}
		if (unlinkat(dfd, de->d_name, 0) < 0) {
			if (on_fail)
				on_fail(de->d_name, errno, data);
			rc = -1;
			continue;
		}
		if (files)
			(*files)++;
		if (bytes)
			*bytes += (unsigned long long)st.st_size;
	}
	closedir(d);
	return rc;
}

int file_remove_tree(const char *path)
{
	struct stat st;
	int dfd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	file_empty_dir(dfd, NULL, NULL, NULL, NULL);
	return rmdir(path);
}

int file_dir_names(const char *dir, const char *prefix, const char *suffix, bool hidden,
		   struct strv *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = out->n;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		const char *name = e->d_name;

		if (path_is_dot(name) || (!hidden && name[0] == '.') ||
		    (prefix && !str_starts_with(name, prefix)) ||
		    (suffix && !str_ends_with(name, suffix)))
			continue;
		strv_push(out, name);
	}
	closedir(d);
	if (out->n - first > 1)
		qsort(out->v + first, out->n - first, sizeof(*out->v), strv_cmp);
	return 0;
}
