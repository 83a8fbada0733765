#include "servercfg.h"
#include "path.h"
#include "strbuf.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- gunicorn's command line (Debian's 20.1, 23.0, 26.x; tests/diff/gunicorn_options.py) ---- */

enum { GV_20 = 1, GV_23 = 2, GV_26 = 4 };

struct gopt {
	const char *setting;
	const char *flags[3];
	bool takes_value;
	unsigned versions;
};

static const struct gopt gopts[] = {
	{"access_log_format", {"--access-logformat"}, true, GV_20|GV_23|GV_26},
	{"accesslog", {"--access-logfile"}, true, GV_20|GV_23|GV_26},
	{"asgi_disconnect_grace_period", {"--asgi-disconnect-grace-period"}, true, GV_26},
	{"asgi_lifespan", {"--asgi-lifespan"}, true, GV_26},
	{"asgi_loop", {"--asgi-loop"}, true, GV_26},
	{"backlog", {"--backlog"}, true, GV_20|GV_23|GV_26},
	{"bind", {"-b", "--bind"}, true, GV_20|GV_23|GV_26},
	{"ca_certs", {"--ca-certs"}, true, GV_20|GV_23|GV_26},
	{"capture_output", {"--capture-output"}, false, GV_20|GV_23|GV_26},
	{"casefold_http_method", {"--casefold-http-method"}, false, GV_23|GV_26},
	{"cert_reqs", {"--cert-reqs"}, true, GV_20|GV_23|GV_26},
	{"certfile", {"--certfile"}, true, GV_20|GV_23|GV_26},
	{"chdir", {"--chdir"}, true, GV_20|GV_23|GV_26},
	{"check_config", {"--check-config"}, false, GV_20|GV_23|GV_26},
	{"ciphers", {"--ciphers"}, true, GV_20|GV_23|GV_26},
	{"config", {"-c", "--config"}, true, GV_20|GV_23|GV_26},
	{"control_socket", {"--control-socket"}, true, GV_26},
	{"control_socket_disable", {"--no-control-socket"}, false, GV_26},
	{"control_socket_mode", {"--control-socket-mode"}, true, GV_26},
	{"daemon", {"-D", "--daemon"}, false, GV_20|GV_23|GV_26},
	{"dirty_apps", {"--dirty-app"}, true, GV_26},
	{"dirty_graceful_timeout", {"--dirty-graceful-timeout"}, true, GV_26},
	{"dirty_threads", {"--dirty-threads"}, true, GV_26},
	{"dirty_timeout", {"--dirty-timeout"}, true, GV_26},
	{"dirty_workers", {"--dirty-workers"}, true, GV_26},
	{"disable_redirect_access_to_syslog", {"--disable-redirect-access-to-syslog"}, false, GV_20|GV_23|GV_26},
	{"do_handshake_on_connect", {"--do-handshake-on-connect"}, false, GV_20|GV_23|GV_26},
	{"dogstatsd_tags", {"--dogstatsd-tags"}, true, GV_20|GV_23|GV_26},
	{"enable_backlog_metric", {"--enable-backlog-metric"}, false, GV_26},
	{"enable_stdio_inheritance", {"-R", "--enable-stdio-inheritance"}, false, GV_20|GV_23|GV_26},
	{"errorlog", {"--error-logfile", "--log-file"}, true, GV_20|GV_23|GV_26},
	{"forwarded_allow_ips", {"--forwarded-allow-ips"}, true, GV_20|GV_23|GV_26},
	{"forwarder_headers", {"--forwarder-headers"}, true, GV_23|GV_26},
	{"graceful_timeout", {"--graceful-timeout"}, true, GV_20|GV_23|GV_26},
	{"group", {"-g", "--group"}, true, GV_20|GV_23|GV_26},
	{"header_map", {"--header-map"}, true, GV_23|GV_26},
	{"http2_cleartext", {"--http2-cleartext"}, true, GV_26},
	{"http2_initial_window_size", {"--http2-initial-window-size"}, true, GV_26},
	{"http2_max_concurrent_streams", {"--http2-max-concurrent-streams"}, true, GV_26},
	{"http2_max_frame_size", {"--http2-max-frame-size"}, true, GV_26},
	{"http2_max_header_list_size", {"--http2-max-header-list-size"}, true, GV_26},
	{"http_parser", {"--http-parser"}, true, GV_26},
	{"http_protocols", {"--http-protocols"}, true, GV_26},
	{"initgroups", {"--initgroups"}, false, GV_20|GV_23|GV_26},
	{"keepalive", {"--keep-alive"}, true, GV_20|GV_23|GV_26},
	{"keyfile", {"--keyfile"}, true, GV_20|GV_23|GV_26},
	{"limit_request_field_size", {"--limit-request-field_size"}, true, GV_20|GV_23|GV_26},
	{"limit_request_fields", {"--limit-request-fields"}, true, GV_20|GV_23|GV_26},
	{"limit_request_line", {"--limit-request-line"}, true, GV_20|GV_23|GV_26},
	{"logconfig", {"--log-config"}, true, GV_20|GV_23|GV_26},
	{"logconfig_json", {"--log-config-json"}, true, GV_23|GV_26},
	{"logger_class", {"--logger-class"}, true, GV_20|GV_23|GV_26},
	{"loglevel", {"--log-level"}, true, GV_20|GV_23|GV_26},
	{"max_requests", {"--max-requests"}, true, GV_20|GV_23|GV_26},
	{"max_requests_jitter", {"--max-requests-jitter"}, true, GV_20|GV_23|GV_26},
	{"paste", {"--paste", "--paster"}, true, GV_20|GV_23|GV_26},
	{"permit_obsolete_folding", {"--permit-obsolete-folding"}, false, GV_23|GV_26},
	{"permit_unconventional_http_method", {"--permit-unconventional-http-method"}, false, GV_23|GV_26},
	{"permit_unconventional_http_version", {"--permit-unconventional-http-version"}, false, GV_23|GV_26},
	{"pidfile", {"-p", "--pid"}, true, GV_20|GV_23|GV_26},
	{"preload_app", {"--preload"}, false, GV_20|GV_23|GV_26},
	{"print_config", {"--print-config"}, false, GV_20|GV_23|GV_26},
	{"proc_name", {"-n", "--name"}, true, GV_20|GV_23|GV_26},
	{"protocol", {"--protocol"}, true, GV_26},
	{"proxy_allow_ips", {"--proxy-allow-from"}, true, GV_20|GV_23|GV_26},
	{"proxy_protocol", {"--proxy-protocol"}, false, GV_20|GV_23},
	{"proxy_protocol", {"--proxy-protocol"}, true, GV_26}, /* 26 takes a version */
	{"pythonpath", {"--pythonpath"}, true, GV_20|GV_23|GV_26},
	{"raw_env", {"-e", "--env"}, true, GV_20|GV_23|GV_26},
	{"raw_paste_global_conf", {"--paste-global"}, true, GV_20|GV_23|GV_26},
	{"reload", {"--reload"}, false, GV_20|GV_23|GV_26},
	{"reload_engine", {"--reload-engine"}, true, GV_20|GV_23|GV_26},
	{"reload_extra_files", {"--reload-extra-file"}, true, GV_20|GV_23|GV_26},
	{"reuse_port", {"--reuse-port"}, false, GV_20|GV_23|GV_26},
	{"root_path", {"--root-path"}, true, GV_26},
	{"sendfile", {"--no-sendfile"}, false, GV_20|GV_23|GV_26},
	{"spew", {"--spew"}, false, GV_20|GV_23|GV_26},
	{"ssl_version", {"--ssl-version"}, true, GV_20|GV_23|GV_26},
	{"statsd_host", {"--statsd-host"}, true, GV_20|GV_23|GV_26},
	{"statsd_prefix", {"--statsd-prefix"}, true, GV_20|GV_23|GV_26},
	{"strip_header_spaces", {"--strip-header-spaces"}, false, GV_20|GV_23|GV_26},
	{"suppress_ragged_eofs", {"--suppress-ragged-eofs"}, false, GV_20|GV_23|GV_26},
	{"syslog", {"--log-syslog"}, false, GV_20|GV_23|GV_26},
	{"syslog_addr", {"--log-syslog-to"}, true, GV_20|GV_23|GV_26},
	{"syslog_facility", {"--log-syslog-facility"}, true, GV_20|GV_23|GV_26},
	{"syslog_prefix", {"--log-syslog-prefix"}, true, GV_20|GV_23|GV_26},
	{"threads", {"--threads"}, true, GV_20|GV_23|GV_26},
	{"timeout", {"-t", "--timeout"}, true, GV_20|GV_23|GV_26},
	{"tolerate_dangerous_framing", {"--tolerate-dangerous-framing"}, false, GV_20},
	{"umask", {"-m", "--umask"}, true, GV_20|GV_23|GV_26},
	{"user", {"-u", "--user"}, true, GV_20|GV_23|GV_26},
	{"uwsgi_allow_ips", {"--uwsgi-allow-from"}, true, GV_26},
	{"worker_class", {"-k", "--worker-class"}, true, GV_20|GV_23|GV_26},
	{"worker_connections", {"--worker-connections"}, true, GV_20|GV_23|GV_26},
	{"worker_tmp_dir", {"--worker-tmp-dir"}, true, GV_20|GV_23|GV_26},
	{"workers", {"-w", "--workers"}, true, GV_20|GV_23|GV_26},
};

