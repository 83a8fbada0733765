#include "cleanup.h"
#include "proc.h"
#include "proctree.h"
#include "fileio.h"
#include "log.h"
#include "path.h"
#include "strbuf.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SHM_DIR "/dev/shm"
#define PYMP_PREFIX "pymp-"

struct seen {
	char *name;
	ino_t ino;
};

struct path_state {
	char *path;
	bool existed;
	ino_t ino;
};

struct candidate {
	char *name;
	dev_t dev;
	ino_t ino;
	off_t size;
	mode_t mode;
	bool in_use;
};

/* Who was first seen mapping or holding a segment created during the run. */
enum holder { HOLDER_NONE, HOLDER_TREE, HOLDER_OTHER };

struct known {
	ino_t ino;
	enum holder holder;
};

struct cleanup {
	enum cleanup_shm_mode shm;
	char *shm_dir;
	uid_t owner;
	gid_t owner_gid;
	char *prometheus_dir;
	struct path_state pid_file;
	struct path_state *sockets;
	size_t n_sockets;
	bool quiet;

	struct seen *seen; /* the shm snapshot, sorted by name */
	size_t n_seen;

	int ino_fd;        /* inotify on shm_dir while tracking, else -1 */
	bool tracking;     /* segments first seen used outside the tree are kept */
	dev_t shm_dev;
	struct known *known; /* new inodes in shm_dir and who was first seen using them */
	size_t n_known, cap_known;

	char *tmp_dir;     /* where multiprocessing makes its pymp-* directories */
	struct seen *pymp; /* the pymp-* entries of tmp_dir before the start, sorted */
	size_t n_pymp;

	struct strbuf summary;
	size_t count;
};

void cleanup_format_size(char *buf, size_t size, unsigned long long bytes)
{
	if (bytes < 1024)
		snprintf(buf, size, "%llu B", bytes);
	else if (bytes < 1024ull * 1024)
		snprintf(buf, size, "%.1f KiB", bytes / 1024.0);
	else if (bytes < 1024ull * 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", bytes / (1024.0 * 1024));
	else
		snprintf(buf, size, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
}

static void record(struct cleanup *cl, const char *what, const char *path,
		   unsigned long long bytes, const char *extra)
{
	char sz[32];

	cleanup_format_size(sz, sizeof(sz), bytes);
	if (cl->summary.len)
		strbuf_adds(&cl->summary, ", ");
	strbuf_addf(&cl->summary, "%s %s (%s%s%s)", what, path, extra ? extra : "",
		    extra ? ", " : "", sz);
	cl->count++;
	if (!cl->quiet)
		log_info("removed %s %s (%s%s%s)", what, path, extra ? extra : "",
			 extra ? ", " : "", sz);
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name, ((const struct seen *)b)->name);
}

/* The entries of dir whose names start with prefix, sorted by name. */
static int snapshot_dir(const char *dir, const char *prefix, struct seen **out, size_t *n,
			struct error *err)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return error_set(err, errno, "cannot list %s", dir);
	}
	while ((de = readdir(d))) {
		if (path_is_dot(de->d_name) || !str_starts_with(de->d_name, prefix))
			continue;
		grow_array((void **)out, &cap, *n + 1, sizeof(**out));
		(*out)[*n].name = xstrdup(de->d_name);
		(*out)[*n].ino = de->d_ino;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_seen);
	return 0;
}

static void snapshot_path(struct path_state *ps, const char *path)
{
	struct stat st;

	ps->path = xstrdup(path);
	ps->existed = lstat(path, &st) == 0;
	ps->ino = ps->existed ? st.st_ino : 0;
}

struct cleanup *cleanup_create(const struct cleanup_config *cfg, struct error *err)
{
	struct cleanup *cl = xcalloc(1, sizeof(*cl));
	size_t i;

