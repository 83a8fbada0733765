#include "records.h"
#include "cache.h"
#include "fileio.h"
#include "hash.h"
#include "path.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const records_ids[] = {
	"req.record-mismatch",
	"req.record-missing-file",
	"req.record-missing",
	NULL,
};

#define RECORD_MAX (64u * 1024 * 1024)

void records_collect(struct records_run *run, const struct dist_set *set)
{
	size_t i, j;

	for (i = 0; i < set->n; i++) {
		const struct dist *d = &set->d[i];
		_cleanup_free_ char *buf = NULL;
		struct dist_record rec;
		struct error err = ERROR_INIT;
		const char *record;
		size_t len;

		if (!d->record_path) {
			if (!d->egg_info) {
				strv_push(&run->missing, d->path);
				strv_push(&run->missing_why, "");
			}
			continue;
		}
		if (file_read(d->record_path, RECORD_MAX, &buf, &len, NULL, &err) < 0) {
			strv_push(&run->missing, d->path);
			strv_pushf(&run->missing_why, "%s%s%s", err.message,
				   err.errnum ? ": " : "", err.errnum ? strerror(err.errnum) : "");
			continue;
		}
		if (dist_record_parse(&rec, buf, len, d->record_path, &err) < 0) {
			strv_push(&run->unreadable, d->record_path);
			strv_pushf(&run->why, "%s%s%s", err.message, err.errnum ? ": " : "",
				   err.errnum ? strerror(err.errnum) : "");
			continue;
		}
		strv_push(&run->records, d->record_path);
		record = run->records.v[run->records.n - 1];
		for (j = 0; j < rec.n; j++) {
			const struct dist_record_entry *e = &rec.entries[j];
			struct records_file *f;

			if (!e->digest || !str_eq(e->algorithm, "sha256"))
				continue;
			grow_array((void **)&run->files, &run->cap, run->n + 1, sizeof(*run->files));
			f = &run->files[run->n++];
			memset(f, 0, sizeof(*f));
			f->path = e->path[0] == '/' ? xstrdup(e->path) : path_join(d->location, e->path);
			f->record = record;
			f->line = e->line;
			f->as_written = xstrdup(e->path);
			f->digest = xstrdup(e->digest);
			f->size = e->size;
			f->got_size = -1;
		}
		dist_record_finish(&rec);
	}
}

struct pool {
	struct records_run *run;
	struct records_file **order;   /* biggest first */
	atomic_size_t next;
	atomic_size_t done;
	atomic_uint_least64_t bytes;
	uint64_t total_bytes;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long running;
};

static void verify_one(struct pool *pl, struct records_file *f)
{
	uint8_t md[SHA256_LEN];
	uint64_t size = 0;
	struct error err = ERROR_INIT;
	struct stat st;

	if (stat(f->path, &st) < 0) {
		f->status = errno == ENOENT || errno == ENOTDIR ? RECORDS_MISSING
							       : RECORDS_UNREADABLE;
		f->errnum = errno;
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		f->status = RECORDS_MISMATCH;
		return;
	}
	f->got_size = st.st_size;
	if (f->size >= 0 && f->size != st.st_size) {
		/* the size already proves the difference: no need to read it */
		f->status = RECORDS_MISMATCH;
		return;
	}
	if (sha256_file(f->path, md, &size, &err) < 0) {
		f->status = RECORDS_UNREADABLE;
		f->errnum = err.errnum;
		return;
	}
	atomic_fetch_add(&pl->bytes, size);
	base64url_encode(md, SHA256_LEN, f->got);
	f->got_size = (int64_t)size;
	f->status = strcmp(f->got, f->digest) ? RECORDS_MISMATCH : RECORDS_OK;
}

static void *worker(void *arg)
{
	struct pool *pl = arg;
	size_t i;

	while ((i = atomic_fetch_add(&pl->next, 1)) < pl->run->n) {
		verify_one(pl, pl->order[i]);
		atomic_fetch_add(&pl->done, 1);
	}
	pthread_mutex_lock(&pl->lock);
	pl->running--;
	pthread_cond_signal(&pl->cond);
	pthread_mutex_unlock(&pl->lock);
	return NULL;
}

