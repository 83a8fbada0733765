#include "t.h"
#include "pep508.h"

#include <stdlib.h>
#include <string.h>

static struct pep508_env env;

static void set_env(void)
{
	pep508_env_init(&env);
	pep508_env_set(&env, "python_version", "3.11");
	pep508_env_set(&env, "python_full_version", "3.11.2");
	pep508_env_set(&env, "os_name", "posix");
	pep508_env_set(&env, "sys_platform", "linux");
	pep508_env_set(&env, "platform_machine", "x86_64");
	pep508_env_set(&env, "platform_system", "Linux");
	pep508_env_set(&env, "implementation_name", "cpython");
	pep508_env_set(&env, "implementation_version", "3.11.2");
	pep508_env_set(&env, "platform_python_implementation", "CPython");
}

/* 1/0 evaluation, -1 evaluation error, -2 parse error */
static int eval(const char *s, const char *extra)
{
	struct pep508_marker *m = pep508_marker_parse(s, strlen(s), NULL);
	int r;

	if (!m)
		return -2;
	pep508_env_set(&env, "extra", extra);
	r = pep508_marker_evaluate(m, &env, NULL);
	pep508_marker_destroy(m);
	return r;
}

static char *mstr(const char *s)
{
	static char buf[512];
	struct pep508_marker *m = pep508_marker_parse(s, strlen(s), NULL);
	char *r;

	if (!m)
		return "(invalid)";
	r = pep508_marker_str(m);
	snprintf(buf, sizeof(buf), "%s", r);
	free(r);
	pep508_marker_destroy(m);
	return buf;
}

static void test_marker_eval(void)
{
	CHECK_INT(eval("python_version >= '3.8'", ""), 1);
	CHECK_INT(eval("python_version < '3.10'", ""), 0);  /* as versions, not strings */
	CHECK_INT(eval("python_version == '3.*'", ""), 1);
	CHECK_INT(eval("python_full_version ~= '3.11.0'", ""), 1);
	CHECK_INT(eval("os_name == 'nt' or sys_platform == 'linux' and os_name == 'posix'", ""), 1);
	CHECK_INT(eval("(os_name == 'nt' or sys_platform == 'linux') and os_name == 'nt'", ""), 0);
	CHECK_INT(eval("'linux' in sys_platform", ""), 1);
	CHECK_INT(eval("'86' not in platform_machine", ""), 0);
	CHECK_INT(eval("platform_system < 'M'", ""), 1);
	CHECK_INT(eval("python_implementation == 'CPython'", ""), 1);
	CHECK_INT(eval("os.name == 'posix'", ""), 1);
	CHECK_INT(eval("extra == 'Foo_Bar'", "foo.bar"), 1);
	CHECK_INT(eval("extra == 'security'", ""), 0);
	CHECK_INT(eval("os_name ~= 'posix'", ""), -1);    /* undefined comparison */
	CHECK_INT(eval("os_name == '1.0'", ""), -1);      /* "posix" is not a version */
	CHECK_INT(eval("os_name == 'nt' or os_name ~= 'x'", ""), -1); /* all are evaluated */
	CHECK_INT(eval("'posix' == os_name", ""), 1);
	CHECK_INT(eval("'a' == 'b'", ""), -1);            /* no variable named "b" */
	CHECK_INT(eval("os_name == '\\x70osix'", ""), 1);
	CHECK_INT(eval("os_name == 'posix' junk", ""), 1); /* trailing text ignored */
	CHECK_INT(eval("os_name == 'posix'andfoo", ""), 1);
	CHECK_INT(eval("os_name notin 'x'", ""), -2);
	CHECK_INT(eval("(os_name == 'posix'", ""), -2);
	CHECK_INT(eval("os_name == \"\\N{DASH}\"", ""), -2);
	CHECK_INT(eval("os_name == \"\\\"", ""), -2);
	CHECK_INT(eval("", ""), -2);
}

