/*
 * .env parser: a transcription of python-dotenv 0.21's parser.py (a chain of
 * regular expressions over the decoded text) into a byte scanner over UTF-8,
 * and of variables.py/main.py's interpolation.  The comments name the
 * python-dotenv regular expression each step stands for; dotenv.h lists the
 * behaviour that follows from them.
 */
#include "dotenv.h"
#include "utf8.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "strbuf.h"
#include "util.h"

struct reader {
	const char *s;     /* the text after newline translation */
	size_t len;
	size_t pos;
	/* lines are counted when asked for (line_of_pos), not at every move */
	size_t counted;    /* lines are counted up to this offset */
	int line;          /* line of counted */
	size_t line_start; /* offset of the first byte of that line */
};

/*
 * Length of the Python white space character (str.isspace, which is also
 * what re's \s matches) at s[i], or 0.  The multi-byte ones all start with a
 * UTF-8 lead byte, so scanning byte by byte never matches inside another
 * character of valid UTF-8.
 */
static size_t ws_at(const char *str, size_t len, size_t i)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c;

	if (i >= len)
		return 0;
	c = s[i];
	if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f))
		return 1;
	if (c < 0x80)
		return 0;
	if (c == 0xc2 && i + 1 < len && (s[i + 1] == 0x85 || s[i + 1] == 0xa0))
		return 2;
	if (i + 2 >= len)
		return 0;
	if (c == 0xe1 && s[i + 1] == 0x9a && s[i + 2] == 0x80)
		return 3;
	if (c == 0xe2 && s[i + 1] == 0x80 &&
	    (s[i + 2] <= 0x8a || s[i + 2] == 0xa8 || s[i + 2] == 0xa9 || s[i + 2] == 0xaf) &&
	    s[i + 2] >= 0x80)
		return 3;
	if (c == 0xe2 && s[i + 1] == 0x81 && s[i + 2] == 0x9f)
		return 3;
	if (c == 0xe3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)
		return 3;
	return 0;
}

/* Length of the white space character that ends just before s[end], not
 * looking before start; 0 when there is none. */
static size_t ws_before(const char *s, size_t start, size_t end)
{
	size_t n;

	for (n = 1; n <= 3 && n <= end - start; n++)
		if (ws_at(s, end, end - n) == n)
			return n;
	return 0;
}

/* Horizontal white space: [^\S\r\n] (after translation only "\n" is left). */
static size_t hws_at(const struct reader *r, size_t i)
{
	if (i < r->len && r->s[i] == '\n')
		return 0;
	return ws_at(r->s, r->len, i);
}

static size_t skip_ws(const struct reader *r, size_t i)
{
	size_t n;

	while ((n = ws_at(r->s, r->len, i)) > 0)
		i += n;
	return i;
}

static size_t skip_hws(const struct reader *r, size_t i)
{
	size_t n;

	while ((n = hws_at(r, i)) > 0)
		i += n;
	return i;
}

static size_t end_of_line(const struct reader *r, size_t i)
{
	const char *nl = memchr(r->s + i, '\n', r->len - i);

	return nl ? (size_t)(nl - r->s) : r->len;
}

/* Moves the reader forward to to (Position.advance). */
static void advance(struct reader *r, size_t to)
{
	r->pos = to;
}

/* The 1-based line of r->pos (and r->line_start, where it starts). */
static int line_of_pos(struct reader *r)
{
	const char *p = r->s + r->counted, *end = r->s + r->pos;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		r->line++;
		r->line_start = (size_t)(++p - r->s);
	}
	r->counted = r->pos;
	return r->line;
}

static void add_problem(struct dotenv *d, struct reader *r, size_t at, int start_line,
			const char *msg)
{
	struct dotenv_problem *p;

	line_of_pos(r);
	grow_array((void **)&d->problems, &d->pcap, d->nproblems + 1, sizeof(*d->problems));
	p = &d->problems[d->nproblems++];
	p->line = r->line;
	p->column = (int)(at - r->line_start) + 1;
	p->start_line = start_line;
	p->message = arena_strdup(&d->arena, msg);
}

