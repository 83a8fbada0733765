/*
 * Unit tests of the req family's engines: pip check redone on in-memory
 * distributions (checks/requirements.c), the venv's seeded distributions,
 * wheel file names and wheels against a lock read from memory
 * (checks/wheels.c, checks/lockfile.c), and RECORD verification on a
 * temporary directory with several threads (checks/records.c).
 */
#include "t.h"
#include "hash.h"
#include "lockfile.h"
#include "path.h"
#include "records.h"
#include "requirements.h"
#include "util.h"
#include "wheels.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* add DIST "Name: x\nVersion: 1\nRequires-Dist: ...": appends to set, unsorted. */
static void add(struct dist_set *set, const char *name, const char *version, const char *requires)
{
	struct dist *d;
	char *meta = xasprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s\n", name, version,
			       requires);
	struct error err = ERROR_INIT;

	grow_array((void **)&set->d, &set->cap, set->n + 1, sizeof(*set->d));
	d = &set->d[set->n++];
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(name);
	d->normalized = pep440_canonicalize_name(name, strlen(name));
	d->version = xstrdup(version);
	d->path = xasprintf("/site/%s-%s.dist-info", name, version);
	d->location = xstrdup("/site");
	CHECK_INT(dist_metadata_parse(&d->md, meta, strlen(meta), "METADATA", &err), 0);
	free(meta);
}

static const struct requirements_problem *find(const struct requirements_problems *p,
					       enum requirements_problem_kind kind,
					       const char *who, const char *dep)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].kind == kind && str_eq(p->v[i].dist->normalized, who) &&
		    (!dep || str_eq(p->v[i].dep, dep)))
			return &p->v[i];
	return NULL;
}

static void test_pip_check(void)
{
	struct dist_set set = {0};
	struct requirements_problems p;
	struct pep508_env env;
	const struct requirements_problem *q;

	/* sorted by normalised name, as dist_scan_dir leaves it */
	add(&set, "Alpha", "1.0", "Requires-Dist: beta>=2\nRequires-Dist: Missing_One");
	add(&set, "beta", "1.5", "Requires-Dist: gamma; extra == \"x\"\n"
	    "Requires-Dist: py2only; python_version < \"3\"");
	add(&set, "Broken", "1.0", "Requires-Dist: ???");
	add(&set, "kappa", "1.0", "Requires-Dist: lam>=1.0\nRequires-Dist: broken");
	add(&set, "lam", "2.0b1", "");
	add(&set, "odd", "not a version", "");
	add(&set, "user-of-odd", "1", "Requires-Dist: odd\nRequires-Dist: odd>=1; os_name == \"posix\"");
	CHECK_INT(pep508_env_init_host(&env, "3.11.2", NULL), 0);
	requirements_pip_check(&set, &env, &p);
	/* missing: names as pip prints them (canonical) */
	CHECK(find(&p, REQUIREMENTS_MISSING, "alpha", "missing-one") != NULL);
	/* conflict, with the requirement's text */
	q = find(&p, REQUIREMENTS_CONFLICT, "alpha", "beta");
	CHECK(q != NULL);
	if (q) {
		CHECK_STR(q->requirement, "beta>=2");
		CHECK_STR(q->installed->version, "1.5");
	}
	/* an extra and a false marker are not checked */
	CHECK(find(&p, REQUIREMENTS_MISSING, "beta", NULL) == NULL);
	/* a prerelease satisfies >=1.0 (prereleases=True) */
	CHECK(find(&p, REQUIREMENTS_CONFLICT, "kappa", "lam") == NULL);
	/* a distribution whose requirements do not parse is reported and counts as absent */
	CHECK(find(&p, REQUIREMENTS_BROKEN, "broken", NULL) != NULL);
	CHECK(find(&p, REQUIREMENTS_MISSING, "kappa", "broken") != NULL);
	/* a non-PEP 440 version satisfies only an empty specifier */
	CHECK(find(&p, REQUIREMENTS_CONFLICT, "user-of-odd", "odd") != NULL);
	CHECK_INT(p.n, 5);
	/* pip's order: every missing one before the conflicts */
	CHECK_INT(p.v[p.n - 1].kind, REQUIREMENTS_CONFLICT);
	requirements_problems_finish(&p);
	pep508_env_finish(&env);
	dist_set_finish(&set);
}

