/*
 * libFuzzer entry point for PEP 440: parses the input as a version and as
 * a specifier set, and checks invariants that must hold for every input:
 * the normalised form parses again to an equal version, a version equals
 * itself, and contains() answers for every prerelease policy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pep440.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct pep440_version v, again;
	struct pep440_specset set;
	struct error err = ERROR_INIT;
	int pre;

	if (pep440_version_parse(&v, s, size, &err) == 0) {
		char *str = pep440_version_str(&v), *c;

		if (pep440_version_parses(&again, str, NULL) == 0) {
			/* only the odd spellings packaging keeps may fail to round-trip */
			if (!v.pre_label || strlen(v.pre_label) <= 2)
				if (!v.post_label || !strcmp(v.post_label, "post"))
					if (pep440_version_compare(&v, &again) != 0)
						abort();
			pep440_version_finish(&again);
		}
		if (pep440_version_compare(&v, &v) != 0)
			abort();
		c = pep440_canonicalize_version(str, strlen(str), true);
		free(c);
		free(str);
	}
	if (pep440_specset_parse(&set, s, size, &err) == 0) {
		char *str = pep440_specset_str(&set);
		struct pep440_specset back;

		if (pep440_specset_parse(&back, str, strlen(str), NULL) < 0)
			abort();
		pep440_specset_finish(&back);
		free(str);
		if (set.n && set.v[0].has_parsed)
			for (pre = PEP440_PRE_DEFAULT; pre <= PEP440_PRE_ALLOW; pre++)
				if (pep440_specset_contains(&set, &set.v[0].parsed, pre, &err) > 1)
					abort();
		pep440_specset_finish(&set);
	}
	if (v.epoch)
		pep440_version_finish(&v);
	free(pep440_canonicalize_name(s, size));
	(void)pep440_specifier_scan(s, size);
	return 0;
}