static struct dotenv_entry *add_entry(struct dotenv *d)
{
	struct dotenv_entry *e;

	grow_array((void **)&d->entries, &d->cap, d->n + 1, sizeof(*d->entries));
	e = &d->entries[d->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/*
 * '((?:\\'|[^'])*)' and its double-quoted twin, from the opening quote at
 * open.  The greedy loop stops at the first quote that no backslash
 * precedes; when it runs out of text, backtracking makes the last \q taken
 * give up its quote, which then closes the value.  Returns the offset of
 * the closing quote, or 0 when there is none.
 */
static size_t closing_quote(const struct reader *r, size_t open, char q)
{
	/* A backslash pairs only with a quote right after it, so a quote is
	 * escaped exactly when a backslash precedes it (s[open] is the opening
	 * quote, never a backslash). */
	const char *p = r->s + open + 1, *end = r->s + r->len;
	size_t last = 0;

	while ((p = memchr(p, q, (size_t)(end - p))) != NULL) {
		if (p[-1] != '\\')
			return (size_t)(p - r->s);
		last = (size_t)(p++ - r->s);
	}
	return last;
}

/* decode_escapes(): \\[\\'] for single quotes, \\[\\'"abfnrtv] for double.
 * Decoding only shortens the text: the result is written into d's arena. */
static char *decode_escapes(struct dotenv *d, const char *s, size_t n, char q)
{
	static const char from[] = "\\'\"abfnrtv", to[] = "\\'\"\a\b\f\n\r\t\v";
	char *out = arena_alloc(&d->arena, n + 1);
	const char *hit;
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		const char *bs = memchr(s + i, '\\', n - i);
		size_t run = bs ? (size_t)(bs - s) - i : n - i;

		/* the text up to the next backslash, as one run */
		if (run) {
			memcpy(out + o, s + i, run);
			o += run;
			i += run;
			if (i >= n)
				break;
		}
		if (s[i] == '\\' && i + 1 < n && s[i + 1] != '\0' &&
		    (hit = strchr(from, s[i + 1])) != NULL && (q == '"' || hit - from < 2)) {
			out[o++] = to[hit - from];
			i++;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* parse_unquoted_value(): [^\r\n]*, then re.sub(r"\s+#.*", "", part).rstrip(). */
static char *unquoted_value(struct reader *r, struct dotenv *d, bool *nul)
{
	size_t start = r->pos, eol = end_of_line(r, start), end = eol, n;
	const char *hash = r->s + start;

	while ((hash = memchr(hash + 1, '#', eol - (size_t)(hash + 1 - r->s))) != NULL) {
		if (ws_before(r->s, start, (size_t)(hash - r->s)) > 0) {
			end = (size_t)(hash - r->s);
			break;
		}
	}
	advance(r, eol);
	while ((n = ws_before(r->s, start, end)) > 0)
		end -= n;
	if (d->encoding.nul_line && memchr(r->s + start, '\0', end - start))
		*nul = true;
	return arena_strndup(&d->arena, r->s + start, end - start);
}

/*
 * parse_binding(): one statement.  Returns after consuming it; a statement
 * python-dotenv cannot parse becomes a problem and is skipped with
 * _rest_of_line from where parsing stopped.
 */
static void parse_binding(struct reader *r, struct dotenv *d)
{
	char *key = NULL, *value = NULL, quote = 0;
	bool nul = false, eq = false;
	const char *msg;
	size_t i, q;
	int line;

	advance(r, skip_ws(r, r->pos));          /* _multiline_whitespace */
	if (r->pos >= r->len)
		return;
	line = line_of_pos(r);

	if (r->len - r->pos > 6 && memcmp(r->s + r->pos, "export", 6) == 0 &&
	    hws_at(r, r->pos + 6) > 0)           /* _export */
		advance(r, skip_hws(r, r->pos + 6));

	if (r->pos < r->len && r->s[r->pos] == '#') {
		key = NULL;                      /* a comment */
	} else if (r->pos < r->len && r->s[r->pos] == '\'') {  /* _single_quoted_key */
		const char *close = memchr(r->s + r->pos + 1, '\'', r->len - r->pos - 1);

		if (!close || close == r->s + r->pos + 1) {
			msg = close ? "empty quoted key" : "unterminated quoted key (no closing ')";
			goto fail;
		}
		nul = d->encoding.nul_line &&
		      memchr(r->s + r->pos + 1, '\0', (size_t)(close - r->s) - r->pos - 1);
		key = arena_strndup(&d->arena, r->s + r->pos + 1,
				    (size_t)(close - r->s) - r->pos - 1);
		eq = memchr(r->s + r->pos + 1, '=', (size_t)(close - r->s) - r->pos - 1) != NULL;
		advance(r, (size_t)(close - r->s) + 1);
	} else {                                 /* _unquoted_key */
		for (i = r->pos; i < r->len; i++) {
			unsigned char c = (unsigned char)r->s[i];

			if (c == '=' || c == '#')
				break;
			if (c > ' ' && c < 0x7f)
				continue; /* never white space: no need to ask ws_at() */
			if (c == '\0')
				nul = true;
			if (ws_at(r->s, r->len, i))
				break;
		}
		if (i == r->pos) {
			msg = "expected a variable name";
			goto fail;
		}
		key = arena_strndup(&d->arena, r->s + r->pos, i - r->pos);
		advance(r, i);
	}

	advance(r, skip_hws(r, r->pos));         /* _whitespace */
	if (r->pos < r->len && r->s[r->pos] == '=') {
		advance(r, skip_hws(r, r->pos + 1)); /* _equal_sign */
		quote = r->pos < r->len ? r->s[r->pos] : '\n';
		if (quote == '\'' || quote == '"') {
			q = closing_quote(r, r->pos, quote);
			if (!q) {
				msg = quote == '"' ? "unterminated double-quoted value (no closing \")"
						   : "unterminated single-quoted value (no closing ')";
				goto fail;
			}
			if (d->encoding.nul_line && memchr(r->s + r->pos + 1, '\0', q - r->pos - 1))
				nul = true;
			value = decode_escapes(d, r->s + r->pos + 1, q - r->pos - 1, quote);
			advance(r, q + 1);
		} else if (quote == '\n') {
			quote = 0;
			value = arena_strndup(&d->arena, "", 0);
		} else {
			quote = 0;
			value = unquoted_value(r, d, &nul);
		}
	}

	i = skip_hws(r, r->pos);                 /* _comment */
	if (i < r->len && r->s[i] == '#')
		advance(r, end_of_line(r, i));
	i = skip_hws(r, r->pos);                 /* _end_of_line */
	if (i < r->len && r->s[i] != '\n') {
		/* key and value stay in the arena, unused */
		if (!value)
			msg = "expected \"=\" or the end of the line after the variable name";
		else if (quote)
			msg = "expected the end of the line after the closing quote";
		else
			msg = "expected the end of the line";
		add_problem(d, r, i, line, msg);
		advance(r, end_of_line(r, r->pos));
		if (r->pos < r->len)
			advance(r, r->pos + 1);
		return;
	}
	advance(r, i < r->len ? i + 1 : i);
	if (key) {
		struct dotenv_entry *e = add_entry(d);

		e->key = key;
		e->value = value;
		e->quote = value ? quote : 0;
		e->interpolate = value != NULL;
		e->line = line;
		e->nul = nul;
		e->eq = eq;
	}
	return;

fail:
	add_problem(d, r, r->pos, line, msg);              /* _rest_of_line */
	advance(r, end_of_line(r, r->pos));
	if (r->pos < r->len)
		advance(r, r->pos + 1);
}

/* The end of the run of bytes from 0x0e to 0x7f that starts at s[i]. */
static size_t plain_run(const unsigned char *s, size_t i, size_t len)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t w;

	/* (w - 0x0e in every byte) | w has a byte's high bit set exactly when
	 * some byte is below 0x0e or from 0x80: a borrow between bytes only
	 * comes from a byte below 0x0e, which is caught anyway. */
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		if (((w - ones * 0x0e) | w) & highs)
			break;
	}
	while (i < len && (unsigned char)(s[i] - 0x0e) < 0x80 - 0x0e)
		i++;
	return i;
}

/*
 * Universal newlines ("\r\n" and "\r" become "\n") into a new buffer, and
 * the encoding facts of the original bytes.  Returns NULL (and *outlen =
 * len) when buf holds no "\r": its text is buf as it is.
 */
static char *translate(const char *buf, size_t len, size_t *outlen, struct dotenv_encoding *enc)
{
	const unsigned char *s = (const unsigned char *)buf;
	/* without a "\r" the text is buf itself: only the facts are gathered */
	char *out = memchr(buf, '\r', len) ? xmalloc(len + 1) : NULL;
	size_t i = 0, o = 0, n;
	int line = 1;

	memset(enc, 0, sizeof(*enc));
	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		enc->bom = 1;
	while (i < len) {
		size_t run = i;

		/* ASCII from 0x0e (past CR, LF and NUL; the rarer controls take the
		 * slow path too): copied as one run, found 8 bytes at a time */
		i = plain_run(s, i, len);
		if (i > run && out)
			memcpy(out + o, s + run, i - run);
		o += i - run;
		if (i >= len)
			break;
		if (s[i] == '\r') {
			if (i + 1 < len && s[i + 1] == '\n') {
				if (!enc->crlf_line)
					enc->crlf_line = line;
				i++;
			} else if (!enc->cr_line) {
				enc->cr_line = line;
			}
			out[o++] = '\n';
			line++;
			i++;
			continue;
		}
		if (s[i] == '\n')
			line++;
		else if (s[i] == '\0' && !enc->nul_line)
			enc->nul_line = line;
		n = utf8_valid_at(s, len, i);
		if (n == 0) {
			if (!enc->invalid_utf8_line)
				enc->invalid_utf8_line = line;
			n = 1;
		}
		if (out)
			memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	if (out)
		out[o] = '\0';
	*outlen = o;
	return out;
}

int dotenv_parse(const char *buf, size_t len, const char *name, struct dotenv *out,
		 struct error *err)
{
	struct reader r = {0};
	char *text;

	if (len > INT_MAX)
		return error_at(err, name, 0, 0, "file too large (%zu bytes)", len);
	text = translate(buf, len, &r.len, &out->encoding);
	r.s = text ? text : buf;
	r.line = 1;
	while (r.pos < r.len)                     /* parse_stream() */
		parse_binding(&r, out);
	free(text);
	return 0;
}

void dotenv_finish(struct dotenv *d)
{
	if (!d)
		return;
	arena_finish(&d->arena);
	free(d->entries);
	free(d->problems);
	*d = (struct dotenv)DOTENV_INIT;
}

const char *dotenv_refused_why(const struct dotenv_entry *e)
{
	if (e->nul)
		return "it holds a NUL byte, which no environment variable can hold";
	if (!e->key[0])
		return "the variable name is empty";
	if (e->eq)
		return "the variable name holds \"=\", so the server would get another "
		       "variable (the name up to the first \"=\")";
	return NULL;
}

long dotenv_find(const struct dotenv *d, const char *key)
{
	size_t i;

	for (i = d->n; i-- > 0;)
		if (strcmp(d->entries[i].key, key) == 0)
			return (long)i;
	return -1;
}

/*
 * variables.py's _posix_variable, \$\{(?P<name>[^\}:]*)(?::-(?P<default>[^\}]*))?\}
 * tried at every offset as re.finditer() does.
 */
void dotenv_expand_into(struct strbuf *sb, const char *value, dotenv_lookup_fn lookup,
			void *ctx)
{
	const char *p = value, *name, *name_end, *def, *def_end, *end, *v;
	char small[128], *key;
	size_t n;

	while (*p) {
		if (p[0] != '$' || p[1] != '{') {
			/* literal text up to the next '$', as one run */
			const char *dollar = strchr(p + 1, '$');

			n = dollar ? (size_t)(dollar - p) : strlen(p);
			strbuf_add(sb, p, n);
			p += n;
			continue;
		}
		name = p + 2;
		name_end = name + strcspn(name, "}:");
		def = def_end = NULL;
		if (*name_end == '}') {
			end = name_end + 1;
		} else if (name_end[0] == ':' && name_end[1] == '-' &&
			   name_end[2 + strcspn(name_end + 2, "}")] == '}') {
			def = name_end + 2;
			def_end = def + strcspn(def, "}");
			end = def_end + 1;
		} else {
			strbuf_addc(sb, *p++);
			continue;
		}
		n = (size_t)(name_end - name);
		key = n < sizeof(small) ? small : xmalloc(n + 1);
		memcpy(key, name, n);
		key[n] = '\0';
		if (lookup(ctx, key, &v)) {
			if (v)
				strbuf_adds(sb, v);
		} else if (def) {
			strbuf_add(sb, def, (size_t)(def_end - def));
		}
		if (key != small)
			free(key);
		p = end;
	}
}

char *dotenv_expand(const char *value, dotenv_lookup_fn lookup, void *ctx)
{
	struct strbuf sb;

	strbuf_init(&sb);
	dotenv_expand_into(&sb, value, lookup, ctx);
	return strbuf_detach(&sb);
}

/* resolve_variables()'s new_values: the output entries with a hash index. */
struct resolved {
	struct dotenv *out;
	size_t *slots; /* index + 1 into out->entries, 0 when free */
	size_t mask;
	dotenv_lookup_fn environ_lookup;
	void *environ_ctx;
	bool override;
};

static size_t *slot_of(struct resolved *rs, const char *key)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;
	size_t i;

	for (p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (i = (size_t)h & rs->mask;; i = (i + 1) & rs->mask)
		if (!rs->slots[i] || strcmp(rs->out->entries[rs->slots[i] - 1].key, key) == 0)
			return &rs->slots[i];
}

static bool lookup_resolved(void *ctx, const char *name, const char **value)
{
	struct resolved *rs = ctx;
	size_t *slot;

	if (!rs->override && rs->environ_lookup &&
	    rs->environ_lookup(rs->environ_ctx, name, value))
		return true;
	slot = slot_of(rs, name);
	if (*slot) {
		*value = rs->out->entries[*slot - 1].value;
		return true;
	}
	return rs->override && rs->environ_lookup &&
	       rs->environ_lookup(rs->environ_ctx, name, value);
}

int dotenv_values(const struct dotenv *in, bool interpolate, bool override,
		  dotenv_lookup_fn environ_lookup, void *ctx, struct dotenv *out)
{
	struct resolved rs = {out, NULL, 0, environ_lookup, ctx, override};
	const struct dotenv_entry *e;
	struct dotenv_entry *o;
	size_t i, size = 16, *slot;
	char *value;
	struct strbuf sb;

	while (size < 2 * in->n)
		size *= 2;
	rs.slots = xcalloc(size, sizeof(*rs.slots));
	rs.mask = size - 1;
	strbuf_init(&sb);
	for (i = 0; i < in->n; i++) {
		e = &in->entries[i];
		if (!e->value) {
			value = NULL;
		} else if (interpolate && e->interpolate) {
			strbuf_reset(&sb);
			dotenv_expand_into(&sb, e->value, lookup_resolved, &rs);
			value = arena_strndup(&out->arena, sb.buf, sb.len);
		} else {
			value = arena_strdup(&out->arena, e->value);
		}
		slot = slot_of(&rs, e->key);
		if (*slot) {
			o = &out->entries[*slot - 1];
		} else {
			o = add_entry(out);
			o->key = arena_strdup(&out->arena, e->key);
			*slot = out->n;
		}
		o->value = value;
		o->quote = e->quote;
		o->interpolate = e->interpolate;
		o->line = e->line;
		o->nul = e->nul;
		o->eq = e->eq;
	}
	free(rs.slots);
	strbuf_finish(&sb);
	for (i = 0; i < in->nproblems; i++) {
		grow_array((void **)&out->problems, &out->pcap, out->nproblems + 1,
			   sizeof(*out->problems));
		out->problems[out->nproblems] = in->problems[i];
		out->problems[out->nproblems++].message =
			arena_strdup(&out->arena, in->problems[i].message);
	}
	out->encoding = in->encoding;
	return 0;
}
