/* Giving back the pages the preflight left resident, once the supervisor only waits. */
#ifndef DEPLOY_RUN_LEAN_H
#define DEPLOY_RUN_LEAN_H

#include <stddef.h>

struct lean_stats {
	size_t rss_before_kib, rss_after_kib; /* VmRSS around lean_release() */
};

/* Releases what is resident but not needed to supervise: free heap (malloc_trim),
 * the stack below the current frame, and the clean file-backed pages of the
 * read-only mappings (the binary's and the libraries' text and read-only data,
 * refaulted from the page cache when the loop runs them again). Never fails;
 * stats may be NULL. */
void lean_release(struct lean_stats *stats);

#endif
