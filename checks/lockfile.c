#include "lockfile.h"
#include "fileio.h"
#include "path.h"
#include "pylock.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define INCLUDE_DEPTH_MAX 32

/* The chain of files being read, to find cycles. */
struct stack {
	char *abs[INCLUDE_DEPTH_MAX + 1];
	size_t n;
	lockfile_read_fn read;  /* NULL: the file system */
	void *rdata;
};

static const char *env_lookup(const char *name, void *data)
{
	return getenv(name);
}

static void take_req(struct lockfile *lf, struct reqfile_req *r)
{
	grow_array((void **)&lf->reqs, &lf->cap_reqs, lf->n_reqs + 1, sizeof(*lf->reqs));
	lf->reqs[lf->n_reqs++] = *r;
	memset(r, 0, sizeof(*r));
}

static void apply_option(struct lockfile *lf, struct reqfile_option *o)
{
	if (str_eq(o->name, "--require-hashes"))
		lf->require_hashes = true;
	else if (str_eq(o->name, "--pre"))
		lf->pre = true;
	else if (str_eq(o->name, "--no-index"))
		lf->no_index = true;
	else if (str_eq(o->name, "--index-url")) {
		free(lf->index_url);
		lf->index_url = xstrdup(o->value);
	} else if (str_eq(o->name, "--extra-index-url"))
		strv_push(&lf->extra_index_urls, o->value);
	else if (str_eq(o->name, "--find-links"))
		strv_push(&lf->find_links, o->value);
	else if (str_eq(o->name, "--trusted-host"))
		strv_push(&lf->trusted_hosts, o->value);
	grow_array((void **)&lf->options, &lf->cap_options, lf->n_options + 1,
		   sizeof(*lf->options));
	lf->options[lf->n_options++] = *o;
	memset(o, 0, sizeof(*o));
}

static int load(struct lockfile *lf, struct stack *st, const char *path, bool constraint,
		const struct reqfile_include *from, reqfile_lookup_fn lookup, void *data,
		struct error *err)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ char *abs = st->read ? path_normalize(path) : realpath(path, NULL);
	_cleanup_free_ char *dir = path_dirname(path);
	struct reqfile rf;
	size_t len, i, r = 0;
	int ret = -1;

	if (!abs)
		abs = path_absolute(path, NULL);
	for (i = 0; i < st->n; i++) {
		if (!str_eq(st->abs[i], abs))
			continue;
		return error_at(err, from->file, from->line, from->column,
				"include cycle: %s includes %s, which is already being read",
				from->file, path);
	}
	if (st->n == INCLUDE_DEPTH_MAX)
		return error_at(err, from->file, from->line, from->column,
				"includes nested more than %d deep", INCLUDE_DEPTH_MAX);
	if (from && strstr(from->path, "://"))
		return error_at(err, from->file, from->line, from->column,
				"-%c %s: remote requirement files are not supported",
				from->constraint ? 'c' : 'r', from->path);
	if ((st->read ? st->read(st->rdata, path, &buf, &len, err)
		      : file_read(path, 0, &buf, &len, NULL, err)) < 0) {
		if (from) {
			struct error inner = *err;

			error_at(err, from->file, from->line, from->column, "-%c %s: %s: %s",
				 from->constraint ? 'c' : 'r', from->path, inner.file, inner.message);
			err->errnum = inner.errnum;
		}
		return -1;
	}
	if (reqfile_parse(&rf, buf, len, path, constraint, lookup, data, err) < 0)
		return -1;
	strv_push(&lf->files, path);
	st->abs[st->n++] = abs;
	for (i = 0; i < rf.n_options; i++)
		apply_option(lf, &rf.options[i]);
	for (i = 0; i <= rf.n_includes; i++) {
		size_t until = i < rf.n_includes ? rf.includes[i].position : rf.n_reqs;

		for (; r < until; r++)
			take_req(lf, &rf.reqs[r]);
		if (i < rf.n_includes) {
			const struct reqfile_include *inc = &rf.includes[i];
			_cleanup_free_ char *sub = path_join(dir, inc->path);
			_cleanup_free_ char *norm = path_normalize(sub);

			if (load(lf, st, norm, inc->constraint, inc, lookup, data, err) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	st->n--;
	reqfile_finish(&rf);
	return ret;
}

int lockfile_load(struct lockfile *lf, const char *path, reqfile_lookup_fn lookup, void *data,
		  struct error *err)
{
	return lockfile_load_from(lf, path, NULL, NULL, lookup, data, err);
}

int lockfile_load_from(struct lockfile *lf, const char *path, lockfile_read_fn read,
		       void *rdata, reqfile_lookup_fn lookup, void *data, struct error *err)
{
	struct stack st = {{NULL}, 0, read, rdata};
	size_t i;

	memset(lf, 0, sizeof(*lf));
	if (pylock_is_name(path)) {
		_cleanup_free_ char *buf = NULL;
		size_t len;

		lf->format = LOCKFILE_PYLOCK;
		lf->require_hashes = true;
		if ((read ? read(rdata, path, &buf, &len, err)
			  : file_read(path, 0, &buf, &len, NULL, err)) < 0 ||
		    pylock_parse_owned(lf, steal_pointer(&buf), len, path, err) < 0) {
			lockfile_finish(lf);
			return -1;
		}
		strv_push(&lf->files, path);
		return 0;
	}
	if (!lookup)
		lookup = env_lookup;
	if (load(lf, &st, path, false, NULL, lookup, data, err) < 0) {
		lockfile_finish(lf);
		return -1;
	}
	for (i = 0; i < lf->n_reqs; i++)
		if (lf->reqs[i].hashes.n)
			lf->require_hashes = true;
	return 0;
}

void lockfile_finish(struct lockfile *lf)
{
	size_t i;

	if (!lf)
		return;
	strv_finish(&lf->files);
	for (i = 0; i < lf->n_reqs; i++)
		reqfile_req_finish(&lf->reqs[i]);
	free(lf->reqs);
	for (i = 0; i < lf->n_options; i++)
		reqfile_option_finish(&lf->options[i]);
	free(lf->options);
	free(lf->index_url);
	strv_finish(&lf->extra_index_urls);
	strv_finish(&lf->find_links);
	strv_finish(&lf->trusted_hosts);
	free(lf->pylock.lock_version);
	free(lf->pylock.created_by);
	free(lf->pylock.requires_python);
	strv_finish(&lf->pylock.environments);
	strv_finish(&lf->pylock.extras);
	strv_finish(&lf->pylock.dependency_groups);
	strv_finish(&lf->pylock.default_groups);
	if (lf->pylock.package_requires_python)
		for (i = 0; i < lf->n_reqs; i++)
			free(lf->pylock.package_requires_python[i]);
	free(lf->pylock.package_requires_python);
	memset(lf, 0, sizeof(*lf));
}

const struct reqfile_req *lockfile_find(const struct lockfile *lf, const char *normalized)
{
	size_t i;

	for (i = 0; i < lf->n_reqs; i++)
		if (!lf->reqs[i].constraint && str_eq(lf->reqs[i].normalized, normalized))
			return &lf->reqs[i];
	return NULL;
}
