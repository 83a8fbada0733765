/*
 * The profile key table: the one list of sections and keys.  It drives
 * parsing and validation (profile.c), "did you mean" suggestions, `show`,
 * and the generated profile reference (deploy-run.ini(5)).
 */
#ifndef DEPLOY_RUN_KEYS_H
#define DEPLOY_RUN_KEYS_H

#include <stddef.h>

enum key_type {
	KT_STRING,     /* char * */
	KT_BOOL,       /* bool */
	KT_INT,        /* long, within [min, max] */
	KT_DURATION,   /* int64_t milliseconds */
	KT_SIZE,       /* int64_t bytes; with choices, choice i is the value -i */
	KT_ENUM,       /* int: index into choices */
	KT_LIST,       /* struct strv, comma-separated */
	KT_WORDS,      /* struct strv, split into words without a shell */
	KT_BINDS,      /* struct strv of bind addresses */
	KT_STATUSES,   /* struct value_statuses: HTTP status codes, ranges, classes */
	KT_WORKERS,    /* long: "auto" (0) or 1..max */
	KT_PATH_FILE,  /* char *: relative to the directory of the file that sets it */
	KT_PATH_ROOT,  /* char *: relative to [app] root; empty means none */
	KT_PATHS_ROOT, /* struct strv of paths relative to [app] root */
	KT_EXTENDS,    /* [profile] extends: handled by the loader */
};

struct key_def {
	const char *section;
	const char *key;
	enum key_type type;
	size_t offset;                /* into struct profile */
	const char *def;              /* default, as written in a profile; NULL: none */
	const char *const *choices;   /* KT_ENUM: NULL-terminated */
	long min, max;                /* KT_INT, KT_WORKERS */
	const char *help;             /* one or two sentences for the reference */
};

extern const struct key_def profile_keys[];
extern const size_t profile_nkeys;

/* Sections in reference order; "vars" takes any key. */
extern const char *const profile_sections[];

const struct key_def *keys_find(const char *section, const char *key);
/* Index in profile_keys of a definition. */
size_t keys_index(const struct key_def *def);
int keys_section_known(const char *section);
/* The closest known section / key of the section, or NULL when none is close. */
const char *keys_suggest_section(const char *section);
const char *keys_suggest_key(const char *section, const char *key);
/* The first section that has a key of this name, or NULL. */
const char *keys_section_of(const char *key);
/* "one of a, b, c" for an enum. */
void keys_choices_text(const struct key_def *def, char *buf, size_t size);
/* A human name of the type ("duration", "list of paths", ...). */
const char *keys_type_name(enum key_type type);

#endif