	cl->ino_fd = -1;
	cl->shm = cfg->shm;
	cl->shm_dir = xstrdup(cfg->shm_dir ? cfg->shm_dir : SHM_DIR);
	cl->owner = cfg->owner;
	cl->owner_gid = cfg->owner_gid;
	cl->quiet = cfg->quiet;
	strbuf_init(&cl->summary);
	if (cfg->prometheus_dir && *cfg->prometheus_dir) {
		if (strspn(cfg->prometheus_dir, "/") == strlen(cfg->prometheus_dir)) {
			error_set(err, 0, "refusing to wipe '%s' as the Prometheus directory",
				  cfg->prometheus_dir);
			cleanup_destroy(cl);
			return NULL;
		}
		cl->prometheus_dir = xstrdup(cfg->prometheus_dir);
	}
	if (cfg->pid_file && *cfg->pid_file)
		snapshot_path(&cl->pid_file, cfg->pid_file);
	for (i = 0; cfg->unix_sockets && cfg->unix_sockets[i]; i++)
		;
	if (i) {
		cl->sockets = xcalloc(i, sizeof(*cl->sockets));
		for (cl->n_sockets = 0; cl->n_sockets < i; cl->n_sockets++)
			snapshot_path(&cl->sockets[cl->n_sockets], cfg->unix_sockets[cl->n_sockets]);
	}
	if (cl->shm != CLEANUP_SHM_OFF) {
		cl->tmp_dir = xstrdup(cfg->tmp_dir && *cfg->tmp_dir ? cfg->tmp_dir : "/tmp");
		if (snapshot_dir(cl->shm_dir, "", &cl->seen, &cl->n_seen, err) < 0 ||
		    snapshot_dir(cl->tmp_dir, PYMP_PREFIX, &cl->pymp, &cl->n_pymp, err) < 0) {
			cleanup_destroy(cl);
			return NULL;
		}
	}
	return cl;
}

void cleanup_destroy(struct cleanup *cl)
{
	size_t i;

	if (!cl)
		return;
	for (i = 0; i < cl->n_seen; i++)
		free(cl->seen[i].name);
	free(cl->seen);
	for (i = 0; i < cl->n_pymp; i++)
		free(cl->pymp[i].name);
	free(cl->pymp);
	free(cl->tmp_dir);
	free(cl->known);
	if (cl->ino_fd >= 0)
		close(cl->ino_fd);
	for (i = 0; i < cl->n_sockets; i++)
		free(cl->sockets[i].path);
	free(cl->sockets);
	free(cl->pid_file.path);
	free(cl->prometheus_dir);
	free(cl->shm_dir);
	strbuf_finish(&cl->summary);
	free(cl);
}

const char *cleanup_summary(const struct cleanup *cl)
{
	return cl->summary.buf;
}

size_t cleanup_count(const struct cleanup *cl)
{
	return cl->count;
}

/*
 * prometheus_client writes nothing but NAME.db files (counter_PID.db,
 * gauge_livesum_PID.db...) at the top of its multiprocess directory.  A
 * directory holding anything else is not one: a profile pointing at /tmp,
 * a log or data directory or the app itself must not get it emptied.
 */
static bool is_metrics_file(int dfd, const char *name, struct stat *st)
{
	if (!str_ends_with(name, ".db") || strlen(name) == 3)
		return false;
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	return S_ISREG(st->st_mode) || S_ISLNK(st->st_mode); /* a link is removed, not followed */
}

/*
 * One pass over the directory: with remove, unlinks the metrics files and
 * counts them; returns the first entry that is not one (malloc'd), or NULL.
 */
static char *metrics_pass(struct cleanup *cl, int dfd, bool remove, size_t *files,
			  unsigned long long *bytes)
{
	char *foreign = NULL;
	struct dirent *de;
	DIR *d;
	int fd = dup(dfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct stat st;

		if (path_is_dot(de->d_name))
			continue;
		if (!is_metrics_file(dfd, de->d_name, &st)) {
			if (!foreign)
				foreign = xstrdup(de->d_name);
			continue;
		}
		if (!remove)
			continue;
		if (unlinkat(dfd, de->d_name, 0) < 0) {
			if (errno != ENOENT)
				log_warn("cannot remove %s/%s: %s", cl->prometheus_dir, de->d_name,
					 strerror(errno));
			continue;
		}
		(*files)++;
		*bytes += (unsigned long long)st.st_size;
	}
	closedir(d);
	return foreign;
}