static int by_size_desc(const void *a, const void *b)
{
	const struct records_file *x = *(struct records_file *const *)a;
	const struct records_file *y = *(struct records_file *const *)b;

	return (x->size < y->size) - (x->size > y->size);
}

int records_verify(struct records_run *run, long threads,
		   void (*progress)(void *data, const char *what, uint64_t done, uint64_t total),
		   void *progress_data, struct error *err)
{
	struct pool pl;
	pthread_t *tids;
	long i, started = 0;

	if (!run->n)
		return 0;
	if (hash_load(err) < 0)
		return -1;
	memset(&pl, 0, sizeof(pl));
	pl.run = run;
	pl.order = xcalloc(run->n, sizeof(*pl.order));
	for (size_t k = 0; k < run->n; k++) {
		pl.order[k] = &run->files[k];
		pl.total_bytes += run->files[k].size > 0 ? (uint64_t)run->files[k].size : 0;
	}
	qsort(pl.order, run->n, sizeof(*pl.order), by_size_desc);
	pthread_mutex_init(&pl.lock, NULL);
	pthread_cond_init(&pl.cond, NULL);
	if (threads < 1)
		threads = 1;
	if ((size_t)threads > run->n)
		threads = (long)run->n;
	tids = xcalloc((size_t)threads, sizeof(*tids));
	pl.running = threads;
	for (i = 0; i < threads; i++) {
		if (pthread_create(&tids[i], NULL, worker, &pl) != 0)
			break;
		started++;
	}
	pthread_mutex_lock(&pl.lock);
	pl.running -= threads - started;
	pthread_mutex_unlock(&pl.lock);
	if (!started)
		worker(&pl); /* no thread could start: do the work here */
	if (progress) {
		pthread_mutex_lock(&pl.lock);
		while (pl.running > 0) {
			struct timespec ts;

			pthread_mutex_unlock(&pl.lock);
			progress(progress_data, "verifying RECORDs", atomic_load(&pl.bytes),
				 pl.total_bytes);
			pthread_mutex_lock(&pl.lock);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			if (pl.running > 0)
				pthread_cond_timedwait(&pl.cond, &pl.lock, &ts);
		}
		pthread_mutex_unlock(&pl.lock);
		progress(progress_data, NULL, pl.total_bytes, pl.total_bytes);
	}
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	run->bytes = atomic_load(&pl.bytes);
	pthread_cond_destroy(&pl.cond);
	pthread_mutex_destroy(&pl.lock);
	free(tids);
	free(pl.order);
	return 0;
}

void records_run_finish(struct records_run *run)
{
	size_t i;

	if (!run)
		return;
	for (i = 0; i < run->n; i++) {
		free(run->files[i].path);
		free(run->files[i].as_written);
		free(run->files[i].digest);
	}
	free(run->files);
	strv_finish(&run->records);
	strv_finish(&run->missing);
	strv_finish(&run->missing_why);
	strv_finish(&run->unreadable);
	strv_finish(&run->why);
	memset(run, 0, sizeof(*run));
}

static void report_file(struct report *r, const struct records_file *f)
{
	const char *fix = "reinstall the distribution from the lock (pip install "
			  "--force-reinstall --no-deps --require-hashes ...) and find out what "
			  "changed the file";

	switch (f->status) {
	case RECORDS_OK:
		break;
	case RECORDS_MISSING:
		report_add(r, "req.record-missing-file", SEVERITY_ERROR, f->record, f->line, fix,
			   "%s is listed in RECORD but does not exist (%s)", f->as_written, f->path);
		break;
	case RECORDS_UNREADABLE:
		report_add(r, "req.record-mismatch", SEVERITY_ERROR, f->record, f->line, fix,
			   "%s cannot be read to verify it: %s", f->path, strerror(f->errnum));
		break;
	case RECORDS_MISMATCH:
		if (f->got_size < 0)
			report_add(r, "req.record-mismatch", SEVERITY_ERROR, f->record, f->line, fix,
				   "%s is not a regular file, RECORD lists a file", f->path);
		else if (!f->got[0])
			report_add(r, "req.record-mismatch", SEVERITY_ERROR, f->record, f->line, fix,
				   "%s has %lld bytes, RECORD says %lld: it changed since it was "
				   "installed", f->path, (long long)f->got_size, (long long)f->size);
		else
			report_add(r, "req.record-mismatch", SEVERITY_ERROR, f->record, f->line, fix,
				   "%s has sha256=%s, RECORD says sha256=%s: it changed since it "
				   "was installed", f->path, f->got, f->digest);
		break;
	}
}

