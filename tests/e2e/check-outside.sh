#!/bin/bash
# Settings that reach gunicorn or uvicorn from outside deploy-run's argv
# (server.outside-config), each provoked alone for both servers: in
# production an error naming the source (check 1, run 125 and nothing
# started), a warning when the argv overrides it; in development a warning,
# and the server starts with the profile's pinned settings.  The clean
# example reports none.  Socket activation: our own inherited LISTEN_FDS
# socket is the server's bind, never server.port-in-use (server.listen-fds
# when it does not match [server] bind).
. "$(dirname "$0")/lib.sh"
set -e
example_venv
P=$T/profiles
mkdir -p "$P" "$T/wd"
PORT=$(free_port)
EX=$SOURCE_ROOT/example
X=$T/extra.env

# profile NAME STAGE SERVER MODULE BIND [LINES...]: the example's settings, one extra .env file
profile() {
	local name=$1 stage=$2 server=$3 module=$4 bind=$5
	shift 5
	{
		echo "[profile]"
		echo "stage = $stage"
		echo "[app]"
		echo "root = $EX"
		echo "server = $server"
		echo "module = $module"
		echo "python = 3.11"
		echo "requirements = requirements.txt"
		echo "[server]"
		echo "bind = $bind"
		echo "workers = 2"
		echo "forwarded_allow_ips = 127.0.0.1"
		[ "$server" = uvicorn ] && echo "proxy_headers = true"
		echo "[env]"
		echo "files = .env, .env.production, $X"
		echo "required = APP_NAME, SECRET_KEY, DATABASE_URL"
		echo "secrets = SECRET_KEY, DATABASE_URL"
		echo "[health]"
		echo "path = /healthz"
		echo "start_timeout = 60s"
		printf '%s\n' "$@"
	} >"$P/$name.ini"
}
: >"$X"
chmod 600 "$X"
profile g production gunicorn webapp.wsgi:app "0.0.0.0:$PORT"
profile u production uvicorn webapp.asgi:app "0.0.0.0:$PORT"

# dr NAME [ENV=VALUE...] [-- ARGS]: check NAME in a clean environment
dr() {
	local name=$1; shift
	local envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	set +e
	env -i PATH=/usr/bin:/bin HOME="$T" ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "${envs[@]}" \
		${DEPLOY_RUN_WRAPPER:-} "$DEPLOY_RUN" --profiles "$P" check "$name" --format json "$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}
# run_refused NAME [ENV=VALUE...]: run exits 125 and starts nothing
run_refused() {
	local name=$1; shift
	set +e
	env -i PATH=/usr/bin:/bin HOME="$T" "$@" "$DEPLOY_RUN" --profiles "$P" run "$name" \
		>"$T/run.out" 2>"$T/run.err"
	rc=$?
	set -e
	check "$name $*: run exits 125 (got $rc)" [ "$rc" = 125 ]
	check "$name $*: run says it refuses" grep -q "refusing to start" "$T/run.err"
	check "$name $*: nothing listens" bash -c "! curl -fsS -o /dev/null --max-time 1 http://127.0.0.1:$PORT/healthz 2>/dev/null"
}
sev() { json_get "$T/out" "[f['severity'] for f in d['findings'] if f['id'] == 'server.outside-config'][0]"; }

# clean: nothing from outside
for name in g u; do
	dr $name
	assert_ids "$T/out"
	check "$name clean: check exits 0" [ "$rc" = 0 ]
done

# --- production, not pinnable: one error naming the source; run refuses ---
case_error() {  # NAME WHERE(process|env|vars) VAR VALUE TEXT
	local name=$1 where=$2 var=$3 value=$4 text=$5 envs=()
	: >"$X"
	cp "$P/$name.ini" "$T/$name.ini.orig"
	case $where in
	process) envs=("$var=$value") ;;
	env) printf '# a line\n%s=%s\n' "$var" "$value" >"$X" ;;
	vars) printf '[vars]\n%s = %s\n' "$var" "$value" >>"$P/$name.ini" ;;
	esac
	dr $name "${envs[@]}"
	assert_ids "$T/out" server.outside-config
	check "$name $var ($where): check exits 1" [ "$rc" = 1 ]
	check "$name $var ($where): an error" [ "$(sev)" = error ]
	message_has "$var"
	message_has "$text"
	case $where in
	process) message_has "(process environment)"; has_finding server.outside-config "" "" ;;
	env) has_finding server.outside-config "$X" 2 error ;;
	vars) has_finding server.outside-config "$P/$name.ini" "$(line_of "$P/$name.ini" "$var =")" error ;;
	esac
	run_refused $name "${envs[@]}"
	cp "$T/$name.ini.orig" "$P/$name.ini"
	: >"$X"
}
case_error g process GUNICORN_CMD_ARGS "--pid $T/gunicorn.pid --reload" "pidfile = $T/gunicorn.pid, reload = True"
check "GUNICORN_CMD_ARGS: the pid file was never written" [ ! -e "$T/gunicorn.pid" ]
case_error g env SENDFILE 0 "sendfile = 0"
case_error g vars SCRIPT_NAME /prefix "root_path = /prefix"
case_error g process GUNICORN_PID 1 "re-executed by USR2"
case_error g env WEB_CONCURRENCY lots "gunicorn fails at start-up"
case_error g process GUNICORN_CMD_ARGS "--workers 'x" "No closing quotation"
case_error u env UVICORN_RELOAD true "reload = true"
case_error u process UVICORN_UDS "$T/u.sock" "uds = $T/u.sock"
case_error u vars UVICORN_ROOT_PATH /x "root_path = /x"
case_error u process UVICORN_ENV_FILE "$T/other.env" "env_file"
case_error u process UVICORN_VERSION 1 "prints its version and exits"
case_error u env UVICORN_BACKLOG many "not a valid integer"

