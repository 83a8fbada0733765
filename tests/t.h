/*
 * The in-tree assert header for unit tests.  A test file defines
 * functions and calls them from main() with RUN(name); CHECK failures
 * print file:line and the expression, and the exit status counts them.
 */
#ifndef DEPLOY_RUN_T_H
#define DEPLOY_RUN_T_H

#include <stdio.h>
#include <string.h>

static int t_failures, t_checks, t_ran, t_skipped;
static const char *t_skip_reason;

#define CHECK(expr) do { t_checks++; if (!(expr)) { t_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); } } while (0)
#define CHECK_STR(a, b) do { const char *t_a = (a), *t_b = (b); t_checks++; \
	if (!t_a || !t_b || strcmp(t_a, t_b) != 0) { t_failures++; \
	fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
		#a, #b, t_a ? t_a : "(null)", t_b ? t_b : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long t_a = (long long)(a), t_b = (long long)(b); t_checks++; \
	if (t_a != t_b) { t_failures++; fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %s: %lld != %lld\n", \
		__FILE__, __LINE__, #a, #b, t_a, t_b); } } while (0)
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