static int wipe_prometheus(struct cleanup *cl, bool before, struct error *err)
{
	size_t files = 0;
	unsigned long long bytes = 0;
	char extra[64];
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *foreign = NULL;

	dfd = open(cl->prometheus_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT && before) {
		if (mkdir(cl->prometheus_dir, 0755) < 0)
			return error_set(err, errno, "cannot create the Prometheus directory %s",
					 cl->prometheus_dir);
		if (geteuid() == 0 && cl->owner != 0 &&
		    chown(cl->prometheus_dir, cl->owner, cl->owner_gid) < 0)
			return error_set(err, errno, "cannot give %s to uid %u", cl->prometheus_dir,
					 (unsigned)cl->owner);
		return 0;
	}
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		return error_set(err, errno, "cannot open the Prometheus directory %s",
				 cl->prometheus_dir);
	}
	/* before the start, nothing is removed unless everything may be */
	if (before && (foreign = metrics_pass(cl, dfd, false, &files, &bytes)))
		return error_set(err, 0, "refusing to wipe %s, the [cleanup] prometheus_dir: it "
				 "holds '%s', and prometheus_client writes only *.db files there "
				 "(give the metrics a directory of their own)", cl->prometheus_dir,
				 foreign);
	foreign = metrics_pass(cl, dfd, true, &files, &bytes);
	if (foreign && !cl->quiet)
		log_warn("left '%s' in the Prometheus directory %s: prometheus_client did not "
			 "write it", foreign, cl->prometheus_dir);
	if (!files)
		return 0;
	snprintf(extra, sizeof(extra), "%zu file%s", files, files == 1 ? "" : "s");
	if (before) {
		char sz[32];

		cleanup_format_size(sz, sizeof(sz), bytes);
		if (!cl->quiet)
			log_info("wiped the Prometheus directory %s before the start (%s, %s)",
				 cl->prometheus_dir, extra, sz);
	} else {
		record(cl, "prometheus dir", cl->prometheus_dir, bytes, extra);
	}
	return 0;
}

int cleanup_prepare(struct cleanup *cl, struct error *err)
{
	if (!cl->prometheus_dir)
		return 0;
	return wipe_prometheus(cl, true, err);
}

static bool in_list(const struct seen *v, size_t n, const char *name, ino_t ino)
{
	struct seen key = {(char *)name, 0};
	const struct seen *s;

	if (!n)
		return false;
	s = bsearch(&key, v, n, sizeof(*v), cmp_seen);
	return s && s->ino == ino;
}

static bool in_snapshot(const struct cleanup *cl, const char *name, ino_t ino)
{
	return in_list(cl->seen, cl->n_seen, name, ino);
}

/* Called with the device and inode of every file a process maps or holds open. */
typedef void (*file_visit_fn)(void *data, dev_t dev, ino_t ino);

/* Visits the files /proc/PID/maps shows mapped.  -1 when unreadable. */
static int visit_maps(int procfd, const char *pid, file_visit_fn fn, void *data)
{
	char path[64];
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/maps", pid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? 0 : -1;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		unsigned maj, min;
		unsigned long long ino;

		/* start-end perms offset MAJ:MIN inode path */
		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) != 3 || !ino)
			continue;
		fn(data, makedev(maj, min), (ino_t)ino);
	}
	free(line);
	fclose(f);
	return 0;
}

/* Visits the files a process holds open. */
static void visit_fds(int procfd, const char *pid, file_visit_fn fn, void *data)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%s/fd", pid);
	fd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!path_is_dot(de->d_name) && fstatat(fd, de->d_name, &st, 0) == 0)
			fn(data, st.st_dev, st.st_ino);
	}
	closedir(d);
}

struct candidates {
	struct candidate *c;
	size_t n;
};

static void mark_candidate(void *data, dev_t dev, ino_t ino)
{
	struct candidates *cs = data;

	for (size_t i = 0; i < cs->n; i++)
		if (cs->c[i].ino == ino && cs->c[i].dev == dev)
			cs->c[i].in_use = true;
}

static void mark_in_use(struct candidate *c, size_t n)
{
	struct candidates cs = {c, n};
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d) {
		/* without /proc nothing can be proven unused */
		for (size_t i = 0; i < n; i++)
			c[i].in_use = true;
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (visit_maps(dirfd(d), de->d_name, mark_candidate, &cs) < 0) {
			for (size_t i = 0; i < n; i++)
				if (c[i].mode & 0066)
					c[i].in_use = true;
			continue;
		}
		visit_fds(dirfd(d), de->d_name, mark_candidate, &cs);
	}
	closedir(d);
}

/* ---- which segments the tree used ---- */

static struct known *find_known(const struct cleanup *cl, ino_t ino)
{
	for (size_t i = 0; i < cl->n_known; i++)
		if (cl->known[i].ino == ino)
			return &cl->known[i];
	return NULL;
}

static struct known *add_known(struct cleanup *cl, ino_t ino)
{
	struct known *k = find_known(cl, ino);

