/*
 * The few /proc facts the supervisor asks about one process: its state and
 * parent, its direct children.  Only the named process's own entries are
 * read, never the whole of /proc.
 */
#ifndef DEPLOY_RUN_PROC_H
#define DEPLOY_RUN_PROC_H

#include <sys/types.h>

/*
 * The state letter of pid ('R', 'S', 'Z'...) from /proc/PID/stat, and its
 * parent in *ppid (may be NULL); 0 when the process is gone.
 */
char proc_state(pid_t pid, pid_t *ppid);

/* Whether pid runs: it exists and is not a zombie. */
int proc_alive(pid_t pid);

/*
 * The direct children of pid, from /proc/PID/task/TID/children of each of
 * its threads (a child is listed under the thread that forked it).
 * Returns their count and a malloc'd array in *out (NULL when 0); 0 when
 * pid is gone.
 */
size_t proc_children(pid_t pid, pid_t **out);

#endif
