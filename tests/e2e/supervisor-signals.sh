#!/bin/bash
# Every forwarded signal reaches the server's master exactly once and never
# its workers; TERM, INT and QUIT stop it; unlisted signals are not forwarded.
. "$(dirname "$0")/supervisor-lib.sh"

start() {
	: >"$LOG"
	"$SUPERVISE" -q -t 5000 -- "$PAYLOAD" "$@" --workers 2 --wait &
	SV=$!
	BG+=("$SV")
	wait_for has_lines ' ready$' 3 || fail "the payload did not start"
	MASTER=$(master_pid)
}

# send SIG and wait until the master logged it N times
send() {
	kill -"$1" "$SV"
	wait_for has_lines "^$MASTER master SIG$1\$" "$2" || fail "SIG$1 did not reach the master"
}

start
n=0
for sig in HUP USR1 USR2 TTIN TTOU WINCH HUP; do
	n=$((n + 1))
	if [ "$sig" = HUP ] && [ $n -gt 1 ]; then send HUP 2; else send "$sig" 1; fi
done
# an unlisted signal is not forwarded (it must not kill the supervisor either)
kill -ALRM "$SV"
kill -PIPE "$SV"
send TERM 1
rc=0; wait "$SV" || rc=$?
[ "$rc" = 0 ] || fail "graceful stop gave $rc"
for sig in USR1 USR2 TTIN TTOU WINCH TERM; do
	[ "$(count "^$MASTER master SIG$sig\$")" = 1 ] || fail "SIG$sig reached the master $(count "master SIG$sig\$") times"
done
[ "$(count "^$MASTER master SIGHUP\$")" = 2 ] || fail "two SIGHUPs were not two"
[ "$(count ' worker SIG')" = 0 ] || fail "a worker got a signal: $(grep ' worker SIG' "$LOG")"
[ "$(count 'SIGALRM|SIGPIPE')" = 0 ] || fail "an unlisted signal was forwarded"
all_gone || fail "processes of the run are still alive"
ok "HUP USR1 USR2 TTIN TTOU WINCH TERM reach the master once each, workers none"

start --term-status 0
send INT 1
rc=0; wait "$SV" || rc=$?
[ "$rc" = 0 ] || fail "SIGINT stop gave $rc"
[ "$(count ' worker SIG')" = 0 ] || fail "a worker got SIGINT from us"
ok "SIGINT forwarded once, to the master only"

start --term-status 3
send QUIT 1
rc=0; wait "$SV" || rc=$?
[ "$rc" = 3 ] || fail "SIGQUIT stop gave $rc, expected the server's 3"
ok "SIGQUIT forwarded; the server's status is the supervisor's"

# the stop hook (supervisor_stop from a loop timer) behaves like a received SIGTERM
: >"$LOG"
rc=0; "$SUPERVISE" -q --stop-after 300 --started-file "$T/started" -- "$PAYLOAD" --wait || rc=$?
[ "$rc" = 0 ] || fail "--stop-after gave $rc"
[ "$(count ' master SIGTERM$')" = 1 ] || fail "the stop hook did not send one SIGTERM"
[ "$(cat "$T/started")" = "$(master_pid)" ] || fail "on_started got the wrong pid"
ok "on_started hook gets the server pid; supervisor_stop from a timer stops it"
