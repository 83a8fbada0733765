/*
 * pylock.toml, the standard lock file (PEP 751, packaging.python.org's
 * "pylock.toml Specification"), read into the same model as a requirement
 * file (lockfile.h), so that every req.* check, the wheelhouse check and the
 * bundle treat both formats alike.
 *
 * Each [[packages]] entry becomes one requirement: its name, "==VERSION"
 * when it has a version, its marker, and the hashes of every file it lists
 * (wheels, sdist, archive) as "ALGO:DIGEST".  A vcs source becomes the URL
 * "TYPE+URL@COMMIT", a directory its path (editable when the lock says so):
 * neither can carry a hash.  The lock-level facts (lock-version,
 * requires-python, environments, default-groups) and each package's
 * requires-python go to struct lockfile_pylock.
 *
 * Pure: a buffer and a name in, the model or an error out.  What the
 * specification requires is checked, and an error names the key and its
 * line and column: a lock-version whose major is not 1 (1.x is read), a
 * missing or mistyped required key (lock-version, created-by, packages,
 * packages.name, a file's url or path, its hashes with at least one entry,
 * vcs type and commit-id, directory path), a package with no source or with
 * a vcs, directory or archive source next to another source, a marker or
 * requires-python that does not parse.
 */
#ifndef DEPLOY_RUN_PYLOCK_H
#define DEPLOY_RUN_PYLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct lockfile;

/*
 * Whether the file name (the last component of path) is a lock file name
 * of the specification: pylock.toml or pylock.NAME.toml (NAME without a
 * dot).
 */
bool pylock_is_name(const char *path);

/*
 * Parses the document into lf, which the caller initialised (zeroed):
 * lf->reqs (file and line of each: the [[packages]] entry) and lf->pylock.
 * Returns 0, or -1 with err (file, line, column).
 */
int pylock_parse(struct lockfile *lf, const char *buf, size_t len, const char *name,
		 struct error *err);
/* The same on buf, which the call takes (malloc'd, NUL-terminated): the
 * parser reads it in place instead of a copy. */
int pylock_parse_owned(struct lockfile *lf, char *buf, size_t len, const char *name,
		       struct error *err);

#endif