# --- check --server-config: the servers' own answer (no worker, no bind) ---
for name in g u; do
	dr $name -- --server-config
	assert_ids "$T/out"
	check "$name --server-config clean: exit 0" [ "$rc" = 0 ]
done
dr g "GUNICORN_CMD_ARGS=--reload --workers 9" -- --server-config
assert_ids "$T/out" server.outside-config server.effective-config
message_has "gunicorn says it runs with reload = True, and without the inputs from outside deploy-run's argv it would be False: set by GUNICORN_CMD_ARGS (process environment)"
message_lacks "workers = 9,"
dr u UVICORN_ROOT_PATH=/x -- --server-config
assert_ids "$T/out" server.outside-config server.effective-config
message_has "uvicorn says it runs with root_path = /x"
dr u UVICORN_BACKLOG=many -- --server-config
assert_ids "$T/out" server.outside-config server.effective-config
message_has "uvicorn refuses it"
# a bad value for an option the argv passes is never read: click takes the command line's
dr u UVICORN_WORKERS=many -- --server-config
assert_ids "$T/out" server.outside-config
check "UVICORN_WORKERS=many beside --workers: a warning" [ "$(sev)" = warning ]
# gunicorn reads int($WEB_CONCURRENCY) at import, --workers or not: the server says so too
dr g WEB_CONCURRENCY=lots -- --server-config
assert_ids "$T/out" server.outside-config server.effective-config
message_has "gunicorn refuses it"
check "--server-config bound nothing" bash -c "! curl -fsS -o /dev/null --max-time 1 http://127.0.0.1:$PORT/ 2>/dev/null"

# --- production, pinned by the argv: a warning saying it is overridden ---
case_pinned() {  # NAME VAR VALUE TEXT
	dr "$1" "$2=$3"
	assert_ids "$T/out" server.outside-config
	check "$1 $2: check exits 0" [ "$rc" = 0 ]
	check "$1 $2: a warning" [ "$(sev)" = warning ]
	message_has "$4"
	message_has "overrides it"
}
case_pinned g PORT 9999 "bind = 0.0.0.0:9999"
case_pinned g WEB_CONCURRENCY 9 "workers = 9"
# show: each server setting's effective value and source, and what it overrides
WEB_CONCURRENCY=9 run_dr --profiles "$P" show g --format json
check "show: workers is the profile's" [ "$(json_get "$T/out" "d['server']['workers']['value']")" = 2 ]
check "show: workers comes from the profile's line" [ "$(json_get "$T/out" "d['server']['workers']['source']")" = "$P/g.ini:$(line_of "$P/g.ini" "workers =")" ]
check "show: workers overrides WEB_CONCURRENCY" [ "$(json_get "$T/out" "d['server']['workers']['overrides']")" = "WEB_CONCURRENCY from process environment" ]
GUNICORN_CMD_ARGS="--pid $T/p.pid" run_dr --profiles "$P" show g --format json
check "show: pidfile from GUNICORN_CMD_ARGS" [ "$(json_get "$T/out" "d['server']['pidfile']['source']")" = "GUNICORN_CMD_ARGS from process environment" ]
case_pinned g FORWARDED_ALLOW_IPS '*' "forwarded_allow_ips = *"
case_pinned g GUNICORN_CMD_ARGS "--workers 9 --max-requests 5" "max_requests = 5"
case_pinned u UVICORN_WORKERS 9 "workers = 9"
case_pinned u UVICORN_HOST 10.1.1.1 "host = 10.1.1.1"
case_pinned u WEB_CONCURRENCY 9 "workers = 9"
case_pinned u UVICORN_ACCESS_LOG false "access_log = false"
# gunicorn.conf.py in the working directory: never loaded
sed -i "s|^module = .*|&\nworkdir = $T/wd|" "$P/g.ini"
echo 'reload = True' >"$T/wd/gunicorn.conf.py"
dr g
assert_ids "$T/out" server.outside-config
check "gunicorn.conf.py: a warning" [ "$(sev)" = warning ]
has_finding server.outside-config "$T/wd/gunicorn.conf.py" "" warning
message_has "--config python:__future__"
run_dr --profiles "$P" show g --format json
check "gunicorn.conf.py: the argv chooses the config" bash -c "grep -q 'python:__future__' '$T/out'"
rm "$T/wd/gunicorn.conf.py"
sed -i "/^workdir = /d" "$P/g.ini"

