/*
 * Allocation and small string helpers.  The x* allocators never return
 * NULL: out of memory prints one line and aborts, as git does; there is
 * nothing sensible a configuration tool can do without memory.
 */
#ifndef DEPLOY_RUN_UTIL_H
#define DEPLOY_RUN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cleanup-attrs.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Grows *p (of *cap elements of size elem) so that it holds at least need. */
void grow_array(void **p, size_t *cap, size_t need, size_t elem);

/* _cleanup_free_, _cleanup_close_ and the others: common/cleanup-attrs.h */

bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
bool str_eq(const char *a, const char *b); /* NULL-safe */
bool str_case_eq(const char *a, const char *b);

/* Trims ASCII white space in place; returns s advanced past leading space. */
char *str_trim(char *s);

/* Levenshtein distance, capped at max+1 (for "did you mean"). */
size_t str_distance(const char *a, const char *b, size_t max);

/* Shell-style glob match (fnmatch without flags). */
bool str_glob(const char *pattern, const char *s);

/*
 * A glob prepared once for matching many names (the secret globs against
 * every variable): the same answers as str_glob().  pattern is not copied
 * and must outlive g.
 */
struct glob {
	const char *pattern;
	const char *mid;  /* pattern without a leading and a trailing '*' */
	size_t n;         /* length of mid */
	enum { GLOB_EXACT, GLOB_PREFIX, GLOB_SUFFIX, GLOB_CONTAINS, GLOB_STARS, GLOB_FNMATCH } shape;
};
void glob_compile(struct glob *g, const char *pattern);
/* glob_match() of the shapes that need more than a comparison. */
bool glob_match_slow(const struct glob *g, const char *s);

/* Whether s (slen bytes, NUL-terminated) matches g.  In line: it runs for
 * every variable against every secret glob. */
static inline bool glob_match(const struct glob *g, const char *s, size_t slen)
{
	size_t i;

	switch (g->shape) {
	case GLOB_EXACT:
		return slen == g->n && memcmp(s, g->mid, g->n) == 0;
	case GLOB_PREFIX:
		return slen >= g->n && memcmp(s, g->mid, g->n) == 0;
	case GLOB_SUFFIX:
		return slen >= g->n && memcmp(s + slen - g->n, g->mid, g->n) == 0;
	case GLOB_CONTAINS:
		/* names are short: memmem's set-up would cost more than the search */
		if (g->n == 0)
			return true;
		for (i = 0; i + g->n <= slen; i++)
			if (s[i] == g->mid[0] && memcmp(s + i + 1, g->mid + 1, g->n - 1) == 0)
				return true;
		return false;
	default:
		return glob_match_slow(g, s);
	}
}

/* Monotonic clock in nanoseconds. */
uint64_t now_ns(void);

#endif
