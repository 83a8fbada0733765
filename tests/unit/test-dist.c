/*
 * Unit tests of checks/dist.c: METADATA, RECORD and requires.txt from
 * in-memory buffers, and the scan of a fake site-packages built in a
 * temporary directory.
 *
 * With arguments, "test-dist --scan DIR..." prints what dist_scan_dir()
 * finds in each DIR as one JSON array (name, version, requires, ...): the
 * differential test tests/diff/dist_pip_list.py compares it with pip and
 * importlib.metadata.  "--venv VENV" scans a virtual environment.
 */
#include "t.h"
#include "testutil.h"
#include "json-out.h"
#include "dist.h"
#include "fileio.h"
#include "path.h"
#include "strbuf.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PARSE_MD(md, s, err) dist_metadata_parse(md, s, strlen(s), "METADATA", err)
#define PARSE_REC(rec, s, err) dist_record_parse(rec, s, strlen(s), "RECORD", err)

static void test_metadata(void)
{
	struct dist_metadata md;
	struct error err = ERROR_INIT;
	const char *text =
		"Metadata-Version: 2.1\r\n"
		"name: Flask_Login\r\n"
		"Version:   0.6.2  \r\n"
		"Summary: a long\r\n"
		"  folded summary\r\n"
		"Requires-Python: >=3.7\r\n"
		"Requires-Dist: Werkzeug (>=1.0.1)\r\n"
		"Requires-Dist: pytest ; extra == 'test'\r\n"
		"Requires-Dist: a\r\n"
		"\tb\r\n"
		"Provides-Extra: test\r\n"
		"\r\n"
		"Requires-Dist: body-is-ignored\r\n";

	CHECK_INT(PARSE_MD(&md, text, &err), 0);
	CHECK_STR(md.name, "Flask_Login");
	CHECK_STR(md.version, "0.6.2");
	CHECK_STR(md.requires_python, ">=3.7");
	CHECK_INT(md.requires.n, 3);
	CHECK_STR(md.requires.v[0], "Werkzeug (>=1.0.1)");
	CHECK_STR(md.requires.v[1], "pytest ; extra == 'test'");
	CHECK_STR(md.requires.v[2], "a\tb");
	CHECK_INT(md.extras.n, 1);
	CHECK_STR(md.extras.v[0], "test");
	dist_metadata_finish(&md);
	dist_metadata_finish(NULL);

	/* the first Name wins, as email.message.Message['Name'] does; a BOM is skipped */
	CHECK_INT(PARSE_MD(&md, "\xef\xbb\xbfName: a\nName: b\nVersion: 1\n", &err), 0);
	CHECK_STR(md.name, "a");
	dist_metadata_finish(&md);

	/* a line that is not a header starts the body */
	CHECK_INT(PARSE_MD(&md, "Name: a\nVersion: 1\nnot a header\nRequires-Dist: x\n", &err), 0);
	CHECK_INT(md.requires.n, 0);
	dist_metadata_finish(&md);

	/* no trailing newline */
	CHECK_INT(PARSE_MD(&md, "Name: a\nVersion: 2.0", &err), 0);
	CHECK_STR(md.version, "2.0");
	dist_metadata_finish(&md);
}

static void test_metadata_errors(void)
{
	struct dist_metadata md;
	struct error err = ERROR_INIT;

	CHECK_INT(PARSE_MD(&md, "Version: 1\n", &err), -1);
	CHECK_STR(err.message, "no Name header");
	CHECK_STR(err.file, "METADATA");
	CHECK(md.name == NULL);

	CHECK_INT(PARSE_MD(&md, "Name: x\nVersion:\n", &err), -1);
	CHECK_STR(err.message, "no Version header");

	CHECK_INT(PARSE_MD(&md, "Name: x\n\nVersion: 1\n", &err), -1);
	CHECK_STR(err.message, "no Version header");

	CHECK_INT(PARSE_MD(&md, " folded\nName: x\nVersion: 1\n", &err), -1);
	CHECK_INT(err.line, 1);
	CHECK_INT(err.column, 1);

	CHECK_INT(dist_metadata_parse(&md, "Name: x\nVer\0sion: 1\n", 20, "M", &err), -1);
	CHECK_INT(err.line, 2);

	CHECK_INT(PARSE_MD(&md, "", &err), -1);
}

