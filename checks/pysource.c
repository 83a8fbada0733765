#include "pysource.h"
#include "fileio.h"
#include "path.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the tokenizer ------------------------------------------------------ */

static bool is_ident(unsigned char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 ||
	       (!first && c >= '0' && c <= '9');
}

void pysource_lexer_init(struct pysource_lexer *lx, const char *buf, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = buf;
	lx->len = len;
	lx->line = 1;
}

/* Consumes a line break at lx->pos ("\n", "\r\n" or "\r"); false when none. */
static bool lex_newline(struct pysource_lexer *lx)
{
	if (lx->pos >= lx->len)
		return false;
	if (lx->s[lx->pos] == '\r' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] == '\n')
		lx->pos++;
	else if (lx->s[lx->pos] != '\n' && lx->s[lx->pos] != '\r')
		return false;
	lx->pos++;
	lx->line++;
	lx->line_start = lx->pos;
	return true;
}

static bool at_newline(const struct pysource_lexer *lx, size_t pos)
{
	return pos < lx->len && (lx->s[pos] == '\n' || lx->s[pos] == '\r');
}

/* r, u, b, f, br, rb, fr, rf in any case (Python 3.11's string prefixes). */
static bool string_prefix(const char *s, size_t n, struct pysource_token *t)
{
	bool r = false, b = false, f = false, u = false;
	size_t i;

	if (n == 0 || n > 2)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i] | 0x20;

		if (c == 'r' && !r)
			r = true;
		else if (c == 'b' && !b)
			b = true;
		else if (c == 'f' && !f)
			f = true;
		else if (c == 'u' && !u)
			u = true;
		else
			return false;
	}
	if ((u && n > 1) || (b && f))
		return false;
	t->raw = r;
	t->bytes = b;
	t->fstring = f;
	return true;
}

/* A string literal whose opening quote is at lx->pos. */
static void lex_string(struct pysource_lexer *lx, struct pysource_token *t)
{
	char q = lx->s[lx->pos];
	bool triple = lx->pos + 2 < lx->len && lx->s[lx->pos + 1] == q && lx->s[lx->pos + 2] == q;

	t->kind = PYSOURCE_STRING;
	lx->pos += triple ? 3 : 1;
	t->body = lx->pos;
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];

		if (c == '\\') {
			/* also in raw strings: \" does not end the literal */
			lx->pos++;
			if (!lex_newline(lx) && lx->pos < lx->len)
				lx->pos++;
		} else if (c == '\n' || c == '\r') {
			if (!triple)
				break; /* unterminated: the literal ends with its line */
			lex_newline(lx);
		} else if (c == q && (!triple || (lx->pos + 2 < lx->len &&
						  lx->s[lx->pos + 1] == q && lx->s[lx->pos + 2] == q))) {
			t->body_end = lx->pos;
			lx->pos += triple ? 3 : 1;
			return;
		} else {
			lx->pos++;
		}
	}
	t->body_end = lx->pos;
	t->unterminated = true;
}

static void lex_number(struct pysource_lexer *lx)
{
	const char *s = lx->s;
	bool hex = s[lx->pos] == '0' && lx->pos + 1 < lx->len && (s[lx->pos + 1] | 0x20) == 'x';

	while (lx->pos < lx->len) {
		unsigned char c = (unsigned char)s[lx->pos];

		if (is_ident(c, false) || c == '.')
			lx->pos++;
		else if ((c == '+' || c == '-') && !hex && (s[lx->pos - 1] | 0x20) == 'e')
			lx->pos++; /* 1e-5 */
		else
			break;
	}
}

static void lex_op(struct pysource_lexer *lx)
{
	static const char *const ops[] = {
		"**=", "//=", ">>=", "<<=", "...",
		"**", "//", "<<", ">>", "==", "!=", "<=", ">=", "->", ":=", "+=", "-=", "*=",
		"/=", "%=", "&=", "|=", "^=", "@=",
	};
	const char *s = lx->s + lx->pos;
	size_t left = lx->len - lx->pos, i, n;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		n = strlen(ops[i]);
		if (left >= n && memcmp(s, ops[i], n) == 0) {
			lx->pos += n;
			return;
		}
	}
	if (*s == '(' || *s == '[' || *s == '{')
		lx->depth++;
	else if ((*s == ')' || *s == ']' || *s == '}') && lx->depth > 0)
		lx->depth--;
	lx->pos++;
}

