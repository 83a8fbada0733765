/*
 * libFuzzer entry point for the RECORD (CSV) parser: every accepted row
 * has a non-empty path, a hash with both parts or none, and a line number
 * that never decreases.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dist_record rec;
	struct error err = ERROR_INIT;
	size_t i;
	int last = 0;

	if (dist_record_parse(&rec, (const char *)data, size, "RECORD", &err) < 0) {
		if (err.line <= 0 || err.column <= 0 || rec.n)
			abort();
		return 0;
	}
	for (i = 0; i < rec.n; i++) {
		const struct dist_record_entry *e = &rec.entries[i];

		if (!e->path || !e->path[0] || (!e->algorithm != !e->digest) || e->size < -1 ||
		    e->line < last)
			abort();
		last = e->line;
	}
	dist_record_finish(&rec);
	return 0;
}
