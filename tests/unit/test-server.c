#include "t.h"
#include "testutil.h"
#include "pyimport.h"
#include "server.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_listeners(void)
{
	const char *tcp =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		"timeout inode\n"
		"   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
		"        0 12345 1 0000000000000000 100 0 0 10 0\n"
		"   1: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
		"        0 777 1 0000000000000000 100 0 0 10 0\n"
		"   2: 0100007F:1F40 0100007F:A0B2 01 00000000:00000000 00:00000000 00000000     0"
		"        0 999 1 0000000000000000 20 4 30 10 -1\n"
		"garbage\n"
		/* a port of five hex digits is no port: skipped (found by fuzz-procnet) */
		"   3: 0100007F:9B609 00000000:0000 0A 0 0 ca6,7 100 0 0 10 0\n";
	const char *tcp6 =
		"  sl  local_address                         remote_address                        st "
		"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A "
		"00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 "
		"10 0\n";
	struct server_listener *ls = NULL;
	size_t n = 0, cap = 0;
	unsigned char lo[4], one6[16];

	server_parse_listeners(tcp, false, &ls, &n, &cap);
	CHECK_INT(n, 2);
	inet_pton(AF_INET, "127.0.0.1", lo);
	CHECK(n >= 1 && memcmp(ls[0].addr, lo, 4) == 0);
	CHECK_INT(ls[0].port, 8000);
	CHECK_INT(ls[0].inode, 12345);
	CHECK(n >= 2 && ls[1].port == 80 && ls[1].addr[0] == 0 && !ls[1].v6);
	server_parse_listeners(tcp6, true, &ls, &n, &cap);
	CHECK_INT(n, 3);
	inet_pton(AF_INET6, "::1", one6);
	CHECK(n >= 3 && ls[2].v6 && memcmp(ls[2].addr, one6, 16) == 0);
	CHECK(n >= 3 && ls[2].port == 8080 && ls[2].inode == 4242);
	free(ls);
}

