/*
 * libFuzzer entry point for the METADATA / PKG-INFO parser and the
 * requires.txt converter: both must accept or reject every input without
 * crashing, and an accepted METADATA always has a Name and a Version.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dist_metadata md;
	struct strv reqs = STRV_INIT;
	struct error err = ERROR_INIT;

	if (dist_metadata_parse(&md, (const char *)data, size, "METADATA", &err) == 0) {
		if (!md.name || !md.name[0] || !md.version || !md.version[0])
			abort();
		dist_metadata_finish(&md);
	} else if (!err.message[0] || md.name || md.requires.n) {
		abort();
	}
	error_clear(&err);
	if (dist_requires_txt_parse(&reqs, (const char *)data, size, "requires.txt", &err) < 0 &&
	    err.line <= 0)
		abort();
	strv_finish(&reqs);
	return 0;
}
