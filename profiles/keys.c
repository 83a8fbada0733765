#include "keys.h"
#include "profile.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define F(field) offsetof(struct profile, field)

static const char *const stages[] = {"development", "staging", "production", NULL};
static const char *const servers[] = {"gunicorn", "uvicorn", NULL};
static const char *const process_modes[] = {"wins", "loses", NULL};
static const char *const levels[] = {"default", "error", "warn", "off", NULL};
static const char *const shm_modes[] = {"remove", "report", "off", NULL};
static const char *const on_timeouts[] = {"stop", "warn", NULL};
static const char *const off_word[] = {"off", NULL};
static const char *const off_auto[] = {"off", "auto", NULL};
static const char *const interfaces[] = {"auto", "wsgi", "asgi", NULL};
static const char *const log_levels[] = {"critical", "error", "warning", "info", "debug",
					 "trace", NULL};

const char *const profile_sections[] = {
	"profile", "app", "server", "env", "vars", "checks", "run", "cleanup", "health", "bundle", NULL,
};

const struct key_def profile_keys[] = {
	{"profile", "extends", KT_EXTENDS, 0, NULL, NULL, 0, 0,
	 "Name of a parent profile in the same directory. Its keys apply first; this file's override them. Chains are at most 16 deep; cycles are an error."},
	{"profile", "description", KT_STRING, F(description), "", NULL, 0, 0,
	 "One line shown by `deploy-run profiles`."},
	{"profile", "stage", KT_ENUM, F(stage), "development", stages, 0, 0,
	 "The environment this profile is for. Sets the defaults of [checks]: development is lenient, production strict."},
	{"profile", "strict", KT_BOOL, F(strict), "false", NULL, 0, 0,
	 "Warnings fail `check` (exit 1) and `run`, as `check --strict` does."},
	{"profile", "expected_differences", KT_LIST, F(expected_differences), "", NULL, 0, 0,
	 "Globs over SECTION.KEY (server.bind, env.DATABASE_URL, stage) of the differences `deploy-run diff` expects between this profile and the others it is compared with; `diff` ignores them, as it does those of --ignore."},

	{"app", "root", KT_PATH_FILE, F(root), "..", NULL, 0, 0,
	 "The application's root directory, relative to the directory of the file that sets it."},
	{"app", "module", KT_STRING, F(module), NULL, NULL, 0, 0,
	 "What the server loads: MODULE:ATTRIBUTE, such as webapp.wsgi:app. Required."},
	{"app", "server", KT_ENUM, F(server), "gunicorn", servers, 0, 0,
	 "The server started from the virtualenv's bin/."},
	{"app", "interface", KT_ENUM, F(interface), "auto", interfaces, 0, 0,
	 "Whether the app is WSGI or ASGI; auto infers it from the server and worker class."},
	{"app", "venv", KT_PATH_ROOT, F(venv), ".venv", NULL, 0, 0,
	 "The virtualenv, relative to root."},
	{"app", "python", KT_STRING, F(python), "", NULL, 0, 0,
	 "Expected MAJOR.MINOR of the virtualenv's Python; empty: not checked."},
	{"app", "requirements", KT_PATH_ROOT, F(requirements), "requirements.txt", NULL, 0, 0,
	 "The lock, relative to root; empty: none. A pip requirement file (pinned, with hashes), or a "
	 "pylock.toml or pylock.NAME.toml (PEP 751), known by its name: see the two formats below "
	 "this table."},
	{"app", "user", KT_STRING, F(user), "", NULL, 0, 0,
	 "When started as root, drop privileges to this user (and its groups) before starting the server."},
	{"app", "workdir", KT_PATH_ROOT, F(workdir), ".", NULL, 0, 0,
	 "The server's working directory, relative to root."},

	{"server", "bind", KT_BINDS, F(bind), "127.0.0.1:8000", NULL, 0, 0,
	 "Addresses to listen on: HOST:PORT, [IPV6]:PORT, unix:/PATH or fd://N, comma-separated."},
	{"server", "workers", KT_WORKERS, F(workers), "auto", NULL, 1, 1024,
	 "Worker processes, or auto: from the CPUs this process may use (affinity and cgroup quota); 2N+1 for sync and gthread workers, N for async ones and uvicorn."},
	{"server", "worker_class", KT_STRING, F(worker_class), "sync", NULL, 0, 0,
	 "gunicorn's worker class (sync, gthread, gevent, eventlet, uvicorn.workers.UvicornWorker, ...). Ignored by uvicorn."},
	{"server", "threads", KT_INT, F(threads), "1", NULL, 1, 1024,
	 "Threads per worker (gunicorn's gthread worker)."},
	{"server", "timeout", KT_DURATION, F(timeout_ms), "30s", NULL, 0, 0,
	 "Workers silent for longer are killed and restarted (gunicorn --timeout)."},
	{"server", "graceful_timeout", KT_DURATION, F(graceful_timeout_ms), "30s", NULL, 0, 0,
	 "Time given to workers to finish their requests on a graceful stop."},
	{"server", "keepalive", KT_DURATION, F(keepalive_ms), "5s", NULL, 0, 0,
	 "How long an idle keep-alive connection is kept open."},
	{"server", "max_requests", KT_INT, F(max_requests), "0", NULL, 0, 100000000,
	 "Restart a worker after this many requests; 0: never."},
	{"server", "max_requests_jitter", KT_INT, F(max_requests_jitter), "0", NULL, 0, 100000000,
	 "Random extra requests added to max_requests, so that workers do not restart together."},
	{"server", "preload", KT_BOOL, F(preload), "false", NULL, 0, 0,
	 "Load the app in the master before forking workers (gunicorn --preload)."},
	{"server", "reload", KT_BOOL, F(reload), "false", NULL, 0, 0,
	 "Restart on code changes. For development only."},
	{"server", "access_log", KT_STRING, F(access_log), "-", NULL, 0, 0,
	 "Where the access log goes: - for standard output, a path, or empty for none."},
	{"server", "log_level", KT_ENUM, F(log_level), "info", log_levels, 0, 0,
	 "The server's log level."},
	{"server", "forwarded_allow_ips", KT_LIST, F(forwarded_allow_ips), "", NULL, 0, 0,
	 "Proxies trusted to set X-Forwarded-* headers (addresses, or *)."},
	{"server", "proxy_headers", KT_BOOL, F(proxy_headers), "false", NULL, 0, 0,
	 "Honour X-Forwarded-Proto and X-Forwarded-For from the trusted proxies."},
	{"server", "worker_memory", KT_SIZE, F(worker_memory), "0", NULL, 0, 0,
	 "Expected resident memory of one worker, compared with the cgroup memory limit; 0: unknown."},
	{"server", "max_worker_memory", KT_SIZE, F(max_worker_memory), "off", off_auto, 0, 0,
	 "A worker whose own memory (USS: the pages only it holds, from /proc/PID/smaps_rollup) stays above this for max_worker_memory_for is replaced without a refused request (gunicorn; uvicorn needs 0.30 or gunicorn's UvicornWorker). auto: 90 % of the cgroup memory limit divided by workers + 1 (the master), off when there is no limit; off: never."},
	{"server", "max_worker_memory_for", KT_DURATION, F(max_worker_memory_for_ms), "30s", NULL, 0, 0,
	 "How long a worker must stay above max_worker_memory before it is replaced: a brief peak (one large request) is tolerated."},
	{"server", "memory_interval", KT_DURATION, F(memory_interval_ms), "5s", NULL, 0, 0,
	 "How often the supervisor reads the workers' memory while max_worker_memory is on (one wake-up each time; none while it is off)."},
	{"server", "config", KT_PATH_ROOT, F(server_config), "", NULL, 0, 0,
	 "gunicorn's config file (-c), relative to root; empty: none, and gunicorn is kept from loading ./gunicorn.conf.py of its working directory."},
	{"server", "args", KT_WORDS, F(args), "", NULL, 0, 0,
	 "Extra server arguments, split into words as a shell would but never passed to one."},

	{"env", "files", KT_PATHS_ROOT, F(env_files), "", NULL, 0, 0,
	 ".env files relative to root, loaded in this order: a later file overrides an earlier one."},
	{"env", "process", KT_ENUM, F(process_mode), "wins", process_modes, 0, 0,
	 "wins: the inherited environment beats the files (python-dotenv's override=False); loses: the files win."},
	{"env", "interpolate", KT_BOOL, F(interpolate), "true", NULL, 0, 0,
	 "Expand ${VAR} and ${VAR:-default} in values of the .env files, as python-dotenv does."},
	{"env", "required", KT_LIST, F(required), "", NULL, 0, 0,
	 "Variables that must be set, by a file, [vars] or the process environment."},
	{"env", "secrets", KT_LIST, F(secrets),
	 "*SECRET*, *PASSWORD*, *PASSWD*, *TOKEN*, *_KEY, *API_KEY*, *CREDENTIALS*, DATABASE_URL, *_DSN",
	 NULL, 0, 0,
	 "Globs of variable names whose values are masked in every output unless --reveal."},

	{"checks", "venv", KT_ENUM, F(level_venv), "default", levels, 0, 0,
	 "The venv family: error, warn or off; default: from the stage."},
	{"checks", "env", KT_ENUM, F(level_env), "default", levels, 0, 0,
	 "The env family: error, warn or off; default: from the stage."},
	{"checks", "req", KT_ENUM, F(level_req), "default", levels, 0, 0,
	 "The req family: error, warn or off; default: from the stage."},
	{"checks", "path", KT_ENUM, F(level_path), "default", levels, 0, 0,
	 "The path family: error, warn or off; default: from the stage."},
	{"checks", "server", KT_ENUM, F(level_server), "default", levels, 0, 0,
	 "The server family: error, warn or off; default: from the stage."},
	{"checks", "verify_records", KT_BOOL, F(verify_records), "false", NULL, 0, 0,
	 "Hash every installed file against its RECORD."},
	{"checks", "import_app", KT_BOOL, F(import_app), "false", NULL, 0, 0,
	 "Import the app in the venv's Python to tell WSGI from ASGI and catch import errors."},
	{"checks", "import_timeout", KT_DURATION, F(import_timeout_ms), "20s", NULL, 0, 0,
	 "How long the import check may take."},
	{"checks", "wheelhouse", KT_PATH_ROOT, F(wheelhouse), "", NULL, 0, 0,
	 "Directory of the wheels the venv is installed from; their hashes are checked against the lock."},
	{"checks", "allowed_paths", KT_LIST, F(allowed_paths), "", NULL, 0, 0,
	 "Absolute directories the app may use; any other path is reported."},

	{"run", "success_signals", KT_LIST, F(success_signals), "", NULL, 0, 0,
	 "Signals (TERM, INT, ...) whose death of the server counts as exit 0. Unset: none for gunicorn; TERM and INT for uvicorn, which re-raises them since 0.29 (exit 143 after a clean stop)."},

	{"run", "control_socket", KT_PATH_FILE, F(control_socket), "", off_word, 0, 0,
	 "The unix socket `deploy-run status` and `reload` talk to the running supervisor through (mode 0600, removed at exit); `off`: none. Unset: /run/deploy-run/NAME-HASH.sock for root, else $XDG_RUNTIME_DIR/deploy-run/ (/tmp/deploy-run-UID/ without it), HASH from the profile file's path."},

	{"cleanup", "shm", KT_ENUM, F(shm), "remove", shm_modes, 0, 0,
	 "POSIX shared memory, semaphores and multiprocessing pymp-* directories the run leaked: remove, report, or off."},
	{"cleanup", "prometheus_dir", KT_PATH_ROOT, F(prometheus_dir), "", NULL, 0, 0,
	 "prometheus_client's multiprocess directory, exported as PROMETHEUS_MULTIPROC_DIR; its *.db files are removed before start and after exit (a directory holding anything else, or the app root, is refused)."},
	{"cleanup", "pid_file", KT_PATH_ROOT, F(pid_file), "", NULL, 0, 0,
	 "The server's pid file, removed after exit."},
	{"cleanup", "kill_timeout", KT_DURATION, F(kill_timeout_ms), "0", NULL, 0, 0,
	 "After a stop signal, SIGKILL what is left after this long; 0: graceful_timeout plus 5s."},

	{"health", "path", KT_STRING, F(health_path), "", NULL, 0, 0,
	 "HTTP path probed on the first bind address, such as /healthz; empty: no probe."},
	{"health", "url", KT_STRING, F(health_url), "", NULL, 0, 0,
	 "A full URL to probe instead of path on the first bind."},
	{"health", "expect", KT_STATUSES, F(health_expect), "2xx", NULL, 0, 0,
	 "Expected status: 2xx, or codes and ranges such as 200,204."},
	{"health", "start_timeout", KT_DURATION, F(health_start_timeout_ms), "30s", NULL, 0, 0,
	 "How long the server may take to become ready."},
	{"health", "interval", KT_DURATION, F(health_interval_ms), "10s", NULL, 0, 0,
	 "Once ready, under systemd's watchdog (WatchdogSec=), how often the probe repeats (WATCHDOG=1 after each pass); at most half the watchdog's interval. Without the watchdog there is no repeated probe."},
	{"health", "timeout", KT_DURATION, F(health_timeout_ms), "5s", NULL, 0, 0,
	 "Total time one probe may take."},
	{"health", "connect_timeout", KT_DURATION, F(health_connect_timeout_ms), "2s", NULL, 0, 0,
	 "Time one probe may take to connect."},
	{"health", "follow_redirects", KT_BOOL, F(health_follow_redirects), "false", NULL, 0, 0,
	 "Follow HTTP redirects."},
	{"health", "ready_file", KT_PATH_ROOT, F(health_ready_file), "", NULL, 0, 0,
	 "A file written once the server is ready and removed at exit."},
	{"health", "on_timeout", KT_ENUM, F(health_on_timeout), "stop", on_timeouts, 0, 0,
	 "When the server never becomes ready: stop it and fail, or warn and keep it."},
	{"health", "notify_mainpid", KT_BOOL, F(health_notify_mainpid), "false", NULL, 0, 0,
	 "Send MAINPID= with the server's pid along with READY=1, so that systemd tracks the server as the service's main process. systemd then accepts later messages (WATCHDOG=1, STOPPING=1) from deploy-run only with NotifyAccess=all; by default deploy-run stays the main process."},

	{"bundle", "include", KT_LIST, F(bundle_include), "", NULL, 0, 0,
	 "Globs of files to bundle, relative to root; empty: everything not excluded."},
	{"bundle", "exclude", KT_LIST, F(bundle_exclude), "", NULL, 0, 0,
	 "Globs to leave out, added to the defaults (.git, the venv, __pycache__, *.pyc, .env files holding secrets)."},
	{"bundle", "secrets_ok", KT_LIST, F(bundle_secrets_ok), "", NULL, 0, 0,
	 "Globs of .env files to bundle even though they hold secrets (keys that [env] secrets names); such files are left out otherwise. * bundles them all."},
};

