/*
 * The resolved model of a profile: everything `show` composes, as `run`
 * would use it, as one list of SECTION.KEY items, each with its value and
 * where the value comes from.  Built from a loaded profile (cmd_load():
 * the profile, the composed environment and the launch), never composed a
 * second time.  `show` prints the server's settings from it; `diff`
 * compares two or more of them.
 *
 * Sections, in this order:
 *   stage     the stage (one value: its key is NULL)
 *   app       server, root, module, venv, python (the venv's interpreter,
 *             from its pyvenv.cfg), workdir, user
 * Paths under the app root are given relative to it (.venv, requirements.txt):
 * the root is an item of its own, so two roots differ once.
 *   server    each setting's effective value, by the server's own name, with
 *             its source (checks/servercfg.h: the profile, [server] args,
 *             or an input from outside the argv), workers = auto resolved
 *   dotenv    the [env] settings: files (in their order), process,
 *             interpolate, required, secrets
 *   env       every composed variable, with its source; one deploy-run
 *             removes (PYTHONHOME) or a file declares without a value has
 *             none, its source says which
 *   lock      the lock's path (file); for a pylock.toml its requires-python
 *             and environments; then one item per package (either format,
 *             checks/lockfile.h): its pin, with its hashes as the detail
 *   health, cleanup, run   every key of those sections, as in effect
 */
#ifndef DEPLOY_RUN_RESOLVED_H
#define DEPLOY_RUN_RESOLVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "error.h"
#include "hmac.h"

struct resolved_item {
	const char *section;  /* static: "server" */
	char *key;            /* "workers"; NULL when the section is one value */
	char *value;          /* NULL: not set (or a secret kept only as its digest) */
	char *detail;         /* compared too, shown when the values are equal (a
			       * package's hashes); NULL when none */
	char *source;         /* "FILE:LINE", "default", "process", ...; may be NULL */
	bool secret;          /* a secret: masked unless revealed */
	bool hashed;          /* value dropped, digest holds its keyed hash */
	uint8_t digest[HMAC_SHA256_LEN];
};

struct resolved {
	struct resolved_item *items;
	size_t n, cap;
};

/*
 * Locks read once per path for the models of one command: diff reads the
 * lock that both sides share once.  Zero-initialise; resolved_locks_finish().
 */
struct resolved_lock;
struct resolved_locks {
	struct resolved_lock *v;
	size_t n;
};
void resolved_locks_finish(struct resolved_locks *locks);

struct resolved_opts {
	/*
	 * When key is set, every secret's value is replaced by its
	 * HMAC-SHA256 under key as soon as it is read: the model then holds
	 * nothing that could show a secret.  NULL keeps the values (--reveal).
	 */
	const uint8_t *key;
	size_t keylen;
	/* More profiles whose [env] secrets count as well (a variable secret on
	 * one side of a diff is secret on both); NULL-terminated, may be NULL. */
	const struct profile *const *secret_profiles;
	/* Read the lock (for ${VAR} in it, caller_env as pip would). */
	bool lock;
	char *const *caller_env;
	struct resolved_locks *locks; /* may be NULL: each model reads its own */
};

/*
 * Builds the model of l.  Fails (-1 with err) only for a lock that exists
 * but cannot be read or parsed (file:line).  A missing lock or pyvenv.cfg is an item
 * without a value, saying so in its source.
 */
int resolved_build(struct resolved *r, const struct loaded *l, const struct resolved_opts *o,
		   struct error *err);
void resolved_finish(struct resolved *r);

/* "section.key", or "section" for a one-value section (newly allocated). */
char *resolved_name(const struct resolved_item *it);

/* The items of a section, in order: *first and the count returned. */
size_t resolved_section(const struct resolved *r, const char *section, size_t *first);

/* A difference between two models: one side may be missing (NULL). */
struct resolved_diff {
	const struct resolved_item *a, *b;
	const char *section;
	const char *key;
	bool secret;          /* either side is a secret */
	bool detail_only;     /* values equal, details differ */
	bool expected;        /* matched an ignore glob */
};

struct resolved_diffs {
	struct resolved_diff *v;
	size_t n, cap;
	size_t ignored;       /* differences that matched an ignore glob ... */
	struct resolved_diff *expected; /* ... listed here, in the same order */
};

/*
 * The differences between a and b, grouped by section in the model's
 * order, a's order within a section, then what only b has.  Two secrets
 * are compared by their digests (both models built with the same key) or
 * by value when both are revealed.  A difference whose name matches one of
 * the globs of ignore (NULL-terminated, may be NULL; "*" does not stop at
 * '.') is listed in expected instead of v.  out's items point into a and b.
 */
void resolved_compare(const struct resolved *a, const struct resolved *b, char *const *ignore,
		      struct resolved_diffs *out);
void resolved_diffs_finish(struct resolved_diffs *d);

#endif
