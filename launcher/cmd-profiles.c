#include "cmd.h"
#include "fileio.h"
#include "path.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_profiles(int argc, char **argv, const struct globals *g)
{
	struct strv names = STRV_INIT;
	size_t i;
	int rc = 0;

	if (argc > 1 && cmd_is_help(argv[1]))
		return cmd_help_of("profiles", g);
	if (argc > 1)
		return cmd_usage_error("profiles", "profiles takes no arguments, got '%s'", argv[1]);
	if (file_dir_names(g->profiles_dir, NULL, ".ini", false, &names) < 0) {
		struct error err = ERROR_INIT;

		error_at(&err, g->profiles_dir, 0, 0, "cannot open the profiles directory: %s%s",
			 strerror(errno), errno == ENOENT ? " (-C DIR or --profiles DIR says where "
			 "the profiles are; 'deploy-run init' writes them for an app)" : "");
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	for (i = 0; i < names.n; i++) {
		struct error err = ERROR_INIT;
		_cleanup_free_ char *path = path_join(g->profiles_dir, names.v[i]);
		struct profile *p = profile_load(path, NULL, &err);
		int n = (int)(strlen(names.v[i]) - 4);

		if (!p) {
			char line[ERROR_FILE_MAX + ERROR_MESSAGE_MAX + 64];

			error_format(&err, line, sizeof(line));
			cmd_print_line(stdout, "%-16.*s %-12s %s", n, names.v[i], "(invalid)", line);
			rc = EXIT_FINDINGS;
			continue;
		}
		/* file names and descriptions are input: masked */
		cmd_print_line(stdout, "%-16.*s %-12s %s", n, names.v[i],
			       profile_stage_name(p->stage), p->description ? p->description : "");
		profile_destroy(p);
	}
	strv_finish(&names);
	return rc;
}

const struct command_help cmd_profiles_help = {
	"profiles",
	"Lists the profiles found in the profiles directory with their stage and\n"
	"description; a profile that does not load is listed with its error.\n"
	"\n"
	"Exit status: 0 every profile loads, 1 one does not, 2 usage error or no\n"
	"profiles directory.\n"
};
