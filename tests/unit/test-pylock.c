/* pylock.toml (checks/pylock.c) into the lock model, on in-memory documents. */
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "lockfile.h"
#include "pep508.h"
#include "pylock.h"
#include "t.h"

static const char *const head = "lock-version = '1.0'\ncreated-by = 'test'\n";

static int parse(struct lockfile *lf, const char *body, struct error *err)
{
	char *doc = malloc(strlen(head) + strlen(body) + 1);
	int r;

	strcpy(doc, head);
	strcat(doc, body);
	memset(lf, 0, sizeof(*lf));
	error_clear(err);
	r = pylock_parse(lf, doc, strlen(doc), "pylock.toml", err);
	free(doc);
	return r;
}

/* The document (after the two head lines) is refused at line:column, the message holding what. */
static void refused_full(const char *doc, int line, int column, const char *what)
{
	struct lockfile lf;
	struct error err = ERROR_INIT;

	memset(&lf, 0, sizeof(lf));
	CHECK_INT(pylock_parse(&lf, doc, strlen(doc), "pylock.toml", &err), -1);
	lockfile_finish(&lf);
	CHECK_STR(err.file, "pylock.toml");
	CHECK_INT(err.line, line);
	CHECK_INT(err.column, column);
	if (!strstr(err.message, what))
		fprintf(stderr, "  message: %s\n  wanted:  %s\n", err.message, what);
	CHECK(strstr(err.message, what) != NULL);
}

static void refused(const char *body, int line, int column, const char *what)
{
	char *doc = malloc(strlen(head) + strlen(body) + 1);

	strcpy(doc, head);
	strcat(doc, body);
	refused_full(doc, line + 2, column, what);
	free(doc);
}

static void test_names(void)
{
	CHECK(pylock_is_name("pylock.toml"));
	CHECK(pylock_is_name("/srv/app/pylock.toml"));
	CHECK(pylock_is_name("pylock.prod.toml"));
	CHECK(pylock_is_name("a/pylock.x.toml"));
	CHECK(!pylock_is_name("pylock.a.b.toml"));
	CHECK(!pylock_is_name("pylock..toml"));
	CHECK(!pylock_is_name("Pylock.toml"));
	CHECK(!pylock_is_name("mypylock.toml"));
	CHECK(!pylock_is_name("pylock.toml/requirements.txt"));
	CHECK(!pylock_is_name("requirements.txt"));
	CHECK(!pylock_is_name("pyproject.toml"));
}

/* The specification's own example, in both layouts, reads as three pinned, hashed packages. */
static void test_spec_example(void)
{
	const char *files[] = {"golden/pylock/spec-example.toml",
			       "golden/pylock/spec-example-inline.toml"};
	size_t f;

	for (f = 0; f < 2; f++) {
		struct lockfile lf;
		struct error err = ERROR_INIT;
		char *buf;
		size_t len;

		CHECK_INT(file_read(files[f], 0, &buf, &len, NULL, &err), 0);
		memset(&lf, 0, sizeof(lf));
		CHECK_INT(pylock_parse(&lf, buf, len, files[f], &err), 0);
		if (err.message[0])
			fprintf(stderr, "  %s\n", err.message);
		free(buf);
		CHECK_INT(lf.n_reqs, 3);
		if (lf.n_reqs == 3) {
			CHECK_STR(lf.reqs[0].name, "attrs");
			CHECK_STR(lf.reqs[0].version, "25.1.0");
			CHECK(lf.reqs[0].pinned);
			CHECK_STR(lf.reqs[0].specifier, "==25.1.0");
			CHECK_INT(lf.reqs[0].hashes.n, 1);
			CHECK_STR(lf.reqs[0].hashes.v[0], "sha256:c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a");
			CHECK_INT(lf.reqs[2].hashes.n, 2);
			CHECK_STR(lf.reqs[2].normalized, "numpy");
			CHECK_INT(lf.reqs[1].line, f ? 19 : 24);
			CHECK(lf.reqs[1].url == NULL);
			CHECK_STR(lf.pylock.package_requires_python[2], f ? ">=3.10" : ">= 3.10");
		}
		CHECK_STR(lf.pylock.lock_version, "1.0");
		CHECK_STR(lf.pylock.created_by, "mousebender");
		CHECK_STR(lf.pylock.requires_python, f ? "==3.12" : "== 3.12.*");
		CHECK_INT(lf.pylock.requires_python_line, 3);
		CHECK_INT(lf.pylock.environments.n, 2);
		CHECK_INT(lf.pylock.environments_line, 2);
		lockfile_finish(&lf);
	}
}

