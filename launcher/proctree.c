#include "proctree.h"
#include "proc.h"
#include "cleanup-attrs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Appends the pids of the file at fd ("PID PID ..."); a long list is read on. */
static void read_pids(int fd, pid_t **v, size_t *n, size_t *cap)
{
	char buf[4096 + 16];
	size_t keep = 0;
	ssize_t len;

	while ((len = read(fd, buf + keep, 4096)) > 0 || (len < 0 && errno == EINTR)) {
		char *p, *end, *last;

		if (len < 0)
			continue;
		len += (ssize_t)keep;
		buf[len] = '\0';
		/* a number cut by the end of the read waits for the rest */
		last = buf + len;
		while (last > buf && last[-1] >= '0' && last[-1] <= '9')
			last--;
		for (p = buf; p < last; p = end) {
			long pid = strtol(p, &end, 10);

			if (end == p || end > last)
				break;
			grow_array((void **)v, cap, *n + 1, sizeof(**v));
			(*v)[(*n)++] = (pid_t)pid;
		}
		keep = (size_t)(buf + len - last);
		memmove(buf, last, keep);
	}
	if (keep) {
		buf[keep] = '\0';
		grow_array((void **)v, cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = (pid_t)atol(buf);
	}
}

/* Appends pid's children; 0, or -1 when the kernel has no children files. */
static int add_children(pid_t pid, pid_t **v, size_t *n, size_t *cap)
{
	char path[64];
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	bool any = false;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0; /* gone */
	while ((de = readdir(d))) {
		_cleanup_close_ int fd = -1;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/children", de->d_name);
		fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			/* the thread exited meanwhile: ENOENT too; the task's own dir tells */
			if (errno == ENOENT && faccessat(dirfd(d), de->d_name, F_OK, 0) == 0 && !any)
				return -1;
			continue;
		}
		any = true;
		read_pids(fd, v, n, cap);
	}
	return 0;
}

long proctree_children(pid_t pid, pid_t **out)
{
	pid_t *v = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (add_children(pid, &v, &n, &cap) < 0) {
		free(v);
		return -1;
	}
	*out = v;
	return (long)n;
}

bool proctree_has(const pid_t *v, long n, pid_t pid)
{
	for (long i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

long proctree_descendants(pid_t root, pid_t **out)
{
	pid_t *v = NULL;
	size_t n = 0, cap = 0, next = 0;

	*out = NULL;
	if (add_children(root, &v, &n, &cap) < 0) {
		free(v);
		return proctree_scan(root, out);
	}
	/* each process of the tree once, even if a pid shows up twice in a race */
	while (next < n) {
		size_t before = n, i, j = before;

		add_children(v[next++], &v, &n, &cap);
		for (i = before; i < n; i++)
			if (v[i] != root && !proctree_has(v, (long)j, v[i]))
				v[j++] = v[i];
		n = j;
	}
	*out = v;
	return (long)n;
}

struct link {
	pid_t pid, ppid;
};

static int by_ppid(const void *a, const void *b)
{
	const struct link *x = a, *y = b;

	return (x->ppid > y->ppid) - (x->ppid < y->ppid);
}

long proctree_scan(pid_t root, pid_t **out)
{
	_cleanup_closedir_ DIR *d = opendir("/proc");
	_cleanup_free_ struct link *links = NULL;
	pid_t *v = NULL;
	size_t n = 0, cap = 0, nv = 0, next = 0;
	struct dirent *de;

	*out = NULL;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		pid_t ppid = -1;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    !proc_state((pid_t)atol(de->d_name), &ppid))
			continue;
		grow_array((void **)&links, &cap, n + 1, sizeof(*links));
		links[n++] = (struct link){(pid_t)atol(de->d_name), ppid};
	}
	if (!n)
		return 0;
	/* sorted by parent: each process's children are one run, found by bisection */
	qsort(links, n, sizeof(*links), by_ppid);
	v = xmalloc(sizeof(*v) * n);
	for (pid_t parent = root;; parent = v[next++]) {
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (links[mid].ppid < parent)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && links[lo].ppid == parent; lo++)
			if (links[lo].pid != root && !proctree_has(v, (long)nv, links[lo].pid))
				v[nv++] = links[lo].pid;
		if (next == nv)
			break;
	}
	if (!nv) {
		free(v);
		return 0;
	}
	*out = v;
	return (long)nv;
}

long proctree_signal(pid_t root, int sig)
{
	_cleanup_free_ pid_t *pids = NULL;
	long n = proctree_descendants(root, &pids), i, sent = 0;

	if (n < 0) {
		if (getpid() != 1)
			return -1;
		return kill(-1, sig) == 0 ? 1 : 0;
	}
	for (i = 0; i < n; i++)
		if (kill(pids[i], sig) == 0)
			sent++;
	return sent;
}
