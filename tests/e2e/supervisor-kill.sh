#!/bin/bash
# A server that ignores SIGTERM is killed with its whole tree after the kill
# timeout; orphans left by a server that exits by itself get SIGTERM, then
# SIGKILL, and the supervisor waits for them.
. "$(dirname "$0")/supervisor-lib.sh"

"$SUPERVISE" -t 600 -- "$PAYLOAD" --ignore-term --workers 2 --orphan-ignore-term --orphans 2 \
	--wait 2>"$T/err" &
SV=$!
BG+=("$SV")
killed_after_timeout
grep -q 'exit 137 (server killed by SIGKILL).*killed after the 0.6s kill timeout, 5 processes killed' "$T/err" ||
	fail "summary: $(cat "$T/err")"
ok "TERM ignored: master, 2 workers, 2 orphans killed after ${elapsed}ms"

: >"$LOG"
rc=0; "$SUPERVISE" -o 5000 -- "$PAYLOAD" --orphans 3 --exit 4 2>"$T/err" || rc=$?
[ "$rc" = 4 ] || fail "exit with orphans gave $rc"
[ "$(count ' orphan SIGTERM$')" = 3 ] || fail "the orphans did not get one SIGTERM each"
all_gone || fail "orphans survived the supervisor"
grep -q '3 orphans stopped, 3 orphans reaped' "$T/err" || fail "summary: $(cat "$T/err")"
ok "the server exits by itself: 3 orphans got SIGTERM and were waited for"

: >"$LOG"
start=$(date +%s%N)
rc=0; "$SUPERVISE" -o 400 -- "$PAYLOAD" --orphan-ignore-term --orphans 2 --exit 0 2>"$T/err" || rc=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" = 0 ] || fail "exit with stubborn orphans gave $rc"
[ "$elapsed" -ge 350 ] || fail "orphans killed too early (${elapsed}ms)"
all_gone || fail "stubborn orphans survived"
grep -q 'killing them' "$T/err" || fail "no kill message: $(cat "$T/err")"
grep -q '2 orphans stopped, 2 processes killed, 2 orphans reaped' "$T/err" || fail "summary: $(cat "$T/err")"
ok "orphans that ignore SIGTERM are killed after the orphan timeout"

: >"$LOG"
"$SUPERVISE" -q -o 60000 -- "$PAYLOAD" --orphan-ignore-term --orphans 1 --exit 0 &
SV=$!
BG+=("$SV")
wait_for has_lines ' orphan ready$' 1 || fail "no orphan"
wait_for has_lines ' orphan SIGTERM$' 1 || fail "the orphan got no SIGTERM"
kill -INT "$SV"
rc=0; wait "$SV" || rc=$?
[ "$rc" = 0 ] || fail "gave $rc"
all_gone || fail "the orphan survived SIGINT to the supervisor"
ok "SIGINT while waiting for orphans kills them at once"
