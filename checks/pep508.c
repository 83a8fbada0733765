/*
 * PEP 508 requirements and markers as packaging 23.0 reads them.
 *
 * The structure follows packaging/_tokenizer.py and _parser.py: a
 * context-sensitive tokenizer whose rules are regular expressions matched
 * at the current position (so \b sees the character before it), and a
 * recursive-descent parser.  Marker evaluation follows markers.py,
 * including its quirks: every comparison of an expression is evaluated
 * (an error anywhere is an error), "x == y" becomes a version comparison
 * whenever "==y" is a valid specifier, and the environment key of an
 * item is taken from its right side when the left side is a string.
 */
#include "pep508.h"
#include "hash.h"
#include "strbuf.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

const char *const pep508_var_names[PEP508_NVARS] = {
	"python_version", "python_full_version", "os_name", "sys_platform", "platform_machine",
	"platform_system", "platform_release", "platform_version", "implementation_name",
	"implementation_version", "platform_python_implementation", "extra",
};

/* Marker nesting deeper than this is refused (Python gives up with RecursionError). */
#define MAX_DEPTH 200

void pep508_env_init(struct pep508_env *env)
{
	size_t i;

	for (i = 0; i < PEP508_NVARS; i++)
		env->values[i] = xstrdup("");
}

void pep508_env_finish(struct pep508_env *env)
{
	size_t i;

	if (!env)
		return;
	for (i = 0; i < PEP508_NVARS; i++) {
		free(env->values[i]);
		env->values[i] = NULL;
	}
}

static int var_index(const char *name)
{
	int i;

	for (i = 0; i < PEP508_NVARS; i++)
		if (!strcmp(pep508_var_names[i], name))
			return i;
	return -1;
}

int pep508_env_set(struct pep508_env *env, const char *name, const char *value)
{
	int i = var_index(name);

	if (i < 0)
		return -1;
	free(env->values[i]);
	env->values[i] = xstrdup(value);
	return 0;
}

const char *pep508_env_get(const struct pep508_env *env, const char *name)
{
	int i = var_index(name);

	return i < 0 ? NULL : env->values[i];
}

static void set_var(struct pep508_env *env, enum pep508_var v, char *value)
{
	free(env->values[v]);
	env->values[v] = value;
}

int pep508_env_init_host(struct pep508_env *env, const char *python_version, struct error *err)
{
	static const struct {
		const char *word, *full, *impl;
	} levels[] = {
		{"alpha", "a", "a"}, {"beta", "b", "b"}, {"candidate", "rc", "c"},
		{"rc", "rc", "c"}, {"a", "a", "a"}, {"b", "b", "b"}, {"c", "rc", "c"},
	};
	unsigned long major, minor, micro = 0, serial = 0;
	const char *full = NULL, *impl = NULL;
	struct utsname u;
	char tail[32] = "";
	int n = 0, fields;
	size_t i;

	pep508_env_init(env);
	set_var(env, PEP508_OS_NAME, xstrdup("posix"));
	set_var(env, PEP508_IMPLEMENTATION_NAME, xstrdup("cpython"));
	set_var(env, PEP508_PLATFORM_PYTHON_IMPLEMENTATION, xstrdup("CPython"));
	if (uname(&u) == 0) {
		set_var(env, PEP508_PLATFORM_SYSTEM, xstrdup(u.sysname));
		set_var(env, PEP508_PLATFORM_RELEASE, xstrdup(u.release));
		set_var(env, PEP508_PLATFORM_VERSION, xstrdup(u.version));
		set_var(env, PEP508_PLATFORM_MACHINE, xstrdup(u.machine));
		set_var(env, PEP508_SYS_PLATFORM,
			!strcmp(u.sysname, "Linux") ? xstrdup("linux") : pep440_lower(u.sysname,
											strlen(u.sysname)));
	}

	fields = sscanf(python_version, "%lu.%lu%n", &major, &minor, &n);
	if (fields != 2)
		return error_set(err, 0, "python version '%s': expected MAJOR.MINOR[.MICRO]",
				 python_version);
	set_var(env, PEP508_PYTHON_VERSION, xasprintf("%lu.%lu", major, minor));
	if (python_version[n] == '\0') {
		set_var(env, PEP508_PYTHON_FULL_VERSION, xstrdup(python_version));
		set_var(env, PEP508_IMPLEMENTATION_VERSION, xstrdup(python_version));
		return 0;
	}
	if (sscanf(python_version + n, ".%lu%31s", &micro, tail) < 1)
		return error_set(err, 0, "python version '%s': expected MAJOR.MINOR.MICRO",
				 python_version);
	if (tail[0] == '.')
		memmove(tail, tail + 1, strlen(tail));
	if (tail[0] && strcmp(tail, "final.0") && strncmp(tail, "final", 5)) {
		for (i = 0; i < ARRAY_SIZE(levels); i++) {
			size_t l = strlen(levels[i].word);
			char *end;

			if (strncmp(tail, levels[i].word, l))
				continue;
			if (tail[l] == '.')
				l++;
			serial = strtoul(tail + l, &end, 10);
			if (end == tail + l || *end)
				continue;
			full = levels[i].full;
			impl = levels[i].impl;
			break;
		}
		if (!full)
			return error_set(err, 0, "python version '%s': unknown release level",
					 python_version);
	}
	if (full) {
		set_var(env, PEP508_PYTHON_FULL_VERSION,
			xasprintf("%lu.%lu.%lu%s%lu", major, minor, micro, full, serial));
		set_var(env, PEP508_IMPLEMENTATION_VERSION,
			xasprintf("%lu.%lu.%lu%s%lu", major, minor, micro, impl, serial));
	} else {
		set_var(env, PEP508_PYTHON_FULL_VERSION, xasprintf("%lu.%lu.%lu", major, minor, micro));
		set_var(env, PEP508_IMPLEMENTATION_VERSION,
			xasprintf("%lu.%lu.%lu", major, minor, micro));
	}
	return 0;
}

