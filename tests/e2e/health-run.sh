#!/bin/bash
# Readiness of `run` against real gunicorn and uvicorn from the example venv, on
# TCP loopback and on unix sockets: the systemd notifications captured on a test
# socket (READY=1, STATUS=, MAINPID=, WATCHDOG=1, STOPPING=1 on TERM), the ready
# file written then removed, the server never seeing NOTIFY_SOCKET.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/health-lib.sh"
set -e
example_venv
example_profile "$P/base.ini" "[server]" "workers = 1" \
	"[health]" "path = /healthz" "start_timeout = 30s" "ready_file = $T/ready"

# start NAME: runs deploy-run run NAME in the background, notifying $T/NAME.sock
start() {
	notify_listen "$1"
	NOTIFY_SOCKET=$T/$1.sock "$DEPLOY_RUN" --profiles "$P" run "$1" >"$T/$1.out" 2>"$T/$1.err" &
	pid=$!
	at_exit "kill -KILL $pid 2>/dev/null"
}

# stop NAME: TERM, then the exit status in $rc
stop() {
	kill -TERM "$pid"
	set +e; wait "$pid"; rc=$?; set -e
	wait_for "$T/$1.log" STOPPING=1 2 || true
}

# gunicorn on TCP, MAINPID sent
port=$(free_port)
printf '[profile]\nextends = base\n[server]\nbind = 0.0.0.0:%s\n[health]\nnotify_mainpid = true\n' \
	"$port" >"$P/g.ini"
start g
if wait_for "$T/g.log" READY=1 30; then pass; else fail "gunicorn: no READY=1"; cat "$T/g.err" >&2; fi
server=$(pgrep -P "$pid" -f gunicorn | head -n1)
check "gunicorn: READY=1 with MAINPID of the server ($server) and STATUS" \
	grep -q "READY=1|MAINPID=$server|STATUS=ready: http://127.0.0.1:$port/healthz answered 200 after [0-9.]*s$" "$T/g.log"
check "gunicorn: time to ready logged" grep -q "deploy-run: ready: http://127.0.0.1:$port/healthz answered 200 after" "$T/g.err"
check "gunicorn: ready file holds the server's pid" [ "$(cat "$T/ready" 2>/dev/null)" = "$server" ]
check "gunicorn: the server does not inherit NOTIFY_SOCKET" bash -c "! grep -qz '^NOTIFY_SOCKET=' /proc/$server/environ"
check "gunicorn: one READY=1 only (the server's own withheld)" [ "$(grep -c READY=1 "$T/g.log")" = 1 ]
check "gunicorn: the probing supervisor does not map libcurl" bash -c "! grep -q libcurl /proc/$pid/maps"
stop g
check "gunicorn: exit 0 after TERM (got $rc)" [ "$rc" = 0 ]
check "gunicorn: STOPPING=1 after TERM" grep -q "STOPPING=1" "$T/g.log"
check "gunicorn: STOPPING=1 is the last message" bash -c "tail -n1 '$T/g.log' | grep -q STOPPING=1"
check "gunicorn: STOPPING=1 is sent when TERM arrives, naming it" grep -q "stopping: SIGTERM" "$T/g.log"
check "gunicorn: ready file removed at exit" [ ! -e "$T/ready" ]

# uvicorn on a unix socket; the watchdog: WATCHDOG=1 every half WATCHDOG_USEC
sock=$T/app-u.sock
printf '[profile]\nextends = base\n[app]\nserver = uvicorn\nmodule = webapp.asgi:app\n[server]\nbind = unix:%s\n' \
	"$sock" >"$P/u.ini"
