#include "t.h"
#include "testutil.h"
#include "cleanup.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

static void test_unix_path_bound(void)
{
	static const char net[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 4711 /tmp/pymp-a1/listener-x\n"
		"0000000000000000: 00000002 00000000 00000000 0002 01 4712 @abstract/tmp/pymp-c\n"
		"0000000000000000: 00000003 00000000 00000000 0001 03 4713\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 4714 /tmp/with space/s\n";

	CHECK(cleanup_unix_path_bound(net, "/tmp/pymp-a1"));
	CHECK(cleanup_unix_path_bound(net, "/tmp/pymp-a1/"));
	CHECK(!cleanup_unix_path_bound(net, "/tmp/pymp-a"));   /* a prefix of the name only */
	CHECK(!cleanup_unix_path_bound(net, "/tmp/pymp-c"));   /* abstract: no path */
	CHECK(cleanup_unix_path_bound(net, "/tmp/with space"));
	CHECK(!cleanup_unix_path_bound(net, "/var"));
	CHECK(!cleanup_unix_path_bound("", "/tmp"));
	CHECK(!cleanup_unix_path_bound("garbage\n\n  1 2 3 4 5 6 7", "/tmp"));
}

static void test_tmp_dir(void)
{
	char *env1[] = {"PATH=/bin", "TMP=/nonexistent-dir", "TEMP=/var", NULL};
	char *env2[] = {"TMPDIR=", "TMP=test-cleanup-rel", NULL};
	char *env3[] = {"TMPDIR=/etc/passwd", NULL};
	char *env4[] = {(char *)"TMPDIR=", NULL};
	char rel[300], *d;

	env4[0] = rel;
	snprintf(rel, sizeof(rel), "TMPDIR=%s", dir);
	d = cleanup_tmp_dir(env4, "/");
	CHECK_STR(d, dir);
	free(d);
	d = cleanup_tmp_dir(env1, "/");   /* TEMP before TMP; a missing one is skipped */
	CHECK_STR(d, "/var");
	free(d);
	d = cleanup_tmp_dir(env3, "/");   /* not a directory */
	CHECK_STR(d, "/tmp");
	free(d);
	CHECK(mkdir("/tmp/test-cleanup-rel", 0700) == 0 || errno == EEXIST);
	d = cleanup_tmp_dir(env2, "/tmp"); /* empty TMPDIR skipped; relative to cwd */
	CHECK_STR(d, "/tmp/test-cleanup-rel");
	free(d);
	rmdir("/tmp/test-cleanup-rel");
	d = cleanup_tmp_dir(NULL, NULL);
	CHECK_STR(d, "/tmp");
	free(d);
}

/* a listening socket bound at path; the fd, or -1 */
static int listen_at(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0)
		return -1;
	return fd;
}

/*
 * multiprocessing directories: one made during the run whose socket is
 * closed goes (with its socket); one from before, one whose socket is still
 * open, one holding a subdirectory, a link and another user's stay.
 */
static void test_pymp(void)
{
	char tmp[] = "/tmp/test-cleanup-tmp.XXXXXX", p[512];
	struct cleanup_config cfg = {.shm = CLEANUP_SHM_REMOVE, .shm_dir = dir, .owner = geteuid(),
				     .quiet = true};
	struct error err = ERROR_INIT;
	struct cleanup *cl;
	int gone_fd, held_fd;

	CHECK(mkdtemp(tmp) != NULL);
	cfg.tmp_dir = tmp;
	snprintf(p, sizeof(p), "%s/pymp-before", tmp);
	CHECK(mkdir(p, 0700) == 0);
	cl = cleanup_create(&cfg, &err);
	CHECK(cl != NULL);
	snprintf(p, sizeof(p), "%s/pymp-gone", tmp);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/pymp-gone/listener-1", tmp);
	gone_fd = listen_at(p);
	CHECK(gone_fd >= 0);
	snprintf(p, sizeof(p), "%s/pymp-held", tmp);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/pymp-held/listener-2", tmp);
	held_fd = listen_at(p);
	CHECK(held_fd >= 0);
	snprintf(p, sizeof(p), "%s/pymp-nested", tmp);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/pymp-nested/sub", tmp);
	CHECK(mkdir(p, 0700) == 0);
	snprintf(p, sizeof(p), "%s/pymp-link", tmp);
	CHECK(symlink(dir, p) == 0);
	close(gone_fd);
	cleanup_finish(cl);
	snprintf(p, sizeof(p), "%s/pymp-gone", tmp);
	CHECK(access(p, F_OK) != 0);
	CHECK(strstr(cleanup_summary(cl), "multiprocessing directory") != NULL);
	CHECK(strstr(cleanup_summary(cl), "pymp-gone (1 entry, 0 B)") != NULL);
	CHECK_INT((int)cleanup_count(cl), 1);
	snprintf(p, sizeof(p), "%s/pymp-before", tmp);
	CHECK(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s/pymp-held/listener-2", tmp);
	CHECK(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s/pymp-nested/sub", tmp);
	CHECK(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s/pymp-link", tmp);
	CHECK(access(p, F_OK) == 0);
	cleanup_destroy(cl);
	close(held_fd);

	/* report mode: a new, unused one is only reported */
	cfg.shm = CLEANUP_SHM_REPORT;
	cl = cleanup_create(&cfg, &err);
	CHECK(cl != NULL);
	snprintf(p, sizeof(p), "%s/pymp-report", tmp);
	CHECK(mkdir(p, 0700) == 0);
	cleanup_finish(cl);
	CHECK_INT((int)cleanup_count(cl), 0);
	CHECK(access(p, F_OK) == 0);
	cleanup_destroy(cl);
	CHECK(file_remove_tree(tmp) == 0);
}

int main(void)
{
	static const char *left[] = {"old", "mapped", "psm_report", "psm_other",
				    "other_seg"};
	char path[256];
	int rc;

	testutil_main_dir(dir);
	RUN(test_format_size);
	RUN(test_shm);
	RUN(test_track);
	RUN(test_refuse_root);
	RUN(test_unix_path_bound);
	RUN(test_tmp_dir);
	RUN(test_pymp);
	rc = T_DONE();
	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, left[i]);
		unlink(path);
	}
	rmdir(dir);
	return rc;
}
