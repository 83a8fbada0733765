/*
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) of short inputs, in the tree: `diff`
 * compares secrets by their keyed hash, a few variables at a time, and
 * loading libcrypto for that (hash.h) would cost several times the command
 * itself.  Files and archives are hashed through hash.h.
 */
#ifndef DEPLOY_RUN_HMAC_H
#define DEPLOY_RUN_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define HMAC_SHA256_LEN 32
#define HMAC_SHA256_KEY_MAX 64 /* SHA-256's block: longer keys are not supported */

/* out = HMAC-SHA256(key, data).  keylen must be at most HMAC_SHA256_KEY_MAX. */
void hmac_sha256(const uint8_t *key, size_t keylen, const void *data, size_t len,
		 uint8_t out[HMAC_SHA256_LEN]);

#endif
