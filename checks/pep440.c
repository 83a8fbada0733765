/*
 * PEP 440 versions and specifiers as packaging 23.0 reads them.
 *
 * packaging matches versions with regular expressions compiled with
 * re.IGNORECASE | re.VERBOSE.  Every group there is optional and greedy and
 * the alternatives are tried longest first, so a left-to-right scan that
 * takes each group when it can reproduces both the anchored match
 * (Version, Specifier) and the unanchored prefix match of the PEP 508
 * tokenizer.  Case-insensitive Unicode matching lets four non-ASCII
 * letters in (U+0130 and U+0131 for "i", U+017F for "s", U+212A for "k");
 * they are accepted here too, and lowercased as str.lower() does.
 */
#include "pep440.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

size_t pep440_space_len(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (!len)
		return 0;
	if (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r') || (u[0] >= 0x1c && u[0] <= 0x1f))
		return 1;
	if (len >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;
	if (len < 3)
		return 0;
	if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
		return 3;
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;
	return 0;
}

static size_t skip_space(const char *s, size_t len, size_t p)
{
	size_t n;

	while (p < len && (n = pep440_space_len(s + p, len - p)))
		p += n;
	return p;
}

char *pep440_lower(const char *s, size_t len)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z') {
			strbuf_addc(&sb, (char)(c + 32));
		} else if (c == 0xc4 && i + 1 < len && (unsigned char)s[i + 1] == 0xb0) {
			strbuf_add(&sb, "i\xcc\x87", 3); /* U+0130 lowercases to two code points */
			i++;
		} else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x84 &&
			   (unsigned char)s[i + 2] == 0xaa) {
			strbuf_addc(&sb, 'k'); /* KELVIN SIGN */
			i += 2;
		} else {
			strbuf_addc(&sb, (char)c);
		}
	}
	return strbuf_detach(&sb);
}

void pep440_add_utf8(struct strbuf *sb, unsigned long cp)
{
	char b[4];

	if (cp < 0x80) {
		strbuf_addc(sb, (char)cp);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 4);
	}
}

/* Bytes of one character at s that matches ASCII lowercase letter under re.IGNORECASE, or 0. */
static size_t ci_letter(const char *s, size_t len, char letter)
{
	const unsigned char *u = (const unsigned char *)s;

	if (!len)
		return 0;
	if (u[0] < 0x80)
		return (u[0] >= 'A' && u[0] <= 'Z' ? u[0] + 32 : u[0]) == (unsigned char)letter;
	if (letter == 'i' && len >= 2 && u[0] == 0xc4 && (u[1] == 0xb0 || u[1] == 0xb1))
		return 2;
	if (letter == 's' && len >= 2 && u[0] == 0xc5 && u[1] == 0xbf)
		return 2;
	if (letter == 'k' && len >= 3 && u[0] == 0xe2 && u[1] == 0x84 && u[2] == 0xaa)
		return 3;
	return 0;
}

static size_t ci_word(const char *s, size_t len, size_t p, const char *word)
{
	size_t start = p, n;

	for (; *word; word++) {
		if (p >= len || !(n = ci_letter(s + p, len - p, *word)))
			return 0;
		p += n;
	}
	return p - start;
}