void pysource_next(struct pysource_lexer *lx, struct pysource_token *t)
{
	unsigned char c;

	memset(t, 0, sizeof(*t));
	for (;;) {
		if (lx->pos >= lx->len) {
			t->start = t->end = lx->len;
			t->line = lx->line;
			t->column = (int)(lx->pos - lx->line_start) + 1;
			/* the last logical line ends with the buffer */
			t->kind = lx->in_line ? PYSOURCE_NEWLINE : PYSOURCE_END;
			lx->in_line = false;
			return;
		}
		c = (unsigned char)lx->s[lx->pos];
		if (c == ' ' || c == '\t' || c == '\f') {
			lx->pos++;
		} else if (c == '#') {
			while (lx->pos < lx->len && !at_newline(lx, lx->pos))
				lx->pos++;
		} else if (c == '\\' && at_newline(lx, lx->pos + 1)) {
			lx->pos++;
			lex_newline(lx); /* a continuation line */
		} else if (c == '\n' || c == '\r') {
			bool ends = lx->in_line && lx->depth == 0;

			t->start = t->end = lx->pos;
			t->line = lx->line;
			t->column = (int)(lx->pos - lx->line_start) + 1;
			lex_newline(lx);
			if (ends) {
				t->kind = PYSOURCE_NEWLINE;
				lx->in_line = false;
				return;
			}
		} else {
			break;
		}
	}
	t->start = lx->pos;
	t->line = lx->line;
	t->column = (int)(lx->pos - lx->line_start) + 1;
	t->line_start = !lx->in_line;
	t->depth = lx->depth;
	lx->in_line = true;
	if (is_ident(c, true)) {
		while (lx->pos < lx->len && is_ident((unsigned char)lx->s[lx->pos], false))
			lx->pos++;
		t->kind = PYSOURCE_NAME;
		if (lx->pos < lx->len && (lx->s[lx->pos] == '\'' || lx->s[lx->pos] == '"') &&
		    string_prefix(lx->s + t->start, lx->pos - t->start, t))
			lex_string(lx, t);
	} else if (c == '\'' || c == '"') {
		lex_string(lx, t);
	} else if ((c >= '0' && c <= '9') || (c == '.' && lx->pos + 1 < lx->len &&
					      lx->s[lx->pos + 1] >= '0' && lx->s[lx->pos + 1] <= '9')) {
		t->kind = PYSOURCE_NUMBER;
		lex_number(lx);
	} else {
		t->kind = PYSOURCE_OP;
		lex_op(lx);
		if (c == ')' || c == ']' || c == '}')
			t->depth = lx->depth; /* a bracket is at the depth of its pair */
	}
	t->end = lx->pos;
}

bool pysource_is(const struct pysource_lexer *lx, const struct pysource_token *t,
		 const char *text)
{
	size_t n = strlen(text);

	return (t->kind == PYSOURCE_NAME || t->kind == PYSOURCE_OP) && t->end - t->start == n &&
	       memcmp(lx->s + t->start, text, n) == 0;
}

/* ---- what the checks look for ------------------------------------------- */

void pysource_literals(const char *buf, size_t len, pysource_literal_fn fn, void *ctx)
{
	struct pysource_lexer lx;
	struct pysource_token t;

	pysource_lexer_init(&lx, buf, len);
	for (pysource_next(&lx, &t); t.kind != PYSOURCE_END; pysource_next(&lx, &t))
		if (t.kind == PYSOURCE_STRING && fn(ctx, buf, &t))
			return;
}

/* Files the argument just read under its keyword or position. */
static void end_arg(const struct pysource_lexer *lx, struct pysource_call *c,
		    struct pysource_arg *cur)
{
	if (!cur->n)
		return;
	cur->pos = -1;
	if (cur->n >= 2 && cur->v[0].kind == PYSOURCE_NAME && pysource_is(lx, &cur->v[1], "=")) {
		cur->is_kw = true;
		cur->kw = cur->v[0];
		memmove(cur->v, cur->v + 2, (PYSOURCE_ARG_TOKENS - 2) * sizeof(cur->v[0]));
		cur->n -= 2;
	} else if (pysource_is(lx, &cur->v[0], "*") || pysource_is(lx, &cur->v[0], "**")) {
		c->star = true;
		return;
	} else {
		cur->pos = c->npos++;
	}
	if (c->n < PYSOURCE_CALL_ARGS)
		c->a[c->n++] = *cur;
}

