/*
 * TOML 1.0 (https://toml.io/en/v1.0.0), as a pure parser: a buffer and a
 * name in, a tree of values or an error with line and column out.
 *
 * What is accepted is what Python's tomllib (tomli) accepts, with one
 * difference that TOML itself asks for: an integer outside the signed
 * 64-bit range is an error (Python keeps it as a big integer).  In
 * particular the parser refuses: invalid UTF-8 (and a byte order mark),
 * control characters other than tab in comments and strings (a lone CR
 * too: CRLF is read as LF), bad escapes and escapes of surrogates, a key
 * defined twice, a table defined twice ([a] twice, or [a] after a.x = 1
 * made it), a dotted key through a table a header defined, an inline
 * table or array extended afterwards (they are immutable), [[a]] after
 * a = [...] or [a], leading zeros, invalid dates (1979-02-30, year 0000)
 * and times, and a trailing comma in an inline table.
 *
 * Bounds for hostile input: values (arrays, inline tables, tables by
 * headers and dotted keys) nest at most TOML_DEPTH_MAX deep; the size of
 * the input is the caller's bound (memory is linear in it: a copy of the
 * document, about 90 bytes per value, and vectors that at most double
 * what they hold; a document of 4 GiB or more is refused), and key lookups
 * are hashed, so a table of a million keys parses in linear time.
 *
 * Everything the tree holds lives in one arena owned by the root (values,
 * the vectors of arrays and tables, decoded strings) or in the document it
 * keeps (a copy, or the buffer toml_parse_owned() took; CRLF read as LF):
 * a string or a key without escapes is a slice of the document, made
 * NUL-terminated by overwriting the byte after it (the closing quote, or
 * the space, '.', '=' or ']' after a bare key).  Freeing the tree is
 * freeing the arena and the document.
 *
 * Floats beyond the double range become infinities (as in Python); fractions
 * of seconds are kept to the microsecond (digits beyond are dropped, as in
 * Python's datetime).
 */
#ifndef DEPLOY_RUN_TOML_H
#define DEPLOY_RUN_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct arena;

#define TOML_DEPTH_MAX 128

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOLEAN,
	TOML_DATETIME,        /* offset date-time: 1979-05-27T07:32:00Z */
	TOML_DATETIME_LOCAL,  /* 1979-05-27T07:32:00 */
	TOML_DATE_LOCAL,      /* 1979-05-27 */
	TOML_TIME_LOCAL,      /* 07:32:00 */
	TOML_ARRAY,
	TOML_TABLE,
};

struct toml_datetime {
	int year, month, day;
	int hour, minute, second, microsecond;
	int offset_minutes;   /* TOML_DATETIME only: +01:30 is 90, Z is 0 */
};

struct toml_value;

struct toml_kv {
	char *key;                 /* NUL-terminated; may hold a NUL (\u0000): see key_len */
	size_t key_len;
	int line, column;          /* where the key (its last part) was written */
	struct toml_value *value;
};

struct toml_value {
	enum toml_type type;
	int line, column;          /* where the value, or the table's header, starts; 1-based */
	unsigned short flags;      /* the parser's */
	unsigned short depth;      /* at most TOML_DEPTH_MAX */
	struct arena *arena;       /* the root only: where all of the tree lives */
	union {
		struct {
			char *ptr;         /* NUL-terminated; may hold a NUL: see len */
			size_t len;
		} s;
		int64_t i;
		double f;
		bool b;
		struct toml_datetime dt;
		struct {
			struct toml_value **v;
			size_t n;
			uint32_t cap;
		} a;
		struct {
			struct toml_kv *v;   /* in the order the keys were defined */
			size_t n;
			size_t *index;       /* open addressing over v, when n is large */
			uint32_t cap, index_cap;
		} t;
	} u;
};

/*
 * Parses a document.  Returns the root table, or NULL with err naming name,
 * the line and the column (in characters, 1-based) and what was expected.
 */
struct toml_value *toml_parse(const char *buf, size_t len, const char *name, struct error *err);
/*
 * The same on buf, which the call takes (malloc'd, len bytes followed by a
 * NUL): the tree keeps it as its document instead of a copy, and frees it
 * with itself (or at once when the parse fails).
 */
struct toml_value *toml_parse_owned(char *buf, size_t len, const char *name, struct error *err);
/* Frees a tree: only a root from toml_parse() (its values are freed with it). */
void toml_value_destroy(struct toml_value *v);

/* The value of key in a table, or NULL (also when t is NULL or not a table). */
const struct toml_value *toml_get(const struct toml_value *t, const char *key);
/* The key-value pair of key in a table, or NULL. */
const struct toml_kv *toml_get_kv(const struct toml_value *t, const char *key);

/* "string", "integer", ... "table", as TOML's documentation names them. */
const char *toml_type_name(enum toml_type type);

#endif