/* [a-z0-9] under re.IGNORECASE: bytes of the character at s, or 0. */
static size_t ci_alnum(const char *s, size_t len)
{
	unsigned char c;

	if (!len)
		return 0;
	c = (unsigned char)s[0];
	if (c < 0x80)
		return is_digit((char)c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	return ci_letter(s, len, 'i') + ci_letter(s, len, 's') + ci_letter(s, len, 'k');
}

static size_t ci_alnum_run(const char *s, size_t len, size_t p)
{
	size_t start = p, n;

	while (p < len && (n = ci_alnum(s + p, len - p)))
		p += n;
	return p - start;
}

static const char *const pre_labels[] = {"preview", "alpha", "beta", "pre", "rc", "a", "b", "c"};
static const char *const post_labels[] = {"post", "rev", "r"};

static size_t label_at(const char *s, size_t len, size_t p, const char *const *labels, size_t n)
{
	size_t i, l;

	for (i = 0; i < n; i++)
		if ((l = ci_word(s, len, p, labels[i])))
			return l;
	return 0;
}

struct span {
	size_t start, end;
};

struct vscan {
	bool has_epoch, has_pre, has_post, post_implicit, has_dev, has_local, wildcard;
	struct span epoch, release, pre_l, pre_n, post_l, post_n, dev_n, local;
};

enum {
	SCAN_LOCAL = 1,    /* a "+local" label may follow */
	SCAN_WILDCARD = 2, /* a ".*" may follow the release */
	SCAN_MIN2 = 4,     /* the release needs two components (~=) */
};

static size_t digits_end(const char *s, size_t len, size_t p)
{
	while (p < len && is_digit(s[p]))
		p++;
	return p;
}

static size_t scan_release(const char *s, size_t len, size_t p, struct vscan *o, int flags)
{
	size_t q = digits_end(s, len, p), n = 1;

	if (q == p)
		return SIZE_MAX;
	while (q + 1 < len && s[q] == '.' && is_digit(s[q + 1])) {
		q = digits_end(s, len, q + 1);
		n++;
	}
	if ((flags & SCAN_MIN2) && n < 2)
		return SIZE_MAX;
	o->release = (struct span){p, q};
	return q;
}

static size_t opt_sep(const char *s, size_t len, size_t p)
{
	return p < len && is_sep(s[p]) ? p + 1 : p;
}

/*
 * Scans one version from s[p]: returns where it ends, or SIZE_MAX when
 * there is none.  Trailing text is left to the caller.
 */
static size_t scan_version(const char *s, size_t len, size_t p, struct vscan *o, int flags)
{
	size_t q, r = SIZE_MAX, a, l;

	memset(o, 0, sizeof(*o));
	if (p < len)
		p += ci_letter(s + p, len - p, 'v');
	q = digits_end(s, len, p);
	if (q > p && q < len && s[q] == '!') {
		r = scan_release(s, len, q + 1, o, flags);
		if (r != SIZE_MAX) {
			o->has_epoch = true;
			o->epoch = (struct span){p, q};
		}
	}
	if (r == SIZE_MAX)
		r = scan_release(s, len, p, o, flags);
	if (r == SIZE_MAX)
		return SIZE_MAX;
	p = r;
	if ((flags & SCAN_WILDCARD) && p + 1 < len && s[p] == '.' && s[p + 1] == '*') {
		o->wildcard = true;
		return p + 2;
	}
	a = opt_sep(s, len, p);
	if ((l = label_at(s, len, a, pre_labels, ARRAY_SIZE(pre_labels)))) {
		o->has_pre = true;
		o->pre_l = (struct span){a, a + l};
		a = opt_sep(s, len, a + l);
		o->pre_n = (struct span){a, digits_end(s, len, a)};
		p = o->pre_n.end;
	}
	if (p + 1 < len && s[p] == '-' && is_digit(s[p + 1])) {
		o->has_post = o->post_implicit = true;
		o->post_n = (struct span){p + 1, digits_end(s, len, p + 1)};
		p = o->post_n.end;
	} else {
		a = opt_sep(s, len, p);
		if ((l = label_at(s, len, a, post_labels, ARRAY_SIZE(post_labels)))) {
			o->has_post = true;
			o->post_l = (struct span){a, a + l};
			a = opt_sep(s, len, a + l);
			o->post_n = (struct span){a, digits_end(s, len, a)};
			p = o->post_n.end;
		}
	}
	a = opt_sep(s, len, p);
	if ((l = ci_word(s, len, a, "dev"))) {
		o->has_dev = true;
		a = opt_sep(s, len, a + l);
		o->dev_n = (struct span){a, digits_end(s, len, a)};
		p = o->dev_n.end;
	}
	if ((flags & SCAN_LOCAL) && p < len && s[p] == '+' && (l = ci_alnum_run(s, len, p + 1))) {
		size_t e = p + 1 + l;

		while (e + 1 < len && is_sep(s[e]) && (l = ci_alnum_run(s, len, e + 1)))
			e += 1 + l;
		o->has_local = true;
		o->local = (struct span){p + 1, e};
		p = e;
	}
	return p;
}

/* The digits s[0..n) as int() prints them: leading zeros dropped, "" is "0". */
static void num_span(const char **s, size_t *n)
{
	while (*n > 1 && **s == '0') {
		(*s)++;
		(*n)--;
	}
	if (!*n) {
		*s = "0";
		*n = 1;
	}
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_digit(*s))
			return false;
	return true;
}

static char *letter_norm(const char *s, size_t n)
{
	char *l = pep440_lower(s, n);

	if (!strcmp(l, "alpha"))
		strcpy(l, "a");
	else if (!strcmp(l, "beta"))
		strcpy(l, "b");
	else if (!strcmp(l, "c") || !strcmp(l, "pre") || !strcmp(l, "preview"))
		strcpy(l, "rc");
	else if (!strcmp(l, "rev") || !strcmp(l, "r"))
		strcpy(l, "post");
	return l;
}