static void test_memory_limit(void)
{
	char v2[] = "/tmp/test-server-v2.XXXXXX", v1[] = "/tmp/test-server-v1.XXXXXX";
	char none[] = "/tmp/test-server-none.XXXXXX";

	CHECK(mkdtemp(v2) != NULL);
	testutil_write(v2, "proc/self/cgroup", "0::/app/web\n");
	testutil_write(v2, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
	testutil_write(v2, "sys/fs/cgroup/app/memory.max", "1073741824\n");
	testutil_write(v2, "sys/fs/cgroup/app/web/memory.max", "max\n");
	CHECK_INT(server_memory_limit(v2), 1073741824);
	/* the cgroup path not visible (inside a container): the mount's own file */
	testutil_write(v2, "proc/self/cgroup", "0::/elsewhere\n");
	testutil_write(v2, "sys/fs/cgroup/memory.max", "536870912\n");
	CHECK_INT(server_memory_limit(v2), 536870912);

	CHECK(mkdtemp(v1) != NULL);
	testutil_write(v1, "proc/self/cgroup", "5:cpu,cpuacct:/\n4:memory:/docker/abc\n0::/\n");
	testutil_write(v1, "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "268435456\n");
	testutil_write(v1, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	CHECK_INT(server_memory_limit(v1), 268435456);
	testutil_write(v1, "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");
	CHECK_INT(server_memory_limit(v1), 0);

	CHECK(mkdtemp(none) != NULL);
	CHECK_INT(server_memory_limit(none), 0);

	testutil_remove_tree(v2);
	testutil_remove_tree(v1);
	testutil_remove_tree(none);
}

static void test_pyimport_parse(void)
{
	struct pyimport_result r;

	pyimport_parse("app says hi\n\ndeploy-run-import: ok\twsgi\tflask.app.Flask instance, "
		       "__call__(environ, start_response)\n", "", &r);
	CHECK_INT(r.status, PYIMPORT_OK);
	CHECK_INT(r.kind, INTERFACE_WSGI);
	CHECK_STR(r.what, "flask.app.Flask instance, __call__(environ, start_response)");
	pyimport_result_finish(&r);

	pyimport_parse("\ndeploy-run-import: ok\tasgi\tclass x.App\n", NULL, &r);
	CHECK_INT(r.kind, INTERFACE_ASGI);
	pyimport_result_finish(&r);

	pyimport_parse("\ndeploy-run-import: error\t/srv/app/x.py\t3\tRuntimeError: no config\n", "",
		       &r);
	CHECK_INT(r.status, PYIMPORT_FAILED);
	CHECK_STR(r.file, "/srv/app/x.py");
	CHECK_INT(r.line, 3);
	CHECK_STR(r.error, "RuntimeError: no config");
	pyimport_result_finish(&r);

	pyimport_parse("\ndeploy-run-import: error\t-\t0\tModuleNotFoundError: No module named 'x'\n",
		       "", &r);
	CHECK(r.file == NULL);
	CHECK_STR(r.error, "ModuleNotFoundError: No module named 'x'");
	pyimport_result_finish(&r);

	pyimport_parse("", "Fatal Python error: init_fs_encoding\nPython runtime state: core\n\n",
		       &r);
	CHECK_INT(r.status, PYIMPORT_CRASHED);
	CHECK_STR(r.error, "Python runtime state: core");
	pyimport_result_finish(&r);

	pyimport_parse("", "", &r);
	CHECK_STR(r.error, "no output");
	pyimport_result_finish(&r);
}

/* The real subprocess: a venv-less python is enough for these. */
static void test_pyimport_run(void)
{
	char dir[] = "/tmp/test-pyimport.XXXXXX";
	char *env[] = {"PATH=/usr/bin:/bin", NULL};
	struct pyimport_result r;
	struct error err = ERROR_INIT;

	if (access("/usr/bin/python3", X_OK) != 0)
		T_SKIP("/usr/bin/python3 is missing");
	CHECK(mkdtemp(dir) != NULL);
	testutil_write(dir, "wsgiapp.py", "def app(environ, start_response):\n    return [b'']\n");
	testutil_write(dir, "asgiapp.py", "async def app(scope, receive, send):\n    pass\n"
			       "def make():\n    return app\n");
	testutil_write(dir, "slow.py", "import time\ntime.sleep(30)\n");
	CHECK_INT(pyimport_run("/usr/bin/python3", "wsgiapp:app", env, dir, 10000, &r, &err), 0);
	CHECK_INT(r.status, PYIMPORT_OK);
	CHECK_INT(r.kind, INTERFACE_WSGI);
	CHECK_STR(r.what, "function app(environ, start_response)");
	pyimport_result_finish(&r);
	CHECK_INT(pyimport_run("/usr/bin/python3", "asgiapp:make()", env, dir, 10000, &r, &err), 0);
	CHECK_INT(r.kind, INTERFACE_ASGI);
	pyimport_result_finish(&r);
	CHECK_INT(pyimport_run("/usr/bin/python3", "asgiapp:nope", env, dir, 10000, &r, &err), 0);
	CHECK_INT(r.status, PYIMPORT_FAILED);
	CHECK(r.error && strstr(r.error, "AttributeError") != NULL);
	pyimport_result_finish(&r);
	/* an app that prints megabytes at import time: the result line is kept */
	testutil_write(dir, "noisy.py", "print('x' * 3000000)\ndef app(environ, start_response):\n    pass\n");
	CHECK_INT(pyimport_run("/usr/bin/python3", "noisy:app", env, dir, 10000, &r, &err), 0);
	CHECK_INT(r.status, PYIMPORT_OK);
	CHECK_INT(r.kind, INTERFACE_WSGI);
	pyimport_result_finish(&r);
	CHECK_INT(pyimport_run("/usr/bin/python3", "slow:app", env, dir, 300, &r, &err), 0);
	CHECK_INT(r.status, PYIMPORT_TIMEOUT);
	pyimport_result_finish(&r);
	CHECK_INT(pyimport_run("/nonexistent/python", "x:y", env, dir, 300, &r, &err), -1);
	testutil_remove_tree(dir);
}

int main(void)
{
	RUN(test_listeners);
	RUN(test_memory_limit);
	RUN(test_pyimport_parse);
	RUN(test_pyimport_run);
	return T_DONE();
}