/* A call whose arguments are being read. */
struct frame {
	struct pysource_call c;
	struct pysource_arg cur;  /* the argument being read */
	int depth;                /* brackets open inside the call's parentheses */
	bool open_next;           /* the next token is the call's own "(" */
	/* the commas of "lambda a, b: ..." (until its ':') and of a generator
	 * argument "x for k, v in d" (its only argument) split nothing */
	bool in_lambda, in_genexp;
};

/* Feeds the call's arguments one token; true when t closed them. */
static bool feed(struct frame *f, const struct pysource_lexer *lx,
		 const struct pysource_token *t)
{
	if (f->open_next) {
		f->open_next = false;
		return false;
	}
	if (f->depth == 0 && pysource_is(lx, t, "lambda"))
		f->in_lambda = true;
	else if (f->depth == 0 && f->in_lambda && pysource_is(lx, t, ":"))
		f->in_lambda = false;
	else if (f->depth == 0 && f->cur.n && pysource_is(lx, t, "for"))
		f->in_genexp = true;
	if (f->depth == 0 && (pysource_is(lx, t, ")") ||
			      (pysource_is(lx, t, ",") && !f->in_lambda && !f->in_genexp))) {
		end_arg(lx, &f->c, &f->cur);
		if (pysource_is(lx, t, ")"))
			return true;
		memset(&f->cur, 0, sizeof(f->cur));
		return false;
	}
	if (pysource_is(lx, t, "(") || pysource_is(lx, t, "[") || pysource_is(lx, t, "{"))
		f->depth++;
	else if (pysource_is(lx, t, ")") || pysource_is(lx, t, "]") || pysource_is(lx, t, "}"))
		f->depth--;
	if (f->cur.n < PYSOURCE_ARG_TOKENS)
		f->cur.v[f->cur.n] = *t;
	f->cur.n++;
	return false;
}

/* Whether t, a NAME, is one of funcs called here (the next token is "("). */
static const char *called(const struct pysource_lexer *lx, const struct pysource_token *t,
			  const struct pysource_token *prev, const char *const *funcs)
{
	struct pysource_lexer peek;
	struct pysource_token open;
	size_t i;

	if (t->kind != PYSOURCE_NAME || pysource_is(lx, prev, "def") ||
	    pysource_is(lx, prev, "class"))
		return NULL;
	for (i = 0; funcs[i]; i++)
		if (pysource_is(lx, t, funcs[i]))
			break;
	if (!funcs[i])
		return NULL;
	peek = *lx;
	pysource_next(&peek, &open);
	return pysource_is(&peek, &open, "(") ? funcs[i] : NULL;
}

static int cmp_call(const void *a, const void *b)
{
	size_t x = ((const struct pysource_call *)a)->name.start;
	size_t y = ((const struct pysource_call *)b)->name.start;

	return x < y ? -1 : x > y;
}

/* Gives fn the calls that ended, in the order they start. */
static void flush(struct pysource_call *done, size_t *ndone, const struct pysource_lexer *lx,
		  pysource_call_fn fn, void *ctx)
{
	size_t i;

	if (*ndone > 1)
		qsort(done, *ndone, sizeof(*done), cmp_call);
	for (i = 0; i < *ndone; i++)
		fn(ctx, lx, &done[i]);
	*ndone = 0;
}

void pysource_calls(const char *buf, size_t len, const char *const *funcs, pysource_call_fn fn,
		    void *ctx)
{
	struct pysource_lexer lx;
	struct pysource_token t, prev;
	struct frame *frames = NULL;
	struct pysource_call *done = NULL; /* ended inside a call still open */
	size_t n = 0, cap = 0, ndone = 0, capdone = 0, i;
	const char *func;

	/* one pass: every token goes to the calls still open around it (at
	 * most PYSOURCE_CALLS_NESTED), so nested calls cost no second scan */
	pysource_lexer_init(&lx, buf, len);
	memset(&prev, 0, sizeof(prev));
	for (pysource_next(&lx, &t); t.kind != PYSOURCE_END; prev = t, pysource_next(&lx, &t)) {
		for (i = 0; i < n; i++) {
			if (!feed(&frames[i], &lx, &t))
				continue;
			/* only the innermost call can end here */
			if (ndone == PYSOURCE_CALLS_HELD)
				flush(done, &ndone, &lx, fn, ctx);
			grow_array((void **)&done, &capdone, ndone + 1, sizeof(*done));
			done[ndone++] = frames[i].c;
			n = i;
			if (n == 0)
				flush(done, &ndone, &lx, fn, ctx);
			break;
		}
		if ((func = called(&lx, &t, &prev, funcs)) && n < PYSOURCE_CALLS_NESTED) {
			grow_array((void **)&frames, &cap, n + 1, sizeof(*frames));
			memset(&frames[n], 0, sizeof(frames[n]));
			frames[n].c.func = func;
			frames[n].c.name = t;
			frames[n].open_next = true;
			n++;
		}
	}
	/* calls still open are dropped: the buffer ended inside them */
	flush(done, &ndone, &lx, fn, ctx);
	free(done);
	free(frames);
}

