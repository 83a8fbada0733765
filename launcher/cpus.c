#include "cgroup.h"
#include "cpus.h"
#include "util.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ceil(quota / period), or 0 for "max"/-1/garbage. */
static int64_t ratio(long long quota, long long period)
{
	if (quota <= 0 || period <= 0)
		return 0;
	return (quota + period - 1) / period;
}

static int64_t v2_limit_in(const char *dir)
{
	_cleanup_free_ char *buf = cgroup_read(dir, "cpu.max");
	long long quota, period = 100000;

	if (!buf || strncmp(buf, "max", 3) == 0)
		return 0;
	if (sscanf(buf, "%lld %lld", &quota, &period) < 1)
		return 0;
	return ratio(quota, period);
}

static int64_t v1_limit_in(const char *dir)
{
	_cleanup_free_ char *q = cgroup_read(dir, "cpu.cfs_quota_us");
	_cleanup_free_ char *p = cgroup_read(dir, "cpu.cfs_period_us");

	if (!q || !p)
		return 0;
	return ratio(atoll(q), atoll(p));
}

long cpus_cgroup_limit(const char *root)
{
	static const char *const mounts[] = {"cpu,cpuacct", "cpuacct,cpu", "cpu", NULL};
	static const struct cgroup_limit cpu = {"cpu", mounts, v1_limit_in, v2_limit_in};

	return (long)cgroup_smallest_limit(root, &cpu);
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
