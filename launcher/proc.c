#include "proc.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char proc_state(pid_t pid, pid_t *ppid)
{
	char path[64], buf[512], *p, st = 0;
	ssize_t n;
	int fd, pp = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "PID (COMM) S PPID ...": COMM may hold spaces and parentheses */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", &st, &pp) != 2)
		return 0;
	if (ppid)
		*ppid = pp;
	return st;
}

int proc_alive(pid_t pid)
{
	char st = pid > 0 ? proc_state(pid, NULL) : 0;

	return st && st != 'Z' && st != 'X';
}

size_t proc_children(pid_t pid, pid_t **out)
{
	char path[64];
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d;

	*out = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char file[96], *buf = NULL, *p, *end;
		size_t len = 0;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/children", path, de->d_name);
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* "PID PID ...", read whole: a number is never cut in two */
		for (;;) {
			ssize_t r;

			buf = xrealloc(buf, len + 4097);
			r = read(fd, buf + len, 4096);
			if (r <= 0)
				break;
			len += (size_t)r;
		}
		close(fd);
		buf[len] = '\0';
		for (p = buf;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			grow_array((void **)out, &cap, n + 1, sizeof(**out));
			(*out)[n++] = (pid_t)v;
		}
		free(buf);
	}
	closedir(d);
	return n;
}
