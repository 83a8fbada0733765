/*
 * libFuzzer entry point for pylock.toml (checks/pylock.c): an accepted lock
 * has, for every package, a name, a normalised name, a line, a specifier
 * that is "==VERSION" exactly when it is pinned, and a source (hashes, or a
 * vcs or directory location); a refused one has a message and a place.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockfile.h"
#include "pylock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lockfile lf;
	struct error err = ERROR_INIT;
	size_t i;

	memset(&lf, 0, sizeof(lf));
	if (pylock_parse(&lf, (const char *)data, size, "pylock.toml", &err) < 0) {
		if (!err.message[0] || err.line <= 0 || err.column <= 0)
			abort();
		lockfile_finish(&lf);
		return 0;
	}
	if (!lf.pylock.lock_version || strncmp(lf.pylock.lock_version, "1", 1))
		abort();
	for (i = 0; i < lf.n_reqs; i++) {
		const struct reqfile_req *q = &lf.reqs[i];

		if (!q->name || !q->normalized || q->line <= 0 || !q->specifier || !q->text)
			abort();
		if (q->pinned != (q->version != NULL))
			abort();
		if (q->pinned && (strncmp(q->specifier, "==", 2) || strcmp(q->specifier + 2, q->version)))
			abort();
		if (!q->hashes.n && !q->url)
			abort();
	}
	lockfile_finish(&lf);
	return 0;
}
