#!/bin/bash
# Real gunicorn and real uvicorn started through `deploy-run run --exec`, each
# answering HTTP 200 on loopback; the server gets the composed environment.
. "$(dirname "$0")/lib.sh"
set -e
example_venv
P="$T/profiles"
mkdir -p "$P"

serve() {  # NAME PORT: starts deploy-run run --exec in the background
	"$DEPLOY_RUN" --profiles "$P" run "$1" --exec >"$T/$1.log" 2>&1 &
	pid=$!
	at_exit "kill -TERM $pid 2>/dev/null; sleep 0.5; kill -KILL $pid 2>/dev/null"
}

port=$(free_port)
cat >"$P/g.ini" <<EOF2
[profile]
extends = base
[app]
root = $SOURCE_ROOT/example
[server]
bind = 127.0.0.1:$port
workers = 2
EOF2
cat >"$P/base.ini" <<EOF2
[app]
module = webapp.wsgi:app
[env]
files = .env, .env.development
[vars]
APP_ENV = e2e
EOF2
serve g
if wait_http "http://127.0.0.1:$port/healthz" 30; then pass; else fail "gunicorn did not answer"; cat "$T/g.log" >&2; fi
body=$(curl -fsS "http://127.0.0.1:$port/healthz" || true)
check "gunicorn /healthz says ok" grep -q '"ok"' <<<"$body"
# exec: the process deploy-run was is now gunicorn's master
check "run --exec replaced itself with gunicorn" grep -q gunicorn "/proc/$pid/cmdline"
check "gunicorn has 2 workers" [ "$(pgrep -P "$pid" | wc -l)" = 2 ]
check "the server's environment has VIRTUAL_ENV" grep -qz "^VIRTUAL_ENV=$SOURCE_ROOT/example/.venv$" "/proc/$pid/environ"
check "the server's environment has the .env values" grep -qz '^LOG_LEVEL=debug$' "/proc/$pid/environ"
check "the server's cwd is the app root" [ "$(readlink "/proc/$pid/cwd")" = "$SOURCE_ROOT/example" ]
kill -TERM "$pid"
wait "$pid" || true

port=$(free_port)
cat >"$P/u.ini" <<EOF2
[profile]
extends = base
[app]
root = $SOURCE_ROOT/example
module = webapp.asgi:app
server = uvicorn
[server]
bind = 127.0.0.1:$port
workers = 1
EOF2
serve u
if wait_http "http://127.0.0.1:$port/healthz" 30; then pass; else fail "uvicorn did not answer"; cat "$T/u.log" >&2; fi
check "run --exec replaced itself with uvicorn" grep -q uvicorn "/proc/$pid/cmdline"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
check "uvicorn serves / with 200 (got $code)" [ "$code" = 200 ]
kill -TERM "$pid"
wait "$pid" || true

# a server that is missing: 127; not executable: 126
mkdir -p "$T/app/.venv/bin"
printf '[app]\nroot = %s\nmodule = a:b\nrequirements =\n[checks]\nvenv = off\n' "$T/app" >"$P/missing.ini"
run_dr --profiles "$P" run missing --exec
check "missing server exits 127 (got $rc)" [ "$rc" = 127 ]
check "missing server: message names it" grep -q "server not found: $T/app/.venv/bin/gunicorn" "$T/err"
check "missing server: asks whether it is installed" grep -q "(is gunicorn installed in the virtualenv $T/app/.venv?)" "$T/err"
# no virtualenv at all: said so, rather than asking whether the server is installed in it
printf '[app]\nroot = %s\nmodule = a:b\nvenv = .novenv\nrequirements =\n[checks]\nvenv = off\n' "$T/app" >"$P/novenv.ini"
run_dr --profiles "$P" run novenv
check "missing venv exits 127 (got $rc)" [ "$rc" = 127 ]
check "missing venv: said so" grep -q "server not found: $T/app/.novenv/bin/gunicorn (the virtualenv $T/app/.novenv does not exist)" "$T/err"
printf 'not a program' >"$T/app/.venv/bin/gunicorn"
chmod 644 "$T/app/.venv/bin/gunicorn"
run_dr --profiles "$P" run missing --exec
check "non-executable server exits 126 (got $rc)" [ "$rc" = 126 ]
# a venv moved after it was made: the script is there, its #! interpreter is not
# (execve says ENOENT, as for a missing file): 126, naming the interpreter
printf '#!%s/gone/bin/python3 -E\nimport sys\n' "$T" >"$T/app/.venv/bin/gunicorn"
chmod 755 "$T/app/.venv/bin/gunicorn"
# (not under valgrind: it cannot survive an execve that fails this late and dies)
modes=(--exec "")
[ -z "${DEPLOY_RUN_WRAPPER:-}" ] || modes=()
for mode in "${modes[@]}"; do
	run_dr --profiles "$P" run missing $mode
	check "missing interpreter${mode:+ $mode}: exit 126 (got $rc)" [ "$rc" = 126 ]
	check "missing interpreter${mode:+ $mode}: names it" \
		grep -qF "its interpreter $T/gone/bin/python3 does not exist" "$T/err"