/* ---- uvicorn's options (click; 0.17.6 and 0.22-0.35) ---- */

enum uv_kind { UV_TEXT, UV_BOOL, UV_BOOLVAL, UV_INT, UV_FLOAT, UV_LIST }; /* UV_BOOL: a flag; UV_BOOLVAL: a boolean value */
enum { UV_OLD = 1, UV_NEW = 2 };

struct uopt {
	const char *param;
	const char *flag;
	const char *negation;
	enum uv_kind kind;
	unsigned versions;
};

static const struct uopt uopts[] = {
	{"access_log", "--access-log", "--no-access-log", UV_BOOL, UV_OLD | UV_NEW},
	{"app_dir", "--app-dir", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"backlog", "--backlog", NULL, UV_INT, UV_OLD | UV_NEW},
	{"date_header", "--date-header", "--no-date-header", UV_BOOL, UV_OLD | UV_NEW},
	{"debug", "--debug", NULL, UV_BOOL, UV_OLD},
	{"env_file", "--env-file", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"factory", "--factory", NULL, UV_BOOL, UV_OLD | UV_NEW},
	{"fd", "--fd", NULL, UV_INT, UV_OLD | UV_NEW},
	{"forwarded_allow_ips", "--forwarded-allow-ips", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"h11_max_incomplete_event_size", "--h11-max-incomplete-event-size", NULL, UV_INT, UV_NEW},
	{"headers", "--header", NULL, UV_LIST, UV_OLD | UV_NEW},
	{"host", "--host", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"http", "--http", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"interface", "--interface", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"lifespan", "--lifespan", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"limit_concurrency", "--limit-concurrency", NULL, UV_INT, UV_OLD | UV_NEW},
	{"limit_max_requests", "--limit-max-requests", NULL, UV_INT, UV_OLD | UV_NEW},
	{"log_config", "--log-config", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"log_level", "--log-level", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"loop", "--loop", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"port", "--port", NULL, UV_INT, UV_OLD | UV_NEW},
	{"proxy_headers", "--proxy-headers", "--no-proxy-headers", UV_BOOL, UV_OLD | UV_NEW},
	{"reload", "--reload", NULL, UV_BOOL, UV_OLD | UV_NEW},
	{"reload_delay", "--reload-delay", NULL, UV_FLOAT, UV_OLD | UV_NEW},
	{"reload_dirs", "--reload-dir", NULL, UV_LIST, UV_OLD | UV_NEW},
	{"reload_excludes", "--reload-exclude", NULL, UV_LIST, UV_OLD | UV_NEW},
	{"reload_includes", "--reload-include", NULL, UV_LIST, UV_OLD | UV_NEW},
	{"root_path", "--root-path", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"server_header", "--server-header", "--no-server-header", UV_BOOL, UV_OLD | UV_NEW},
	{"ssl_ca_certs", "--ssl-ca-certs", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"ssl_cert_reqs", "--ssl-cert-reqs", NULL, UV_INT, UV_OLD | UV_NEW},
	{"ssl_certfile", "--ssl-certfile", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"ssl_ciphers", "--ssl-ciphers", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"ssl_keyfile", "--ssl-keyfile", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"ssl_keyfile_password", "--ssl-keyfile-password", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"ssl_version", "--ssl-version", NULL, UV_INT, UV_OLD | UV_NEW},
	{"timeout_graceful_shutdown", "--timeout-graceful-shutdown", NULL, UV_INT, UV_NEW},
	{"timeout_keep_alive", "--timeout-keep-alive", NULL, UV_INT, UV_OLD | UV_NEW},
	{"uds", "--uds", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"use_colors", "--use-colors", "--no-use-colors", UV_BOOL, UV_OLD | UV_NEW},
	{"version", "--version", NULL, UV_BOOL, UV_OLD | UV_NEW},
	{"workers", "--workers", NULL, UV_INT, UV_OLD | UV_NEW},
	{"ws", "--ws", NULL, UV_TEXT, UV_OLD | UV_NEW},
	{"ws_max_queue", "--ws-max-queue", NULL, UV_INT, UV_NEW},
	{"ws_max_size", "--ws-max-size", NULL, UV_INT, UV_OLD | UV_NEW},
	{"ws_per_message_deflate", "--ws-per-message-deflate", NULL, UV_BOOLVAL, UV_OLD | UV_NEW},
	{"ws_ping_interval", "--ws-ping-interval", NULL, UV_FLOAT, UV_OLD | UV_NEW},
	{"ws_ping_timeout", "--ws-ping-timeout", NULL, UV_FLOAT, UV_OLD | UV_NEW},
};

