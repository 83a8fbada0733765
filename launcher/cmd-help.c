/* The global usage text and `deploy-run help`, over the table of subcommands
 * that main.c holds and passes in struct globals. */
#include "cmd.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

const struct command_help cmd_help_help = {
	"help [SUBCOMMAND]",
	"Shows the help of deploy-run or of one subcommand.\n"
};

void cmd_usage(FILE *f, const struct command *commands)
{
	size_t i;

	fputs("Usage: deploy-run [-C DIR] [--profiles DIR] [--no-color] [-q|-v] PROFILE [-- ARGS...]\n"
	      "       deploy-run [GLOBAL OPTIONS] SUBCOMMAND [OPTIONS]\n\n"
	      "Starts a Python web app (gunicorn or uvicorn) as its profile describes, after\n"
	      "proving the deployment sound. A bare PROFILE means 'run PROFILE'.\n\n"
	      "Subcommands:\n", f);
	for (i = 0; commands[i].name; i++)
		fprintf(f, "  deploy-run %s\n", commands[i].help->synopsis);
	fputs("\nGlobal options:\n"
	      "  -C DIR            change to DIR first (profiles are then DIR/profiles)\n"
	      "  --profiles DIR    where PROFILE names are looked up (default: ./profiles)\n"
	      "  --no-color        no colour, even on a terminal (NO_COLOR is honoured too)\n"
	      "  -q, --quiet       only errors\n"
	      "  -v, --verbose     more detail\n"
	      "  -h, --help        this help; 'deploy-run help SUBCOMMAND' for one subcommand\n"
	      "  -V, --version     the version\n", f);
}

const struct command *cmd_find(const struct command *commands, const char *name)
{
	size_t i;

	for (i = 0; commands[i].name; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int cmd_help(int argc, char **argv, const struct globals *g)
{
	const struct command *c;

	if (argc < 2) {
		cmd_usage(stdout, g->commands);
		return 0;
	}
	c = cmd_find(g->commands, cmd_is_help(argv[1]) ? "help" : argv[1]);
	if (!c)
		return cmd_usage_error(NULL, "unknown subcommand '%s'", argv[1]);
	printf("Usage: deploy-run %s\n\n%s", c->help->synopsis, c->help->text);
	return 0;
}

