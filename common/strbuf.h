/* A growable, always NUL-terminated byte string. */
#ifndef DEPLOY_RUN_STRBUF_H
#define DEPLOY_RUN_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf; /* never NULL after strbuf_init */
	size_t len;
	size_t cap;
};

void strbuf_init(struct strbuf *sb);
void strbuf_finish(struct strbuf *sb);          /* frees; sb may be re-inited */
char *strbuf_detach(struct strbuf *sb);         /* caller frees the result */
void strbuf_reset(struct strbuf *sb);           /* len = 0 */
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, with quotes; NULL gives null. */
void strbuf_add_json(struct strbuf *sb, const char *s);
/* Appends the word w, quoted the way a POSIX shell would need to read it
 * back as one word ('it'\''s'), unquoted when it needs nothing.  For
 * display only: nothing deploy-run runs passes through a shell. */
void strbuf_add_shell_word(struct strbuf *sb, const char *w);
/* Appends s escaped for XML text and attribute values. */
void strbuf_add_xml(struct strbuf *sb, const char *s);

#endif
