#include "cleanup.h"
#include "log.h"
#include "strbuf.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SHM_DIR "/dev/shm"

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

static bool is_dot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

static int snapshot_shm(struct cleanup *cl, struct error *err)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d = opendir(cl->shm_dir);

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return error_set(err, errno, "cannot list %s", cl->shm_dir);
	}
	while ((de = readdir(d))) {
		if (is_dot(de->d_name))
			continue;
		grow_array((void **)&cl->seen, &cap, cl->n_seen + 1, sizeof(*cl->seen));
		cl->seen[cl->n_seen].name = xstrdup(de->d_name);
		cl->seen[cl->n_seen].ino = de->d_ino;
		cl->n_seen++;
	}
	closedir(d);
	if (cl->n_seen)
		qsort(cl->seen, cl->n_seen, sizeof(*cl->seen), cmp_seen);
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
	if (cl->shm != CLEANUP_SHM_OFF && snapshot_shm(cl, err) < 0) {
		cleanup_destroy(cl);
		return NULL;
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

/* Removes everything inside the directory dfd (which it closes). */
static void wipe_fd(int dfd, const char *path, size_t *files, unsigned long long *bytes)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (is_dot(de->d_name))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				wipe_fd(sub, path, files, bytes);
			if (unlinkat(dfd, de->d_name, AT_REMOVEDIR) < 0)
				log_warn("cannot remove %s/%s: %s", path, de->d_name, strerror(errno));
			continue;
		}
		if (unlinkat(dfd, de->d_name, 0) < 0) {
			log_warn("cannot remove %s/%s: %s", path, de->d_name, strerror(errno));
			continue;
		}
		(*files)++;
		*bytes += (unsigned long long)st.st_size;
	}
	closedir(d);
}

static int wipe_prometheus(struct cleanup *cl, bool before, struct error *err)
{
	size_t files = 0;
	unsigned long long bytes = 0;
	char extra[64];
	int dfd;

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
	wipe_fd(dfd, cl->prometheus_dir, &files, &bytes);
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

static bool in_snapshot(const struct cleanup *cl, const char *name, ino_t ino)
{
	struct seen key = {(char *)name, 0};
	const struct seen *s;

	if (!cl->n_seen)
		return false;
	s = bsearch(&key, cl->seen, cl->n_seen, sizeof(*cl->seen), cmp_seen);
	return s && s->ino == ino;
}

/* Marks the candidates that /proc/PID/maps shows mapped.  -1 when unreadable. */
static int scan_maps(int procfd, const char *pid, struct candidate *c, size_t n)
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
		size_t i;

		/* start-end perms offset MAJ:MIN inode path */
		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) != 3 || !ino)
			continue;
		for (i = 0; i < n; i++)
			if (c[i].ino == (ino_t)ino && major(c[i].dev) == maj &&
			    minor(c[i].dev) == min)
				c[i].in_use = true;
	}
	free(line);
	fclose(f);
	return 0;
}

/* Marks the candidates that a process holds open. */
static void scan_fds(int procfd, const char *pid, struct candidate *c, size_t n)
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
		size_t i;

		if (is_dot(de->d_name) || fstatat(fd, de->d_name, &st, 0) < 0)
			continue;
		for (i = 0; i < n; i++)
			if (c[i].ino == st.st_ino && c[i].dev == st.st_dev)
				c[i].in_use = true;
	}
	closedir(d);
}

static void mark_in_use(struct candidate *c, size_t n)
{
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
		if (scan_maps(dirfd(d), de->d_name, c, n) < 0) {
			for (size_t i = 0; i < n; i++)
				if (c[i].mode & 0066)
					c[i].in_use = true;
			continue;
		}
		scan_fds(dirfd(d), de->d_name, c, n);
	}
	closedir(d);
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

		if (is_dot(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!S_ISREG(st.st_mode) || st.st_uid != cl->owner ||
		    in_snapshot(cl, de->d_name, st.st_ino))
			continue;
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

void cleanup_finish(struct cleanup *cl)
{
	struct error err = ERROR_INIT;
	size_t i;

	if (cl->shm != CLEANUP_SHM_OFF)
		sweep_shm(cl);
	if (cl->prometheus_dir && wipe_prometheus(cl, false, &err) < 0) {
		char line[ERROR_MESSAGE_MAX + 128];

		error_format(&err, line, sizeof(line));
		log_warn("%s", line);
	}
	sweep_path(cl, &cl->pid_file, "pid file", S_IFREG);
	for (i = 0; i < cl->n_sockets; i++)
		sweep_path(cl, &cl->sockets[i], "socket", S_IFSOCK);
}

struct proc {
	pid_t pid, ppid;
};

long cleanup_descendants(pid_t ancestor, pid_t **out)
{
	struct proc *p = NULL;
	size_t n = 0, cap = 0, i;
	pid_t *set = NULL;
	size_t nset = 0;
	bool grew;
	struct dirent *de;
	DIR *d = opendir("/proc");

	*out = NULL;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[64], buf[512];
		const char *rp;
		ssize_t len;
		int fd;
		long ppid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/stat", de->d_name);
		fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "PID (COMM) S PPID ...": COMM may hold spaces and parentheses */
		rp = strrchr(buf, ')');
		if (!rp || sscanf(rp + 1, " %*c %ld", &ppid) != 1)
			continue;
		grow_array((void **)&p, &cap, n + 1, sizeof(*p));
		p[n].pid = (pid_t)atol(de->d_name);
		p[n].ppid = (pid_t)ppid;
		n++;
	}
	closedir(d);
	/* a process is a descendant when its parent is the ancestor or a descendant */
	set = xmalloc(sizeof(*set) * (n + 1));
	do {
		grew = false;
		for (i = 0; i < n; i++) {
			size_t j;
			bool parent_in = p[i].ppid == ancestor, self_in = false;

			if (!p[i].pid)
				continue;
			for (j = 0; j < nset && !parent_in; j++)
				parent_in = set[j] == p[i].ppid;
			for (j = 0; j < nset && !self_in; j++)
				self_in = set[j] == p[i].pid;
			if (parent_in && !self_in && p[i].pid != ancestor) {
				set[nset++] = p[i].pid;
				p[i].pid = 0;
				grew = true;
			}
		}
	} while (grew);
	free(p);
	if (!nset) {
		free(set);
		return 0;
	}
	*out = set;
	return (long)nset;
}

long cleanup_signal_tree(pid_t ancestor, int sig)
{
	pid_t *pids;
	long n = cleanup_descendants(ancestor, &pids), i, sent = 0;

	if (n < 0) {
		if (getpid() != 1)
			return -1;
		return kill(-1, sig) == 0 ? 1 : 0;
	}
	for (i = 0; i < n; i++)
		if (kill(pids[i], sig) == 0)
			sent++;
	free(pids);
	return sent;
}
