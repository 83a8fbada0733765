#!/bin/bash
# deploy-run reload against real gunicorn 20.1 on loopback, a client sending
# requests (sequential and concurrent, a new connection each) from before each
# reload until after it:
#   - preload (USR2): exit 0, every request 200, the answers switch to the new
#     version, no process of the old generation left, the new master adopted
#     (pid file, signals); three reloads in a row; a broken release (import
#     error; /healthz 500) exits 1 with the old version still serving and no
#     process of the failed generation left, and a later good reload works;
#     SIGTERM then stops the new master gracefully with status 0;
#   - without preload (HUP): the same switch, the master kept;
#   - not running: 3; uvicorn 0.17: 2 with the explanation, nothing signalled;
#   - as PID 1 of a PID namespace (unshare --pid --fork --mount-proc).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/reload-lib.sh"
. "$(dirname "$0")/health-lib.sh"

# expect_load NAME WHAT VERSIONS...: every request answered 200, and the
# sequential client saw the VERSIONS come in this order and end on the last.
# Both generations may answer for a moment, so the answers may go back and
# forth meanwhile (v1 v2 v1 v2): with USR2 while the new one is gated; with HUP
# because gunicorn 20.1's reload() forks the new workers and then TERMs the old
# ones, and a new worker can accept before an old one has seen its TERM.
expect_load() {
	local name=$1 what=$2
	shift 2
	local want seq firsts
	want=$(printf '%s,' "$@")
	check "$what: every request answered 200 ($(load_get "$name" '"%d requests, %d failed: %s" % (d["requests"], d["failed"], d["errors"][:3])'))" \
		[ "$(load_get "$name" 'd["failed"]')" = 0 ]
	seq=$(load_get "$name" '",".join(d["sequence"])')
	firsts=$(load_get "$name" '",".join(dict.fromkeys(d["sequence"])) + ","')
	check "$what: the answers switched ${want%,} in order and stayed on the last (saw $seq)" \
		[ "$firsts" = "$want" ] && [ "${seq##*,}" = "${*: -1}" ]
}

# ---- not running: 3 ----
port=$(free_port)
reload_profile p "$port" '[server]' 'preload = true' "[cleanup]" "pid_file = $T/p.pid" \
	'[health]' 'notify_mainpid = true' "ready_file = $T/p.ready"
reload p
check "not running: exit 3 (got $rc)" [ "$rc" = 3 ]
check "not running: says so" grep -q "not running" "$T/err"
reload
check "no PROFILE: exit 2 (got $rc)" [ "$rc" = 2 ]
reload p --frobnicate
check "unknown option: exit 2 (got $rc)" [ "$rc" = 2 ] && grep -q "unknown option '--frobnicate'" "$T/err"
reload p --timeout
check "--timeout without a value: exit 2 (got $rc)" [ "$rc" = 2 ]
reload no-such-profile
check "a profile that does not exist: exit 2 (got $rc)" [ "$rc" = 2 ]

# ---- preload: USR2, gated, adopted ----
notify_listen p
start p env NOTIFY_SOCKET="$T/p.sock"
M1=$(master "$pid")
OLD=$(tree "$M1")
check "preload: the pid file names the master" [ "$(cat "$T/p.pid")" = "$M1" ]
load_start p "$port"
version v2
reload p
check "preload reload: exit 0 (got $rc)" [ "$rc" = 0 ]
check "preload reload: USR2 named in the outcome" grep -q "USR2" "$T/out"
sleep 0.5
load_stop p
expect_load p "preload reload" v1 v2
M2=$(master "$pid")
check "preload reload: a new master ($M1 -> $M2)" [ -n "$M2" ] && [ "$M2" != "$M1" ]
check "preload reload: no process of the old generation left ($M1 $(echo $OLD))" none_alive $M1 $OLD
check "preload reload: the new master is deploy-run's child" \
	[ "$(awk '{print $4}' "/proc/$M2/stat")" = "$pid" ]
check "preload reload: the pid file names the new master" [ "$(cat "$T/p.pid" 2>/dev/null)" = "$M2" ]
check "preload reload: no PIDFILE.2 left" [ ! -e "$T/p.pid.2" ]
check "preload reload: the ready file names the new master" [ "$(cat "$T/p.ready" 2>/dev/null)" = "$M2" ]
run_dr --profiles "$P" status p --format json
check "preload reload: status shows the new master as the server" \
	[ "$(json_get "$T/out" 'd["server_pid"]')" = "$M2" ]
check "preload reload: status shows deploy-run as the supervisor" \
	[ "$(json_get "$T/out" 'd["supervisor_pid"]')" = "$pid" ]
check "preload reload: systemd heard RELOADING=1, then MAINPID= of the new master and READY=1" \
	grep -q "RELOADING=1" "$T/p.log" && grep -q "MAINPID=$M2" "$T/p.log" &&
	[ "$(grep -c 'READY=1' "$T/p.log")" = 2 ]
