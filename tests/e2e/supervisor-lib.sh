# Sourced by the supervisor-*.sh end-to-end scripts.
#
# $SUPERVISE is the supervising command: the test driver tests/tools/supervise
# (options, then -- ARGV), or anything that accepts the same options.
# $PAYLOAD is tests/payload.c built.  Each script prints "ok - ..." lines and
# exits 0, 77 (skipped) or 1.
set -euo pipefail
: "${SUPERVISE:?SUPERVISE must name the supervising command}"
: "${PAYLOAD:?PAYLOAD must name the payload program}"

T=$(mktemp -d /tmp/supervisor-test.XXXXXX)
chmod 755 "$T"
LOG=$T/log
export PAYLOAD_LOG=$LOG
: >"$LOG"
chmod 666 "$LOG"
BG=()

finish() {
	local p
	for p in "${BG[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap finish EXIT

fail() {
	echo "FAIL: $*" >&2
	if [ -s "$LOG" ]; then sed 's/^/  log: /' "$LOG" >&2; fi
	if [ -s "$T/err" ]; then sed 's/^/  stderr: /' "$T/err" >&2; fi
	# again after the logs, which may be longer than what meson shows of them
	if [ -s "$LOG" ] || [ -s "$T/err" ]; then echo "FAIL: $*" | head -n 3 | cut -c1-400 >&2; fi
	exit 1
}
ok() { echo "ok - $*"; }
skip() { echo "SKIP: $*"; exit 77; }

# retry TRIES PAUSE CMD...: runs CMD until it succeeds, at most TRIES times,
# PAUSE seconds apart
retry() {
	local i n=$1 pause=$2
	shift 2
	for ((i = 0; i < n; i++)); do
		if "$@"; then return 0; fi
		sleep "$pause"
	done
	return 1
}
# wait_for CMD...: retries CMD for up to 10 s
wait_for() { retry 500 0.02 "$@"; }
# lines of the log matching a regular expression
count() { grep -cE -- "$1" "$LOG" || true; }
has_lines() { [ "$(count "$1")" -ge "$2" ]; }
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
gone() { ! alive "$1"; }
# pids the payload logged (every role)
logged_pids() { awk '{print $1}' "$LOG" | sort -u; }
all_gone() {
	local p
	for p in $(logged_pids); do alive "$p" && return 1; done
	return 0
}
# the pid of the master (first "master ready" line)
master_pid() { awk '$2 == "master" && $3 == "ready" {print $1; exit}' "$LOG"; }

# what payload --report-signals logs for a server with no signal blocked or ignored
clean_signals='mask=0000000000000000 ignored=0000000000000000$'

# killed_after_timeout: $SV supervises a payload that ignores SIGTERM (a master,
# 2 workers and 2 orphans) with a 600 ms kill timeout, stderr in $T/err.  SIGTERM
# to it kills the whole tree after the timeout: exit 137 in $rc, one SIGTERM to
# the master and nothing but SIGKILL to the others, nothing left, and the kill
# said; the milliseconds it took in $elapsed.
killed_after_timeout() {
	local t0
	wait_for has_lines ' ready$' 5 || fail "the payload did not start"
	t0=$(date +%s%N)
	kill -TERM "$SV"
	rc=0; wait "$SV" || rc=$?
	elapsed=$((($(date +%s%N) - t0) / 1000000))
	[ "$rc" = 137 ] || fail "a server killed after the kill timeout gave $rc, expected 137"
	[ "$elapsed" -ge 550 ] && [ "$elapsed" -lt 5000 ] || fail "killed after ${elapsed}ms, kill timeout 600ms"
	[ "$(count ' master SIGTERM$')" = 1 ] || fail "SIGTERM not delivered once"
	[ "$(count ' (worker|orphan) SIG')" = 0 ] || fail "workers or orphans got a signal other than KILL"
	all_gone || fail "processes of the tree survived"
	grep -q 'did not stop within 0.6s: killing its process tree' "$T/err" || fail "no message: $(cat "$T/err")"
}

# forwards_with_clean_signals WHAT: $SV supervises a payload (--report-signals
# --wait) that started with no signal blocked or ignored; SIGUSR1 reaches it, and
# SIGTERM, once, stops it with exit 0.  WHAT names the case in a failure.
forwards_with_clean_signals() {
	wait_for has_lines ' ready$' 1 || fail "$1: no start"
	[ "$(count "$clean_signals")" = 1 ] || fail "$1: the server inherited signals: $(cat "$LOG")"
	kill -USR1 "$SV"
	wait_for has_lines ' master SIGUSR1$' 1 || fail "$1: SIGUSR1 not forwarded"
	kill -TERM "$SV"
	rc=0; wait "$SV" || rc=$?
	[ "$rc" = 0 ] || fail "$1: stop gave $rc"
	[ "$(count ' master SIGTERM$')" = 1 ] || fail "$1: SIGTERM not forwarded once"
}