/* The profile key behind each setting deploy-run writes, for its source. */
struct managed {
	int server;
	const char *setting;
	const char *section, *key;
};

static const struct managed managed[] = {
	{SERVER_GUNICORN, "bind", "server", "bind"},
	{SERVER_GUNICORN, "workers", "server", "workers"},
	{SERVER_GUNICORN, "worker_class", "server", "worker_class"},
	{SERVER_GUNICORN, "threads", "server", "threads"},
	{SERVER_GUNICORN, "timeout", "server", "timeout"},
	{SERVER_GUNICORN, "graceful_timeout", "server", "graceful_timeout"},
	{SERVER_GUNICORN, "keepalive", "server", "keepalive"},
	{SERVER_GUNICORN, "max_requests", "server", "max_requests"},
	{SERVER_GUNICORN, "max_requests_jitter", "server", "max_requests_jitter"},
	{SERVER_GUNICORN, "preload_app", "server", "preload"},
	{SERVER_GUNICORN, "reload", "server", "reload"},
	{SERVER_GUNICORN, "accesslog", "server", "access_log"},
	{SERVER_GUNICORN, "loglevel", "server", "log_level"},
	{SERVER_GUNICORN, "forwarded_allow_ips", "server", "forwarded_allow_ips"},
	{SERVER_GUNICORN, "pidfile", "cleanup", "pid_file"},
	{SERVER_GUNICORN, "config", "server", "config"},
	{SERVER_UVICORN, "app", "app", "module"},
	{SERVER_UVICORN, "host", "server", "bind"},
	{SERVER_UVICORN, "port", "server", "bind"},
	{SERVER_UVICORN, "uds", "server", "bind"},
	{SERVER_UVICORN, "fd", "server", "bind"},
	{SERVER_UVICORN, "workers", "server", "workers"},
	{SERVER_UVICORN, "reload", "server", "reload"},
	{SERVER_UVICORN, "timeout_keep_alive", "server", "keepalive"},
	{SERVER_UVICORN, "timeout_graceful_shutdown", "server", "graceful_timeout"},
	{SERVER_UVICORN, "limit_max_requests", "server", "max_requests"},
	{SERVER_UVICORN, "access_log", "server", "access_log"},
	{SERVER_UVICORN, "log_level", "server", "log_level"},
	{SERVER_UVICORN, "proxy_headers", "server", "proxy_headers"},
	{SERVER_UVICORN, "forwarded_allow_ips", "server", "forwarded_allow_ips"},
	{SERVER_UVICORN, "interface", "app", "interface"},
};

/* gunicorn's settings that collect every occurrence (argparse "append"). */
static bool gunicorn_appends(const char *setting)
{
	static const char *const v[] = {"bind", "raw_env", "reload_extra_files",
					"raw_paste_global_conf", "dirty_apps", NULL};
	size_t i;

	for (i = 0; v[i]; i++)
		if (str_eq(v[i], setting))
			return true;
	return false;
}

static unsigned gunicorn_versions(const char *version)
{
	if (version && pyenv_version_at_least(version, "26") == 1)
		return GV_26;
	if (version && pyenv_version_at_least(version, "23") == 1)
		return GV_23;
	if (version && pyenv_version_at_least(version, "23") == 0)
		return GV_20;
	return GV_26;
}

static unsigned uvicorn_versions(const char *version)
{
	return version && pyenv_version_at_least(version, "0.22") == 0 ? UV_OLD : UV_NEW;
}

const char *servercfg_gunicorn_setting(const char *flag)
{
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(gopts); i++)
		for (k = 0; k < 3 && gopts[i].flags[k]; k++)
			if (str_eq(gopts[i].flags[k], flag))
				return gopts[i].setting;
	return NULL;
}

/* ---- shlex.split ---- */

int servercfg_shlex(const char *s, struct strv *out, struct error *err)
{
	struct strbuf w;
	bool in_word = false;

	strbuf_init(&w);
	while (*s) {
		char c = *s;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (in_word) {
				strv_push(out, w.buf);
				strbuf_reset(&w);
				in_word = false;
			}
			s++;
		} else if (c == '\\') {
			if (!s[1]) {
				strbuf_finish(&w);
				return error_set(err, 0, "No escaped character");
			}
			strbuf_addc(&w, s[1]);
			in_word = true;
			s += 2;
		} else if (c == '\'' || c == '"') {
			const char q = c;

			in_word = true;
			for (s++; *s && *s != q; s++) {
				/* in double quotes a backslash escapes only " and \ */
				if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				strbuf_addc(&w, *s);
			}
			if (!*s) {
				strbuf_finish(&w);
				return error_set(err, 0, "No closing quotation");
			}
			s++;
		} else {
			strbuf_addc(&w, c);
			in_word = true;
			s++;
		}
	}
	if (in_word)
		strv_push(out, w.buf);
	strbuf_finish(&w);
	return 0;
}

