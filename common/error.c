#include "error.h"

#include <stdarg.h>
#include <string.h>

void error_clear(struct error *err)
{
	if (!err)
		return;
	err->errnum = 0;
	err->line = 0;
	err->column = 0;
	err->file[0] = '\0';
	err->message[0] = '\0';
	err->id = NULL;
}

static void set_message(struct error *err, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);

static void set_message(struct error *err, const char *fmt, va_list ap)
{
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
}

int error_set(struct error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	error_clear(err);
	err->errnum = errnum;
	va_start(ap, fmt);
	set_message(err, fmt, ap);
	va_end(ap);
	return -1;
}

int error_at(struct error *err, const char *file, int line, int column, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	error_clear(err);
	if (file)
		snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	set_message(err, fmt, ap);
	va_end(ap);
	return -1;
}

void error_locate(struct error *err, const char *file, int line)
{
	if (!err || err->file[0])
		return;
	if (file)
		snprintf(err->file, sizeof(err->file), "%s", file);
	if (!err->line)
		err->line = line;
}

int error_prefix(struct error *err, const char *fmt, ...)
{
	char prefix[ERROR_MESSAGE_MAX];
	char old[ERROR_MESSAGE_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	snprintf(err->message, sizeof(err->message), "%s: %s", prefix, old);
	return -1;
}

int error_is_set(const struct error *err)
{
	return err && err->message[0] != '\0';
}

size_t error_control_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p)
		return 0;
	if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
		return 1;
	if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

void error_mask_controls(char *s)
{
	size_t n;

	for (; *s; s++)
		if ((n = error_control_len(s))) {
			memset(s, '?', n);
			s += n - 1;
		}
}

void error_format(const struct error *err, char *buf, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	buf[0] = '\0';
	if (err->file[0]) {
		if (err->line && err->column)
			n = snprintf(buf, size, "%s:%d:%d: ", err->file, err->line, err->column);
		else if (err->line)
			n = snprintf(buf, size, "%s:%d: ", err->file, err->line);
		else
			n = snprintf(buf, size, "%s: ", err->file);
	}
	if (n >= size) {
		error_mask_controls(buf);
		return;
	}
	if (err->errnum)
		snprintf(buf + n, size - n, "error: %s: %s", err->message, strerror(err->errnum));
	else
		snprintf(buf + n, size - n, "error: %s", err->message);
	error_mask_controls(buf);
}

void error_print(const struct error *err, FILE *f)
{
	char line[ERROR_FILE_MAX + ERROR_MESSAGE_MAX + 256];

	error_format(err, line, sizeof(line));
	fprintf(f, "deploy-run: %s\n", line);
}
