#include "pyenv.h"
#include "dist.h"
#include "fileio.h"
#include "path.h"
#include "pep440.h"
#include "strbuf.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PTH_MAX (1024u * 1024)

char *pyenv_cfg_get(const char *buf, const char *key, int *line)
{
	const char *p = buf;
	size_t klen = strlen(key);
	int n = 0;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		const char *stop = end ? end : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(stop - p));

		n++;
		if (eq) {
			_cleanup_free_ char *k = xstrndup(p, (size_t)(eq - p));
			char *tk = str_trim(k);

			if (strlen(tk) == klen && strncasecmp(tk, key, klen) == 0) {
				char *v = xstrndup(eq + 1, (size_t)(stop - eq - 1));
				char *tv = str_trim(v);

				memmove(v, tv, strlen(tv) + 1);
				if (line)
					*line = n;
				return v;
			}
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

char *pyenv_cfg_version(const char *buf, int *line)
{
	char *version = pyenv_cfg_get(buf, "version", line);

	return version ? version : pyenv_cfg_get(buf, "version_info", line);
}

const char *pyenv_origin_name(enum pyenv_origin o)
{
	switch (o) {
	case PYENV_VENV: return "venv";
	case PYENV_USER: return "user site";
	case PYENV_SYSTEM: return "system";
	case PYENV_PTH: return ".pth";
	}
	return "?";
}

static bool known(const struct pyenv *pe, const struct stat *st)
{
	size_t i;

	for (i = 0; i < pe->n; i++) {
		struct stat o;

		if (stat(pe->dirs[i].path, &o) == 0 && o.st_dev == st->st_dev &&
		    o.st_ino == st->st_ino)
			return true;
	}
	return false;
}

/* site.addpackage(): each *.pth of dir, in name order, adds its existing
 * directories (one per line; comments, blank and import lines skipped). */
static void add_pth_dirs(struct pyenv *pe, const char *dir)
{
	struct strv names = STRV_INIT;
	size_t i;

	if (file_dir_names(dir, NULL, ".pth", false, &names) < 0)
		return;
	for (i = 0; i < names.n; i++) {
		_cleanup_free_ char *p = path_join(dir, names.v[i]);
		_cleanup_free_ char *buf = NULL;
		struct error err = ERROR_INIT;
		size_t len;
		char *line, *save = NULL;

		if (file_read(p, PTH_MAX, &buf, &len, NULL, &err) < 0)
			continue;
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			_cleanup_free_ char *sub = NULL;
			struct stat st;
			size_t n = strlen(line);

			while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
				line[--n] = '\0';
			if (!n || line[0] == '#' || str_starts_with(line, "import ") ||
			    str_starts_with(line, "import\t"))
				continue;
			sub = line[0] == '/' ? path_normalize(line) : path_join(dir, line);
			if (stat(sub, &st) < 0 || !S_ISDIR(st.st_mode) || known(pe, &st))
				continue;
			grow_array((void **)&pe->dirs, &pe->cap, pe->n + 1, sizeof(*pe->dirs));
			pe->dirs[pe->n].path = sub;
			pe->dirs[pe->n++].origin = PYENV_PTH;
			sub = NULL;
		}
	}
	strv_finish(&names);
}

/* Adds dir (when it is a directory not yet listed), then what its .pth files add. */
static void add_dir(struct pyenv *pe, char *dir, enum pyenv_origin origin)
{
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || known(pe, &st)) {
		free(dir);
		return;
	}
	grow_array((void **)&pe->dirs, &pe->cap, pe->n + 1, sizeof(*pe->dirs));
	pe->dirs[pe->n].path = dir;
	pe->dirs[pe->n++].origin = origin;
	add_pth_dirs(pe, dir);
}