# --- development: the same sources are warnings, and the server starts
# with the profile's pinned settings ---
DPORT=$(free_port)
profile gd development gunicorn webapp.wsgi:app "127.0.0.1:$DPORT"
profile ud development uvicorn webapp.asgi:app "127.0.0.1:$DPORT"
for c in "gd GUNICORN_CMD_ARGS=--reload" "gd SENDFILE=0" "gd GUNICORN_PID=1" "ud UVICORN_RELOAD=true" \
	"ud UVICORN_UDS=$T/u.sock" "ud UVICORN_ROOT_PATH=/x"; do
	read -r name kv <<<"$c"
	dr $name "$kv"
	assert_ids "$T/out" server.outside-config
	check "$name $kv: check exits 0 in development" [ "$rc" = 0 ]
	check "$name $kv: a warning in development" [ "$(sev)" = warning ]
done
# started: the profile's port and workers win over the pinned outside values
OTHER=$(free_port)
start() {  # NAME ENV=VALUE...
	local name=$1; shift
	env -i PATH=/usr/bin:/bin HOME="$T" "$@" "$DEPLOY_RUN" --profiles "$P" run "$name" >"$T/$name.log" 2>&1 &
	pid=$!
	at_exit "kill -KILL $pid 2>/dev/null"
}
stop() {
	local i
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}
start gd "GUNICORN_CMD_ARGS=--workers 5 --bind 127.0.0.1:$OTHER" WEB_CONCURRENCY=7 PORT=$OTHER
if wait_http "http://127.0.0.1:$DPORT/healthz" 60; then pass; else fail "gunicorn: no answer on the profile's port"; cat "$T/gd.log" >&2; fi
master=$(pgrep -f -- "--bind 127.0.0.1:$DPORT" | head -n1)
check "gunicorn: the profile's 2 workers, not 5 or 7" [ "$(pgrep -P "$master" | wc -l)" = 2 ]
check "gunicorn: nothing on GUNICORN_CMD_ARGS's port" bash -c "! curl -fsS -o /dev/null --max-time 1 http://127.0.0.1:$OTHER/healthz 2>/dev/null"
stop
start ud UVICORN_PORT=$OTHER UVICORN_WORKERS=5 WEB_CONCURRENCY=5
if wait_http "http://127.0.0.1:$DPORT/healthz" 60; then pass; else fail "uvicorn: no answer on the profile's port"; cat "$T/ud.log" >&2; fi
check "uvicorn: nothing on UVICORN_PORT" bash -c "! curl -fsS -o /dev/null --max-time 1 http://127.0.0.1:$OTHER/healthz 2>/dev/null"
stop

# --- socket activation: the inherited socket is the bind, not "in use" ---
SPORT=$(free_port)
profile sa staging gunicorn webapp.wsgi:app "127.0.0.1:$SPORT"
sed -i 's/^forwarded_allow_ips = .*//' "$P/sa.ini"
env -i PATH=/usr/bin:/bin HOME="$T" systemd-socket-activate -l "127.0.0.1:$SPORT" \
	"$DEPLOY_RUN" --profiles "$P" run sa >"$T/sa.log" 2>&1 &
pid=$!
at_exit "kill -KILL $pid 2>/dev/null"
sleep 0.2
check "socket activation: staging answers on the inherited socket" curl -fsS -o /dev/null --max-time 60 "http://127.0.0.1:$SPORT/healthz"
check "socket activation: no server.port-in-use" bash -c "! grep -q 'port-in-use' '$T/sa.log'"
stop
# a bind the inherited socket is not
SPORT2=$(free_port)
env -i PATH=/usr/bin:/bin HOME="$T" systemd-socket-activate -l "127.0.0.1:$SPORT2" \
	"$DEPLOY_RUN" --profiles "$P" check sa --format json >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.2
curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$SPORT2/" 2>/dev/null || true
for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
assert_ids "$T/out" server.bind-local-in-production server.listen-fds server.listen-fds
message_has "fd 3: 127.0.0.1:$SPORT2"
finish
