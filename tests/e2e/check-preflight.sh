#!/bin/bash
# check and run's preflight run the same checks (checks_table, the
# .always checks included): for the same profile, the findings `check`
# prints are the findings `run` prints before refusing, line for line.
# A [health] setting that cannot be probed and a server command line that
# cannot be built are errors in every stage, whatever [checks] says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/check-lib.sh"

APP=$T/app
mkdir -p "$APP" "$T/p"

# findings FILE: the finding lines of a text report (severity and id with
# the message, location, hint), without the headers that name the profile.
findings() { grep -E '^(error|warning|note) |^  (-->|hint:)' "$1" || true; }

# same NAME: check and run on profile NAME: both refuse (1 or 2, and 125),
# with the same findings.
same() {
	local name=$1
	run_dr --profiles "$T/p" check "$name"
	check "$name: check finds errors (exit $rc)" [ "$rc" = 1 -o "$rc" = 2 ]
	findings "$T/out" >"$T/check.$name"
	run_dr --profiles "$T/p" run "$name"
	check "$name: run refuses (exit $rc)" [ "$rc" = 125 ]
	check "$name: run names its preflight" grep -q "the preflight checks failed" "$T/err"
	findings "$T/err" >"$T/run.$name"
	check "$name: findings were reported" [ -s "$T/check.$name" ]
	if diff -u "$T/check.$name" "$T/run.$name" >&2; then pass; else fail "$name: check and run's preflight differ"; fi
}

# production: errors of several families, and a [health] path run cannot probe
{
	profile_head production "$APP" app:app
	printf '[server]\nbind = 127.0.0.1:8000\nreload = true\n[health]\npath = healthz\n'
} >"$T/p/prod.ini"
same prod
check "prod: the health path is a finding" grep -q "^error profile.bad-value: \[health\] path 'healthz'" "$T/check.prod"

# development with [checks] server = warn and venv = off: the family levels
# apply alike, and the [health] url is still an error
{
	profile_head development "$APP" app:app
	printf '[server]\nbind = 0.0.0.0:8000\nworkers = 64\n[checks]\nserver = warn\nvenv = off\n'
	printf '[health]\nurl = ftp://127.0.0.1/\n'
} >"$T/p/dev.ini"
same dev
check "dev: server findings capped to warnings" grep -q "^warning server.workers-excessive" "$T/check.dev"
check "dev: no venv finding" [ "$(grep -c '^[a-z]* venv\.' "$T/check.dev")" = 0 ]
check "dev: the health url is still an error" grep -q "^error profile.bad-value: \[health\] url 'ftp://" "$T/check.dev"

# staging with [checks] server = off: a command line uvicorn cannot take is
# still server.command in check; run refuses it with the same message
{
	profile_head staging "$APP" app:app "server = uvicorn"
	printf '[server]\nbind = 127.0.0.1:8000, 127.0.0.1:8001\n[checks]\nserver = off\n'
} >"$T/p/cmd.ini"
run_dr --profiles "$T/p" check cmd
check "cmd: check exit 1 (got $rc)" [ "$rc" = 1 ]
msg=$(sed -n 's/^error server.command: //p' "$T/out")
check "cmd: server.command reported as an error" [ -n "$msg" ]
run_dr --profiles "$T/p" run cmd
check "cmd: run refuses (exit $rc)" [ "$rc" = 125 ]
check "cmd: run's message is check's" grep -qF "$msg" "$T/err"
finish
