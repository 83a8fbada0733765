/*
 * deploy-run bundle PROFILE -o FILE, verify-bundle FILE, unbundle FILE -C DIR.
 * The archive logic is bundle-create.c's and bundle-verify.c's; these parse options and print.
 */
#include "bundle.h"
#include "cmd.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SOURCE_DATE_EPOCH (reproducible-builds.org): -1 when unset, -2 when invalid. */
static int64_t source_date_epoch(void)
{
	const char *v = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long n;

	if (!v || !*v)
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end || n < 0 || v[0] < '0' || v[0] > '9')
		return -2;
	return (int64_t)n;
}

/* Prints the problems of a report; returns the exit code. */
static int print_problems(const char *archive, const struct bundle_report *r, const char *then)
{
	struct error err = ERROR_INIT;
	size_t i;

	/* the problems quote entry names: error_print() masks them */
	for (i = 0; i < r->problems.n; i++) {
		error_at(&err, archive, 0, 0, "%s", r->problems.v[i]);
		cmd_print_error(&err);
	}
	if (r->problems.n) {
		error_at(&err, archive, 0, 0, "verification failed (%zu problem%s)%s",
			 r->problems.n, r->problems.n == 1 ? "" : "s", then);
		cmd_print_error(&err);
		return EXIT_FINDINGS;
	}
	return 0;
}

int cmd_bundle(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	struct bundle_options o = {-1, 0};
	struct bundle_stats stats;
	struct loaded l;
	const char *name = NULL, *output = NULL;
	size_t k;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (cmd_opt(argc, argv, &i, "-o", &v) || cmd_opt(argc, argv, &i, "--output", &v)) {
			if (!v)
				return cmd_usage_error("bundle", "option '%s' needs a file", a);
			output = v;
		} else if (cmd_opt(argc, argv, &i, "--level", &v)) {
			char *end;
			long n;

			if (!v)
				return cmd_usage_error("bundle", "option '--level' needs a number");
			n = strtol(v, &end, 10);
			if (*end || end == v || n < 1 || n > 19)
				return cmd_usage_error("bundle", "invalid --level '%s': expected 1 to 9 "
						       "(gzip, zip) or 1 to 19 (zstd)", v);
			o.level = (int)n;
		} else if (cmd_is_help(a)) {
			return cmd_help_of("bundle", g);
		} else if (a[0] == '-' && a[1]) {
			return cmd_usage_error("bundle", "unknown option '%s'", a);
		} else if (!name) {
			name = a;
		} else {
			return cmd_usage_error("bundle", "one PROFILE only (got '%s' and '%s')", name, a);
		}
	}
	if (!name || !output)
		return cmd_usage_error("bundle", "usage: deploy-run bundle PROFILE -o FILE");
	if (bundle_format_of(output) < 0)
		return cmd_usage_error("bundle", "'%s': the file name must end in .tar.gz, .tgz, "
				       ".tar.zst, .tzst or .zip", output);
	if (o.level > 9 && bundle_format_of(output) != BUNDLE_TAR_ZST)
		return cmd_usage_error("bundle", "--level above 9 is for zstd only");
	o.mtime = source_date_epoch();
	if (o.mtime == -2)
		return cmd_usage_error("bundle", "SOURCE_DATE_EPOCH must be a number of seconds");
	if (cmd_load(&l, name, g, NULL, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	rc = bundle_create(l.profile, output, &o, &stats, &err);
	for (k = 0; k < stats.notes.n; k++)
		if (g->verbosity >= 0 || rc < 0)
			cmd_print_line(stderr, "deploy-run: note: %s", stats.notes.v[k]);
	if (rc < 0) {
		cmd_print_error(&err);
		rc = EXIT_USAGE;
	} else {
		if (g->verbosity >= 0)
			cmd_print_line(stdout, "%s: %zu files, %zu directories, %zu symlinks, %" PRIu64
				       " bytes, profile %s", output, stats.files, stats.dirs, stats.links,
			       stats.bytes, l.profile->name);
		rc = 0;
	}
	bundle_stats_finish(&stats);
	cmd_unload(&l);
	return rc;
}

int cmd_verify_bundle(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	struct bundle_report r;
	int rc;

	for (int i = 1; i < argc; i++)
		if (cmd_is_help(argv[i]))
			return cmd_help_of("verify-bundle", g);
	if (argc != 2 || argv[1][0] == '-')
		return cmd_usage_error("verify-bundle", "usage: deploy-run verify-bundle FILE");
	if (bundle_verify(argv[1], &r, &err) < 0) {
		cmd_print_error(&err);
		bundle_report_finish(&r);
		return EXIT_USAGE;
	}
	rc = print_problems(argv[1], &r, "");
	if (rc == 0 && g->verbosity >= 0)
		cmd_print_line(stdout, "%s: OK, %zu entries match the MANIFEST (profile %s, "
			       "deploy-run %s)", argv[1], r.entries, r.manifest.profile,
			       r.manifest.version);
	bundle_report_finish(&r);
	return rc;
}

int cmd_unbundle(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	struct bundle_report r;
	const char *file = NULL, *dir = NULL;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (cmd_opt(argc, argv, &i, "-C", &v) || cmd_opt(argc, argv, &i, "--directory", &v)) {
			if (!v)
				return cmd_usage_error("unbundle", "option '%s' needs a directory", a);
			dir = v;
		} else if (cmd_is_help(a)) {
			return cmd_help_of("unbundle", g);
		} else if (a[0] == '-' && a[1]) {
			return cmd_usage_error("unbundle", "unknown option '%s'", a);
		} else if (!file) {
			file = a;
		} else {
			return cmd_usage_error("unbundle", "one FILE only (got '%s' and '%s')", file, a);
		}
	}
	if (!file || !dir || !*dir)
		return cmd_usage_error("unbundle", "usage: deploy-run unbundle FILE -C DIR");
	if (bundle_unpack(file, dir, &r, &err) < 0) {
		cmd_print_error(&err);
		bundle_report_finish(&r);
		return EXIT_USAGE;
	}
	rc = print_problems(file, &r, ": nothing was unpacked");
	if (rc == 0 && g->verbosity >= 0)
		cmd_print_line(stdout, "%s: verified and unpacked into %s (%zu entries, profile %s)",
			       file, dir, r.entries, r.manifest.profile);
	bundle_report_finish(&r);
	return rc;
}

