/*
 * TOML 1.0.  The grammar is read the way tomli reads it (one statement at
 * a time, values by their first characters, then the date, time and number
 * patterns), so that both accept the same documents; see toml.h.
 */
#include "toml.h"
#include "arena.h"
#include "hash.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Node flags: what tomli's Flags record, kept on the nodes themselves. */
#define F_EXPLICIT 1u  /* defined by a header, [[...]] or dotted keys: [x] may not define it */
#define F_FROZEN 2u    /* an inline table or an array value: immutable, with all it holds */
#define F_AOT 4u       /* an array of tables made by [[...]] */
#define F_PENDING 8u   /* made or crossed by a dotted key in this section */

/*
 * What a root owns: the arena of the tree (first, so that the root's arena
 * pointer is this), and the caller's buffer toml_parse_owned() took.
 */
struct toml_doc {
	struct arena arena;
	char *owned;
};

static void doc_free(struct toml_doc *d);

/* Above this many keys a table gets a hash index. */
#define INDEX_FROM 8

struct parser {
	const char *s;      /* the document, CRLF read as LF */
	char *buf;          /* the same, writable: string values end with a NUL put there */
	size_t len;
	const char *name;
	struct error *err;
	struct toml_value **pending;  /* tables crossed by dotted keys since the last header */
	size_t n_pending, cap_pending;
	struct arena *arena; /* where the values go: the root's */
	size_t lc_pos;      /* locate()'s last answer, to go on from */
	size_t lc_bol;      /* where the line of lc_pos begins */
	int lc_line, lc_column;
	bool ascii;         /* no byte above 0x7F: a column is a byte offset */
};

/* A string's bytes: a slice of the document, or of the arena when escapes were decoded. */
struct slice {
	const char *s;
	size_t len;
	bool in_doc;  /* s points into the document (no escape was decoded) */
};

#define KEY_INLINE 8

/* A key's parts: slices of the document (or of the arena for decoded escapes). */
struct key_part {
	const char *s;
	size_t len;
	size_t pos;
	int line, column;
	bool in_doc;  /* s is a slice of the document */
};

struct key {
	struct key_part *v; /* inl, or malloc'd beyond KEY_INLINE parts */
	size_t n, cap;
	struct key_part inl[KEY_INLINE];
};

static void key_init(struct key *k)
{
	k->v = k->inl;
	k->n = 0;
	k->cap = KEY_INLINE;
}

static void key_finish(struct key *k)
{
	if (k->v != k->inl)
		free(k->v);
	key_init(k);
}

static struct key_part *key_push(struct key *k)
{
	if (k->n == k->cap) {
		struct key_part *v = xmalloc(2 * k->cap * sizeof(*v));

		memcpy(v, k->v, k->n * sizeof(*v));
		if (k->v != k->inl)
			free(k->v);
		k->v = v;
		k->cap *= 2;
	}
	return &k->v[k->n++];
}

/*
 * Room for need elements of elem bytes at *v (n of them in use) in the
 * arena: the vectors of the tree live there too, so that freeing it is
 * freeing the arena.  A vector outgrown stays behind in the arena, which
 * at most doubles what the vectors take.
 */
static void arena_vec_grow(struct arena *a, void **v, uint32_t *cap, size_t n, size_t need,
			   size_t elem)
{
	/* need stays below the document's length (an element takes a byte at
	 * least), which parse_doc() keeps under 4 GiB: c fits */
	size_t c = *cap ? (size_t)*cap * 2 : 4;
	void *nv;

	if (need <= *cap)
		return;
	while (c < need)
		c *= 2;
	nv = arena_alloc(a, c * elem);
	if (n)
		memcpy(nv, *v, n * elem);
	*v = nv;
	*cap = (uint32_t)c;
}

/* ---- positions and errors ---- */

/* Line and column (in characters) of pos; linear from the last position asked. */
static void locate(struct parser *p, size_t pos, int *line, int *column)
{
	size_t i, from;
	const char *nl;

	if (pos > p->len)
		pos = p->len;
	if (pos < p->lc_pos || !p->lc_line) {
		p->lc_pos = 0;
		p->lc_bol = 0;
		p->lc_line = 1;
		p->lc_column = 1;
	}
	from = p->lc_pos;
	while ((nl = memchr(p->s + from, '\n', pos - from))) {
		p->lc_line++;
		p->lc_column = 1;
		from = (size_t)(nl - p->s) + 1;
		p->lc_bol = from;
	}
	if (p->ascii) {
		p->lc_column = (int)(pos - p->lc_bol) + 1;
	} else {
		for (i = from; i < pos; i++)
			if (((unsigned char)p->s[i] & 0xC0) != 0x80)
				p->lc_column++;
	}
	p->lc_pos = pos;
	*line = p->lc_line;
	*column = p->lc_column;
}

static int fail(struct parser *p, size_t pos, const char *fmt, ...) PRINTF_LIKE(3, 4);

static int fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;
	int line, column;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	locate(p, pos, &line, &column);
	if (pos >= p->len)
		return error_at(p->err, p->name, line, column, "%s (at the end of the document)",
				msg);
	return error_at(p->err, p->name, line, column, "%s", msg);
}

/* ---- the tree ---- */

