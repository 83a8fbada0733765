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

#include "check.h"
#include "error.h"
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
