#include "proc.h"
#include "proctree.h"
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
	long n = proctree_children(pid, out);

	return n > 0 ? (size_t)n : 0;
}
