/* The table of subcommands, the global usage text and `deploy-run help`. */
#include "cmd.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

const struct command commands[] = {
	{"run", cmd_run, "run PROFILE [--exec] [-- ARGS...]",
	 "Checks the deployment, then starts the server of PROFILE with its bind, workers,\n"
	 "timeouts and environment. By default deploy-run stays as the server's parent\n"
	 "(forwarding signals, reaping zombies, cleaning up at exit); --exec replaces\n"
	 "deploy-run with the server instead, for hosts where systemd supervises.\n"
	 "ARGS after -- are appended to the server's arguments.\n\n"
	 "Options:\n"
	 "  --exec          replace deploy-run with the server (no supervisor)\n"
	 "  --no-check      start without the preflight checks (in production, who\n"
	 "                  can write the profile and .env files is still checked)\n"
	 "  --reveal        show secret values in messages\n\n"
	 "With [health] path or url, deploy-run probes the server until it answers\n"
	 "(or [health] start_timeout passes), then logs the time to ready, sends\n"
	 "READY=1 to $NOTIFY_SOCKET (systemd Type=notify), writes [health] ready_file,\n"
	 "and with $WATCHDOG_USEC sends WATCHDOG=1 while the probe keeps passing.\n\n"
	 "Exit status: the server's own; 128+N when it died of signal N; 124 when the\n"
	 "server never became ready and [health] on_timeout = stop; 125 when\n"
	 "deploy-run refused or failed before the server started; 126 when the server\n"
	 "is not executable; 127 when it is not found.\n"},
	{"check", cmd_check, "check PROFILE... [--format text|json|github|junit] [--strict] [--only IDS] [--skip IDS]",
	 "Proves the deployment of each PROFILE sound without starting anything.\n\n"
	 "Options:\n"
	 "  --format FMT        text (default), json, github (Actions annotations), junit\n"
	 "  --strict            warnings fail too\n"
	 "  --only IDS          only these ids or families (comma-separated; globs allowed)\n"
	 "  --skip IDS          skip these ids or families (one that matches no id: exit 2)\n"
	 "  --verify-records    hash every installed file against its RECORD\n"
	 "  --import            import the app in the venv's Python\n"
	 "  --reveal            show secret values in messages\n\n"
	 "Exit status: 0 no errors (warnings allowed unless --strict), 1 errors found,\n"
	 "2 usage error or unreadable/malformed input.\n"},
	{"show", cmd_show, "show PROFILE [--format text|json] [--reveal] [--all]",
	 "Shows what run would start: the profile chain, stage, root, working directory,\n"
	 "server argv and environment with the source of every value. Secrets are\n"
	 "masked unless --reveal. The text format lists the inherited process\n"
	 "environment only with --all; JSON always has it.\n"},
	{"diff", cmd_diff, "diff A B [C...] [--format text|json] [--ignore GLOBS] [--reveal]",
	 "Shows what differs between environments: everything show composes, resolved\n"
	 "as run would use it (the stage; the app's root, module, venv and its Python;\n"
	 "each server setting by name, workers = auto resolved; the .env files in their\n"
	 "order; every composed variable with its source; the lock, package by package,\n"
	 "pins and hashes; the health, cleanup and run settings). B and C are each\n"
	 "compared with A. Secrets are compared by a keyed hash drawn for this run: the\n"
	 "output says whether they differ, never their values unless --reveal.\n"
	 "[profile] expected_differences in A or B declares differences to ignore.\n\n"
	 "Options:\n"
	 "  --format FMT    text (default) or json\n"
	 "  --ignore GLOBS  differences to ignore: globs over SECTION.KEY, comma-separated\n"
	 "                  (server.bind,env.DATABASE_URL,stage); repeatable\n"
	 "  --reveal        show secret values\n"
	 "  --no-color      no colour, even on a terminal (NO_COLOR is honoured too)\n\n"
	 "Exit status: 0 no differences (after the ignored ones), 1 differences,\n"
	 "2 usage error or a profile that does not load.\n"},
	{"probe", cmd_probe, "probe PROFILE",
	 "Probes the server of PROFILE once: an HTTP GET of [health] path on the first\n"
	 "bind address (0.0.0.0 and :: on loopback, unix: binds over the socket), or of\n"
	 "[health] url, within [health] connect_timeout and timeout, expecting [health]\n"
	 "expect (default: any 2xx). Prints one line: the verdict, the status and the\n"
	 "time. Cheap enough for a Kubernetes exec probe or a Docker HEALTHCHECK: it\n"
	 "loads the profile and nothing else.\n\n"
	 "Exit status: 0 healthy, 1 unhealthy (no answer or an unexpected status),\n"
	 "2 usage error, bad profile or no [health] path or url.\n"},
	{"smoke", cmd_smoke, "smoke PROFILE [--timeout D] [--url PATH]... [--format text|json|junit]",
	 "The smoke test of a deployment in one CI command: runs the preflight checks,\n"
	 "starts the server under the supervisor, waits until it is ready (the [health]\n"
	 "probe; without one, the first --url or / answering 2xx), GETs each URL\n"
	 "expecting 2xx, stops the server with SIGTERM, lets the supervisor clean up,\n"
	 "and reports each URL with its status and time.\n\n"
	 "Options:\n"
	 "  --timeout D     how long the server may take to become ready (default:\n"
	 "                  [health] start_timeout), such as 20s\n"
	 "  --url PATH      a path (or full URL) to GET once ready; repeatable;\n"
	 "                  default: the health probe's path\n"
	 "  --format FMT    text (default), json, junit\n\n"
	 "Exit status: 0 everything passed; 1 a URL failed, the preflight failed, the\n"
	 "server never became ready or did not stop cleanly; 2 usage error or bad input.\n"},
	{"profiles", cmd_profiles, "profiles",
	 "Lists the profiles found in the profiles directory with their stage and\n"
	 "description; a profile that does not load is listed with its error.\n"
	 "\n"
	 "Exit status: 0 every profile loads, 1 one does not, 2 usage error or no\n"
	 "profiles directory.\n"},
	{"init", cmd_init, "init [DIR] [--force]",
	 "Scaffolds profiles/base.ini, dev.ini, staging.ini and prod.ini for the app in\n"
	 "DIR (default: the working directory), detecting its virtualenv and Python, the\n"
	 "servers installed in it, the requirements lock, the .env files, the WSGI or\n"
	 "ASGI entry point and a health route. base.ini lists every other key as a\n"
	 "commented default. The profiles go to DIR/profiles, or to --profiles DIR.\n\n"
	 "Options:\n"
	 "  --force         overwrite existing profiles\n\n"
	 "Exit status: 0 written; 2 usage error, or a profile exists and --force was\n"
	 "not given (nothing is written then).\n"},
	{"bundle", cmd_bundle, "bundle PROFILE -o FILE [--level N]",
	 "Writes a reproducible release bundle of PROFILE: the app root filtered by\n"
	 "[bundle] include/exclude (never the venv, .git, __pycache__, *.pyc, an\n"
	 "unconfigured wheelhouse, or .env files holding [env] secrets unless\n"
	 "[bundle] secrets_ok names them), the lock, the configured wheelhouse, the\n"
	 "profiles of the chain under profiles/, and a MANIFEST with the SHA-256, size\n"
	 "and mode of every entry. FILE's extension picks the format: .tar.gz (.tgz),\n"
	 ".tar.zst (.tzst) or .zip. The same inputs give the same bytes: sorted\n"
	 "entries, owner 0/0, modes 0644/0755, every mtime SOURCE_DATE_EPOCH or else\n"
	 "the newest bundled file's.\n\n"
	 "Options:\n"
	 "  -o, --output FILE   the bundle to write (through a temporary file beside it)\n"
	 "  --level N           compression level (gzip and zip 1-9, default 6; zstd\n"
	 "                      1-19, default 3)\n\n"
	 "Exit status: 0 written, 2 usage error, unreadable input, or a wheel that does\n"
	 "not match the lock.\n"},
	{"verify-bundle", cmd_verify_bundle, "verify-bundle FILE",
	 "Checks a bundle without unpacking it: MANIFEST first, every entry matching\n"
	 "it (type, mode, size, SHA-256), none extra or missing, every entry safe to\n"
	 "unpack, and the bundled wheels matching the lock's hashes.\n\n"
	 "Exit status: 0 sound, 1 verification failed (each problem names the entry),\n"
	 "2 usage error or unreadable/malformed archive.\n"},
	{"unbundle", cmd_unbundle, "unbundle FILE -C DIR",
	 "Verifies FILE as verify-bundle does, then unpacks it into DIR, which must\n"
	 "not exist or be empty. Refuses absolute paths, '..' components, symlinks or\n"
	 "hard links leading out of DIR, device files, FIFOs and setuid/setgid bits.\n"
	 "Unpacks into a temporary directory beside DIR, renamed to DIR at the end: a\n"
	 "failure leaves nothing behind. Then 'deploy-run -C DIR check PROFILE' works.\n\n"
	 "Options:\n"
	 "  -C, --directory DIR   where to unpack\n\n"
	 "Exit status: 0 unpacked, 1 verification failed (nothing written), 2 usage\n"
	 "error, unreadable archive, DIR not empty, or a failed write.\n"},
	{"help", cmd_help, "help [SUBCOMMAND]",
	 "Shows the help of deploy-run or of one subcommand.\n"},
	{NULL, NULL, NULL, NULL},
};

