#!/bin/bash
# example-venv.sh APPROOT: the example app's offline virtualenv works.
#
# Makes (or confirms) APPROOT/.venv with dev/venv-tools/make-venv.sh, then checks that
# gunicorn and uvicorn report their versions, that `pip check` is clean, that the venv does
# not see Debian's system site-packages, and that real gunicorn (webapp.wsgi:app) and real
# uvicorn (webapp.asgi:app) answer /healthz with 200 on loopback, show the stage on / and
# never reveal a secret on /config.  Exit 0 on success, 1 with a message on failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: example-venv.sh APPROOT" >&2
	exit 2
fi
root=$(cd "$1" && pwd)
venv=$root/.venv
workdir=$(mktemp -d)
server_pid=

fail() {
	echo "example-venv: FAIL: $*" >&2
	if [ -s "$workdir/server.log" ]; then
		sed 's/^/  server: /' "$workdir/server.log" >&2
	fi
	exit 1
}
ok() { echo "example-venv: ok: $*"; }

stop_server() {
	if [ -n "$server_pid" ]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=
	fi
}
trap 'stop_server; rm -rf "$workdir"' EXIT

"$here/../../dev/venv-tools/make-venv.sh" "$root" || fail "make-venv.sh $root"

v=$("$venv/bin/gunicorn" --version 2>&1) || fail "gunicorn --version: $v"
[[ $v == "gunicorn (version "* ]] || fail "gunicorn --version printed: $v"
ok "$v"
v=$("$venv/bin/uvicorn" --version 2>&1) || fail "uvicorn --version: $v"
[[ $v == "Running uvicorn "* ]] || fail "uvicorn --version printed: $v"
ok "$v"
v=$("$venv/bin/python" -m pip --isolated check 2>&1) || fail "pip check: $v"
ok "pip check: $v"
v=$(cd / && "$venv/bin/python" -c 'import sys; print(any("dist-packages" in p for p in sys.path))')
[ "$v" = False ] || fail "the venv's sys.path includes Debian's dist-packages"
ok "no system site-packages"

free_port() {
	"$venv/bin/python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# get URL: prints "STATUS BODY"; fails after 20 s without an answer.
wait_get() {
	local url=$1 i status
	for ((i = 0; i < 200; i++)); do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			fail "the server exited before answering $url"
		fi
		status=$(curl -s -o "$workdir/body" -w '%{http_code}' --max-time 2 "$url") || status=
		if [ -n "$status" ] && [ "$status" != 000 ]; then
			echo "$status $(cat "$workdir/body")"
			return 0
		fi
		sleep 0.1
	done
	fail "no answer from $url in 20 s"
}

# check_server NAME STAGE ARGV...: start the server with APP_ENV=STAGE, probe it, stop it.
check_server() {
	local name=$1 stage=$2 port reply
	shift 2
	port=$(free_port)
	: >"$workdir/server.log"
	(cd "$root" && exec env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV APP_ENV="$stage" \
		SECRET_KEY=e2e-secret-value-7f3a DATABASE_URL=postgresql://u:e2e-db-pass@h/db \
		"${@//PORT/$port}") >>"$workdir/server.log" 2>&1 &
	server_pid=$!
	reply=$(wait_get "http://127.0.0.1:$port/healthz")
	[ "${reply%% *}" = 200 ] || fail "$name /healthz: $reply"
	[[ $reply == *'"status"'*'"ok"'* ]] || fail "$name /healthz body: $reply"
	ok "$name /healthz: $reply"
	reply=$(wait_get "http://127.0.0.1:$port/")
	[[ $reply == "200 "*"stage: <b>$stage</b>"* ]] || fail "$name / does not show the stage: $reply"
	ok "$name / shows stage $stage"
	reply=$(wait_get "http://127.0.0.1:$port/config")
	[[ $reply == "200 "*'"DATABASE_URL":true'* ]] || fail "$name /config: $reply"
	[[ $reply != *e2e-secret-value* && $reply != *e2e-db-pass* ]] ||
		fail "$name /config reveals a secret: $reply"
	ok "$name /config reports settings without values"
	stop_server
}

check_server gunicorn staging "$venv/bin/gunicorn" webapp.wsgi:app -b 127.0.0.1:PORT -w 1
check_server uvicorn development "$venv/bin/uvicorn" webapp.asgi:app --host 127.0.0.1 --port PORT
echo "example-venv: all checks passed"
