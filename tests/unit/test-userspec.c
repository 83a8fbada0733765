/* common/userspec: [app] user parsed and resolved once for privdrop, the
 * path checks and the permission checks. */
#include "t.h"
#include "userspec.h"
#include "util.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>

static void test_parse(void)
{
	struct error err = ERROR_INIT;
	struct userspec s;

	CHECK_INT(userspec_parse("app", &s, &err), 0);
	CHECK_STR(s.user, "app");
	CHECK(s.group == NULL);
	userspec_finish(&s);
	CHECK_INT(userspec_parse("app:www-data", &s, &err), 0);
	CHECK_STR(s.user, "app");
	CHECK_STR(s.group, "www-data");
	userspec_finish(&s);
	CHECK_INT(userspec_parse("1000:1000", &s, &err), 0);
	CHECK_STR(s.user, "1000");
	CHECK_STR(s.group, "1000");
	userspec_finish(&s);
	CHECK_INT(userspec_parse("app:", &s, &err), 0);  /* nothing after ':': no group */
	CHECK(s.group == NULL);
	userspec_finish(&s);
	CHECK_INT(userspec_parse(":grp", &s, &err), -1);
	CHECK(strstr(err.message, "no user name") != NULL);
	CHECK_INT(userspec_parse("", &s, &err), -1);
}

static void test_resolve_root(void)
{
	struct error err = ERROR_INIT;
	struct userspec_ids ids;

	CHECK_INT(userspec_resolve("root", &ids, &err), 0);
	CHECK_INT(ids.uid, 0);
	CHECK_INT(ids.gid, 0);
	CHECK(ids.in_passwd);
	CHECK(userspec_in_group(&ids, 0));
	userspec_ids_finish(&ids);
	/* a number is looked up too: the name is the passwd entry's */
	CHECK_INT(userspec_resolve("0", &ids, &err), 0);
	CHECK_STR(ids.name, "root");
	userspec_ids_finish(&ids);
	CHECK_INT(userspec_resolve("0:0", &ids, &err), 0);
	CHECK_INT(ids.gid, 0);
	CHECK_INT(ids.ngroups, 1);   /* an explicit group: only that group */
	userspec_ids_finish(&ids);
}

/* Every form that names nobody resolves to the same uid: the permission
 * check once took only a plain name (getpwnam), so user = 65534 or
 * nobody:nogroup found the server's own .env "owned by another user". */
static void test_resolve_nobody(void)
{
	struct error err = ERROR_INIT;
	struct userspec_ids ids;
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");
	const char *forms[] = {"nobody", "65534", "nobody:nogroup", "65534:65534", "nobody:65534"};
	size_t i;

	if (!pw || pw->pw_uid != 65534 || !gr || gr->gr_gid != 65534)
		T_SKIP("no user nobody (65534) and group nogroup (65534) here");
	for (i = 0; i < ARRAY_SIZE(forms); i++) {
		CHECK_INT(userspec_resolve(forms[i], &ids, &err), 0);
		CHECK_INT(ids.uid, 65534);
		CHECK_INT(ids.gid, 65534);
		CHECK_STR(ids.name, "nobody");
		userspec_ids_finish(&ids);
	}
}

static void test_resolve_unknown(void)
{
	struct error err = ERROR_INIT;
	struct userspec_ids ids;

	/* a uid without a passwd entry is accepted, gid = uid, only that group */
	if (!getpwuid(4000000)) {
		CHECK_INT(userspec_resolve("4000000", &ids, &err), 0);
		CHECK_INT(ids.uid, 4000000);
		CHECK_INT(ids.gid, 4000000);
		CHECK(!ids.in_passwd);
		CHECK_STR(ids.name, "4000000");
		CHECK_INT(ids.ngroups, 1);
		userspec_ids_finish(&ids);
	}
	CHECK_INT(userspec_resolve("no-such-user-x", &ids, &err), -1);
	CHECK(strstr(err.message, "unknown user 'no-such-user-x'") != NULL);
	CHECK_INT(userspec_resolve("root:no-such-group-x", &ids, &err), -1);
	CHECK(strstr(err.message, "user 'root:no-such-group-x'") != NULL);
	CHECK(strstr(err.message, "unknown group 'no-such-group-x'") != NULL);
	/* (uid_t)-1 means "no change" to setuid(): never a user */
	CHECK_INT(userspec_resolve("4294967295", &ids, &err), -1);
	CHECK_INT(userspec_resolve("-1", &ids, &err), -1);
	CHECK_INT(userspec_resolve("", &ids, &err), -1);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_resolve_root);
	RUN(test_resolve_nobody);
	RUN(test_resolve_unknown);
	return T_DONE();
}