void cmd_usage(FILE *f)
{
	size_t i;

	fputs("Usage: deploy-run [-C DIR] [--profiles DIR] [--no-color] [-q|-v] PROFILE [-- ARGS...]\n"
	      "       deploy-run [GLOBAL OPTIONS] SUBCOMMAND [OPTIONS]\n\n"
	      "Starts a Python web app (gunicorn or uvicorn) as its profile describes, after\n"
	      "proving the deployment sound. A bare PROFILE means 'run PROFILE'.\n\n"
	      "Subcommands:\n", f);
	for (i = 0; commands[i].name; i++)
		fprintf(f, "  deploy-run %s\n", commands[i].synopsis);
	fputs("\nGlobal options:\n"
	      "  -C DIR            change to DIR first (profiles are then DIR/profiles)\n"
	      "  --profiles DIR    where PROFILE names are looked up (default: ./profiles)\n"
	      "  --no-color        no colour, even on a terminal (NO_COLOR is honoured too)\n"
	      "  -q, --quiet       only errors\n"
	      "  -v, --verbose     more detail\n"
	      "  -h, --help        this help; 'deploy-run help SUBCOMMAND' for one subcommand\n"
	      "  -V, --version     the version\n", f);
}

const struct command *cmd_find(const char *name)
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

	(void)g;
	if (argc < 2) {
		cmd_usage(stdout);
		return 0;
	}
	c = cmd_find(cmd_is_help(argv[1]) ? "help" : argv[1]);
	if (!c)
		return cmd_usage_error(NULL, "unknown subcommand '%s'", argv[1]);
	printf("Usage: deploy-run %s\n\n%s", c->synopsis, c->help);
	return 0;
}

