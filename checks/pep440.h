/*
 * PEP 440 versions and specifiers, and PEP 503 names, exactly as Debian's
 * python3-packaging 23.0 (packaging.version, packaging.specifiers,
 * packaging.utils) reads, orders and prints them.  That module is the
 * specification: its quirks are reproduced on purpose (see
 * tests/diff/packaging_diff.py, which compares the two over thousands of
 * inputs).
 *
 * Every function is pure: strings in, structures or an error out.  Inputs
 * are byte buffers with a length and may contain any byte; they are UTF-8
 * where it matters.  Errors carry the 1-based column of the problem and no
 * file: callers add theirs with error_locate().
 *
 * Numbers are kept as decimal digit strings without leading zeros, because
 * Python's integers have no size limit ("1.99999999999999999999" is a valid
 * version and compares as such).
 */
#ifndef DEPLOY_RUN_PEP440_H
#define DEPLOY_RUN_PEP440_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>

struct pep440_version {
	char *epoch;        /* "0" when absent */
	char **release;     /* nrelease >= 1 numbers, as written (trailing zeros kept) */
	size_t nrelease;
	char *pre_label;    /* NULL, or "a", "b", "rc" (or an odd spelling packaging keeps) */
	char *pre_num;
	char *post_label;   /* NULL, or "post" (or an odd spelling packaging keeps) */
	char *post_num;
	char *dev_num;      /* NULL when not a development release */
	char **local;       /* nlocal == 0: no local label; parts lowercased, numbers normalised */
	size_t nlocal;
	void *mem;          /* the one allocation that holds the strings and arrays above */
};

/*
 * Parses s (len bytes) as packaging.version.Version does: leading and
 * trailing white space, a leading "v", any case, the alternate spellings
 * and separators.  Initialises *v on success (release with
 * pep440_version_finish); leaves it zeroed on failure.  Returns 0 or -1.
 */
int pep440_version_parse(struct pep440_version *v, const char *s, size_t len, struct error *err);
/* Same, for a NUL-terminated string. */
int pep440_version_parses(struct pep440_version *v, const char *s, struct error *err);
void pep440_version_finish(struct pep440_version *v);

/* <0, 0, >0: the total order of packaging's Version._key. */
int pep440_version_compare(const struct pep440_version *a, const struct pep440_version *b);

/* str(Version): the normalised form.  Caller frees. */
char *pep440_version_str(const struct pep440_version *v);
/* Version.public (without "+local") and Version.base_version (epoch and release). */
char *pep440_version_public(const struct pep440_version *v);
char *pep440_version_base(const struct pep440_version *v);

/* Version.is_prerelease: a pre-release or a development release. */
bool pep440_version_is_prerelease(const struct pep440_version *v);
bool pep440_version_is_postrelease(const struct pep440_version *v);

/*
 * packaging.utils.canonicalize_version: the normalised string with trailing
 * ".0" release components removed (when strip_trailing_zero); a string that
 * is not a version is returned unchanged.  Caller frees.
 */
char *pep440_canonicalize_version(const char *s, size_t len, bool strip_trailing_zero);

/* PEP 503: runs of "-", "_", "." become one "-", then lowercase.  Caller frees. */
char *pep440_canonicalize_name(const char *name, size_t len);

enum pep440_op {
	PEP440_OP_COMPATIBLE, /* ~= */
	PEP440_OP_EQUAL,      /* == */
	PEP440_OP_NOT_EQUAL,  /* != */
	PEP440_OP_LESS_EQUAL, /* <= */
	PEP440_OP_GREATER_EQUAL, /* >= */
	PEP440_OP_LESS,       /* < */
	PEP440_OP_GREATER,    /* > */
	PEP440_OP_ARBITRARY,  /* === */
};

