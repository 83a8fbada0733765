/* The bundle format (launcher/bundle-manifest.c): entry name safety, link targets, the MANIFEST. */
#include "t.h"
#include "bundle-manifest.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

static void test_format_of(void)
{
	CHECK_INT(bundle_format_of("app.tar.gz"), BUNDLE_TAR_GZ);
	CHECK_INT(bundle_format_of("dir/app.tgz"), BUNDLE_TAR_GZ);
	CHECK_INT(bundle_format_of("app.tar.zst"), BUNDLE_TAR_ZST);
	CHECK_INT(bundle_format_of("app.tzst"), BUNDLE_TAR_ZST);
	CHECK_INT(bundle_format_of("app.zip"), BUNDLE_ZIP);
	CHECK_INT(bundle_format_of("app.tar"), -1);
	CHECK_INT(bundle_format_of("app.gz"), -1);
}

static void test_path_problem(void)
{
	CHECK(!bundle_path_problem("a"));
	CHECK(!bundle_path_problem("webapp/wsgi.py"));
	CHECK(!bundle_path_problem(".env"));
	CHECK(!bundle_path_problem("a/..b/c.."));
	CHECK_STR(bundle_path_problem(""), "has an empty name");
	CHECK_STR(bundle_path_problem("/etc/passwd"), "is an absolute path");
	CHECK_STR(bundle_path_problem(".."), "has a '..' component");
	CHECK_STR(bundle_path_problem("../x"), "has a '..' component");
	CHECK_STR(bundle_path_problem("a/../../x"), "has a '..' component");
	CHECK_STR(bundle_path_problem("a/.."), "has a '..' component");
	/* '..' is named even when a '.' comes first */
	CHECK_STR(bundle_path_problem("./../x"), "has a '..' component");
	CHECK(bundle_path_problem("./x") != NULL);
	CHECK(bundle_path_problem("a//b") != NULL);
	CHECK(bundle_path_problem("a/") != NULL);
	CHECK(bundle_path_problem(".") != NULL);
}

static void test_link_problem(void)
{
	CHECK(!bundle_link_problem("static/site.css", "css/site.css"));
	CHECK(!bundle_link_problem("a/b/link", "../x"));
	CHECK(!bundle_link_problem("a/b/link", "../../x/y"));
	CHECK(!bundle_link_problem("a/link", ".."));
	CHECK(!bundle_link_problem("a/link", "./x"));
	CHECK(bundle_link_problem("link", "..") != NULL);
	CHECK(bundle_link_problem("a/link", "../..") != NULL);
	CHECK(bundle_link_problem("a/b/link", "../../../x") != NULL);
	CHECK(bundle_link_problem("link", "/etc") != NULL);
	CHECK(bundle_link_problem("link", "") != NULL);
	/* lexically inside, but x may itself be a link to "." */
	CHECK(bundle_link_problem("a/link", "x/..") != NULL);
	CHECK(bundle_link_problem("link", "x/../..") != NULL);
}

static const char good[] =
	"deploy-run-bundle 1\n"
	"version 0.1.0\n"
	"profile prod\n"
	"chain base prod\n"
	"mtime 1700000000\n"
	"lock requirements.txt\n"
	"wheelhouse wheelhouse\n"
	"f 0644 5 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 .env\n"
	"f 0755 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 a%20b%25\n"
	"d 0755 static\n"
	"l css/site.css static/site.css\n";

