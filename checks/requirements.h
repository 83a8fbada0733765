/*
 * The req check family: the lock (the profile's [app] requirements file)
 * read as pip reads it, checked against pip's --require-hashes rules, and
 * compared with what the venv's site-packages holds; plus `pip check`
 * redone on the installed distributions.  RECORD verification is in
 * records.h, the wheelhouse in wheels.h.  See docs/findings.md.
 */
#ifndef DEPLOY_RUN_REQUIREMENTS_H
#define DEPLOY_RUN_REQUIREMENTS_H

#include "check.h"
#include "dist.h"
#include "lockfile.h"
#include "pep508.h"

extern const char *const requirements_ids[];

/* Adds the lock and installed-set findings (req.file-missing ... req.dependency-conflict). */
void requirements_check(const struct context *ctx, struct report *r);

/*
 * Reads the profile's lock with ${VAR} taken from deploy-run's own
 * environment (pip expands them from the environment it runs in).
 * Returns 0, or -1 with err (ENOENT in err->errnum for a missing file).
 */
int requirements_load_lock(const struct context *ctx, struct lockfile *lf, struct error *err);

enum requirements_problem_kind {
	REQUIREMENTS_MISSING,   /* "X 1.0 requires Y, which is not installed." */
	REQUIREMENTS_CONFLICT,  /* "X 1.0 has requirement Y>=2, but you have Y 1.0." */
	REQUIREMENTS_BROKEN,    /* pip's "Error parsing requirements for X: ..." */
};

struct requirements_problem {
	enum requirements_problem_kind kind;
	const struct dist *dist;       /* the distribution that requires */
	char *dep;                     /* PEP 503 name of the dependency; NULL for BROKEN */
	char *requirement;             /* CONFLICT: str(Requirement); BROKEN: why */
	const struct dist *installed;  /* CONFLICT: the installed dependency */
};

struct requirements_problems {
	struct requirements_problem *v;
	size_t n, cap;
};

/*
 * What `pip check` (pip 23, pip/_internal/operations/check.py) finds in
 * set, markers evaluated in env (its "extra" is ignored: pip asks for no
 * extras, so requirements under an extra are not checked):
 *   - each distribution's Requires-Dist whose marker holds; a distribution
 *     with one that does not parse, or whose marker cannot be evaluated,
 *     or whose metadata cannot be read, is BROKEN and counts as not
 *     installed;
 *   - MISSING when no distribution has the dependency's name;
 *   - CONFLICT when the installed version is outside the specifier,
 *     prereleases allowed (a version that is not PEP 440 satisfies only
 *     an empty specifier, as with pip's LegacyVersion).
 * The first distribution of a name wins, as in importlib.metadata.  Pure.
 */
void requirements_pip_check(const struct dist_set *set, const struct pep508_env *env,
			    struct requirements_problems *out);
void requirements_problems_finish(struct requirements_problems *p);

/*
 * Whether `python -m venv` put the distribution there by itself (through
 * ensurepip): pip always, setuptools before Python 3.12.  python is the
 * venv's version ("3.11.2"), NULL when unknown (then 3.12 rules apply).
 */
bool requirements_seeded_by_venv(const char *normalized, const char *python);

#endif
