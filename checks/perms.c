#include "perms.h"
#include "path.h"
#include "userspec.h"
#include "util.h"

#include <pwd.h>
#include <string.h>
#include <unistd.h>

const char *const perms_ids[] = {
	"profile.permissions",
	NULL,
};

uid_t perms_runtime_uid(const struct profile *p)
{
	struct error err = ERROR_INIT;
	struct userspec_ids ids;
	uid_t uid;

	if (geteuid() != 0 || !p->user || !*p->user || userspec_resolve(p->user, &ids, &err) < 0)
		return geteuid();
	uid = ids.uid;
	userspec_ids_finish(&ids);
	return uid;
}

static bool allowed_owner(uid_t owner, uid_t runtime_uid)
{
	return owner == 0 || owner == runtime_uid;
}

bool perms_foreign_write(const struct stat *st, uid_t runtime_uid, const char *sep,
			 struct strbuf *why)
{
	size_t before = why->len;
	mode_t mode = st->st_mode;
	bool dir = S_ISDIR(mode);
	/* in a sticky directory others may add entries but not replace ours */
	bool sticky_ok = dir && (mode & S_ISVTX) && allowed_owner(st->st_uid, runtime_uid);

	if ((mode & S_IWOTH) && !sticky_ok) {
		strbuf_addf(why, "%sis writable by others: anyone on the host can change what the "
			    "server runs with", why->len ? sep : "");
	} else if ((mode & S_IWGRP) && !sticky_ok) {
		strbuf_addf(why, "%sis writable by its group (gid %u): its members can change what "
			    "the server runs with", why->len ? sep : "", (unsigned)st->st_gid);
	}
	if (!allowed_owner(st->st_uid, runtime_uid)) {
		struct passwd *pw = getpwuid(st->st_uid);

		strbuf_addf(why, "%sis owned by %s (uid %u), neither root nor the user the server "
			    "runs as", why->len ? sep : "", pw ? pw->pw_name : "an unknown user",
			    (unsigned)st->st_uid);
	}
	return why->len > before;
}

static enum severity severity_of(const struct profile *p)
{
	return p->stage == STAGE_PRODUCTION ? SEVERITY_ERROR : SEVERITY_WARNING;
}

/* The profile file, or (dir) its directory: whoever may write a directory
 * may replace the files in it. */
static void check_path(const struct context *ctx, struct report *r, const char *file, bool dir,
		       uid_t uid)
{
	_cleanup_free_ char *parent = dir ? path_dirname(file) : NULL;
	const char *path = dir ? parent : file;
	struct stat st;
	struct strbuf why, what;

	if (stat(path, &st) < 0)
		return;
	strbuf_init(&why);
	strbuf_init(&what);
	if (dir)
		strbuf_addf(&what, "the directory %s (mode %04o) holding the profile %s", parent,
			    (unsigned)(st.st_mode & 07777), path_basename(file));
	else
		strbuf_addf(&what, "the profile %s (mode %04o)", file,
			    (unsigned)(st.st_mode & 07777));
	if (perms_foreign_write(&st, uid, "; it ", &why))
		report_add(r, "profile.permissions", severity_of(ctx->profile), file, 0,
			   dir ? "chmod go-w the directory and chown it to root or to the user the "
				 "server runs as"
			       : "chmod go-w the file and chown it to root or to the user the "
				 "server runs as",
			   "%s %s%s", what.buf, why.buf,
			   dir ? ": whoever can write there can replace the profile" : "");
	strbuf_finish(&what);
	strbuf_finish(&why);
}

void perms_check_profile(const struct context *ctx, struct report *r)
{
	const struct profile *p = ctx->profile;
	uid_t uid = perms_runtime_uid(p);
	size_t i, j;

	for (i = 0; i < p->files.n; i++) {
		_cleanup_free_ char *dir = path_dirname(p->files.v[i]);
		bool file_seen = false, dir_seen = false;

		for (j = 0; j < i; j++) {
			_cleanup_free_ char *other = path_dirname(p->files.v[j]);

			file_seen |= strcmp(p->files.v[j], p->files.v[i]) == 0;
			dir_seen |= strcmp(other, dir) == 0;
		}
		if (!file_seen)
			check_path(ctx, r, p->files.v[i], false, uid);
		if (!dir_seen)
			check_path(ctx, r, p->files.v[i], true, uid);
	}
}
