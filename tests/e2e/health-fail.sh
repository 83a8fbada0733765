#!/bin/bash
# Readiness failures of `run`, with stand-in servers: one that never listens,
# one that answers 500, one that crashes while starting, one that accepts and
# never answers; on_timeout = warn; and `probe` exit codes 0, 1 and 2.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/health-lib.sh"
set -e

# run_kind KIND [HEALTH LINES...]: runs a stand-in of that kind to the end.
run_kind() {
	local kind=$1
	shift
	fake_app "$T/$kind" "$kind"
	fake_profile "$P/$kind.ini" "$T/$kind" "127.0.0.1:$(free_port)" path=/healthz \
		"ready_file = $T/$kind.ready" "$@"
	run_dr --profiles "$P" run "$kind" --no-check
}

# never listens: stopped after start_timeout, exit 124, STOPPING=1 sent
notify_listen n1
NOTIFY_SOCKET=$T/n1.sock run_kind sleep start_timeout=1s
check "never ready: exit 124 (got $rc)" [ "$rc" = 124 ]
check "never ready: message" grep -q "did not become ready within 1s (http://127.0.0.1:[0-9]*/healthz: no answer: Connection refused" "$T/err"
check "never ready: no READY=1" bash -c "! grep -q READY=1 '$T/n1.log'"
wait_for "$T/n1.log" STOPPING=1 2 || true
check "never ready: STOPPING=1" grep -q "STOPPING=1|STATUS=stopping: not ready in time" "$T/n1.log"
check "never ready: no ready file" [ ! -e "$T/sleep.ready" ]

# answers 500: the status is in the message
run_kind 500 start_timeout=1s
check "500: exit 124 (got $rc)" [ "$rc" = 124 ]
check "500: message has the status" grep -q "did not become ready within 1s (http://127.0.0.1:[0-9]*/healthz: 500 in" "$T/err"
# the same server is ready when 500 is expected
fake_profile "$P/500e.ini" "$T/500" "127.0.0.1:$(free_port)" path=/healthz expect=500
"$DEPLOY_RUN" --profiles "$P" run 500e --no-check >"$T/out" 2>"$T/err" &
pid=$!
at_exit "kill -KILL $pid 2>/dev/null"
wait_for "$T/err" "ready: " 10 || true
check "500 expected: ready" grep -q "ready: http://127.0.0.1:[0-9]*/healthz answered 500" "$T/err"
kill -TERM "$pid"
wait "$pid" || true

# crashes while starting: its own status, and why
run_kind crash start_timeout=5s
check "crash: the server's status 3 (got $rc)" [ "$rc" = 3 ]
check "crash: message" grep -q "the server exited before it became ready" "$T/err"
check "crash: the exit summary is the last line" grep -q "^deploy-run: exit 3 " <(tail -n 1 "$T/err")
check "crash: the server's own message" grep -q "stand-in: cannot import the app" "$T/err"

# accepts and never answers: each probe times out after [health] timeout
run_kind hang start_timeout=1500ms timeout=300ms
check "hang: exit 124 (got $rc)" [ "$rc" = 124 ]
check "hang: message" grep -q "(http://127.0.0.1:[0-9]*/healthz: no answer within 0.3s (after" "$T/err"

# on_timeout = warn: keeps running, becomes ready late, stops on TERM with status 0
fake_app "$T/slow" slow
fake_profile "$P/slow.ini" "$T/slow" "127.0.0.1:$(free_port)" path=/healthz start_timeout=100ms \
	on_timeout=warn
"$DEPLOY_RUN" --profiles "$P" run slow --no-check >"$T/out" 2>"$T/err" &
pid=$!
at_exit "kill -KILL $pid 2>/dev/null"
wait_for "$T/err" "ready: " 10 || true
check "warn: warned" grep -q "the server is not ready after 100ms.*on_timeout = warn" "$T/err"
check "warn: ready later" grep -q "ready: http://127.0.0.1:[0-9]*/healthz answered 200" "$T/err"
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
check "warn: exit 0 after TERM (got $rc)" [ "$rc" = 0 ]

