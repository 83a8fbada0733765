#include "archive-dl.h"
#include "util.h"

#include <dlfcn.h>
#include <stddef.h>

static struct archive_dl table;
static void *handle;

/* The table's fields in order, with the symbol each one is resolved from. */
#define SYM(name) {offsetof(struct archive_dl, name), "archive_" #name}
static const struct {
	size_t offset;
	const char *symbol;
} symbols[] = {
	SYM(error_string),
	SYM(read_new), SYM(read_support_filter_all), SYM(read_support_format_tar),
	SYM(read_support_format_zip), SYM(read_open_fd), SYM(read_next_header), SYM(read_data),
	SYM(read_data_skip), SYM(read_free),
	SYM(write_new), SYM(write_set_format_pax_restricted), SYM(write_set_format_zip),
	SYM(write_add_filter_gzip), SYM(write_add_filter_zstd), SYM(write_set_options),
	SYM(write_set_bytes_in_last_block), SYM(write_open_fd), SYM(write_header),
	SYM(write_data), SYM(write_finish_entry), SYM(write_close), SYM(write_free),
	SYM(entry_new), SYM(entry_clear), SYM(entry_free), SYM(entry_pathname),
	SYM(entry_set_pathname), SYM(entry_filetype), SYM(entry_set_filetype), SYM(entry_mode),
	SYM(entry_perm), SYM(entry_set_perm), SYM(entry_size), SYM(entry_size_is_set),
	SYM(entry_set_size), SYM(entry_set_mtime), SYM(entry_set_uid), SYM(entry_set_gid),
	SYM(entry_symlink), SYM(entry_set_symlink), SYM(entry_hardlink),
};
#undef SYM

_Static_assert(sizeof(symbols) / sizeof(symbols[0]) * sizeof(void (*)(void)) ==
	       sizeof(struct archive_dl), "every field of struct archive_dl has a symbol");

const struct archive_dl *archive_dl_load(struct error *err)
{
	static const char *names[] = {"libarchive.so.13", "libarchive.so"};
	struct archive_dl t;
	size_t i;
	void *h = NULL;

	if (handle)
		return &table;
	for (i = 0; i < ARRAY_SIZE(names) && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		error_set(err, 0, "cannot load libarchive for bundles: %s", dlerror());
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(symbols); i++) {
		void *fn = dlsym(h, symbols[i].symbol);

		if (!fn) {
			error_set(err, 0, "libarchive lacks %s", symbols[i].symbol);
			dlclose(h);
			return NULL;
		}
		*(void **)((char *)&t + symbols[i].offset) = fn;
	}
	table = t;
	handle = h;
	return &table;
}
