/*
 * SHA-256 through OpenSSL's libcrypto, loaded with dlopen() on first use so
 * that commands which never hash (run, the resident supervisor) never map
 * it.  Encoders for the two spellings Python packaging uses: lowercase hex
 * (requirement --hash, wheels) and unpadded urlsafe base64 (RECORD), and
 * the value of one hex digit for the decoders.
 */
#ifndef DEPLOY_RUN_HASH_H
#define DEPLOY_RUN_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define SHA256_LEN 32

struct sha256; /* opaque streaming context */

/* Loads libcrypto if needed. Returns -1 with err when it cannot be loaded. */
int hash_load(struct error *err);

struct sha256 *sha256_create(struct error *err);
void sha256_update(struct sha256 *h, const void *data, size_t len);
void sha256_final(struct sha256 *h, uint8_t out[SHA256_LEN]);
void sha256_destroy(struct sha256 *h); /* NULL does nothing */

int sha256_buffer(const void *data, size_t len, uint8_t out[SHA256_LEN], struct error *err);
/* Hashes a regular file; *size receives its length when size is not NULL. */
int sha256_file(const char *path, uint8_t out[SHA256_LEN], uint64_t *size, struct error *err);

/* out must hold 2*len+1 bytes. */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* The value of the hex digit c (0-9, a-f, A-F), or -1 when c is none. */
int hex_value(int c);
/* Unpadded urlsafe base64; out must hold 4*((len+2)/3)+1 bytes. */
void base64url_encode(const uint8_t *in, size_t len, char *out);

#endif