/* Where build_version() puts the strings: counting (mem NULL), then copying. */
struct layout {
	char *mem;
	size_t off;
};

static char *put(struct layout *l, const char *s, size_t n)
{
	char *p = l->mem ? l->mem + l->off : NULL;

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	l->off += n + 1;
	return p;
}

static char *put_num(struct layout *l, const char *s, size_t n)
{
	num_span(&s, &n);
	return put(l, s, n);
}

/* A label lowercased and normalised (a temporary copy, freed here). */
static char *put_label(struct layout *l, const char *s, size_t n)
{
	char *t = letter_norm(s, n);
	char *p = put(l, t, strlen(t));

	free(t);
	return p;
}

/*
 * Lays the version out in l: the release and local arrays first, then
 * every string.  With l->mem NULL it only counts the bytes.
 */
static void lay_out(struct pep440_version *v, const char *s, const struct vscan *o,
		    struct layout *l)
{
	size_t i, start, k;

	l->off = (v->nrelease + v->nlocal) * sizeof(char *);
	if (l->mem) {
		v->release = (char **)(void *)l->mem;
		v->local = v->nlocal ? v->release + v->nrelease : NULL;
	}
	v->epoch = o->has_epoch ? put_num(l, s + o->epoch.start, o->epoch.end - o->epoch.start)
				: put(l, "0", 1);
	for (k = 0, start = i = o->release.start; i <= o->release.end; i++) {
		if (i == o->release.end || s[i] == '.') {
			char *p = put_num(l, s + start, i - start);

			if (l->mem)
				v->release[k] = p;
			k++;
			start = i + 1;
		}
	}
	if (o->has_pre) {
		v->pre_label = put_label(l, s + o->pre_l.start, o->pre_l.end - o->pre_l.start);
		v->pre_num = put_num(l, s + o->pre_n.start, o->pre_n.end - o->pre_n.start);
	}
	if (o->has_post) {
		v->post_label = o->post_implicit ? put(l, "post", 4)
			: put_label(l, s + o->post_l.start, o->post_l.end - o->post_l.start);
		v->post_num = put_num(l, s + o->post_n.start, o->post_n.end - o->post_n.start);
	}
	if (o->has_dev)
		v->dev_num = put_num(l, s + o->dev_n.start, o->dev_n.end - o->dev_n.start);
	if (o->has_local) {
		for (k = 0, start = i = o->local.start; i <= o->local.end; i++) {
			if (i == o->local.end || is_sep(s[i])) {
				char *part = pep440_lower(s + start, i - start), *p;

				p = all_digits(part) ? put_num(l, part, strlen(part))
						     : put(l, part, strlen(part));
				free(part);
				if (l->mem)
					v->local[k] = p;
				k++;
				start = i + 1;
			}
		}
	}
}

/* The version scanned in s, in one allocation (v->mem) that pep440_version_finish() frees. */
static void build_version(struct pep440_version *v, const char *s, const struct vscan *o)
{
	struct layout l = {NULL, 0};
	size_t i;

	memset(v, 0, sizeof(*v));
	v->nrelease = 1;
	for (i = o->release.start; i < o->release.end; i++)
		v->nrelease += s[i] == '.';
	if (o->has_local) {
		v->nlocal = 1;
		for (i = o->local.start; i < o->local.end; i++)
			v->nlocal += is_sep(s[i]);
	}
	lay_out(v, s, o, &l);
	l.mem = xmalloc(l.off);
	lay_out(v, s, o, &l);
	v->mem = l.mem;
}

int pep440_version_parse(struct pep440_version *v, const char *s, size_t len, struct error *err)
{
	struct vscan o;
	size_t p = skip_space(s, len, 0), e;

	memset(v, 0, sizeof(*v));
	e = scan_version(s, len, p, &o, SCAN_LOCAL);
	if (e == SIZE_MAX)
		return error_at(err, NULL, 0, (int)p + 1,
				"invalid version '%.*s': expected a release number", (int)len, s);
	e = skip_space(s, len, e);
	if (e != len)
		return error_at(err, NULL, 0, (int)e + 1,
				"invalid version '%.*s': unexpected text at column %zu",
				(int)len, s, e + 1);
	build_version(v, s, &o);
	return 0;
}

int pep440_version_parses(struct pep440_version *v, const char *s, struct error *err)
{
	return pep440_version_parse(v, s, strlen(s), err);
}

