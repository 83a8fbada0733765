/*
 * UTF-8 as Python's strict codec reads and writes it.  Header-only: the
 * parsers that need it stay pure and link nothing more.
 */
#ifndef DEPLOY_RUN_UTF8_H
#define DEPLOY_RUN_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s[i] (as Python's strict codec
 * accepts it: no overlongs, no surrogates, nothing above U+10FFFF), or 0. */
static inline size_t utf8_valid_at(const unsigned char *s, size_t len, size_t i)
{
	unsigned char c = s[i], lo = 0x80, hi = 0xbf;
	size_t n, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (i + n > len)
		return 0;
	for (k = 1; k < n; k++) {
		if (s[i + k] < lo || s[i + k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

/* Offset of the first byte of s[0..len) that is not valid UTF-8 (see
 * utf8_valid_at), or len when all of it is.  ASCII goes 8 bytes at a time. */
static inline size_t utf8_valid_prefix(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		uint64_t w;

		if (i + 8 <= len) {
			__builtin_memcpy(&w, u + i, 8);
			if (!(w & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
		}
		n = utf8_valid_at(u, len, i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

/* Writes code point cp (at most U+10FFFF) as UTF-8 to out (room for 4);
 * returns the number of bytes. */
static inline size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

#endif
