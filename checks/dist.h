/*
 * Installed Python distributions: the metadata files of a site-packages
 * directory, read the way importlib.metadata (and so pip) reads them.
 *
 * Three pure parsers, each taking a buffer and a name for messages:
 *   - METADATA / PKG-INFO: email-header format (RFC 822 folding), the
 *     headers Name, Version, Requires-Dist (repeated), Provides-Extra
 *     (repeated) and Requires-Python; the body is ignored.
 *   - RECORD: CSV as Python's csv module writes it, rows of
 *     path,hash,size where hash is "ALGO=<urlsafe base64, no padding>" and
 *     hash and size may be empty (RECORD itself, *.pyc).
 *   - requires.txt of legacy *.egg-info: "[extra:marker]" sections turned
 *     into Requires-Dist strings with markers, as importlib.metadata does.
 *
 * And the scan of a site-packages directory (or a venv's) for every
 * *.dist-info and *.egg-info, which is I/O.
 */
#ifndef DEPLOY_RUN_DIST_H
#define DEPLOY_RUN_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strv.h"

struct dist_metadata {
	char *name;            /* Name, as written; NULL when absent */
	char *version;         /* Version; NULL when absent */
	char *requires_python; /* Requires-Python; NULL when absent */
	struct strv requires;  /* every Requires-Dist, in order */
	struct strv extras;    /* every Provides-Extra, in order */
};

/*
 * Parses METADATA or PKG-INFO text into md (which the function
 * initialises).  Folded header lines are unfolded; header names are
 * case-insensitive; the first empty line (or a line that is not a header)
 * ends the headers.  A missing Name or Version is an error (with the
 * name), as is a header line that starts with a continuation before any
 * header.  On error md holds nothing to free.
 */
int dist_metadata_parse(struct dist_metadata *md, const char *buf, size_t len,
			const char *name, struct error *err);
void dist_metadata_finish(struct dist_metadata *md);

struct dist_record_entry {
	char *path;      /* as written, relative to the site-packages directory */
	char *algorithm; /* "sha256", or NULL when the row has no hash */
	char *digest;    /* urlsafe base64 without padding, or NULL */
	int64_t size;    /* -1 when the row has no size */
	int line;        /* 1-based line of the row */
};

struct dist_record {
	struct dist_record_entry *entries;
	size_t n, cap;
};

/*
 * Parses RECORD text (Python csv "excel" dialect: comma separated, fields
 * optionally quoted with '"', '""' inside quotes for a quote, quoted
 * fields may span lines, CRLF or LF row ends).  Each row has 1 to 3
 * fields; empty rows are skipped.  Errors (with line and column): more
 * than 3 fields, an empty path, a hash without '=', a size that is not a
 * decimal number, an unterminated quote.  rec is initialised by the
 * function; on error it holds nothing to free.
 */
int dist_record_parse(struct dist_record *rec, const char *buf, size_t len,
		      const char *name, struct error *err);
void dist_record_finish(struct dist_record *rec);

/*
 * Parses a legacy requires.txt and appends each requirement to out as a
 * Requires-Dist string: a requirement in section "[EXTRA:MARKER]" becomes
 * 'REQ; (MARKER) and extra == "EXTRA"', in "[:MARKER]" 'REQ; MARKER', in
 * "[EXTRA]" 'REQ; extra == "EXTRA"' (a space is put before ';' when the
 * requirement has a URL).  Blank lines and '#' comments are skipped.  An
 * unterminated section header is an error with its line.
 */
int dist_requires_txt_parse(struct strv *out, const char *buf, size_t len,
			    const char *name, struct error *err);

struct dist {
	char *name;        /* from the metadata, or from the directory name when broken */
	char *normalized;  /* PEP 503 normalised name */
	char *version;     /* NULL when broken */
	char *path;        /* the .dist-info/.egg-info directory (or .egg-info file) */
	char *location;    /* the site-packages directory that holds it */
	char *record_path; /* path of RECORD, NULL when there is none (egg-info) */
	char *installer;   /* first line of INSTALLER ("pip"), NULL when absent */
	char *direct_url;  /* "url" of direct_url.json, NULL when absent */
	bool editable;     /* direct_url.json says dir_info.editable */
	bool egg_info;     /* legacy *.egg-info */
	char *error;       /* why the metadata could not be read; NULL when fine */
	struct dist_metadata md;
};

struct dist_set {
	struct dist *d; /* sorted by normalized name, then path */
	size_t n, cap;
};

/*
 * I/O: adds every *.dist-info and *.egg-info of the directory dir to set,
 * then sorts the set.  A distribution whose metadata cannot be read or
 * parsed is still added, with error set and the name taken from the
 * directory name.  Fails (-1) only when dir itself cannot be read.
 */
int dist_scan_dir(struct dist_set *set, const char *dir, struct error *err);

/*
 * I/O: scans every VENV/lib/python3.X/site-packages (and lib64 when it is
 * not the same directory).  An error when there is none.
 */
int dist_scan_venv(struct dist_set *set, const char *venv, struct error *err);

/*
 * I/O: adds the *.dist-info and *.egg-info of dir whose name (the part
 * before the first '-', PEP 503 normalised) is normalized, in directory
 * order, without sorting the set: what importlib.metadata finds for that
 * name in one sys.path entry.  Returns how many were added (0 when dir
 * cannot be read).
 */
int dist_scan_named(struct dist_set *set, const char *dir, const char *normalized);

/*
 * The first distribution with that normalised name, or NULL.  A binary
 * search: the set must be sorted, as dist_scan_dir() and dist_scan_venv()
 * leave it (not one that dist_scan_named() added to).
 */
const struct dist *dist_set_find(const struct dist_set *set, const char *normalized);

void dist_set_finish(struct dist_set *set);

#endif