void pep440_version_finish(struct pep440_version *v)
{
	if (!v)
		return;
	free(v->mem);
	memset(v, 0, sizeof(*v));
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static int cmp_num(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return sign(strcmp(a, b));
}

static size_t release_key_len(const struct pep440_version *v)
{
	size_t n = v->nrelease;

	while (n > 0 && !strcmp(v->release[n - 1], "0"))
		n--;
	return n;
}

/* Rank of a key element: 0 negative infinity, 1 a (label, number) tuple, 2 infinity. */
static int pre_rank(const struct pep440_version *v)
{
	if (!v->pre_label && !v->post_label && v->dev_num)
		return 0;
	return v->pre_label ? 1 : 2;
}

static int cmp_tuple(const char *la, const char *na, const char *lb, const char *nb)
{
	int c = sign(strcmp(la, lb));

	return c ? c : cmp_num(na, nb);
}

int pep440_version_compare(const struct pep440_version *a, const struct pep440_version *b)
{
	size_t na, nb, i;
	int c, ra, rb;

	if ((c = cmp_num(a->epoch, b->epoch)))
		return c;
	na = release_key_len(a);
	nb = release_key_len(b);
	for (i = 0; i < na && i < nb; i++)
		if ((c = cmp_num(a->release[i], b->release[i])))
			return c;
	if (na != nb)
		return na < nb ? -1 : 1;
	ra = pre_rank(a);
	rb = pre_rank(b);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ra == 1 && (c = cmp_tuple(a->pre_label, a->pre_num, b->pre_label, b->pre_num)))
		return c;
	if (!a->post_label != !b->post_label)
		return a->post_label ? 1 : -1;
	if (a->post_label && (c = cmp_tuple(a->post_label, a->post_num, b->post_label, b->post_num)))
		return c;
	if (!a->dev_num != !b->dev_num)
		return a->dev_num ? -1 : 1;
	if (a->dev_num && (c = cmp_num(a->dev_num, b->dev_num)))
		return c;
	if (!a->nlocal != !b->nlocal)
		return a->nlocal ? 1 : -1;
	for (i = 0; i < a->nlocal && i < b->nlocal; i++) {
		bool da = all_digits(a->local[i]), db = all_digits(b->local[i]);

		if (da != db)
			return da ? 1 : -1;
		c = da ? cmp_num(a->local[i], b->local[i]) : sign(strcmp(a->local[i], b->local[i]));
		if (c)
			return c;
	}
	if (a->nlocal != b->nlocal)
		return a->nlocal < b->nlocal ? -1 : 1;
	return 0;
}

enum {
	STR_STRIP_ZERO = 1, /* canonicalize_version: drop trailing ".0" release components */
	STR_NO_LOCAL = 2,   /* Version.public */
	STR_BASE = 4,       /* Version.base_version */
};

static char *version_str(const struct pep440_version *v, int flags)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	if (strcmp(v->epoch, "0"))
		strbuf_addf(&sb, "%s!", v->epoch);
	for (i = 0; i < v->nrelease; i++)
		strbuf_addf(&sb, "%s%s", i ? "." : "", v->release[i]);
	if (flags & STR_STRIP_ZERO) {
		/* re.sub(r"(\.0)+$", "", release) on the release part only */
		size_t start = sb.len - strlen(v->release[0]);

		for (i = 1; i < v->nrelease; i++)
			start -= strlen(v->release[i]) + 1;
		while (sb.len >= start + 2 && !memcmp(sb.buf + sb.len - 2, ".0", 2))
			sb.buf[sb.len -= 2] = '\0';
	}
	if (flags & STR_BASE)
		return strbuf_detach(&sb);
	if (v->pre_label)
		strbuf_addf(&sb, "%s%s", v->pre_label, v->pre_num);
	if (v->post_label)
		strbuf_addf(&sb, ".post%s", v->post_num);
	if (v->dev_num)
		strbuf_addf(&sb, ".dev%s", v->dev_num);
	if (v->nlocal && !(flags & STR_NO_LOCAL)) {
		strbuf_addc(&sb, '+');
		for (i = 0; i < v->nlocal; i++)
			strbuf_addf(&sb, "%s%s", i ? "." : "", v->local[i]);
	}
	return strbuf_detach(&sb);
}

char *pep440_version_str(const struct pep440_version *v)
{
	return version_str(v, 0);
}

char *pep440_version_public(const struct pep440_version *v)
{
	return version_str(v, STR_NO_LOCAL);
}

char *pep440_version_base(const struct pep440_version *v)
{
	return version_str(v, STR_BASE);
}

