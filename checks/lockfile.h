/*
 * A lock, in either format, as one model: what diff, bundle and the req.*
 * checks read.  A pylock.toml or pylock.NAME.toml (known by its name) is
 * read by pylock.h; any other name is a requirement file.
 *
 * A requirement file: with its -r/-c includes followed, the way
 * pip's RequirementsFileParser does it (an included file's requirements
 * take the place of the -r/-c line; its path is relative to the including
 * file's directory).  An include cycle is an error that names the file and
 * line of the include that closes it.  Files are read with file_read().
 */
#ifndef DEPLOY_RUN_LOCKFILE_H
#define DEPLOY_RUN_LOCKFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "reqfile.h"
#include "strv.h"

enum lockfile_format {
	LOCKFILE_REQUIREMENTS,  /* pip's requirement file */
	LOCKFILE_PYLOCK,        /* pylock.toml (PEP 751) */
};

/* What only a pylock.toml says; lines are 0 when the key is absent. */
struct lockfile_pylock {
	char *lock_version;
	char *created_by;
	char *requires_python;        /* specifier, or NULL */
	int requires_python_line, requires_python_column;
	struct strv environments;     /* markers; empty when the key is absent */
	int environments_line, environments_column;
	struct strv extras, dependency_groups, default_groups;
	char **package_requires_python; /* per reqs[i]: the specifier, or NULL */
};

struct lockfile {
	enum lockfile_format format;
	struct strv files;              /* every file read, in reading order, top file first */
	struct reqfile_req *reqs;       /* every requirement, in pip's order */
	size_t n_reqs, cap_reqs;
	struct reqfile_option *options; /* every global option, in reading order */
	size_t n_options, cap_options;

	/* What the global options amount to (pip's handle_option_line). */
	bool require_hashes;    /* --require-hashes, or any requirement has a --hash */
	bool pre;               /* --pre */
	bool no_index;          /* --no-index */
	char *index_url;        /* the last --index-url, NULL when none */
	struct strv extra_index_urls, find_links, trusted_hosts;

	struct lockfile_pylock pylock;  /* LOCKFILE_PYLOCK only */
};

/*
 * Reads the lock at path: a pylock.toml by pylock_parse() (every package a
 * requirement, require_hashes set), else a requirement file and every file
 * it includes.  lookup gives the values of
 * ${VAR}; NULL means the process environment (getenv).  lf is initialised
 * by the function.  Errors: a file that cannot be read (an included one is
 * named with the file:line of its -r/-c), a parse error, an include cycle,
 * an include nested deeper than 32 files.  On error lf holds nothing to
 * free.
 */
int lockfile_load(struct lockfile *lf, const char *path, reqfile_lookup_fn lookup, void *data,
		  struct error *err);
/*
 * Reads the file at path into *buf (malloc'd, NUL-terminated) and *len;
 * -1 with err (which names path) when it cannot.
 */
typedef int (*lockfile_read_fn)(void *data, const char *path, char **buf, size_t *len,
				struct error *err);

/*
 * The same, with the files read by read (called with rdata) instead of from
 * the file system: for a lock inside an archive.  Paths are then taken as
 * written (normalised, never resolved against the file system), an include
 * is relative to its file's directory as on disk.
 */
int lockfile_load_from(struct lockfile *lf, const char *path, lockfile_read_fn read,
		       void *rdata, reqfile_lookup_fn lookup, void *data, struct error *err);
void lockfile_finish(struct lockfile *lf);

/*
 * The first requirement (not from a constraints file) with that PEP 503
 * normalised name, or NULL.
 */
const struct reqfile_req *lockfile_find(const struct lockfile *lf, const char *normalized);

#endif
