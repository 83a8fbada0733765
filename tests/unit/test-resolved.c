/* The resolved model (what show prints and diff compares) and its comparison. */
#include "t.h"
#include "testutil.h"
#include "cmd.h"
#include "hash.h"
#include "hmac.h"
#include "keys.h"
#include "resolved.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/dr-resolved-XXXXXX";
static const uint8_t key1[32] = {1, 2, 3}, key2[32] = {9, 9, 9};

/* "sha256:" and 64 times c: a digest of the right shape. */
static char *h(char c)
{
	char d[65];

	memset(d, c, 64);
	d[64] = '\0';
	return xasprintf("sha256:%s", d);
}

static void fixture(void)
{
	char *a = h('a'), *b = h('b'), *c = h('c'), *d = h('d'), *e = h('e'), *f = h('f');
	char *lock_a = xasprintf("flask==3.0.0 \\\n    --hash=%s --hash=%s\n"
				 "click==8.1.7 --hash=%s\nidna==3.6 --hash=%s\n", b, a, c, d);
	/* click: a new version; flask: the same pin, other hashes; idna: the same */
	char *lock_b = xasprintf("flask==3.0.0 --hash=%s --hash=%s\nclick==8.1.8 --hash=%s\n"
				 "idna==3.6 --hash=%s\n", a, e, f, d);

	testutil_write(dir, "app/.venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.2\n");
	testutil_write(dir, "app/.env", "APP=one\nSECRET_KEY=s3cr3t-A\nSHARED_TOKEN=same\n");
	testutil_write(dir, "app/.env.b", "APP=two\nSECRET_KEY=s3cr3t-B\nONLY_B=1\nDECLARED\n");
	testutil_write(dir, "app/requirements.txt", lock_a);
	testutil_write(dir, "app/requirements-b.txt", lock_b);
	/* the same app at another root */
	testutil_write(dir, "app2/.venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.2\n");
	testutil_write(dir, "app2/.env", "APP=one\nSECRET_KEY=s3cr3t-A\nSHARED_TOKEN=same\n");
	testutil_write(dir, "app2/requirements.txt", lock_a);
	free(lock_a);
	free(lock_b);
	free(a), free(b), free(c), free(d), free(e), free(f);
	testutil_write(dir, "profiles/a.ini",
		       "[profile]\nstage = staging\n[app]\nroot = ../app\nmodule = w:app\n"
		       "[server]\nbind = 0.0.0.0:8000\nworkers = auto\n"
		       "[env]\nfiles = .env\nsecrets = SECRET_KEY, *_TOKEN\n"
		       "[health]\npath = /healthz\n");
	testutil_write(dir, "profiles/b.ini",
		       "[profile]\nstage = production\nexpected_differences = stage, env.APP\n"
		       "[app]\nroot = ../app\nmodule = w:app\n"
		       "requirements = requirements-b.txt\n"
		       "[server]\nbind = 0.0.0.0:9000\nworkers = auto\n"
		       "[env]\nfiles = .env, .env.b\nsecrets = SECRET_KEY\n"
		       "[health]\npath = /healthz\n[cleanup]\nkill_timeout = 35s\n");
	/* a lock that does not parse */
	testutil_write(dir, "app/bad.txt", "flask==3.0.0 --hash=md5:00\n");
	testutil_write(dir, "profiles/c.ini", "[profile]\nextends = a\n[app]\nrequirements = bad.txt\n");
	testutil_write(dir, "profiles/moved.ini", "[profile]\nextends = a\n[app]\nroot = ../app2\n");
	/* identical to a but for the names of its files */
	testutil_write(dir, "profiles/a2.ini", "[profile]\nextends = a\n");
}

static int load(struct loaded *l, const char *name)
{
	struct globals g = {0};
	struct error err = ERROR_INIT;
	_cleanup_free_ char *pdir = xasprintf("%s/profiles", dir);

	g.profiles_dir = pdir;
	if (cmd_load(l, name, &g, NULL, &err) < 0) {
		fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
		return -1;
	}
	return 0;
}

static const struct resolved_item *item(const struct resolved *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		_cleanup_free_ char *n = resolved_name(&r->items[i]);

		if (strcmp(n, name) == 0)
			return &r->items[i];
	}
	return NULL;
}

/* The locks read, shared by the models a test builds (NULL: none shared). */
static struct resolved_locks *locks;

static int build(struct resolved *r, const struct loaded *l, const uint8_t *key,
		 const struct profile *other)
{
	const struct profile *others[] = {other, NULL};
	struct resolved_opts o = {.key = key, .keylen = 32, .secret_profiles = others, .lock = true,
				  .locks = locks};
	struct error err = ERROR_INIT;
	char *penv[] = {NULL};

	o.caller_env = penv;
	if (resolved_build(r, l, &o, &err) < 0) {
		fprintf(stderr, "  %s:%d: %s\n", err.file, err.line, err.message);
		return -1;
	}
	return 0;
}

