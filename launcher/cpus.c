#include "cpus.h"
#include "fileio.h"
#include "path.h"
#include "util.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *read_small(const char *path)
{
	struct error err = ERROR_INIT;
	char *buf;
	size_t len;

	if (file_read(path, 64 * 1024, &buf, &len, NULL, &err) < 0)
		return NULL;
	return buf;
}

/* ceil(quota / period), or 0 for "max"/-1/garbage. */
static long ratio(long long quota, long long period)
{
	if (quota <= 0 || period <= 0)
		return 0;
	return (long)((quota + period - 1) / period);
}

static long v2_limit_in(const char *dir)
{
	_cleanup_free_ char *path = path_join(dir, "cpu.max");
	_cleanup_free_ char *buf = read_small(path);
	long long quota, period = 100000;

	if (!buf || strncmp(buf, "max", 3) == 0)
		return 0;
	if (sscanf(buf, "%lld %lld", &quota, &period) < 1)
		return 0;
	return ratio(quota, period);
}

static long v1_limit_in(const char *dir)
{
	_cleanup_free_ char *qp = path_join(dir, "cpu.cfs_quota_us");
	_cleanup_free_ char *pp = path_join(dir, "cpu.cfs_period_us");
	_cleanup_free_ char *q = read_small(qp);
	_cleanup_free_ char *p = read_small(pp);

	if (!q || !p)
		return 0;
	return ratio(atoll(q), atoll(p));
}

static long min_limit(long a, long b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* Walks from mount/cgpath up to mount, taking the smallest limit. When the
 * cgroup path is not visible (a container sees its own cgroup as the
 * mount's root), the mount root alone is read. */
static long walk(const char *mount, const char *cgpath, long (*limit_in)(const char *))
{
	const char *rel = cgpath + (cgpath[0] == '/');
	/* the root cgroup is the mount itself: "mount/" would be read twice */
	_cleanup_free_ char *dir = *rel ? path_join(mount, rel) : xstrdup(mount);
	long best = 0;

	if (!path_is_dir(dir))
		return limit_in(mount);
	for (;;) {
		char *up;

		best = min_limit(best, limit_in(dir));
		if (strlen(dir) <= strlen(mount))
			break;
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	return best;
}

static bool has_controller(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

long cpus_cgroup_limit(const char *root)
{
	_cleanup_free_ char *cgfile = path_join(root, "proc/self/cgroup");
	_cleanup_free_ char *cgroot = path_join(root, "sys/fs/cgroup");
	_cleanup_free_ char *buf = read_small(cgfile);
	char *line, *save = NULL;
	long limit = 0;

	if (!buf)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c1 = '\0';
		*c2 = '\0';
		if (strcmp(line, "0") == 0 && c1[1] == '\0') {
			/* cgroup v2, unless this is the hybrid layout's empty v2 line */
			_cleanup_free_ char *probe = path_join(cgroot, "cgroup.controllers");

			if (path_exists(probe))
				limit = min_limit(limit, walk(cgroot, c2 + 1, v2_limit_in));
		} else if (has_controller(c1 + 1, "cpu")) {
			static const char *mounts[] = {"cpu,cpuacct", "cpuacct,cpu", "cpu"};
			size_t i;

			for (i = 0; i < ARRAY_SIZE(mounts); i++) {
				_cleanup_free_ char *m = path_join(cgroot, mounts[i]);

				if (path_is_dir(m)) {
					limit = min_limit(limit, walk(m, c2 + 1, v1_limit_in));
					break;
				}
			}
		}
	}
	return limit;
}

long cpus_usable_at(const char *root, long affinity)
{
	long limit = cpus_cgroup_limit(root);

	if (affinity <= 0) {
		cpu_set_t set;

		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			affinity = CPU_COUNT(&set);
		else
			affinity = sysconf(_SC_NPROCESSORS_ONLN);
	}
	if (affinity < 1)
		affinity = 1;
	if (limit && limit < affinity)
		return limit;
	return affinity;
}

long cpus_usable(void)
{
	return cpus_usable_at("/", 0);
}
