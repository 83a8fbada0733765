#!/bin/bash
# `deploy-run smoke`: success against real gunicorn (TCP) and uvicorn (unix
# socket) with the JSON, JUnit and text reports parsed; a URL that fails, a
# server that never becomes ready, one that crashes, a failed preflight; bad input.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/health-lib.sh"
set -e
example_venv
example_profile "$P/g.ini" "[server]" "bind = 127.0.0.1:$(free_port)" "workers = 1" \
	"[health]" "path = /healthz"

# gunicorn: two URLs pass; the JSON report parsed
run_dr --profiles "$P" smoke g --url /healthz --url / --format json
check "gunicorn smoke: exit 0 (got $rc)" [ "$rc" = 0 ]
check "gunicorn smoke: ok" [ "$(json_get "$T/out" 'd["ok"] and d["ready"]')" = True ]
check "gunicorn smoke: two URLs with 200" [ "$(json_get "$T/out" '[u["status"] for u in d["urls"]]')" = "[200, 200]" ]
check "gunicorn smoke: timings" [ "$(json_get "$T/out" 'all(u["time_ms"] > 0 for u in d["urls"]) and d["ready_ms"] > 0')" = True ]
check "gunicorn smoke: the server stopped cleanly" [ "$(json_get "$T/out" 'd["exit_status"], d["error"]')" = "(0, None)" ]
check "gunicorn smoke: URLs named" [ "$(json_get "$T/out" 'd["urls"][1]["url"]')" = "$(json_get "$T/out" 'd["probe"][:-len("/healthz")]')/" ]
url=$(json_get "$T/out" 'd["probe"]')
check "gunicorn smoke: no server left" bash -c "! curl -s -o /dev/null --max-time 1 '$url'"

# a failing URL: exit 1, its status and why
run_dr --profiles "$P" smoke g --url /healthz --url /nope --format json
check "failing URL: exit 1 (got $rc)" [ "$rc" = 1 ]
check "failing URL: ok false, ready true" [ "$(json_get "$T/out" '(d["ok"], d["ready"])')" = "(False, True)" ]
check "failing URL: 404 and why" [ "$(json_get "$T/out" '(d["urls"][1]["status"], d["urls"][1]["error"])')" = "(404, 'status 404, expected 2xx')" ]
check "failing URL: the other passed" [ "$(json_get "$T/out" 'd["urls"][0]["ok"]')" = True ]

# JUnit: parsed, one failure
run_dr --profiles "$P" smoke g --url /healthz --url /nope --format junit
check "junit: exit 1 (got $rc)" [ "$rc" = 1 ]
check "junit: 3 tests, 1 failure" [ "$($PY -c 'import sys, xml.etree.ElementTree as E
s = E.parse(sys.argv[1]).getroot().find("testsuite")
print(s.get("tests"), s.get("failures"), len(s.findall("testcase/failure")))' "$T/out")" = "3 1 1" ]

# uvicorn on a unix socket, text report
cat >"$P/u.ini" <<EOF2
[profile]
extends = g
[app]
server = uvicorn
module = webapp.asgi:app
[server]
bind = unix:$T/app.sock
EOF2
run_dr --profiles "$P" smoke u --url /config
check "uvicorn smoke: exit 0 (got $rc)" [ "$rc" = 0 ]
check "uvicorn smoke: ready line" grep -q "^smoke u: ready in [0-9.]*s (http://localhost/healthz on unix:$T/app.sock answered 200)$" "$T/out"
check "uvicorn smoke: URL line" grep -q "^  ok    GET /config  200  [0-9.]* ms$" "$T/out"
check "uvicorn smoke: passed" grep -q "^smoke u: passed: 1 URL, server stopped cleanly$" "$T/out"
# several URLs: the status and time columns line up; a wrong status says what was expected
run_dr --profiles "$P" smoke u --url /config --url / --url /missing
check "smoke URLs: exit 1 (got $rc)" [ "$rc" = 1 ]
check "smoke URLs: aligned" grep -q "^  ok    GET /         200  [0-9.]* ms$" "$T/out"
check "smoke URLs: 404" grep -q "^  FAIL  GET /missing  404  [0-9.]* ms  (expected 2xx)$" "$T/out"
check "smoke URLs: summary" grep -q "^smoke u: FAILED: 1 of 3 URLs failed$" "$T/out"
check "uvicorn smoke: socket removed" [ ! -e "$T/app.sock" ]

# never ready: [health] path that never answers 2xx (long enough for gunicorn to
# listen on a loaded machine, so that the last answer is the 404)
printf '[profile]\nextends = g\n[health]\npath = /missing\n' >"$P/nr.ini"
run_dr --profiles "$P" smoke nr --timeout 6s --format json
check "never ready: exit 1 (got $rc)" [ "$rc" = 1 ]
check "never ready: ready false" [ "$(json_get "$T/out" 'd["ready"]')" = False ]
check "never ready: why" grep -q '"error": "not ready within 6\(s\|000ms\) (http://127.0.0.1:[0-9]*/missing: 404 in' "$T/out"

# crashes while starting; a failed preflight
fake_app "$T/crash" crash
fake_profile "$P/crash.ini" "$T/crash" "127.0.0.1:$(free_port)" path=/healthz
run_dr --profiles "$P" smoke crash --format json
check "crash: exit 1 (got $rc)" [ "$rc" = 1 ]
check "crash: why" [ "$(json_get "$T/out" 'd["error"]')" = "the server exited with status 3 before it became ready (http://127.0.0.1:$(sed -n 's/^bind = 127.0.0.1://p' "$P/crash.ini")/healthz)" ]
printf '[profile]\nstrict = true\n[app]\nroot = %s\nmodule = a:b\n[health]\npath = /h\n' "$T/crash" >"$P/pre.ini"
run_dr --profiles "$P" smoke pre
check "failed preflight: exit 1 (got $rc)" [ "$rc" = 1 ]
check "failed preflight: why" grep -q "FAILED: the preflight checks failed" "$T/out"
run_dr --profiles "$P" smoke pre --format json
check "failed preflight: no exit status, the server never started" \
	[ "$(json_get "$T/out" '(d["ok"], d["exit_status"])')" = "(False, None)" ]

# bad input: 2
run_dr --profiles "$P" smoke g --format xml
check "bad format: exit 2 (got $rc)" [ "$rc" = 2 ]
run_dr --profiles "$P" smoke g --timeout soon
check "bad timeout: exit 2 (got $rc)" [ "$rc" = 2 ]
run_dr --profiles "$P" smoke nosuch
check "missing profile: exit 2 (got $rc)" [ "$rc" = 2 ]
run_dr --profiles "$P" smoke
check "no profile: exit 2 (got $rc)" [ "$rc" = 2 ]
finish
