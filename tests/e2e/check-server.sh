#!/bin/bash
# The server check family end to end: each finding provoked alone, with its
# file and line, and none on a clean setup; --import against the example's
# real venv (Flask WSGI and Starlette ASGI entries) and against broken apps.
set -eu
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check-lib.sh"

APP=$T/app
mkdir -p "$APP/profiles"
/usr/bin/python3 -m venv --without-pip "$APP/.venv"
for s in gunicorn uvicorn; do
	printf '#!%s/.venv/bin/python\n' "$APP" >"$APP/.venv/bin/$s"
	chmod 755 "$APP/.venv/bin/$s"
done
PROFILE=$APP/profiles/p.ini
PORT=$(free_port)

# profile STAGE [INI-LINES...]: [app] then the given lines ([server] ... when needed).
profile() {
	local stage=$1; shift
	{
		profile_head "$stage" .. webapp.wsgi:app
		for l in "$@"; do echo "$l"; done
	} >"$PROFILE"
}
prod_server() { profile production "server = gunicorn" "[server]" "bind = 0.0.0.0:$PORT" \
	"forwarded_allow_ips = 10.0.0.1" "$@"; }


# dr [ENV=VALUE...] [-- CHECK-OPTIONS...]
dr() {
	local envs=() opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	opts=("$@")
	set +e
	env -i PATH=/usr/bin:/bin HOME="$T" "${SAN_ENV[@]}" "${envs[@]}" "$DEPLOY_RUN" check "$PROFILE" \
		--only server --format json "${opts[@]}" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
}
severity_is() {
	check "$1 is $2" [ "$(json_get "$T/out" "[f['severity'] for f in d['findings'] if f['id'] == '$1'][0]")" = "$2" ]
}

# clean production: public bind, trusted proxy, workers from the quota
prod_server
dr
assert_ids "$T/out"; check "clean: exit 0" [ "$rc" = 0 ]
# clean development: loopback, reload
profile development "[server]" "bind = 127.0.0.1:$PORT" "reload = true"
dr
assert_ids "$T/out"

# server.reload-in-production: the key, and --reload in args
prod_server "reload = true"
dr
only_finding server.reload-in-production "$PROFILE" "$(line_of "$PROFILE" "reload =")"
prod_server "args = --reload"
dr
only_finding server.reload-in-production "$PROFILE" "$(line_of "$PROFILE" "args =")"

# server.reload-workers: uvicorn runs one process with --reload
profile development "server = uvicorn" "[server]" "bind = 127.0.0.1:$PORT" "reload = true" \
	"workers = 2"
sed -i 's/^module = .*/module = webapp.asgi:app/' "$PROFILE"
dr
only_finding server.reload-workers "$PROFILE" "$(line_of "$PROFILE" "workers =")"

# server.ignored-setting: keys uvicorn has no equivalent for, set with the uvicorn choice
profile development "server = uvicorn" "[server]" "bind = 127.0.0.1:$PORT" "workers = 1" \
	"preload = true"
sed -i 's/^module = .*/module = webapp.asgi:app/' "$PROFILE"
dr
only_finding server.ignored-setting "$PROFILE" "$(line_of "$PROFILE" "preload =")"
profile development "server = uvicorn" "[server]" "bind = 127.0.0.1:$PORT" "workers = 1" \
	"forwarded_allow_ips = 127.0.0.1"
sed -i 's/^module = .*/module = webapp.asgi:app/' "$PROFILE"
dr
only_finding server.ignored-setting "$PROFILE" "$(line_of "$PROFILE" "forwarded_allow_ips =")"
echo "proxy_headers = true" >>"$PROFILE"
dr
assert_ids "$T/out"

# server.bind-local-in-production (a unix socket for a local proxy is fine)
profile production "server = gunicorn" "[server]" "bind = 127.0.0.1:$PORT"
dr
only_finding server.bind-local-in-production "$PROFILE" "$(line_of "$PROFILE" "bind =")"
severity_is server.bind-local-in-production error
profile production "server = gunicorn" "[server]" "bind = 127.0.0.1:$PORT, unix:$T/app.sock"
dr
assert_ids "$T/out"

# server.bind-public-in-development
profile development "[server]" "bind = 0.0.0.0:$PORT"
dr
only_finding server.bind-public-in-development "$PROFILE" "$(line_of "$PROFILE" "bind =")"

# server.port-in-use: names the process holding the port
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("ready", flush=True); time.sleep(120)
' "$PORT" >"$T/holder.out" &
HOLDER=$!
at_exit "kill $HOLDER 2>/dev/null"
for _ in $(seq 100); do grep -q ready "$T/holder.out" && break; sleep 0.05; done
prod_server
dr
only_finding server.port-in-use "$PROFILE" "$(line_of "$PROFILE" "bind =")"
message_has "pid $HOLDER (/usr/bin/python3 -c import socket"
# the holder's script: its newlines become spaces, and the cut shows as "..."
message_lacks '\n'
message_has '...)"'
# a specific other address on the same port does not conflict with 127.0.0.1
profile production "server = gunicorn" "[server]" "bind = 127.0.0.2:$PORT, unix:$T/s.sock"
dr
assert_ids "$T/out"
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true

# server.workers-excessive: more than the CPU quota justifies
prod_server "workers = 100"
dr
only_finding server.workers-excessive "$PROFILE" "$(line_of "$PROFILE" "workers =")"
prod_server "workers = 2"
dr
assert_ids "$T/out"

