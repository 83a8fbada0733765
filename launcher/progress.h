/* A progress bar on stderr for long checks (struct context's progress). */
#ifndef DEPLOY_RUN_PROGRESS_H
#define DEPLOY_RUN_PROGRESS_H

#include <stdint.h>

/*
 * Draws "WHAT [#####     ] DONE/TOTAL MB" on one line of stderr, or clears
 * that line when what is NULL.  data is unused.  Use it only when stderr is
 * a terminal (progress_wanted()).
 */
void progress_draw(void *data, const char *what, uint64_t done, uint64_t total);
/* True when stderr is a terminal and the output is not quieted. */
int progress_wanted(int verbosity);

#endif
