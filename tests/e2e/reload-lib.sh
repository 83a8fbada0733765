# Helpers of the reload-*.sh scripts (deploy-run reload against real gunicorn
# 20.1 on loopback): source after lib.sh.
#
# The app names its version: verapp.py reads VERSION at import time and
# answers "VERSION PID" on every path but /to-healthz (a redirect to /healthz);
# VERSION "import-error" raises on import, "unhealthy..." answers 500 on
# /healthz (200 elsewhere).
set -e
example_venv
VENV=$SOURCE_ROOT/example/.venv
LOADER=$SOURCE_ROOT/tests/tools/http-load.py
P=$T/profiles
APPDIR=$T/app
mkdir -p "$P" "$APPDIR"
cat >"$APPDIR/verapp.py" <<'PYEOF'
import os
HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = open(os.path.join(HERE, "VERSION")).read().strip()
if VERSION == "import-error":
    raise RuntimeError("this release does not import")
def app(environ, start_response):
    if environ.get("PATH_INFO") == "/to-healthz":  # for a probe that follows redirects
        start_response("302 Found", [("Location", "/healthz"), ("Content-Length", "0")])
        return [b""]
    if environ.get("PATH_INFO") == "/healthz" and VERSION.startswith("unhealthy"):
        start_response("500 Internal Server Error", [("Content-Length", "10")])
        return [b"unhealthy\n"]
    body = ("%s %d\n" % (VERSION, os.getpid())).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
PYEOF
version() { echo "$1" >"$APPDIR/VERSION"; }
version v1

# reload_profile NAME PORT [LINES...]: a profile for the app on 127.0.0.1:PORT,
# two sync workers, [health] path = $HEALTH_PATH (default /healthz); LINES are appended.
reload_profile() {
	local name=$1 port=$2
	shift 2
	{
		printf '[app]\nroot = %s\nmodule = verapp:app\nvenv = %s\nrequirements =\n' "$APPDIR" "$VENV"
		printf '[checks]\nvenv = off\nreq = off\n'
		printf '[server]\nbind = 127.0.0.1:%s\nworkers = 2\ngraceful_timeout = 10s\n' "$port"
		printf '[health]\npath = %s\nstart_timeout = 30s\n' "${HEALTH_PATH:-/healthz}"
		printf '%s\n' "$@"
	} >"$P/$name.ini"
}

# start NAME [WRAPPER...]: deploy-run run NAME in the background (pid in $pid,
# stderr in $T/NAME.err), then waits until it is ready.
start() {
	local name=$1
	shift
	"$@" "$DEPLOY_RUN" --profiles "$P" run "$name" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	at_exit "kill -KILL $pid 2>/dev/null"
	local i
	for i in $(seq 1 600); do
		grep -q '^deploy-run: ready: ' "$T/$name.err" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "FAIL: $name did not become ready" >&2
	cat "$T/$name.err" >&2
	return 1
}

# settled SUPERVISOR [N]: waits (10 s at most) until the server's master runs N
# workers (default 2): ready means one worker answered, not that all booted
settled() {
	local i
	for i in $(seq 1 200); do
		[ "$(children "$(master "$1")" | wc -l)" -ge "${2:-2}" ] && return 0
		sleep 0.05
	done
	return 1
}

# children PID: its direct children, sorted
children() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d' | sort -n; }
# tree PID: PID's descendants, sorted
tree() {
	local c
	for c in $(children "$1"); do echo "$c"; tree "$c"; done | sort -n
}
# master SUPERVISOR: the server's master (the supervisor's child that has children)
master() {
	local c
	for c in $(children "$1"); do [ -n "$(children "$c")" ] && { echo "$c"; return; }; done
	children "$1" | head -n1
}
alive_any() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
none_alive() { ! alive_any "$@"; }

# load_start NAME PORT [CONCURRENCY]: the loopback client in the background;
# waits until it got its first answer
load_start() {
	rm -f "$T/$1.stop" "$T/$1.json" "$T/$1.json.started"
	$PY "$LOADER" "http://127.0.0.1:$2/" "$T/$1.stop" "$T/$1.json" \
		--concurrency "${3:-4}" --max-seconds 110 &
	load_pid=$!
	at_exit "kill $load_pid 2>/dev/null"
	local i
	for i in $(seq 1 200); do [ -e "$T/$1.json.started" ] && return 0; sleep 0.05; done
	echo "FAIL: the load client got no answer" >&2
	return 1
}
# load_stop NAME: stops the client, waits for its summary in $T/NAME.json
load_stop() {
	touch "$T/$1.stop"
	wait "$load_pid" || true
}
# load_get NAME EXPR: a Python expression over the summary d
load_get() { json_get "$T/$1.json" "$2"; }

# reload NAME [ARGS...]: deploy-run reload; stdout/stderr in $T/out, $T/err, status in $rc
reload() { run_dr --profiles "$P" reload "$@"; }

# answers PORT N: the versions of N sequential answers, sorted and counted
answers() {
	local i
	for i in $(seq 1 "$2"); do curl -fsS --max-time 5 "http://127.0.0.1:$1/" | cut -d' ' -f1; done |
		sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' '
}
