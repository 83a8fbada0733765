/*
 * The control socket: how `deploy-run status` (and `reload`) talk to the
 * supervisor of a running profile.  This header is the design and the
 * contract.
 *
 * Where: [run] control_socket = PATH, else
 *   /run/deploy-run/NAME-HASH.sock                     (euid 0)
 *   $XDG_RUNTIME_DIR/deploy-run/NAME-HASH.sock         (others)
 *   /tmp/deploy-run-UID/NAME-HASH.sock                 (others, no XDG_RUNTIME_DIR)
 * NAME is the profile's name ([A-Za-z0-9._-], others '_', at most 32
 * bytes); HASH is 16 hex digits of the FNV-1a hash of the profile file's
 * absolute path, so that two profiles, or one name in two checkouts, never
 * share a socket, and the client finds it from any directory.
 *
 * The socket lives in the supervisor's epoll loop: the listening fd and
 * each connection are watched fds, so nothing wakes while nobody asks (a
 * connection that has not sent its request has a 5 s timer, which exists
 * only while it is open).  It is bound 0600 (under umask 0177: no window)
 * and chowned to the uid the server runs as; a peer whose SO_PEERCRED uid
 * is neither 0, the supervisor's euid nor the server's uid is refused.
 * It is removed at exit (only if the path is still ours); one left by a
 * SIGKILL (connect() refused) is replaced at the next start; one that
 * answers means another supervisor runs the profile, and the start is
 * refused.
 *
 * Wire protocol: one request per connection.  The client sends one line,
 * "VERB[ KEY=VALUE...]\n" (printable ASCII, at most 1024 bytes), and keeps
 * the connection open.  The supervisor answers zero or more progress lines
 * {"progress": "TEXT"} and then one answer line, a JSON object, and closes.
 * An answer with a top-level "error" is a failure: {"error": "MESSAGE",
 * "exit": N} where N is the status the client exits with.
 */
#ifndef DEPLOY_RUN_CONTROL_H
#define DEPLOY_RUN_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct profile;
struct supervisor;
struct strv;

#define CONTROL_REQUEST_MAX 1024
#define CONTROL_NOT_RUNNING 1

/* ---- where ---- */

/*
 * The socket path of profile p for a supervisor running with euid, or
 * NULL with err (a path too long for sun_path names the path).  *off is
 * set when [run] control_socket = off (then NULL is returned, err unset).
 */
char *control_socket_path(const struct profile *p, uid_t euid, bool *off, struct error *err);

/*
 * Where a client of euid looks, in order: its own path, then, for a
 * non-root client, root's (/run/deploy-run/...), which a supervisor
 * started as root and serving as [app] user lets that user use.
 */
int control_client_paths(const struct profile *p, uid_t euid, struct strv *out, bool *off,
			 struct error *err);

/* ---- the supervisor's side ---- */

struct control;
struct control_conn;

typedef void (*control_handler)(struct control_conn *c, void *data);

/*
 * Binds path (mode 0600, owner: uid allowed besides 0 and the euid, the
 * socket's owner when it differs from the euid; (uid_t)-1: none).  For a
 * default path the directory is made (0755 for /run/deploy-run, else 0700).
 * A stale socket is replaced; a live one is an error naming its pid.
 */
struct control *control_create(const char *path, uid_t owner, bool make_dir,
			       struct error *err);

/*
 * What run does: the path of profile p for this process, its owner (the
 * [app] user when set, else the euid), control_create().  NULL with err
 * unset when [run] control_socket = off.
 */
struct control *control_open(const struct profile *p, struct error *err);

/* Adds a verb.  Before or after control_attach. */
void control_register(struct control *ctl, const char *verb, control_handler fn, void *data);

/* Starts accepting in sv's loop. */
int control_attach(struct control *ctl, struct supervisor *sv, struct error *err);

/* The path it is bound to. */
const char *control_path(const struct control *ctl);

/*
 * After supervisor_run() has returned (the loop and its watches are gone):
 * answers every pending connection with {"error": "the supervisor is
 * exiting", "exit": 3}, closes, unlinks the socket if it is still ours,
 * frees.  NULL does nothing.
 */
void control_destroy(struct control *ctl);

/* The value of KEY=VALUE in the request, or NULL. */
const char *control_conn_arg(const struct control_conn *c, const char *key);
uid_t control_conn_uid(const struct control_conn *c);
pid_t control_conn_pid(const struct control_conn *c);

/*
 * Answers.  A handler may answer before it returns or keep c and answer
 * later from the loop.  control_reply() sends json (one object, no
 * newline) and a newline, and closes c (after flushing, if the socket is
 * full); c must not be used afterwards.  control_progress() sends a
 * progress line and keeps c.
 */
void control_reply(struct control_conn *c, const char *json);
void control_reply_error(struct control_conn *c, int exit_code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void control_progress(struct control_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * cb is called once when c goes away before it was answered (the client
 * hung up, or the supervisor exits); c is freed right after cb returns.
 */
void control_conn_on_close(struct control_conn *c, void (*cb)(struct control_conn *c, void *data),
			   void *data);

/* ---- the client's side ---- */

/*
 * Sends line (without its "\n") to the first of paths that answers,
 * calls progress (may be NULL) with the TEXT of each progress line, and
 * returns the answer line in *answer (malloc'd).  Returns 0 answered;
 * CONTROL_NOT_RUNNING when no path has a listening socket (missing,
 * refused, or closed without an answer; err says which); -1 with err for
 * anything else (permission denied...).  *used is the path tried last.
 * timeout_ms <= 0 waits for ever.
 */
int control_request(char *const *paths, const char *line, int64_t timeout_ms,
		    void (*progress)(const char *text, void *data), void *data, char **answer,
		    const char **used, struct error *err);

/*
 * The value of a top-level key of a one-line JSON object, for the few
 * answers the clients look into: a string (unescaped, malloc'd), or a
 * number/true/false/null as written.  NULL when absent or malformed.
 */
char *control_json_get(const char *json, const char *key);

/* The same, the value as written (a string keeps its quotes and escapes). */
char *control_json_raw(const char *json, const char *key);

/* Past the JSON value that starts at s (after blanks); NULL when malformed. */
const char *control_json_skip(const char *s);

#endif
