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

# wait_for CMD...: retries CMD for up to 10 s
wait_for() {
	local i
	for ((i = 0; i < 500; i++)); do
		if "$@"; then return 0; fi
		sleep 0.02
	done
	return 1
}
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
