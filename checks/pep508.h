/*
 * PEP 508 dependency specifiers and environment markers, exactly as
 * Debian's python3-packaging 23.0 (packaging.requirements,
 * packaging.markers and their tokenizer) reads, prints and evaluates them.
 *
 * Parsers are pure: a byte buffer in, a structure or an error with the
 * 1-based column out (no file: callers add theirs with error_locate()).
 * Evaluation takes an explicit environment; pep508_env_init_host() is the
 * only function that looks at the machine.
 */
#ifndef DEPLOY_RUN_PEP508_H
#define DEPLOY_RUN_PEP508_H

#include "error.h"
#include "pep440.h"
#include "strv.h"

#include <stdbool.h>
#include <stddef.h>

/* The marker variables, in the order of pep508_var_names. */
enum pep508_var {
	PEP508_PYTHON_VERSION,
	PEP508_PYTHON_FULL_VERSION,
	PEP508_OS_NAME,
	PEP508_SYS_PLATFORM,
	PEP508_PLATFORM_MACHINE,
	PEP508_PLATFORM_SYSTEM,
	PEP508_PLATFORM_RELEASE,
	PEP508_PLATFORM_VERSION,
	PEP508_IMPLEMENTATION_NAME,
	PEP508_IMPLEMENTATION_VERSION,
	PEP508_PLATFORM_PYTHON_IMPLEMENTATION,
	PEP508_EXTRA,
	PEP508_NVARS,
};

extern const char *const pep508_var_names[PEP508_NVARS];

/* What markers are evaluated against: one owned string per variable. */
struct pep508_env {
	char *values[PEP508_NVARS];
	/* PEP 751's set-valued variables, for markers of pep508_marker_parse_lock();
	 * borrowed, NULL for the empty set */
	const struct strv *extras, *dependency_groups;
};

/* Every variable "" (extra too, as Marker.evaluate() starts). */
void pep508_env_init(struct pep508_env *env);
/*
 * This host's facts (uname: platform_system, _release, _version, _machine;
 * os_name "posix", sys_platform "linux" on Linux) for a CPython interpreter
 * of the given version, as pyvenv.cfg writes it: "3.11.2",
 * "3.12.0.final.0", "3.13.0rc1" or "3.13.0.candidate.1" (a bare "3.11" is
 * accepted and kept as the full version).  extra is "".  Returns 0 or -1
 * when the version is not one of those forms (env is then still usable).
 */
int pep508_env_init_host(struct pep508_env *env, const char *python_version, struct error *err);
void pep508_env_finish(struct pep508_env *env);
/* Sets a variable by its marker name; returns -1 for a name that is none. */
int pep508_env_set(struct pep508_env *env, const char *name, const char *value);
/* The value of a variable by name, or NULL (packaging's KeyError). */
const char *pep508_env_get(const struct pep508_env *env, const char *name);

struct pep508_marker;

/*
 * Parses a marker expression as packaging.markers.Marker does.  Like it,
 * this stops after the last complete expression: text that follows is
 * ignored ('os_name == "a" junk' is 'os_name == "a"').  Quoted strings are
 * Python string literals (escapes are decoded; \N{...} is refused).
 * Returns NULL on error.
 */
struct pep508_marker *pep508_marker_parse(const char *s, size_t len, struct error *err);
void pep508_marker_destroy(struct pep508_marker *m);
/*
 * The same, for the markers of a pylock.toml (PEP 751): extras and
 * dependency_groups are variables too, sets of names compared with
 * '"NAME" in extras' and '"NAME" not in dependency_groups'.
 */
struct pep508_marker *pep508_marker_parse_lock(const char *s, size_t len, struct error *err);

/* str(Marker).  Caller frees. */
char *pep508_marker_str(const struct pep508_marker *m);

/*
 * Marker.evaluate(env): 1 true, 0 false, -1 when packaging raises (an
 * undefined comparison such as ~= on a non-version, a version operator
 * whose left side is not a version, an unknown variable name).  Extras are
 * compared after PEP 503 normalisation.
 */
int pep508_marker_evaluate(const struct pep508_marker *m, const struct pep508_env *env,
			   struct error *err);

struct pep508_requirement {
	char *name;               /* as written */
	struct strv extras;       /* sorted, each once */
	char *url;                /* "name @ URL", else NULL */
	char *specifier;          /* the specifier text as written ("" for none) */
	struct pep440_specset specset;
	struct pep508_marker *marker; /* NULL when none */
};

/*
 * Parses one requirement as packaging.requirements.Requirement does:
 * name, [extras], a specifier list with or without parentheses or
 * "@ URL", and "; marker".  Returns 0 or -1; *req needs
 * pep508_requirement_finish() only on success.
 */
int pep508_requirement_parse(struct pep508_requirement *req, const char *s, size_t len,
			     struct error *err);
void pep508_requirement_finish(struct pep508_requirement *req);

/* str(Requirement).  Caller frees. */
char *pep508_requirement_str(const struct pep508_requirement *req);

#endif
