/*
 * The supervisor's footprint: after the preflight and the start, `deploy-run
 * run` keeps resident what the checks touched, although its loop needs little
 * of it (tests/bench/supervisor, docs/BENCHMARKS.md: 2.3 MiB against 1.3 MiB
 * for `tini -s` supervising the same gunicorn, before this).  Where the pages
 * were (/proc/PID/smaps of a supervisor with the server up): the text of the
 * binary and of libc that the checks ran, the heap the preflight grew, and the
 * stack of its deepest calls.
 *
 * Two ways were weighed:
 *  - re-executing /proc/self/exe into an internal supervising mode, the
 *    resolved configuration passed through a memfd and the control socket and
 *    LISTEN_FDS inherited: the new image never touched the checks' pages, but
 *    every piece of state the loop keeps (readiness, watchdog, reload's
 *    upgrade, memwatch, the control socket, notify) would have to be
 *    serialised and kept in step with the code for ever;
 *  - releasing the pages in place, here, which keeps one process and all its
 *    state and is measured to reach the same figure: the pages a mapping of a
 *    file holds unmodified are only a cache of that file, and
 *    madvise(MADV_DONTNEED) on them drops them from this process's RSS; the
 *    next instruction that needs one faults it back from the page cache
 *    (a minor fault, no I/O), so what stays resident is what the loop runs.
 *
 * What is released (lean_release(), called once the server is ready, and
 * after each reload):
 *  - free heap: malloc_trim(0) returns the top of the heap and the free pages
 *    inside it;
 *  - the stack below the current frame, less a margin for the calls made from
 *    here (the pages are zero-filled again when touched);
 *  - file-backed private mappings that are not writable and hold no anonymous
 *    (copied-on-write) page, per smaps: text and read-only data.  A mapping
 *    that was written (RELRO after relocation, a text relocation) has
 *    Anonymous > 0 and is left alone: dropping it would revert it to the file.
 * The supervisor is single-threaded here, so nothing runs in a mapping while
 * it is dropped.
 */
#include "lean.h"

#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STACK_MARGIN (64 * 1024) /* below this frame: madvise's own calls */

static size_t vm_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = strtoull(line + 6, NULL, 10);
	fclose(f);
	return kib;
}

struct range {
	uintptr_t start, end;
};

/* Collects the mappings to drop into r[] (at most cap), and the stack's range. */
static size_t scan(struct range *r, size_t cap, struct range *stack)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512], perms[8], path[256];
	struct range cur = {0, 0};
	bool candidate = false;
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b, off;
		unsigned long long anon;
		int fields;

		path[0] = '\0';
		fields = sscanf(line, "%lx-%lx %7s %lx %*s %*s %255s", &a, &b, perms, &off, path);
		if (fields >= 4 && strlen(perms) == 4) {
			cur.start = a;
			cur.end = b;
			/* a file's private, non-writable mapping */
			candidate = path[0] == '/' && perms[1] == '-' && perms[3] == 'p';
			if (strcmp(path, "[stack]") == 0)
				*stack = cur;
			continue;
		}
		if (candidate && sscanf(line, "Anonymous: %llu kB", &anon) == 1) {
			if (anon == 0 && n < cap)
				r[n++] = cur;
			candidate = false;
		}
	}
	fclose(f);
	return n;
}

void lean_release(struct lean_stats *stats)
{
	struct range maps[256], stack = {0, 0};
	volatile char here = 0;
	uintptr_t sp = (uintptr_t)&here, page = (uintptr_t)sysconf(_SC_PAGESIZE);
	size_t i, n;

	if (stats)
		stats->rss_before_kib = vm_rss_kib();
	malloc_trim(0);
	n = scan(maps, sizeof(maps) / sizeof(maps[0]), &stack);
	for (i = 0; i < n; i++)
		madvise((void *)maps[i].start, maps[i].end - maps[i].start, MADV_DONTNEED);
	if (stack.start && sp > stack.start + STACK_MARGIN && sp < stack.end) {
		uintptr_t end = (sp - STACK_MARGIN) & ~(page - 1);

		if (end > stack.start)
			madvise((void *)stack.start, end - stack.start, MADV_DONTNEED);
	}
	if (stats)
		stats->rss_after_kib = vm_rss_kib();
}
