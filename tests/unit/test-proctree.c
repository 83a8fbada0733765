/* proctree: children, descendants (the children files and the /proc scan agree), signal. */
#include "t.h"
#include "testutil.h"
#include "proctree.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Whether the two walks list the same set, of n processes. */
static bool same_set(pid_t root, long n)
{
	pid_t *a = NULL, *b = NULL;
	long na = proctree_descendants(root, &a), nb = proctree_scan(root, &b);
	bool same = na == n && nb == n;

	if (same && n) {
		qsort(a, (size_t)n, sizeof(*a), cmp);
		qsort(b, (size_t)n, sizeof(*b), cmp);
		same = memcmp(a, b, (size_t)n * sizeof(*a)) == 0;
	}
	if (!same)
		fprintf(stderr, "  walk %ld, scan %ld, expected %ld\n", na, nb, n);
	free(a);
	free(b);
	return same;
}

static void *fork_from_thread(void *arg)
{
	*(pid_t *)arg = testutil_sleeper();
	return NULL;
}

/* A child with a grandchild, a child forked by a thread, an orphan
 * reparented to us (the subreaper) by a double fork. */
static void test_tree(void)
{
	int pfd[2];
	pid_t a, c, orphan = 0, *v = NULL;
	pthread_t th;
	long n;

	CHECK_INT(proctree_descendants(getpid(), &v), 0);
	CHECK(v == NULL);
	CHECK_INT(proctree_children(getpid(), &v), 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe(pfd) < 0)
		return;
	a = fork();
	if (a == 0) {
		pid_t g = testutil_sleeper(), o;

		(void)g;
		o = fork();
		if (o == 0) {
			pid_t oo = testutil_sleeper();

			if (write(pfd[1], &oo, sizeof(oo)) < 0)
				_exit(1);
			_exit(0); /* oo is orphaned: reparented to the subreaper */
		}
		waitpid(o, NULL, 0);
		pause();
		_exit(0);
	}
	if (read(pfd[0], &orphan, sizeof(orphan)) != sizeof(orphan))
		orphan = 0;
	close(pfd[0]);
	close(pfd[1]);
	pthread_create(&th, NULL, fork_from_thread, &c);
	pthread_join(th, NULL);
	/* a's own child and the orphan's parent exit may still be in flight: wait for 4 */
	for (int i = 0; i < 500; i++) {
		n = proctree_descendants(getpid(), &v);
		free(v);
		if (n == 4)
			break;
		usleep(10000);
	}
	CHECK(orphan > 0);
	CHECK(same_set(getpid(), 4)); /* a, its child, c (forked by a thread), the orphan */
	n = proctree_children(getpid(), &v);
	CHECK_INT(n, 3); /* a, c, and the reparented orphan */
	CHECK(proctree_has(v, n, a) && proctree_has(v, n, c) && proctree_has(v, n, orphan));
	free(v);
	/* breadth first: root's children before a's child */
	n = proctree_descendants(getpid(), &v);
	CHECK(n == 4 && proctree_has(v, 3, a) && proctree_has(v, 3, c) && !proctree_has(v, 3, 0));
	free(v);
	CHECK(same_set(a, 1));
	CHECK_INT(proctree_signal(getpid(), SIGKILL), 4);
	while (waitpid(-1, NULL, 0) > 0)
		;
	CHECK(same_set(getpid(), 0));
	CHECK_INT(proctree_children(a, &v), 0); /* gone */
	CHECK_INT(proctree_signal(getpid(), SIGKILL), 0);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

/* More children than one read of a children file holds (4096 bytes). */
static void test_many(void)
{
	enum { N = 700 };
	pid_t *kids = calloc(N, sizeof(*kids)), *v = NULL;
	long n, i, found = 0;

	for (i = 0; i < N; i++)
		kids[i] = testutil_sleeper();
	n = proctree_children(getpid(), &v);
	CHECK_INT(n, N);
	for (i = 0; i < N; i++)
		found += proctree_has(v, n, kids[i]);
	CHECK_INT(found, N);
	free(v);
	CHECK(same_set(getpid(), N));
	CHECK_INT(proctree_signal(getpid(), SIGKILL), N);
	while (waitpid(-1, NULL, 0) > 0)
		;
	free(kids);
}

int main(void)
{
	RUN(test_tree);
	RUN(test_many);
	return T_DONE();
}