static void test_record(void)
{
	struct dist_record rec;
	struct error err = ERROR_INIT;
	const char *text =
		"flask/__init__.py,sha256=AbC-_9x,2099\r\n"
		"\"flask/with,comma.py\",sha256=Zz,10\n"
		"\"flask/quote\"\"d\nnewline.py\",,\n"
		"flask-2.2.2.dist-info/RECORD,,\n"
		"\n"
		"flask/__pycache__/x.pyc,\n"
		"only-path\n"
		"\"ab\"c,sha512=q,0";

	CHECK_INT(PARSE_REC(&rec, text, &err), 0);
	CHECK_INT(rec.n, 7);
	CHECK_STR(rec.entries[0].path, "flask/__init__.py");
	CHECK_STR(rec.entries[0].algorithm, "sha256");
	CHECK_STR(rec.entries[0].digest, "AbC-_9x");
	CHECK_INT(rec.entries[0].size, 2099);
	CHECK_INT(rec.entries[0].line, 1);
	CHECK_STR(rec.entries[1].path, "flask/with,comma.py");
	CHECK_INT(rec.entries[1].size, 10);
	CHECK_STR(rec.entries[2].path, "flask/quote\"d\nnewline.py");
	CHECK(rec.entries[2].algorithm == NULL);
	CHECK(rec.entries[2].digest == NULL);
	CHECK_INT(rec.entries[2].size, -1);
	CHECK_INT(rec.entries[2].line, 3);
	CHECK_STR(rec.entries[3].path, "flask-2.2.2.dist-info/RECORD");
	CHECK_INT(rec.entries[3].line, 5);
	CHECK_STR(rec.entries[4].path, "flask/__pycache__/x.pyc");
	CHECK_INT(rec.entries[4].line, 7);
	CHECK_STR(rec.entries[5].path, "only-path");
	CHECK_INT(rec.entries[5].size, -1);
	/* text after a closing quote is kept, as Python's csv does */
	CHECK_STR(rec.entries[6].path, "abc");
	CHECK_STR(rec.entries[6].algorithm, "sha512");
	CHECK_INT(rec.entries[6].size, 0);
	dist_record_finish(&rec);
	dist_record_finish(NULL);

	CHECK_INT(PARSE_REC(&rec, "", &err), 0);
	CHECK_INT(rec.n, 0);
	dist_record_finish(&rec);
}

static void test_record_errors(void)
{
	struct dist_record rec;
	struct error err = ERROR_INIT;

	CHECK_INT(PARSE_REC(&rec, "a,,\nb,sha256=x,1,extra\n", &err), -1);
	CHECK_INT(err.line, 2);
	CHECK_INT(err.column, 14);
	CHECK_STR(err.file, "RECORD");
	CHECK_INT(rec.n, 0);

	CHECK_INT(PARSE_REC(&rec, "a,,\n\"unterminated,,\n", &err), -1);
	CHECK_STR(err.message, "unterminated quoted field");
	CHECK_INT(err.line, 2);
	CHECK_INT(err.column, 1);

	CHECK_INT(PARSE_REC(&rec, "a,sha256,1\n", &err), -1);
	CHECK_INT(err.line, 1);
	CHECK_INT(err.column, 3);

	CHECK_INT(PARSE_REC(&rec, "a,=x,1\n", &err), -1);
	CHECK_INT(PARSE_REC(&rec, "a,sha256=,1\n", &err), -1);

	CHECK_INT(PARSE_REC(&rec, "a,sha256=x,12k\n", &err), -1);
	CHECK_STR(err.message, "size \"12k\" is not a number");
	CHECK_INT(err.column, 12);

	CHECK_INT(PARSE_REC(&rec, "a,,99999999999999999999\n", &err), -1);

	CHECK_INT(PARSE_REC(&rec, "x,,\n,sha256=x,1\n", &err), -1);
	CHECK_STR(err.message, "empty path");
	CHECK_INT(err.line, 2);

	CHECK_INT(dist_record_parse(&rec, "a\0b,,\n", 6, "RECORD", &err), -1);
	CHECK_INT(err.line, 1);
}

