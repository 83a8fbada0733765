/*
 * libFuzzer entry point for what deploy-run parses of the servers' inputs:
 * GUNICORN_CMD_ARGS split as shlex.split() splits it and parsed as gunicorn's
 * argparse parser reads it (every gunicorn version's option set), and the
 * answer lines of check --server-config.  Invariants: a split that succeeds
 * yields words without NUL bytes whose total length is at most the input's;
 * every setting the parser reports is a known gunicorn setting; an error
 * always has a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serverask.h"
#include "servercfg.h"
#include "strv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void seen(const char *setting, const char *value, void *data)
{
	size_t *n = data;

	if (!setting || !*setting)
		abort();
	(void)value;
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *buf = xmalloc(size + 1);
	static const char *const versions[] = {"20.1.0", "23.0.0", "26.1.0", NULL};
	struct strv words = STRV_INIT;
	struct error err = ERROR_INIT;
	size_t i, total = 0, n = 0;
	char *v;

	/* an environment variable's value ends at its first NUL */
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (servercfg_shlex(buf, &words, &err) == 0) {
		for (i = 0; i < words.n; i++)
			total += strlen(words.v[i]);
		if (total > strlen(buf))
			abort();
		for (i = 0; i < 4; i++) {
			struct error e2 = ERROR_INIT;

			if (servercfg_gunicorn_parse(words.v, words.n, versions[i], seen, &n, &e2) < 0 &&
			    !e2.message[0])
				abort();
		}
	} else if (!err.message[0]) {
		abort();
	}
	strv_finish(&words);
	v = serverask_value(buf, "workers");
	if (v && strchr(v, '\n'))
		abort();
	free(v);
	return 0;
}
