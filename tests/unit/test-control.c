/* control: the socket path of a profile, and the reader of the answers' JSON. */
#include "t.h"
#include "control.h"
#include "profile.h"
#include "strv.h"

#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

static struct profile *fake(const char *name, const char *path, const char *sock)
{
	struct profile *p = calloc(1, sizeof(*p));

	p->name = (char *)name;
	p->path = (char *)path;
	p->control_socket = (char *)sock;
	return p;
}

static void test_paths(void)
{
	struct error err = ERROR_INIT;
	struct profile *a = fake("prod", "/srv/a/profiles/prod.ini", NULL);
	struct profile *b = fake("prod", "/srv/b/profiles/prod.ini", NULL);
	char *pa, *pb, *pu;
	bool off = true;

	pa = control_socket_path(a, 0, &off, &err);
	pb = control_socket_path(b, 0, &off, &err);
	CHECK(!off);
	CHECK(pa && strncmp(pa, "/run/deploy-run/prod-", 21) == 0 && strstr(pa, ".sock"));
	CHECK(pb && strcmp(pa, pb) != 0); /* the same name in two checkouts */
	CHECK_INT(strlen(pa), strlen("/run/deploy-run/prod-") + 16 + 5);
	/* stable: the same profile, the same path */
	{
		char *again = control_socket_path(a, 0, &off, &err);

		CHECK_STR(again, pa);
		free(again);
	}
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	pu = control_socket_path(a, 1000, &off, &err);
	CHECK(pu && strncmp(pu, "/run/user/1000/deploy-run/prod-", 31) == 0);
	CHECK_STR(strrchr(pu, '/'), strrchr(pa, '/'));
	free(pu);
	unsetenv("XDG_RUNTIME_DIR");
	pu = control_socket_path(a, 1000, &off, &err);
	CHECK(pu && strncmp(pu, "/tmp/deploy-run-1000/prod-", 26) == 0);
	free(pu);
	free(pa);
	free(pb);
	free(a);
	free(b);
}

static void test_names(void)
{
	struct error err = ERROR_INIT;
	struct profile *p = fake("../x/my prod;\x1b.ini", "/srv/x/my prod;\x1b.ini", NULL);
	char *s;
	bool off;

	/* a profile given as a path: its file name, unsafe bytes replaced */
	s = control_socket_path(p, 0, &off, &err);
	CHECK(s && strncmp(s, "/run/deploy-run/my_prod__-", 26) == 0);
	free(s);
	free(p);
	p = fake("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/p/a.ini", NULL);
	s = control_socket_path(p, 0, &off, &err);
	CHECK(s && strlen(s) == strlen("/run/deploy-run/") + 32 + 1 + 16 + 5);
	free(s);
	free(p);
}

static void test_configured(void)
{
	struct error err = ERROR_INIT;
	struct profile *p = fake("prod", "/p/prod.ini", "/srv/app/ctl.sock");
	struct strv v = STRV_INIT;
	char longpath[200];
	char *s;
	bool off = true;

	s = control_socket_path(p, 1000, &off, &err);
	CHECK_STR(s, "/srv/app/ctl.sock");
	CHECK(!off);
	free(s);
	/* configured: one candidate, for root and others alike */
	CHECK_INT(control_client_paths(p, 1000, &v, &off, &err), 0);
	CHECK_INT(v.n, 1);
	strv_finish(&v);
	p->control_socket = "off";
	s = control_socket_path(p, 0, &off, &err);
	CHECK(!s && off && !error_is_set(&err));
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	p->control_socket = longpath;
	s = control_socket_path(p, 0, &off, &err);
	CHECK(!s && !off && error_is_set(&err) && strstr(err.message, "longer than"));
	error_clear(&err);
	free(p);
}

static void test_client_paths(void)
{
	struct error err = ERROR_INIT;
	struct profile *p = fake("prod", "/p/prod.ini", NULL);
	struct strv v = STRV_INIT;
	bool off;

	setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
	CHECK_INT(control_client_paths(p, 7, &v, &off, &err), 0);
	CHECK_INT(v.n, 2); /* its own, then root's */
	CHECK(v.n == 2 && strncmp(v.v[0], "/run/user/7/deploy-run/", 23) == 0);
	CHECK(v.n == 2 && strncmp(v.v[1], "/run/deploy-run/", 16) == 0);
	strv_finish(&v);
	CHECK_INT(control_client_paths(p, 0, &v, &off, &err), 0);
	CHECK_INT(v.n, 1);
	strv_finish(&v);
	unsetenv("XDG_RUNTIME_DIR");
	free(p);
}

static void test_json(void)
{
	const char *j = "{\"error\": \"a \\\"quoted\\\" \\u0041\\n\", \"exit\": 2, \"list\": [1, {\"x\": "
			"[]}, \"]\"], \"t\": true, \"o\": {\"exit\": 9}}";

	CHECK_STR_FREE(control_json_get(j, "error"), "a \"quoted\" A\n");
	CHECK_STR_FREE(control_json_get(j, "exit"), "2");
	CHECK_STR_FREE(control_json_get(j, "list"), "[1, {\"x\": []}, \"]\"]");
	CHECK_STR_FREE(control_json_raw(j, "error"), "\"a \\\"quoted\\\" \\u0041\\n\"");
	CHECK_STR_FREE(control_json_get(j, "t"), "true");
	CHECK(control_json_get(j, "x") == NULL); /* nested keys are not top-level */
	CHECK(control_json_get(j, "missing") == NULL);
	/* malformed: never a crash, never a value */
	CHECK(control_json_get("", "a") == NULL);
	CHECK(control_json_get("[1]", "a") == NULL);
	CHECK(control_json_get("{\"a\"", "a") == NULL);
	CHECK(control_json_get("{\"a\": \"unterminated", "a") == NULL);
	CHECK(control_json_get("{\"a\": [1, 2", "a") == NULL);
	CHECK(control_json_get("{\"a\": \"\\u00", "a") == NULL);
	CHECK(control_json_skip("[[[[]]]]") != NULL);
	CHECK(control_json_skip("[[[[]]]") == NULL);
	{
		char deep[200];

		memset(deep, '[', sizeof(deep) - 1);
		deep[sizeof(deep) - 1] = '\0';
		CHECK(control_json_skip(deep) == NULL);
	}
}

int main(void)
{
	RUN(test_paths);
	RUN(test_names);
	RUN(test_configured);
	RUN(test_client_paths);
	RUN(test_json);
	return T_DONE();
}
