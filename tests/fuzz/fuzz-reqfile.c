/*
 * libFuzzer entry point for the requirement file parser: parses the input
 * with a ${VAR} lookup that defines a few names, then checks invariants
 * that must hold for every accepted file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reqfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_lookup(const char *name, void *ctx)
{
	if (strcmp(name, "A") == 0)
		return "${A}-a";
	if (strcmp(name, "SPACE") == 0)
		return " --hash x ";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reqfile rf;
	struct error err = ERROR_INIT;
	size_t i;

	if (reqfile_parse(&rf, (const char *)data, size, "fuzz.txt", size & 1, fuzz_lookup, NULL,
			  &err) < 0) {
		if (!err.message[0] || err.line <= 0)
			abort();
		return 0;
	}
	for (i = 0; i < rf.n_reqs; i++) {
		const struct reqfile_req *r = &rf.reqs[i];

		if (r->line <= 0 || !r->text || !r->specifier || (r->name && !r->normalized))
			abort();
		if (r->pinned != (r->version != NULL))
			abort();
		if (r->editable && !r->url)
			abort();
	}
	for (i = 0; i < rf.n_includes; i++)
		if (!rf.includes[i].path || rf.includes[i].position > rf.n_reqs)
			abort();
	reqfile_finish(&rf);
	return 0;
}
