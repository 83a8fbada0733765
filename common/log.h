/*
 * Diagnostics for people: "deploy-run: warning: ..." on stderr.  Errors
 * with a location go through struct error and error_print(); these are for
 * progress and the supervisor's own messages.
 */
#ifndef DEPLOY_RUN_LOG_H
#define DEPLOY_RUN_LOG_H

enum log_level { LOG_QUIET = 0, LOG_ERROR = 1, LOG_WARN = 2, LOG_INFO = 3, LOG_DEBUG = 4 };

void log_set_level(enum log_level level);
/* Colour: -1 auto (stderr is a terminal and NO_COLOR unset), 0 off, 1 on. */
void log_set_color(int mode);
int log_use_color(int fd);

/*
 * Prints "deploy-run: TAG: MESSAGE" on stderr when l is within the level set
 * (TAG error, warning or debug, coloured when log_use_color(2); info has
 * none).  Messages longer than 4 KiB are cut; control characters become '?'
 * (error_mask_controls()).
 */
void log_msg(enum log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