/* A RECORD with a million rows that fail gives this many findings and a
 * last one that counts the rest. */
#define FINDINGS_PER_RECORD_MAX 20

static void report_more(struct report *r, const char *record, int line, size_t more)
{
	if (more)
		report_add(r, "req.record-missing-file", SEVERITY_ERROR, record, line,
			   "reinstall the distribution from the lock",
			   "%zu more files of this RECORD are missing or changed (only the first %d "
			   "are listed)", more, FINDINGS_PER_RECORD_MAX);
}

/* run.files are grouped by RECORD, in its order. */
static void report_files(struct report *r, const struct records_run *run)
{
	const char *record = NULL;
	size_t i, shown = 0, more = 0;
	int more_line = 0;

	for (i = 0; i < run->n; i++) {
		const struct records_file *f = &run->files[i];

		if (f->record != record) {
			report_more(r, record, more_line, more);
			record = f->record;
			shown = more = 0;
		}
		if (f->status == RECORDS_OK)
			continue;
		if (shown++ < FINDINGS_PER_RECORD_MAX) {
			report_file(r, f);
		} else if (!more++) {
			more_line = f->line;
		}
	}
	report_more(r, record, more_line, more);
}

void records_check(const struct context *ctx, struct report *r)
{
	const struct dist_set *set;
	struct records_run run = {0};
	struct error err = ERROR_INIT;
	size_t i;

	if (!ctx->verify_records) {
		for (i = 0; records_ids[i]; i++)
			report_skip(r, records_ids[i], "needs --verify-records or [checks] "
				    "verify_records = true");
		return;
	}
	set = cache_dists(ctx, &err);
	if (!set)
		return; /* no venv: the venv family says so */
	records_collect(&run, set);
	for (i = 0; i < run.missing.n; i++) {
		_cleanup_free_ char *record = path_join(run.missing.v[i], "RECORD");

		if (run.missing_why.v[i][0])
			report_add(r, "req.record-missing", SEVERITY_ERROR, record, 0,
				   "reinstall the distribution from the lock (pip install "
				   "--force-reinstall --no-deps)",
				   "%s cannot be read, so the files of this distribution cannot be "
				   "verified (nor uninstalled by pip): %s", record,
				   run.missing_why.v[i]);
		else
			report_add(r, "req.record-missing", SEVERITY_ERROR, run.missing.v[i], 0,
				   "reinstall the distribution from the lock (pip install "
				   "--force-reinstall --no-deps)",
				   "%s has no RECORD, so the files of this distribution cannot be "
				   "verified (nor uninstalled by pip)", run.missing.v[i]);
	}
	for (i = 0; i < run.unreadable.n; i++)
		report_add(r, "req.record-mismatch", SEVERITY_ERROR, run.unreadable.v[i], 0,
			   "reinstall the distribution from the lock",
			   "RECORD cannot be read, so its files cannot be verified: %s",
			   run.why.v[i]);
	if (records_verify(&run, ctx->cpus > 0 ? ctx->cpus : 1, ctx->progress, ctx->progress_data,
			   &err) < 0)
		report_add(r, "req.record-mismatch", SEVERITY_ERROR, NULL, 0,
			   "install libssl3 (libcrypto.so.3)", "RECORDs not verified: %s",
			   err.message);
	else
		report_files(r, &run);
	records_run_finish(&run);
}
