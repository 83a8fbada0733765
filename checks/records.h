/*
 * RECORD verification: every file that an installed distribution's RECORD
 * lists with a sha256 hash is hashed again and compared, on several threads.
 * The findings req.record-mismatch, req.record-missing-file and
 * req.record-missing (a .dist-info without a readable RECORD) come from
 * records_check(), which runs only with ctx->verify_records.
 */
#ifndef DEPLOY_RUN_RECORDS_H
#define DEPLOY_RUN_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "dist.h"

extern const char *const records_ids[];

/* Adds req.record-* findings for the venv's distributions (nothing without verify_records). */
void records_check(const struct context *ctx, struct report *r);

enum records_status {
	RECORDS_OK,
	RECORDS_MISMATCH,  /* hash or size differs, or not a regular file */
	RECORDS_MISSING,   /* no such file */
	RECORDS_UNREADABLE,/* exists, cannot be read (errnum says why) */
};

struct records_file {
	char *path;         /* absolute (or as joined: SITE-PACKAGES/../../bin/x) */
	const char *record; /* the RECORD that lists it */
	int line;           /* its row in that RECORD */
	char *as_written;   /* the RECORD's path field */
	char *digest;       /* expected: urlsafe base64 sha256, no padding */
	int64_t size;       /* expected size, -1 when RECORD gives none */
	enum records_status status;
	int errnum;
	char got[48];       /* the digest found (MISMATCH with hash computed), else "" */
	int64_t got_size;   /* the size found, -1 when not known */
};

struct records_run {
	struct records_file *files;
	size_t n, cap;
	struct strv records;     /* every RECORD read (owns the strings files point to) */
	struct strv unreadable;  /* RECORDs that could not be parsed */
	struct strv why;         /* the error of each, same order */
	struct strv missing;     /* .dist-info directories without a RECORD, or whose
				  * RECORD cannot be read */
	struct strv missing_why; /* "" (there is none) or the read error, same order */
	uint64_t bytes;          /* total bytes hashed */
};

/*
 * Collects the hashed rows of every RECORD of set (rows without a hash,
 * such as RECORD itself and *.pyc, and rows with another algorithm than
 * sha256 are not verifiable here and left out), and the .dist-info
 * directories that have no readable RECORD (a legacy .egg-info has none by
 * design).  I/O: reads the RECORDs.
 */
void records_collect(struct records_run *run, const struct dist_set *set);

/*
 * Verifies every file of run with threads workers (at least 1) taking
 * files from one queue, biggest first, so that a big file starts early
 * instead of finishing last; progress, when not NULL, is called with the
 * bytes hashed of the total every 100 ms, then once with what NULL at the
 * end (struct context's progress).  Fails only when libcrypto cannot be loaded.
 */
int records_verify(struct records_run *run, long threads,
		   void (*progress)(void *data, const char *what, uint64_t done, uint64_t total),
		   void *progress_data, struct error *err);

void records_run_finish(struct records_run *run);

#endif
