#include "dynload.h"
#include "util.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

void *dynload_open(const char *const *names, const char *what, const char *package,
		   const struct dynload_sym *syms, size_t n, void *table, size_t size,
		   struct error *err)
{
	_cleanup_free_ char *copy = NULL;
	const char *lib = NULL;
	void *h = NULL;
	size_t i;

	for (i = 0; names[i] && !h; i++) {
		lib = names[i];
		h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	}
	if (!h) {
		error_set(err, 0, "cannot load %s for %s: %s%s%s", names[0], what, dlerror(),
			  package ? "; install " : "", package ? package : "");
		return NULL;
	}
	/* resolved into a copy: the caller's table changes only when all are found */
	copy = xmalloc(size);
	memcpy(copy, table, size);
	for (i = 0; i < n; i++) {
		void *fn = dlsym(h, syms[i].name);

		if (!fn) {
			error_set(err, 0, "%s lacks %s", lib, syms[i].name);
			dlclose(h);
			return NULL;
		}
		memcpy(copy + syms[i].offset, &fn, sizeof(fn));
	}
	memcpy(table, copy, size);
	return h;
}
