/*
 * The in-tree assert header for unit tests.  A test file defines
 * functions and calls them from main() with RUN(name); CHECK failures
 * print file:line and the expression, and the exit status counts them.
 */
#ifndef DEPLOY_RUN_T_H
#define DEPLOY_RUN_T_H

#include <stdio.h>
#include <string.h>

static int t_failures, t_checks;

#define CHECK(expr) do { t_checks++; if (!(expr)) { t_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); } } while (0)
#define CHECK_STR(a, b) do { const char *t_a = (a), *t_b = (b); t_checks++; \
	if (!t_a || !t_b || strcmp(t_a, t_b) != 0) { t_failures++; \
	fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
		#a, #b, t_a ? t_a : "(null)", t_b ? t_b : "(null)"); } } while (0)
#define CHECK_INT(a, b) do { long long t_a = (long long)(a), t_b = (long long)(b); t_checks++; \
	if (t_a != t_b) { t_failures++; fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %s: %lld != %lld\n", \
		__FILE__, __LINE__, #a, #b, t_a, t_b); } } while (0)
#define RUN(fn) do { int t_before = t_failures; fn(); \
	fprintf(stderr, "%s %s\n", t_failures == t_before ? "ok  " : "FAIL", #fn); } while (0)
#define T_DONE() (fprintf(stderr, "%d checks, %d failed\n", t_checks, t_failures), t_failures ? 1 : 0)

#endif