/* "3.11" from "3.11.2"; NULL without a minor. */
static char *major_minor(const char *v)
{
	size_t n = strspn(v, "0123456789");

	if (!n || v[n] != '.' || !isdigit((unsigned char)v[n + 1]))
		return NULL;
	n += 1 + strspn(v + n + 1, "0123456789");
	return xstrndup(v, n);
}

/* The first lib/python3.X directory name of the venv, as "3.X". */
static char *pyver_from_lib(const char *venv)
{
	_cleanup_free_ char *lib = path_join(venv, "lib");
	DIR *d = opendir(lib);
	struct dirent *e;
	char *found = NULL;

	if (!d)
		return NULL;
	while (!found && (e = readdir(d)))
		if (str_starts_with(e->d_name, "python3."))
			found = major_minor(e->d_name + strlen("python"));
	closedir(d);
	return found;
}

int pyenv_open(struct pyenv *pe, const char *venv, const struct environ *env, struct error *err)
{
	_cleanup_free_ char *cfg_path = path_join(venv, "pyvenv.cfg");
	_cleanup_free_ char *buf = NULL, *version = NULL, *sys_site = NULL, *home = NULL;
	size_t len;

	memset(pe, 0, sizeof(*pe));
	if (file_read(cfg_path, 64u * 1024, &buf, &len, NULL, err) < 0)
		return -1;
	pe->venv = xstrdup(venv);
	version = pyenv_cfg_get(buf, "version", NULL);
	if (!version)
		version = pyenv_cfg_get(buf, "version_info", NULL);
	pe->pyver = version ? major_minor(version) : NULL;
	if (!pe->pyver)
		pe->pyver = pyver_from_lib(venv);
	sys_site = pyenv_cfg_get(buf, "include-system-site-packages", NULL);
	pe->system_site = sys_site && str_case_eq(sys_site, "true");
	home = pyenv_cfg_get(buf, "home", NULL);
	if (!pe->pyver)
		return 0;
	add_dir(pe, xasprintf("%s/lib/python%s/site-packages", venv, pe->pyver), PYENV_VENV);
	add_dir(pe, xasprintf("%s/lib64/python%s/site-packages", venv, pe->pyver), PYENV_VENV);
	if (!pe->system_site)
		return 0;
	if (!(env && environ_value(env, "PYTHONNOUSERSITE") &&
	      *environ_value(env, "PYTHONNOUSERSITE"))) {
		const char *base = env ? environ_value(env, "PYTHONUSERBASE") : NULL;
		const char *h = env ? environ_value(env, "HOME") : NULL;

		if (base && *base)
			add_dir(pe, xasprintf("%s/lib/python%s/site-packages", base, pe->pyver),
				PYENV_USER);
		else if (h && *h)
			add_dir(pe, xasprintf("%s/.local/lib/python%s/site-packages", h, pe->pyver),
				PYENV_USER);
	}
	if (home) {
		_cleanup_free_ char *prefix = path_dirname(home);

		add_dir(pe, xasprintf("%s/local/lib/python%s/dist-packages", prefix, pe->pyver),
			PYENV_SYSTEM);
		add_dir(pe, xasprintf("%s/lib/python3/dist-packages", prefix), PYENV_SYSTEM);
		add_dir(pe, xasprintf("%s/lib/python%s/dist-packages", prefix, pe->pyver),
			PYENV_SYSTEM);
		add_dir(pe, xasprintf("%s/lib/python%s/site-packages", prefix, pe->pyver),
			PYENV_SYSTEM);
	}
	return 0;
}

void pyenv_finish(struct pyenv *pe)
{
	size_t i;

	if (!pe)
		return;
	for (i = 0; i < pe->n; i++)
		free(pe->dirs[i].path);
	free(pe->dirs);
	free(pe->venv);
	free(pe->pyver);
	memset(pe, 0, sizeof(*pe));
}

static bool importable_in(const char *dir, const char *module)
{
	_cleanup_free_ char *pkg = xasprintf("%s/%s/__init__.py", dir, module);
	_cleanup_free_ char *mod = NULL;

	if (path_exists(pkg))
		return true;
	mod = xasprintf("%s/%s.py", dir, module);
	return path_exists(mod);
}

