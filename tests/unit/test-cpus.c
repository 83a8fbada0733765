/* workers = auto: CPUs from affinity and cgroup quotas, with fake cgroup trees. */
#include "t.h"
#include "testutil.h"
#include "cpus.h"
#include "path.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/dr-cpus-XXXXXX";

static void put(const char *rel, const char *text)
{
	testutil_write(root, rel, text);
}

static void reset(void)
{
	char *proc = path_join(root, "proc"), *sys = path_join(root, "sys");

	testutil_remove_tree(proc);
	testutil_remove_tree(sys);
	free(proc);
	free(sys);
}

static void test_v2(void)
{
	reset();
	put("proc/self/cgroup", "0::/system.slice/app.service\n");
	put("sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
	put("sys/fs/cgroup/system.slice/app.service/cpu.max", "200000 100000\n");
	CHECK_INT(cpus_cgroup_limit(root), 2);
	/* a 64-CPU host running a 2-CPU container: 2 usable CPUs, 5 sync workers */
	CHECK_INT(cpus_usable_at(root, 64), 2);
	/* quotas round up: 1.5 CPUs is 2 */
	put("sys/fs/cgroup/system.slice/app.service/cpu.max", "150000 100000\n");
	CHECK_INT(cpus_usable_at(root, 64), 2);
	/* the smallest along the ancestors wins */
	put("sys/fs/cgroup/system.slice/cpu.max", "100000 100000\n");
	CHECK_INT(cpus_usable_at(root, 64), 1);
	/* "max" is no limit: affinity decides */
	put("sys/fs/cgroup/system.slice/cpu.max", "max 100000\n");
	put("sys/fs/cgroup/system.slice/app.service/cpu.max", "max 100000\n");
	CHECK_INT(cpus_usable_at(root, 8), 8);
	/* affinity below the quota wins */
	put("sys/fs/cgroup/system.slice/app.service/cpu.max", "800000 100000\n");
	CHECK_INT(cpus_usable_at(root, 3), 3);
}

static void test_v2_container(void)
{
	/* inside a container the own cgroup is the mount's root: "0::/" */
	reset();
	put("proc/self/cgroup", "0::/\n");
	put("sys/fs/cgroup/cgroup.controllers", "cpu\n");
	put("sys/fs/cgroup/cpu.max", "400000 100000\n");
	CHECK_INT(cpus_usable_at(root, 64), 4);
	/* the host path is not visible: read the mount root */
	put("proc/self/cgroup", "0::/kubepods/pod1/abc\n");
	CHECK_INT(cpus_usable_at(root, 64), 4);
}

static void test_v1(void)
{
	reset();
	put("proc/self/cgroup", "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n");
	put("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "250000\n");
	put("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
	CHECK_INT(cpus_cgroup_limit(root), 3);
	CHECK_INT(cpus_usable_at(root, 64), 3);
	put("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n");
	CHECK_INT(cpus_usable_at(root, 64), 64);
	/* the root cgroup: the quota of the mount itself */
	put("proc/self/cgroup", "4:cpu,cpuacct:/\n");
	put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "150000\n");
	put("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
	CHECK_INT(cpus_cgroup_limit(root), 2);
}

static void test_none(void)
{
	reset();
	CHECK_INT(cpus_cgroup_limit(root), 0);
	CHECK_INT(cpus_usable_at(root, 6), 6);
	put("proc/self/cgroup", "garbage without colons\n");
	CHECK_INT(cpus_usable_at(root, 6), 6);
	/* the live system answers something sensible */
	CHECK(cpus_usable() >= 1);
}

int main(void)
{
	testutil_main_dir(root);
	RUN(test_v2);
	RUN(test_v2_container);
	RUN(test_v1);
	RUN(test_none);
	reset();
	rmdir(root);
	return T_DONE();
}
