/*
 * The bundle format, pure (no I/O): the archive format a file name asks
 * for, which entry names and link targets are safe to extract, and the
 * MANIFEST, parsed and written.
 *
 * The MANIFEST is a text file, one record a line, fields separated by one
 * space; paths and link targets are percent-encoded (bytes up to space,
 * DEL and '%' become %XX):
 *
 *     deploy-run-bundle 1
 *     version 0.1.0               the deploy-run that built it
 *     profile prod                the profile it was built for
 *     chain base prod             its chain, root-most parent first
 *     mtime 1700000000            the mtime of every entry
 *     lock requirements.txt       the lock, then the files it includes (0..n lines)
 *     wheelhouse wheelhouse       the wheelhouse directory (0..1 line)
 *     d 0755 PATH                 a directory
 *     f 0644 SIZE SHA256 PATH     a regular file (mode 0644 or 0755)
 *     l TARGET PATH               a symbolic link
 *
 * Entry records come sorted by path (bytewise), each path once.
 */
#ifndef DEPLOY_RUN_BUNDLE_MANIFEST_H
#define DEPLOY_RUN_BUNDLE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hash.h"
#include "strbuf.h"
#include "strv.h"

enum bundle_format { BUNDLE_TAR_GZ, BUNDLE_TAR_ZST, BUNDLE_ZIP };

/* The format named by the file name's extension (.tar.gz or .tgz, .tar.zst
 * or .tzst, .zip), or -1. */
int bundle_format_of(const char *path);

struct bundle_entry {
	char *path;                 /* relative, canonical, no trailing '/' */
	char type;                  /* 'f', 'd' or 'l' */
	unsigned mode;              /* permission bits */
	uint64_t size;              /* 'f' only */
	uint8_t sha256[SHA256_LEN]; /* 'f' only */
	char *target;               /* 'l' only */
};

struct bundle_manifest {
	char *version;
	char *profile;
	struct strv chain;
	int64_t mtime;
	struct strv lock;           /* the lock first, then its includes; may be empty */
	char *wheelhouse;           /* NULL when none */
	struct bundle_entry *entries; /* sorted by path */
	size_t n, cap;
};

#define BUNDLE_MANIFEST_NAME "MANIFEST"

/*
 * Parses a MANIFEST.  name is used in errors (line and column of the first
 * problem: an unknown record, a bad number, mode or digest, an unsafe or
 * unsorted or repeated path).  m is initialised by the function and holds
 * nothing to free on error.
 */
int bundle_manifest_parse(struct bundle_manifest *m, const char *buf, size_t len,
			  const char *name, struct error *err);
/* Appends the text of m (entries must be sorted) to out. */
void bundle_manifest_format(const struct bundle_manifest *m, struct strbuf *out);
void bundle_manifest_finish(struct bundle_manifest *m);
/* The entry with that path, or NULL (binary search). */
const struct bundle_entry *bundle_manifest_find(const struct bundle_manifest *m,
						const char *path);

/*
 * Why an archive entry name is unsafe to extract, or NULL when it is a
 * canonical relative path: not empty, not absolute, no "..", "." or empty
 * component.
 */
const char *bundle_path_problem(const char *path);
/*
 * Why a symbolic link at path (already safe) pointing to target could
 * lead out of the directory it is extracted to, or NULL.  Targets must be
 * relative, and their ".." components must all come first and climb no
 * higher than the link's own directory: "../static/css" from "app/css" is
 * fine, "a/../.." or "/etc" are not.
 */
const char *bundle_link_problem(const char *path, const char *target);

/* Whether path is a wheel directly in the MANIFEST's wheelhouse (false when
 * it names none). */
bool bundle_manifest_is_wheel(const struct bundle_manifest *m, const char *path);

#endif
