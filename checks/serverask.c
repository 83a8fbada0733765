#include "serverask.h"
#include "pyenv.h"
#include "pyimport.h"
#include "servercfg.h"
#include "strbuf.h"
#include "strv.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define PREFIX "deploy-run-config: "
#define ASK_TIMEOUT_MS 30000

const char *const serverask_ids[] = {"server.effective-config", NULL};

static const char script[] =
	"import sys, os\n"
	"def out(name, v):\n"
	"    if callable(v) and not isinstance(v, (str, bytes)):\n"
	"        return\n"
	"    if v is None:\n"
	"        s = ''\n"
	"    elif isinstance(v, bool):\n"
	"        s = 'True' if v else 'False'\n"
	"    elif isinstance(v, (list, tuple)):\n"
	"        s = ','.join(str(x) if not isinstance(x, (list, tuple)) else ':'.join(map(str, x)) for x in v)\n"
	"    else:\n"
	"        s = str(v)\n"
	"    sys.stdout.write('\\n" PREFIX "%s=%s\\n' % (name, s.replace('\\n', '\\\\n')))\n"
	"server, args = sys.argv[1], sys.argv[2:]\n"
	"if server == 'gunicorn':\n"
	"    from gunicorn.app.wsgiapp import WSGIApplication\n"
	"    sys.argv = ['gunicorn'] + args\n"
	"    app = WSGIApplication('%(prog)s [OPTIONS] [APP_MODULE]')\n"
	"    for k, s in sorted(app.cfg.settings.items()):\n"
	"        out(k, s.get())\n"
	"    out('sendfile', app.cfg.sendfile)\n"
	"    out('SCRIPT_NAME', os.environ.get('SCRIPT_NAME', ''))\n"
	"else:\n"
	"    import uvicorn.main\n"
	"    cmd = sys.modules['uvicorn.main'].main\n"
	"    ctx = cmd.make_context('uvicorn', list(args))\n"
	"    p = ctx.params\n"
	"    for k in sorted(p):\n"
	"        out(k, p[k])\n"
	"    from uvicorn.config import Config\n"
	"    c = Config(p['app'], workers=p.get('workers'), env_file=p.get('env_file'),\n"
	"               forwarded_allow_ips=p.get('forwarded_allow_ips'))\n"
	"    out('workers', c.workers)\n"
	"    out('forwarded_allow_ips', c.forwarded_allow_ips)\n";

char *serverask_value(const char *buf, const char *name)
{
	const char *p = buf, *found = NULL;
	size_t n = strlen(name);

	while ((p = strstr(p, PREFIX))) {
		p += strlen(PREFIX);
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			found = p + n + 1;
	}
	return found ? xstrndup(found, strcspn(found, "\n")) : NULL;
}

/* Asks the server with envp; 0 with *out (the script's stdout), or -1 with why. */
static int ask(const char *python, int server, const struct strv *args, char *const *envp,
	       const char *cwd, char **out, char **why)
{
	struct strv a = STRV_INIT;
	struct pyimport_output o;
	struct error err = ERROR_INIT;
	size_t i;
	int rc = -1;

	*out = NULL;
	*why = NULL;
	strv_push(&a, profile_server_name(server));
	for (i = 0; i < args->n; i++)
		strv_push(&a, args->v[i]);
	if (pyimport_capture(python, script, strv_argv(&a), envp, cwd, ASK_TIMEOUT_MS, &o,
			     &err) < 0) {
		*why = xasprintf("%s: %s", err.message, err.errnum ? strerror(err.errnum) : "");
	} else if (o.timed_out) {
		*why = xasprintf("no answer within %d s", ASK_TIMEOUT_MS / 1000);
	} else if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0 || !strstr(o.out, PREFIX)) {
		/* the last line of stderr: argparse's or click's message, or the traceback's */
		char *e = o.err, *last = NULL, *line;

		for (line = strtok(e, "\n"); line; line = strtok(NULL, "\n"))
			if (*str_trim(line))
				last = line;
		*why = xstrdup(last ? str_trim(last) : "it exited without an answer");
	} else {
		*out = o.out;
		o.out = NULL;
		rc = 0;
	}
	pyimport_output_finish(&o);
	strv_finish(&a);
	return rc;
}

/* True when a and b mean the same value (the server's repr against ours). */
static bool same(const char *a, const char *b)
{
	if (str_eq(a, b))
		return true;
	if ((str_eq(a, "True") && str_eq(b, "true")) || (str_eq(a, "False") && str_eq(b, "false")))
		return true;
	return false;
}

