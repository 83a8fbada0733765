#include "cmd.h"
#include "resolved.h"
#include "strbuf.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* Writes out what o holds once it is large: thousands of variables are
 * printed through a small buffer instead of one that grows to their size.
 * The text format quotes values and names from input: masked. */
static void flush_some(struct strbuf *o, bool text)
{
	if (o->len >= 16384) {
		if (text)
			cmd_write_masked(stdout, o->buf, o->len);
		else
			fwrite(o->buf, 1, o->len, stdout);
		strbuf_reset(o);
	}
}

static void render_json(const struct loaded *l, bool reveal, struct strbuf *o)
{
	const struct profile *p = l->profile;
	size_t i;
	bool first = true;

	strbuf_adds(o, "{\"profile\": ");
	strbuf_add_json(o, p->name);
	strbuf_adds(o, ", \"chain\": [");
	for (i = 0; i < p->chain.n; i++) {
		strbuf_adds(o, i ? ", " : "");
		strbuf_add_json(o, p->chain.v[i]);
	}
	strbuf_adds(o, "], \"stage\": ");
	strbuf_add_json(o, profile_stage_name(p->stage));
	strbuf_adds(o, ", \"root\": ");
	strbuf_add_json(o, p->root);
	strbuf_adds(o, ", \"cwd\": ");
	strbuf_add_json(o, p->workdir);
	strbuf_adds(o, ", \"argv\": [");
	for (i = 0; i < l->launch.argv.n; i++) {
		strbuf_adds(o, i ? ", " : "");
		strbuf_add_json(o, l->launch.argv.v[i]);
	}
	/* each server setting's effective value and source (checks/servercfg.h) */
	strbuf_adds(o, "], \"server\": {");
	for (i = 0; i < l->launch.server.nsettings; i++) {
		const struct servercfg_setting *s = &l->launch.server.settings[i];

		strbuf_adds(o, i ? ", " : "");
		strbuf_add_json(o, s->name);
		strbuf_adds(o, ": {\"value\": ");
		strbuf_add_json(o, s->value);
		strbuf_adds(o, ", \"source\": ");
		strbuf_add_json(o, s->source);
		strbuf_adds(o, ", \"overrides\": ");
		if (s->overridden)
			strbuf_add_json(o, s->overridden);
		else
			strbuf_adds(o, "null");
		strbuf_adds(o, "}");
	}
	strbuf_adds(o, "}, \"env\": {");
	for (i = 0; i < l->env.n; i++) {
		const struct env_var *v = &l->env.vars[i];

		if (v->removed)
			continue;
		strbuf_adds(o, first ? "" : ", ");
		first = false;
		strbuf_add_json(o, v->key);
		strbuf_adds(o, ": {\"value\": ");
		strbuf_add_json(o, profile_mask(p, v->key, v->value, reveal));
		strbuf_adds(o, ", \"source\": ");
		strbuf_add_json(o, v->source);
		strbuf_adds(o, "}");
		flush_some(o, false);
	}
	strbuf_adds(o, "}}\n");
}

/* The server's settings by name, as the resolved model has them (the
 * items `diff` compares), with where each comes from. */
static void render_settings(const struct loaded *l, struct strbuf *o)
{
	struct resolved_opts opts = {0};
	struct error err = ERROR_INIT;
	struct resolved r;
	size_t first, n, i, w = 0;

	if (resolved_build(&r, l, &opts, &err) < 0)
		return; /* without the lock it reads nothing that can fail */
	n = resolved_section(&r, "server", &first);
	for (i = first; i < first + n; i++)
		if (strlen(r.items[i].key) > w)
			w = strlen(r.items[i].key);
	strbuf_addf(o, "server   %s\n", profile_server_name(l->profile->server));
	for (i = first; i < first + n; i++) {
		const struct resolved_item *it = &r.items[i];

		strbuf_addf(o, "  %-*s  %s  [%s]\n", (int)w, it->key, it->value ? it->value : "",
			    it->source);
	}
	resolved_finish(&r);
}

