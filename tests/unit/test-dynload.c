/*
 * Unit tests of common/dynload.c, on libc (always there): symbols land at
 * their offsets; a missing library or symbol is an error naming it and
 * leaves the table as it was.
 */
#include "t.h"
#include "dynload.h"
#include "util.h"

#include <dlfcn.h>
#include <string.h>

struct fns {
	size_t (*strlen)(const char *);
	int (*strcmp)(const char *, const char *);
};

static void test_load(void)
{
	static const char *const libc[] = {"libc-does-not-exist.so.9", "libc.so.6", NULL};
	static const char *const none[] = {"libnothing-here.so.1", NULL};
	static const struct dynload_sym syms[] = {
		DYNLOAD_SYM(struct fns, strlen, "strlen"),
		DYNLOAD_SYM(struct fns, strcmp, "strcmp"),
	};
	static const struct dynload_sym bad[] = {
		DYNLOAD_SYM(struct fns, strlen, "strlen"),
		DYNLOAD_SYM(struct fns, strcmp, "no_such_symbol_here"),
	};
	struct fns f = {0};
	struct error err = ERROR_INIT;
	void *h;

	h = dynload_open(libc, "tests", NULL, syms, ARRAY_SIZE(syms), &f, sizeof(f), &err);
	CHECK(h != NULL);
	CHECK(f.strlen != NULL && f.strlen("four") == 4);
	CHECK(f.strcmp != NULL && f.strcmp("a", "a") == 0);
	if (h)
		dlclose(h);

	memset(&f, 0, sizeof(f));
	CHECK(dynload_open(none, "tests", "libnothing1", syms, ARRAY_SIZE(syms), &f, sizeof(f),
			   &err) == NULL);
	CHECK(strstr(err.message, "cannot load libnothing-here.so.1 for tests: ") != NULL);
	CHECK(strstr(err.message, "; install libnothing1") != NULL);
	CHECK(f.strlen == NULL);

	error_clear(&err);
	CHECK(dynload_open(libc, "tests", NULL, bad, ARRAY_SIZE(bad), &f, sizeof(f), &err) == NULL);
	CHECK_STR(err.message, "libc.so.6 lacks no_such_symbol_here");
	CHECK(f.strlen == NULL && f.strcmp == NULL);
}

int main(void)
{
	RUN(test_load);
	return T_DONE();
}