check "preload reload: STATUS= says it reloaded" grep -q "STATUS=ready, reloaded: reloaded with USR2" "$T/p.log"
check "preload reload: every answer is v2 now ($(answers "$port" 8))" [ "$(answers "$port" 8)" = "v2=8 " ]

# three in a row, under load the whole time
load_start p3 "$port"
for v in v3 v4 v5; do
	version "$v"
	reload p
	check "reload to $v: exit 0 (got $rc)" [ "$rc" = 0 ]
done
sleep 0.3
load_stop p3
expect_load p3 "three reloads in a row" v2 v3 v4 v5
M5=$(master "$pid")
check "three reloads: the answers are v5 ($(answers "$port" 6))" [ "$(answers "$port" 6)" = "v5=6 " ]
check "three reloads: one master, two workers under deploy-run" \
	[ "$(children "$pid" | wc -l)" = 1 ] && [ "$(children "$M5" | wc -l)" = 2 ]

# a signal to deploy-run reaches the adopted master: TTIN adds a worker, TTOU removes it
kill -TTIN "$pid"
for i in $(seq 1 100); do [ "$(children "$M5" | wc -l)" = 3 ] && break; sleep 0.05; done
check "adopted master: SIGTTIN forwarded to it (3 workers)" [ "$(children "$M5" | wc -l)" = 3 ]
kill -TTOU "$pid"
for i in $(seq 1 200); do [ "$(children "$M5" | wc -l)" = 2 ] && break; sleep 0.05; done

# ---- broken releases: the old version keeps serving ----
settled "$pid"
BEFORE=$(tree "$pid")
load_start pb "$port"
version import-error
reload p
check "import error: exit 1 (got $rc)" [ "$rc" = 1 ]
check "import error: says the new master exited" grep -q "exited before it became healthy" "$T/err"
check "import error: says the old one still serves" grep -q "still serves" "$T/err"
check "import error: no process of the failed generation left" [ "$(tree "$pid")" = "$BEFORE" ]
version unhealthy
reload p --timeout 10s
check "/healthz 500: exit 1 (got $rc)" [ "$rc" = 1 ]
check "/healthz 500: names the last probe's 500" grep -q "500" "$T/err"
check "/healthz 500: no process of the failed generation left" [ "$(tree "$pid")" = "$BEFORE" ]
check "/healthz 500: no PIDFILE.2 left" [ ! -e "$T/p.pid.2" ]
check "/healthz 500: the pid file still names the master" [ "$(cat "$T/p.pid")" = "$M5" ]
sleep 0.3
load_stop pb
check "broken releases: every request answered 200 ($(load_get pb '"%d failed: %s" % (d["failed"], d["errors"][:3])'))" \
	[ "$(load_get pb 'd["failed"]')" = 0 ]
check "broken releases: the sequential client saw v5 only, or v5 and the failed release \
while it was gated ($(load_get pb '",".join(d["sequence"])'))" \
	[ "$(load_get pb '",".join(sorted(set(d["sequence"]) - {"unhealthy"}))')" = v5 ]
echo "broken releases: answers by version during the gates: $(load_get pb 'd["versions"]')"
check "broken releases: every answer is v5 afterwards ($(answers "$port" 6))" [ "$(answers "$port" 6)" = "v5=6 " ]
version v6
reload p
check "a good release after the broken ones: exit 0 (got $rc)" [ "$rc" = 0 ]
check "after the broken ones: the answers are v6 ($(answers "$port" 6))" [ "$(answers "$port" 6)" = "v6=6 " ]

# ---- SIGTERM stops the adopted master gracefully ----
M6=$(master "$pid")
ALL=$(tree "$pid")
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
check "SIGTERM after the reloads: exit 0 (got $rc)" [ "$rc" = 0 ]
check "SIGTERM: the summary has the new master's status 0" \
	grep -q "^deploy-run: exit 0 (server exited with status 0)" "$T/p.err"
check "SIGTERM: the new master handled it (gunicorn logged its shutdown)" \
	grep -q "\[$M6\] \[INFO\] Shutting down: Master" "$T/p.err"
check "SIGTERM: no gunicorn process of the run left" none_alive $ALL
check "SIGTERM: the pid file removed" [ ! -e "$T/p.pid" ]