const size_t profile_nkeys = ARRAY_SIZE(profile_keys);

const struct key_def *keys_find(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < profile_nkeys; i++)
		if (strcmp(profile_keys[i].section, section) == 0 &&
		    strcmp(profile_keys[i].key, key) == 0)
			return &profile_keys[i];
	return NULL;
}

size_t keys_index(const struct key_def *def)
{
	return (size_t)(def - profile_keys);
}

int keys_section_known(const char *section)
{
	size_t i;

	for (i = 0; profile_sections[i]; i++)
		if (strcmp(profile_sections[i], section) == 0)
			return 1;
	return 0;
}

static const char *closest(const char *word, const char *const *cands, size_t n, size_t stride)
{
	const char *best = NULL;
	size_t best_d = 3, i;

	for (i = 0; i < n; i++) {
		const char *c = *(const char *const *)((const char *)cands + i * stride);
		size_t max = strlen(word) < 5 ? 1 : 2;
		size_t d = str_distance(word, c, max);

		if (d <= max && d < best_d) {
			best = c;
			best_d = d;
		}
	}
	return best;
}

const char *keys_suggest_section(const char *section)
{
	size_t n = 0;

	while (profile_sections[n])
		n++;
	return closest(section, profile_sections, n, sizeof(char *));
}

