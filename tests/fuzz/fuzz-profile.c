/* libFuzzer target: the profile INI parser (one file, no extends). */
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = ERROR_INIT;

	profile_parse_buffer((const char *)data, size, "fuzz.ini", &err);
	return 0;
}