static void test_manifest(void)
{
	struct bundle_manifest m;
	struct error err = ERROR_INIT;
	struct strbuf out;
	const struct bundle_entry *e;

	CHECK_INT(bundle_manifest_parse(&m, good, strlen(good), "MANIFEST", &err), 0);
	CHECK_STR(m.version, "0.1.0");
	CHECK_STR(m.profile, "prod");
	CHECK_INT(m.chain.n, 2);
	CHECK_STR(m.chain.v[1], "prod");
	CHECK_INT(m.mtime, 1700000000);
	CHECK_INT(m.lock.n, 1);
	CHECK_STR(m.wheelhouse, "wheelhouse");
	CHECK_INT(m.n, 4);
	e = bundle_manifest_find(&m, "a b%");
	CHECK(e && e->type == 'f' && e->mode == 0755 && e->size == 0);
	CHECK(e && e->sha256[0] == 0xe3 && e->sha256[31] == 0x55);
	e = bundle_manifest_find(&m, "static/site.css");
	CHECK(e && e->type == 'l' && strcmp(e->target, "css/site.css") == 0);
	CHECK(!bundle_manifest_find(&m, "missing"));
	strbuf_init(&out);
	bundle_manifest_format(&m, &out);
	CHECK_STR(out.buf, good);
	strbuf_finish(&out);
	bundle_manifest_finish(&m);
	bundle_manifest_finish(NULL);
}

/* Parses good with one line replaced; returns the error's line, or 0. */
static int bad(const char *from, const char *to, struct error *err)
{
	struct bundle_manifest m;
	char *text = malloc(sizeof(good) + strlen(to));
	const char *at = strstr(good, from);
	int rc;

	memcpy(text, good, (size_t)(at - good));
	strcpy(text + (at - good), to);
	strcat(text, at + strlen(from));
	error_clear(err);
	rc = bundle_manifest_parse(&m, text, strlen(text), "MANIFEST", err);
	free(text);
	if (rc == 0) {
		bundle_manifest_finish(&m);
		return 0;
	}
	return err->line;
}

static void test_manifest_errors(void)
{
	struct error err = ERROR_INIT;
	struct bundle_manifest m;

	CHECK_INT(bad("deploy-run-bundle 1", "deploy-run-bundle 2", &err), 1);
	CHECK_INT(bad("d 0755 static", "d 0755 ../static", &err), 10);
	CHECK(strstr(err.message, "'..' component") != NULL);
	CHECK_INT(err.column, 8);
	CHECK_INT(bad("d 0755 static", "d 0755 /static", &err), 10);
	CHECK_INT(bad("d 0755 static", "d 4755 static", &err), 10);
	CHECK_INT(bad("d 0755 static", "d 0755 MANIFEST", &err), 10);
	CHECK_INT(bad("d 0755 static", "d 0755 .env", &err), 10);
	CHECK(strstr(err.message, "out of order") != NULL);
	CHECK_INT(bad("d 0755 static", "d 0755 a%2", &err), 10);
	CHECK_INT(bad("d 0755 static", "d 0755 a%00", &err), 10);
	CHECK_INT(bad("d 0755 static", "x 0755 static", &err), 10);
	CHECK_INT(bad("d 0755 static", "d  0755 static", &err), 10);
	CHECK_INT(bad("l css/site.css", "l ../../x", &err), 11);
	CHECK_INT(bad("l css/site.css", "l /etc", &err), 11);
	CHECK_INT(bad(" 5 2cf", " 5x 2cf", &err), 8);
	CHECK_INT(bad("2cf24dba", "2CF24DBA", &err), 8);
	CHECK_INT(bad("mtime 1700000000", "mtime -1", &err), 5);
	CHECK_INT(bad("version 0.1.0\n", "", &err), 10);
	CHECK(strstr(err.message, "'version'") != NULL);
	CHECK_INT(bad("profile prod", "profile prod\nprofile x", &err), 4);
	CHECK_INT(bad("static/site.css\n", "static/site.css", &err), 11);
	CHECK_INT(bundle_manifest_parse(&m, "", 0, "MANIFEST", &err), -1);
	CHECK_INT(bundle_manifest_parse(&m, "deploy-run-bundle 1\n\0", 21, "MANIFEST", &err), -1);
}

int main(void)
{
	RUN(test_format_of);
	RUN(test_path_problem);
	RUN(test_link_problem);
	RUN(test_manifest);
	RUN(test_manifest_errors);
	return T_DONE();
}
