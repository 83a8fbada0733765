/*
 * The app's Python source, read one way for every check that looks at it:
 * one tokenizer, one walk over the app's tree with one skip list, and the
 * three things the checks look for in a file: string literals
 * (path.hardcoded, init's health route), calls of named functions with
 * their arguments (env.app-loads-dotenv) and top-level assignments of a
 * call (init's WSGI/ASGI entry point).
 *
 * The tokenizer follows Python 3.11's: NAME, NUMBER, STRING (every prefix
 * of r, u, b, f, br, rb, fr, rf in any case; single, double and triple
 * quotes; an f-string is one STRING token, as in 3.11), operators, and a
 * NEWLINE at the end of each logical line (not inside brackets, not after a
 * backslash continuation, not for blank or comment-only lines).  Line
 * breaks are "\n", "\r\n" and "\r", as the compiler reads them.  What
 * Python rejects is read on without an error: an unterminated literal ends
 * with its line (triple-quoted: with the buffer); a stray byte is an
 * operator of one byte.  tests/diff/pysource_diff.py compares it with
 * Python's own tokenize and ast modules.
 *
 * Everything but pysource_walk() is pure: a buffer and its length in, no
 * I/O, no globals; the buffer need not be NUL-terminated.
 */
#ifndef DEPLOY_RUN_PYSOURCE_H
#define DEPLOY_RUN_PYSOURCE_H

#include <stdbool.h>
#include <stddef.h>

enum pysource_kind {
	PYSOURCE_END,
	PYSOURCE_NAME,
	PYSOURCE_NUMBER,
	PYSOURCE_STRING,
	PYSOURCE_OP,
	PYSOURCE_NEWLINE,   /* the end of a logical line; empty */
};

struct pysource_token {
	enum pysource_kind kind;
	size_t start, end;       /* the token's bytes, a STRING's prefix and quotes included */
	size_t body, body_end;   /* STRING: between the quotes (escapes not decoded) */
	int line, column;        /* 1-based, of the first byte; column in bytes */
	bool raw, bytes, fstring; /* STRING: its prefix has r, b, f */
	bool unterminated;       /* STRING: no closing quote */
	bool line_start;         /* the first token of a logical line */
	int depth;               /* brackets open around the token (a bracket: around its pair) */
};

struct pysource_lexer {
	const char *s;
	size_t len, pos;
	int line;
	size_t line_start;       /* offset of the current line's first byte */
	int depth;
	bool in_line;            /* a token of the current logical line was read */
};

void pysource_lexer_init(struct pysource_lexer *lx, const char *buf, size_t len);
/* The next token; PYSOURCE_END (again and again) at the end of the buffer. */
void pysource_next(struct pysource_lexer *lx, struct pysource_token *t);
/* Whether t is the NAME or operator text. */
bool pysource_is(const struct pysource_lexer *lx, const struct pysource_token *t,
		 const char *text);

/*
 * Calls fn for each STRING token of buf, in order; a non-zero return stops
 * the scan.  Comments are not literals.
 */
typedef int (*pysource_literal_fn)(void *ctx, const char *buf, const struct pysource_token *t);
void pysource_literals(const char *buf, size_t len, pysource_literal_fn fn, void *ctx);

#define PYSOURCE_ARG_TOKENS 16
#define PYSOURCE_CALL_ARGS 8
#define PYSOURCE_CALLS_NESTED 32
#define PYSOURCE_CALLS_HELD 64

struct pysource_arg {
	bool is_kw;
	struct pysource_token kw;      /* the keyword's NAME when is_kw */
	int pos;                       /* index among the positional arguments, -1 for keywords */
	struct pysource_token v[PYSOURCE_ARG_TOKENS];
	size_t n;                      /* value tokens; more than PYSOURCE_ARG_TOKENS are
					* counted, not kept */
};

struct pysource_call {
	const char *func;              /* the name of funcs[] that matched */
	struct pysource_token name;    /* its NAME token */
	struct pysource_arg a[PYSOURCE_CALL_ARGS]; /* the first arguments, in order */
	size_t n;
	int npos;                      /* positional arguments in all (*args not counted) */
	bool star;                     /* *args or **kwargs: anything may be passed */
};

/*
 * Calls fn for each call of one of the names funcs (NULL-terminated), bare
 * or as an attribute ("dotenv.load_dotenv(...)"): the NAME followed by "("
 * in the same logical line, not a definition ("def NAME(", "class NAME(").
 * Calls inside an f-string's replacement fields are not seen (the f-string
 * is one token), nor calls nested deeper than PYSOURCE_CALLS_NESTED in
 * calls of the names, nor calls the buffer ends inside.  One pass over
 * the tokens; fn gets the calls in the order they start (but for a call
 * holding more than PYSOURCE_CALLS_HELD calls of the names, whose inner
 * calls come as they end).  lx is the lexer over the same buffer, for
 * pysource_is().
 */
typedef void (*pysource_call_fn)(void *ctx, const struct pysource_lexer *lx,
				 const struct pysource_call *call);
void pysource_calls(const char *buf, size_t len, const char *const *funcs, pysource_call_fn fn,
		    void *ctx);

/*
 * Calls fn for each top-level statement "NAME [: ANNOTATION] = DOTTED(...)"
 * whose call ends the statement (what ast.parse gives as a module-level
 * Assign or AnnAssign to one name whose value is a call of a dotted name):
 * target and callee ("falcon.asgi.App", dots without blanks) are
 * NUL-terminated copies valid during fn; line is the target's.
 */
typedef void (*pysource_assign_fn)(void *ctx, const char *target, const char *callee, int line);
void pysource_assignments(const char *buf, size_t len, pysource_assign_fn fn, void *ctx);

/* ---- the walk over the app's tree ---- */

#define PYSOURCE_DEPTH_MAX 32
#define PYSOURCE_ENTRIES_MAX 100000
#define PYSOURCE_FILE_MAX (4u * 1024 * 1024)

/*
 * Directories that hold no code the deployed app runs: hidden ones (.git,
 * .venv, .tox, caches), __pycache__, site-packages, dist-packages,
 * node_modules, bower_components, vendored trees (vendor, vendored,
 * _vendor, third_party, third-party) and the app's tests (tests, test).
 */
bool pysource_skip_dir(const char *name);
/* Files of the app's tests: test_*.py, *_test.py, conftest.py. */
bool pysource_skip_file(const char *name);

struct pysource_file {
	const char *path;   /* root joined with rel */
	const char *rel;    /* relative to the root */
	const char *buf;    /* the file's bytes, NUL-terminated */
	size_t len;
};

struct pysource_walk {
	const char *root;
	const char *venv;   /* a directory not entered (the profile's venv), or NULL;
			     * any directory holding a pyvenv.cfg is not entered either */
	int max_depth;      /* 0: PYSOURCE_DEPTH_MAX; 1: the root's files and those of
			     * its direct subdirectories */
	/* out */
	bool truncated;     /* stopped after PYSOURCE_ENTRIES_MAX entries */
	size_t files;       /* .py files given to fn */
};

/*
 * Calls fn for each regular *.py file under w->root that no skip rule
 * leaves out, in sorted order (bytewise, directory by directory).
 * Symbolic links are not followed; files larger than PYSOURCE_FILE_MAX or
 * unreadable are left out.  Returns -1 (errno set) when the root cannot be
 * opened, else 0.
 */
typedef void (*pysource_file_fn)(void *ctx, const struct pysource_file *f);
int pysource_walk(struct pysource_walk *w, pysource_file_fn fn, void *ctx);

#endif