/* ---- gunicorn's argparse ---- */

static const struct gopt *gopt_long(const char *name, size_t len, unsigned vers, int *matches)
{
	const struct gopt *exact = NULL, *prefix = NULL;
	size_t i, k;

	*matches = 0;
	for (i = 0; i < ARRAY_SIZE(gopts); i++) {
		if (!(gopts[i].versions & vers))
			continue;
		for (k = 0; k < 3 && gopts[i].flags[k]; k++) {
			const char *f = gopts[i].flags[k];

			if (f[1] != '-')
				continue;
			if (strlen(f) == len && strncmp(f, name, len) == 0)
				exact = &gopts[i];
			else if (strlen(f) > len && strncmp(f, name, len) == 0 && prefix != &gopts[i]) {
				prefix = &gopts[i];
				(*matches)++;
			}
		}
	}
	if (exact) {
		*matches = 1;
		return exact;
	}
	return *matches == 1 ? prefix : NULL;
}

static const struct gopt *gopt_short(char c, unsigned vers)
{
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(gopts); i++)
		for (k = 0; k < 3 && gopts[i].flags[k]; k++)
			if ((gopts[i].versions & vers) && gopts[i].flags[k][1] == c &&
			    !gopts[i].flags[k][2])
				return &gopts[i];
	return NULL;
}

/* gunicorn's settings whose option is argparse type=int (umask: auto_int, base 0) */
static const char *const gunicorn_ints[] = {
	"asgi_disconnect_grace_period", "backlog", "dirty_graceful_timeout", "dirty_threads",
	"dirty_timeout", "dirty_workers", "graceful_timeout", "http2_initial_window_size",
	"http2_max_concurrent_streams", "http2_max_frame_size", "http2_max_header_list_size",
	"keepalive", "limit_request_field_size", "limit_request_fields", "limit_request_line",
	"max_requests", "max_requests_jitter", "threads", "timeout", "worker_connections",
	"workers", NULL,
};

static bool python_int(const char *s);

/* Python's int(s, 0) as gunicorn's auto_int calls it (a leading 0 read as octal). */
static bool python_int0(const char *s)
{
	const char *p = s;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		p++;
	if (p[0] == '0' && p[1] && strchr("xXoObB", p[1])) {
		const char *digits = strchr("xX", p[1]) ? "0123456789abcdefABCDEF_"
			: strchr("oO", p[1]) ? "01234567_" : "01_";
		size_t k = strspn(p + 2, digits);

		if (!k || p[2] == '_')
			return false;
		p += 2 + k;
		while (isspace((unsigned char)*p))
			p++;
		return !*p;
	}
	return python_int(s);
}

/* Whether argparse's type conversion accepts value for setting. */
static bool gunicorn_type_ok(const char *setting, const char *value)
{
	size_t i;

	if (str_eq(setting, "umask"))
		return python_int0(value);
	for (i = 0; gunicorn_ints[i]; i++)
		if (str_eq(gunicorn_ints[i], setting))
			return python_int(value);
	return true;
}

int servercfg_gunicorn_parse(char *const *words, size_t n, const char *version,
			     void (*fn)(const char *setting, const char *value, void *data),
			     void *data, struct error *err)
{
	unsigned vers = gunicorn_versions(version);
	bool options = true, in_chunk = false;
	int chunks = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *w = words[i];
		const struct gopt *o = NULL;
		const char *value = NULL;

		bool positional;

		if (options && str_eq(w, "--")) {
			options = false; /* what follows is positional; "--" is part of that run */
			positional = true;
		} else {
			positional = !options || w[0] != '-' || !w[1] || isdigit((unsigned char)w[1]);
		}
		if (positional) {
			/* the app (gunicorn's "args", nargs="*"), which argparse fills
			 * from the first run of positionals only */
			if (!in_chunk && ++chunks > 1)
				return error_set(err, 0, "unrecognized arguments: %s", w);
			in_chunk = true;
			continue;
		}
		in_chunk = false;
		if (w[1] == '-') {
			const char *eq = strchr(w, '=');
			size_t len = eq ? (size_t)(eq - w) : strlen(w);
			int matches;

			o = gopt_long(w, len, vers, &matches);
			if (!o)
				return error_set(err, 0, matches > 1 ? "ambiguous option: %.*s"
						 : "unrecognized arguments: %.*s", (int)len, w);
			if (eq && !o->takes_value)
				return error_set(err, 0, "argument %s: ignored explicit argument '%s'",
						 o->flags[0], eq + 1);
			if (eq)
				value = eq + 1;
		} else {
			o = gopt_short(w[1], vers);
			if (!o)
				return error_set(err, 0, "unrecognized arguments: %s", w);
			if (w[2] && o->takes_value)
				value = w[2] == '=' ? w + 3 : w + 2;
			else if (w[2])
				return error_set(err, 0, "unrecognized arguments: %s", w);
		}
		if (o->takes_value && !value) {
			if (i + 1 >= n || (words[i + 1][0] == '-' && words[i + 1][1] &&
					   !isdigit((unsigned char)words[i + 1][1])))
				return error_set(err, 0, "argument %s%s%s: expected one argument",
						 o->flags[0], o->flags[1] ? "/" : "",
						 o->flags[1] ? o->flags[1] : "");
			value = words[++i];
		}
		/* argparse drops "--" from an option's value and converts nothing */
		if (value && !str_eq(value, "--") && !gunicorn_type_ok(o->setting, value))
			return error_set(err, 0, "argument %s%s%s: invalid value: '%s'", o->flags[0],
					 o->flags[1] ? "/" : "", o->flags[1] ? o->flags[1] : "", value);
		fn(o->setting, value, data);
	}
	return 0;
}

/* ---- uvicorn's click options ---- */

