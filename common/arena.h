/*
 * A bump allocator for many small strings that live and die together (the
 * keys, values and sources of a composed environment, the entries of a
 * parsed .env file): one malloc per chunk instead of one per string, and
 * everything freed by one arena_finish().  Nothing allocated from an arena
 * is freed on its own.
 *
 * Built with AddressSanitizer, every allocation gets its own malloc, so
 * that an overflow of one string into the next is still caught.
 */
#ifndef DEPLOY_RUN_ARENA_H
#define DEPLOY_RUN_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *chunk; /* the newest chunk; NULL until the first allocation */
};

#define ARENA_INIT {NULL}

/* n bytes aligned for any type, valid until arena_finish(); never NULL
 * (out of memory aborts, as xmalloc). */
void *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of the n bytes at s (which need not be terminated). */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Frees everything allocated from a and resets it to ARENA_INIT.  NULL is a no-op. */
void arena_finish(struct arena *a);

#endif
