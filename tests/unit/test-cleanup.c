#include "t.h"
#include "cleanup.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/test-cleanup.XXXXXX";

static void make(const char *name, size_t size)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, (off_t)size) == 0);
	close(fd);
}

static int exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void test_format_size(void)
{
	char b[32];

	cleanup_format_size(b, sizeof(b), 32); CHECK_STR(b, "32 B");
	cleanup_format_size(b, sizeof(b), 4096); CHECK_STR(b, "4.0 KiB");
	cleanup_format_size(b, sizeof(b), 1 << 20); CHECK_STR(b, "1.0 MiB");
}

/* segments: new ones go, old ones, mapped ones and other users' stay */
static void test_shm(void)
{
	struct cleanup_config cfg = {.shm = CLEANUP_SHM_REMOVE, .shm_dir = dir, .owner = geteuid(),
				     .quiet = true};
	struct error err = ERROR_INIT;
	struct cleanup *cl;
	char path[256];
	void *map;
	int fd;

	make("old", 10);
	cl = cleanup_create(&cfg, &err);
	CHECK(cl != NULL);
	make("psm_new", 2048);
	make("sem.new", 32);
	make("mapped", 4096);
	snprintf(path, sizeof(path), "%s/mapped", dir);
	fd = open(path, O_RDWR);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	CHECK(map != MAP_FAILED);
	cleanup_finish(cl);
	CHECK(exists("old"));
	CHECK(exists("mapped"));
	CHECK(!exists("psm_new"));
	CHECK(!exists("sem.new"));
	CHECK_INT(cleanup_count(cl), 2);
	CHECK(strstr(cleanup_summary(cl), "shm ") && strstr(cleanup_summary(cl), "(2.0 KiB)"));
	CHECK(strstr(cleanup_summary(cl), "semaphore ") && strstr(cleanup_summary(cl), "(32 B)"));
	munmap(map, 4096);
	cleanup_destroy(cl);

	/* report mode removes nothing; another owner is not ours */
	cfg.shm = CLEANUP_SHM_REPORT;
	cl = cleanup_create(&cfg, &err);
	make("psm_report", 1);
	cleanup_finish(cl);
	CHECK(exists("psm_report"));
	CHECK_INT(cleanup_count(cl), 0);
	cleanup_destroy(cl);
	cfg.shm = CLEANUP_SHM_REMOVE;
	cfg.owner = geteuid() + 1;
	cl = cleanup_create(&cfg, &err);
	make("psm_other", 1);
	cleanup_finish(cl);
	CHECK(exists("psm_other"));
	cleanup_destroy(cl);
}

/* tracking: a segment first used outside the tree is kept, even unused at the end */
static void test_track(void)
{
	struct cleanup_config cfg = {.shm = CLEANUP_SHM_REMOVE, .shm_dir = dir, .owner = geteuid(),
				     .quiet = true};
	struct error err = ERROR_INIT;
	struct cleanup *cl = cleanup_create(&cfg, &err);
	char path[256], c;
	int fds[2], other;
	pid_t child;

	CHECK(cl != NULL);
	CHECK(cleanup_track(cl, &err) >= 0);
	/* this process is outside the tree of getpid(): its segment is not the run's */
	snprintf(path, sizeof(path), "%s/other_seg", dir);
	other = open(path, O_CREAT | O_RDWR, 0600);
	CHECK(other >= 0);
	CHECK(pipe(fds) == 0);
	child = fork();
	if (child == 0) {
		close(other);
		snprintf(path, sizeof(path), "%s/tree_seg", dir);
		if (open(path, O_CREAT | O_RDWR, 0600) < 0 || write(fds[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(read(fds[0], &c, 1) == 1);
	make("unseen_seg", 100); /* nobody holds it: decided at the end, as untracked */
	cleanup_observe(cl, getpid());
	close(other);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	cleanup_finish(cl);
	CHECK(exists("other_seg"));
	CHECK(!exists("tree_seg"));
	CHECK(!exists("unseen_seg"));
	CHECK_INT(cleanup_count(cl), 2);
	cleanup_destroy(cl);

	cfg.shm = CLEANUP_SHM_OFF;
	cl = cleanup_create(&cfg, &err);
	CHECK(cleanup_track(cl, &err) < 0);
	cleanup_destroy(cl);
}

static void test_refuse_root(void)
{
	struct cleanup_config cfg = {.shm = CLEANUP_SHM_OFF, .prometheus_dir = "//"};
	struct error err = ERROR_INIT;

	CHECK(cleanup_create(&cfg, &err) == NULL);
	CHECK(strstr(err.message, "refusing") != NULL);
}

static void test_descendants(void)
{
	pid_t *pids;
	pid_t child = fork();
	long n;

	if (child == 0) {
		pause();
		_exit(0);
	}
	n = cleanup_descendants(getpid(), &pids);
	CHECK_INT(n, 1);
	CHECK(n == 1 && pids[0] == child);
	free(pids);
	CHECK_INT(cleanup_signal_tree(getpid(), SIGKILL), 1);
	waitpid(child, NULL, 0);
	CHECK_INT(cleanup_descendants(getpid(), &pids), 0);
}

int main(void)
{
	static const char *left[] = {"old", "mapped", "psm_report", "psm_other",
				    "other_seg"};
	char path[256];
	int rc;

	if (!mkdtemp(dir))
		return 1;
	RUN(test_format_size);
	RUN(test_shm);
	RUN(test_track);
	RUN(test_refuse_root);
	RUN(test_descendants);
	rc = T_DONE();
	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, left[i]);
		unlink(path);
	}
	rmdir(dir);
	return rc;
}
