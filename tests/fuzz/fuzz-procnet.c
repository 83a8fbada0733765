/*
 * libFuzzer entry point for text deploy-run reads from other programs:
 * /proc/net/tcp and tcp6 (the port holder lookup), /proc/net/unix (the
 * multiprocessing directory sweep) and the output of the app import
 * subprocess.  Malformed lines are skipped, never trusted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "pyimport.h"
#include "server.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = xmalloc(size + 1);
	struct server_listener *ls = NULL;
	struct pyimport_result res;
	size_t n = 0, cap = 0, i, half;
	char *err_part;

	memcpy(s, data, size);
	s[size] = '\0';
	server_parse_listeners(s, false, &ls, &n, &cap);
	server_parse_listeners(s, true, &ls, &n, &cap);
	for (i = 0; i < n; i++)
		if (ls[i].port < 0 || ls[i].port > 65535)
			abort();
	free(ls);
	/* a path that is bound is found again under its own directory */
	if (cleanup_unix_path_bound(s, "/tmp/pymp-x") && !cleanup_unix_path_bound(s, "/tmp"))
		abort();

	/* the first half as stdout, the rest as stderr */
	half = strlen(s) / 2;
	err_part = xstrdup(s + half);
	s[half] = '\0';
	memset(&res, 0, sizeof(res));
	pyimport_parse(s, err_part, &res);
	if (res.status != PYIMPORT_OK && !res.error)
		abort();
	pyimport_result_finish(&res);
	free(err_part);
	return 0;
}
