#include "arena.h"
#include "util.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ONE_MALLOC_EACH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ONE_MALLOC_EACH 1
#endif
#endif

#define FIRST_CHUNK 4096
/* below glibc's threshold for mmap (128 KiB): the chunks of an arena that
 * is freed go back to the heap, and the allocations that follow reuse those
 * pages instead of faulting in new ones (the lock model after the TOML
 * tree, the venv scan after both) */
#define MAX_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next; /* the previous (older) chunk */
	size_t used, size;        /* of data */
	alignas(max_align_t) unsigned char data[];
};

/* A chunk of size bytes of data, linked behind the newest one when behind
 * is true (a request too large for the chunks: the newest keeps its room). */
static struct arena_chunk *new_chunk(struct arena *a, size_t size, int behind)
{
	struct arena_chunk *c = xmalloc(sizeof(*c) + size);

	c->used = 0;
	c->size = size;
	if (behind && a->chunk) {
		c->next = a->chunk->next;
		a->chunk->next = c;
	} else {
		c->next = a->chunk;
		a->chunk = c;
	}
	return c;
}

/* Whether a request of n bytes gets a chunk of its own. */
static bool own_chunk(size_t n)
{
#ifdef ARENA_ONE_MALLOC_EACH
	(void)n;
	return true;
#else
	return n > MAX_CHUNK / 4;
#endif
}

/* n bytes at a multiple of align (a power of two) */
static void *bump(struct arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->chunk;
	size_t size, at;

	if (own_chunk(n)) {
		c = new_chunk(a, n, 1);
		c->used = n;
		return c->data;
	}
	at = c ? (c->used + align - 1) & ~(align - 1) : 0;
	if (!c || at > c->size || c->size - at < n) {
		/* chunks double in size up to MAX_CHUNK, and hold at least n
		 * (n <= MAX_CHUNK / 4 here) */
		size = c ? c->size * 2 : FIRST_CHUNK;
		while (size < n)
			size *= 2;
		c = new_chunk(a, size > MAX_CHUNK ? MAX_CHUNK : size, 0);
		at = 0;
	}
	c->used = at + n;
	return c->data + at;
}

void *arena_alloc(struct arena *a, size_t n)
{
	return bump(a, n, alignof(max_align_t));
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = bump(a, n + 1, 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_finish(struct arena *a)
{
	struct arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->chunk; c; c = next) {
		next = c->next;
		free(c);
	}
	a->chunk = NULL;
}
