#include "hash.h"
#include "dynload.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* The few libcrypto entry points we use, resolved at run time. */
typedef void EVP_MD_CTX_t;
typedef void EVP_MD_t;
struct crypto {
	EVP_MD_CTX_t *(*ctx_new)(void);
	void (*ctx_free)(EVP_MD_CTX_t *);
	const EVP_MD_t *(*sha256)(void);
	int (*init)(EVP_MD_CTX_t *, const EVP_MD_t *, void *);
	int (*update)(EVP_MD_CTX_t *, const void *, size_t);
	int (*final)(EVP_MD_CTX_t *, unsigned char *, unsigned int *);
};
static struct crypto crypto;
static void *crypto_handle;

int hash_load(struct error *err)
{
	static const char *const names[] = {"libcrypto.so.3", "libcrypto.so", NULL};
	static const struct dynload_sym syms[] = {
		DYNLOAD_SYM(struct crypto, ctx_new, "EVP_MD_CTX_new"),
		DYNLOAD_SYM(struct crypto, ctx_free, "EVP_MD_CTX_free"),
		DYNLOAD_SYM(struct crypto, sha256, "EVP_sha256"),
		DYNLOAD_SYM(struct crypto, init, "EVP_DigestInit_ex"),
		DYNLOAD_SYM(struct crypto, update, "EVP_DigestUpdate"),
		DYNLOAD_SYM(struct crypto, final, "EVP_DigestFinal_ex"),
	};

	if (!crypto_handle)
		crypto_handle = dynload_open(names, "SHA-256", "libssl3", syms, ARRAY_SIZE(syms),
					     &crypto, sizeof(crypto), err);
	return crypto_handle ? 0 : -1;
}

struct sha256 *sha256_create(struct error *err)
{
	EVP_MD_CTX_t *ctx;

	if (hash_load(err) < 0)
		return NULL;
	ctx = crypto.ctx_new();
	if (!ctx || !crypto.init(ctx, crypto.sha256(), NULL)) {
		error_set(err, 0, "cannot start a SHA-256 digest");
		if (ctx)
			crypto.ctx_free(ctx);
		return NULL;
	}
	return (struct sha256 *)ctx;
}

void sha256_update(struct sha256 *h, const void *data, size_t len)
{
	crypto.update((EVP_MD_CTX_t *)h, data, len);
}

void sha256_final(struct sha256 *h, uint8_t out[SHA256_LEN])
{
	unsigned int n = SHA256_LEN;

	crypto.final((EVP_MD_CTX_t *)h, out, &n);
}

void sha256_destroy(struct sha256 *h)
{
	if (h)
		crypto.ctx_free((EVP_MD_CTX_t *)h);
}

int sha256_buffer(const void *data, size_t len, uint8_t out[SHA256_LEN], struct error *err)
{
	struct sha256 *h = sha256_create(err);

	if (!h)
		return -1;
	sha256_update(h, data, len);
	sha256_final(h, out);
	sha256_destroy(h);
	return 0;
}

int sha256_file(const char *path, uint8_t out[SHA256_LEN], uint64_t *size, struct error *err)
{
	_cleanup_close_ int fd = -1;
	struct sha256 *h;
	uint64_t total = 0;
	size_t bufsize = 256 * 1024;
	_cleanup_free_ unsigned char *buf = NULL;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		error_at(err, path, 0, 0, "cannot open");
		err->errnum = errno;
		return -1;
	}
	h = sha256_create(err);
	if (!h)
		return -1;
	buf = xmalloc(bufsize);
	for (;;) {
		ssize_t r = read(fd, buf, bufsize);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			sha256_destroy(h);
			error_at(err, path, 0, 0, "cannot read");
			err->errnum = errno;
			return -1;
		}
		if (!r)
			break;
		sha256_update(h, buf, (size_t)r);
		total += (uint64_t)r;
	}
	sha256_final(h, out);
	sha256_destroy(h);
	if (size)
		*size = total;
	return 0;
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void base64url_encode(const uint8_t *in, size_t len, char *out)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = tbl[(v >> 6) & 63];
		out[o++] = tbl[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = tbl[(v >> 6) & 63];
	}
	out[o] = '\0';
}