/* ---- markers: structure ---- */

struct mvar {
	bool is_var;
	char *value; /* variable name, or the string's value */
	size_t len;
};

enum mkind { M_ITEM, M_LIST, M_AND, M_OR };

struct mlist;

struct melem {
	enum mkind kind;
	struct mvar lhs, rhs;
	const char *op; /* "in", "not in", "==", ... */
	struct mlist *list;
};

struct mlist {
	struct melem *v;
	size_t n, cap;
};

struct pep508_marker {
	struct mlist *root;
};

static void mlist_free(struct mlist *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].lhs.value);
		free(l->v[i].rhs.value);
		mlist_free(l->v[i].list);
	}
	free(l->v);
	free(l);
}

static struct melem *mlist_push(struct mlist *l, enum mkind kind)
{
	struct melem *e;

	grow_array((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

void pep508_marker_destroy(struct pep508_marker *m)
{
	if (!m)
		return;
	mlist_free(m->root);
	free(m);
}

/* ---- tokenizer ---- */

struct tok {
	const char *s;
	size_t len, pos;
	int depth;
	struct error *err;
	bool lock;  /* PEP 751's extras and dependency_groups are variables */
};

/* Python's \w, with every non-ASCII byte counted as a word character. */
static bool is_word_at(const struct tok *t, size_t i)
{
	unsigned char c;

	if (i >= t->len)
		return false;
	c = (unsigned char)t->s[i];
	return c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* \b at position i */
static bool boundary(const struct tok *t, size_t i)
{
	bool before = i > 0 && is_word_at(t, i - 1);

	return before != is_word_at(t, i);
}

static size_t ws_len(const struct tok *t)
{
	size_t p = t->pos;

	while (p < t->len && (t->s[p] == ' ' || t->s[p] == '\t'))
		p++;
	return p - t->pos;
}

static void consume_ws(struct tok *t)
{
	t->pos += ws_len(t);
}

static bool at_end(const struct tok *t)
{
	return t->pos == t->len || (t->pos + 1 == t->len && t->s[t->pos] == '\n');
}

static bool at_char(const struct tok *t, char c)
{
	return t->pos < t->len && t->s[t->pos] == c;
}

static int syntax_error(struct tok *t, size_t pos, const char *what)
{
	return error_at(t->err, NULL, 0, (int)pos + 1, "%s", what);
}

/* \bWORD\b at the current position: its length, or 0. */
static size_t keyword_len(const struct tok *t, const char *word)
{
	size_t n = strlen(word);

	if (t->len - t->pos < n || memcmp(t->s + t->pos, word, n))
		return 0;
	if (!boundary(t, t->pos) || !boundary(t, t->pos + n))
		return 0;
	return n;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* IDENTIFIER: \b[a-zA-Z0-9][a-zA-Z0-9._-]*\b */
static size_t identifier_len(const struct tok *t)
{
	size_t p = t->pos, end;
	char c;

	if (p >= t->len)
		return 0;
	c = t->s[p];
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
		return 0;
	if (!boundary(t, p))
		return 0;
	end = p + 1;
	while (end < t->len && ident_char(t->s[end]))
		end++;
	for (; end > p; end--)
		if (boundary(t, end))
			return end - p;
	return 0;
}

/* VARIABLE: the name it stands for (after "." -> "_" and the alias), and its length. */
static size_t variable_len(const struct tok *t, const char **name)
{
	static const struct {
		const char *text, *name;
	} vars[] = {
		{"python_version", "python_version"},
		{"python_full_version", "python_full_version"},
		{"os_name", "os_name"}, {"os.name", "os_name"},
		{"sys_platform", "sys_platform"}, {"sys.platform", "sys_platform"},
		{"platform_release", "platform_release"},
		{"platform_system", "platform_system"},
		{"platform_version", "platform_version"}, {"platform.version", "platform_version"},
		{"platform_machine", "platform_machine"}, {"platform.machine", "platform_machine"},
		{"platform_python_implementation", "platform_python_implementation"},
		{"platform.python_implementation", "platform_python_implementation"},
		{"python_implementation", "platform_python_implementation"},
		{"implementation_name", "implementation_name"},
		{"implementation_version", "implementation_version"},
		{"extra", "extra"},
	};
	size_t i, n;

	if (t->lock && (n = keyword_len(t, "extras"))) {
		*name = "extras";
		return n;
	}
	if (t->lock && (n = keyword_len(t, "dependency_groups"))) {
		*name = "dependency_groups";
		return n;
	}
	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		if ((n = keyword_len(t, vars[i].text))) {
			*name = vars[i].name;
			return n;
		}
	}
	return 0;
}

static size_t quoted_len(const struct tok *t)
{
	const char *close;
	char q;

	if (t->pos >= t->len || (t->s[t->pos] != '"' && t->s[t->pos] != '\''))
		return 0;
	q = t->s[t->pos];
	close = memchr(t->s + t->pos + 1, q, t->len - t->pos - 1);
	return close ? (size_t)(close - (t->s + t->pos)) + 1 : 0;
}

/*
 * ast.literal_eval() of a quoted token s[0..n) (quotes included): the
 * escapes of a Python string literal.  The value may hold NUL bytes.
 */
static int python_string(struct tok *t, const char *s, size_t n, struct strbuf *out)
{
	size_t start = t->pos, i, end = n - 1, k;

	for (i = 1; i < end; i++) {
		char c = s[i];

		if (c == '\0')
			return syntax_error(t, start + i, "source code string cannot contain null bytes");
		if (c == '\n' || c == '\r')
			return syntax_error(t, start + i, "unterminated string literal");
		if (c != '\\') {
			strbuf_addc(out, c);
			continue;
		}
		if (++i >= end)
			return syntax_error(t, start + i, "unterminated string literal");
		c = s[i];
		switch (c) {
		case '\n':
			break;
		case '\\': case '\'': case '"':
			strbuf_addc(out, c);
			break;
		case 'a': strbuf_addc(out, '\a'); break;
		case 'b': strbuf_addc(out, '\b'); break;
		case 'f': strbuf_addc(out, '\f'); break;
		case 'n': strbuf_addc(out, '\n'); break;
		case 'r': strbuf_addc(out, '\r'); break;
		case 't': strbuf_addc(out, '\t'); break;
		case 'v': strbuf_addc(out, '\v'); break;
		case 'x': case 'u': case 'U': {
			size_t want = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			unsigned long cp = 0;

			for (k = 0; k < want; k++) {
				int h = i + 1 + k < end ? hex_value(s[i + 1 + k]) : -1;

				if (h < 0)
					return syntax_error(t, start + i, "truncated escape in string");
				cp = cp * 16 + (unsigned long)h;
			}
			if (cp > 0x10ffff)
				return syntax_error(t, start + i, "illegal Unicode character in string");
			pep440_add_utf8(out, cp);
			i += want;
			break;
		}
		case 'N':
			return syntax_error(t, start + i, "\\N{...} escapes are not supported");
		default:
			if (c >= '0' && c <= '7') {
				unsigned long cp = (unsigned long)(c - '0');

				for (k = 0; k < 2 && i + 1 < end && s[i + 1] >= '0' && s[i + 1] <= '7'; k++)
					cp = cp * 8 + (unsigned long)(s[++i] - '0');
				pep440_add_utf8(out, cp);
			} else {
				strbuf_addc(out, '\\');
				strbuf_addc(out, c);
			}
		}
	}
	return 0;
}

/* ---- marker parser ---- */

static struct mlist *parse_marker(struct tok *t);

static int parse_marker_var(struct tok *t, struct mvar *v)
{
	const char *name;
	size_t n;

	if ((n = variable_len(t, &name))) {
		v->is_var = true;
		v->value = xstrdup(name);
		v->len = strlen(name);
		t->pos += n;
		return 0;
	}
	if ((n = quoted_len(t))) {
		struct strbuf sb;

		strbuf_init(&sb);
		if (python_string(t, t->s + t->pos, n, &sb) < 0) {
			strbuf_finish(&sb);
			return -1;
		}
		v->is_var = false;
		v->len = sb.len;
		v->value = strbuf_detach(&sb);
		t->pos += n;
		return 0;
	}
	return syntax_error(t, t->pos, "Expected a marker variable or quoted string");
}

static int parse_marker_op(struct tok *t, const char **op)
{
	static const char *const ops[] = {"===", "==", "~=", "!=", "<=", ">=", "<", ">"};
	size_t n, i;

	if ((n = keyword_len(t, "in"))) {
		t->pos += n;
		*op = "in";
		return 0;
	}
	if ((n = keyword_len(t, "not"))) {
		t->pos += n;
		if (!ws_len(t))
			return syntax_error(t, t->pos, "Expected whitespace after 'not'");
		consume_ws(t);
		if (!(n = keyword_len(t, "in")))
			return syntax_error(t, t->pos, "Expected 'in' after 'not'");
		t->pos += n;
		*op = "not in";
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		n = strlen(ops[i]);
		if (t->len - t->pos >= n && !memcmp(t->s + t->pos, ops[i], n)) {
			t->pos += n;
			*op = ops[i];
			return 0;
		}
	}
	return syntax_error(t, t->pos, "Expected marker operator, one of "
			    "<=, <, !=, ==, >=, >, ~=, ===, in, not in");
}

static int parse_marker_atom(struct tok *t, struct mlist *into)
{
	struct melem *e;

	consume_ws(t);
	if (at_char(t, '(')) {
		size_t open = t->pos;
		struct mlist *inner;

		if (++t->depth > MAX_DEPTH)
			return syntax_error(t, t->pos, "marker nested too deeply");
		t->pos++;
		consume_ws(t);
		inner = parse_marker(t);
		if (!inner)
			return -1;
		e = mlist_push(into, M_LIST);
		e->list = inner;
		consume_ws(t);
		if (!at_char(t, ')'))
			return syntax_error(t, open, "Expected closing RIGHT_PARENTHESIS");
		t->pos++;
		t->depth--;
	} else {
		e = mlist_push(into, M_ITEM);
		consume_ws(t);
		if (parse_marker_var(t, &e->lhs) < 0)
			return -1;
		consume_ws(t);
		if (parse_marker_op(t, &e->op) < 0)
			return -1;
		consume_ws(t);
		if (parse_marker_var(t, &e->rhs) < 0)
			return -1;
		consume_ws(t);
	}
	consume_ws(t);
	return 0;
}

static struct mlist *parse_marker(struct tok *t)
{
	struct mlist *l = xcalloc(1, sizeof(*l));
	size_t n;

	if (parse_marker_atom(t, l) < 0)
		goto fail;
	for (;;) {
		if ((n = keyword_len(t, "or"))) {
			mlist_push(l, M_OR);
		} else if ((n = keyword_len(t, "and"))) {
			mlist_push(l, M_AND);
		} else {
			break;
		}
		t->pos += n;
		if (parse_marker_atom(t, l) < 0)
			goto fail;
	}
	return l;
fail:
	mlist_free(l);
	return NULL;
}

static void set_value(struct mvar *v, char *value)
{
	free(v->value);
	v->is_var = false;
	v->value = value;
	v->len = strlen(value);
}

/* markers._normalize_extra_values: only the first item of the top level. */
static void normalize_extra_values(struct mlist *l)
{
	struct melem *e;

	if (!l->n || l->v[0].kind != M_ITEM)
		return;
	e = &l->v[0];
	if (e->lhs.is_var && !strcmp(e->lhs.value, "extra"))
		set_value(&e->rhs, pep440_canonicalize_name(e->rhs.value, e->rhs.len));
	else if (e->rhs.is_var && !strcmp(e->rhs.value, "extra"))
		set_value(&e->lhs, pep440_canonicalize_name(e->lhs.value, e->lhs.len));
}

static struct pep508_marker *marker_wrap(struct mlist *l)
{
	struct pep508_marker *m = xmalloc(sizeof(*m));

	normalize_extra_values(l);
	m->root = l;
	return m;
}

struct pep508_marker *pep508_marker_parse(const char *s, size_t len, struct error *err)
{
	struct tok t = {s, len, 0, 0, err, false};
	struct mlist *l = parse_marker(&t);

	return l ? marker_wrap(l) : NULL;
}

struct pep508_marker *pep508_marker_parse_lock(const char *s, size_t len, struct error *err)
{
	struct tok t = {s, len, 0, 0, err, true};
	struct mlist *l = parse_marker(&t);

	return l ? marker_wrap(l) : NULL;
}

/* "NAME" in extras / dependency_groups: membership, names compared after PEP 503. */
static int eval_set(const struct melem *e, const struct pep508_env *env, struct error *err)
{
	const struct strv *set = !strcmp(e->rhs.value, "extras") ? env->extras
								 : env->dependency_groups;
	_cleanup_free_ char *want = NULL;
	size_t i;
	bool in = false;

	if (e->lhs.is_var || (strcmp(e->op, "in") && strcmp(e->op, "not in")))
		return error_set(err, 0, "%s is a set of names: only '\"NAME\" in %s' and "
				 "'\"NAME\" not in %s' compare with it", e->rhs.value,
				 e->rhs.value, e->rhs.value);
	want = pep440_canonicalize_name(e->lhs.value, e->lhs.len);
	for (i = 0; set && i < set->n && !in; i++) {
		_cleanup_free_ char *have = pep440_canonicalize_name(set->v[i], strlen(set->v[i]));

		in = !strcmp(have, want);
	}
	return e->op[0] == 'i' ? in : !in;
}

/* ---- marker printing ---- */

static void format_item(struct strbuf *sb, const struct melem *e)
{
	const struct mvar *sides[2] = {&e->lhs, &e->rhs};
	int i;

	for (i = 0; i < 2; i++) {
		if (sides[i]->is_var) {
			strbuf_adds(sb, sides[i]->value);
		} else {
			strbuf_addc(sb, '"');
			strbuf_add(sb, sides[i]->value, sides[i]->len);
			strbuf_addc(sb, '"');
		}
		if (!i)
			strbuf_addf(sb, " %s ", e->op);
	}
}

/* markers._format_marker */
static void format_list(struct strbuf *sb, const struct mlist *l, bool first)
{
	size_t i;

	if (l->n == 1 && l->v[0].kind == M_LIST) {
		format_list(sb, l->v[0].list, true);
		return;
	}
	if (l->n == 1 && l->v[0].kind == M_ITEM) {
		format_item(sb, &l->v[0]);
		return;
	}
	if (!first)
		strbuf_addc(sb, '(');
	for (i = 0; i < l->n; i++) {
		const struct melem *e = &l->v[i];

		if (i)
			strbuf_addc(sb, ' ');
		if (e->kind == M_LIST)
			format_list(sb, e->list, false);
		else if (e->kind == M_ITEM)
			format_item(sb, e);
		else
			strbuf_adds(sb, e->kind == M_AND ? "and" : "or");
	}
	if (!first)
		strbuf_addc(sb, ')');
}

char *pep508_marker_str(const struct pep508_marker *m)
{
	struct strbuf sb;

	strbuf_init(&sb);
	format_list(&sb, m->root, true);
	return strbuf_detach(&sb);
}

/* ---- marker evaluation ---- */

static int cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);

	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

/* markers._eval_op */
static int eval_op(const char *lhs, size_t llen, const char *op, const char *rhs, size_t rlen,
		   struct error *err)
{
	struct pep440_specifier spec;
	struct pep440_version v;
	char *text = xasprintf("%s", op);
	size_t tlen = strlen(text);
	int r, c;

	text = xrealloc(text, tlen + rlen + 1);
	memcpy(text + tlen, rhs, rlen);
	text[tlen + rlen] = '\0';
	if (pep440_specifier_parse(&spec, text, tlen + rlen, NULL) == 0) {
		free(text);
		if (pep440_version_parse(&v, lhs, llen, err) < 0) {
			pep440_specifier_finish(&spec);
			return -1;
		}
		r = pep440_specifier_contains(&spec, &v, PEP440_PRE_ALLOW, err);
		pep440_version_finish(&v);
		pep440_specifier_finish(&spec);
		return r;
	}
	free(text);
	if (!strcmp(op, "in") || !strcmp(op, "not in")) {
		r = llen == 0 || (llen <= rlen && memmem(rhs, rlen, lhs, llen));
		return op[0] == 'i' ? r : !r;
	}
	if (!strcmp(op, "===") || !strcmp(op, "~="))
		return error_set(err, 0, "undefined comparison '%s' on '%.*s' and '%.*s'", op,
				 (int)llen, lhs, (int)rlen, rhs);
	c = cmp_bytes(lhs, llen, rhs, rlen);
	if (!strcmp(op, "<"))
		return c < 0;
	if (!strcmp(op, "<="))
		return c <= 0;
	if (!strcmp(op, "=="))
		return c == 0;
	if (!strcmp(op, "!="))
		return c != 0;
	if (!strcmp(op, ">="))
		return c >= 0;
	return c > 0;
}

static int eval_item(const struct melem *e, const struct pep508_env *env, struct error *err)
{
	const char *key, *lv, *rv;
	size_t ll, rl;
	char *nl = NULL, *nr = NULL;
	int r;

	if (e->rhs.is_var && (!strcmp(e->rhs.value, "extras") ||
			      !strcmp(e->rhs.value, "dependency_groups")))
		return eval_set(e, env, err);
	if (e->lhs.is_var && (!strcmp(e->lhs.value, "extras") ||
			      !strcmp(e->lhs.value, "dependency_groups")))
		return error_set(err, 0, "%s is a set of names: only '\"NAME\" in %s' "
				 "compares with it", e->lhs.value, e->lhs.value);
	if (e->lhs.is_var) {
		key = e->lhs.value;
		lv = pep508_env_get(env, key);
		if (!lv)
			return error_set(err, 0, "marker variable '%s' is not defined", key);
		ll = strlen(lv);
		rv = e->rhs.value;
		rl = e->rhs.len;
	} else {
		lv = e->lhs.value;
		ll = e->lhs.len;
		key = e->rhs.value;
		rv = strlen(key) == e->rhs.len ? pep508_env_get(env, key) : NULL;
		if (!rv)
			return error_set(err, 0, "marker variable '%.*s' is not defined",
					 (int)e->rhs.len, key);
		rl = strlen(rv);
	}
	if (!strcmp(key, "extra")) {
		lv = nl = pep440_canonicalize_name(lv, ll);
		rv = nr = pep440_canonicalize_name(rv, rl);
		ll = strlen(nl);
		rl = strlen(nr);
	}
	r = eval_op(lv, ll, e->op, rv, rl, err);
	free(nl);
	free(nr);
	return r;
}

/* markers._evaluate_markers: any(all(group) for group in or-separated groups) */
static int eval_list(const struct mlist *l, const struct pep508_env *env, struct error *err)
{
	bool any = false, all = true;
	size_t i;
	int r;

	for (i = 0; i < l->n; i++) {
		const struct melem *e = &l->v[i];

		switch (e->kind) {
		case M_LIST:
		case M_ITEM:
			r = e->kind == M_LIST ? eval_list(e->list, env, err) : eval_item(e, env, err);
			if (r < 0)
				return -1;
			all = all && r;
			break;
		case M_OR:
			any = any || all;
			all = true;
			break;
		case M_AND:
			break;
		}
	}
	return any || all;
}

int pep508_marker_evaluate(const struct pep508_marker *m, const struct pep508_env *env,
			   struct error *err)
{
	return eval_list(m->root, env, err);
}

/* ---- URLs: urllib.parse as Requirement uses it ---- */

static const char *const uses_netloc[] = {
	"", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https",
	"shttp", "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs",
	"git", "git+ssh", "ws", "wss",
};
static const char *const uses_params[] = {
	"", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtspu", "sip",
	"sips", "mms", "sftp", "tel",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

struct url_parts {
	char *scheme, *netloc, *path, *params, *query, *fragment;
};

static void url_parts_finish(struct url_parts *u)
{
	free(u->scheme);
	free(u->netloc);
	free(u->path);
	free(u->params);
	free(u->query);
	free(u->fragment);
}

/* urllib.parse._check_bracketed_netloc: only an IPv6 address (or IPvFuture) in brackets. */
static bool bracketed_netloc_ok(const char *netloc)
{
	const char *hp = strrchr(netloc, '@'), *open, *close;
	char *host;
	bool ok;

	hp = hp ? hp + 1 : netloc;
	open = strchr(hp, '[');
	if (open) {
		if (open != hp)
			return false;
		close = strchr(open + 1, ']');
		if (close && close[1] && close[1] != ':')
			return false;
		host = close ? xstrndup(open + 1, (size_t)(close - open - 1)) : xstrdup(open + 1);
	} else {
		const char *colon = strchr(hp, ':');

		host = colon ? xstrndup(hp, (size_t)(colon - hp)) : xstrdup(hp);
	}
	if (host[0] == 'v') {
		/* \Av[a-fA-F0-9]+\..+\Z */
		const char *p = host + 1;

		while (hex_value(*p) >= 0)
			p++;
		ok = p > host + 1 && *p == '.' && p[1] && !strchr(p + 1, '\n');
	} else {
		unsigned char buf[16];
		char *pct = strchr(host, '%');

		ok = true;
		if (pct) {
			ok = pct[1] && !strchr(pct + 1, '%');
			*pct = '\0';
		}
		ok = ok && inet_pton(AF_INET6, host, buf) == 1;
	}
	free(host);
	return ok;
}

static int url_split(const char *url, struct url_parts *u)
{
	struct strbuf sb;
	const char *p, *colon;
	char *s, *rest, *hash, *q;
	size_t i;

	memset(u, 0, sizeof(*u));
	while ((unsigned char)*url <= ' ' && *url)
		url++;
	strbuf_init(&sb);
	for (p = url; *p; p++)
		if (*p != '\t' && *p != '\r' && *p != '\n')
			strbuf_addc(&sb, *p);
	s = sb.buf;
	rest = s;
	colon = strchr(s, ':');
	if (colon && colon > s && ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')) {
		for (i = 0; s + i < colon; i++) {
			char c = s[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
				break;
		}
		if (s + i == colon) {
			u->scheme = pep440_lower(s, i);
			rest = s + i + 1;
		}
	}
	if (!u->scheme)
		u->scheme = xstrdup("");
	if (rest[0] == '/' && rest[1] == '/') {
		size_t d = strcspn(rest + 2, "/?#");
		bool ob, cb;

		u->netloc = xstrndup(rest + 2, d);
		rest += 2 + d;
		ob = strchr(u->netloc, '[');
		cb = strchr(u->netloc, ']');
		if (ob != cb || (ob && !bracketed_netloc_ok(u->netloc))) {
			strbuf_finish(&sb);
			url_parts_finish(u);
			return -1;
		}
	} else {
		u->netloc = xstrdup("");
	}
	hash = strchr(rest, '#');
	u->fragment = xstrdup(hash ? hash + 1 : "");
	if (hash)
		*hash = '\0';
	q = strchr(rest, '?');
	u->query = xstrdup(q ? q + 1 : "");
	if (q)
		*q = '\0';
	u->params = xstrdup("");
	if (in_list(u->scheme, uses_params, ARRAY_SIZE(uses_params)) && strchr(rest, ';')) {
		char *slash = strrchr(rest, '/');
		char *semi = strchr(slash ? slash : rest, ';');

		if (semi) {
			free(u->params);
			u->params = xstrdup(semi + 1);
			*semi = '\0';
		}
	}
	u->path = xstrdup(rest);
	strbuf_finish(&sb);
	return 0;
}

static char *url_unparse(const struct url_parts *u)
{
	struct strbuf sb;
	char *path = u->params[0] ? xasprintf("%s;%s", u->path, u->params) : xstrdup(u->path);

	strbuf_init(&sb);
	if (u->scheme[0])
		strbuf_addf(&sb, "%s:", u->scheme);
	if (u->netloc[0] || (u->scheme[0] && in_list(u->scheme, uses_netloc, ARRAY_SIZE(uses_netloc)) &&
			     strncmp(path, "//", 2))) {
		strbuf_addf(&sb, "//%s", u->netloc);
		if (path[0] && path[0] != '/')
			strbuf_addc(&sb, '/');
	}
	strbuf_adds(&sb, path);
	if (u->query[0])
		strbuf_addf(&sb, "?%s", u->query);
	if (u->fragment[0])
		strbuf_addf(&sb, "#%s", u->fragment);
	free(path);
	return strbuf_detach(&sb);
}

/* The URL checks of Requirement.__init__. */
static int check_url(const char *url, struct error *err, int column)
{
	struct url_parts u;
	int r = 0;

	if (url_split(url, &u) < 0)
		return error_at(err, NULL, 0, column, "invalid URL '%s': bad IPv6 host", url);
	if (!strcmp(u.scheme, "file")) {
		char *back = url_unparse(&u);

		if (strcmp(back, url))
			r = error_at(err, NULL, 0, column, "invalid file URL '%s'", url);
		free(back);
	} else if (!u.scheme[0] || !u.netloc[0]) {
		r = error_at(err, NULL, 0, column, "invalid URL '%s': expected SCHEME://HOST/...",
			     url);
	}
	url_parts_finish(&u);
	return r;
}

/* ---- requirements ---- */

static int parse_extras(struct tok *t, struct pep508_requirement *req)
{
	size_t open = t->pos, n;

	if (!at_char(t, '['))
		return 0;
	t->pos++;
	consume_ws(t);
	if ((n = identifier_len(t))) {
		strv_push_owned(&req->extras, xstrndup(t->s + t->pos, n));
		t->pos += n;
		for (;;) {
			consume_ws(t);
			if (identifier_len(t))
				return syntax_error(t, t->pos, "Expected comma between extra names");
			if (!at_char(t, ','))
				break;
			t->pos++;
			consume_ws(t);
			if (!(n = identifier_len(t)))
				return syntax_error(t, t->pos, "Expected extra name after comma");
			strv_push_owned(&req->extras, xstrndup(t->s + t->pos, n));
			t->pos += n;
		}
	}
	consume_ws(t);
	if (!at_char(t, ']'))
		return syntax_error(t, open, "Expected closing RIGHT_BRACKET");
	t->pos++;
	return 0;
}

static int parse_specifier(struct tok *t, struct strbuf *out)
{
	size_t open = t->pos, n;
	bool paren = at_char(t, '(');

	if (paren)
		t->pos++;
	consume_ws(t);
	while ((n = pep440_specifier_scan(t->s + t->pos, t->len - t->pos))) {
		strbuf_add(out, t->s + t->pos, n);
		t->pos += n;
		consume_ws(t);
		if (!at_char(t, ','))
			break;
		strbuf_addc(out, ',');
		t->pos++;
		consume_ws(t);
	}
	consume_ws(t);
	if (paren) {
		if (!at_char(t, ')'))
			return syntax_error(t, open, "Expected closing RIGHT_PARENTHESIS");
		t->pos++;
	}
	return 0;
}

static int parse_requirement_marker(struct tok *t, struct pep508_requirement *req,
				    size_t span_start, const char *after)
{
	struct mlist *l;

	if (!at_char(t, ';')) {
		error_at(t->err, NULL, 0, (int)span_start + 1, "Expected end or semicolon (after %s)",
			 after);
		return -1;
	}
	t->pos++;
	l = parse_marker(t);
	if (!l)
		return -1;
	req->marker = marker_wrap(l);
	consume_ws(t);
	return 0;
}

static void sort_unique(struct strv *sv)
{
	size_t i, j = 0;

	if (!sv->n)
		return;
	strv_sort(sv);
	for (i = 1; i < sv->n; i++) {
		if (!strcmp(sv->v[i], sv->v[j]))
			free(sv->v[i]);
		else
			sv->v[++j] = sv->v[i];
	}
	sv->n = j + 1;
	sv->v[sv->n] = NULL;
}

static int parse_requirement(struct tok *t, struct pep508_requirement *req)
{
	struct strbuf spec;
	size_t n, start;
	int url_col = 0;

	consume_ws(t);
	if (!(n = identifier_len(t)))
		return syntax_error(t, t->pos,
				    "Expected package name at the start of dependency specifier");
	req->name = xstrndup(t->s + t->pos, n);
	t->pos += n;
	consume_ws(t);
	if (parse_extras(t, req) < 0)
		return -1;
	consume_ws(t);
	if (at_char(t, '@')) {
		t->pos++;
		consume_ws(t);
		start = t->pos;
		while (t->pos < t->len && t->s[t->pos] != ' ' && t->s[t->pos] != '\t')
			t->pos++;
		if (t->pos == start)
			return syntax_error(t, t->pos, "Expected URL after @");
		req->url = xstrndup(t->s + start, t->pos - start);
		url_col = (int)start + 1;
		if (!at_end(t)) {
			if (!ws_len(t))
				return syntax_error(t, t->pos, "Expected whitespace after URL");
			consume_ws(t);
			if (!at_end(t) &&
			    parse_requirement_marker(t, req, start, "URL and whitespace") < 0)
				return -1;
		}
	} else {
		start = t->pos;
		strbuf_init(&spec);
		if (parse_specifier(t, &spec) < 0) {
			strbuf_finish(&spec);
			return -1;
		}
		req->specifier = strbuf_detach(&spec);
		consume_ws(t);
		if (!at_end(t) &&
		    parse_requirement_marker(t, req, start, req->specifier[0] ? "version specifier" :
					     "name and no valid version specifier") < 0)
			return -1;
	}
	if (!at_end(t))
		return syntax_error(t, t->pos, "Expected end of dependency specifier");
	if (req->url && check_url(req->url, t->err, url_col) < 0)
		return -1;
	if (!req->specifier)
		req->specifier = xstrdup("");
	if (pep440_specset_parse(&req->specset, req->specifier, strlen(req->specifier),
				 t->err) < 0)
		return -1;
	sort_unique(&req->extras);
	return 0;
}

int pep508_requirement_parse(struct pep508_requirement *req, const char *s, size_t len,
			     struct error *err)
{
	struct tok t = {s, len, 0, 0, err, false};

	memset(req, 0, sizeof(*req));
	if (parse_requirement(&t, req) < 0) {
		pep508_requirement_finish(req);
		return -1;
	}
	return 0;
}

void pep508_requirement_finish(struct pep508_requirement *req)
{
	if (!req)
		return;
	free(req->name);
	strv_finish(&req->extras);
	free(req->url);
	free(req->specifier);
	pep440_specset_finish(&req->specset);
	pep508_marker_destroy(req->marker);
	memset(req, 0, sizeof(*req));
}

char *pep508_requirement_str(const struct pep508_requirement *req)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	strbuf_adds(&sb, req->name);
	if (req->extras.n) {
		strbuf_addc(&sb, '[');
		for (i = 0; i < req->extras.n; i++)
			strbuf_addf(&sb, "%s%s", i ? "," : "", req->extras.v[i]);
		strbuf_addc(&sb, ']');
	}
	if (req->specset.n) {
		char *s = pep440_specset_str(&req->specset);

		strbuf_adds(&sb, s);
		free(s);
	}
	if (req->url) {
		strbuf_addf(&sb, "@ %s", req->url);
		if (req->marker)
			strbuf_addc(&sb, ' ');
	}
	if (req->marker) {
		char *m = pep508_marker_str(req->marker);

		strbuf_addf(&sb, "; %s", m);
		free(m);
	}
	return strbuf_detach(&sb);
}