	if (k)
		return k;
	grow_array((void **)&cl->known, &cl->cap_known, cl->n_known + 1, sizeof(*cl->known));
	k = &cl->known[cl->n_known++];
	*k = (struct known){ino, HOLDER_NONE};
	return k;
}

/* A process of the tree uses ino: the tree's, unless an outsider was seen first. */
static void note_tree(void *data, dev_t dev, ino_t ino)
{
	struct cleanup *cl = data;
	struct known *k;

	if (dev != cl->shm_dev)
		return;
	k = add_known(cl, ino);
	if (k->holder == HOLDER_NONE)
		k->holder = HOLDER_TREE;
}

/* The unclaimed segments one process uses (while scanning every process). */
struct hits {
	struct cleanup *cl;
	struct known **v;
	size_t n, cap;
};

static void note_hit(void *data, dev_t dev, ino_t ino)
{
	struct hits *h = data;
	struct known *k;

	if (dev != h->cl->shm_dev || !(k = find_known(h->cl, ino)) || k->holder != HOLDER_NONE)
		return;
	grow_array((void **)&h->v, &h->cap, h->n + 1, sizeof(*h->v));
	h->v[h->n++] = k;
}

/* Whether process NAME descends from root (it may have been forked since the
 * tree was listed). */
static bool descends_from(const char *name, pid_t root)
{
	pid_t ppid = 0;

	if (!proc_state((pid_t)atol(name), &ppid))
		return false;
	for (int depth = 0; ppid > 1 && depth < 4096; depth++) {
		if (ppid == root)
			return true;
		if (!proc_state(ppid, &ppid))
			return false;
	}
	return ppid == root;
}

int cleanup_track(struct cleanup *cl, struct error *err)
{
	struct stat st;

	if (cl->shm == CLEANUP_SHM_OFF)
		return error_set(err, 0, "shared memory cleanup is off");
	if (cl->ino_fd >= 0)
		return cl->ino_fd;
	if (stat(cl->shm_dir, &st) < 0)
		return error_set(err, errno, "cannot examine %s", cl->shm_dir);
	cl->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (cl->ino_fd < 0)
		return error_set(err, errno, "cannot watch %s", cl->shm_dir);
	if (inotify_add_watch(cl->ino_fd, cl->shm_dir, IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_ONLYDIR) < 0) {
		error_set(err, errno, "cannot watch %s", cl->shm_dir);
		close(cl->ino_fd);
		cl->ino_fd = -1;
		return -1;
	}
	cl->shm_dev = st.st_dev;
	cl->tracking = true;
	return cl->ino_fd;
}

/* Adds the segments created since the snapshot that nobody was seen using yet;
 * returns how many of those there are. */
static size_t list_unclaimed(struct cleanup *cl)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(cl->shm_dir);

	while (d && (de = readdir(d))) {
		struct stat st;

		if (path_is_dot(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != cl->owner ||
		    in_snapshot(cl, de->d_name, st.st_ino))
			continue;
		if (add_known(cl, st.st_ino)->holder == HOLDER_NONE)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

void cleanup_observe(struct cleanup *cl, pid_t root)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char name[16];
	struct dirent *de;
	struct hits hits = {cl, NULL, 0, 0};
	pid_t *pids = NULL;
	long n, i;
	int procfd;
	bool tree;
	DIR *d;

	if (!cl || !cl->tracking)
		return;
	/* the events only say "look now": the processes tell what is new */
	while (read(cl->ino_fd, buf, sizeof(buf)) > 0)
		;
	procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return;
	/* first the tree, quickly, while a short-lived creator may still be there */
	n = proctree_descendants(root, &pids);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d", (int)pids[i]);
		visit_maps(procfd, name, note_tree, cl);
		visit_fds(procfd, name, note_tree, cl);
	}
	/* then, only when a new segment is still unclaimed, every other process */
	if (list_unclaimed(cl) && (d = fdopendir(procfd))) {
		while ((de = readdir(d))) {
			pid_t pid = (pid_t)atol(de->d_name);

			if (pid <= 0 || proctree_has(pids, n, pid))
				continue;
			hits.n = 0;
			visit_maps(dirfd(d), de->d_name, note_hit, &hits);
			visit_fds(dirfd(d), de->d_name, note_hit, &hits);
			if (!hits.n)
				continue;
			tree = descends_from(de->d_name, root);
			for (size_t j = 0; j < hits.n; j++)
				if (hits.v[j]->holder == HOLDER_NONE)
					hits.v[j]->holder = tree ? HOLDER_TREE : HOLDER_OTHER;
		}
		free(hits.v);
		closedir(d);
		procfd = -1;
	}
	if (procfd >= 0)
		close(procfd);
	free(pids);
}