static const struct uopt *uopt_find(const char *param, unsigned vers)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(uopts); i++)
		if ((uopts[i].versions & vers) && str_eq(uopts[i].param, param))
			return &uopts[i];
	return NULL;
}

/* click: "--opt value", "--opt=value", "--flag", "--no-flag"; fn gets the
 * param and its value ("True"/"False" for flags).  Unknown words skipped. */
static void uvicorn_parse(char *const *words, size_t n, unsigned vers,
			  void (*fn)(const char *setting, const char *value, void *data), void *data)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const char *w = words[i], *eq = strchr(w, '=');
		size_t len = eq ? (size_t)(eq - w) : strlen(w);

		if (!str_starts_with(w, "--") || len == 2)
			continue;
		for (k = 0; k < ARRAY_SIZE(uopts); k++) {
			const struct uopt *o = &uopts[k];

			if (!(o->versions & vers))
				continue;
			if (o->negation && strlen(o->negation) == len &&
			    strncmp(o->negation, w, len) == 0) {
				fn(o->param, "False", data);
				break;
			}
			if (strlen(o->flag) != len || strncmp(o->flag, w, len) != 0)
				continue;
			if (o->kind == UV_BOOL)
				fn(o->param, "True", data);
			else if (eq)
				fn(o->param, eq + 1, data);
			else if (i + 1 < n)
				fn(o->param, words[++i], data);
			break;
		}
	}
}

/* ---- building ---- */

struct builder {
	struct servercfg *sc;
	const struct profile *p;
	const char *source;      /* of the segment being recorded */
	bool own;                /* deploy-run's own flags: the source is the profile key */
	bool reveal;
};

static struct servercfg_setting *setting_find(struct servercfg *sc, const char *name)
{
	size_t i;

	for (i = 0; i < sc->nsettings; i++)
		if (str_eq(sc->settings[i].name, name))
			return &sc->settings[i];
	return NULL;
}

const struct servercfg_setting *servercfg_get(const struct servercfg *sc, const char *name)
{
	return setting_find((struct servercfg *)sc, name);
}

static char *managed_source(const struct profile *p, int server, const char *setting)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(managed); i++)
		if (managed[i].server == server && str_eq(managed[i].setting, setting)) {
			struct profile_loc loc = profile_loc(p, managed[i].section, managed[i].key);

			if (loc.file)
				return xasprintf("%s:%d", loc.file, loc.line);
			return xasprintf("default of [%s] %s", managed[i].section, managed[i].key);
		}
	return xstrdup("deploy-run");
}

static void record(const char *setting, const char *value, void *data)
{
	struct builder *b = data;
	struct servercfg *sc = b->sc;
	struct servercfg_setting *s = setting_find(sc, setting);
	const char *v = value ? value : "True";

	if (!s) {
		grow_array((void **)&sc->settings, &sc->settings_cap, sc->nsettings + 1,
			   sizeof(*sc->settings));
		s = &sc->settings[sc->nsettings++];
		memset(s, 0, sizeof(*s));
		s->name = xstrdup(setting);
	} else if (sc->server == SERVER_GUNICORN && gunicorn_appends(setting) && s->value) {
		char *j = xasprintf("%s,%s", s->value, v);

		free(s->value);
		s->value = j;
		v = NULL;
	}
	if (v) {
		free(s->value);
		s->value = xstrdup(v);
	}
	free(s->source);
	s->source = b->own ? managed_source(b->p, sc->server, setting) : xstrdup(b->source);
	s->pinned = true;
}

static long seconds(int64_t ms)
{
	return (long)((ms + 999) / 1000);
}

static const char *log_level(const struct profile *p, bool gunicorn)
{
	const char *level = profile_choice("server", "log_level", p->log_level);

	/* gunicorn has no trace level */
	return gunicorn && strcmp(level, "trace") == 0 ? "debug" : level;
}

static char *joined(const struct strv *sv)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	for (i = 0; i < sv->n; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", sv->v[i]);
	return strbuf_detach(&sb);
}

static void build_gunicorn(struct strv *a, const struct profile *p, long workers)
{
	size_t i;

	for (i = 0; i < p->bind.n; i++) {
		strv_push(a, "--bind");
		strv_push(a, p->bind.v[i]);
	}
	strv_push(a, "--workers");
	strv_pushf(a, "%ld", workers);
	strv_push(a, "--worker-class");
	strv_push(a, p->worker_class);
	if (p->threads > 1) {
		strv_push(a, "--threads");
		strv_pushf(a, "%ld", p->threads);
	}
	strv_push(a, "--timeout");
	strv_pushf(a, "%ld", seconds(p->timeout_ms));
	strv_push(a, "--graceful-timeout");
	strv_pushf(a, "%ld", seconds(p->graceful_timeout_ms));
	strv_push(a, "--keep-alive");
	strv_pushf(a, "%ld", seconds(p->keepalive_ms));
	if (p->max_requests) {
		strv_push(a, "--max-requests");
		strv_pushf(a, "%ld", p->max_requests);
		if (p->max_requests_jitter) {
			strv_push(a, "--max-requests-jitter");
			strv_pushf(a, "%ld", p->max_requests_jitter);
		}
	}
	if (p->preload)
		strv_push(a, "--preload");
	if (p->reload)
		strv_push(a, "--reload");
	if (p->access_log && *p->access_log) {
		strv_push(a, "--access-logfile");
		strv_push(a, p->access_log);
	}
	strv_push(a, "--log-level");
	strv_push(a, log_level(p, true));
	if (p->forwarded_allow_ips.n) {
		strv_push(a, "--forwarded-allow-ips");
		strv_push_owned(a, joined(&p->forwarded_allow_ips));
	}
	if (p->pid_file) {
		strv_push(a, "--pid");
		strv_push(a, p->pid_file);
	}
	if (p->server_config && *p->server_config) {
		strv_push(a, "--config");
		strv_push(a, p->server_config);
	}
}