static void test_marker_str(void)
{
	CHECK_STR(mstr("os_name=='posix'"), "os_name == \"posix\"");
	CHECK_STR(mstr("((os_name == 'a'))"), "os_name == \"a\"");
	CHECK_STR(mstr("(a_ == 'x' or os_name == 'a') and os_name == 'b'"), "(invalid)");
	CHECK_STR(mstr("(os_name == 'x' or os_name == 'a') and os_name == 'b'"),
		  "(os_name == \"x\" or os_name == \"a\") and os_name == \"b\"");
	CHECK_STR(mstr("((os_name == 'x' and os_name == 'a')) or os_name == 'b'"),
		  "os_name == \"x\" and os_name == \"a\" or os_name == \"b\"");
	CHECK_STR(mstr("extra == 'Foo_Bar'"), "extra == \"foo-bar\"");
	CHECK_STR(mstr("os_name == 'a' or extra == 'Foo_Bar'"),
		  "os_name == \"a\" or extra == \"Foo_Bar\"");
	CHECK_STR(mstr("platform.python_implementation=='x'"),
		  "platform_python_implementation == \"x\"");
}

static void test_requirement(void)
{
	struct pep508_requirement req;
	struct error err = ERROR_INIT;
	const char *s = "Foo.Bar [sec , Socks,sec] (>=1.0, <2) ; python_version >= '3'";
	char *str;

	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), 0);
	CHECK_STR(req.name, "Foo.Bar");
	CHECK_INT(req.extras.n, 2);
	CHECK_STR(req.extras.v[0], "Socks");
	CHECK_STR(req.specifier, ">=1.0,<2");
	CHECK_INT(req.specset.n, 2);
	CHECK(req.marker != NULL && req.url == NULL);
	str = pep508_requirement_str(&req);
	CHECK_STR(str, "Foo.Bar[Socks,sec]<2,>=1.0; python_version >= \"3\"");
	free(str);
	pep508_requirement_finish(&req);

	s = "pkg @ https://example.org/pkg-1.0.whl ; os_name == 'posix'";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), 0);
	CHECK_STR(req.url, "https://example.org/pkg-1.0.whl");
	str = pep508_requirement_str(&req);
	CHECK_STR(str, "pkg@ https://example.org/pkg-1.0.whl ; os_name == \"posix\"");
	free(str);
	pep508_requirement_finish(&req);

	s = "pkg==1.0 junk";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), &err), -1);
	CHECK_INT(err.column, 4);
	CHECK(strstr(err.message, "semicolon") != NULL);
	s = "pkg @ file:/x";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), -1);
	s = "pkg @ https://";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), -1);
	s = "pkg @ http://[::1/x";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), -1);
	/* a ']' without '[' in the host: the URL's parts are freed on that error path too */
	s = "flask@ https://.wh];python_version<\"1\"";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), &err), -1);
	CHECK(strstr(err.message, "bad IPv6 host") != NULL);
	CHECK(req.name == NULL && req.url == NULL);
	s = "pkg[a b]";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), -1);
	s = "pkg===1,2";  /* one token for the tokenizer, two specifiers for SpecifierSet */
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), -1);
	s = "-pkg";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), -1);
	s = "pkg\n";
	CHECK_INT(pep508_requirement_parse(&req, s, strlen(s), NULL), 0);
	pep508_requirement_finish(&req);
}

static void test_env_host(void)
{
	struct pep508_env h;

	CHECK_INT(pep508_env_init_host(&h, "3.13.0.candidate.1", NULL), 0);
	CHECK_STR(pep508_env_get(&h, "python_version"), "3.13");
	CHECK_STR(pep508_env_get(&h, "python_full_version"), "3.13.0rc1");
	CHECK_STR(pep508_env_get(&h, "implementation_version"), "3.13.0c1");
	CHECK_STR(pep508_env_get(&h, "os_name"), "posix");
	CHECK_STR(pep508_env_get(&h, "extra"), "");
	CHECK(pep508_env_get(&h, "nope") == NULL);
	pep508_env_finish(&h);
	CHECK_INT(pep508_env_init_host(&h, "3.12.1.final.0", NULL), 0);
	CHECK_STR(pep508_env_get(&h, "python_full_version"), "3.12.1");
	pep508_env_finish(&h);
	CHECK_INT(pep508_env_init_host(&h, "three", NULL), -1);
	pep508_env_finish(&h);
}

int main(void)
{
	set_env();
	RUN(test_marker_eval);
	RUN(test_marker_str);
	RUN(test_requirement);
	RUN(test_env_host);
	pep508_env_finish(&env);
	return T_DONE();
}
