/* status and procmem: the status answer from /proc, parsed back, printed; smaps_rollup. */
#include "t.h"
#include "testutil.h"
#include "procmem.h"
#include "status.h"
#include "strbuf.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char rollup[] =
	"5630173ae000-7ffc3a29f000 ---p 00000000 00:00 0                          [rollup]\n"
	"Rss:                1628 kB\n"
	"Pss:                 199 kB\n"
	"Pss_Dirty:           116 kB\n"
	"Shared_Clean:       1464 kB\n"
	"Shared_Dirty:          0 kB\n"
	"Private_Clean:        48 kB\n"
	"Private_Dirty:       116 kB\n"
	"Swap:                  8 kB\n"
	"SwapPss:               4 kB\n";

static void test_parse(void)
{
	struct procmem m;

	CHECK_INT(procmem_parse(rollup, sizeof(rollup) - 1, &m), 0);
	CHECK_INT(m.rss, 1628 * 1024);
	CHECK_INT(m.pss, 199 * 1024);
	CHECK_INT(m.uss, (48 + 116) * 1024);
	CHECK_INT(m.swap_pss, 4 * 1024);
	CHECK_INT(procmem_own(&m), (48 + 116 + 4) * 1024);
	/* Pss_Dirty is not Pss; a line cut short is no value */
	CHECK_INT(procmem_parse("Rss: 1 kB\nPss_Dirty: 5 kB\nPrivate_Dirty:", 40, &m), 0);
	CHECK_INT(m.pss, 0);
	CHECK_INT(m.uss, 0);
	CHECK_INT(procmem_parse("", 0, &m), -1);
	CHECK_INT(procmem_parse("Pss: 3 kB\n", 10, &m), -1);
	CHECK_INT(procmem_parse("Rss: 99999999999999999999999 kB\n", 32, &m), -1);
}

static void test_self(void)
{
	struct procmem m;
	char *big;

	CHECK_INT(procmem_read(getpid(), &m), 0);
	CHECK(m.rss > 0 && m.uss > 0 && m.uss <= m.rss && m.pss <= m.rss);
	/* 8 MiB touched here are private: USS grows by about that */
	{
		uint64_t before = m.uss;

		big = malloc(8 << 20);
		memset(big, 1, 8 << 20);
		CHECK_INT(procmem_read(getpid(), &m), 0);
		CHECK(m.uss >= before + (7 << 20));
		free(big);
	}
	CHECK(procmem_age_ms(getpid()) >= 0);
	CHECK(procmem_age_ms(getpid()) < 600000);
	CHECK_INT(procmem_read(999999999, &m), -1);
	CHECK_INT(procmem_age_ms(999999999), -1);
}

static void test_roundtrip(void)
{
	bool ready = true;
	unsigned long recycled = 3;
	struct status_source src = {"prod\x1b[31m", "gunicorn", 1, &ready, &recycled, NULL};
	struct error err = ERROR_INIT;
	struct strbuf sb;
	struct status st;
	pid_t a = testutil_sleeper(), b = testutil_sleeper();
	FILE *f;
	char *text = NULL;
	size_t len = 0;

	usleep(100000);
	strbuf_init(&sb);
	/* this process plays the master: its children are the workers */
	status_json(&src, 42, getpid(), &sb);
	CHECK_INT(status_parse(sb.buf, &st, &err), 0);
	CHECK_STR(st.profile, "prod?[31m"); /* a control character never comes back */
	CHECK_STR(st.server, "gunicorn");
	CHECK(st.running && st.ready);
	CHECK_INT(st.supervisor_pid, 42);
	CHECK_INT(st.server_pid, getpid());
	CHECK_INT(st.recycled, 3);
	CHECK_INT(st.n_workers, 2);
	CHECK(st.n_workers == 2 && ((st.workers[0].pid == a && st.workers[1].pid == b) ||
				    (st.workers[0].pid == b && st.workers[1].pid == a)));
	CHECK(st.n_workers == 2 && st.workers[0].memory_bytes > 0 && st.workers[0].age_s >= 0);
	/* the text form: aligned, and the name masked */
	f = open_memstream(&text, &len);
	status_print_text(&st, f);
	fclose(f);
	CHECK(text && !strchr(text, '\x1b'));
	CHECK(text && strstr(text, "profile:     prod?[31m\n"));
	CHECK(text && strstr(text, "recycled:    3\n"));
	CHECK(text && strstr(text, "workers:     2, "));
	free(text);
	status_finish(&st);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	/* without children a uvicorn master is its own one worker */
	strbuf_reset(&sb);
	src.server = "uvicorn";
	status_json(&src, 42, getpid(), &sb);
	CHECK_INT(status_parse(sb.buf, &st, &err), 0);
	CHECK(st.n_workers == 1 && st.workers[0].pid == getpid());
	status_finish(&st);
	strbuf_finish(&sb);
}

static void test_malformed(void)
{
	static const char *bad[] = {
		"",
		"{}",
		"{\"profile\": \"p\"}",
		"{\"profile\": \"p\", \"running\": true, \"supervisor_pid\": 1, \"server\": \"g\", "
		"\"server_pid\": 2, \"uptime_s\": 3, \"ready\": \"yes\", \"recycled\": 0, \"workers\": []}",
		"{\"profile\": \"p\", \"running\": true, \"supervisor_pid\": 1, \"server\": \"g\", "
		"\"server_pid\": 2, \"uptime_s\": 3, \"ready\": true, \"recycled\": 0, \"workers\": {}}",
		"{\"profile\": \"p\", \"running\": true, \"supervisor_pid\": 1, \"server\": \"g\", "
		"\"server_pid\": 2, \"uptime_s\": 3, \"ready\": true, \"recycled\": 0, "
		"\"workers\": [{\"pid\": 1}]}",
		"{\"profile\": \"p\", \"running\": true, \"supervisor_pid\": \"1\", \"server\": \"g\", "
		"\"server_pid\": 2, \"uptime_s\": 3, \"ready\": true, \"recycled\": 0, \"workers\": []}",
	};
	struct error err = ERROR_INIT;
	struct status st;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		CHECK_INT(status_parse(bad[i], &st, &err), -1);
		CHECK(error_is_set(&err));
		error_clear(&err);
	}
	CHECK_INT(status_parse("{\"profile\": \"p\", \"running\": true, \"supervisor_pid\": 1, "
			       "\"server\": \"g\", \"server_pid\": 2, \"uptime_s\": 3, \"ready\": false, "
			       "\"recycled\": 0, \"workers\": []}", &st, &err), 0);
	CHECK_INT(st.n_workers, 0);
	status_finish(&st);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_self);
	RUN(test_roundtrip);
	RUN(test_malformed);
	return T_DONE();
}
