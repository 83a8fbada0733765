#include "status.h"
#include "cleanup.h"
#include "control.h"
#include "proc.h"
#include "procmem.h"
#include "strbuf.h"
#include "supervisor.h"
#include "util.h"
#include "value.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void add_worker(struct strbuf *out, pid_t pid, bool *first)
{
	struct procmem m;
	int64_t age = procmem_age_ms(pid);

	if (age < 0 || procmem_read(pid, &m) < 0)
		return; /* gone, or a zombie, since the list was read */
	strbuf_addf(out, "%s{\"pid\": %d, \"memory_bytes\": %llu, \"age_s\": %lld}",
		    *first ? "" : ", ", (int)pid, (unsigned long long)procmem_own(&m),
		    (long long)(age / 1000));
	*first = false;
}

void status_json(const struct status_source *src, pid_t self, pid_t server, struct strbuf *out)
{
	uint64_t now = now_ns();
	pid_t *kids = NULL;
	size_t n = server > 0 ? proc_children(server, &kids) : 0;
	bool first = true;

	strbuf_adds(out, "{\"profile\": ");
	strbuf_add_json(out, src->profile);
	strbuf_addf(out, ", \"running\": true, \"supervisor_pid\": %d, \"server\": ", (int)self);
	strbuf_add_json(out, src->server);
	strbuf_addf(out, ", \"server_pid\": %d, \"uptime_s\": %llu, \"ready\": %s, "
		    "\"recycled\": %lu, \"workers\": [", (int)server,
		    src->started_ns && now > src->started_ns
		    ? (unsigned long long)((now - src->started_ns) / 1000000000ull) : 0ull,
		    src->ready && *src->ready ? "true" : "false",
		    src->recycled ? *src->recycled : 0ul);
	for (size_t i = 0; i < n; i++)
		add_worker(out, kids[i], &first);
	if (!n && server > 0 && str_eq(src->server, "uvicorn"))
		add_worker(out, server, &first);
	strbuf_adds(out, "]}");
	free(kids);
}

static void on_status(struct control_conn *c, void *data)
{
	struct status_source *src = data;
	struct strbuf out;

	strbuf_init(&out);
	status_json(src, getpid(), src->sv ? supervisor_server_pid(src->sv) : 0, &out);
	control_reply(c, out.buf);
	strbuf_finish(&out);
}

void status_register(struct control *ctl, struct status_source *src)
{
	control_register(ctl, "status", on_status, src);
}

/* ---- the client ---- */

static int get_num(const char *json, const char *key, long long *out, struct error *err)
{
	char *v = control_json_raw(json, key), *end;

	if (!v)
		return error_set(err, 0, "the supervisor's answer has no \"%s\"", key);
	*out = strtoll(v, &end, 10);
	if (end == v || *end) {
		error_set(err, 0, "the supervisor's answer has a \"%s\" that is not a number", key);
		free(v);
		return -1;
	}
	free(v);
	return 0;
}

static int get_bool(const char *json, const char *key, bool *out, struct error *err)
{
	char *v = control_json_get(json, key);

	if (!v || (!str_eq(v, "true") && !str_eq(v, "false"))) {
		free(v);
		return error_set(err, 0, "the supervisor's answer has no true/false \"%s\"", key);
	}
	*out = str_eq(v, "true");
	free(v);
	return 0;
}

static int get_str(const char *json, const char *key, char **out, struct error *err)
{
	*out = control_json_get(json, key);
	if (!*out)
		return error_set(err, 0, "the supervisor's answer has no \"%s\"", key);
	return 0;
}

int status_parse(const char *json, struct status *st, struct error *err)
{
	long long v;
	char *workers = NULL;
	const char *p;
	size_t cap = 0;

	memset(st, 0, sizeof(*st));
	if (get_str(json, "profile", &st->profile, err) < 0 ||
	    get_str(json, "server", &st->server, err) < 0 ||
	    get_bool(json, "running", &st->running, err) < 0 ||
	    get_bool(json, "ready", &st->ready, err) < 0 ||
	    get_num(json, "supervisor_pid", &v, err) < 0)
		goto fail;
	st->supervisor_pid = (long)v;
	if (get_num(json, "server_pid", &v, err) < 0)
		goto fail;
	st->server_pid = (long)v;
	if (get_num(json, "uptime_s", &st->uptime_s, err) < 0 ||
	    get_num(json, "recycled", &v, err) < 0)
		goto fail;
	st->recycled = (unsigned long)v;
	workers = control_json_get(json, "workers");
	if (!workers || workers[0] != '[') {
		error_set(err, 0, "the supervisor's answer has no \"workers\" list");
		goto fail;
	}
	p = workers + 1;
	for (;;) {
		const char *end;
		char *one;
		struct status_worker w;

		p += strspn(p, " \t");
		if (*p == ']')
			break;
		end = control_json_skip(p);
		if (!end || *p != '{') {
			error_set(err, 0, "the supervisor's answer has a malformed \"workers\" list");
			goto fail;
		}
		one = xstrndup(p, (size_t)(end - p));
		if (get_num(one, "pid", &v, err) < 0 ||
		    get_num(one, "memory_bytes", &w.memory_bytes, err) < 0 ||
		    get_num(one, "age_s", &w.age_s, err) < 0) {
			free(one);
			goto fail;
		}
		free(one);
		w.pid = (long)v;
		grow_array((void **)&st->workers, &cap, st->n_workers + 1, sizeof(*st->workers));
		st->workers[st->n_workers++] = w;
		p = end + strspn(end, " \t");
		if (*p == ',')
			p++;
	}
	free(workers);
	return 0;
fail:
	free(workers);
	status_finish(st);
	return -1;
}

void status_finish(struct status *st)
{
	free(st->profile);
	free(st->server);
	free(st->workers);
	memset(st, 0, sizeof(*st));
}

static void duration(long long s, char *buf, unsigned size)
{
	value_format_duration((int64_t)s * 1000, buf, size);
}

void status_print_text(const struct status *st, FILE *f)
{
	char up[32], mem[32], age[32];
	unsigned long long total = 0;
	size_t i;

	for (i = 0; i < st->n_workers; i++)
		total += (unsigned long long)st->workers[i].memory_bytes;
	duration(st->uptime_s, up, sizeof(up));
	cleanup_format_size(mem, sizeof(mem), total);
	char *name = xstrdup(st->profile), *server = xstrdup(st->server);

	/* quoted from the answer: nothing in it may drive a terminal */
	error_mask_controls(name);
	error_mask_controls(server);
	fprintf(f, "%-12s %s\n", "profile:", name);
	fprintf(f, "%-12s running\n", "state:");
	fprintf(f, "%-12s %ld\n", "supervisor:", st->supervisor_pid);
	fprintf(f, "%-12s %s, pid %ld, up %s\n", "server:", server, st->server_pid, up);
	free(name);
	free(server);
	fprintf(f, "%-12s %s\n", "ready:", st->ready ? "yes" : "no");
	fprintf(f, "%-12s %lu\n", "recycled:", st->recycled);
	fprintf(f, "%-12s %zu, %s in all\n", "workers:", st->n_workers, mem);
	if (!st->n_workers)
		return;
	fprintf(f, "  %8s  %10s  %10s\n", "PID", "MEMORY", "AGE");
	for (i = 0; i < st->n_workers; i++) {
		cleanup_format_size(mem, sizeof(mem), (unsigned long long)st->workers[i].memory_bytes);
		duration(st->workers[i].age_s, age, sizeof(age));
		fprintf(f, "  %8ld  %10s  %10s\n", st->workers[i].pid, mem, age);
	}
}
