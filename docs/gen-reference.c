/*
 * Prints the profile reference from the key table (profiles/keys.c):
 *   gen-reference markdown   docs/profiles.md
 *   gen-reference scdoc      the KEYS part of deploy-run.ini(5)
 * A test compares docs/profiles.md with the output, so the documentation
 * cannot drift from what the parser accepts.
 */
#include "keys.h"

#include <stdio.h>
#include <string.h>

static void default_text(const struct key_def *d, char *buf, size_t size)
{
	if (d->type == KT_EXTENDS || !d->def)
		snprintf(buf, size, "%s", d->type == KT_EXTENDS ? "none" : "none (required)");
	else if (!d->def[0])
		snprintf(buf, size, "empty");
	else
		snprintf(buf, size, "%s", d->def);
}

static void type_text(const struct key_def *d, char *buf, size_t size)
{
	if (d->type == KT_ENUM) {
		char choices[256];

		keys_choices_text(d, choices, sizeof(choices));
		snprintf(buf, size, "one of %s", choices);
	} else if (d->choices) {
		char choices[256];

		keys_choices_text(d, choices, sizeof(choices));
		snprintf(buf, size, "%s, or %s", keys_type_name(d->type), choices);
	} else if (d->type == KT_INT || d->type == KT_WORKERS) {
		snprintf(buf, size, "%s (%ld to %ld)", keys_type_name(d->type), d->min, d->max);
	} else {
		snprintf(buf, size, "%s", keys_type_name(d->type));
	}
}

/* After the keys of [app]: the two lock formats (checks/lockfile.h, checks/pylock.h). */
static const char app_text[] =
	"The lock (`requirements`) is read in either format, told apart by the file name:\n\n"
	"- A pip requirement file (any other name): read as pip 23 reads it, `-r`/`-c`\n"
	"  included; every requirement must be pinned with `==` and carry `--hash` values.\n"
	"- `pylock.toml` or `pylock.NAME.toml` (PEP 751, the pylock.toml specification at\n"
	"  packaging.python.org; `pip lock`, `uv export --format pylock.toml`, PDM and pipenv\n"
	"  write it): TOML 1.0. `lock-version` must be 1.x (a newer major is refused);\n"
	"  `requires-python` must accept the venv's Python and one of `environments` (markers)\n"
	"  must hold for it, or the lock does not describe the venv (`req.lock-environment`).\n"
	"  Each `[[packages]]` entry whose `marker` holds (with `extras` empty and\n"
	"  `dependency_groups` the lock's `default-groups`) is a requirement: pinned by its\n"
	"  `version`, hashed by the hashes of its `wheels`, `sdist` or `archive`; a `vcs` or\n"
	"  `directory` source has no hash (`req.no-hash`); its own `requires-python` must\n"
	"  accept the venv's Python. What the specification requires (a source, the hashes of\n"
	"  each file, exactly one of `vcs`, `directory`, `archive` or wheels and sdist, ...)\n"
	"  is checked, and a violation is `req.parse` at the key's line and column.\n\n"
	"Every `req.*` finding means the same for both formats (docs/findings.md).\n\n";

/* After the keys of [env]: how the files compose (profiles/environ.h). */
static const char env_text[] =
	"How the files compose: each file as python-dotenv 0.21's `load_dotenv(FILE,\n"
	"override=..., interpolate=...)` loads it, one call per file in the order of `files`,\n"
	"with override=True for `process = loses` and override=False for `process = wins`\n"
	"(tests/diff/dotenv_compose_diff.py compares the result with python-dotenv's):\n\n"
	"- In a file, the last binding of a key decides. A bare `KEY` (no `=`) is python-dotenv's\n"
	"  None: the file then sets nothing for the key, even when an earlier line of the same\n"
	"  file gave it a value (`B=2`, then `B`: the file does not set B). The key keeps what\n"
	"  it had before the file (an earlier file, [vars], the inherited environment); when\n"
	"  nothing gave it a value, `show` lists it with `\"value\": null` and the server does\n"
	"  not get it. A bare `KEY` of an earlier file is no variable for a later file.\n"
	"- `${VAR}` in a file looks, with `process = loses`, at this file's bindings so far (a\n"
	"  bare `KEY` expands to the empty string and its `:-default` is not used), then the\n"
	"  earlier files, then the inherited environment; with `process = wins`, at the\n"
	"  inherited environment, then this file's bindings so far, then the earlier files\n"
	"  (the earlier file first for a key whose last binding in this file is bare, since its\n"
	"  value stays). [vars] come last.\n"
	"- A binding whose name os.environ refuses, a quoted key holding `=` (`'A=B'=c`, which\n"
	"  the server would read as the variable A with the value `B=c`), or a NUL byte in the\n"
	"  name or the value, never reaches the server: it is an `env.parse` error at its line\n"
	"  in every stage (load_dotenv() raises ValueError there). As in python-dotenv, the\n"
	"  key's last binding in the file counts, and only when it has a value. A NUL byte in a\n"
	"  value is an error even when the inherited environment wins over the file.\n"
	"- Deliberate difference: with `process = wins`, a key with a value in two files takes\n"
	"  the later file's (a later file overrides an earlier one, as systemd's\n"
	"  `EnvironmentFile=` and Compose's `env_file` do), where successive\n"
	"  `load_dotenv(override=False)` calls keep the first file's. For python-dotenv's\n"
	"  result, list the files the other way round.\n\n";

