#!/bin/bash
# Debian's gunicorn with 2 sync workers under the supervisor: HUP reloads and
# it keeps serving, TTIN/TTOU change the worker count, SIGTERM stops it
# gracefully with status 0 and no process of the tree left.
. "$(dirname "$0")/supervisor-lib.sh"
GUNICORN=${GUNICORN:-/usr/bin/gunicorn}
[ -x "$GUNICORN" ] || skip "no $GUNICORN"

cat >"$T/wsgi.py" <<'PY'
import os
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [("pid %d\n" % os.getpid()).encode()]
PY
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$SUPERVISE" -C "$T" --pid-file "$T/g.pid" -- "$GUNICORN" -w 2 -b "127.0.0.1:$port" \
	--pid "$T/g.pid" --graceful-timeout 5 wsgi:app 2>"$T/err" &
SV=$!
BG+=("$SV")

get() { /usr/bin/python3 -c "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:$port/', timeout=2).read().decode())" 2>/dev/null; }
serves() { get | grep -q '^pid '; }
workers() { local m; m=$(cat "$T/g.pid" 2>/dev/null) || return 1; wc -w <"/proc/$m/task/$m/children"; }
workers_are() { [ "$(workers)" = "$1" ]; }

wait_for serves || fail "gunicorn does not serve: $(cat "$T/err")"
master=$(cat "$T/g.pid")
wait_for workers_are 2 || fail "not 2 workers"
before=$(cat "/proc/$master/task/$master/children")
ok "gunicorn serves with 2 workers"

kill -HUP "$SV"
new_workers() { workers_are 2 && [ "$(cat "/proc/$master/task/$master/children")" != "$before" ] &&
	! grep -qw "$(echo "$before" | awk '{print $1}')" "/proc/$master/task/$master/children"; }
wait_for new_workers || fail "HUP did not replace the workers"
[ "$(cat "$T/g.pid")" = "$master" ] || fail "HUP changed the master"
wait_for serves || fail "not serving after HUP"
ok "HUP: new workers, same master, still serving"

kill -TTIN "$SV"
wait_for workers_are 3 || fail "TTIN did not add a worker ($(workers))"
kill -TTOU "$SV"
wait_for workers_are 2 || fail "TTOU did not remove a worker ($(workers))"
ok "TTIN adds a worker, TTOU removes one"

tree=$(cat "/proc/$master/task/$master/children")
kill -TERM "$SV"
rc=0; wait "$SV" || rc=$?
[ "$rc" = 0 ] || fail "graceful stop gave $rc: $(cat "$T/err")"
for p in $master $tree; do gone "$p" || fail "process $p of the tree is left"; done
grep -q 'Handling signal: term' "$T/err" || fail "gunicorn did not see one graceful SIGTERM"
[ "$(grep -c 'Handling signal: term' "$T/err")" = 1 ] || fail "SIGTERM reached the master twice"
grep -q '^deploy-run: exit 0 (server exited with status 0)' "$T/err" || fail "summary: $(tail -n1 "$T/err")"
ok "SIGTERM: graceful stop, exit 0, nothing left: $(tail -n1 "$T/err")"