done

# [cleanup] prometheus_dir: wiped before the exec too (stale metrics would be summed
# with the new ones), created when missing; a directory of other files is refused
mkdir -p "$T/ok/.venv/bin" "$T/prom"
printf '#!/bin/sh
ls -A "$PROMETHEUS_MULTIPROC_DIR" >"%s/seen"
' "$T" >"$T/ok/.venv/bin/gunicorn"
chmod 755 "$T/ok/.venv/bin/gunicorn"
printf 'x' >"$T/prom/counter_7.db"
printf '[app]\nroot = %s\nmodule = a:b\nrequirements =\n[checks]\nvenv = off\n[cleanup]\nprometheus_dir = %s\n' \
	"$T/ok" "$T/prom" >"$P/prom.ini"
run_dr --profiles "$P" run prom --exec
check "prometheus_dir --exec: exit 0 (got $rc)" [ "$rc" = 0 ]
check "prometheus_dir --exec: the server saw it empty" test -e "$T/seen" -a ! -s "$T/seen"
check "prometheus_dir --exec: stale file removed" [ ! -e "$T/prom/counter_7.db" ]
printf 'x' >"$T/prom/notes.txt"
run_dr --profiles "$P" run prom --exec
check "prometheus_dir --exec with other files: 125 (got $rc)" [ "$rc" = 125 ]
check "prometheus_dir --exec with other files: kept" [ -e "$T/prom/notes.txt" ]

# [server] max_worker_memory: nothing watches it after the exec, which is said, at its line
mkdir -p "$T/ceil/.venv/bin"
printf '#!/bin/sh\nexit 0\n' >"$T/ceil/.venv/bin/gunicorn"
chmod 755 "$T/ceil/.venv/bin/gunicorn"
printf '[app]\nroot = %s\nmodule = a:b\nrequirements =\n[checks]\nvenv = off\n[server]\nmax_worker_memory = 256M\n' \
	"$T/ceil" >"$P/ceil.ini"
run_dr --profiles "$P" run ceil --exec
check "max_worker_memory --exec: exit 0 (got $rc)" [ "$rc" = 0 ]
check "max_worker_memory --exec: said at its line" \
	grep -q "ceil.ini:8: \[server\] max_worker_memory is set, but with --exec nothing watches" "$T/err"
run_dr --profiles "$P" run prom --exec
check "no ceiling, --exec: nothing said of it" bash -c '! grep -q max_worker_memory "$1"' _ "$T/err"

# [app] user: --exec drops privileges as gosu does; an unknown user is refused
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$T"
	mkdir -p "$T/u/.venv/bin" && chmod -R 755 "$T/u"
	printf '#!/bin/sh\nid -u >"%s/uid"\n' "$T/u" >"$T/u/.venv/bin/gunicorn"
	chmod 755 "$T/u/.venv/bin/gunicorn"
	chmod 777 "$T/u"
	printf '[app]\nroot = %s\nmodule = a:b\nrequirements =\nuser = nobody\n[checks]\nvenv = off\npath = off\n' "$T/u" >"$P/drop.ini"
	run_dr --profiles "$P" run drop --exec
	check "run --exec as nobody exits 0 (got $rc)" [ "$rc" = 0 ]
	check "the server ran as nobody" [ "$(cat "$T/u/uid" 2>/dev/null)" = "$(id -u nobody)" ]
	rm -f "$T/u/uid"
	sed -i 's/user = nobody/user = no-such-user-here/' "$P/drop.ini"
	run_dr --profiles "$P" run drop --exec
	check "unknown user exits 125 (got $rc)" [ "$rc" = 125 ]
	check "unknown user: the message names it and the profile line" grep -q "drop.ini:5: error: unknown user .no-such-user-here" "$T/err"
	check "unknown user: nothing started" [ ! -e "$T/u/uid" ]
fi
finish
