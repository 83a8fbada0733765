/*
 * JSON output of the drivers the diff tests read (tests/tools and the unit
 * tests' --dump modes): a string of known length (NUL bytes included), a
 * member of an object being written, an array of strings.
 */
#ifndef DEPLOY_RUN_JSON_OUT_H
#define DEPLOY_RUN_JSON_OUT_H

#include "strbuf.h"
#include "strv.h"

/* len bytes of s as a JSON string; NULL is null. */
static inline void json_str(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	if (!s) {
		strbuf_adds(sb, "null");
		return;
	}
	strbuf_addc(sb, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(sb, "\\u%04x", c);
		else
			strbuf_addc(sb, (char)c);
	}
	strbuf_addc(sb, '"');
}

/* , "name": value (a string or null), after the object's first member. */
static inline void json_member(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addf(sb, ", \"%s\": ", name);
	strbuf_add_json(sb, value);
}

/* , "name": [the strings of sv] */
static inline void json_strv_member(struct strbuf *sb, const char *name, const struct strv *sv)
{
	size_t i;

	strbuf_addf(sb, ", \"%s\": [", name);
	for (i = 0; i < sv->n; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		strbuf_add_json(sb, sv->v[i]);
	}
	strbuf_adds(sb, "]");
}

#endif
