/*
 * libFuzzer entry point for the TOML parser: every input either parses into
 * a tree whose invariants hold (keys unique in each table and found by
 * toml_get_kv, places 1-based, nesting within TOML_DEPTH_MAX, strings
 * NUL-terminated at their length), or is refused with a message and a place.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct toml_value *v, int depth)
{
	size_t i, j;

	if (v->depth != depth || depth > TOML_DEPTH_MAX || v->line <= 0 || v->column <= 0)
		abort();
	switch (v->type) {
	case TOML_STRING:
		if (v->u.s.ptr[v->u.s.len] != '\0')
			abort();
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.a.n; i++)
			walk(v->u.a.v[i], depth + 1);
		break;
	case TOML_TABLE:
		for (i = 0; i < v->u.t.n; i++) {
			const struct toml_kv *kv = &v->u.t.v[i];

			if (kv->line <= 0 || kv->key[kv->key_len] != '\0')
				abort();
			/* keys without a NUL are found by name; no two are equal */
			if (strlen(kv->key) == kv->key_len && toml_get_kv(v, kv->key) != kv)
				abort();
			for (j = 0; j < i && v->u.t.n < 64; j++)
				if (v->u.t.v[j].key_len == kv->key_len &&
				    !memcmp(v->u.t.v[j].key, kv->key, kv->key_len))
					abort();
			walk(kv->value, depth + 1);
		}
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err = ERROR_INIT;
	struct toml_value *root = toml_parse((const char *)data, size, "fuzz.toml", &err);

	if (!root) {
		if (!err.message[0] || err.line <= 0 || err.column <= 0)
			abort();
		return 0;
	}
	walk(root, 0);
	toml_value_destroy(root);
	return 0;
}
