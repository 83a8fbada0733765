/*
 * libFuzzer entry point for PEP 508: parses the input as a requirement and
 * as a marker, evaluates the marker against a fixed environment, and
 * checks that what str() prints parses again and prints the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pep508.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct pep508_requirement req;
	struct pep508_marker *m;
	struct pep508_env env;
	struct error err = ERROR_INIT;

	pep508_env_init(&env);
	pep508_env_set(&env, "python_version", "3.11");
	pep508_env_set(&env, "python_full_version", "3.11.2");
	pep508_env_set(&env, "os_name", "posix");
	pep508_env_set(&env, "extra", "security");
	if (pep508_requirement_parse(&req, s, size, &err) == 0) {
		char *str = pep508_requirement_str(&req);

		if (req.marker && pep508_marker_evaluate(req.marker, &env, &err) > 1)
			abort();
		free(str);
		pep508_requirement_finish(&req);
	}
	m = pep508_marker_parse(s, size, &err);
	if (m) {
		char *str = pep508_marker_str(m);

		if (pep508_marker_evaluate(m, &env, &err) > 1)
			abort();
		pep508_marker_destroy(m);
		free(str);
	}
	pep508_env_finish(&env);
	return 0;
}
