/* The venv model: site directories in sys.path order, and which version of
 * a server runs from where (dist-info, egg-info, system site-packages,
 * .pth directories, the user site, several versions, none). */
#include "t.h"
#include "testutil.h"
#include "environ.h"
#include "path.h"
#include "pyenv.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char dir[] = "/tmp/dr-pyenv-XXXXXX";

#define VSITE ".venv/lib/python3.11/site-packages"
#define SYS "sys/lib/python3/dist-packages"

static void cfg(bool system_site)
{
	char *home = xasprintf("home = %s/sys/bin\ninclude-system-site-packages = %s\n"
			       "version = 3.11.2\n", dir, system_site ? "true" : "false");

	testutil_write(dir, ".venv/pyvenv.cfg", home);
	free(home);
}

static void dist_info(const char *site, const char *name, const char *version)
{
	char *rel = xasprintf("%s/%s-%s.dist-info/METADATA", site, name, version);
	char *md = xasprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", name, version);

	testutil_write(dir, rel, md);
	free(rel);
	free(md);
}

static void package(const char *site, const char *name)
{
	char *rel = xasprintf("%s/%s/__init__.py", site, name);

	testutil_write(dir, rel, "");
	free(rel);
}

static void reset(void)
{
	char *v = path_join(dir, ".venv"), *s = path_join(dir, "sys"), *h = path_join(dir, "home");

	testutil_remove_tree(v);
	testutil_remove_tree(s);
	testutil_remove_tree(h);
	free(v);
	free(s);
	free(h);
	testutil_mkdir_p(dir);
}

/* Opens the venv with process environment penv (composed through a profile-less environ). */
static void find(const char *name, struct pyenv_found *f, struct pyenv *pe)
{
	struct error err = ERROR_INIT;
	char *venv = path_join(dir, ".venv");

	CHECK(pyenv_open(pe, venv, NULL, &err) == 0);
	pyenv_find(pe, name, name, f);
	free(venv);
}

static void test_dist_info(void)
{
	struct pyenv pe;
	struct pyenv_found f;

	reset();
	cfg(false);
	dist_info(VSITE, "gunicorn", "23.0.0");
	package(VSITE, "gunicorn");
	find("gunicorn", &f, &pe);
	CHECK_INT(pe.n, 1);
	CHECK_STR(pe.pyver, "3.11");
	CHECK(f.importable);
	CHECK_STR(f.version, "23.0.0");
	CHECK(!f.egg_info);
	CHECK_INT(f.origin, PYENV_VENV);
	CHECK(f.script == NULL);
	CHECK_INT(f.ndists, 1);
	pyenv_found_finish(&f);
	pyenv_finish(&pe);
}

/* Debian installs PKG-INFO in NAME-VERSION.egg-info; the directory name
 * and Name: may spell the project differently (Flask, flask). */
static void test_egg_info_system_site(void)
{
	struct pyenv pe;
	struct pyenv_found f;

	reset();
	cfg(true);
	testutil_mkdir_p(dir);
	testutil_write(dir, VSITE "/.keep", "");
	testutil_write(dir, SYS "/uvicorn-0.17.6.egg-info/PKG-INFO",
		       "Metadata-Version: 2.1\nName: uvicorn\nVersion: 0.17.6\n");
	package(SYS, "uvicorn");
	testutil_write(dir, SYS "/Flask-2.2.2.egg-info/PKG-INFO",
		       "Metadata-Version: 2.1\nName: Flask\nVersion: 2.2.2\n");
	package(SYS, "flask");
	find("uvicorn", &f, &pe);
	CHECK_INT(pe.n, 2);
	CHECK_INT(pe.dirs[1].origin, PYENV_SYSTEM);
	CHECK(f.importable);
	CHECK_STR(f.version, "0.17.6");
	CHECK(f.egg_info);
	CHECK_INT(f.origin, PYENV_SYSTEM);
	CHECK(str_ends_with(f.dist_path, "uvicorn-0.17.6.egg-info"));
	pyenv_found_finish(&f);
	pyenv_find(&pe, "flask", "flask", &f);
	CHECK_STR(f.version, "2.2.2");
	pyenv_found_finish(&f);
	pyenv_finish(&pe);

	/* without include-system-site-packages, the system's is not seen */
	cfg(false);
	find("uvicorn", &f, &pe);
	CHECK_INT(pe.n, 1);
	CHECK(!f.importable);
	CHECK(f.version == NULL);
	pyenv_found_finish(&f);
	pyenv_finish(&pe);
}

static void test_not_found(void)
{
	struct pyenv pe;
	struct pyenv_found f;
	struct error err = ERROR_INIT;
	char *missing = path_join(dir, "nothing");

	reset();
	cfg(true);
	testutil_write(dir, VSITE "/.keep", "");
	find("gunicorn", &f, &pe);
	CHECK(!f.importable);
	CHECK(f.version == NULL);
	CHECK(f.dist_path == NULL);
	CHECK_INT(f.ndists, 0);
	pyenv_found_finish(&f);
	pyenv_finish(&pe);
	/* importable without metadata: the version cannot be determined */
	package(VSITE, "gunicorn");
	find("gunicorn", &f, &pe);
	CHECK(f.importable);
	CHECK(f.version == NULL);
	pyenv_found_finish(&f);
	pyenv_finish(&pe);
	/* no pyvenv.cfg: not a venv */
	CHECK(pyenv_open(&pe, missing, NULL, &err) == -1);
	free(missing);
}