# server.proxy-headers: production on a public address without trusted proxies
profile production "server = gunicorn" "[server]" "bind = 0.0.0.0:$PORT"
dr
only_finding server.proxy-headers "$PROFILE" "$(line_of "$PROFILE" "bind =")"
# the variable satisfies gunicorn, but it is a setting from outside the
# profile: server.outside-config says so instead
dr FORWARDED_ALLOW_IPS=10.0.0.1
assert_ids "$T/out" server.outside-config
profile production "server = uvicorn" "[server]" "bind = 0.0.0.0:$PORT" \
	"forwarded_allow_ips = 10.0.0.1"
sed -i 's/^module = .*/module = webapp.asgi:app/' "$PROFILE"
dr
assert_ids "$T/out" server.proxy-headers
echo "proxy_headers = true" >>"$PROFILE"
dr
assert_ids "$T/out"

# server.worker-class without --import: from [app] interface or the module name
prod_server "worker_class = sync"
sed -i 's/^module = .*/module = webapp.asgi:app/' "$PROFILE"
dr
only_finding server.worker-class "$PROFILE" "$(line_of "$PROFILE" "worker_class =")"
# [app] interface says so explicitly
prod_server "worker_class = gevent" "[app]" "interface = asgi"
dr
assert_ids "$T/out" server.worker-class
message_has "([app] interface)"
prod_server "worker_class = uvicorn.workers.UvicornWorker"
sed -i 's/^module = .*/module = webapp.asgi:app/' "$PROFILE"
dr
assert_ids "$T/out"

# server.import: failures in the app, with the exception's last line and location
mkdir -p "$APP/badapp"
printf 'import os\n\nraise RuntimeError("no DATABASE_URL configured")\n' >"$APP/badapp/raises.py"
printf 'import time\ntime.sleep(30)\napp = None\n' >"$APP/badapp/slow.py"
: >"$APP/badapp/__init__.py"
prod_server "[checks]" "import_timeout = 1s"
sed -i 's/^module = .*/module = badapp.raises:app/' "$PROFILE"
dr -- --import
only_finding server.import "$APP/badapp/raises.py" 3
message_has "RuntimeError: no DATABASE_URL configured"
message_has "see the traceback: deploy-run run $PROFILE\""
sed -i 's/^module = .*/module = badapp.missing:app/' "$PROFILE"
dr -- --import
assert_ids "$T/out" server.import
message_has "ModuleNotFoundError: No module named 'badapp.missing'"
# secret values in the exception are masked unless --reveal
printf 'import os\nraise RuntimeError("cannot connect to " + os.environ["DATABASE_URL"])\n' \
	>"$APP/badapp/leaks.py"
printf 'DATABASE_URL=postgres://app:hunter2@db/app\n' >"$APP/.env"
sed -i 's/^module = .*/module = badapp.leaks:app/' "$PROFILE"
printf '[env]\nfiles = .env\n' >>"$PROFILE"
dr -- --import
only_finding server.import "$APP/badapp/leaks.py" 2
message_has "RuntimeError: cannot connect to ****"
message_lacks "hunter2"
dr -- --import --reveal
message_has "cannot connect to postgres://app:hunter2@db/app"
sed -i 's/^module = .*/module = badapp.slow:app/' "$PROFILE"
start=$(date +%s)
dr -- --import
assert_ids "$T/out" server.import
message_has "did not finish within 1000 ms"
check "timeout killed the import" [ $(($(date +%s) - start)) -lt 10 ]

# server.worker-class with --import on the example's real venv
example_venv
EX=$SOURCE_ROOT/example
# ex_profile SERVER MODULE [INI-LINES...]
ex_profile() {
	{
		echo "[profile]"
		echo "stage = production"
		echo "[app]"
		echo "root = $EX"
		echo "server = $1"
		echo "module = $2"
		echo "requirements ="
		echo "[server]"
		echo "bind = 0.0.0.0:$PORT"
		echo "forwarded_allow_ips = 10.0.0.1"
		echo "proxy_headers = true"
		shift 2
		for l in "$@"; do echo "$l"; done
		echo "[env]"
		echo "files = .env, .env.production"
	} >"$PROFILE"
}
# an ASGI module name would pass the name heuristic: the import tells
ex_profile gunicorn webapp.asgi:app "worker_class = gthread"
dr -- --import
only_finding server.worker-class "$PROFILE" "$(line_of "$PROFILE" "worker_class =")"
message_has "imported: async starlette.applications.Starlette instance"
ex_profile uvicorn webapp.wsgi:app
dr -- --import
assert_ids "$T/out" server.worker-class
message_has "flask.app.Flask instance, __call__(environ, start_response)"
message_has "but uvicorn serves ASGI"
# matches: a note saying what the object is, and exit 0
ex_profile gunicorn webapp.wsgi:app "worker_class = sync"
dr -- --import
assert_ids "$T/out" server.worker-class
severity_is server.worker-class note
check "import ok: exit 0" [ "$rc" = 0 ]
ex_profile uvicorn webapp.wsgi:app
echo "[app]" >>"$PROFILE"; echo "interface = wsgi" >>"$PROFILE"
dr -- --import
severity_is server.worker-class note

# the example's own profiles pass (prod is strict: no warnings either)
example_venv
for p in dev staging prod; do
	set +e
	env -i PATH=/usr/bin:/bin HOME="$T" "${SAN_ENV[@]}" "$DEPLOY_RUN" -C "$SOURCE_ROOT" check "$p" --only venv,server --format json >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	assert_ids "$T/out"
	check "example $p: exit 0" [ "$rc" = 0 ]
done

finish