/* The outside sources that touch setting, "VAR (origin), ...", or NULL. */
static char *sources_of(const struct servercfg *sc, const char *setting)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	for (i = 0; i < sc->noutside; i++)
		if (str_eq(sc->outside[i].setting, setting))
			strbuf_addf(&sb, "%s%s%s%s%s", sb.len ? ", " : "",
				    sc->outside[i].variable ? sc->outside[i].variable : "",
				    sc->outside[i].variable ? " (" : "", sc->outside[i].origin,
				    sc->outside[i].variable ? ")" : "");
	if (!sb.len) {
		strbuf_finish(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* Every NAME of the script's output, in order, once. */
static void names_of(const char *buf, struct strv *names)
{
	const char *p = buf;

	while ((p = strstr(p, PREFIX))) {
		const char *eq;
		_cleanup_free_ char *name = NULL;

		p += strlen(PREFIX);
		eq = strchr(p, '=');
		if (!eq)
			break;
		name = xstrndup(p, (size_t)(eq - p));
		if (strv_find(names, name) < 0)
			strv_push(names, name);
	}
}

void serverask_check(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	const char *server = profile_server_name(p->server);
	struct profile_loc loc = profile_loc(p, "app", "server");
	struct pyenv pe;
	struct pyenv_found found;
	struct servercfg sc;
	struct error err = ERROR_INIT;
	struct strv envp = STRV_INIT, base_envp = STRV_INIT, names = STRV_INIT;
	_cleanup_free_ char *python = xasprintf("%s/bin/python", p->venv);
	char *real = NULL, *base = NULL, *why = NULL;
	size_t i, k;

	if (!ctx->ask_server)
		return;
	memset(&found, 0, sizeof(found));
	if (pyenv_open(&pe, p->venv, ctx->env, &err) == 0) {
		pyenv_find(&pe, server, server, &found);
		pyenv_finish(&pe);
	}
	if (!found.importable) {
		pyenv_found_finish(&found);
		return; /* venv.server-missing says it */
	}
	if (servercfg_build(&sc, p, ctx->env, found.version, ctx->workers, NULL, ctx->cwd,
			    ctx->reveal, &err) < 0) {
		pyenv_found_finish(&found);
		return; /* server.command says it */
	}
	environ_envp(ctx->env, &envp);
	for (i = 0; i < envp.n; i++) {
		bool outside = false;

		for (k = 0; k < sc.noutside && !outside; k++) {
			const char *v = sc.outside[k].variable;

			outside = v && str_starts_with(envp.v[i], v) && envp.v[i][strlen(v)] == '=';
		}
		if (!outside)
			strv_push(&base_envp, envp.v[i]);
	}
	if (ask(python, p->server, &sc.args, strv_argv(&envp), ctx->cwd, &real, &why) < 0) {
		report_add(r, "server.effective-config", SEVERITY_ERROR, loc.file, loc.line,
			   "run deploy-run show to see the argv and environment, and correct what "
			   "the server rejects",
			   "asked for its configuration on deploy-run's argv and environment, %s "
			   "refuses it: %s", server, why);
		goto out;
	}
	/* the baseline differs only when something came from outside: without
	 * such inputs, one python start-up is enough */
	if (!sc.noutside) {
		base = NULL;
	} else if (ask(python, p->server, &sc.args, strv_argv(&base_envp), ctx->cwd, &base,
		       &why) < 0) {
		free(why);
		why = NULL;
		base = NULL;
	}
	names_of(real, &names);
	for (i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		const struct servercfg_setting *s = servercfg_get(&sc, name);
		_cleanup_free_ char *rv = serverask_value(real, name);
		_cleanup_free_ char *bv = base ? serverask_value(base, name) : NULL;
		_cleanup_free_ char *src = sources_of(&sc, name);

		/* uvicorn's reloader runs one process, whatever Config.workers says */
		if (p->server == SERVER_UVICORN && str_eq(name, "workers") && servercfg_get(&sc, "reload"))
			continue;
		if (s && s->pinned && s->value && !same(rv, s->value)) {
			report_add(r, "server.effective-config", SEVERITY_ERROR, loc.file, loc.line,
				   "deploy-run show PROFILE lists where each setting comes from",
				   "%s says it runs with %s = %s, but deploy-run passes %s (%s)%s%s",
				   server, name, rv, s->value, s->source, src ? "; set from outside by " : "",
				   src ? src : "");
		} else if (bv && !same(rv, bv) && !(s && s->pinned)) {
			report_add(r, "server.effective-config", SEVERITY_ERROR, loc.file, loc.line,
				   "remove the input from outside the profile (see server.outside-config)",
				   "%s says it runs with %s = %s, and without the inputs from outside "
				   "deploy-run's argv it would be %s%s%s", server, name,
				   profile_mask(p, name, rv, ctx->reveal), bv[0] ? bv : "unset",
				   src ? ": set by " : " (from an input deploy-run does not know)",
				   src ? src : "");
		}
	}
out:
	free(real);
	free(base);
	free(why);
	strv_finish(&names);
	strv_finish(&envp);
	strv_finish(&base_envp);
	servercfg_finish(&sc);
	pyenv_found_finish(&found);
}
