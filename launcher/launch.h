/*
 * What `run` starts: the server's command (checks/servercfg.h builds the
 * argv, checks/pyenv.h finds the server and its version), its working
 * directory and its environment.  Built once, used by `run --exec`, the
 * supervisor, `show` and the checks, so that what is shown is what runs.
 */
#ifndef DEPLOY_RUN_LAUNCH_H
#define DEPLOY_RUN_LAUNCH_H

#include "environ.h"
#include "error.h"
#include "profile.h"
#include "servercfg.h"
#include "strv.h"

struct launch {
	char *exe;          /* absolute path of the server in the venv's bin/, or of the
			     * venv's python when the console script is missing and the
			     * server starts as "python -m NAME" (checks/servercfg.h) */
	bool module;        /* started with python -m */
	char *version;      /* the server's version (checks/pyenv.h), NULL when unknown */
	struct strv argv;   /* argv[0] is exe */
	struct strv envp;   /* KEY=VALUE: empty until launch_envp() */
	const struct environ *env; /* what envp is made from */
	char *cwd;
	long workers;       /* the number passed (auto resolved) */
	long cpus;          /* usable CPUs seen when resolving auto */
	/* what the server will run with (checks/servercfg.h): each setting's
	 * effective value and source, by the server's own name, and every input
	 * from outside the argv; what `show` prints and `diff` compares */
	struct servercfg server;
};

/*
 * Builds the launch of p with the composed environment env; extra are
 * arguments given after "--" on the command line (may be NULL).  cpus is
 * the number of usable CPUs (cpus_usable()), used for workers = auto.
 * Fails (-1, err with the profile's file:line) for settings the server
 * cannot express, such as several binds for uvicorn.
 */
int launch_build(struct launch *out, const struct profile *p, const struct environ *env,
		 char *const *extra, long cpus, struct error *err);

/*
 * The server's environment ("KEY=VALUE", NULL-terminated), made from the
 * environment given to launch_build() on the first call, which must still
 * be alive; kept in l->envp.  Only what executes the server needs it: show
 * and check never pay for copying the whole environment.
 */
char **launch_envp(struct launch *l);
void launch_finish(struct launch *l);

#endif
