/*
 * Reading input files safely.  Every file a person hands us (profiles,
 * .env files, requirement files, RECORD) goes through file_read(): it never
 * blocks on a FIFO or a device, refuses directories and non-regular files
 * with a clear message, and enforces a size limit, so hostile input gives
 * an error instead of a hang or an exhausted machine.
 */
#ifndef DEPLOY_RUN_FILEIO_H
#define DEPLOY_RUN_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

#define FILE_READ_DEFAULT_MAX (16u * 1024 * 1024)

/*
 * Reads the whole regular file at path into a NUL-terminated buffer
 * (*out, caller frees; *len excludes the NUL).  max is the largest size
 * accepted, 0 for FILE_READ_DEFAULT_MAX.  When st is not NULL it receives
 * the file's status.  On error returns -1 with err naming the file.
 */
int file_read(const char *path, size_t max, char **out, size_t *len, struct stat *st,
	      struct error *err);
/*
 * The same for path relative to the directory open as dirfd (AT_FDCWD: the
 * working directory), errors naming name: what a scan of many files in one
 * directory uses, without a full path to resolve for each.
 */
int file_read_at(int dirfd, const char *path, const char *name, size_t max, char **out,
		 size_t *len, struct stat *st, struct error *err);
/* The same, but a file that does not exist (ENOENT) is no error: 0 with *out NULL. */
int file_read_if_at(int dirfd, const char *path, const char *name, size_t max, char **out,
		    size_t *len, struct stat *st, struct error *err);

/* Writes data to path atomically (temporary file in the same directory, rename). */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct error *err);

/*
 * Removes everything inside the directory open as dfd, depth first, and
 * closes dfd.  Symlinks are removed, never followed.  Counts the
 * non-directories removed in *files and adds their sizes to *bytes (either
 * may be NULL).  An entry that cannot be removed stays and is passed to
 * on_fail (when not NULL) with its name inside its own directory and errno;
 * the rest is still removed.  Returns 0, or -1 when anything stayed.
 */
int file_empty_dir(int dfd, size_t *files, unsigned long long *bytes,
		   void (*on_fail)(const char *name, int errnum, void *data), void *data);

/*
 * Removes path and, when it is a directory, everything in it, without
 * following symlinks (rm -rf without a shell).  A path that does not exist
 * is not an error.  Returns 0, or -1 with errno when something stayed.
 */
int file_remove_tree(const char *path);

/*
 * The names in dir (not "." and ".."; not hidden ones, starting with a
 * dot, unless hidden) that start with prefix and end with suffix (NULL:
 * any), appended to out in byte order.  Returns 0, or -1 with errno when
 * dir cannot be opened.
 */
struct strv;
int file_dir_names(const char *dir, const char *prefix, const char *suffix, bool hidden,
		   struct strv *out);

#endif