bool pep440_version_is_prerelease(const struct pep440_version *v)
{
	return v->dev_num || v->pre_label;
}

bool pep440_version_is_postrelease(const struct pep440_version *v)
{
	return v->post_label;
}

char *pep440_canonicalize_version(const char *s, size_t len, bool strip_trailing_zero)
{
	struct pep440_version v;
	char *r;

	if (pep440_version_parse(&v, s, len, NULL) < 0)
		return xstrndup(s, len);
	r = version_str(&v, strip_trailing_zero ? STR_STRIP_ZERO : 0);
	pep440_version_finish(&v);
	return r;
}

char *pep440_canonicalize_name(const char *name, size_t len)
{
	struct strbuf sb;
	size_t i = 0, n = 0;
	char *r;

	/* ASCII (every real name): one pass into one allocation */
	for (i = 0; i < len && !((unsigned char)name[i] & 0x80); i++)
		;
	if (i == len) {
		r = xmalloc(len + 1);
		for (i = 0; i < len;) {
			char c = name[i];

			if (is_sep(c)) {
				while (i < len && is_sep(name[i]))
					i++;
				r[n++] = '-';
			} else {
				r[n++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
				i++;
			}
		}
		r[n] = '\0';
		return r;
	}
	strbuf_init(&sb);
	i = 0;
	while (i < len) {
		if (is_sep(name[i])) {
			while (i < len && is_sep(name[i]))
				i++;
			strbuf_addc(&sb, '-');
		} else {
			strbuf_addc(&sb, name[i++]);
		}
	}
	r = pep440_lower(sb.buf, sb.len);
	strbuf_finish(&sb);
	return r;
}

/* ---- specifiers ---- */

static const char *const op_names[] = {"~=", "==", "!=", "<=", ">=", "<", ">", "==="};

/* The operator at s[p], as the alternation (~=|==|!=|<=|>=|<|>|===) ends up choosing. */
static size_t scan_op(const char *s, size_t len, size_t p, enum pep440_op *op)
{
	static const enum pep440_op order[] = {
		PEP440_OP_ARBITRARY, PEP440_OP_COMPATIBLE, PEP440_OP_EQUAL, PEP440_OP_NOT_EQUAL,
		PEP440_OP_LESS_EQUAL, PEP440_OP_GREATER_EQUAL, PEP440_OP_LESS, PEP440_OP_GREATER,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		size_t n = strlen(op_names[order[i]]);

		if (len - p >= n && !memcmp(s + p, op_names[order[i]], n)) {
			*op = order[i];
			return p + n;
		}
	}
	return SIZE_MAX;
}

/*
 * The version part after an operator: start is where the text begins
 * (after white space), returns where it ends or SIZE_MAX.
 */
static size_t scan_spec_version(const char *s, size_t len, size_t p, enum pep440_op op,
				size_t *start, struct vscan *o)
{
	p = skip_space(s, len, p);
	*start = p;
	switch (op) {
	case PEP440_OP_ARBITRARY:
		memset(o, 0, sizeof(*o));
		while (p < len && s[p] != ';' && s[p] != ')' && !pep440_space_len(s + p, len - p))
			p++;
		return p;
	case PEP440_OP_EQUAL:
	case PEP440_OP_NOT_EQUAL:
		return scan_version(s, len, p, o, SCAN_LOCAL | SCAN_WILDCARD);
	case PEP440_OP_COMPATIBLE:
		return scan_version(s, len, p, o, SCAN_MIN2);
	default:
		return scan_version(s, len, p, o, 0);
	}
}

size_t pep440_specifier_scan(const char *s, size_t len)
{
	enum pep440_op op;
	struct vscan o;
	size_t p = scan_op(s, len, 0, &op), start;

	if (p == SIZE_MAX)
		return 0;
	p = scan_spec_version(s, len, p, op, &start, &o);
	return p == SIZE_MAX ? 0 : p;
}

/* packaging.specifiers._version_split */
static void version_split(const char *s, struct strv *out)
{
	const char *item = s;

	for (;;) {
		const char *dot = strchr(item, '.');
		size_t n = dot ? (size_t)(dot - item) : strlen(item);
		size_t d = 0, l = 0, e;

		while (d < n && is_digit(item[d]))
			d++;
		if (d > 0 && d < n) {
			if (item[d] == 'r' && d + 1 < n && item[d + 1] == 'c')
				l = 2;
			else if (item[d] == 'a' || item[d] == 'b' || item[d] == 'c')
				l = 1;
		}
		e = d + l;
		while (l && e < n && is_digit(item[e]))
			e++;
		if (l && e == n && e > d + l) {
			strv_push_owned(out, xstrndup(item, d));
			strv_push_owned(out, xstrndup(item + d, n - d));
		} else {
			strv_push_owned(out, xstrndup(item, n));
		}
		if (!dot)
			break;
		item = dot + 1;
	}
}

static bool is_not_suffix(const char *seg)
{
	static const char *const prefixes[] = {"dev", "a", "b", "rc", "post"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (str_starts_with(seg, prefixes[i]))
			return false;
	return true;
}

static char *compat_prefix(const char *version)
{
	struct strv parts = STRV_INIT;
	struct strbuf sb;
	size_t n = 0, i;

	version_split(version, &parts);
	while (n < parts.n && is_not_suffix(parts.v[n]))
		n++;
	strbuf_init(&sb);
	for (i = 0; i + 1 < n; i++)
		strbuf_addf(&sb, "%s%s", i ? "." : "", parts.v[i]);
	strbuf_adds(&sb, ".*");
	strv_finish(&parts);
	return strbuf_detach(&sb);
}

int pep440_specifier_parse(struct pep440_specifier *spec, const char *s, size_t len,
			   struct error *err)
{
	enum pep440_op op;
	struct vscan o;
	size_t p = skip_space(s, len, 0), start, e;

	memset(spec, 0, sizeof(*spec));
	e = scan_op(s, len, p, &op);
	if (e == SIZE_MAX)
		return error_at(err, NULL, 0, (int)p + 1,
				"invalid specifier '%.*s': expected an operator "
				"(~=, ==, !=, <=, >=, <, >, ===)", (int)len, s);
	p = e;
	e = scan_spec_version(s, len, p, op, &start, &o);
	if (e == SIZE_MAX)
		return error_at(err, NULL, 0, (int)start + 1,
				"invalid specifier '%.*s': expected a version after '%s'",
				(int)len, s, op_names[op]);
	p = skip_space(s, len, e);
	if (p != len)
		return error_at(err, NULL, 0, (int)p + 1,
				"invalid specifier '%.*s': unexpected text at column %zu",
				(int)len, s, p + 1);
	spec->op = op;
	spec->version = xstrndup(s + start, e - start);
	spec->wildcard = o.wildcard;
	if (op != PEP440_OP_ARBITRARY && !o.wildcard) {
		build_version(&spec->parsed, s, &o);
		spec->has_parsed = true;
	}
	if (op == PEP440_OP_COMPATIBLE)
		spec->compat_prefix = compat_prefix(spec->version);
	return 0;
}

void pep440_specifier_finish(struct pep440_specifier *spec)
{
	if (!spec)
		return;
	free(spec->version);
	if (spec->has_parsed)
		pep440_version_finish(&spec->parsed);
	free(spec->compat_prefix);
	memset(spec, 0, sizeof(*spec));
}

bool pep440_specifier_is_pin(const struct pep440_specifier *spec)
{
	return (spec->op == PEP440_OP_EQUAL && !spec->wildcard) || spec->op == PEP440_OP_ARBITRARY;
}

int pep440_specifier_prereleases(const struct pep440_specifier *spec, struct error *err)
{
	struct pep440_version v;
	int r;

	switch (spec->op) {
	case PEP440_OP_EQUAL:
	case PEP440_OP_LESS_EQUAL:
	case PEP440_OP_GREATER_EQUAL:
	case PEP440_OP_COMPATIBLE:
		if (spec->wildcard)
			return 0; /* "X.Y" of "X.Y.*" has no pre-release part */
		return pep440_version_is_prerelease(&spec->parsed);
	case PEP440_OP_ARBITRARY:
		if (pep440_version_parses(&v, spec->version, err) < 0)
			return -1;
		r = pep440_version_is_prerelease(&v);
		pep440_version_finish(&v);
		return r;
	default:
		return 0;
	}
}

/* Version(str(v) cut as flags say): packaging re-parses the strings it prints. */
static int reparse(struct pep440_version *out, const struct pep440_version *v, int flags,
		   struct error *err)
{
	char *s = version_str(v, flags);
	int r = pep440_version_parses(out, s, err);

	free(s);
	return r;
}

static bool parts_equal(char **a, char **b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static size_t count_digit_parts(const struct strv *sv)
{
	size_t n = 0;

	while (n < sv->n && all_digits(sv->v[n]))
		n++;
	return n;
}

/* Specifier._compare_equal for "PREFIX.*". */
static bool equal_wildcard(const struct pep440_version *v, const char *spec)
{
	struct strv sp = STRV_INIT, pp = STRV_INIT, padded = STRV_INIT;
	char *pub = version_str(v, STR_NO_LOCAL);
	char *np = pep440_canonicalize_version(pub, strlen(pub), true);
	char *ns = pep440_canonicalize_version(spec, strlen(spec) - 2, false);
	size_t lrel, rrel, i;
	bool r;

	version_split(ns, &sp);
	version_split(np, &pp);
	lrel = count_digit_parts(&pp);
	rrel = count_digit_parts(&sp);
	for (i = 0; i < lrel; i++)
		strv_push(&padded, pp.v[i]);
	for (i = lrel; i < rrel; i++)
		strv_push(&padded, "0");
	for (i = lrel; i < pp.n; i++)
		strv_push(&padded, pp.v[i]);
	r = padded.n >= sp.n && parts_equal(padded.v, sp.v, sp.n);
	strv_finish(&sp);
	strv_finish(&pp);
	strv_finish(&padded);
	free(pub);
	free(np);
	free(ns);
	return r;
}

/*
 * Whether str(v) parses back to v itself: its labels are the normalised
 * ones (a, b, rc, post), not an odd spelling packaging keeps and may not
 * read back.  Then Version(v.public) is v without its local label, and
 * packaging's re-parse of the printed string can be skipped.
 */
static bool reads_back(const struct pep440_version *v)
{
	return (!v->pre_label || !strcmp(v->pre_label, "a") || !strcmp(v->pre_label, "b") ||
		!strcmp(v->pre_label, "rc")) &&
	       (!v->post_label || !strcmp(v->post_label, "post"));
}

/* Version(v.public) compared with spec; -1 when packaging raises. */
static int compare_public(const struct pep440_version *v, const struct pep440_version *spec,
			  int *cmp, struct error *err)
{
	struct pep440_version pub;

	if (reads_back(v)) {
		pub = *v;
		pub.local = NULL;
		pub.nlocal = 0;
		*cmp = pep440_version_compare(&pub, spec);
		return 0;
	}
	if (reparse(&pub, v, STR_NO_LOCAL, err) < 0)
		return -1;
	*cmp = pep440_version_compare(&pub, spec);
	pep440_version_finish(&pub);
	return 0;
}

static int equal(const struct pep440_specifier *spec, const struct pep440_version *v,
		 struct error *err)
{
	int c;

	if (spec->wildcard)
		return equal_wildcard(v, spec->version);
	if (spec->parsed.nlocal)
		return pep440_version_compare(v, &spec->parsed) == 0;
	if (compare_public(v, &spec->parsed, &c, err) < 0)
		return -1;
	return c == 0;
}

/* Version(a.base_version) == Version(b.base_version): the epochs and releases
 * (what base_version prints, which always reads back) */
static bool same_base(const struct pep440_version *a, const struct pep440_version *b)
{
	struct pep440_version ba, bb;

	memset(&ba, 0, sizeof(ba));
	memset(&bb, 0, sizeof(bb));
	ba.epoch = a->epoch;
	ba.release = a->release;
	ba.nrelease = a->nrelease;
	bb.epoch = b->epoch;
	bb.release = b->release;
	bb.nrelease = b->nrelease;
	return pep440_version_compare(&ba, &bb) == 0;
}

static int compare_op(const struct pep440_specifier *spec, const struct pep440_version *v,
		      struct error *err)
{
	const struct pep440_version *sv = &spec->parsed;
	char *a, *b;
	int c, r;

	switch (spec->op) {
	case PEP440_OP_COMPATIBLE:
		if (compare_public(v, sv, &c, err) < 0)
			return -1;
		return c >= 0 && equal_wildcard(v, spec->compat_prefix);
	case PEP440_OP_EQUAL:
		return equal(spec, v, err);
	case PEP440_OP_NOT_EQUAL:
		r = equal(spec, v, err);
		return r < 0 ? -1 : !r;
	case PEP440_OP_LESS_EQUAL:
		if (compare_public(v, sv, &c, err) < 0)
			return -1;
		return c <= 0;
	case PEP440_OP_GREATER_EQUAL:
		if (compare_public(v, sv, &c, err) < 0)
			return -1;
		return c >= 0;
	case PEP440_OP_LESS:
		if (pep440_version_compare(v, sv) >= 0)
			return 0;
		if (!pep440_version_is_prerelease(sv) && pep440_version_is_prerelease(v) &&
		    same_base(v, sv))
			return 0;
		return 1;
	case PEP440_OP_GREATER:
		if (pep440_version_compare(v, sv) <= 0)
			return 0;
		if (!pep440_version_is_postrelease(sv) && pep440_version_is_postrelease(v) &&
		    same_base(v, sv))
			return 0;
		if (v->nlocal && same_base(v, sv))
			return 0;
		return 1;
	case PEP440_OP_ARBITRARY:
		b = version_str(v, 0);
		a = pep440_lower(b, strlen(b));
		free(b);
		b = pep440_lower(spec->version, strlen(spec->version));
		r = !strcmp(a, b);
		free(a);
		free(b);
		return r;
	}
	return 0;
}

int pep440_specifier_contains(const struct pep440_specifier *spec,
			      const struct pep440_version *v, int prereleases, struct error *err)
{
	if (prereleases == PEP440_PRE_DEFAULT) {
		prereleases = pep440_specifier_prereleases(spec, err);
		if (prereleases < 0)
			return -1;
	}
	if (pep440_version_is_prerelease(v) && !prereleases)
		return 0;
	return compare_op(spec, v, err);
}

static bool same_canonical(const struct pep440_specifier *a, const struct pep440_specifier *b)
{
	char *ca, *cb;
	bool r;

	if (a->op != b->op)
		return false;
	ca = pep440_canonicalize_version(a->version, strlen(a->version),
					 a->op != PEP440_OP_COMPATIBLE);
	cb = pep440_canonicalize_version(b->version, strlen(b->version),
					 b->op != PEP440_OP_COMPATIBLE);
	r = !strcmp(ca, cb);
	free(ca);
	free(cb);
	return r;
}

/* End of s[a..end) without trailing white space. */
static size_t rstrip_end(const char *s, size_t a, size_t end)
{
	size_t q = a, last = a, n;

	while (q < end) {
		n = pep440_space_len(s + q, end - q);
		q += n ? n : 1;
		if (!n)
			last = q;
	}
	return last;
}

int pep440_specset_parse(struct pep440_specset *set, const char *s, size_t len,
			 struct error *err)
{
	size_t start = 0, cap = 0;

	set->v = NULL;
	set->n = 0;
	while (start <= len) {
		const char *comma = memchr(s + start, ',', len - start);
		size_t end = comma ? (size_t)(comma - s) : len, a = start, b = end, i;
		struct pep440_specifier spec;

		/* str.strip() */
		a = skip_space(s, end, a);
		b = rstrip_end(s, a, end);
		if (b > a) {
			if (pep440_specifier_parse(&spec, s + a, b - a, err) < 0) {
				if (err)
					err->column += (int)a;
				pep440_specset_finish(set);
				return -1;
			}
			for (i = 0; i < set->n; i++)
				if (same_canonical(&set->v[i], &spec))
					break;
			if (i < set->n) {
				pep440_specifier_finish(&spec);
			} else {
				grow_array((void **)&set->v, &cap, set->n + 1, sizeof(spec));
				set->v[set->n++] = spec;
			}
		}
		if (!comma)
			break;
		start = end + 1;
	}
	return 0;
}

void pep440_specset_finish(struct pep440_specset *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		pep440_specifier_finish(&set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

char *pep440_specset_str(const struct pep440_specset *set)
{
	struct strbuf sb;
	char **items = xcalloc(set->n + 1, sizeof(char *));
	size_t i;

	for (i = 0; i < set->n; i++)
		items[i] = xasprintf("%s%s", op_names[set->v[i].op], set->v[i].version);
	qsort(items, set->n, sizeof(char *), strv_cmp);
	strbuf_init(&sb);
	for (i = 0; i < set->n; i++) {
		strbuf_addf(&sb, "%s%s", i ? "," : "", items[i]);
		free(items[i]);
	}
	free(items);
	return strbuf_detach(&sb);
}

int pep440_specset_contains(const struct pep440_specset *set, const struct pep440_version *v,
			    int prereleases, struct error *err)
{
	size_t i;
	int r, all = 1;

	if (prereleases == PEP440_PRE_DEFAULT && set->n) {
		prereleases = 0;
		for (i = 0; i < set->n; i++) {
			r = pep440_specifier_prereleases(&set->v[i], err);
			if (r < 0)
				return -1;
			prereleases |= r;
		}
	}
	if (prereleases != PEP440_PRE_ALLOW && pep440_version_is_prerelease(v))
		return 0;
	for (i = 0; i < set->n; i++) {
		r = compare_op(&set->v[i], v, err);
		if (r < 0)
			return -1;
		all &= r;
	}
	return all;
}