static void render_text(const struct loaded *l, bool reveal, bool all, struct strbuf *o)
{
	const struct profile *p = l->profile;
	size_t i, inherited = 0;

	strbuf_addf(o, "profile  %s\n", p->name);
	strbuf_adds(o, "chain    ");
	for (i = 0; i < p->chain.n; i++)
		strbuf_addf(o, "%s%s", i ? " -> " : "", p->files.v[i]);
	strbuf_addf(o, "\nstage    %s\n", profile_stage_name(p->stage));
	strbuf_addf(o, "root     %s\n", p->root);
	strbuf_addf(o, "cwd      %s\n", p->workdir);
	strbuf_addf(o, "workers  %ld%s\n", l->launch.workers,
		    p->workers ? "" : " (auto)");
	strbuf_adds(o, "argv     ");
	for (i = 0; i < l->launch.argv.n; i++) {
		if (i)
			strbuf_addc(o, ' ');
		strbuf_add_shell_word(o, l->launch.argv.v[i]);
	}
	strbuf_addc(o, '\n');
	render_settings(l, o);
	strbuf_adds(o, "env\n");
	for (i = 0; i < l->env.n; i++) {
		const struct env_var *v = &l->env.vars[i];
		const char *shown = profile_mask(p, v->key, v->value, reveal);

		if (!all && strcmp(v->source, "process") == 0) {
			inherited++;
			continue;
		}
		if (v->removed)
			strbuf_addf(o, "  %s  (removed)  [%s]\n", v->key, v->source);
		else if (!shown)
			strbuf_addf(o, "  %s  (declared without a value, not set)  [%s]\n", v->key,
				    v->source);
		else
			strbuf_addf(o, "  %s=%s  [%s]\n", v->key, shown, v->source);
		flush_some(o, true);
	}
	if (inherited)
		strbuf_addf(o, "  (%zu more inherited from the process environment; --all lists them)\n",
			    inherited);
}

int cmd_show(int argc, char **argv, const struct globals *g)
{
	struct error err = ERROR_INIT;
	_cleanup_(cmd_unload) struct loaded l = {0};
	struct strbuf out;
	const char *name = NULL, *format = "text";
	bool reveal = false, all = false;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--reveal") == 0) {
			reveal = true;
		} else if (strcmp(a, "--all") == 0) {
			all = true;
		} else if (cmd_opt(argc, argv, &i, "--format", &format)) {
			if (!format)
				return cmd_usage_error("show", "--format takes text or json");
		} else if (cmd_is_help(a)) {
			return cmd_help_of("show", g);
		} else if ((rc = cmd_profile_operand("show", a, &name)) != 0) {
			return rc;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)
		return cmd_usage_error("show", "--format takes text or json, not '%s'", format);
	if (!name)
		return cmd_usage_error("show", "show needs a PROFILE");
	if (cmd_load(&l, name, g, NULL, &err) < 0) {
		cmd_print_error(&err);
		return EXIT_USAGE;
	}
	if (!l.launch_ok) {
		cmd_print_error(&l.launch_error);
		return EXIT_USAGE;
	}
	strbuf_init(&out);
	if (strcmp(format, "json") == 0)
		render_json(&l, reveal, &out);
	else
		render_text(&l, reveal, all, &out);
	if (strcmp(format, "json") == 0)
		fwrite(out.buf, 1, out.len, stdout);
	else
		cmd_write_masked(stdout, out.buf, out.len);
	strbuf_finish(&out);
	return 0;
}

const struct command_help cmd_show_help = {
	"show PROFILE [--format text|json] [--reveal] [--all]",
	"Shows what run would start: the profile chain, stage, root, working directory,\n"
	"server argv and environment with the source of every value. Secrets are\n"
	"masked unless --reveal. The text format lists the inherited process\n"
	"environment only with --all; JSON always has it.\n"
};
