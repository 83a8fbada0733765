/*
 * What the virtualenv's interpreter will import: the one model of sys.path
 * that the checks and the launcher share.
 *
 * pyenv_open() lists the site directories of a venv in the order Python
 * puts them on sys.path (measured on Debian 12's Python 3.11 with and
 * without a user site; tests/e2e/system-site.sh compares the version and
 * directory found with what the venv's python imports):
 *
 *   1. VENV/lib/pythonX.Y/site-packages (and lib64 when it is another
 *      directory);
 *   2. when pyvenv.cfg says include-system-site-packages = true: the user
 *      site (${PYTHONUSERBASE:-$HOME/.local}/lib/pythonX.Y/site-packages,
 *      unless PYTHONNOUSERSITE is set), then the base installation's
 *      (PREFIX/local/lib/pythonX.Y/dist-packages, PREFIX/lib/python3/
 *      dist-packages, PREFIX/lib/pythonX.Y/dist-packages and
 *      PREFIX/lib/pythonX.Y/site-packages, those that exist; PREFIX is the
 *      parent of pyvenv.cfg's home);
 *
 * each directory followed by the directories its *.pth files add (files in
 * name order, lines that are neither comments, blank nor "import" lines
 * and name an existing directory), as site.addsitedir() does.
 *
 * pyenv_find() answers "which NAME runs, in which version, from where":
 * the first directory where the module is importable (a package with
 * __init__.py, a module NAME.py), the distribution's metadata
 * (*.dist-info, or a legacy *.egg-info as Debian installs them) found the
 * way importlib.metadata finds it (first on the path, preferring the
 * module's own directory), and the console script VENV/bin/NAME.
 */
#ifndef DEPLOY_RUN_PYENV_H
#define DEPLOY_RUN_PYENV_H

#include <stdbool.h>
#include <stddef.h>

#include "environ.h"
#include "error.h"

/*
 * The value of key in a pyvenv.cfg buffer ("key = value" lines, keys
 * compared without case), trimmed and malloc'd, with its 1-based line in
 * *line; NULL when absent.  Pure.
 */
char *pyenv_cfg_get(const char *buf, const char *key, int *line);
/* The interpreter's version a pyvenv.cfg buffer records ("3.11.2": its
 * version key, else virtualenv's version_info), as pyenv_cfg_get(). */
char *pyenv_cfg_version(const char *buf, int *line);

enum pyenv_origin {
	PYENV_VENV,    /* the venv's own site-packages */
	PYENV_USER,    /* the user site (system site-packages only) */
	PYENV_SYSTEM,  /* the base installation's site directories */
	PYENV_PTH,     /* added by a .pth file of an earlier directory */
};

struct pyenv_dir {
	char *path;
	enum pyenv_origin origin;
};

struct pyenv {
	char *venv;
	char *pyver;         /* "3.11" (pyvenv.cfg version, else the lib/python3.X name); NULL */
	bool system_site;    /* include-system-site-packages = true */
	struct pyenv_dir *dirs;
	size_t n, cap;
};

/*
 * I/O: builds the model of venv (an absolute path).  env is the server's
 * composed environment (HOME, PYTHONUSERBASE, PYTHONNOUSERSITE), or NULL.
 * Fails (-1, err) only when venv has no pyvenv.cfg; a venv without any
 * site-packages directory gives an empty list.
 */
int pyenv_open(struct pyenv *pe, const char *venv, const struct environ *env, struct error *err);
void pyenv_finish(struct pyenv *pe);

/* "venv", "user site", "system", ".pth" */
const char *pyenv_origin_name(enum pyenv_origin o);

struct pyenv_found {
	bool importable;     /* the module is on the path (or an editable install provides it) */
	char *module_dir;    /* the sys.path entry that holds it, NULL when not importable */
	enum pyenv_origin origin; /* of module_dir, else of the metadata */
	char *version;       /* from the metadata; NULL when it cannot be determined */
	char *dist_path;     /* the .dist-info or .egg-info read, or NULL */
	bool egg_info;
	size_t ndists;       /* distributions of that name on the whole path */
	char *other_versions;/* "0.30.0 (/other/dir)" of the others, comma-separated, or NULL */
	char *script;        /* VENV/bin/NAME when it exists and is executable, else NULL */
};

/*
 * I/O: where module (a top-level import name, "gunicorn") of distribution
 * dist (its project name, "gunicorn") comes from.  Never fails: what
 * cannot be found is NULL or false.  Free with pyenv_found_finish().
 */
void pyenv_find(const struct pyenv *pe, const char *dist, const char *module,
		struct pyenv_found *out);
void pyenv_found_finish(struct pyenv_found *f);

/*
 * Whether version (a PEP 440 string) is at least min, ordered as PEP 440
 * orders them (0.24rc1 < 0.24): 1 yes, 0 no, -1 when version is NULL or
 * not a version.  Pure.
 */
int pyenv_version_at_least(const char *version, const char *min);

#endif