static void sweep_shm(struct cleanup *cl)
{
	struct candidate *c = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d = opendir(cl->shm_dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (path_is_dot(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISREG(st.st_mode) || st.st_uid != cl->owner ||
		    in_snapshot(cl, de->d_name, st.st_ino))
			continue;
		if (cl->tracking && find_known(cl, st.st_ino) &&
		    find_known(cl, st.st_ino)->holder == HOLDER_OTHER) {
			log_debug("%s/%s was first seen used by a process outside the run: kept",
				  cl->shm_dir, de->d_name);
			continue;
		}
		grow_array((void **)&c, &cap, n + 1, sizeof(*c));
		c[n] = (struct candidate){xstrdup(de->d_name), st.st_dev, st.st_ino, st.st_size,
					  st.st_mode, false};
		n++;
	}
	if (n)
		mark_in_use(c, n);
	for (i = 0; i < n; i++) {
		bool sem = str_starts_with(c[i].name, "sem.");
		const char *what = sem ? "semaphore" : "shm";
		_cleanup_free_ char *path = xasprintf("%s/%s", cl->shm_dir, c[i].name);
		struct stat st;
		char sz[32];

		if (c[i].in_use) {
			log_debug("%s %s is still in use by a process outside the run: kept", what,
				  path);
			continue;
		}
		if (cl->shm == CLEANUP_SHM_REPORT) {
			cleanup_format_size(sz, sizeof(sz), (unsigned long long)c[i].size);
			log_warn("%s %s (%s) was left behind by the run and is not in use "
				 "(kept: [cleanup] shm = report)", what, path, sz);
			continue;
		}
		/* the same file as examined, not one re-created under the same name */
		if (fstatat(dirfd(d), c[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_ino != c[i].ino)
			continue;
		if (unlinkat(dirfd(d), c[i].name, 0) < 0) {
			log_warn("cannot remove %s: %s", path, strerror(errno));
			continue;
		}
		record(cl, what, path, (unsigned long long)st.st_size, NULL);
	}
	for (i = 0; i < n; i++)
		free(c[i].name);
	free(c);
	closedir(d);
}

static void sweep_path(struct cleanup *cl, const struct path_state *ps, const char *what,
		       mode_t type)
{
	struct stat st;

	if (!ps->path || lstat(ps->path, &st) < 0)
		return;
	if ((st.st_mode & S_IFMT) != type || (ps->existed && st.st_ino == ps->ino))
		return;
	if (unlink(ps->path) < 0) {
		log_warn("cannot remove %s %s: %s", what, ps->path, strerror(errno));
		return;
	}
	record(cl, what, ps->path, (unsigned long long)st.st_size, NULL);
}

bool cleanup_unix_path_bound(const char *net_unix, const char *dir)
{
	size_t dlen = strlen(dir);
	const char *line = net_unix;

	while (dlen > 1 && dir[dlen - 1] == '/')
		dlen--;
	for (; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *p = line;
		int field;

		/* Num RefCount Protocol Flags Type St Inode Path: the path is what
		 * follows the seventh field and one space, to the end of the line */
		for (field = 0; field < 7; field++) {
			p += strspn(p, " \t");
			if (!*p || *p == '\n')
				break;
			p += strcspn(p, " \t\n");
		}
		if (field < 7 || *p != ' ')
			continue;
		p++;
		if (!strncmp(p, dir, dlen) && p[dlen] == '/')
			return true;
	}
	return false;
}

char *cleanup_tmp_dir(char *const *envp, const char *cwd)
{
	static const char *const vars[] = {"TMPDIR", "TEMP", "TMP"};
	static const char *const dirs[] = {"/tmp", "/var/tmp", "/usr/tmp"};
	size_t i, j;
	struct stat st;

	for (i = 0; i < sizeof(vars) / sizeof(*vars); i++)
		for (j = 0; envp && envp[j]; j++) {
			size_t n = strlen(vars[i]);
			const char *v = envp[j] + n + 1;
			char *abs;

			if (strncmp(envp[j], vars[i], n) || envp[j][n] != '=' || !*v)
				continue;
			abs = *v == '/' || !cwd ? xstrdup(v) : xasprintf("%s/%s", cwd, v);
			if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
				return abs;
			free(abs);
		}
	for (i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			return xstrdup(dirs[i]);
	return xstrdup("/tmp");
}

/* /proc/net/unix, NUL-terminated, or NULL when it cannot be read. */
static char *read_net_unix(void)
{
	struct strbuf sb;
	char buf[65536];
	ssize_t got;
	int fd = open("/proc/net/unix", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	strbuf_init(&sb);
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&sb, buf, (size_t)got);
	close(fd);
	if (got < 0) {
		strbuf_finish(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/*
 * Removes the sockets and files of one pymp-* directory (never a
 * subdirectory: a directory holding one is not multiprocessing's) and the
 * directory.  Returns the number of entries removed and adds their sizes to
 * *bytes, or -1 (errno) when it was kept.
 */
static long remove_pymp(int tfd, const char *name, ino_t ino, unsigned long long *bytes,
			const char **why)
{
	struct dirent *de;
	struct stat st;
	long n = 0;
	DIR *d;
	int dfd = openat(tfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dfd < 0)
		return -1;
	if (fstat(dfd, &st) < 0 || st.st_ino != ino || !(d = fdopendir(dfd))) {
		close(dfd);
		*why = "it changed while being examined";
		return -1;
	}
	while ((de = readdir(d))) {
		if (path_is_dot(de->d_name))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode)) {
			*why = "it holds a directory";
			closedir(d);
			return -1;
		}
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (path_is_dot(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0) {
			n++;
			*bytes += S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
		}
	}
	closedir(d);
	if (unlinkat(tfd, name, AT_REMOVEDIR) < 0) {
		*why = strerror(errno);
		return -1;
	}
	return n;
}

/*
 * multiprocessing's temporary directories (tempfile.mkdtemp(prefix="pymp-")
 * in the tree's temporary directory, holding a Manager's listener-* socket)
 * are removed by a finaliser that os._exit() and SIGKILL skip.  One is the
 * run's when it was not there (same inode) before the start, belongs to the
 * tree's uid, and no socket bound inside it is still open anywhere
 * (/proc/net/unix lists a path socket while any process holds it).
 */
static void sweep_pymp(struct cleanup *cl)
{
	_cleanup_free_ char *net_unix = NULL;
	struct dirent *de;
	DIR *d = opendir(cl->tmp_dir);

	if (!d)
		return;
	net_unix = read_net_unix();
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		unsigned long long bytes = 0;
		const char *why = NULL;
		struct stat st;
		char extra[48];
		long n;

		if (!str_starts_with(de->d_name, PYMP_PREFIX) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISDIR(st.st_mode) || st.st_uid != cl->owner ||
		    in_list(cl->pymp, cl->n_pymp, de->d_name, st.st_ino))
			continue;
		path = xasprintf("%s/%s", cl->tmp_dir, de->d_name);
		if (!net_unix || cleanup_unix_path_bound(net_unix, path)) {
			log_debug("multiprocessing directory %s: %s", path,
				  net_unix ? "a socket in it is still open: kept"
					   : "cannot read /proc/net/unix: kept");
			continue;
		}
		if (cl->shm == CLEANUP_SHM_REPORT) {
			log_warn("multiprocessing directory %s was left behind by the run "
				 "(kept: [cleanup] shm = report)", path);
			continue;
		}
		n = remove_pymp(dirfd(d), de->d_name, st.st_ino, &bytes, &why);
		if (n < 0) {
			log_warn("multiprocessing directory %s was left behind by the run and is "
				 "kept: %s", path, why ? why : strerror(errno));
			continue;
		}
		snprintf(extra, sizeof(extra), "%ld %s", n, n == 1 ? "entry" : "entries");
		record(cl, "multiprocessing directory", path, bytes, extra);
	}
	closedir(d);
}

void cleanup_finish(struct cleanup *cl)
{
	struct error err = ERROR_INIT;
	size_t i;

	if (cl->shm != CLEANUP_SHM_OFF) {
		sweep_shm(cl);
		sweep_pymp(cl);
	}
	if (cl->prometheus_dir && wipe_prometheus(cl, false, &err) < 0) {
		char line[ERROR_MESSAGE_MAX + 128];

		error_format(&err, line, sizeof(line));
		log_warn("%s", line);
	}
	sweep_path(cl, &cl->pid_file, "pid file", S_IFREG);
	for (i = 0; i < cl->n_sockets; i++)
		sweep_path(cl, &cl->sockets[i], "socket", S_IFSOCK);
}