static void test_sources(void)
{
	struct lockfile lf;
	struct error err = ERROR_INIT;

	CHECK_INT(parse(&lf,
		"lock-version-ignored = 1\n"
		"default-groups = ['web']\n"
		"[[packages]]\n"
		"name = 'Foo_Bar'\n"
		"version = '1.0'\n"
		"marker = \"'web' in dependency_groups\"\n"
		"sdist = {name = 'foo_bar-1.0.tar.gz', url = 'https://x/f.tar.gz', hashes = {sha256 = 'aa', sha512 = 'bb'}}\n"
		"[[packages]]\n"
		"name = 'g'\n"
		"vcs = {type = 'git', url = 'https://x/g.git', commit-id = 'abc'}\n"
		"[[packages]]\n"
		"name = 'd'\n"
		"directory = {path = 'src/d', editable = true}\n"
		"[[packages]]\n"
		"name = 'a'\n"
		"version = '2'\n"
		"archive = {path = 'a.zip', hashes = {sha256 = 'cc'}}\n", &err), 0);
	if (err.message[0])
		fprintf(stderr, "  %s\n", err.message);
	CHECK_INT(lf.n_reqs, 4);
	if (lf.n_reqs == 4) {
		CHECK_STR(lf.reqs[0].normalized, "foo-bar");
		CHECK_INT(lf.reqs[0].hashes.n, 2);
		CHECK_STR(lf.reqs[0].hashes.v[1], "sha512:bb");
		CHECK_STR(lf.reqs[0].marker, "'web' in dependency_groups");
		CHECK_INT(lf.reqs[0].line, 5);
		CHECK_STR(lf.reqs[1].url, "git+https://x/g.git@abc");
		CHECK(!lf.reqs[1].pinned && lf.reqs[1].hashes.n == 0);
		CHECK_STR(lf.reqs[2].url, "src/d");
		CHECK(lf.reqs[2].editable);
		CHECK_STR(lf.reqs[3].url, "a.zip");
		CHECK_STR(lf.reqs[3].text, "a @ a.zip");
	}
	CHECK_INT(lf.pylock.default_groups.n, 1);
	lockfile_finish(&lf);
}

