/*
 * Diagnostics for people: "deploy-run: warning: ..." on stderr.  Errors
 * with a location go through struct error and error_print(); these are for
 * progress and the supervisor's own messages.
 */
#ifndef DEPLOY_RUN_LOG_H
#define DEPLOY_RUN_LOG_H

enum log_level { LOG_QUIET = 0, LOG_ERROR = 1, LOG_WARN = 2, LOG_INFO = 3, LOG_DEBUG = 4 };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Colour: -1 auto (stderr is a terminal and NO_COLOR unset), 0 off, 1 on. */
void log_set_color(int mode);
int log_use_color(int fd);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
