#include "t.h"
#include "perms.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct stat st_of(mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	st.st_gid = gid;
	return st;
}

/* Returns the reasons for st as one string (empty when none). */
static char *why(mode_t mode, uid_t uid, uid_t runtime)
{
	struct stat st = st_of(mode, uid, 50);
	struct strbuf sb;
	bool bad;

	strbuf_init(&sb);
	bad = perms_foreign_write(&st, runtime, "; ", &sb);
	if (bad != (sb.len > 0))
		return xstrdup("(return value and text disagree)");
	return strbuf_detach(&sb);
}

static void test_files(void)
{
	char *s;

	CHECK_STR_FREE(why(S_IFREG | 0644, 0, 1000), "");
	CHECK_STR_FREE(why(S_IFREG | 0600, 1000, 1000), "");
	CHECK_STR_FREE(why(S_IFREG | 0664, 0, 1000), "is writable by its group (gid 50): its members can change what the server "
		       "runs with");
	CHECK_STR_FREE(why(S_IFREG | 0646, 0, 1000), "is writable by others: anyone on the host can change what the server runs "
		       "with");
	/* others-writable says it all: the group is not repeated */
	s = why(S_IFREG | 0666, 0, 1000);
	CHECK(strstr(s, "by others") && !strstr(s, "group"));
	free(s);
	/* uid 4242 has no passwd entry on the test hosts */
	CHECK_STR_FREE(why(S_IFREG | 0644, 4242, 1000), "is owned by an unknown user (uid 4242), neither root nor the user the server "
		       "runs as");
	s = why(S_IFREG | 0666, 4242, 1000);
	CHECK(s && strstr(s, "runs with; is owned by"));
	free(s);
	/* the sticky bit is no excuse for a file */
	s = why(S_IFREG | 01666, 0, 1000); CHECK(strstr(s, "by others") != NULL); free(s);
}

static void test_dirs(void)
{
	char *s;

	CHECK_STR_FREE(why(S_IFDIR | 0755, 0, 1000), "");
	s = why(S_IFDIR | 0777, 0, 1000); CHECK(strstr(s, "by others") != NULL); free(s);
	s = why(S_IFDIR | 0775, 1000, 1000); CHECK(strstr(s, "by its group") != NULL); free(s);
	/* /tmp: others may add entries, not replace root's or the runtime user's */
	CHECK_STR_FREE(why(S_IFDIR | 01777, 0, 1000), "");
	CHECK_STR_FREE(why(S_IFDIR | 01777, 1000, 1000), "");
	s = why(S_IFDIR | 01777, 4242, 1000);
	CHECK(strstr(s, "runs with; is owned by") != NULL);
	free(s);
}

int main(void)
{
	RUN(test_files);
	RUN(test_dirs);
	return T_DONE();
}
