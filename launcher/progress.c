#include "progress.h"

#include <stdio.h>
#include <unistd.h>

void progress_draw(void *data, const char *what, uint64_t done, uint64_t total)
{
	static const char bar[] = "##############################";
	int width = (int)sizeof(bar) - 1;
	int fill = total ? (int)(done * (uint64_t)width / total) : width;

	(void)data;
	if (!what) {
		fputs("\r\033[K", stderr);
	} else {
		if (fill > width)
			fill = width;
		fprintf(stderr, "\r%s [%.*s%*s] %llu/%llu MB", what, fill, bar, width - fill, "",
			(unsigned long long)(done >> 20), (unsigned long long)(total >> 20));
	}
	fflush(stderr);
}

int progress_wanted(int verbosity)
{
	return verbosity >= 0 && isatty(STDERR_FILENO);
}