static void test_requires_txt(void)
{
	struct strv out = STRV_INIT;
	struct error err = ERROR_INIT;
	const char *text =
		"click>=8.0\n"
		"\n"
		"[:python_version < \"3.10\"]\n"
		"importlib-metadata>=3.6.0\n"
		"\n"
		"[async]\n"
		"asgiref>=3.2\n"
		"[dotenv:sys_platform == \"win32\"]\n"
		"python-dotenv\n"
		"pkg @ https://example.com/pkg.whl\n"
		"[]\n"
		"# a comment\n"
		"plain\n";

	CHECK_INT(dist_requires_txt_parse(&out, text, strlen(text), "requires.txt", &err), 0);
	CHECK_STRV(out.v, out.n, "click>=8.0",
		   "importlib-metadata>=3.6.0; python_version < \"3.10\"",
		   "asgiref>=3.2; extra == \"async\"",
		   "python-dotenv; (sys_platform == \"win32\") and extra == \"dotenv\"",
		   "pkg @ https://example.com/pkg.whl ; (sys_platform == \"win32\") and extra == \"dotenv\"",
		   "plain");
	strv_finish(&out);

	CHECK_INT(dist_requires_txt_parse(&out, "a\n[extra\nb\n", 11, "requires.txt", &err), -1);
	CHECK_INT(err.line, 2);
	CHECK_STR(err.message, "section header without ']'");
	strv_finish(&out);
}

static void test_scan(void)
{
	char tmpl[] = "/tmp/test-dist-XXXXXX";
	char *root = mkdtemp(tmpl);
	_cleanup_free_ char *sp = NULL, *lib = NULL, *py = NULL;
	struct dist_set set = {NULL, 0, 0};
	struct error err = ERROR_INIT;
	const struct dist *d;

	CHECK(root != NULL);
	if (!root)
		return;
	lib = path_join(root, "lib");
	py = path_join(lib, "python3.11");
	sp = path_join(py, "site-packages");
	mkdir(lib, 0755);
	mkdir(py, 0755);
	mkdir(sp, 0755);

	CHECK_INT(dist_scan_dir(&set, sp, &err), 0);
	CHECK_INT(set.n, 0);

	testutil_write(sp, "Flask-2.2.2.dist-info/METADATA",
	    "Metadata-Version: 2.1\nName: Flask\nVersion: 2.2.2\n"
	    "Requires-Dist: Werkzeug (>=2.2.2)\nRequires-Dist: click>=8.0\n");
	testutil_write(sp, "Flask-2.2.2.dist-info/RECORD", "flask/__init__.py,sha256=abc,10\n");
	testutil_write(sp, "Flask-2.2.2.dist-info/INSTALLER", "pip\n");
	testutil_write(sp, "my_app-0.1.dist-info/METADATA", "Name: my.app\nVersion: 0.1\n");
	testutil_write(sp, "my_app-0.1.dist-info/direct_url.json",
	    "{\"url\": \"file:///src/my\\u0061pp\", \"dir_info\": {\"editable\": true},"
	    " \"x\": [1, -2.5e3, null, false, {\"editable\": true}]}");
	testutil_write(sp, "Jinja2-3.1.2.egg-info/PKG-INFO", "Metadata-Version: 2.1\nName: Jinja2\n"
	    "Version: 3.1.2\n");
	testutil_write(sp, "Jinja2-3.1.2.egg-info/requires.txt", "MarkupSafe>=2.0\n\n[i18n]\nBabel>=2.7\n");
	testutil_write(sp, "legacy-1.0-py3.11.egg-info", "Name: legacy\nVersion: 1.0\n");
	testutil_write(sp, "broken_pkg-3.0.dist-info/WHEEL", "Wheel-Version: 1.0\n");
	testutil_write(sp, "badurl-1.dist-info/METADATA", "Name: badurl\nVersion: 1\n");
	testutil_write(sp, "badurl-1.dist-info/direct_url.json", "{\"url\": ");
	testutil_write(sp, "not-a-dist/METADATA", "Name: nope\nVersion: 1\n");

	CHECK_INT(dist_scan_dir(&set, sp, &err), 0);
	CHECK_INT(set.n, 6);

	d = dist_set_find(&set, "flask");
	CHECK(d != NULL);
	if (d) {
		CHECK_STR(d->name, "Flask");
		CHECK_STR(d->version, "2.2.2");
		CHECK_STR(d->installer, "pip");
		CHECK_STR(d->location, sp);
		CHECK(str_ends_with(d->record_path, "/Flask-2.2.2.dist-info/RECORD"));
		CHECK(str_ends_with(d->path, "/Flask-2.2.2.dist-info"));
		CHECK_INT(d->md.requires.n, 2);
		CHECK(!d->editable && !d->egg_info && !d->error && !d->direct_url);
	}
	d = dist_set_find(&set, "my-app");
	CHECK(d != NULL);
	if (d) {
		CHECK_STR(d->name, "my.app");
		CHECK(d->editable);
		CHECK_STR(d->direct_url, "file:///src/myapp");
		CHECK(d->installer == NULL);
	}
	d = dist_set_find(&set, "jinja2");
	CHECK(d != NULL);
	if (d) {
		CHECK(d->egg_info);
		CHECK(d->record_path == NULL);
		CHECK_INT(d->md.requires.n, 2);
		CHECK_STR(d->md.requires.v[1], "Babel>=2.7; extra == \"i18n\"");
	}
	d = dist_set_find(&set, "legacy");
	CHECK(d != NULL && d->egg_info && str_eq(d->version, "1.0"));
	d = dist_set_find(&set, "broken-pkg");
	CHECK(d != NULL);
	if (d) {
		CHECK(d->error != NULL && strstr(d->error, "METADATA"));
		CHECK_STR(d->name, "broken_pkg");
		CHECK(d->version == NULL);
	}
	d = dist_set_find(&set, "badurl");
	CHECK(d != NULL && d->error && strstr(d->error, "direct_url.json"));
	CHECK(dist_set_find(&set, "nope") == NULL);
	/* sorted by normalised name */
	CHECK_STR(set.d[0].normalized, "badurl");
	CHECK_STR(set.d[5].normalized, "my-app");
	dist_set_finish(&set);
	dist_set_finish(NULL);

	CHECK_INT(dist_scan_venv(&set, root, &err), 0);
	CHECK_INT(set.n, 6);
	dist_set_finish(&set);

	CHECK_INT(dist_scan_venv(&set, sp, &err), -1);
	CHECK(strstr(err.message, "site-packages") != NULL);
	CHECK_INT(dist_scan_dir(&set, "/nonexistent/dir", &err), -1);

	testutil_remove_tree(root);
}

