/*
 * libFuzzer entry point for the .env parser: parses the input, then runs
 * both interpolation modes over it against an environment that defines a
 * few names, and checks invariants that must hold for every input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool fuzz_lookup(void *ctx, const char *name, const char **value)
{
	if (strcmp(name, "A") == 0) {
		*value = "a${A}";
		return true;
	}
	if (strcmp(name, "N") == 0) {
		*value = NULL;
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dotenv d = DOTENV_INIT, v = DOTENV_INIT;
	struct error err = ERROR_INIT;
	int override;
	size_t i;

	if (dotenv_parse((const char *)data, size, "fuzz.env", &d, &err) < 0)
		abort();
	for (i = 0; i < d.n; i++) {
		const struct dotenv_entry *e = &d.entries[i];

		if (!e->key || e->line < 1)
			abort();
		/* a NUL flag needs a NUL byte; an accepted name is a variable name */
		if (e->nul && !memchr(data, 0, size))
			abort();
		if (!dotenv_refused(e) && (!e->key[0] || strchr(e->key, '=')))
			abort();
	}
	for (i = 0; i < d.nproblems; i++)
		if (d.problems[i].line < d.problems[i].start_line || d.problems[i].column < 1)
			abort();
	for (override = 0; override <= 1; override++) {
		dotenv_values(&d, true, override, fuzz_lookup, NULL, &v);
		if (v.n > d.n)
			abort();
		for (i = 0; i < v.n; i++)
			if (dotenv_find(&v, v.entries[i].key) != (long)i)
				abort();
		dotenv_finish(&v);
	}
	dotenv_finish(&d);
	return 0;
}