const struct command_help cmd_bundle_help = {
	"bundle PROFILE -o FILE [--level N]",
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
	"not match the lock.\n"
};

const struct command_help cmd_verify_bundle_help = {
	"verify-bundle FILE",
	"Checks a bundle without unpacking it: MANIFEST first, every entry matching\n"
	"it (type, mode, size, SHA-256), none extra or missing, every entry safe to\n"
	"unpack, and the bundled wheels matching the lock's hashes.\n\n"
	"Exit status: 0 sound, 1 verification failed (each problem names the entry),\n"
	"2 usage error or unreadable/malformed archive.\n"
};

const struct command_help cmd_unbundle_help = {
	"unbundle FILE -C DIR",
	"Verifies FILE as verify-bundle does, then unpacks it into DIR, which must\n"
	"not exist or be empty. Refuses absolute paths, '..' components, symlinks or\n"
	"hard links leading out of DIR, device files, FIFOs and setuid/setgid bits.\n"
	"Unpacks into a temporary directory beside DIR, renamed to DIR at the end: a\n"
	"failure leaves nothing behind. Then 'deploy-run -C DIR check PROFILE' works.\n\n"
	"Options:\n"
	"  -C, --directory DIR   where to unpack\n\n"
	"Exit status: 0 unpacked, 1 verification failed (nothing written), 2 usage\n"
	"error, unreadable archive, DIR not empty, or a failed write.\n"
};
