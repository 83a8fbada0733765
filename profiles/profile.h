/*
 * Profiles: one INI file per environment (profiles/prod.ini), read with
 * inih, chained with [profile] extends, typed and validated through one key
 * table (profiles/keys.c) that also drives `show` and the documentation.
 *
 * Loading resolves the chain (root-most parent first, the named profile
 * last: a later file overrides an earlier one key by key), converts every
 * value to its type, and resolves paths: [app] root against the directory
 * of the file that set it, other paths against the final app root.
 * Nothing here starts or deletes anything.
 */
#ifndef DEPLOY_RUN_PROFILE_H
#define DEPLOY_RUN_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "strv.h"
#include "util.h"
#include "value.h"

#define PROFILE_MAX_DEPTH 16

enum stage { STAGE_DEVELOPMENT, STAGE_STAGING, STAGE_PRODUCTION };
enum server_kind { SERVER_GUNICORN, SERVER_UVICORN };
enum process_mode { PROCESS_WINS, PROCESS_LOSES };
enum family_level { LEVEL_DEFAULT = 0, LEVEL_ERROR, LEVEL_WARN, LEVEL_OFF };
enum shm_mode { SHM_REMOVE, SHM_REPORT, SHM_OFF };
enum on_timeout { ON_TIMEOUT_STOP, ON_TIMEOUT_WARN };
enum app_interface { INTERFACE_AUTO, INTERFACE_WSGI, INTERFACE_ASGI };

/* Where a value came from: file (as found) and line; file NULL for defaults. */
struct profile_loc {
	const char *file;
	int line;
};

struct profile_var {
	char *key;
	char *value;
	struct profile_loc loc;
};

struct profile {
	char *name;       /* as given on the command line */
	char *path;       /* absolute path of the named profile's file */
	struct strv chain;  /* profile names, root-most parent first, this one last */
	struct strv files;  /* absolute file paths, same order as chain */

	/* [profile] */
	char *description;
	int stage;          /* enum stage */
	bool strict;
	struct strv expected_differences; /* globs over SECTION.KEY, for `diff` */

	/* [app] */
	char *root;         /* absolute */
	char *module;
	int server;         /* enum server_kind */
	char *venv;         /* absolute */
	char *python;       /* "3.11" or NULL */
	char *requirements; /* absolute, or NULL when set empty */
	char *user;
	char *workdir;      /* absolute; the server's cwd */
	int interface;      /* enum app_interface */

	/* [server] */
	struct strv bind;
	long workers;       /* 0: auto */
	char *worker_class;
	long threads;
	int64_t timeout_ms;
	int64_t graceful_timeout_ms;
	int64_t keepalive_ms;
	long max_requests;
	long max_requests_jitter;
	bool preload;
	bool reload;
	char *access_log;   /* "-" stdout, "" off, or a path */
	int log_level;      /* index into the choices of [server] log_level */
	struct strv forwarded_allow_ips;
	bool proxy_headers;
	int64_t worker_memory; /* bytes; expected per worker, 0 unknown */
	int64_t max_worker_memory; /* bytes; 0 off, -1 auto (launcher/memwatch.h) */
	int64_t max_worker_memory_for_ms;
	int64_t memory_interval_ms;
	struct strv args;   /* split into words */

	/* [env] */
	struct strv env_files;   /* absolute */
	struct strv env_files_as_written;
	int process_mode;        /* enum process_mode */
	bool interpolate;
	struct strv required;
	struct strv secrets;     /* globs */

	/* [vars], in file order (a later file's value replaces in place) */
	struct profile_var *vars;
	size_t nvars;

	/* [checks] */
	int level_venv, level_env, level_req, level_path, level_server; /* enum family_level */
	bool verify_records;
	bool import_app;
	int64_t import_timeout_ms;
	char *wheelhouse;        /* absolute or NULL */
	struct strv allowed_paths;

	/* [run] */
	struct strv success_signals; /* signal names whose death maps to exit 0 */
	char *control_socket;    /* absolute, "off", or NULL: derived (launcher/control.h) */

	/* [cleanup] */
	int shm;                 /* enum shm_mode */
	char *prometheus_dir;    /* absolute or NULL */
	char *pid_file;          /* absolute or NULL */
	char *server_config;     /* [server] config: absolute or NULL */
	int64_t kill_timeout_ms; /* 0: graceful_timeout + 5 s */

	/* [health] */
	char *health_path;
	char *health_url;
	struct value_statuses health_expect;
	int64_t health_start_timeout_ms;
	int64_t health_interval_ms;
	int64_t health_timeout_ms;
	int64_t health_connect_timeout_ms;
	bool health_follow_redirects;
	char *health_ready_file;
	int health_on_timeout;   /* enum on_timeout */
	bool health_notify_mainpid; /* READY=1 carries MAINPID= of the server */

	/* [bundle] */
	struct strv bundle_include;
	struct strv bundle_exclude;
	struct strv bundle_secrets_ok; /* globs of .env files bundled despite their secrets */

	/* where each key of the table was set (index = key table index) */
	struct profile_loc *locs;
	/* every file name string the locs point into */
	struct strv loc_files;
	/* private: [env] secrets prepared by profile_load() for profile_is_secret() */
	struct glob *secret_globs;
};

/*
 * Finds the profile file: NAME is a path when it contains a '/' or ends
 * in ".ini", else PROFILES_DIR/NAME.ini.  Returns a malloc'd absolute path,
 * or NULL with err set.
 */
char *profile_find(const char *name, const char *profiles_dir, struct error *err);

/*
 * Parses one profile file's text without following extends or reading
 * anything (pure; for tests and fuzzing): syntax, sections, keys and
 * duplicates.  Returns 0, or -1 with err naming name:line.
 */
int profile_parse_buffer(const char *buf, size_t len, const char *name, struct error *err);

/*
 * Loads and validates the profile NAME (see profile_find) with its chain.
 * Returns NULL with err set (file, line, message) on any error.
 */
struct profile *profile_load(const char *name, const char *profiles_dir, struct error *err);
void profile_destroy(struct profile *p);
DEFINE_POINTER_CLEANUP(struct profile *, profile_destroyp, profile_destroy)

/* Location where section.key was set (file NULL when it has its default). */
struct profile_loc profile_loc(const struct profile *p, const char *section, const char *key);

const char *profile_stage_name(int stage);
const char *profile_server_name(int server);
/* The name of an enum value as written in profiles ("info" for [server] log_level). */
const char *profile_choice(const char *section, const char *key, int value);

/* The number of workers when [server] workers = auto, for this server kind
 * and worker class, given the usable CPUs. */
long profile_auto_workers(const struct profile *p, long cpus);
/* True when the worker class is asynchronous (one process serves many). */
bool profile_async_worker(const struct profile *p);

/*
 * The value of a key of the table as it is in effect, in the spelling of a
 * profile ("30s", "true", "auto", "0.0.0.0:8000, [::]:8000"), paths absolute
 * (newly allocated).  NULL when the key holds no value (an unset path or
 * string, an empty list).  [profile] extends has none either.
 */
struct key_def;
char *profile_value_text(const struct profile *p, const struct key_def *d);

/* The kill timeout in effect (the configured one, else graceful + 5 s). */
int64_t profile_kill_timeout_ms(const struct profile *p);

/* True when key matches one of the secrets globs. */
bool profile_is_secret(const struct profile *p, const char *key);
/* The value to show for key: value itself, or "****" when key is a secret
 * and reveal is off (NULL stays NULL). */
const char *profile_mask(const struct profile *p, const char *key, const char *value, bool reveal);

#endif