# probe: 0 healthy, 1 unhealthy, 2 error
fake_app "$T/ok" ok
port=$(free_port)
fake_profile "$P/ok.ini" "$T/ok" "0.0.0.0:$port" path=/healthz
"$T/ok/.venv/bin/gunicorn" --bind "127.0.0.1:$port" &
srv=$!
at_exit "kill $srv 2>/dev/null"
for i in $(seq 50); do run_dr --profiles "$P" probe ok; [ "$rc" = 0 ] && break; sleep 0.1; done
check "probe healthy: exit 0 (got $rc)" [ "$rc" = 0 ]
check "probe healthy: one line" [ "$(wc -l <"$T/out")" = 1 ]
check "probe healthy: status and time" grep -q "^healthy: 200 in [0-9.]* ms (http://127.0.0.1:$port/healthz)$" "$T/out"
fake_profile "$P/ok2.ini" "$T/ok" "127.0.0.1:$port" path=/healthz expect=204
run_dr --profiles "$P" probe ok2
check "probe unexpected status: exit 1 (got $rc)" [ "$rc" = 1 ]
check "probe unexpected status: line" grep -q "^unhealthy: 200 in" "$T/out"
kill "$srv"; wait "$srv" 2>/dev/null || true
run_dr --profiles "$P" probe ok
check "probe refused: exit 1 (got $rc)" [ "$rc" = 1 ]
check "probe refused: line" grep -q "^unhealthy: no answer: Connection refused (after [0-9.]* ms) (http" "$T/out"
fake_profile "$P/none.ini" "$T/ok" "127.0.0.1:$port"
run_dr --profiles "$P" probe none
check "probe without [health]: exit 2 (got $rc)" [ "$rc" = 2 ]
check "probe without [health]: message" grep -q "has no \[health\] path or url" "$T/err"
fake_profile "$P/bad.ini" "$T/ok" "127.0.0.1:$port" path=/h expect=2xx,abc
run_dr --profiles "$P" probe bad
check "probe bad expect: exit 2 (got $rc)" [ "$rc" = 2 ]
check "probe bad expect: file and line" grep -q "bad.ini:[0-9]*: error: invalid value '2xx,abc' for \[health\] expect: invalid status 'abc'" "$T/err"
# redirects are not followed unless [health] follow_redirects says so
fake_app "$T/redirect" redirect
rport=$(free_port)
"$T/redirect/.venv/bin/gunicorn" --bind "127.0.0.1:$rport" &
at_exit "kill $! 2>/dev/null"
fake_profile "$P/r1.ini" "$T/redirect" "127.0.0.1:$rport" path=/healthz
fake_profile "$P/r2.ini" "$T/redirect" "127.0.0.1:$rport" path=/healthz follow_redirects=true
for i in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$rport") 2>/dev/null && break; sleep 0.05; done
run_dr --profiles "$P" probe r1
check "redirect not followed: exit 1 (got $rc)" [ "$rc" = 1 ]
check "redirect not followed: 302" grep -q "^unhealthy: 302 in" "$T/out"
run_dr --profiles "$P" probe r2
check "follow_redirects = true: exit 0 (got $rc)" [ "$rc" = 0 ]
check "follow_redirects = true: 200" grep -q "^healthy: 200 in" "$T/out"

# check reports what run and probe would refuse, at the same line, exit 2
run_dr --profiles "$P" check bad --format json
check "check bad expect: exit 2 (got $rc)" [ "$rc" = 2 ]
check "check bad expect: finding" [ "$(json_get "$T/out" '[(f["id"], f["file"].endswith("bad.ini"), f["line"]) for f in d["findings"]]')" = "[('profile.bad-value', True, 15)]" ]
fake_profile "$P/badpath.ini" "$T/ok" "127.0.0.1:$port" path=healthz
run_dr --profiles "$P" check badpath
check "check path without '/': exit 2 (got $rc)" [ "$rc" = 2 ]
check "check path without '/': message" grep -q "profile.bad-value: \[health\] path 'healthz' must start with '/'" "$T/out"
run_dr --profiles "$P" check badpath --skip profile.bad-value
check "check --skip profile.bad-value: exit 0 (got $rc)" [ "$rc" = 0 ]
run_dr --profiles "$P" probe
check "probe without a profile: exit 2 (got $rc)" [ "$rc" = 2 ]
run_dr --profiles "$P" probe nosuch
check "probe of a missing profile: exit 2 (got $rc)" [ "$rc" = 2 ]
finish
