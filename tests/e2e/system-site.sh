#!/bin/bash
# Debian's own gunicorn and uvicorn (egg-info in /usr/lib/python3/dist-packages)
# in a venv made with --system-site-packages: no console script in the venv,
# so deploy-run starts `VENV/bin/python -m gunicorn|uvicorn`, with the version
# the venv model found (uvicorn 0.17.6: no --timeout-graceful-shutdown).  Both
# start through run and run --exec, answer HTTP 200 on loopback, pass smoke and
# probe, and stop cleanly.  The version and place check reports are compared
# with what the venv's python itself imports.
. "$(dirname "$0")/lib.sh"
set -e
for s in gunicorn uvicorn; do
	[ -d "/usr/lib/python3/dist-packages/$s" ] || { echo "SKIP: Debian's python3-$s is not installed"; exit 77; }
done
APP=$T/app
mkdir -p "$APP/profiles"
cp -r "$SOURCE_ROOT/example/webapp" "$APP/"
/usr/bin/python3 -m venv --system-site-packages --without-pip "$APP/.venv"
check "the venv has no console scripts" [ ! -e "$APP/.venv/bin/gunicorn" ] && [ ! -e "$APP/.venv/bin/uvicorn" ]

# profile NAME SERVER MODULE PORT
profile() {
	cat >"$APP/profiles/$1.ini" <<EOF2
[profile]
stage = development
[app]
root = ..
server = $2
module = $3
requirements =
[server]
bind = 127.0.0.1:$4
workers = 2
graceful_timeout = 5s
[health]
path = /healthz
start_timeout = 60s
EOF2
}

# stopped PID: waits for it to exit (at most 60 s); its status in $st
stopped() {
	local i
	for i in $(seq 1 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	set +e; wait "$1"; st=$?; set -e
}

for server in gunicorn uvicorn; do
	port=$(free_port)
	module=webapp.wsgi:app
	[ $server = uvicorn ] && module=webapp.asgi:app
	profile $server $server $module "$port"
	real=$("$APP/.venv/bin/python" -c "import $server, os; print($server.__version__, os.path.dirname(os.path.dirname($server.__file__)))")
	read -r version where <<<"$real"

	# check: the fallback, where it comes from, the version; nothing missing
	run_dr -C "$APP" check $server --format json
	check "$server: check passes (development)" [ "$rc" = 0 ]
	assert_ids "$T/out" venv.server-module venv.system-site-packages
	message_has "imports it from $where (system, version $version, egg-info)"
	message_has "$APP/.venv/bin/python -m $server"

	run_dr -C "$APP" show $server --format json
	argv=$(json_get "$T/out" "' '.join(d['argv'])")
	check "$server: show's argv is python -m $server" bash -c '[[ $1 == "$2"* ]]' _ "$argv" "$APP/.venv/bin/python -m $server "
	if [ $server = uvicorn ]; then
		check "uvicorn $version: no --timeout-graceful-shutdown" bash -c '[[ $1 != *--timeout-graceful-shutdown* ]]' _ "$argv"
	fi

	# run: supervised, ready, probe, stop with TERM
	"$DEPLOY_RUN" -C "$APP" run $server >"$T/$server.log" 2>&1 &
	pid=$!
	at_exit "kill -KILL $pid 2>/dev/null"
	if wait_http "http://127.0.0.1:$port/healthz" 60; then pass; else fail "$server: run: no answer"; cat "$T/$server.log" >&2; fi
	check "$server: run answers 200" curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz"
	run_dr -C "$APP" probe $server
	check "$server: probe passes" [ "$rc" = 0 ]
	if [ $server = gunicorn ]; then
		# USR2 would re-execute gunicorn/__main__.py as a script: refused, still serving
		run_dr -C "$APP" reload $server --upgrade
		check "gunicorn -m: reload --upgrade is unsupported (exit 2, got $rc)" [ "$rc" = 2 ]
		check "gunicorn -m: it says why" grep -q "python -m gunicorn" "$T/err" "$T/out"
		check "gunicorn -m: still serving" curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz"
	fi
	kill -TERM $pid
	stopped $pid
	check "$server: run stops cleanly on TERM (exit $st)" [ "$st" = 0 ]
	check "$server: nothing listens after the stop" bash -c "! curl -fsS -o /dev/null --max-time 1 http://127.0.0.1:$port/healthz 2>/dev/null"

	# run --exec: deploy-run becomes python -m SERVER
	"$DEPLOY_RUN" -C "$APP" run $server --exec >"$T/$server-exec.log" 2>&1 &
	pid=$!
	at_exit "kill -KILL $pid 2>/dev/null"
	if wait_http "http://127.0.0.1:$port/healthz" 60; then pass; else fail "$server: run --exec: no answer"; cat "$T/$server-exec.log" >&2; fi
	check "$server: run --exec answers 200" curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz"
	check "$server: run --exec became python -m $server" grep -qa -- "-m.$server" "/proc/$pid/cmdline"
	kill -TERM $pid
	stopped $pid
	# uvicorn re-raises SIGTERM (143 is a clean stop), gunicorn exits 0
	check "$server: run --exec stops cleanly on TERM (exit $st)" [ "$st" = 0 ] || [ "$st" = 143 ]

	# smoke: preflight, start, ready, GET, stop
	run_dr -C "$APP" smoke $server --timeout 60s
	check "$server: smoke passes" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || cat "$T/err" >&2
done
finish
