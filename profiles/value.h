/*
 * Typed profile values: pure conversions from the text of an INI value.
 * Each returns 0, or -1 with a message (no location: the caller adds it)
 * saying what is accepted.
 */
#ifndef DEPLOY_RUN_VALUE_H
#define DEPLOY_RUN_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "strv.h"

/* true/false, yes/no, on/off, 1/0 (any case). */
int value_parse_bool(const char *s, bool *out, struct error *err);
/* A decimal integer within [min, max]. */
int value_parse_int(const char *s, long min, long max, long *out, struct error *err);
/* A duration: NUMBER[UNIT], unit ms, s, m, h (a bare number is seconds);
 * several parts may be combined ("1m30s"); fractions allowed ("1.5s"). */
int value_parse_duration(const char *s, int64_t *ms, struct error *err);
/* A size: NUMBER[UNIT], units K, M, G, T (powers of 1024, optional "i"/"B"
 * suffixes: "512M", "512MiB", "1G", "100KB"); a bare number is bytes. */
int value_parse_size(const char *s, int64_t *bytes, struct error *err);
/* Comma- (or newline-) separated list; items trimmed, empty items dropped. */
void value_split_list(const char *s, struct strv *out);
/* Words as a POSIX shell would split them, without any expansion: blanks
 * separate words, '...' is literal, "..." honours \" \\ \$ \`, a backslash
 * outside quotes escapes the next character.  An unterminated quote is an
 * error. */
int value_split_words(const char *s, struct strv *out, struct error *err);
/* A bind address: HOST:PORT, [V6]:PORT, unix:/ABSOLUTE/PATH, fd://N. */
int value_check_bind(const char *s, struct error *err);

/* The HTTP statuses a probe accepts ([health] expect): bit N - 100 for status N. */
struct value_statuses {
	uint64_t bits[8];
};
/* A comma-separated list of codes (200), ranges (200-299) and classes (2xx),
 * from 100 to 599; empty means 2xx. */
int value_parse_statuses(const char *s, struct value_statuses *out, struct error *err);
bool value_statuses_match(const struct value_statuses *e, int status);
/* Formats statuses as they parse back: whole classes as 2xx, runs as 200-204,
 * comma-separated ("" when none); VALUE_STATUSES_TEXT_MAX bytes hold any. */
#define VALUE_STATUSES_TEXT_MAX 2048
void value_format_statuses(const struct value_statuses *e, char *buf, unsigned size);

/* Formats a duration the way it is written in profiles ("30s", "1m30s", "500ms"). */
void value_format_duration(int64_t ms, char *buf, unsigned size);
/* Formats a size ("512M", "1.5G" rounded, or bytes). */
void value_format_size(int64_t bytes, char *buf, unsigned size);

#endif
