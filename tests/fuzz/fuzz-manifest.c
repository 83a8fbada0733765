/*
 * libFuzzer entry point for a release bundle's MANIFEST: every accepted
 * manifest has safe, sorted, unique paths, and what format() writes parses
 * again to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle-manifest.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle_manifest m, again;
	struct error err = ERROR_INIT;
	struct strbuf out, out2;
	size_t i;

	if (bundle_manifest_parse(&m, (const char *)data, size, "MANIFEST", &err) < 0) {
		if (!err.message[0] || m.n)
			abort();
		return 0;
	}
	for (i = 0; i < m.n; i++) {
		if (bundle_path_problem(m.entries[i].path))
			abort();
		if (i && strcmp(m.entries[i - 1].path, m.entries[i].path) >= 0)
			abort();
		if (bundle_manifest_find(&m, m.entries[i].path) != &m.entries[i])
			abort();
	}
	strbuf_init(&out);
	strbuf_init(&out2);
	bundle_manifest_format(&m, &out);
	if (bundle_manifest_parse(&again, out.buf, out.len, "again", &err) < 0)
		abort();
	bundle_manifest_format(&again, &out2);
	if (out.len != out2.len || (out.len && memcmp(out.buf, out2.buf, out.len) != 0))
		abort();
	bundle_manifest_finish(&again);
	bundle_manifest_finish(&m);
	strbuf_finish(&out);
	strbuf_finish(&out2);
	return 0;
}