static void test_seeded(void)
{
	CHECK(requirements_seeded_by_venv("pip", "3.12.1"));
	CHECK(requirements_seeded_by_venv("setuptools", "3.11.2"));
	CHECK(!requirements_seeded_by_venv("setuptools", "3.12.0"));
	CHECK(!requirements_seeded_by_venv("setuptools", NULL));
	CHECK(!requirements_seeded_by_venv("wheel", "3.11.2"));
}

static void test_wheel_names(void)
{
	char *name = NULL, *version = NULL;

	CHECK_INT(wheels_parse_filename("/w/Foo_Bar-1.0rc1-py3-none-any.whl", &name, &version), 0);
	CHECK_STR(name, "Foo_Bar");
	CHECK_STR(version, "1.0rc1");
	free(name);
	free(version);
	CHECK_INT(wheels_parse_filename("x-2.0-1build-cp311-cp311-linux_x86_64.whl", &name,
					&version), 0);
	CHECK_STR(version, "2.0");
	free(name);
	free(version);
	CHECK_INT(wheels_parse_filename("x-2.0-py3-none.whl", &name, &version), -1);
	CHECK_INT(wheels_parse_filename("x-2.0.tar.gz", &name, &version), -1);
	CHECK_INT(wheels_parse_filename("-2.0-py3-none-any.whl", &name, &version), -1);
}

/* lockfile_read_fn over two in-memory files, as a bundle's archive holds them. */
static int read_mem(void *data, const char *path, char **buf, size_t *len, struct error *err)
{
	static const char *const files[][2] = {
		{"requirements.txt", "-r req/base.txt\nclick==8.1.3 --hash=sha256:"
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"},
		{"req/base.txt", "gunicorn==20.1.0\nwerkzeug==2.2.2 ; python_version < '3'\n"},
	};
	size_t i;

	(void)data;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(path, files[i][0]) == 0) {
			*buf = xstrdup(files[i][1]);
			*len = strlen(*buf);
			return 0;
		}
	return error_at(err, path, 0, 0, "no such file");
}

