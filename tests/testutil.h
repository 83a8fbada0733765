/*
 * File helpers for unit tests that work in a temporary directory: make it,
 * write files in it (their parent directories made on the way), and remove
 * it with everything in it, without a shell.  A failure counts as a CHECK
 * failure (t.h) and says which path.
 */
#ifndef DEPLOY_RUN_TESTUTIL_H
#define DEPLOY_RUN_TESTUTIL_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"
#include "path.h"
#include "t.h"
#include "util.h"

/* mkdir -p: makes path and its missing parents (0755). */
static inline void testutil_mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			fprintf(stderr, "cannot make %s: %s\n", p, strerror(errno));
		*s = '/';
	}
	CHECK(mkdir(p, 0755) == 0 || errno == EEXIST);
	free(p);
}

/* Writes text to dir/rel (mode 0644), making the directories of rel first. */
static inline void testutil_write(const char *dir, const char *rel, const char *text)
{
	char *p = path_join(dir, rel), *d = path_dirname(p);
	struct error err = ERROR_INIT;

	testutil_mkdir_p(d);
	if (file_write_atomic(p, text, strlen(text), 0644, &err) < 0) {
		error_print(&err, stderr);
		CHECK(!"file written");
	}
	free(d);
	free(p);
}

/* Makes a new directory from a mkdtemp() template (changed in place). */
static inline char *testutil_mkdtemp(char *template)
{
	char *dir = mkdtemp(template);

	CHECK(dir != NULL);
	return dir;
}

/* In main(): makes the directory the tests share from a mkdtemp() template
 * (changed in place), or exits 1 saying why. */
static inline void testutil_main_dir(char *template)
{
	if (!mkdtemp(template)) {
		fprintf(stderr, "cannot make %s: %s\n", template, strerror(errno));
		exit(1);
	}
}

/* rm -rf path. */
static inline void testutil_remove_tree(const char *path)
{
	if (file_remove_tree(path) < 0) {
		fprintf(stderr, "cannot remove %s: %s\n", path, strerror(errno));
		CHECK(!"tree removed");
	}
}

/* A child that sleeps until a signal ends it; its pid. */
static inline pid_t testutil_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

#endif
