#!/bin/bash
# Exit statuses: 0..255 passed through, 128+N for death by signal N, the
# success mapping, 126/127 for a server that cannot be executed or found,
# 125 when the supervisor refuses to start, and the one-line summary.
. "$(dirname "$0")/supervisor-lib.sh"
ulimit -c 0

for n in $(seq 0 255); do
	rc=0; "$SUPERVISE" -q -- "$PAYLOAD" --exit "$n" || rc=$?
	[ "$rc" = "$n" ] || fail "exit $n came back as $rc"
done
ok "exit statuses 0..255 passed through"

for s in 1 2 3 6 9 10 12 13 14 15 24; do
	rc=0; "$SUPERVISE" -q -- "$PAYLOAD" --raise "$s" || rc=$?
	[ "$rc" = $((128 + s)) ] || fail "death by signal $s gave $rc"
done
ok "death by signal N gives 128+N"

rc=0; "$SUPERVISE" -q -s TERM -- "$PAYLOAD" --raise 15 || rc=$?
[ "$rc" = 0 ] || fail "success mapping of SIGTERM gave $rc"
rc=0; "$SUPERVISE" -q -s TERM -- "$PAYLOAD" --raise 2 || rc=$?
[ "$rc" = 130 ] || fail "success mapping of SIGTERM changed SIGINT: $rc"
ok "a mapped signal exits 0, others still 128+N"

printf 'not a program\n' >"$T/plain"
chmod 644 "$T/plain"
rc=0; "$SUPERVISE" -q -- "$T/plain" 2>"$T/err" || rc=$?
[ "$rc" = 126 ] || fail "non-executable file gave $rc"
grep -q "cannot execute $T/plain: Permission denied" "$T/err" || fail "no clear message for 126"
rc=0; "$SUPERVISE" -q -- "$T" 2>"$T/err" || rc=$?
[ "$rc" = 126 ] || fail "directory gave $rc"
chmod 755 "$T/plain"
printf '\177ELF garbage' >"$T/plain"
rc=0; "$SUPERVISE" -q -- "$T/plain" 2>"$T/err" || rc=$?
[ "$rc" = 126 ] || fail "bad executable gave $rc"
ok "126 for a server that cannot be executed"

rc=0; "$SUPERVISE" -q -- "$T/missing" 2>"$T/err" || rc=$?
[ "$rc" = 127 ] || fail "missing path gave $rc"
grep -q "No such file or directory" "$T/err" || fail "no clear message for a missing path"
rc=0; "$SUPERVISE" -q -- no-such-server-here 2>"$T/err" || rc=$?
[ "$rc" = 127 ] || fail "name not in PATH gave $rc"
grep -q "no-such-server-here: command not found in PATH" "$T/err" || fail "no message for 127"
rc=0; PATH=$(dirname "$PAYLOAD"):$PATH "$SUPERVISE" -q -- payload --exit 7 || rc=$?
[ "$rc" = 7 ] || fail "a name found in PATH did not run: $rc"
ok "127 for a server that cannot be found; PATH lookup works"

rc=0; "$SUPERVISE" -q -C "$T/nowhere" -- "$PAYLOAD" --exit 0 2>"$T/err" || rc=$?
[ "$rc" = 125 ] || fail "a missing directory gave $rc"
grep -q "cannot change to the directory" "$T/err" || fail "no message for a missing cwd"
ok "125 when the server's directory is missing"

rc=0; "$SUPERVISE" -- "$PAYLOAD" --exit 3 2>"$T/err" || rc=$?
[ "$rc" = 3 ] || fail "exit 3 gave $rc"
grep -qE '^deploy-run: exit 3 \(server exited with status 3\) after [0-9.]+s, peak RSS [0-9.]+ (KiB|MiB), cleaned: nothing$' "$T/err" ||
	fail "unexpected summary: $(cat "$T/err")"
rc=0; "$SUPERVISE" -s TERM -- "$PAYLOAD" --raise 15 2>"$T/err" || rc=$?
grep -q 'exit 0 (server killed by SIGTERM, counted as success)' "$T/err" || fail "summary: $(cat "$T/err")"
ok "one-line summary: $(cat "$T/err")"