static void test_wheels_against_lock(void)
{
	struct lockfile lf;
	struct error err = ERROR_INIT;
	struct strv problems = STRV_INIT;
	struct wheels_file w[4] = {
		{"wh/click-8.1.3-py3-none-any.whl", {0}},
		{"wh/gunicorn-20.1.0.0-py3-none-any.whl", {0}},   /* PEP 440 equal */
		{"wh/flask-2.2.2-py3-none-any.whl", {0}},
		{"wh/junk.whl", {0}},
	};

	CHECK_INT(lockfile_load_from(&lf, "requirements.txt", read_mem, NULL, NULL, NULL, &err), 0);
	CHECK_INT(lf.files.n, 2);
	CHECK_STR(lf.files.v[1], "req/base.txt");   /* relative to its includer, not the cwd */
	CHECK_INT(lf.n_reqs, 3);
	memset(w[0].sha256, 0xaa, sizeof(w[0].sha256));
	wheels_match_lock(&lf, w, 4, "wh", &problems);
	CHECK_INT(problems.n, 2);
	CHECK_STR(problems.v[0], "wh/flask-2.2.2-py3-none-any.whl: flask is not in the lock");
	CHECK(problems.n > 1 && strstr(problems.v[1], "wh/junk.whl: not a wheel file name"));
	strv_finish(&problems);
	/* a hash that differs, and a pinned requirement without its wheel */
	w[0].sha256[0] = 0xab;
	wheels_match_lock(&lf, w, 1, "wh", &problems);
	CHECK_INT(problems.n, 2);
	CHECK(problems.n > 0 && strstr(problems.v[0], "none of the lock's hashes for click "
				       "(requirements.txt:2)"));
	CHECK(problems.n > 1 && strcmp(problems.v[1], "req/base.txt:1: gunicorn==20.1.0 has no "
				       "wheel in wh") == 0);
	strv_finish(&problems);
	lockfile_finish(&lf);
	/* an include the reader does not have is named with its -r line */
	CHECK_INT(lockfile_load_from(&lf, "req/base.txt", read_mem, NULL, NULL, NULL, &err), 0);
	lockfile_finish(&lf);
	CHECK_INT(lockfile_load_from(&lf, "missing.txt", read_mem, NULL, NULL, NULL, &err), -1);
	CHECK_STR(err.file, "missing.txt");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_records(void)
{
	char dir[] = "/tmp/test-records.XXXXXX";
	struct dist_set set = {0};
	struct records_run run = {0};
	struct error err = ERROR_INIT;
	uint8_t md[SHA256_LEN];
	char b64[48], *record, *p;
	size_t i;
	int ok = 0, mismatch = 0, missing = 0;

	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(hash_load(&err), 0);
	p = path_join(dir, "m-1.0.dist-info");
	mkdir(p, 0755);
	free(p);
	sha256_buffer("hello\n", 6, md, NULL);
	base64url_encode(md, SHA256_LEN, b64);
	/* good.py, changed.py (same size, other bytes), gone.py, and rows without hashes */
	record = xasprintf("m/good.py,sha256=%s,6\nm/changed.py,sha256=%s,6\n"
			   "m/gone.py,sha256=%s,6\nm/x.pyc,,\nm-1.0.dist-info/RECORD,,\n",
			   b64, b64, b64);
	p = path_join(dir, "m");
	mkdir(p, 0755);
	free(p);
	p = path_join(dir, "m/good.py"); write_file(p, "hello\n"); free(p);
	p = path_join(dir, "m/changed.py"); write_file(p, "HELLO\n"); free(p);
	p = path_join(dir, "m-1.0.dist-info/RECORD"); write_file(p, record); free(p);
	p = path_join(dir, "m-1.0.dist-info/METADATA");
	write_file(p, "Metadata-Version: 2.1\nName: m\nVersion: 1.0\n");
	free(p);
	free(record);
	CHECK_INT(dist_scan_dir(&set, dir, &err), 0);
	CHECK_INT(set.n, 1);
	records_collect(&run, &set);
	CHECK_INT(run.n, 3);
	CHECK_INT(records_verify(&run, 4, NULL, NULL, &err), 0);
	for (i = 0; i < run.n; i++) {
		const struct records_file *f = &run.files[i];

		if (f->status == RECORDS_OK && str_ends_with(f->path, "good.py"))
			ok++;
		if (f->status == RECORDS_MISMATCH && str_ends_with(f->path, "changed.py") &&
		    f->got[0] && f->line == 2)
			mismatch++;
		if (f->status == RECORDS_MISSING && str_ends_with(f->path, "gone.py"))
			missing++;
	}
	CHECK_INT(ok, 1);
	CHECK_INT(mismatch, 1);
	CHECK_INT(missing, 1);
	CHECK_INT(run.bytes, 12);
	records_run_finish(&run);
	dist_set_finish(&set);
	p = xasprintf("%s/m/good.py", dir); unlink(p); free(p);
	p = xasprintf("%s/m/changed.py", dir); unlink(p); free(p);
	p = xasprintf("%s/m-1.0.dist-info/RECORD", dir); unlink(p); free(p);
	p = xasprintf("%s/m-1.0.dist-info/METADATA", dir); unlink(p); free(p);
	p = xasprintf("%s/m-1.0.dist-info", dir); rmdir(p); free(p);
	p = xasprintf("%s/m", dir); rmdir(p); free(p);
	rmdir(dir);
}

int main(void)
{
	RUN(test_pip_check);
	RUN(test_seeded);
	RUN(test_wheel_names);
	RUN(test_wheels_against_lock);
	RUN(test_records);
	return T_DONE();
}
