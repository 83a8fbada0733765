#include "t.h"
#include "pep440.h"

#include <stdlib.h>
#include <string.h>

static char *norm(const char *s)
{
	static char buf[256];
	struct pep440_version v;
	char *r;

	if (pep440_version_parses(&v, s, NULL) < 0)
		return "(invalid)";
	r = pep440_version_str(&v);
	snprintf(buf, sizeof(buf), "%s", r);
	free(r);
	pep440_version_finish(&v);
	return buf;
}

static void test_version_forms(void)
{
	CHECK_STR(norm("1.0"), "1.0");
	CHECK_STR(norm(" v1.0 "), "1.0");
	CHECK_STR(norm("V1!01.002"), "1!1.2");
	CHECK_STR(norm("1.0ALPHA1"), "1.0a1");
	CHECK_STR(norm("1.0-beta.2"), "1.0b2");
	CHECK_STR(norm("1.0c"), "1.0rc0");
	CHECK_STR(norm("1.0_preview_3"), "1.0rc3");
	CHECK_STR(norm("1.0-1"), "1.0.post1");
	CHECK_STR(norm("1.0rev"), "1.0.post0");
	CHECK_STR(norm("1.0.r.5"), "1.0.post5");
	CHECK_STR(norm("1.0-dev-7"), "1.0.dev7");
	CHECK_STR(norm("1.0a-"), "1.0a0");
	CHECK_STR(norm("1.0+Ubuntu-1_007"), "1.0+ubuntu.1.7");
	CHECK_STR(norm("1.99999999999999999999"), "1.99999999999999999999");
	/* a case-insensitive match lets in the long s, but str.lower() keeps it */
	CHECK_STR(norm("1.0.po\xc5\xbft1"), "1.0.post1");
	CHECK_STR(norm("1.0+\xe2\x84\xaa"), "1.0+k");
	CHECK_STR(norm("1.0\xc2\xa0"), "1.0");
	CHECK_STR(norm("1.0-"), "(invalid)");
	CHECK_STR(norm("1.0+"), "(invalid)");
	CHECK_STR(norm("1.*"), "(invalid)");
	CHECK_STR(norm("1.0a1a2"), "(invalid)");
	CHECK_STR(norm(""), "(invalid)");
	CHECK_STR(norm("1!"), "(invalid)");
}

static void test_version_error(void)
{
	struct error err = ERROR_INIT;
	struct pep440_version v;

	CHECK_INT(pep440_version_parses(&v, "1.0 x", &err), -1);
	CHECK_INT(err.column, 5);
	CHECK(strstr(err.message, "1.0 x") != NULL);
}

static int cmp(const char *a, const char *b)
{
	struct pep440_version x, y;
	int c;

	pep440_version_parses(&x, a, NULL);
	pep440_version_parses(&y, b, NULL);
	c = pep440_version_compare(&x, &y);
	pep440_version_finish(&x);
	pep440_version_finish(&y);
	return c < 0 ? -1 : c > 0;
}

static void test_version_order(void)
{
	static const char *const order[] = {
		"1.0.dev0", "1.0a0.dev1", "1.0a0", "1.0a1", "1.0b1", "1.0rc1", "1.0",
		"1.0+abc", "1.0+abc.1", "1.0+1", "1.0.post0.dev1", "1.0.post0", "1.0.1", "1.1",
		"1!0.1",
	};
	size_t i;

	for (i = 0; i + 1 < sizeof(order) / sizeof(order[0]); i++)
		CHECK_INT(cmp(order[i], order[i + 1]), -1);
	CHECK_INT(cmp("1.0", "1.0.0.0"), 0);
	CHECK_INT(cmp("1.0c1", "1.0rc1"), 0);
	CHECK_INT(cmp("1.0+01", "1.0+1"), 0);
	CHECK_INT(cmp("1.100000000000000000000", "1.99999999999999999999"), 1);
}

static void test_canonicalize(void)
{
	char *s;

	CHECK_STR_FREE(pep440_canonicalize_version("1.0.0", 5, true), "1");
	CHECK_STR_FREE(pep440_canonicalize_version("1.0.0", 5, false), "1.0.0");
	CHECK_STR_FREE(pep440_canonicalize_version("0.0rc1", 6, true), "0rc1");
	CHECK_STR_FREE(pep440_canonicalize_version("not it", 6, true), "not it");
	s = pep440_canonicalize_name("Zope__Interface.-x", 18); CHECK_STR(s, "zope-interface-x");
	free(s);
}

