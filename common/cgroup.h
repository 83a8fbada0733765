/*
 * The process's cgroup limits: the smallest along its cgroup's ancestors,
 * in the unified hierarchy (v2) or under one v1 controller's mount, the way
 * a container runtime's limit is seen from inside (a container sees its own
 * cgroup as the mount's root, so the root alone is read when the path from
 * /proc/self/cgroup is not visible).  Used for `workers = auto` (CPUs,
 * launcher/cpus.c) and the worker memory ceiling's `auto` and the
 * workers-times-memory finding (memory, checks/server.c).
 *
 * Everything is read under root: "/" on a live system, a fake tree holding
 * proc/self/cgroup and sys/fs/cgroup/... in tests.
 */
#ifndef DEPLOY_RUN_CGROUP_H
#define DEPLOY_RUN_CGROUP_H

#include <stdint.h>

struct cgroup_limit {
	const char *controller;        /* its v1 name in /proc/self/cgroup: "cpu", "memory" */
	const char *const *v1_mounts;  /* NULL-terminated: where v1 mounts it, under sys/fs/cgroup */
	/* the limit set in one cgroup directory, 0 for none ("max", unlimited, unreadable) */
	int64_t (*v1_in)(const char *dir);
	int64_t (*v2_in)(const char *dir);
};

/* The smallest non-zero limit of every hierarchy the process is in; 0 when none. */
int64_t cgroup_smallest_limit(const char *root, const struct cgroup_limit *what);

/* A cgroup file's text (at most 64 KiB), malloc'd, or NULL when unreadable. */
char *cgroup_read(const char *dir, const char *file);

#endif