/* Values, keys and strings live in the parser's arena (the root's once parsed). */
static struct toml_value *new_value_at(struct parser *p, enum toml_type type, int line,
				       int column)
{
	struct toml_value *v = arena_alloc(p->arena, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->type = type;
	v->line = line;
	v->column = column;
	return v;
}

/* A value that starts at pos, where parsing is (locate() goes forward only, cheaply). */
static struct toml_value *new_value(struct parser *p, enum toml_type type, size_t pos)
{
	int line, column;

	locate(p, pos, &line, &column);
	return new_value_at(p, type, line, column);
}

void toml_value_destroy(struct toml_value *v)
{
	struct arena *a;

	if (!v)
		return;
	a = v->arena;
	if (a)
		doc_free((struct toml_doc *)(void *)a);
}

static size_t hash_key(const char *k, size_t len)
{
	size_t h = 14695981039346656037ull, i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h;
}

static void index_put(struct toml_value *t, size_t at)
{
	const struct toml_kv *kv = &t->u.t.v[at];
	size_t mask = t->u.t.index_cap - 1;
	size_t h = hash_key(kv->key, kv->key_len) & mask;

	while (t->u.t.index[h])
		h = (h + 1) & mask;
	t->u.t.index[h] = at + 1;
}

static void index_rebuild(struct parser *p, struct toml_value *t)
{
	size_t i;

	t->u.t.index_cap = 16;
	while (t->u.t.index_cap < t->u.t.n * 2)
		t->u.t.index_cap *= 2;
	t->u.t.index = arena_alloc(p->arena, t->u.t.index_cap * sizeof(*t->u.t.index));
	memset(t->u.t.index, 0, t->u.t.index_cap * sizeof(*t->u.t.index));
	for (i = 0; i < t->u.t.n; i++)
		index_put(t, i);
}

static struct toml_kv *find_kv(const struct toml_value *t, const char *key, size_t len)
{
	size_t i;

	if (!t || t->type != TOML_TABLE)
		return NULL;
	if (t->u.t.index) {
		size_t mask = t->u.t.index_cap - 1, h = hash_key(key, len) & mask;

		for (; t->u.t.index[h]; h = (h + 1) & mask) {
			struct toml_kv *kv = &t->u.t.v[t->u.t.index[h] - 1];

			if (kv->key_len == len && !memcmp(kv->key, key, len))
				return kv;
		}
		return NULL;
	}
	for (i = 0; i < t->u.t.n; i++)
		if (t->u.t.v[i].key_len == len && !memcmp(t->u.t.v[i].key, key, len))
			return &t->u.t.v[i];
	return NULL;
}

static void table_add(struct parser *p, struct toml_value *t, const char *key, size_t len,
		      int line, int column, struct toml_value *v)
{
	struct toml_kv *kv;

	arena_vec_grow(p->arena, (void **)&t->u.t.v, &t->u.t.cap, t->u.t.n, t->u.t.n + 1,
		       sizeof(*t->u.t.v));
	kv = &t->u.t.v[t->u.t.n++];
	kv->key = (char *)key; /* NUL-terminated by key_terminate(), or decoded in the arena */
	kv->key_len = len;
	kv->line = line;
	kv->column = column;
	kv->value = v;
	if (t->u.t.n == INDEX_FROM || (t->u.t.index && t->u.t.n * 2 > t->u.t.index_cap))
		index_rebuild(p, t);
	else if (t->u.t.index)
		index_put(t, t->u.t.n - 1);
}

const struct toml_kv *toml_get_kv(const struct toml_value *t, const char *key)
{
	return find_kv(t, key, strlen(key));
}

const struct toml_value *toml_get(const struct toml_value *t, const char *key)
{
	const struct toml_kv *kv = toml_get_kv(t, key);

	return kv ? kv->value : NULL;
}

const char *toml_type_name(enum toml_type type)
{
	static const char *const names[] = {
		"string", "integer", "float", "boolean", "offset date-time",
		"local date-time", "local date", "local time", "array", "table",
	};

	return (size_t)type < ARRAY_SIZE(names) ? names[type] : "?";
}

static void freeze(struct toml_value *v)
{
	v->flags |= F_FROZEN;
}

static void set_depth(struct toml_value *parent, struct toml_value *child)
{
	child->depth = parent->depth + 1;
}

/* ---- characters ---- */

static int at(const struct parser *p, size_t pos)
{
	return pos < p->len ? (unsigned char)p->s[pos] : -1;
}

static bool starts(const struct parser *p, size_t pos, const char *lit)
{
	size_t n = strlen(lit);

	return pos <= p->len && p->len - pos >= n && !memcmp(p->s + pos, lit, n);
}

/* (The document has a NUL after its end, which stops these scans there.) */
static size_t skip_ws(const struct parser *p, size_t pos)
{
	while (p->s[pos] == ' ' || p->s[pos] == '\t')
		pos++;
	return pos;
}

/* ASCII controls but tab (and, in multi-line strings, LF). */
static bool illegal(int c, bool multiline)
{
	if (c == '\t' || (multiline && c == '\n'))
		return false;
	return (c >= 0 && c < 0x20) || c == 0x7f;
}

static const char *char_name(int c, char buf[32])
{
	if (c == '\n')
		return "a newline";
	if (c == '\r')
		return "a carriage return";
	snprintf(buf, 32, "control character U+%04X", c);
	return buf;
}

static int skip_comment(struct parser *p, size_t *pos)
{
	char buf[32];

	if (at(p, *pos) != '#')
		return 0;
	for ((*pos)++; *pos < p->len && p->s[*pos] != '\n'; (*pos)++)
		if (illegal((unsigned char)p->s[*pos], false))
			return fail(p, *pos, "%s in a comment",
				    char_name((unsigned char)p->s[*pos], buf));
	return 0;
}

static int skip_array_ws(struct parser *p, size_t *pos)
{
	for (;;) {
		size_t before = *pos;

		while (p->s[*pos] == ' ' || p->s[*pos] == '\t' || p->s[*pos] == '\n')
			(*pos)++;
		if (skip_comment(p, pos) < 0)
			return -1;
		if (*pos == before)
			return 0;
	}
}

static bool is_bare(int c)
{
	static const bool bare[256] = {
		['-'] = true, ['_'] = true,
		['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true,
		['5'] = true, ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
		['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true, ['e'] = true, ['f'] = true,
		['g'] = true, ['h'] = true, ['i'] = true, ['j'] = true, ['k'] = true, ['l'] = true,
		['m'] = true, ['n'] = true, ['o'] = true, ['p'] = true, ['q'] = true, ['r'] = true,
		['s'] = true, ['t'] = true, ['u'] = true, ['v'] = true, ['w'] = true, ['x'] = true,
		['y'] = true, ['z'] = true,
		['A'] = true, ['B'] = true, ['C'] = true, ['D'] = true, ['E'] = true, ['F'] = true,
		['G'] = true, ['H'] = true, ['I'] = true, ['J'] = true, ['K'] = true, ['L'] = true,
		['M'] = true, ['N'] = true, ['O'] = true, ['P'] = true, ['Q'] = true, ['R'] = true,
		['S'] = true, ['T'] = true, ['U'] = true, ['V'] = true, ['W'] = true, ['X'] = true,
		['Y'] = true, ['Z'] = true,
	};

	return c >= 0 && bare[c];
}

static void put_utf8(struct strbuf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	strbuf_add(b, u, n);
}

/* ---- strings ---- */

static int escape(struct parser *p, size_t *pos, bool multiline, struct strbuf *out)
{
	int c = at(p, *pos + 1);
	size_t i, n;
	unsigned long cp = 0;

	if (multiline && (c == ' ' || c == '\t' || c == '\n')) {
		/* a line-ending backslash: the line break and the white space after it go */
		*pos += 1;
		*pos = skip_ws(p, *pos);
		if (at(p, *pos) < 0)
			return 0;
		if (at(p, *pos) != '\n')
			return fail(p, *pos, "a backslash in a multi-line string must end the line "
				    "or start an escape");
		while (at(p, *pos) == ' ' || at(p, *pos) == '\t' || at(p, *pos) == '\n')
			(*pos)++;
		return 0;
	}
	switch (c) {
	case 'b': strbuf_add(out, "\b", 1); break;
	case 't': strbuf_add(out, "\t", 1); break;
	case 'n': strbuf_add(out, "\n", 1); break;
	case 'f': strbuf_add(out, "\f", 1); break;
	case 'r': strbuf_add(out, "\r", 1); break;
	case '"': strbuf_add(out, "\"", 1); break;
	case '\\': strbuf_add(out, "\\", 1); break;
	case 'u':
	case 'U':
		n = c == 'u' ? 4 : 8;
		for (i = 0; i < n; i++) {
			int h = hex_value(at(p, *pos + 2 + i));

			if (h < 0)
				return fail(p, *pos + 2, "\\%c needs %zu hexadecimal digits", c, n);
			cp = cp * 16 + (unsigned long)h;
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return fail(p, *pos, "\\%c%.*s is not a Unicode scalar value", c, (int)n,
				    p->s + *pos + 2);
		put_utf8(out, cp);
		*pos += 2 + n;
		return 0;
	default:
		return fail(p, *pos, "invalid escape sequence: \\ must be followed by one of "
			    "b t n f r \" \\ u U%s", multiline ? " or a line break" : "");
	}
	*pos += 2;
	return 0;
}

/*
 * Eight bytes at a time: whether none of the bytes of w is a control
 * character (below 0x20, or DEL) or one of the stop bytes a and b.  The
 * tests are exact ("a byte less than n", "a zero byte", from Bit
 * Twiddling Hacks), so a word that fails only hands the scan to the byte
 * loop.
 */
static bool plain8(uint64_t w, unsigned char a, unsigned char b)
{
	const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
	uint64_t xa = w ^ (lo * a), xb = w ^ (lo * b), xd = w ^ (lo * 0x7f);
	uint64_t stop = ((w - lo * 0x20) & ~w) | ((xa - lo) & ~xa) | ((xb - lo) & ~xb) |
			((xd - lo) & ~xd);

	return !(stop & hi);
}

/* Past the plain bytes (no control, a or b) from pos, a word at a time. */
static size_t plain_run(const struct parser *p, size_t pos, unsigned char a, unsigned char b)
{
	uint64_t w;

	while (p->len - pos >= 8) {
		memcpy(&w, p->s + pos, 8);
		if (!plain8(w, a, b))
			break;
		pos += 8;
	}
	return pos;
}

/*
 * A basic string from after its opening quote(s), up to and past its
 * closing quote(s).  Text without escapes stays where it is; at the first
 * escape *dec becomes true and out (initialised then) gets the decoded
 * bytes from there on, the text before included.
 */
static int basic_string(struct parser *p, size_t *pos, bool multiline, struct strbuf *out,
			bool *dec)
{
	size_t start = *pos;
	char buf[32];

	for (;;) {
		const unsigned char *u = (const unsigned char *)p->s;
		int c;

		*pos = plain_run(p, *pos, '"', '\\');
		while (*pos < p->len && u[*pos] != '"' && u[*pos] != '\\' && u[*pos] >= 0x20 &&
		       u[*pos] != 0x7f)
			(*pos)++;
		c = at(p, *pos);
		if (c < 0)
			return fail(p, *pos, "unterminated string");
		if (c == '"') {
			if (!multiline || starts(p, *pos, "\"\"\"")) {
				if (*dec)
					strbuf_add(out, p->s + start, *pos - start);
				*pos += multiline ? 3 : 1;
				return 0;
			}
			(*pos)++;
			continue;
		}
		if (c == '\\') {
			if (!*dec) {
				strbuf_init(out);
				*dec = true;
			}
			strbuf_add(out, p->s + start, *pos - start);
			if (escape(p, pos, multiline, out) < 0)
				return -1;
			start = *pos;
			continue;
		}
		if (illegal(c, multiline))
			return fail(p, *pos, "%s in a string%s", char_name(c, buf),
				    c == '\n' ? ": a string in \"...\" ends on its line" : "");
		(*pos)++;
	}
}

/* A literal string from after its opening quote(s), up to and past its closing quote(s). */
static int literal_string(struct parser *p, size_t *pos, bool multiline)
{
	char buf[32];

	for (;;) {
		const unsigned char *u = (const unsigned char *)p->s;
		int c;

		*pos = plain_run(p, *pos, '\'', '\'');
		while (*pos < p->len && u[*pos] != '\'' && u[*pos] >= 0x20 && u[*pos] != 0x7f)
			(*pos)++;
		c = at(p, *pos);
		if (c < 0)
			return fail(p, *pos, "unterminated string");
		if (c == '\'' && (!multiline || starts(p, *pos, "'''"))) {
			*pos += multiline ? 3 : 1;
			return 0;
		}
		if (illegal(c, multiline))
			return fail(p, *pos, "%s in a string%s", char_name(c, buf),
				    c == '\n' ? ": a string in '...' ends on its line" : "");
		(*pos)++;
	}
}

/*
 * A string value or quoted key at pos: out is its bytes, a slice of the
 * document when it has no escape (not NUL-terminated: the closing quote
 * follows), else decoded into the arena (NUL-terminated).
 */
static int string(struct parser *p, size_t *pos, bool allow_multiline, struct slice *out)
{
	char q = p->s[*pos];
	bool ml = allow_multiline && starts(p, *pos, q == '"' ? "\"\"\"" : "'''");
	bool dec = false;
	struct strbuf b;
	size_t start, end;
	int r;

	*pos += ml ? 3 : 1;
	if (ml && at(p, *pos) == '\n')
		(*pos)++;
	start = *pos;
	r = q == '"' ? basic_string(p, pos, ml, &b, &dec) : literal_string(p, pos, ml);
	if (r < 0) {
		if (dec)
			strbuf_finish(&b);
		return -1;
	}
	end = *pos - (ml ? 3 : 1);
	/* up to two quotes right before the closing three belong to the string */
	if (ml && at(p, *pos) == q) {
		if (dec)
			strbuf_add(&b, &q, 1);
		(*pos)++;
		end++;
		if (at(p, *pos) == q) {
			if (dec)
				strbuf_add(&b, &q, 1);
			(*pos)++;
			end++;
		}
	}
	if (dec) {
		out->s = arena_strndup(p->arena, b.buf, b.len);
		out->len = b.len;
		out->in_doc = false;
		strbuf_finish(&b);
	} else {
		out->s = p->s + start;
		out->len = end - start;
		out->in_doc = true;
	}
	return 0;
}

/* ---- keys ---- */

static int parse_key(struct parser *p, size_t *pos, struct key *k)
{
	for (;;) {
		struct key_part *kp;
		struct slice sl;
		int c = at(p, *pos);
		size_t start = *pos;

		if (is_bare(c)) {
			while (is_bare((unsigned char)p->s[*pos]))
				(*pos)++;
			sl.s = p->s + start;
			sl.len = *pos - start;
			sl.in_doc = true;
		} else if (c == '"' || c == '\'') {
			if (string(p, pos, false, &sl) < 0)
				return -1;
		} else {
			return fail(p, *pos, k->n ? "expected a key after '.'"
					     : "expected a key (letters, digits, - and _, or quoted)");
		}
		kp = key_push(k);
		kp->s = sl.s;
		kp->len = sl.len;
		kp->in_doc = sl.in_doc;
		kp->pos = start;
		locate(p, start, &kp->line, &kp->column);
		*pos = skip_ws(p, *pos);
		if (at(p, *pos) != '.')
			return 0;
		*pos = skip_ws(p, *pos + 1);
	}
}

/*
 * NUL-terminates the parts of k that are slices of the document, by
 * overwriting the byte after each (a quote, a space, '.', '=' or ']'),
 * which the parse has passed for good once the key is followed by its '='
 * or ']': the tables then keep the keys where they are, without a copy.
 */
static void key_terminate(struct parser *p, const struct key *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].in_doc)
			p->buf[k->v[i].s - p->s + k->v[i].len] = '\0';
}

static char *key_text(const struct key *k, size_t upto)
{
	struct strbuf b;
	size_t i, j;

	strbuf_init(&b);
	for (i = 0; i < upto && i < k->n; i++) {
		bool bare = k->v[i].len > 0;

		for (j = 0; j < k->v[i].len; j++)
			bare = bare && is_bare((unsigned char)k->v[i].s[j]);
		if (i)
			strbuf_add(&b, ".", 1);
		if (bare) {
			strbuf_add(&b, k->v[i].s, k->v[i].len);
		} else {
			strbuf_add(&b, "\"", 1);
			for (j = 0; j < k->v[i].len; j++) {
				unsigned char c = (unsigned char)k->v[i].s[j];

				if (c == '"' || c == '\\')
					strbuf_add(&b, "\\", 1);
				if (c < 0x20 || c == 0x7f)
					strbuf_add(&b, "?", 1);
				else
					strbuf_add(&b, (const char *)&k->v[i].s[j], 1);
			}
			strbuf_add(&b, "\"", 1);
		}
	}
	return b.buf;
}

/* ---- values ---- */

static int parse_value(struct parser *p, size_t *pos, int depth, struct toml_value **out);

static bool digits(const struct parser *p, size_t pos, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (at(p, pos + i) < '0' || at(p, pos + i) > '9')
			return false;
	return true;
}

static int num(const struct parser *p, size_t pos, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (p->s[pos + i] - '0');
	return v;
}

/* tomli's _TIME_RE_STR at pos: HH:MM:SS[.fraction]; returns the length, 0 when no match. */
static size_t match_time(const struct parser *p, size_t pos, struct toml_datetime *dt)
{
	size_t n = 8, f;

	if (!digits(p, pos, 2) || at(p, pos + 2) != ':' || !digits(p, pos + 3, 2) ||
	    at(p, pos + 5) != ':' || !digits(p, pos + 6, 2))
		return 0;
	dt->hour = num(p, pos, 2);
	dt->minute = num(p, pos + 3, 2);
	dt->second = num(p, pos + 6, 2);
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 59)
		return 0;
	dt->microsecond = 0;
	if (at(p, pos + 8) == '.' && digits(p, pos + 9, 1)) {
		for (f = 0; digits(p, pos + 9 + f, 1); f++)
			if (f < 6)
				dt->microsecond = dt->microsecond * 10 + (p->s[pos + 9 + f] - '0');
		for (; f < 6; f++)
			dt->microsecond *= 10;
		for (n = 9; digits(p, pos + n, 1); n++)
			;
	}
	return n;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A date, date-time or time at pos: 1 with *out, 0 when none starts there, -1 on error. */
static int datetime(struct parser *p, size_t *pos, struct toml_value **out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct toml_datetime dt;
	size_t s = *pos, n, t;
	enum toml_type type;

	memset(&dt, 0, sizeof(dt));
	if (digits(p, s, 4) && at(p, s + 4) == '-' && digits(p, s + 5, 2) && at(p, s + 7) == '-' &&
	    digits(p, s + 8, 2)) {
		dt.year = num(p, s, 4);
		dt.month = num(p, s + 5, 2);
		dt.day = num(p, s + 8, 2);
		if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > 31)
			return 0;
		n = 10;
		type = TOML_DATE_LOCAL;
		if ((at(p, s + 10) == 'T' || at(p, s + 10) == 't' || at(p, s + 10) == ' ') &&
		    (t = match_time(p, s + 11, &dt))) {
			n = 11 + t;
			type = TOML_DATETIME_LOCAL;
			if (at(p, s + n) == 'Z' || at(p, s + n) == 'z') {
				type = TOML_DATETIME;
				n++;
			} else if ((at(p, s + n) == '+' || at(p, s + n) == '-') &&
				   digits(p, s + n + 1, 2) && at(p, s + n + 3) == ':' &&
				   digits(p, s + n + 4, 2) && num(p, s + n + 1, 2) < 24 &&
				   num(p, s + n + 4, 2) < 60) {
				dt.offset_minutes = num(p, s + n + 1, 2) * 60 + num(p, s + n + 4, 2);
				if (p->s[s + n] == '-')
					dt.offset_minutes = -dt.offset_minutes;
				type = TOML_DATETIME;
				n += 6;
			}
		}
		if (dt.year < 1 || dt.day > mdays[dt.month - 1] + (dt.month == 2 && leap(dt.year)))
			return fail(p, s, "invalid date: %.10s does not exist", p->s + s);
	} else if ((n = match_time(p, s, &dt))) {
		type = TOML_TIME_LOCAL;
	} else {
		return 0;
	}
	*out = new_value(p, type, s);
	(*out)->u.dt = dt;
	*pos = s + n;
	return 1;
}

static size_t digit_run(const struct parser *p, size_t pos, int (*ok)(int))
{
	size_t n = 0;

	if (!ok(at(p, pos)))
		return 0;
	for (n = 1;; n++) {
		if (ok(at(p, pos + n)))
			continue;
		if (at(p, pos + n) == '_' && ok(at(p, pos + n + 1)))
			continue;
		return n;
	}
}

static int is_dec(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return hex_value(c) >= 0; }
static int is_oct(int c) { return c >= '0' && c <= '7'; }
static int is_bin(int c) { return c == '0' || c == '1'; }

/* A number at pos (tomli's RE_NUMBER, then inf and nan): 1, 0 when none, -1 on error. */
static int number(struct parser *p, size_t *pos, struct toml_value **out)
{
	size_t s = *pos, n = 0, i, d;
	bool is_float = false;
	int base = 10;
	char buf[128];
	char *text, *end;
	int r = 1;

	if (at(p, s) == '0' && (at(p, s + 1) == 'x' || at(p, s + 1) == 'o' || at(p, s + 1) == 'b')) {
		int (*ok)(int) = at(p, s + 1) == 'x' ? is_hex : at(p, s + 1) == 'o' ? is_oct : is_bin;

		if ((d = digit_run(p, s + 2, ok))) {
			base = at(p, s + 1) == 'x' ? 16 : at(p, s + 1) == 'o' ? 8 : 2;
			n = 2 + d;
		}
	}
	if (!n) {
		i = s;
		if (at(p, i) == '+' || at(p, i) == '-')
			i++;
		if (at(p, i) == '0')
			d = 1;
		else if (!(d = digit_run(p, i, is_dec))) {
			/* inf and nan */
			const char *specials[] = {"inf", "nan", "+inf", "-inf", "+nan", "-nan"};

			for (i = 0; i < ARRAY_SIZE(specials); i++) {
				if (starts(p, s, specials[i])) {
					*out = new_value(p, TOML_FLOAT, s);
					(*out)->u.f = strchr(specials[i], 'i')
							? (specials[i][0] == '-' ? -INFINITY : INFINITY)
							: NAN;
					*pos = s + strlen(specials[i]);
					return 1;
				}
			}
			return 0;
		}
		i += d;
		if (at(p, i) == '.' && (d = digit_run(p, i + 1, is_dec))) {
			i += 1 + d;
			is_float = true;
		}
		if (at(p, i) == 'e' || at(p, i) == 'E') {
			size_t e = i + 1;

			if (at(p, e) == '+' || at(p, e) == '-')
				e++;
			if ((d = digit_run(p, e, is_dec))) {
				i = e + d;
				is_float = true;
			}
		}
		n = i - s;
	}
	/* the number without its underscores (and the 0x prefix) */
	text = n + 1 <= sizeof(buf) ? buf : xmalloc(n + 1);
	for (i = base == 10 ? 0 : 2, d = 0; i < n; i++)
		if (p->s[s + i] != '_')
			text[d++] = p->s[s + i];
	text[d] = '\0';
	errno = 0;
	if (is_float) {
		*out = new_value(p, TOML_FLOAT, s);
		(*out)->u.f = strtod(text, &end);
	} else {
		long long v = strtoll(text, &end, base);

		if (errno == ERANGE) {
			r = fail(p, s, "integer %.*s is out of range (TOML integers are 64-bit: "
				 "-9223372036854775808 to 9223372036854775807)", (int)n, p->s + s);
		} else {
			*out = new_value(p, TOML_INTEGER, s);
			(*out)->u.i = v;
		}
	}
	if (text != buf)
		free(text);
	*pos = s + n;
	return r;
}

static int array(struct parser *p, size_t *pos, int depth, struct toml_value **out)
{
	struct toml_value *a = new_value(p, TOML_ARRAY, *pos);

	a->depth = depth;
	(*pos)++;
	if (skip_array_ws(p, pos) < 0)
		goto fail;
	if (at(p, *pos) == ']') {
		(*pos)++;
		*out = a;
		return 0;
	}
	for (;;) {
		struct toml_value *v;

		if (parse_value(p, pos, depth + 1, &v) < 0)
			goto fail;
		arena_vec_grow(p->arena, (void **)&a->u.a.v, &a->u.a.cap, a->u.a.n, a->u.a.n + 1,
			       sizeof(*a->u.a.v));
		a->u.a.v[a->u.a.n++] = v;
		if (skip_array_ws(p, pos) < 0)
			goto fail;
		if (at(p, *pos) == ']')
			break;
		if (at(p, *pos) != ',') {
			fail(p, *pos, "unclosed array: expected ',' or ']'");
			goto fail;
		}
		(*pos)++;
		if (skip_array_ws(p, pos) < 0)
			goto fail;
		if (at(p, *pos) == ']')
			break;
	}
	(*pos)++;
	*out = a;
	return 0;
fail:
	toml_value_destroy(a);
	return -1;
}

/* Walks or makes the tables of k's parts but the last, from t, for a dotted key. */
static struct toml_value *dotted_parent(struct parser *p, struct toml_value *t,
					const struct key *k, bool inline_table)
{
	size_t i;

	for (i = 0; i + 1 < k->n; i++) {
		struct toml_kv *kv = find_kv(t, k->v[i].s, k->v[i].len);
		struct toml_value *c;
		_cleanup_free_ char *name = NULL; /* the key so far, made for a message only */

		if (!kv) {
			if (t->depth + 1 > TOML_DEPTH_MAX) {
				fail(p, k->v[i].pos, "keys nested more than %d deep", TOML_DEPTH_MAX);
				return NULL;
			}
			c = new_value_at(p, TOML_TABLE, k->v[i].line, k->v[i].column);
			set_depth(t, c);
			table_add(p, t, k->v[i].s, k->v[i].len, k->v[i].line, k->v[i].column, c);
		} else {
			c = kv->value;
			if (c->type != TOML_TABLE) {
				name = key_text(k, i + 1);
				fail(p, k->v[i].pos, "%s is already defined as %s (line %d), not a table",
				     name, toml_type_name(c->type), kv->line);
				return NULL;
			}
			if (!inline_table && (c->flags & F_EXPLICIT)) {
				name = key_text(k, i + 1);
				fail(p, k->v[i].pos, "the table %s was defined with a header (line %d): "
				     "a dotted key may not add to it", name, c->line);
				return NULL;
			}
			if (c->flags & F_FROZEN) {
				name = key_text(k, i + 1);
				fail(p, k->v[i].pos, "%s is an inline table (line %d): it cannot be "
				     "extended", name, c->line);
				return NULL;
			}
		}
		if (!inline_table && !(c->flags & F_PENDING)) {
			c->flags |= F_PENDING;
			grow_array((void **)&p->pending, &p->cap_pending, p->n_pending + 1,
				   sizeof(*p->pending));
			p->pending[p->n_pending++] = c;
		}
		t = c;
	}
	return t;
}

/* Parses KEY = VALUE at pos into t. */
static int key_value(struct parser *p, size_t *pos, struct toml_value *t, bool inline_table)
{
	struct key k;
	struct toml_value *parent, *v = NULL;
	const struct toml_kv *dup;
	size_t last;

	key_init(&k);
	if (parse_key(p, pos, &k) < 0)
		goto fail;
	if (at(p, *pos) != '=') {
		fail(p, *pos, "expected '=' after the key");
		goto fail;
	}
	key_terminate(p, &k);
	*pos = skip_ws(p, *pos + 1);
	if (!(parent = dotted_parent(p, t, &k, inline_table)))
		goto fail;
	if (parse_value(p, pos, parent->depth + 1, &v) < 0)
		goto fail;
	last = k.n - 1;
	if ((dup = find_kv(parent, k.v[last].s, k.v[last].len))) {
		_cleanup_free_ char *name = key_text(&k, k.n);

		fail(p, k.v[last].pos, "%s is defined twice (first on line %d)", name, dup->line);
		goto fail;
	}
	if (v->type == TOML_ARRAY || v->type == TOML_TABLE)
		freeze(v);
	table_add(p, parent, k.v[last].s, k.v[last].len, k.v[last].line, k.v[last].column, v);
	key_finish(&k);
	return 0;
fail:
	toml_value_destroy(v);
	key_finish(&k);
	return -1;
}

static int inline_table(struct parser *p, size_t *pos, int depth, struct toml_value **out)
{
	struct toml_value *t = new_value(p, TOML_TABLE, *pos);

	t->depth = depth;
	*pos = skip_ws(p, *pos + 1);
	if (at(p, *pos) == '}') {
		(*pos)++;
		*out = t;
		return 0;
	}
	for (;;) {
		if (key_value(p, pos, t, true) < 0)
			goto fail;
		*pos = skip_ws(p, *pos);
		if (at(p, *pos) == '}')
			break;
		if (at(p, *pos) != ',') {
			fail(p, *pos, "unclosed inline table: expected ',' or '}' (an inline table "
			     "is written on one line)");
			goto fail;
		}
		*pos = skip_ws(p, *pos + 1);
	}
	(*pos)++;
	*out = t;
	return 0;
fail:
	toml_value_destroy(t);
	return -1;
}

static int parse_value(struct parser *p, size_t *pos, int depth, struct toml_value **out)
{
	int c = at(p, *pos), r;

	*out = NULL;
	if (depth > TOML_DEPTH_MAX)
		return fail(p, *pos, "values nested more than %d deep", TOML_DEPTH_MAX);
	if (c == '"' || c == '\'') {
		struct slice sl;
		int line, column;

		locate(p, *pos, &line, &column);
		if (string(p, pos, true, &sl) < 0)
			return -1;
		*out = new_value_at(p, TOML_STRING, line, column);
		/* a slice of the document ends at its closing quote, behind the
		 * parse now: that quote becomes its NUL */
		if (sl.in_doc)
			p->buf[sl.s - p->s + sl.len] = '\0';
		(*out)->u.s.ptr = (char *)sl.s;
		(*out)->u.s.len = sl.len;
		(*out)->depth = depth;
		return 0;
	}
	if (starts(p, *pos, "true") || starts(p, *pos, "false")) {
		*out = new_value(p, TOML_BOOLEAN, *pos);
		(*out)->u.b = c == 't';
		(*out)->depth = depth;
		*pos += c == 't' ? 4 : 5;
		return 0;
	}
	if (c == '[')
		return array(p, pos, depth, out);
	if (c == '{')
		return inline_table(p, pos, depth, out);
	if ((r = datetime(p, pos, out)) || (r = number(p, pos, out))) {
		if (r > 0)
			(*out)->depth = depth;
		return r < 0 ? -1 : 0;
	}
	if (c < 0)
		return fail(p, *pos, "expected a value");
	return fail(p, *pos, "invalid value: expected a string, number, boolean, date, time, "
		    "array or inline table");
}

/* ---- headers ---- */

static void finalize_pending(struct parser *p)
{
	size_t i;

	for (i = 0; i < p->n_pending; i++) {
		p->pending[i]->flags &= ~F_PENDING;
		p->pending[i]->flags |= F_EXPLICIT;
	}
	p->n_pending = 0;
}

/* The table [k] or [[k]] names (k's parts but the last), made where missing. */
static struct toml_value *header_walk(struct parser *p, struct toml_value *root, const struct key *k,
				      size_t nparts)
{
	struct toml_value *t = root;
	size_t i;

	for (i = 0; i < nparts; i++) {
		struct toml_kv *kv = find_kv(t, k->v[i].s, k->v[i].len);
		struct toml_value *c;
		_cleanup_free_ char *name = NULL; /* the key so far, made for a message only */

		if (!kv) {
			if (t->depth + 1 > TOML_DEPTH_MAX) {
				fail(p, k->v[i].pos, "tables nested more than %d deep",
				     TOML_DEPTH_MAX);
				return NULL;
			}
			c = new_value_at(p, TOML_TABLE, k->v[i].line, k->v[i].column);
			set_depth(t, c);
			table_add(p, t, k->v[i].s, k->v[i].len, k->v[i].line, k->v[i].column, c);
			t = c;
			continue;
		}
		c = kv->value;
		if (c->flags & F_FROZEN) {
			name = key_text(k, i + 1);
			fail(p, k->v[i].pos, "%s is %s (line %d): it cannot be extended", name,
			     c->type == TOML_TABLE ? "an inline table" : "an array value", c->line);
			return NULL;
		}
		if (c->type == TOML_ARRAY && (c->flags & F_AOT)) {
			t = c->u.a.v[c->u.a.n - 1];
			continue;
		}
		if (c->type != TOML_TABLE) {
			name = key_text(k, i + 1);
			fail(p, k->v[i].pos, "%s is already defined as %s (line %d), not a table",
			     name, toml_type_name(c->type), kv->line);
			return NULL;
		}
		t = c;
	}
	return t;
}

static int table_header(struct parser *p, size_t *pos, struct toml_value *root,
			struct toml_value **section)
{
	size_t start = *pos;
	struct key k;
	struct toml_value *parent, *t;
	struct toml_kv *kv;
	bool aot = starts(p, *pos, "[[");
	size_t last;
	int ret = -1, line, column;

	key_init(&k);
	locate(p, start, &line, &column);
	*pos = skip_ws(p, *pos + (aot ? 2 : 1));
	if (parse_key(p, pos, &k) < 0)
		goto out;
	if (!starts(p, *pos, aot ? "]]" : "]")) {
		fail(p, *pos, aot ? "expected ']]' at the end of the array of tables header"
				  : "expected ']' at the end of the table header");
		goto out;
	}
	*pos += aot ? 2 : 1;
	key_terminate(p, &k);
	last = k.n - 1;
	if (!(parent = header_walk(p, root, &k, last)))
		goto out;
	kv = find_kv(parent, k.v[last].s, k.v[last].len);
	if (aot) {
		struct toml_value *a = kv ? kv->value : NULL;

		if (a && (a->type != TOML_ARRAY || !(a->flags & F_AOT))) {
			_cleanup_free_ char *name = key_text(&k, k.n);

			fail(p, k.v[last].pos, "%s is already defined as %s (line %d): [[%s]] "
			     "may only add to an array of tables", name,
			     a->type == TOML_TABLE && !(a->flags & F_FROZEN) ? "a table"
			     : a->type == TOML_TABLE ? "an inline table"
			     : toml_type_name(a->type), a->line, name);
			goto out;
		}
		if (!a) {
			if (parent->depth + 2 > TOML_DEPTH_MAX) {
				fail(p, k.v[last].pos, "tables nested more than %d deep",
				     TOML_DEPTH_MAX);
				goto out;
			}
			a = new_value_at(p, TOML_ARRAY, k.v[last].line, k.v[last].column);
			a->flags = F_AOT | F_EXPLICIT;
			set_depth(parent, a);
			table_add(p, parent, k.v[last].s, k.v[last].len, k.v[last].line,
				  k.v[last].column, a);
		}
		t = new_value_at(p, TOML_TABLE, line, column);
		t->flags = F_EXPLICIT;
		set_depth(a, t);
		arena_vec_grow(p->arena, (void **)&a->u.a.v, &a->u.a.cap, a->u.a.n, a->u.a.n + 1,
			       sizeof(*a->u.a.v));
		a->u.a.v[a->u.a.n++] = t;
	} else if (kv) {
		_cleanup_free_ char *name = key_text(&k, k.n);

		t = kv->value;
		if (t->type != TOML_TABLE || (t->flags & (F_EXPLICIT | F_FROZEN))) {
			fail(p, k.v[last].pos, "%s is already defined (line %d)%s", name, t->line,
			     t->type == TOML_ARRAY && (t->flags & F_AOT)
				     ? ": as an array of tables"
				     : t->type != TOML_TABLE ? "" : (t->flags & F_FROZEN)
				     ? ": as an inline table" : "");
			goto out;
		}
		t->flags |= F_EXPLICIT;
		/* the table's place is its header now */
		t->line = line;
		t->column = column;
	} else {
		if (parent->depth + 1 > TOML_DEPTH_MAX) {
			fail(p, k.v[last].pos, "tables nested more than %d deep", TOML_DEPTH_MAX);
			goto out;
		}
		t = new_value_at(p, TOML_TABLE, line, column);
		t->flags = F_EXPLICIT;
		set_depth(parent, t);
		table_add(p, parent, k.v[last].s, k.v[last].len, k.v[last].line, k.v[last].column, t);
	}
	*section = t;
	ret = 0;
out:
	key_finish(&k);
	return ret;
}

/* ---- the document ---- */

/* The length of the valid UTF-8 sequence at s, 0 when invalid (RFC 3629). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
			return 0;
		return 4;
	}
	return 0;
}

static int statement_end(struct parser *p, size_t *pos)
{
	*pos = skip_ws(p, *pos);
	if (skip_comment(p, pos) < 0)
		return -1;
	if (at(p, *pos) >= 0 && at(p, *pos) != '\n')
		return fail(p, *pos, "expected the end of the line after a %s",
			    "statement (one key = value or header per line)");
	return 0;
}

/* Bytes from i on that are ASCII, eight at a time while they can be. */
static size_t ascii_run(const char *s, size_t i, size_t n)
{
	while (i + 8 <= n) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			break;
		i += 8;
	}
	while (i < n && !((unsigned char)s[i] & 0x80))
		i++;
	return i;
}

