#include "launch.h"
#include "path.h"
#include "pyenv.h"
#include "servercfg.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int launch_build(struct launch *l, const struct profile *p, const struct environ *env,
		 char *const *extra, long cpus, struct error *err)
{
	struct pyenv pe;
	struct pyenv_found found;
	struct error perr = ERROR_INIT;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->cpus = cpus;
	l->workers = p->workers ? p->workers : profile_auto_workers(p, cpus);
	l->cwd = xstrdup(p->workdir);
	memset(&found, 0, sizeof(found));
	if (pyenv_open(&pe, p->venv, env, &perr) == 0) {
		pyenv_find(&pe, profile_server_name(p->server), profile_server_name(p->server),
			   &found);
		pyenv_finish(&pe);
	}
	servercfg_command(p, &found, &l->argv, &l->module);
	l->exe = xstrdup(l->argv.v[0]);
	l->version = found.version ? xstrdup(found.version) : NULL;
	pyenv_found_finish(&found);
	if (servercfg_build(&l->server, p, env, l->version, l->workers, extra, l->cwd, false,
			    err) < 0) {
		launch_finish(l);
		return -1;
	}
	for (i = 0; i < l->server.args.n; i++)
		strv_push(&l->argv, l->server.args.v[i]);
	l->env = env;
	return 0;
}

char **launch_envp(struct launch *l)
{
	if (!l->envp.n && l->env)
		environ_envp(l->env, &l->envp);
	return strv_argv(&l->envp);
}

void launch_finish(struct launch *l)
{
	if (!l)
		return;
	servercfg_finish(&l->server);
	free(l->exe);
	free(l->cwd);
	free(l->version);
	strv_finish(&l->argv);
	strv_finish(&l->envp);
	memset(l, 0, sizeof(*l));
}
