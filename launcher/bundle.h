/*
 * Release bundles: one archive (tar.gz, tar.zst or zip) holding an app root
 * filtered by [bundle] include/exclude, its lock, the wheelhouse when one is
 * configured, the profiles of the chain under profiles/, and a MANIFEST
 * (bundle-manifest.h) that lists every other entry with its type, mode,
 * size and SHA-256.
 *
 * Bundles are byte-for-byte reproducible: MANIFEST first, then the entries
 * sorted by path; owner 0/0 without names; one mtime (SOURCE_DATE_EPOCH,
 * else the newest bundled file's); modes 0644 or 0755 by the owner-exec
 * bit, directories 0755; no timestamp in the gzip header.
 *
 * Creating is bundle-create.c, verifying and extracting bundle-verify.c;
 * the lock is read by checks/lockfile and the wheels are matched against
 * it by checks/wheels, in both.  libarchive is loaded on first use
 * (archive-dl.h).
 */
#ifndef DEPLOY_RUN_BUNDLE_H
#define DEPLOY_RUN_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle-manifest.h"
#include "error.h"
#include "profile.h"
#include "strv.h"

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