static int contains(const char *spec, const char *ver, int pre)
{
	struct pep440_specset set;
	struct pep440_version v;
	int r;

	if (pep440_specset_parse(&set, spec, strlen(spec), NULL) < 0)
		return -2;
	if (pep440_version_parses(&v, ver, NULL) < 0) {
		pep440_specset_finish(&set);
		return -3;
	}
	r = pep440_specset_contains(&set, &v, pre, NULL);
	pep440_specset_finish(&set);
	pep440_version_finish(&v);
	return r;
}

static void test_specifiers(void)
{
	const int D = PEP440_PRE_DEFAULT, Y = PEP440_PRE_ALLOW, N = PEP440_PRE_DENY;

	CHECK_INT(contains(">=1.0,<2", "1.5", D), 1);
	CHECK_INT(contains(">=1.0,<2", "2.0", D), 0);
	CHECK_INT(contains(">=1.0", "1.1a1", D), 0);
	CHECK_INT(contains(">=1.0", "1.1a1", Y), 1);
	CHECK_INT(contains(">=1.0a1", "1.1a1", D), 1);   /* names a prerelease */
	CHECK_INT(contains(">=1.0a1", "1.1a1", N), 0);
	CHECK_INT(contains("", "1.0a1", D), 0);
	CHECK_INT(contains("", "1.0", D), 1);
	CHECK_INT(contains("<2.0", "2.0a1", Y), 0);     /* not a prerelease of the limit */
	CHECK_INT(contains(">1.0", "1.0.post1", D), 0);
	CHECK_INT(contains(">1.0", "1.0+local", D), 0);
	CHECK_INT(contains("==1.0", "1.0+local", D), 1);
	CHECK_INT(contains("==1.0+local", "1.0", D), 0);
	CHECK_INT(contains("==1.0.*", "1.0.5", D), 1);
	CHECK_INT(contains("==1.0.*", "1.1", D), 0);
	CHECK_INT(contains("!=1.0.*", "1.0.1", D), 0);
	CHECK_INT(contains("~=1.4.5", "1.4.9", D), 1);
	CHECK_INT(contains("~=1.4.5", "1.5.0", D), 0);
	CHECK_INT(contains("~=1.4", "1.9", D), 1);
	CHECK_INT(contains("===1.0", "1.0", D), 1);
	CHECK_INT(contains("===1.0", "1.0.0", D), 0);
	CHECK_INT(contains("===foo", "1.0", D), -1);   /* packaging raises */
	CHECK_INT(contains("===foo", "1.0", Y), 0);
	CHECK_INT(contains("=1.0", "1.0", D), -2);
	CHECK_INT(contains("~=1", "1.0", D), -2);
	CHECK_INT(contains(">=1.0+local", "1.0", D), -2);
	CHECK_INT(contains("==1.0.*.1", "1.0", D), -2);
}

static void test_specset_str(void)
{
	struct pep440_specset set;
	struct error err = ERROR_INIT;
	char *s;
	const char *text = " >= 1.0 , <2,,==1.0.0,==1";

	CHECK_INT(pep440_specset_parse(&set, text, strlen(text), NULL), 0);
	s = pep440_specset_str(&set);
	CHECK_STR(s, "<2,==1.0.0,>=1.0"); /* "==1" equals "==1.0.0" once canonical */
	CHECK_INT(set.n, 3);
	if (set.n == 3)
		CHECK(pep440_specifier_is_pin(&set.v[2]) && !pep440_specifier_is_pin(&set.v[1]));
	free(s);
	pep440_specset_finish(&set);
	CHECK_INT(pep440_specset_parse(&set, ">=1.0, <<2", 10, &err), -1);
	CHECK_INT(err.column, 9);
	CHECK_INT(pep440_specifier_scan("==1.0a1 ; x", 11), 7);
	CHECK_INT(pep440_specifier_scan("===a,b)", 7), 6);
	CHECK_INT(pep440_specifier_scan("<1.0.*", 6), 4);
	CHECK_INT(pep440_specifier_scan("1.0", 3), 0);
}

int main(void)
{
	RUN(test_version_forms);
	RUN(test_version_error);
	RUN(test_version_order);
	RUN(test_canonicalize);
	RUN(test_specifiers);
	RUN(test_specset_str);
	return T_DONE();
}
