/*
 * pip requirement files, read the way pip 23 reads them
 * (pip/_internal/req/req_file.py), as a pure parser: a buffer and a name in,
 * the requirements, global options and includes of that one file out.
 * Following the -r/-c includes is lockfile.h's job.
 *
 * What the parser does, in pip's order:
 *   - a UTF-8 BOM is skipped (a UTF-16/32 one is an error); lines end at
 *     LF, CRLF, CR, VT, FF or FS/GS/RS as Python's str.splitlines() does;
 *   - a line ending in '\' is joined with the next one (both ends of the
 *     line are stripped of '\', as pip does), unless it is a comment line;
 *     a joined line takes the number of its first line;
 *   - comments: from a '#' at the start of a line or after white space to
 *     the end of the line; blank lines are skipped;
 *   - ${NAME} with NAME made of A-Z, 0-9 and '_' only is replaced by
 *     lookup(NAME) when that gives a non-empty value, left as is otherwise;
 *   - the line is split at single spaces: the words before the first one
 *     that starts with '-' are the requirement, the rest are options, split
 *     like a POSIX shell (shlex) and read like optparse: "--opt=V",
 *     "--opt V", "-oV", "-o V", and unique prefixes of long options.
 *
 * pip-compile's "# via" annotations (inline "# via a, b", or "# via"
 * followed by "#   a" lines) are recorded on the requirement they follow.
 */
#ifndef DEPLOY_RUN_REQFILE_H
#define DEPLOY_RUN_REQFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strv.h"

struct reqfile_req {
	char *file;           /* the name given to the parser */
	int line;             /* first line of the (joined) line, 1-based */
	char *text;           /* the requirement as written, after ${VAR} expansion */
	char *name;           /* as written; NULL when unknown (a path or URL without #egg=) */
	char *normalized;     /* PEP 503 normalised name; NULL when name is NULL */
	struct strv extras;   /* as written */
	char *specifier;      /* version specifier, "" when there is none */
	bool pinned;          /* exactly one == or === clause, without a wildcard */
	char *version;        /* the pinned version, NULL unless pinned */
	struct strv hashes;   /* "ALGO:HEXDIGEST" from every --hash, in order */
	char *marker;         /* environment marker text, NULL when none */
	char *url;            /* direct reference, bare URL or path, editable target; or NULL */
	bool editable;        /* -e / --editable */
	bool constraint;      /* read from a constraints file (-c) */
	struct strv via;      /* pip-compile "# via" entries ("flask", "-r requirements.in") */
	struct strv options;  /* other per-requirement options, "--name=value" */
};

struct reqfile_option {
	char *file;
	int line;
	char *name;           /* the long spelling: "--index-url", "--pre" */
	char *value;          /* NULL for a flag */
};

struct reqfile_include {
	char *file;
	int line, column;
	char *path;           /* as written (after ${VAR} expansion) */
	bool constraint;      /* -c rather than -r */
	size_t position;      /* how many requirements of this file come before it */
};

struct reqfile {
	char *name;
	bool constraint;
	struct reqfile_req *reqs;
	size_t n_reqs, cap_reqs;
	struct reqfile_option *options;
	size_t n_options, cap_options;
	struct reqfile_include *includes;
	size_t n_includes, cap_includes;
};

/* Returns the value of environment variable name, or NULL. */
typedef const char *(*reqfile_lookup_fn)(const char *name, void *data);

/*
 * Parses one requirement file.  constraint marks every requirement as
 * coming from a constraints file.  lookup may be NULL (no ${VAR} is then
 * expanded).  rf is initialised by the function.  Errors name the file and
 * line (and column where there is one): an unknown option, an option
 * without its value, a hash that is not "sha256|sha384|sha512:DIGEST", an
 * unclosed quote, a requirement that is not valid PEP 508, an editable or
 * VCS URL whose name cannot be known, two -r/-c/-e on one line, words
 * after the options.  On error rf holds nothing to free.
 */
int reqfile_parse(struct reqfile *rf, const char *buf, size_t len, const char *name,
		  bool constraint, reqfile_lookup_fn lookup, void *data, struct error *err);
void reqfile_finish(struct reqfile *rf);

/* Frees what req owns (not req itself). */
void reqfile_req_finish(struct reqfile_req *req);
void reqfile_option_finish(struct reqfile_option *opt);

#endif
