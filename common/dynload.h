/*
 * Optional libraries loaded with dlopen() on first use (libcrypto for
 * SHA-256, libarchive for bundles, libcurl for health probes), so that the
 * binary links none of them and the commands that never need them never
 * map them.  Each user keeps a table (a struct of function pointers) and
 * lists where each symbol goes in it.
 */
#ifndef DEPLOY_RUN_DYNLOAD_H
#define DEPLOY_RUN_DYNLOAD_H

#include <stddef.h>

#include "error.h"

struct dynload_sym {
	const char *name; /* "EVP_DigestUpdate" */
	size_t offset;    /* of the function pointer in the caller's table */
};

/* The entry for field of struct type, resolved from symbol. */
#define DYNLOAD_SYM(type, field, symbol) {symbol, offsetof(type, field)}

/*
 * Opens the first of names (a NULL-terminated list of sonames, most
 * specific first) that dlopen() loads, and stores the address of each of
 * the n symbols in table at its offset.  Returns the handle, kept open for
 * the life of the process.  When no name loads or a symbol is missing,
 * returns NULL with err ("cannot load NAMES[0] for WHAT: DLERROR; install
 * PACKAGE" or "SONAME lacks SYMBOL"), closes what it opened and leaves table
 * as it was.  what says what the library is for; package (may be NULL)
 * is the Debian package that provides it.
 */
void *dynload_open(const char *const *names, const char *what, const char *package,
		   const struct dynload_sym *syms, size_t n, void *table, size_t size,
		   struct error *err);

#endif
