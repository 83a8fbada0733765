#include "cmd.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_usage_error(const char *command, const char *fmt, ...)
{
	char msg[ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_mask_controls(msg);
	if (command)
		fprintf(stderr, "deploy-run: error: %s (see 'deploy-run help %s')\n", msg, command);
	else
		fprintf(stderr, "deploy-run: error: %s (see 'deploy-run --help')\n", msg);
	return EXIT_USAGE;
}

void cmd_print_error(const struct error *err)
{
	error_print(err, stderr);
}

void cmd_print_line(FILE *f, const char *fmt, ...)
{
	char *line;
	va_list ap;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	error_mask_controls(line);
	fprintf(f, "%s\n", line);
	free(line);
}

void cmd_write_masked(FILE *f, const char *text, size_t len)
{
	_cleanup_free_ char *copy = xstrndup(text, len);
	char *s = copy, *nl;

	for (; (nl = strchr(s, '\n')); s = nl + 1) {
		*nl = '\0';
		error_mask_controls(s);
		fprintf(f, "%s\n", s);
	}
	error_mask_controls(s);
	fputs(s, f);
}

bool cmd_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return false;
	if (a[n] == '=' && name[1] == '-') {
		*value = a + n + 1;
		return true;
	}
	if (a[n] != '\0')
		return false;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

bool cmd_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cmd_profile_operand(const char *command, const char *arg, const char **name)
{
	if (arg[0] == '-')
		return cmd_usage_error(command, "unknown option '%s' for %s", arg, command);
	if (*name)
		return cmd_usage_error(command, "%s takes one PROFILE, got '%s' too", command, arg);
	*name = arg;
	return 0;
}

int cmd_help_of(const char *command, const struct globals *g)
{
	char *help[] = {"help", (char *)command, NULL};

	return cmd_help(2, help, g);
}