static int build_uvicorn(struct strv *a, const struct profile *p, long workers,
			 const char *version, struct error *err)
{
	const char *b = p->bind.v[0];

	if (p->bind.n > 1) {
		struct profile_loc loc = profile_loc(p, "server", "bind");

		return error_at(err, loc.file, loc.line, 0,
				"uvicorn listens on one address, [server] bind has %zu: keep one, or "
				"use server = gunicorn with worker_class = uvicorn.workers.UvicornWorker",
				p->bind.n);
	}
	strv_push(a, p->module);
	if (str_starts_with(b, "unix:")) {
		strv_push(a, "--uds");
		strv_push(a, b + 5);
	} else if (str_starts_with(b, "fd://")) {
		strv_push(a, "--fd");
		strv_push(a, b + 5);
	} else {
		const char *colon = strrchr(b, ':');

		strv_push(a, "--host");
		if (b[0] == '[')
			strv_push_owned(a, xstrndup(b + 1, (size_t)(colon - b - 2)));
		else
			strv_push_owned(a, xstrndup(b, (size_t)(colon - b)));
		strv_push(a, "--port");
		strv_push(a, colon + 1);
	}
	if (p->reload) {
		strv_push(a, "--reload");
	} else {
		strv_push(a, "--workers");
		strv_pushf(a, "%ld", workers);
	}
	strv_push(a, "--timeout-keep-alive");
	strv_pushf(a, "%ld", seconds(p->keepalive_ms));
	/* only versions known to take it: an unknown version gets the flags
	 * every supported one accepts (venv.server-version says so) */
	if (pyenv_version_at_least(version, SERVERCFG_UVICORN_GRACEFUL) == 1) {
		strv_push(a, "--timeout-graceful-shutdown");
		strv_pushf(a, "%ld", seconds(p->graceful_timeout_ms));
	}
	if (p->max_requests) {
		strv_push(a, "--limit-max-requests");
		strv_pushf(a, "%ld", p->max_requests);
	}
	strv_push(a, p->access_log && *p->access_log ? "--access-log" : "--no-access-log");
	strv_push(a, "--log-level");
	strv_push(a, log_level(p, false));
	strv_push(a, p->proxy_headers ? "--proxy-headers" : "--no-proxy-headers");
	if (p->forwarded_allow_ips.n) {
		strv_push(a, "--forwarded-allow-ips");
		strv_push_owned(a, joined(&p->forwarded_allow_ips));
	}
	if (p->interface == INTERFACE_WSGI) {
		strv_push(a, "--interface");
		strv_push(a, "wsgi");
	} else if (p->interface == INTERFACE_ASGI) {
		strv_push(a, "--interface");
		strv_push(a, "asgi3");
	}
	return 0;
}

/* Records the settings of words (one segment of the argv). */
static void record_words(struct builder *b, char *const *words, size_t n, const char *version)
{
	struct error err = ERROR_INIT;

	if (b->sc->server == SERVER_GUNICORN)
		servercfg_gunicorn_parse(words, n, version, record, b, &err);
	else
		uvicorn_parse(words, n, uvicorn_versions(version), record, b);
}

/* ---- outside inputs ---- */

struct outside_ctx {
	struct servercfg *sc;
	const struct profile *p;
	const struct environ *env;
	const struct env_var *var;   /* the variable being read */
	bool reveal;
};

static struct servercfg_outside *outside_add(struct outside_ctx *o, const char *setting,
					     const char *value)
{
	struct servercfg *sc = o->sc;
	struct servercfg_outside *x;
	const char *file;
	int line = 0;

	grow_array((void **)&sc->outside, &sc->outside_cap, sc->noutside + 1, sizeof(*sc->outside));
	x = &sc->outside[sc->noutside++];
	memset(x, 0, sizeof(*x));
	if (o->var) {
		x->variable = xstrdup(o->var->key);
		file = environ_source_file(o->env, o->p, o->var->source, o->var->key, &line);
		if (str_eq(o->var->source, "process"))
			x->origin = xstrdup("process environment");
		else if (str_eq(o->var->source, "profile"))
			x->origin = file ? xasprintf("[vars], %s:%d", file, line) : xstrdup("[vars]");
		else
			x->origin = xstrdup(o->var->source);
		x->file = file ? xstrdup(file) : NULL;
		x->line = line;
	}
	x->setting = setting ? xstrdup(setting) : NULL;
	x->value = value ? xstrdup(o->var ? profile_mask(o->p, o->var->key, value, o->reveal)
					   : value) : NULL;
	x->pinned = setting && setting_find(sc, setting) != NULL;
	return x;
}

/* The next variable of the environment that comes from outside deploy-run
 * (the one it reads from, o->var), from *i on; NULL at the end. */
static const struct env_var *outside_next(struct outside_ctx *o, size_t *i)
{
	const struct environ *env = o->env;

	o->var = NULL;
	while (*i < env->n) {
		const struct env_var *v = &env->vars[(*i)++];

		if (!v->removed && v->value && !str_eq(v->source, "deploy-run"))
			return o->var = v;
	}
	return NULL;
}

static void outside_free(struct servercfg_outside *x)
{
	free(x->variable);
	free(x->origin);
	free(x->file);
	free(x->setting);
	free(x->value);
	free(x->why);
}

static void cmd_args_option(const char *setting, const char *value, void *data)
{
	struct outside_ctx *o = data;

	outside_add(o, setting, value ? value : "True");
}

/* Python's int(): optional sign, digits with single underscores between, white space around. */
static bool python_int(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s && !isspace((unsigned char)*s); s++)
		if (!isdigit((unsigned char)*s) && !(*s == '_' && isdigit((unsigned char)s[1]) &&
						     isdigit((unsigned char)s[-1])))
			return false;
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