WATCHDOG_USEC=400000 start u
if wait_for "$T/u.log" READY=1 30; then pass; else fail "uvicorn: no READY=1"; cat "$T/u.err" >&2; fi
check "uvicorn: READY=1 without MAINPID by default" bash -c "grep READY=1 '$T/u.log' | grep -qv MAINPID"
check "uvicorn: probed over the unix socket" grep -q "STATUS=ready: http://localhost/healthz on unix:$sock answered 200" "$T/u.log"
sleep 1.2
n=$(grep -c WATCHDOG=1 "$T/u.log" || true)
check "uvicorn: WATCHDOG=1 sent while the probe passes ($n in 1.2s at 0.2s)" [ "$n" -ge 4 ]
check "uvicorn: the server does not inherit WATCHDOG_USEC" bash -c "! grep -qz '^WATCHDOG_USEC=' /proc/\$(pgrep -P $pid | head -n1)/environ"
stop u
check "uvicorn: exit 0 after TERM (got $rc)" [ "$rc" = 0 ]
check "uvicorn: STOPPING=1" grep -q STOPPING=1 "$T/u.log"
check "uvicorn: unix socket removed" [ ! -e "$sock" ]

# WATCHDOG_PID naming another process: no watchdog for us
cp "$P/u.ini" "$P/u2.ini"
WATCHDOG_USEC=200000 WATCHDOG_PID=1 start u2
if wait_for "$T/u2.log" READY=1 30; then pass; else fail "uvicorn: no READY=1"; cat "$T/u2.err" >&2; fi
sleep 0.6
stop u2
check "WATCHDOG_PID of another process: no WATCHDOG=1" bash -c "! grep -q WATCHDOG=1 '$T/u2.log'"

# [health] interval shorter than half WATCHDOG_USEC: the probe repeats at the interval
cp "$P/u.ini" "$P/u3.ini"
printf '[health]\ninterval = 200ms\n' >>"$P/u3.ini"
WATCHDOG_USEC=20000000 start u3
if wait_for "$T/u3.log" READY=1 30; then pass; else fail "uvicorn: no READY=1"; cat "$T/u3.err" >&2; fi
sleep 1.2
n=$(grep -c WATCHDOG=1 "$T/u3.log" || true)
check "[health] interval = 200ms under a 20s watchdog: WATCHDOG=1 at the interval ($n in 1.2s)" [ "$n" -ge 4 ]
stop u3

# gunicorn on a unix socket, an abstract notify socket
sock=$T/app-g2.sock
printf '[profile]\nextends = base\n[server]\nbind = unix:%s\n' "$sock" >"$P/g2.ini"
$PY - "$T/abs.log" <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0deploy-run-e2e-%d" % __import__("os").getpid())
open(sys.argv[1] + ".name", "w").write("@deploy-run-e2e-%d" % __import__("os").getpid())
out = open(sys.argv[1], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
PYEOF
at_exit "kill $! 2>/dev/null"
wait_for "$T/abs.log.name" @ 5 || true
NOTIFY_SOCKET=$(cat "$T/abs.log.name") "$DEPLOY_RUN" --profiles "$P" run g2 >"$T/g2.out" 2>"$T/g2.err" &
pid=$!
at_exit "kill -KILL $pid 2>/dev/null"
if wait_for "$T/abs.log" READY=1 30; then pass; else fail "abstract socket: no READY=1"; cat "$T/g2.err" >&2; fi
check "gunicorn on a unix socket: ready" grep -q "on unix:$sock answered 200" "$T/abs.log"
kill -TERM "$pid"
wait "$pid" || true

# no [health]: READY=1 as soon as the server started
port=$(free_port)
printf '[app]\nroot = %s\nmodule = webapp.wsgi:app\n[server]\nbind = 127.0.0.1:%s\nworkers = 1\n' \
	"$SOURCE_ROOT/example" "$port" >"$P/n.ini"
start n
if wait_for "$T/n.log" READY=1 30; then pass; else fail "no probe: no READY=1"; cat "$T/n.err" >&2; fi
check "no probe: STATUS says so" grep -q "STATUS=ready: gunicorn started (pid [0-9]*; no \[health\] probe)" "$T/n.log"
wait_http "http://127.0.0.1:$port/healthz" 30 || true  # gunicorn handles TERM from then on
stop n
check "no probe: exit 0 (got $rc)" [ "$rc" = 0 ]
finish