/* Python 3.11's keywords: never an assignment's target or a callee. */
static bool is_keyword(const struct pysource_lexer *lx, const struct pysource_token *t)
{
	static const char *const kw[] = {
		"False", "None", "True", "and", "as", "assert", "async", "await", "break",
		"class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
		"from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
		"pass", "raise", "return", "try", "while", "with", "yield",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kw); i++)
		if (pysource_is(lx, t, kw[i]))
			return true;
	return false;
}

static bool statement_end(const struct pysource_lexer *lx, const struct pysource_token *t)
{
	return t->kind == PYSOURCE_NEWLINE || t->kind == PYSOURCE_END ||
	       (t->depth == 0 && pysource_is(lx, t, ";"));
}

/*
 * One statement that starts with the NAME target: "= DOTTED(...)" or
 * ": ANNOTATION = DOTTED(...)", the call ending the statement.  Leaves *t
 * at the token where it stopped.
 */
static void assignment(struct pysource_lexer *lx, struct pysource_token *t,
		       const struct pysource_token *target, pysource_assign_fn fn, void *ctx)
{
	struct strbuf callee;
	bool ok = false;
	int parens = 0;

	pysource_next(lx, t);
	if (pysource_is(lx, t, ":"))
		while (!statement_end(lx, t) && !(t->depth == 0 && pysource_is(lx, t, "=")))
			pysource_next(lx, t);
	if (!pysource_is(lx, t, "="))
		return;
	strbuf_init(&callee);
	/* "app = (Flask(__name__))": ast has no parentheses */
	for (pysource_next(lx, t); pysource_is(lx, t, "("); pysource_next(lx, t))
		parens++;
	for (;;) {
		if (t->kind != PYSOURCE_NAME || is_keyword(lx, t))
			goto out;
		strbuf_add(&callee, lx->s + t->start, t->end - t->start);
		pysource_next(lx, t);
		if (!pysource_is(lx, t, "."))
			break;
		strbuf_addc(&callee, '.');
		pysource_next(lx, t);
	}
	if (!pysource_is(lx, t, "("))
		goto out;
	pysource_next(lx, t);
	while (t->kind != PYSOURCE_END && !(t->depth == parens && pysource_is(lx, t, ")")))
		pysource_next(lx, t);
	if (t->kind == PYSOURCE_END)
		goto out;
	pysource_next(lx, t);
	for (; parens > 0 && pysource_is(lx, t, ")"); parens--)
		pysource_next(lx, t);
	ok = parens == 0 && statement_end(lx, t);
out:
	if (ok) {
		_cleanup_free_ char *name = xstrndup(lx->s + target->start,
						     target->end - target->start);

		fn(ctx, name, callee.buf, target->line);
	}
	strbuf_finish(&callee);
}

void pysource_assignments(const char *buf, size_t len, pysource_assign_fn fn, void *ctx)
{
	struct pysource_lexer lx;
	struct pysource_token t, target;
	bool top = false;     /* the logical line is a top-level simple statement list */
	bool start = false;   /* t starts a statement */

	pysource_lexer_init(&lx, buf, len);
	pysource_next(&lx, &t);
	while (t.kind != PYSOURCE_END) {
		if (t.line_start) {
			/* a compound statement's line ("if x: a = f()") is not top-level */
			top = t.column == 1 && !(t.kind == PYSOURCE_NAME && is_keyword(&lx, &t)) &&
			      !pysource_is(&lx, &t, "@");
			start = true;
		}
		if (top && start && t.kind == PYSOURCE_NAME && !is_keyword(&lx, &t)) {
			target = t;
			assignment(&lx, &t, &target, fn, ctx);
		} else {
			pysource_next(&lx, &t);
		}
		start = false;
		/* after "a = f(); b = g()": the next statement of the line */
		while (t.kind != PYSOURCE_END && !t.line_start) {
			if (t.depth == 0 && pysource_is(&lx, &t, ";")) {
				pysource_next(&lx, &t);
				start = !t.line_start && t.kind != PYSOURCE_NEWLINE;
				break;
			}
			pysource_next(&lx, &t);
		}
	}
}