/* click's BoolParamType */
static bool click_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "true", "t", "yes", "y", "on"};
	static const char *const no[] = {"0", "false", "f", "no", "n", "off"};
	_cleanup_free_ char *t = xstrdup(s);
	char *v = str_trim(t);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (str_case_eq(v, yes[i])) {
			*out = true;
			return true;
		}
		if (str_case_eq(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static void gunicorn_outside(struct outside_ctx *o, const char *version, const char *cwd)
{
	const struct env_var *v;
	size_t i = 0;

	while ((v = outside_next(o, &i))) {
		struct servercfg_outside *x;

		if (str_eq(v->key, "GUNICORN_CMD_ARGS")) {
			struct strv words = STRV_INIT;
			struct error err = ERROR_INIT;
			size_t before = o->sc->noutside;

			if (servercfg_shlex(v->value, &words, &err) < 0 ||
			    servercfg_gunicorn_parse(words.v, words.n, version, cmd_args_option, o,
						     &err) < 0) {
				x = outside_add(o, NULL, v->value);
				x->fatal = true;
				x->why = xasprintf("gunicorn refuses to start: %s", err.message);
			} else if (o->sc->noutside == before && words.n) {
				x = outside_add(o, NULL, v->value);
				x->pinned = true;
				x->why = xstrdup("it names no option (gunicorn ignores its positional "
						 "words)");
			}
			strv_finish(&words);
		} else if (str_eq(v->key, "PORT")) {
			x = outside_add(o, "bind", NULL);
			free(x->value);
			x->value = xasprintf("0.0.0.0:%s", v->value);
		} else if (str_eq(v->key, "WEB_CONCURRENCY")) {
			x = outside_add(o, "workers", v->value);
			if (!python_int(v->value)) {
				x->fatal = true;
				x->why = xstrdup("gunicorn fails at start-up: its default for workers is "
						 "int($WEB_CONCURRENCY), read even when --workers is "
						 "given");
			}
		} else if (str_eq(v->key, "FORWARDED_ALLOW_IPS")) {
			outside_add(o, "forwarded_allow_ips", v->value);
		} else if (str_eq(v->key, "SENDFILE")) {
			x = outside_add(o, "sendfile", v->value);
			if (!setting_find(o->sc, "sendfile"))
				x->why = xstrdup("used unless --no-sendfile is given");
		} else if (str_eq(v->key, "SCRIPT_NAME")) {
			x = outside_add(o, "root_path", v->value);
			x->why = xstrdup("every request's SCRIPT_NAME (the app's URL prefix)");
		} else if (str_eq(v->key, "GUNICORN_PID") || str_eq(v->key, "GUNICORN_FD")) {
			x = outside_add(o, NULL, v->value);
			x->why = xstrdup("gunicorn takes itself for a master re-executed by USR2: it "
					 "renames its pid file, adopts inherited sockets and "
					 "reports the old master as promoted");
		}
	}
	if (cwd && !(o->p->server_config && *o->p->server_config)) {
		_cleanup_free_ char *conf = path_join(cwd, "gunicorn.conf.py");

		if (path_exists(conf)) {
			struct servercfg_outside *x = outside_add(o, "config", conf);

			x->origin = xstrdup(conf);
			x->file = xstrdup(conf);
			x->why = xasprintf("gunicorn loads it when no --config is given; deploy-run "
					   "passes --config %s (a module that defines no setting) "
					   "so that it is not read; set [server] config to use it",
					   SERVERCFG_GUNICORN_NO_CONFIG);
		}
	}
}

static void uvicorn_outside(struct outside_ctx *o, const char *version)
{
	unsigned vers = uvicorn_versions(version);
	bool reload = setting_find(o->sc, "reload") != NULL;
	const struct env_var *v;
	size_t i = 0;

	while ((v = outside_next(o, &i))) {
		struct servercfg_outside *x;

		if (str_starts_with(v->key, "UVICORN_") && v->key[8]) {
			_cleanup_free_ char *param = xstrdup(v->key + 8);
			const struct uopt *u;
			char *c;
			bool b = false;

			for (c = param; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			if (str_eq(param, "app")) {
				x = outside_add(o, "app", v->value);
				x->pinned = true;
				continue;
			}
			u = uopt_find(param, vers);
			if (!u || !*v->value)
				continue; /* click reads only its own options, and no empty value */
			x = outside_add(o, param, v->value);
			/* click reads the variable only when the option is not on the
			 * command line: a value it would reject matters only then */
			if (!x->pinned && (u->kind == UV_BOOL || u->kind == UV_BOOLVAL) &&
			    !click_bool(v->value, &b)) {
				x->fatal = true;
				x->why = xasprintf("uvicorn refuses to start: '%s' is not a valid "
						   "boolean for %s", v->value, u->flag);
			} else if (!x->pinned && u->kind == UV_INT && !python_int(v->value)) {
				x->fatal = true;
				x->why = xasprintf("uvicorn refuses to start: '%s' is not a valid "
						   "integer for %s", v->value, u->flag);
			} else if (str_eq(param, "version") && b) {
				x->fatal = true;
				x->why = xstrdup("uvicorn prints its version and exits without serving");
			} else if (str_eq(param, "workers") && reload) {
				x->pinned = true;
				x->why = xstrdup("--reload runs one process whatever the workers");
			} else if ((str_eq(param, "host") || str_eq(param, "port")) &&
				   (setting_find(o->sc, "uds") || setting_find(o->sc, "fd"))) {
				x->pinned = true;
				x->why = xstrdup("deploy-run's --uds or --fd takes precedence");
			}
		} else if (str_eq(v->key, "WEB_CONCURRENCY")) {
			x = outside_add(o, "workers", v->value);
			if (reload) {
				x->pinned = true;
				x->why = xstrdup("--reload runs one process whatever the workers");
			} else if (!x->pinned && !python_int(v->value)) {
				x->fatal = true;
				x->why = xstrdup("uvicorn fails at start-up: int($WEB_CONCURRENCY)");
			}
		} else if (str_eq(v->key, "FORWARDED_ALLOW_IPS")) {
			outside_add(o, "forwarded_allow_ips", v->value);
		}
	}
}

/* Settings the profile has a value for that deploy-run passes only when
 * they differ from the server's default: passed when an outside source
 * touches them, so that the profile's value wins. */
static bool pin_now(struct strv *own, const struct profile *p, int server, const char *setting)
{
	if (server == SERVER_GUNICORN) {
		if (str_eq(setting, "max_requests")) {
			strv_push(own, "--max-requests");
			strv_pushf(own, "%ld", p->max_requests);
		} else if (str_eq(setting, "max_requests_jitter")) {
			strv_push(own, "--max-requests-jitter");
			strv_pushf(own, "%ld", p->max_requests_jitter);
		} else if (str_eq(setting, "config")) {
			strv_push(own, "--config");
			strv_push(own, SERVERCFG_GUNICORN_NO_CONFIG);
		} else if (str_eq(setting, "threads")) {
			strv_push(own, "--threads");
			strv_pushf(own, "%ld", p->threads);
		} else {
			return false;
		}
		return true;
	}
	if (str_eq(setting, "interface")) {
		strv_push(own, "--interface");
		strv_push(own, p->interface == INTERFACE_WSGI ? "wsgi"
			  : p->interface == INTERFACE_ASGI ? "asgi3" : "auto");
		return true;
	}
	return false;
}

int servercfg_build(struct servercfg *sc, const struct profile *p, const struct environ *env,
		    const char *version, long workers, char *const *extra, const char *cwd,
		    bool reveal, struct error *err)
{
	struct strv own = STRV_INIT;
	struct builder b = {sc, p, NULL, true, reveal};
	struct outside_ctx o = {sc, p, env, NULL, reveal};
	size_t i, nextra = 0, own_n;
	_cleanup_free_ char *args_src = NULL;
	struct profile_loc aloc = profile_loc(p, "server", "args");

	memset(sc, 0, sizeof(*sc));
	sc->server = p->server;
	sc->version_known = version != NULL;
	if (p->server == SERVER_UVICORN) {
		if (build_uvicorn(&own, p, workers, version, err) < 0) {
			strv_finish(&own);
			return -1;
		}
	} else {
		build_gunicorn(&own, p, workers);
	}
	own_n = own.n;
	record_words(&b, own.v, own.n, version);
	b.own = false;
	args_src = aloc.file ? xasprintf("[server] args, %s:%d", aloc.file, aloc.line)
		: xstrdup("[server] args");
	b.source = args_src;
	record_words(&b, p->args.v, p->args.n, version);
	while (extra && extra[nextra])
		nextra++;
	b.source = "command line after --";
	record_words(&b, extra, nextra, version);

	if (env) {
		if (p->server == SERVER_GUNICORN)
			gunicorn_outside(&o, version, cwd);
		else
			uvicorn_outside(&o, version);
	}
	/* pin what the profile has a value for */
	for (i = 0; i < sc->noutside; i++) {
		struct servercfg_outside *x = &sc->outside[i];
		size_t k;

		if (x->pinned || x->fatal || !x->setting || !pin_now(&own, p, sc->server, x->setting))
			continue;
		b.own = true;
		record_words(&b, own.v + own_n, own.n - own_n, version);
		own_n = own.n;
		for (k = 0; k < sc->noutside; k++)
			if (str_eq(sc->outside[k].setting, x->setting))
				sc->outside[k].pinned = true;
	}
	/* a pinned input that asks for what deploy-run passes anyway changes
	 * nothing (a platform's PORT equal to the bind's port, WEB_CONCURRENCY
	 * equal to the workers): not an input to report */
	for (i = 0; i < sc->noutside;) {
		struct servercfg_outside *x = &sc->outside[i];
		const struct servercfg_setting *s = x->setting ? setting_find(sc, x->setting) : NULL;
		bool same_value = s && x->pinned && !x->fatal && x->value && s->value &&
				  (str_eq(s->value, x->value) ||
				   (str_eq(x->variable, "PORT") && strrchr(s->value, ':') &&
				    str_eq(strrchr(s->value, ':') + 1, strrchr(x->value, ':') + 1) &&
				    !strchr(s->value, ',')));

		if (!same_value) {
			i++;
			continue;
		}
		outside_free(x);
		memmove(x, x + 1, (sc->noutside - i - 1) * sizeof(*x));
		sc->noutside--;
	}
	/* the outside value each pinned setting beats */
	for (i = 0; i < sc->noutside; i++) {
		struct servercfg_outside *x = &sc->outside[i];
		struct servercfg_setting *s = x->setting ? setting_find(sc, x->setting) : NULL;

		if (!s && x->setting && !x->pinned && !x->fatal) {
			/* an outside source sets what deploy-run leaves to the server */
			grow_array((void **)&sc->settings, &sc->settings_cap, sc->nsettings + 1,
				   sizeof(*sc->settings));
			s = &sc->settings[sc->nsettings++];
			memset(s, 0, sizeof(*s));
			s->name = xstrdup(x->setting);
			s->value = xstrdup(x->value ? x->value : "");
			s->source = xasprintf("%s%s%s", x->variable ? x->variable : "",
					      x->variable ? " from " : "", x->origin);
			continue;
		}
		if (s && x->pinned && s->pinned) {
			char *more = xasprintf("%s%s%s%s%s", s->overridden ? s->overridden : "",
					       s->overridden ? ", " : "", x->variable ? x->variable : "",
					       x->variable ? " from " : "", x->origin);

			free(s->overridden);
			s->overridden = more;
		}
	}
	for (i = 0; i < own.n; i++)
		strv_push(&sc->args, own.v[i]);
	for (i = 0; i < p->args.n; i++)
		strv_push(&sc->args, p->args.v[i]);
	if (p->server == SERVER_GUNICORN)
		strv_push(&sc->args, p->module);
	for (i = 0; i < nextra; i++)
		strv_push(&sc->args, extra[i]);
	strv_finish(&own);
	return 0;
}

void servercfg_finish(struct servercfg *sc)
{
	size_t i;

	if (!sc)
		return;
	for (i = 0; i < sc->nsettings; i++) {
		free(sc->settings[i].name);
		free(sc->settings[i].value);
		free(sc->settings[i].source);
		free(sc->settings[i].overridden);
	}
	for (i = 0; i < sc->noutside; i++)
		outside_free(&sc->outside[i]);
	free(sc->settings);
	free(sc->outside);
	strv_finish(&sc->args);
	memset(sc, 0, sizeof(*sc));
}

void servercfg_command(const struct profile *p, const struct pyenv_found *found,
		       struct strv *prefix, bool *module)
{
	const char *name = profile_server_name(p->server);

	*module = !found->script && found->importable;
	if (*module) {
		strv_push_owned(prefix, xasprintf("%s/bin/python", p->venv));
		strv_push(prefix, "-m");
		strv_push(prefix, name);
	} else {
		strv_push_owned(prefix, xasprintf("%s/bin/%s", p->venv, name));
	}
}
