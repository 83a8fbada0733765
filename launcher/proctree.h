/*
 * The process tree below a process: its children, and all its living
 * descendants, for the supervisor's sweeps (cleanup.h: the orphans after
 * the server exits, SIGKILL after the kill timeout, which segments the
 * tree maps) and for the worker memory ceiling (memwatch.h: the master's
 * children).
 *
 * The walk reads /proc/PID/task/TID/children of each process of the tree
 * (a child is listed under the thread that forked it): a few small files
 * per process of the tree, whatever else runs on the host, where a scan of
 * /proc reads the stat file of every process there is.  The supervisor is
 * a child subreaper (or PID 1), so an orphan of the tree (a double fork, a
 * setsid()) is reparented to it and appears among its children: walking
 * from the supervisor finds it without parent links.
 *
 * The children files exist only with CONFIG_PROC_CHILDREN (every
 * distribution kernel has it; some minimal or hardened builds do not).
 * Without them the walk falls back to one scan of /proc, following the
 * parent field of every /proc/PID/stat, once per call.
 *
 * Both are snapshots: a process forked after its parent's file was read is
 * missed, one that exited meanwhile may be listed.  Callers that kill
 * repeat the sweep when they reap (supervisor.c), as the kernel's own
 * documentation of the children files asks.
 */
#ifndef DEPLOY_RUN_PROCTREE_H
#define DEPLOY_RUN_PROCTREE_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The direct children of pid, from the children file of each of its
 * threads.  Returns their count and a malloc'd array in *out (NULL when
 * 0); 0 when pid is gone; -1 when the kernel has no children files.
 */
long proctree_children(pid_t pid, pid_t **out);

/*
 * Every living descendant of root (not root itself), breadth first: root's
 * children first.  Returns the count and a malloc'd array in *out (NULL
 * when 0), or -1 when /proc cannot be read.
 */
long proctree_descendants(pid_t root, pid_t **out);

/* The same through the scan of /proc only (the fallback; tests compare the two). */
long proctree_scan(pid_t root, pid_t **out);

/*
 * Sends sig to every descendant of root.  Returns the number of processes
 * signalled.  When /proc cannot be read and the caller is PID 1 (its own
 * namespace), falls back to kill(-1, sig), which reaches every other
 * process of the namespace; otherwise returns -1.
 */
long proctree_signal(pid_t root, int sig);

/* Whether pid is among the n pids of v. */
bool proctree_has(const pid_t *v, long n, pid_t pid);

#endif
