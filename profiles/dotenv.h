/*
 * .env files, read exactly as python-dotenv reads them.
 *
 * The specification is python-dotenv 0.21 (Debian 12's python3-dotenv):
 * dotenv/parser.py, dotenv/main.py and dotenv/variables.py.  The apps whose
 * deployments deploy-run checks are written and tested against it, so every
 * quirk is reproduced on purpose, including these less known ones:
 *
 *  - The file is decoded as UTF-8 with universal newlines: "\r\n" and a lone
 *    "\r" both end a line.  A byte order mark is NOT removed: it becomes part
 *    of the first key ("\xef\xbb\xbfKEY"), which is why env.encoding reports it.
 *  - "White space" is Python's: besides ASCII blanks it includes \x1c-\x1f,
 *    U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F
 *    and U+3000.  Only "\n" (after the translation above) counts as a line.
 *  - "export" is dropped only when followed by horizontal white space.
 *  - Single-quoted values are literal except \\ and \'; double-quoted values
 *    decode only \\ \' \" \a \b \f \n \r \t \v (other backslashes stay).
 *    Quoted values and single-quoted keys may span lines.  A closing quote
 *    is the first one not preceded by a backslash; when there is none, the
 *    last quote of the rest of the file closes the value (the regular
 *    expression backtracks to it).
 *  - Unquoted values end at the end of the line, lose everything from the
 *    first "#" that follows white space, and are right-stripped.
 *  - A line that cannot be parsed is skipped up to its end (or, when it
 *    failed after a multi-line quoted part, up to the end of the line where
 *    the failure happened).  python-dotenv logs a warning; we record a
 *    problem with the line and column where parsing failed and the line
 *    where the statement starts.  python-dotenv's warning names the line
 *    where the statement's leading white space began; our start_line and
 *    entries' line name the line of the statement's first character.
 *  - Interpolation applies to every value, single-quoted ones included
 *    (python-dotenv 0.21 does not tell quotes apart after parsing): only
 *    ${NAME} and ${NAME:-default}; $NAME, ${NAME-x}, ${NAME:=x} and an
 *    unterminated ${ are literal text.  A name declared without "=" expands
 *    to "" and its default is not used.
 *
 * Deliberate differences (documented in tests/diff/dotenv_diff.py too):
 *  - A NUL byte ends the key or value that holds it (C strings, and the
 *    process environment cannot hold NUL either); python-dotenv keeps it.
 *    The parse itself goes on over the NUL, so everything after the value
 *    matches, and encoding.nul_line records it.
 *  - python-dotenv raises UnicodeDecodeError on invalid UTF-8 and returns
 *    nothing; dotenv_parse() parses the bytes anyway (an invalid byte counts
 *    as one non-blank character) and records encoding.invalid_utf8_line, so
 *    the caller decides (deploy-run reports env.encoding).
 */
#ifndef DEPLOY_RUN_DOTENV_H
#define DEPLOY_RUN_DOTENV_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "error.h"
#include "strbuf.h"

struct dotenv_entry {
	char *key;        /* never NULL, may hold any byte but NUL */
	char *value;      /* NULL: the key had no "=" (python-dotenv's None) */
	char quote;       /* '\'', '"' or 0: how the value was written */
	bool interpolate; /* true when the value takes part in interpolation
			   * (every value in python-dotenv 0.21, see above) */
	int line;         /* 1-based line of the binding's first character */
	bool nul;         /* the key or the value held a NUL byte and was cut
			   * there: os.environ refuses such a binding */
	bool eq;          /* the key holds "=" (a quoted key): refused too */
};

struct dotenv_problem {
	int line;         /* 1-based line where parsing failed */
	int column;       /* 1-based column there, in bytes */
	int start_line;   /* line of the statement's first character (differs
			   * from line after a multi-line quoted part) */
	char *message;    /* what was expected, without file or line */
};

/* Encoding facts for env.encoding: the 1-based line of the first
 * occurrence of each, 0 when absent. */
struct dotenv_encoding {
	int bom;          /* 1 when the file starts with a UTF-8 byte order mark */
	int crlf_line;    /* "\r\n" line ending */
	int cr_line;      /* lone "\r" line ending (old Mac style) */
	int nul_line;     /* NUL byte */
	int invalid_utf8_line;
};