/* The venv's copy is first on sys.path: it runs, and the others are named. */
static void test_several(void)
{
	struct pyenv pe;
	struct pyenv_found f;

	reset();
	cfg(true);
	dist_info(VSITE, "gunicorn", "23.0.0");
	package(VSITE, "gunicorn");
	testutil_write(dir, SYS "/gunicorn-20.1.0.egg-info/PKG-INFO",
		       "Metadata-Version: 2.1\nName: gunicorn\nVersion: 20.1.0\n");
	package(SYS, "gunicorn");
	find("gunicorn", &f, &pe);
	CHECK_STR(f.version, "23.0.0");
	CHECK_INT(f.ndists, 2);
	CHECK(f.other_versions && strstr(f.other_versions, "20.1.0") != NULL);
	pyenv_found_finish(&f);
	pyenv_finish(&pe);
	/* the module in the system, a stray dist-info without code in the venv:
	 * the metadata beside the code that runs describes it */
	reset();
	cfg(true);
	dist_info(VSITE, "gunicorn", "23.0.0");
	testutil_write(dir, SYS "/gunicorn-20.1.0.egg-info/PKG-INFO",
		       "Metadata-Version: 2.1\nName: gunicorn\nVersion: 20.1.0\n");
	package(SYS, "gunicorn");
	find("gunicorn", &f, &pe);
	CHECK_STR(f.version, "20.1.0");
	CHECK_INT(f.origin, PYENV_SYSTEM);
	pyenv_found_finish(&f);
	pyenv_finish(&pe);
}

/* .pth lines add directories after their site directory; the user site
 * comes between the venv and the system (HOME, PYTHONNOUSERSITE). */
static void test_pth_and_user_site(void)
{
	struct pyenv pe;
	struct pyenv_found f;
	struct error err = ERROR_INIT;
	struct environ env;
	struct profile p;
	char *venv = path_join(dir, ".venv");
	char *home = xasprintf("HOME=%s/home", dir);
	char *penv[] = {home, NULL, NULL};

	reset();
	cfg(true);
	testutil_write(dir, VSITE "/a.pth", "# comment\n\nimport os\n../../../../src\n/nonexistent\n");
	dist_info("src", "uvicorn", "0.30.0");
	package("src", "uvicorn");
	testutil_write(dir, "home/.local/lib/python3.11/site-packages/.keep", "");
	testutil_write(dir, SYS "/.keep", "");
	memset(&p, 0, sizeof(p));
	p.root = dir;
	p.workdir = dir;
	p.venv = venv;
	CHECK(environ_compose(&env, &p, penv, &err) == 0);
	CHECK(pyenv_open(&pe, venv, &env, &err) == 0);
	CHECK_INT(pe.n, 4);
	CHECK_INT(pe.dirs[0].origin, PYENV_VENV);
	CHECK_INT(pe.dirs[1].origin, PYENV_PTH);
	CHECK(str_ends_with(pe.dirs[1].path, "/src"));
	CHECK_INT(pe.dirs[2].origin, PYENV_USER);
	CHECK_INT(pe.dirs[3].origin, PYENV_SYSTEM);
	pyenv_find(&pe, "uvicorn", "uvicorn", &f);
	CHECK_STR(f.version, "0.30.0");
	CHECK_INT(f.origin, PYENV_PTH);
	pyenv_found_finish(&f);
	pyenv_finish(&pe);
	environ_finish(&env);
	penv[1] = "PYTHONNOUSERSITE=1";
	CHECK(environ_compose(&env, &p, penv, &err) == 0);
	CHECK(pyenv_open(&pe, venv, &env, &err) == 0);
	CHECK_INT(pe.n, 3);
	pyenv_finish(&pe);
	environ_finish(&env);
	free(home);
	free(venv);
}

static void test_version_at_least(void)
{
	CHECK_INT(pyenv_version_at_least("0.22.0", "0.22.0"), 1);
	CHECK_INT(pyenv_version_at_least("0.22", "0.22.0"), 1);
	CHECK_INT(pyenv_version_at_least("0.22.0rc1", "0.22.0"), 0);
	CHECK_INT(pyenv_version_at_least("0.24rc1", "0.24"), 0);
	CHECK_INT(pyenv_version_at_least("0.17.6", "0.22.0"), 0);
	CHECK_INT(pyenv_version_at_least("0.100.0", "0.22.0"), 1);
	CHECK_INT(pyenv_version_at_least("1!0.1", "0.22.0"), 1);
	CHECK_INT(pyenv_version_at_least(NULL, "0.22.0"), -1);
	CHECK_INT(pyenv_version_at_least("not a version", "0.22.0"), -1);
}

int main(void)
{
	testutil_main_dir(dir);
	RUN(test_dist_info);
	RUN(test_egg_info_system_site);
	RUN(test_not_found);
	RUN(test_several);
	RUN(test_pth_and_user_site);
	RUN(test_version_at_least);
	testutil_remove_tree(dir);
	return T_DONE();
}
