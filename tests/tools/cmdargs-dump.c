/*
 * Driver of tests/diff/cmdargs_diff.py: reads NUL-separated values of
 * GUNICORN_CMD_ARGS on stdin and prints one line per value: "ERR" when
 * servercfg_shlex() or servercfg_gunicorn_parse() (gunicorn 20.1's option set)
 * rejects it, else "OK" and, tab-separated, each SETTING=VALUE in order
 * (VALUE "!" for a flag), with \t, \n and \\ escaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "servercfg.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"

static void esc(struct strbuf *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '\t')
			strbuf_adds(o, "\\t");
		else if (*s == '\n')
			strbuf_adds(o, "\\n");
		else if (*s == '\\')
			strbuf_adds(o, "\\\\");
		else
			strbuf_addc(o, *s);
	}
}

static void one(const char *setting, const char *value, void *data)
{
	struct strbuf *o = data;

	strbuf_addc(o, '\t');
	esc(o, setting);
	strbuf_addc(o, '=');
	if (value)
		esc(o, value);
	else
		strbuf_addc(o, '!');
}

int main(void)
{
	struct strbuf in, o;
	char buf[65536];
	size_t n, pos = 0;

	strbuf_init(&in);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		strbuf_add(&in, buf, n);
	strbuf_init(&o);
	while (pos < in.len) {
		const char *s = in.buf + pos;
		struct strv words = STRV_INIT;
		struct error err = ERROR_INIT;

		pos += strlen(s) + 1;
		strbuf_reset(&o);
		if (servercfg_shlex(s, &words, &err) < 0 ||
		    servercfg_gunicorn_parse(words.v, words.n, "20.1.0", one, &o, &err) < 0) {
			puts("ERR");
		} else {
			printf("OK%s\n", o.buf ? o.buf : "");
		}
		strv_finish(&words);
	}
	strbuf_finish(&o);
	strbuf_finish(&in);
	return 0;
}
