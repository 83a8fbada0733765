#!/bin/bash
# Reaping like PID 1: as PID 1 of a new PID namespace and as a subreaper that
# is not PID 1, 100 orphaned zombies are reaped at once (none left in /proc)
# and SIGTERM and SIGINT still stop the server.
. "$(dirname "$0")/supervisor-lib.sh"

# zombies whose parent is the supervisor (host pid $1)
zombies_of() {
	local p n=0
	for p in /proc/[0-9]*; do
		read -r -a f <"$p/stat" 2>/dev/null || continue
		# comm has no spaces here: fields 3 (state) and 4 (ppid)
		[ "${f[2]}" = Z ] && [ "${f[3]}" = "$1" ] && n=$((n + 1))
	done
	echo "$n"
}
no_zombies() { [ "$(zombies_of "$1")" = 0 ]; }

# run_case NAME SIGNAL PREFIX...: the supervisor under PREFIX (may be empty)
run_case() {
	local name=$1 sig=$2 sv pid
	shift 2
	: >"$LOG"
	"$@" "$SUPERVISE" -- "$PAYLOAD" --zombies 100 --wait 2>"$T/err" &
	pid=$!
	BG+=("$pid")
	wait_for has_lines ' zombies 100$' 1 || fail "$name: no zombies made"
	if [ $# -gt 0 ]; then
		# the supervisor is the child of unshare
		read -r sv _ <"/proc/$pid/task/$pid/children" || true
		[ -n "$sv" ] || fail "$name: no supervisor under unshare"
		grep -q "^NSpid:.*[[:space:]]1$" "/proc/$sv/status" || fail "$name: supervisor is not PID 1"
	else
		sv=$pid
	fi
	wait_for no_zombies "$sv" || fail "$name: $(zombies_of "$sv") zombies left"
	kill -"$sig" "$sv"
	rc=0; wait "$pid" || rc=$?
	[ "$rc" = 0 ] || fail "$name: SIG$sig stop gave $rc"
	[ "$(count " master SIG$sig\$")" = 1 ] || fail "$name: SIG$sig did not reach the server once"
	grep -q '100 orphans reaped' "$T/err" || fail "$name: summary: $(cat "$T/err")"
	# (pids logged inside a namespace mean nothing outside; its end kills it)
	[ $# -gt 0 ] || all_gone || fail "$name: processes left"
	ok "$name: 100 orphaned zombies reaped, SIG$sig stops the server"
}

run_case "subreaper" TERM
run_case "subreaper" INT
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	run_case "PID 1" TERM unshare --pid --fork --mount-proc
	run_case "PID 1" INT unshare --pid --fork --mount-proc
else
	echo "# unshare --pid is not permitted here: PID 1 cases not run"
fi
