#!/bin/bash
# `deploy-run run` supervising the example app with real servers from its
# venv: gunicorn with 2 workers (HUP reloads with new workers and keeps
# serving, TTIN/TTOU change the worker count, SIGTERM stops it gracefully
# with exit 0 and nothing left), uvicorn (SIGTERM and SIGINT stop it; exit 0
# through the default success_signals).
. "$(dirname "$0")/run-lib.sh"
example_venv

get() { curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null; }
serves() { get | grep -q ok; }
kids() { cat /proc/"$1"/task/*/children 2>/dev/null | wc -w; }
kids_are() { [ "$(kids "$1")" = "$2" ]; }
tree_of() { local p; for p in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$p"; tree_of "$p"; done; }

example_server_profile g gunicorn webapp.wsgi:app
dr_bg g
wait_for serves || fail "gunicorn does not serve: $(cat "$T/err")"
master=$(awk '{print $1}' "/proc/$SV/task/$SV/children")
grep -q gunicorn "/proc/$master/cmdline" || fail "deploy-run's child is not gunicorn"
wait_for kids_are "$master" 2 || fail "not 2 workers"
before=$(cat /proc/"$master"/task/*/children)
ok "run: gunicorn serves under deploy-run (pid $SV), master $master, workers $before"
kill -HUP "$SV"
replaced() { kids_are "$master" 2 && ! grep -qw "${before%% *}" <(cat /proc/"$master"/task/*/children); }
wait_for replaced || fail "HUP did not replace the workers"
wait_for serves || fail "not serving after HUP"
ok "run: HUP: new workers $(cat /proc/"$master"/task/*/children | tr '\n' ' ')under the same master, still serving"
kill -TTIN "$SV"
wait_for kids_are "$master" 3 || fail "TTIN did not add a worker ($(kids "$master"))"
kill -TTOU "$SV"
wait_for kids_are "$master" 2 || fail "TTOU did not remove a worker ($(kids "$master"))"
ok "run: TTIN adds a worker, TTOU removes one"
tree="$master $(tree_of "$master")"
kill -TERM "$SV"
stopped "$SV"
[ "$rc" = 0 ] || fail "gunicorn graceful stop gave $rc: $(cat "$T/err")"
for p in $tree; do gone "$p" || fail "process $p of the tree is left"; done
[ "$(grep -c 'Handling signal: term' "$T/err")" = 1 ] || fail "gunicorn did not see one SIGTERM"
summary | grep -q '^deploy-run: exit 0 (server exited with status 0)' || fail "summary: $(summary)"
ok "run: gunicorn SIGTERM: one graceful stop, exit 0, nothing left: $(summary)"

for sig in TERM INT; do
	example_server_profile u uvicorn webapp.asgi:app
	dr_bg u
	wait_for serves || fail "uvicorn does not serve: $(cat "$T/err")"
	master=$(awk '{print $1}' "/proc/$SV/task/$SV/children")
	tree="$master $(tree_of "$master")"
	kill -"$sig" "$SV"
	stopped "$SV"
	[ "$rc" = 0 ] || fail "uvicorn SIG$sig stop gave $rc: $(cat "$T/err")"
	for p in $tree; do gone "$p" || fail "uvicorn: process $p of the tree is left"; done
	summary | grep -qE '^deploy-run: exit 0 \(server (exited with status 0|killed by SIG'"$sig"', counted as success)\)' ||
		fail "summary: $(summary)"
	ok "run: uvicorn with 2 workers, SIG$sig: exit 0, nothing left: $(summary)"
done

# [cleanup] pid_file with uvicorn, which has no --pid: deploy-run writes the
# server's pid itself, and the file is removed after the exit
example_server_profile up uvicorn webapp.asgi:app
printf '[cleanup]\npid_file = %s\n' "$T/uvicorn.pid" >>"$PROFILES/up.ini"
dr_bg up
wait_for serves || fail "uvicorn (pid file) does not serve: $(cat "$T/err")"
master=$(awk '{print $1}' "/proc/$SV/task/$SV/children")
[ "$(cat "$T/uvicorn.pid" 2>/dev/null)" = "$master" ] ||
	fail "the pid file holds '$(cat "$T/uvicorn.pid" 2>/dev/null)', not the server's pid $master"
kill -TERM "$SV"
stopped "$SV"
[ ! -e "$T/uvicorn.pid" ] || fail "the pid file is left after the exit"
ok "run: uvicorn's pid file written by deploy-run and removed at exit"
