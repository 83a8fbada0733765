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
	} else if (d->type == KT_INT || d->type == KT_WORKERS) {
		snprintf(buf, size, "%s (%ld to %ld)", keys_type_name(d->type), d->min, d->max);
	} else {
		snprintf(buf, size, "%s", keys_type_name(d->type));
	}
}

/*
 * One output format: the text of [vars] (a section without keys), what
 * comes before and after the keys of every other section, and one key with
 * its default and type already in words.
 */
struct format {
	const char *vars_text;
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
	}
}

static void markdown_key(const struct key_def *d, const char *def, const char *type)
{
	printf("| `%s` | %s | `%s` | %s |\n", d->key, type, def, d->help);
}

static void markdown(void)
{
	static const struct format md = {
		.vars_text = "Any `NAME = VALUE`: variables the profile itself sets for the server. The\n"
			     ".env files and the process environment override them.\n\n",
		.keys_head = "| key | type | default | meaning |\n|---|---|---|---|\n",
		.keys_tail = "\n",
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
