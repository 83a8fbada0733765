/*
 * A test driver for the supervisor: supervisor_run() with options instead
 * of a profile, so that the end-to-end scripts can exercise it directly.
 *
 *   supervise [options] -- ARGV...
 *     -t, --kill-timeout MS     stop signal -> SIGKILL of the tree
 *     -o, --orphan-timeout MS   server gone: SIGTERM orphans, SIGKILL after
 *     -s, --success-signal SIG  death by SIG exits 0 (repeatable)
 *     -u, --user USER           drop privileges
 *     -C, --cwd DIR
 *         --shm remove|report|off
 *         --prometheus-dir DIR
 *         --pid-file FILE
 *         --socket PATH         a unix socket of the server (repeatable)
 *         --keep-process-group
 *         --block-signals       start with every signal blocked (as an unkind parent would)
 *         --ignore-signals      start with every signal ignored
 *         --stop-after MS       ask for a stop (SIGTERM) MS after the start, through
 *                               the loop's timer hook
 *         --started-file FILE   write the server's pid there from the on_started hook
 *     -q, --quiet
 */
#include "error.h"
#include "log.h"
#include "signame.h"
#include "strv.h"
#include "supervisor.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hook {
	long stop_after;
	const char *started_file;
};

static void stop_now(struct supervisor *sv, void *data)
{
	supervisor_stop(sv, SIGTERM, "--stop-after elapsed");
}

static void started(struct supervisor *sv, pid_t pid, void *data)
{
	struct hook *h = data;
	struct error err = ERROR_INIT;

	if (h->started_file) {
		FILE *f = fopen(h->started_file, "w");

		if (f) {
			fprintf(f, "%d\n", (int)supervisor_server_pid(sv));
			fclose(f);
		}
	}
	if (h->stop_after >= 0 &&
	    supervisor_add_timer(sv, (uint64_t)h->stop_after, stop_now, NULL, &err) < 0)
		error_print(&err, stderr);
}

static int usage(void)
{
	fprintf(stderr, "usage: supervise [options] -- ARGV...\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"kill-timeout", required_argument, NULL, 't'},
		{"orphan-timeout", required_argument, NULL, 'o'},
		{"success-signal", required_argument, NULL, 's'},
		{"user", required_argument, NULL, 'u'},
		{"cwd", required_argument, NULL, 'C'},
		{"quiet", no_argument, NULL, 'q'},
		{"shm", required_argument, NULL, 1},
		{"prometheus-dir", required_argument, NULL, 2},
		{"pid-file", required_argument, NULL, 3},
		{"socket", required_argument, NULL, 4},
		{"keep-process-group", no_argument, NULL, 5},
		{"block-signals", no_argument, NULL, 6},
		{"ignore-signals", no_argument, NULL, 7},
		{"stop-after", required_argument, NULL, 8},
		{"started-file", required_argument, NULL, 9},
		{NULL, 0, NULL, 0},
	};
	struct supervisor_config cfg = {0};
	struct error err = ERROR_INIT;
	struct strv sockets = STRV_INIT;
	struct hook hook = {-1, NULL};
	int c, sig, rc;

	while ((c = getopt_long(argc, argv, "+t:o:s:u:C:q", opts, NULL)) != -1) {
		switch (c) {
		case 't': cfg.kill_timeout_ms = atoll(optarg); break;
		case 'o': cfg.orphan_timeout_ms = atoll(optarg); break;
		case 's':
			sig = signame_to_number(optarg);
			if (sig < 1 || sig > 63) {
				fprintf(stderr, "supervise: unknown signal %s\n", optarg);
				return 2;
			}
			cfg.success_signals |= 1ull << sig;
			break;
		case 'u': cfg.user = optarg; break;
		case 'C': cfg.cwd = optarg; break;
		case 'q': cfg.quiet = true; break;
		case 1:
			if (!strcmp(optarg, "remove"))
				cfg.shm = CLEANUP_SHM_REMOVE;
			else if (!strcmp(optarg, "report"))
				cfg.shm = CLEANUP_SHM_REPORT;
			else if (!strcmp(optarg, "off"))
				cfg.shm = CLEANUP_SHM_OFF;
			else
				return usage();
			break;
		case 2: cfg.prometheus_dir = optarg; break;
		case 3: cfg.pid_file = optarg; break;
		case 4: strv_push(&sockets, optarg); break;
		case 5: cfg.keep_process_group = true; break;
		case 6: {
			sigset_t all;

			sigfillset(&all);
			sigprocmask(SIG_SETMASK, &all, NULL);
			break;
		}
		case 7:
			for (sig = 1; sig < NSIG; sig++)
				if (sig != SIGKILL && sig != SIGSTOP)
					signal(sig, SIG_IGN);
			break;
		case 8: hook.stop_after = atol(optarg); break;
		case 9: hook.started_file = optarg; break;
		default: return usage();
		}
	}
	if (optind >= argc)
		return usage();
	cfg.argv = argv + optind;
	cfg.unix_sockets = sockets.v;
	cfg.on_started = started;
	cfg.data = &hook;
	rc = supervisor_run(&cfg, &err);
	if (error_is_set(&err))
		error_print(&err, stderr);
	strv_finish(&sockets);
	return rc;
}
