#include "path.h"
#include "util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_join(const char *a, const char *b)
{
	size_t la;

	if (b[0] == '/' || !a[0])
		return xstrdup(b);
	la = strlen(a);
	if (la && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

char *path_dirname(const char *p)
{
	const char *slash = strrchr(p, '/');

	if (!slash)
		return xstrdup(".");
	while (slash > p && slash[-1] == '/')
		slash--;
	if (slash == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(slash - p));
}

const char *path_basename(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

bool path_is_dot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

char *path_normalize(const char *p)
{
	bool absolute = p[0] == '/';
	size_t n = strlen(p);
	char *out = xmalloc(n + 2);
	size_t len = 0;
	size_t depth = 0; /* components that a ".." may remove */
	const char *s = p;

	if (absolute)
		out[len++] = '/';
	while (*s) {
		const char *e;
		size_t cl;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		cl = (size_t)(e - s);
		if (cl == 1 && s[0] == '.') {
			/* skip */
		} else if (cl == 2 && s[0] == '.' && s[1] == '.') {
			if (depth) {
				/* drop the last component */
				while (len && out[len - 1] != '/')
					len--;
				if (len > (absolute ? 1u : 0u))
					len--;
				depth--;
			} else if (!absolute) {
				if (len && out[len - 1] != '/')
					out[len++] = '/';
				memcpy(out + len, "..", 2);
				len += 2;
			}
		} else {
			if (len && out[len - 1] != '/')
				out[len++] = '/';
			memcpy(out + len, s, cl);
			len += cl;
			depth++;
		}
		s = e;
	}
	if (!len)
		out[len++] = '.';
	out[len] = '\0';
	return out;
}

char *path_absolute(const char *p, const char *base)
{
	char cwd[PATH_MAX];
	char *joined, *result;

	if (p[0] == '/')
		return path_normalize(p);
	if (!base) {
		if (!getcwd(cwd, sizeof(cwd)))
			strcpy(cwd, "/");
		base = cwd;
	}
	joined = path_join(base, p);
	result = path_normalize(joined);
	free(joined);
	return result;
}

bool path_is_inside(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return p[0] == '/';
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

bool path_exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

bool path_is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}
