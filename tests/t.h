/*
 * The in-tree assert header for unit tests.  A test file defines
 * functions and calls them from main() with RUN(name); CHECK failures
 * print file:line and the expression, and the exit status counts them.
 */
#ifndef DEPLOY_RUN_T_H
#define DEPLOY_RUN_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures, t_checks, t_ran, t_skipped;
static const char *t_skip_reason;

static inline void t_check_str(const char *file, int line, const char *ea, const char *eb,
			       const char *a, const char *b)
{
	t_checks++;
	if (!a || !b || strcmp(a, b) != 0) {
		t_failures++;
		fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s: \"%s\" != \"%s\"\n", file, line,
			ea, eb, a ? a : "(null)", b ? b : "(null)");
	}
}

#define CHECK(expr) do { t_checks++; if (!(expr)) { t_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); } } while (0)
#define CHECK_STR(a, b) t_check_str(__FILE__, __LINE__, #a, #b, (a), (b))
/* CHECK_STR_FREE(a, b): CHECK_STR of a string a allocates, which it then frees. */
#define CHECK_STR_FREE(a, b) do { char *t_s = (a); \
	t_check_str(__FILE__, __LINE__, #a, #b, t_s, (b)); free(t_s); } while (0)
#define CHECK_INT(a, b) do { long long t_a = (long long)(a), t_b = (long long)(b); t_checks++; \
	if (t_a != t_b) { t_failures++; fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %s: %lld != %lld\n", \
		__FILE__, __LINE__, #a, #b, t_a, t_b); } } while (0)
/* CHECK_STRV(v, n, "a", "b", ...): the n strings of v are those, in order (one
 * check for the count, then one for each string when the count is right). */
#define CHECK_STRV(v, n, ...) t_check_strv(__FILE__, __LINE__, #v, (v), (n), \
	(const char *const[]){__VA_ARGS__, NULL})
static inline void t_check_strv(const char *file, int line, const char *what, char *const *v,
				size_t n, const char *const *want)
{
	size_t i, k = 0;

	while (want[k])
		k++;
	t_checks++;
	if (n != k) {
		t_failures++;
		fprintf(stderr, "%s:%d: CHECK_STRV failed: %s has %zu strings, not %zu:\n", file, line,
			what, n, k);
		for (i = 0; i < n; i++)
			fprintf(stderr, "  [%zu] \"%s\"\n", i, v[i] ? v[i] : "(null)");
		return;
	}
	for (i = 0; i < k; i++) {
		t_checks++;
		if (!v[i] || strcmp(v[i], want[i]) != 0) {
			t_failures++;
			fprintf(stderr, "%s:%d: CHECK_STRV failed: %s[%zu]: \"%s\" != \"%s\"\n", file,
				line, what, i, v[i] ? v[i] : "(null)", want[i]);
		}
	}
}
/* RUN(fn) prints "ok", "FAIL", or "skip" with the reason fn gave T_SKIP(). */
#define RUN(fn) do { int t_before = t_failures; t_skip_reason = NULL; t_ran++; fn(); \
	if (t_failures == t_before && t_skip_reason) { t_skipped++; \
		fprintf(stderr, "skip %s: %s\n", #fn, t_skip_reason); } \
	else fprintf(stderr, "%s %s\n", t_failures == t_before ? "ok  " : "FAIL", #fn); } while (0)
/* In a void test function: stops it, and RUN reports it skipped, saying why
 * (what the machine lacks).  Never for a failure. */
#define T_SKIP(why) do { t_skip_reason = (why); return; } while (0)
/* The exit status: 1 on any failure; 77 (a skip, to meson) when every test
 * skipped; else 0.  Skips are counted on the last line. */
#define T_DONE() (fprintf(stderr, "%d checks, %d failed%s\n", t_checks, t_failures, \
	t_skipped ? ", some tests skipped (see above)" : ""), \
	t_failures ? 1 : t_ran && t_skipped == t_ran ? 77 : 0)

#endif
