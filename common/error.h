/*
 * The one error contract of deploy-run.
 *
 * A fallible function returns a negative number (or NULL) and fills a
 * caller-provided struct error: the errno value when a system call failed,
 * the location (file, line, column) when a person can fix the input, and a
 * message that says what was expected.  Callers on the way up may add
 * context with error_prefix().  Only main() (and the commands it dispatches
 * to) prints, with error_print():
 *
 *     deploy-run: FILE:LINE: error: MESSAGE[: strerror(errno)]
 */
#ifndef DEPLOY_RUN_ERROR_H
#define DEPLOY_RUN_ERROR_H

#include <stdio.h>

#define ERROR_MESSAGE_MAX 1024
#define ERROR_FILE_MAX 1024

struct error {
	int errnum;                      /* errno, or 0 */
	int line;                        /* 1-based, 0 when unknown */
	int column;                      /* 1-based, 0 when unknown */
	char file[ERROR_FILE_MAX];       /* "" when unknown */
	char message[ERROR_MESSAGE_MAX]; /* "" when no error */
	const char *id;                  /* a finding id ("profile.bad-value") when the
					  * error is one of the catalogue's, else NULL */
};

#define ERROR_INIT {0, 0, 0, "", "", NULL}

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Resets err to "no error". Accepts NULL. */
void error_clear(struct error *err);

/* Sets a message (and errno, 0 for none) without a location. Returns -1. */
int error_set(struct error *err, int errnum, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Sets a message with a location: file may be NULL, line/column 0. Returns -1. */
int error_at(struct error *err, const char *file, int line, int column,
	     const char *fmt, ...) PRINTF_LIKE(5, 6);

/* Sets only the location, keeping the message, when none was set yet. */
void error_locate(struct error *err, const char *file, int line);

/* Prepends "CONTEXT: " to the message. Returns -1. */
int error_prefix(struct error *err, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* True when err holds an error. */
int error_is_set(const struct error *err);

/*
 * Formats the whole line (without "deploy-run: " and without newline),
 * control characters (C0 but tab, DEL, C1) replaced by '?' so that quoted
 * input cannot drive a terminal.
 */
void error_format(const struct error *err, char *buf, size_t size);

/* Prints "deploy-run: " and the line of error_format() to f. */
void error_print(const struct error *err, FILE *f);

/*
 * Length of the control character at p that a terminal or a log must not
 * get raw: 1 for C0 but tab, and DEL; 2 for the C1 range U+0080..U+009F in
 * UTF-8 (U+009B is a CSI, which some terminals obey); 0 for anything else,
 * the terminating NUL included.
 * The one definition of what error_mask_controls() and the report
 * renderers mask.
 */
size_t error_control_len(const char *p);

/*
 * Replaces in s, in place, what a terminal would obey: C0 controls but tab,
 * DEL and the C1 range (U+0080..U+009F, two bytes in UTF-8: U+009B is a CSI)
 * become '?'.  A message may quote the input (a key, a line of a file).
 */
void error_mask_controls(char *s);

#endif