const char *keys_suggest_key(const char *section, const char *key)
{
	const char *best = NULL;
	size_t best_d = 3, i;

	for (i = 0; i < profile_nkeys; i++) {
		size_t max = strlen(key) < 5 ? 1 : 2;
		size_t d;

		if (strcmp(profile_keys[i].section, section) != 0)
			continue;
		d = str_distance(key, profile_keys[i].key, max);
		if (d <= max && d < best_d) {
			best = profile_keys[i].key;
			best_d = d;
		}
	}
	return best;
}

const char *keys_section_of(const char *key)
{
	size_t i;

	for (i = 0; i < profile_nkeys; i++)
		if (strcmp(profile_keys[i].key, key) == 0)
			return profile_keys[i].section;
	return NULL;
}

void keys_choices_text(const struct key_def *def, char *buf, size_t size)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; def->choices && def->choices[i]; i++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      i ? ", " : "", def->choices[i]);
}

const char *keys_type_name(enum key_type type)
{
	switch (type) {
	case KT_STRING: return "string";
	case KT_BOOL: return "boolean";
	case KT_INT: return "integer";
	case KT_DURATION: return "duration";
	case KT_SIZE: return "size";
	case KT_ENUM: return "one of";
	case KT_LIST: return "list";
	case KT_WORDS: return "words";
	case KT_BINDS: return "list of addresses";
	case KT_STATUSES: return "list of statuses";
	case KT_WORKERS: return "auto or integer";
	case KT_PATH_FILE: return "path";
	case KT_PATH_ROOT: return "path";
	case KT_PATHS_ROOT: return "list of paths";
	case KT_EXTENDS: return "profile name";
	}
	return "value";
}