/* Each violation of the specification: refused, naming the key, at its place. */
static void test_violations(void)
{
	refused_full("created-by = 'x'\npackages = []\n", 1, 1, "lock-version: required");
	refused_full("lock-version = 1.0\n", 1, 1, "lock-version: expected a string, not a float");
	refused_full("lock-version = '2.0'\ncreated-by = 'x'\npackages = []\n", 1, 16,
		     "deploy-run reads lock-version 1.x");
	refused_full("lock-version = 'one'\n", 1, 16, "is not a version");
	refused_full("lock-version = '1.0'\npackages = []\n", 1, 1, "created-by: required");
	refused_full(head, 1, 1, "packages: required");
	refused("packages = {}\n", 1, 1, "packages: expected an array, not a table");
	refused("requires-python = '>=3.x'\npackages = []\n", 1, 19,
		"requires-python: '>=3.x' is not a valid version specifier");
	refused("environments = ['os_name == ']\npackages = []\n", 1, 17,
		"environments[0]: 'os_name == ' is not a valid environment marker");
	refused("environments = 'linux'\npackages = []\n", 1, 1, "environments: expected an array");
	refused("[[packages]]\nversion = '1'\n", 1, 1, "packages[0].name: required");
	refused("[[packages]]\nname = 'a'\nversion = '1'\n", 1, 1,
		"packages[0] (a): no source");
	refused("[[packages]]\nname = 'a'\nversion = '1'\nwheels = []\n", 4, 10,
		"packages[0] (a).wheels: empty, and no sdist: the package has no file to install");
	refused("[[packages]]\nname = 'a'\nversion = 'one two'\nwheels = []\n", 3, 11,
		"packages[0] (a).version: 'one two' is not a valid version");
	refused("[[packages]]\nname = 'a'\nmarker = 'extras = 1'\nwheels = []\n", 3, 10,
		"packages[0] (a).marker: 'extras = 1' is not a valid environment marker");
	refused("[[packages]]\nname = 'a'\nwheels = [{name = 'a.whl', url = 'u'}]\n", 3, 11,
		"packages[0] (a).wheels[0].hashes: missing");
	refused("[[packages]]\nname = 'a'\nwheels = [{url = 'u', hashes = {}}]\n", 3, 32,
		"packages[0] (a).wheels[0].hashes: empty");
	refused("[[packages]]\nname = 'a'\n[[packages.wheels]]\nname = 'a.whl'\nhashes = {sha256 = 'x'}\n",
		3, 1, "packages[0] (a).wheels[0]: needs a url or a path");
	refused("[[packages]]\nname = 'a'\nwheels = [{url = 'u', hashes = {sha256 = 1}}]\n", 3, 33,
		"wheels[0].hashes.sha256: expected the digest as a non-empty string");
	refused("[[packages]]\nname = 'a'\nsdist = {url = 'u'}\n", 3, 9,
		"packages[0] (a).sdist.hashes: missing");
	refused("[[packages]]\nname = 'a'\nvcs = {type = 'git', url = 'u'}\n", 3, 7,
		"packages[0] (a).vcs.commit-id: required");
	refused("[[packages]]\nname = 'a'\nvcs = {commit-id = 'c', url = 'u'}\n", 3, 7,
		"packages[0] (a).vcs.type: required");
	refused("[[packages]]\nname = 'a'\ndirectory = {editable = true}\n", 3, 13,
		"packages[0] (a).directory.path: required");
	refused("[[packages]]\nname = 'a'\narchive = {url = 'u', hashes = {sha256 = 'x'}}\n"
		"wheels = [{url = 'w', hashes = {sha256 = 'y'}}]\n", 3, 11,
		"vcs, directory and archive each exclude every other source");
	refused("[[packages]]\nname = 'a'\nversion = 1\n", 3, 1,
		"packages[0] (a).version: expected a string, not an integer");
	refused("[[packages]]\nname = 'a'\nwheels = [{url = 'u', hashes = {sha256 = 'x'}}]\n"
		"[[packages]]\nname = 'b'\nrequires-python = '>=three'\nwheels = []\n", 6, 19,
		"packages[1] (b).requires-python");
	/* not TOML at all: the TOML error, with its column */
	refused("[[packages]]\nname = 'a'\nname = 'b'\n", 3, 1, "name is defined twice");
}

static void test_markers(void)
{
	struct error err = ERROR_INIT;
	struct pep508_env env;
	struct strv groups = STRV_INIT, extras = STRV_INIT;
	struct pep508_marker *m;

	pep508_env_init(&env);
	strv_push(&groups, "Web_Server");
	env.dependency_groups = &groups;
	env.extras = &extras;
	m = pep508_marker_parse_lock("'web-server' in dependency_groups", 33, &err);
	CHECK(m != NULL);
	CHECK_INT(pep508_marker_evaluate(m, &env, &err), 1);
	pep508_marker_destroy(m);
	m = pep508_marker_parse_lock("'dev' in dependency_groups or 'x' not in extras", 47, &err);
	CHECK(m != NULL);
	CHECK_INT(pep508_marker_evaluate(m, &env, &err), 1);
	pep508_marker_destroy(m);
	m = pep508_marker_parse_lock("'x' in extras", 13, &err);
	CHECK_INT(pep508_marker_evaluate(m, &env, &err), 0);
	pep508_marker_destroy(m);
	m = pep508_marker_parse_lock("extras == 'x'", 13, &err);
	CHECK(m != NULL);
	CHECK_INT(pep508_marker_evaluate(m, &env, &err), -1);
	CHECK(strstr(err.message, "set of names") != NULL);
	pep508_marker_destroy(m);
	/* outside a lock, extras is no variable (packaging 23 refuses it) */
	CHECK(pep508_marker_parse("'x' in extras", 13, &err) == NULL);
	strv_finish(&groups);
	pep508_env_finish(&env);
}

int main(void)
{
	RUN(test_names);
	RUN(test_spec_example);
	RUN(test_sources);
	RUN(test_violations);
	RUN(test_markers);
	return T_DONE();
}
