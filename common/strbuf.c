#include "strbuf.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb)
{
	sb->cap = 64;
	sb->len = 0;
	sb->buf = xmalloc(sb->cap);
	sb->buf[0] = '\0';
}

void strbuf_finish(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *strbuf_detach(struct strbuf *sb)
{
	char *p = sb->buf;

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->buf[0] = '\0';
}

static void reserve(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	reserve(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_addc(struct strbuf *sb, char c)
{
	reserve(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		reserve(sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

/* Bytes a JSON string cannot hold as they are. */
static const unsigned char json_special[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f] = 1,
};

void strbuf_add_json(struct strbuf *sb, const char *s)
{
	const unsigned char *p;
	size_t n;

	if (!s) {
		strbuf_adds(sb, "null");
		return;
	}
	/* most strings need no escaping: one reservation, one copy */
	for (p = (const unsigned char *)s; !json_special[*p]; p++)
		;
	if (!*p) {
		n = (size_t)(p - (const unsigned char *)s);
		reserve(sb, n + 2);
		sb->buf[sb->len] = '"';
		memcpy(sb->buf + sb->len + 1, s, n);
		sb->buf[sb->len + n + 1] = '"';
		sb->len += n + 2;
		sb->buf[sb->len] = '\0';
		return;
	}
	strbuf_addc(sb, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		const unsigned char *run = p;

		/* runs that need no escaping are copied whole */
		while (!json_special[*p])
			p++;
		if (p > run)
			strbuf_add(sb, run, (size_t)(p - run));
		if (!*p)
			break;
		switch (*p) {
		case '"': strbuf_adds(sb, "\\\""); break;
		case '\\': strbuf_adds(sb, "\\\\"); break;
		case '\n': strbuf_adds(sb, "\\n"); break;
		case '\r': strbuf_adds(sb, "\\r"); break;
		case '\t': strbuf_adds(sb, "\\t"); break;
		case '\b': strbuf_adds(sb, "\\b"); break;
		case '\f': strbuf_adds(sb, "\\f"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				strbuf_addf(sb, "\\u%04x", *p);
			else
				strbuf_addc(sb, (char)*p);
		}
	}
	strbuf_addc(sb, '"');
}

void strbuf_add_xml(struct strbuf *sb, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '<': strbuf_adds(sb, "&lt;"); break;
		case '>': strbuf_adds(sb, "&gt;"); break;
		case '&': strbuf_adds(sb, "&amp;"); break;
		case '"': strbuf_adds(sb, "&quot;"); break;
		case '\'': strbuf_adds(sb, "&apos;"); break;
		case '\n': case '\t': case '\r':
			strbuf_addf(sb, "&#%d;", *p);
			break;
		default:
			/* XML 1.0 forbids other control characters, even escaped */
			if (*p < 0x20 || *p == 0x7f)
				strbuf_addc(sb, '?');
			else
				strbuf_addc(sb, (char)*p);
		}
	}
}

void strbuf_add_shell_word(struct strbuf *sb, const char *w)
{
	if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "-_./:=,@%+[]") == strlen(w)) {
		strbuf_adds(sb, w);
		return;
	}
	strbuf_addc(sb, '\'');
	for (; *w; w++) {
		if (*w == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_addc(sb, *w);
	}
	strbuf_addc(sb, '\'');
}
