/* proc: state, parent and direct children of a process, from its own /proc entries. */
#include "t.h"
#include "proc.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_self(void)
{
	pid_t parent = 0;
	char st = proc_state(getpid(), &parent);

	CHECK(st == 'R' || st == 'S');
	CHECK_INT(parent, getppid());
	CHECK(proc_alive(getpid()));
	CHECK(!proc_alive(0));
	CHECK(!proc_alive(-1));
}

static bool has(const pid_t *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

static void test_children(void)
{
	pid_t a, b, *v;
	size_t n;

	n = proc_children(getpid(), &v);
	CHECK_INT(n, 0);
	CHECK(v == NULL);
	a = fork();
	if (a == 0) {
		pause();
		_exit(0);
	}
	b = fork();
	if (b == 0)
		_exit(3);
	/* b becomes a zombie: still our child, not alive */
	for (int i = 0; i < 2000 && proc_state(b, NULL) != 'Z'; i++)
		usleep(1000);
	CHECK_INT(proc_state(b, NULL), 'Z');
	CHECK(!proc_alive(b));
	CHECK(proc_alive(a));
	n = proc_children(getpid(), &v);
	CHECK_INT(n, 2);
	CHECK(has(v, n, a) && has(v, n, b));
	free(v);
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	CHECK_INT(proc_state(a, NULL), 0);
	n = proc_children(getpid(), &v);
	CHECK_INT(n, 0);
	free(v);
	CHECK_INT(proc_children(a, &v), 0); /* gone */
}

int main(void)
{
	RUN(test_self);
	RUN(test_children);
	return T_DONE();
}
