#include "archive-dl.h"
#include "dynload.h"
#include "util.h"

#include <stddef.h>

static struct archive_dl table;
static void *handle;

/* The table's fields in order, with the symbol each one is resolved from. */
#define SYM(name) DYNLOAD_SYM(struct archive_dl, name, "archive_" #name)
static const struct dynload_sym symbols[] = {
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
	static const char *const names[] = {"libarchive.so.13", "libarchive.so", NULL};

	if (!handle)
		handle = dynload_open(names, "bundles", "libarchive13", symbols,
				      ARRAY_SIZE(symbols), &table, sizeof(table), err);
	return handle ? &table : NULL;
}
