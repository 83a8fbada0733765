#include "cgroup.h"
#include "cleanup-attrs.h"
#include "fileio.h"
#include "path.h"
#include "util.h"

#include <stdbool.h>
#include <string.h>

char *cgroup_read(const char *dir, const char *file)
{
	_cleanup_free_ char *path = path_join(dir, file);
	struct error err = ERROR_INIT;
	char *buf;
	size_t len;

	if (file_read(path, 64 * 1024, &buf, &len, NULL, &err) < 0)
		return NULL;
	return buf;
}

static int64_t min_nonzero(int64_t a, int64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* The smallest limit from mount/cgpath up to mount; the mount alone when the
 * path is not visible (inside a container). */
static int64_t along(const char *mount, const char *cgpath, int64_t (*limit_in)(const char *))
{
	const char *rel = cgpath + (cgpath[0] == '/');
	/* the root cgroup is the mount itself: "mount/" would be read twice */
	_cleanup_free_ char *dir = *rel ? path_join(mount, rel) : xstrdup(mount);
	int64_t best = 0;

	if (!path_is_dir(dir))
		return limit_in(mount);
	for (;;) {
		char *up;

		best = min_nonzero(best, limit_in(dir));
		if (strlen(dir) <= strlen(mount))
			break;
		up = path_dirname(dir);
		free(dir);
		dir = up;
	}
	return best;
}

/* Whether the comma-separated list names the controller. */
static bool has_controller(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

int64_t cgroup_smallest_limit(const char *root, const struct cgroup_limit *what)
{
	_cleanup_free_ char *proc = path_join(root, "proc/self");
	_cleanup_free_ char *cgroot = path_join(root, "sys/fs/cgroup");
	_cleanup_free_ char *buf = cgroup_read(proc, "cgroup");
	char *line, *save = NULL;
	int64_t limit = 0;

	for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* ID:CONTROLLERS:PATH */
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
				limit = min_nonzero(limit, along(cgroot, c2 + 1, what->v2_in));
		} else if (has_controller(c1 + 1, what->controller)) {
			for (const char *const *m = what->v1_mounts; *m; m++) {
				_cleanup_free_ char *dir = path_join(cgroot, *m);

				if (path_is_dir(dir)) {
					limit = min_nonzero(limit, along(dir, c2 + 1, what->v1_in));
					break;
				}
			}
		}
	}
	return limit;
}
