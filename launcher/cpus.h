/*
 * How many CPUs this process may really use: the smaller of its affinity
 * mask and its cgroup's CPU quota (v2 cpu.max, v1 cpu.cfs_quota_us over
 * cpu.cfs_period_us, rounded up), the quota taken as the smallest along the
 * cgroup's ancestors.  A 64-CPU host running a 2-CPU container gives 2.
 */
#ifndef DEPLOY_RUN_CPUS_H
#define DEPLOY_RUN_CPUS_H

/*
 * The cgroup CPU limit seen under root ("/" on a live system; a fake tree
 * holding proc/self/cgroup and sys/fs/cgroup/... in tests), rounded up to
 * whole CPUs; 0 when there is none.
 */
long cpus_cgroup_limit(const char *root);

/* min(affinity, cgroup limit) computed under root; affinity <= 0 means
 * "ask sched_getaffinity". Always at least 1. */
long cpus_usable_at(const char *root, long affinity);

/* The live system's answer. */
long cpus_usable(void);

#endif
