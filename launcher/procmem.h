/*
 * How much memory one process really costs, and how old it is, from its
 * own /proc entries (/proc/PID/smaps_rollup, /proc/PID/stat), for `status`
 * and the worker memory ceiling (memwatch.h).
 *
 * Why USS: a gunicorn worker shares most of its pages with its master
 * (copy-on-write after fork, all the more with preload) and with its
 * siblings.  RSS counts those shared pages in every worker: four workers
 * of a 60 MiB preloaded app each "use" 60 MiB, and a ceiling on RSS would
 * recycle a worker that costs almost nothing.  PSS divides each shared
 * page among the processes that map it, so a worker's PSS moves when a
 * sibling is recycled or the master touches a page: a ceiling on it fires
 * for something the worker did not do.  USS (the private pages,
 * Private_Clean + Private_Dirty, plus its private pages in swap) is what
 * the worker alone holds, what grows when it leaks, and what its exit
 * gives back: the quantity a per-worker ceiling is about.  SwapPss stands
 * in for the private swap (smaps_rollup has no private swap line; for a
 * page only this process maps the two are the same).
 */
#ifndef DEPLOY_RUN_PROCMEM_H
#define DEPLOY_RUN_PROCMEM_H

#include <stdint.h>
#include <sys/types.h>

struct procmem {
	uint64_t rss, pss, uss, swap_pss; /* bytes */
};

/*
 * Parses the text of an smaps_rollup file (len bytes).  Returns 0, or -1
 * when it has no Rss: line (not an smaps_rollup).
 */
int procmem_parse(const char *text, size_t len, struct procmem *out);

/* Reads /proc/PID/smaps_rollup: 0, or -1 with errno (ENOENT: gone). */
int procmem_read(pid_t pid, struct procmem *out);

/* The memory a ceiling compares: uss + swap_pss. */
static inline uint64_t procmem_own(const struct procmem *m)
{
	return m->uss + m->swap_pss;
}

/*
 * How long pid has existed, in milliseconds (its start time in
 * /proc/PID/stat against CLOCK_BOOTTIME); -1 when it is gone.
 */
int64_t procmem_age_ms(pid_t pid);

#endif