/* ---- the walk over the app's tree ---------------------------------------- */

bool pysource_skip_dir(const char *name)
{
	static const char *const names[] = {
		"__pycache__", "site-packages", "dist-packages", "node_modules", "bower_components",
		"vendor", "vendored", "_vendor", "third_party", "third-party",
		"tests", "test", /* the app's tests do not run under deploy-run */
	};
	size_t i;

	if (name[0] == '.')
		return true; /* .git, .venv, .tox, caches */
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (str_eq(name, names[i]))
			return true;
	return false;
}

bool pysource_skip_file(const char *name)
{
	return str_starts_with(name, "test_") || str_ends_with(name, "_test.py") ||
	       str_eq(name, "conftest.py");
}

struct walker {
	struct pysource_walk *w;
	pysource_file_fn fn;
	void *ctx;
	size_t entries;
	struct strbuf path;
	size_t root_len;  /* path.buf[root_len] starts rel (after the '/') */
};

static void visit_file(struct walker *wk, int dfd, const char *name)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct pysource_file f;
	struct strbuf data;
	struct stat st;
	char chunk[64 * 1024];
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > PYSOURCE_FILE_MAX)
		return; /* unreadable or huge: not the app's own code to judge */
	strbuf_init(&data);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || data.len + (size_t)n > PYSOURCE_FILE_MAX) {
			strbuf_finish(&data);
			return;
		}
		strbuf_add(&data, chunk, (size_t)n);
	}
	f.len = data.len;
	buf = strbuf_detach(&data);
	f.buf = buf;
	f.path = wk->path.buf;
	f.rel = wk->path.buf + wk->root_len;
	wk->w->files++;
	wk->fn(wk->ctx, &f);
}

static void visit_dir(struct walker *wk, int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	struct strv names = STRV_INIT;
	size_t i;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		if (path_is_dot(de->d_name))
			continue;
		if (++wk->entries > PYSOURCE_ENTRIES_MAX) {
			wk->w->truncated = true;
			break;
		}
		strv_push(&names, de->d_name);
	}
	if (names.n)
		strv_sort(&names);
	for (i = 0; i < names.n && !wk->w->truncated; i++) {
		const char *name = names.v[i];
		size_t keep = wk->path.len;
		struct stat st;

		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		strbuf_addc(&wk->path, '/');
		strbuf_adds(&wk->path, name);
		if (S_ISDIR(st.st_mode) && depth < wk->w->max_depth && !pysource_skip_dir(name) &&
		    !(wk->w->venv && str_eq(wk->path.buf, wk->w->venv))) {
			int sub = openat(dirfd(d), name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			/* a virtualenv under another name */
			if (sub >= 0 && faccessat(sub, "pyvenv.cfg", F_OK, 0) == 0)
				close(sub);
			else if (sub >= 0)
				visit_dir(wk, sub, depth + 1);
		} else if (S_ISREG(st.st_mode) && str_ends_with(name, ".py") &&
			   !pysource_skip_file(name)) {
			visit_file(wk, dirfd(d), name);
		}
		wk->path.len = keep;
		wk->path.buf[keep] = '\0';
	}
	strv_finish(&names);
	closedir(d);
}

int pysource_walk(struct pysource_walk *w, pysource_file_fn fn, void *ctx)
{
	struct walker wk = {w, fn, ctx, 0, {NULL, 0, 0}, 0};
	int fd;

	w->truncated = false;
	w->files = 0;
	if (w->max_depth <= 0 || w->max_depth > PYSOURCE_DEPTH_MAX)
		w->max_depth = PYSOURCE_DEPTH_MAX;
	fd = open(w->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	strbuf_init(&wk.path);
	strbuf_adds(&wk.path, w->root);
	while (wk.path.len > 1 && wk.path.buf[wk.path.len - 1] == '/')
		wk.path.buf[--wk.path.len] = '\0';
	wk.root_len = wk.path.len + 1;
	visit_dir(&wk, fd, 0);
	strbuf_finish(&wk.path);
	return 0;
}
