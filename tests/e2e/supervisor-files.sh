#!/bin/bash
# The Prometheus multiprocess directory is wiped before the start and after
# the exit (its contents, not the directory); the pid file and unix sockets
# the run created are removed; nothing the run did not create is deleted.
. "$(dirname "$0")/supervisor-lib.sh"

P=$T/prom
mkdir -p "$P"
printf 'stale' >"$P/counter_1.db"
printf 'stale' >"$P/gauge_livesum_2.db"
ln -s "$T/keep-target" "$P/histogram_3.db"
printf 'keep' >"$T/keep-target"
printf 'keep' >"$T/unrelated"
printf 'not a socket' >"$T/taken.sock"

"$SUPERVISE" --prometheus-dir "$P" --pid-file "$T/app.pid" --socket "$T/app.sock" \
	--socket "$T/taken.sock" -- "$PAYLOAD" --pid-file "$T/app.pid" --unix-socket "$T/app.sock" \
	--write "$P/counter_9.db:4096" --wait 2>"$T/err" &
SV=$!
BG+=("$SV")
wait_for has_lines ' ready$' 1 || fail "no start"
[ ! -e "$P/counter_1.db" ] && [ ! -e "$P/gauge_livesum_2.db" ] && [ ! -L "$P/histogram_3.db" ] ||
	fail "stale metrics not wiped"
[ -e "$P/counter_9.db" ] || fail "the server's own metrics file is missing"
[ -S "$T/app.sock" ] && [ -s "$T/app.pid" ] || fail "the server did not create its files"
kill -TERM "$SV"
rc=0; wait "$SV" || rc=$?
[ "$rc" = 0 ] || fail "gave $rc"
[ -d "$P" ] || fail "the Prometheus directory itself was removed"
[ -z "$(ls -A "$P")" ] || fail "the Prometheus directory is not empty: $(ls -A "$P")"
[ ! -e "$T/app.pid" ] || fail "pid file left"
[ ! -e "$T/app.sock" ] || fail "socket left"
[ "$(cat "$T/keep-target")" = keep ] && [ "$(cat "$T/unrelated")" = keep ] || fail "unrelated files touched"
[ "$(cat "$T/taken.sock")" = "not a socket" ] || fail "a non-socket at a socket path was removed"
grep -q 'wiped the Prometheus directory .* before the start (3 files' "$T/err" || fail "$(cat "$T/err")"
summary=$(tail -n1 "$T/err")
for want in "prometheus dir $P (1 file, 4.0 KiB)" "pid file $T/app.pid (" "socket $T/app.sock (0 B)"; do
	[[ $summary == *"$want"* ]] || fail "summary lacks '$want': $summary"
done
ok "prometheus dir wiped before and after, pid file and socket removed, others kept"

# a pid file that existed before and that the run did not replace is kept
printf '1\n' >"$T/old.pid"
"$SUPERVISE" -q --pid-file "$T/old.pid" --prometheus-dir "$T/new-prom" -- "$PAYLOAD" --exit 0
[ "$(cat "$T/old.pid")" = 1 ] || fail "a pid file from before the run was removed"
[ -d "$T/new-prom" ] || fail "a missing Prometheus directory was not created"
ok "files from before the run are kept; a missing Prometheus directory is created"

# a directory holding what prometheus_client does not write (a mistyped
# prometheus_dir = /tmp, a log directory) is not wiped: nothing starts
Q=$T/not-metrics
mkdir -p "$Q/sub"
printf 'keep' >"$Q/counter_1.db"
printf 'keep' >"$Q/app.log"
printf 'keep' >"$Q/sub/x"
: >"$LOG"
rc=0
"$SUPERVISE" --prometheus-dir "$Q" -- "$PAYLOAD" --exit 0 2>"$T/err" || rc=$?
[ "$rc" = 125 ] || fail "a directory that is not prometheus_client's gave $rc"
grep -q "refusing to wipe $Q, the \[cleanup\] prometheus_dir: it holds '\(app.log\|sub\)'" "$T/err" ||
	fail "no clear refusal: $(cat "$T/err")"
[ ! -s "$LOG" ] || fail "the server started"
[ "$(cat "$Q/counter_1.db" "$Q/app.log" "$Q/sub/x")" = keepkeepkeep ] || fail "something was removed"
# after the exit, what the run added there that is no metrics file is left, with a warning
R=$T/late
mkdir -p "$R"
"$SUPERVISE" --prometheus-dir "$R" -- "$PAYLOAD" --write "$R/counter_5.db:10" --write "$R/notes:4" \
	--exit 0 2>"$T/err" || fail "gave $?: $(cat "$T/err")"
[ ! -e "$R/counter_5.db" ] && [ -e "$R/notes" ] || fail "after the exit: $(ls -A "$R")"
grep -q "left 'notes' in the Prometheus directory $R" "$T/err" || fail "no warning: $(cat "$T/err")"
ok "a prometheus_dir holding other files is refused (125, nothing removed); only *.db files are removed after the exit"
