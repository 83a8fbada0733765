#include "procmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The kB value of "Name:   123 kB" lines. */
static int field(const char *line, size_t len, const char *name, uint64_t *out)
{
	size_t n = strlen(name);
	uint64_t v = 0;
	size_t i;

	if (len <= n || memcmp(line, name, n) != 0 || line[n] != ':')
		return 0;
	for (i = n + 1; i < len && line[i] == ' '; i++)
		;
	if (i >= len || line[i] < '0' || line[i] > '9')
		return 0;
	for (; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
		if (v > UINT64_MAX / 10240)
			return 0;
		v = v * 10 + (uint64_t)(line[i] - '0');
	}
	*out = v * 1024;
	return 1;
}

int procmem_parse(const char *text, size_t len, struct procmem *out)
{
	uint64_t pc = 0, pd = 0;
	const char *p = text, *end = text + len;
	int have_rss = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		have_rss |= field(p, n, "Rss", &out->rss);
		field(p, n, "Pss", &out->pss);
		field(p, n, "Private_Clean", &pc);
		field(p, n, "Private_Dirty", &pd);
		field(p, n, "SwapPss", &out->swap_pss);
		p += n + 1;
	}
	out->uss = pc + pd;
	return have_rss ? 0 : -1;
}

int procmem_read(pid_t pid, struct procmem *out)
{
	char path[64], buf[2048];
	size_t len = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[len] = '\0';
	if (procmem_parse(buf, len, out) < 0) {
		errno = len ? EINVAL : ENOENT; /* empty: the process is a zombie */
		return -1;
	}
	return 0;
}

int64_t procmem_age_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	struct timespec now;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "PID (COMM) S ...": field 22 is starttime; COMM may hold anything */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p++;
	for (i = 3; i <= 22 && p; i++) {
		p = strchr(p + 1, ' ');
		if (i == 21 && p)
			start = strtoull(p + 1, NULL, 10);
	}
	if (hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &now) < 0)
		return -1;
	{
		int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
		int64_t start_ms = (int64_t)(start * 1000 / (unsigned long long)hz);

		return now_ms > start_ms ? now_ms - start_ms : 0;
	}
}
