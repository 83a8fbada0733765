#include "value.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int value_parse_bool(const char *s, bool *out, struct error *err)
{
	static const char *yes[] = {"true", "yes", "on", "1"};
	static const char *no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return error_set(err, 0, "expected a boolean (true, false, yes, no, on, off, 1, 0)");
}

int value_parse_int(const char *s, long min, long max, long *out, struct error *err)
{
	char *end;
	long v;

	errno = 0;
	if (!*s || isspace((unsigned char)*s))
		return error_set(err, 0, "expected an integer from %ld to %ld", min, max);
	v = strtol(s, &end, 10);
	if (*end || errno == ERANGE)
		return error_set(err, 0, "expected an integer from %ld to %ld", min, max);
	if (v < min || v > max)
		return error_set(err, 0, "out of range: expected an integer from %ld to %ld", min, max);
	*out = v;
	return 0;
}

/* Reads a non-negative decimal number with an optional fraction. */
static int read_number(const char **p, double *out)
{
	const char *s = *p;
	double v = 0, scale = 1;
	bool digits = false;

	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s++ - '0');
		digits = true;
		if (v > 1e15)
			return -1;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			scale /= 10;
			v += (*s++ - '0') * scale;
			digits = true;
		}
	}
	if (!digits)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

int value_parse_duration(const char *s, int64_t *ms, struct error *err)
{
	static const char expected[] =
		"expected a duration such as 30s, 500ms, 2m, 1h or 1m30s (a bare number is seconds)";
	const char *p = s;
	double total = 0;

	if (!*p)
		return error_set(err, 0, "%s", expected);
	while (*p) {
		double v, unit;

		if (read_number(&p, &v) < 0)
			return error_set(err, 0, "%s", expected);
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1;
			p += 2;
		} else if (*p == 's') {
			unit = 1000;
			p++;
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else if (*p == '\0' && p != s && total == 0) {
			unit = 1000;
		} else {
			return error_set(err, 0, "%s", expected);
		}
		total += v * unit;
		if (total > 1e12)
			return error_set(err, 0, "duration too long: at most 11 days");
	}
	*ms = (int64_t)(total + 0.5);
	return 0;
}

int value_parse_size(const char *s, int64_t *bytes, struct error *err)
{
	static const char expected[] =
		"expected a size such as 512M, 1G, 100K or a number of bytes";
	const char *p = s;
	double v, unit = 1;

	if (read_number(&p, &v) < 0)
		return error_set(err, 0, "%s", expected);
	switch (toupper((unsigned char)*p)) {
	case 'K': unit = 1024.0; p++; break;
	case 'M': unit = 1024.0 * 1024; p++; break;
	case 'G': unit = 1024.0 * 1024 * 1024; p++; break;
	case 'T': unit = 1024.0 * 1024 * 1024 * 1024; p++; break;
	case 'B': case '\0': break;
	default:
		return error_set(err, 0, "%s", expected);
	}
	if (unit > 1 && (*p == 'i'))
		p++;
	if (*p == 'B' || *p == 'b')
		p++;
	if (*p)
		return error_set(err, 0, "%s", expected);
	if (v * unit > 9e18)
		return error_set(err, 0, "size too large");
	*bytes = (int64_t)(v * unit + 0.5);
	return 0;
}

void value_split_list(const char *s, struct strv *out)
{
	while (*s) {
		const char *e = s + strcspn(s, ",\n");
		char *item = xstrndup(s, (size_t)(e - s));
		char *t = str_trim(item);

		if (*t)
			strv_push(out, t);
		free(item);
		s = *e ? e + 1 : e;
	}
}

int value_split_words(const char *s, struct strv *out, struct error *err)
{
	struct strv words = STRV_INIT;
	char *word = xmalloc(strlen(s) + 1);
	size_t n = 0;
	bool in_word = false;

	while (*s) {
		char c = *s;

		if (c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				word[n] = '\0';
				strv_push(&words, word);
				n = 0;
				in_word = false;
			}
			s++;
			continue;
		}
		in_word = true;
		if (c == '\'') {
			const char *e = strchr(s + 1, '\'');

			if (!e)
				goto unterminated;
			memcpy(word + n, s + 1, (size_t)(e - s - 1));
			n += (size_t)(e - s - 1);
			s = e + 1;
		} else if (c == '"') {
			s++;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
					s++;
				word[n++] = *s++;
			}
			if (*s != '"')
				goto unterminated;
			s++;
		} else if (c == '\\' && s[1]) {
			word[n++] = s[1];
			s += 2;
		} else {
			word[n++] = c;
			s++;
		}
	}
	if (in_word) {
		word[n] = '\0';
		strv_push(&words, word);
	}
	free(word);
	for (n = 0; n < words.n; n++)
		strv_push(out, words.v[n]);
	strv_finish(&words);
	return 0;
unterminated:
	free(word);
	strv_finish(&words);
	return error_set(err, 0, "unterminated quote: expected words separated by blanks, "
			 "with '...' or \"...\" quoting");
}

static int check_port(const char *p, struct error *err)
{
	long port;

	if (value_parse_int(p, 0, 65535, &port, err) < 0)
		return error_set(err, 0, "port '%s' is not a number from 0 to 65535", p);
	return 0;
}

