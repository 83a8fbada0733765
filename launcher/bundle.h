/*
 * Release bundles: one archive (tar.gz, tar.zst or zip) holding an app root
 * filtered by [bundle] include/exclude, its lock, the wheelhouse when one is
 * configured, the profiles of the chain under profiles/, and a MANIFEST
 * that lists every other entry with its type, mode, size and SHA-256.
 *
 * Bundles are byte-for-byte reproducible: MANIFEST first, then the entries
 * sorted by path; owner 0/0 without names; one mtime (SOURCE_DATE_EPOCH,
 * else the newest bundled file's); modes 0644 or 0755 by the owner-exec
 * bit, directories 0755; no timestamp in the gzip header.
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
 * libarchive is loaded on first use (archive-dl.h).
 */
#ifndef DEPLOY_RUN_BUNDLE_H
#define DEPLOY_RUN_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hash.h"
#include "profile.h"
#include "strbuf.h"
#include "strv.h"

enum bundle_format { BUNDLE_TAR_GZ, BUNDLE_TAR_ZST, BUNDLE_ZIP };

/* The format named by the file name's extension (.tar.gz or .tgz, .tar.zst
 * or .tzst, .zip), or -1. */
int bundle_format_of(const char *path);

/* ---- the MANIFEST (pure: no I/O) ---- */

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

/* ---- building ---- */

struct bundle_options {
	int64_t mtime;     /* SOURCE_DATE_EPOCH, or -1 for the newest bundled file's */
	int level;         /* compression level; 0: the default (gzip 6, zstd 3) */
};

struct bundle_stats {
	size_t files, dirs, links;
	uint64_t bytes;      /* of the files' contents */
	struct strv notes;   /* what was left out and why, one line each */
};

/*
 * Writes the bundle of the loaded profile p to output (format from its
 * extension), through a temporary file beside it renamed at the end.  The
 * lock is always bundled; a configured wheelhouse is too, and every wheel in
 * it must match the lock's hashes.  Errors: an unknown extension, an
 * unreadable file, a lock or wheelhouse outside the app root, a symlink that
 * leads out of the root, a file that changed while it was read, a wheel
 * that does not match the lock.  stats is initialised by the function
 * (free it with bundle_stats_finish, also after an error).
 */
int bundle_create(const struct profile *p, const char *output, const struct bundle_options *o,
		  struct bundle_stats *stats, struct error *err);
void bundle_stats_finish(struct bundle_stats *stats);

/* ---- verifying and unpacking ---- */

struct bundle_report {
	bool have_manifest;
	struct bundle_manifest manifest;
	size_t entries;            /* in the archive, MANIFEST included */
	struct strv problems;      /* "ENTRY: what is wrong", in archive order */
};

/*
 * Reads the archive once: every entry must be safe to extract (see
 * bundle_path_problem, bundle_link_problem; no hard links, devices, FIFOs,
 * sockets, setuid/setgid/sticky bits), MANIFEST must come first, every
 * other entry must match it and none may be extra or missing, and the
 * bundled wheels must match the lock's hashes.  Returns 0 when the archive
 * could be read to the end (r->problems says whether it is sound), -1 with
 * err when it cannot be opened or read (not an archive, truncated, corrupt).
 * r is initialised by the function; free it with bundle_report_finish.
 */
int bundle_verify(const char *archive, struct bundle_report *r, struct error *err);

/*
 * Verifies the archive, then extracts it into dir, which must not exist or
 * be an empty directory: into a new temporary directory beside dir (same
 * file system), renamed to dir at the end.  Every entry is checked against
 * the verified MANIFEST again while it is written.  On any failure the
 * temporary directory is removed and dir is left as it was.  Returns 0 and
 * r->problems empty on success; 0 with problems when verification failed
 * (nothing was written); -1 with err for unreadable input, a dir that is
 * not empty, or a failed write.
 */
int bundle_unpack(const char *archive, const char *dir, struct bundle_report *r,
		  struct error *err);
void bundle_report_finish(struct bundle_report *r);

#endif