struct pep440_specifier {
	enum pep440_op op;
	char *version;    /* as written, white space stripped ("1.2.*", "v1.0", any text for ===) */
	bool wildcard;    /* == or != with a trailing ".*" */
	bool has_parsed;  /* parsed is valid: every operator but === and the wildcards */
	struct pep440_version parsed;
	char *compat_prefix; /* ~= only: the "X.Y.*" prefix packaging derives from the version */
};

/*
 * Parses one specifier as packaging.specifiers.Specifier does ("==1.2.*",
 * ">= 1.0", "~=2.2", "===anything").  Returns 0 or -1.
 */
int pep440_specifier_parse(struct pep440_specifier *spec, const char *s, size_t len,
			   struct error *err);
void pep440_specifier_finish(struct pep440_specifier *spec);

/*
 * Length of the longest prefix of s that packaging's PEP 508 tokenizer
 * takes as one SPECIFIER token (operator, white space, version), or 0.
 */
size_t pep440_specifier_scan(const char *s, size_t len);

/* True for "==V" without wildcard and for "===V": what pip's --require-hashes calls pinned. */
bool pep440_specifier_is_pin(const struct pep440_specifier *spec);

/* Prerelease policy of a contains() call: packaging's None, True and False. */
enum pep440_prereleases {
	PEP440_PRE_DEFAULT = -1,
	PEP440_PRE_DENY = 0,
	PEP440_PRE_ALLOW = 1,
};

/*
 * Specifier.prereleases when not forced: whether the specifier names a
 * prerelease with an inclusive operator.  Returns 1, 0, or -1 when
 * packaging raises (a "===" whose text is not a version).
 */
int pep440_specifier_prereleases(const struct pep440_specifier *spec, struct error *err);

/*
 * Specifier.contains(version, prereleases) with prereleases ALLOW or DENY
 * (DEFAULT resolves through pep440_specifier_prereleases).  Returns 1, 0,
 * or -1 when packaging raises.
 */
int pep440_specifier_contains(const struct pep440_specifier *spec,
			      const struct pep440_version *v, int prereleases, struct error *err);

/* A SpecifierSet: specifiers that are equal after canonicalisation are kept once (the first). */
struct pep440_specset {
	struct pep440_specifier *v;
	size_t n;
};

#define PEP440_SPECSET_INIT {NULL, 0}

/* Parses a comma-separated list (empty items ignored; "" is the empty set). Returns 0 or -1. */
int pep440_specset_parse(struct pep440_specset *set, const char *s, size_t len,
			 struct error *err);
void pep440_specset_finish(struct pep440_specset *set);

/* str(SpecifierSet): the specifiers sorted and joined with ",".  Caller frees. */
char *pep440_specset_str(const struct pep440_specset *set);

/*
 * SpecifierSet.contains(version, prereleases): every specifier contains
 * the version, and a prerelease only when allowed (explicitly, or by a
 * specifier that names a prerelease).  The empty set contains every final
 * release.  Returns 1, 0, or -1 when packaging raises (a "===" whose text is
 * not a version, with DEFAULT; packaging's outcome then depends on set
 * iteration order, ours is always the error).
 */
int pep440_specset_contains(const struct pep440_specset *set, const struct pep440_version *v,
			    int prereleases, struct error *err);

/*
 * The Unicode details of packaging's regular expressions, shared with
 * pep508.c.  pep440_space_len: bytes of the one white-space character
 * (Python's \s / str.isspace) at s[0..len), or 0.  pep440_lower: appends
 * s lowercased the way str.lower() does for everything these grammars
 * accept (ASCII, and U+0130, U+212A which case-insensitive matching lets
 * in), other bytes copied.  Caller frees.
 */
size_t pep440_space_len(const char *s, size_t len);
char *pep440_lower(const char *s, size_t len);
/* Appends code point cp (surrogates included, as Python's str can hold them) as UTF-8. */
struct strbuf;
void pep440_add_utf8(struct strbuf *sb, unsigned long cp);

#endif
