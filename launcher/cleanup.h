/*
 * What the supervisor removes around a run, and the sweep of the process
 * tree it leaves behind.
 *
 * Ownership rules (nothing the run did not create is ever deleted):
 * - POSIX shared memory segments and named semaphores (regular files in
 *   /dev/shm; semaphores are "sem.NAME") are removed when (1) they were not
 *   there, with the same inode, in the snapshot taken by cleanup_create()
 *   before the server was forked, (2) they belong to the uid the tree ran
 *   as, and (3) no process still alive maps them or holds them open
 *   (/proc/PID/maps and /proc/PID/fd of every process).  A process whose
 *   maps cannot be read counts as a user of every candidate that its mode
 *   lets other users open.
 *   While tracking (cleanup_track, which the supervisor uses), a fourth
 *   rule applies: (4) the first process seen mapping the segment or holding
 *   it open was one of the tree, or none was ever seen.  A segment first
 *   seen used by a process outside the tree is kept even if nothing uses
 *   it at the end: another program of the same uid made it during the run.
 *   The processes are looked at whenever something is created or written
 *   in the shm directory (an inotify watch: no wake-up while nothing
 *   happens there), when a stop signal arrives and before orphans are
 *   signalled; the tree first (its /proc/PID/task/TID/children links),
 *   every other process only while a new segment is still unclaimed.
 *   Remaining limit: a segment whose creator closed and unmapped it before
 *   the supervisor looked (within a millisecond or so of the creation or
 *   of the ftruncate that sizes it) is claimed by nobody, and rules (1) to
 *   (3) alone decide: a short-lived process of the tree and an unrelated
 *   one of the same uid cannot be told apart (fanotify would name the
 *   creator, but needs CAP_SYS_ADMIN, which containers usually lack).
 *   Without tracking (no inotify), rules (1) to (3) alone decide for every
 *   segment.
 * - The Prometheus multiprocess directory: its *.db files (what
 *   prometheus_client writes there; symbolic links are removed, never
 *   followed) are removed before the start and after the exit, not the
 *   directory; it is created when missing.  A directory holding anything
 *   else (another file, a subdirectory) is not wiped: cleanup_prepare()
 *   fails, naming the entry, and after the exit it is left with a warning.
 * - multiprocessing's temporary directories: pymp-* directories in the
 *   tree's temporary directory (tempfile.gettempdir() of the server's
 *   environment: cleanup_tmp_dir), where a Manager keeps its listener-*
 *   socket.  multiprocessing removes one in a finaliser that os._exit()
 *   and SIGKILL skip.  Governed by the shm mode (remove, report, off), one
 *   is removed after the exit when (1) it was not there, with the same
 *   inode, before the start, (2) it belongs to the tree's uid, (3) no
 *   socket bound inside it is still open anywhere (/proc/net/unix lists a
 *   bound socket while any process holds it) and (4) it holds no
 *   subdirectory.  Only its entries and the directory itself are removed;
 *   a symbolic link in place of the directory is never followed.
 * - The pid file and unix sockets: removed after the exit when they exist
 *   and did not exist (with the same inode) before the start, and are of the
 *   expected type (regular file, socket).
 *
 * Every removal is logged with its size (log_info, unless quiet) and added
 * to a one-line list for the supervisor's summary.
 */
#ifndef DEPLOY_RUN_CLEANUP_H
#define DEPLOY_RUN_CLEANUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

enum cleanup_shm_mode {
	CLEANUP_SHM_REMOVE = 0, /* remove leaked segments and semaphores */
	CLEANUP_SHM_REPORT,     /* only warn about them */
	CLEANUP_SHM_OFF,        /* do not look */
};

struct cleanup_config {
	enum cleanup_shm_mode shm;
	const char *shm_dir;        /* NULL: /dev/shm (other values are for tests) */
	uid_t owner;                /* the uid the tree runs as */
	gid_t owner_gid;            /* owner of a Prometheus directory we create */
	const char *prometheus_dir; /* NULL or "": none */
	const char *pid_file;       /* NULL or "": none */
	char *const *unix_sockets;  /* NULL-terminated, or NULL */
	const char *tmp_dir;        /* the tree's temporary directory (cleanup_tmp_dir); NULL: /tmp */
	bool quiet;                 /* no log lines (the summary list is still kept) */
};

struct cleanup;

/*
 * Takes the snapshots (shm directory, pid file, sockets).  Call before the
 * server is forked.  The config's strings are copied.
 */
struct cleanup *cleanup_create(const struct cleanup_config *cfg, struct error *err);
void cleanup_destroy(struct cleanup *cl);

/*
 * Starts tracking who uses new segments (rule 4 above): watches the shm
 * directory.  Call before the server is forked.  Returns an fd that
 * becomes readable when something is created there (call cleanup_observe
 * then), or -1 with err (shm is off, no inotify): the first three rules
 * alone decide.
 */
int cleanup_track(struct cleanup *cl, struct error *err);

/*
 * Notes which new segments root's descendants map or hold open now and,
 * while one is still unclaimed, which other processes do; drains the
 * watch fd.  Cheap while every new segment is claimed (a few /proc files
 * per process of the tree); does nothing unless tracking.
 */
void cleanup_observe(struct cleanup *cl, pid_t root);

/* Wipes (or creates) the Prometheus directory before the start; -1 with err
 * when it cannot, or when it holds something other than *.db files. */
int cleanup_prepare(struct cleanup *cl, struct error *err);

/*
 * After the whole tree is gone: removes (or, in report mode, lists) leaked
 * segments and semaphores, wipes the Prometheus directory, removes the pid
 * file and sockets.  Failures to remove are logged as warnings; this never
 * fails as a whole.
 */
void cleanup_finish(struct cleanup *cl);

/*
 * The directory Python's tempfile.gettempdir() picks in a process with
 * environment envp and working directory cwd: the first of $TMPDIR, $TEMP
 * and $TMP that names a directory (relative to cwd), else /tmp, /var/tmp,
 * /usr/tmp.  (Python also tries writing a file there; a directory the
 * server cannot write to is not skipped here.)  Caller frees.
 */
char *cleanup_tmp_dir(char *const *envp, const char *cwd);

/*
 * Pure: whether the /proc/net/unix text net_unix lists a socket bound to a
 * path inside dir (dir "/x" matches "/x/listener-1", not "/xy").
 */
bool cleanup_unix_path_bound(const char *net_unix, const char *dir);

/* "shm /dev/shm/psm_1 (1.0 MiB), pid file /run/app.pid (6 B)", or "" when nothing. */
const char *cleanup_summary(const struct cleanup *cl);
/* Number of things removed (for tests and the summary). */
size_t cleanup_count(const struct cleanup *cl);

/* Appends a human size ("512 B", "4.0 KiB", "1.5 MiB") to buf. */
void cleanup_format_size(char *buf, size_t size, unsigned long long bytes);

#endif