/* CRLF as LF (as tomli reads it, which TOML allows) from src into dst, which
 * may be src itself: returns the new length, lines and columns unchanged. */
static size_t crlf_to_lf(char *dst, const char *src, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len;) {
		const char *cr = memchr(src + i, '\r', len - i);
		size_t run = cr ? (size_t)(cr - src) - i : len - i;

		if (dst + n != src + i)
			memmove(dst + n, src + i, run);
		n += run;
		i += run;
		if (i < len) {
			if (i + 1 < len && src[i + 1] == '\n')
				i++; /* the CR of a CRLF goes */
			else
				dst[n++] = src[i++];
		}
	}
	dst[n] = '\0';
	return n;
}

static void doc_free(struct toml_doc *d)
{
	free(d->owned);
	arena_finish(&d->arena);
	free(d);
}

/* Parses the document doc (n bytes, CRLF already LF, writable) for d. */
static struct toml_value *parse_doc(struct toml_doc *d, char *doc, size_t n, const char *name,
				    struct error *err)
{
	struct parser p;
	struct toml_value *root, *section;
	size_t i, pos = 0;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.err = err;
	p.arena = &d->arena;
	p.s = p.buf = doc;
	p.len = n;
	if (n > UINT32_MAX) {
		error_at(err, name, 0, 0, "the document is too large (4 GiB or more)");
		doc_free(d);
		return NULL;
	}
	p.ascii = true;
	for (i = ascii_run(doc, 0, n); i < n; i = ascii_run(doc, i, n)) {
		size_t l = utf8_len((const unsigned char *)doc + i, n - i);

		p.ascii = false;
		if (!l) {
			fail(&p, i, "invalid UTF-8 (byte 0x%02X): TOML files are UTF-8",
			     (unsigned char)doc[i]);
			doc_free(d);
			return NULL;
		}
		i += l;
	}
	root = section = new_value(&p, TOML_TABLE, 0);
	root->arena = &d->arena;
	if (starts(&p, 0, "\xEF\xBB\xBF")) {
		fail(&p, 0, "a byte order mark (U+FEFF) starts the file: TOML files are UTF-8 "
		     "without one");
		goto fail;
	}
	for (;;) {
		int c;

		pos = skip_ws(&p, pos);
		c = at(&p, pos);
		if (c < 0)
			break;
		if (c == '\n') {
			pos++;
			continue;
		}
		if (is_bare(c) || c == '"' || c == '\'') {
			if (key_value(&p, &pos, section, false) < 0)
				goto fail;
		} else if (c == '[') {
			finalize_pending(&p);
			if (table_header(&p, &pos, root, &section) < 0)
				goto fail;
		} else if (c != '#') {
			fail(&p, pos, "invalid statement: expected a key, a [table] header or a "
			     "comment");
			goto fail;
		}
		if (statement_end(&p, &pos) < 0)
			goto fail;
		if (at(&p, pos) < 0)
			break;
		pos++;
	}
	free(p.pending);
	return root;
fail:
	free(p.pending);
	toml_value_destroy(root);
	return NULL;
}

struct toml_value *toml_parse(const char *buf, size_t len, const char *name, struct error *err)
{
	struct toml_doc *d = xcalloc(1, sizeof(*d));
	/* the copy lives in the arena: string values are slices of it */
	char *doc = arena_alloc(&d->arena, len + 1);

	return parse_doc(d, doc, crlf_to_lf(doc, buf, len), name, err);
}

struct toml_value *toml_parse_owned(char *buf, size_t len, const char *name, struct error *err)
{
	struct toml_doc *d = xcalloc(1, sizeof(*d));

	d->owned = buf;
	return parse_doc(d, buf, crlf_to_lf(buf, buf, len), name, err);
}
