/*
 * libFuzzer entry point for what the venv family reads from a virtualenv:
 * pyvenv.cfg ("key = value" lines) and the #! line of its scripts.  Every
 * value found is trimmed and lies on a line that exists in the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "venv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
	"home", "include-system-site-packages", "version", "version_info", "executable",
	"command", "",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *buf = xmalloc(size + 1);
	size_t i, lines = 1;
	char *v;

	/* the check reads pyvenv.cfg with file_read(), which NUL-terminates */
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i < size && buf[i]; i++)
		lines += buf[i] == '\n';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int line = 0;

		v = pyenv_cfg_get(buf, keys[i], &line);
		if (v) {
			size_t n = strlen(v);

			if (line < 1 || (size_t)line > lines || strchr(v, '\n'))
				abort();
			if (n && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' ||
				  v[n - 1] == '\t'))
				abort();
			free(v);
		}
	}
	v = venv_shebang((const char *)data, size);
	if (v) {
		if (!v[0] || size < 2 || memcmp(data, "#!", 2) != 0)
			abort();
		free(v);
	}
	return 0;
}