static int dump(int argc, char **argv)
{
	struct dist_set set = {NULL, 0, 0};
	struct error err = ERROR_INIT;
	struct strbuf sb;
	size_t i;
	int k;

	for (k = 2; k < argc; k++) {
		int r = str_eq(argv[1], "--venv") ? dist_scan_venv(&set, argv[k], &err)
						  : dist_scan_dir(&set, argv[k], &err);

		if (r < 0) {
			error_print(&err, stderr);
			return 2;
		}
	}
	strbuf_init(&sb);
	strbuf_adds(&sb, "[");
	for (i = 0; i < set.n; i++) {
		const struct dist *d = &set.d[i];

		strbuf_adds(&sb, i ? ",\n {\"name\": " : "{\"name\": ");
		strbuf_add_json(&sb, d->name);
		json_member(&sb, "normalized", d->normalized);
		json_member(&sb, "version", d->version);
		json_member(&sb, "path", d->path);
		json_member(&sb, "installer", d->installer);
		json_member(&sb, "record", d->record_path);
		json_member(&sb, "error", d->error);
		strbuf_addf(&sb, ", \"editable\": %s", d->editable ? "true" : "false");
		json_strv_member(&sb, "requires", &d->md.requires);
		strbuf_adds(&sb, "}");
	}
	strbuf_adds(&sb, "]\n");
	fputs(sb.buf, stdout);
	strbuf_finish(&sb);
	dist_set_finish(&set);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && (str_eq(argv[1], "--scan") || str_eq(argv[1], "--venv")))
		return dump(argc, argv);
	RUN(test_metadata);
	RUN(test_metadata_errors);
	RUN(test_record);
	RUN(test_record_errors);
	RUN(test_requires_txt);
	RUN(test_scan);
	return T_DONE();
}
