/*
 * libarchive, loaded with dlopen() on first use, so that the commands that
 * never read or write archives (run, the resident supervisor) never map it
 * and the binary does not link it.  The headers give the exact prototypes;
 * every function used is resolved with dlsym() into one table, and callers
 * go through it: ar->write_header(a, e), not archive_write_header(a, e).
 */
#ifndef DEPLOY_RUN_ARCHIVE_DL_H
#define DEPLOY_RUN_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#include "error.h"

#define ARCHIVE_DL_FN(name) __typeof__(archive_##name) *name

struct archive_dl {
	/* errors */
	ARCHIVE_DL_FN(error_string);
	/* reading */
	ARCHIVE_DL_FN(read_new);
	ARCHIVE_DL_FN(read_support_filter_all);
	ARCHIVE_DL_FN(read_support_format_tar);
	ARCHIVE_DL_FN(read_support_format_zip);
	ARCHIVE_DL_FN(read_open_fd);
	ARCHIVE_DL_FN(read_next_header);
	ARCHIVE_DL_FN(read_data);
	ARCHIVE_DL_FN(read_data_skip);
	ARCHIVE_DL_FN(read_free);
	/* writing */
	ARCHIVE_DL_FN(write_new);
	ARCHIVE_DL_FN(write_set_format_pax_restricted);
	ARCHIVE_DL_FN(write_set_format_zip);
	ARCHIVE_DL_FN(write_add_filter_gzip);
	ARCHIVE_DL_FN(write_add_filter_zstd);
	ARCHIVE_DL_FN(write_set_options);
	ARCHIVE_DL_FN(write_set_bytes_in_last_block);
	ARCHIVE_DL_FN(write_open_fd);
	ARCHIVE_DL_FN(write_header);
	ARCHIVE_DL_FN(write_data);
	ARCHIVE_DL_FN(write_finish_entry);
	ARCHIVE_DL_FN(write_close);
	ARCHIVE_DL_FN(write_free);
	/* entries */
	ARCHIVE_DL_FN(entry_new);
	ARCHIVE_DL_FN(entry_clear);
	ARCHIVE_DL_FN(entry_free);
	ARCHIVE_DL_FN(entry_pathname);
	ARCHIVE_DL_FN(entry_set_pathname);
	ARCHIVE_DL_FN(entry_filetype);
	ARCHIVE_DL_FN(entry_set_filetype);
	ARCHIVE_DL_FN(entry_mode);
	ARCHIVE_DL_FN(entry_perm);
	ARCHIVE_DL_FN(entry_set_perm);
	ARCHIVE_DL_FN(entry_size);
	ARCHIVE_DL_FN(entry_size_is_set);
	ARCHIVE_DL_FN(entry_set_size);
	ARCHIVE_DL_FN(entry_set_mtime);
	ARCHIVE_DL_FN(entry_set_uid);
	ARCHIVE_DL_FN(entry_set_gid);
	ARCHIVE_DL_FN(entry_symlink);
	ARCHIVE_DL_FN(entry_set_symlink);
	ARCHIVE_DL_FN(entry_hardlink);
};

#undef ARCHIVE_DL_FN

/*
 * Loads libarchive (libarchive.so.13) the first time, resolving every
 * function of the table.  Returns the table, or NULL with err set when the
 * library or one of its functions cannot be found.  Later calls return the
 * same table.
 */
const struct archive_dl *archive_dl_load(struct error *err);

#endif