# ---- without preload: HUP ----
port=$(free_port)
version v1
reload_profile h "$port"
start h
M=$(master "$pid")
OLDW=$(children "$M")
load_start h "$port"
version v2
reload h
check "HUP reload: exit 0 (got $rc)" [ "$rc" = 0 ]
check "HUP reload: HUP named" grep -q "HUP" "$T/out"
sleep 0.3
load_stop h
expect_load h "HUP reload" v1 v2
check "HUP reload: the same master" [ "$(master "$pid")" = "$M" ]
check "HUP reload: the old workers are gone" none_alive $OLDW
check "HUP reload: two new workers" [ "$(children "$M" | wc -l)" = 2 ]
version v3
reload h --upgrade
check "HUP profile, reload --upgrade: exit 0 with USR2 (got $rc)" [ "$rc" = 0 ] && grep -q USR2 "$T/out"
check "reload --upgrade: a new master" [ "$(master "$pid")" != "$M" ]
check "reload --upgrade: the answers are v3 ($(answers "$port" 4))" [ "$(answers "$port" 4)" = "v3=4 " ]
# a SIGHUP sent to deploy-run still goes to the master, as before
M=$(master "$pid")
OLDW=$(children "$M")
kill -HUP "$pid"
for i in $(seq 1 200); do alive_any $OLDW || break; sleep 0.05; done
check "SIGHUP to deploy-run: forwarded (gunicorn replaced its workers)" none_alive $OLDW
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
check "HUP profile: exit 0 after TERM (got $rc)" [ "$rc" = 0 ]

# ---- a probe libcurl makes (redirects followed): attributed in its helper ----
port=$(free_port)
version v1
HEALTH_PATH=/to-healthz reload_profile r "$port" '[server]' 'preload = true' '[health]' \
	'follow_redirects = true'
start r
settled "$pid"
M=$(master "$pid")
# the old master's tree: the supervisor's own probe helpers (libcurl runs in
# them here) may come and go beside it
RTREE=$(tree "$M")
load_start r "$port"
version unhealthy
reload r --timeout 10s
check "redirects followed, /healthz 500: exit 1 (got $rc; answers of the old workers not counted)" \
	[ "$rc" = 1 ]
check "redirects followed, /healthz 500: the new generation's 500 named" \
	grep -q "answered 500 in .* from the new generation" "$T/err"
check "redirects followed: no process of the failed generation left" [ "$(tree "$M")" = "$RTREE" ]
version v2
reload r
check "redirects followed, healthy: exit 0 (got $rc)" [ "$rc" = 0 ]
sleep 0.3
load_stop r
check "redirects followed: every request answered 200 ($(load_get r 'd["failed"]') failed)" \
	[ "$(load_get r 'd["failed"]')" = 0 ]
check "redirects followed: the answers are v2 ($(answers "$port" 4))" [ "$(answers "$port" 4)" = "v2=4 " ]
check "redirects followed: the supervisor never mapped libcurl" bash -c "! grep -q libcurl /proc/$pid/maps"
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
check "redirects followed: exit 0 after TERM (got $rc)" [ "$rc" = 0 ]

# ---- uvicorn 0.17: unsupported, 2 ----
port=$(free_port)
printf '[app]\nroot = %s\nmodule = webapp.asgi:app\nserver = uvicorn\n[env]\nfiles = .env, .env.development\n[server]\nbind = 127.0.0.1:%s\nworkers = 2\n[health]\npath = /healthz\n' \
	"$SOURCE_ROOT/example" "$port" >"$P/u.ini"
start u
U=$(master "$pid")
UW=$(tree "$pid")
reload u
check "uvicorn 0.17: exit 2 (got $rc)" [ "$rc" = 2 ]
check "uvicorn 0.17: says what a zero-downtime reload needs" \
	grep -q "needs gunicorn (with worker_class = uvicorn.workers.UvicornWorker" "$T/err"
check "uvicorn 0.17: names the version" grep -q "uvicorn 0.17" "$T/err"
check "uvicorn 0.17: nothing signalled, the same processes" [ "$(tree "$pid")" = "$UW" ]
reload u --timeout nonsense
check "reload --timeout nonsense: exit 2 (got $rc)" [ "$rc" = 2 ]
kill -TERM "$pid"
wait "$pid" || true

# ---- as PID 1 of a PID namespace ----
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	port=$(free_port)
	version v1
	reload_profile n "$port" '[server]' 'preload = true'
	start n unshare --pid --fork --mount-proc
	sv=$(children "$pid" | head -n1)
	check "PID 1: deploy-run is PID 1 of its namespace" \
		grep -q "^NSpid:.*[[:space:]]1$" "/proc/$sv/status"
	M=$(master "$sv")
	load_start n "$port"
	version v2
	reload n
	check "PID 1: reload exit 0 (got $rc)" [ "$rc" = 0 ]
	sleep 0.3
	load_stop n
	expect_load n "PID 1" v1 v2
	check "PID 1: a new master adopted by PID 1" [ "$(master "$sv")" != "$M" ]
	check "PID 1: the old master is gone" none_alive $M
	kill -TERM "$sv"
	set +e; wait "$pid"; rc=$?; set -e
	check "PID 1: exit 0 after TERM (got $rc)" [ "$rc" = 0 ]
else
	echo "unshare --pid is not permitted here: the PID 1 case is not run"
fi
finish