struct dotenv {
	struct dotenv_entry *entries; /* in file order, duplicates kept */
	size_t n;
	struct dotenv_problem *problems; /* lines python-dotenv skips, in file order */
	size_t nproblems;
	struct dotenv_encoding encoding;
	size_t cap, pcap; /* private */
	struct arena arena; /* private: the keys, values and messages */
};

#define DOTENV_INIT {NULL, 0, NULL, 0, {0, 0, 0, 0, 0}, 0, 0, ARENA_INIT}

/*
 * Parses the .env text buf (len bytes; need not be NUL-terminated) into
 * *out, which the caller has set to DOTENV_INIT.  name is used in messages
 * only.  Pure: no I/O, no globals.  Lines python-dotenv skips are not an
 * error: they become out->problems.  Returns 0; -1 with err set only when
 * the input is larger than INT_MAX bytes.  Release with dotenv_finish()
 * in every case.
 */
int dotenv_parse(const char *buf, size_t len, const char *name, struct dotenv *out,
		 struct error *err);

/* Frees everything *d holds and resets it to DOTENV_INIT. NULL is a no-op.
 * The strings of the entries and problems live in *d until then: they are
 * never freed one by one. */
void dotenv_finish(struct dotenv *d);

/*
 * A lookup of variables for interpolation.  Returns true when name is
 * defined, with *value set to its value; *value may be NULL for a name that
 * is defined without a value (a .env key without "="), which expands to ""
 * (python-dotenv's None).  Returns false when name is not defined, so that
 * ${name:-default} uses its default.  name may be any string, "" included.
 */
typedef bool (*dotenv_lookup_fn)(void *ctx, const char *name, const char **value);

/*
 * Expands ${NAME} and ${NAME:-default} in value exactly as python-dotenv's
 * parse_variables()/Variable.resolve() do, asking lookup for each NAME.
 * Nothing else is special: no $NAME, no nesting, no escapes; the default is
 * used only when lookup returns false.  Returns a new string (caller frees).
 *
 * This is what deploy-run's environment composition calls, with a lookup
 * over "everything composed so far" (python-dotenv's override=True builds
 * that as process environment overlaid by this file's earlier values;
 * override=False as this file's earlier values overlaid by the process
 * environment; see dotenv_values()).
 */
char *dotenv_expand(const char *value, dotenv_lookup_fn lookup, void *ctx);
/* The same, appended to sb (no allocation when sb has room). */
void dotenv_expand_into(struct strbuf *sb, const char *value, dotenv_lookup_fn lookup,
			void *ctx);

/*
 * python-dotenv's DotEnv(path, interpolate=..., override=...).dict() over
 * one parsed file: fills *out (set to DOTENV_INIT by the caller) with one
 * entry per distinct key, in the order of each key's first binding, holding
 * the value (and line, quote) of its last binding.  When interpolate is
 * true, each value is expanded in file order against environ (the process
 * environment, via environ_lookup) and the values resolved so far: with
 * override the earlier values win over environ, without it environ wins.
 * dotenv_values(path) itself is interpolate=true, override=true.
 * out->problems and out->encoding are copied from in.  Returns 0.
 */
int dotenv_values(const struct dotenv *in, bool interpolate, bool override,
		  dotenv_lookup_fn environ_lookup, void *ctx, struct dotenv *out);

/*
 * True when os.environ refuses the binding (python-dotenv's load_dotenv()
 * then raises ValueError): an empty name (never from dotenv_parse), "=" in
 * the name (a quoted key such as 'A=B', which execve would read as the
 * variable A), or a NUL byte in the name or the value.  dotenv_refused_why()
 * says which, or returns NULL when the binding can be a variable.
 */
static inline bool dotenv_refused(const struct dotenv_entry *e)
{
	return e->nul || e->eq || !e->key[0];
}
const char *dotenv_refused_why(const struct dotenv_entry *e);

/* Index in d->entries of the LAST binding of key, or -1. */
long dotenv_find(const struct dotenv *d, const char *key);

#endif
