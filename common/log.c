#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static enum log_level level = LOG_INFO;
static int color_mode = -1;

void log_set_level(enum log_level l)
{
	level = l;
}

enum log_level log_get_level(void)
{
	return level;
}

void log_set_color(int mode)
{
	color_mode = mode;
}

int log_use_color(int fd)
{
	const char *nc;

	if (color_mode >= 0)
		return color_mode;
	nc = getenv("NO_COLOR");
	if (nc && *nc)
		return 0;
	return isatty(fd);
}

static void emit(enum log_level l, const char *tag, const char *color, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void emit(enum log_level l, const char *tag, const char *color, const char *fmt, va_list ap)
{
	char msg[4096];

	if (l > level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (tag && log_use_color(2))
		fprintf(stderr, "deploy-run: \033[%sm%s:\033[0m %s\n", color, tag, msg);
	else if (tag)
		fprintf(stderr, "deploy-run: %s: %s\n", tag, msg);
	else
		fprintf(stderr, "deploy-run: %s\n", msg);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_ERROR, "error", "1;31", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_WARN, "warning", "1;33", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_INFO, NULL, "", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_DEBUG, "debug", "2", fmt, ap);
	va_end(ap);
}