int value_check_bind(const char *s, struct error *err)
{
	static const char expected[] =
		"expected HOST:PORT, [IPV6]:PORT, unix:/ABSOLUTE/PATH or fd://N";
	const char *colon;

	if (str_starts_with(s, "unix:")) {
		if (s[5] != '/')
			return error_set(err, 0, "unix socket path must be absolute: %s", expected);
		return 0;
	}
	if (str_starts_with(s, "fd://")) {
		long fd;

		return value_parse_int(s + 5, 0, 65535, &fd, err) < 0
			? error_set(err, 0, "%s", expected) : 0;
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close == s + 1 || close[1] != ':' || !close[2])
			return error_set(err, 0, "%s", expected);
		return check_port(close + 2, err);
	}
	colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1] || memchr(s, ':', (size_t)(colon - s)))
		return error_set(err, 0, "%s", expected);
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") !=
	    (size_t)(colon - s))
		return error_set(err, 0, "invalid host: %s", expected);
	return check_port(colon + 1, err);
}

void value_format_duration(int64_t ms, char *buf, unsigned size)
{
	if (ms % 1000)
		snprintf(buf, size, "%lldms", (long long)ms);
	else if (ms >= 3600000 && ms % 3600000 == 0)
		snprintf(buf, size, "%lldh", (long long)(ms / 3600000));
	else if (ms >= 60000 && ms % 60000 == 0)
		snprintf(buf, size, "%lldm", (long long)(ms / 60000));
	else
		snprintf(buf, size, "%llds", (long long)(ms / 1000));
}

void value_format_size(int64_t bytes, char *buf, unsigned size)
{
	static const char units[] = "KMGT";
	int i;

	for (i = 3; i >= 0; i--) {
		int64_t u = (int64_t)1 << (10 * (i + 1));

		if (bytes >= u && bytes % u == 0) {
			snprintf(buf, size, "%lld%c", (long long)(bytes / u), units[i]);
			return;
		}
	}
	snprintf(buf, size, "%lld", (long long)bytes);
}

static void statuses_set(struct value_statuses *e, int lo, int hi)
{
	for (int s = lo; s <= hi; s++)
		e->bits[(s - 100) / 64] |= 1ull << ((s - 100) % 64);
}

bool value_statuses_match(const struct value_statuses *e, int status)
{
	if (status < 100 || status > 599)
		return false;
	return e->bits[(status - 100) / 64] & (1ull << ((status - 100) % 64));
}

static int parse_status(const char *s, size_t n, int *out)
{
	int v = 0;

	if (n != 3)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 100 || v > 599)
		return -1;
	*out = v;
	return 0;
}

int value_parse_statuses(const char *s, struct value_statuses *out, struct error *err)
{
	const char *p = s ? s : "";

	memset(out, 0, sizeof(*out));
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		statuses_set(out, 200, 299);
		return 0;
	}
	for (;;) {
		const char *item, *end, *dash;
		size_t n;
		int lo, hi;

		while (*p == ' ' || *p == '\t')
			p++;
		item = p;
		end = p + strcspn(p, ",");
		n = (size_t)(end - item);
		while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
			n--;
		dash = memchr(item, '-', n);
		if (n == 3 && item[0] >= '1' && item[0] <= '5' &&
		    (item[1] == 'x' || item[1] == 'X') && (item[2] == 'x' || item[2] == 'X')) {
			lo = (item[0] - '0') * 100;
			hi = lo + 99;
		} else if (dash && parse_status(item, (size_t)(dash - item), &lo) == 0 &&
			   parse_status(dash + 1, n - (size_t)(dash - item) - 1, &hi) == 0 && lo <= hi) {
			;
		} else if (!dash && parse_status(item, n, &lo) == 0) {
			hi = lo;
		} else {
			return error_set(err, 0, "invalid status '%.*s': expected codes (200), "
					 "ranges (200-299) or classes (2xx) from 100 to 599, "
					 "comma-separated", (int)n, item);
		}
		statuses_set(out, lo, hi);
		if (!*end)
			return 0;
		p = end + 1;
	}
}


void value_format_statuses(const struct value_statuses *e, char *buf, unsigned size)
{
	size_t n = 0;
	int cls, s, lo;

	buf[0] = '\0';
#define STATUSES_ADD(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
	for (cls = 100; cls < 600; cls += 100) {
		for (s = cls; s < cls + 100 && value_statuses_match(e, s); s++)
			;
		if (s == cls + 100) {
			STATUSES_ADD("%s%dxx", n ? ", " : "", cls / 100);
			continue;
		}
		for (s = cls; s < cls + 100; s++) {
			if (!value_statuses_match(e, s))
				continue;
			for (lo = s; s + 1 < cls + 100 && value_statuses_match(e, s + 1); s++)
				;
			if (lo == s)
				STATUSES_ADD("%s%d", n ? ", " : "", lo);
			else
				STATUSES_ADD("%s%d-%d", n ? ", " : "", lo, s);
		}
	}
#undef STATUSES_ADD
}