/*
 * One output format: the text of [vars] (a section without keys), what
 * comes before and after the keys of every other section, and one key with
 * its default and type already in words.
 */
struct format {
	const char *vars_text;
	void (*text)(const char *markdown); /* prints a text written in markdown */
	const char *keys_head, *keys_tail;
	void (*key)(const struct key_def *d, const char *def, const char *type);
};

static void sections(const struct format *f)
{
	const char *const *s;
	size_t i;

	for (s = profile_sections; *s; s++) {
		printf("## [%s]\n\n", *s);
		if (strcmp(*s, "vars") == 0) {
			fputs(f->vars_text, stdout);
			continue;
		}
		fputs(f->keys_head, stdout);
		for (i = 0; i < profile_nkeys; i++) {
			const struct key_def *d = &profile_keys[i];
			char def[256], type[300];

			if (strcmp(d->section, *s) != 0)
				continue;
			default_text(d, def, sizeof(def));
			type_text(d, type, sizeof(type));
			f->key(d, def, type);
		}
		fputs(f->keys_tail, stdout);
		if (strcmp(*s, "env") == 0)
			f->text(env_text);
		if (strcmp(*s, "app") == 0)
			f->text(app_text);
	}
}

static void markdown_key(const struct key_def *d, const char *def, const char *type)
{
	printf("| `%s` | %s | `%s` | %s |\n", d->key, type, def, d->help);
}

static void markdown_text(const char *s)
{
	fputs(s, stdout);
}

static void markdown(void)
{
	static const struct format md = {
		.vars_text = "Any `NAME = VALUE`: variables the profile itself sets for the server. The\n"
			     ".env files and the process environment override them.\n\n",
		.keys_head = "| key | type | default | meaning |\n|---|---|---|---|\n",
		.keys_tail = "\n",
		.text = markdown_text,
		.key = markdown_key,
	};

	puts("# Profile reference\n");
	puts("Generated from the key table (`profiles/keys.c`) by `docs/gen-reference markdown`;");
	puts("a test keeps this file equal to its output. See deploy-run.ini(5) for the same text.\n");
	puts("Value types: a *duration* is `NUMBER[ms|s|m|h]` and may combine parts (`1m30s`);");
	puts("a bare number is seconds. A *size* is `NUMBER[K|M|G|T]` in powers of 1024. A *list*");
	puts("is comma-separated. *words* are split as a shell would, without running one.");
	puts("Paths of [app] root are relative to the directory of the file that sets them; every");
	puts("other path is relative to [app] root.\n");
	sections(&md);
}

/* Prints s with scdoc's inline markup characters escaped. */
static void scdoc_text(const char *s)
{
	for (; *s; s++) {
		if (*s == '*' || *s == '_' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

/* The markdown text without its backquotes, escaped for scdoc. */
static void scdoc_plain(const char *s)
{
	for (; *s; s++) {
		if (*s == '`')
			continue;
		if (*s == '*' || *s == '_' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

static void scdoc_key(const struct key_def *d, const char *def, const char *type)
{
	putchar('*');
	scdoc_text(d->key);
	fputs("* (", stdout);
	scdoc_text(type);
	fputs("; default: ", stdout);
	scdoc_text(def);
	fputs(")\n\t", stdout);
	scdoc_text(d->help);
	fputs("\n\n", stdout);
}

static void scdoc(void)
{
	static const struct format man = {
		.vars_text = "Any _NAME_ = _VALUE_: variables the profile itself sets for the server.\n"
			     "The .env files and the process environment override them.\n\n",
		.keys_head = "",
		.keys_tail = "",
		.text = scdoc_plain,
		.key = scdoc_key,
	};

	sections(&man);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "markdown") == 0)
		markdown();
	else if (argc == 2 && strcmp(argv[1], "scdoc") == 0)
		scdoc();
	else {
		fputs("usage: gen-reference markdown|scdoc\n", stderr);
		return 2;
	}
	return 0;
}