void pyenv_find(const struct pyenv *pe, const char *dist, const char *module,
		struct pyenv_found *out)
{
	_cleanup_free_ char *norm = pep440_canonicalize_name(dist, strlen(dist));
	_cleanup_free_ char *script = path_join(pe->venv ? pe->venv : ".", "bin");
	struct dist_set set = {0};
	const struct dist *chosen = NULL;
	struct strbuf others;
	size_t i, *dir_of = NULL, ndir = 0, module_idx = SIZE_MAX;

	memset(out, 0, sizeof(*out));
	{
		char *s = path_join(script, module);

		free(script);
		script = s;
	}
	if (access(script, X_OK) == 0) {
		out->script = script;
		script = NULL;
	}
	for (i = 0; i < pe->n; i++) {
		int added = dist_scan_named(&set, pe->dirs[i].path, norm);

		if (module_idx == SIZE_MAX && importable_in(pe->dirs[i].path, module))
			module_idx = i;
		if (added > 0) {
			dir_of = xrealloc(dir_of, (set.n) * sizeof(*dir_of));
			while (ndir < set.n)
				dir_of[ndir++] = i;
		}
	}
	out->ndists = set.n;
	/* importlib.metadata: the first on the path; but the metadata that
	 * describes the running code is the one beside it when there is one */
	for (i = 0; i < set.n && module_idx != SIZE_MAX; i++)
		if (dir_of[i] == module_idx && set.d[i].version) {
			chosen = &set.d[i];
			break;
		}
	for (i = 0; !chosen && i < set.n; i++)
		if (set.d[i].version)
			chosen = &set.d[i];
	if (module_idx != SIZE_MAX) {
		out->importable = true;
		out->module_dir = xstrdup(pe->dirs[module_idx].path);
		out->origin = pe->dirs[module_idx].origin;
	} else if (chosen && chosen->editable) {
		/* an editable install's finder (an "import" line in a .pth) */
		out->importable = true;
		out->module_dir = xstrdup(chosen->location);
		for (i = 0; i < pe->n; i++)
			if (str_eq(pe->dirs[i].path, chosen->location))
				out->origin = pe->dirs[i].origin;
	}
	if (chosen) {
		out->version = xstrdup(chosen->version);
		out->dist_path = xstrdup(chosen->path);
		out->egg_info = chosen->egg_info;
		if (!out->importable)
			for (i = 0; i < pe->n; i++)
				if (str_eq(pe->dirs[i].path, chosen->location))
					out->origin = pe->dirs[i].origin;
	}
	strbuf_init(&others);
	for (i = 0; i < set.n; i++) {
		if (&set.d[i] == chosen)
			continue;
		strbuf_addf(&others, "%s%s (%s)", others.len ? ", " : "",
			    set.d[i].version ? set.d[i].version : "unknown version", set.d[i].path);
	}
	out->other_versions = others.len ? strbuf_detach(&others) : NULL;
	strbuf_finish(&others);
	free(dir_of);
	dist_set_finish(&set);
}

void pyenv_found_finish(struct pyenv_found *f)
{
	if (!f)
		return;
	free(f->module_dir);
	free(f->version);
	free(f->dist_path);
	free(f->other_versions);
	free(f->script);
	memset(f, 0, sizeof(*f));
}

int pyenv_version_at_least(const char *version, const char *min)
{
	struct pep440_version a, b;
	struct error err = ERROR_INIT;
	int r;

	if (!version || pep440_version_parses(&a, version, &err) < 0)
		return -1;
	if (pep440_version_parses(&b, min, &err) < 0) {
		pep440_version_finish(&a);
		return -1;
	}
	r = pep440_version_compare(&a, &b) >= 0;
	pep440_version_finish(&a);
	pep440_version_finish(&b);
	return r;
}
