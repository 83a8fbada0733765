/*
 * libFuzzer entry point for the small value parsers: profile values
 * (booleans, integers, durations, sizes, lists, words, binds), health
 * status expectations, the systemd notify variables and wheel file names
 * (NAME-VERSION-...whl: both non-empty, without '-').  Each accepts or
 * rejects with a message; a formatted duration or size parses back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "health.h"
#include "notify.h"
#include "strv.h"
#include "util.h"
#include "value.h"
#include "wheels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void rejected(struct error *err)
{
	if (!err->message[0])
		abort();
	error_clear(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = xmalloc(size + 1);
	struct error err = ERROR_INIT;
	struct strv v = STRV_INIT;
	struct value_statuses e;
	struct sockaddr_un addr;
	socklen_t alen;
	char fmt[64];
	int64_t ms, bytes, back;
	long l;
	bool b;
	char *name, *version;
	int st;

	memcpy(s, data, size);
	s[size] = '\0';
	if (value_parse_bool(s, &b, &err) < 0)
		rejected(&err);
	if (value_parse_int(s, -1000, 1000, &l, &err) < 0)
		rejected(&err);
	else if (l < -1000 || l > 1000)
		abort();
	if (value_parse_duration(s, &ms, &err) < 0) {
		rejected(&err);
	} else if (ms >= 0) {
		value_format_duration(ms, fmt, sizeof(fmt));
		if (value_parse_duration(fmt, &back, &err) < 0 || back != ms)
			abort();
	}
	if (value_parse_size(s, &bytes, &err) < 0)
		rejected(&err);
	else
		value_format_size(bytes, fmt, sizeof(fmt));
	value_split_list(s, &v);
	strv_finish(&v);
	if (value_split_words(s, &v, &err) < 0)
		rejected(&err);
	strv_finish(&v);
	if (value_check_bind(s, &err) < 0)
		rejected(&err);
	if (value_parse_statuses(s, &e, &err) < 0) {
		rejected(&err);
	} else {
		struct value_statuses again;
		char text[VALUE_STATUSES_TEXT_MAX];

		for (st = 0; st < 700; st++)
			(void)value_statuses_match(&e, st);
		/* the text parses back to the same statuses */
		value_format_statuses(&e, text, sizeof(text));
		if (value_parse_statuses(text, &again, &err) < 0 || memcmp(&e, &again, sizeof(e)) != 0)
			abort();
	}
	if (notify_parse_address(s, &addr, &alen, &err) < 0)
		rejected(&err);
	else if (alen > sizeof(addr))
		abort();
	(void)notify_parse_watchdog(s, NULL, 1);
	(void)notify_parse_watchdog("1000000", s, 1);
	if (wheels_parse_filename(s, &name, &version) == 0) {
		if (!*name || !*version || strchr(name, '-') || strchr(version, '-'))
			abort();
		free(name);
		free(version);
	}
	return 0;
}
