/*
 * The wheelhouse check ([checks] wheelhouse): the wheels a venv is
 * installed from must be the ones the lock's hashes name, and each wheel
 * must hold exactly what its own RECORD lists.  Wheels are read with
 * libarchive, loaded on demand (common/archive-dl.h).  Finding:
 * req.wheel-hash.
 */
#ifndef DEPLOY_RUN_WHEELS_H
#define DEPLOY_RUN_WHEELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "error.h"
#include "hash.h"
#include "lockfile.h"
#include "strv.h"

extern const char *const wheels_ids[];

/* Adds req.wheel-hash findings for every *.whl of the profile's wheelhouse. */
void wheels_check(const struct context *ctx, struct report *r);

/*
 * The name and version of a wheel file name ("Foo_Bar-1.0-py3-none-any.whl"
 * gives "Foo_Bar" and "1.0"), malloc'd; -1 when it is not
 * NAME-VERSION[-BUILD]-PY-ABI-PLATFORM.whl.  Pure.
 */
int wheels_parse_filename(const char *filename, char **name, char **version);

/* A wheel of a wheelhouse: its path (ending in a wheel file name) and hash. */
struct wheels_file {
	const char *path;
	uint8_t sha256[SHA256_LEN];
};

/*
 * The wheels of a wheelhouse (n of them, in any directory named wheelhouse
 * in messages) against the lock lf: every wheel must have a file name of a
 * wheel, its project must be in the lock (a requirement, else a
 * constraint), pinned at the wheel's version (PEP 440 equality), and its
 * sha256 must be one of the requirement's --hash values when it has any;
 * every pinned requirement without a marker or URL must have a wheel.  Each
 * problem is appended to problems as "PATH: what is wrong" (a wheel) or
 * "FILE:LINE: what is wrong" (a requirement).  Pure.
 */
void wheels_match_lock(const struct lockfile *lf, const struct wheels_file *w, size_t n,
		       const char *wheelhouse, struct strv *problems);

/*
 * Reads the wheel at path, hashes every member, and compares them with the
 * wheel's *.dist-info/RECORD: each problem (a member whose hash or size
 * differs, a listed member that is absent, a member RECORD does not list,
 * no RECORD at all) is appended to problems as one message.  Its sha256 in
 * lowercase hex goes to hex (65 bytes).  Returns -1 with err when the file
 * cannot be read as a zip archive or libarchive cannot be loaded.
 */
int wheels_verify(const char *path, char hex[65], struct strv *problems, struct error *err);

#endif
