#include "log.h"
#include "error.h"

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

void log_msg(enum log_level l, const char *fmt, ...)
{
	static const struct {
		const char *tag, *color;
	} tags[] = {
		[LOG_ERROR] = {"error", "1;31"},
		[LOG_WARN] = {"warning", "1;33"},
		[LOG_INFO] = {NULL, ""},
		[LOG_DEBUG] = {"debug", "2"},
	};
	const char *tag;
	char msg[4096];
	va_list ap;

	if (l > level || l < LOG_ERROR || l > LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_mask_controls(msg);
	tag = tags[l].tag;
	if (tag && log_use_color(2))
		fprintf(stderr, "deploy-run: \033[%sm%s:\033[0m %s\n", tags[l].color, tag, msg);
	else if (tag)
		fprintf(stderr, "deploy-run: %s: %s\n", tag, msg);
	else
		fprintf(stderr, "deploy-run: %s\n", msg);
}