static void test_hmac(void)
{
	/* RFC 4231, test case 2 */
	uint8_t out[HMAC_SHA256_LEN];
	char hex[2 * HMAC_SHA256_LEN + 1];

	hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, out);
	hex_encode(out, sizeof(out), hex);
	CHECK_STR(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* RFC 4231, test case 1: a 20-byte key of 0x0b */
	{
		uint8_t k[20];

		memset(k, 0x0b, sizeof(k));
		hmac_sha256(k, sizeof(k), "Hi There", 8, out);
		hex_encode(out, sizeof(out), hex);
		CHECK_STR(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	}
	/* RFC 4231, test case 4: a 25-byte key, 50 bytes of data */
	{
		uint8_t k[25], d[50];
		size_t i;

		for (i = 0; i < sizeof(k); i++)
			k[i] = (uint8_t)(i + 1);
		memset(d, 0xcd, sizeof(d));
		hmac_sha256(k, sizeof(k), d, sizeof(d), out);
		hex_encode(out, sizeof(out), hex);
		CHECK_STR(hex, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	}
	/* lengths around the padding boundaries: Python's hmac.new(b"key", b"x" * n, sha256) */
	{
		static const char *const want[] = {
			[0] = "5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0",
			[55] = "8c651b04682b91cd68fbf9ac58caf787ffc03284547515d401f5e1c5601451b6",
			[56] = "d5cac94b0fd173ce3333b3b300b7f706664336f391dbcd8afa3a141163cdc2f3",
			[63] = "ccdb30c857bc39ebabfd505056b641af471e2fe8959d8c5fd910fa784fe07961",
			[64] = "5c33171380a475dce5d7e2172be298346bb4b8076016e057952de0317e15e370",
			[119] = "09b310a9670e7d985ad85844a90fa9c704bcb70fe6a265ddee2b6e4c460b588a",
			[120] = "fac09481c05c27cc9cf1dc5419e7c67739b737cc51f9bd8ef53c1f1f4af5e6b6",
		};
		char d[200];
		size_t n;

		memset(d, 'x', sizeof(d));
		for (n = 0; n < ARRAY_SIZE(want); n++) {
			if (!want[n])
				continue;
			hmac_sha256((const uint8_t *)"key", 3, d, n, out);
			hex_encode(out, sizeof(out), hex);
			CHECK_STR(hex, want[n]);
		}
	}
}

static void test_value_text(void)
{
	static const struct {
		const char *section, *key, *want; /* want NULL: no value */
	} cases[] = {
		{"server", "bind", "0.0.0.0:9000"},
		{"server", "workers", "auto"},
		{"server", "timeout", "30s"},
		{"server", "reload", "false"},
		{"server", "max_requests", "0"},
		{"server", "worker_memory", "0"},
		{"server", "args", NULL},
		{"server", "forwarded_allow_ips", NULL},
		{"profile", "stage", "production"},
		{"profile", "extends", NULL},
		{"profile", "expected_differences", "stage, env.APP"},
		{"env", "secrets", "SECRET_KEY"},
		{"env", "files", NULL}, /* absolute: checked below */
		{"app", "user", ""},
		{"cleanup", "pid_file", NULL},
		{"cleanup", "kill_timeout", "35s"},
	};
	struct loaded l;
	size_t i;

	if (load(&l, "b") < 0) {
		CHECK(0);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *v = profile_value_text(l.profile, keys_find(cases[i].section, cases[i].key));

		if (strcmp(cases[i].key, "files") == 0) {
			CHECK(v && strstr(v, "/app/.env, /") && str_ends_with(v, "/app/.env.b"));
		} else if (cases[i].want) {
			CHECK_STR(v, cases[i].want);
		} else if (v) {
			fprintf(stderr, "  [%s] %s: '%s', expected none\n", cases[i].section,
				cases[i].key, v);
			CHECK(!v);
		}
		free(v);
	}
	cmd_unload(&l);
}

static void test_model(void)
{
	struct loaded l;
	struct resolved r;
	const struct resolved_item *it;
	size_t first, n;

	if (load(&l, "a") < 0 || build(&r, &l, key1, NULL) < 0) {
		CHECK(0);
		return;
	}
	CHECK_STR(r.items[0].section, "stage");
	CHECK(r.items[0].key == NULL);
	CHECK_STR(r.items[0].value, "staging");
	CHECK(str_ends_with(r.items[0].source, "a.ini:2"));
	it = item(&r, "app.python");
	CHECK(it && it->value && strcmp(it->value, "3.11.2") == 0);
	CHECK(it && str_ends_with(it->source, ".venv/pyvenv.cfg:2"));
	it = item(&r, "server.workers");
	CHECK(it && it->value && atol(it->value) == 2 * l.cpus + 1);
	CHECK(it && strstr(it->source, "auto") != NULL);
	it = item(&r, "dotenv.files");
	CHECK(it && strcmp(it->value, ".env") == 0);
	/* a secret: kept only as its keyed hash */
	it = item(&r, "env.SECRET_KEY");
	CHECK(it && it->secret && it->hashed && it->value == NULL);
	CHECK(it && str_ends_with(it->source, ".env:2"));
	it = item(&r, "env.APP");
	CHECK(it && !it->secret && strcmp(it->value, "one") == 0);
	/* the lock: pins, hashes sorted */
	it = item(&r, "lock.flask");
	CHECK(it && strcmp(it->value, "3.0.0") == 0);
	{
		_cleanup_free_ char *a = h('a'), *b = h('b'), *want = xasprintf("%s %s", a, b);

		CHECK(it && it->detail && strcmp(it->detail, want) == 0);
	}
	CHECK(item(&r, "lock.file") != NULL);
	/* kill_timeout in effect: graceful_timeout (30s) + 5s */
	it = item(&r, "cleanup.kill_timeout");
	CHECK(it && strcmp(it->value, "35s") == 0);
	CHECK(item(&r, "health.path") != NULL);
	n = resolved_section(&r, "server", &first);
	CHECK(n >= 8); /* bind, workers, worker_class, timeouts, keepalive, logs */
	CHECK_STR(r.items[first].key, "bind");
	resolved_finish(&r);
	/* no key: the values stay (show, diff --reveal) */
	if (build(&r, &l, NULL, NULL) == 0) {
		it = item(&r, "env.SECRET_KEY");
		CHECK(it && it->secret && !it->hashed && strcmp(it->value, "s3cr3t-A") == 0);
		resolved_finish(&r);
	}
	cmd_unload(&l);
}

static bool listed(const struct resolved_diffs *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		_cleanup_free_ char *n = resolved_name(d->v[i].a ? d->v[i].a : d->v[i].b);

		if (strcmp(n, name) == 0)
			return true;
	}
	return false;
}

static void test_compare(void)
{
	struct loaded la, lb, la2;
	struct resolved ra, rb, ra2, rk;
	struct resolved_diffs d;
	struct resolved_locks shared = {0};
	size_t i;

	if (load(&la, "a") < 0 || load(&lb, "b") < 0 || load(&la2, "a2") < 0) {
		CHECK(0);
		return;
	}
	locks = &shared; /* a and a2 share their lock: read once */
	if (build(&ra, &la, key1, lb.profile) < 0 || build(&rb, &lb, key1, la.profile) < 0 ||
	    build(&ra2, &la2, key1, NULL) < 0) {
		CHECK(0);
		return;
	}
	CHECK_INT(shared.n, 2);
	locks = NULL;

	/* the same settings from other files: workers = auto alike, no difference */
	resolved_compare(&ra, &ra2, NULL, &d);
	CHECK_INT(d.n, 0);
	resolved_diffs_finish(&d);

	resolved_compare(&ra, &rb, NULL, &d);
	CHECK(listed(&d, "stage"));
	CHECK(listed(&d, "server.bind"));
	CHECK(!listed(&d, "server.workers"));
	CHECK(listed(&d, "dotenv.files"));
	CHECK(listed(&d, "dotenv.secrets"));
	CHECK(listed(&d, "env.APP"));
	CHECK(listed(&d, "env.SECRET_KEY"));
	CHECK(!listed(&d, "env.SHARED_TOKEN")); /* equal secrets: equal digests */
	CHECK(listed(&d, "env.ONLY_B"));
	CHECK(listed(&d, "env.DECLARED"));
	CHECK(listed(&d, "lock.file"));
	CHECK(listed(&d, "lock.click"));
	CHECK(listed(&d, "lock.flask"));
	CHECK(!listed(&d, "lock.idna"));       /* the same hashes in another order */
	CHECK(!listed(&d, "cleanup.kill_timeout")); /* 35s on both sides, in effect */
	CHECK(!listed(&d, "health.path"));
	CHECK(!listed(&d, "app.python"));
	CHECK_INT(d.ignored, 0);
	for (i = 0; i < d.n; i++) {
		const struct resolved_diff *x = &d.v[i];

		if (x->key && strcmp(x->key, "flask") == 0) {
			CHECK(x->detail_only);
			CHECK_STR(x->a->value, "3.0.0");
		}
		if (x->key && strcmp(x->key, "click") == 0) {
			CHECK(!x->detail_only);
			CHECK_STR(x->b->value, "8.1.8");
		}
		if (x->key && strcmp(x->key, "SECRET_KEY") == 0)
			CHECK(x->secret && x->a->hashed && x->b->hashed);
		if (x->key && strcmp(x->key, "SHARED_TOKEN") == 0)
			CHECK(0);
		if (x->key && strcmp(x->key, "ONLY_B") == 0)
			CHECK(x->a == NULL && x->b != NULL);
		/* a key without "=" is not exported: no value, the source says so */
		if (x->key && strcmp(x->key, "DECLARED") == 0)
			CHECK(x->a == NULL && x->b && x->b->value == NULL &&
			      str_ends_with(x->b->source, ".env.b:4, declared without a value"));
		/* grouped: a section, once left, never comes back */
		if (i && strcmp(x->section, d.v[i - 1].section) != 0) {
			size_t j;

			for (j = 0; j < i; j++)
				CHECK(strcmp(d.v[j].section, x->section) != 0);
		}
	}
	CHECK_STR(d.v[0].section, "stage");
	resolved_diffs_finish(&d);

	/* ignore globs over SECTION.KEY; '*' crosses the dot */
	{
		char *ignore[] = {"stage", "server.*", "dotenv.*", "env.*", "lock*", NULL};

		resolved_compare(&ra, &rb, ignore, &d);
		CHECK_INT(d.n, 0);
		CHECK(d.ignored >= 9);
		/* listed apart, in the same order: stage first */
		CHECK_STR(d.expected[0].section, "stage");
		CHECK(d.expected[0].expected);
		resolved_diffs_finish(&d);
	}
	{
		char *ignore[] = {"env.SECRET_*", NULL};

		resolved_compare(&ra, &rb, ignore, &d);
		CHECK(!listed(&d, "env.SECRET_KEY"));
		CHECK(listed(&d, "env.APP"));
		CHECK_INT(d.ignored, 1);
		CHECK_STR(d.expected[0].key, "SECRET_KEY");
		CHECK(d.expected[0].secret);
		resolved_diffs_finish(&d);
	}

	/* another root: the root differs, and what the server sees of it; the
	 * paths under it (venv, lock, .env files, pyvenv.cfg) do not */
	{
		struct loaded lm;
		struct resolved rm;

		if (load(&lm, "moved") == 0 && build(&rm, &lm, key1, NULL) == 0) {
			resolved_compare(&ra, &rm, NULL, &d);
			CHECK(listed(&d, "app.root"));
			CHECK(listed(&d, "env.VIRTUAL_ENV"));
			CHECK(listed(&d, "env.PATH"));
			CHECK_INT(d.n, 3);
			resolved_diffs_finish(&d);
			resolved_finish(&rm);
			cmd_unload(&lm);
		} else {
			CHECK(0);
		}
	}

	/* models hashed under different keys never compare equal: the key is the run's */
	CHECK_INT(build(&rk, &la2, key2, NULL), 0);
	resolved_compare(&ra, &rk, NULL, &d);
	CHECK(listed(&d, "env.SECRET_KEY"));
	CHECK_INT(d.n, 2); /* SECRET_KEY and SHARED_TOKEN */
	resolved_diffs_finish(&d);
	resolved_finish(&rk);

	resolved_finish(&ra);
	resolved_finish(&rb);
	resolved_finish(&ra2);
	resolved_locks_finish(&shared);
	cmd_unload(&la);
	cmd_unload(&lb);
	cmd_unload(&la2);
}

static void test_bad_lock(void)
{
	struct loaded l;
	struct resolved r;
	struct error err = ERROR_INIT;
	struct resolved_opts o = {.key = key1, .keylen = 32, .lock = true};

	if (load(&l, "c") < 0) {
		CHECK(0);
		return;
	}
	CHECK_INT(resolved_build(&r, &l, &o, &err), -1);
	CHECK(err.file[0] && str_ends_with(err.file, "bad.txt"));
	CHECK_INT(err.line, 1);
	CHECK_INT(r.n, 0);
	/* without the lock nothing fails */
	o.lock = false;
	CHECK_INT(resolved_build(&r, &l, &o, &err), 0);
	CHECK(item(&r, "lock.flask") == NULL);
	resolved_finish(&r);
	cmd_unload(&l);
}

int main(void)
{
	testutil_main_dir(dir);
	fixture();
	RUN(test_hmac);
	RUN(test_value_text);
	RUN(test_model);
	RUN(test_compare);
	RUN(test_bad_lock);
	testutil_remove_tree(dir);
	return T_DONE();
}
